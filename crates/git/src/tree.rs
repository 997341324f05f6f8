//! A commit's file tree seen as a file system: [`GitTree`] answers the
//! listing's questions ([`alembic_doctor_source::Tree`]) and the project
//! module lookups ([`alembic_doctor_script::ProjectFiles`]) from git objects,
//! so Alembic's load order and import resolution are shared with the disk.
//!
//! Paths are absolute, under [`GitTree::root`] (the working tree's root, or a
//! stand-in for a bare repository); a relative path is taken relative to the
//! root. Paths outside the root do not exist. They are looked up the way the
//! kernel does it on a checkout:
//! * symbolic links (mode `120000`, the target is the blob's content) are
//!   followed in every component, and in the last one unless the question
//!   is [`Tree::read_link`]; a link to an absolute path under the root
//!   works, one that leaves the root leads nowhere (the file outside is not
//!   part of the revision);
//! * `..` is physical: it goes to the parent of the directory reached,
//!   after following links, as `open("link/..")` does;
//! * more than [`MAX_LINKS`] links in one lookup is a loop (`ELOOP`);
//! * a submodule (mode `160000`) is an empty directory, as in a clone made
//!   without `--recurse-submodules`: it is never descended into.
//!
//! Each tree object is decoded once per [`GitTree`] (and its clones) and its
//! entries kept sorted for binary search; blobs are read on demand, in
//! parallel when the caller reads in parallel.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ffi::OsString;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use alembic_doctor_config::{ConfigFileKind, ConfigFiles, DiskConfigFiles};
use alembic_doctor_script::ProjectFiles;
use alembic_doctor_source::{DirEntry, FileStamp, MAX_FILE_BYTES, Tree};
use gix::ObjectId;
use gix::objs::Kind;

use crate::error::GitError;
use crate::objects::Objects;
use crate::repo::ResolvedRev;

/// How many symbolic links one lookup may follow, as Linux's `MAXSYMLINKS`.
pub const MAX_LINKS: usize = 40;

/// What a path is in a [`GitTree`], after following symbolic links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntryKind {
    /// A regular file (mode `100644` or `100755`).
    File,
    /// A directory.
    Dir,
    /// A submodule: a directory whose content is not in this repository.
    Submodule,
}

/// A commit's file tree, read from git objects without a checkout.
///
/// Cheap to clone (the clones share the decoded trees); `Send + Sync`, so
/// the listing can read files in parallel and [`alembic_doctor_script::Project`]
/// can own one.
#[derive(Clone)]
pub struct GitTree {
    inner: Arc<Inner>,
    root: Arc<Path>,
}

impl std::fmt::Debug for GitTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the caches: they can hold thousands of entries.
        f.debug_struct("GitTree")
            .field("root", &self.root)
            .field("revision", &self.inner.rev)
            .finish_non_exhaustive()
    }
}

struct Inner {
    objects: Arc<Objects>,
    rev: ResolvedRev,
    /// Decoded trees by id: identical subtrees are decoded once.
    trees: RwLock<HashMap<ObjectId, Arc<Listing>>>,
    /// Link targets by blob id.
    links: RwLock<HashMap<ObjectId, PathBuf>>,
    /// Directories whose missing files were fetched (partial clones).
    prefetched: Mutex<HashSet<ObjectId>>,
    /// Every object that could not be read, as the error says it: a
    /// caller must not take a damaged repository for a smaller project
    /// ([`GitTree::damaged_objects`]).
    failures: Mutex<Vec<String>>,
}

/// One tree's entries, sorted by name bytes.
#[derive(Debug)]
struct Listing {
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    name: Box<[u8]>,
    kind: NodeKind,
    id: ObjectId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeKind {
    Tree,
    Blob,
    Link,
    Submodule,
}

/// Where a lookup ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    Dir(ObjectId),
    Blob(ObjectId),
    Link(ObjectId),
    Submodule,
}

/// Why a lookup failed.
enum Miss {
    /// No such path (or it leaves the root).
    NotFound,
    /// A component before the last is a file.
    NotADirectory,
    /// Too many links.
    Loop,
    /// An object could not be read.
    Error(GitError),
}

impl Miss {
    fn into_io(self, path: &Path) -> io::Error {
        match self {
            Self::NotFound => io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} does not exist at this revision", path.display()),
            ),
            Self::NotADirectory => io::Error::new(
                io::ErrorKind::NotADirectory,
                format!(
                    "a component of {} is a file, not a directory",
                    path.display()
                ),
            ),
            Self::Loop => io::Error::other(format!(
                "{}: too many levels of symbolic links (more than {MAX_LINKS})",
                path.display()
            )),
            Self::Error(error) => io::Error::other(error.to_string()),
        }
    }
}

impl GitTree {
    pub(crate) fn new(objects: Arc<Objects>, rev: ResolvedRev, root: PathBuf) -> Self {
        Self {
            inner: Arc::new(Inner {
                objects,
                rev,
                trees: RwLock::new(HashMap::new()),
                links: RwLock::new(HashMap::new()),
                prefetched: Mutex::new(HashSet::new()),
                failures: Mutex::new(Vec::new()),
            }),
            root: Arc::from(root),
        }
    }

    /// Decode the top-level tree, to fail early when it cannot be read.
    pub(crate) fn check(&self) -> Result<(), GitError> {
        self.listing(&self.inner.rev.tree).map(|_| ())
    }

    /// The same tree under another root: every path is then taken relative
    /// to `root`. Decoded trees stay shared with `self`.
    #[must_use]
    pub fn with_root(&self, root: impl Into<PathBuf>) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            root: Arc::from(root.into()),
        }
    }

    /// The directory the tree's top level stands for.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The revision this tree belongs to.
    pub fn revision(&self) -> &ResolvedRev {
        &self.inner.rev
    }

    /// What `path` is, following symbolic links; `None` when it does not
    /// exist at this revision (or cannot be read). This is what a
    /// configuration reader needs besides [`Tree::read`] (`is_file`,
    /// `is_dir`).
    pub fn kind(&self, path: &Path) -> Option<EntryKind> {
        match self.lookup(path, true).ok()? {
            Node::Dir(_) => Some(EntryKind::Dir),
            Node::Blob(_) => Some(EntryKind::File),
            Node::Submodule => Some(EntryKind::Submodule),
            // A followed lookup never ends on a link.
            Node::Link(_) => None,
        }
    }

    /// The bytes of the file at `path` (links followed); `Ok(None)` when
    /// there is no file there (nothing, a directory or a submodule).
    pub fn read_file(&self, path: &Path) -> Result<Option<Vec<u8>>, GitError> {
        match self.lookup(path, true) {
            Ok(Node::Blob(id)) => self.blob(&id, path).map(Some),
            Ok(_) | Err(Miss::NotFound | Miss::NotADirectory | Miss::Loop) => Ok(None),
            Err(Miss::Error(error)) => Err(error),
        }
    }

    fn blob(&self, id: &ObjectId, path: &Path) -> Result<Vec<u8>, GitError> {
        if self.inner.objects.is_partial() && !self.inner.objects.has(id) {
            self.prefetch_directory_of(path);
        }
        let what = || self.describe_path(path);
        let read = self.inner.objects.read(id, Some(Kind::Blob), &what);
        Ok(self.failed(read)?.data)
    }

    /// `result`, remembering its error among the damaged objects.
    fn failed<T>(&self, result: Result<T, GitError>) -> Result<T, GitError> {
        if let Err(error) = &result {
            let message = error.to_string();
            let mut failures = self
                .inner
                .failures
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if !failures.contains(&message) {
                failures.push(message);
            }
        }
        result
    }

    /// The objects this tree needed and could not read (missing, truncated,
    /// in a corrupt pack), each as the error said it, in the order met.
    /// A listing or read made with such a tree is incomplete: a file whose
    /// blob is missing is not "no file", so a caller that gets any here must
    /// report an error instead of an answer.
    pub fn damaged_objects(&self) -> Vec<String> {
        self.inner
            .failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// [`Tree::stamp`] of each of `paths`, with each directory they are in
    /// looked up once (a project's migrations share one or a few): walking
    /// every path from the root was most of the time `check` took to tell
    /// which files changed since the base branch.
    pub fn stamps(&self, paths: &[&Path]) -> Vec<Option<FileStamp>> {
        let mut listings: HashMap<&Path, Option<Arc<Listing>>> = HashMap::new();
        // Paths come a directory at a time: the last directory's listing is
        // checked first, which spares hashing most paths.
        let mut last: Option<(&Path, Option<Arc<Listing>>)> = None;
        paths
            .iter()
            .map(|&path| {
                // The name and its directory from one parse of the path's
                // end (`parent` and `file_name` would parse it twice).
                let mut components = path.components();
                let (Some(Component::Normal(name)), dir) =
                    (components.next_back(), components.as_path())
                else {
                    return self.stamp(path);
                };
                let listing = match &last {
                    Some((last_dir, listing)) if last_dir.as_os_str() == dir.as_os_str() => {
                        listing.clone()
                    }
                    _ => {
                        // The directory is plain (no `.` or `..`, which the
                        // lookup follows as the kernel does) if the path is:
                        // checked once per directory, not per file.
                        let plain = dir
                            .components()
                            .all(|c| matches!(c, Component::Normal(_) | Component::RootDir));
                        if !plain {
                            return self.stamp(path);
                        }
                        let listing = listings
                            .entry(dir)
                            .or_insert_with(|| match self.lookup(dir, true) {
                                Ok(Node::Dir(id)) => self.listing(&id).ok(),
                                _ => None,
                            })
                            .clone();
                        last = Some((dir, listing.clone()));
                        listing
                    }
                };
                match listing.as_ref()?.find(name.as_encoded_bytes())? {
                    Entry {
                        kind: NodeKind::Blob,
                        id,
                        ..
                    } => Some(FileStamp::Blob(id.as_bytes().to_vec())),
                    // Followed as the walk follows it.
                    Entry {
                        kind: NodeKind::Link,
                        ..
                    } => self.stamp(path),
                    _ => None,
                }
            })
            .collect()
    }

    fn describe_path(&self, path: &Path) -> String {
        let shown = path.strip_prefix(&*self.root).unwrap_or(path);
        format!("{} at {}", shown.display(), self.inner.rev.name())
    }

    /// Whether `path` is outside the repository's directory (an absolute
    /// path not under the root): no revision holds it.
    pub fn is_outside(&self, path: &Path) -> bool {
        self.relative(path).is_none()
    }

    /// The components of `path` below the root, or `None` when it is not
    /// under the root.
    fn relative<'p>(&self, path: &'p Path) -> Option<&'p Path> {
        if path.is_absolute() {
            path.strip_prefix(&*self.root).ok()
        } else {
            Some(path)
        }
    }

    /// Walk `path` from the root tree. With `follow_last`, a link in the
    /// last component is followed too.
    fn lookup(&self, path: &Path, follow_last: bool) -> Result<Node, Miss> {
        let relative = self.relative(path).ok_or(Miss::NotFound)?;
        let mut pending: VecDeque<Vec<u8>> = VecDeque::new();
        push_components(&mut pending, relative, false).ok_or(Miss::NotFound)?;
        let root_tree = self.inner.rev.tree;
        // The directories entered, from the root down: `..` pops one.
        let mut stack: Vec<ObjectId> = Vec::new();
        let mut links = 0_usize;
        while let Some(name) = pending.pop_front() {
            if name == b".." {
                // Above the root is outside the revision.
                stack.pop().ok_or(Miss::NotFound)?;
                continue;
            }
            let dir = stack.last().copied().unwrap_or(root_tree);
            let listing = self.listing(&dir).map_err(Miss::Error)?;
            let entry = listing.find(&name).ok_or(Miss::NotFound)?;
            let last = pending.is_empty();
            match entry.kind {
                NodeKind::Tree => stack.push(entry.id),
                NodeKind::Blob if last => return Ok(Node::Blob(entry.id)),
                NodeKind::Blob => return Err(Miss::NotADirectory),
                NodeKind::Submodule if last => return Ok(Node::Submodule),
                // Not descended: an uninitialised submodule is empty.
                NodeKind::Submodule => return Err(Miss::NotFound),
                NodeKind::Link if last && !follow_last => return Ok(Node::Link(entry.id)),
                NodeKind::Link => {
                    links += 1;
                    if links > MAX_LINKS {
                        return Err(Miss::Loop);
                    }
                    let target = self.link_target(&entry.id).map_err(Miss::Error)?;
                    if target.is_absolute() {
                        let inside = target
                            .strip_prefix(&*self.root)
                            .map_err(|_| Miss::NotFound)?;
                        stack.clear();
                        push_components(&mut pending, inside, true).ok_or(Miss::NotFound)?;
                    } else {
                        push_components(&mut pending, &target, true).ok_or(Miss::NotFound)?;
                    }
                }
            }
        }
        Ok(Node::Dir(stack.last().copied().unwrap_or(root_tree)))
    }

    /// In a partial clone, fetch every missing file of `path`'s directory in
    /// one request: the listing is about to read them all, and fetching
    /// them one by one costs a network round trip each. Best effort: what
    /// this does not fetch, `git cat-file` still does, one at a time.
    fn prefetch_directory_of(&self, path: &Path) {
        let Some(dir) = path.parent() else { return };
        let Ok(Node::Dir(dir_id)) = self.lookup(dir, true) else {
            return;
        };
        // Held during the fetch: other threads reading this directory wait
        // for it instead of fetching the same objects again.
        let mut done = self
            .inner
            .prefetched
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !done.insert(dir_id) {
            return;
        }
        let Ok(listing) = self.listing(&dir_id) else {
            return;
        };
        let ids: Vec<ObjectId> = listing
            .entries
            .iter()
            .filter(|entry| matches!(entry.kind, NodeKind::Blob | NodeKind::Link))
            .map(|entry| entry.id)
            .collect();
        let _ = self.inner.objects.prefetch(&ids);
    }

    /// The decoded tree `id`, decoding it on first use.
    fn listing(&self, id: &ObjectId) -> Result<Arc<Listing>, GitError> {
        if let Some(listing) = self
            .inner
            .trees
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
        {
            return Ok(Arc::clone(listing));
        }
        let what = || format!("a directory of {}", self.inner.rev.name());
        let raw = self.failed(self.inner.objects.read(id, Some(Kind::Tree), &what))?;
        let listing = Arc::new(self.failed(
            Listing::decode(&raw.data, self.inner.objects.hash_kind()).map_err(|message| {
                GitError::Git {
                    repo: self.inner.objects.location_buf(),
                    doing: format!("reading tree {id} ({})", what()),
                    message,
                }
            }),
        )?);
        self.inner
            .trees
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(*id, Arc::clone(&listing));
        Ok(listing)
    }

    /// The target of the link blob `id`.
    fn link_target(&self, id: &ObjectId) -> Result<PathBuf, GitError> {
        if let Some(target) = self
            .inner
            .links
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
        {
            return Ok(target.clone());
        }
        let what = || format!("a symbolic link of {}", self.inner.rev.name());
        let raw = self.inner.objects.read(id, Some(Kind::Blob), &what)?;
        let target = path_from_bytes(raw.data);
        self.inner
            .links
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(*id, target.clone());
        Ok(target)
    }

    fn dir_entry(&self, dir: &Path, entry: &Entry) -> DirEntry {
        let name = os_string(&entry.name);
        let (is_dir, is_symlink) = match entry.kind {
            NodeKind::Tree | NodeKind::Submodule => (true, false),
            NodeKind::Blob => (false, false),
            // `DirEntry.is_dir()` follows the link; a dangling one is not a
            // directory.
            NodeKind::Link => (
                matches!(
                    self.lookup(&dir.join(&name), true),
                    Ok(Node::Dir(_) | Node::Submodule)
                ),
                true,
            ),
        };
        DirEntry {
            name,
            is_dir,
            is_symlink,
        }
    }
}

impl Listing {
    fn decode(data: &[u8], hash_kind: gix::hash::Kind) -> Result<Self, String> {
        let tree = gix::objs::TreeRef::from_bytes(data, hash_kind).map_err(|e| e.to_string())?;
        let mut entries: Vec<Entry> = tree
            .entries
            .iter()
            .map(|entry| Entry {
                name: entry.filename.to_vec().into_boxed_slice(),
                kind: if entry.mode.is_tree() {
                    NodeKind::Tree
                } else if entry.mode.is_link() {
                    NodeKind::Link
                } else if entry.mode.is_commit() {
                    NodeKind::Submodule
                } else {
                    NodeKind::Blob
                },
                id: entry.oid.to_owned(),
            })
            .collect();
        // Git orders a tree's entries as if directories' names ended in
        // `/`; plain byte order is what a binary search by name needs.
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Self { entries })
    }

    fn find(&self, name: &[u8]) -> Option<&Entry> {
        self.entries
            .binary_search_by(|entry| (*entry.name).cmp(name))
            .ok()
            .and_then(|index| self.entries.get(index))
    }
}

/// Queue `path`'s components (`.` dropped) in front of `pending` when
/// `front`, else at the back. `None` for a component a tree cannot hold
/// (a Windows prefix, or a root inside a relative path).
fn push_components(pending: &mut VecDeque<Vec<u8>>, path: &Path, front: bool) -> Option<()> {
    let mut parts = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir | Component::RootDir => {}
            Component::ParentDir => parts.push(b"..".to_vec()),
            Component::Normal(name) => parts.push(name.as_encoded_bytes().to_vec()),
            Component::Prefix(_) => return None,
        }
    }
    if front {
        for part in parts.into_iter().rev() {
            pending.push_front(part);
        }
    } else {
        pending.extend(parts);
    }
    Some(())
}

/// A name from a tree as an `OsString` (lossless on Unix).
fn os_string(bytes: &[u8]) -> OsString {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::ffi::OsStr::from_bytes(bytes).to_os_string()
    }
    #[cfg(not(unix))]
    {
        OsString::from(String::from_utf8_lossy(bytes).into_owned())
    }
}

pub(crate) fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        PathBuf::from(OsString::from_vec(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
    }
}

impl Tree for GitTree {
    fn read_dir(&self, dir: &Path) -> io::Result<Vec<DirEntry>> {
        let id = match self.lookup(dir, true) {
            Ok(Node::Dir(id)) => id,
            Ok(Node::Submodule) => return Ok(Vec::new()),
            Ok(Node::Blob(_) | Node::Link(_)) => {
                return Err(io::Error::new(
                    io::ErrorKind::NotADirectory,
                    format!("{} is a file, not a directory", dir.display()),
                ));
            }
            Err(miss) => return Err(miss.into_io(dir)),
        };
        let listing = self
            .listing(&id)
            .map_err(|error| io::Error::other(error.to_string()))?;
        Ok(listing
            .entries
            .iter()
            .map(|entry| self.dir_entry(dir, entry))
            .collect())
    }

    fn exists(&self, path: &Path) -> bool {
        self.lookup(path, true).is_ok()
    }

    fn read_link(&self, path: &Path) -> Option<PathBuf> {
        match self.lookup(path, false) {
            Ok(Node::Link(id)) => self.link_target(&id).ok(),
            _ => None,
        }
    }

    /// A blob's id is its content: a parse cache keys git files by it.
    fn stamp(&self, path: &Path) -> Option<FileStamp> {
        match self.lookup(path, true) {
            Ok(Node::Blob(id)) => Some(FileStamp::Blob(id.as_bytes().to_vec())),
            _ => None,
        }
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.lookup(path, true) {
            Ok(Node::Blob(id)) => {
                let bytes = self
                    .blob(&id, path)
                    .map_err(|error| io::Error::other(error.to_string()))?;
                if bytes.len() as u64 > MAX_FILE_BYTES {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "is {} bytes, larger than the {MAX_FILE_BYTES}-byte limit for a migration file",
                            bytes.len()
                        ),
                    ));
                }
                Ok(bytes)
            }
            Ok(Node::Dir(_)) => Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory, not a file",
            )),
            Ok(Node::Submodule) => Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a submodule, not a file",
            )),
            Ok(Node::Link(_)) => Err(io::Error::other("is a symbolic link that was not followed")),
            Err(miss) => Err(miss.into_io(path)),
        }
    }
}

/// The configuration reader's view: `alembic.ini` and `pyproject.toml` at
/// this revision. A submodule counts as a directory, as its checkout would.
/// A file outside the repository is in no commit: every revision sees the
/// one on the disk (an `alembic.ini` kept beside the checkout, given with
/// `-c`), as Alembic would on any branch checked out.
impl ConfigFiles for GitTree {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        if self.is_outside(path) {
            return DiskConfigFiles.read(path);
        }
        match self.read_file(path) {
            Ok(Some(bytes)) => Ok(bytes),
            Ok(None) if self.kind(path).is_some() => Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                format!("{} is a directory, not a file", path.display()),
            )),
            Ok(None) => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} does not exist at this revision", path.display()),
            )),
            Err(error) => Err(io::Error::other(error.to_string())),
        }
    }

    fn kind(&self, path: &Path) -> Option<ConfigFileKind> {
        if self.is_outside(path) {
            return DiskConfigFiles.kind(path);
        }
        match GitTree::kind(self, path)? {
            EntryKind::File => Some(ConfigFileKind::File),
            EntryKind::Dir | EntryKind::Submodule => Some(ConfigFileKind::Dir),
        }
    }
}

impl ProjectFiles for GitTree {
    fn root(&self) -> &Path {
        &self.root
    }

    fn read(&self, path: &Path) -> io::Result<Option<Vec<u8>>> {
        self.read_file(path)
            .map_err(|error| io::Error::other(error.to_string()))
    }
}
