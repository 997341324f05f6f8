//! End to end: `alembic-doctor check` on a branch also checks the
//! simulated merge of the base branch into the working tree, and reports
//! what it breaks about the branch's own revisions, naming the base commit
//! it compared with.

mod common;

use alembic_doctor_testkit::GitProject as Repo;
use serde_json::Value;

use crate::common::RunDoctor;

/// `git rev-parse` of `rev`, shortened to the 12 digits messages show.
fn short(repo: &Repo, rev: &str) -> String {
    repo.git(&["rev-parse", rev])[..12].to_owned()
}

/// The findings of `check --format json` that came from the merge.
fn after_merging(json: &Value) -> Vec<&Value> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["after_merging"] == true)
        .collect()
}

/// A branch forked from `main` at `aaa` with a new revision `bbb`, and
/// `main` moved on with `ccc`, both on `aaa`.
fn forked_while_main_moved() -> Repo {
    let repo = Repo::new();
    repo.fork_while_main_moves("feat", "bbb", "ccc");
    repo
}

/// The failure the example report is about: an id the branch uses was
/// merged into main by another branch after this one forked. The branch's
/// own chain is healthy; only the merge shows the duplicate.
#[test]
fn an_id_main_merged_after_the_fork_fails_check_on_the_branch() {
    let repo = Repo::new();
    repo.branch("feat", "main");
    repo.migration("a1b2c3d4e5f6", Some("aaa"), "a1b2c3d4e5f6_feature.py");
    repo.commit("feature revision");
    repo.checkout("main");
    repo.migration("a1b2c3d4e5f6", Some("aaa"), "a1b2c3d4e5f6_main.py");
    repo.commit("main revision");
    repo.checkout("feat");
    let main = short(&repo, "main");

    let (code, stdout, stderr) = repo.run(&["check"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let prefix = format!("after merging main at {main}: ");
    assert!(stdout.contains("error[duplicate-revision]"), "{stdout}");
    assert!(stdout.contains(&prefix), "{stdout}");
    assert!(stdout.contains("a1b2c3d4e5f6_main.py"), "{stdout}");
    // The help points at the plan, which follows.
    assert!(
        stdout.contains("help: step 2 of the plan below: `alembic-doctor fix duplicate-ids"),
        "{stdout}"
    );
    assert!(stdout.contains("to fix, on feat"), "{stdout}");
    assert!(stdout.contains("$ alembic-doctor fix"), "{stdout}");
    assert!(
        stdout.contains(&format!("base branch: main at {main}, merged in: ")),
        "{stdout}"
    );

    // Without the comparison the branch passes: this is what it adds.
    let (code, stdout, _) = repo.run(&["check", "--no-base"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(!stdout.contains("after merging"), "{stdout}");
    assert!(!stdout.contains("base branch:"), "{stdout}");
}

#[test]
fn a_fork_because_mains_head_moved_is_multiple_heads_after_the_merge() {
    let repo = forked_while_main_moved();
    let main = short(&repo, "main");
    let (code, stdout, stderr) = repo.run(&["check"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!(
            "error[multiple-heads]: after merging main at {main}: "
        )),
        "{stdout}"
    );
    assert!(stdout.contains("to fix, on feat"), "{stdout}");
}

#[test]
fn the_json_says_which_base_and_marks_the_merges_findings() {
    let repo = forked_while_main_moved();
    let (code, json) = repo.json_of("check", &[]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["base"]["compared"], true);
    assert_eq!(json["base"]["ref"], "main");
    assert_eq!(json["base"]["commit"], repo.git(&["rev-parse", "main"]));
    assert_eq!(json["base"]["findings"], 1);
    assert!(
        !json["base"]["plan"]["steps"]
            .as_array()
            .expect("steps")
            .is_empty(),
        "{json}"
    );
    let merged = after_merging(&json);
    assert_eq!(merged.len(), 1, "{json}");
    assert_eq!(merged[0]["rule"], "multiple-heads");
    assert!(
        merged[0]["message"]
            .as_str()
            .expect("message")
            .starts_with("after merging main at "),
        "{json}"
    );
    assert!(merged[0]["help"].is_string(), "{json}");
    // Every finding says where it comes from; the summary counts both.
    for finding in json["findings"].as_array().expect("findings") {
        assert!(finding["after_merging"].is_boolean(), "{finding}");
    }
    assert_eq!(json["summary"]["errors"], 1);

    let (code, json) = repo.json_of("check", &["--no-base"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["base"]["compared"], false);
    assert_eq!(json["base"]["skipped"], "--no-base");
    assert!(after_merging(&json).is_empty(), "{json}");
}

#[test]
fn github_annotations_carry_the_merges_findings_and_the_plan() {
    let repo = forked_while_main_moved();
    let (code, stdout, _) = repo.run(&["check", "--format", "github"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains(
            "file=migrations/versions/bbb_feature.py,line=2,endLine=2,col=12,endColumn=17,\
             title=alembic-doctor multiple-heads::after merging main at "
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("::notice title=alembic-doctor plan::"),
        "{stdout}"
    );
}

#[test]
fn a_branch_that_edits_a_revision_of_main_is_told() {
    let repo = Repo::new();
    repo.branch("feat", "main");
    repo.write(
        "migrations/versions/aaa_init.py",
        "\"\"\"aaa edited\"\"\"\nrevision = 'aaa'\ndown_revision = None\n",
    );
    repo.commit("edit main's revision");
    let (code, stdout, stderr) = repo.run(&["check", "--fail-on", "warning"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("warning[edited-revision]"), "{stdout}");
    assert!(stdout.contains("after merging main at "), "{stdout}");
    // A warning: the default threshold passes it.
    let (code, _, _) = repo.run(&["check"]);
    assert_eq!(code, 0);
}

#[test]
fn a_branch_that_deletes_mains_head_fails() {
    let repo = Repo::new();
    repo.migration("bbb", Some("aaa"), "bbb_main.py");
    repo.commit("main's head");
    repo.branch("feat", "main");
    repo.git(&["rm", "-q", "migrations/versions/bbb_main.py"]);
    repo.commit("delete it");
    let (code, stdout, _) = repo.run(&["check"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("error[removed-revision]"), "{stdout}");
    assert!(stdout.contains("after merging main at "), "{stdout}");
}

#[test]
fn a_healthy_branch_passes_and_nothing_is_added() {
    let repo = Repo::new();
    repo.branch("feat", "main");
    repo.migration("bbb", Some("aaa"), "bbb_feature.py");
    repo.commit("feature revision");
    // Uncommitted work counts: it is what a pre-commit hook sees.
    repo.migration("ccc", Some("bbb"), "ccc_feature.py");
    let (code, stdout, stderr) = repo.run(&["check"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(!stdout.contains("after merging"), "{stdout}");
    assert!(
        stdout.contains("merged in: nothing new on the branch's revisions"),
        "{stdout}"
    );
    assert_eq!(stderr, "");
    let (_, json) = repo.json_of("check", &[]);
    assert_eq!(json["base"]["compared"], true);
    assert_eq!(json["base"]["findings"], 0);
    assert!(after_merging(&json).is_empty(), "{json}");
}

/// On the base branch itself nothing is compared, even with uncommitted
/// changes; a branch that already contains main and adds nothing gets
/// nothing either.
#[test]
fn on_the_base_branch_or_containing_it_nothing_is_added() {
    let repo = Repo::new();
    repo.migration("bbb", Some("aaa"), "bbb_main.py");
    let (code, json) = repo.json_of("check", &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["base"]["compared"], false);
    assert_eq!(json["base"]["skipped"], "HEAD is main");
    repo.commit("bbb");

    let repo = forked_while_main_moved();
    repo.git(&["merge", "-q", "--no-edit", "main"]);
    repo.write(
        "migrations/versions/ddd_merge.py",
        "\"\"\"merge\"\"\"\nrevision = 'ddd'\ndown_revision = ('bbb', 'ccc')\n",
    );
    repo.commit("merge heads");
    let (code, json) = repo.json_of("check", &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["base"]["compared"], true);
    assert!(after_merging(&json).is_empty(), "{json}");
}

/// What main already has on its own is main's: a branch is not blamed
/// for it.
#[test]
fn findings_main_already_has_are_not_blamed_on_the_branch() {
    let repo = Repo::new();
    repo.migration("bbb", Some("aaa"), "bbb_main.py");
    repo.migration("ccc", Some("aaa"), "ccc_main.py");
    repo.commit("main forks on its own");
    repo.branch("feat", "main");
    repo.migration("ddd", Some("bbb"), "ddd_feature.py");
    repo.commit("feature on one of main's heads");
    let (_, json) = repo.json_of("check", &[]);
    assert_eq!(json["base"]["compared"], true);
    assert!(after_merging(&json).is_empty(), "{json}");
}

#[test]
fn a_missing_base_is_a_note_and_check_goes_on() {
    let repo = forked_while_main_moved();
    let (code, stdout, stderr) = repo.run(&["check", "--base", "origin/nowhere"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("note: the base branch `origin/nowhere` was not found"),
        "{stderr}"
    );
    assert!(!stdout.contains("after merging"), "{stdout}");

    // No default branch at all (none of origin/HEAD, main, master).
    let repo = forked_while_main_moved();
    repo.git(&["branch", "-q", "-m", "main", "trunk"]);
    let (code, json) = repo.json_of("check", &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["base"]["compared"], false);
    let notes = json["base"]["notes"].as_array().expect("notes");
    assert!(
        notes[0]
            .as_str()
            .expect("a note")
            .contains("no base branch found"),
        "{json}"
    );
    // Named, it is found again.
    let (code, json) = repo.json_of("check", &["--base", "trunk"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["base"]["ref"], "trunk");
}

/// A local `main` behind the `origin/main` it follows may miss what was
/// merged there since: said, and the comparison still runs with `main`.
#[test]
fn a_base_behind_its_upstream_is_called_stale() {
    let repo = forked_while_main_moved();
    repo.checkout("main");
    repo.migration("eee", Some("ccc"), "eee_main.py");
    repo.commit("merged on the remote");
    // `origin/main` is where `main` is now; `main` goes back one commit.
    repo.git(&[
        "remote",
        "add",
        "origin",
        "https://example.invalid/repo.git",
    ]);
    repo.git(&["update-ref", "refs/remotes/origin/main", "main"]);
    repo.git(&["branch", "-q", "--set-upstream-to", "origin/main", "main"]);
    repo.checkout("feat");
    repo.git(&["branch", "-q", "-f", "main", "main~1"]);
    let (code, stdout, stderr) = repo.run(&["check"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stderr.contains("note: `main` ("), "{stderr}");
    assert!(stderr.contains("is behind `origin/main`"), "{stderr}");
    assert!(stdout.contains("after merging main at "), "{stdout}");

    // Up to date with its upstream: no note.
    repo.git(&["branch", "-q", "-f", "main", "origin/main"]);
    let (_, _, stderr) = repo.run(&["check"]);
    assert!(!stderr.contains("is behind"), "{stderr}");
}

/// The simulated merge is read through the parse cache (what it takes
/// unchanged from main is known by main's blob ids): a second run, with the
/// cache filled, finds the same; and when main moves, the merge follows.
#[test]
fn the_merge_read_through_the_parse_cache_stays_right() {
    let repo = forked_while_main_moved();
    let (code, cold) = repo.json_of("check", &[]);
    assert_eq!(code, 1, "{cold}");
    let (_, warm) = repo.json_of("check", &[]);
    assert_eq!(cold, warm);
    // Main edits `ccc` so that it no longer forks: it now follows `bbb`'s
    // id on main too, a duplicate of the branch's file.
    repo.checkout("main");
    repo.migration("bbb", Some("aaa"), "ccc_main.py");
    repo.commit("main's ccc becomes bbb");
    repo.checkout("feat");
    let (code, json) = repo.json_of("check", &[]);
    assert_eq!(code, 1, "{json}");
    let rules: Vec<&str> = after_merging(&json)
        .iter()
        .map(|f| f["rule"].as_str().expect("a rule"))
        .collect();
    assert_eq!(rules, ["duplicate-revision"], "{json}");
}

/// The current directory is in one repository and the version files in
/// another (`-c` pointing at a second checkout): `git status` in the
/// current directory's repository cannot answer for them, and `check` used
/// to stop there (exit 2). What changed is now asked of the repository that
/// holds them, and a note says which; with the version files in no
/// repository, every revision is linted and that is said too.
#[test]
fn version_files_outside_the_current_repository_are_scoped_by_their_own() {
    let here = Repo::new();
    let there = Repo::new();
    // `%(here)s`: a relative `script_location` is relative to the current
    // directory, as in Alembic.
    there.write(
        "alembic.ini",
        "[alembic]\nscript_location = %(here)s/migrations\n",
    );
    there.commit("config");
    there.branch("feature", "HEAD");
    there.migration("bbb", Some("aaa"), "bbb_feature.py");
    there.commit("feature");
    let ini = there.path.join("alembic.ini");
    let ini = ini.to_str().expect("a UTF-8 path");

    let (code, stdout, stderr) = here.run(&["-c", ini, "check", "--format", "json"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let json: Value = serde_json::from_str(&stdout).expect("JSON");
    // Only the feature branch's revision is new since `main` of `there`.
    assert_eq!(json["lint"]["linted_revisions"], 1, "{json}");
    assert_eq!(json["base"]["ref"], "main", "{json}");
    assert!(
        stderr.contains(&format!(
            "are in the git repository at {}",
            there.path.display()
        )) && stderr.contains(&here.path.display().to_string()),
        "{stderr}"
    );

    // The same files in no repository at all.
    let loose = tempfile::tempdir().expect("a directory");
    let loose = std::fs::canonicalize(loose.path()).expect("canonical");
    for rel in [
        "alembic.ini",
        "migrations/versions/aaa_init.py",
        "migrations/versions/bbb_feature.py",
    ] {
        std::fs::create_dir_all(loose.join(rel).parent().expect("a parent")).expect("dirs");
        std::fs::copy(there.path.join(rel), loose.join(rel)).expect("copied");
    }
    let ini = loose.join("alembic.ini");
    let (code, stdout, stderr) = here.run(&[
        "-c",
        ini.to_str().expect("UTF-8"),
        "check",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let json: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(json["lint"]["linted_revisions"], Value::Null, "{json}");
    assert_eq!(
        json["lint"]["scope"],
        "every revision (the version files are in no git repository)"
    );
    assert!(
        stderr.contains("in no other, so every revision is linted"),
        "{stderr}"
    );
}

/// A migration whose docstring header names another revision: an old
/// `header-mismatch` warning nobody on a branch is going to fix.
fn migration_with_wrong_header(repo: &Repo, revision: &str, down: &str, file: &str) {
    repo.write(
        &format!("migrations/versions/{file}"),
        &format!(
            "\"\"\"{revision}\n\nRevision ID: fff{revision}\nRevises: {down}\n\"\"\"\nrevision = '{revision}'\ndown_revision = '{down}'\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
        ),
    );
}

/// Old chain warnings were printed on every pull request, burying what the
/// branch did. In the default scope only the branch's own files get
/// per-file chain warnings; the rest are one line, and said in every
/// format; chain errors always show.
#[test]
fn chain_warnings_on_unchanged_revisions_are_one_line_in_the_default_scope() {
    let repo = Repo::new();
    migration_with_wrong_header(&repo, "bbb", "aaa", "bbb_old.py");
    migration_with_wrong_header(&repo, "ccc", "bbb", "ccc_old.py");
    repo.commit("old history");
    repo.branch("feat", "main");
    migration_with_wrong_header(&repo, "ddd", "ccc", "ddd_new.py");
    repo.commit("feature revision");

    let (code, stdout, stderr) = repo.run(&["check"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(
        stdout.matches("warning[header-mismatch]").count(),
        1,
        "{stdout}"
    );
    assert!(stdout.contains("ddd_new.py"), "{stdout}");
    assert!(!stdout.contains("bbb_old.py"), "{stdout}");
    assert!(
        stdout.contains("2 warnings on unchanged revisions: `--all` shows them."),
        "{stdout}"
    );

    let (_, json) = repo.json_of("check", &[]);
    assert_eq!(json["summary"]["hidden_warnings"], 2, "{json}");
    assert_eq!(json["summary"]["warnings"], 1, "{json}");
    assert_eq!(json["findings"].as_array().expect("findings").len(), 1);

    let (_, github, _) = repo.run(&["check", "--format", "github"]);
    assert_eq!(github.matches("::warning").count(), 1, "{github}");
    assert!(
        github.contains("2 warnings on unchanged revisions: `--all` shows them"),
        "{github}"
    );

    let (_, sarif, _) = repo.run(&["check", "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&sarif).expect("SARIF");
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(sarif["runs"][0]["properties"]["hiddenWarnings"], 2);

    let (_, stdout, _) = repo.run(&["check", "--all"]);
    assert_eq!(
        stdout.matches("warning[header-mismatch]").count(),
        3,
        "{stdout}"
    );
    assert!(!stdout.contains("unchanged revisions"), "{stdout}");
    let (_, json) = repo.json_of("check", &["--all"]);
    assert_eq!(json["summary"]["hidden_warnings"], 0, "{json}");
}

/// A chain error on an old file is shown whatever the scope: the chain is
/// broken for everyone.
#[test]
fn chain_errors_on_unchanged_revisions_always_show() {
    let repo = Repo::new();
    repo.migration("bbb", Some("aaa"), "bbb_one.py");
    repo.migration("ccc", Some("aaa"), "ccc_two.py");
    repo.commit("two heads on main");
    repo.branch("feat", "main");
    repo.write("notes.txt", "unrelated\n");
    repo.commit("unrelated change");
    let (code, stdout, _) = repo.run(&["check"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("error[multiple-heads]"), "{stdout}");
}

/// One `git status` answers both questions `check` asks git about the
/// working tree: whether the project has uncommitted changes (the
/// branch's name in the comparison) and which version files changed (the
/// lints' scope).
#[test]
fn one_git_status_answers_the_comparison_and_the_lint_scope() {
    let repo = forked_while_main_moved();
    // An uncommitted edit to the revision both branches have.
    repo.write(
        "migrations/versions/aaa_init.py",
        "\"\"\"aaa\"\"\"\nrevision = 'aaa'\ndown_revision = None\n\n\ndef upgrade():\n    pass  # edited\n\n\ndef downgrade():\n    pass\n",
    );
    let uncommitted = "feat (working tree, with uncommitted changes)";
    let (_, json) = repo.json_of("check", &[]);
    assert!(json["base"].to_string().contains(uncommitted), "{json}");
    // `bbb`, new on the branch, and `aaa`, edited.
    assert_eq!(json["lint"]["linted_revisions"], 2, "{json}");
    repo.commit("edit aaa");
    let (_, json) = repo.json_of("check", &[]);
    assert!(!json["base"].to_string().contains(uncommitted), "{json}");
    assert!(
        json["base"].to_string().contains("feat (working tree)"),
        "{json}"
    );
    assert_eq!(json["lint"]["linted_revisions"], 2, "{json}");
    // Only the configuration changed: the name says so, the scope is the
    // same.
    repo.write(
        "alembic.ini",
        "[alembic]\nscript_location = migrations\n# edited\n",
    );
    let (_, json) = repo.json_of("check", &[]);
    assert!(json["base"].to_string().contains(uncommitted), "{json}");
    assert_eq!(json["lint"]["linted_revisions"], 2, "{json}");
}

/// The pull request that adds Alembic: the base branch has no project yet,
/// so there is nothing to compare with. `check` says so in a note and
/// checks the branch (every revision new), rather than failing.
#[test]
fn a_branch_that_adds_alembic_is_checked_without_a_comparison() {
    let repo = Repo::new();
    std::fs::remove_file(repo.path.join("alembic.ini")).expect("removed");
    std::fs::remove_dir_all(repo.path.join("migrations")).expect("removed");
    repo.write("app.py", "print('no migrations yet')\n");
    repo.commit("main before Alembic");
    repo.branch("feat", "main");
    repo.write("alembic.ini", "[alembic]\nscript_location = migrations\n");
    repo.write("migrations/env.py", "");
    repo.migration("aaa", None, "aaa_init.py");
    repo.commit("add Alembic");
    let (code, stdout, stderr) = repo.run(&["check"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("main has no Alembic project yet (no Alembic configuration there)"),
        "{stderr}"
    );
    let (code, json) = repo.json_of("check", &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["base"]["compared"], false, "{json}");
    assert_eq!(
        json["base"]["skipped"], "main has no Alembic project",
        "{json}"
    );
    assert_eq!(json["lint"]["linted_revisions"], 1, "{json}");
}

/// An `alembic.ini` kept outside the repository (given with `-c`) is in no
/// commit: the base branch and the merge are read with the same one, from
/// the disk, and the merge's findings still show.
#[test]
fn a_configuration_outside_the_repository_serves_every_side() {
    let repo = forked_while_main_moved();
    let outside = tempfile::tempdir().expect("temp dir");
    let ini = outside.path().join("alembic.ini");
    let migrations = repo.path.join("migrations");
    std::fs::write(
        &ini,
        format!("[alembic]\nscript_location = {}\n", migrations.display()),
    )
    .expect("written");
    let ini = ini.to_str().expect("a UTF-8 path");
    let main = short(&repo, "main");
    let (code, stdout, stderr) = repo.run(&["check", "-c", ini]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!(
            "error[multiple-heads]: after merging main at {main}: "
        )),
        "{stdout}\n{stderr}"
    );
    let (code, stdout, stderr) = repo.run(&["compare", "main", "feat", "-c", ini]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("ccc"), "{stdout}\n{stderr}");
}

/// A version directory reached through a symbolic link (`versions ->
/// ../shared_versions`): git does not look through the link, so the
/// lints' scope asks about the real directory, where an uncommitted edit
/// is, with or without the comparison with the base branch.
#[cfg(unix)]
#[test]
fn an_uncommitted_edit_behind_a_linked_version_directory_is_in_scope() {
    let repo = Repo::new();
    std::fs::rename(
        repo.path.join("migrations/versions"),
        repo.path.join("shared_versions"),
    )
    .expect("moved");
    std::os::unix::fs::symlink("../shared_versions", repo.path.join("migrations/versions"))
        .expect("linked");
    repo.commit("versions behind a link");
    repo.branch("feat", "main");
    repo.write(
        "shared_versions/bbb_feature.py",
        "\"\"\"bbb\"\"\"\nrevision = 'bbb'\ndown_revision = 'aaa'\n",
    );
    repo.commit("feature revision");
    repo.write(
        "shared_versions/aaa_init.py",
        "\"\"\"aaa\"\"\"\nrevision = 'aaa'\ndown_revision = None\n# edited\n",
    );
    for args in [&[][..], &["--no-base"]] {
        let (_, json) = repo.json_of("check", args);
        // `bbb`, new on the branch, and `aaa`, edited.
        assert_eq!(json["lint"]["linted_revisions"], 2, "{args:?}: {json}");
    }
}
