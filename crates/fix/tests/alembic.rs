//! Against the real `alembic` package (the workspace's `.venv`, see
//! `tests/oracle/README.md`):
//! * property: in a git repository where a feature branch planted a copy
//!   of a revision id that is on `main` (with children of its own),
//!   `fix duplicate-ids` gives exactly the original graph with the copy's
//!   id substituted (children on the feature follow the copy, children on
//!   `main` stay), `check` has no `duplicate-revision` left, and Alembic
//!   loads the result (`heads`, `history`) without a warning;
//! * `fix merge` writes the file `alembic merge` writes, byte for byte
//!   but for the random id and the date, and Alembic then sees one head.

mod common;

use std::path::Path;

use alembic_doctor_fix::{Fix, FixKind, FixOptions, duplicates, merge};
use alembic_doctor_rules::Rule;
use alembic_doctor_testkit::GitProject;
use common::{alembic, alembic_default_template, declared, request};
use proptest::prelude::*;

fn migration(id: &str, down: Option<&str>, message: &str) -> String {
    let down_text = down.map_or_else(|| "None".to_owned(), |d| format!("'{d}'"));
    format!(
        "\"\"\"{message}\n\nRevision ID: {id}\nRevises: {}\nCreate Date: 2024-01-01 00:00:00\n\n\"\"\"\n\
         from typing import Sequence, Union\n\n# {id} mentioned in a comment\n\
         revision: str = '{id}'\ndown_revision: Union[str, Sequence[str], None] = {down_text}\n\
         branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    pass  # {message}\n\n\ndef downgrade():\n    pass\n",
        down.unwrap_or_default()
    )
}

fn id(prefix: char, i: usize) -> String {
    format!("{prefix}{i:011x}")
}

/// `parents[i]` is the parent of node `i` (< i) on main; `copied` is the
/// node whose id the feature branch reuses; `feature_children` chain on
/// top of the copy.
fn planted_duplicate(parents: &[usize], copied: usize, feature_children: usize) {
    let project = GitProject::empty();
    project.write(
        "alembic.ini",
        "[alembic]\nscript_location = %(here)s/migrations\n",
    );
    let ids: Vec<String> = (0..=parents.len()).map(|i| id('a', i)).collect();
    project.write(
        &format!("migrations/versions/{}_n0.py", ids[0]),
        &migration(&ids[0], None, "node 0"),
    );
    for (i, &parent) in parents.iter().enumerate() {
        let node = i + 1;
        project.write(
            &format!("migrations/versions/{}_n{node}.py", ids[node]),
            &migration(&ids[node], Some(&ids[parent]), &format!("node {node}")),
        );
    }
    project.commit("main");
    project.branch("feature", "main");
    let x = &ids[copied];
    let copy_parent = if copied == 0 {
        None
    } else {
        Some(ids[parents[copied - 1]].as_str())
    };
    project.write(
        &format!("migrations/versions/{x}_copy.py"),
        &migration(x, copy_parent, "the copy"),
    );
    let mut below = x.clone();
    for k in 0..feature_children {
        let child = id('f', k);
        project.write(
            &format!("migrations/versions/{child}_feature.py"),
            &migration(&child, Some(&below), "feature child"),
        );
        below = child;
    }
    project.commit("feature");

    let before = declared(&project.path);
    let outcome = alembic_doctor_fix::run(
        &request(&project.path),
        &Fix::DuplicateIds(duplicates::Options::default()),
        &FixOptions::default(),
    )
    .unwrap_or_else(|e| panic!("fix failed: {e}"));
    assert!(outcome.applied);
    let new = outcome
        .plan
        .fixes
        .iter()
        .find(|f| f.kind == FixKind::DuplicateId)
        .and_then(|f| f.new_id.clone())
        .expect("the copy renamed");

    // The original graph with the copy's id substituted.
    let mut expected = before.clone();
    let (_, down, deps) = expected.remove(&format!("{x}_copy.py")).expect("the copy");
    expected.insert(format!("{new}_copy.py"), (new.clone(), down, deps));
    for (name, (_, down, _)) in &mut expected {
        if name.ends_with("_feature.py") {
            for parent in down.iter_mut().filter(|p| *p == x) {
                parent.clone_from(&new);
            }
        }
    }
    assert_eq!(declared(&project.path), expected);

    let after = alembic_doctor_project::load(&request(&project.path)).unwrap();
    let findings = alembic_doctor_rules::check(&after);
    assert!(
        findings.iter().all(|f| f.rule != Rule::DuplicateRevision),
        "{findings:?}"
    );
    for command in [["heads"].as_slice(), ["history"].as_slice()] {
        let (ok, stdout, stderr) = alembic(&project.path, command);
        assert!(
            ok && stderr.is_empty(),
            "alembic {command:?}:\n{stdout}\n{stderr}"
        );
    }
    // The comment naming the old id is left alone.
    let copy = std::fs::read_to_string(
        project
            .path
            .join(format!("migrations/versions/{new}_copy.py")),
    )
    .unwrap();
    assert!(copy.contains(&format!("# {x} mentioned in a comment")));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn duplicate_ids_fix_gives_the_original_graph_with_ids_substituted(
        raw_parents in proptest::collection::vec(0usize..100, 1..6),
        copied in 0usize..100,
        feature_children in 0usize..3,
    ) {
        let parents: Vec<usize> = raw_parents.iter().enumerate().map(|(i, p)| p % (i + 1)).collect();
        planted_duplicate(&parents, copied % (parents.len() + 1), feature_children);
    }
}

/// Two copies of one project with two heads and Alembic's default
/// template: one for `alembic merge`, one for `fix merge`.
fn two_heads(dir: &Path, ini_extra: &str) {
    common::write_files(
        dir,
        &[
            (
                "alembic.ini",
                format!("[alembic]\nscript_location = %(here)s/migrations\n{ini_extra}").as_bytes(),
            ),
            ("migrations/script.py.mako", &alembic_default_template()),
            (
                "migrations/versions/aaaaaaaaaaaa_root.py",
                migration("aaaaaaaaaaaa", None, "root").as_bytes(),
            ),
            (
                "migrations/versions/bbbbbbbbbbbb_left.py",
                migration("bbbbbbbbbbbb", Some("aaaaaaaaaaaa"), "left").as_bytes(),
            ),
            (
                "migrations/versions/cccccccccccc_right.py",
                migration("cccccccccccc", Some("aaaaaaaaaaaa"), "right").as_bytes(),
            ),
        ],
    );
}

/// The one new file in `dir`'s versions (relative name, text).
fn new_file(dir: &Path) -> (String, String) {
    let mut found: Vec<_> = std::fs::read_dir(dir.join("migrations/versions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            ![
                "aaaaaaaaaaaa_root.py",
                "bbbbbbbbbbbb_left.py",
                "cccccccccccc_right.py",
            ]
            .contains(&name.as_ref())
                && name.ends_with(".py")
        })
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    let path = found.pop().unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    (name, std::fs::read_to_string(path).unwrap())
}

/// `text` with the 12-hex id `id` and the date fields blanked.
fn normalised(text: &str, id: &str) -> String {
    let mut out = text.replace(id, "<id>");
    let digits: String = out
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect();
    // Dates (Create Date, date-prefixed file names) differ by the second.
    out = digits;
    out
}

fn compare_merge(ini_extra: &str, message: &str) {
    let ours_dir = tempfile::tempdir().unwrap();
    let theirs_dir = tempfile::tempdir().unwrap();
    two_heads(ours_dir.path(), ini_extra);
    two_heads(theirs_dir.path(), ini_extra);
    let (ok, stdout, stderr) = alembic(theirs_dir.path(), &["merge", "-m", message, "heads"]);
    assert!(ok, "alembic merge: {stdout}{stderr}");
    let outcome = alembic_doctor_fix::run(
        &request(ours_dir.path()),
        &Fix::Merge(merge::Options {
            message: Some(message.to_owned()),
            ..merge::Options::default()
        }),
        &FixOptions::default(),
    )
    .unwrap_or_else(|e| panic!("fix merge: {e}"));
    assert!(outcome.applied);
    assert!(outcome.plan.notes.is_empty(), "{:?}", outcome.plan.notes);
    let our_id = outcome.plan.fixes[0].new_id.clone().unwrap();
    let (our_name, our_text) = new_file(ours_dir.path());
    let (their_name, their_text) = new_file(theirs_dir.path());
    let their_id = their_text
        .lines()
        .find_map(|l| l.strip_prefix("Revision ID: "))
        .unwrap()
        .to_owned();
    assert_eq!(
        normalised(&our_name, &our_id),
        normalised(&their_name, &their_id)
    );
    assert_eq!(
        normalised(&our_text, &our_id),
        normalised(&their_text, &their_id)
    );
    // The texts differ only in the id and the Create Date line.
    let strip = |t: &str, id: &str| -> String {
        t.replace(id, "<id>")
            .lines()
            .filter(|l| !l.starts_with("Create Date: "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&our_text, &our_id), strip(&their_text, &their_id));
    let (ok, heads, stderr) = alembic(ours_dir.path(), &["heads"]);
    assert!(ok && stderr.is_empty(), "{heads}{stderr}");
    assert_eq!(heads.trim(), format!("{our_id} (head)"));
    let (ok, history, stderr) = alembic(ours_dir.path(), &["history"]);
    assert!(ok && stderr.is_empty(), "{history}{stderr}");
}

#[test]
fn fix_merge_writes_what_alembic_merge_writes() {
    compare_merge("", "merge heads");
}

#[test]
fn fix_merge_follows_file_template_and_slug_length() {
    compare_merge(
        "file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s\ntruncate_slug_length = 12\n",
        "Merge the left and right branches, café",
    );
}
