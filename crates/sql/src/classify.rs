//! One parsed statement → what it does, dispatched by kind of statement.

use alembic_doctor_script::{Index, Name, OpKind};
use sqlparser::ast::{CreateIndex, LockTableType, ObjectType, Statement as Parsed};

use crate::names::{ident, object};
use crate::{Dialect, StatementKind, TransactionControl, alter, data, enums, session, table};

/// What `statement` does: usually one kind, several when one statement
/// does several things (`DROP TABLE a, b`, `ALTER TABLE t ADD x, DROP y`).
/// `summary` names the statement when it is none of the kinds the rules
/// follow.
pub(crate) fn statement(statement: &Parsed, dialect: Dialect, summary: &str) -> Vec<StatementKind> {
    let other = || {
        vec![StatementKind::Other {
            summary: summary.to_owned(),
        }]
    };
    match statement {
        Parsed::CreateTable(create) => vec![table::create_table(create, dialect)],
        Parsed::CreateIndex(create) => vec![StatementKind::Op(OpKind::CreateIndex(index(
            create, dialect,
        )))],
        Parsed::AlterTable(alter) => alter::operations(alter, dialect),
        Parsed::RenameTable(renames) => renames
            .iter()
            .map(|rename| {
                StatementKind::Op(OpKind::RenameTable {
                    from: object(&rename.old_name, dialect),
                    to: object(&rename.new_name, dialect),
                })
            })
            .collect(),
        Parsed::Drop {
            object_type,
            names: dropped,
            table,
            ..
        } => {
            let each = |kind: &dyn Fn(Name) -> StatementKind| {
                dropped
                    .iter()
                    .map(|name| kind(object(name, dialect)))
                    .collect()
            };
            match object_type {
                ObjectType::Table => each(&|table| StatementKind::Op(OpKind::DropTable { table })),
                ObjectType::Index => each(&|name| {
                    StatementKind::Op(OpKind::DropIndex {
                        name,
                        table: table.as_ref().map(|table| object(table, dialect)),
                        concurrently: false,
                    })
                }),
                ObjectType::Type => each(&|type_name| StatementKind::DropType { type_name }),
                _ => other(),
            }
        }
        Parsed::Query(query) => match data::query_rows(query, dialect) {
            rows if rows.is_empty() => other(),
            rows => rows,
        },
        Parsed::Update(_)
        | Parsed::Insert(_)
        | Parsed::Delete(_)
        | Parsed::Merge(_)
        | Parsed::Truncate(_) => data::rows(statement, dialect),
        Parsed::Set(set) => session::set(set, dialect, summary),
        Parsed::StartTransaction { statements, .. } if statements.is_empty() => {
            vec![StatementKind::Transaction(TransactionControl::Begin)]
        }
        Parsed::Commit { .. } => vec![StatementKind::Transaction(TransactionControl::Commit)],
        Parsed::Rollback { .. } => vec![StatementKind::Transaction(TransactionControl::Rollback)],
        Parsed::AlterType(alter) => vec![enums::alter(alter, dialect, summary)],
        Parsed::CreateType {
            name,
            representation,
        } => vec![enums::create(
            name,
            representation.as_ref(),
            dialect,
            summary,
        )],
        Parsed::Lock(lock) => {
            let mode = lock
                .lock_mode
                .as_ref()
                .map_or_else(|| "ACCESS EXCLUSIVE".to_owned(), ToString::to_string);
            lock.tables
                .iter()
                .map(|target| StatementKind::LockTable {
                    table: object(&target.name, dialect),
                    mode: mode.clone(),
                })
                .collect()
        }
        Parsed::LockTables { tables } => tables
            .iter()
            .map(|locked| StatementKind::LockTable {
                table: Name::Literal(ident(&locked.table, dialect)),
                mode: match locked.lock_type {
                    LockTableType::Read { .. } => "READ".to_owned(),
                    LockTableType::Write { .. } => "WRITE".to_owned(),
                },
            })
            .collect(),
        Parsed::Vacuum(vacuum) if vacuum.full => vec![StatementKind::LockingMaintenance {
            what: "VACUUM FULL".to_owned(),
        }],
        _ => other(),
    }
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name ON t
/// [USING method] (columns) [WHERE predicate]`.
fn index(create: &CreateIndex, dialect: Dialect) -> Index {
    Index {
        name: create
            .name
            .as_ref()
            .map_or(Name::Unnamed, |name| object(name, dialect)),
        table: object(&create.table_name, dialect),
        columns: table::index_columns(&create.columns, dialect),
        unique: create.unique,
        concurrently: create.concurrently,
        if_not_exists: create.if_not_exists,
        where_: create.predicate.as_ref().map(ToString::to_string),
    }
}
