//! `drop-column`.

pub(crate) const EXPLANATION: &str = r"# drop-column

## What it does
Reports `op.drop_column` (or `DROP COLUMN` in raw SQL) of a column that
existed before the revisions being checked, unless the same revision then
drops the table (`drop-table` reports that).

## Why is this bad?
Its data is gone for good, and the old application version, still running
during the deploy, selects or writes the column and fails (SQLAlchemy
models list every column in their queries).

## How to fix
Stop using the column in the code (and remove it from the model) first,
deploy, then drop it in a later release.
";

use crate::lint::OpLint;
use crate::{Finding, Rule};
use alembic_doctor_script::OpKind;

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let Some(OpKind::DropColumn { table, column }) = lint.step.op() else {
        return;
    };
    if lint.existing_column(table, column) && !lint.dropped_later(table) {
        out.push(
            lint.finding(
                Rule::DropColumn,
                format!("column `{table}.{column}` is dropped: its data is lost, and code still selecting it fails"),
                "data loss",
            )
            .help("remove the column from the model and deploy first; drop it in a later release"),
        );
    }
}
