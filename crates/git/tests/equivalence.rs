//! The git tree of a checked-out `HEAD` lists exactly what the disk lists:
//! the same files in the same order, with the same paths, kinds and bytes,
//! and the same notes. This is what makes a comparison of two revisions
//! trustworthy: any difference would come from the reader, not the project.

#![cfg(unix)]

mod common;

use alembic_doctor_git::GitRepo;
use alembic_doctor_source::{Listing, ListingSpec, list_versions, list_versions_in};
use common::{Scratch, commit_all, init, migration, symlink, write};

/// A project with every shape the listing cares about.
fn tricky_project(root: &std::path::Path) {
    init(root);
    let v = "migrations/versions";
    write(
        root,
        "alembic.ini",
        "[alembic]\nscript_location = migrations\n",
    );
    write(root, "migrations/env.py", "");
    for (name, rev, down) in [
        ("1_first.py", "a1", None),
        ("2_second.py", "b2", Some("a1")),
        ("10_tenth.py", "c3", Some("b2")),
        ("B_upper.py", "d4", Some("c3")),
        ("é_accent.py", "e5", Some("d4")),
    ] {
        write(root, &format!("{v}/{name}"), &migration(rev, down));
    }
    // Not candidates, or filtered by name.
    write(root, &format!("{v}/__init__.py"), "");
    write(root, &format!("{v}/.#lock.py"), "");
    write(root, &format!("{v}/README.md"), "notes\n");
    write(root, &format!("{v}/notes.txt"), "");
    // Compiled files (only with `sourceless`), shadowed or not.
    write(root, &format!("{v}/2_second.pyc"), "compiled");
    write(root, &format!("{v}/orphan.pyc"), "compiled orphan");
    write(root, &format!("{v}/orphan.pyo"), "optimized orphan");
    write(
        root,
        &format!("{v}/__pycache__/1_first.cpython-311.pyc"),
        "cache",
    );
    write(
        root,
        &format!("{v}/__pycache__/gone.cpython-311.pyc"),
        "cache gone",
    );
    // Subdirectories (only with `recursive`), one of them deeper.
    write(
        root,
        &format!("{v}/sub/s1.py"),
        &migration("s1", Some("e5")),
    );
    write(
        root,
        &format!("{v}/sub/deeper/s2.py"),
        &migration("s2", Some("s1")),
    );
    write(root, &format!("{v}/zsub/z.py"), &migration("z", None));
    // Symbolic links: a file elsewhere, a directory (listed, not entered),
    // a dangling one, a loop, an absolute one into the project, and one to
    // a file already listed (loaded twice).
    write(root, "shared/elsewhere.py", &migration("x9", None));
    symlink(root, "../../shared/elsewhere.py", &format!("{v}/linked.py"));
    symlink(root, "sub", &format!("{v}/sublink"));
    symlink(root, "nowhere.py", &format!("{v}/dangling.py"));
    symlink(root, "loop_b.py", &format!("{v}/loop_a.py"));
    symlink(root, "loop_a.py", &format!("{v}/loop_b.py"));
    let absolute = root.join("shared/elsewhere.py");
    symlink(
        root,
        absolute.to_str().unwrap(),
        &format!("{v}/sub/absolute.py"),
    );
    symlink(root, "1_first.py", &format!("{v}/zz_again.py"));
    // A version location reached through a symlinked directory.
    symlink(root, "migrations/versions/sub", "aliased");
    commit_all(root, "tricky project");
}

/// Everything about a listing except error messages (the disk's say
/// "No such file or directory (os error 2)", ours name the revision).
fn summary(listing: &Listing, root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for file in &listing.files {
        let bytes = match &file.bytes {
            Ok(bytes) => format!("{} bytes {:?}", bytes.len(), String::from_utf8_lossy(bytes)),
            Err(error) => format!("error {:?}", error.kind),
        };
        out.push(format!(
            "{} (listed {}) location {} {:?}: {bytes}",
            file.path.strip_prefix(root).unwrap().display(),
            file.listed_path.strip_prefix(root).unwrap().display(),
            file.location,
            file.kind,
        ));
    }
    for note in &listing.notes {
        out.push(format!("note: {note}"));
    }
    out
}

#[test]
fn a_checked_out_head_lists_the_same_as_the_disk() {
    let scratch = Scratch::new();
    let root = scratch.join("project");
    tricky_project(&root);
    let repo = GitRepo::discover(&root).unwrap();
    let head = repo.resolve("HEAD").unwrap();
    let tree = repo.tree_at(&head).unwrap();
    assert_eq!(tree.root(), root);

    let location_sets: [&[&str]; 4] = [
        &["migrations/versions"],
        &["aliased"],
        // A missing location, then one listed twice.
        &[
            "migrations/versions",
            "does/not/exist",
            "migrations/versions/sub",
        ],
        &["migrations/versions/sub/deeper", "shared"],
    ];
    for locations in location_sets {
        for recursive in [false, true] {
            for sourceless in [false, true] {
                let spec = ListingSpec {
                    locations: locations.iter().map(|l| root.join(l)).collect(),
                    recursive,
                    sourceless,
                };
                let on_disk = summary(&list_versions(&spec), &root);
                let in_git = summary(&list_versions_in(&tree, &spec), &root);
                assert_eq!(
                    in_git, on_disk,
                    "locations {locations:?}, recursive {recursive}, sourceless {sourceless}"
                );
                assert!(!on_disk.is_empty());
            }
        }
    }
    // The bytes are really the same, not only their lossy text.
    let spec = ListingSpec {
        locations: vec![root.join("migrations/versions")],
        recursive: true,
        sourceless: true,
    };
    let on_disk = list_versions(&spec);
    let in_git = list_versions_in(&tree, &spec);
    for (disk, git) in on_disk.files.iter().zip(&in_git.files) {
        if let (Ok(a), Ok(b)) = (&disk.bytes, &git.bytes) {
            assert_eq!(a, b, "{}", disk.path.display());
        }
    }
    assert!(in_git.files.len() > 10, "{:?}", summary(&in_git, &root));
}

/// Stamping many files at once, each directory looked up once, gives what
/// stamping each file from the root gives: plain files, files in
/// subdirectories and through a symlinked directory, links (followed,
/// dangling, looping), directories, missing files, `..` and `.` in paths.
#[test]
fn stamps_of_many_files_are_each_files_stamp() {
    use alembic_doctor_source::Tree;

    let scratch = Scratch::new();
    let root = scratch.join("project");
    tricky_project(&root);
    let repo = GitRepo::discover(&root).unwrap();
    let tree = repo.tree_at(&repo.resolve("HEAD").unwrap()).unwrap();
    let v = "migrations/versions";
    let mut paths: Vec<std::path::PathBuf> = [
        "alembic.ini",
        "does/not/exist.py",
        "aliased",
        "shared",
        "shared/elsewhere.py",
        "migrations/versions/sub/../1_first.py",
        "migrations/./versions/1_first.py",
    ]
    .iter()
    .map(|path| root.join(path))
    .collect();
    for entry in std::fs::read_dir(root.join(v)).unwrap() {
        paths.push(entry.unwrap().path());
    }
    for entry in std::fs::read_dir(root.join("aliased")).unwrap() {
        paths.push(entry.unwrap().path());
    }
    paths.push(root.join(v).join("missing.py"));
    let borrowed: Vec<&std::path::Path> = paths.iter().map(std::path::PathBuf::as_path).collect();
    let one_by_one: Vec<_> = borrowed.iter().map(|path| tree.stamp(path)).collect();
    assert_eq!(tree.stamps(&borrowed), one_by_one);
    assert!(
        one_by_one.iter().filter(|stamp| stamp.is_some()).count() >= 5,
        "the project has files to stamp: {one_by_one:?}"
    );
}
