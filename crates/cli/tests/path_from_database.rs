//! `compare` and `report` starting the migration path at a database's
//! version table (`--database-url`, `ALEMBIC_DOCTOR_DATABASE_URL`), and
//! `fix rebase` refusing what that database has applied, on SQLite files.
//! The same on the PostgreSQL and MariaDB test servers is in
//! `status_servers.rs`.

mod common;

use alembic_doctor_testkit::GitProject;
use common::{RunDoctor, strings};

/// A SQLite database `name` in the project, its version table holding
/// `rows` (created as Alembic creates it).
fn stamp(project: &GitProject, name: &str, rows: &[&str]) {
    let path = project.path.join(name);
    let _ = std::fs::remove_file(&path);
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection
        .execute_batch(
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, \
             CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));",
        )
        .unwrap();
    for row in rows {
        connection
            .execute("INSERT INTO alembic_version VALUES (?1)", [row])
            .unwrap();
    }
}

/// main: aaa <- bbb <- ccc; `feature` (checked out) adds ddd on ccc. The
/// databases are not committed (git ignores them).
fn feature() -> GitProject {
    let project = GitProject::new();
    project.write(".gitignore", "*.db\n");
    project.migration("bbb", Some("aaa"), "bbb.py");
    project.migration("ccc", Some("bbb"), "ccc.py");
    project.commit("main");
    project.branch("feature", "main");
    project.migration("ddd", Some("ccc"), "ddd.py");
    project.commit("feature");
    project
}

/// The line of the report's migration path that says where the database is.
fn current_state(report: &str) -> &str {
    report
        .lines()
        .find(|line| line.contains("Current state:"))
        .unwrap_or_else(|| panic!("no current state line:\n{report}"))
}

#[test]
fn the_path_starts_at_the_database() {
    let project = feature();
    stamp(&project, "prod.db", &["bbb"]);
    // Without a database: from main's head.
    let (code, json) = project.json(&["main"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(strings(&json["path"]), ["ddd"]);
    assert!(json["database"].is_null(), "{json}");

    let (code, json) = project.json(&["main", "--database-url", "sqlite:///prod.db"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(strings(&json["path"]), ["ccc", "ddd"]);
    assert!(json["from"].is_null(), "{json}");
    assert_eq!(strings(&json["from_revisions"]), ["bbb"]);
    assert_eq!(json["database"]["url"], "sqlite:///prod.db");
    assert_eq!(json["database"]["url_origin"], "--database-url");
    assert_eq!(json["database"]["version_table"], "alembic_version");
    assert_eq!(strings(&json["database"]["current"]), ["bbb"]);
    assert!(strings(&json["database"]["unknown"]).is_empty());
    // main's revision the database has not run goes out with the merge.
    let pending: Vec<&str> = json["pending_notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|notes| notes["revision"].as_str().unwrap())
        .collect();
    assert_eq!(pending, ["ccc"]);

    let (code, stdout, stderr) =
        project.run(&["compare", "main", "--database-url", "sqlite:///prod.db"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(
            "upgrade path from the database at sqlite:///prod.db (URL from --database-url; \
             alembic_version: bbb): ccc -> ddd"
        ),
        "{stdout}"
    );

    let (code, report, stderr) =
        project.run(&["report", "main", "--database-url", "sqlite:///prod.db"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        current_state(&report),
        "1. **Current state:** Database at revision `bbb` (read from `alembic_version` in \
         `sqlite:///prod.db`, the URL from `--database-url`)"
    );
    assert!(report.contains("apply 2 revisions"), "{report}");
    // The same database from the environment.
    let output = project
        .command(common::BIN)
        .args(["report", "main", "--format", "text"])
        .env("ALEMBIC_DOCTOR_DATABASE_URL", "sqlite:///prod.db")
        .output()
        .unwrap();
    let report = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(
        current_state(&report).ends_with("the URL from ALEMBIC_DOCTOR_DATABASE_URL)"),
        "{report}"
    );
}

#[test]
fn an_empty_database_runs_everything() {
    let project = feature();
    stamp(&project, "prod.db", &[]);
    let (code, json) = project.json(&["main", "--database-url", "sqlite:///prod.db"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(strings(&json["path"]), ["aaa", "bbb", "ccc", "ddd"]);
    let (_, report, _) = project.run(&["report", "main", "--database-url", "sqlite:///prod.db"]);
    assert!(
        current_state(&report).contains("Empty database: no revision stamped"),
        "{report}"
    );
}

/// `sqlalchemy.url` names a development database: `report` does not read
/// it (only `status` does).
#[test]
fn sqlalchemy_url_is_not_read() {
    let project = feature();
    project.write(
        "alembic.ini",
        "[alembic]\nscript_location = migrations\nsqlalchemy.url = sqlite:///dev.db\n",
    );
    let (code, json) = project.json(&["main"]);
    assert_eq!(code, 0, "{json}");
    assert!(json["database"].is_null(), "{json}");
    assert_eq!(strings(&json["path"]), ["ddd"]);
}

/// `--from` and `--database-url` both say where the database is: refused.
/// `--from` with the environment variable set (CI may set it for every
/// job): `--from` wins, the database is not read, and a note says so.
#[test]
fn from_and_a_database() {
    let project = feature();
    stamp(&project, "prod.db", &["bbb"]);
    let (code, _, stderr) = project.run(&[
        "report",
        "main",
        "--from",
        "aaa",
        "--database-url",
        "sqlite:///prod.db",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot be used with"), "{stderr}");
    let output = project
        .command(common::BIN)
        .args(["compare", "main", "--from", "aaa", "--format", "json"])
        .env("ALEMBIC_DOCTOR_DATABASE_URL", "sqlite:///missing.db")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr
            .contains("--from aaa given: the database in ALEMBIC_DOCTOR_DATABASE_URL is not read"),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(strings(&json["path"]), ["bbb", "ccc", "ddd"]);
    assert!(json["database"].is_null(), "{json}");
}

/// A database stamped with a revision from a branch never merged: the
/// path is Alembic's error, not a crash; the report names the row, the
/// finding its likely cause (the branch), and the run exits 1.
#[test]
fn an_unknown_stamped_revision_is_reported() {
    let project = feature();
    project.branch("hotfix", "main");
    project.migration("eee", Some("ccc"), "eee_hotfix.py");
    project.commit("hotfix eee");
    project.checkout("feature");
    stamp(&project, "prod.db", &["eee"]);
    let (code, json) = project.json(&["main", "--database-url", "sqlite:///prod.db"]);
    assert_eq!(code, 1, "{json}");
    assert!(json["path"].is_null(), "{json}");
    assert_eq!(
        json["path_error"],
        "Can't locate revision identified by 'eee'"
    );
    assert_eq!(strings(&json["database"]["unknown"]), ["eee"]);
    let finding = json["merged"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "database-unknown-revision")
        .unwrap_or_else(|| panic!("no database-unknown-revision finding: {json}"));
    let message = finding["message"].as_str().unwrap();
    assert!(message.contains("`eee`"), "{message}");
    assert!(message.contains("hotfix"), "{message}");

    let (code, report, stderr) =
        project.run(&["report", "main", "--database-url", "sqlite:///prod.db"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        current_state(&report).contains("`eee` (no migration file declares it)"),
        "{report}"
    );
    assert!(
        report.contains("would fail: Can't locate revision identified by 'eee'"),
        "{report}"
    );
    assert!(report.contains("database-unknown-revision"), "{report}");
}

/// Every failure to read the database exits 2, never printing the
/// password; the check asked for is never skipped.
#[test]
fn an_unreadable_database_is_an_error() {
    let project = feature();
    let (code, stdout, stderr) =
        project.run(&["report", "main", "--database-url", "sqlite:///missing.db"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("does not exist"), "{stderr}");
    // Nothing listens on port 1 of the loopback interface.
    let (code, stdout, stderr) = project.run(&[
        "compare",
        "main",
        "--database-url",
        "postgresql://scott:tiger-secret@127.0.0.1:1/app",
    ]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("scott:***@"), "{stderr}");
    assert!(!stderr.contains("tiger-secret"), "{stderr}");
    // A project table that is not Alembic's.
    let connection = rusqlite::Connection::open(project.path.join("other.db")).unwrap();
    connection
        .execute_batch("CREATE TABLE users (id INTEGER);")
        .unwrap();
    let (code, _, stderr) =
        project.run(&["report", "main", "--database-url", "sqlite:///other.db"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--version-table"), "{stderr}");
}

/// `--version-table` names the table, as env.py's `version_table`.
#[test]
fn another_version_table() {
    let project = feature();
    let connection = rusqlite::Connection::open(project.path.join("prod.db")).unwrap();
    connection
        .execute_batch(
            "CREATE TABLE my_versions (version_num VARCHAR(32) PRIMARY KEY); \
             INSERT INTO my_versions VALUES ('ccc');",
        )
        .unwrap();
    let (code, json) = project.json(&[
        "main",
        "--database-url",
        "sqlite:///prod.db",
        "--version-table",
        "my_versions",
    ]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["database"]["version_table"], "my_versions");
    assert_eq!(strings(&json["path"]), ["ddd"]);
}

/// main: aaa <- bbb <- ccc; `work` (checked out) forked ddd from bbb and
/// has merged main since: ddd and ccc are both heads. `fix rebase ddd
/// --onto ccc` would make the chain linear.
fn forked() -> GitProject {
    let project = GitProject::new();
    project.write(".gitignore", "*.db\n");
    project.migration("bbb", Some("aaa"), "bbb.py");
    project.commit("bbb");
    project.branch("work", "main");
    project.migration("ddd", Some("bbb"), "ddd.py");
    project.commit("ddd");
    project.checkout("main");
    project.migration("ccc", Some("bbb"), "ccc.py");
    project.commit("ccc");
    project.checkout("work");
    project.git(&["merge", "-q", "--no-edit", "main"]);
    project
}

const REBASE: &[&str] = &[
    "fix",
    "rebase",
    "ddd",
    "--onto",
    "ccc",
    "--base",
    "main",
    "--dry-run",
];

fn rebase_with(project: &GitProject, extra: &[&str]) -> (i32, String, String) {
    let mut args = REBASE.to_vec();
    args.extend_from_slice(extra);
    project.run(&args)
}

#[test]
fn rebase_refuses_what_the_database_applied() {
    let project = forked();
    // A database at ddd has applied it: re-parenting would strand it.
    stamp(&project, "prod.db", &["ddd"]);
    let (code, stdout, stderr) = rebase_with(&project, &["--database-url", "sqlite:///prod.db"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("`ddd` is applied on the database at sqlite:///prod.db"),
        "{stderr}"
    );
    assert!(stdout.is_empty(), "{stdout}");
    // The same from the environment.
    let output = project
        .command(common::BIN)
        .args(REBASE)
        .env("ALEMBIC_DOCTOR_DATABASE_URL", "sqlite:///prod.db")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    // Below ddd too: a database at both heads.
    stamp(&project, "prod.db", &["ccc", "ddd"]);
    assert_eq!(
        rebase_with(&project, &["--database-url", "sqlite:///prod.db"]).0,
        2
    );
    // A database at ccc has not run ddd: the fix goes ahead.
    stamp(&project, "prod.db", &["ccc"]);
    let (code, stdout, stderr) = rebase_with(&project, &["--database-url", "sqlite:///prod.db"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("`ddd` now follows `ccc`"), "{stdout}");
}

/// A row no file declares: what lies below it is unknown, so nothing is
/// re-parented.
#[test]
fn rebase_refuses_a_database_it_cannot_place() {
    let project = forked();
    stamp(&project, "prod.db", &["zzz"]);
    let (code, _, stderr) = rebase_with(&project, &["--database-url", "sqlite:///prod.db"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("is stamped with `zzz`, which no migration file here declares"),
        "{stderr}"
    );
}

/// A database that was asked for and cannot be read stops the fix; the
/// configuration's `sqlalchemy.url` (a development database, here one
/// that does not exist) is not read, and a note says so.
#[test]
fn rebase_reads_only_the_database_asked_for() {
    let project = forked();
    let (code, _, stderr) = rebase_with(&project, &["--database-url", "sqlite:///missing.db"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("does not exist"), "{stderr}");
    project.write(
        "alembic.ini",
        "[alembic]\nscript_location = migrations\n\
         sqlalchemy.url = postgresql://dev:dev-secret@127.0.0.1:1/dev\n",
    );
    let (code, stdout, stderr) = rebase_with(&project, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains(
            "the database of sqlalchemy.url (postgresql://dev:***@127.0.0.1:1/dev) is not checked"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("dev-secret"), "{stderr}");
    assert!(stdout.contains("`ddd` now follows `ccc`"), "{stdout}");
}

/// The plan `compare` and `report` give for a fork never re-parents what
/// the database has run: a merge revision joins the heads instead.
#[test]
fn the_plan_merges_what_the_database_ran() {
    let project = forked();
    let kinds = |json: &serde_json::Value| -> Vec<String> {
        json["plan"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|step| step["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    stamp(&project, "prod.db", &["ccc"]);
    let (_, json) = project.json(&["main", "--database-url", "sqlite:///prod.db"]);
    assert_eq!(kinds(&json)[0], "rebase", "{json}");
    stamp(&project, "prod.db", &["ddd"]);
    let (_, json) = project.json(&["main", "--database-url", "sqlite:///prod.db"]);
    assert_eq!(kinds(&json)[0], "merge-heads", "{json}");
    let step = &json["plan"]["steps"][0];
    assert!(
        step["summary"]
            .as_str()
            .unwrap()
            .contains("`ddd` has run on the database"),
        "{step}"
    );
    assert_eq!(
        strings(&step["commands"]),
        ["alembic-doctor fix merge -m 'merge heads' ccc ddd"]
    );
}

/// `--version-table` without a database would be ignored: it is a usage
/// error that says what is missing.
#[test]
fn a_version_table_without_a_database_is_an_error() {
    let repo = GitProject::new();
    for command in ["compare", "report"] {
        let (code, stdout, stderr) = repo.run(&[command, "main", "--version-table", "versions"]);
        assert_eq!(code, 2, "{stdout}{stderr}");
        assert!(
            stderr.contains("no database was given: pass --database-url URL"),
            "{stderr}"
        );
    }
}
