//! `alembic-doctor status`, and `report`, `compare` and `fix rebase` with
//! a deployed database, end to end on the PostgreSQL and MariaDB servers
//! that `scripts/test` starts (`scripts/postgres-server`,
//! `scripts/mariadb-server`); without them these tests fail, never skip.
//! The readers themselves are tested in crates/database/tests.

mod common;

use alembic_doctor_testkit::GitProject;
use common::{RunDoctor, strings};

fn server_url(variable: &str, script: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| {
        panic!("no test server: run `eval \"$({script} start)\"` first (scripts/test does)")
    })
}

/// aaa <- bbb <- ccc, as `GitProject` writes migrations.
fn chain() -> GitProject {
    let project = GitProject::new();
    project.migration("bbb", Some("aaa"), "bbb.py");
    project.migration("ccc", Some("bbb"), "ccc.py");
    project.commit("chain");
    project
}

fn check(project: &GitProject, url: &str, dialect: &str, password: &str) {
    let (code, json) = project.json_of("status", &["--database-url", url]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["database"]["dialect"], dialect);
    assert_eq!(strings(&json["current"]), ["aaa"]);
    assert_eq!(strings(&json["pending"]), ["bbb", "ccc"]);
    assert_eq!(strings(&json["pending_head"]), ["bbb", "ccc"]);
    assert!(!json.to_string().contains(password), "{json}");
    // A wrong password: exit 2, and neither password printed.
    let wrong = url.replacen(password, "wrong-pw-1", 1);
    let (code, stdout, stderr) = project.run(&["status", "--database-url", &wrong]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("refused the credentials"), "{stderr}");
    assert!(
        !stderr.contains("wrong-pw-1") && !stderr.contains(password),
        "{stderr}"
    );
}

#[test]
fn postgres() {
    let admin = server_url(
        "ALEMBIC_DOCTOR_TEST_POSTGRES_URL",
        "scripts/postgres-server",
    );
    let mut client =
        postgres::Client::connect(&format!("{admin}/postgres"), postgres::NoTls).unwrap();
    client
        .batch_execute("DROP DATABASE IF EXISTS cli_status")
        .unwrap();
    client.batch_execute("CREATE DATABASE cli_status").unwrap();
    let mut client =
        postgres::Client::connect(&format!("{admin}/cli_status"), postgres::NoTls).unwrap();
    client
        .batch_execute(
            "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY); \
             INSERT INTO alembic_version VALUES ('aaa');",
        )
        .unwrap();
    let password = admin
        .split_once("postgres:")
        .unwrap()
        .1
        .split_once('@')
        .unwrap()
        .0;
    check(
        &chain(),
        &format!("{admin}/cli_status"),
        "postgresql",
        password,
    );
}

#[test]
fn mariadb() {
    use mysql::prelude::Queryable;
    let admin = server_url("ALEMBIC_DOCTOR_TEST_MYSQL_URL", "scripts/mariadb-server");
    let mut conn = mysql::Conn::new(mysql::Opts::from_url(&admin).unwrap()).unwrap();
    conn.query_drop("DROP DATABASE IF EXISTS cli_status")
        .unwrap();
    conn.query_drop("CREATE DATABASE cli_status").unwrap();
    conn.query_drop(
        "CREATE TABLE cli_status.alembic_version (version_num VARCHAR(32) PRIMARY KEY)",
    )
    .unwrap();
    conn.query_drop("INSERT INTO cli_status.alembic_version VALUES ('aaa')")
        .unwrap();
    let password = admin
        .split_once("admin:")
        .unwrap()
        .1
        .split_once('@')
        .unwrap()
        .0;
    let url = admin.replacen("mysql://", "mariadb+mariadbconnector://", 1);
    check(&chain(), &format!("{url}/cli_status"), "mariadb", password);
}

/// main: aaa <- bbb <- ccc; `feature` (checked out) adds ddd on ccc.
fn feature() -> GitProject {
    let project = chain();
    project.branch("feature", "main");
    project.migration("ddd", Some("ccc"), "ddd.py");
    project.commit("feature");
    project
}

/// main: aaa <- bbb <- ccc; `work` (checked out) forked eee from bbb and
/// merged main since: `fix rebase eee --onto ccc` makes it linear.
fn forked() -> GitProject {
    let project = GitProject::new();
    project.migration("bbb", Some("aaa"), "bbb.py");
    project.commit("bbb");
    project.branch("work", "main");
    project.migration("eee", Some("bbb"), "eee.py");
    project.commit("eee");
    project.checkout("main");
    project.migration("ccc", Some("bbb"), "ccc.py");
    project.commit("ccc");
    project.checkout("work");
    project.git(&["merge", "-q", "--no-edit", "main"]);
    project
}

const CLI_READER_PASSWORD: &str = "cli-r3ader@pw";
const CLI_READER_PASSWORD_ENCODED: &str = "cli-r3ader%40pw";

/// Every command that reads a database, run as a PostgreSQL user with
/// nothing but `SELECT` on the version table: `status`, `compare` and
/// `report` start the path at its row, `fix rebase` goes ahead while the
/// database has not applied the revision and refuses once it has; no
/// output names the password; and the server's statement log
/// (`log_statement=all`) shows that user's sessions did nothing but read.
#[test]
fn postgres_commands_only_read_as_a_select_only_user() {
    let admin = server_url(
        "ALEMBIC_DOCTOR_TEST_POSTGRES_URL",
        "scripts/postgres-server",
    );
    let mut client =
        postgres::Client::connect(&format!("{admin}/postgres"), postgres::NoTls).unwrap();
    client
        .batch_execute("DROP DATABASE IF EXISTS cli_paths")
        .unwrap();
    client.batch_execute("CREATE DATABASE cli_paths").unwrap();
    // Shared by every run against this server; it may exist already.
    let _ = client.batch_execute(&format!(
        "CREATE ROLE doctor_cli_reader LOGIN PASSWORD '{CLI_READER_PASSWORD}'"
    ));
    let mut owner =
        postgres::Client::connect(&format!("{admin}/cli_paths"), postgres::NoTls).unwrap();
    owner
        .batch_execute(
            "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY); \
             INSERT INTO alembic_version VALUES ('bbb'); \
             CREATE TABLE account (id INTEGER); \
             GRANT USAGE ON SCHEMA public TO doctor_cli_reader; \
             GRANT SELECT ON alembic_version TO doctor_cli_reader;",
        )
        .unwrap();
    let host = admin.rsplit_once('@').unwrap().1;
    let url =
        format!("postgresql://doctor_cli_reader:{CLI_READER_PASSWORD_ENCODED}@{host}/cli_paths");
    // The user really can do nothing else.
    let mut reader = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    for write in [
        "INSERT INTO alembic_version VALUES ('zzz')",
        "DELETE FROM alembic_version",
        "SELECT * FROM account",
    ] {
        let error = reader.batch_execute(write).unwrap_err();
        assert_eq!(
            error.code(),
            Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
            "{write}: {error:?}"
        );
    }
    drop(reader);
    // What the commands below send starts here in the statement log.
    let log_path = std::env::var("ALEMBIC_DOCTOR_TEST_POSTGRES_LOG")
        .expect("scripts/postgres-server exports the log's path");
    let log_start = std::fs::read(&log_path).unwrap().len();
    let no_password = |text: &str| {
        assert!(
            !text.contains(CLI_READER_PASSWORD) && !text.contains(CLI_READER_PASSWORD_ENCODED),
            "{text}"
        );
    };

    let project = feature();
    let (code, stdout, stderr) = project.run(&["status", "--database-url", &url]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    no_password(&stdout);
    let (code, json) = project.json(&["main", "--database-url", &url]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(strings(&json["path"]), ["ccc", "ddd"]);
    assert_eq!(json["database"]["dialect"], "postgresql");
    no_password(&json.to_string());
    let (code, report, stderr) = project.run(&["report", "main", "--database-url", &url]);
    assert_eq!(code, 0, "{report}{stderr}");
    let masked = format!("postgresql://doctor_cli_reader:***@{host}/cli_paths");
    assert!(
        report.contains(&format!(
            "**Current state:** Database at revision `bbb` (read from `alembic_version` in \
             `{masked}`, the URL from `--database-url`)"
        )),
        "{report}"
    );
    no_password(&report);

    let project = forked();
    let rebase = |url: &str| {
        project.run(&[
            "fix",
            "rebase",
            "eee",
            "--onto",
            "ccc",
            "--base",
            "main",
            "--dry-run",
            "--database-url",
            url,
        ])
    };
    let (code, stdout, stderr) = rebase(&url);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("`eee` now follows `ccc`"), "{stdout}");
    owner
        .batch_execute("UPDATE alembic_version SET version_num = 'eee'")
        .unwrap();
    let (code, stdout, stderr) = rebase(&url);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!("`eee` is applied on the database at {masked}")),
        "{stderr}"
    );
    no_password(&stderr);

    let log = std::fs::read(&log_path).unwrap();
    let log = String::from_utf8_lossy(&log[log_start..]);
    let reads: Vec<&str> = log
        .split('\n')
        .filter(|line| line.starts_with("user=doctor_cli_reader "))
        .filter_map(|line| {
            line.split_once("statement: ")
                .or_else(|| line.split_once("execute "))
                .map(|(_, statement)| statement)
        })
        .collect();
    // status, compare, report and two rebases each read the version table.
    let version_reads = reads
        .iter()
        .filter(|statement| statement.contains("alembic_version"))
        .count();
    assert!(version_reads >= 5, "{reads:#?}");
    for statement in reads {
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

/// `report` with a MariaDB database: the current state line names it,
/// masked.
#[test]
fn mariadb_report_starts_at_the_database() {
    use mysql::prelude::Queryable;
    let admin = server_url("ALEMBIC_DOCTOR_TEST_MYSQL_URL", "scripts/mariadb-server");
    let mut conn = mysql::Conn::new(mysql::Opts::from_url(&admin).unwrap()).unwrap();
    conn.query_drop("DROP DATABASE IF EXISTS cli_paths")
        .unwrap();
    conn.query_drop("CREATE DATABASE cli_paths").unwrap();
    conn.query_drop("CREATE TABLE cli_paths.alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        .unwrap();
    conn.query_drop("INSERT INTO cli_paths.alembic_version VALUES ('bbb')")
        .unwrap();
    let password = admin
        .split_once("admin:")
        .unwrap()
        .1
        .split_once('@')
        .unwrap()
        .0;
    let host = admin.rsplit_once('@').unwrap().1;
    let url = format!("mariadb://admin:{password}@{host}/cli_paths");
    let project = feature();
    let (code, report, stderr) = project.run(&["report", "main", "--database-url", &url]);
    assert_eq!(code, 0, "{report}{stderr}");
    assert!(
        report.contains(&format!(
            "**Current state:** Database at revision `bbb` (read from `alembic_version` in \
             `mariadb://admin:***@{host}/cli_paths`"
        )),
        "{report}"
    );
    assert!(report.contains("apply 2 revisions"), "{report}");
    assert!(!report.contains(password), "{report}");
}
