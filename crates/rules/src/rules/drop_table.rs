//! `drop-table`.

pub(crate) const EXPLANATION: &str = r"# drop-table

## What it does
Reports `op.drop_table` (or `DROP TABLE` in raw SQL) of a table that existed
before the revisions being checked.

## Why is this bad?
Its data is gone for good (a downgrade recreates an empty table), and code
deployed before this revision that still uses the table fails.

## How to fix
Remove every use of the table from the code and deploy that first; drop the
table in a later release, after a backup. Suppress this finding on the line
(`# alembic-doctor: ignore[drop-table]`) once that is done.
";

use crate::lint::OpLint;
use crate::{Finding, Rule};
use alembic_doctor_script::OpKind;

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let Some(OpKind::DropTable { table }) = lint.step.op() else {
        return;
    };
    if lint.existing_table(table) {
        out.push(
            lint.finding(
                Rule::DropTable,
                format!("table `{table}` is dropped: its data is lost, and code still using it fails"),
                "data loss",
            )
            .help("drop it in a release after the code stopped using it; then suppress with `# alembic-doctor: ignore[drop-table]`"),
        );
    }
}
