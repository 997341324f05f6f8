//! Reading Alembic's version table (`alembic_version`) from a database,
//! read-only, from a SQLAlchemy URL: the revisions a database is stamped
//! with, in the table's order. Nothing else: where those revisions are on
//! the chain is the status stage's job.
//!
//! Read-only by construction: SQLite files are opened with
//! `SQLITE_OPEN_READ_ONLY` and `query_only`; PostgreSQL sessions start with
//! `default_transaction_read_only=on` and a statement timeout, and read in
//! a `READ ONLY` transaction, as MySQL/MariaDB sessions do; only the catalogue and the version table are
//! read, with `SELECT`. A password never appears in a
//! message: [`DatabaseUrl`] prints itself masked, and drivers' messages are
//! masked before they are kept.
//!
//! Each database is a cargo feature (`sqlite`, `postgres`, `mysql` for
//! MySQL and MariaDB; all on by default). A URL for a database this build
//! cannot read is [`DatabaseError::NotBuilt`].

mod error;
#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;
mod url;

pub use error::DatabaseError;
pub use url::{DatabaseUrl, Dialect, UrlError};

/// Where Alembic keeps the stamped revisions: `version_table` and
/// `version_table_schema` of `context.configure()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionTable {
    /// The table's name (`alembic_version` unless env.py says otherwise).
    pub name: String,
    /// The schema (PostgreSQL schema, MySQL database, SQLite attached
    /// database), if env.py sets one.
    pub schema: Option<String>,
}

impl Default for VersionTable {
    fn default() -> Self {
        Self {
            name: "alembic_version".to_owned(),
            schema: None,
        }
    }
}

impl std::fmt::Display for VersionTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{schema}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// Read the stamped revisions from `table` of the database at `url`, in
/// the table's order. A revision stamped twice, a table that is missing or
/// not Alembic's, and every connection failure are errors.
pub fn read_version_table(
    url: &DatabaseUrl,
    table: &VersionTable,
) -> Result<Vec<String>, DatabaseError> {
    let rows = read_rows(url, table)?;
    check_rows(url, table, rows)
}

/// The rows as the database's reader returns them.
#[cfg_attr(
    not(any(feature = "sqlite", feature = "postgres", feature = "mysql")),
    allow(unused_variables)
)]
fn read_rows(
    url: &DatabaseUrl,
    table: &VersionTable,
) -> Result<Vec<Option<String>>, DatabaseError> {
    match url.dialect {
        #[cfg(feature = "sqlite")]
        Dialect::Sqlite => sqlite::read(url, table),
        #[cfg(not(feature = "sqlite"))]
        Dialect::Sqlite => Err(not_built(url, "SQLite", "sqlite")),
        #[cfg(feature = "postgres")]
        Dialect::Postgres => postgres::read(url, table),
        #[cfg(not(feature = "postgres"))]
        Dialect::Postgres => Err(not_built(url, "PostgreSQL", "postgres")),
        #[cfg(feature = "mysql")]
        Dialect::MySql | Dialect::MariaDb => mysql::read(url, table),
        #[cfg(not(feature = "mysql"))]
        Dialect::MySql | Dialect::MariaDb => Err(not_built(url, "MySQL/MariaDB", "mysql")),
    }
}

/// The error for a database whose reader this build leaves out.
#[cfg(not(all(feature = "sqlite", feature = "postgres", feature = "mysql")))]
fn not_built(url: &DatabaseUrl, dialect: &'static str, feature: &'static str) -> DatabaseError {
    DatabaseError::NotBuilt {
        url: url.to_string(),
        dialect,
        feature,
    }
}

/// Every row must hold a revision id, and no id twice.
fn check_rows(
    url: &DatabaseUrl,
    table: &VersionTable,
    rows: Vec<Option<String>>,
) -> Result<Vec<String>, DatabaseError> {
    let mut ids: Vec<String> = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(id) = row else {
            return Err(DatabaseError::BadRow {
                url: url.to_string(),
                table: table.to_string(),
                what: "NULL".to_owned(),
            });
        };
        if ids.contains(&id) {
            return Err(DatabaseError::StampedTwice {
                url: url.to_string(),
                table: table.to_string(),
                id,
            });
        }
        ids.push(id);
    }
    Ok(ids)
}
