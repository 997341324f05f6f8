//! MySQL statement shapes.

use alembic_doctor_script::{Column, ConstraintKind, Index, Name, Nullable, OpKind, ServerDefault};

use super::{changes, kinds, lit, one, op, other};
use crate::{DataAction, Dialect, StatementKind, TransactionControl};

const MY: Dialect = Dialect::MySql;

#[test]
fn create_index_with_prefix_length_and_options() {
    assert_eq!(
        op(
            "CREATE UNIQUE INDEX IX_Name ON `Users` (name(10), email DESC) USING BTREE ALGORITHM=INPLACE LOCK=NONE",
            MY
        ),
        OpKind::CreateIndex(Index {
            name: lit("IX_Name"),
            table: lit("Users"),
            columns: vec!["name".to_owned(), "email".to_owned()],
            unique: true,
            concurrently: false,
            if_not_exists: false,
            where_: None,
        })
    );
}

#[test]
fn drop_index_on_table() {
    let expected = OpKind::DropIndex {
        name: lit("ix"),
        table: Some(lit("t")),
        concurrently: false,
    };
    assert_eq!(op("DROP INDEX ix ON t", MY), expected);
    // `sqlparser` stops at the options; the fallback reads them.
    assert_eq!(
        op("DROP INDEX `ix` ON `t` ALGORITHM = INPLACE LOCK=NONE", MY),
        expected
    );
    assert_eq!(op("ALTER TABLE t DROP INDEX ix", MY), expected);
}

#[test]
fn create_table_with_keys_and_options() {
    let OpKind::CreateTable {
        table,
        columns,
        constraints,
    } = op(
        "CREATE TABLE `t` (id int NOT NULL AUTO_INCREMENT, name varchar(50) DEFAULT NULL, \
         PRIMARY KEY (id), KEY ix_name (name), UNIQUE KEY uq (name, id), \
         CONSTRAINT fk FOREIGN KEY (id) REFERENCES u (id)) ENGINE=InnoDB",
        MY,
    )
    else {
        panic!()
    };
    assert_eq!(table, lit("t"));
    assert_eq!(
        columns,
        vec![
            Column {
                name: lit("id"),
                type_: Some("INT".to_owned()),
                nullable: Nullable::Literal(false),
                primary_key: true,
                autoincrement: None,
                server_default: None,
                unique: false,
                index: false,
                foreign_keys: Vec::new(),
            },
            Column {
                name: lit("name"),
                type_: Some("VARCHAR(50)".to_owned()),
                nullable: Nullable::Default,
                primary_key: false,
                autoincrement: None,
                server_default: None,
                unique: false,
                index: true,
                foreign_keys: Vec::new(),
            },
        ]
    );
    let kinds: Vec<(Name, ConstraintKind)> =
        constraints.into_iter().map(|c| (c.name, c.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            (
                Name::Unnamed,
                ConstraintKind::PrimaryKey {
                    columns: vec!["id".to_owned()]
                }
            ),
            (
                lit("uq"),
                ConstraintKind::Unique {
                    columns: vec!["name".to_owned(), "id".to_owned()]
                }
            ),
            (
                lit("fk"),
                ConstraintKind::ForeignKey {
                    referent: lit("u"),
                    local: vec!["id".to_owned()],
                    remote: vec!["id".to_owned()]
                }
            ),
        ]
    );
}

#[test]
fn drop_table() {
    assert_eq!(
        op("DROP TABLE IF EXISTS `t`", MY),
        OpKind::DropTable { table: lit("t") }
    );
}

#[test]
fn add_column_with_backquotes_ignores_algorithm_and_lock() {
    assert_eq!(
        kinds(
            "ALTER TABLE `User` ADD COLUMN `email` varchar(255) NOT NULL DEFAULT '', ALGORITHM=INPLACE, LOCK=NONE",
            MY
        ),
        vec![StatementKind::Op(OpKind::AddColumn {
            table: lit("User"),
            column: Column {
                name: lit("email"),
                type_: Some("VARCHAR(255)".to_owned()),
                nullable: Nullable::Literal(false),
                primary_key: false,
                autoincrement: None,
                server_default: Some(ServerDefault {
                    source: "''".to_owned(),
                    sql: Some("''".to_owned()),
                }),
                unique: false,
                index: false,
                foreign_keys: Vec::new(),
            },
        })]
    );
}

#[test]
fn drop_column() {
    assert_eq!(
        op("ALTER TABLE t DROP COLUMN a", MY),
        OpKind::DropColumn {
            table: lit("t"),
            column: lit("a"),
        }
    );
}

#[test]
fn modify_restates_type_nullability_and_default() {
    let modified = changes(
        op("ALTER TABLE t MODIFY COLUMN a bigint NOT NULL", MY),
        "t",
        "a",
    );
    assert_eq!(modified.type_.as_deref(), Some("BIGINT"));
    assert_eq!(modified.nullable, Some(false));
    // No DEFAULT in the new definition: the default is gone.
    assert_eq!(modified.server_default, Some(None));
    assert_eq!(modified.new_name, None);
    let nullable = changes(op("ALTER TABLE t MODIFY a int DEFAULT 1", MY), "t", "a");
    assert_eq!(nullable.nullable, Some(true));
    assert_eq!(
        nullable
            .server_default
            .flatten()
            .and_then(|d| d.sql)
            .as_deref(),
        Some("1")
    );
}

#[test]
fn change_column_renames_and_retypes() {
    let changed = changes(
        op("ALTER TABLE t CHANGE COLUMN a b bigint NOT NULL", MY),
        "t",
        "a",
    );
    assert_eq!(changed.new_name, Some(lit("b")));
    assert_eq!(changed.type_.as_deref(), Some("BIGINT"));
    assert_eq!(changed.nullable, Some(false));
    let same_name = changes(op("ALTER TABLE t CHANGE a a int", MY), "t", "a");
    assert_eq!(same_name.new_name, None);
}

#[test]
fn set_and_drop_default() {
    let set = changes(
        op("ALTER TABLE t ALTER COLUMN a SET DEFAULT 1", MY),
        "t",
        "a",
    );
    assert_eq!(
        set.server_default.flatten().and_then(|d| d.sql).as_deref(),
        Some("1")
    );
    let dropped = changes(op("ALTER TABLE t ALTER a DROP DEFAULT", MY), "t", "a");
    assert_eq!(dropped.server_default, Some(None));
}

#[test]
fn rename_column_and_tables() {
    let renamed = changes(op("ALTER TABLE t RENAME COLUMN a TO b", MY), "t", "a");
    assert_eq!(renamed.new_name, Some(lit("b")));
    let rename = |from: &str, to: &str| {
        StatementKind::Op(OpKind::RenameTable {
            from: lit(from),
            to: lit(to),
        })
    };
    assert_eq!(
        kinds("ALTER TABLE t RENAME TO u; RENAME TABLE a TO b, c TO d", MY),
        vec![rename("t", "u"), rename("a", "b"), rename("c", "d")]
    );
}

#[test]
fn add_constraints_and_indexes() {
    let kinds = kinds(
        "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id) ON DELETE CASCADE, \
         ADD INDEX ix (a), ADD UNIQUE KEY uq (b), ADD CONSTRAINT ck CHECK (a > 0)",
        MY,
    );
    let [fk, index, unique, check] = kinds.as_slice() else {
        panic!("{kinds:#?}")
    };
    assert!(
        matches!(fk, StatementKind::Op(OpKind::CreateConstraint { constraint, .. })
        if matches!(constraint.kind, ConstraintKind::ForeignKey { .. }) && constraint.name == lit("fk"))
    );
    assert!(
        matches!(index, StatementKind::Op(OpKind::CreateIndex(index))
        if index.name == lit("ix") && index.columns == ["a"] && !index.unique)
    );
    assert!(
        matches!(unique, StatementKind::Op(OpKind::CreateConstraint { constraint, .. })
        if matches!(constraint.kind, ConstraintKind::Unique { .. }) && constraint.name == lit("uq"))
    );
    assert!(
        matches!(check, StatementKind::Op(OpKind::CreateConstraint { constraint, .. })
        if matches!(constraint.kind, ConstraintKind::Check { .. }))
    );
}

#[test]
fn add_primary_key() {
    assert_eq!(
        op("ALTER TABLE t ADD PRIMARY KEY (id)", MY),
        OpKind::CreateConstraint {
            table: lit("t"),
            constraint: alembic_doctor_script::Constraint {
                name: Name::Unnamed,
                kind: ConstraintKind::PrimaryKey {
                    columns: vec!["id".to_owned()]
                },
                not_valid: false,
            },
        }
    );
}

#[test]
fn drop_constraint_foreign_key_and_primary_key() {
    assert_eq!(
        kinds(
            "ALTER TABLE t DROP CONSTRAINT c, DROP FOREIGN KEY fk, DROP PRIMARY KEY",
            MY
        ),
        vec![
            StatementKind::Op(OpKind::DropConstraint {
                name: lit("c"),
                table: lit("t"),
                kind: None,
            }),
            StatementKind::Op(OpKind::DropConstraint {
                name: lit("fk"),
                table: lit("t"),
                kind: Some("foreignkey".to_owned()),
            }),
            StatementKind::Op(OpKind::DropConstraint {
                name: Name::Unnamed,
                table: lit("t"),
                kind: Some("primary".to_owned()),
            }),
        ]
    );
}

#[test]
fn set_lock_wait_timeouts() {
    let timeout = |setting: &str, value: &str| StatementKind::SetTimeout {
        setting: setting.to_owned(),
        value: value.to_owned(),
        local: false,
    };
    assert_eq!(
        kinds(
            "SET SESSION lock_wait_timeout = 5; SET innodb_lock_wait_timeout = 5; \
             SET @@session.lock_wait_timeout = 3; SET @@lock_wait_timeout = 2; \
             SET lock_wait_timeout = 5, innodb_lock_wait_timeout = 3, sql_mode = ''; \
             SET sql_mode = ''",
            MY
        ),
        vec![
            timeout("lock_wait_timeout", "5"),
            timeout("innodb_lock_wait_timeout", "5"),
            timeout("lock_wait_timeout", "3"),
            timeout("lock_wait_timeout", "2"),
            timeout("lock_wait_timeout", "5"),
            timeout("innodb_lock_wait_timeout", "3"),
            other("SET"),
        ]
    );
}

#[test]
fn data_changes() {
    assert_eq!(
        kinds(
            "UPDATE t SET a = 1 WHERE b; INSERT INTO t (a) VALUES (1); REPLACE INTO t (a) VALUES (2); \
             DELETE t FROM t JOIN u ON t.id = u.id WHERE u.x",
            MY
        ),
        vec![
            StatementKind::Data {
                action: DataAction::Update,
                table: lit("t"),
                columns: vec!["a".to_owned()],
                where_: true,
                constants: Vec::new(),
            },
            StatementKind::Data {
                action: DataAction::Insert,
                table: lit("t"),
                columns: vec!["a".to_owned()],
                where_: false,
                constants: Vec::new(),
            },
            StatementKind::Data {
                action: DataAction::Insert,
                table: lit("t"),
                columns: vec!["a".to_owned()],
                where_: false,
                constants: Vec::new(),
            },
            StatementKind::Data {
                action: DataAction::Delete,
                table: lit("t"),
                columns: Vec::new(),
                where_: true,
                constants: Vec::new(),
            },
        ]
    );
}

#[test]
fn transactions_and_table_locks() {
    assert_eq!(
        kinds(
            "START TRANSACTION; COMMIT; LOCK TABLES t WRITE, u READ; UNLOCK TABLES",
            MY
        ),
        vec![
            StatementKind::Transaction(TransactionControl::Begin),
            StatementKind::Transaction(TransactionControl::Commit),
            StatementKind::LockTable {
                table: lit("t"),
                mode: "WRITE".to_owned(),
            },
            StatementKind::LockTable {
                table: lit("u"),
                mode: "READ".to_owned(),
            },
            other("UNLOCK TABLES"),
        ]
    );
}

#[test]
fn a_trigger_body_with_semicolons_stays_one_statement() {
    let statements = crate::read_sql(
        "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; SET NEW.b = 2; END; UPDATE t SET a = 2",
        MY,
    );
    assert_eq!(statements.len(), 2, "{statements:#?}");
    assert_eq!(statements[0].kind, other("CREATE TRIGGER"));
    assert!(statements[0].text.ends_with("SET NEW.b = 2; END"));
    assert!(matches!(statements[1].kind, StatementKind::Data { .. }));
}

#[test]
fn a_check_drop_sqlparser_cannot_read_is_unparsed() {
    assert!(matches!(
        one("ALTER TABLE t DROP CHECK ck", MY),
        StatementKind::Unparsed { .. }
    ));
}
