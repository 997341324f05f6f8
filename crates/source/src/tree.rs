//! The file tree the listing walks, behind a small trait.
//!
//! The ordering rules of [`crate::list_versions_in`] only need four questions
//! answered: what is in this directory, does this path exist, is this path a
//! symbolic link (and to what), and what are this file's bytes. [`DiskTree`]
//! answers them from the file system; a git-tree backend answers them from git
//! objects (mode `120000` blobs are the links) and gets Alembic's load order
//! for free.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::stamp::{DiskStamp, FileStamp};

/// Files larger than this are not read: no migration is this big, and byte
/// offsets inside alembic-doctor are `u32`.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// One entry of a directory listing, classified the way Python's `os.walk`
/// classifies it (Alembic 1.20 on Python ≤ 3.11 walks with `os.walk`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// The entry's name, without any directory part.
    pub name: OsString,
    /// True when the entry is a directory *after following symlinks*
    /// (`os.DirEntry.is_dir()`); a dangling link is not a directory.
    pub is_dir: bool,
    /// True when the entry itself is a symbolic link (`os.path.islink`).
    /// `os.walk` lists a symlinked directory among the directories but never
    /// descends into it.
    pub is_symlink: bool,
}

/// The questions the listing asks of a file tree.
///
/// Paths handed to a `Tree` are the version locations joined with entry
/// names, so a backend sees exactly the paths it produced. `Sync` because
/// files are read in parallel.
pub trait Tree: Sync {
    /// The entries of directory `dir`, in any order (the caller sorts).
    fn read_dir(&self, dir: &Path) -> io::Result<Vec<DirEntry>>;

    /// Whether `path` exists, following symlinks (Python's `Path.exists()`).
    fn exists(&self, path: &Path) -> bool;

    /// The target of `path` when `path` itself is a symbolic link, else
    /// `None` (also when `path` does not exist or cannot be inspected, as
    /// Python's `realpath` treats an `lstat` failure as "not a link").
    fn read_link(&self, path: &Path) -> Option<PathBuf>;

    /// The bytes of the regular file at `path` (symlinks followed).
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;

    /// The identity of the content of the file at `path`, without reading
    /// it, or `None` when this tree cannot tell (then nothing derived from
    /// the file is cached).
    fn stamp(&self, path: &Path) -> Option<FileStamp> {
        let _ = path;
        None
    }

    /// The stamp of directory `dir` ([`DiskStamp::of_dir`]), taken before
    /// listing it, or `None` when this tree cannot tell (then a listing is
    /// never reused: see [`crate::WalkStamps`]).
    fn dir_stamp(&self, dir: &Path) -> Option<DiskStamp> {
        let _ = dir;
        None
    }

    /// Whether a read may wait on a device (a disk whose pages the kernel
    /// no longer caches), rather than only use the processor: then files
    /// are read on more threads than there are cores, so that the waits
    /// overlap. The default is false (a tree held in memory or in git's
    /// object store).
    fn reads_wait_on_io(&self) -> bool {
        false
    }

    /// [`Tree::read`], in a run of reads that share `dirs`: a backend that
    /// opens files by path reuses the directory it opened for the last
    /// file (files are read a directory at a time).
    fn read_in(&self, dirs: &mut OpenDirs, path: &Path) -> io::Result<Vec<u8>> {
        let _ = dirs;
        self.read(path)
    }

    /// [`Tree::read`], and the stamp of the bytes read. A backend that
    /// learns the stamp while reading (an open file's metadata) overrides
    /// this to spare a second look-up.
    fn read_stamped(&self, path: &Path) -> io::Result<(Vec<u8>, Option<FileStamp>)> {
        let bytes = self.read(path)?;
        Ok((bytes, self.stamp(path)))
    }
}

/// The local file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiskTree;

impl Tree for DiskTree {
    fn read_dir(&self, dir: &Path) -> io::Result<Vec<DirEntry>> {
        let mut entries = Vec::new();
        for entry in fs::read_dir(dir)? {
            // `os.walk` gives up on the whole directory when iterating its
            // entries fails part-way, so do the same.
            let entry = entry?;
            let is_symlink = entry.file_type().is_ok_and(|t| t.is_symlink());
            let is_dir = if is_symlink {
                fs::metadata(entry.path()).is_ok_and(|m| m.is_dir())
            } else {
                entry.file_type().is_ok_and(|t| t.is_dir())
            };
            entries.push(DirEntry {
                name: entry.file_name(),
                is_dir,
                is_symlink,
            });
        }
        Ok(entries)
    }

    fn exists(&self, path: &Path) -> bool {
        fs::metadata(path).is_ok()
    }

    fn read_link(&self, path: &Path) -> Option<PathBuf> {
        let meta = fs::symlink_metadata(path).ok()?;
        if !meta.file_type().is_symlink() {
            return None;
        }
        fs::read_link(path).ok()
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.read_stamped(path).map(|(bytes, _)| bytes)
    }

    fn read_in(&self, dirs: &mut OpenDirs, path: &Path) -> io::Result<Vec<u8>> {
        let (file, meta) = dirs.open_regular(path)?;
        read_open(&file, &meta).map(|(bytes, _)| bytes)
    }

    fn stamp(&self, path: &Path) -> Option<FileStamp> {
        DiskStamp::of(path).map(FileStamp::Disk)
    }

    fn dir_stamp(&self, dir: &Path) -> Option<DiskStamp> {
        DiskStamp::of_dir(dir)
    }

    fn reads_wait_on_io(&self) -> bool {
        true
    }

    fn read_stamped(&self, path: &Path) -> io::Result<(Vec<u8>, Option<FileStamp>)> {
        // The open file's metadata: the same `fstat` that guards against
        // FIFOs gives the stamp, so a cache costs no extra call.
        let (file, meta) = open_regular(path)?;
        read_open(&file, &meta)
    }
}

/// The bytes of `file`, opened with [`open_regular`] (whose metadata is
/// `meta`), and their stamp.
fn read_open(file: &fs::File, meta: &fs::Metadata) -> io::Result<(Vec<u8>, Option<FileStamp>)> {
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    let size = usize::try_from(meta.len()).unwrap_or(0);
    // One read asks for a byte more than the file's size: getting the
    // size back means the end was reached (a regular file reads short
    // only there), which spares a second read to find the end, a
    // syscall per file. The file may have changed size since `fstat`:
    // then the rest is read as it comes, capped too.
    let mut bytes = vec![0; size + 1];
    let mut reader = file;
    let read = loop {
        match reader.read(&mut bytes) {
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            result => break result?,
        }
    };
    bytes.truncate(read);
    if read != size {
        reader
            .take(MAX_FILE_BYTES + 1 - read as u64)
            .read_to_end(&mut bytes)?;
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    // A file that grew or shrank while being read has no stamp for
    // these bytes.
    let stamp = DiskStamp::from_metadata(meta)
        .filter(|stamp| stamp.size == bytes.len() as u64)
        .map(FileStamp::Disk);
    Ok((bytes, stamp))
}

/// Opens the regular file at `path` (symlinks followed) for reading, with
/// its metadata; anything else is an error, and opening never blocks.
///
/// A FIFO named `x.py` (or in place of a cache file) blocked `open` until a
/// writer came, forever in CI: on Linux the file is opened with `O_NONBLOCK`,
/// which a regular file ignores, and checked with `fstat`; elsewhere the
/// type is checked before opening.
pub fn open_regular(path: &Path) -> io::Result<(fs::File, fs::Metadata)> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits().cast_signed());
    }
    #[cfg(not(target_os = "linux"))]
    not_regular(&fs::metadata(path)?)?;
    checked_regular(options.open(path)?)
}

/// `file` with its metadata, when it is a regular file.
fn checked_regular(file: fs::File) -> io::Result<(fs::File, fs::Metadata)> {
    let meta = file.metadata()?;
    not_regular(&meta)?;
    Ok((file, meta))
}

/// The directory a run of reads opened last ([`Tree::read_in`]).
///
/// Opening `/a/b/c/versions/x.py` has the kernel look up each of the
/// path's components again; opening `x.py` in `versions`, opened once,
/// looks up one. On 100,000 files the walk along the path was about a
/// third of the kernel's time in opening them.
#[derive(Debug, Default)]
pub struct OpenDirs {
    #[cfg(target_os = "linux")]
    last: Option<(PathBuf, std::os::fd::OwnedFd)>,
}

impl OpenDirs {
    /// [`open_regular`], relative to the directory of `path` opened once.
    #[cfg(target_os = "linux")]
    fn open_regular(&mut self, path: &Path) -> io::Result<(fs::File, fs::Metadata)> {
        use rustix::fs::{Mode, OFlags};
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return open_regular(path);
        };
        if dir.as_os_str().is_empty() {
            return open_regular(path);
        }
        if self.last.as_ref().is_none_or(|(last, _)| last != dir) {
            // A directory that cannot be opened this way (no search
            // permission, ...) is left to the plain open, which reports
            // what is wrong with the path itself.
            let Ok(opened) = rustix::fs::open(
                dir,
                OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            ) else {
                self.last = None;
                return open_regular(path);
            };
            self.last = Some((dir.to_path_buf(), opened));
        }
        let Some((_, dir_fd)) = &self.last else {
            return open_regular(path);
        };
        let file = rustix::fs::openat(
            dir_fd,
            name,
            OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        checked_regular(fs::File::from(file))
    }

    #[cfg(not(target_os = "linux"))]
    fn open_regular(&mut self, path: &Path) -> io::Result<(fs::File, fs::Metadata)> {
        open_regular(path)
    }
}

/// The bytes of the regular file at `path`, at most [`MAX_FILE_BYTES`];
/// see [`open_regular`].
pub fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    DiskTree.read(path)
}

/// An error when `meta` is not a regular file's: a FIFO or device would
/// block or never end, a directory cannot be read.
fn not_regular(meta: &fs::Metadata) -> io::Result<()> {
    if meta.is_file() {
        return Ok(());
    }
    let what = if meta.is_dir() {
        "is a directory, not a file"
    } else {
        "is not a regular file"
    };
    Err(io::Error::new(io::ErrorKind::InvalidInput, what))
}

fn too_large(len: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("is {len} bytes, larger than the {MAX_FILE_BYTES}-byte limit for a migration file"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file is read whole whatever its size, with the stamp of what was
    /// read: one read asks for a byte more than the size, and the rest of a
    /// file longer than `fstat` said is read as it comes.
    #[test]
    fn files_of_any_size_are_read_whole_with_their_stamp() {
        let dir = tempfile::tempdir().unwrap();
        for size in [0u64, 1, 4095, 4096, 4097, 70_000] {
            let path = dir.path().join(format!("f{size}.py"));
            let text: Vec<u8> = (0..size)
                .map(|i| b"abcdefghijklmnopqrstuvwxyz"[(i % 26) as usize])
                .collect();
            fs::write(&path, &text).unwrap();
            let (bytes, stamp) = DiskTree.read_stamped(&path).unwrap();
            assert_eq!(bytes, text, "{size} bytes");
            let Some(FileStamp::Disk(stamp)) = stamp else {
                panic!("a stamp for {size} bytes");
            };
            assert_eq!(stamp.size, size);
        }
    }

    /// Reading in a run that reuses the last directory opened reads what
    /// reading by path does, file after file and directory after
    /// directory: the same bytes, the same errors, links followed.
    #[test]
    fn files_read_in_their_opened_directory_are_the_files_at_their_paths() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        fs::create_dir_all(&a).unwrap();
        fs::create_dir_all(b.join("sub")).unwrap();
        fs::write(a.join("one.py"), "revision = 'one'\n").unwrap();
        fs::write(a.join("two.py"), "revision = 'two'\n").unwrap();
        fs::write(b.join("three.py"), "revision = 'three'\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(a.join("one.py"), b.join("link.py")).unwrap();
        #[cfg(unix)]
        rustix::fs::mknodat(
            rustix::fs::CWD,
            b.join("fifo.py"),
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
            0,
        )
        .unwrap();
        let paths = [
            a.join("one.py"),
            a.join("two.py"),
            a.join("missing.py"),
            b.join("three.py"),
            b.join("link.py"),
            b.join("fifo.py"),
            b.join("sub"),
            a.join("two.py"),
            dir.path().join("gone").join("x.py"),
        ];
        let mut dirs = OpenDirs::default();
        for path in &paths {
            let by_path = DiskTree.read(path).map_err(|error| error.kind());
            let in_dir = DiskTree
                .read_in(&mut dirs, path)
                .map_err(|error| error.kind());
            assert_eq!(in_dir, by_path, "{}", path.display());
        }
        assert_eq!(
            DiskTree.read_in(&mut dirs, &b.join("link.py")).unwrap(),
            b"revision = 'one'\n"
        );
    }
}
