//! Alembic's load order: `ScriptDirectory._load_revisions` over
//! `Script._list_py_dir`, then `Script._from_path`'s name filter.
//!
//! Order of operations, as in Alembic 1.20:
//! 1. Locations in config order; a location that does not exist is skipped.
//! 2. Each location is walked top-down like `os.walk` (symlinked directories
//!    are listed but never entered, so directory loops cannot hang us). A
//!    directory whose name ends in `__pycache__` contributes no files, and the
//!    non-recursive "stop after the first directory" is not reached for it.
//!    Files come in Python `sorted()` order, subdirectories too.
//! 3. With `sourceless`, a directory's `__pycache__` entries whose
//!    name-before-the-first-dot is not the stem of one of the directory's
//!    files follow its files. Python lists them in `iterdir()` order, which is
//!    whatever the file system returns; we sort them so the result is
//!    deterministic.
//! 4. Every listed path (candidate or not) is resolved; a real path seen
//!    before gives the "loaded twice" warning and is skipped.
//! 5. The *resolved* name must pass the name filter; a `.pyc` is dropped when
//!    the `.py` beside it (in the resolved directory) exists, a `.pyo` also
//!    when the `.pyc` exists.
//!
//! Python 3.12+ walks with `Path.walk`, which lists a symlinked directory
//! among the *files*. The only visible difference is a "loaded twice" warning
//! for a symlinked directory reached twice; we follow `os.walk` (3.11, the
//! version the reference was verified against).

use std::collections::HashSet;

use rustc_hash::FxHashSet;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use crate::listing::{ListingSpec, ReadError, SourceNote};
use crate::order::{FileKind, candidate, name_bytes, sort_by_name, stem_before_first_dot};
use crate::resolve::{Resolved, Resolver, realpath};
use crate::snapshot::WalkStamps;
use crate::stamp::DiskStamp;
use crate::tree::{DirEntry, Tree};

/// Deeper directory trees than this are not walked (a bind-mount loop is the
/// only way to get one); the directory is reported as unreadable instead.
const MAX_WALK_DEPTH: usize = 512;

/// A candidate found by the walk, before its bytes are read: a
/// [`crate::SourceFile`] without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The resolved real path (see [`crate::SourceFile::path`]).
    pub path: PathBuf,
    /// The path as found under its version location.
    pub listed_path: PathBuf,
    /// Index of the version location it was found under.
    pub location: usize,
    /// Source or compiled.
    pub kind: FileKind,
}

/// Walk every location and return the candidates in load order, and, when
/// `record` is set and the walk can be, what it depended on
/// ([`WalkStamps`]).
pub(crate) fn candidates(
    tree: &impl Tree,
    spec: &ListingSpec,
    notes: &mut Vec<SourceNote>,
    record: bool,
) -> (Vec<Candidate>, Option<WalkStamps>) {
    let mut seen: FxHashSet<RealPath> = FxHashSet::default();
    let mut resolver = Resolver::new(tree);
    let mut found = Vec::new();
    let mut stamps = record.then(WalkStamps::default);
    for (index, location) in spec.locations.iter().enumerate() {
        if !tree.exists(location) {
            notes.push(SourceNote::MissingLocation {
                location: location.clone(),
            });
            if let Some(stamps) = &mut stamps {
                stamps.push_location(None);
            }
            continue;
        }
        if let Some(recorded) = &mut stamps {
            // Resolved before the walk, as each directory is stamped before
            // it is read: a change during the walk then shows next time.
            match realpath(tree, location) {
                Resolved::Real(real) => recorded.push_location(Some(&real)),
                Resolved::Loop => stamps = None,
            }
        }
        let mut walker = Walker {
            tree,
            spec,
            listed: Vec::new(),
            notes: &mut *notes,
            dirs: stamps.as_ref().map(|_| Vec::new()),
        };
        // `Break` only means "not recursive: stop after the first directory".
        let _ = walker.walk(location, 0);
        let Walker { listed, dirs, .. } = walker;
        match (&mut stamps, dirs) {
            (Some(recorded), Some(dirs)) => recorded.extend_dirs(dirs),
            _ => stamps = None,
        }
        // A file is reached twice only through a symlink or from a second
        // location (symlinked directories are not walked): without either,
        // each real path is new, and is not copied into `seen`.
        let may_repeat = spec.locations.len() > 1 || listed.iter().any(|&(_, link)| link);
        for (listed_path, is_symlink) in listed {
            let real = match resolver.resolve_entry(&listed_path, is_symlink) {
                Resolved::Real(real) => real,
                Resolved::Loop => {
                    notes.push(SourceNote::SymlinkLoop { listed_path });
                    continue;
                }
            };
            if may_repeat && !seen.insert(RealPath(real.clone())) {
                notes.push(SourceNote::LoadedTwice {
                    real_path: real,
                    listed_path,
                });
                continue;
            }
            if let Some(kind) = loadable_kind(tree, &real, spec.sourceless) {
                found.push(Candidate {
                    path: real,
                    listed_path,
                    location: index,
                    kind,
                });
            }
        }
    }
    // A walk that noticed anything but missing locations (a file reached
    // twice, a loop, an unreadable directory) is always walked again: its
    // notes are not kept.
    let quiet = notes
        .iter()
        .all(|note| matches!(note, SourceNote::MissingLocation { .. }));
    (found, stamps.filter(|_| quiet))
}

/// A resolved path as a set key, compared and hashed by its bytes: the
/// resolver builds every real path the same way, and hashing a `Path`
/// walks its components, which costs more than the rest of the set.
struct RealPath(PathBuf);

impl RealPath {
    fn bytes(&self) -> &[u8] {
        self.0.as_os_str().as_encoded_bytes()
    }
}

impl PartialEq for RealPath {
    fn eq(&self, other: &Self) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for RealPath {}

impl std::hash::Hash for RealPath {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.bytes().hash(state);
    }
}

/// `Script._from_path` up to the point where it would load the module.
fn loadable_kind(tree: &impl Tree, real: &Path, sourceless: bool) -> Option<FileKind> {
    let name = real.file_name()?;
    let bytes = name_bytes(name);
    let (kind, source_len) = candidate(&bytes, sourceless)?;
    if kind == FileKind::Source {
        return Some(kind);
    }
    // Prefer the `.py` (source encoding), then the `.pyc` (docstrings).
    let dir = real.parent()?;
    let source_name = &bytes[..source_len];
    if tree.exists(&dir.join(os_name(source_name))) {
        return None;
    }
    if kind == FileKind::Optimized {
        let mut compiled = source_name.to_vec();
        compiled.push(b'c');
        if tree.exists(&dir.join(os_name(&compiled))) {
            return None;
        }
    }
    Some(kind)
}

/// Bytes back to a file name (lossless on Unix; elsewhere the bytes came
/// from a lossy UTF-8 conversion, so converting back is lossy too).
fn os_name(bytes: &[u8]) -> std::ffi::OsString {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::ffi::OsStr::from_bytes(bytes).to_os_string()
    }
    #[cfg(not(unix))]
    {
        std::ffi::OsString::from(String::from_utf8_lossy(bytes).into_owned())
    }
}

struct Walker<'a, T> {
    tree: &'a T,
    spec: &'a ListingSpec,
    /// Every listed path, with whether its directory entry is a symlink.
    listed: Vec<(PathBuf, bool)>,
    notes: &'a mut Vec<SourceNote>,
    /// When recording: every directory read, with its stamp taken just
    /// before. `None` once something makes the walk impossible to vouch
    /// for by directory stamps: a directory without one, or a symlink
    /// (what it points to can change without any directory changing).
    dirs: Option<Vec<(PathBuf, DiskStamp)>>,
}

impl<T: Tree> Walker<'_, T> {
    /// One step of `for root, dirs, files in os.walk(location)` with
    /// Alembic's loop body.
    fn walk(&mut self, dir: &Path, depth: usize) -> ControlFlow<()> {
        if depth > MAX_WALK_DEPTH {
            self.notes.push(SourceNote::UnreadableDirectory {
                path: dir.to_path_buf(),
                error: ReadError {
                    kind: std::io::ErrorKind::Other,
                    message: format!("more than {MAX_WALK_DEPTH} directories deep"),
                },
            });
            return ControlFlow::Continue(());
        }
        self.stamp_dir(dir);
        let entries = match self.tree.read_dir(dir) {
            Ok(entries) => entries,
            Err(error) => {
                self.notes.push(SourceNote::UnreadableDirectory {
                    path: dir.to_path_buf(),
                    error: error.into(),
                });
                return ControlFlow::Continue(());
            }
        };
        if entries.iter().any(|entry| entry.is_symlink) {
            self.dirs = None;
        }
        let (mut dirs, mut files): (Vec<DirEntry>, Vec<DirEntry>) =
            entries.into_iter().partition(|entry| entry.is_dir);

        let is_pycache = dir
            .file_name()
            .is_some_and(|name| name_bytes(name).ends_with(b"__pycache__"));
        if !is_pycache {
            sort_by_name(&mut files, |entry| &entry.name);
            self.listed.extend(
                files
                    .iter()
                    .map(|entry| (dir.join(&entry.name), entry.is_symlink)),
            );
            if self.spec.sourceless {
                self.list_pycache(dir, &files);
            }
            if !self.spec.recursive {
                return ControlFlow::Break(());
            }
        }
        // Alembic sorts `dirs` only after a non-`__pycache__` directory; for
        // a `__pycache__` one Python keeps the file system's order, which we
        // replace by the sorted order to stay deterministic.
        sort_by_name(&mut dirs, |entry| &entry.name);
        for entry in dirs {
            if entry.is_symlink {
                continue;
            }
            self.walk(&dir.join(&entry.name), depth + 1)?;
        }
        ControlFlow::Continue(())
    }

    /// When recording, stamp `dir` before it is read.
    fn stamp_dir(&mut self, dir: &Path) {
        if let Some(dirs) = &mut self.dirs {
            match self.tree.dir_stamp(dir) {
                Some(stamp) => dirs.push((dir.to_path_buf(), stamp)),
                None => self.dirs = None,
            }
        }
    }

    /// The `sourceless` branch: `<dir>/__pycache__` entries not shadowed by
    /// a file of `dir` with the same name-before-the-first-dot.
    fn list_pycache(&mut self, dir: &Path, files: &[DirEntry]) {
        let cache = dir.join("__pycache__");
        if !self.tree.exists(&cache) {
            return;
        }
        let stems: HashSet<Vec<u8>> = files
            .iter()
            .map(|entry| stem_before_first_dot(&name_bytes(&entry.name)).to_vec())
            .collect();
        self.stamp_dir(&cache);
        let mut entries = match self.tree.read_dir(&cache) {
            Ok(entries) => entries,
            Err(error) => {
                self.notes.push(SourceNote::UnreadableDirectory {
                    path: cache,
                    error: error.into(),
                });
                return;
            }
        };
        if entries.iter().any(|entry| entry.is_symlink) {
            self.dirs = None;
        }
        sort_by_name(&mut entries, |entry| &entry.name);
        for entry in entries {
            if !stems.contains(stem_before_first_dot(&name_bytes(&entry.name))) {
                self.listed
                    .push((cache.join(&entry.name), entry.is_symlink));
            }
        }
    }
}
