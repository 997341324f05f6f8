//! Alembic's load order on real directories (temp dirs; symlink cases on
//! Unix). Each test states the Alembic behaviour it pins down.

use std::fs;
use std::path::{Path, PathBuf};

use alembic_doctor_source::{FileKind, Listing, ListingSpec, SourceNote, list_versions};

/// A temp project whose root is canonical, so resolved paths compare equal.
struct Project {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Project {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        Self { _dir: dir, root }
    }

    fn file(&self, rel: &str) -> PathBuf {
        let path = self.root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, format!("# {rel}\n")).unwrap();
        path
    }

    fn dir(&self, rel: &str) -> PathBuf {
        let path = self.root.join(rel);
        fs::create_dir_all(&path).unwrap();
        path
    }

    #[cfg(unix)]
    fn link(&self, rel: &str, target: &str) -> PathBuf {
        let path = self.root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, &path).unwrap();
        path
    }

    fn list(&self, locations: &[&str], recursive: bool, sourceless: bool) -> Listing {
        list_versions(&ListingSpec {
            locations: locations.iter().map(|l| self.root.join(l)).collect(),
            recursive,
            sourceless,
        })
    }

    /// Resolved paths relative to the root, in load order.
    fn names(&self, listing: &Listing) -> Vec<String> {
        listing.files.iter().map(|f| self.rel(&f.path)).collect()
    }

    fn rel(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }
}

#[test]
fn files_come_in_code_point_order_with_alembic_name_filter() {
    let p = Project::new();
    for name in [
        "a.py",
        "_u.py",
        "A.py",
        "1_x.py",
        ".hidden.py",
        "Z.py",
        "b.py",
        ".#lock.py",
        "__init__.py",
        "__init__helper.py",
        "README",
        "notes.txt",
        "x.pyi",
        "x.py.bak",
        "y.pyc",
    ] {
        p.file(&format!("versions/{name}"));
    }
    let listing = p.list(&["versions"], false, false);
    assert_eq!(
        p.names(&listing),
        [
            "versions/.hidden.py",
            "versions/1_x.py",
            "versions/A.py",
            "versions/Z.py",
            "versions/_u.py",
            "versions/a.py",
            "versions/b.py",
        ]
    );
    assert!(listing.notes.is_empty());
    let first = &listing.files[0];
    assert_eq!(first.bytes.as_deref().unwrap(), b"# versions/.hidden.py\n");
    assert_eq!(first.kind, FileKind::Source);
    assert_eq!(first.location, 0);
}

#[test]
fn without_recursion_only_the_top_directory_is_read() {
    let p = Project::new();
    p.file("versions/b.py");
    p.file("versions/sub/a.py");
    let listing = p.list(&["versions"], false, false);
    assert_eq!(p.names(&listing), ["versions/b.py"]);
}

/// A directory's files first, then each subdirectory in sorted order,
/// recursively; hidden directories such as `.git` are walked too.
#[test]
fn recursion_is_a_sorted_pre_order_walk() {
    let p = Project::new();
    p.file("versions/z.py");
    p.file("versions/b/2.py");
    p.file("versions/b/a/1.py");
    p.file("versions/a/3.py");
    p.file("versions/.git/4.py");
    p.file("versions/B/5.py");
    let listing = p.list(&["versions"], true, false);
    assert_eq!(
        p.names(&listing),
        [
            "versions/z.py",
            "versions/.git/4.py",
            "versions/B/5.py",
            "versions/a/3.py",
            "versions/b/2.py",
            "versions/b/a/1.py",
        ]
    );
}

/// `versions/__pycache__/deep/x.py` is loaded: a `*__pycache__` directory
/// contributes no files, but its subdirectories are still walked.
#[test]
fn pycache_directories_contribute_no_files_but_their_subdirectories_do() {
    let p = Project::new();
    p.file("versions/a.py");
    p.file("versions/__pycache__/skipped.py");
    p.file("versions/my__pycache__/skipped_too.py");
    p.file("versions/__pycache__/deep/x.py");
    let listing = p.list(&["versions"], true, false);
    assert_eq!(
        p.names(&listing),
        ["versions/a.py", "versions/__pycache__/deep/x.py"]
    );

    let flat = p.list(&["versions"], false, false);
    assert_eq!(p.names(&flat), ["versions/a.py"]);
}

/// Without recursion Alembic stops after the first directory that is *not*
/// a `__pycache__`: a location named `__pycache__` therefore lists its first
/// subdirectory (sorted here; the file system's order in Python).
#[test]
fn a_pycache_location_lists_its_first_subdirectory() {
    let p = Project::new();
    p.file("__pycache__/top.py");
    p.file("__pycache__/b/2.py");
    p.file("__pycache__/a/1.py");
    let listing = p.list(&["__pycache__"], false, false);
    assert_eq!(p.names(&listing), ["__pycache__/a/1.py"]);
}

#[test]
fn locations_are_read_in_config_order_and_missing_ones_are_noted() {
    let p = Project::new();
    p.file("one/b.py");
    p.file("two/a.py");
    let listing = p.list(&["two", "missing", "one"], false, false);
    assert_eq!(p.names(&listing), ["two/a.py", "one/b.py"]);
    assert_eq!(listing.files[1].location, 2);
    assert_eq!(
        listing.notes,
        [SourceNote::MissingLocation {
            location: p.root.join("missing")
        }]
    );
}

#[test]
fn the_same_location_twice_warns_for_every_file_even_non_candidates() {
    let p = Project::new();
    p.file("versions/a.py");
    p.file("versions/README");
    let listing = p.list(&["versions", "versions/../versions"], false, false);
    assert_eq!(p.names(&listing), ["versions/a.py"]);
    let texts: Vec<String> = listing.notes.iter().map(ToString::to_string).collect();
    let root = p.root.display();
    assert_eq!(
        texts,
        [
            format!(
                "File {root}/versions/README loaded twice! ignoring. Please ensure version_locations is unique."
            ),
            format!(
                "File {root}/versions/a.py loaded twice! ignoring. Please ensure version_locations is unique."
            ),
        ]
    );
}

/// Alembic resolves each listed path, de-duplicates real paths with the
/// "loaded twice" warning, and keeps the *resolved* path.
#[cfg(unix)]
#[test]
fn a_symlinked_file_is_resolved_and_deduplicated() {
    let p = Project::new();
    p.file("versions/b_real.py");
    p.link("versions/a_link.py", "b_real.py");
    let listing = p.list(&["versions"], false, false);
    assert_eq!(p.names(&listing), ["versions/b_real.py"]);
    assert_eq!(p.rel(&listing.files[0].listed_path), "versions/a_link.py");
    assert_eq!(
        listing.notes,
        [SourceNote::LoadedTwice {
            real_path: p.root.join("versions/b_real.py"),
            listed_path: p.root.join("versions/b_real.py"),
        }]
    );
}

/// The name filter looks at the symlink *target's* name.
#[cfg(unix)]
#[test]
fn the_name_filter_applies_to_the_resolved_name() {
    let p = Project::new();
    p.file("elsewhere/real_migration.py");
    p.file("elsewhere/notes.txt");
    p.link(
        "versions/link_without_extension",
        "../elsewhere/real_migration.py",
    );
    p.link("versions/looks_like.py", "../elsewhere/notes.txt");
    let listing = p.list(&["versions"], false, false);
    assert_eq!(p.names(&listing), ["elsewhere/real_migration.py"]);
    assert_eq!(
        p.rel(&listing.files[0].listed_path),
        "versions/link_without_extension"
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_directory_is_not_followed() {
    let p = Project::new();
    p.file("versions/a.py");
    p.file("outside/b.py");
    p.link("versions/linked", "../outside");
    let listing = p.list(&["versions"], true, false);
    assert_eq!(p.names(&listing), ["versions/a.py"]);
    assert!(listing.notes.is_empty());
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_noted_and_do_not_hang() {
    let p = Project::new();
    p.file("versions/a.py");
    p.link("versions/loop.py", "loop.py");
    // A directory link back up: never entered, so the walk terminates.
    p.link("versions/sub/up", "../..");
    let listing = p.list(&["versions"], true, false);
    assert_eq!(p.names(&listing), ["versions/a.py"]);
    assert_eq!(
        listing.notes,
        [SourceNote::SymlinkLoop {
            listed_path: p.root.join("versions/loop.py")
        }]
    );
}

/// A dangling `x.py` link is a candidate (Alembic tries to load it and
/// fails); its read error stays on the file and the run goes on.
#[cfg(unix)]
#[test]
fn an_unreadable_candidate_keeps_its_error_and_the_rest_is_read() {
    let p = Project::new();
    p.file("versions/b.py");
    p.link("versions/a.py", "gone.py");
    let listing = p.list(&["versions"], false, false);
    assert_eq!(p.names(&listing), ["versions/gone.py", "versions/b.py"]);
    let error = listing.files[0].bytes.as_ref().unwrap_err();
    assert_eq!(error.kind, std::io::ErrorKind::NotFound);
    assert!(listing.files[1].bytes.is_ok());
}

/// With `sourceless = true`: a `.pyc` is dropped when its `.py` exists, a
/// `.pyo` also when its `.pyc` exists, and `__pycache__` entries follow the
/// directory's files unless a file there has the same name-before-the-dot.
#[test]
fn sourceless_lists_compiled_files_alembic_would_load() {
    let p = Project::new();
    for name in ["a.py", "c.pyc", "d.py", "d.pyc", "e.pyc", "e.pyo", "f.pyo"] {
        p.file(&format!("versions/{name}"));
    }
    p.file("versions/__pycache__/a.cpython-311.pyc");
    p.file("versions/__pycache__/b.cpython-311.pyc");
    p.file("versions/__pycache__/b.cpython-312.opt-1.pyc");
    let listing = p.list(&["versions"], false, true);
    assert_eq!(
        p.names(&listing),
        [
            "versions/a.py",
            "versions/c.pyc",
            "versions/d.py",
            "versions/e.pyc",
            "versions/f.pyo",
            "versions/__pycache__/b.cpython-311.pyc",
            "versions/__pycache__/b.cpython-312.opt-1.pyc",
        ]
    );
    let kinds: Vec<FileKind> = listing.files.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [
            FileKind::Source,
            FileKind::Compiled,
            FileKind::Source,
            FileKind::Compiled,
            FileKind::Optimized,
            FileKind::Compiled,
            FileKind::Compiled,
        ]
    );

    let without = p.list(&["versions"], false, false);
    assert_eq!(p.names(&without), ["versions/a.py", "versions/d.py"]);
}

#[test]
fn an_empty_directory_and_a_file_location_list_nothing() {
    let p = Project::new();
    p.dir("versions");
    p.file("not_a_dir.py");
    let listing = p.list(&["versions", "not_a_dir.py"], true, false);
    assert!(listing.files.is_empty());
    assert!(matches!(
        listing.notes.as_slice(),
        [SourceNote::UnreadableDirectory { .. }]
    ));
}
