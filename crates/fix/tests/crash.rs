//! Crash safety: a failure injected before every single write step (the
//! library's step hook stands in for a full disk, a yanked cable or a
//! killed process) leaves every file either fully old or fully new, and the
//! rollback restores every byte and every name. A fix whose result does not
//! read back healthier is undone too.

mod common;

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use alembic_doctor_fix::{Fix, FixError, FixOptions, Plan, Step, duplicates, write_plan_with};
use common::{plain_project, request, snapshot, write_files};

/// A duplicate whose renamed copy has a child that follows it: two files
/// rewritten, one renamed.
fn project() -> (tempfile::TempDir, PathBuf, Fix) {
    let (dir, root) = plain_project();
    write_files(
        &root,
        &[
            (
                "migrations/versions/base00000001_base.py",
                b"revision = 'base00000001'\ndown_revision = None\n",
            ),
            (
                "migrations/versions/abcdef012345_kept.py",
                b"\"\"\"kept\n\nRevision ID: abcdef012345\nRevises: base00000001\nCreate Date: 2024-01-01 00:00:00\n\n\"\"\"\nrevision = 'abcdef012345'\ndown_revision = 'base00000001'\n",
            ),
            (
                "migrations/versions/abcdef012345_copy.py",
                b"\"\"\"copy\n\nRevision ID: abcdef012345\nRevises: base00000001\nCreate Date: 2024-02-01 00:00:00\n\n\"\"\"\nrevision = 'abcdef012345'\ndown_revision = 'base00000001'\n",
            ),
            (
                "migrations/versions/c1_child.py",
                b"\"\"\"child\n\nRevision ID: c1c1c1c1c1c1\nRevises: abcdef012345\n\"\"\"\nrevision = 'c1c1c1c1c1c1'\ndown_revision = 'abcdef012345'\n",
            ),
        ],
    );
    let fix = Fix::DuplicateIds(duplicates::Options {
        follow: vec![root.join("migrations/versions/c1_child.py")],
        ..duplicates::Options::default()
    });
    (dir, root, fix)
}

/// A hook that fails at call number `at` (0-based), counting calls.
fn failing_at(at: usize, calls: &mut usize) -> impl FnMut(Step, &Path) -> io::Result<()> + '_ {
    move |step, path| {
        let n = *calls;
        *calls += 1;
        if n == at {
            Err(io::Error::other(format!(
                "injected failure at {step:?} of {}",
                path.display()
            )))
        } else {
            Ok(())
        }
    }
}

/// Every file of the plan is fully old (at its old name) or fully new (at
/// its new name), never both, never neither, never a mixture.
fn all_old_or_new(plan: &Plan) {
    for change in &plan.changes {
        let at = |p: &Path| std::fs::read(p).ok();
        let old_place = at(&change.path);
        let new_place = change.new_path.as_deref().and_then(at);
        match (old_place, new_place) {
            (Some(bytes), None) => assert!(
                bytes == change.before || bytes == change.after,
                "{} is neither old nor new",
                change.path.display()
            ),
            (None, Some(bytes)) => assert!(
                bytes == change.before || bytes == change.after,
                "{} is neither old nor new",
                change.display
            ),
            other => panic!(
                "{}: old name and new name {:?}",
                change.display,
                (other.0.is_some(), other.1.is_some())
            ),
        }
    }
}

#[test]
fn a_failure_at_any_step_restores_everything() {
    let (_dir, root, fix) = project();
    let original = snapshot(&root);
    let mut failures = 0;
    for at in 0.. {
        let mut calls = 0;
        let result = alembic_doctor_fix::run_with_hook(
            &request(&root),
            &fix,
            &FixOptions::default(),
            &mut failing_at(at, &mut calls),
        );
        match result {
            Err(FixError::Write { restore, .. }) => {
                assert!(restore.is_none(), "{restore:?}");
                assert_eq!(snapshot(&root), original, "after a failure at step {at}");
                failures += 1;
            }
            Ok(outcome) => {
                assert!(outcome.applied);
                break;
            }
            Err(other) => panic!("step {at}: {other}"),
        }
    }
    // Two rewrites (temp, write, sync, permissions, backup, replace) and a
    // rename.
    assert_eq!(failures, 13);
}

#[test]
fn a_crash_at_any_step_leaves_each_file_old_or_new_and_the_journal_undoes_it() {
    let (_dir, root, fix) = project();
    let original = snapshot(&root);
    let plan = alembic_doctor_fix::plan(&request(&root), &fix, &FixOptions::default()).unwrap();
    for at in 0..13 {
        let mut calls = 0;
        let mut fail = failing_at(at, &mut calls);
        // Check the invariant before every step as well, not only at the
        // failure.
        let mut hook = |step: Step, path: &Path| {
            all_old_or_new(&plan);
            fail(step, path)
        };
        let failure = write_plan_with(&plan, &mut hook).expect_err("the injected failure stops it");
        all_old_or_new(&plan);
        // The rollback removes every temporary file and backup too.
        failure.journal.rollback().unwrap();
        assert_eq!(snapshot(&root), original, "rollback after step {at}");
    }
}

#[test]
fn a_fix_that_does_not_check_out_is_undone() {
    let (_dir, root, fix) = project();
    let original = snapshot(&root);
    let stray = root.join("migrations/versions/zz_stray.py");
    let mut planted = false;
    // Something else breaks the chain while the fix is being written: the
    // result has a finding the project did not have, so the fix is undone.
    let mut hook = |step: Step, _: &Path| {
        if step == Step::Rename && !planted {
            planted = true;
            std::fs::write(
                &stray,
                b"revision = 'zz'\ndown_revision = 'base00000001'\ndef (:\n",
            )?;
        }
        Ok(())
    };
    let error =
        alembic_doctor_fix::run_with_hook(&request(&root), &fix, &FixOptions::default(), &mut hook)
            .expect_err("verification fails");
    let FixError::Verification { reasons, restore } = &error else {
        panic!("{error}");
    };
    assert!(restore.is_none(), "{error}");
    assert!(
        reasons.iter().any(|r| r.contains("syntax-error")),
        "{reasons:?}"
    );
    let mut now: BTreeMap<PathBuf, Vec<u8>> = snapshot(&root);
    now.remove(&stray);
    assert_eq!(now, original);
}

#[test]
fn a_file_changed_after_loading_stops_the_plan_before_any_write() {
    let (_dir, root, fix) = project();
    let plan = alembic_doctor_fix::plan(&request(&root), &fix, &FixOptions::default()).unwrap();
    let child = root.join("migrations/versions/c1_child.py");
    std::fs::write(
        &child,
        b"revision = 'c1c1c1c1c1c1'\ndown_revision = 'abcdef012345'\n# edited\n",
    )
    .unwrap();
    let changed = snapshot(&root);
    let failure = alembic_doctor_fix::write_plan(&plan).expect_err("refused");
    assert!(
        failure
            .error
            .to_string()
            .contains("changed since it was read"),
        "{}",
        failure.error
    );
    assert!(failure.journal.is_empty());
    assert_eq!(snapshot(&root), changed);
}
