//! A fix never loses a byte that someone else wrote, and never leaves a
//! user guessing: each test below plays one way of losing bytes (another
//! program writing the file while the fix replaces it, an undo after that
//! program wrote, a disk that fills up half-way, an undo that cannot
//! finish, a rewrite as root) and checks what is on disk afterwards.

mod common;

use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use alembic_doctor_fix::{Fix, FixError, FixOptions, Plan, Step, duplicates, write_plan_with};
use common::{plain_project, request, snapshot, write_files};

const KEPT: &str = "migrations/versions/abcdef012345_kept.py";
const COPY: &str = "migrations/versions/abcdef012345_copy.py";
const CHILD: &str = "migrations/versions/c1_child.py";

/// A duplicated id whose second copy has a child that follows it: the fix
/// rewrites two files and renames one.
fn duplicate_project() -> (tempfile::TempDir, PathBuf, Fix) {
    let (dir, root) = plain_project();
    write_files(
        &root,
        &[
            (
                "migrations/versions/base00000001_base.py",
                b"revision = 'base00000001'\ndown_revision = None\n",
            ),
            (
                KEPT,
                b"\"\"\"kept\n\nRevision ID: abcdef012345\nRevises: base00000001\nCreate Date: 2024-01-01 00:00:00\n\n\"\"\"\nrevision = 'abcdef012345'\ndown_revision = 'base00000001'\n",
            ),
            (
                COPY,
                b"\"\"\"copy\n\nRevision ID: abcdef012345\nRevises: base00000001\nCreate Date: 2024-02-01 00:00:00\n\n\"\"\"\nrevision = 'abcdef012345'\ndown_revision = 'base00000001'\n",
            ),
            (
                CHILD,
                b"\"\"\"child\n\nRevision ID: c1c1c1c1c1c1\nRevises: abcdef012345\n\"\"\"\nrevision = 'c1c1c1c1c1c1'\ndown_revision = 'abcdef012345'\n",
            ),
        ],
    );
    let fix = Fix::DuplicateIds(duplicates::Options {
        follow: vec![root.join(CHILD)],
        ..duplicates::Options::default()
    });
    (dir, root, fix)
}

fn plan_of(root: &Path, fix: &Fix) -> Plan {
    alembic_doctor_fix::plan(&request(root), fix, &FixOptions::default()).unwrap()
}

/// Files whose name says a fix left them behind.
fn leftovers(root: &Path) -> Vec<PathBuf> {
    snapshot(root)
        .into_keys()
        .filter(|p| p.to_string_lossy().contains(".alembic-doctor."))
        .collect()
}

const WRITER: &[u8] =
    b"revision = 'c1c1c1c1c1c1'\ndown_revision = 'abcdef012345'\n# a line another program wrote\n";

/// The check before each rename: another program rewrites a file after
/// the plan was computed and after the early check, just before the fix
/// would replace it. The fix must not replace that file at all, and what
/// the other program wrote stays.
#[test]
fn a_file_rewritten_just_before_its_rename_is_not_replaced() {
    let (_dir, root, fix) = duplicate_project();
    let plan = plan_of(&root, &fix);
    let child = root.join(CHILD);
    assert!(plan.changes.iter().any(|c| c.path == child));
    let mut replaced_child = false;
    let mut hook = |step: Step, path: &Path| {
        if path == child {
            match step {
                Step::Backup => std::fs::write(&child, WRITER)?,
                Step::Replace => replaced_child = true,
                _ => {}
            }
        }
        Ok(())
    };
    let failure = write_plan_with(&plan, &mut hook).expect_err("the changed file stops the fix");
    assert_eq!(failure.path, child);
    assert!(
        failure
            .error
            .to_string()
            .contains("changed since it was read"),
        "{}",
        failure.error
    );
    assert!(!replaced_child, "the changed file was replaced");
    failure.journal.rollback().unwrap();
    assert_eq!(std::fs::read(&child).unwrap(), WRITER);
    assert!(leftovers(&root).is_empty(), "{:?}", leftovers(&root));
}

/// The check after each rename: a program that already had the file open
/// writes into it between the check and the rename. Its bytes went to the
/// inode the fix just replaced; the fix notices, stops, and the undo puts
/// those bytes back under the file's name.
#[test]
fn a_write_through_an_open_handle_during_the_rename_is_put_back() {
    let (_dir, root, fix) = duplicate_project();
    let plan = plan_of(&root, &fix);
    let child = root.join(CHILD);
    let mut hook = |step: Step, path: &Path| {
        if path == child && step == Step::Replace {
            // Same inode: truncate and write, as an editor saving in place.
            std::fs::write(&child, WRITER)?;
        }
        Ok(())
    };
    let failure = write_plan_with(&plan, &mut hook).expect_err("the write is noticed");
    assert_eq!(failure.path, child);
    assert!(
        failure
            .error
            .to_string()
            .contains("changed since it was read"),
        "{}",
        failure.error
    );
    failure.journal.rollback().unwrap();
    assert_eq!(std::fs::read(&child).unwrap(), WRITER);
    assert!(leftovers(&root).is_empty(), "{:?}", leftovers(&root));
}

/// The same race through the whole fix: the error names the file, the
/// other program's bytes are there afterwards, and every other file of
/// the fix is as it was.
#[test]
fn a_fix_racing_another_writer_keeps_the_writers_bytes_and_undoes_the_rest() {
    let (_dir, root, fix) = duplicate_project();
    let child = root.join(CHILD);
    let mut original = snapshot(&root);
    let mut hook = |step: Step, path: &Path| {
        if path == child && step == Step::Replace {
            std::fs::write(&child, WRITER)?;
        }
        Ok(())
    };
    let error =
        alembic_doctor_fix::run_with_hook(&request(&root), &fix, &FixOptions::default(), &mut hook)
            .expect_err("the fix is refused");
    let FixError::Write { path, restore, .. } = &error else {
        panic!("{error}");
    };
    assert_eq!(path, &child);
    assert!(restore.is_none(), "{error}");
    original.insert(child.clone(), WRITER.to_vec());
    assert_eq!(snapshot(&root), original);
}

/// An undo restores a file only while it still holds what the fix wrote:
/// one written over since keeps the newer bytes, and the failure says so
/// and how to finish by hand; the files nobody touched are restored.
#[test]
fn an_undo_leaves_a_file_changed_since_the_fix_wrote_it() {
    let (_dir, root, fix) = duplicate_project();
    let original = snapshot(&root);
    let plan = plan_of(&root, &fix);
    let journal = alembic_doctor_fix::write_plan(&plan).expect("written");
    let child = root.join(CHILD);
    let fixed_child = std::fs::read(&child).unwrap();
    assert_ne!(fixed_child, original[&child]);
    let mut edited = fixed_child.clone();
    edited.extend_from_slice(b"# edited after the fix\n");
    std::fs::write(&child, &edited).unwrap();

    let failure = journal.rollback().expect_err("one file cannot be restored");
    assert_eq!(
        std::fs::read(&child).unwrap(),
        edited,
        "the newer bytes were lost"
    );
    assert!(
        failure
            .problems
            .iter()
            .any(|p| p.contains("c1_child.py changed after the fix wrote it")),
        "{failure}"
    );
    // The other two files of the fix hold their original bytes again.
    for rel in [KEPT, COPY] {
        assert_eq!(
            std::fs::read(root.join(rel)).unwrap(),
            original[&root.join(rel)]
        );
    }
    // The child's original bytes are kept, and the commands say where.
    let text = failure.to_string();
    let backup = failure
        .undo
        .iter()
        .find(|c| c.contains("c1_child.py") && c.starts_with("mv -f"))
        .expect("an undo command for the child");
    let kept = backup.split_whitespace().nth(3).unwrap();
    assert_eq!(std::fs::read(kept).unwrap(), original[&child], "{text}");
}

/// The undo's other half: a file that still holds the fix's bytes is
/// restored, byte for byte.
#[test]
fn an_undo_restores_a_file_that_still_holds_the_fix() {
    let (_dir, root, fix) = duplicate_project();
    let original = snapshot(&root);
    let plan = plan_of(&root, &fix);
    let journal = alembic_doctor_fix::write_plan(&plan).expect("written");
    assert_ne!(snapshot(&root), original);
    journal.rollback().unwrap();
    assert_eq!(snapshot(&root), original);
}

/// A full disk half-way through the temporary files: nothing the user has
/// was touched yet (every temporary file is written before the first
/// rename), so every original byte and name is in place and no temporary
/// file is left.
#[test]
fn a_full_disk_while_writing_temporary_files_touches_no_original() {
    let (_dir, root, fix) = duplicate_project();
    let original = snapshot(&root);
    let plan = plan_of(&root, &fix);
    let rewrites = plan.changes.iter().filter(|c| c.after != c.before).count();
    assert!(rewrites >= 2, "the fixture rewrites several files");
    let mut temps_written = 0;
    let mut touched = Vec::new();
    let mut hook = |step: Step, path: &Path| {
        match step {
            Step::WriteTemp => {
                temps_written += 1;
                if temps_written == rewrites {
                    // ENOSPC, as the kernel reports a full disk.
                    return Err(io::Error::from_raw_os_error(28));
                }
            }
            Step::Backup | Step::Replace | Step::Rename | Step::Remove => {
                touched.push((step, path.to_path_buf()));
            }
            _ => {}
        }
        Ok(())
    };
    let failure = write_plan_with(&plan, &mut hook).expect_err("the disk is full");
    assert_eq!(failure.error.raw_os_error(), Some(28));
    assert!(
        touched.is_empty(),
        "originals touched before every temporary file was written: {touched:?}"
    );
    assert!(failure.journal.is_empty());
    failure.journal.rollback().unwrap();
    assert_eq!(snapshot(&root), original);
}

/// A disk that fails after some files were replaced, and an undo that
/// fails too: the error says the state of every file (with the revision's
/// old id in the names) and the exact commands that undo it, and running
/// those commands gives back every original byte.
#[test]
fn a_failed_restore_says_the_state_and_the_commands_that_undo_it() {
    let (_dir, root, fix) = duplicate_project();
    let original = snapshot(&root);
    let copy = root.join(COPY);
    let mut renaming = false;
    let mut hook = |step: Step, path: &Path| {
        if step == Step::Rename {
            renaming = true;
            return Err(io::Error::from_raw_os_error(28));
        }
        if step == Step::Restore && renaming && path == copy {
            return Err(io::Error::from_raw_os_error(5));
        }
        Ok(())
    };
    let error =
        alembic_doctor_fix::run_with_hook(&request(&root), &fix, &FixOptions::default(), &mut hook)
            .expect_err("the write fails");
    let FixError::Write {
        restore: Some(restore),
        ..
    } = &error
    else {
        panic!("expected a failed restore: {error}");
    };
    let text = error.to_string();
    assert!(text.contains("the restore did not complete"), "{text}");
    assert!(text.contains("state now:"), "{text}");
    assert!(text.contains("to undo the fix, run:"), "{text}");
    assert!(text.contains("or to finish it, run:"), "{text}");
    // The file whose restore failed: its state names it (the old id is in
    // its name) and where its original bytes are.
    let copy_state = restore
        .state
        .iter()
        .find(|s| s.contains("abcdef012345_copy.py was rewritten"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(copy_state.contains("original bytes are in"), "{text}");
    // The old id, and the new one, are said in words too.
    assert!(
        text.contains("abcdef012345") && restore.fixes.iter().any(|f| f.contains("abcdef012345")),
        "{text}"
    );

    // The commands are exact: run them and the tree is as it was.
    let script = restore.undo.join("\n");
    let status = std::process::Command::new("sh")
        .args(["-ec", &script])
        .status()
        .unwrap();
    assert!(status.success(), "{script}");
    assert_eq!(snapshot(&root), original, "after running:\n{script}");
}

/// The finishing commands are exact too: they give the tree the fix
/// would have written.
#[test]
fn the_finish_commands_of_a_failed_restore_complete_the_fix() {
    let (_dir, root, fix) = duplicate_project();
    let plan = plan_of(&root, &fix);
    let copy = root.join(COPY);
    let mut hook = |step: Step, path: &Path| {
        if step == Step::Rename || (step == Step::Restore && path == copy) {
            return Err(io::Error::from_raw_os_error(5));
        }
        Ok(())
    };
    let failure = write_plan_with(&plan, &mut hook).expect_err("fails at the rename");
    let restore = failure
        .journal
        .rollback_with(&mut hook)
        .expect_err("the restore of the copy fails");
    let script = restore.finish.join("\n");
    let status = std::process::Command::new("sh")
        .args(["-ec", &script])
        .status()
        .unwrap();
    assert!(status.success(), "{script}");
    for change in &plan.changes {
        assert_eq!(std::fs::read(change.final_path()).unwrap(), change.after);
    }
    assert!(leftovers(&root).is_empty(), "{:?}", leftovers(&root));
}

/// A header line out of date, in a file that belongs to someone else.
fn stale_header_project() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (dir, root) = plain_project();
    write_files(
        &root,
        &[
            (
                "migrations/versions/base00000001_base.py",
                b"revision = 'base00000001'\ndown_revision = None\n",
            ),
            (
                "migrations/versions/c2_child.py",
                b"\"\"\"child\n\nRevision ID: c2c2c2c2c2c2\nRevises: 000000000000\n\"\"\"\nrevision = 'c2c2c2c2c2c2'\ndown_revision = 'base00000001'\n",
            ),
        ],
    );
    let file = root.join("migrations/versions/c2_child.py");
    (dir, root, file)
}

/// Run as root (as CI containers do), a rewritten file keeps its owner,
/// group and mode: it does not become root's, nor world-readable.
#[test]
fn a_rewritten_file_keeps_its_owner_group_and_mode() {
    let (_dir, root, file) = stale_header_project();
    let (nobody, nogroup) = (65534, 65534);
    std::os::unix::fs::chown(&file, Some(nobody), Some(nogroup)).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let before = std::fs::metadata(&file).unwrap();
    assert!(
        new_files_belong_to_root(&root),
        "this test needs root: only root can give a file away"
    );
    let outcome =
        alembic_doctor_fix::run(&request(&root), &Fix::Headers, &FixOptions::default()).unwrap();
    assert!(outcome.applied);
    let after = std::fs::metadata(&file).unwrap();
    assert_ne!(
        after.ino(),
        before.ino(),
        "the file was replaced, not edited"
    );
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("Revises: base00000001")
    );
    assert_eq!((after.uid(), after.gid()), (nobody, nogroup));
    assert_eq!(after.mode() & 0o7777, 0o600);
}

/// Whether files this process creates belong to root (the test's own
/// probe, without an unsafe call to `geteuid`).
fn new_files_belong_to_root(dir: &Path) -> bool {
    let probe = dir.join(".owner-probe");
    std::fs::write(&probe, b"").unwrap();
    let uid = std::fs::metadata(&probe).unwrap().uid();
    std::fs::remove_file(&probe).unwrap();
    uid == 0
}
