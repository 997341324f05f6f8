//! `concurrently-outside-autocommit-block`.

pub(crate) const EXPLANATION: &str = r#"# concurrently-outside-autocommit-block

## What it does
Reports `postgresql_concurrently=True` (or `CREATE/DROP INDEX CONCURRENTLY`
in raw SQL) outside `with op.get_context().autocommit_block():`.

## Why is this bad?
Alembic runs each migration in a transaction, and PostgreSQL refuses
`CONCURRENTLY` inside one (`CREATE INDEX CONCURRENTLY cannot run inside a
transaction block`): the deploy fails.

## How to fix
Wrap the operation:

```python
with op.get_context().autocommit_block():
    op.create_index("ix_t_col", "t", ["col"], postgresql_concurrently=True)
```

Keep it the only statement in the block.
"#;

use crate::lint::OpLint;
use crate::{Finding, Rule};
use alembic_doctor_script::OpKind;

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    if lint.step.autocommit {
        return;
    }
    let what = match lint.step.op() {
        Some(OpKind::CreateIndex(index)) if index.concurrently => {
            format!("index `{}` is created", index.name)
        }
        Some(OpKind::DropIndex {
            name,
            concurrently: true,
            ..
        }) => format!("index `{name}` is dropped"),
        _ => return,
    };
    out.push(
        lint.finding(
            Rule::ConcurrentlyOutsideAutocommitBlock,
            format!("{what} CONCURRENTLY inside the migration's transaction: PostgreSQL refuses it and the deploy fails"),
            "CONCURRENTLY inside a transaction",
        )
        .help("wrap it in `with op.get_context().autocommit_block():`"),
    );
}
