//! Column and constraint definitions, as `sa.Column(...)` and
//! `sa.*Constraint(...)` are read: `CREATE TABLE`, and the pieces of
//! `ALTER TABLE` that define a column or a constraint.

use alembic_doctor_script::{
    Column, Constraint, ConstraintKind, Name, Nullable, OpKind, ServerDefault,
};
use sqlparser::ast::{
    ColumnDef, ColumnOption, CreateTable, DataType, Expr, ForeignKeyConstraint, IndexColumn,
    TableConstraint, Value,
};

use crate::names::{self, ident, object, optional};
use crate::{Dialect, StatementKind};

/// `CREATE TABLE t (columns, constraints)`.
///
/// As for `op.create_table`, a table-level `PRIMARY KEY (a, b)` marks its
/// columns `primary_key`. MySQL's inline `KEY ix (a)` on one column marks
/// that column `index` (what `sa.Column(..., index=True)` means); inline
/// indexes on several columns have no place in the model and are left out.
pub(crate) fn create_table(create: &CreateTable, dialect: Dialect) -> StatementKind {
    let mut columns: Vec<Column> = create
        .columns
        .iter()
        .map(|def| column(def, dialect))
        .collect();
    let mut constraints = Vec::new();
    for definition in &create.constraints {
        if let Some(constraint) = constraint(definition, dialect) {
            if let ConstraintKind::PrimaryKey { columns: keys } = &constraint.kind {
                for column in &mut columns {
                    if column
                        .name
                        .literal()
                        .is_some_and(|n| keys.iter().any(|k| k == n))
                    {
                        column.primary_key = true;
                    }
                }
            }
            constraints.push(constraint);
        } else if let TableConstraint::Index(index) = definition
            && let [only] = index.columns.as_slice()
        {
            let indexed = names::column(&only.column.expr, dialect);
            for column in &mut columns {
                if column.name.literal() == Some(indexed.as_str()) {
                    column.index = true;
                }
            }
        }
    }
    StatementKind::Op(OpKind::CreateTable {
        table: object(&create.name, dialect),
        columns,
        constraints,
    })
}

/// A column definition: `email VARCHAR(255) NOT NULL DEFAULT '' REFERENCES
/// u (id)`.
pub(crate) fn column(def: &ColumnDef, dialect: Dialect) -> Column {
    let mut column = Column {
        name: Name::Literal(ident(&def.name, dialect)),
        type_: type_text(&def.data_type),
        nullable: Nullable::Default,
        primary_key: false,
        autoincrement: None,
        server_default: None,
        unique: false,
        index: false,
        foreign_keys: Vec::new(),
    };
    for option in &def.options {
        match &option.option {
            ColumnOption::Null => column.nullable = Nullable::Literal(true),
            ColumnOption::NotNull => column.nullable = Nullable::Literal(false),
            ColumnOption::Default(expr) => column.server_default = server_default(expr),
            ColumnOption::PrimaryKey(_) => column.primary_key = true,
            ColumnOption::Unique(_) => column.unique = true,
            ColumnOption::ForeignKey(reference) => {
                column
                    .foreign_keys
                    .push(foreign_key_target(reference, dialect));
            }
            _ => {}
        }
    }
    column
}

/// A column type's SQL (`VARCHAR(255)`); SQLite allows none.
pub(crate) fn type_text(data_type: &DataType) -> Option<String> {
    let text = data_type.to_string();
    (!text.is_empty()).then_some(text)
}

/// `DEFAULT expr`, as `server_default=sa.text("expr")` is read: `source`
/// and `sql` are both the expression's SQL. `DEFAULT NULL` is no default,
/// as `server_default=None` is.
pub(crate) fn server_default(expr: &Expr) -> Option<ServerDefault> {
    if let Expr::Value(value) = expr
        && value.value == Value::Null
    {
        return None;
    }
    let sql = expr.to_string();
    Some(ServerDefault {
        source: sql.clone(),
        sql: Some(sql),
    })
}

/// A column's `REFERENCES u (id)` as `sa.ForeignKey` writes it: `u.id`
/// (just `u` when no column is named, the referenced table's primary key).
fn foreign_key_target(reference: &ForeignKeyConstraint, dialect: Dialect) -> String {
    let table = object(&reference.foreign_table, dialect).to_string();
    match reference.referred_columns.first() {
        Some(column) => format!("{table}.{}", ident(column, dialect)),
        None => table,
    }
}

/// A table constraint the model has a kind for; `None` for indexes
/// (`KEY`, `FULLTEXT`) and `... USING INDEX`, which the callers handle.
pub(crate) fn constraint(definition: &TableConstraint, dialect: Dialect) -> Option<Constraint> {
    let (name, kind) = match definition {
        // MySQL names a key after `UNIQUE KEY` rather than `CONSTRAINT`.
        TableConstraint::Unique(unique) => (
            optional(unique.name.as_ref().or(unique.index_name.as_ref()), dialect),
            ConstraintKind::Unique {
                columns: index_columns(&unique.columns, dialect),
            },
        ),
        TableConstraint::PrimaryKey(key) => (
            optional(key.name.as_ref().or(key.index_name.as_ref()), dialect),
            ConstraintKind::PrimaryKey {
                columns: index_columns(&key.columns, dialect),
            },
        ),
        TableConstraint::ForeignKey(key) => (
            optional(key.name.as_ref(), dialect),
            ConstraintKind::ForeignKey {
                referent: object(&key.foreign_table, dialect),
                local: key.columns.iter().map(|c| ident(c, dialect)).collect(),
                remote: key
                    .referred_columns
                    .iter()
                    .map(|c| ident(c, dialect))
                    .collect(),
            },
        ),
        TableConstraint::Check(check) => (
            optional(check.name.as_ref(), dialect),
            ConstraintKind::Check {
                condition: check.expr.to_string(),
            },
        ),
        TableConstraint::Exclude(exclude) => (
            optional(exclude.name.as_ref(), dialect),
            ConstraintKind::Exclude,
        ),
        TableConstraint::Index(_)
        | TableConstraint::FulltextOrSpatial(_)
        | TableConstraint::PrimaryKeyUsingIndex(_)
        | TableConstraint::UniqueUsingIndex(_) => return None,
    };
    Some(Constraint {
        name,
        kind,
        not_valid: false,
    })
}

/// The columns (or expressions) of an index or key.
pub(crate) fn index_columns(columns: &[IndexColumn], dialect: Dialect) -> Vec<String> {
    columns
        .iter()
        .map(|column| names::column(&column.column.expr, dialect))
        .collect()
}
