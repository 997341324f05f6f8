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

/// main: `aaa` -> `bbb`; the branch `work` adds `ccc` on `bbb`; main then
/// adds `ddd` on `bbb`: main's head is not in `work`'s tree.
fn main_moved_on() -> GitProject {
    let repo = GitProject::new();
    repo.migration("bbb", Some("aaa"), "bbb_second.py");
    repo.commit("bbb");
    repo.branch("work", "main");
    repo.migration("ccc", Some("bbb"), "ccc_work.py");
    repo.commit("work");
    repo.checkout("main");
    repo.migration("ddd", Some("bbb"), "ddd_main.py");
    repo.commit("main");
    repo.checkout("work");
    repo
}

#[test]
fn rebase_onto_a_base_head_this_tree_lacks_says_to_merge_or_rebase_first() {
    let repo = main_moved_on();
    let (code, _, stderr) = repo.run(&["fix", "rebase", "ccc", "--base", "main"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("main's head `ddd`, which this working tree does not contain"),
        "{stderr}"
    );
    assert!(stderr.contains("git rebase main"), "{stderr}");
    assert!(stderr.contains("--onto"), "{stderr}");
    assert!(!stderr.contains("Can't locate revision"), "{stderr}");
    // Naming a target this tree has still works.
    let (code, stdout, stderr) = repo.run(&["fix", "rebase", "ccc", "--onto", "aaa", "--dry-run"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("+down_revision = 'aaa'"), "{stdout}");
}

#[test]
fn rebase_onto_a_base_head_whose_id_this_tree_reuses_is_refused() {
    // The branch's copy of `a1b2c3d4e5f6` is not main's head, although it
    // has the same id; once renamed, main's head is simply missing here.
    let repo = placeholder_twice();
    let (code, _, stderr) = repo.run(&["fix", "rebase", "a1b2c3d4e5f6", "--base", "main"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("does not contain"), "{stderr}");
    assert!(stderr.contains("fix duplicate-ids"), "{stderr}");
    assert!(!stderr.contains("cycle"), "{stderr}");
    let (code, stdout, stderr) = repo.run(&["fix", "duplicate-ids", "--base", "main"]);
    assert_eq!(code, 0, "{stderr}");
    let new_id = stdout
        .split('`')
        .nth(3)
        .unwrap_or_else(|| panic!("{stdout}"))
        .to_owned();
    let (code, _, stderr) = repo.run(&["fix", "rebase", &new_id, "--base", "main"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("main's head `a1b2c3d4e5f6`, which this working tree does not contain"),
        "{stderr}"
    );
}

#[test]
fn rebase_onto_or_of_a_duplicated_id_is_refused() {
    let repo = GitProject::new();
    repo.migration("bbb", Some("aaa"), "bbb_one.py");
    repo.migration("bbb", Some("aaa"), "bbb_two.py");
    repo.migration("ccc", Some("aaa"), "ccc_third.py");
    repo.commit("three");
    for args in [
        &["fix", "rebase", "ccc", "--onto", "bbb"][..],
        &["fix", "rebase", "bbb", "--onto", "ccc"][..],
    ] {
        let (code, _, stderr) = repo.run(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains("`bbb` is declared by 2 files"), "{stderr}");
        assert!(stderr.contains("bbb_one.py"), "{stderr}");
        assert!(stderr.contains("fix duplicate-ids"), "{stderr}");
    }
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn duplicate_ids_with_every_copy_on_the_base_branch_needs_keep() {
    let repo = GitProject::new();
    repo.migration("bbb", Some("aaa"), "bbb_one.py");
    repo.migration("bbb", Some("aaa"), "bbb_two.py");
    repo.commit("both copies deployed");
    let (code, _, stderr) = repo.run(&["fix", "duplicate-ids", "--dry-run"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("both are on main"), "{stderr}");
    assert!(stderr.contains("may have applied any of them"), "{stderr}");
    assert!(
        stderr.contains("fix duplicate-ids --keep migrations/versions/bbb_one.py"),
        "{stderr}"
    );
    let (code, stdout, stderr) = repo.run(&["fix", "duplicate-ids", "--keep", "bbb_two.py"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("migrations/versions/bbb_one.py: revision `bbb` → `"),
        "{stdout}"
    );
    assert!(stdout.contains("named with --keep"), "{stdout}");
}

/// `aaa` with two heads on it, `bbb` and `zz`, where `zz`'s file does not
/// parse (Alembic stops at it).
fn head_that_does_not_parse() -> GitProject {
    let repo = GitProject::new();
    repo.migration("bbb", Some("aaa"), "bbb_second.py");
    repo.write(
        "migrations/versions/zz_bad.py",
        "revision = 'zz'\ndown_revision = 'aaa'\ndef upgrade(:\n    pass\n",
    );
    repo.commit("two heads, one broken");
    repo
}

#[test]
fn merge_refuses_a_project_alembic_cannot_load() {
    let repo = head_that_does_not_parse();
    let (code, _, stderr) = repo.run(&["fix", "merge", "-m", "merge heads"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("`syntax-error`: migrations/versions/zz_bad.py is not valid Python"),
        "{stderr}"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "", "nothing written");
    // Re-parenting is refused for the same reason.
    let (code, _, stderr) = repo.run(&["fix", "rebase", "bbb", "--onto", "zz"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("zz_bad.py"), "{stderr}");
}

#[test]
fn merge_refuses_an_existing_rev_id_before_writing() {
    let repo = GitProject::new();
    repo.migration("bbb", Some("aaa"), "bbb_second.py");
    repo.migration("ccc", Some("aaa"), "ccc_third.py");
    repo.write(
        "migrations/versions/ddd_labelled.py",
        "revision = 'ddd'\ndown_revision = 'aaa'\nbranch_labels = ('feature',)\n",
    );
    repo.commit("three heads");
    for (rev_id, said) in [
        (
            "bbb",
            "is already the id of migrations/versions/bbb_second.py",
        ),
        ("feature", "is already a branch label of `ddd`"),
    ] {
        let (code, _, stderr) = repo.run(&["fix", "merge", "--rev-id", rev_id]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(said), "{stderr}");
        assert!(!stderr.contains("undone"), "{stderr}");
        assert_eq!(repo.git(&["status", "--porcelain"]), "", "nothing written");
    }
}

#[test]
fn a_rollback_message_says_each_reason_once() {
    // A template that renders three identical syntax errors: the merge is
    // written, reads back worse and is undone.
    let repo = GitProject::new();
    repo.migration("bbb", Some("aaa"), "bbb_second.py");
    repo.migration("ccc", Some("aaa"), "ccc_third.py");
    repo.write(
        "migrations/script.py.mako",
        "\"\"\"${message}\"\"\"\nrevision = ${repr(up_revision)}\ndown_revision = ${repr(down_revision)}\nx = = 1\ny = = 1\nz = = 1\n",
    );
    repo.commit("two heads, a broken template");
    let (code, _, stderr) = repo.run(&["fix", "merge", "-m", "m"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("was undone"), "{stderr}");
    assert_eq!(
        stderr
            .matches("would bring a new `syntax-error` finding")
            .count(),
        1,
        "{stderr}"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "", "restored");
}

#[test]
fn report_fix_says_an_uncommitted_file_stopped_it() {
    let repo = placeholder_twice();
    let file = repo
        .path
        .join("migrations/versions/a1b2c3d4e5f6_join_code.py");
    let mut edited = std::fs::read_to_string(&file).unwrap();
    edited.push_str("# work in progress\n");
    std::fs::write(&file, &edited).unwrap();
    let (_, stdout, stderr) = repo.run(&["report", "main", "--fix"]);
    assert!(stdout.contains("## Issues Found and Fixed"), "{stderr}");
    assert!(
        !stdout.contains("found nothing it could repair"),
        "{stdout}"
    );
    assert!(stdout.contains("`--fix` repaired nothing:"), "{stdout}");
    assert!(
        stdout.contains(
            "a file to rewrite has uncommitted changes: migrations/versions/a1b2c3d4e5f6_join_code.py"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("--allow-dirty"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), edited);
}

/// `multiple-heads` on a branch that merged main in after main moved on:
/// the help moves the branch's whole line of work from the fork up (moving
/// the head `ccc` alone would leave `bbb` a head), run as written it leaves
/// one head. Moving main's revision instead is not offered: `fix rebase`
/// refuses it (databases may have run it).
#[test]
fn multiple_heads_help_moves_the_line_of_work_and_the_command_works() {
    let repo = GitProject::new();
    repo.branch("work", "main");
    repo.migration("bbb", Some("aaa"), "bbb_one.py");
    repo.migration("ccc", Some("bbb"), "ccc_two.py");
    repo.commit("work");
    repo.checkout("main");
    repo.migration("ddd", Some("aaa"), "ddd_other.py");
    repo.commit("main moves on");
    repo.checkout("work");
    repo.git(&["merge", "-q", "--no-edit", "main"]);
    let (code, json) = repo.json_of("check", &["--no-lint"]);
    assert_eq!(code, 1, "{json}");
    let help = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "multiple-heads")
        .and_then(|f| f["help"].as_str())
        .unwrap_or_else(|| panic!("{json}"))
        .to_owned();
    let commands: Vec<&str> = help
        .split('`')
        .filter(|part| part.starts_with("alembic-doctor fix rebase "))
        .collect();
    let mut sorted = commands.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        ["alembic-doctor fix rebase bbb --onto ddd"],
        "{help}"
    );
    let run = |command: &str| {
        let args: Vec<&str> = command.split_whitespace().skip(1).collect();
        repo.run(&args)
    };
    let (code, _, stderr) = run("alembic-doctor fix rebase ddd --onto ccc");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("`ddd` is on main"), "{stderr}");
    let (code, stdout, stderr) = run("alembic-doctor fix rebase bbb --onto ddd");
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, json) = repo.json_of("check", &["--no-lint"]);
    assert_eq!(code, 0, "{json}");
    let (_, heads, _) = repo.run(&["heads"]);
    assert_eq!(heads.trim(), "ccc (head)", "{heads}");
}

/// A real write failure, not a simulated one: the fix runs with a file
/// size limit (`ulimit -f`, the signal it raises ignored, so that a write
/// past it fails with "File too large" as on a full disk) smaller than the
/// file it must rewrite. The temporary file cannot be written, so no file
/// the user has was touched: every byte and name is as it was, no
/// temporary file is left, and the error says which file and why.
#[test]
fn a_write_that_fails_for_real_leaves_every_original_byte() {
    let repo = placeholder_twice();
    let big = format!(
        "\"\"\"join code\"\"\"\nrevision = 'a1b2c3d4e5f6'\ndown_revision = 'bbb'\n\n\ndef upgrade():\n    pass\n{}",
        "# padding to make the file larger than the limit\n".repeat(200)
    );
    repo.write("migrations/versions/a1b2c3d4e5f6_join_code.py", &big);
    repo.commit("a larger migration");
    let before = tree(&repo.path);
    let output = repo
        .command("sh")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 8; exec \"$0\" \"$@\"",
            crate::common::BIN,
            "fix",
            "duplicate-ids",
        ])
        .env("ALEMBIC_DOCTOR_NO_CACHE", "1")
        .output()
        .expect("sh runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("a1b2c3d4e5f6_join_code.py") && stderr.contains("File too large"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(tree(&repo.path), before);
}

/// Every file under `dir` (but `.git`) with its bytes.
fn tree(dir: &std::path::Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("a directory") {
            let path = entry.expect("an entry").path();
            if path.ends_with(".git") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("readable");
                out.insert(path, bytes);
            }
        }
    }
    out
}
