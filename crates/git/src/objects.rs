//! Where object bytes come from: gix first, then the `git` command for what
//! gix does not have (a partial clone's missing blobs and trees).
//!
//! A `gix::Repository` is not `Sync`, so parallel readers each borrow one
//! from a small pool of thread-local handles made from the shared
//! `ThreadSafeRepository` (cheap: they share the object store and its
//! caches of pack indices).
//!
//! Blobs are also kept, by id, for the rest of the run: `compare` reads the
//! same migration file from BASE, each HEAD, their merge base and the
//! simulated merge, and inflating it from the pack each time was the
//! largest single cost (40% of `compare` on 5,000 revisions per side).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

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
    /// The remote a partial clone fetches missing objects from.
    promisor: Option<String>,
    /// Blobs already read, with their total size (bounded by
    /// [`BLOB_CACHE_BYTES`]).
    blobs: Mutex<BlobCache>,
}

/// Blobs by id, and their total size in bytes.
#[derive(Default)]
struct BlobCache {
    by_id: HashMap<ObjectId, Arc<[u8]>>,
    bytes: usize,
}

/// The most blob bytes kept for reuse: far more than any project's
/// migrations, and a bound for repositories with huge files.
const BLOB_CACHE_BYTES: usize = 256 << 20;

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
        let promisor = promisor_remote(&local);
        let location = repo
            .work_dir()
            .unwrap_or_else(|| repo.git_dir())
            .to_path_buf();
        Self {
            location,
            promisor,
            repo,
            pool: Mutex::new(vec![local]),
            cat_file,
            hash_kind,
            blobs: Mutex::new(BlobCache::default()),
        }
    }

    /// The git directory (`.git`, the bare repository, or a worktree's
    /// private directory), for the `git` command.
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

    /// What to do about an object that neither gix nor `git` has.
    fn missing_hint(&self) -> String {
        match &self.promisor {
            Some(remote) => format!(
                "this is a partial clone, which fetches missing files from `{remote}` on demand: \
                 check that the remote is reachable (`git fetch {remote}`), or clone without `--filter`"
            ),
            None => "the repository is incomplete; `git fsck` lists what is missing".to_owned(),
        }
    }

    /// Whether this is a partial clone, whose missing objects can be fetched.
    pub(crate) fn is_partial(&self) -> bool {
        self.promisor.is_some()
    }

    /// Whether gix has object `id` (without fetching it).
    pub(crate) fn has(&self, id: &gix::oid) -> bool {
        self.with_repo(|repo| repo.has_object(id))
    }

    /// Fetch the objects of `ids` that are missing, in one request to the
    /// promisor remote. Does nothing outside a partial clone.
    pub(crate) fn prefetch(&self, ids: &[ObjectId]) -> Result<(), GitError> {
        let Some(remote) = &self.promisor else {
            return Ok(());
        };
        let missing: Vec<ObjectId> = ids.iter().filter(|id| !self.has(id)).copied().collect();
        if missing.is_empty() {
            return Ok(());
        }
        crate::cli_fallback::fetch_objects(self.git_dir(), remote, &missing)
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
        // A cached id is a blob; asked for another kind, read it again so
        // that the mismatch is reported as usual.
        if expected.is_none_or(|kind| kind == Kind::Blob)
            && let Some(data) = self.cached_blob(id)
        {
            return Ok(RawObject {
                kind: Kind::Blob,
                data: data.to_vec(),
            });
        }
        let object = self.read_uncached(id, expected, what)?;
        if object.kind == Kind::Blob {
            self.keep_blob(id, &object.data);
        }
        Ok(object)
    }

    fn cached_blob(&self, id: &gix::oid) -> Option<Arc<[u8]>> {
        let blobs = self.blobs.lock().unwrap_or_else(PoisonError::into_inner);
        blobs.by_id.get(id).cloned()
    }

    fn keep_blob(&self, id: &gix::oid, data: &[u8]) {
        let mut blobs = self.blobs.lock().unwrap_or_else(PoisonError::into_inner);
        if blobs.bytes + data.len() <= BLOB_CACHE_BYTES && !blobs.by_id.contains_key(id) {
            blobs.bytes += data.len();
            blobs.by_id.insert(id.to_owned(), Arc::from(data));
        }
    }

    fn read_uncached(
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
            // The object is there but cannot be decoded: a corrupt pack or
            // loose object. Said as such, never as a missing branch.
            Err(error) => Err(GitError::Git {
                repo: self.location_buf(),
                doing: format!("reading object {id} ({})", what()),
                message: format!(
                    "{}; the object (or the pack holding it) is corrupt: `git fsck` shows the \
                     damage; re-clone or fetch the objects again",
                    describe(&error)
                ),
            }),
        })?;
        let object = if let Some(object) = found {
            object
        } else {
            let missing = |reason: String| GitError::MissingObject {
                id: id.to_string(),
                what: what(),
                repo: self.location_buf(),
                reason: format!("{reason}; {}", self.missing_hint()),
            };
            match self.cat_file.read(id) {
                Ok(Some(object)) => object,
                Ok(None) => {
                    return Err(missing("`git cat-file` does not have it either".to_owned()));
                }
                Err(error) => return Err(missing(error.to_string())),
            }
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

/// The promisor remote of a partial clone: `extensions.partialClone`, which
/// `git clone --filter` sets, else the first remote marked `promisor`.
fn promisor_remote(repo: &gix::Repository) -> Option<String> {
    let config = repo.config_snapshot();
    if let Some(name) = config.string("extensions.partialClone") {
        return Some(name.to_string());
    }
    repo.remote_names()
        .iter()
        .find(|name| config.boolean(format!("remote.{name}.promisor").as_str()) == Some(true))
        .map(ToString::to_string)
}

/// An object id as the 40 (or 64) hexadecimal digits.
pub(crate) fn hex(id: &ObjectId) -> String {
    id.to_hex().to_string()
}
