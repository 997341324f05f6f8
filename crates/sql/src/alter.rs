//! `ALTER TABLE`: one statement kind per sub-command, each the value the
//! equivalent `op.*` call is read into.

use alembic_doctor_script::{ColumnChanges, Constraint, Index, Name, OpKind};
use sqlparser::ast::{
    AlterColumnOperation, AlterTable, AlterTableOperation, ColumnOption, DataType,
    DetachPartitionMode, RenameTableNameKind, TableConstraint,
};

use crate::names::{ident, object, optional};
use crate::table::{self, index_columns, server_default, type_text};
use crate::{Dialect, StatementKind};

/// The sub-commands of `alter`, in order. MySQL's `ALGORITHM=` and `LOCK=`
/// are options of the statement, not changes, and give nothing; a
/// statement left with nothing else is [`StatementKind::Other`].
pub(crate) fn operations(alter: &AlterTable, dialect: Dialect) -> Vec<StatementKind> {
    let table = object(&alter.name, dialect);
    if alter.table_type.is_some() {
        // `ALTER FOREIGN TABLE`, Snowflake's dynamic tables...: not tables
        // the operation model follows.
        return vec![other(&alter.to_string())];
    }
    let mut kinds: Vec<StatementKind> = alter
        .operations
        .iter()
        .flat_map(|operation| sub_command(&table, operation, dialect))
        .collect();
    if kinds.is_empty() {
        kinds.push(other("ALTER TABLE"));
    }
    kinds
}

/// What one sub-command does: usually one kind; none for options; one per
/// column for `DROP COLUMN a, b`.
fn sub_command(
    table: &Name,
    operation: &AlterTableOperation,
    dialect: Dialect,
) -> Vec<StatementKind> {
    let op = |kind: OpKind| vec![StatementKind::Op(kind)];
    let alter_column = |column: Name, changes: ColumnChanges| {
        op(OpKind::AlterColumn {
            table: table.clone(),
            column,
            changes,
        })
    };
    match operation {
        AlterTableOperation::AddColumn { column_def, .. } => op(OpKind::AddColumn {
            table: table.clone(),
            column: table::column(column_def, dialect),
        }),
        AlterTableOperation::DropColumn { column_names, .. } => column_names
            .iter()
            .map(|column| {
                StatementKind::Op(OpKind::DropColumn {
                    table: table.clone(),
                    column: Name::Literal(ident(column, dialect)),
                })
            })
            .collect(),
        AlterTableOperation::AlterColumn { column_name, op } => {
            let column = Name::Literal(ident(column_name, dialect));
            let changes = match op {
                AlterColumnOperation::SetNotNull => ColumnChanges {
                    nullable: Some(false),
                    ..ColumnChanges::default()
                },
                AlterColumnOperation::DropNotNull => ColumnChanges {
                    nullable: Some(true),
                    ..ColumnChanges::default()
                },
                AlterColumnOperation::SetDefault { value } => ColumnChanges {
                    server_default: Some(server_default(value)),
                    ..ColumnChanges::default()
                },
                AlterColumnOperation::DropDefault => ColumnChanges {
                    server_default: Some(None),
                    ..ColumnChanges::default()
                },
                AlterColumnOperation::SetDataType { data_type, .. } => ColumnChanges {
                    type_: type_text(data_type),
                    ..ColumnChanges::default()
                },
                AlterColumnOperation::AddGenerated { .. }
                | AlterColumnOperation::GenericOptions { .. } => {
                    return vec![other(&format!("ALTER TABLE ALTER COLUMN {op}"))];
                }
            };
            alter_column(column, changes)
        }
        AlterTableOperation::ModifyColumn {
            col_name,
            data_type,
            options,
            ..
        } => alter_column(
            Name::Literal(ident(col_name, dialect)),
            redefinition(data_type, options, None),
        ),
        AlterTableOperation::ChangeColumn {
            old_name,
            new_name,
            data_type,
            options,
            ..
        } => {
            let (old, new) = (ident(old_name, dialect), ident(new_name, dialect));
            let renamed = (old != new).then_some(Name::Literal(new));
            alter_column(
                Name::Literal(old),
                redefinition(data_type, options, renamed),
            )
        }
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => alter_column(
            Name::Literal(ident(old_column_name, dialect)),
            ColumnChanges {
                new_name: Some(Name::Literal(ident(new_column_name, dialect))),
                ..ColumnChanges::default()
            },
        ),
        AlterTableOperation::RenameTable { table_name } => {
            let (RenameTableNameKind::As(to) | RenameTableNameKind::To(to)) = table_name;
            op(OpKind::RenameTable {
                from: table.clone(),
                to: object(to, dialect),
            })
        }
        AlterTableOperation::AddConstraint {
            constraint,
            not_valid,
        } => vec![add_constraint(table, constraint, *not_valid, dialect)],
        AlterTableOperation::ValidateConstraint { name } => {
            vec![StatementKind::ValidateConstraint {
                table: table.clone(),
                name: Name::Literal(ident(name, dialect)),
            }]
        }
        AlterTableOperation::DropConstraint { name, .. } => {
            drop_constraint(table, Name::Literal(ident(name, dialect)), None)
        }
        AlterTableOperation::DropForeignKey { name, .. } => drop_constraint(
            table,
            Name::Literal(ident(name, dialect)),
            Some("foreignkey"),
        ),
        AlterTableOperation::DropPrimaryKey { .. } => {
            drop_constraint(table, Name::Unnamed, Some("primary"))
        }
        AlterTableOperation::DropIndex { name } => op(OpKind::DropIndex {
            name: Name::Literal(ident(name, dialect)),
            table: Some(table.clone()),
            concurrently: false,
        }),
        AlterTableOperation::DetachPartitionOf { mode, .. } => vec![match mode {
            None => StatementKind::LockingMaintenance {
                what: "DETACH PARTITION".to_owned(),
            },
            Some(DetachPartitionMode::Concurrently) => {
                other("ALTER TABLE DETACH PARTITION CONCURRENTLY")
            }
            Some(DetachPartitionMode::Finalize) => other("ALTER TABLE DETACH PARTITION FINALIZE"),
        }],
        AlterTableOperation::Algorithm { .. } | AlterTableOperation::Lock { .. } => Vec::new(),
        _ => vec![other(&format!(
            "ALTER TABLE {}",
            leading_keywords(&operation.to_string())
        ))],
    }
}

/// MySQL's `MODIFY` / `CHANGE`: the column is defined anew, so every part
/// of it is set. No `NOT NULL` makes it nullable and no `DEFAULT` drops its
/// default, as the server does; so unlike `op.alter_column`, which leaves
/// unnamed parts unchanged, `nullable` and `server_default` are always
/// given.
fn redefinition(
    data_type: &DataType,
    options: &[ColumnOption],
    new_name: Option<Name>,
) -> ColumnChanges {
    let not_null = options.iter().any(|o| matches!(o, ColumnOption::NotNull));
    let default = options.iter().find_map(|o| match o {
        ColumnOption::Default(expr) => Some(expr),
        _ => None,
    });
    ColumnChanges {
        nullable: Some(!not_null),
        type_: type_text(data_type),
        existing_type: None,
        server_default: Some(default.and_then(server_default)),
        new_name,
        existing_nullable: None,
        keywords: Vec::new(),
    }
}

/// `ADD [CONSTRAINT c] ...`.
fn add_constraint(
    table: &Name,
    definition: &TableConstraint,
    not_valid: bool,
    dialect: Dialect,
) -> StatementKind {
    let index = |name: Name, columns, unique| {
        StatementKind::Op(OpKind::CreateIndex(Index {
            name,
            table: table.clone(),
            columns,
            unique,
            concurrently: false,
            if_not_exists: false,
            where_: None,
        }))
    };
    match definition {
        TableConstraint::UniqueUsingIndex(using) | TableConstraint::PrimaryKeyUsingIndex(using) => {
            StatementKind::ConstraintUsingIndex {
                table: table.clone(),
                name: optional(using.name.as_ref(), dialect),
                index: Name::Literal(ident(&using.index_name, dialect)),
                primary_key: matches!(definition, TableConstraint::PrimaryKeyUsingIndex(_)),
            }
        }
        // MySQL's `ADD INDEX ix (a)` / `ADD FULLTEXT ix (a)`: an index.
        TableConstraint::Index(key) => index(
            optional(key.name.as_ref(), dialect),
            index_columns(&key.columns, dialect),
            false,
        ),
        TableConstraint::FulltextOrSpatial(key) => index(
            optional(key.opt_index_name.as_ref(), dialect),
            index_columns(&key.columns, dialect),
            false,
        ),
        _ => match table::constraint(definition, dialect) {
            Some(constraint) => StatementKind::Op(OpKind::CreateConstraint {
                table: table.clone(),
                constraint: Constraint {
                    not_valid,
                    ..constraint
                },
            }),
            None => other("ALTER TABLE ADD CONSTRAINT"),
        },
    }
}

fn drop_constraint(table: &Name, name: Name, kind: Option<&str>) -> Vec<StatementKind> {
    vec![StatementKind::Op(OpKind::DropConstraint {
        name,
        table: table.clone(),
        kind: kind.map(str::to_owned),
    })]
}

fn other(summary: &str) -> StatementKind {
    StatementKind::Other {
        summary: summary.to_owned(),
    }
}

/// The keywords a sub-command's SQL starts with (`ENABLE TRIGGER` of
/// `ENABLE TRIGGER audit`), at most three.
fn leading_keywords(sql: &str) -> String {
    sql.split_whitespace()
        .take_while(|word| word.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}
