//! `add-column-not-null-without-default`.

pub(crate) const EXPLANATION: &str = r#"# add-column-not-null-without-default

## What it does
Reports `op.add_column` (or `ALTER TABLE ... ADD COLUMN` in raw SQL) of a
`NOT NULL` column without a `server_default` on a table that existed before
the revisions being checked.

## Why is this bad?
The database must fill the new column for every existing row and has no
value to put there: the migration fails as soon as the table has a row
(PostgreSQL: `column "x" contains null values`; MySQL silently writes `0` or
`''` in non-strict mode). Code deployed before the migration, which does not
know the column, then fails every insert.

## How to fix
Add the column nullable, backfill it in batches (a separate revision or a
job), then make it `NOT NULL` in a later revision. Or give it a constant
`server_default` (a metadata-only change on PostgreSQL 11 and later) and drop
the default afterwards if the application sets the value.
"#;

use crate::lint::OpLint;
use crate::{Finding, Rule};
use alembic_doctor_script::OpKind;

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let Some(OpKind::AddColumn { table, column }) = lint.step.op() else {
        return;
    };
    if column.is_nullable() == Some(false)
        && column.server_default.is_none()
        && lint.existing_table(table)
    {
        out.push(
            lint.finding(
                Rule::AddColumnNotNullWithoutDefault,
                format!(
                    "column `{table}.{}` is added NOT NULL without a server default: the migration fails if `{table}` has rows",
                    column.name
                ),
                "NOT NULL column without a default",
            )
            .help("add it nullable, backfill, and set NOT NULL in a later revision; or give it a constant `server_default`"),
        );
    }
}
