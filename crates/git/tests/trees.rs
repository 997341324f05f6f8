//! Reading a revision's files: listings at branches and tags, changed and
//! deleted files, subdirectories, symbolic links, submodules, bare
//! repositories, linked worktrees, partial clones, and the project-module
//! reads of the script stage.

mod common;

use std::path::{Path, PathBuf};

use alembic_doctor_git::{EntryKind, GitRepo, GitTree};
use alembic_doctor_script::ProjectFiles;
use alembic_doctor_source::{ListingSpec, Tree, list_versions_in};
use common::{Scratch, commit_all, git, init, migration, write};

const VERSIONS: &str = "migrations/versions";

/// The listed files of `tree` under `migrations/versions`, relative to the
/// tree's root, with their text.
fn listed(tree: &GitTree, recursive: bool) -> Vec<(String, String)> {
    let spec = ListingSpec {
        locations: vec![tree.root().join(VERSIONS)],
        recursive,
        sourceless: false,
    };
    let listing = list_versions_in(tree, &spec);
    assert!(listing.notes.is_empty(), "{:?}", listing.notes);
    listing
        .files
        .iter()
        .map(|file| {
            let bytes = file.bytes.as_ref().expect("readable");
            (
                file.path
                    .strip_prefix(tree.root())
                    .unwrap()
                    .display()
                    .to_string(),
                String::from_utf8(bytes.clone()).unwrap(),
            )
        })
        .collect()
}

fn names(files: &[(String, String)]) -> Vec<&str> {
    files.iter().map(|(path, _)| path.as_str()).collect()
}

/// main: a, b ─ tag v1 ─ edit b, delete a, add c and sub/d
fn evolving(root: &Path) {
    init(root);
    write(root, &format!("{VERSIONS}/a.py"), &migration("a", None));
    write(
        root,
        &format!("{VERSIONS}/b.py"),
        &migration("b", Some("a")),
    );
    commit_all(root, "two migrations");
    git(root, &["tag", "v1"]);
    git(root, &["branch", "old"]);
    write(root, &format!("{VERSIONS}/b.py"), "# edited\n");
    std::fs::remove_file(root.join(format!("{VERSIONS}/a.py"))).unwrap();
    write(
        root,
        &format!("{VERSIONS}/c.py"),
        &migration("c", Some("b")),
    );
    write(
        root,
        &format!("{VERSIONS}/sub/d.py"),
        &migration("d", Some("c")),
    );
    write(
        root,
        &format!("{VERSIONS}/sub/deeper/e.py"),
        &migration("e", Some("d")),
    );
    commit_all(root, "edit, delete, add");
}

#[test]
fn lists_a_branch_and_a_tag_with_changed_and_deleted_files() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    evolving(&root);
    let repo = GitRepo::discover(&root).unwrap();

    let at_tag = listed(&repo.tree_at(&repo.resolve("v1").unwrap()).unwrap(), false);
    let at_branch = listed(&repo.tree_at(&repo.resolve("old").unwrap()).unwrap(), false);
    assert_eq!(at_tag, at_branch);
    assert_eq!(
        names(&at_tag),
        [format!("{VERSIONS}/a.py"), format!("{VERSIONS}/b.py")]
    );
    assert_eq!(at_tag[1].1, migration("b", Some("a")));

    let head = listed(
        &repo.tree_at(&repo.resolve("main").unwrap()).unwrap(),
        false,
    );
    // a.py deleted, b.py edited, c.py added; sub/ not walked.
    assert_eq!(
        names(&head),
        [format!("{VERSIONS}/b.py"), format!("{VERSIONS}/c.py")]
    );
    assert_eq!(head[0].1, "# edited\n");

    let recursive = listed(&repo.tree_at(&repo.resolve("HEAD").unwrap()).unwrap(), true);
    assert_eq!(
        names(&recursive),
        [
            format!("{VERSIONS}/b.py"),
            format!("{VERSIONS}/c.py"),
            format!("{VERSIONS}/sub/d.py"),
            format!("{VERSIONS}/sub/deeper/e.py"),
        ]
    );
}

#[test]
fn answers_the_tree_questions_like_a_file_system() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    evolving(&root);
    let repo = GitRepo::discover(&root).unwrap();
    let tree = repo.tree_at(&repo.resolve("HEAD").unwrap()).unwrap();
    let at = |rel: &str| root.join(rel);

    assert!(tree.exists(&root));
    assert!(tree.exists(&at(VERSIONS)));
    assert!(tree.exists(&at("migrations/versions/b.py")));
    assert!(!tree.exists(&at("migrations/versions/a.py")));
    // Outside the root, a file below a file, `..` above the root.
    assert!(!tree.exists(&scratch.path));
    assert!(!tree.exists(Path::new("/")));
    assert!(!tree.exists(&at("migrations/versions/b.py/x")));
    assert!(!tree.exists(&at("../repo/migrations")));
    // `..` inside the tree, and a relative path (taken from the root).
    assert!(tree.exists(&at("migrations/versions/sub/../c.py")));
    assert!(tree.exists(Path::new("migrations/versions/c.py")));

    assert_eq!(tree.kind(&at(VERSIONS)), Some(EntryKind::Dir));
    assert_eq!(
        tree.kind(&at("migrations/versions/c.py")),
        Some(EntryKind::File)
    );
    assert_eq!(tree.kind(&at("nothing")), None);

    let mut entries = tree.read_dir(&at(VERSIONS)).unwrap();
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let shown: Vec<(String, bool)> = entries
        .iter()
        .map(|e| (e.name.to_string_lossy().into_owned(), e.is_dir))
        .collect();
    assert_eq!(
        shown,
        [
            ("b.py".into(), false),
            ("c.py".into(), false),
            ("sub".into(), true)
        ]
    );
    let error = tree.read_dir(&at("migrations/versions/b.py")).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::NotADirectory);
    let error = tree.read_dir(&at("missing")).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::NotFound);

    assert_eq!(
        Tree::read(&tree, &at("migrations/versions/b.py")).unwrap(),
        b"# edited\n"
    );
    let error = Tree::read(&tree, &at(VERSIONS)).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::IsADirectory);
    let error = Tree::read(&tree, &at("migrations/versions/a.py")).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
    assert!(error.to_string().contains("a.py"), "{error}");
    assert_eq!(tree.read_link(&at("migrations/versions/b.py")), None);

    // The script stage's view: a missing file or a directory is `None`.
    assert_eq!(ProjectFiles::root(&tree), root);
    assert_eq!(
        ProjectFiles::read(&tree, &at("migrations/versions/c.py")).unwrap(),
        Some(migration("c", Some("b")).into_bytes())
    );
    assert_eq!(
        ProjectFiles::read(&tree, &at("migrations/versions/a.py")).unwrap(),
        None
    );
    assert_eq!(ProjectFiles::read(&tree, &at(VERSIONS)).unwrap(), None);

    // Another root: the same tree, seen from elsewhere.
    let moved = tree.with_root("/elsewhere");
    assert!(moved.exists(Path::new("/elsewhere/migrations/versions/c.py")));
    assert!(!moved.exists(&at("migrations/versions/c.py")));
    assert_eq!(moved.revision(), tree.revision());
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_read_from_their_blobs() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    init(&root);
    write(&root, "shared/real.py", &migration("r", None));
    common::symlink(
        &root,
        "../../shared/real.py",
        &format!("{VERSIONS}/linked.py"),
    );
    common::symlink(&root, "../shared", "migrations/shared_dir");
    common::symlink(&root, "nowhere", "migrations/dangling");
    commit_all(&root, "links");
    // The disk no longer has them: only the commit does.
    std::fs::remove_dir_all(root.join("migrations")).unwrap();
    std::fs::remove_dir_all(root.join("shared")).unwrap();

    let repo = GitRepo::discover(&root).unwrap();
    let tree = repo.tree_at(&repo.resolve("HEAD").unwrap()).unwrap();
    let linked = root.join(VERSIONS).join("linked.py");
    assert_eq!(
        tree.read_link(&linked),
        Some(PathBuf::from("../../shared/real.py"))
    );
    assert_eq!(
        Tree::read(&tree, &linked).unwrap(),
        migration("r", None).into_bytes()
    );
    let files = listed(&tree, false);
    assert_eq!(names(&files), ["shared/real.py"]);

    // A link to a directory is a directory to `read_dir` and `kind`.
    let shared_dir = root.join("migrations/shared_dir");
    assert_eq!(tree.kind(&shared_dir), Some(EntryKind::Dir));
    assert_eq!(tree.read_dir(&shared_dir).unwrap().len(), 1);
    let entries = tree.read_dir(&root.join("migrations")).unwrap();
    let link = entries.iter().find(|e| e.name == "shared_dir").unwrap();
    assert!(link.is_dir && link.is_symlink);
    let dangling = entries.iter().find(|e| e.name == "dangling").unwrap();
    assert!(!dangling.is_dir && dangling.is_symlink);
    assert!(!tree.exists(&root.join("migrations/dangling")));
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_an_error_not_a_hang() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    init(&root);
    common::symlink(&root, "b", "a");
    common::symlink(&root, "a", "b");
    common::symlink(&root, ".", "self");
    commit_all(&root, "loops");
    let repo = GitRepo::discover(&root).unwrap();
    let tree = repo.tree_at(&repo.resolve("HEAD").unwrap()).unwrap();
    assert!(!tree.exists(&root.join("a")));
    let error = Tree::read(&tree, &root.join("a/x.py")).unwrap_err();
    assert!(error.to_string().contains("symbolic links"), "{error}");
    // `self/self/...` is fine as long as it stays under the link limit.
    let nested = |depth: usize| root.join("self/".repeat(depth));
    assert_eq!(
        tree.kind(&nested(alembic_doctor_git::MAX_LINKS)),
        Some(EntryKind::Dir)
    );
    assert_eq!(tree.kind(&nested(alembic_doctor_git::MAX_LINKS + 1)), None);
}

#[test]
fn a_submodule_is_an_empty_directory() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    init(&root);
    write(&root, &format!("{VERSIONS}/a.py"), &migration("a", None));
    let head = commit_all(&root, "one");
    // A gitlink entry, as `git submodule add` records it.
    git(
        &root,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{head},{VERSIONS}/vendored"),
        ],
    );
    git(&root, &["commit", "-q", "-m", "submodule"]);
    let repo = GitRepo::discover(&root).unwrap();
    let tree = repo.tree_at(&repo.resolve("HEAD").unwrap()).unwrap();
    let vendored = root.join(VERSIONS).join("vendored");
    assert_eq!(tree.kind(&vendored), Some(EntryKind::Submodule));
    assert!(tree.read_dir(&vendored).unwrap().is_empty());
    assert!(!tree.exists(&vendored.join("migrations")));
    assert_eq!(ProjectFiles::read(&tree, &vendored).unwrap(), None);
    assert_eq!(names(&listed(&tree, true)), [format!("{VERSIONS}/a.py")]);
}

#[test]
fn a_bare_clone_is_read_under_its_git_directory() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    evolving(&root);
    git(
        &scratch.path,
        &["clone", "-q", "--bare", root.to_str().unwrap(), "bare.git"],
    );
    let bare = scratch.join("bare.git");
    let repo = GitRepo::discover(&bare).unwrap();
    assert!(repo.is_bare());
    assert_eq!(repo.workdir(), None);
    assert_eq!(repo.root(), bare);
    let tree = repo.tree_at(&repo.resolve("v1").unwrap()).unwrap();
    assert_eq!(tree.root(), bare);
    assert_eq!(
        names(&listed(&tree, false)),
        [format!("{VERSIONS}/a.py"), format!("{VERSIONS}/b.py")]
    );
    assert!(repo.uncommitted_changes(&[]).is_err());
    // From inside the bare repository too.
    let repo = GitRepo::discover(bare.join("refs")).unwrap();
    assert_eq!(repo.root(), bare);
}

#[test]
fn a_linked_worktree_reads_its_own_head_and_the_shared_branches() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    evolving(&root);
    let wt = scratch.join("wt");
    git(
        &root,
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "topic",
            wt.to_str().unwrap(),
            "v1",
        ],
    );
    write(&wt, &format!("{VERSIONS}/t.py"), &migration("t", Some("b")));
    let topic = commit_all(&wt, "topic migration");

    let repo = GitRepo::discover(wt.join("migrations")).unwrap();
    assert_eq!(repo.workdir(), Some(wt.as_path()));
    let head = repo.resolve("HEAD").unwrap();
    assert_eq!(head.commit_id(), topic);
    let tree = repo.tree_at(&head).unwrap();
    assert_eq!(tree.root(), wt);
    assert_eq!(
        names(&listed(&tree, false)),
        [
            format!("{VERSIONS}/a.py"),
            format!("{VERSIONS}/b.py"),
            format!("{VERSIONS}/t.py")
        ]
    );
    // Branches of the main checkout are visible from the worktree.
    let main = repo.resolve("main").unwrap();
    assert_eq!(
        names(&listed(&repo.tree_at(&main).unwrap(), false)),
        [format!("{VERSIONS}/b.py"), format!("{VERSIONS}/c.py")]
    );
    assert_eq!(
        repo.merge_base(&head, &main).unwrap().unwrap().commit_id(),
        repo.resolve("v1").unwrap().commit_id()
    );
}

#[test]
fn a_blobless_partial_clone_reads_missing_blobs_through_git() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    evolving(&root);
    git(&root, &["config", "uploadpack.allowFilter", "true"]);
    git(
        &scratch.path,
        &[
            "clone",
            "-q",
            "--no-checkout",
            "--filter=blob:none",
            &format!("file://{}", root.display()),
            "partial",
        ],
    );
    let partial = scratch.join("partial");
    // The blobs really are missing before we read.
    let missing = git(
        &partial,
        &["rev-list", "--objects", "--missing=print", "--all"],
    );
    assert!(
        missing.lines().any(|line| line.starts_with('?')),
        "{missing}"
    );

    let count_missing = || {
        git(
            &partial,
            &["rev-list", "--objects", "--missing=print", "--all"],
        )
        .lines()
        .filter(|line| line.starts_with('?'))
        .count()
    };
    // a.py, b.py twice, c.py, sub/d.py, sub/deeper/e.py.
    assert_eq!(count_missing(), 6);

    let repo = GitRepo::discover(&partial).unwrap();
    let tree = repo.tree_at(&repo.resolve("origin/main").unwrap()).unwrap();
    // Reading one file fetches its directory's files in one request.
    let b = Tree::read(&tree, &partial.join(VERSIONS).join("b.py")).unwrap();
    assert_eq!(b, b"# edited\n");
    assert_eq!(count_missing(), 4);
    let files = listed(&tree, true);
    assert_eq!(files.len(), 4);
    assert_eq!(files[0].1, "# edited\n");
    let old = repo.tree_at(&repo.resolve("v1").unwrap()).unwrap();
    assert_eq!(listed(&old, false)[0].1, migration("a", None));

    // Without trees either: the directories come through git too.
    git(
        &scratch.path,
        &[
            "clone",
            "-q",
            "--no-checkout",
            "--filter=tree:0",
            &format!("file://{}", root.display()),
            "treeless",
        ],
    );
    let repo = GitRepo::discover(scratch.join("treeless")).unwrap();
    let tree = repo.tree_at(&repo.resolve("origin/main").unwrap()).unwrap();
    assert_eq!(listed(&tree, true).len(), 4);
}

#[test]
fn a_partial_clone_whose_remote_is_gone_says_what_is_missing() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    evolving(&root);
    git(&root, &["config", "uploadpack.allowFilter", "true"]);
    git(
        &scratch.path,
        &[
            "clone",
            "-q",
            "--no-checkout",
            "--filter=blob:none",
            &format!("file://{}", root.display()),
            "partial",
        ],
    );
    std::fs::rename(&root, scratch.join("moved")).unwrap();
    let partial = scratch.join("partial");
    let repo = GitRepo::discover(&partial).unwrap();
    let tree = repo.tree_at(&repo.resolve("origin/main").unwrap()).unwrap();
    let path = partial.join(VERSIONS).join("c.py");
    let error = Tree::read(&tree, &path).unwrap_err().to_string();
    assert!(
        error.contains("migrations/versions/c.py at origin/main"),
        "{error}"
    );
    assert!(error.contains("partial clone"), "{error}");
    // The listing keeps going: every file is there, each with its error.
    let spec = ListingSpec {
        locations: vec![partial.join(VERSIONS)],
        recursive: false,
        sourceless: false,
    };
    let listing = list_versions_in(&tree, &spec);
    assert_eq!(listing.files.len(), 2);
    assert!(listing.files.iter().all(|file| file.bytes.is_err()));
}

/// A constant imported from a project module is read at the revision, not
/// from the disk: the same migration gets a different id at each commit.
#[test]
fn project_modules_are_read_at_the_revision() {
    use alembic_doctor_script::{Project, ScriptContext, Value, Variable, parse_script};

    let scratch = Scratch::new();
    let root = scratch.join("repo");
    init(&root);
    write(&root, "app/__init__.py", "");
    write(&root, "app/constants.py", "REV = 'first'\n");
    write(
        &root,
        &format!("{VERSIONS}/m.py"),
        "from app.constants import REV\nrevision = REV\ndown_revision = None\n",
    );
    commit_all(&root, "first");
    write(&root, "app/constants.py", "REV = 'second'\n");
    commit_all(&root, "second");
    std::fs::remove_dir_all(root.join("app")).unwrap();

    let repo = GitRepo::discover(&root).unwrap();
    for (rev, expected) in [("HEAD~1", "first"), ("HEAD", "second")] {
        let tree = repo.tree_at(&repo.resolve(rev).unwrap()).unwrap();
        let path = root.join(VERSIONS).join("m.py");
        let bytes = Tree::read(&tree, &path).unwrap();
        let project = Project::new(tree.clone());
        let script = parse_script(&bytes, &ScriptContext::new(&path, &project));
        let Variable::Bound(binding) = &script.revision else {
            panic!("no revision at {rev}: {script:?}");
        };
        let Value::Str(literal) = &binding.value else {
            panic!("not a string at {rev}: {:?}", binding.value);
        };
        assert_eq!(literal.value, expected);
    }
}

#[test]
fn reports_uncommitted_and_untracked_files() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    evolving(&root);
    write(&root, "unrelated.txt", "x");
    let repo = GitRepo::discover(&root).unwrap();
    let versions = root.join(VERSIONS);
    assert_eq!(
        repo.uncommitted_changes(std::slice::from_ref(&versions))
            .unwrap(),
        Vec::<PathBuf>::new()
    );

    write(&root, &format!("{VERSIONS}/c.py"), "# changed\n");
    write(&root, &format!("{VERSIONS}/sub/new.py"), "# new\n");
    std::fs::remove_file(root.join(format!("{VERSIONS}/b.py"))).unwrap();
    assert_eq!(
        repo.uncommitted_changes(std::slice::from_ref(&versions))
            .unwrap(),
        [
            versions.join("b.py"),
            versions.join("c.py"),
            versions.join("sub/new.py")
        ]
    );
    // Relative paths are taken from the working tree's root.
    assert_eq!(
        repo.uncommitted_changes(&[PathBuf::from("unrelated.txt")])
            .unwrap(),
        [root.join("unrelated.txt")]
    );
}

/// Asking git what is uncommitted leaves the repository as it was: `git
/// status` would otherwise refresh the index's cached file times and write
/// it back (taking `index.lock`, which makes a commit run at the same
/// moment fail).
#[test]
fn asking_what_is_uncommitted_does_not_write_the_index() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    evolving(&root);
    // Same content, new times: the index's cached stat data is stale.
    for name in ["b.py", "c.py", "sub/d.py"] {
        let path = root.join(VERSIONS).join(name);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, bytes).unwrap();
    }
    let index = root.join(".git/index");
    let before = std::fs::read(&index).unwrap();
    let repo = GitRepo::discover(&root).unwrap();
    assert_eq!(
        repo.uncommitted_changes(&[root.join(VERSIONS)]).unwrap(),
        Vec::<PathBuf>::new()
    );
    assert!(
        std::fs::read(&index).unwrap() == before,
        "the index was rewritten"
    );
}

/// Git orders a tree's entries as if directories ended in `/` (`x-y.py`,
/// `x.py`, `x/`), which is not the byte order a lookup by name needs.
#[test]
fn names_that_sort_differently_in_git_are_all_found() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    init(&root);
    for rel in ["x/inner.py", "x.py", "x-y.py", "x0.py", "X.py", "x.y/z.py"] {
        write(&root, rel, rel);
    }
    commit_all(&root, "names");
    let repo = GitRepo::discover(&root).unwrap();
    let tree = repo.tree_at(&repo.resolve("HEAD").unwrap()).unwrap();
    for rel in ["x/inner.py", "x.py", "x-y.py", "x0.py", "X.py", "x.y/z.py"] {
        assert_eq!(Tree::read(&tree, &root.join(rel)).unwrap(), rel.as_bytes());
    }
    assert_eq!(tree.kind(&root.join("x")), Some(EntryKind::Dir));
    assert_eq!(tree.read_dir(&root).unwrap().len(), 6);
}

#[test]
fn repositories_and_trees_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<GitRepo>();
    shareable::<GitTree>();
    shareable::<alembic_doctor_git::ResolvedRev>();
    shareable::<alembic_doctor_git::GitError>();
}
