//! The PostgreSQL reader against a real server, started by
//! `scripts/postgres-server` (which `scripts/test`, and so CI, runs first).
//! Without the server these tests fail with instructions: they are never
//! skipped.
//!
//! Each test makes its own database as the server's superuser, and reads it
//! as `doctor_reader`, a role with nothing but `SELECT` on the version
//! table and a password with characters that need percent-encoding.

use alembic_doctor_database::{DatabaseError, DatabaseUrl, VersionTable, read_version_table};

/// `postgresql://postgres:<password>@127.0.0.1:<port>`.
fn admin_url() -> String {
    std::env::var("ALEMBIC_DOCTOR_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "no test PostgreSQL server: run `eval \"$(scripts/postgres-server start)\"` first \
             (scripts/test does)"
        )
    })
}

const READER_PASSWORD: &str = "r3ad@r:pw";
const READER_PASSWORD_ENCODED: &str = "r3ad%40r%3Apw";

/// A fresh database `name` set up by `sql` (as the superuser), and the URL
/// the reader role reads it with.
fn database(name: &str, sql: &str) -> DatabaseUrl {
    // `CREATE DATABASE` copies template1, which it wants to itself: one
    // test at a time.
    static CREATING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _creating = CREATING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let admin = admin_url();
    let mut client = postgres::Client::connect(&format!("{admin}/postgres"), postgres::NoTls)
        .expect("the test server answers");
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    // The role is shared by all tests; creating it races between them.
    let _ = client.batch_execute(&format!(
        "CREATE ROLE doctor_reader LOGIN PASSWORD '{READER_PASSWORD}'"
    ));
    let mut client =
        postgres::Client::connect(&format!("{admin}/{name}"), postgres::NoTls).unwrap();
    client.batch_execute(sql).unwrap();
    client
        .batch_execute(
            "GRANT USAGE ON SCHEMA public TO doctor_reader; \
             DO $$ BEGIN \
               IF to_regclass('alembic_version') IS NOT NULL THEN \
                 GRANT SELECT ON alembic_version TO doctor_reader; \
               END IF; \
             END $$;",
        )
        .unwrap();
    let host = admin.rsplit_once('@').unwrap().1;
    DatabaseUrl::parse(&format!(
        "postgresql+psycopg://doctor_reader:{READER_PASSWORD_ENCODED}@{host}/{name}"
    ))
    .unwrap()
}

const TABLE: &str = "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, \
                     CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));";

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
        &format!("{TABLE} INSERT INTO alembic_version VALUES ('ccc'), ('ddd');"),
    );
    let mut rows = read(&url).unwrap();
    rows.sort();
    assert_eq!(rows, ["ccc", "ddd"]);
    let url = database("t_empty_table", TABLE);
    assert!(read(&url).unwrap().is_empty());
}

#[test]
fn version_table_in_a_schema() {
    let url = database(
        "t_schema",
        "CREATE SCHEMA ops; CREATE TABLE ops.my_versions (version_num VARCHAR(32) PRIMARY KEY); \
         INSERT INTO ops.my_versions VALUES ('abc'); \
         GRANT USAGE ON SCHEMA ops TO doctor_reader; \
         GRANT SELECT ON ops.my_versions TO doctor_reader;",
    );
    let table = VersionTable {
        name: "my_versions".to_owned(),
        schema: Some("ops".to_owned()),
    };
    assert_eq!(read_version_table(&url, &table).unwrap(), ["abc"]);
}

#[test]
fn missing_table_other_columns_and_duplicates() {
    let url = database("t_missing", "");
    let error = read(&url).unwrap_err();
    assert!(error.to_string().contains("no tables at all"), "{error}");
    assert_masked(&error);
    let url = database(
        "t_other",
        "CREATE TABLE alembic_version (id INTEGER, version_num TEXT);",
    );
    let error = read(&url).unwrap_err();
    assert!(
        matches!(&error, DatabaseError::OtherColumns { columns, .. } if columns == &["id", "version_num"]),
        "{error}"
    );
    let url = database(
        "t_twice",
        "CREATE TABLE alembic_version (version_num TEXT); \
         INSERT INTO alembic_version VALUES ('abc'), ('abc');",
    );
    let error = read(&url).unwrap_err();
    assert!(
        matches!(&error, DatabaseError::StampedTwice { id, .. } if id == "abc"),
        "{error}"
    );
}

#[test]
fn wrong_password_and_unknown_database() {
    let url = database("t_creds", TABLE);
    let wrong = DatabaseUrl::parse(&url.to_string().replace("***", "not-the-password")).unwrap();
    let error = read(&wrong).unwrap_err();
    assert!(
        matches!(error, DatabaseError::Credentials { .. }),
        "{error}"
    );
    assert!(!error.to_string().contains("not-the-password"), "{error}");
    let mut unknown = url.clone();
    unknown.database = Some("no_such_database".to_owned());
    let error = read(&unknown).unwrap_err();
    assert!(
        matches!(error, DatabaseError::UnknownDatabase { .. }),
        "{error}"
    );
    assert_masked(&error);
}

/// The test server has no TLS: `sslmode=require` refuses to go on in
/// plain text, cleanly; `prefer` (the default) connects.
#[test]
fn sslmode_require_refused_without_tls() {
    let url = database(
        "t_tls",
        &format!("{TABLE} INSERT INTO alembic_version VALUES ('abc');"),
    );
    assert_eq!(read(&url).unwrap(), ["abc"]);
    let mut require = url.clone();
    require
        .query
        .push(("sslmode".to_owned(), "require".to_owned()));
    let error = read(&require).unwrap_err();
    assert!(
        matches!(error, DatabaseError::Unreachable { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("TLS"), "{error}");
    assert_masked(&error);
}

/// The reader role can only `SELECT` the version table, and the server's
/// statement log shows its sessions did nothing but read.
#[test]
fn only_reads_reach_the_server() {
    let url = database(
        "t_readonly",
        &format!("{TABLE} INSERT INTO alembic_version VALUES ('abc');"),
    );
    assert_eq!(read(&url).unwrap(), ["abc"]);
    let log_path = std::env::var("ALEMBIC_DOCTOR_TEST_POSTGRES_LOG")
        .expect("scripts/postgres-server exports the log's path");
    let log = std::fs::read_to_string(log_path).unwrap();
    let statements: Vec<&str> = log
        .split('\n')
        .filter(|line| line.starts_with("user=doctor_reader "))
        .filter_map(|line| {
            line.split_once("statement: ")
                .or_else(|| line.split_once("execute "))
                .map(|(_, statement)| statement)
        })
        .collect();
    assert!(
        !statements.is_empty(),
        "the log shows the reader's statements"
    );
    for statement in statements {
        // `execute s0: SELECT ...` names the prepared statement first.
        let statement = match statement.split_once(": ") {
            Some((name, rest)) if !name.contains(' ') => rest,
            _ => statement,
        };
        assert!(
            statement.starts_with("SELECT ")
                || statement == "START TRANSACTION READ ONLY"
                || statement == "ROLLBACK",
            "not a read: {statement}"
        );
    }
}
