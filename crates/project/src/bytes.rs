//! A project file's bytes, read when first needed.
//!
//! A file whose parse came from the cache was not read: `heads` and
//! `history` never need its bytes, and `check` needs them only to print a
//! code frame or a column. [`FileBytes`] takes them on first use from the
//! cache file, which keeps each file's bytes exactly as they were parsed
//! (the file itself may have changed since), and keeps them. A file parsed
//! without the cache may be let go of the same way
//! ([`FileBytes::reread_from_disk`]): read again on first use, and only if
//! it is still the version that was parsed. It dereferences to `[u8]`, so
//! code written for a plain buffer keeps working.

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
    /// The file system, where the file was read and parsed once already:
    /// what is read again counts only if it is the same version.
    Disk(Fingerprint),
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

    /// Let go of `bytes`, read from the file system at `path`: they are
    /// read again when first needed, and used only if they are still the
    /// same (else the file reads as empty, as a vanished one does: a code
    /// frame from another version of the file would point at the wrong
    /// text). For a long history whose bytes are needed only to print a
    /// few code frames: holding every file's bytes for the whole run is a
    /// hundred megabytes of memory at 100,000 files.
    pub fn reread_from_disk(path: PathBuf, bytes: &[u8]) -> Self {
        Self {
            bytes: OnceLock::new(),
            source: Some((path, Source::Disk(Fingerprint::of(bytes)))),
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
            Some((path, Source::Disk(parsed))) => DiskTree
                .read(path)
                .ok()
                .filter(|bytes| Fingerprint::of(bytes) == *parsed)
                .unwrap_or_default(),
            Some((path, Source::Tree(tree))) => tree.read(path).unwrap_or_default(),
            Some((path, Source::Cache(blob, range))) => blob
                .get()
                .and_then(|blob| range.of(blob))
                .map_or_else(|| DiskTree.read(path).unwrap_or_default(), <[u8]>::to_vec),
            None => Vec::new(),
        })
    }
}

/// What tells two versions of a file apart: their length and a hash of
/// their bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Fingerprint {
    len: usize,
    hash: u64,
}

impl Fingerprint {
    fn of(bytes: &[u8]) -> Self {
        use std::hash::Hasher;
        let mut hasher = rustc_hash::FxHasher::default();
        hasher.write(bytes);
        Self {
            len: bytes.len(),
            hash: hasher.finish(),
        }
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
        assert!(FileBytes::reread_from_disk(dir.path().join("gone.py"), b"x").is_empty());
    }

    #[test]
    fn bytes_let_go_are_read_again_on_first_use() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        std::fs::write(&path, b"revision = 'a'\n").unwrap();
        let bytes = FileBytes::reread_from_disk(path, b"revision = 'a'\n");
        assert!(!bytes.is_loaded());
        assert_eq!(&*bytes, b"revision = 'a'\n");
    }

    #[test]
    fn bytes_let_go_are_not_taken_from_another_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        for changed in [&b"revision = 'b'\n"[..], b"revision = 'a'\n\n", b""] {
            std::fs::write(&path, changed).unwrap();
            let bytes = FileBytes::reread_from_disk(path.clone(), b"revision = 'a'\n");
            assert!(
                bytes.is_empty(),
                "{changed:?} was taken for the parsed version"
            );
        }
    }
}
