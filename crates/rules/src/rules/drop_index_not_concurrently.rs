//! `drop-index-not-concurrently`.

pub(crate) const EXPLANATION: &str = r#"# drop-index-not-concurrently

## What it does
Reports `op.drop_index` (or `DROP INDEX` in raw SQL) on an existing table
without `postgresql_concurrently=True`, unless the same revision then drops
the table (`drop-table` reports that).

## Why is this bad?
`DROP INDEX` takes an `ACCESS EXCLUSIVE` lock on the table: reads and writes
wait, and so does every query queued behind them.

## How to fix
Drop it concurrently, outside the transaction:

```python
with op.get_context().autocommit_block():
    op.drop_index("ix_t_col", table_name="t", postgresql_concurrently=True, if_exists=True)
```
"#;

use crate::lint::OpLint;
use crate::{Finding, Rule};
use alembic_doctor_script::OpKind;

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let Some(OpKind::DropIndex {
        name,
        table,
        concurrently: false,
    }) = lint.step.op()
    else {
        return;
    };
    if table
        .as_ref()
        .is_some_and(|table| !lint.existing_table(table) || lint.dropped_later(table))
    {
        return;
    }
    let on = table
        .as_ref()
        .map(|table| format!(" on `{table}`"))
        .unwrap_or_default();
    out.push(
        lint.finding(
            Rule::DropIndexNotConcurrently,
            format!("index `{name}`{on} is dropped without CONCURRENTLY: the table is locked against reads and writes meanwhile"),
            "ACCESS EXCLUSIVE lock",
        )
        .help("drop it with `postgresql_concurrently=True` inside `op.get_context().autocommit_block()`"),
    );
}
