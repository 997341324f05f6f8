//! `not-null-without-backfill`.

pub(crate) const EXPLANATION: &str = r"# not-null-without-backfill

## What it does
Reports a column that was added nullable (without a server default) to a
table holding rows (one that existed before the revisions being checked,
or that they put rows in before adding the column) and is then made `NOT
NULL`, in the same or a later revision, with no backfill in
between: no `UPDATE` that may set it (in SQL, or built with SQLAlchemy Core:
`t.update().values(...)`), no default, nothing the reader cannot see
through.

## Why is this bad?
Every row that existed when the column was added still holds NULL, so
`SET NOT NULL` fails on the first one, and the deploy stops half way.

It holds unless the column was filled outside the migrations (a script or
a deploy step run between the two revisions), which the reader cannot see:
it stays an error, since every other database the migrations run on
(another deployment, a staging copy with data) needs the same step and
nothing in the history says so. When that is how it was done, suppress
it on the line, saying where the backfill lives:
`# alembic-doctor: ignore[not-null-without-backfill] filled by ...`.

## How to fix
Backfill between the two steps: an `UPDATE` in batches in its own revision
(outside the DDL transaction, for example in `autocommit_block()`), or a
data job that runs before the revision that sets `NOT NULL`.
";

use crate::lint::OpLint;
use crate::{Finding, Rule};

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let Some((table, column, changes)) = lint.step.alter_column() else {
        return;
    };
    if changes.nullable != Some(false) {
        return;
    }
    let Some(state) = lint.catalogue.column(table, column) else {
        return;
    };
    // A table the revisions created holds no rows, unless they put some in
    // before adding the column (rows put in later may well set it).
    let had_rows = lint.existing_table(table) || state.rows_when_added;
    if state.added_empty && !state.maybe_filled() && had_rows {
        out.push(
            lint.finding(
                Rule::NotNullWithoutBackfill,
                format!(
                    "`{table}.{column}` is made NOT NULL, but it was added nullable and nothing in the migrations filled it since: existing rows still hold NULL, unless it was filled outside them (a script, a deploy step)"
                ),
                "no backfill since the column was added",
            )
            .help("backfill the column (an UPDATE in batches, in its own revision) before making it NOT NULL"),
        );
    }
}
