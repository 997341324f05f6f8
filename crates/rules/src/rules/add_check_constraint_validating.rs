//! `add-check-constraint-validating`.

pub(crate) const EXPLANATION: &str = r"# add-check-constraint-validating

## What it does
Reports `op.create_check_constraint` (or `ADD CONSTRAINT ... CHECK` in raw
SQL) on an existing table, without `postgresql_not_valid=True` on
PostgreSQL (MySQL has no such option).

## Why is this bad?
The database checks every existing row while blocking writes to the table;
the migration fails if a row violates the condition.

## How to fix
On PostgreSQL add it `NOT VALID`, then `VALIDATE CONSTRAINT` in a later
revision. On MySQL enforce the rule in the application first, then add the
constraint off-peak or with an online schema change tool.
";

use crate::lint::Dialect;
use crate::lint::OpLint;
use crate::{Finding, Rule};
use alembic_doctor_script::{ConstraintKind, OpKind};

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let Some(OpKind::CreateConstraint { table, constraint }) = lint.step.op() else {
        return;
    };
    if !matches!(constraint.kind, ConstraintKind::Check { .. }) || !lint.existing_table(table) {
        return;
    }
    let postgres = lint.revision.settings.dialect == Dialect::Postgres;
    if postgres && constraint.not_valid {
        return;
    }
    out.push(
        lint.finding(
            Rule::AddCheckConstraintValidating,
            format!(
                "check constraint `{}` is added to existing table `{table}`: every row is checked while writes are blocked",
                constraint.name
            ),
            "validates every row under lock",
        )
        .help(if postgres {
            "add it with `postgresql_not_valid=True`, then `VALIDATE CONSTRAINT` in a later revision"
        } else {
            "enforce it in the application first, then add it off-peak or with an online schema change tool"
        }),
    );
}
