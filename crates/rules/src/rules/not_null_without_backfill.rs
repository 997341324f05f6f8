//! `not-null-without-backfill`.

pub(crate) const EXPLANATION: &str = r"# not-null-without-backfill

## What it does
Reports a column that was added nullable (without a server default) and is
then made `NOT NULL`, in the same or a later revision, with no backfill in
between: no `UPDATE` of the table, no default, nothing the reader cannot see
through.

## Why is this bad?
Every row that existed when the column was added still holds NULL, so
`SET NOT NULL` fails on the first one, and the deploy stops half way.

## How to fix
Backfill between the two steps: an `UPDATE` in batches in its own revision
(outside the DDL transaction, for example in `autocommit_block()`), or a
data job that runs before the revision that sets `NOT NULL`.
";

use crate::lint::OpLint;
use crate::{Finding, Rule};
use alembic_doctor_script::OpKind;

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let Some(OpKind::AlterColumn {
        table,
        column,
        changes,
    }) = lint.step.op()
    else {
        return;
    };
    if changes.nullable != Some(false) {
        return;
    }
    let Some(state) = lint.catalogue.column(table, column) else {
        return;
    };
    if state.added_empty && !state.maybe_filled {
        out.push(
            lint.finding(
                Rule::NotNullWithoutBackfill,
                format!(
                    "`{table}.{column}` is made NOT NULL, but it was added nullable and nothing filled it since: existing rows still hold NULL"
                ),
                "no backfill since the column was added",
            )
            .help("backfill the column (an UPDATE in batches, in its own revision) before making it NOT NULL"),
        );
    }
}
