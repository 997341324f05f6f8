//! `backfill-with-ddl`.

pub(crate) const EXPLANATION: &str = r#"# backfill-with-ddl

## What it does
Reports an `UPDATE` of an existing table (raw SQL through `op.execute` or
the connection, or built with SQLAlchemy Core: `t.update().values(...)`,
`sa.update(t)`) in the same transaction as schema changes. The transaction
ends where `with op.get_context().autocommit_block():` is entered (leaving
it begins another), at a `COMMIT` (`op.execute("COMMIT")`,
`connection.commit()`), and at alembic-autogenerate-enums'
`op.sync_enum_values`, which commits first: an `UPDATE` and schema changes
on either side of one of those are in different transactions (even when the
boundary is in an `if`: the rule takes the path that runs it).

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
"#;

use crate::lint::RevisionLint;
use std::collections::BTreeSet;

use crate::lint::steps::{Action, Step};
use crate::{Finding, Rule};

pub(crate) fn check(lint: &RevisionLint<'_>, out: &mut Vec<Finding>) {
    let transactions = transactions(lint.upgrade);
    // The transactions that change the schema.
    let with_ddl: BTreeSet<usize> = lint
        .upgrade
        .iter()
        .zip(&transactions)
        .filter(|(step, _)| step.is_ddl())
        .filter_map(|(_, transaction)| *transaction)
        .collect();
    if with_ddl.is_empty() {
        return;
    }
    // Transactions are numbered in order, so the last one that changed
    // the schema is the only one to compare with.
    let mut last_ddl: Option<usize> = None;
    for ((step, existing), transaction) in lint
        .upgrade
        .iter()
        .zip(&lint.on_existing)
        .zip(&transactions)
    {
        let Some(transaction) = *transaction else {
            continue;
        };
        if step.is_ddl() {
            last_ddl = Some(transaction);
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
        if !existing || !with_ddl.contains(&transaction) {
            continue;
        }
        out.push(
            lint.finding(
                Rule::BackfillWithDdl,
                step.span,
                if last_ddl == Some(transaction) {
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

/// The transaction each step runs in, numbered in order; `None` outside
/// any. Entering `autocommit_block()` commits the migration's transaction
/// and leaving it begins a new one; a `COMMIT` (or `connection.commit()`)
/// ends it, and statements up to a `BEGIN` run outside any. A boundary
/// inside a branch counts: the rule follows the path where it runs.
fn transactions(steps: &[Step]) -> Vec<Option<usize>> {
    let mut current = Some(0);
    let mut next = 1;
    let mut in_block = false;
    let mut out = Vec::with_capacity(steps.len());
    for step in steps {
        if step.autocommit != in_block {
            in_block = step.autocommit;
            // Leaving the block begins a new transaction (when the
            // migration was in one).
            if !in_block && current.is_some() {
                current = Some(next);
                next += 1;
            }
        }
        if let Action::Transaction { open } = step.action {
            current = open.then_some(next);
            next += 1;
        }
        out.push(if step.autocommit { None } else { current });
    }
    out
}
