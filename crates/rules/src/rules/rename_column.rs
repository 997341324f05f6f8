//! `rename-column`.

pub(crate) const EXPLANATION: &str = r#"# rename-column

## What it does
Reports `op.alter_column(..., new_column_name=...)` (or `RENAME COLUMN` in
raw SQL) of a column that existed before the revisions being checked. A
rename the same revision takes back leaves the old name in place and is
not reported, nor is a rename of a column of a table the revisions being
checked created.

## Why is this bad?
The old application version, still running during the deploy, reads and
writes the old column name and fails.

## How to fix
Expand/contract: add the new column, write both, backfill, switch reads,
drop the old one later. Or keep the database name and rename only the model
attribute (`sa.Column("old_name", key="new_name")`).
"#;

use crate::lint::OpLint;
use crate::{Finding, Rule};

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let Some((table, column, changes)) = lint.step.alter_column() else {
        return;
    };
    let Some(new_name) = &changes.new_name else {
        return;
    };
    if lint.existing_column(table, column)
        && !lint.column_rename_is_internal(table, column, new_name)
    {
        out.push(
            lint.finding(
                Rule::RenameColumn,
                format!("column `{table}.{column}` is renamed to `{new_name}`: code deployed before this revision still uses `{column}`"),
                "rename breaks running code",
            )
            .help("expand/contract, or rename only the model attribute with `sa.Column(\"old\", key=\"new\")`"),
        );
    }
}
