//! `alembic-doctor status` end to end on SQLite databases: rows placed on
//! the chain, `--check-heads`, unknown revisions with their git history,
//! stamped ancestor pairs, where the URL and the version table come from,
//! and errors (exit 2) that never print the password.

mod common;

use alembic_doctor_testkit::GitProject;
use common::{RunDoctor, strings};

/// A SQLite database `app.db` in the project, its version table holding
/// `rows` (created as Alembic creates it).
fn stamp(project: &GitProject, table: &str, rows: &[&str]) {
    let path = project.path.join("app.db");
    let _ = std::fs::remove_file(&path);
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection
        .execute_batch(&format!(
            "CREATE TABLE {table} (version_num VARCHAR(32) NOT NULL, \
             CONSTRAINT {table}_pkc PRIMARY KEY (version_num));"
        ))
        .unwrap();
    for row in rows {
        connection
            .execute(&format!("INSERT INTO {table} VALUES (?1)"), [row])
            .unwrap();
    }
}

/// aaa <- bbb <- ccc, and bbb <- ddd (label `side`): two heads.
fn two_heads() -> GitProject {
    let project = GitProject::new();
    project.write(
        "alembic.ini",
        "[alembic]\nscript_location = migrations\nsqlalchemy.url = sqlite:///app.db\n",
    );
    project.migration("bbb", Some("aaa"), "bbb.py");
    project.migration("ccc", Some("bbb"), "ccc.py");
    project.write(
        "migrations/versions/ddd.py",
        "revision = 'ddd'\ndown_revision = 'bbb'\nbranch_labels = ('side',)\n",
    );
    project.commit("two heads");
    project
}

#[test]
fn rows_placed_and_pending_in_upgrade_order() {
    let project = two_heads();
    stamp(&project, "alembic_version", &["bbb"]);
    let (code, json) = project.json_of("status", &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(strings(&json["current"]), ["bbb"]);
    assert_eq!(json["at_heads"], false);
    // Alembic's own order (checked with `alembic upgrade heads`; the
    // differential test in status_against_alembic.rs checks many more).
    assert_eq!(strings(&json["pending"]), ["ddd", "ccc"]);
    // Two heads: `alembic upgrade head` is refused.
    assert!(json["pending_head"].is_null(), "{json}");
    assert_eq!(json["database"]["url"], "sqlite:///app.db");
    assert_eq!(json["database"]["dialect"], "sqlite");
    assert_eq!(json["database"]["version_table"], "alembic_version");
    assert_eq!(json["unknown"].as_array().unwrap().len(), 0);
    assert_eq!(json["findings"].as_array().unwrap().len(), 0);

    let (code, stdout, _) = project.run(&["status"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("bbb  below head ccc, ddd"), "{stdout}");
    assert!(stdout.contains("At every head: no"), "{stdout}");
}

#[test]
fn check_heads_exits_1_until_every_head_is_stamped() {
    let project = two_heads();
    stamp(&project, "alembic_version", &["ccc"]);
    assert_eq!(project.run(&["status", "--check-heads"]).0, 1);
    assert_eq!(project.run(&["status"]).0, 0);
    stamp(&project, "alembic_version", &["ddd", "ccc"]);
    let (code, json) = project.json_of("status", &["--check-heads"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["at_heads"], true);
    assert_eq!(strings(&json["current"]), ["ddd", "ccc"]);
    assert!(strings(&json["pending"]).is_empty());
    let (_, stdout, _) = project.run(&["status"]);
    assert!(stdout.contains("ddd  a head, branch side"), "{stdout}");
}

#[test]
fn single_head_gives_pending_head() {
    let project = GitProject::new();
    project.write(
        "alembic.ini",
        "[alembic]\nscript_location = migrations\nsqlalchemy.url = sqlite:///app.db\n",
    );
    project.migration("bbb", Some("aaa"), "bbb.py");
    project.commit("one head");
    stamp(&project, "alembic_version", &[]);
    let (code, json) = project.json_of("status", &[]);
    assert_eq!(code, 0);
    assert!(strings(&json["current"]).is_empty());
    assert_eq!(strings(&json["pending"]), ["aaa", "bbb"]);
    assert_eq!(strings(&json["pending_head"]), ["aaa", "bbb"]);
}

/// A revision deployed from a branch that was never merged: the commit
/// that added it, and the branch, are named.
#[test]
fn unknown_revision_from_an_unmerged_branch() {
    let project = two_heads();
    project.branch("hotfix", "main");
    project.migration("eee", Some("ccc"), "eee_hotfix.py");
    project.commit("hotfix eee");
    project.checkout("main");
    stamp(&project, "alembic_version", &["eee", "ddd"]);
    let (code, json) = project.json_of("status", &[]);
    assert_eq!(code, 1, "{json}");
    let unknown = &json["unknown"][0];
    assert_eq!(unknown["id"], "eee");
    let cause = unknown["cause"].as_str().unwrap();
    assert!(cause.contains("hotfix"), "{cause}");
    assert!(cause.contains("deployed before being merged"), "{cause}");
    let commits = unknown["commits"].as_array().unwrap();
    assert_eq!(commits.len(), 1, "{json}");
    assert_eq!(commits[0]["summary"], "hotfix eee");
    assert_eq!(commits[0]["change"], "added");
    assert_eq!(strings(&commits[0]["branches"]), ["hotfix"]);
    assert_eq!(json["findings"][0]["rule"], "database-unknown-revision");
    // Alembic itself stops: nothing is pending.
    assert!(strings(&json["pending"]).is_empty());
    let (_, stdout, _) = project.run(&["status"]);
    assert!(
        stdout.contains("`alembic upgrade heads` would fail from this database"),
        "{stdout}"
    );
}

/// A revision whose file was deleted after it ran.
#[test]
fn unknown_revision_whose_file_was_deleted() {
    let project = two_heads();
    project.migration("eee", Some("ccc"), "eee.py");
    project.commit("add eee");
    std::fs::remove_file(project.path.join("migrations/versions/eee.py")).unwrap();
    project.commit("drop eee");
    stamp(&project, "alembic_version", &["eee"]);
    let (code, json) = project.json_of("status", &[]);
    assert_eq!(code, 1);
    let unknown = &json["unknown"][0];
    let commits = unknown["commits"].as_array().unwrap();
    assert_eq!(commits.len(), 2, "{json}");
    assert_eq!(commits[0]["change"], "removed");
    assert_eq!(commits[0]["summary"], "drop eee");
    assert_eq!(commits[1]["change"], "added");
    assert!(
        unknown["cause"].as_str().unwrap().contains("deleted"),
        "{json}"
    );
}

#[test]
fn stamped_ancestor_pair() {
    let project = two_heads();
    stamp(&project, "alembic_version", &["aaa", "ccc"]);
    let (code, json) = project.json_of("status", &[]);
    assert_eq!(code, 1, "{json}");
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{json}");
    assert_eq!(findings[0]["rule"], "database-overlapping-revisions");
    assert!(strings(&json["pending"]).is_empty());
}

#[test]
fn version_table_from_flag_and_pyproject() {
    let project = two_heads();
    stamp(&project, "my_versions", &["ccc"]);
    let (code, _, stderr) = project.run(&["status"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no version table `alembic_version`"),
        "{stderr}"
    );
    assert!(stderr.contains("`my_versions`"), "{stderr}");
    let (code, json) = project.json_of("status", &["--version-table", "my_versions"]);
    assert_eq!(code, 0);
    assert_eq!(json["database"]["version_table"], "my_versions");
    project.write(
        "pyproject.toml",
        "[tool.alembic-doctor]\nversion-table = \"my_versions\"\n",
    );
    let (code, json) = project.json_of("status", &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(strings(&json["current"]), ["ccc"]);
}

#[test]
fn url_from_flag_then_environment_then_configuration() {
    let project = two_heads();
    stamp(&project, "alembic_version", &["ccc"]);
    std::fs::copy(project.path.join("app.db"), project.path.join("other.db")).unwrap();
    let url_of = |command: &mut std::process::Command| {
        let output = command.output().unwrap();
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        json["database"]["url"].as_str().unwrap().to_owned()
    };
    assert_eq!(
        url_of(
            project
                .command(common::BIN)
                .args(["status", "--format", "json"])
        ),
        "sqlite:///app.db"
    );
    assert_eq!(
        url_of(
            project
                .command(common::BIN)
                .args(["status", "--format", "json"])
                .env("ALEMBIC_DOCTOR_DATABASE_URL", "sqlite:///other.db")
        ),
        "sqlite:///other.db"
    );
    assert_eq!(
        url_of(
            project
                .command(common::BIN)
                .args([
                    "status",
                    "--format",
                    "json",
                    "--database-url",
                    "sqlite+pysqlite:///app.db"
                ])
                .env("ALEMBIC_DOCTOR_DATABASE_URL", "sqlite:///other.db")
        ),
        "sqlite+pysqlite:///app.db"
    );
}

/// Every error exits 2 and names the database without its password.
#[test]
fn errors_exit_2_without_the_password() {
    let project = two_heads();
    stamp(&project, "alembic_version", &["ccc"]);
    for (url, expected) in [
        ("sqlite:///absent.db", "does not exist"),
        ("oracle://scott:s3cret@db/app", "cannot read"),
        // Nothing listens on port 1.
        (
            "postgresql://scott:s3cret@127.0.0.1:1/app?sslmode=disable",
            "cannot reach the database postgresql://scott:***@127.0.0.1:1/app",
        ),
        (
            "mysql+pymysql://scott:s3cret@127.0.0.1:1/app",
            "cannot reach the database mysql+pymysql://scott:***@127.0.0.1:1/app",
        ),
        ("scott:s3cret@db/app", "cannot parse"),
    ] {
        let (code, stdout, stderr) = project.run(&["status", "--database-url", url]);
        assert_eq!(code, 2, "{url}: {stdout}{stderr}");
        assert!(stderr.contains(expected), "{url}: {stderr}");
        assert!(
            !stderr.contains("s3cret") && !stdout.contains("s3cret"),
            "{stderr}"
        );
    }
    // A table that is not Alembic's, and a revision stamped twice.
    let connection = rusqlite::Connection::open(project.path.join("odd.db")).unwrap();
    connection
        .execute_batch(
            "CREATE TABLE alembic_version (id INTEGER, version_num TEXT); \
             CREATE TABLE twice (version_num TEXT); \
             INSERT INTO twice VALUES ('ccc'); INSERT INTO twice VALUES ('ccc');",
        )
        .unwrap();
    let (code, _, stderr) = project.run(&["status", "--database-url", "sqlite:///odd.db"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not an Alembic version table"), "{stderr}");
    let (code, _, stderr) = project.run(&[
        "status",
        "--database-url",
        "sqlite:///odd.db",
        "--version-table",
        "twice",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("holds `ccc` twice"), "{stderr}");
    // No URL anywhere.
    project.write("alembic.ini", "[alembic]\nscript_location = migrations\n");
    let (code, _, stderr) = project.run(&["status"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no database to read"), "{stderr}");
}

/// The bundled example is stamped below its head, as the README shows.
#[test]
fn bundled_example() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/healthy");
    let output = alembic_doctor_testkit::hermetic_command(common::BIN, &example)
        .args([
            "status",
            "--database-url",
            "sqlite:///shop.db",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(strings(&json["current"]), ["5b7d1f3e2a48"]);
    assert_eq!(strings(&json["pending"]), ["c41a6e2d8f93", "e9f08b7c3d15"]);
}
