//! PostgreSQL enum types: `CREATE TYPE ... AS ENUM`, `ALTER TYPE ... ADD
//! VALUE` / `RENAME VALUE`, `DROP TYPE`. Adding a value cannot run inside
//! a transaction before PostgreSQL 12, and renaming one breaks the code
//! still running during a deploy.

use sqlparser::ast::{AlterType, AlterTypeOperation, ObjectName, UserDefinedTypeRepresentation};

use crate::names::object;
use crate::{Dialect, EnumAction, StatementKind};

/// `ALTER TYPE x ...`: a change of values, or [`StatementKind::Other`] for
/// a change of the type itself (`RENAME TO`).
pub(crate) fn alter(alter: &AlterType, dialect: Dialect, summary: &str) -> StatementKind {
    let action = match &alter.operation {
        AlterTypeOperation::AddValue(add) => EnumAction::AddValue {
            value: add.value.value.clone(),
            if_not_exists: add.if_not_exists,
        },
        AlterTypeOperation::RenameValue(rename) => EnumAction::RenameValue {
            from: rename.from.value.clone(),
            to: rename.to.value.clone(),
        },
        AlterTypeOperation::Rename(_) => {
            return StatementKind::Other {
                summary: summary.to_owned(),
            };
        }
    };
    StatementKind::AlterEnum {
        type_name: object(&alter.name, dialect),
        action,
    }
}

/// `CREATE TYPE x AS ENUM (...)`; other types are
/// [`StatementKind::Other`].
pub(crate) fn create(
    name: &ObjectName,
    representation: Option<&UserDefinedTypeRepresentation>,
    dialect: Dialect,
    summary: &str,
) -> StatementKind {
    match representation {
        Some(UserDefinedTypeRepresentation::Enum { labels }) => StatementKind::CreateEnum {
            type_name: object(name, dialect),
            values: labels.iter().map(|label| label.value.clone()).collect(),
        },
        _ => StatementKind::Other {
            summary: summary.to_owned(),
        },
    }
}
