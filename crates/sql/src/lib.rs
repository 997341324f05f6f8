//! The raw SQL of `op.execute("...")`, read into statements the lint rules
//! understand.
//!
//! [`read_sql`] splits a string into its statements and describes each one.
//! Schema changes are described with the very types `op.*` calls are read
//! into ([`OpKind`]), so that `op.execute("CREATE INDEX ix ON t (a)")` and
//! `op.create_index("ix", "t", ["a"])` reach the rules as the same
//! operation and get the same findings. What the operation model has no
//! place for (data changes, lock timeouts, enum values, transaction control,
//! maintenance commands that lock a table) has its own [`StatementKind`].
//!
//! This is the only crate that touches `sqlparser`: a parser upgrade changes
//! nothing outside it.
//!
//! Guarantees:
//! * Never panics, whatever the input, and takes time linear in it (one
//!   tokenisation, at most two parses of each token).
//! * Never guesses. SQL the parser rejects is [`StatementKind::Unparsed`],
//!   except for a handful of PostgreSQL and MySQL statement shapes that
//!   matter to the rules and that `sqlparser` does not know, which
//!   `fallback` recognises token by token (see there for the list and why).
//! * Names are unquoted (`"user"` and `` `user` `` are `user`). Unquoted
//!   names are folded to lower case for PostgreSQL, as the server does, and
//!   kept as written for the other dialects. A schema-qualified name keeps
//!   only its last part (`public.user` is `user`), as `op.*` calls are read
//!   without their `schema=`.

mod alter;
mod classify;
mod data;
mod dialect;
mod enums;
mod fallback;
mod names;
mod read;
mod session;
mod table;
mod tokens;

pub use alembic_doctor_script::{Name, OpKind};

/// The database the SQL is written for: it decides how the SQL is
/// tokenised (MySQL's backquotes and `#` comments, PostgreSQL's `$$`
/// strings) and how unquoted names are folded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    MySql,
    /// SQLite.
    Sqlite,
    /// Any other database, or an unknown one: a permissive mix of dialects.
    Generic,
}

/// One SQL statement of an `op.execute` string.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// What the statement does.
    pub kind: StatementKind,
    /// The statement's own SQL, trimmed, without its `;` (for messages).
    /// An `ALTER TABLE` with several sub-commands gives one statement per
    /// sub-command, each with the whole `ALTER TABLE` as its text (cut
    /// after 1,000 bytes and ended with ` ...`, so that thousands of
    /// sub-commands do not take quadratic memory).
    pub text: String,
}

/// What a [`Statement`] does.
#[derive(Debug, Clone, PartialEq)]
pub enum StatementKind {
    /// A schema change the operation model has: the same value the
    /// equivalent `op.*` call is read into.
    Op(OpKind),
    /// `ALTER TABLE t VALIDATE CONSTRAINT c`: the second step of adding a
    /// constraint `NOT VALID` (it scans the table without blocking writes).
    ValidateConstraint {
        /// The table.
        table: Name,
        /// The validated constraint.
        name: Name,
    },
    /// `ALTER TABLE t ADD CONSTRAINT c UNIQUE USING INDEX ix` (or `PRIMARY
    /// KEY USING INDEX`): the constraint takes over an index built
    /// beforehand, so the table is neither scanned nor locked for long.
    /// This is the safe recipe for a unique constraint or primary key on an
    /// existing table, so it is kept apart from
    /// [`OpKind::CreateConstraint`].
    ConstraintUsingIndex {
        /// The table.
        table: Name,
        /// The new constraint; [`Name::Unnamed`] without `CONSTRAINT name`
        /// (the constraint then takes the index's name).
        name: Name,
        /// The existing unique index.
        index: Name,
        /// `PRIMARY KEY USING INDEX` rather than `UNIQUE USING INDEX`.
        primary_key: bool,
    },
    /// Rows change: `UPDATE`, `INSERT`, `DELETE`, `MERGE`, `TRUNCATE`.
    Data {
        /// Which statement.
        action: DataAction,
        /// The table whose rows change (the target of a `MERGE`, the first
        /// table of a multi-table `DELETE`).
        table: Name,
        /// The columns an `UPDATE` sets or an `INSERT` lists; empty when
        /// the statement names none.
        columns: Vec<String>,
        /// The statement has a `WHERE` clause (always true for `MERGE`,
        /// whose `ON` condition plays that part).
        where_: bool,
        /// The columns an `UPDATE` sets to one constant on every row where
        /// they hold NULL (it has no `WHERE`, or only `WHERE col IS NULL`),
        /// each with the constant's SQL (`'x'`, `0`, `false`): a backfill
        /// that a `server_default` could have done.
        constants: Vec<(String, String)>,
    },
    /// `SET [LOCAL | SESSION | GLOBAL] lock_timeout = '2s'` and the other
    /// settings that bound how long a statement waits or runs.
    SetTimeout {
        /// `lock_timeout`, `statement_timeout` (PostgreSQL),
        /// `lock_wait_timeout` or `innodb_lock_wait_timeout` (MySQL), in
        /// lower case.
        setting: String,
        /// The value as written, a string literal unquoted (`2s`, `5000`,
        /// `DEFAULT`).
        value: String,
        /// `SET LOCAL`: only until the end of the current transaction.
        local: bool,
    },
    /// `CREATE TYPE x AS ENUM ('a', 'b')`.
    CreateEnum {
        /// The new type.
        type_name: Name,
        /// Its values, in order.
        values: Vec<String>,
    },
    /// `ALTER TYPE x ADD VALUE ...` / `ALTER TYPE x RENAME VALUE ...`.
    AlterEnum {
        /// The altered type.
        type_name: Name,
        /// The change.
        action: EnumAction,
    },
    /// `DROP TYPE x` (one statement per type dropped).
    DropType {
        /// The dropped type.
        type_name: Name,
    },
    /// `BEGIN`, `START TRANSACTION`, `COMMIT`, `ROLLBACK`: the SQL steps
    /// out of (or into) the transaction Alembic runs the migration in.
    Transaction(TransactionControl),
    /// `LOCK TABLE t IN mode MODE` (PostgreSQL) or `LOCK TABLES t READ |
    /// WRITE` (MySQL): a lock taken on purpose, held until the transaction
    /// ends (MySQL: until `UNLOCK TABLES`). One per table.
    LockTable {
        /// The locked table.
        table: Name,
        /// The lock mode in upper case: PostgreSQL's (`ACCESS EXCLUSIVE`
        /// when none is written), or MySQL's `READ` / `WRITE`.
        mode: String,
    },
    /// A maintenance command that holds a lock blocking reads or writes for
    /// as long as it runs: `REINDEX` without `CONCURRENTLY`, `VACUUM FULL`,
    /// `CLUSTER`, `DETACH PARTITION` without `CONCURRENTLY`.
    LockingMaintenance {
        /// The command (`VACUUM FULL`, `REINDEX TABLE`).
        what: String,
    },
    /// A statement that was read and changes nothing the rules follow
    /// (`SELECT`, `CREATE FUNCTION`, `GRANT`, `COMMENT ON`, ...).
    Other {
        /// Its leading keywords (`CREATE FUNCTION`).
        summary: String,
    },
    /// SQL that could not be read: the rules must treat it as opaque.
    Unparsed {
        /// Why, as the parser said it.
        error: String,
    },
}

/// The statement of a [`StatementKind::Data`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataAction {
    /// `UPDATE`.
    Update,
    /// `INSERT` (and MySQL's `REPLACE`).
    Insert,
    /// `DELETE`.
    Delete,
    /// `MERGE`.
    Merge,
    /// `TRUNCATE` (one statement per table).
    Truncate,
}

/// The change of a [`StatementKind::AlterEnum`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumAction {
    /// `ADD VALUE [IF NOT EXISTS] 'v' [BEFORE | AFTER 'w']`.
    AddValue {
        /// The new value.
        value: String,
        /// `IF NOT EXISTS`.
        if_not_exists: bool,
    },
    /// `RENAME VALUE 'a' TO 'b'`.
    RenameValue {
        /// The old value.
        from: String,
        /// The new value.
        to: String,
    },
}

/// The statement of a [`StatementKind::Transaction`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransactionControl {
    /// `BEGIN` / `START TRANSACTION`.
    Begin,
    /// `COMMIT` / `END`.
    Commit,
    /// `ROLLBACK` (also `ROLLBACK TO SAVEPOINT`).
    Rollback,
}

/// The statements of `sql`, in order, read for `dialect`.
///
/// Empty statements (`;;`, comments only) are skipped. Never panics.
///
/// ```
/// use alembic_doctor_sql::{Dialect, Name, OpKind, StatementKind, read_sql};
///
/// let statements = read_sql(
///     "SET lock_timeout = '2s'; CREATE INDEX CONCURRENTLY ix_user_email ON \"user\" (email)",
///     Dialect::Postgres,
/// );
/// assert!(matches!(&statements[0].kind, StatementKind::SetTimeout { setting, value, .. }
///     if setting == "lock_timeout" && value == "2s"));
/// let StatementKind::Op(OpKind::CreateIndex(index)) = &statements[1].kind else { panic!() };
/// assert_eq!(index.table, Name::Literal("user".to_owned()));
/// assert!(index.concurrently);
/// ```
pub fn read_sql(sql: &str, dialect: Dialect) -> Vec<Statement> {
    read::statements(sql, dialect)
}

#[cfg(test)]
mod tests;
