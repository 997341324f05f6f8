//! What can go wrong when reading a project from git, in words a user can act
//! on: each message says what is wrong, where (the repository, the revision)
//! and, when there is one, the command that fixes it.
//!
//! gix's own errors are kept as text (`reason`, `message`): the stages after
//! this one must not depend on gix's types (`ARCHITECTURE.md`, "types at the
//! seams"), and a gix upgrade must not change this crate's public API.

use std::path::PathBuf;

/// An error from this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GitError {
    /// No repository at or above the given directory.
    #[error(
        "{} is not inside a git repository ({reason}); run alembic-doctor inside a git checkout or give the repository's path",
        path.display()
    )]
    NotARepository {
        /// The directory the search started from.
        path: PathBuf,
        /// gix's explanation.
        reason: String,
    },

    /// A revision that names nothing in the repository.
    #[error("cannot resolve `{rev}` in {}: {reason}{}", repo.display(), hint_suffix(hint.as_deref()))]
    UnknownRevision {
        /// The revision as the user wrote it.
        rev: String,
        /// The repository (its working tree, or the git directory when bare).
        repo: PathBuf,
        /// Why it did not resolve.
        reason: String,
        /// What to do about it, when we can tell.
        hint: Option<String>,
    },

    /// A revision that resolves to several objects (`a..b`) or none.
    #[error(
        "`{rev}` is not a single revision; give one branch, tag or commit (e.g. `main`, `v1.2`, `HEAD~1`)"
    )]
    NotSingleRevision {
        /// The revision as the user wrote it.
        rev: String,
    },

    /// A revision that names a tree or a blob (`HEAD:path`) instead of a commit.
    #[error("`{rev}` is a {kind}, not a commit; give a branch, tag or commit")]
    NotACommit {
        /// The revision as the user wrote it.
        rev: String,
        /// The kind of object it names (`tree`, `blob`).
        kind: String,
    },

    /// History that a shallow clone does not have.
    #[error(
        "{what}: {} is a shallow clone, and the history this needs is missing from it. {fix}",
        repo.display()
    )]
    ShallowHistory {
        /// What could not be found (a revision, a merge base).
        what: String,
        /// The repository (its working tree, or the git directory when bare).
        repo: PathBuf,
        /// The commands that fetch the missing history.
        fix: String,
    },

    /// None of the usual names of the default branch exist.
    #[error(
        "cannot tell which branch to compare with in {}: tried {}; name the base explicitly (e.g. `compare origin/develop`)",
        repo.display(),
        tried.join(", ")
    )]
    NoDefaultBase {
        /// The repository (its working tree, or the git directory when bare).
        repo: PathBuf,
        /// Each name tried, with why it was not used.
        tried: Vec<String>,
    },

    /// A bare repository asked about its working tree.
    #[error("{} is a bare repository: it has no working tree to inspect", repo.display())]
    NoWorkTree {
        /// The repository (its working tree, or the git directory when bare).
        repo: PathBuf,
    },

    /// A path that is not inside the repository's working tree.
    #[error("{} is outside the working tree of the repository at {}", path.display(), root.display())]
    OutsideWorkTree {
        /// The path asked about.
        path: PathBuf,
        /// The working tree's root.
        root: PathBuf,
    },

    /// An object that neither gix nor the `git` command could read.
    #[error("object {id} ({what}) is missing from {}: {reason}", repo.display())]
    MissingObject {
        /// The object's hexadecimal id.
        id: String,
        /// What the object is for (`the tree of abc123`, `migrations/versions/x.py`).
        what: String,
        /// The repository (its working tree, or the git directory when bare).
        repo: PathBuf,
        /// Why the fallback did not find it either, and what to do.
        reason: String,
    },

    /// Objects a revision needs that cannot be read: the repository is
    /// damaged, and any answer computed without them would be wrong.
    #[error(
        "the repository {} is damaged: {} needed at {rev} cannot be read, so its files cannot be \
         trusted ({}); run `git fsck` to see the damage, and re-clone or fetch the objects again",
        repo.display(),
        if objects.len() == 1 { "an object".to_owned() } else { format!("{} objects", objects.len()) },
        objects.join("; ")
    )]
    DamagedObjects {
        /// The repository (its working tree, or the git directory when bare).
        repo: PathBuf,
        /// The revision being read.
        rev: String,
        /// What each failed read said (object id and path).
        objects: Vec<String>,
    },

    /// A `git` subprocess that could not be run or failed.
    #[error("`{command}` failed: {message}")]
    GitCommand {
        /// The command line, for the user to run it themselves.
        command: String,
        /// Its error output, or why it could not start.
        message: String,
    },

    /// Any other error reported by gix.
    #[error("git error in {} while {doing}: {message}", repo.display())]
    Git {
        /// The repository (its working tree, or the git directory when bare).
        repo: PathBuf,
        /// What we were doing, e.g. "finding the merge base of main and feature".
        doing: String,
        /// gix's message.
        message: String,
    },
}

fn hint_suffix(hint: Option<&str>) -> String {
    hint.map(|hint| format!(". {hint}")).unwrap_or_default()
}

/// A gix error as one line: gix 0.90 chains errors, and its `Display` shows
/// only the outermost one, which is often just "could not parse revision".
pub(crate) fn describe(error: &gix::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.iter_errors() {
        let text = cause.to_string();
        // Wrappers often repeat their source's text; say each thing once.
        if !text.is_empty() && !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
    }
    if parts.is_empty() {
        error.to_string()
    } else {
        parts.join(": ")
    }
}

/// The innermost cause of a gix error: for revision parsing it is the one
/// that says what is wrong ("Commit 6f4185b has 1 ancestors along the first
/// parent and ancestor number 9 is out of range"); the outer ones only say
/// which internal step failed.
pub(crate) fn innermost(error: &gix::Error) -> String {
    error
        .iter_errors()
        .last()
        .map_or_else(|| error.to_string(), ToString::to_string)
}
