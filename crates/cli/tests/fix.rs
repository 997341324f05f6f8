//! End to end: `alembic-doctor fix` on git repositories built in temporary
//! directories: the diff of `--dry-run`, the refusal to touch uncommitted
//! work, and the refusal to re-parent what the base branch already has.

mod common;

use alembic_doctor_testkit::GitProject;

use crate::common::RunDoctor;

/// main: `aaa` -> `bbb`; the branch `work` adds `a1b2c3d4e5f6` on `bbb`;
/// main then adds its own `a1b2c3d4e5f6` (the placeholder id twice).
fn placeholder_twice() -> GitProject {
    let repo = GitProject::new();
    repo.migration("bbb", Some("aaa"), "bbb_second.py");
    repo.commit("bbb");
    repo.branch("work", "main");
    repo.migration("a1b2c3d4e5f6", Some("bbb"), "a1b2c3d4e5f6_join_code.py");
    repo.commit("work");
    repo.checkout("main");
    repo.migration("a1b2c3d4e5f6", Some("bbb"), "a1b2c3d4e5f6_tenants.py");
    repo.commit("main");
    repo.checkout("work");
    repo
}

#[test]
fn dry_run_prints_the_diff_and_changes_nothing() {
    let repo = placeholder_twice();
    let file = repo
        .path
        .join("migrations/versions/a1b2c3d4e5f6_join_code.py");
    let before = std::fs::read(&file).unwrap();
    let (code, stdout, stderr) = repo.run(&["fix", "duplicate-ids", "--base", "main", "--dry-run"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("-revision = 'a1b2c3d4e5f6'"), "{stdout}");
    assert!(stdout.contains("+revision = '"), "{stdout}");
    assert!(stdout.contains("dry run: nothing was changed"), "{stdout}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn uncommitted_changes_are_not_rewritten_without_allow_dirty() {
    let repo = placeholder_twice();
    let file = repo
        .path
        .join("migrations/versions/a1b2c3d4e5f6_join_code.py");
    let mut edited = std::fs::read_to_string(&file).unwrap();
    edited.push_str("# work in progress\n");
    std::fs::write(&file, &edited).unwrap();
    let (code, _, stderr) = repo.run(&["fix", "duplicate-ids", "--base", "main"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--allow-dirty"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), edited);
    let (code, stdout, stderr) =
        repo.run(&["fix", "duplicate-ids", "--base", "main", "--allow-dirty"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("fixed:"), "{stdout}");
    assert!(
        !file.exists(),
        "the file carrying the old id in its name was renamed"
    );
}

#[test]
fn rebase_refuses_a_revision_the_base_branch_has() {
    let repo = placeholder_twice();
    let (code, _, stderr) = repo.run(&["fix", "rebase", "bbb", "--onto", "aaa", "--base", "main"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("bbb"), "{stderr}");
    // A revision some database applied is refused too.
    let (code, _, stderr) = repo.run(&[
        "fix",
        "rebase",
        "a1b2c3d4e5f6",
        "--onto",
        "aaa",
        "--base",
        "main",
        "--applied",
        "a1b2c3d4e5f6",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("applied"), "{stderr}");
}
