//! `backfill-with-ddl`.

pub(crate) const EXPLANATION: &str = r"# backfill-with-ddl

## What it does
Reports an `UPDATE` of an existing table (raw SQL through `op.execute` or
the connection) in the same transaction as schema changes.

## Why is this bad?
The DDL's locks are held until the transaction commits, so the table stays
locked for the whole backfill; a large `UPDATE` in one statement also holds
row locks on every row it touches.

## How to fix
Move the backfill to its own revision and run it in batches, outside the
DDL transaction (inside `with op.get_context().autocommit_block():`, or as a
separate job).
";

use crate::lint::RevisionLint;
use crate::lint::steps::Action;
use crate::{Finding, Rule};

pub(crate) fn check(lint: &RevisionLint<'_>, out: &mut Vec<Finding>) {
    let has_ddl = lint
        .upgrade
        .iter()
        .any(|step| step.is_ddl() && !step.autocommit);
    if !has_ddl {
        return;
    }
    for (step, existing) in lint.upgrade.iter().zip(&lint.on_existing) {
        let Action::Data {
            table,
            update: true,
            ..
        } = &step.action
        else {
            continue;
        };
        if step.autocommit || !existing {
            continue;
        }
        out.push(
            lint.finding(
                Rule::BackfillWithDdl,
                step.span,
                format!(
                    "`{table}` is updated in the same transaction as schema changes: their locks are held for the whole backfill"
                ),
                "backfill inside the DDL transaction",
            )
            .help("move the backfill to its own revision, in batches, inside an `autocommit_block()`"),
        );
    }
}
