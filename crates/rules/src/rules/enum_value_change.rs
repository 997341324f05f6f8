//! `enum-value-change`.

pub(crate) const EXPLANATION: &str = r"# enum-value-change

## What it does
Reports changes to enum values: `ALTER TYPE ... ADD VALUE` inside the
migration's transaction and `RENAME VALUE` (PostgreSQL),
`op.sync_enum_values` (alembic-postgresql-enum), and a column's `sa.Enum`
type changed on MySQL.

alembic-autogenerate-enums registers an `op.sync_enum_values` too, called
`(schema, name, old_values, new_values)`: it commits the migration's
transaction, then adds the values of `new_values` missing from
`old_values` outside any transaction (as in an `autocommit_block()`), and
removes none, so it is not reported; unless called with
`should_reverse=True` and `affected_columns`, when it recreates the type
with `new_values` only: the values it leaves out are reported as removed.
The two libraries are told apart by the call: keywords (`enum_schema=`,
`enum_name=` against `old_values=`, `should_reverse=`), or a fourth
positional argument listing strings (new values) rather than columns.

## Why is this bad?
PostgreSQL before 12 refuses `ADD VALUE` in a transaction, and later
versions cannot use the new value until the transaction commits. Renaming or
removing a value breaks rows and the code still using it. MySQL copies the
table unless values are only appended at the end.

## How to fix
Add enum values inside `with op.get_context().autocommit_block():`, only add
(never rename or remove; use expand/contract for that), and on MySQL append
new values at the end of the list.
";

use crate::lint::Dialect;
use crate::lint::OpLint;
use crate::lint::steps::Action;
use crate::{Finding, Rule};
use alembic_doctor_script::OpKind;

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let settings = lint.revision.settings;
    let message = match &lint.step.action {
        Action::EnumChange { description, add_value: true } => {
            if lint.step.autocommit {
                return;
            }
            if settings.dialect == Dialect::Postgres && settings.postgres_version < 12 {
                format!("{description} inside the migration's transaction: PostgreSQL before 12 refuses it")
            } else {
                format!("{description} inside the migration's transaction: the new value cannot be used until it commits")
            }
        }
        Action::EnumChange { description, add_value: false } => {
            format!("{description}: rows and running code using the old value break")
        }
        Action::Op(OpKind::Other { function }) if function == "sync_enum_values" => {
            "`op.sync_enum_values` rewrites an enum's values: removed or renamed values break rows and running code".to_owned()
        }
        Action::Op(OpKind::AlterColumn { table, column, changes })
            if settings.dialect == Dialect::MySql
                && changes.type_.as_deref().is_some_and(|t| t.contains("Enum(") || t.contains("ENUM(")) =>
        {
            format!("the enum values of `{table}.{column}` change: MySQL copies the table unless values are only appended")
        }
        _ => return,
    };
    out.push(
        lint.finding(Rule::EnumValueChange, message, "enum change")
            .help("add values in an `autocommit_block()`, never rename or remove them in place"),
    );
}
