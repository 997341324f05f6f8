//! `rename-table`.

pub(crate) const EXPLANATION: &str = r"# rename-table

## What it does
Reports `op.rename_table` (or `ALTER TABLE ... RENAME TO` in raw SQL) of a
table that existed before the revisions being checked. A rename the same
revision takes back (`a` to `a_tmp`, later `a_tmp` to `a`) leaves the old
name in place and is not reported; nor is a rename of a name the revision
gave earlier (the first rename is the one reported), nor one of a table the
revisions being checked created.

## Why is this bad?
During a deploy the old application version keeps running and queries the
old name: every one of its queries on that table fails until it is
replaced.

## How to fix
Expand/contract: create the new table (or a view with the new name), move
the code over, and drop the old name in a later release. Or keep the
database name and rename only the model (`__tablename__` stays).
";

use crate::lint::OpLint;
use crate::{Finding, Rule};
use alembic_doctor_script::OpKind;

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let Some(OpKind::RenameTable { from, to }) = lint.step.op() else {
        return;
    };
    if lint.existing_table(from) && !lint.table_rename_is_internal(from, to) {
        out.push(
            lint.finding(
                Rule::RenameTable,
                format!("table `{from}` is renamed to `{to}`: code deployed before this revision still queries `{from}`"),
                "rename breaks running code",
            )
            .help("expand/contract: add the new name (or a view), move the code, drop the old name later"),
        );
    }
}
