//! Round trips on tricky files: `fix duplicate-ids` changes exactly the
//! bytes that spell the duplicated id in `revision`, the `Revision ID:`
//! line, the file name and the children's references, and nothing else:
//! CRLF, a BOM, an encoding declaration, annotated assignments, quote
//! styles and prefixes, tuple and list spellings survive, and the id in
//! comments and unrelated strings stays.

mod common;

use alembic_doctor_fix::{Fix, FixKind, FixOptions, duplicates};
use common::{plain_project, request, write_files};

const OLD: &str = "abcdef012345";

const BASE: &[u8] = b"\"\"\"base\n\nRevision ID: base00000001\nRevises: \nCreate Date: 2024-01-01 00:00:00\n\n\"\"\"\nrevision = 'base00000001'\ndown_revision = None\n";
const KEEPER: &[u8] = b"\"\"\"kept\n\nRevision ID: abcdef012345\nRevises: base00000001\nCreate Date: 2024-01-02 00:00:00\n\n\"\"\"\nrevision = 'abcdef012345'\ndown_revision = 'base00000001'\n";

/// Fix a project whose second copy of `OLD` is `copy` (at `name`), with
/// `children` that follow it; returns the new id and the project root.
fn fix(
    name: &str,
    copy: &[u8],
    children: &[(&str, &[u8])],
) -> (String, std::path::PathBuf, tempfile::TempDir) {
    let (dir, root) = plain_project();
    let copy_path = format!("migrations/versions/{name}");
    let mut files: Vec<(String, &[u8])> = vec![
        ("migrations/versions/base00000001_base.py".into(), BASE),
        ("migrations/versions/abcdef012345_kept.py".into(), KEEPER),
        (copy_path, copy),
    ];
    for (child, bytes) in children {
        files.push((format!("migrations/versions/{child}"), bytes));
    }
    let files: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), *b)).collect();
    write_files(&root, &files);
    let options = duplicates::Options {
        keep: vec![root.join("migrations/versions/abcdef012345_kept.py")],
        follow: children
            .iter()
            .map(|(c, _)| root.join("migrations/versions").join(c))
            .collect(),
        stay: Vec::new(),
        new_ids: Vec::new(),
        no_guess: false,
    };
    let outcome = alembic_doctor_fix::run(
        &request(&root),
        &Fix::DuplicateIds(options),
        &FixOptions::default(),
    )
    .unwrap_or_else(|e| panic!("fix failed: {e}"));
    assert!(outcome.applied);
    let new = outcome
        .plan
        .fixes
        .iter()
        .find_map(|f| {
            (f.kind == alembic_doctor_fix::FixKind::DuplicateId).then(|| f.new_id.clone())
        })
        .flatten()
        .expect("a duplicate renamed");
    (new, root, dir)
}

fn read(root: &std::path::Path, rel: &str) -> Vec<u8> {
    std::fs::read(root.join("migrations/versions").join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn replaced(bytes: &[u8], pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut text = bytes.to_vec();
    for (from, to) in pairs {
        let from = from.as_bytes();
        let at = text
            .windows(from.len())
            .position(|w| w == from)
            .unwrap_or_else(|| panic!("{} not found", String::from_utf8_lossy(from)));
        text.splice(at..at + from.len(), to.bytes());
    }
    text
}

#[test]
fn crlf_file_with_the_id_in_a_comment_and_another_string() {
    let copy = b"\"\"\"dup\r\n\r\nRevision ID: abcdef012345\r\nRevises: base00000001\r\nCreate Date: 2024-02-01 00:00:00\r\n\r\n\"\"\"\r\n# copied from abcdef012345\r\nrevision = 'abcdef012345'\r\ndown_revision = 'base00000001'\r\nother = 'abcdef012345'\r\n";
    let (new, root, _dir) = fix("abcdef012345_copy.py", copy, &[]);
    let got = read(&root, &format!("{new}_copy.py"));
    let expected = replaced(
        copy,
        &[
            ("Revision ID: abcdef012345", &format!("Revision ID: {new}")),
            ("revision = 'abcdef012345'", &format!("revision = '{new}'")),
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(&expected)
    );
    assert!(
        !root
            .join("migrations/versions/abcdef012345_copy.py")
            .exists()
    );
}

#[test]
fn bom_encoding_declaration_annotations_and_double_quotes() {
    let copy = b"\xef\xbb\xbf# -*- coding: utf-8 -*-\n\"\"\"caf\xc3\xa9\n\nRevision ID: abcdef012345\nRevises: base00000001\n\"\"\"\nrevision: str = \"abcdef012345\"\ndown_revision: Union[str, None] = \"base00000001\"\nNOTE = \"see abcdef012345\"\n";
    let (new, root, _dir) = fix("2024_02_01_0000-abcdef012345_caf\u{e9}.py", copy, &[]);
    let got = read(&root, &format!("2024_02_01_0000-{new}_caf\u{e9}.py"));
    let expected = replaced(
        copy,
        &[
            ("Revision ID: abcdef012345", &format!("Revision ID: {new}")),
            (
                "revision: str = \"abcdef012345\"",
                &format!("revision: str = \"{new}\""),
            ),
        ],
    );
    assert_eq!(got, expected);
}

#[test]
fn prefixed_literal_and_a_file_name_without_the_id() {
    let copy =
        b"revision = u'abcdef012345'  # was abcdef012345\ndown_revision = ('base00000001',)\n";
    let (new, root, _dir) = fix("add_thing.py", copy, &[]);
    let got = read(&root, "add_thing.py");
    let expected = replaced(copy, &[("u'abcdef012345'", &format!("u'{new}'"))]);
    assert_eq!(got, expected);
}

#[test]
fn children_in_tuple_and_list_spellings_follow_the_renamed_copy() {
    let copy = b"revision = 'abcdef012345'\ndown_revision = 'base00000001'\n";
    let list_child = b"\"\"\"child\n\nRevision ID: c1c1c1c1c1c1\nRevises: abcdef012345\n\"\"\"\nrevision = 'c1c1c1c1c1c1'\ndown_revision = ['abcdef012345']\n# abcdef012345 stays in comments\n";
    let merge_child = b"\"\"\"merge\r\n\r\nRevision ID: c2c2c2c2c2c2\r\nRevises: base00000001, abcdef012345\r\n\"\"\"\r\nrevision = \"c2c2c2c2c2c2\"\r\ndown_revision = (\"base00000001\", \"abcdef012345\")\r\ndepends_on = [\r\n    'abcdef012345',\r\n]\r\n";
    let (new, root, _dir) = fix(
        "zzzz_copy.py",
        copy,
        &[("c1_child.py", list_child), ("c2_merge.py", merge_child)],
    );
    assert_eq!(
        read(&root, "c1_child.py"),
        replaced(
            list_child,
            &[
                ("Revises: abcdef012345", &format!("Revises: {new}")),
                ("['abcdef012345']", &format!("['{new}']")),
            ]
        )
    );
    assert_eq!(
        read(&root, "c2_merge.py"),
        replaced(
            merge_child,
            &[
                (
                    "base00000001, abcdef012345",
                    &format!("base00000001, {new}")
                ),
                ("\"abcdef012345\")", &format!("\"{new}\")")),
                ("'abcdef012345',", &format!("'{new}',")),
            ]
        )
    );
    // The kept copy is untouched.
    assert_eq!(read(&root, "abcdef012345_kept.py"), KEEPER);
    let _ = OLD;
}

#[test]
fn without_git_children_of_a_duplicate_are_ambiguous() {
    let (_dir, root) = plain_project();
    write_files(
        &root,
        &[
            ("migrations/versions/base00000001_base.py", BASE),
            ("migrations/versions/abcdef012345_kept.py", KEEPER),
            (
                "migrations/versions/abcdef012345_copy.py",
                b"revision = 'abcdef012345'\ndown_revision = 'base00000001'\n",
            ),
            (
                "migrations/versions/c1_child.py",
                b"revision = 'c1c1c1c1c1c1'\ndown_revision = 'abcdef012345'\n",
            ),
        ],
    );
    let before = common::snapshot(&root);
    let error = alembic_doctor_fix::run(
        &request(&root),
        &Fix::DuplicateIds(duplicates::Options::default()),
        &FixOptions::default(),
    )
    .unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("c1_child.py") && text.contains("--follow"),
        "{text}"
    );
    assert_eq!(common::snapshot(&root), before, "nothing written");
}

#[test]
fn dry_run_prints_a_diff_and_writes_nothing() {
    let (_dir, root) = plain_project();
    write_files(
        &root,
        &[
            ("migrations/versions/base00000001_base.py", BASE),
            ("migrations/versions/abcdef012345_kept.py", KEEPER),
            (
                "migrations/versions/abcdef012345_copy.py",
                b"\"\"\"copy\n\nRevision ID: abcdef012345\nRevises: base00000001\nCreate Date: 2024-03-01 00:00:00\n\n\"\"\"\nrevision = 'abcdef012345'\ndown_revision = 'base00000001'\n",
            ),
        ],
    );
    let before = common::snapshot(&root);
    let outcome = alembic_doctor_fix::run(
        &request(&root),
        &Fix::DuplicateIds(duplicates::Options::default()),
        &FixOptions {
            dry_run: true,
            ..FixOptions::default()
        },
    )
    .unwrap();
    assert!(!outcome.applied);
    assert_eq!(common::snapshot(&root), before);
    // The later `Create Date:` is the one renamed.
    assert!(
        outcome
            .diff
            .starts_with("rename migrations/versions/abcdef012345_copy.py => "),
        "{}",
        outcome.diff
    );
    assert!(
        outcome
            .diff
            .contains("-revision = 'abcdef012345'\n+revision = '"),
        "{}",
        outcome.diff
    );
}

#[test]
fn without_git_the_oldest_copy_keeps_the_id_and_a_note_says_it_was_a_guess() {
    let (_dir, root) = plain_project();
    write_files(
        &root,
        &[
            ("migrations/versions/base00000001_base.py", BASE),
            ("migrations/versions/abcdef012345_kept.py", KEEPER),
            (
                "migrations/versions/abcdef012345_copy.py",
                b"\"\"\"copy\n\nRevision ID: abcdef012345\nRevises: base00000001\nCreate Date: 2024-03-01 00:00:00\n\n\"\"\"\nrevision = 'abcdef012345'\ndown_revision = 'base00000001'\n",
            ),
        ],
    );
    let plan = alembic_doctor_fix::plan(
        &request(&root),
        &Fix::DuplicateIds(duplicates::Options::default()),
        &FixOptions::default(),
    )
    .unwrap();
    let notes = plan.notes.join("\n");
    assert!(
        notes.contains("migrations/versions/abcdef012345_kept.py keeps `abcdef012345` by a guess"),
        "{notes}"
    );
    assert!(
        notes.contains("--keep migrations/versions/abcdef012345_copy.py"),
        "{notes}"
    );
    // Named with --keep, it is no guess.
    let plan = alembic_doctor_fix::plan(
        &request(&root),
        &Fix::DuplicateIds(duplicates::Options {
            keep: vec!["abcdef012345_copy.py".into()],
            ..duplicates::Options::default()
        }),
        &FixOptions::default(),
    )
    .unwrap();
    assert!(plan.notes.is_empty(), "{:?}", plan.notes);
    assert_eq!(
        plan.changes[0].display,
        "migrations/versions/abcdef012345_kept.py"
    );
}

/// `--follow`, `--keep` and `--stay` take a path relative to the working
/// directory, a file name or a revision id; one that matches nothing is an
/// error listing the candidates.
#[test]
fn choices_take_paths_file_names_and_ids_and_reject_what_matches_nothing() {
    let (_dir, root) = plain_project();
    write_files(
        &root,
        &[
            ("migrations/versions/base00000001_base.py", BASE),
            ("migrations/versions/abcdef012345_kept.py", KEEPER),
            (
                "migrations/versions/abcdef012345_copy.py",
                b"revision = 'abcdef012345'\ndown_revision = 'base00000001'\n",
            ),
            (
                "migrations/versions/c1_child.py",
                b"revision = 'c1c1c1c1c1c1'\ndown_revision = 'abcdef012345'\n",
            ),
        ],
    );
    let plan = |follow: &str, keep: &str| {
        alembic_doctor_fix::plan(
            &request(&root),
            &Fix::DuplicateIds(duplicates::Options {
                keep: vec![keep.into()],
                follow: vec![follow.into()],
                stay: Vec::new(),
                new_ids: Vec::new(),
                no_guess: false,
            }),
            &FixOptions::default(),
        )
    };
    for follow in [
        "c1c1c1c1c1c1",
        "c1c1",
        "c1_child.py",
        "migrations/versions/c1_child.py",
    ] {
        let plan = plan(follow, "migrations/versions/abcdef012345_kept.py")
            .unwrap_or_else(|e| panic!("--follow {follow}: {e}"));
        assert!(
            plan.fixes
                .iter()
                .any(|f| f.file.ends_with("c1_child.py") && f.kind == FixKind::Reference),
            "--follow {follow}: {:?}",
            plan.fixes
        );
    }
    let error = plan("nope", "abcdef012345_kept.py").unwrap_err();
    assert!(
        matches!(error, alembic_doctor_fix::FixError::Usage { .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.contains("--follow `nope` matches no file or revision id")
            && text.contains("migrations/versions/c1_child.py"),
        "{text}"
    );
    // A file that is not a child, and an id both copies declare.
    let text = plan("base00000001", "abcdef012345_kept.py")
        .unwrap_err()
        .to_string();
    assert!(text.contains("which is not a child"), "{text}");
    let text = plan("c1c1c1c1c1c1", "abcdef012345")
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("--keep `abcdef012345` matches 2 files"),
        "{text}"
    );
}

/// The safe fixes make no decision: without a base branch, which copy
/// keeps the id would be a guess, so it is left for a person, with why.
#[test]
fn safe_fixes_do_not_guess_which_copy_keeps_the_id() {
    let (_dir, root) = plain_project();
    write_files(
        &root,
        &[
            ("migrations/versions/base00000001_base.py", BASE),
            ("migrations/versions/abcdef012345_kept.py", KEEPER),
            (
                "migrations/versions/abcdef012345_copy.py",
                b"revision = 'abcdef012345'\ndown_revision = 'base00000001'\n",
            ),
        ],
    );
    let before = common::snapshot(&root);
    let done =
        alembic_doctor_fix::apply_safe_fixes(&request(&root), &FixOptions::default()).unwrap();
    assert!(done.applied.is_empty(), "{:?}", done.applied);
    let skipped = done.skipped.join("\n");
    assert!(
        skipped.contains("no copy is on a base branch") && skipped.contains("--keep FILE"),
        "{skipped}"
    );
    assert_eq!(common::snapshot(&root), before, "nothing written");
}
