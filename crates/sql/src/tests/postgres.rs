//! PostgreSQL statement shapes.

use alembic_doctor_script::{
    Column, ColumnChanges, Constraint, ConstraintKind, Index, Name, Nullable, OpKind, ServerDefault,
};

use super::{changes, kinds, lit, locking, one, op, other};
use crate::{DataAction, Dialect, EnumAction, StatementKind, TransactionControl};

const PG: Dialect = Dialect::Postgres;

/// `DEFAULT sql` as read: the SQL is both the source and the rendering.
fn default(sql: &str) -> ServerDefault {
    ServerDefault {
        source: sql.to_owned(),
        sql: Some(sql.to_owned()),
    }
}

#[test]
fn create_index() {
    assert_eq!(
        op("CREATE INDEX ix_user_email ON \"user\" (email)", PG),
        OpKind::CreateIndex(Index {
            name: lit("ix_user_email"),
            table: lit("user"),
            columns: vec!["email".to_owned()],
            unique: false,
            concurrently: false,
            if_not_exists: false,
            where_: None,
        })
    );
}

#[test]
fn create_unique_index_concurrently_if_not_exists_using_where() {
    assert_eq!(
        op(
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON public.users USING btree \
             (email, lower(name) DESC) WHERE deleted_at IS NULL",
            PG
        ),
        OpKind::CreateIndex(Index {
            name: lit("ix"),
            table: lit("users"),
            columns: vec!["email".to_owned(), "lower(name)".to_owned()],
            unique: true,
            concurrently: true,
            if_not_exists: true,
            where_: Some("deleted_at IS NULL".to_owned()),
        })
    );
}

#[test]
fn unquoted_names_fold_to_lower_case_and_quoted_names_do_not() {
    let OpKind::CreateIndex(index) = op("CREATE INDEX IX_Email ON \"Users\" (Email)", PG) else {
        panic!()
    };
    assert_eq!(
        (index.name, index.table, index.columns),
        (lit("ix_email"), lit("Users"), vec!["email".to_owned()])
    );
}

#[test]
fn drop_index() {
    assert_eq!(
        op("DROP INDEX IF EXISTS public.ix", PG),
        OpKind::DropIndex {
            name: lit("ix"),
            table: None,
            concurrently: false,
        }
    );
}

#[test]
fn drop_index_concurrently_is_recognised_without_the_parser() {
    assert_eq!(
        kinds("DROP INDEX CONCURRENTLY IF EXISTS ix_a, s.ix_b CASCADE", PG),
        ["ix_a", "ix_b"]
            .map(|name| StatementKind::Op(OpKind::DropIndex {
                name: lit(name),
                table: None,
                concurrently: true,
            }))
            .to_vec()
    );
    assert_eq!(
        op("DROP INDEX CONCURRENTLY ix", PG),
        OpKind::DropIndex {
            name: lit("ix"),
            table: None,
            concurrently: true,
        }
    );
}

#[test]
fn create_table() {
    let kind = op(
        "CREATE TABLE IF NOT EXISTS \"user\" (\
           id serial PRIMARY KEY, \
           name varchar(50) NOT NULL DEFAULT 'x', \
           org_id integer REFERENCES org (id), \
           note text NULL, \
           CONSTRAINT uq_name UNIQUE (name), \
           FOREIGN KEY (org_id) REFERENCES org (id), \
           CHECK (id > 0))",
        PG,
    );
    let OpKind::CreateTable {
        table,
        columns,
        constraints,
    } = kind
    else {
        panic!("{kind:#?}")
    };
    assert_eq!(table, lit("user"));
    let column = |name: &str, type_: &str| Column {
        name: lit(name),
        type_: Some(type_.to_owned()),
        nullable: Nullable::Default,
        primary_key: false,
        autoincrement: None,
        server_default: None,
        unique: false,
        index: false,
        foreign_keys: Vec::new(),
    };
    assert_eq!(
        columns,
        vec![
            Column {
                primary_key: true,
                autoincrement: None,
                ..column("id", "serial")
            },
            Column {
                nullable: Nullable::Literal(false),
                server_default: Some(default("'x'")),
                ..column("name", "VARCHAR(50)")
            },
            Column {
                foreign_keys: vec!["org.id".to_owned()],
                ..column("org_id", "INTEGER")
            },
            Column {
                nullable: Nullable::Literal(true),
                ..column("note", "TEXT")
            },
        ]
    );
    assert_eq!(columns[0].is_nullable(), Some(false));
    assert_eq!(
        constraints,
        vec![
            Constraint {
                name: lit("uq_name"),
                kind: ConstraintKind::Unique {
                    columns: vec!["name".to_owned()]
                },
                not_valid: false,
            },
            Constraint {
                name: Name::Unnamed,
                kind: ConstraintKind::ForeignKey {
                    referent: lit("org"),
                    local: vec!["org_id".to_owned()],
                    remote: vec!["id".to_owned()],
                },
                not_valid: false,
            },
            Constraint {
                name: Name::Unnamed,
                kind: ConstraintKind::Check {
                    condition: "id > 0".to_owned()
                },
                not_valid: false,
            },
        ]
    );
}

#[test]
fn create_table_with_a_table_level_primary_key_marks_its_columns() {
    let OpKind::CreateTable { columns, .. } = op(
        "CREATE TABLE t (a int, b int, c int, PRIMARY KEY (a, b))",
        PG,
    ) else {
        panic!()
    };
    let keys: Vec<bool> = columns.iter().map(|c| c.primary_key).collect();
    assert_eq!(keys, [true, true, false]);
}

#[test]
fn drop_table() {
    assert_eq!(
        kinds("DROP TABLE IF EXISTS a, s.b CASCADE", PG),
        vec![
            StatementKind::Op(OpKind::DropTable { table: lit("a") }),
            StatementKind::Op(OpKind::DropTable { table: lit("b") }),
        ]
    );
}

#[test]
fn add_column_with_type_not_null_default_and_reference() {
    assert_eq!(
        op(
            "ALTER TABLE t ADD COLUMN IF NOT EXISTS org_id bigint NOT NULL DEFAULT 0 REFERENCES org (id)",
            PG
        ),
        OpKind::AddColumn {
            table: lit("t"),
            column: Column {
                name: lit("org_id"),
                type_: Some("BIGINT".to_owned()),
                nullable: Nullable::Literal(false),
                primary_key: false,
                autoincrement: None,
                server_default: Some(default("0")),
                unique: false,
                index: false,
                foreign_keys: vec!["org.id".to_owned()],
            },
        }
    );
}

#[test]
fn add_column_with_a_volatile_default_keeps_the_expression() {
    let OpKind::AddColumn { column, .. } =
        op("ALTER TABLE t ADD created timestamptz DEFAULT now()", PG)
    else {
        panic!()
    };
    assert_eq!(column.server_default, Some(default("now()")));
    assert_eq!(column.nullable, Nullable::Default);
}

#[test]
fn add_column_default_null_is_no_default() {
    let OpKind::AddColumn { column, .. } = op("ALTER TABLE t ADD a int DEFAULT NULL", PG) else {
        panic!()
    };
    assert_eq!(column.server_default, None);
}

#[test]
fn drop_column() {
    assert_eq!(
        op("ALTER TABLE t DROP COLUMN IF EXISTS a CASCADE", PG),
        OpKind::DropColumn {
            table: lit("t"),
            column: lit("a"),
        }
    );
}

#[test]
fn set_and_drop_not_null() {
    let set = changes(
        op("ALTER TABLE t ALTER COLUMN a SET NOT NULL", PG),
        "t",
        "a",
    );
    assert_eq!(set.nullable, Some(false));
    let dropped = changes(op("ALTER TABLE t ALTER a DROP NOT NULL", PG), "t", "a");
    assert_eq!(dropped.nullable, Some(true));
    assert_eq!(
        ColumnChanges {
            nullable: None,
            ..dropped
        },
        ColumnChanges::default()
    );
}

#[test]
fn alter_column_type() {
    for sql in [
        "ALTER TABLE t ALTER COLUMN a TYPE bigint USING a::bigint",
        "ALTER TABLE t ALTER COLUMN a SET DATA TYPE bigint",
    ] {
        let changed = changes(op(sql, PG), "t", "a");
        assert_eq!(changed.type_.as_deref(), Some("BIGINT"), "{sql}");
    }
}

#[test]
fn set_and_drop_default() {
    let set = changes(
        op("ALTER TABLE t ALTER COLUMN a SET DEFAULT 'new'", PG),
        "t",
        "a",
    );
    assert_eq!(set.server_default, Some(Some(default("'new'"))));
    let dropped = changes(
        op("ALTER TABLE t ALTER COLUMN a DROP DEFAULT", PG),
        "t",
        "a",
    );
    assert_eq!(dropped.server_default, Some(None));
}

#[test]
fn rename_column() {
    let renamed = changes(op("ALTER TABLE t RENAME COLUMN a TO b", PG), "t", "a");
    assert_eq!(renamed.new_name, Some(lit("b")));
}

#[test]
fn rename_table() {
    assert_eq!(
        op("ALTER TABLE public.t RENAME TO u", PG),
        OpKind::RenameTable {
            from: lit("t"),
            to: lit("u"),
        }
    );
}

#[test]
fn add_foreign_key_not_valid() {
    assert_eq!(
        op(
            "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u_id) REFERENCES u (id) NOT VALID",
            PG
        ),
        OpKind::CreateConstraint {
            table: lit("t"),
            constraint: Constraint {
                name: lit("fk"),
                kind: ConstraintKind::ForeignKey {
                    referent: lit("u"),
                    local: vec!["u_id".to_owned()],
                    remote: vec!["id".to_owned()],
                },
                not_valid: true,
            },
        }
    );
}

#[test]
fn add_check_unique_and_primary_key() {
    let constraint = |sql: &str| match op(sql, PG) {
        OpKind::CreateConstraint { constraint, .. } => {
            (constraint.name, constraint.kind, constraint.not_valid)
        }
        other => panic!("{other:#?}"),
    };
    assert_eq!(
        constraint("ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0) NOT VALID"),
        (
            lit("ck"),
            ConstraintKind::Check {
                condition: "a > 0".to_owned()
            },
            true
        )
    );
    assert_eq!(
        constraint("ALTER TABLE t ADD CONSTRAINT uq UNIQUE (a, b)"),
        (
            lit("uq"),
            ConstraintKind::Unique {
                columns: vec!["a".to_owned(), "b".to_owned()]
            },
            false
        )
    );
    assert_eq!(
        constraint("ALTER TABLE t ADD PRIMARY KEY (id)"),
        (
            Name::Unnamed,
            ConstraintKind::PrimaryKey {
                columns: vec!["id".to_owned()]
            },
            false
        )
    );
}

#[test]
fn unique_and_primary_key_using_index_are_the_safe_recipe_not_a_new_constraint() {
    assert_eq!(
        one(
            "ALTER TABLE t ADD CONSTRAINT uq UNIQUE USING INDEX ix_uq",
            PG
        ),
        StatementKind::ConstraintUsingIndex {
            table: lit("t"),
            name: lit("uq"),
            index: lit("ix_uq"),
            primary_key: false,
        }
    );
    assert_eq!(
        one("ALTER TABLE t ADD PRIMARY KEY USING INDEX ix_pk", PG),
        StatementKind::ConstraintUsingIndex {
            table: lit("t"),
            name: Name::Unnamed,
            index: lit("ix_pk"),
            primary_key: true,
        }
    );
}

#[test]
fn validate_constraint() {
    assert_eq!(
        one("ALTER TABLE t VALIDATE CONSTRAINT fk", PG),
        StatementKind::ValidateConstraint {
            table: lit("t"),
            name: lit("fk"),
        }
    );
}

#[test]
fn drop_constraint() {
    assert_eq!(
        op("ALTER TABLE t DROP CONSTRAINT IF EXISTS c CASCADE", PG),
        OpKind::DropConstraint {
            name: lit("c"),
            table: lit("t"),
            kind: None,
        }
    );
}

#[test]
fn one_alter_table_with_several_sub_commands_is_several_statements() {
    let sql = "ALTER TABLE t ADD COLUMN a int, DROP COLUMN b, ALTER COLUMN c SET NOT NULL";
    let statements = crate::read_sql(sql, PG);
    assert_eq!(statements.len(), 3);
    assert!(statements.iter().all(|s| s.text == sql));
    assert!(matches!(
        statements[0].kind,
        StatementKind::Op(OpKind::AddColumn { .. })
    ));
    assert!(matches!(
        statements[1].kind,
        StatementKind::Op(OpKind::DropColumn { .. })
    ));
    assert!(matches!(
        statements[2].kind,
        StatementKind::Op(OpKind::AlterColumn { .. })
    ));
}

/// The row change of `action` on `table`, setting `columns`.
fn data(action: DataAction, table: &str, columns: &[&str], where_: bool) -> StatementKind {
    StatementKind::Data {
        action,
        table: lit(table),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        where_,
        constants: Vec::new(),
    }
}

#[test]
fn update_insert_delete_merge_truncate() {
    assert_eq!(
        kinds(
            "UPDATE t SET a = 1, (b, c) = (2, 3) WHERE id < 10; \
             UPDATE s.t AS x SET a = u.a FROM u WHERE x.id = u.id; \
             INSERT INTO t (a, b) VALUES (1, 2); \
             INSERT INTO t SELECT * FROM u; \
             DELETE FROM t; \
             DELETE FROM t WHERE a IS NULL; \
             MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = s.a; \
             TRUNCATE a, b",
            PG
        ),
        vec![
            data(DataAction::Update, "t", &["a", "b", "c"], true),
            data(DataAction::Update, "t", &["a"], true),
            data(DataAction::Insert, "t", &["a", "b"], false),
            data(DataAction::Insert, "t", &[], false),
            data(DataAction::Delete, "t", &[], false),
            data(DataAction::Delete, "t", &[], true),
            data(DataAction::Merge, "t", &[], true),
            data(DataAction::Truncate, "a", &[], false),
            data(DataAction::Truncate, "b", &[], false),
        ]
    );
}

/// PostgreSQL's data-modifying `WITH`: the statement changes rows of
/// every table its `INSERT`/`UPDATE`/`DELETE` parts name (warehouse fills
/// a new column this way), while a `WITH` that only reads changes nothing.
#[test]
fn data_modifying_with_changes_the_rows_of_each_part() {
    assert_eq!(
        kinds(
            "WITH inserted AS ( \
                 INSERT INTO descriptions (raw, release_id) SELECT description, id FROM releases \
                 RETURNING release_id, id AS description_id \
             ) \
             UPDATE releases SET description_id = ids.description_id \
             FROM inserted AS ids WHERE id = release_id",
            PG
        ),
        vec![
            data(
                DataAction::Insert,
                "descriptions",
                &["raw", "release_id"],
                false
            ),
            data(DataAction::Update, "releases", &["description_id"], true),
        ]
    );
    assert!(matches!(
        kinds("WITH x AS (SELECT 1) SELECT * FROM x", PG)[..],
        [StatementKind::Other { .. }]
    ));
}

#[test]
fn set_timeouts() {
    let timeout = |setting: &str, value: &str, local| StatementKind::SetTimeout {
        setting: setting.to_owned(),
        value: value.to_owned(),
        local,
    };
    assert_eq!(
        kinds(
            "SET lock_timeout = '2s'; SET LOCAL lock_timeout TO '5s'; \
             SET SESSION statement_timeout = 5000; SET Lock_Timeout TO DEFAULT; \
             SET search_path = app",
            PG
        ),
        vec![
            timeout("lock_timeout", "2s", false),
            timeout("lock_timeout", "5s", true),
            timeout("statement_timeout", "5000", false),
            timeout("lock_timeout", "DEFAULT", false),
            other("SET"),
        ]
    );
}

#[test]
fn alter_type_add_and_rename_value() {
    let alter = |action| StatementKind::AlterEnum {
        type_name: lit("mood"),
        action,
    };
    assert_eq!(
        kinds(
            "ALTER TYPE mood ADD VALUE 'meh'; \
             ALTER TYPE public.mood ADD VALUE IF NOT EXISTS 'ok' BEFORE 'meh'; \
             ALTER TYPE mood ADD VALUE 'great' AFTER 'ok'; \
             ALTER TYPE mood RENAME VALUE 'meh' TO 'so-so'; \
             ALTER TYPE mood RENAME TO feeling",
            PG
        ),
        vec![
            alter(EnumAction::AddValue {
                value: "meh".to_owned(),
                if_not_exists: false
            }),
            alter(EnumAction::AddValue {
                value: "ok".to_owned(),
                if_not_exists: true
            }),
            alter(EnumAction::AddValue {
                value: "great".to_owned(),
                if_not_exists: false
            }),
            alter(EnumAction::RenameValue {
                from: "meh".to_owned(),
                to: "so-so".to_owned()
            }),
            other("ALTER TYPE"),
        ]
    );
}

#[test]
fn create_and_drop_enum_types() {
    assert_eq!(
        kinds(
            "CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TYPE pair AS (a int, b int); DROP TYPE IF EXISTS mood, pair",
            PG
        ),
        vec![
            StatementKind::CreateEnum {
                type_name: lit("mood"),
                values: vec!["sad".to_owned(), "ok".to_owned()],
            },
            other("CREATE TYPE"),
            StatementKind::DropType {
                type_name: lit("mood")
            },
            StatementKind::DropType {
                type_name: lit("pair")
            },
        ]
    );
}

#[test]
fn reindex_is_recognised_without_the_parser() {
    assert_eq!(
        kinds(
            "REINDEX TABLE t; REINDEX INDEX public.ix; REINDEX INDEX CONCURRENTLY ix; \
             REINDEX (VERBOSE) TABLE t; REINDEX (CONCURRENTLY) TABLE t; \
             REINDEX (CONCURRENTLY false) TABLE t; REINDEX DATABASE",
            PG
        ),
        vec![
            locking("REINDEX TABLE"),
            locking("REINDEX INDEX"),
            other("REINDEX INDEX CONCURRENTLY"),
            locking("REINDEX TABLE"),
            other("REINDEX TABLE CONCURRENTLY"),
            locking("REINDEX TABLE"),
            locking("REINDEX DATABASE"),
        ]
    );
}

#[test]
fn vacuum_full_cluster_lock_and_detach_partition_lock_the_table() {
    assert_eq!(
        kinds(
            "VACUUM FULL t; VACUUM (FULL, ANALYZE) t; VACUUM FULL ANALYZE t (a), u; \
             VACUUM t; VACUUM (FULL false) t; \
             CLUSTER t USING ix; CLUSTER; CLUSTER VERBOSE t; \
             LOCK TABLE t IN SHARE MODE; LOCK TABLE ONLY \"User\", v; \
             ALTER TABLE t DETACH PARTITION p; ALTER TABLE t DETACH PARTITION p CONCURRENTLY",
            PG
        ),
        vec![
            locking("VACUUM FULL"),
            locking("VACUUM FULL"),
            locking("VACUUM FULL"),
            other("VACUUM"),
            other("VACUUM"),
            locking("CLUSTER"),
            locking("CLUSTER"),
            locking("CLUSTER"),
            StatementKind::LockTable {
                table: lit("t"),
                mode: "SHARE".to_owned(),
            },
            StatementKind::LockTable {
                table: lit("User"),
                mode: "ACCESS EXCLUSIVE".to_owned(),
            },
            StatementKind::LockTable {
                table: lit("v"),
                mode: "ACCESS EXCLUSIVE".to_owned(),
            },
            locking("DETACH PARTITION"),
            other("ALTER TABLE DETACH PARTITION CONCURRENTLY"),
        ]
    );
}

#[test]
fn transaction_control() {
    use TransactionControl::{Begin, Commit, Rollback};
    assert_eq!(
        kinds("BEGIN; COMMIT; START TRANSACTION; ROLLBACK; END", PG),
        [Begin, Commit, Begin, Rollback, Commit]
            .map(StatementKind::Transaction)
            .to_vec()
    );
}

#[test]
fn statements_the_rules_do_not_follow_are_other() {
    assert_eq!(
        kinds(
            "SELECT 1; \
             CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $$ BEGIN NEW.a := 1; RETURN NEW; END $$ LANGUAGE plpgsql; \
             GRANT SELECT ON t TO reader; COMMENT ON TABLE t IS 'x'; CREATE EXTENSION IF NOT EXISTS pg_trgm",
            PG
        ),
        vec![
            other("SELECT"),
            other("CREATE OR REPLACE FUNCTION"),
            other("GRANT SELECT ON"),
            other("COMMENT ON TABLE"),
            other("CREATE EXTENSION IF NOT"),
        ]
    );
}
