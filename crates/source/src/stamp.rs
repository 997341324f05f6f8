//! What identifies a file's content without reading it, for caches.
//!
//! A cache may reuse what it derived from a file's bytes only while the file
//! is unchanged. On disk that is decided from metadata alone, as Ruff's cache
//! does: any write changes the size, the modification time or the change
//! time, and a file replaced by another (a rename over it, a checkout) has a
//! new inode. In git the blob's object id *is* the content.

use std::fs;
use std::path::Path;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// The identity of one file's content. Two equal stamps mean the bytes are
/// the same (for [`FileStamp::Disk`], as far as the file system can tell).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FileStamp {
    /// A regular file on disk, symlinks followed.
    Disk(DiskStamp),
    /// A git blob: its object id's bytes.
    Blob(Vec<u8>),
}

/// A disk file's metadata that changes whenever its content may have.
///
/// Serialized as one fixed-size byte string ([`DiskStamp::ENCODED_LEN`]
/// bytes, little-endian), not field by field: a warm run decodes one stamp
/// per file before it can look at any, and five variable-length integers
/// (two of them 128-bit) cost several times as much to decode.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DiskStamp {
    /// Device and inode: a file replaced by another has new ones.
    pub device: u64,
    pub inode: u64,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub modified_ns: i128,
    /// Status change time (also set by writes, renames and `touch -m` to an
    /// old date, which `modified_ns` alone would miss), nanoseconds since
    /// the Unix epoch; `0` where the platform has none.
    pub changed_ns: i128,
}

impl DiskStamp {
    /// The length of the serialized form.
    pub const ENCODED_LEN: usize = 8 + 8 + 8 + 16 + 16;

    fn to_bytes(&self) -> [u8; Self::ENCODED_LEN] {
        let mut bytes = [0; Self::ENCODED_LEN];
        bytes[..8].copy_from_slice(&self.device.to_le_bytes());
        bytes[8..16].copy_from_slice(&self.inode.to_le_bytes());
        bytes[16..24].copy_from_slice(&self.size.to_le_bytes());
        bytes[24..40].copy_from_slice(&self.modified_ns.to_le_bytes());
        bytes[40..].copy_from_slice(&self.changed_ns.to_le_bytes());
        bytes
    }

    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let bytes: &[u8; Self::ENCODED_LEN] = bytes.try_into().ok()?;
        let (device, rest) = bytes.split_first_chunk::<8>()?;
        let (inode, rest) = rest.split_first_chunk::<8>()?;
        let (size, rest) = rest.split_first_chunk::<8>()?;
        let (modified_ns, changed_ns) = rest.split_first_chunk::<16>()?;
        Some(Self {
            device: u64::from_le_bytes(*device),
            inode: u64::from_le_bytes(*inode),
            size: u64::from_le_bytes(*size),
            modified_ns: i128::from_le_bytes(*modified_ns),
            changed_ns: i128::from_le_bytes(changed_ns.try_into().ok()?),
        })
    }

    /// The stamp of the regular file at `path` (symlinks followed), or
    /// `None` when it is not a regular file or cannot be inspected: such a
    /// file is read and reported, never cached.
    pub fn of(path: &Path) -> Option<Self> {
        Self::from_metadata(&fs::metadata(path).ok()?)
    }

    /// The stamp of the directory at `path` (symlinks followed), or `None`
    /// when it is not a directory or cannot be inspected. A directory's
    /// modification and change times move whenever an entry is added,
    /// removed or renamed in it, so an unchanged stamp means an unchanged
    /// listing (git's untracked cache relies on the same rule).
    pub fn of_dir(path: &Path) -> Option<Self> {
        let meta = fs::metadata(path).ok()?;
        if meta.is_dir() {
            Self::from_any_metadata(&meta)
        } else {
            None
        }
    }

    /// The stamp for `meta`, when it describes a regular file.
    pub fn from_metadata(meta: &fs::Metadata) -> Option<Self> {
        if !meta.is_file() {
            return None;
        }
        Self::from_any_metadata(meta)
    }

    fn from_any_metadata(meta: &fs::Metadata) -> Option<Self> {
        let modified_ns = meta.modified().ok().map(nanos_since_epoch)?;
        #[cfg(unix)]
        let (device, inode, changed_ns) = {
            use std::os::unix::fs::MetadataExt;
            (
                meta.dev(),
                meta.ino(),
                i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
            )
        };
        #[cfg(not(unix))]
        let (device, inode, changed_ns) = (0, 0, 0);
        Some(Self {
            device,
            inode,
            size: meta.len(),
            modified_ns,
            changed_ns,
        })
    }

    /// True when the file was modified after `time - margin_ns`. Time
    /// stamps are coarse (a file system tick is up to a few milliseconds,
    /// more on some file systems), so a write in the same tick as a read
    /// leaves the stamp unchanged: a cache must not trust a stamp this
    /// recent ("racy git" has the same rule). An old modification time with
    /// a recent change time (a file unpacked with its times kept) is safe:
    /// any later write sets the modification time to now, which differs.
    pub fn is_recent(&self, time: SystemTime, margin_ns: i128) -> bool {
        self.modified_ns > nanos_since_epoch(time) - margin_ns
    }
}

/// Stamps of many files on disk, each directory opened once.
///
/// Checking a warm cache is one `stat` per file, and with absolute paths
/// most of that call is the kernel walking the same directories again for
/// every file. This opens each directory once and asks `statat` relative to
/// it. Files are first placed ([`DiskStamper::place`], in one pass, where
/// consecutive files of one directory cost a comparison), then stamped from
/// any thread. Built for one load and dropped after it, so a directory
/// renamed or replaced later is never consulted through a stale descriptor.
#[derive(Default)]
pub struct DiskStamper {
    /// The open directories, in the order they were first met.
    #[cfg(target_os = "linux")]
    dirs: Vec<rustix::fd::OwnedFd>,
    /// Each directory's index in `dirs` by its path's bytes (hashing a
    /// `Path` walks its components, which costs more than the look-up it
    /// serves); `None` for a directory that could not be opened.
    #[cfg(target_os = "linux")]
    by_path: std::collections::HashMap<Vec<u8>, Option<u32>, rustc_hash::FxBuildHasher>,
    /// The directory placed last, and its index.
    #[cfg(target_os = "linux")]
    last: Option<(Vec<u8>, Option<u32>)>,
}

/// Where a file's stamp is taken from: its directory's descriptor, or its
/// path when the directory could not be opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Placed(Option<u32>);

/// `path` split at its last `/` into directory and name, as bytes, when
/// the name is a plain one (not empty, `.` or `..`): the paths the listing
/// produces. Anything else is left to [`DiskStamp::of`].
#[cfg(target_os = "linux")]
fn split_dir_name(path: &Path) -> Option<(&[u8], &[u8])> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    // `memrchr` looks at a word at a time: this runs twice per file.
    let slash = memchr::memrchr(b'/', bytes)?;
    let (dir, name) = (&bytes[..slash], &bytes[slash + 1..]);
    (!dir.is_empty() && !matches!(name, b"" | b"." | b"..")).then_some((dir, name))
}

impl DiskStamper {
    pub fn new() -> Self {
        Self::default()
    }

    /// Where `path`'s stamp will be taken from, opening its directory the
    /// first time it is met.
    pub fn place(&mut self, path: &Path) -> Placed {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{Mode, OFlags};
            use std::os::unix::ffi::OsStrExt;
            let Some((dir, _)) = split_dir_name(path) else {
                return Placed(None);
            };
            if let Some((last, index)) = &self.last
                && last.as_slice() == dir
            {
                return Placed(*index);
            }
            let dirs = &mut self.dirs;
            let index = *self.by_path.entry(dir.to_vec()).or_insert_with(|| {
                let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
                let dir_path = Path::new(std::ffi::OsStr::from_bytes(dir));
                let fd = rustix::fs::open(dir_path, flags, Mode::empty()).ok()?;
                dirs.push(fd);
                u32::try_from(dirs.len() - 1).ok()
            });
            self.last = Some((dir.to_vec(), index));
            Placed(index)
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = path;
            Placed(None)
        }
    }

    /// [`DiskStamp::of`] `path`, through its directory's descriptor when
    /// it was opened (`placed` is what [`DiskStamper::place`] gave).
    pub fn stamp(&self, path: &Path, placed: Placed) -> Option<DiskStamp> {
        #[cfg(target_os = "linux")]
        if let Some(fd) = placed.0.and_then(|index| self.dirs.get(index as usize))
            && let Some((_, name)) = split_dir_name(path)
        {
            use std::os::unix::ffi::OsStrExt;
            // Symlinks followed, as `fs::metadata` does.
            let name = std::ffi::OsStr::from_bytes(name);
            let stat = rustix::fs::statat(fd, name, rustix::fs::AtFlags::empty()).ok()?;
            if !rustix::fs::FileType::from_raw_mode(stat.st_mode).is_file() {
                return None;
            }
            let nanos = |secs: i64, nsec: u32| i128::from(secs) * 1_000_000_000 + i128::from(nsec);
            return Some(DiskStamp {
                device: stat.st_dev,
                inode: stat.st_ino,
                size: u64::try_from(stat.st_size).ok()?,
                modified_ns: nanos(stat.st_mtime, u32::try_from(stat.st_mtime_nsec).ok()?),
                changed_ns: nanos(stat.st_ctime, u32::try_from(stat.st_ctime_nsec).ok()?),
            });
        }
        let _ = placed;
        DiskStamp::of(path)
    }
}

impl Serialize for DiskStamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.to_bytes())
    }
}

impl<'de> Deserialize<'de> for DiskStamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DiskStamp;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{} bytes of a disk stamp", DiskStamp::ENCODED_LEN)
            }

            fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<DiskStamp, E> {
                DiskStamp::from_bytes(bytes).ok_or_else(|| E::invalid_length(bytes.len(), &self))
            }
        }
        deserializer.deserialize_bytes(Visitor)
    }
}

fn nanos_since_epoch(time: SystemTime) -> i128 {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_nanos()).unwrap_or(i128::MAX),
        Err(before) => -i128::try_from(before.duration().as_nanos()).unwrap_or(i128::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rewrite_changes_the_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        fs::write(&path, "revision = 'a'\n").unwrap();
        let old = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let before = DiskStamp::of(&path).unwrap();
        fs::write(&path, "revision = 'b'\n").unwrap();
        let after = DiskStamp::of(&path).unwrap();
        assert_ne!(before, after);
        assert!(after.is_recent(SystemTime::now(), 2_000_000_000));
    }

    /// The stamper must agree with `fs::metadata` exactly, or a warm cache
    /// would never hit (or, worse, hit wrongly).
    #[test]
    fn the_stamper_agrees_with_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        fs::write(&path, "revision = 'a'\n").unwrap();
        let mut stamper = DiskStamper::new();
        let placed = stamper.place(&path);
        assert_eq!(stamper.place(&dir.path().join("b.py")), placed);
        assert_eq!(stamper.stamp(&path, placed), DiskStamp::of(&path));
        assert!(stamper.stamp(&path, placed).is_some());
        let missing = dir.path().join("missing.py");
        let placed_missing = stamper.place(&missing);
        assert_eq!(stamper.stamp(&missing, placed_missing), None);
        let placed_dir = stamper.place(dir.path());
        assert_eq!(stamper.stamp(dir.path(), placed_dir), None);
        // Another directory gets its own descriptor; one that cannot be
        // opened (or a path never placed) falls back to the path.
        let other = tempfile::tempdir().unwrap();
        let elsewhere = other.path().join("b.py");
        fs::write(&elsewhere, "x").unwrap();
        let placed_elsewhere = stamper.place(&elsewhere);
        #[cfg(target_os = "linux")]
        assert_ne!(placed_elsewhere, placed);
        assert_eq!(stamper.place(&path), placed);
        assert_eq!(
            stamper.stamp(&elsewhere, placed_elsewhere),
            DiskStamp::of(&elsewhere)
        );
        assert_eq!(
            stamper.stamp(&elsewhere, Placed::default()),
            DiskStamp::of(&elsewhere)
        );
        let nowhere = other.path().join("no/such/dir/c.py");
        assert_eq!(stamper.place(&nowhere), Placed::default());
    }

    #[test]
    fn a_stamp_round_trips_through_its_bytes() {
        let stamp = DiskStamp {
            device: u64::MAX,
            inode: 7,
            size: 1 << 40,
            modified_ns: -1_234_567_890_123_456_789,
            changed_ns: i128::MAX,
        };
        let encoded = postcard::to_allocvec(&stamp).unwrap();
        assert_eq!(postcard::from_bytes::<DiskStamp>(&encoded).unwrap(), stamp);
        assert!(postcard::from_bytes::<DiskStamp>(&encoded[..encoded.len() - 1]).is_err());
        assert_eq!(DiskStamp::from_bytes(&[0; 3]), None);
    }

    #[test]
    fn directories_and_missing_files_have_no_stamp() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(DiskStamp::of(dir.path()), None);
        assert_eq!(DiskStamp::of(&dir.path().join("missing.py")), None);
    }
}
