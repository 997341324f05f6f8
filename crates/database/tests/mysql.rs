//! The MySQL/MariaDB reader against a real MariaDB server, started by
//! `scripts/mariadb-server` (which `scripts/test`, and so CI, runs first).
//! Without the server these tests fail with instructions: they are never
//! skipped.
//!
//! Each test makes its own database as the server's admin, and reads it as
//! `doctor_reader`, a user with nothing but `SELECT` (on the version table
//! where there is one) and a password that needs percent-encoding.

use alembic_doctor_database::{DatabaseError, DatabaseUrl, VersionTable, read_version_table};
use mysql::prelude::Queryable;

/// `mysql://admin:<password>@127.0.0.1:<port>`.
fn admin_url() -> String {
    std::env::var("ALEMBIC_DOCTOR_TEST_MYSQL_URL").unwrap_or_else(|_| {
        panic!(
            "no test MariaDB server: run `eval \"$(scripts/mariadb-server start)\"` first \
             (scripts/test does)"
        )
    })
}

const READER_PASSWORD: &str = "r3ad@r:pw";
const READER_PASSWORD_ENCODED: &str = "r3ad%40r%3Apw";

/// A fresh database `name` set up by `statements` (as the admin), and the
/// URL the reader reads it with.
fn database(name: &str, statements: &[&str]) -> DatabaseUrl {
    let admin = admin_url();
    let mut conn =
        mysql::Conn::new(mysql::Opts::from_url(&admin).unwrap()).expect("the test server answers");
    conn.query_drop(format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    conn.query_drop(format!("CREATE DATABASE {name}")).unwrap();
    conn.query_drop(format!(
        "CREATE USER IF NOT EXISTS 'doctor_reader'@'127.0.0.1' IDENTIFIED BY '{READER_PASSWORD}'"
    ))
    .unwrap();
    conn.query_drop(format!("USE {name}")).unwrap();
    for statement in statements {
        conn.query_drop(*statement).unwrap();
    }
    let has_table: Option<String> = conn
        .query_first(format!(
            "SELECT TABLE_NAME FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = '{name}' AND TABLE_NAME = 'alembic_version'"
        ))
        .unwrap();
    let grant = if has_table.is_some() {
        format!("GRANT SELECT ON {name}.alembic_version TO 'doctor_reader'@'127.0.0.1'")
    } else {
        format!("GRANT SELECT ON {name}.* TO 'doctor_reader'@'127.0.0.1'")
    };
    conn.query_drop(grant).unwrap();
    let host = admin.rsplit_once('@').unwrap().1;
    DatabaseUrl::parse(&format!(
        "mysql+pymysql://doctor_reader:{READER_PASSWORD_ENCODED}@{host}/{name}"
    ))
    .unwrap()
}

const TABLE: &str = "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, \
                     CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))";

fn read(url: &DatabaseUrl) -> Result<Vec<String>, DatabaseError> {
    read_version_table(url, &VersionTable::default())
}

fn assert_masked(error: &DatabaseError) {
    let text = error.to_string();
    assert!(
        !text.contains(READER_PASSWORD) && !text.contains(READER_PASSWORD_ENCODED),
        "{text}"
    );
}

#[test]
fn rows_of_the_version_table() {
    let url = database(
        "t_rows",
        &[TABLE, "INSERT INTO alembic_version VALUES ('ccc'), ('ddd')"],
    );
    let mut rows = read(&url).unwrap();
    rows.sort();
    assert_eq!(rows, ["ccc", "ddd"]);
    let mut mariadb = url.clone();
    mariadb.drivername = "mariadb".to_owned();
    mariadb.dialect = alembic_doctor_database::Dialect::MariaDb;
    assert_eq!(read(&mariadb).unwrap().len(), 2);
    let url = database("t_empty_table", &[TABLE]);
    assert!(read(&url).unwrap().is_empty());
}

#[test]
fn missing_table_other_columns_and_duplicates() {
    let url = database("t_missing", &[]);
    let error = read(&url).unwrap_err();
    assert!(error.to_string().contains("no tables at all"), "{error}");
    assert_masked(&error);
    let url = database(
        "t_other",
        &["CREATE TABLE alembic_version (id INTEGER, version_num TEXT)"],
    );
    let error = read(&url).unwrap_err();
    assert!(
        matches!(&error, DatabaseError::OtherColumns { columns, .. } if columns == &["id", "version_num"]),
        "{error}"
    );
    let url = database(
        "t_twice",
        &[
            "CREATE TABLE alembic_version (version_num VARCHAR(32))",
            "INSERT INTO alembic_version VALUES ('abc'), ('abc')",
        ],
    );
    let error = read(&url).unwrap_err();
    assert!(
        matches!(&error, DatabaseError::StampedTwice { id, .. } if id == "abc"),
        "{error}"
    );
}

#[test]
fn wrong_password_and_unknown_database() {
    let url = database("t_creds", &[TABLE]);
    let wrong = DatabaseUrl::parse(&url.to_string().replace("***", "not-the-password")).unwrap();
    let error = read(&wrong).unwrap_err();
    assert!(
        matches!(error, DatabaseError::Credentials { .. }),
        "{error}"
    );
    assert!(!error.to_string().contains("not-the-password"), "{error}");
    // The reader may not see other databases: the admin asks for one that
    // does not exist.
    let mut unknown = DatabaseUrl::parse(&admin_url()).unwrap();
    unknown.database = Some("no_such_database".to_owned());
    let error = read(&unknown).unwrap_err();
    assert!(
        matches!(error, DatabaseError::UnknownDatabase { .. }),
        "{error}"
    );
}

/// The test server has no TLS: `ssl_mode=REQUIRED` fails cleanly.
#[test]
fn ssl_required_refused_without_tls() {
    let url = database(
        "t_tls",
        &[TABLE, "INSERT INTO alembic_version VALUES ('abc')"],
    );
    assert_eq!(read(&url).unwrap(), ["abc"]);
    let mut require = url.clone();
    require
        .query
        .push(("ssl_mode".to_owned(), "REQUIRED".to_owned()));
    let error = read(&require).unwrap_err();
    assert!(
        matches!(error, DatabaseError::Unreachable { .. }),
        "{error}"
    );
    assert_masked(&error);
}

/// The reader's statements in the server's general log are all reads.
#[test]
fn only_reads_reach_the_server() {
    let url = database(
        "t_readonly",
        &[TABLE, "INSERT INTO alembic_version VALUES ('abc')"],
    );
    assert_eq!(read(&url).unwrap(), ["abc"]);
    let log_path = std::env::var("ALEMBIC_DOCTOR_TEST_MYSQL_LOG")
        .expect("scripts/mariadb-server exports the log's path");
    let log = std::fs::read_to_string(log_path).unwrap();
    // Lines: `<time> <thread id> <Command> <argument>`; the reader's
    // threads are those whose Connect line names it.
    let fields = |line: &str| -> Option<(String, String, String)> {
        let parts: Vec<&str> = line.split('\t').collect();
        let at = parts.iter().position(|part| {
            let words: Vec<&str> = part.split_whitespace().collect();
            matches!(words.as_slice(), [id, command]
                if id.chars().all(|c| c.is_ascii_digit())
                    && command.chars().all(|c| c.is_ascii_alphabetic()))
        })?;
        let words: Vec<&str> = parts[at].split_whitespace().collect();
        Some((
            words[0].to_owned(),
            words[1].to_owned(),
            parts[at + 1..].join("\t").trim().to_owned(),
        ))
    };
    let lines: Vec<(String, String, String)> = log.split('\n').filter_map(fields).collect();
    let readers: Vec<&String> = lines
        .iter()
        .filter(|(_, command, argument)| {
            command == "Connect" && argument.starts_with("doctor_reader@")
        })
        .map(|(thread, _, _)| thread)
        .collect();
    assert!(!readers.is_empty(), "the log shows the reader's sessions");
    let mut statements = 0;
    for (thread, command, argument) in &lines {
        if !readers.contains(&thread) || !matches!(command.as_str(), "Query" | "Execute") {
            continue;
        }
        statements += 1;
        let upper = argument.to_ascii_uppercase();
        assert!(
            upper.starts_with("SELECT ")
                || upper.starts_with("SET SESSION MAX_")
                || upper.starts_with("SET SESSION TRANSACTION READ ONLY")
                || upper.starts_with("START TRANSACTION")
                || upper == "ROLLBACK"
                || upper.starts_with("SET TRANSACTION READ ONLY"),
            "not a read: {argument}"
        );
    }
    assert!(statements > 0, "the reader's statements are in the log");
}
