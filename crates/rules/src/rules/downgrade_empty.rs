//! `downgrade-empty`.

pub(crate) const EXPLANATION: &str = r#"# downgrade-empty

## What it does
Reports a revision whose `upgrade()` changes something while its
`downgrade()` is empty (`pass`) or missing.

## Why is this bad?
`alembic downgrade` then reports success while leaving the schema as it was:
the database and `alembic_version` disagree, and the next upgrade fails.

## How to fix
Write the inverse operations. If the change truly cannot be undone, make
that explicit: `raise NotImplementedError("irreversible: ...")` in
`downgrade()`.
"#;

use crate::lint::RevisionLint;
use crate::lint::steps::Action;
use crate::{Finding, Rule};

pub(crate) fn check(lint: &RevisionLint<'_>, out: &mut Vec<Finding>) {
    let Some(upgrade) = &lint.operations.upgrade else {
        return;
    };
    // A merge revision changes nothing; a data migration (no schema
    // change) usually cannot be undone and need not be, nor can an enum
    // value be removed.
    let changes_schema = lint
        .upgrade
        .iter()
        .any(|step| step.is_ddl() && !matches!(step.action, Action::EnumChange { .. }));
    if upgrade.empty || lint.merge || !changes_schema {
        return;
    }
    match &lint.operations.downgrade {
        Some(downgrade) if downgrade.empty => out.push(
            lint.finding(
                Rule::DowngradeEmpty,
                downgrade.span,
                format!("the downgrade of revision `{}` is empty: rolling it back leaves the schema unchanged", lint.id),
                "empty downgrade",
            )
            .help("write the inverse operations, or `raise NotImplementedError(...)` if it cannot be undone"),
        ),
        None => out.push(
            lint.finding(
                Rule::DowngradeEmpty,
                upgrade.span,
                format!("revision `{}` has no `downgrade()`: `alembic downgrade` fails on it", lint.id),
                "no downgrade() in this file",
            )
            .help("add a `downgrade()` with the inverse operations"),
        ),
        Some(_) => {}
    }
}
