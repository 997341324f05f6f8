//! `set-not-null`.

pub(crate) const EXPLANATION: &str = r"# set-not-null

## What it does
Reports `op.alter_column(..., nullable=False)` (or `ALTER COLUMN ... SET NOT
NULL`) on a column that existed before the revisions being checked, unless
the history shows it `NOT NULL` already (a primary key, or `nullable=False`
repeated beside a type change).

## Why is this bad?
PostgreSQL checks every row while holding an `ACCESS EXCLUSIVE` lock on the
table, blocking reads and writes for the whole scan; MySQL rebuilds the
table. Either way the migration fails if a row still holds NULL.

## How to fix
On PostgreSQL 12 and later: add `CHECK (col IS NOT NULL) NOT VALID`,
`VALIDATE CONSTRAINT` it in a later revision (a scan that does not block
writes), then `SET NOT NULL` (which then skips the scan) and drop the check.
On MySQL, backfill first and run the change off-peak or with an online
schema change tool.
";

use crate::lint::Dialect;
use crate::lint::OpLint;
use crate::{Finding, Rule};

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let Some((table, column, changes)) = lint.step.alter_column() else {
        return;
    };
    if changes.nullable != Some(false) || !lint.existing_column(table, column) {
        return;
    }
    // `nullable=False` repeated on a column that is NOT NULL already (a
    // primary key beside a type change) checks nothing.
    if lint
        .catalogue
        .column(table, column)
        .is_some_and(|state| state.not_null)
    {
        return;
    }
    let why = match lint.revision.settings.dialect {
        Dialect::MySql => "MySQL rebuilds the table",
        _ => "PostgreSQL scans the whole table under an ACCESS EXCLUSIVE lock (no reads or writes)",
    };
    out.push(
        lint.finding(
            Rule::SetNotNull,
            format!("`{table}.{column}` is made NOT NULL: {why}, and it fails if a row holds NULL"),
            "SET NOT NULL on an existing column",
        )
        .help(match lint.revision.settings.dialect {
            Dialect::MySql => format!(
                "backfill `{column}` first, and run the rebuild when the table can be locked, or with an online schema change tool (gh-ost, pt-online-schema-change)"
            ),
            _ => format!(
                "add a `CHECK ({column} IS NOT NULL) NOT VALID` constraint, `VALIDATE CONSTRAINT` it in a later revision, then set NOT NULL (PostgreSQL 12 and later skip the scan) and drop the constraint"
            ),
        }),
    );
}
