//! A project held in memory: the file tree, configuration files and
//! importable modules the loader asks for, answered from a map of paths to
//! bytes, so that a target runs the loader's real code without touching
//! the disk.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use alembic_doctor_config::{ConfigFileKind, ConfigFiles};
use alembic_doctor_script::ProjectFiles;
use alembic_doctor_source::{DirEntry, Tree};

/// The directory every in-memory project lives in.
pub const ROOT: &str = "/fuzz";

/// Files by absolute path; directories are the files' ancestors.
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    files: BTreeMap<PathBuf, Vec<u8>>,
    dirs: BTreeSet<PathBuf>,
}

impl MemoryTree {
    /// A tree holding `files`, given relative to [`ROOT`].
    pub fn new<P: AsRef<Path>>(files: impl IntoIterator<Item = (P, Vec<u8>)>) -> Self {
        let mut inner = Inner::default();
        for (path, bytes) in files {
            let path = Path::new(ROOT).join(path);
            let mut dir = path.parent();
            while let Some(d) = dir {
                if !inner.dirs.insert(d.to_path_buf()) {
                    break;
                }
                dir = d.parent();
            }
            inner.files.insert(path, bytes);
        }
        inner.dirs.insert(PathBuf::from(ROOT));
        Self {
            inner: Arc::new(inner),
        }
    }

    fn kind_of(&self, path: &Path) -> Option<ConfigFileKind> {
        if self.inner.files.contains_key(path) {
            Some(ConfigFileKind::File)
        } else if self.inner.dirs.contains(path) {
            Some(ConfigFileKind::Dir)
        } else {
            None
        }
    }

    fn bytes(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.kind_of(path) {
            Some(ConfigFileKind::File) => Ok(self.inner.files[path].clone()),
            Some(ConfigFileKind::Dir) => Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory",
            )),
            None => Err(io::Error::from(io::ErrorKind::NotFound)),
        }
    }
}

impl Tree for MemoryTree {
    fn read_dir(&self, dir: &Path) -> io::Result<Vec<DirEntry>> {
        if !self.inner.dirs.contains(dir) {
            return Err(io::Error::from(io::ErrorKind::NotFound));
        }
        let child = |path: &PathBuf, is_dir: bool| {
            (path.parent() == Some(dir)).then(|| DirEntry {
                name: path.file_name().map(OsString::from).unwrap_or_default(),
                is_dir,
                is_symlink: false,
            })
        };
        let mut entries: Vec<DirEntry> = self
            .inner
            .dirs
            .iter()
            .filter_map(|d| child(d, true))
            .collect();
        entries.extend(self.inner.files.keys().filter_map(|f| child(f, false)));
        Ok(entries)
    }

    fn exists(&self, path: &Path) -> bool {
        self.kind_of(path).is_some()
    }

    fn read_link(&self, _path: &Path) -> Option<PathBuf> {
        None
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.bytes(path)
    }
}

impl ConfigFiles for MemoryTree {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.bytes(path)
    }

    fn kind(&self, path: &Path) -> Option<ConfigFileKind> {
        self.kind_of(path)
    }
}

impl ProjectFiles for MemoryTree {
    fn root(&self) -> &Path {
        Path::new(ROOT)
    }

    fn read(&self, path: &Path) -> io::Result<Option<Vec<u8>>> {
        match self.bytes(path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }
}
