//! A project file's bytes, read when first needed.
//!
//! A file whose parse came from the cache was not read: `heads` and
//! `history` never need its bytes, and `check` needs them only to print a
//! code frame or a column. [`FileBytes`] takes them on first use from the
//! cache file, which keeps each file's bytes exactly as they were parsed
//! (the file itself may have changed since), and keeps them. It
//! dereferences to `[u8]`, so code written for a plain buffer keeps
//! working.

use std::fmt;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use alembic_doctor_source::{DiskTree, Tree};

use crate::cache::{Blob, BlobRange};

/// The bytes of one project file: either read during loading, or read on
/// first use from the tree the file was listed in (empty if that fails: the
/// file vanished or became unreadable since it was loaded).
pub struct FileBytes {
    bytes: OnceLock<Vec<u8>>,
    source: Option<(PathBuf, Source)>,
}

/// Where unread bytes are read from.
enum Source {
    /// The file system: no handle to share (a warm load makes one
    /// `FileBytes` per file on two threads, and a shared counter bounced
    /// between them costs more than the rest of the value).
    Disk,
    Tree(Arc<dyn Tree + Send + Sync>),
    /// The cache file's blob of sources, where the bytes the parse came
    /// from are kept; the file itself only if the blob cannot be read
    /// (damaged), which no longer promises the same version.
    Cache(Arc<Blob>, BlobRange),
}

impl FileBytes {
    /// Bytes already read.
    pub fn read(bytes: Vec<u8>) -> Self {
        Self {
            bytes: OnceLock::from(bytes),
            source: None,
        }
    }

    /// Bytes to be read from `tree` at `path` when first needed.
    pub fn unread(path: PathBuf, tree: Arc<dyn Tree + Send + Sync>) -> Self {
        Self {
            bytes: OnceLock::new(),
            source: Some((path, Source::Tree(tree))),
        }
    }

    /// Bytes to be read from the file system at `path` when first needed.
    pub fn unread_on_disk(path: PathBuf) -> Self {
        Self {
            bytes: OnceLock::new(),
            source: Some((path, Source::Disk)),
        }
    }

    /// The bytes a cached parse came from, kept in the cache file's `blob`
    /// of sources at `range`.
    pub(crate) fn in_cache(path: PathBuf, blob: Arc<Blob>, range: BlobRange) -> Self {
        Self {
            bytes: OnceLock::new(),
            source: Some((path, Source::Cache(blob, range))),
        }
    }

    /// Whether the bytes are in memory (read during loading, or since).
    pub fn is_loaded(&self) -> bool {
        self.bytes.get().is_some()
    }

    /// The bytes, read now if they were not yet.
    pub fn get(&self) -> &[u8] {
        self.bytes.get_or_init(|| match &self.source {
            Some((path, Source::Disk)) => DiskTree.read(path).unwrap_or_default(),
            Some((path, Source::Tree(tree))) => tree.read(path).unwrap_or_default(),
            Some((path, Source::Cache(blob, range))) => blob
                .get()
                .and_then(|blob| range.of(blob))
                .map_or_else(|| DiskTree.read(path).unwrap_or_default(), <[u8]>::to_vec),
            None => Vec::new(),
        })
    }
}

impl Default for FileBytes {
    /// No bytes (an unreadable file).
    fn default() -> Self {
        Self::read(Vec::new())
    }
}

impl Deref for FileBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.get()
    }
}

impl AsRef<[u8]> for FileBytes {
    fn as_ref(&self) -> &[u8] {
        self.get()
    }
}

/// Equal when the bytes are (reading them if needed).
impl PartialEq for FileBytes {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl Eq for FileBytes {}

impl PartialEq<Vec<u8>> for FileBytes {
    fn eq(&self, other: &Vec<u8>) -> bool {
        self.get() == other.as_slice()
    }
}

impl PartialEq<FileBytes> for Vec<u8> {
    fn eq(&self, other: &FileBytes) -> bool {
        self.as_slice() == other.get()
    }
}

impl fmt::Debug for FileBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.bytes.get() {
            Some(bytes) => write!(f, "FileBytes({} bytes)", bytes.len()),
            None => f.write_str("FileBytes(not read yet)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alembic_doctor_source::DiskTree;

    #[test]
    fn unread_bytes_are_read_on_first_use() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        std::fs::write(&path, b"revision = 'a'\n").unwrap();
        let bytes = FileBytes::unread(path.clone(), Arc::new(DiskTree));
        assert_eq!(&*bytes, b"revision = 'a'\n");
        // Kept: a later change on disk does not move what was shown.
        std::fs::write(&path, b"x").unwrap();
        assert_eq!(bytes.len(), 15);
    }

    #[test]
    fn a_vanished_file_reads_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = FileBytes::unread(dir.path().join("gone.py"), Arc::new(DiskTree));
        assert!(bytes.is_empty());
        assert!(FileBytes::unread_on_disk(dir.path().join("gone.py")).is_empty());
    }

    #[test]
    fn bytes_on_disk_are_read_on_first_use() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        std::fs::write(&path, b"revision = 'a'\n").unwrap();
        let bytes = FileBytes::unread_on_disk(path);
        assert!(!bytes.is_loaded());
        assert_eq!(&*bytes, b"revision = 'a'\n");
    }
}
