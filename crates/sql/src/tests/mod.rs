//! One test per statement shape, for PostgreSQL and for MySQL, and the
//! properties of reading as a whole (splitting, texts, never panicking).

mod mysql;
mod postgres;
mod reading;

use alembic_doctor_script::{ColumnChanges, Name, OpKind};

use crate::{Dialect, StatementKind, read_sql};

/// The kinds of the statements of `sql`.
fn kinds(sql: &str, dialect: Dialect) -> Vec<StatementKind> {
    read_sql(sql, dialect).into_iter().map(|s| s.kind).collect()
}

/// The kind of the one statement `sql` holds.
fn one(sql: &str, dialect: Dialect) -> StatementKind {
    let mut kinds = kinds(sql, dialect);
    assert_eq!(kinds.len(), 1, "{sql}: {kinds:#?}");
    kinds.remove(0)
}

/// The schema operation of the one statement `sql` holds.
fn op(sql: &str, dialect: Dialect) -> OpKind {
    match one(sql, dialect) {
        StatementKind::Op(kind) => kind,
        other => panic!("{sql}: not an operation: {other:#?}"),
    }
}

fn lit(name: &str) -> Name {
    Name::Literal(name.to_owned())
}

/// The changes of the `ALTER COLUMN` that `kind` is, on `table.column`.
fn changes(kind: OpKind, table: &str, column: &str) -> ColumnChanges {
    match kind {
        OpKind::AlterColumn {
            table: t,
            column: c,
            changes,
        } => {
            assert_eq!((t, c), (lit(table), lit(column)));
            changes
        }
        other => panic!("not an alter_column: {other:#?}"),
    }
}

fn other(summary: &str) -> StatementKind {
    StatementKind::Other {
        summary: summary.to_owned(),
    }
}

fn locking(what: &str) -> StatementKind {
    StatementKind::LockingMaintenance {
        what: what.to_owned(),
    }
}
