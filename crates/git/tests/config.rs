//! The configuration read at a revision: `alembic_doctor_config::load_in`
//! on a `GitTree` gives each commit's `script_location` and version
//! locations (paths under the tree's root), whatever is on disk, including
//! `pyproject.toml`, `package:path` resources and the Flask-Migrate layout.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use alembic_doctor_config::{
    AlembicConfig, ConfigError, ConfigRequest, VersionLocationsOrigin, load, load_in,
};
use alembic_doctor_git::GitRepo;
use common::{Scratch, commit_all, init, migration, write};

fn at(repo: &GitRepo, rev: &str, request: &ConfigRequest) -> Result<AlembicConfig, ConfigError> {
    let tree = repo.tree_at(&repo.resolve(rev).unwrap()).unwrap();
    load_in(&tree, request)
}

fn locations(root: &Path, config: &AlembicConfig) -> (PathBuf, Vec<PathBuf>) {
    let under = |path: &Path| path.strip_prefix(root).unwrap().to_path_buf();
    (
        under(config.script_location.as_deref().unwrap()),
        config.version_locations.iter().map(|p| under(p)).collect(),
    )
}

fn paths(list: &[&str]) -> Vec<PathBuf> {
    list.iter().map(PathBuf::from).collect()
}

#[test]
fn each_commit_has_its_own_locations() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    init(&root);
    // First commit: the default `<script_location>/versions`.
    write(
        &root,
        "alembic.ini",
        "[alembic]\nscript_location = migrations\n",
    );
    write(&root, "migrations/env.py", "");
    write(&root, "migrations/versions/a.py", &migration("a", None));
    commit_all(&root, "alembic init");
    // Second commit: the scripts moved into a package, two version folders
    // named in `pyproject.toml`, and `migrations/` gone.
    fs::remove_dir_all(root.join("migrations")).unwrap();
    write(
        &root,
        "alembic.ini",
        "[alembic]\nscript_location = app.db:alembic\nrecursive_version_locations = true\n",
    );
    write(
        &root,
        "pyproject.toml",
        "[tool.alembic]\nversion_locations = [\"%(here)s/db/versions_a\", \"db/versions_b\"]\n",
    );
    write(&root, "src/app/db/alembic/env.py", "");
    write(&root, "db/versions_a/a.py", &migration("a", None));
    write(&root, "db/versions_b/b.py", &migration("b", Some("a")));
    commit_all(&root, "move");
    // Uncommitted: yet another location, which only the disk sees.
    write(&root, "alembic.ini", "[alembic]\nscript_location = db\n");

    let repo = GitRepo::discover(&root).unwrap();
    let request = ConfigRequest::new(repo.root());

    let first = at(&repo, "HEAD~1", &request).unwrap();
    assert_eq!(
        locations(repo.root(), &first),
        (PathBuf::from("migrations"), paths(&["migrations/versions"]))
    );
    assert_eq!(
        first.version_locations_origin,
        VersionLocationsOrigin::Default
    );
    assert_eq!(first.ini_file, Some(repo.root().join("alembic.ini")));
    assert_eq!(first.toml_file, None);
    assert!(!first.recursive_version_locations && !first.flask_migrate);

    let second = at(&repo, "main", &request).unwrap();
    assert_eq!(
        locations(repo.root(), &second),
        (
            PathBuf::from("src/app/db/alembic"),
            paths(&["db/versions_a", "db/versions_b"])
        )
    );
    assert_eq!(
        second.version_locations_origin,
        VersionLocationsOrigin::Configured
    );
    assert_eq!(second.toml_file, Some(repo.root().join("pyproject.toml")));
    assert!(second.recursive_version_locations);

    // The disk has its own ini (the same pyproject.toml); the trees
    // ignored it.
    let disk = load(&request).unwrap();
    assert_eq!(
        locations(repo.root(), &disk),
        (
            PathBuf::from("db"),
            paths(&["db/versions_a", "db/versions_b"])
        )
    );
    assert!(!disk.recursive_version_locations);
}

#[test]
fn a_missing_script_location_or_file_is_judged_at_the_revision() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    init(&root);
    write(
        &root,
        "alembic.ini",
        "[alembic]\nscript_location = migrations\n",
    );
    commit_all(&root, "configuration only");
    write(&root, "migrations/env.py", "");
    write(&root, "migrations/versions/a.py", &migration("a", None));
    commit_all(&root, "scripts");
    let repo = GitRepo::discover(&root).unwrap();
    let request = ConfigRequest::new(repo.root());

    assert!(matches!(
        at(&repo, "HEAD~1", &request),
        Err(ConfigError::ScriptLocationNotFound { .. })
    ));
    assert!(at(&repo, "HEAD", &request).is_ok());

    // `-c` naming a folder is unreadable, in a tree as on disk.
    let folder = request.clone().config_file("migrations");
    assert!(matches!(
        at(&repo, "HEAD", &folder),
        Err(ConfigError::Unreadable { .. })
    ));
    assert!(matches!(load(&folder), Err(ConfigError::Unreadable { .. })));
}

#[test]
fn flask_migrate_layout_at_a_revision() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    init(&root);
    // Flask-Migrate's ini has no script_location.
    write(
        &root,
        "migrations/alembic.ini",
        "[alembic]\n\n[logger_root]\nlevel = WARN\n",
    );
    write(&root, "migrations/env.py", "");
    commit_all(&root, "flask db init, before any migration");
    write(&root, "migrations/versions/a.py", &migration("a", None));
    commit_all(&root, "first migration");
    // Gone from disk: only the trees have it.
    fs::remove_dir_all(root.join("migrations")).unwrap();

    let repo = GitRepo::discover(&root).unwrap();
    let request = ConfigRequest::new(repo.root());

    // No `versions/` yet (git keeps no empty folders): not the layout.
    assert!(matches!(
        at(&repo, "HEAD~1", &request),
        Err(ConfigError::NotFound { .. })
    ));

    let config = at(&repo, "HEAD", &request).unwrap();
    assert!(config.flask_migrate);
    assert_eq!(
        config.ini_file,
        Some(repo.root().join("migrations/alembic.ini"))
    );
    assert_eq!(
        locations(repo.root(), &config),
        (PathBuf::from("migrations"), paths(&["migrations/versions"]))
    );

    // Named with `-c`, the ini beside `env.py` gets its own folder.
    let named = at(
        &repo,
        "HEAD",
        &request.clone().config_file("migrations/alembic.ini"),
    )
    .unwrap();
    assert!(named.flask_migrate);
    assert_eq!(
        locations(repo.root(), &named).0,
        PathBuf::from("migrations")
    );

    assert!(matches!(load(&request), Err(ConfigError::NotFound { .. })));
}
