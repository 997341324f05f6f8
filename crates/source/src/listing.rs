//! The data the listing hands to the next stage: files in load order, with
//! their bytes or the reason they could not be read, and notes about what
//! Alembic would warn about or silently skip.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::order::FileKind;
use crate::tree::Tree;

/// What to list: the version locations in config order and the two options
/// that change the walk. Build it from the configuration's resolved
/// `version_locations`, `recursive_version_locations` and `sourceless`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingSpec {
    /// Version locations in config order, absolute (a relative one is taken
    /// relative to the process's current directory by [`crate::DiskTree`]).
    pub locations: Vec<PathBuf>,
    /// `recursive_version_locations`: walk subdirectories, pre-order.
    pub recursive: bool,
    /// `sourceless`: also load `.pyc`/`.pyo` files.
    pub sourceless: bool,
}

impl ListingSpec {
    /// The same spec with each location resolved in `tree` (`..` and
    /// symlinks followed, as the walk resolves each file's path): paths
    /// then line up with the resolved paths of the files listed before,
    /// which a tree built from those paths (a simulated merge) needs.
    /// A location caught in a symlink loop is kept as written.
    #[must_use]
    pub fn resolved_in(&self, tree: &impl Tree) -> Self {
        let locations = self
            .locations
            .iter()
            .map(|location| match crate::resolve::realpath(tree, location) {
                crate::resolve::Resolved::Real(real) => real,
                crate::resolve::Resolved::Loop => location.clone(),
            })
            .collect();
        Self {
            locations,
            ..self.clone()
        }
    }
}

/// Every candidate migration file, in Alembic's load order, plus notes.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// Candidates in load order, each real path once.
    pub files: Vec<SourceFile>,
    /// Things worth telling the user, in the order they were met.
    pub notes: Vec<SourceNote>,
}

/// One candidate file: a name Alembic would try to load as a migration.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The resolved real path (symlinks followed). Alembic stores this as
    /// `Script.path` and prints it in `Path:` lines.
    pub path: PathBuf,
    /// The path as found under its version location, before resolving.
    pub listed_path: PathBuf,
    /// Index of the version location it was found under ([`ListingSpec::locations`]).
    pub location: usize,
    /// Source or compiled.
    pub kind: FileKind,
    /// The file's bytes, or why they could not be read. Alembic would stop
    /// on such a file; we keep going and let a rule report it.
    pub bytes: Result<Vec<u8>, ReadError>,
}

/// Why a file or directory could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// The I/O error's kind, for matching.
    pub kind: io::ErrorKind,
    /// The I/O error's text, for printing.
    pub message: String,
}

impl From<io::Error> for ReadError {
    fn from(error: io::Error) -> Self {
        Self {
            kind: error.kind(),
            message: error.to_string(),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReadError {}

/// Something the listing noticed that is not a candidate file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SourceNote {
    /// A version location that does not exist. Alembic skips it silently.
    MissingLocation {
        /// The location as configured (absolute).
        location: PathBuf,
    },
    /// A path whose real path was already listed. Alembic warns
    /// `File <real_path> loaded twice! ignoring. Please ensure
    /// version_locations is unique.` and skips it. This happens for *any*
    /// listed name, not only candidates, because Alembic de-duplicates
    /// before it filters names.
    LoadedTwice {
        /// The real path both listings resolve to.
        real_path: PathBuf,
        /// The second listed path, the one that is skipped.
        listed_path: PathBuf,
    },
    /// A listed path that is a symlink loop. Alembic (Python 3.11) stops with
    /// `RuntimeError: Symlink loop from '<path>'`; we skip the path.
    SymlinkLoop {
        /// The path as listed.
        listed_path: PathBuf,
    },
    /// A directory (or version location) that could not be listed. Python's
    /// `os.walk` skips it silently (for a `__pycache__` in sourceless mode
    /// Alembic would crash instead).
    UnreadableDirectory {
        /// The directory.
        path: PathBuf,
        /// Why.
        error: ReadError,
    },
}

impl fmt::Display for SourceNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingLocation { location } => write!(
                f,
                "version location {} does not exist; Alembic skips it",
                location.display()
            ),
            Self::LoadedTwice { real_path, .. } => write!(
                f,
                "File {} loaded twice! ignoring. Please ensure version_locations is unique.",
                real_path.display()
            ),
            Self::SymlinkLoop { listed_path } => write!(
                f,
                "{} is a symlink loop; Alembic stops with `RuntimeError: Symlink loop`. Remove or fix the link.",
                listed_path.display()
            ),
            Self::UnreadableDirectory { path, error } => write!(
                f,
                "cannot list {}: {error}; Alembic skips it, so migrations in it are not loaded",
                path.display()
            ),
        }
    }
}
