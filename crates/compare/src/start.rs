//! Where the database a merge is deployed to stands, which is where the
//! migration path starts: BASE's heads (the default: production runs the
//! base branch), a revision given by hand (`--from`), or the rows of a
//! database's version table, read by the caller.

/// Where the migration path starts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Start {
    /// BASE's heads.
    #[default]
    BaseHeads,
    /// A revision symbol given by hand (`--from`), resolved in the merged
    /// chain.
    Revision(String),
    /// The rows of a database's version table.
    Database(DatabaseState),
}

/// A database's version table, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseState {
    /// The URL, its password masked.
    pub url: String,
    /// Where the URL came from (`--database-url`, an environment variable).
    pub origin: String,
    /// `postgresql`, `mysql`, `mariadb` or `sqlite`.
    pub dialect: String,
    /// The version table (`schema.name` when a schema is set).
    pub version_table: String,
    /// The stamped ids, in the table's order.
    pub rows: Vec<String>,
}

impl Start {
    /// `--from` as given, if the path starts there.
    pub fn revision(&self) -> Option<&str> {
        match self {
            Start::Revision(symbol) => Some(symbol),
            _ => None,
        }
    }

    /// The database read, if the path starts there.
    pub fn database(&self) -> Option<&DatabaseState> {
        match self {
            Start::Database(state) => Some(state),
            _ => None,
        }
    }

    /// The path does not start at BASE's heads.
    pub fn is_given(&self) -> bool {
        !matches!(self, Start::BaseHeads)
    }

    /// The single revision the database is at, when it is at exactly one
    /// (`--from`, or one row): what `alembic upgrade X:Y --sql` and
    /// `alembic downgrade X` can name.
    pub fn single(&self) -> Option<&str> {
        match self {
            Start::BaseHeads => None,
            Start::Revision(symbol) => Some(symbol),
            Start::Database(state) => match state.rows.as_slice() {
                [one] => Some(one),
                _ => None,
            },
        }
    }
}
