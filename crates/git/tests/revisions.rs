//! Finding repositories and resolving revisions: branches, tags, remote
//! branches, relative revisions, the default base, merge bases, and the
//! errors (with their fixes) for what cannot be resolved.

mod common;

use alembic_doctor_git::{GitError, GitRepo};
use common::{Scratch, commit_all, git, init, migration, write};

/// main: c1 ── c2 ── c3 (tag v2 at c2, annotated v3 at c3)
/// feature:        └── f1
fn history(root: &std::path::Path) -> [String; 4] {
    init(root);
    write(root, "migrations/versions/a.py", &migration("a", None));
    let c1 = commit_all(root, "c1: first migration");
    write(root, "migrations/versions/b.py", &migration("b", Some("a")));
    let c2 = commit_all(root, "c2: second migration");
    git(root, &["tag", "v2"]);
    git(root, &["checkout", "-q", "-b", "feature"]);
    write(root, "migrations/versions/f.py", &migration("f", Some("b")));
    let f1 = commit_all(root, "f1: feature migration");
    git(root, &["checkout", "-q", "main"]);
    write(root, "migrations/versions/c.py", &migration("c", Some("b")));
    let c3 = commit_all(root, "c3: third migration");
    git(root, &["tag", "-a", "v3", "-m", "release 3"]);
    [c1, c2, c3, f1]
}

#[test]
fn resolves_branches_tags_head_short_ids_and_relative_revisions() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    let [c1, c2, c3, f1] = history(&root);
    let repo = GitRepo::discover(&root).unwrap();

    let head = repo.resolve("HEAD").unwrap();
    assert_eq!(head.commit_id(), c3);
    assert_eq!(head.name(), "HEAD");
    assert_eq!(head.summary(), "c3: third migration");
    assert_eq!(head.short_id(), c3[..12]);
    assert_eq!(head.to_string(), format!("HEAD ({})", &c3[..12]));

    let main = repo.resolve("main").unwrap();
    assert_eq!(main.commit_id(), c3);
    assert_eq!(main.reference(), Some("refs/heads/main"));
    assert_eq!(repo.resolve("feature").unwrap().commit_id(), f1);
    assert_eq!(repo.resolve("v2").unwrap().commit_id(), c2);
    // An annotated tag is peeled to its commit.
    let v3 = repo.resolve("v3").unwrap();
    assert_eq!(v3.commit_id(), c3);
    assert_eq!(v3.reference(), Some("refs/tags/v3"));
    assert_eq!(repo.resolve("HEAD~1").unwrap().commit_id(), c2);
    assert_eq!(repo.resolve("main~2").unwrap().commit_id(), c1);
    assert_eq!(repo.resolve("feature^").unwrap().commit_id(), c2);
    assert_eq!(repo.resolve(&c1[..8]).unwrap().commit_id(), c1);
    assert_eq!(repo.resolve(&c1).unwrap().commit_id(), c1);
}

#[test]
fn discovers_the_repository_from_a_subdirectory() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    history(&root);
    let repo = GitRepo::discover(root.join("migrations/versions")).unwrap();
    assert_eq!(repo.workdir(), Some(root.as_path()));
    assert_eq!(repo.root(), root);
    assert!(!repo.is_bare());
    assert_eq!(
        repo.path_in_repo(root.join("migrations")).unwrap(),
        std::path::Path::new("migrations")
    );
    assert!(matches!(
        repo.path_in_repo(&scratch.path),
        Err(GitError::OutsideWorkTree { .. })
    ));
}

#[test]
fn not_a_repository_says_where_it_looked() {
    let scratch = Scratch::new();
    let lonely = scratch.join("lonely");
    std::fs::create_dir_all(&lonely).unwrap();
    // A `.git` file that leads nowhere stops the upward search here, so a
    // repository around the temporary directory cannot be found instead.
    std::fs::write(lonely.join(".git"), "gitdir: /nonexistent/alembic-doctor\n").unwrap();
    let error = GitRepo::discover(&lonely).unwrap_err();
    assert!(
        matches!(error, GitError::NotARepository { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("lonely"), "{error}");
}

#[test]
fn unknown_revisions_say_what_to_do() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    history(&root);
    let clone = scratch.join("clone");
    git(
        &scratch.path,
        &[
            "clone",
            "-q",
            &format!("file://{}", root.display()),
            "clone",
        ],
    );
    let repo = GitRepo::discover(&clone).unwrap();

    let error = repo.resolve("nope").unwrap_err();
    let text = error.to_string();
    assert!(
        matches!(error, GitError::UnknownRevision { .. }),
        "{error:?}"
    );
    assert!(text.contains("`nope`"), "{text}");
    assert!(text.contains("git fetch origin nope"), "{text}");

    let error = repo.resolve("origin/missing").unwrap_err().to_string();
    assert!(error.contains("git fetch origin missing"), "{error}");

    let error = repo.resolve("origin/main..origin/feature").unwrap_err();
    assert!(
        matches!(error, GitError::NotSingleRevision { .. }),
        "{error:?}"
    );

    let error = repo.resolve("HEAD:migrations").unwrap_err();
    assert!(
        matches!(&error, GitError::NotACommit { kind, .. } if kind == "tree"),
        "{error:?}"
    );
    let error = repo.resolve("").unwrap_err();
    assert!(
        matches!(error, GitError::NotSingleRevision { .. }),
        "{error:?}"
    );
}

#[test]
fn remote_branches_resolve_in_a_clone() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    let [_, _, c3, f1] = history(&root);
    git(
        &scratch.path,
        &[
            "clone",
            "-q",
            &format!("file://{}", root.display()),
            "clone",
        ],
    );
    let repo = GitRepo::discover(scratch.join("clone")).unwrap();
    let feature = repo.resolve("origin/feature").unwrap();
    assert_eq!(feature.commit_id(), f1);
    assert_eq!(feature.reference(), Some("refs/remotes/origin/feature"));
    assert_eq!(repo.resolve("origin/main").unwrap().commit_id(), c3);
}

#[test]
fn default_base_follows_origin_head_then_main_then_master() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    let [_, _, c3, f1] = history(&root);
    git(
        &scratch.path,
        &[
            "clone",
            "-q",
            &format!("file://{}", root.display()),
            "clone",
        ],
    );
    let clone = scratch.join("clone");

    // A fresh clone has origin/HEAD -> origin/main.
    let base = GitRepo::discover(&clone).unwrap().default_base().unwrap();
    assert_eq!(base.name(), "origin/main");
    assert_eq!(base.reference(), Some("refs/remotes/origin/main"));
    assert_eq!(base.commit_id(), c3);

    // origin/HEAD decides, even when `main` exists.
    git(&clone, &["remote", "set-head", "origin", "feature"]);
    let base = GitRepo::discover(&clone).unwrap().default_base().unwrap();
    assert_eq!(
        (base.name(), base.commit_id()),
        ("origin/feature", f1.clone())
    );

    // Without origin/HEAD: the local `main`.
    git(&clone, &["remote", "set-head", "origin", "-d"]);
    let base = GitRepo::discover(&clone).unwrap().default_base().unwrap();
    assert_eq!((base.name(), base.commit_id()), ("main", c3.clone()));

    // Without a local `main`: `origin/main` (a CI checkout of a branch).
    git(&clone, &["checkout", "-q", "-b", "work"]);
    git(&clone, &["branch", "-D", "main"]);
    let base = GitRepo::discover(&clone).unwrap().default_base().unwrap();
    assert_eq!(base.name(), "origin/main");

    // Only `master`.
    let old = scratch.join("old");
    init(&old);
    git(&old, &["checkout", "-q", "-b", "master"]);
    let master = commit_all(&old, "root");
    let base = GitRepo::discover(&old).unwrap().default_base().unwrap();
    assert_eq!((base.name(), base.commit_id()), ("master", master));

    // None of them: the error lists what was tried.
    git(&old, &["branch", "-m", "master", "trunk"]);
    let error = GitRepo::discover(&old).unwrap().default_base().unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, GitError::NoDefaultBase { .. }), "{error:?}");
    for tried in [
        "`origin/HEAD`",
        "`main`",
        "`origin/main`",
        "`master`",
        "`origin/master`",
    ] {
        assert!(text.contains(tried), "{tried} missing from: {text}");
    }
}

#[test]
fn merge_base_of_two_branches_and_of_unrelated_histories() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    let [_, c2, _, _] = history(&root);
    let repo = GitRepo::discover(&root).unwrap();
    let main = repo.resolve("main").unwrap();
    let feature = repo.resolve("feature").unwrap();
    let base = repo.merge_base(&main, &feature).unwrap().unwrap();
    assert_eq!(base.commit_id(), c2);
    assert_eq!(base.summary(), "c2: second migration");
    // Symmetric, and an ancestor is its own merge base with a descendant.
    assert_eq!(
        repo.merge_base(&feature, &main)
            .unwrap()
            .unwrap()
            .commit_id(),
        c2
    );
    let v2 = repo.resolve("v2").unwrap();
    assert_eq!(
        repo.merge_base(&v2, &main).unwrap().unwrap().commit_id(),
        c2
    );

    git(&root, &["checkout", "-q", "--orphan", "other"]);
    git(&root, &["rm", "-rq", "--cached", "."]);
    commit_all(&root, "unrelated");
    let other = repo.resolve("other").unwrap();
    assert_eq!(repo.merge_base(&main, &other).unwrap(), None);
}

#[test]
fn a_shallow_clone_names_the_fetch_that_brings_the_missing_history() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    let [c1, _, c3, _] = history(&root);
    git(
        &scratch.path,
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            // Tags would bring c2, the merge base, along.
            "--no-tags",
            &format!("file://{}", root.display()),
            "shallow",
        ],
    );
    let repo = GitRepo::discover(scratch.join("shallow")).unwrap();
    assert!(repo.is_shallow());
    assert_eq!(repo.resolve("HEAD").unwrap().commit_id(), c3);

    for old in ["HEAD~1", c1.as_str(), &c1[..10]] {
        let error = repo.resolve(old).unwrap_err();
        let text = error.to_string();
        assert!(
            matches!(error, GitError::ShallowHistory { .. }),
            "{old}: {error:?}"
        );
        assert!(text.contains("git fetch --unshallow"), "{text}");
        assert!(text.contains("fetch-depth: 0"), "{text}");
    }

    let main = repo.resolve("origin/main").unwrap();
    let feature = repo.resolve("origin/feature").unwrap();
    let error = repo.merge_base(&main, &feature).unwrap_err();
    let text = error.to_string();
    assert!(
        matches!(error, GitError::ShallowHistory { .. }),
        "{error:?}"
    );
    assert!(text.contains("git fetch --unshallow"), "{text}");
    assert!(
        text.contains("git fetch --deepen=<N> origin main feature"),
        "{text}"
    );

    // After deepening, it works.
    git(&scratch.join("shallow"), &["fetch", "-q", "--unshallow"]);
    let repo = GitRepo::discover(scratch.join("shallow")).unwrap();
    assert!(!repo.is_shallow());
    assert_eq!(repo.resolve("HEAD~2").unwrap().commit_id(), c1);
    assert!(repo.merge_base(&main, &feature).unwrap().is_some());
}
