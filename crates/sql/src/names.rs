//! Identifiers as [`Name`]s: unquoted, folded as the server folds them, and
//! without their schema.

use alembic_doctor_script::Name;
use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, ObjectName, ObjectNamePart, Value,
};

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
/// name; anything else (`lower(email)`) is the expression's SQL. MySQL's
/// key part `name(10)` (an index on the first ten characters) is the column
/// `name`, as `op.create_index(..., ["name"], mysql_length=10)` gives.
pub(crate) fn column(expr: &Expr, dialect: Dialect) -> String {
    if dialect == Dialect::MySql
        && let Some(prefixed) = key_prefix_column(expr)
    {
        return ident(prefixed, dialect);
    }
    match expr {
        Expr::Identifier(column) => ident(column, dialect),
        Expr::CompoundIdentifier(parts) if !parts.is_empty() => {
            ident(&parts[parts.len() - 1], dialect)
        }
        Expr::Nested(inner) => column(inner, dialect),
        _ => expr.to_string(),
    }
}

/// The column of a MySQL key part with a prefix length, `name(10)`, which
/// parses as a call of a function `name` with one number.
fn key_prefix_column(expr: &Expr) -> Option<&Ident> {
    let Expr::Function(function) = expr else {
        return None;
    };
    let [ObjectNamePart::Identifier(column)] = function.name.0.as_slice() else {
        return None;
    };
    let FunctionArguments::List(list) = &function.args else {
        return None;
    };
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(length)))] = list.args.as_slice()
    else {
        return None;
    };
    matches!(length.value, Value::Number(..)).then_some(column)
}
