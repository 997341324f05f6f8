//! `alembic-doctor status` end to end on the PostgreSQL and MariaDB servers
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
