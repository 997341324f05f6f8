//! A simulated merge as a file tree: a base revision's tree with some files
//! added, replaced or removed on top.
//!
//! Listing the merged version directories through this tree (instead of
//! building the file list by hand) keeps Alembic's exact load order, symlink
//! handling and duplicate-path rules for the merged result.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use alembic_doctor_config::{ConfigFileKind, ConfigFiles};
use alembic_doctor_git::{EntryKind, GitTree};
use alembic_doctor_script::ProjectFiles;
use alembic_doctor_source::{DirEntry, Tree};

/// A base tree plus changes: `Some(bytes)` for a file added or replaced,
/// `None` for a file removed. Paths are absolute, under the base tree's root.
#[derive(Debug, Clone)]
pub struct OverlayTree {
    base: GitTree,
    changes: Arc<BTreeMap<PathBuf, Option<Vec<u8>>>>,
}

impl OverlayTree {
    /// `base` with `changes` applied.
    pub fn new(base: GitTree, changes: BTreeMap<PathBuf, Option<Vec<u8>>>) -> Self {
        Self {
            base,
            changes: Arc::new(changes),
        }
    }

    /// The files added or replaced below `dir`, as (first name below
    /// `dir`, whether more components follow).
    fn added_below<'a>(&'a self, dir: &'a Path) -> impl Iterator<Item = (OsString, bool)> + 'a {
        self.changes
            .iter()
            .filter(|(_, bytes)| bytes.is_some())
            .filter_map(move |(path, _)| {
                let rest = path.strip_prefix(dir).ok()?;
                let mut components = rest.components();
                let Some(Component::Normal(first)) = components.next() else {
                    return None;
                };
                Some((first.to_os_string(), components.next().is_some()))
            })
    }

    /// Whether an added file lies below `path` (which then is a directory).
    fn has_added_below(&self, path: &Path) -> bool {
        self.added_below(path).next().is_some()
    }
}

impl Tree for OverlayTree {
    fn read_dir(&self, dir: &Path) -> io::Result<Vec<DirEntry>> {
        let mut entries = match Tree::read_dir(&self.base, dir) {
            Ok(entries) => entries,
            // A directory that only the merged-in side created.
            Err(_) if self.has_added_below(dir) => Vec::new(),
            Err(error) => return Err(error),
        };
        entries.retain(|entry| !matches!(self.changes.get(&dir.join(&entry.name)), Some(None)));
        for (name, is_dir) in self.added_below(dir) {
            if !entries.iter().any(|entry| entry.name == name) {
                entries.push(DirEntry {
                    name,
                    is_dir,
                    is_symlink: false,
                });
            }
        }
        Ok(entries)
    }

    fn exists(&self, path: &Path) -> bool {
        match self.changes.get(path) {
            Some(bytes) => bytes.is_some(),
            None => Tree::exists(&self.base, path) || self.has_added_below(path),
        }
    }

    fn read_link(&self, path: &Path) -> Option<PathBuf> {
        if self.changes.contains_key(path) {
            return None;
        }
        self.base.read_link(path)
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.changes.get(path) {
            Some(Some(bytes)) => Ok(bytes.clone()),
            Some(None) => Err(io::Error::new(
                io::ErrorKind::NotFound,
                "removed in the simulated merge",
            )),
            None => Tree::read(&self.base, path),
        }
    }
}

impl ConfigFiles for OverlayTree {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        Tree::read(self, path)
    }

    fn kind(&self, path: &Path) -> Option<ConfigFileKind> {
        match self.changes.get(path) {
            Some(Some(_)) => Some(ConfigFileKind::File),
            Some(None) => None,
            None if self.has_added_below(path) => Some(ConfigFileKind::Dir),
            None => match self.base.kind(path)? {
                EntryKind::File => Some(ConfigFileKind::File),
                // A directory, a submodule, or a kind added later.
                _ => Some(ConfigFileKind::Dir),
            },
        }
    }
}

impl ProjectFiles for OverlayTree {
    fn root(&self) -> &Path {
        self.base.root()
    }

    fn read(&self, path: &Path) -> io::Result<Option<Vec<u8>>> {
        match self.changes.get(path) {
            Some(bytes) => Ok(bytes.clone()),
            None => ProjectFiles::read(&self.base, path),
        }
    }
}
