//! `add-unique-constraint-locking`.

pub(crate) const EXPLANATION: &str = r#"# add-unique-constraint-locking

## What it does
Reports a unique constraint or primary key added to an existing table
(`op.create_unique_constraint`, `op.create_primary_key`, their raw SQL, or a
column added with `unique=True`).

## Why is this bad?
PostgreSQL builds the backing index under an `ACCESS EXCLUSIVE` lock: no
reads or writes until it is built. It fails if duplicates exist.

## How to fix
Build the index first without blocking, then attach it:

```python
with op.get_context().autocommit_block():
    op.create_index("uq_t_col", "t", ["col"], unique=True, postgresql_concurrently=True)
op.execute("ALTER TABLE t ADD CONSTRAINT uq_t_col UNIQUE USING INDEX uq_t_col")
```
"#;

use crate::lint::OpLint;
use crate::{Finding, Rule};
use alembic_doctor_script::{ConstraintKind, OpKind};

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    match lint.step.op() {
        Some(OpKind::CreateConstraint { table, constraint }) if lint.existing_table(table) => {
            let what = match constraint.kind {
                ConstraintKind::Unique { .. } => "unique constraint",
                ConstraintKind::PrimaryKey { .. } => "primary key",
                _ => return,
            };
            out.push(
                lint.finding(
                    Rule::AddUniqueConstraintLocking,
                    format!(
                        "{what} `{}` is added to existing table `{table}`: its index is built under an ACCESS EXCLUSIVE lock",
                        constraint.name
                    ),
                    "index built under an exclusive lock",
                )
                .help("create a unique index CONCURRENTLY in an `autocommit_block()`, then `ADD CONSTRAINT ... USING INDEX`"),
            );
        }
        Some(OpKind::AddColumn { table, column })
            if column.unique && lint.existing_table(table) =>
        {
            out.push(
                lint.finding(
                    Rule::AddUniqueConstraintLocking,
                    format!(
                        "column `{table}.{}` is added with `unique=True`: its unique index is built under an ACCESS EXCLUSIVE lock",
                        column.name
                    ),
                    "unique index built under an exclusive lock",
                )
                .help("add the column without `unique=True`, then build the unique index CONCURRENTLY and attach it"),
            );
        }
        _ => {}
    }
}
