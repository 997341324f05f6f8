//! What can go wrong reading the version table. Every message names the
//! database by its masked URL and says what to do; none holds the password
//! (driver messages are masked before they are stored).

use crate::url::UrlError;

/// Why the version table could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DatabaseError {
    /// The URL itself is wrong.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// This build has no reader for the database.
    #[error(
        "{url}: this alembic-doctor was built without {dialect} support \
         (cargo feature `{feature}`)"
    )]
    NotBuilt {
        /// The masked URL.
        url: String,
        /// The dialect's name.
        dialect: &'static str,
        /// The cargo feature that adds it.
        feature: &'static str,
    },
    /// No server answers, or the file cannot be opened.
    #[error("cannot reach the database {url}: {reason}")]
    Unreachable {
        /// The masked URL.
        url: String,
        /// The driver's reason, masked.
        reason: String,
    },
    /// The server refused the user name or password.
    #[error("the database {url} refused the credentials: {reason}")]
    Credentials {
        /// The masked URL.
        url: String,
        /// The driver's reason, masked.
        reason: String,
    },
    /// The server (or the file system) has no such database.
    #[error("the database {url} does not exist: {reason}")]
    UnknownDatabase {
        /// The masked URL.
        url: String,
        /// The driver's reason, masked.
        reason: String,
    },
    /// The version table is not there.
    #[error(
        "the database {url} has no version table `{table}`: {}",
        if tables.is_empty() {
            "it has no tables at all (an empty database: nothing was ever migrated \
             here, or the URL names another database)".to_owned()
        } else {
            format!(
                "its tables are {}; if env.py sets `version_table` or \
                 `version_table_schema`, pass the same with --version-table / \
                 --version-table-schema (or set them in [tool.alembic-doctor])",
                tables.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
            )
        }
    )]
    MissingTable {
        /// The masked URL.
        url: String,
        /// The table looked for, with its schema.
        table: String,
        /// The tables that are there (at most a few dozen).
        tables: Vec<String>,
    },
    /// A table of that name that is not Alembic's.
    #[error(
        "the table `{table}` in {url} is not an Alembic version table: its columns are {} \
         (Alembic's has the one column `version_num`); if env.py sets another \
         `version_table`, pass it with --version-table",
        columns.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
    )]
    OtherColumns {
        /// The masked URL.
        url: String,
        /// The table, with its schema.
        table: String,
        /// Its columns, in order.
        columns: Vec<String>,
    },
    /// One revision in two rows: Alembic's own bookkeeping never does that.
    #[error(
        "the version table `{table}` in {url} holds `{id}` twice; Alembic cannot \
         upgrade from there (it updates one row per step). Delete one of the rows, \
         or run `alembic stamp --purge <revision>` after checking which revisions \
         really ran"
    )]
    StampedTwice {
        /// The masked URL.
        url: String,
        /// The table, with its schema.
        table: String,
        /// The revision stamped twice.
        id: String,
    },
    /// A row whose `version_num` is NULL or not text.
    #[error("the version table `{table}` in {url} has a row whose version_num is {what}")]
    BadRow {
        /// The masked URL.
        url: String,
        /// The table, with its schema.
        table: String,
        /// `NULL`, `a number`...
        what: String,
    },
    /// Any other failure of a query.
    #[error("cannot read the version table of {url}: {reason}")]
    Query {
        /// The masked URL.
        url: String,
        /// The driver's reason, masked.
        reason: String,
    },
}
