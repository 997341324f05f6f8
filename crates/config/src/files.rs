//! Where the configuration's files are read from.
//!
//! Alembic reads `alembic.ini` and `pyproject.toml` from disk, and so does
//! [`crate::load`]. alembic-doctor also needs a project's configuration at a
//! past git revision (to compare a branch with its base) without checking it
//! out, so every file-system question the loader asks (read this file; is
//! this a file, a folder, or nothing) goes through [`ConfigFiles`]:
//! [`DiskConfigFiles`] answers from the file system, and the git crate's
//! tree answers from git objects. The rules of [`crate::load_in`] are then
//! the same code for both. Only `std::path::absolute` on the request's
//! working directory still looks at the process, as it does not read files.

use std::fs;
use std::io;
use std::path::Path;

/// What a path is, after following symbolic links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigFileKind {
    /// Anything that exists and is not a directory: a regular file (or, on
    /// disk, a FIFO, socket or device).
    File,
    /// A directory (in a git tree, also a submodule).
    Dir,
}

/// The file system the configuration is read from: the disk
/// ([`DiskConfigFiles`]), or a git revision's tree.
///
/// Paths are the absolute paths the loader builds from
/// [`crate::ConfigRequest::cwd`]; an implementation for something other
/// than the disk maps them onto its own root and treats paths outside it as
/// absent. `Sync` so one source can serve loads on several threads.
///
/// Only [`ConfigFiles::read`] and [`ConfigFiles::kind`] must be written;
/// the `Path`-style checks the loader uses are derived from `kind`.
pub trait ConfigFiles: Sync {
    /// The bytes of the file at `path`, following symbolic links, like
    /// [`std::fs::read`].
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::NotFound`] when nothing is there (the loader then
    /// treats the file as absent, as Alembic does); any other error (a
    /// directory, no permission) is reported as an unreadable file.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;

    /// What `path` is, following symbolic links; `None` when it does not
    /// exist (or cannot be examined), like [`std::fs::metadata`] failing.
    fn kind(&self, path: &Path) -> Option<ConfigFileKind>;

    /// `Path.exists()`: whether anything is at `path`.
    fn exists(&self, path: &Path) -> bool {
        self.kind(path).is_some()
    }

    /// `Path.is_file()`: whether a file is at `path`.
    fn is_file(&self, path: &Path) -> bool {
        self.kind(path) == Some(ConfigFileKind::File)
    }

    /// `Path.is_dir()`: whether a directory is at `path`.
    fn is_dir(&self, path: &Path) -> bool {
        self.kind(path) == Some(ConfigFileKind::Dir)
    }
}

/// The real file system, through [`std::fs`]: what [`crate::load`] uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiskConfigFiles;

impl ConfigFiles for DiskConfigFiles {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        // A FIFO named `alembic.ini` blocked `open` forever:
        // open without blocking (Linux) and read regular files only, as
        // `alembic_doctor_source::open_regular` does for migrations.
        let mut options = fs::OpenOptions::new();
        options.read(true);
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits().cast_signed());
        }
        #[cfg(not(target_os = "linux"))]
        if !fs::metadata(path)?.is_file() && !fs::metadata(path)?.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "is not a regular file",
            ));
        }
        let mut file = options.open(path)?;
        let meta = file.metadata()?;
        if meta.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory",
            ));
        }
        if !meta.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "is not a regular file",
            ));
        }
        let mut bytes = Vec::new();
        io::Read::read_to_end(&mut file, &mut bytes)?;
        Ok(bytes)
    }

    fn kind(&self, path: &Path) -> Option<ConfigFileKind> {
        let metadata = fs::metadata(path).ok()?;
        Some(if metadata.is_dir() {
            ConfigFileKind::Dir
        } else {
            ConfigFileKind::File
        })
    }

    /// [`Path::is_file`] exactly: a FIFO, socket or device is not a file.
    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }
}
