//! `backfill-with-ddl`.

pub(crate) const EXPLANATION: &str = r"# backfill-with-ddl

## What it does
Reports an `UPDATE` of an existing table (raw SQL through `op.execute` or
the connection, or built with SQLAlchemy Core: `t.update().values(...)`,
`sa.update(t)`) in the same transaction as schema changes.

## Why is this bad?
Every lock is held until the transaction commits.
When the schema changes come first, their locks (`ACCESS EXCLUSIVE` for
most `ALTER TABLE`: no reads or writes) are held for the whole backfill.
When the `UPDATE` comes first, its row locks (on every row it touches, in
one statement) are held through the schema changes after it, and those
must still take their own locks, waiting behind open queries on their
tables (and, for `ACCESS EXCLUSIVE`, blocking the queries that arrive
meanwhile) before they run.

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
    let mut ddl_before = false;
    for (step, existing) in lint.upgrade.iter().zip(&lint.on_existing) {
        if step.is_ddl() && !step.autocommit {
            ddl_before = true;
            continue;
        }
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
                if ddl_before {
                    format!(
                        "`{table}` is updated after schema changes in the same transaction: their locks (`ACCESS EXCLUSIVE` for most `ALTER TABLE`: no reads or writes) are held until the transaction commits, so for the whole backfill"
                    )
                } else {
                    format!(
                        "`{table}` is updated before schema changes in the same transaction: the UPDATE's row locks are held until the transaction commits, so through the schema changes, which may first wait for their own locks behind open queries on their tables"
                    )
                },
                "backfill inside the DDL transaction",
            )
            .help("move the backfill to its own revision, in batches, inside an `autocommit_block()`"),
        );
    }
}
