//! `add-foreign-key-validating`.

pub(crate) const EXPLANATION: &str = r#"# add-foreign-key-validating

## What it does
Reports a foreign key added to an existing table (`op.create_foreign_key`,
`ADD CONSTRAINT ... FOREIGN KEY` in raw SQL, or a column added with
`sa.ForeignKey(...)`) without `postgresql_not_valid=True`.

## Why is this bad?
Adding the constraint checks every existing row while holding a `SHARE ROW
EXCLUSIVE` lock on *both* tables, blocking writes to them; MySQL copies the
table.

## How to fix
On PostgreSQL add it `NOT VALID` (`postgresql_not_valid=True`, which only
checks new rows), then `VALIDATE CONSTRAINT` in a later revision, which does
not block writes:

```python
op.create_foreign_key("fk_a_b", "a", "b", ["b_id"], ["id"], postgresql_not_valid=True)
# next revision
op.execute("ALTER TABLE a VALIDATE CONSTRAINT fk_a_b")
```

On MySQL use an online schema change tool.
"#;

use crate::lint::OpLint;
use crate::{Finding, Rule};
use alembic_doctor_script::{ConstraintKind, OpKind};

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    match lint.step.op() {
        Some(OpKind::CreateConstraint { table, constraint }) => {
            let ConstraintKind::ForeignKey { referent, .. } = &constraint.kind else {
                return;
            };
            if constraint.not_valid || !lint.existing_table(table) {
                return;
            }
            out.push(
                lint.finding(
                    Rule::AddForeignKeyValidating,
                    format!(
                        "foreign key `{}` is added to existing table `{table}` and validated at once: writes to `{table}` and `{referent}` are blocked while every row is checked",
                        constraint.name
                    ),
                    "validates every row under lock",
                )
                .help("add it with `postgresql_not_valid=True`, then `VALIDATE CONSTRAINT` in a later revision"),
            );
        }
        Some(OpKind::AddColumn { table, column })
            if !column.foreign_keys.is_empty() && lint.existing_table(table) =>
        {
            out.push(
                lint.finding(
                    Rule::AddForeignKeyValidating,
                    format!(
                        "column `{table}.{}` is added with a foreign key to `{}`: adding the constraint locks `{table}` and the referenced table",
                        column.name,
                        column.foreign_keys.join("`, `")
                    ),
                    "foreign key added with the column",
                )
                .help("add the column without `ForeignKey`, then `op.create_foreign_key(..., postgresql_not_valid=True)` and validate it later"),
            );
        }
        _ => {}
    }
}
