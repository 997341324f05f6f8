//! End to end: `alembic-doctor compare` on real git repositories built in
//! temporary directories (`alembic_doctor_testkit`).

mod common;

use alembic_doctor_testkit::GitProject as Repo;

use crate::common::{BIN, RunDoctor, ids, rules, strings};

#[test]
fn a_branch_extending_mains_head_merges_into_one_head() {
    let repo = Repo::new();
    repo.branch("feat", "main");
    repo.migration("bbb", Some("aaa"), "bbb_add.py");
    repo.commit("feat");
    let (code, json) = repo.json(&["main", "feat"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["extends_base_head"], true);
    assert_eq!(ids(&json["new_revisions"]), ["bbb"]);
    assert_eq!(strings(&json["merged"]["heads"]), ["bbb"]);
    assert_eq!(strings(&json["path"]), ["bbb"]);
    assert_eq!(json["base"]["ref"], "main");
    assert_eq!(strings(&json["base"]["heads"]), ["aaa"]);
    assert_eq!(json["heads"][0]["revisions"], 2);
    assert!(json["heads"][0]["commit"].is_string());
    assert_eq!(strings(&json["heads"][0]["starts_from"]), ["aaa"]);
    // `--from` a revision below the head: the whole pending chain.
    let (_, json) = repo.json(&["main", "feat", "--from", "base"]);
    assert_eq!(strings(&json["path"]), ["aaa", "bbb"]);
}

#[test]
fn the_same_id_on_main_and_a_branch_is_a_duplicate_after_merge() {
    let repo = Repo::new();
    repo.branch("feat", "main");
    repo.migration("a1b2c3d4e5f6", Some("aaa"), "a1b2c3d4e5f6_feature.py");
    repo.commit("feature revision");
    repo.checkout("main");
    repo.migration("a1b2c3d4e5f6", Some("aaa"), "a1b2c3d4e5f6_main.py");
    repo.write(
        "migrations/versions/a1b2c3d4e5f6_main.py",
        "\"\"\"main\"\"\"\nrevision = 'a1b2c3d4e5f6'\ndown_revision = 'aaa'\n",
    );
    repo.commit("main revision");
    let (code, json) = repo.json(&["main", "feat"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["extends_base_head"], false);
    let dup = &json["duplicate_ids"][0];
    assert_eq!(dup["id"], "a1b2c3d4e5f6");
    let files: Vec<(&str, &str)> = dup["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| (f["side"].as_str().unwrap(), f["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        files,
        [
            ("main", "migrations/versions/a1b2c3d4e5f6_main.py"),
            ("feat", "migrations/versions/a1b2c3d4e5f6_feature.py"),
        ]
    );
    assert_eq!(ids(&json["new_revisions"]), ["a1b2c3d4e5f6"]);
    assert!(ids(&json["edited_revisions"]).is_empty());
    assert!(rules(&json).contains(&"duplicate-revision"), "{json}");
    assert!(json["path"].is_array(), "{json}");

    let (code, text, _) = repo.run(&["compare", "main", "feat"]);
    assert_eq!(code, 1);
    assert!(text.contains("duplicate id a1b2c3d4e5f6"), "{text}");
    assert!(text.contains("error[duplicate-revision]"), "{text}");
    assert!(text.contains("upgrade path from"), "{text}");
}

/// Run from a subdirectory with a relative `-c` (or `--versions`), the
/// version locations are written with `..`: the merge must still see the
/// branch's files (it once saw none and passed a broken merge).
#[test]
fn a_relative_config_from_a_subdirectory_sees_the_branchs_changes() {
    let repo = Repo::new();
    // `%(here)s`: a relative `script_location` is taken from the current
    // directory, as Alembic does.
    repo.write(
        "alembic.ini",
        "[alembic]\nscript_location = %(here)s/migrations\n",
    );
    repo.commit("script_location relative to the ini file");
    repo.branch("feat", "main");
    repo.migration("a1b2c3d4e5f6", Some("aaa"), "a1b2c3d4e5f6_feature.py");
    repo.commit("feature revision");
    repo.checkout("main");
    repo.migration("a1b2c3d4e5f6", Some("aaa"), "a1b2c3d4e5f6_main.py");
    repo.commit("main revision");
    let subdirectory = repo.path.join("migrations");
    for location in [
        &["-c", "../alembic.ini"][..],
        &["--versions", "../migrations/versions"][..],
    ] {
        let mut args = location.to_vec();
        args.extend(["compare", "main", "feat", "--format", "json"]);
        let output = alembic_doctor_testkit::hermetic_command(BIN, &subdirectory)
            .args(&args)
            .output()
            .expect("binary runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|error| {
            panic!(
                "{args:?}: {error}: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
        assert_eq!(output.status.code(), Some(1), "{args:?}: {json}");
        assert_eq!(
            strings(&json["merged"]["heads"]),
            ["a1b2c3d4e5f6", "a1b2c3d4e5f6"],
            "{args:?}"
        );
        assert!(
            rules(&json).contains(&"duplicate-revision"),
            "{args:?}: {json}"
        );
    }
}

#[test]
fn two_branches_on_the_same_head_conflict_with_each_other() {
    let repo = Repo::new();
    repo.branch("feat-a", "main");
    repo.migration("bbb", Some("aaa"), "bbb_a.py");
    repo.commit("a");
    repo.branch("feat-b", "main");
    repo.migration("ccc", Some("aaa"), "ccc_b.py");
    repo.commit("b");
    let (code, json) = repo.json(&["main", "feat-a", "feat-b"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(strings(&json["merged"]["heads"]), ["bbb", "ccc"]);
    assert!(rules(&json).contains(&"multiple-heads"), "{json}");
    let conflict = &json["conflicts"][0];
    assert_eq!(strings(&conflict["sides"]), ["feat-a", "feat-b"]);
    assert_eq!(strings(&conflict["same_parent"]), ["aaa"]);
    // Each branch alone extends main's head; together they fork it.
    assert_eq!(json["heads"][0]["extends_base_head"], true);
    assert_eq!(json["heads"][1]["extends_base_head"], true);
    let mut path = strings(&json["path"]);
    path.sort_unstable();
    assert_eq!(path, ["bbb", "ccc"]);
    let (_, text, _) = repo.run(&["compare", "main", "feat-a", "feat-b"]);
    assert!(
        text.contains("conflict between feat-a and feat-b: both extend aaa"),
        "{text}"
    );
}

/// A branch stacked on another holds the other's new revisions: merging
/// both forks nothing, and each new revision is described once.
#[test]
fn stacked_branches_do_not_conflict() {
    let repo = Repo::new();
    repo.branch("base-feature", "main");
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.commit("bbb");
    repo.branch("stacked", "base-feature");
    repo.migration("ccc", Some("bbb"), "ccc.py");
    repo.commit("ccc");
    let (code, json) = repo.json(&["main", "base-feature", "stacked"]);
    assert_eq!(code, 0, "{json}");
    assert!(json["conflicts"].as_array().unwrap().is_empty(), "{json}");
    assert_eq!(strings(&json["merged"]["heads"]), ["ccc"]);
    let described: Vec<&str> = json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["revision"].as_str().unwrap())
        .collect();
    assert_eq!(described, ["bbb", "ccc"]);
    // The same branch twice is compared once.
    let (code, stdout, stderr) = repo.run(&["compare", "main", "stacked", "stacked"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stdout.contains("conflict"), "{stdout}");
    assert!(stderr.contains("compared once"), "{stderr}");
}

#[test]
fn one_id_claimed_by_two_branches_is_named_and_applied_once() {
    let repo = Repo::new();
    repo.branch("feat-a", "main");
    repo.migration("a1b2c3d4e5f6", Some("aaa"), "a1b2c3d4e5f6_a.py");
    repo.commit("a");
    repo.branch("feat-b", "main");
    repo.migration("a1b2c3d4e5f6", Some("aaa"), "a1b2c3d4e5f6_b.py");
    repo.commit("b");
    let (code, json) = repo.json(&["main", "feat-a", "feat-b"]);
    assert_eq!(code, 1, "{json}");
    let conflict = &json["conflicts"][0];
    assert_eq!(strings(&conflict["same_id"]), ["a1b2c3d4e5f6"]);
    assert_eq!(
        json["duplicate_ids"][0]["files"].as_array().unwrap().len(),
        2
    );
    assert!(rules(&json).contains(&"duplicate-revision"), "{json}");
    // Alembic keeps the last file loaded for the id: one revision to apply.
    assert_eq!(strings(&json["path"]), ["a1b2c3d4e5f6"]);
}

#[test]
fn an_edited_revision_and_a_renamed_file() {
    let repo = Repo::new();
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.commit("bbb");
    repo.branch("feat", "main");
    repo.git(&[
        "mv",
        "migrations/versions/bbb.py",
        "migrations/versions/bbb_renamed.py",
    ]);
    repo.write(
        "migrations/versions/aaa_init.py",
        "\"\"\"aaa edited\"\"\"\nrevision = 'aaa'\ndown_revision = None\n",
    );
    repo.commit("edit and rename");
    let (code, json) = repo.json(&["main", "feat"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(ids(&json["edited_revisions"]), ["aaa"]);
    assert_eq!(ids(&json["renamed_revisions"]), ["bbb"]);
    assert_eq!(
        json["renamed_revisions"][0]["base_path"],
        "migrations/versions/bbb.py"
    );
    assert_eq!(
        json["renamed_revisions"][0]["path"],
        "migrations/versions/bbb_renamed.py"
    );
    assert!(ids(&json["new_revisions"]).is_empty());
    assert!(ids(&json["removed_revisions"]).is_empty());
    // The merge keeps one copy of `bbb`, under its new name.
    assert_eq!(strings(&json["merged"]["upgrade_order"]), ["aaa", "bbb"]);
    assert!(json["duplicate_ids"].as_array().unwrap().is_empty());
    assert!(strings(&json["path"]).is_empty());
}

/// A branch that edits a revision and also adds a second file claiming its
/// id: the edit is the edited file, the second file is new (and a
/// duplicate), whichever of the two Alembic would keep.
#[test]
fn an_edit_is_told_from_a_second_file_with_the_same_id() {
    let repo = Repo::new();
    repo.branch("feat", "main");
    repo.write(
        "migrations/versions/aaa_init.py",
        "\"\"\"aaa edited\"\"\"\nrevision = 'aaa'\ndown_revision = None\n",
    );
    repo.migration("aaa", None, "bbb_dup.py");
    repo.commit("edit aaa, and a copy of it");
    let (_, json) = repo.json(&["main", "feat"]);
    assert_eq!(ids(&json["edited_revisions"]), ["aaa"], "{json}");
    assert_eq!(
        json["edited_revisions"][0]["path"],
        "migrations/versions/aaa_init.py"
    );
    assert_eq!(ids(&json["new_revisions"]), ["aaa"], "{json}");
    assert_eq!(
        json["new_revisions"][0]["path"],
        "migrations/versions/bbb_dup.py"
    );
    assert!(rules(&json).contains(&"duplicate-revision"), "{json}");
}

#[test]
fn a_deleted_revision() {
    let repo = Repo::new();
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.commit("bbb");
    repo.branch("feat", "main");
    repo.git(&["rm", "-q", "migrations/versions/bbb.py"]);
    repo.commit("drop bbb");
    let (code, json) = repo.json(&["main", "feat"]);
    // `bbb` is main's head: a database deployed from main is stamped `bbb`
    // and cannot be upgraded once its file is gone.
    assert_eq!(code, 1, "{json}");
    assert_eq!(ids(&json["removed_revisions"]), ["bbb"]);
    assert_eq!(strings(&json["merged"]["heads"]), ["aaa"]);
    assert_eq!(strings(&json["merged"]["upgrade_order"]), ["aaa"]);
    assert_eq!(json["extends_base_head"], false, "{json}");
    let removed = &json["merged"]["findings"][0];
    assert_eq!(removed["rule"], "removed-revision", "{json}");
    assert_eq!(removed["severity"], "error");
    assert_eq!(removed["revision"], "bbb");
    assert!(json["path_error"].is_string(), "{json}");
    // A revision deleted on a branch while main edited it: git conflicts.
    repo.checkout("main");
    repo.write(
        "migrations/versions/bbb.py",
        "\"\"\"bbb edited\"\"\"\nrevision = 'bbb'\ndown_revision = 'aaa'\n",
    );
    repo.commit("edit bbb");
    let (_, json) = repo.json(&["main", "feat"]);
    let conflicts = json["merged"]["file_conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{json}");
    assert_eq!(conflicts[0]["path"], "migrations/versions/bbb.py");
    // `side` is the `ref` of the HEAD whose version was kept (a branch
    // named `both` once read as "both sides").
    assert_eq!(conflicts[0]["side"], "feat");
    assert_eq!(conflicts[0]["side"], json["heads"][0]["ref"]);
    assert_eq!(
        conflicts[0]["reason"],
        "modified on the base side and deleted on this side"
    );
}

/// A file two HEADs change differently: the description names the earlier
/// HEAD that changed it first and the HEAD whose version was kept, as
/// written in the text format (a branch name may hold a backtick) and as
/// code in the report.
#[test]
fn a_file_changed_by_two_heads_names_both() {
    let repo = Repo::new();
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.commit("bbb");
    repo.branch("a`b", "main");
    repo.write(
        "migrations/versions/bbb.py",
        "\"\"\"bbb edited\"\"\"\nrevision = 'bbb'\ndown_revision = 'aaa'\n",
    );
    repo.commit("edit bbb");
    repo.branch("feat", "main");
    repo.git(&["rm", "-q", "migrations/versions/bbb.py"]);
    repo.commit("drop bbb");
    let (_, text, _) = repo.run(&["compare", "main", "a`b", "feat"]);
    assert!(
        text.contains(
            "file conflict in migrations/versions/bbb.py (feat): modified on a`b and deleted on feat; feat's version kept\n"
        ),
        "{text}"
    );
    let (_, json) = repo.json(&["main", "a`b", "feat"]);
    assert_eq!(
        json["merged"]["file_conflicts"][0]["reason"],
        "modified on the base side and deleted on this side"
    );
    let (_, report, _) = repo.run(&["report", "main", "a`b", "feat"]);
    assert!(
        report.contains("**Evidence:** modified on `` a`b `` and deleted on `feat`"),
        "{report}"
    );
}

/// Deleting a revision below the head (its child re-pointed at its
/// parent) strands only databases stamped at it: a warning, beside the
/// edit of the child, which databases that ran it never see.
#[test]
fn deleting_and_editing_revisions_already_on_the_base_branch_are_warnings() {
    let repo = Repo::new();
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.migration("ccc", Some("bbb"), "ccc.py");
    repo.commit("bbb and ccc");
    repo.branch("feat", "main");
    repo.git(&["rm", "-q", "migrations/versions/bbb.py"]);
    repo.migration("ccc", Some("aaa"), "ccc.py");
    repo.commit("drop bbb");
    let (code, json) = repo.json(&["main", "feat"]);
    assert_eq!(code, 0, "{json}");
    let found: Vec<(&str, &str, &str)> = json["merged"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["revision"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("removed-revision", "warning", "bbb"),
            ("edited-revision", "warning", "ccc"),
        ],
        "{json}"
    );
    let edited = &json["merged"]["findings"][1];
    assert_eq!(edited["path"], "migrations/versions/ccc.py");
    assert_eq!(edited["line"], 2);
    let (code, _) = repo.json(&["main", "feat", "--fail-on", "warning"]);
    assert_eq!(code, 1);
}

/// A branch that adds no revision (code only, or already squash-merged)
/// leaves main's chain as it is, however old its fork point.
#[test]
fn a_branch_without_new_revisions_extends_the_base_head() {
    let repo = Repo::new();
    repo.branch("code-only", "main");
    repo.write("app.py", "print('hello')\n");
    repo.commit("code");
    repo.checkout("main");
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.commit("main moves on");
    let (code, json) = repo.json(&["main", "code-only"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["extends_base_head"], true, "{json}");
    assert!(json["new_revisions"].as_array().unwrap().is_empty());
    assert!(json["merged"]["findings"].as_array().unwrap().is_empty());
    assert_eq!(strings(&json["merged"]["heads"]), ["bbb"]);
}

/// Symbolic links in a version directory are merged as links: one that
/// dangles is an unreadable file after the merge, one to another version
/// file loads it twice, as `check` says of the same checkout.
#[cfg(unix)]
#[test]
fn symbolic_links_a_branch_adds_are_merged_as_links() {
    let repo = Repo::new();
    repo.branch("dangling", "main");
    std::os::unix::fs::symlink(
        "../../nowhere.py",
        repo.path.join("migrations/versions/link.py"),
    )
    .expect("symlink");
    repo.commit("dangling link");
    let (code, json) = repo.json(&["main", "dangling"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(rules(&json), ["unreadable-file"], "{json}");
    assert_eq!(
        json["merged"]["findings"][0]["path"],
        "migrations/versions/link.py"
    );

    repo.checkout("main");
    repo.branch("twice", "main");
    std::os::unix::fs::symlink("aaa_init.py", repo.path.join("migrations/versions/zz.py"))
        .expect("symlink");
    repo.commit("link to a revision");
    let (_, json) = repo.json(&["main", "twice"]);
    assert_eq!(rules(&json), ["loaded-twice"], "{json}");
}

/// What BASE already has does not count against a branch: main with two
/// heads and a stale header stays as broken as it was, and a branch that
/// builds on one of its heads neither fails nor is annotated for it.
#[test]
fn findings_already_on_the_base_branch_do_not_fail_the_branch() {
    let repo = Repo::new();
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.migration("ccc", Some("aaa"), "ccc.py");
    repo.write(
        "migrations/versions/ddd.py",
        "\"\"\"ddd\n\nRevision ID: ddd\nRevises: bbb\n\"\"\"\nrevision = 'ddd'\ndown_revision = 'ccc'\n",
    );
    repo.commit("main forked, with a stale header");
    repo.branch("feat", "main");
    repo.migration("eee", Some("bbb"), "eee.py");
    repo.commit("feat builds on one head");
    let (code, json) = repo.json(&["main", "feat", "--fail-on", "warning"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["extends_base_head"], true, "{json}");
    let mut found = rules(&json);
    found.sort_unstable();
    assert_eq!(found, ["header-mismatch", "multiple-heads"], "{json}");
    let (_, annotations, _) = repo.run(&["compare", "main", "feat", "--format", "github"]);
    assert!(!annotations.contains("::error"), "{annotations}");
    assert!(
        annotations.contains("already on main not annotated"),
        "{annotations}"
    );
    let (_, sarif, _) = repo.run(&["compare", "main", "feat", "--format", "sarif"]);
    assert!(
        sarif.contains("\"baselineState\": \"unchanged\""),
        "{sarif}"
    );
    // A branch that adds a third head brings a fork of its own.
    repo.checkout("main");
    repo.branch("fork", "main");
    repo.migration("fff", Some("aaa"), "fff.py");
    repo.commit("a third head");
    let (code, json) = repo.json(&["main", "fork"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["extends_base_head"], false, "{json}");
}

/// A branch whose merge revision joins BASE's two heads extends them.
#[test]
fn a_merge_revision_of_the_base_heads_extends_them() {
    let repo = Repo::new();
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.migration("ccc", Some("aaa"), "ccc.py");
    repo.commit("main forked");
    repo.branch("feat", "main");
    repo.write(
        "migrations/versions/mmm.py",
        "\"\"\"merge\"\"\"\nrevision = 'mmm'\ndown_revision = ('bbb', 'ccc')\n",
    );
    repo.commit("merge the heads");
    let (code, json) = repo.json(&["main", "feat"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["extends_base_head"], true, "{json}");
    assert_eq!(strings(&json["merged"]["heads"]), ["mmm"]);
}

#[test]
fn what_base_did_after_the_fork_is_not_the_heads_change() {
    let repo = Repo::new();
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.commit("bbb");
    repo.branch("feat", "main");
    repo.migration("ccc", Some("bbb"), "ccc.py");
    repo.commit("feat");
    repo.checkout("main");
    repo.migration("ddd", Some("bbb"), "ddd.py");
    repo.write(
        "migrations/versions/aaa_init.py",
        "\"\"\"aaa edited on main\"\"\"\nrevision = 'aaa'\ndown_revision = None\n",
    );
    repo.commit("main moves on");
    let (_, json) = repo.json(&["main", "feat"]);
    assert_eq!(ids(&json["new_revisions"]), ["ccc"]);
    assert!(ids(&json["removed_revisions"]).is_empty(), "{json}");
    assert!(ids(&json["edited_revisions"]).is_empty(), "{json}");
    // main moved to `ddd`; the branch still ends on `bbb`.
    assert_eq!(json["extends_base_head"], false);
    assert_eq!(strings(&json["merged"]["heads"]), ["ccc", "ddd"]);
    assert_eq!(strings(&json["path"]), ["ccc"]);
}

#[test]
fn the_working_tree_is_the_default_head() {
    let repo = Repo::new();
    repo.migration("bbb", Some("aaa"), "bbb_uncommitted.py");
    let (code, json) = repo.json(&[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["base"]["ref"], "main");
    assert_eq!(
        json["heads"][0]["ref"],
        "main (working tree, with uncommitted changes)"
    );
    assert!(json["heads"][0]["commit"].is_null());
    assert_eq!(ids(&json["new_revisions"]), ["bbb"]);
    assert_eq!(strings(&json["merged"]["heads"]), ["bbb"]);
    assert_eq!(strings(&json["path"]), ["bbb"]);
    assert_eq!(json["extends_base_head"], true);
}

#[test]
fn errors_exit_2() {
    let repo = Repo::new();
    let (code, _, stderr) = repo.run(&["compare", "main", "main", "--from", "zzz"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--from zzz"), "{stderr}");
    let (code, _, stderr) = repo.run(&["compare", "main", "no-such-branch"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no-such-branch"), "{stderr}");
    let outside = tempfile::tempdir().expect("temporary directory");
    let output = repo
        .command(BIN)
        .current_dir(outside.path())
        .arg("compare")
        .output()
        .expect("binary runs");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_shallow_clone_missing_the_merge_base_names_the_fetch() {
    let origin = Repo::new();
    origin.branch("feat", "main");
    origin.migration("bbb", Some("aaa"), "bbb.py");
    origin.commit("feat");
    origin.checkout("main");
    origin.migration("ccc", Some("aaa"), "ccc.py");
    origin.commit("main");
    let url = format!("file://{}", origin.path.display());
    origin.git(&[
        "clone",
        "-q",
        "--depth",
        "1",
        "--no-single-branch",
        &url,
        "shallow",
    ]);
    let clone = Repo::at(origin.path.join("shallow"));
    let (code, _, stderr) = clone.run(&["compare", "origin/main", "origin/feat"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("shallow clone"), "{stderr}");
    assert!(stderr.contains("git fetch"), "{stderr}");
}

#[test]
fn the_branchs_new_revisions_are_linted_against_mains_history() {
    let repo = Repo::new();
    // main: a table with rows in production.
    repo.write(
        "migrations/versions/aaa_init.py",
        "revision = 'aaa'\ndown_revision = None\n\n\ndef upgrade():\n    op.create_table('user', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('nick', sa.String()))\n\n\ndef downgrade():\n    op.drop_table('user')\n",
    );
    repo.commit("a table");
    repo.branch("feat", "main");
    repo.write(
        "migrations/versions/bbb_drop.py",
        "\"\"\"drop nick\"\"\"\nrevision = 'bbb'\ndown_revision = 'aaa'\n\n\ndef upgrade():\n    op.drop_column('user', 'nick')\n    op.create_index('ix_user_id', 'user', ['id'])\n\n\ndef downgrade():\n    pass\n",
    );
    repo.commit("feat");
    let (code, json) = repo.json(&["main", "feat"]);
    assert_eq!(code, 0, "warnings only: {json}");
    assert_eq!(
        rules(&json),
        [
            "drop-column",
            "missing-lock-timeout",
            "create-index-not-concurrently",
            "downgrade-empty"
        ]
    );
    // The notes of `bbb` carry the lints' findings instead of their own
    // less precise warnings.
    let notes = &json["notes"][0];
    assert_eq!(notes["revision"], "bbb");
    let codes: Vec<&str> = notes["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|note| note["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"drop-column") && codes.contains(&"create-index-not-concurrently"),
        "{codes:?}"
    );
    assert!(!codes.contains(&"index-on-existing-table"), "{codes:?}");
    // `aaa` is history: never linted, and --no-lint turns the lints off.
    let (_, quiet) = repo.json(&["main", "feat", "--no-lint"]);
    assert!(rules(&quiet).is_empty());
    let (code, _) = repo.json(&["main", "feat", "--fail-on", "warning"]);
    assert_eq!(code, 1);
}

#[test]
fn check_lints_what_changed_since_the_base_branch() {
    let repo = Repo::new();
    let dropping = |revision: &str, down: &str, column: &str| {
        format!(
            "revision = '{revision}'\ndown_revision = '{down}'\n\n\ndef upgrade():\n    op.drop_column('user', '{column}')\n\n\ndef downgrade():\n    op.add_column('user', sa.Column('{column}', sa.String()))\n"
        )
    };
    repo.write(
        "migrations/versions/bbb_old.py",
        &dropping("bbb", "aaa", "old"),
    );
    repo.commit("history");
    repo.branch("feat", "main");
    repo.write(
        "migrations/versions/ccc_committed.py",
        &dropping("ccc", "bbb", "committed"),
    );
    repo.commit("feat");
    repo.write(
        "migrations/versions/ddd_untracked.py",
        &dropping("ddd", "ccc", "untracked"),
    );
    let linted = |json: &serde_json::Value| -> Vec<String> {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "drop-column")
            .map(|f| f["revision"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, json) = repo.json_of("check", &[]);
    assert_eq!(linted(&json), ["ccc", "ddd"], "{json}");
    assert_eq!(json["lint"]["linted_revisions"], 2);
    // An uncommitted edit of a revision main has makes it linted again.
    repo.write(
        "migrations/versions/bbb_old.py",
        &format!("{}# edited\n", dropping("bbb", "aaa", "old")),
    );
    let (_, json) = repo.json_of("check", &[]);
    assert_eq!(linted(&json), ["bbb", "ccc", "ddd"]);
    let (_, json) = repo.json_of("check", &["--all"]);
    assert_eq!(json["lint"]["linted_revisions"], serde_json::Value::Null);
}

/// A bare repository has no working tree to stand for HEAD: say so, and
/// how to name HEAD, instead of "no Alembic configuration found at
/// working tree". Its SARIF gives `%SRCROOT%` no `uri` (the git directory
/// is not where the files are).
#[test]
fn a_bare_repository_needs_head_named() {
    let origin = Repo::new();
    origin.branch("feat", "main");
    origin.migration("bbb", Some("aaa"), "bbb.py");
    origin.commit("feat");
    origin.checkout("main");
    let url = format!("file://{}", origin.path.display());
    origin.git(&["clone", "-q", "--bare", &url, "bare.git"]);
    let bare = Repo::at(origin.path.join("bare.git"));
    for command in ["compare", "report"] {
        let (code, _, stderr) = bare.run(&[command]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("is a bare repository"), "{stderr}");
        assert!(
            stderr.contains(&format!("`alembic-doctor {command} main feature`")),
            "{stderr}"
        );
        assert!(!stderr.contains("no Alembic configuration"), "{stderr}");
    }
    let (code, _, stderr) = bare.run(&["report", "--fix"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("bare repository"), "{stderr}");

    let (code, json) = bare.json(&["main", "feat"]);
    assert_eq!(code, 0, "{json}");
    let (code, sarif, stderr) = bare.run(&["compare", "main", "feat", "--format", "sarif"]);
    assert_eq!(code, 0, "{stderr}");
    let sarif: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
    let src_root = &sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"];
    assert!(src_root.get("uri").is_none(), "{src_root}");
    assert!(src_root["description"]["text"].is_string(), "{src_root}");
    // In a checkout, the working tree's root.
    let (_, sarif, _) = origin.run(&["compare", "main", "feat", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
    let uri = sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .expect("a uri");
    assert!(uri.starts_with("file://") && uri.ends_with('/'), "{uri}");
}

/// `from` is `--from` as given (a prefix, `base`, `heads`...);
/// `from_revisions` is what it resolves to in the merged chain, full ids.
#[test]
fn from_is_kept_as_given_and_resolved_beside_it() {
    let repo = Repo::new();
    repo.migration("2222bbbb0002", Some("aaa"), "2222_b.py");
    repo.commit("main");
    repo.branch("feat", "main");
    repo.migration("3333cccc0003", Some("2222bbbb0002"), "3333_c.py");
    repo.commit("feat");
    for command in ["compare", "report"] {
        let (code, json) = repo.json_of(command, &["main", "feat", "--from", "2222"]);
        assert_eq!(code, 0, "{json}");
        assert_eq!(json["from"], "2222");
        assert_eq!(strings(&json["from_revisions"]), ["2222bbbb0002"]);
        assert_eq!(strings(&json["path"]), ["3333cccc0003"]);
        let (_, json) = repo.json_of(command, &["main", "feat", "--from", "base"]);
        assert_eq!(json["from"], "base");
        assert!(strings(&json["from_revisions"]).is_empty(), "{json}");
        let (_, json) = repo.json_of(command, &["main", "feat"]);
        assert!(json["from"].is_null());
        assert!(json["from_revisions"].is_null(), "{json}");
    }
}

/// The `multiple-heads` help never offers to re-parent a revision main
/// has: `fix rebase` refuses it, so the advice would fail. With main's
/// chain unloadable, the help points at the plan's first step instead of
/// commands that cannot run yet.
#[test]
fn the_help_offers_nothing_the_base_makes_fail() {
    // main already forked (`bbb`, `ccc`); the branch adds on `bbb`.
    let repo = Repo::new();
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.migration("ccc", Some("aaa"), "ccc.py");
    repo.commit("main forked");
    repo.branch("feat", "main");
    repo.migration("ddd", Some("bbb"), "ddd.py");
    repo.commit("feat");
    let (_, json) = repo.json_of("compare", &["main", "feat"]);
    let help = json["merged"]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "multiple-heads")
        .and_then(|f| f["help"].as_str())
        .unwrap_or_else(|| panic!("{json:#}"))
        .to_owned();
    assert!(help.contains("alembic merge"), "{help}");
    assert!(!help.contains("fix rebase ccc"), "{help}");

    // main cannot be loaded (its root names a parent nobody defines) and
    // the branch forks below main's head.
    let repo = Repo::new();
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.commit("main");
    repo.branch("feat", "main");
    repo.migration("ddd", Some("aaa"), "ddd.py");
    repo.commit("feat forks");
    repo.checkout("main");
    repo.migration("aaa", Some("gone"), "aaa_init.py");
    repo.commit("main loses its root's parent");
    let (code, stdout, stderr) = repo.run(&["compare", "main", "feat"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("help: after step 1 of the plan below (`main`'s chain must load first)"),
        "{stdout}"
    );
    assert!(!stdout.contains("fix rebase"), "{stdout}");
}

/// Run from another repository with `-c` naming the project's
/// configuration: the branches compared are those of the repository that
/// holds the version files (a note says so), not the current directory's,
/// which has no `feat` and other migrations.
#[test]
fn the_branches_compared_are_those_of_the_repository_holding_the_versions() {
    let project = Repo::new();
    project.write(
        "alembic.ini",
        "[alembic]\nscript_location = %(here)s/migrations\n",
    );
    project.commit("script_location from the ini file");
    project.fork_while_main_moves("feat", "bbb", "ccc");
    let elsewhere = Repo::new();
    let ini = project.path.join("alembic.ini");
    let ini = ini.to_str().expect("a UTF-8 path");
    for command in ["compare", "report"] {
        let (code, stdout, stderr) = elsewhere.run(&[command, "main", "feat", "-c", ini]);
        assert_eq!(code, 1, "{command}: {stdout}\n{stderr}");
        assert!(stdout.contains("ccc"), "{command}: {stdout}\n{stderr}");
        assert!(
            stderr.contains("are in the git repository at")
                && stderr.contains("its branches are compared"),
            "{command}: {stderr}"
        );
    }
    // Version files in no repository have no branches: said, not guessed.
    let loose = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(loose.path().join("migrations/versions")).expect("made");
    std::fs::write(
        loose.path().join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/migrations\n",
    )
    .expect("written");
    let ini = loose.path().join("alembic.ini");
    let (code, _, stderr) = elsewhere.run(&[
        "compare",
        "main",
        "main",
        "-c",
        ini.to_str().expect("UTF-8"),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("are in no git repository"), "{stderr}");
}
