//! `volatile-default`.

pub(crate) const EXPLANATION: &str = r"# volatile-default

## What it does
Reports a column added to an existing table with a `server_default` that the
database cannot store as metadata: a volatile function on PostgreSQL
(`gen_random_uuid()`, `uuid_generate_v4()`, `random()`, `clock_timestamp()`,
`nextval(...)`), any default on PostgreSQL before 11, and an expression
default (`(now())`, `(uuid())`) on MySQL.

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
use alembic_doctor_script::OpKind;

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

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let Some(OpKind::AddColumn { table, column }) = lint.step.op() else {
        return;
    };
    let Some(default) = &column.server_default else {
        return;
    };
    if !lint.existing_table(table) {
        return;
    }
    let text = default
        .sql
        .as_deref()
        .unwrap_or(&default.source)
        .to_ascii_lowercase();
    let settings = lint.revision.settings;
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
                "column `{table}.{}` is added with server default `{}`: {why}",
                column.name,
                default.sql.as_deref().unwrap_or(&default.source)
            ),
            "default computed row by row",
        )
        .help("add the column without a default, set the default with `op.alter_column`, then backfill in batches"),
    );
}
