//! `alter-column-type`.

pub(crate) const EXPLANATION: &str = r"# alter-column-type

## What it does
Reports `op.alter_column(..., type_=...)` (or `ALTER COLUMN ... TYPE` /
`MODIFY` in raw SQL) on an existing column, except the changes PostgreSQL
makes without a rewrite: `VARCHAR(n)` to `TEXT`, to `VARCHAR` without a
length, or to a longer `VARCHAR(m)`, and `TEXT` to `VARCHAR` without a
length (when `existing_type=`, or the history, says what it was); and on
MySQL a longer `VARCHAR(m)` whose length stays on the same side of 255
bytes (one length byte, or two), which InnoDB changes in place. The bytes
are the characters times the widest character of the type's `charset=`
(or its `collation=`'s); when the type names none, `utf8mb4` (4 bytes) is
assumed, and a finding says so. A change to or from a type that is not
`SQLAlchemy`'s (a project's `TypeDecorator`, a type held in a variable) is
not reported: what such a type renders is only known when it runs, and it
is often the column's type already (a `TEXT` on PostgreSQL that is
`LONGTEXT` on MySQL).

## Why is this bad?
Most type changes rewrite the table and its indexes under an `ACCESS
EXCLUSIVE` lock (PostgreSQL) or copy the table (MySQL), and readers running
the old code may break on the new type.

## How to fix
Add a new column with the new type, write to both, backfill, switch reads,
then drop the old column (expand/contract). Pass `existing_type=` (when the
history does not show the column's type) so that safe widenings are
recognised.
";

use crate::lint::Dialect;
use crate::lint::OpLint;
use crate::lint::mysql_varchar::{self, Widening};
use crate::{Finding, Rule};

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let Some((table, column, changes)) = lint.step.alter_column() else {
        return;
    };
    let Some(new) = &changes.type_ else { return };
    if !lint.existing_column(table, column) {
        return;
    }
    // What it was: `existing_type=`, else the type the history gave it.
    let old = changes.existing_type.as_deref().or_else(|| {
        lint.catalogue
            .column(table, column)
            .and_then(|state| state.state().type_.as_deref())
    });
    // A type the rule does not know (a project's `TypeDecorator`, a name
    // bound at run time) may render the very SQL type the column has
    // (quay's `UTF8LongText` is `TEXT` on PostgreSQL): no rewrite is
    // claimed for it.
    if !known_type(new) || old.is_some_and(|old| !known_type(old)) {
        return;
    }
    if lint.revision.settings.dialect == Dialect::Postgres
        && old.is_some_and(|old| widening(old, new))
    {
        return;
    }
    // On MySQL a longer `VARCHAR` is in place unless its length crosses
    // 255 bytes; when it does, the message says so (and which character
    // set it assumed).
    let mut why = String::new();
    if lint.revision.settings.dialect == Dialect::MySql
        && let Some(old) = old
    {
        match mysql_varchar::widening(old, new) {
            Widening::InPlace => return,
            Widening::Copies {
                charset,
                assumed,
                old_bytes,
                new_bytes,
            } => {
                let assumed = if assumed {
                    " (assumed: the type names no character set)"
                } else {
                    ""
                };
                why = format!(
                    "; in {charset}{assumed} it goes from {old_bytes} to {new_bytes} bytes, across the 255 bytes of a one-byte length"
                );
            }
            Widening::Other => {}
        }
    }
    let from = old.map(|old| format!(" from `{old}`")).unwrap_or_default();
    out.push(
        lint.finding(
            Rule::AlterColumnType,
            format!("the type of `{table}.{column}` changes{from} to `{new}`: the table may be rewritten under an exclusive lock{why}"),
            "type change",
        )
        .help("use expand/contract: a new column, dual writes, a backfill, then drop the old column"),
    );
}

/// A change PostgreSQL makes without rewriting: a string type to a wider
/// one, or between `TEXT` and `VARCHAR` without a length (binary-compatible,
/// neither checks a length).
fn widening(old: &str, new: &str) -> bool {
    let (old_kind, old_len) = type_shape(old);
    let (new_kind, new_len) = type_shape(new);
    let string = |kind: &str| matches!(kind, "string" | "varchar" | "unicode" | "nvarchar");
    let text = |kind: &str| matches!(kind, "text" | "unicodetext");
    if !string(&old_kind) && !text(&old_kind) {
        return false;
    }
    if text(&new_kind) || (string(&new_kind) && new_len.is_none()) {
        return true;
    }
    string(&old_kind)
        && string(&new_kind)
        && match (old_len, new_len) {
            (_, None) => true,
            (Some(old), Some(new)) => new >= old,
            (None, Some(_)) => false,
        }
}

/// A type of `SQLAlchemy` (generic, or a dialect's), by its class name as
/// written (`sa.Text()`, `postgresql.JSONB`, `mysql.LONGTEXT(...)`,
/// `sa.String(50).with_variant(...)`): the SQL it renders is known. Any
/// other name (`UTF8LongText()`, `mealie.db.migration_types.GUID()`, a
/// variable) may render anything.
fn known_type(source: &str) -> bool {
    KNOWN_TYPES.contains(&type_shape(source).0.as_str())
}

/// The type classes of `SQLAlchemy` and its dialects, lower-cased.
#[rustfmt::skip]
const KNOWN_TYPES: &[&str] = &[
    // Generic and SQL standard types.
    "string", "text", "unicode", "unicodetext", "varchar", "nvarchar", "char", "nchar",
    "clob", "integer", "int", "smallinteger", "smallint", "biginteger", "bigint", "numeric",
    "decimal", "float", "real", "double", "double_precision", "boolean", "date", "datetime",
    "time", "timestamp", "interval", "largebinary", "binary", "varbinary", "blob", "enum",
    "json", "pickletype", "uuid", "array", "null",
    // PostgreSQL.
    "jsonb", "hstore", "inet", "cidr", "macaddr", "macaddr8", "money", "oid", "regclass",
    "regconfig", "tsvector", "tsquery", "bit", "bytea", "int4range", "int8range", "numrange",
    "daterange", "tsrange", "tstzrange", "int4multirange", "int8multirange", "nummultirange",
    "datemultirange", "tsmultirange", "tstzmultirange", "domain", "citext",
    // MySQL and MariaDB.
    "tinyint", "mediumint", "tinytext", "mediumtext", "longtext", "tinyblob", "mediumblob",
    "longblob", "year", "set", "bool",
    // SQL Server and Oracle.
    "ntext", "uniqueidentifier", "image", "smallmoney", "rowversion", "datetime2",
    "datetimeoffset", "smalldatetime", "xml", "sql_variant", "number", "varchar2",
    "nvarchar2", "raw", "long", "binary_double", "binary_float", "rowid",
];

/// `sa.String(length=50)` → (`string`, Some(50)).
fn type_shape(source: &str) -> (String, Option<u64>) {
    let (name, args) = source.split_once('(').unwrap_or((source, ""));
    let kind = name
        .rsplit('.')
        .next()
        .unwrap_or(name)
        .trim()
        .to_ascii_lowercase();
    let length = args
        .split(|c: char| !c.is_ascii_digit())
        .find(|part| !part.is_empty())
        .and_then(|digits| digits.parse().ok());
    (kind, length)
}
