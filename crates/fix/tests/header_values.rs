//! `fix headers`: a stale `Revises:` / `Revision ID:` line is brought in
//! line with the variables, and a line next to a value Alembic would reject
//! or read differently is left as it is, with a note that says why.

mod common;

use alembic_doctor_fix::{Fix, FixOptions};
use common::{plain_project, request, write_files};

const BASE: (&str, &[u8]) = (
    "migrations/versions/bbb000000002_base.py",
    b"revision = 'bbb000000002'\ndown_revision = None\n",
);

/// The header of a file whose `down_revision` is `value`, naming the real
/// parent.
fn with_down_revision(value: &str) -> Vec<u8> {
    format!(
        "\"\"\"child\n\nRevision ID: ccc000000003\nRevises: bbb000000002\n\"\"\"\nrevision = 'ccc000000003'\ndown_revision = {value}\n"
    )
    .into_bytes()
}

#[test]
fn a_stale_revises_line_is_rewritten() {
    let (_dir, root) = plain_project();
    let stale = b"\"\"\"child\n\nRevision ID: ccc000000003\nRevises: 000000000000\n\"\"\"\nrevision = 'ccc000000003'\ndown_revision = 'bbb000000002'\n";
    write_files(&root, &[BASE, ("migrations/versions/c.py", stale)]);
    let outcome =
        alembic_doctor_fix::run(&request(&root), &Fix::Headers, &FixOptions::default()).unwrap();
    assert!(outcome.applied);
    let now = std::fs::read_to_string(root.join("migrations/versions/c.py")).unwrap();
    assert!(now.contains("Revises: bbb000000002\n"), "{now}");
}

/// `('bbb000000002', None)` makes Alembic fail (`None` is not an id) and
/// `0x10` is an int: neither is a parent the header could be brought in
/// line with. Rewriting `Revises:` from what could be read would erase the
/// parent it names (it used to become `Revises: `); instead the file is
/// untouched and a note names the file, the value and what to do.
#[test]
fn a_value_alembic_rejects_leaves_the_header_and_says_why() {
    for value in ["('bbb000000002', None)", "0x10", "['bbb000000002', 1]"] {
        let (_dir, root) = plain_project();
        let child = with_down_revision(value);
        write_files(&root, &[BASE, ("migrations/versions/c.py", &child)]);
        let outcome =
            alembic_doctor_fix::run(&request(&root), &Fix::Headers, &FixOptions::default())
                .unwrap();
        assert!(!outcome.applied, "{value}: {}", outcome.diff);
        assert!(outcome.plan.is_empty(), "{value}: {}", outcome.diff);
        assert_eq!(
            std::fs::read(root.join("migrations/versions/c.py")).unwrap(),
            child,
            "{value}"
        );
        let notes = outcome.plan.notes.join("\n");
        assert!(
            notes.contains("migrations/versions/c.py: the `Revises:` line was left as it is")
                && notes.contains("correct `down_revision` first"),
            "{value}: {notes}"
        );
    }
}

/// The refusal is per file: another file's stale header is still fixed.
#[test]
fn a_refused_file_does_not_stop_the_others() {
    let (_dir, root) = plain_project();
    let refused = with_down_revision("('bbb000000002', None)");
    let stale = b"\"\"\"d\n\nRevision ID: ddd000000004\nRevises: 000000000000\n\"\"\"\nrevision = 'ddd000000004'\ndown_revision = 'bbb000000002'\n";
    write_files(
        &root,
        &[
            BASE,
            ("migrations/versions/c.py", &refused),
            ("migrations/versions/d.py", stale),
        ],
    );
    let outcome =
        alembic_doctor_fix::run(&request(&root), &Fix::Headers, &FixOptions::default()).unwrap();
    assert!(outcome.applied);
    assert_eq!(
        std::fs::read(root.join("migrations/versions/c.py")).unwrap(),
        refused
    );
    let fixed = std::fs::read_to_string(root.join("migrations/versions/d.py")).unwrap();
    assert!(fixed.contains("Revises: bbb000000002\n"), "{fixed}");
    assert!(
        outcome
            .plan
            .notes
            .iter()
            .any(|n| n.starts_with("migrations/versions/c.py:")),
        "{:?}",
        outcome.plan.notes
    );
}
