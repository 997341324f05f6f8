//! `mysql-alter-column-drops-not-null`.

pub(crate) const EXPLANATION: &str = r"# mysql-alter-column-drops-not-null

## What it does
Reports `op.alter_column(..., type_=...)` (or `new_column_name=`,
`comment=`, `autoincrement=`) on MySQL or MariaDB that says neither
`nullable=` nor `existing_nullable=`, unless the history shows the column
nullable and without a server default.

## Why is this bad?
MySQL has no statement that changes only a column's type: Alembic emits
`MODIFY COLUMN` (or `CHANGE COLUMN` for a rename), which restates the whole
column definition, and it fills that definition from the arguments alone.
Without `existing_nullable=False` the column is restated as `NULL`, so a
`NOT NULL` column silently becomes nullable; without
`existing_server_default=` its server default is dropped (and without
`existing_comment=` its comment, without `existing_autoincrement=True` its
`AUTO_INCREMENT`). The migration succeeds and the schema no longer matches
the models; PostgreSQL and SQLite keep what the change does not mention.

## How to fix
Restate what the column is, as `alembic revision --autogenerate` writes
it: `op.alter_column('user', 'code', type_=sa.String(40),
existing_type=sa.String(20), existing_nullable=False,
existing_server_default=sa.text('0'))`.
";

use crate::lint::OpLint;
use crate::{Finding, Rule};

/// The arguments that make Alembic's MySQL dialect restate the column
/// (`MODIFY`/`CHANGE COLUMN`) rather than only alter its default.
const RESTATING: &[&str] = &["type_", "new_column_name", "comment", "autoincrement"];

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let Some((table, column, changes)) = lint.step.alter_column() else {
        return;
    };
    // Raw SQL (`MODIFY c INT NOT NULL`) states the column itself: only
    // Alembic fills in what is not said.
    if lint.step.sql.is_some() {
        return;
    }
    let given = |name: &str| changes.keywords.iter().any(|keyword| keyword == name);
    // `*args` / `**kwargs` may carry `existing_nullable`: in doubt, quiet.
    if !RESTATING.iter().any(|name| given(name))
        || ["nullable", "existing_nullable", "*", "**"]
            .iter()
            .any(|name| given(name))
    {
        return;
    }
    // `recreate="always"` copies the table from its reflected definition,
    // which keeps the column's NULL-ability; a `recreate` only known at run
    // time may be that.
    if lint
        .step
        .batch
        .as_ref()
        .is_some_and(|batch| !matches!(batch.recreate.as_str(), "auto" | "never"))
    {
        return;
    }
    let state = lint.catalogue.column(table, column);
    if state.is_some_and(|state| state.plain_nullable) {
        return;
    }
    let what = if given("type_") {
        "changes the type of"
    } else if given("new_column_name") {
        "renames"
    } else {
        "alters"
    };
    let keep_default = !given("server_default") && !given("existing_server_default");
    let missing = if keep_default {
        "`existing_nullable=` and `existing_server_default=`"
    } else {
        "`existing_nullable=`"
    };
    let statement = if given("new_column_name") {
        "CHANGE COLUMN"
    } else {
        "MODIFY COLUMN"
    };
    let outcome = if state.is_some_and(|state| state.not_null) {
        format!("`{table}.{column}`, NOT NULL, silently becomes nullable")
    } else {
        "the column, if NOT NULL, silently becomes nullable".to_owned()
    };
    let default = if keep_default {
        ", and its server default is dropped"
    } else {
        ""
    };
    out.push(
        lint.finding(
            Rule::MysqlAlterColumnDropsNotNull,
            format!(
                "`alter_column` {what} `{table}.{column}` without {missing}: on MySQL Alembic restates the whole column (`{statement}`), as NULL unless told otherwise, so {outcome}{default}"
            ),
            "restates the column without `existing_nullable=`",
        )
        .help(if keep_default {
            "say what the column is now, as autogenerate does: `existing_nullable=False` (or `True`), and `existing_server_default=` its default (or `None`)"
        } else {
            "say what the column is now, as autogenerate does: `existing_nullable=False` (or `True`)"
        }),
    );
}
