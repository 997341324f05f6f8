//! `fix headers` and `fix merge` write an id into a docstring line only
//! when the line can hold it as it is.

mod common;

use alembic_doctor_fix::{Fix, FixError, FixOptions, merge};
use common::{plain_project, request, write_files};

/// Found by fuzzing the rewriter: `down_revision = '0f1e2d3\x00c4b5a'`
/// (an escaped NUL byte) under a stale `Revises:` line. The fix wrote the
/// decoded value, a real NUL byte, into the docstring, and the rewritten
/// file no longer parsed ("source code cannot contain null bytes"). The
/// same held for a line break (the docstring's lines change) and a quote
/// or backslash (the docstring can end or gain an escape). Such a line is
/// now left alone with a note.
#[test]
fn a_value_with_a_nul_byte_or_a_quote_is_not_written_into_the_header() {
    for value in [
        "0f1e2d3\\x00c4b5a",
        "0f1e\\n2d3",
        "0f1e\\\"\\\"\\\"x",
        "a\\\\Nb",
    ] {
        let (_dir, root) = plain_project();
        let file = format!(
            "\"\"\"stale\n\nRevision ID: a1b2c3d4e5f6\nRevises: deadbeef0000\n\"\"\"\nrevision = 'a1b2c3d4e5f6'\ndown_revision = '{value}'\n"
        );
        write_files(
            &root,
            &[("migrations/versions/a1b2c3d4e5f6_x.py", file.as_bytes())],
        );
        let options = FixOptions {
            dry_run: true,
            ..FixOptions::default()
        };
        let plan = match alembic_doctor_fix::run(&request(&root), &Fix::Headers, &options) {
            Ok(outcome) => outcome.plan,
            Err(error) => panic!("{value}: {error}"),
        };
        assert!(plan.changes.is_empty(), "{value}: {:?}", plan.changes);
        assert!(
            plan.notes
                .iter()
                .any(|n| n.contains("`Revises:` line was left")),
            "{value}: {:?}",
            plan.notes
        );
    }
}

/// The same stale line with a plain value is still rewritten.
#[test]
fn a_plain_value_is_written_into_the_header() {
    let (_dir, root) = plain_project();
    write_files(
        &root,
        &[(
            "migrations/versions/a1b2c3d4e5f6_x.py",
            b"\"\"\"stale\n\nRevision ID: a1b2c3d4e5f6\nRevises: deadbeef0000\n\"\"\"\nrevision = 'a1b2c3d4e5f6'\ndown_revision = '0f1e2d3c4b5a'\n",
        )],
    );
    let options = FixOptions {
        dry_run: true,
        ..FixOptions::default()
    };
    let plan = alembic_doctor_fix::run(&request(&root), &Fix::Headers, &options)
        .unwrap_or_else(|e| panic!("{e}"))
        .plan;
    assert_eq!(plan.changes.len(), 1);
    assert!(String::from_utf8_lossy(&plan.changes[0].after).contains("Revises: 0f1e2d3c4b5a\n"));
}

/// Found by fuzzing the rewriter: two heads, one of them
/// `revision = 'a1b2c3d4e5\x00f6'`. The merge revision's template writes
/// the parents into its `Revises:` line as they are, a real NUL byte, and
/// the new file did not parse. The merge is now refused, naming the id.
#[test]
fn a_merge_of_a_parent_whose_id_holds_a_nul_byte_is_refused() {
    let (_dir, root) = plain_project();
    write_files(
        &root,
        &[
            (
                "migrations/versions/one.py",
                b"revision = 'a1b2c3d4e5\\x00f6'\ndown_revision = None\n",
            ),
            (
                "migrations/versions/two.py",
                b"revision = 'b2b2b2b2b2b2'\ndown_revision = None\n",
            ),
        ],
    );
    let options = FixOptions {
        dry_run: true,
        ..FixOptions::default()
    };
    let fix = Fix::Merge(merge::Options {
        message: Some("merge".to_owned()),
        ..merge::Options::default()
    });
    match alembic_doctor_fix::run(&request(&root), &fix, &options) {
        Err(FixError::Refused { reason }) => {
            assert!(reason.contains(r#""a1b2c3d4e5\0f6""#), "{reason}");
        }
        Err(error) => panic!("another error: {error}"),
        Ok(outcome) => panic!(
            "merged: {}",
            String::from_utf8_lossy(&outcome.plan.created[0].bytes)
        ),
    }
}
