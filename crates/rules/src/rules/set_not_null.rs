//! `set-not-null`.

pub(crate) const EXPLANATION: &str = r#"# set-not-null

## What it does
Reports `op.alter_column(..., nullable=False)` (or `ALTER COLUMN ... SET NOT
NULL`) on a table that existed before the revisions being checked, whether
the column is old or was added (and filled) by those revisions, unless the
history shows it `NOT NULL` already (a primary key, `nullable=False`
repeated beside a type change, or `existing_nullable=False`). A column added
nullable and never filled is `not-null-without-backfill`'s instead: that
one fails outright.

## Why is this bad?
PostgreSQL checks every row while holding an `ACCESS EXCLUSIVE` lock on the
table, blocking reads and writes for the whole scan; MySQL rebuilds the
table. Either way the migration fails if a row still holds NULL.

The most common shape is a column added nullable, filled by an `UPDATE`
and made `NOT NULL`, all in one revision: the `UPDATE` rewrites every row
and the scan follows, in one transaction that holds its locks to the end.

## How to fix
When the column is new and filled with one constant, add it `NOT NULL`
with that value as its `server_default` in one step, and drop the
`UPDATE`: PostgreSQL 11 and later store a constant default in the
catalogue, so the table is neither rewritten nor scanned:

```python
op.add_column("user", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.text("true")))
```

Otherwise, on PostgreSQL 12 and later: add `CHECK (col IS NOT NULL) NOT
VALID`, `VALIDATE CONSTRAINT` it in a later revision (a scan that does not
block writes), then `SET NOT NULL` (which then skips the scan) and drop the
check. On MySQL, backfill first and run the change off-peak or with an
online schema change tool.
"#;

use crate::lint::catalogue::{ColumnView, Fill};
use crate::lint::{Dialect, OpLint};
use crate::{Finding, Rule};

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let Some((table, column, changes)) = lint.step.alter_column() else {
        return;
    };
    // `existing_nullable=False` says the column is NOT NULL already: the
    // call restates it.
    if changes.nullable != Some(false)
        || changes.existing_nullable == Some(false)
        || !lint.existing_table(table)
    {
        return;
    }
    let state = lint.catalogue.column(table, column);
    // `nullable=False` repeated on a column that is NOT NULL already (a
    // primary key beside a type change) checks nothing.
    if state.is_some_and(|state| state.not_null) {
        return;
    }
    let new = !lint.existing_column(table, column);
    // A column added empty that nothing filled fails outright:
    // `not-null-without-backfill` says so, and its fix comes first.
    if state.is_some_and(|state| state.added_empty && !state.maybe_filled()) {
        return;
    }
    let constant = match state.map(ColumnView::fill) {
        Some(Fill::Constant(constant)) if new => Some(constant),
        _ => None,
    };
    let mysql = lint.revision.settings.dialect == Dialect::MySql;
    let why = if mysql {
        "MySQL rebuilds the table"
    } else {
        "PostgreSQL scans the whole table under an ACCESS EXCLUSIVE lock (no reads or writes)"
    };
    let subject = if new {
        format!("`{table}.{column}`, added by the revisions being checked,")
    } else {
        format!("`{table}.{column}`")
    };
    let help = match (constant, mysql) {
        (Some(constant), false) => format!(
            "add `{column}` NOT NULL with `server_default=sa.text(\"{constant}\")` in one step (no separate UPDATE or SET NOT NULL): PostgreSQL 11 and later store a constant default without rewriting or scanning the table"
        ),
        (Some(constant), true) => format!(
            "add `{column}` NOT NULL with `server_default=sa.text(\"{constant}\")` in one step (no separate UPDATE or MODIFY), instead of a rebuild after the backfill"
        ),
        (None, true) => format!(
            "backfill `{column}` first, and run the rebuild when the table can be locked, or with an online schema change tool (gh-ost, pt-online-schema-change)"
        ),
        (None, false) => format!(
            "add a `CHECK ({column} IS NOT NULL) NOT VALID` constraint, `VALIDATE CONSTRAINT` it in a later revision, then set NOT NULL (PostgreSQL 12 and later skip the scan) and drop the constraint"
        ),
    };
    out.push(
        lint.finding(
            Rule::SetNotNull,
            format!("{subject} is made NOT NULL: {why}, and it fails if a row holds NULL"),
            if new {
                "SET NOT NULL on a table that holds rows"
            } else {
                "SET NOT NULL on an existing column"
            },
        )
        .help(help),
    );
}
