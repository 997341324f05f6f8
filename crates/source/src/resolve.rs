//! `Path.resolve()` as Python 3.11 does it: `posixpath.realpath(strict=False)`.
//!
//! Alembic resolves every listed path before de-duplicating and filtering it,
//! and stores the resolved path as `Script.path`. The non-strict resolution
//! matters: a dangling symlink still resolves (to where it points), and only a
//! symlink loop fails. `std::fs::canonicalize` fails on both, so this is a port
//! of `posixpath._joinrealpath` over [`Tree::read_link`], which also lets a
//! git-tree backend resolve links stored as blobs.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};

use crate::tree::Tree;

/// How deep nested link targets may go before we call it a loop. Python
/// relies on `seen` alone; the cap only guards our stack against a backend
/// that invents fresh link names forever.
const MAX_LINK_DEPTH: usize = 256;

/// Outcome of resolving one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// The real path.
    Real(PathBuf),
    /// A symlink loop; Python 3.11 raises `RuntimeError("Symlink loop from …")`.
    Loop,
}

/// Resolve `path` (absolute, or relative to the tree's working directory)
/// following every symlink, without requiring the final target to exist.
pub(crate) fn realpath(tree: &(impl Tree + ?Sized), path: &Path) -> Resolved {
    resolve_from(tree, PathBuf::new(), path)
}

fn resolve_from(tree: &(impl Tree + ?Sized), start: PathBuf, rest: &Path) -> Resolved {
    let mut seen = HashMap::new();
    match join_real(tree, start, rest, &mut seen, 0) {
        Some((resolved, true)) => Resolved::Real(resolved),
        Some((_, false)) | None => Resolved::Loop,
    }
}

/// [`realpath`] for many files, remembering resolved directories.
///
/// Resolving `dir/name` is resolving `dir`, then `name` from there (Python's
/// `_joinrealpath` walks components left to right, and a prefix resolves
/// the same whatever follows it), so each directory is resolved once
/// instead of once per file: one `lstat` per file instead of one per
/// path component.
pub(crate) struct Resolver<'a, T> {
    tree: &'a T,
    dirs: HashMap<PathBuf, Resolved>,
    /// The directory resolved last: files come directory by directory, so
    /// this answers nearly every lookup with one byte comparison instead
    /// of hashing the path component by component.
    last: Option<(PathBuf, Resolved)>,
}

impl<'a, T: Tree> Resolver<'a, T> {
    pub(crate) fn new(tree: &'a T) -> Self {
        Self {
            tree,
            dirs: HashMap::new(),
            last: None,
        }
    }

    /// [`Resolver::resolve`] for a path just listed from its directory:
    /// when the directory entry is not a symlink, the real path is the
    /// directory's real path plus the name, which saves an `lstat` per file
    /// (a third of the syscalls of loading a large project).
    pub(crate) fn resolve_entry(&mut self, path: &Path, is_symlink: bool) -> Resolved {
        if !is_symlink && let Some((dir, name)) = split_last(path) {
            return self.with_dir(dir, |_, resolved| match resolved {
                Resolved::Real(dir_real) => Resolved::Real(dir_real.join(name)),
                Resolved::Loop => Resolved::Loop,
            });
        }
        self.resolve(path)
    }

    /// `then` applied to the tree and `dir`'s resolution, resolving `dir`
    /// only the first time it is asked for.
    fn with_dir<R>(&mut self, dir: &Path, then: impl FnOnce(&'a T, &Resolved) -> R) -> R {
        if let Some((last, resolved)) = &self.last
            && last.as_os_str() == dir.as_os_str()
        {
            return then(self.tree, resolved);
        }
        // Looked up before inserting: only a directory's first file needs
        // the key copied.
        let resolved = if let Some(resolved) = self.dirs.get(dir) {
            resolved.clone()
        } else {
            let resolved = resolve_from(self.tree, PathBuf::new(), dir);
            self.dirs.insert(dir.to_path_buf(), resolved.clone());
            resolved
        };
        let (_, resolved) = self.last.insert((dir.to_path_buf(), resolved));
        then(self.tree, resolved)
    }

    /// The real path of `path`, as [`realpath`] would give it.
    pub(crate) fn resolve(&mut self, path: &Path) -> Resolved {
        let Some((dir, name)) = split_last(path) else {
            return resolve_from(self.tree, PathBuf::new(), path);
        };
        self.with_dir(dir, |tree, resolved| match resolved {
            Resolved::Real(dir_real) => resolve_from(tree, dir_real.clone(), Path::new(name)),
            Resolved::Loop => Resolved::Loop,
        })
    }
}

/// `(path.parent(), path.file_name())` for a listed path, cut at its last
/// `/` without parsing every component (this runs once per file). Paths it
/// cannot cut that simply (no `/`, or ending in `/`, `.` or `..`) take
/// `Path`'s own parsing; a directory written with a doubled or trailing `/`
/// is only another key for the same resolution.
fn split_last(path: &Path) -> Option<(&Path, &OsStr)> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        if let Some(slash) = bytes.iter().rposition(|&b| b == b'/') {
            let (dir, name) = (&bytes[..slash], &bytes[slash + 1..]);
            if !dir.is_empty() && !matches!(name, b"" | b"." | b"..") {
                return Some((Path::new(OsStr::from_bytes(dir)), OsStr::from_bytes(name)));
            }
        }
    }
    Some((path.parent()?, path.file_name()?))
}

/// `posixpath._joinrealpath`: resolve `rest` relative to the already-real
/// `path`. Returns `(path, ok)`; `ok == false` means a loop was found.
/// `None` means the nesting cap was hit.
fn join_real(
    tree: &(impl Tree + ?Sized),
    mut path: PathBuf,
    rest: &Path,
    seen: &mut HashMap<PathBuf, Option<PathBuf>>,
    depth: usize,
) -> Option<(PathBuf, bool)> {
    if depth > MAX_LINK_DEPTH {
        return None;
    }
    for component in rest.components() {
        let name: &OsStr = match component {
            Component::Prefix(prefix) => {
                path = PathBuf::from(prefix.as_os_str());
                continue;
            }
            Component::RootDir => {
                path.push(Component::RootDir.as_os_str());
                continue;
            }
            Component::CurDir => continue,
            Component::ParentDir => {
                // Lexical `..` on an already-resolved prefix, like Python.
                if path.as_os_str().is_empty() || path.ends_with("..") {
                    path.push("..");
                } else {
                    // `pop` on `/` leaves `/`: `/..` is `/`, as in Python.
                    path.pop();
                }
                continue;
            }
            Component::Normal(name) => name,
        };
        let new_path = path.join(name);
        let Some(target) = tree.read_link(&new_path) else {
            path = new_path;
            continue;
        };
        match seen.get(&new_path) {
            Some(Some(cached)) => {
                path.clone_from(cached);
                continue;
            }
            // Seen but not yet resolved: we are inside its own resolution.
            Some(None) => return Some((new_path, false)),
            None => {}
        }
        seen.insert(new_path.clone(), None);
        let (resolved, ok) = join_real(tree, path, &target, seen, depth + 1)?;
        if !ok {
            return Some((resolved, false));
        }
        seen.insert(new_path, Some(resolved.clone()));
        path = resolved;
    }
    Some((path, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::DiskTree;

    #[cfg(unix)]
    #[test]
    fn resolves_dangling_links_and_relative_targets() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir(root.join("real")).unwrap();
        std::os::unix::fs::symlink("real", root.join("alias")).unwrap();
        std::os::unix::fs::symlink("../nowhere.py", root.join("real/dangling.py")).unwrap();
        assert_eq!(
            realpath(&DiskTree, &root.join("alias/dangling.py")),
            Resolved::Real(root.join("nowhere.py"))
        );
    }

    #[cfg(unix)]
    #[test]
    fn reports_a_loop_instead_of_recursing_forever() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::os::unix::fs::symlink("b.py", root.join("a.py")).unwrap();
        std::os::unix::fs::symlink("a.py", root.join("b.py")).unwrap();
        assert_eq!(realpath(&DiskTree, &root.join("a.py")), Resolved::Loop);
    }

    #[cfg(unix)]
    #[test]
    fn the_caching_resolver_agrees_with_realpath() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::os::unix::fs::symlink("a/b", root.join("ab")).unwrap();
        std::os::unix::fs::symlink("../../ab/x.py", root.join("a/b/link.py")).unwrap();
        std::os::unix::fs::symlink("loop", root.join("loop")).unwrap();
        let mut resolver = Resolver::new(&DiskTree);
        for rel in [
            "ab/link.py",
            "ab/x.py",
            "a/b/link.py",
            "ab/../ab/x.py",
            "loop/x.py",
            "loop",
        ] {
            let path = root.join(rel);
            assert_eq!(resolver.resolve(&path), realpath(&DiskTree, &path), "{rel}");
        }
    }
}
