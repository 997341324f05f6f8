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
use alembic_doctor_source::{DirEntry, FileStamp, Tree};

/// A base tree plus changes: `Some(bytes)` for a file added or replaced,
/// `None` for a file removed; and symbolic links: `Some(target)` for a link
/// added or re-pointed, `None` for one removed. Paths are absolute, under
/// the base tree's root.
#[derive(Debug, Clone)]
pub struct OverlayTree {
    base: GitTree,
    changes: Arc<BTreeMap<PathBuf, Option<Vec<u8>>>>,
    links: Arc<BTreeMap<PathBuf, Option<PathBuf>>>,
}

impl OverlayTree {
    /// `base` with `changes` applied.
    pub fn new(base: GitTree, changes: BTreeMap<PathBuf, Option<Vec<u8>>>) -> Self {
        Self {
            base,
            changes: Arc::new(changes),
            links: Arc::default(),
        }
    }

    /// The same overlay with symbolic links added (`Some(target)`) or
    /// removed (`None`) too.
    #[must_use]
    pub fn with_links(self, links: BTreeMap<PathBuf, Option<PathBuf>>) -> Self {
        Self {
            links: Arc::new(links),
            ..self
        }
    }

    /// The files added or replaced below `dir`, as (first name below
    /// `dir`, whether more components follow).
    fn added_below<'a>(&'a self, dir: &'a Path) -> impl Iterator<Item = (OsString, bool)> + 'a {
        let files = self.changes.iter().filter(|(_, bytes)| bytes.is_some());
        let links = self.links.iter().filter(|(_, target)| target.is_some());
        files
            .map(|(path, _)| path)
            .chain(links.map(|(path, _)| path))
            .filter_map(move |path| {
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
        entries.retain(|entry| {
            let path = dir.join(&entry.name);
            let file = self.changes.get(&path);
            let link = self.links.get(&path);
            let replaced = matches!(file, Some(Some(_))) || matches!(link, Some(Some(_)));
            let removed = matches!(file, Some(None)) || matches!(link, Some(None));
            replaced || !removed
        });
        for (name, is_dir) in self.added_below(dir) {
            let path = dir.join(&name);
            // What the overlay put at this name (a file or a link) wins
            // over the base tree's entry of the same name.
            let is_symlink = !is_dir && matches!(self.links.get(&path), Some(Some(_)));
            match entries.iter_mut().find(|entry| entry.name == name) {
                Some(entry) if !is_dir => {
                    entry.is_symlink = is_symlink;
                    entry.is_dir = false;
                }
                Some(_) => {}
                None => entries.push(DirEntry {
                    name,
                    is_dir,
                    is_symlink,
                }),
            }
        }
        Ok(entries)
    }

    fn exists(&self, path: &Path) -> bool {
        if let Some(target) = self.links.get(path) {
            return target.is_some() || self.changes.get(path).is_some_and(Option::is_some);
        }
        match self.changes.get(path) {
            Some(bytes) => bytes.is_some(),
            None => Tree::exists(&self.base, path) || self.has_added_below(path),
        }
    }

    fn read_link(&self, path: &Path) -> Option<PathBuf> {
        if let Some(target) = self.links.get(path) {
            return target.clone();
        }
        if self.changes.contains_key(path) {
            return None;
        }
        self.base.read_link(path)
    }

    /// The base tree's blob id for a file the overlay leaves as it is (so
    /// the parse cache knows it); `None` for a file it adds, replaces or
    /// removes, or a link it changes.
    fn stamp(&self, path: &Path) -> Option<FileStamp> {
        if self.changes.contains_key(path) || self.links.contains_key(path) {
            return None;
        }
        Tree::stamp(&self.base, path)
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
        // Outside the repository, the merge changes nothing: the file on
        // the disk, as for every revision.
        if self.base.is_outside(path) {
            return ConfigFiles::read(&self.base, path);
        }
        Tree::read(self, path)
    }

    fn kind(&self, path: &Path) -> Option<ConfigFileKind> {
        if self.base.is_outside(path) {
            return ConfigFiles::kind(&self.base, path);
        }
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
