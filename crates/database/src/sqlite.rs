//! SQLite: the file opened read-only (`SQLITE_OPEN_READ_ONLY`, and
//! `query_only` on top), never created. SQLAlchemy's `sqlite:///rel.db` is
//! relative to the current directory, `sqlite:////abs.db` absolute,
//! `sqlite://` and `:memory:` an empty in-memory database, and with
//! `?uri=true` the database is a `file:` URI.

use std::path::Path;
use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};

use crate::{DatabaseError, DatabaseUrl, VersionTable};

/// How long a read waits for a writer's lock before giving up: the
/// statement timeout of a file database.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The `version_num` of every row, in the table's (rowid) order.
pub(crate) fn read(
    url: &DatabaseUrl,
    table: &VersionTable,
) -> Result<Vec<Option<String>>, DatabaseError> {
    let shown = url.to_string();
    let query_error = |error: rusqlite::Error| DatabaseError::Query {
        url: shown.clone(),
        reason: url.mask_in(&error.to_string()),
    };
    let connection = open(url)?;
    connection.busy_timeout(BUSY_TIMEOUT).map_err(query_error)?;
    connection
        .pragma_update(None, "query_only", true)
        .map_err(query_error)?;
    let schema = table.schema.as_deref().unwrap_or("main");
    let schemas: Vec<String> =
        strings(&connection, "SELECT name FROM pragma_database_list", &[]).map_err(query_error)?;
    if !schemas.iter().any(|s| s == schema) {
        return Err(DatabaseError::Query {
            url: shown,
            reason: format!(
                "there is no attached database `{schema}` (a SQLite version_table_schema \
                 names a database that env.py attaches itself; attached here: {})",
                schemas.join(", ")
            ),
        });
    }
    let tables = strings(
        &connection,
        &format!(
            "SELECT name FROM {}.sqlite_master WHERE type = 'table' ORDER BY name",
            quote_identifier(schema)
        ),
        &[],
    )
    .map_err(query_error)?;
    if !tables.contains(&table.name) {
        return Err(DatabaseError::MissingTable {
            url: shown,
            table: table.to_string(),
            tables: tables
                .into_iter()
                .filter(|t| !t.starts_with("sqlite_"))
                .take(30)
                .collect(),
        });
    }
    let columns = strings(
        &connection,
        "SELECT name FROM pragma_table_info(?1, ?2) ORDER BY cid",
        &[&table.name, schema],
    )
    .map_err(query_error)?;
    if columns != ["version_num"] {
        return Err(DatabaseError::OtherColumns {
            url: shown,
            table: table.to_string(),
            columns,
        });
    }
    let sql = format!(
        "SELECT version_num FROM {}.{}",
        quote_identifier(schema),
        quote_identifier(&table.name)
    );
    let mut statement = connection.prepare(&sql).map_err(query_error)?;
    let values = statement
        .query_map([], |row| row.get::<_, Value>(0))
        .map_err(query_error)?
        .collect::<Result<Vec<Value>, _>>()
        .map_err(query_error)?;
    values
        .into_iter()
        .map(|value| match value {
            Value::Text(text) => Ok(Some(text)),
            Value::Null => Ok(None),
            other => Err(DatabaseError::BadRow {
                url: shown.clone(),
                table: table.to_string(),
                what: format!("{:?}, not text", other.data_type()),
            }),
        })
        .collect()
}

/// Open the database read-only; a file that does not exist is an unknown
/// database (SQLAlchemy would create an empty one; we never do).
fn open(url: &DatabaseUrl) -> Result<Connection, DatabaseError> {
    let shown = url.to_string();
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let uri = url
        .query_value("uri")
        .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes"));
    let opened = match url.database.as_deref() {
        None | Some("" | ":memory:") => Connection::open_in_memory(),
        Some(database) if uri => {
            Connection::open_with_flags(database, flags | OpenFlags::SQLITE_OPEN_URI)
        }
        Some(path) => {
            if !Path::new(path).is_file() {
                let cwd = std::env::current_dir()
                    .map(|dir| format!(" (relative to {})", dir.display()))
                    .unwrap_or_default();
                return Err(DatabaseError::UnknownDatabase {
                    url: shown,
                    reason: format!(
                        "no file `{path}`{} (`sqlite:///name.db` is relative to the current \
                         directory, `sqlite:////abs/name.db` is absolute)",
                        if Path::new(path).is_absolute() {
                            ""
                        } else {
                            &cwd
                        }
                    ),
                });
            }
            Connection::open_with_flags(path, flags)
        }
    };
    opened.map_err(|error| DatabaseError::Unreachable {
        url: shown,
        reason: url.mask_in(&error.to_string()),
    })
}

/// The first column of every row of `sql`, as text.
fn strings(
    connection: &Connection,
    sql: &str,
    params: &[&str],
) -> Result<Vec<String>, rusqlite::Error> {
    let mut statement = connection.prepare(sql)?;
    let rows = statement.query_map(rusqlite::params_from_iter(params), |row| {
        row.get::<_, String>(0)
    })?;
    rows.collect()
}

/// `"name"`, with inner quotes doubled.
fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_version_table;

    fn database(sql: &str) -> (tempfile::TempDir, DatabaseUrl) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.db");
        Connection::open(&path).unwrap().execute_batch(sql).unwrap();
        let url = DatabaseUrl::parse(&format!("sqlite:///{}", path.display())).unwrap();
        (dir, url)
    }

    const TABLE: &str =
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);";

    #[test]
    fn rows_in_table_order() {
        let (_dir, url) = database(&format!(
            "{TABLE} INSERT INTO alembic_version VALUES ('bbb'); \
             INSERT INTO alembic_version VALUES ('aaa');"
        ));
        assert_eq!(
            read_version_table(&url, &VersionTable::default()).unwrap(),
            ["bbb", "aaa"]
        );
    }

    #[test]
    fn empty_table_is_no_rows() {
        let (_dir, url) = database(TABLE);
        assert!(
            read_version_table(&url, &VersionTable::default())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn other_table_name() {
        let (_dir, url) = database(
            "CREATE TABLE my_versions (version_num VARCHAR(32) NOT NULL PRIMARY KEY); \
             INSERT INTO my_versions VALUES ('abc');",
        );
        let table = VersionTable {
            name: "my_versions".to_owned(),
            schema: None,
        };
        assert_eq!(read_version_table(&url, &table).unwrap(), ["abc"]);
        let error = read_version_table(&url, &VersionTable::default()).unwrap_err();
        assert!(
            matches!(&error, DatabaseError::MissingTable { tables, .. } if tables == &["my_versions"]),
            "{error}"
        );
        assert!(error.to_string().contains("--version-table"), "{error}");
    }

    #[test]
    fn missing_file_is_never_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.db");
        let url = DatabaseUrl::parse(&format!("sqlite:///{}", path.display())).unwrap();
        let error = read_version_table(&url, &VersionTable::default()).unwrap_err();
        assert!(
            matches!(error, DatabaseError::UnknownDatabase { .. }),
            "{error}"
        );
        assert!(!path.exists());
    }

    #[test]
    fn empty_database_says_so() {
        let error = read_version_table(
            &DatabaseUrl::parse("sqlite://").unwrap(),
            &VersionTable::default(),
        )
        .unwrap_err();
        assert!(error.to_string().contains("no tables at all"), "{error}");
    }

    #[test]
    fn a_table_that_is_not_alembics() {
        let (_dir, url) = database(
            "CREATE TABLE alembic_version (id INTEGER, version_num TEXT); \
             INSERT INTO alembic_version VALUES (1, 'abc');",
        );
        let error = read_version_table(&url, &VersionTable::default()).unwrap_err();
        assert!(
            matches!(&error, DatabaseError::OtherColumns { columns, .. } if columns == &["id", "version_num"]),
            "{error}"
        );
    }

    #[test]
    fn a_revision_stamped_twice() {
        let (_dir, url) = database(
            "CREATE TABLE alembic_version (version_num VARCHAR(32)); \
             INSERT INTO alembic_version VALUES ('abc'); \
             INSERT INTO alembic_version VALUES ('abc');",
        );
        let error = read_version_table(&url, &VersionTable::default()).unwrap_err();
        assert!(
            matches!(&error, DatabaseError::StampedTwice { id, .. } if id == "abc"),
            "{error}"
        );
    }

    #[test]
    fn reading_never_writes() {
        let (dir, url) = database(&format!(
            "{TABLE} INSERT INTO alembic_version VALUES ('a');"
        ));
        let path = dir.path().join("app.db");
        let before = std::fs::read(&path).unwrap();
        read_version_table(&url, &VersionTable::default()).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), before);
        // And the connection itself refuses writes.
        let connection = open(&url).unwrap();
        assert!(
            connection
                .execute("DELETE FROM alembic_version", [])
                .is_err()
        );
    }

    #[test]
    fn unknown_attached_schema() {
        let (_dir, url) = database(TABLE);
        let table = VersionTable {
            name: "alembic_version".to_owned(),
            schema: Some("other".to_owned()),
        };
        let error = read_version_table(&url, &table).unwrap_err();
        assert!(
            error.to_string().contains("no attached database `other`"),
            "{error}"
        );
    }
}
