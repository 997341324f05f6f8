//! A persistent cache of parsed migration files, as Ruff keeps one.
//!
//! Parsing is most of the cost of loading a project; most files never change
//! between two runs. Each parsed [`alembic_doctor_script::Script`] is stored
//! under its file's path and [`FileStamp`] (disk metadata, or a git blob's
//! id), with the [`alembic_doctor_script::Operations`] read from the same
//! parse (for the safety lints) and the bytes parsed (for code frames), and
//! reused while the stamp is unchanged, so a warm run only looks at each
//! file's metadata and never opens it.
//!
//! What keeps the cache from ever changing an answer:
//! * an entry is reused only for the same path with an equal stamp;
//! * a script whose values were looked up in other modules
//!   ([`alembic_doctor_script::parse_script_tracked`]) is stored with the
//!   project root and the stamp of every module path the look-ups looked
//!   at, found or not, and reused only while all of them are unchanged (a
//!   module created earlier on the search path shadows the one found);
//! * a file modified within [`RACY_MARGIN_NS`] of the run is not stored:
//!   time stamps are coarse, and a second write in the same tick would
//!   leave the stamp unchanged;
//! * the cache file names the exact binary that wrote it ([`tool_key`]:
//!   version, and the executable's size, time and inode), so a rebuilt
//!   binary, whose parser may differ, never reads an older cache;
//! * a cache file that cannot be read, fails its checksum or does not
//!   decode is ignored and rewritten; a cache directory that cannot be
//!   written only costs speed. Nothing here fails a run or panics.
//!
//! One cache file per set of version locations (and kind of tree), under
//! `$ALEMBIC_DOCTOR_CACHE_DIR`, else `$XDG_CACHE_HOME/alembic-doctor`, else
//! `~/.cache/alembic-doctor`; `ALEMBIC_DOCTOR_NO_CACHE=1` or `--no-cache`
//! turns it off.

mod store;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use alembic_doctor_source::{DiskStamp, FileStamp, ListingSpec, path_bytes};

pub(crate) use store::{
    Blob, BlobRange, Blobs, CacheFile, Dependencies, FreshParse, IndexFile, NewFile, NewParse,
    Part, StoredDependencies, StoredParse, write,
};

/// Files changed this recently (nanoseconds) are parsed but not stored, and
/// a walk through directories changed this recently is not reused.
pub(crate) const RACY_MARGIN_NS: i128 = 2_000_000_000;

/// Bumped whenever the layout of the cache file changes (the tool key
/// already changes with every build; this guards hand-copied caches).
const FORMAT: u32 = 9;

/// Where and for which binary parsed files are cached. `None` from the
/// constructors means "no cache": disabled, or no place to keep it.
#[derive(Debug, Clone)]
pub struct ParseCache {
    dir: PathBuf,
    tool: String,
}

impl ParseCache {
    /// The user's cache, as the command line uses it: `disabled` is
    /// `--no-cache`; `ALEMBIC_DOCTOR_NO_CACHE` (set to anything but `""` or
    /// `0`) disables it too; the directory is `$ALEMBIC_DOCTOR_CACHE_DIR`,
    /// else `$XDG_CACHE_HOME/alembic-doctor` (when absolute), else
    /// `$HOME/.cache/alembic-doctor`.
    pub fn from_env(disabled: bool) -> Option<Self> {
        let var = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
        if disabled || var("ALEMBIC_DOCTOR_NO_CACHE").is_some_and(|value| value != "0") {
            return None;
        }
        let dir = user_dir(
            var("ALEMBIC_DOCTOR_CACHE_DIR"),
            var("XDG_CACHE_HOME"),
            var("HOME"),
        )?;
        Self::in_dir(dir)
    }

    /// A cache kept in `dir` (created when first written).
    pub fn in_dir(dir: impl Into<PathBuf>) -> Option<Self> {
        Some(Self {
            dir: dir.into(),
            tool: tool_key()?,
        })
    }

    /// The directory the cache files are kept in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The cache file for the files `spec` lists from a tree of kind
    /// `tree_kind` (`"disk"`, `"git"`): one file per set of locations, so
    /// that projects do not evict each other.
    pub(crate) fn file_for(&self, tree_kind: &str, spec: &ListingSpec) -> PathBuf {
        let mut hash = Fnv::new();
        hash.write(tree_kind.as_bytes());
        for location in &spec.locations {
            hash.write(&[0]);
            hash.write(path_bytes(location));
        }
        hash.write(&[u8::from(spec.recursive), u8::from(spec.sourceless)]);
        self.dir.join(format!("parse-{:016x}.bin", hash.finish()))
    }

    pub(crate) fn tool(&self) -> &str {
        &self.tool
    }
}

/// The cache directory from the three variables, in order of precedence.
fn user_dir(
    explicit: Option<OsString>,
    xdg_cache_home: Option<OsString>,
    home: Option<OsString>,
) -> Option<PathBuf> {
    if let Some(dir) = explicit {
        return Some(dir.into());
    }
    // The XDG spec says a relative value is invalid and must be ignored.
    if let Some(xdg) = xdg_cache_home
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
    {
        return Some(xdg.join("alembic-doctor"));
    }
    home.map(|home| PathBuf::from(home).join(".cache").join("alembic-doctor"))
}

/// What identifies this build of the tool: the version and the executable
/// file's stamp. A development build changes at every `cargo build`, and
/// its parse of a file may differ from the previous build's.
fn tool_key() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let stamp = DiskStamp::of(&exe)?;
    Some(format!(
        "alembic-doctor {} cache {FORMAT} exe {} {} {} {}",
        env!("CARGO_PKG_VERSION"),
        stamp.size,
        stamp.modified_ns,
        stamp.device,
        stamp.inode
    ))
}

/// Whether a freshly read file may be stored: its stamp is known and not so
/// recent that a write in the same time-stamp tick could hide behind it.
pub(crate) fn storable(stamp: Option<&FileStamp>, started: std::time::SystemTime) -> bool {
    match stamp {
        Some(FileStamp::Disk(disk)) => !disk.is_recent(started, RACY_MARGIN_NS),
        Some(FileStamp::Blob(_)) => true,
        None => false,
    }
}

/// 64-bit FNV-1a: a stable name for a set of locations (std's hasher may
/// change between Rust releases).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_follows_the_variables_in_order() {
        let os = |s: &str| Some(OsString::from(s));
        assert_eq!(
            user_dir(os("/c"), os("/x"), os("/h")),
            Some(PathBuf::from("/c"))
        );
        assert_eq!(
            user_dir(None, os("/x"), os("/h")),
            Some(PathBuf::from("/x/alembic-doctor"))
        );
        assert_eq!(
            user_dir(None, os("relative"), os("/h")),
            Some(PathBuf::from("/h/.cache/alembic-doctor"))
        );
        assert_eq!(user_dir(None, None, None), None);
    }

    #[test]
    fn each_location_set_has_its_own_file() {
        let cache = ParseCache::in_dir("/cache").unwrap();
        let spec = |locations: &[&str], recursive| ListingSpec {
            locations: locations.iter().map(PathBuf::from).collect(),
            recursive,
            sourceless: false,
        };
        let a = cache.file_for("disk", &spec(&["/p/versions"], false));
        assert_eq!(a, cache.file_for("disk", &spec(&["/p/versions"], false)));
        assert_ne!(a, cache.file_for("disk", &spec(&["/p/versions"], true)));
        assert_ne!(a, cache.file_for("git", &spec(&["/p/versions"], false)));
        assert_ne!(
            cache.file_for("disk", &spec(&["/a", "/b"], false)),
            cache.file_for("disk", &spec(&["/b", "/a"], false))
        );
    }
}
