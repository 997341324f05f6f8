//! End-to-end tests of the `alembic-doctor` binary: exit codes, stdout and
//! stderr, on the bundled examples and on bad input of every kind. Bad input
//! must give a clear message and the right exit code, never a panic.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alembic-doctor"));
    // The parse cache goes to the target directory, never the user's.
    cmd.env_remove("ALEMBIC_CONFIG")
        .env_remove("ALEMBIC_DOCTOR_NO_CACHE")
        .env(
            "ALEMBIC_DOCTOR_CACHE_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("parse-cache"),
        )
        .env("NO_COLOR", "1");
    cmd
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_no_panic(output: &Output) {
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert_ne!(output.status.code(), Some(101), "panic exit: {stderr}");
}

/// A project dir with `alembic.ini` and a `versions/` folder holding `files`.
fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/migrations\n",
    )
    .unwrap();
    let versions = dir.path().join("migrations/versions");
    fs::create_dir_all(&versions).unwrap();
    for (name, bytes) in files {
        fs::write(versions.join(name), bytes).unwrap();
    }
    dir
}

fn migration(rev: &str, down: &str) -> String {
    format!(
        "\"\"\"{rev}\n\nRevision ID: {rev}\nRevises: {down}\n\"\"\"\nrevision = '{rev}'\ndown_revision = {}\n",
        if down.is_empty() {
            "None".to_owned()
        } else {
            format!("'{down}'")
        }
    )
}

#[test]
fn broken_example_reports_each_planted_defect() {
    let output = run_in(
        &workspace(),
        &[
            "-c",
            "examples/broken/alembic.ini",
            "check",
            "--all",
            "--no-base",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("broken_example_check", text(&output.stdout));
}

/// Without the parse cache and without a base branch, `check` lets go of
/// each file's bytes once parsed and reads a file again only to print it:
/// the output is the same as with every byte kept (code frames, and
/// columns counted in characters on a line that is not ASCII).
#[test]
fn check_without_the_cache_prints_the_same_as_with_it() {
    let non_ascii = format!(
        "{}\nfrom alembic import op\n\n\ndef upgrade():\n    label = 'déjà vu'; op.drop_column('naïve', 'façade')\n",
        migration("c1", "")
    );
    let dir = project(&[("c1_naive.py", non_ascii.as_bytes())]);
    let cases: [(&Path, &[&str]); 3] = [
        (
            &workspace(),
            &[
                "-c",
                "examples/broken/alembic.ini",
                "check",
                "--all",
                "--no-base",
            ],
        ),
        (dir.path(), &["check", "--all", "--no-base"]),
        (
            dir.path(),
            &["check", "--all", "--no-base", "--format", "json"],
        ),
    ];
    for (cwd, args) in cases {
        let cached = run_in(cwd, args);
        let uncached = run_in(cwd, &[&["--no-cache"], args].concat());
        assert_no_panic(&uncached);
        assert_eq!(uncached.status.code(), cached.status.code(), "{args:?}");
        let expected = if args.contains(&"json") {
            "\"column\""
        } else {
            " | "
        };
        assert!(
            text(&cached.stdout).contains(expected),
            "{args:?}: {expected} expected"
        );
        assert_eq!(text(&uncached.stdout), text(&cached.stdout), "{args:?}");
    }
}

#[test]
fn healthy_example_passes() {
    let output = run_in(
        &workspace(),
        &[
            "-c",
            "examples/healthy/alembic.ini",
            "check",
            "--all",
            "--no-base",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    assert_eq!(
        text(&output.stdout),
        "All checks passed: 5 revisions, 1 head (e9f08b7c3d15).\n\
         safety lints: postgresql (sqlalchemy.url), every revision (--all); settings read from examples/healthy/migrations/env.py\n"
    );
}

#[test]
fn check_json_follows_the_contract() {
    let output = run_in(
        &workspace().join("examples/broken"),
        &["check", "--format", "json", "--no-base"],
    );
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_pretty_as_serde_prints_it(&output.stdout, &json);
    for key in [
        "revisions",
        "heads",
        "real_heads",
        "bases",
        "merge_points",
        "branch_points",
        "upgrade_order",
        "findings",
        "summary",
    ] {
        assert!(json.get(key).is_some(), "missing `{key}`");
    }
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    // The example's files are unchanged since the base branch: its old
    // `header-mismatch` warning is counted, not listed; the errors show.
    assert_eq!(rules, ["duplicate-revision", "multiple-heads"]);
    assert_eq!(json["summary"]["hidden_warnings"], 1);
    let duplicate = &json["findings"][0];
    assert_eq!(
        duplicate["path"],
        "migrations/versions/a1b2c3d4e5f6_add_block.py"
    );
    assert_eq!(duplicate["line"], 15);
    assert_eq!(duplicate["column"], 17);
    assert_eq!(duplicate["revision"], "a1b2c3d4e5f6");
    assert_eq!(
        duplicate["related"][0]["path"],
        "migrations/versions/a1b2c3d4e5f6_add_join_code.py"
    );
    let first = &json["revisions"][0];
    for key in [
        "id",
        "path",
        "line",
        "down_revisions",
        "depends_on",
        "branch_labels",
        "doc",
    ] {
        assert!(first.get(key).is_some(), "revision lacks `{key}`");
    }
    assert_eq!(json["summary"]["errors"], 2);
    assert_eq!(json["summary"]["warnings"], 0);
}

#[test]
fn fail_on_controls_the_exit_code() {
    let dir = project(&[
        ("a1_base.py", migration("a1", "").as_bytes()),
        // a stale header is only a warning
        (
            "b2_next.py",
            b"\"\"\"next\n\nRevises: zz\n\"\"\"\nrevision = 'b2'\ndown_revision = 'a1'\n",
        ),
    ]);
    assert_eq!(run_in(dir.path(), &["check"]).status.code(), Some(0));
    assert_eq!(
        run_in(dir.path(), &["check", "--fail-on", "warning"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run_in(dir.path(), &["check", "--fail-on", "never"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn alembic_commands_refuse_a_chain_alembic_would_mislead_about() {
    let output = run_in(&workspace().join("examples/broken"), &["heads"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("duplicate-revision"), "{stderr}");
    assert!(stderr.contains("a1b2c3d4e5f6_add_join_code.py"), "{stderr}");
}

#[test]
fn alembic_commands_match_alembic_on_the_healthy_example() {
    let dir = workspace().join("examples/healthy");
    let output = run_in(&dir, &["heads"]);
    assert_eq!(text(&output.stdout), "e9f08b7c3d15 (head)\n");
    let output = run_in(&dir, &["history"]);
    assert_eq!(
        text(&output.stdout),
        "5b7d1f3e2a48, c41a6e2d8f93 -> e9f08b7c3d15 (head) (mergepoint), merge display name and currency\n\
         8d2e4b6a9c10 -> 5b7d1f3e2a48, add display name\n\
         8d2e4b6a9c10 -> c41a6e2d8f93, add currency\n\
         3f1c9a0e7b21 -> 8d2e4b6a9c10 (branchpoint), create transaction\n\
         <base> -> 3f1c9a0e7b21, create account\n"
    );
}

#[test]
fn unknown_revision_argument_is_a_usage_error() {
    let output = run_in(&workspace().join("examples/healthy"), &["show", "zzzz"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("zzzz"));
}

#[test]
fn explain_prints_a_rule_and_rejects_unknown_ones() {
    let output = bin()
        .args(["explain", "duplicate-revision"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(text(&output.stdout).contains("## How to fix"));
    let output = bin().args(["explain", "no-such-rule"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("explain --list"));
    let output = bin().args(["explain", "--list"]).output().unwrap();
    let list = text(&output.stdout);
    assert!(list.contains("multiple-heads"));
    // Names longer than the others stay apart from their severity.
    for line in list.lines() {
        let mut words = line.split_whitespace();
        let (Some(name), Some(severity)) = (words.next(), words.next()) else {
            panic!("{line}")
        };
        assert!(
            name.parse::<alembic_doctor_rules::Rule>().is_ok()
                && matches!(severity, "error" | "warning"),
            "{line}"
        );
    }
}

#[test]
fn no_configuration_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_in(dir.path(), &["heads"]);
    assert_no_panic(&output);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("alembic.ini"), "{stderr}");
}

#[test]
fn malformed_and_dangling_configurations_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("alembic.ini"),
        "[alembic\nscript_location = x\n",
    )
    .unwrap();
    let output = run_in(dir.path(), &["check"]);
    assert_no_panic(&output);
    assert_eq!(output.status.code(), Some(2));

    fs::write(
        dir.path().join("alembic.ini"),
        "[alembic]\nscript_location = nowhere\n",
    )
    .unwrap();
    let output = run_in(dir.path(), &["check"]);
    assert_no_panic(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("nowhere"));

    fs::write(dir.path().join("alembic.ini"), "[other]\nx = 1\n").unwrap();
    let output = run_in(dir.path(), &["check"]);
    assert_no_panic(&output);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn bad_files_are_findings_not_crashes() {
    let deep = format!(
        "revision = 'd1'\ndown_revision = {}None{}\n",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let mut big = migration("b1", "").into_bytes();
    big.extend(std::iter::repeat_n(b'#', 10 * 1024 * 1024));
    let dir = project(&[
        ("empty.py", b""),
        ("binary.py", &[0, 159, 146, 150, 0, 255, 1, 2]),
        (
            "latin.py",
            b"revision = 'l1'\ndown_revision = None\n# caf\xe9\n",
        ),
        (
            "bom.py",
            b"\xef\xbb\xbfrevision = 'o1'\ndown_revision = None\n",
        ),
        (
            "py2.py",
            b"revision = 'p1'\ndown_revision = None\nprint \"hello\"\n",
        ),
        ("deep.py", deep.as_bytes()),
        ("big.py", &big),
    ]);
    let versions = dir.path().join("migrations/versions");
    std::os::unix::fs::symlink(versions.join("gone.py"), versions.join("dangling.py")).unwrap();
    std::os::unix::fs::symlink(&versions, versions.join("loop")).unwrap();
    let output = run_in(dir.path(), &["check", "--format", "json"]);
    assert_no_panic(&output);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let has = |rule: &str, path_end: &str| {
        findings
            .iter()
            .any(|f| f["rule"] == rule && f["path"].as_str().is_some_and(|p| p.ends_with(path_end)))
    };
    assert!(has("missing-revision", "empty.py"), "{findings:#?}");
    assert!(has("syntax-error", "binary.py"), "{findings:#?}");
    assert!(has("syntax-error", "py2.py"), "{findings:#?}");
    assert!(has("unreadable-file", "dangling.py"), "{findings:#?}");
    // The Python 2 file still yields its revision.
    let ids: Vec<&str> = json["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"p1") && ids.contains(&"o1") && ids.contains(&"b1"),
        "{ids:?}"
    );
    // And the text renderer copes with all of it too.
    let output = run_in(dir.path(), &["check"]);
    assert_no_panic(&output);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn flask_migrate_layout_works_without_flags() {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("migrations");
    fs::create_dir_all(migrations.join("versions")).unwrap();
    fs::write(
        migrations.join("alembic.ini"),
        "[alembic]\n\n[loggers]\nkeys = root\n",
    )
    .unwrap();
    fs::write(migrations.join("env.py"), "").unwrap();
    fs::write(migrations.join("versions/a1_first.py"), migration("a1", "")).unwrap();
    let output = run_in(dir.path(), &["heads"]);
    assert_eq!(
        text(&output.stdout),
        "a1 (head)\n",
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn versions_flag_reads_a_directory_without_configuration() {
    let dir = project(&[
        ("a1_first.py", migration("a1", "").as_bytes()),
        ("b2_second.py", migration("b2", "a1").as_bytes()),
    ]);
    fs::remove_file(dir.path().join("alembic.ini")).unwrap();
    let output = run_in(dir.path(), &["--versions", "migrations/versions", "heads"]);
    assert_eq!(
        text(&output.stdout),
        "b2 (head)\n",
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn broken_pipe_is_not_an_error() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = bin()
        .current_dir(workspace().join("examples/healthy"))
        .args(["history", "-v"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(status.code() == Some(0), "{status:?} {stderr}");
}

/// Found by the differential test: Alembic accepts revision ids with spaces
/// (`initial schema`), and its template then writes them verbatim in the
/// docstring header, which must not count as a stale header.
#[test]
fn ids_with_spaces_in_headers_are_not_mismatches() {
    let dir = project(&[
        (
            "a.py",
            b"\"\"\"init\n\nRevision ID: initial schema\nRevises: \n\"\"\"\nrevision = \"initial schema\"\ndown_revision = None\n",
        ),
        (
            "b.py",
            b"\"\"\"b\n\nRevision ID: b1\nRevises: initial schema\n\"\"\"\nrevision = \"b1\"\ndown_revision = \"initial schema\"\n",
        ),
    ]);
    let output = run_in(dir.path(), &["check", "--fail-on", "warning"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
}

#[test]
fn check_sarif_is_a_code_scanning_log() {
    let sarif = run_in(
        &workspace(),
        &[
            "-c",
            "examples/broken/alembic.ini",
            "check",
            "--all",
            "--no-base",
            "--format",
            "sarif",
        ],
    );
    assert_eq!(sarif.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "alembic-doctor");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| rule["id"].as_str().unwrap())
        .collect();
    let json = run_in(
        &workspace(),
        &[
            "-c",
            "examples/broken/alembic.ini",
            "check",
            "--all",
            "--no-base",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), json["findings"].as_array().unwrap().len());
    for result in results {
        let rule = result["ruleId"].as_str().unwrap();
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index], rule);
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            uri.starts_with("examples/broken/migrations/versions/"),
            "{uri}"
        );
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(matches!(
            result["level"].as_str(),
            Some("error" | "warning")
        ));
    }
    assert!(
        rules.contains(&"duplicate-revision") && rules.contains(&"create-index-not-concurrently")
    );
}

/// A project outside git (so every revision is linted) whose second
/// revision drops a column.
fn lint_project(pyproject: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let versions = dir.path().join("migrations/versions");
    std::fs::create_dir_all(&versions).unwrap();
    std::fs::write(
        dir.path().join("alembic.ini"),
        "[alembic]\nscript_location = migrations\nsqlalchemy.url = postgresql://app@db/app\n",
    )
    .unwrap();
    std::fs::write(
        versions.join("aaa_init.py"),
        "revision = 'aaa'\ndown_revision = None\n\ndef upgrade():\n    op.create_table('user', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('nick', sa.String()))\n\ndef downgrade():\n    op.drop_table('user')\n",
    )
    .unwrap();
    std::fs::write(
        versions.join("bbb_drop.py"),
        "revision = 'bbb'\ndown_revision = 'aaa'\n\ndef upgrade():\n    op.drop_column('user', 'nick')  # the column is unused since v2\n\ndef downgrade():\n    op.add_column('user', sa.Column('nick', sa.String()))\n",
    )
    .unwrap();
    if let Some(pyproject) = pyproject {
        std::fs::write(dir.path().join("pyproject.toml"), pyproject).unwrap();
    }
    dir
}

fn check_json(dir: &Path, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let output = run_in(dir, &args);
    let json = serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
    assert_pretty_as_serde_prints_it(&output.stdout, &json);
    (output.status.code(), json)
}

/// The output is written in pieces (the findings on several threads): it
/// must be the very text `serde_json` prints for the same value, keys in
/// alphabetical order, two spaces an indent.
fn assert_pretty_as_serde_prints_it(stdout: &[u8], json: &serde_json::Value) {
    if !json.is_null() {
        let expected = serde_json::to_string_pretty(json).unwrap() + "\n";
        assert_eq!(text(stdout), expected);
    }
}

fn finding_rules(json: &serde_json::Value) -> Vec<&str> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["rule"].as_str().unwrap())
        .collect()
}

#[test]
fn check_lints_with_the_projects_settings() {
    let plain = lint_project(None);
    let (code, json) = check_json(plain.path(), &[]);
    assert_eq!(code, Some(0), "warnings only");
    assert_eq!(
        finding_rules(&json),
        ["drop-column", "missing-lock-timeout"]
    );
    assert_eq!(json["lint"]["dialect"], "postgresql");
    assert_eq!(json["lint"]["dialect_origin"], "sqlalchemy.url");
    assert_eq!(json["lint"]["linted_revisions"], serde_json::Value::Null);
    // --dialect sqlite: the PostgreSQL-only rules stay quiet.
    let (_, json) = check_json(plain.path(), &["--dialect", "sqlite"]);
    assert_eq!(finding_rules(&json), ["drop-column"]);
    let (_, json) = check_json(plain.path(), &["--no-lint"]);
    assert!(finding_rules(&json).is_empty());

    let configured = lint_project(Some(
        "[tool.alembic-doctor]\nignore = [\"missing-lock-timeout\"]\nfail-on = \"warning\"\n",
    ));
    let (code, json) = check_json(configured.path(), &[]);
    assert_eq!(finding_rules(&json), ["drop-column"]);
    assert_eq!(code, Some(1), "fail-on = warning");
    let (code, _) = check_json(configured.path(), &["--fail-on", "never"]);
    assert_eq!(code, Some(0), "the command line wins");

    let typo = lint_project(Some("[tool.alembic-doctor]\nignore = [\"drop-colum\"]\n"));
    let output = run_in(typo.path(), &["check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("unknown rule `drop-colum`"),
        "{}",
        text(&output.stderr)
    );
}

/// A MySQL project outside git whose second revision runs
/// `upgrade_body`, linted with the rule `select` only.
fn mysql_project(upgrade_body: &str, select: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        format!("[tool.alembic-doctor]\nselect = [\"{select}\"]\n"),
    )
    .unwrap();
    let versions = dir.path().join("migrations/versions");
    std::fs::create_dir_all(&versions).unwrap();
    std::fs::write(
        dir.path().join("alembic.ini"),
        "[alembic]\nscript_location = migrations\nsqlalchemy.url = mysql+pymysql://app@db/app\n",
    )
    .unwrap();
    std::fs::write(
        versions.join("aaa_init.py"),
        "revision = 'aaa'\ndown_revision = None\n\ndef upgrade():\n    op.create_table('user', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('code', sa.String(10), nullable=False), sa.Column('nick', sa.String(20)))\n\ndef downgrade():\n    op.drop_table('user')\n",
    )
    .unwrap();
    std::fs::write(
        versions.join("bbb_widen.py"),
        format!("revision = 'bbb'\ndown_revision = 'aaa'\nuser = sa.table('user', sa.column('nick'))\n\ndef upgrade():\n{upgrade_body}\n\ndef downgrade():\n    pass\n"),
    )
    .unwrap();
    dir
}

#[test]
fn mysql_alter_column_without_existing_nullable_is_an_error() {
    const RULE: &str = "mysql-alter-column-drops-not-null";
    let dir = mysql_project(
        "    op.alter_column('user', 'code', type_=sa.String(40), existing_type=sa.String(10))",
        RULE,
    );
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, Some(1), "{json}");
    let finding = &json["findings"][0];
    assert_eq!(finding["rule"], "mysql-alter-column-drops-not-null");
    assert_eq!(finding["severity"], "error");
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("`existing_nullable=` and `existing_server_default=`")
            && message.contains("`user.code`, NOT NULL, silently becomes nullable"),
        "{message}"
    );
    // Not on PostgreSQL, which keeps what the change does not mention.
    let (_, json) = check_json(dir.path(), &["--dialect", "postgresql"]);
    assert!(finding_rules(&json).is_empty(), "{json}");
    // Quiet once the column is restated, as autogenerate writes it.
    let fixed = mysql_project(
        "    op.alter_column('user', 'code', type_=sa.String(40), existing_type=sa.String(10), existing_nullable=False)",
        RULE,
    );
    let (code, json) = check_json(fixed.path(), &[]);
    assert_eq!((code, finding_rules(&json)), (Some(0), vec![]), "{json}");
    let output = bin()
        .args(["explain", "mysql-alter-column-drops-not-null"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(text(&output.stdout).contains("existing_nullable=False"));
}

/// A Core `UPDATE` (`user.update().values(...)`, `user` bound to
/// `sa.table("user", ...)` at module level) fills the column it sets.
#[test]
fn core_update_is_a_backfill() {
    const RULE: &str = "not-null-without-backfill";
    let body = "    op.add_column('user', sa.Column('email', sa.String(50)))\n    op.execute(user.update().values(nick='x'))\n    op.alter_column('user', 'email', nullable=False, existing_type=sa.String(50))";
    let (_, json) = check_json(mysql_project(body, RULE).path(), &[]);
    assert_eq!(finding_rules(&json), [RULE], "{json}");
    let filled = body.replace("values(nick='x')", "values(email='x')");
    let (_, json) = check_json(mysql_project(&filled, RULE).path(), &[]);
    assert!(finding_rules(&json).is_empty(), "{json}");
}

/// Date every file of `dir` an hour back: the parse cache never stores a
/// file written within the last seconds.
fn date_back(dir: &Path) {
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_hours(1);
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
    }
}

/// A warm run keeps scripts encoded in the cache until a check asks for
/// one; the checks every command runs decide from marks which to ask for.
/// Each kind of file they report on must give the same answer warm as cold.
#[test]
fn cached_scripts_give_the_same_findings_and_refusals() {
    let cache = tempfile::tempdir().unwrap();
    let dir = project(&[
        ("a.py", migration("aaa", "").as_bytes()),
        (
            "b.py",
            b"revision = 'bbb'\ndown_revision = 'aaa'\ndef broken(:\n",
        ),
        (
            "c.py",
            b"from .helpers import x\nrevision = 'ccc'\ndown_revision = 'aaa'\n",
        ),
        (
            "d.py",
            b"import os\nrevision = 'ddd'\nif os.environ.get('X'):\n    down_revision = 'ccc'\nelse:\n    down_revision = 'aaa'\n",
        ),
        (
            "e.py",
            b"revision = 'eee'\ndown_revision = compute()\n",
        ),
    ]);
    date_back(&dir.path().join("migrations/versions"));
    let run = |args: &[&str]| {
        let output = bin()
            .current_dir(dir.path())
            .env("ALEMBIC_DOCTOR_CACHE_DIR", cache.path())
            .args(args)
            .output()
            .unwrap();
        assert_no_panic(&output);
        (
            output.status.code(),
            text(&output.stdout),
            text(&output.stderr),
        )
    };
    for args in [
        &["heads"][..],
        &["history", "-v"],
        &["check", "--format", "json", "--no-lint"],
        &["check", "--no-lint"],
    ] {
        let cold = run(args);
        let warm = run(args);
        assert_eq!(cold, warm, "{args:?}");
    }
    let (code, _, stderr) = run(&["heads"]);
    assert_eq!(code, Some(1));
    for rule in ["syntax-error", "import-error", "non-literal-value"] {
        assert!(stderr.contains(rule), "{rule} missing from:\n{stderr}");
    }
    let (_, json, _) = run(&["check", "--format", "json", "--no-lint"]);
    assert!(json.contains("conditional"), "{json}");
    assert!(
        fs::read_dir(cache.path()).unwrap().count() > 0,
        "the cache was written"
    );
}

#[test]
fn version_flag_prints_the_workspace_version() {
    for flag in ["--version", "-V"] {
        let output = bin().arg(flag).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{flag}");
        assert_eq!(
            text(&output.stdout),
            format!("alembic-doctor {}\n", env!("CARGO_PKG_VERSION")),
            "{flag}"
        );
    }
}

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _alembic__doctor"),
        ("zsh", "#compdef alembic-doctor"),
        ("fish", "complete -c alembic-doctor"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let output = bin().args(["completions", shell]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = text(&output.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        // Subcommands and global options are both completed (fish writes
        // `-l config` for `--config`).
        for word in ["check", "explain", "completions", "config", "versions"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }
    // The bash script is valid bash.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alembic-doctor.bash");
    fs::write(
        &path,
        bin().args(["completions", "bash"]).output().unwrap().stdout,
    )
    .unwrap();
    if let Ok(status) = Command::new("bash").arg("-n").arg(&path).status() {
        assert!(status.success(), "bash -n rejects the completion script");
    }
    let output = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("bash"),
        "the choices are listed"
    );
}

#[test]
fn global_options_work_after_the_subcommand() {
    let healthy = workspace().join("examples/healthy");
    let config = healthy.join("alembic.ini");
    let config = config.to_str().unwrap();
    let versions = healthy.join("migrations/versions");
    let versions = versions.to_str().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let before = run_in(elsewhere.path(), &["-c", config, "-n", "alembic", "heads"]);
    assert_eq!(before.status.code(), Some(0), "{}", text(&before.stderr));
    let after = run_in(elsewhere.path(), &["heads", "-c", config, "-n", "alembic"]);
    assert_eq!(after.status.code(), Some(0), "{}", text(&after.stderr));
    assert_eq!(text(&before.stdout), text(&after.stdout));
    assert!(text(&after.stdout).contains("(head)"));

    let output = run_in(
        elsewhere.path(),
        &["check", "--versions", versions, "--recursive", "--no-cache"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("5 revisions"));
    let output = run_in(
        elsewhere.path(),
        &[
            "history",
            "--no-cache",
            "--config",
            config,
            "-r",
            "base:head",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

#[test]
fn errors_do_not_repeat_their_cause() {
    // `-c` given a directory: the I/O error is part of the message once,
    // not repeated as a cause, and the fix is named.
    let broken = workspace().join("examples/broken");
    let output = run_in(&broken, &["check", "-c", "."]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert_eq!(
        stderr.to_lowercase().matches("is a directory").count(),
        1,
        "{stderr}"
    );
    assert!(!stderr.contains("caused by"), "{stderr}");
    assert!(stderr.contains("alembic.ini"), "{stderr}");
}

#[test]
fn a_missing_config_given_with_c_is_not_told_to_pass_c() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_in(dir.path(), &["check", "-c", "alembc.ini"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("alembc.ini (does not exist)"), "{stderr}");
    assert!(
        stderr.contains("Check the path given with `-c`"),
        "{stderr}"
    );
    assert!(!stderr.contains("pass the config file with"), "{stderr}");
    // Without -c the advice is to pass one.
    let output = run_in(dir.path(), &["check"]);
    assert!(text(&output.stderr).contains("pass the config file with `-c"));
}

#[test]
fn explain_suggests_the_rule_meant() {
    let output = bin()
        .args(["explain", "duplicate-revison"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("did you mean `duplicate-revision`?"),
        "{stderr}"
    );
    assert!(stderr.contains("explain --list"), "{stderr}");
    let output = bin().args(["explain", "zzz-not-a-rule"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(!text(&output.stderr).contains("did you mean"));
}

/// With `--versions DIR` no configuration names the script location, so
/// `env.py` was never read and every revision got `missing-lock-timeout`
/// although `env.py` set one. The one beside the versions directory is
/// read now, and the summary and the JSON say which.
#[test]
fn versions_dir_reads_the_env_py_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("db");
    fs::create_dir_all(migrations.join("versions")).unwrap();
    fs::write(
        migrations.join("versions/aaa_add_nick.py"),
        "revision = 'aaa'\ndown_revision = None\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.add_column('user', sa.Column('nick', sa.String(50)))\n\n\ndef downgrade():\n    op.drop_column('user', 'nick')\n",
    )
    .unwrap();
    let check = || {
        run_in(
            dir.path(),
            &[
                "check",
                "--all",
                "--dialect",
                "postgresql",
                "--versions",
                "db/versions",
            ],
        )
    };
    let output = check();
    assert!(
        text(&output.stdout).contains("missing-lock-timeout"),
        "{}",
        text(&output.stdout)
    );
    assert!(
        text(&output.stdout).contains("; no env.py found"),
        "{}",
        text(&output.stdout)
    );

    fs::write(
        migrations.join("env.py"),
        "from alembic import context\n\n\ndef run_migrations_online():\n    with connectable.connect() as connection:\n        connection.exec_driver_sql(\"SET lock_timeout = '5s'\")\n        context.configure(connection=connection)\n",
    )
    .unwrap();
    let output = check();
    let stdout = text(&output.stdout);
    assert!(!stdout.contains("missing-lock-timeout"), "{stdout}");
    assert!(
        stdout.contains("; settings read from db/env.py"),
        "{stdout}"
    );
    let output = run_in(
        dir.path(),
        &[
            "check",
            "--all",
            "--dialect",
            "postgresql",
            "--versions",
            "db/versions",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let env_py = json["lint"]["env_py"].as_str().expect("env_py");
    assert!(env_py.ends_with("db/env.py"), "{env_py}");
}
