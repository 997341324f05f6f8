//! `op.execute("<SQL>")` must reach the rules as the same operation as the
//! equivalent `op.*` call, so that both get the same findings.
//!
//! Each pair is read twice: the call by `alembic_doctor_script`'s
//! `read_operations`, the SQL by `read_sql`, and the two [`OpKind`]s are
//! compared after [`comparable`] has removed what only one side can say.
//! The deliberate differences it removes:
//! * Python sources. A type is `sa.String(50)` in Python and `VARCHAR(50)`
//!   in SQL; a server default's `source` is `"0"` or `sa.text("now()")` in
//!   Python and the SQL itself in SQL (its `sql` is compared); expressions
//!   wrapped in `sa.text("...")` (index columns, `postgresql_where=`) are
//!   compared by their SQL.
//! * `existing_type=`: SQL does not state a column's old type.
//! * `sa.ForeignKeyConstraint(["a"], ["u.id"])` keeps its remote columns as
//!   written (`u.id`); SQL names the referenced table apart
//!   (`REFERENCES u (id)`), so remote columns are compared without the
//!   table.

use alembic_doctor_script::{
    Column, ColumnChanges, ConstraintKind, OpKind, ServerDefault, read_operations,
};
use alembic_doctor_sql::{Dialect, StatementKind, read_sql};

/// The operation `call` (one line of Python in `upgrade()`) is read into.
fn from_call(call: &str) -> OpKind {
    let source = format!(
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    {call}\n"
    );
    let upgrade = read_operations(source.as_bytes())
        .upgrade
        .expect("upgrade() is read");
    let [operation] = upgrade.operations.as_slice() else {
        panic!("{call}: {:#?}", upgrade.operations)
    };
    operation.kind.clone()
}

/// The operation the one statement of `sql` is read into.
fn from_sql(sql: &str, dialect: Dialect) -> OpKind {
    let statements = read_sql(sql, dialect);
    match statements.as_slice() {
        [statement] => match &statement.kind {
            StatementKind::Op(kind) => kind.clone(),
            other => panic!("{sql}: {other:#?}"),
        },
        _ => panic!("{sql}: {statements:#?}"),
    }
}

/// SQLAlchemy's generic types, as their SQL is spelled by `sqlparser`.
const TYPES: &[(&str, &str)] = &[
    ("sa.Integer()", "INTEGER"),
    ("sa.Integer", "INTEGER"),
    ("sa.BigInteger()", "BIGINT"),
    ("sa.Text()", "TEXT"),
    ("sa.Boolean()", "BOOLEAN"),
    ("sa.DateTime(timezone=True)", "TIMESTAMPTZ"),
    ("sa.String(length=255)", "VARCHAR(255)"),
    ("sa.String(50)", "VARCHAR(50)"),
    ("sa.String(255)", "VARCHAR(255)"),
];

fn sql_type(type_: Option<String>) -> Option<String> {
    type_.map(|source| {
        TYPES
            .iter()
            .find(|(python, _)| *python == source)
            .map_or(source, |(_, sql)| (*sql).to_owned())
    })
}

/// `sa.text("lower(email)")` → `lower(email)`; anything else unchanged.
fn unwrap_text(source: &str) -> String {
    source
        .strip_prefix("sa.text(\"")
        .and_then(|rest| rest.strip_suffix("\")"))
        .unwrap_or(source)
        .to_owned()
}

fn server_default(default: Option<ServerDefault>) -> Option<ServerDefault> {
    default.map(|default| ServerDefault {
        source: String::new(),
        ..default
    })
}

fn column(column: Column) -> Column {
    Column {
        type_: sql_type(column.type_),
        server_default: server_default(column.server_default),
        ..column
    }
}

/// `kind` without what only one side can express (see the module doc).
fn comparable(kind: OpKind) -> OpKind {
    match kind {
        OpKind::CreateTable {
            table,
            columns,
            constraints,
        } => OpKind::CreateTable {
            table,
            columns: columns.into_iter().map(column).collect(),
            constraints: constraints
                .into_iter()
                .map(|mut constraint| {
                    if let ConstraintKind::ForeignKey { remote, .. } = &mut constraint.kind {
                        for target in remote {
                            if let Some((_, column)) = target.rsplit_once('.') {
                                *target = column.to_owned();
                            }
                        }
                    }
                    constraint
                })
                .collect(),
        },
        OpKind::AddColumn { table, column: c } => OpKind::AddColumn {
            table,
            column: column(c),
        },
        OpKind::AlterColumn {
            table,
            column,
            changes,
        } => OpKind::AlterColumn {
            table,
            column,
            changes: ColumnChanges {
                type_: sql_type(changes.type_),
                // What the call restates about the column, not a change.
                existing_type: None,
                existing_nullable: None,
                keywords: Vec::new(),
                server_default: changes.server_default.map(server_default),
                ..changes
            },
        },
        OpKind::CreateIndex(mut index) => {
            index.columns = index.columns.iter().map(|c| unwrap_text(c)).collect();
            index.where_ = index.where_.as_deref().map(unwrap_text);
            OpKind::CreateIndex(index)
        }
        other => other,
    }
}

const PG: Dialect = Dialect::Postgres;
const MY: Dialect = Dialect::MySql;

/// (the `op.*` call, the equivalent SQL, its dialect).
const PAIRS: &[(&str, &str, Dialect)] = &[
    (
        r#"op.create_index("ix_user_email", "user", ["email"])"#,
        r#"CREATE INDEX ix_user_email ON "user" (email)"#,
        PG,
    ),
    (
        r#"op.create_index(op.f("ix_user_email"), "user", ["email", sa.text("lower(name)")], unique=True, postgresql_concurrently=True, if_not_exists=True, postgresql_where=sa.text("deleted_at IS NULL"))"#,
        r#"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix_user_email ON "user" (email, lower(name)) WHERE deleted_at IS NULL"#,
        PG,
    ),
    (
        r#"op.create_index("ix_t_a", "t", ["a"])"#,
        "CREATE INDEX ix_t_a ON t (a) ALGORITHM=INPLACE LOCK=NONE",
        MY,
    ),
    (
        r#"op.drop_index("ix_user_email", postgresql_concurrently=True)"#,
        "DROP INDEX CONCURRENTLY ix_user_email",
        PG,
    ),
    (
        r#"op.drop_index("ix_t_a", table_name="t")"#,
        "DROP INDEX ix_t_a ON t",
        MY,
    ),
    (
        r#"op.create_table("account", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.String(50), nullable=False, server_default="x"), sa.Column("org_id", sa.Integer(), sa.ForeignKey("org.id")), sa.UniqueConstraint("name", name="uq_account_name"), sa.ForeignKeyConstraint(["org_id"], ["org.id"], name="fk_account_org"))"#,
        "CREATE TABLE account (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL DEFAULT 'x', \
         org_id INTEGER REFERENCES org (id), CONSTRAINT uq_account_name UNIQUE (name), \
         CONSTRAINT fk_account_org FOREIGN KEY (org_id) REFERENCES org (id))",
        PG,
    ),
    (r#"op.drop_table("account")"#, "DROP TABLE account", PG),
    (
        r#"op.rename_table("account", "customer")"#,
        "ALTER TABLE account RENAME TO customer",
        PG,
    ),
    (
        r#"op.add_column("user", sa.Column("email", sa.String(255), nullable=False, server_default=""))"#,
        r#"ALTER TABLE "user" ADD COLUMN email VARCHAR(255) NOT NULL DEFAULT ''"#,
        PG,
    ),
    (
        r#"op.add_column("user", sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()))"#,
        r#"ALTER TABLE "user" ADD COLUMN created TIMESTAMPTZ DEFAULT now()"#,
        PG,
    ),
    (
        r#"op.add_column("t", sa.Column("org_id", sa.BigInteger(), sa.ForeignKey("org.id"), nullable=True))"#,
        "ALTER TABLE t ADD COLUMN org_id BIGINT NULL REFERENCES org (id)",
        PG,
    ),
    (
        r#"op.add_column("t", sa.Column("flag", sa.Boolean(), nullable=False, server_default=sa.text("false")))"#,
        "ALTER TABLE `t` ADD COLUMN `flag` BOOLEAN NOT NULL DEFAULT false",
        MY,
    ),
    (
        r#"op.drop_column("user", "email")"#,
        r#"ALTER TABLE "user" DROP COLUMN email"#,
        PG,
    ),
    (
        r#"op.alter_column("user", "email", nullable=False)"#,
        r#"ALTER TABLE "user" ALTER COLUMN email SET NOT NULL"#,
        PG,
    ),
    (
        r#"op.alter_column("user", "email", nullable=True)"#,
        r#"ALTER TABLE "user" ALTER COLUMN email DROP NOT NULL"#,
        PG,
    ),
    (
        r#"op.alter_column("user", "age", type_=sa.BigInteger(), existing_type=sa.Integer())"#,
        r#"ALTER TABLE "user" ALTER COLUMN age TYPE BIGINT"#,
        PG,
    ),
    (
        r#"op.alter_column("t", "a", type_=sa.BigInteger(), nullable=False, server_default=None)"#,
        "ALTER TABLE t MODIFY COLUMN a BIGINT NOT NULL",
        MY,
    ),
    (
        r#"op.alter_column("t", "a", new_column_name="b", type_=sa.Text(), nullable=True, server_default=None)"#,
        "ALTER TABLE t CHANGE COLUMN a b TEXT",
        MY,
    ),
    (
        r#"op.alter_column("t", "created", server_default=sa.text("now()"))"#,
        "ALTER TABLE t ALTER COLUMN created SET DEFAULT now()",
        PG,
    ),
    (
        r#"op.alter_column("t", "created", server_default=None)"#,
        "ALTER TABLE t ALTER COLUMN created DROP DEFAULT",
        PG,
    ),
    (
        r#"op.alter_column("t", "a", new_column_name="b")"#,
        "ALTER TABLE t RENAME COLUMN a TO b",
        PG,
    ),
    (
        r#"op.create_foreign_key("fk_t_u", "t", "u", ["u_id"], ["id"], postgresql_not_valid=True)"#,
        "ALTER TABLE t ADD CONSTRAINT fk_t_u FOREIGN KEY (u_id) REFERENCES u (id) NOT VALID",
        PG,
    ),
    (
        r#"op.create_foreign_key("fk_t_u", "t", "u", ["u_id"], ["id"])"#,
        "ALTER TABLE t ADD CONSTRAINT fk_t_u FOREIGN KEY (u_id) REFERENCES u (id)",
        MY,
    ),
    (
        r#"op.create_check_constraint("ck_t_a", "t", "a > 0", postgresql_not_valid=True)"#,
        "ALTER TABLE t ADD CONSTRAINT ck_t_a CHECK (a > 0) NOT VALID",
        PG,
    ),
    (
        r#"op.create_unique_constraint("uq_t_a_b", "t", ["a", "b"])"#,
        "ALTER TABLE t ADD CONSTRAINT uq_t_a_b UNIQUE (a, b)",
        PG,
    ),
    (
        r#"op.create_primary_key("pk_t", "t", ["id"])"#,
        "ALTER TABLE t ADD CONSTRAINT pk_t PRIMARY KEY (id)",
        PG,
    ),
    (
        r#"op.drop_constraint("fk_t_u", "t")"#,
        "ALTER TABLE t DROP CONSTRAINT fk_t_u",
        PG,
    ),
    (
        r#"op.drop_constraint("fk_t_u", "t", type_="foreignkey")"#,
        "ALTER TABLE t DROP FOREIGN KEY fk_t_u",
        MY,
    ),
];

#[test]
fn sql_and_the_equivalent_op_call_are_the_same_operation() {
    let mut mismatches = Vec::new();
    for (call, sql, dialect) in PAIRS {
        let (expected, actual) = (
            comparable(from_call(call)),
            comparable(from_sql(sql, *dialect)),
        );
        if expected != actual {
            mismatches.push(format!(
                "{call}\n{sql}\n  op call: {expected:?}\n  SQL:     {actual:?}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n\n"));
}

#[test]
fn the_normalisation_keeps_what_the_rules_read() {
    // A pair that differs in what a rule reads must still differ once
    // normalised: the helper does not paper over real differences.
    let call = comparable(from_call(r#"op.create_index("ix", "t", ["a"])"#));
    let concurrent = comparable(from_sql("CREATE INDEX CONCURRENTLY ix ON t (a)", PG));
    assert_ne!(call, concurrent);
    let nullable = comparable(from_call(
        r#"op.add_column("t", sa.Column("a", sa.Integer(), nullable=True))"#,
    ));
    let not_null = comparable(from_sql("ALTER TABLE t ADD COLUMN a INTEGER NOT NULL", PG));
    assert_ne!(nullable, not_null);
}
