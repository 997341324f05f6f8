//! What a walk of the version locations depended on, so that a later run can
//! tell, without listing again, that listing again would find the same files.
//!
//! Listing a directory of five thousand migrations costs more than anything
//! else a warm `heads` does but one `stat` per file. A directory's stamp
//! (its modification and change times, inode and device) moves whenever an
//! entry is created, removed or renamed in it, so a walk whose directories
//! all have the stamps they had when they were read, and whose locations
//! resolve to the same real paths, lists the same candidates in the same
//! order. git's untracked cache skips `readdir` on the same rule.
//!
//! What the rule cannot see is excluded when recording: symlinks anywhere
//! in the walk (a link's target can change with no directory of ours
//! changing), directories without a stamp (a git tree), and walks that
//! produced notes other than missing locations (they are not kept). A
//! directory changed within the racy margin of the run is not vouched for
//! ([`WalkStamps::is_recent`]), as for files.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::listing::{ListingSpec, SourceNote};
use crate::resolve::{Resolved, realpath};
use crate::stamp::DiskStamp;
use crate::tree::Tree;

/// The stamps a walk depended on. Paths are kept as their bytes
/// ([`path_bytes`]): serde's `PathBuf` refuses names that are not UTF-8.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalkStamps {
    /// Each version location's real path when it was walked, `None` when it
    /// did not exist.
    locations: Vec<Option<Vec<u8>>>,
    /// Every directory read, with its stamp taken just before reading it.
    dirs: Vec<(Vec<u8>, DiskStamp)>,
}

impl WalkStamps {
    pub(crate) fn push_location(&mut self, real: Option<&Path>) {
        self.locations
            .push(real.map(|real| path_bytes(real).to_vec()));
    }

    pub(crate) fn extend_dirs(&mut self, dirs: Vec<(PathBuf, DiskStamp)>) {
        self.dirs.extend(
            dirs.into_iter()
                .map(|(dir, stamp)| (path_bytes(&dir).to_vec(), stamp)),
        );
    }

    /// Whether walking `spec` in `tree` now would list what it listed then:
    /// every location still missing or resolving to the same real path,
    /// every directory with the same stamp. A few system calls per
    /// directory, none per file.
    pub fn unchanged_in(&self, tree: &(impl Tree + ?Sized), spec: &ListingSpec) -> bool {
        self.locations.len() == spec.locations.len()
            && self
                .locations
                .iter()
                .zip(&spec.locations)
                .all(|(real, location)| match real {
                    None => !tree.exists(location),
                    Some(real) => matches!(
                        realpath(tree, location),
                        Resolved::Real(now) if path_bytes(&now) == real.as_slice()
                    ),
                })
            && self.dirs.iter().all(|(dir, stamp)| {
                path_from_bytes(dir)
                    .and_then(|dir| tree.dir_stamp(dir))
                    .as_ref()
                    == Some(stamp)
            })
    }

    /// True when a directory was modified within `margin_ns` of `time`: a
    /// second change in the same time-stamp tick would not move its stamp,
    /// so such a walk must not be reused ([`DiskStamp::is_recent`]).
    pub fn is_recent(&self, time: SystemTime, margin_ns: i128) -> bool {
        self.dirs
            .iter()
            .any(|(_, stamp)| stamp.is_recent(time, margin_ns))
    }

    /// The notes the walk gave: only missing locations are ever recorded.
    pub fn notes(&self, spec: &ListingSpec) -> Vec<SourceNote> {
        self.locations
            .iter()
            .zip(&spec.locations)
            .filter(|(real, _)| real.is_none())
            .map(|(_, location)| SourceNote::MissingLocation {
                location: location.clone(),
            })
            .collect()
    }
}

/// A path as bytes: `as_encoded_bytes` is exact and stable within one
/// platform (the raw bytes on Unix), which is all a cache on one machine
/// needs.
pub fn path_bytes(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

/// [`path_bytes`] back to a path: always on Unix; elsewhere when the bytes
/// are UTF-8 (the only bytes that can be turned back without `unsafe`).
pub fn path_from_bytes(bytes: &[u8]) -> Option<&Path> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Some(Path::new(std::ffi::OsStr::from_bytes(bytes)))
    }
    #[cfg(not(unix))]
    {
        std::str::from_utf8(bytes).ok().map(Path::new)
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::time::Duration;

    use super::*;
    use crate::tree::DiskTree;

    /// A directory whose times are set well in the past, as a project's
    /// are between two runs.
    fn age(dir: &Path) {
        let old = SystemTime::now() - Duration::from_hours(1);
        fs::File::open(dir).unwrap().set_modified(old).unwrap();
    }

    fn spec(locations: Vec<PathBuf>, recursive: bool) -> ListingSpec {
        ListingSpec {
            locations,
            recursive,
            sourceless: false,
        }
    }

    fn walk(spec: &ListingSpec) -> (Vec<PathBuf>, Option<WalkStamps>) {
        let (candidates, _, stamps) = crate::list_candidates_stamped(&DiskTree, spec);
        (candidates.into_iter().map(|c| c.path).collect(), stamps)
    }

    #[test]
    fn any_entry_added_removed_or_renamed_is_seen() {
        type Change = fn(&Path);
        let changes: [(&str, Change); 5] = [
            ("add", |v| fs::write(v.join("c.py"), "").unwrap()),
            ("remove", |v| fs::remove_file(v.join("a.py")).unwrap()),
            ("rename", |v| {
                fs::rename(v.join("a.py"), v.join("z.py")).unwrap();
            }),
            ("add below", |v| fs::write(v.join("sub/c.py"), "").unwrap()),
            ("create the missing location", |v| {
                fs::create_dir(v.parent().unwrap().join("missing")).unwrap();
            }),
        ];
        for (what, change) in changes {
            let dir = tempfile::tempdir().unwrap();
            let root = fs::canonicalize(dir.path()).unwrap();
            let versions = root.join("versions");
            fs::create_dir_all(versions.join("sub")).unwrap();
            fs::write(versions.join("a.py"), "").unwrap();
            fs::write(versions.join("sub/b.py"), "").unwrap();
            age(&versions);
            age(&versions.join("sub"));
            let spec = spec(vec![versions.clone(), root.join("missing")], true);
            let (paths, stamps) = walk(&spec);
            assert_eq!(
                paths,
                vec![versions.join("a.py"), versions.join("sub/b.py")]
            );
            let stamps = stamps.expect("a plain walk is recorded");
            assert!(stamps.unchanged_in(&DiskTree, &spec), "{what}: before");
            assert_eq!(
                stamps.notes(&spec),
                vec![SourceNote::MissingLocation {
                    location: root.join("missing")
                }]
            );
            change(&versions);
            assert!(!stamps.unchanged_in(&DiskTree, &spec), "{what}: after");
        }
    }

    #[test]
    fn an_edit_in_place_leaves_the_listing_alone() {
        let dir = tempfile::tempdir().unwrap();
        let versions = fs::canonicalize(dir.path()).unwrap();
        fs::write(versions.join("a.py"), "x").unwrap();
        age(&versions);
        let spec = spec(vec![versions.clone()], false);
        let (_, stamps) = walk(&spec);
        fs::write(versions.join("a.py"), "revision = 'b'").unwrap();
        // The file's own stamp catches the edit; the listing is the same.
        assert!(stamps.unwrap().unchanged_in(&DiskTree, &spec));
    }

    #[cfg(unix)]
    #[test]
    fn walks_through_symlinks_are_not_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir(root.join("versions")).unwrap();
        fs::write(root.join("elsewhere.py"), "").unwrap();
        std::os::unix::fs::symlink(root.join("elsewhere.py"), root.join("versions/a.py")).unwrap();
        let (paths, stamps) = walk(&spec(vec![root.join("versions")], false));
        assert_eq!(paths, vec![root.join("elsewhere.py")]);
        assert_eq!(stamps, None);
    }

    #[cfg(unix)]
    #[test]
    fn a_location_moved_behind_a_symlink_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir_all(root.join("one/versions")).unwrap();
        std::os::unix::fs::symlink("one", root.join("link")).unwrap();
        let spec = spec(vec![root.join("link/versions")], false);
        age(&root.join("one/versions"));
        let (_, stamps) = walk(&spec);
        let stamps = stamps.unwrap();
        assert!(stamps.unchanged_in(&DiskTree, &spec));
        // The same directory, reached through a new real path.
        fs::rename(root.join("one"), root.join("two")).unwrap();
        fs::remove_file(root.join("link")).unwrap();
        std::os::unix::fs::symlink("two", root.join("link")).unwrap();
        assert!(!stamps.unchanged_in(&DiskTree, &spec));
    }

    #[test]
    fn a_fresh_directory_is_recent() {
        let dir = tempfile::tempdir().unwrap();
        let (_, stamps) = walk(&spec(vec![dir.path().to_path_buf()], false));
        let stamps = stamps.unwrap();
        assert!(stamps.is_recent(SystemTime::now(), 2_000_000_000));
        age(dir.path());
        let (_, stamps) = walk(&spec(vec![dir.path().to_path_buf()], false));
        assert!(!stamps.unwrap().is_recent(SystemTime::now(), 2_000_000_000));
    }
}
