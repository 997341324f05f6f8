//! Identifiers as [`Name`]s: unquoted, folded as the server folds them, and
//! without their schema.

use alembic_doctor_script::Name;
use sqlparser::ast::{Expr, Ident, ObjectName, ObjectNamePart};

use crate::Dialect;

/// One identifier: `"User"` is `User`; unquoted `User` is `user` in
/// PostgreSQL and `User` elsewhere.
pub(crate) fn ident(ident: &Ident, dialect: Dialect) -> String {
    if ident.quote_style.is_none() && dialect.folds_to_lower_case() {
        ident.value.to_lowercase()
    } else {
        ident.value.clone()
    }
}

/// A possibly qualified name (`public.user`): its last part, since the
/// operation model names tables without their schema (`op.*` calls are
/// read without `schema=`). A part that is not an identifier (a function
/// call in some dialects) makes the name [`Name::Dynamic`].
pub(crate) fn object(name: &ObjectName, dialect: Dialect) -> Name {
    match name.0.last() {
        None => Name::Unnamed,
        Some(ObjectNamePart::Identifier(last)) => Name::Literal(ident(last, dialect)),
        Some(ObjectNamePart::Function(_)) => Name::Dynamic(name.to_string()),
    }
}

/// The last part of a qualified name as a plain string (a column of an
/// `INSERT` list, a `SET` target).
pub(crate) fn last(name: &ObjectName, dialect: Dialect) -> String {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(last)) => ident(last, dialect),
        _ => name.to_string(),
    }
}

/// An optional name: `None` is [`Name::Unnamed`].
pub(crate) fn optional(ident_: Option<&Ident>, dialect: Dialect) -> Name {
    ident_.map_or(Name::Unnamed, |i| Name::Literal(ident(i, dialect)))
}

/// A column written as an expression: a plain or qualified column is its
/// name; anything else (`lower(email)`) is the expression's SQL.
pub(crate) fn column(expr: &Expr, dialect: Dialect) -> String {
    match expr {
        Expr::Identifier(column) => ident(column, dialect),
        Expr::CompoundIdentifier(parts) if !parts.is_empty() => {
            ident(&parts[parts.len() - 1], dialect)
        }
        Expr::Nested(inner) => column(inner, dialect),
        _ => expr.to_string(),
    }
}
