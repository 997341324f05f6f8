//! `create-index-not-concurrently`.

pub(crate) const EXPLANATION: &str = r#"# create-index-not-concurrently

## What it does
Reports `op.create_index` (or `CREATE INDEX` in raw SQL, or a column added
with `index=True`) on a table that existed before the revisions being
checked, without `postgresql_concurrently=True`.

## Why is this bad?
A plain `CREATE INDEX` blocks every write to the table (`SHARE` lock) for as
long as the index takes to build: minutes on a large table.

## How to fix
Build it concurrently, outside the migration's transaction:

```python
with op.get_context().autocommit_block():
    op.create_index("ix_t_col", "t", ["col"], postgresql_concurrently=True, if_not_exists=True)
```

`if_not_exists=True` lets a retried deploy recover from a failed build
(drop the INVALID index it leaves first).
"#;

use crate::lint::OpLint;
use crate::{Finding, Rule};
use alembic_doctor_script::OpKind;

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    match lint.step.op() {
        Some(OpKind::CreateIndex(index))
            if !index.concurrently && lint.existing_table(&index.table) =>
        {
            out.push(
                lint.finding(
                    Rule::CreateIndexNotConcurrently,
                    format!(
                        "index `{}` is created on existing table `{}` without CONCURRENTLY: writes to `{}` are blocked while it builds",
                        index.name, index.table, index.table
                    ),
                    "blocks writes while it builds",
                )
                .help("create it with `postgresql_concurrently=True` inside `op.get_context().autocommit_block()`"),
            );
        }
        Some(OpKind::AddColumn { table, column }) if column.index && lint.existing_table(table) => {
            out.push(
                lint.finding(
                    Rule::CreateIndexNotConcurrently,
                    format!(
                        "column `{table}.{}` is added with `index=True`: its index is built without CONCURRENTLY, blocking writes to `{table}`",
                        column.name
                    ),
                    "index built without CONCURRENTLY",
                )
                .help("add the column without `index=True`, then create the index concurrently in an `autocommit_block()`"),
            );
        }
        _ => {}
    }
}
