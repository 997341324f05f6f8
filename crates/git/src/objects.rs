//! Where object bytes come from: gix first, then the `git` command for what
//! gix does not have (a partial clone's missing blobs and trees).
//!
//! A `gix::Repository` is not `Sync`, so parallel readers each borrow one
//! from a small pool of thread-local handles made from the shared
//! `ThreadSafeRepository` (cheap: they share the object store and its
//! caches of pack indices).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use gix::ObjectId;
use gix::objs::Kind;

use crate::cli_fallback::{CatFile, RawObject};
use crate::error::{GitError, describe};

/// Read access to a repository's objects, shareable between threads.
pub(crate) struct Objects {
    repo: gix::ThreadSafeRepository,
    pool: Mutex<Vec<gix::Repository>>,
    cat_file: CatFile,
    hash_kind: gix::hash::Kind,
    /// The working tree's root, or the git directory of a bare repository:
    /// the path users know their repository by, for messages.
    location: PathBuf,
}

impl std::fmt::Debug for Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Objects")
            .field("git_dir", &self.git_dir())
            .finish_non_exhaustive()
    }
}

impl Objects {
    pub(crate) fn new(repo: gix::ThreadSafeRepository) -> Self {
        let cat_file = CatFile::new(repo.git_dir().to_path_buf());
        let local = repo.to_thread_local();
        let hash_kind = local.object_hash();
        let location = repo
            .work_dir()
            .unwrap_or_else(|| repo.git_dir())
            .to_path_buf();
        Self {
            location,
            repo,
            pool: Mutex::new(vec![local]),
            cat_file,
            hash_kind,
        }
    }

    /// The git directory (`.git`, the bare repository, or a worktree's
    /// private directory), for messages and the `git` command.
    pub(crate) fn git_dir(&self) -> &Path {
        self.repo.git_dir()
    }

    /// The repository as users know it: its working tree, or the git
    /// directory of a bare repository.
    pub(crate) fn location(&self) -> &Path {
        &self.location
    }

    pub(crate) fn location_buf(&self) -> PathBuf {
        self.location.clone()
    }

    pub(crate) fn hash_kind(&self) -> gix::hash::Kind {
        self.hash_kind
    }

    /// Run `f` with a thread-local repository handle from the pool.
    pub(crate) fn with_repo<R>(&self, f: impl FnOnce(&gix::Repository) -> R) -> R {
        let taken = self
            .pool
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let repo = taken.unwrap_or_else(|| self.repo.to_thread_local());
        let result = f(&repo);
        self.pool
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(repo);
        result
    }

    /// The object `id`, which must be of kind `expected` (any kind when
    /// `None`). `what` names it in errors ("the tree of `main`",
    /// "migrations/versions/x.py").
    pub(crate) fn read(
        &self,
        id: &gix::oid,
        expected: Option<Kind>,
        what: &dyn Fn() -> String,
    ) -> Result<RawObject, GitError> {
        let found = self.with_repo(|repo| match repo.try_find_object(id.to_owned()) {
            Ok(Some(mut object)) => Ok(Some(RawObject {
                kind: object.kind,
                // Take the buffer instead of copying it: the object was
                // decoded once, into a buffer we now own.
                data: std::mem::take(&mut object.data),
            })),
            Ok(None) => Ok(None),
            Err(error) => Err(GitError::Git {
                repo: self.location_buf(),
                doing: format!("reading object {id} ({})", what()),
                message: describe(&error),
            }),
        })?;
        let object = match found {
            Some(object) => object,
            None => self
                .cat_file
                .read(id)
                .map_err(|error| GitError::MissingObject {
                    id: id.to_string(),
                    what: what(),
                    repo: self.location_buf(),
                    reason: format!("gix does not have it, and {error}"),
                })?
                .ok_or_else(|| GitError::MissingObject {
                    id: id.to_string(),
                    what: what(),
                    repo: self.location_buf(),
                    reason: "neither gix nor `git cat-file` has it (in a partial clone, \
                             `git cat-file` fetches it, which needs the remote to be reachable); \
                             run `git fetch` and retry, or clone without `--filter`"
                        .to_owned(),
                })?,
        };
        if let Some(expected) = expected
            && object.kind != expected
        {
            return Err(GitError::Git {
                repo: self.location_buf(),
                doing: format!("reading object {id} ({})", what()),
                message: format!("it is a {}, expected a {expected}", object.kind),
            });
        }
        Ok(object)
    }
}

/// An object id as the 40 (or 64) hexadecimal digits.
pub(crate) fn hex(id: &ObjectId) -> String {
    id.to_hex().to_string()
}
