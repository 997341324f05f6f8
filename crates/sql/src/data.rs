//! Statements that change rows: `UPDATE`, `INSERT`, `DELETE`, `MERGE`,
//! `TRUNCATE`. Backfills are how a column added nullable earns its
//! `NOT NULL`, and running them in the same transaction as DDL holds the
//! DDL's locks for as long as they take; the rules need to see both.

use alembic_doctor_script::Name;
use sqlparser::ast::{
    AssignmentTarget, Expr, FromTable, Query, SetExpr, Statement as Parsed, TableFactor,
    TableObject, TableWithJoins, Update, Value,
};

use crate::names::{ident, last, object};
use crate::{DataAction, Dialect, StatementKind};

/// The row changes of a query: PostgreSQL's data-modifying `WITH`
/// (`WITH x AS (INSERT ... RETURNING ...) UPDATE ...`) changes the rows of
/// each part, in the order written; a query that only reads changes none.
pub(crate) fn query_rows(query: &Query, dialect: Dialect) -> Vec<StatementKind> {
    let mut out = Vec::new();
    if let Some(with) = &query.with {
        for cte in &with.cte_tables {
            out.extend(query_rows(&cte.query, dialect));
        }
    }
    match &*query.body {
        SetExpr::Insert(statement)
        | SetExpr::Update(statement)
        | SetExpr::Delete(statement)
        | SetExpr::Merge(statement) => out.extend(rows(statement, dialect)),
        SetExpr::Query(inner) => out.extend(query_rows(inner, dialect)),
        _ => {}
    }
    out
}

/// The row changes of a data statement (one per table for `TRUNCATE a, b`).
pub(crate) fn rows(statement: &Parsed, dialect: Dialect) -> Vec<StatementKind> {
    let data = |action, table, columns, where_| StatementKind::Data {
        action,
        table,
        columns,
        where_,
        constants: Vec::new(),
    };
    match statement {
        Parsed::Update(update) => {
            let mut columns = Vec::new();
            for assignment in &update.assignments {
                match &assignment.target {
                    AssignmentTarget::ColumnName(name) => columns.push(last(name, dialect)),
                    AssignmentTarget::Tuple(names) => {
                        columns.extend(names.iter().map(|name| last(name, dialect)));
                    }
                }
            }
            vec![StatementKind::Data {
                action: DataAction::Update,
                table: table_of(&update.table.relation, dialect),
                columns,
                where_: update.selection.is_some(),
                constants: constant_fills(update, dialect),
            }]
        }
        Parsed::Insert(insert) => {
            let table = match &insert.table {
                TableObject::TableName(name) => object(name, dialect),
                other => Name::Dynamic(other.to_string()),
            };
            let columns = insert.columns.iter().map(|c| last(c, dialect)).collect();
            vec![data(DataAction::Insert, table, columns, false)]
        }
        Parsed::Delete(delete) => {
            // MySQL's `DELETE t FROM t JOIN u ...` names its target first;
            // otherwise the target is the first table after `FROM`.
            let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &delete.from;
            let table = if let Some(name) = delete.tables.first() {
                object(name, dialect)
            } else {
                from.first()
                    .map_or(Name::Unnamed, |first: &TableWithJoins| {
                        table_of(&first.relation, dialect)
                    })
            };
            vec![data(
                DataAction::Delete,
                table,
                Vec::new(),
                delete.selection.is_some(),
            )]
        }
        Parsed::Merge(merge) => vec![data(
            DataAction::Merge,
            table_of(&merge.table, dialect),
            Vec::new(),
            true,
        )],
        Parsed::Truncate(truncate) => truncate
            .table_names
            .iter()
            .map(|target| {
                data(
                    DataAction::Truncate,
                    object(&target.name, dialect),
                    Vec::new(),
                    false,
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The columns `update` sets to a constant on every row holding NULL in
/// them: without `WHERE`, or with `WHERE col IS NULL` for that column.
fn constant_fills(update: &Update, dialect: Dialect) -> Vec<(String, String)> {
    update
        .assignments
        .iter()
        .filter_map(|assignment| {
            let AssignmentTarget::ColumnName(name) = &assignment.target else {
                return None;
            };
            let column = last(name, dialect);
            let every_null_row = match &update.selection {
                None => true,
                Some(Expr::IsNull(tested)) => {
                    column_name(tested, dialect).is_some_and(|tested| tested == column)
                }
                Some(_) => false,
            };
            let constant = match &assignment.value {
                Expr::Value(value) if value.value != Value::Null => value.value.to_string(),
                _ => return None,
            };
            every_null_row.then_some((column, constant))
        })
        .collect()
}

/// The column an expression names (`col`, `t.col`).
fn column_name(expr: &Expr, dialect: Dialect) -> Option<String> {
    match expr {
        Expr::Identifier(name) => Some(ident(name, dialect)),
        Expr::CompoundIdentifier(parts) => parts.last().map(|name| ident(name, dialect)),
        Expr::Nested(inner) => column_name(inner, dialect),
        _ => None,
    }
}

/// The table a `FROM`-like clause names; a sub-query or function is
/// [`Name::Dynamic`].
fn table_of(factor: &TableFactor, dialect: Dialect) -> Name {
    match factor {
        TableFactor::Table { name, .. } => object(name, dialect),
        other => Name::Dynamic(other.to_string()),
    }
}
