//! `batch-mode-on-server-database`.

pub(crate) const EXPLANATION: &str = r#"# batch-mode-on-server-database

## What it does
Reports `op.batch_alter_table(..., recreate="always")` on PostgreSQL or
MySQL.

## Why is this bad?
Batch mode with `recreate="always"` copies the whole table into a new one
and swaps them: a full rewrite that blocks writes, and loses objects the
copy does not know about (triggers, grants, some constraints). Batch mode
exists for SQLite, which cannot alter tables in place.

## How to fix
Use plain `op.*` operations on server databases; keep `batch_alter_table`
with its default `recreate="auto"` for code that must also run on SQLite.
"#;

use crate::lint::OpLint;
use crate::{Finding, Rule};

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let Some(batch) = &lint.step.batch else {
        return;
    };
    if batch.recreate != "always" {
        return;
    }
    // One finding per block: at its first operation.
    let first = lint
        .previous
        .is_none_or(|previous| previous.batch.as_ref() != Some(batch));
    if first {
        out.push(
            lint.finding(
                Rule::BatchModeOnServerDatabase,
                format!(
                    "`batch_alter_table(\"{}\", recreate=\"always\")` copies the whole table on {}",
                    batch.table, lint.revision.settings.dialect
                ),
                "table copy",
            )
            .help("use plain `op.*` operations on server databases"),
        );
    }
}
