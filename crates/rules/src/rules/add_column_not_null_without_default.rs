//! `add-column-not-null-without-default`.

pub(crate) const EXPLANATION: &str = r#"# add-column-not-null-without-default

## What it does
Reports `op.add_column` (or `ALTER TABLE ... ADD COLUMN` in raw SQL) of a
`NOT NULL` column without a `server_default` on a table that may hold rows:
one that existed before the revisions being checked, or one they created
and then put rows in (`op.bulk_insert`, `INSERT`).

A table the revisions created and put nothing in is empty: adding the
column to it works (on SQLite too, but for old releases), and so do the
`NOT NULL` columns of `op.create_table`.

## Why is this bad?
The database must fill the new column for every existing row and has no
value to put there. PostgreSQL fails as soon as the table has a row
(`column "x" contains null values`); so does SQLite (`Cannot add a NOT NULL
column with default value NULL`; old SQLite releases refuse it even on an
empty table); MySQL, strict mode or not, silently fills the existing rows
with the type's implicit default (`0`, `''`), which is rarely the value
wanted. Code deployed before the migration, which does not know the column,
then fails every insert (on MySQL in strict mode).

## How to fix
Add the column nullable, backfill it in batches (a separate revision or a
job), then make it `NOT NULL` in a later revision. Or give it a constant
`server_default` (a metadata-only change on PostgreSQL 11 and later) and drop
the default afterwards if the application sets the value.
"#;

use crate::lint::{Dialect, OpLint};
use crate::{Finding, Rule};
use alembic_doctor_script::OpKind;

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let Some(OpKind::AddColumn { table, column }) = lint.step.op() else {
        return;
    };
    // A `SERIAL` column fills its rows from the sequence
    // (`volatile-default` reports the rewrite).
    if column.is_nullable() == Some(false)
        && column.server_default.is_none()
        && !super::volatile_default::serial(column, lint.revision.settings.dialect)
        && lint.may_have_rows(table)
    {
        let outcome = match lint.revision.settings.dialect {
            Dialect::MySql => format!(
                "MySQL fills the existing rows of `{table}` with the type's implicit default (`0`, `''`), and inserts that omit the column fail in strict mode"
            ),
            // SQLite checks for rows (`sqlite3ErrorIfNotEmpty`); only old
            // releases refused the column on an empty table too.
            Dialect::Sqlite => format!(
                "SQLite refuses it if `{table}` has rows (old SQLite releases even if it is empty)"
            ),
            Dialect::Postgres | Dialect::Other => {
                format!("the migration fails if `{table}` has rows")
            }
        };
        // A table the revisions created only holds the rows they put in.
        let outcome = if lint.existing_table(table) {
            outcome
        } else {
            format!("{outcome}, and these revisions put rows in it first")
        };
        out.push(
            lint.finding(
                Rule::AddColumnNotNullWithoutDefault,
                format!(
                    "column `{table}.{}` is added NOT NULL without a server default: {outcome}",
                    column.name
                ),
                "NOT NULL column without a default",
            )
            .help("add it nullable, backfill, and set NOT NULL in a later revision; or give it a constant `server_default`"),
        );
    }
}
