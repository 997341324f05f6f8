//! The overlay tree lists a simulated merge the way Alembic would list the
//! merged checkout: removed files are gone, replaced files have their new
//! bytes, and added files appear, in directories of their own too.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use alembic_doctor_compare::OverlayTree;
use alembic_doctor_config::{ConfigFileKind, ConfigFiles};
use alembic_doctor_git::GitRepo;
use alembic_doctor_source::{ListingSpec, Tree, list_versions_in};
use alembic_doctor_testkit::git;

#[test]
fn overlay_adds_replaces_and_removes_files() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let root = fs::canonicalize(dir.path()).expect("canonical");
    let versions = root.join("versions");
    fs::create_dir_all(&versions).expect("versions");
    fs::write(versions.join("a.py"), "a").expect("a");
    fs::write(versions.join("b.py"), "b").expect("b");
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "init"]);

    let repo = GitRepo::discover(&root).expect("a repository");
    let tree = repo
        .tree_at(&repo.resolve("main").expect("main"))
        .expect("tree");
    let mut changes: BTreeMap<PathBuf, Option<Vec<u8>>> = BTreeMap::new();
    changes.insert(versions.join("a.py"), None);
    changes.insert(versions.join("b.py"), Some(b"b2".to_vec()));
    changes.insert(versions.join("sub/c.py"), Some(b"c".to_vec()));
    changes.insert(root.join("other/d.py"), Some(b"d".to_vec()));
    let overlay = OverlayTree::new(tree, changes);

    let listing = list_versions_in(
        &overlay,
        &ListingSpec {
            locations: vec![versions.clone(), root.join("other")],
            recursive: true,
            sourceless: false,
        },
    );
    let files: Vec<(PathBuf, Vec<u8>)> = listing
        .files
        .into_iter()
        .map(|f| (f.path, f.bytes.expect("readable")))
        .collect();
    assert_eq!(
        files,
        [
            (versions.join("b.py"), b"b2".to_vec()),
            (versions.join("sub/c.py"), b"c".to_vec()),
            (root.join("other/d.py"), b"d".to_vec()),
        ]
    );
    assert!(!Tree::exists(&overlay, &versions.join("a.py")));
    assert!(Tree::exists(&overlay, &root.join("other")));
    assert_eq!(
        ConfigFiles::kind(&overlay, &root.join("other")),
        Some(ConfigFileKind::Dir)
    );
    assert_eq!(ConfigFiles::kind(&overlay, &versions.join("a.py")), None);
}
