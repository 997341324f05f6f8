//! What each [`Dialect`] means to `sqlparser`.

use sqlparser::dialect::{
    Dialect as ParserDialect, GenericDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect,
};

use crate::Dialect;

static POSTGRES: PostgreSqlDialect = PostgreSqlDialect {};
static MYSQL: MySqlDialect = MySqlDialect {};
static SQLITE: SQLiteDialect = SQLiteDialect {};
static GENERIC: GenericDialect = GenericDialect {};

impl Dialect {
    /// The `sqlparser` dialect that tokenises and parses this database's SQL.
    pub(crate) fn parser(self) -> &'static dyn ParserDialect {
        match self {
            Dialect::Postgres => &POSTGRES,
            Dialect::MySql => &MYSQL,
            Dialect::Sqlite => &SQLITE,
            Dialect::Generic => &GENERIC,
        }
    }

    /// Whether the server folds unquoted names to lower case. PostgreSQL
    /// does (`CREATE TABLE User` creates `user`), which is also how
    /// SQLAlchemy names reach it: a lower-case name is written unquoted.
    /// MySQL and SQLite compare names case-insensitively (or by the file
    /// system) without rewriting them, so their names stay as written.
    pub(crate) fn folds_to_lower_case(self) -> bool {
        self == Dialect::Postgres
    }
}
