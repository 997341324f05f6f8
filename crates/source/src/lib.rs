//! Where migration files come from, in the exact order Alembic loads them.
//!
//! This crate knows nothing about Python: it lists candidate files in the
//! version locations the configuration names, in Alembic's load order
//! (`alembic-semantics.md` §1.2–1.3), and hands back their paths and bytes.
//! The load order matters: Alembic breaks ties in `heads` and in the
//! `upgrade` order by it.
//!
//! ```no_run
//! use alembic_doctor_source::{ListingSpec, list_versions};
//!
//! let listing = list_versions(&ListingSpec {
//!     locations: vec!["/project/migrations/versions".into()],
//!     recursive: false,
//!     sourceless: false,
//! });
//! for file in &listing.files {
//!     println!("{}", file.path.display());
//! }
//! for note in &listing.notes {
//!     eprintln!("warning: {note}");
//! }
//! ```
//!
//! The walk is written over the [`Tree`] trait; [`DiskTree`] is the file
//! system. Another backend (a git tree) implements `Tree` and calls
//! [`list_versions_in`] to get the same order.
//!
//! Where Python's order is not defined, we pick a rule (checked against
//! Alembic everywhere else by `tests/against_alembic.rs`):
//! * `__pycache__` entries in `sourceless` mode are sorted (Python uses the
//!   file system's `iterdir()` order), and so are the subdirectories of a
//!   `__pycache__` directory (Python does not sort those);
//! * names that are not UTF-8 sort as Python's `surrogateescape` strings
//!   (each bad byte `b` as `U+DC00 + b`);
//! * symlinked directories follow Python 3.11's `os.walk` (listed as
//!   directories, not entered); Python 3.12+'s `Path.walk` lists them as
//!   files, which only shows as an extra "loaded twice" warning when one is
//!   reached twice;
//! * where Alembic would crash (a symlink loop, an unreadable
//!   `__pycache__`, a candidate that cannot be read) we record a note or a
//!   per-file error and go on.

mod listing;
mod order;
mod read;
mod resolve;
mod snapshot;
mod span;
mod stamp;
mod tree;
mod walk;

pub use listing::{Listing, ListingSpec, ReadError, SourceFile, SourceNote};
pub use order::FileKind;
pub use snapshot::{WalkStamps, path_bytes, path_from_bytes};
pub use span::{LineColumn, LineIndex, Span};
pub use stamp::{DiskStamp, DiskStamper, FileStamp, Placed};
pub use tree::{DirEntry, DiskTree, MAX_FILE_BYTES, OpenDirs, Tree, open_regular, read_regular};
pub use walk::Candidate;

/// List and read the migration files under `spec`'s locations on disk, in
/// Alembic's load order. Never fails: per-file and per-directory problems are
/// in [`SourceFile::bytes`] and [`Listing::notes`].
pub fn list_versions(spec: &ListingSpec) -> Listing {
    list_versions_in(&DiskTree, spec)
}

/// [`list_versions`] over any [`Tree`]. Files are read in parallel; the
/// result's order does not depend on the thread count.
pub fn list_versions_in(tree: &impl Tree, spec: &ListingSpec) -> Listing {
    let (candidates, notes) = list_candidates_in(tree, spec);
    let files = read::read_all(tree, candidates);
    Listing { files, notes }
}

/// Read `candidates` of `tree` (as [`list_candidates_in`] lists them), in
/// order, in parallel, as [`list_versions_in`] reads them: for a caller
/// that has some of the files' bytes already.
pub fn read_candidates(tree: &impl Tree, candidates: Vec<Candidate>) -> Vec<SourceFile> {
    read::read_all(tree, candidates)
}

/// [`list_versions_in`] without reading the files: the candidates in load
/// order, and the notes. For a caller that may not need every file's bytes
/// (a cache of what was derived from them); [`Candidate::with_bytes`] makes
/// the [`SourceFile`] once read.
pub fn list_candidates_in(
    tree: &impl Tree,
    spec: &ListingSpec,
) -> (Vec<Candidate>, Vec<SourceNote>) {
    let mut notes = Vec::new();
    let (candidates, _) = walk::candidates(tree, spec, &mut notes, false);
    (candidates, notes)
}

/// [`list_candidates_in`], also recording what the walk depended on, when
/// it can be vouched for by directory stamps ([`WalkStamps`]): a later run
/// whose [`WalkStamps::unchanged_in`] holds may reuse the candidates
/// instead of listing again.
pub fn list_candidates_stamped(
    tree: &impl Tree,
    spec: &ListingSpec,
) -> (Vec<Candidate>, Vec<SourceNote>, Option<WalkStamps>) {
    let mut notes = Vec::new();
    let (candidates, stamps) = walk::candidates(tree, spec, &mut notes, true);
    (candidates, notes, stamps)
}
