//! `volatile-default`.

pub(crate) const EXPLANATION: &str = r"# volatile-default

## What it does
Reports a column added to an existing table with a `server_default` that the
database cannot store as metadata: a volatile function on PostgreSQL
(`gen_random_uuid()`, `uuid_generate_v4()`, `random()`, `clock_timestamp()`,
`nextval(...)`, the default of a `SERIAL` column and of an integer primary
key, which SQLAlchemy renders as `SERIAL`), any default on PostgreSQL before
11, and an expression default (`(now())`, `(uuid())`) on MySQL.

## Why is this bad?
The database then computes the default row by row: PostgreSQL rewrites the
whole table under an `ACCESS EXCLUSIVE` lock (no reads, no writes), MySQL
rebuilds it. On a large table that is minutes of downtime.

## How to fix
Add the column without a default, set the default with `op.alter_column(...,
server_default=...)` (it applies to new rows only), then backfill existing
rows in batches.
";

use crate::lint::Dialect;
use crate::lint::OpLint;
use crate::{Finding, Rule};
use alembic_doctor_script::{Column, OpKind};

/// Functions PostgreSQL marks volatile that appear as column defaults.
const VOLATILE: &[&str] = &[
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v4",
    "random(",
    "clock_timestamp",
    "timeofday",
    "nextval",
];

/// PostgreSQL gives `column` a sequence, so a `nextval(...)` default: a
/// `SERIAL` type, or an integer primary key without
/// `autoincrement=False` (SQLAlchemy renders it `SERIAL`).
pub(crate) fn serial(column: &Column, dialect: Dialect) -> bool {
    if dialect != Dialect::Postgres || column.server_default.is_some() {
        return false;
    }
    let type_ = column.type_.as_deref().unwrap_or_default();
    let kind = type_
        .split('(')
        .next()
        .unwrap_or_default()
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    matches!(kind.as_str(), "serial" | "bigserial" | "smallserial")
        || (column.primary_key
            && column.autoincrement != Some(false)
            && matches!(
                kind.as_str(),
                "integer" | "biginteger" | "smallinteger" | "int" | "bigint"
            ))
}

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let Some(OpKind::AddColumn { table, column }) = lint.step.op() else {
        return;
    };
    if !lint.existing_table(table) {
        return;
    }
    let settings = lint.revision.settings;
    let (text, added_with) = match &column.server_default {
        Some(default) => {
            let shown = default.sql.as_deref().unwrap_or(&default.source);
            (
                shown.to_ascii_lowercase(),
                format!("with server default `{shown}`"),
            )
        }
        None if serial(column, settings.dialect) => (
            "nextval".to_owned(),
            "as `SERIAL` (its default is `nextval(...)` of a new sequence)".to_owned(),
        ),
        None => return,
    };
    let why = match settings.dialect {
        Dialect::Postgres if VOLATILE.iter().any(|f| text.contains(f)) => {
            "a volatile default makes PostgreSQL rewrite the whole table under an ACCESS EXCLUSIVE lock"
        }
        Dialect::Postgres if settings.postgres_version < 11 => {
            "before PostgreSQL 11 any default makes ADD COLUMN rewrite the whole table under an ACCESS EXCLUSIVE lock"
        }
        Dialect::MySql if text.trim_start().starts_with('(') || text.contains("uuid(") => {
            "an expression default makes MySQL rebuild the whole table"
        }
        _ => return,
    };
    out.push(
        lint.finding(
            Rule::VolatileDefault,
            format!(
                "column `{table}.{}` is added {added_with}: {why}",
                column.name,
            ),
            "default computed row by row",
        )
        .help("add the column without a default, set the default with `op.alter_column`, then backfill in batches"),
    );
}
