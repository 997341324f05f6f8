//! The merged result, simulated: BASE's version files with each HEAD's
//! changes since its merge base applied on top, as git would merge the
//! version directories, then read as one project and checked.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use alembic_doctor_git::{GitRepo, GitTree};
use alembic_doctor_project::{ParseCache, Project, ProjectFile};
use alembic_doctor_rules::Finding;
use alembic_doctor_source::{
    FileKind, ReadError, SourceFile, list_candidates_in, list_versions_in, read_candidates,
};

use crate::CompareError;
use crate::diff::ancestors;
use crate::overlay::OverlayTree;
use crate::side::{Side, ids};

/// A file both BASE (or an earlier HEAD) and a HEAD changed differently
/// since their merge base: git would stop with a conflict. The simulation
/// keeps HEAD's version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeConflict {
    /// The file, as displayed.
    pub path: String,
    /// The HEAD whose version was kept.
    pub side: String,
    /// What BASE, or the earlier HEAD whose version this HEAD's replaced,
    /// did to the file.
    pub base_change: FileChange,
    /// What this HEAD did to the file.
    pub head_change: FileChange,
}

/// What one side did to a file since the merge base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileChange {
    /// The file is new.
    Added,
    /// The file is gone.
    Deleted,
    /// The file's content changed.
    Modified,
}

impl FileChange {
    /// `added`, `deleted`, `modified`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileChange::Added => "added",
            FileChange::Deleted => "deleted",
            FileChange::Modified => "modified",
        }
    }

    /// What a side did, from the file before (at the merge base) and
    /// after (on the side): `None` where the file does not exist.
    fn between<T>(before: Option<&T>, after: Option<&T>) -> Self {
        match (before, after) {
            (None, Some(_)) => FileChange::Added,
            (Some(_), None) => FileChange::Deleted,
            _ => FileChange::Modified,
        }
    }
}

impl MergeConflict {
    /// What happened on each side, in words: `modified on the base side
    /// and deleted on this side`.
    pub fn reason(&self) -> String {
        self.naming("the base side", "this side")
    }

    /// What happened on each side, naming `first` (the side that changed
    /// the file first) and `this` (the HEAD whose version was kept).
    pub fn naming(&self, first: &str, this: &str) -> String {
        format!(
            "{} on {first} and {} on {this}",
            self.base_change.as_str(),
            self.head_change.as_str()
        )
    }
}

/// The simulated merge.
#[derive(Debug)]
pub struct Merged {
    /// The merged project (BASE's configuration, merged version files).
    pub project: Project,
    /// Every rule, run on the merged project.
    pub findings: Vec<Finding>,
    /// Files git would not merge cleanly.
    pub conflicts: Vec<MergeConflict>,
}

impl Merged {
    /// The merged heads' ids.
    pub fn heads(&self) -> Vec<String> {
        ids(&self.project, self.project.map.heads())
    }

    /// The merged bases' ids.
    pub fn bases(&self) -> Vec<String> {
        ids(&self.project, self.project.map.bases())
    }

    /// `alembic upgrade heads` from an empty database, or why Alembic
    /// would refuse.
    pub fn upgrade_order(&self) -> Result<Vec<String>, String> {
        self.project
            .map
            .upgrade_order()
            .map(|order| ids(&self.project, &order))
            .map_err(|error| error.to_string())
    }

    /// The revisions `alembic upgrade heads` applies on a database at
    /// `from` (ids or symbols, resolved in the merged map): the ancestors
    /// of the merged real heads that are not ancestors of `from`, in the
    /// order of [`Merged::upgrade_order`] (the full upgrade order restricted
    /// to the pending set, which is the order Alembic applies them in).
    pub fn path(&self, from: &[String]) -> Result<Vec<String>, String> {
        let map = &self.project.map;
        let mut starts = Vec::new();
        for symbol in from {
            starts.extend(map.resolve(symbol).map_err(|error| error.to_string())?);
        }
        let done = ancestors(&self.project, &starts);
        let pending = ancestors(&self.project, map.real_heads());
        let order = map.upgrade_order().map_err(|error| error.to_string())?;
        let path: Vec<usize> = order
            .into_iter()
            .filter(|&rev| {
                let rev = map.canonical(rev);
                pending.contains(&rev) && !done.contains(&rev)
            })
            .collect();
        Ok(ids(&self.project, &path))
    }
}

/// A side's version directories as git holds them: each file's bytes by
/// resolved path, and each symbolic link's target by the link's own path
/// (a link is merged as a link, dangling or not, as git merges it). The
/// bytes of a file a side's project holds are borrowed from it: copying
/// every file of every side into the maps, for a merge that finds nearly
/// all of them equal, was a tenth of a `check` on a branch.
#[derive(Debug, Clone, Default)]
pub(crate) struct VersionState<'a> {
    pub(crate) files: BTreeMap<PathBuf, Cow<'a, [u8]>>,
    pub(crate) links: BTreeMap<PathBuf, PathBuf>,
}

/// Simulate merging every HEAD into BASE.
pub(crate) fn simulate(
    base: &Side,
    heads: &[Side],
    ancestors: &[VersionState<'_>],
    display_root: &Path,
    cache: Option<&ParseCache>,
) -> Result<Merged, CompareError> {
    let Some(base_tree) = &base.tree else {
        return Err(CompareError::Usage(
            "BASE must be a git revision".to_owned(),
        ));
    };
    let base_state = base.state();
    let mut changes: BTreeMap<PathBuf, Option<Cow<'_, [u8]>>> = BTreeMap::new();
    let mut links: BTreeMap<PathBuf, Option<PathBuf>> = BTreeMap::new();
    let mut conflicts = Vec::new();
    for (head, ancestor) in heads.iter().zip(ancestors) {
        let head_state = head.state();
        let mut merge = ThreeWay {
            side: &head.label,
            display_root,
            conflicts: &mut conflicts,
        };
        merge.apply(
            &ancestor.files,
            &head_state.files,
            &base_state.files,
            &mut changes,
        );
        merge.apply(
            &ancestor.links,
            &head_state.links,
            &base_state.links,
            &mut links,
        );
    }
    // The merged tree owns what the merge changed (a few files).
    let changes = changes
        .into_iter()
        .map(|(path, change)| (path, change.map(Cow::into_owned)))
        .collect();
    let overlay = OverlayTree::new(base_tree.clone(), changes).with_links(links);
    // The changes are keyed by resolved paths; a location written with
    // `..` (`-c ../alembic.ini` from a subdirectory) must be walked as the
    // same resolved directory, or the overlay never sees them.
    let spec = base.spec.resolved_in(&overlay);
    let modules = alembic_doctor_script::Project::new(overlay.clone());
    let unreadable = heads
        .iter()
        .any(|head| head.project.files.iter().any(|f| f.read_error.is_some()));
    if let Some(cache) = cache
        && !unreadable
    {
        // Through the parse cache: what the merge takes unchanged from
        // BASE has BASE's blob ids, so only the HEADs' changes are parsed
        // on a warm run.
        let project = alembic_doctor_project::from_tree_with_cache(
            base.project.config.clone(),
            &overlay,
            (&spec, "merge"),
            (display_root, &modules),
            cache,
            // The merge is linted: its operations are read with its scripts.
            true,
        );
        return Ok(Merged {
            project,
            findings: Vec::new(),
            conflicts,
        });
    }
    let mut listing = list_versions_in(&overlay, &spec);
    // A HEAD file that could not be read (larger than the limit) has no
    // bytes to merge, but it is not absent: it stays in the merged project
    // as unreadable, so `unreadable-file` reports it as `check` does on
    // disk instead of the file being skipped.
    for head in heads {
        for file in &head.project.files {
            let Some(error) = &file.read_error else {
                continue;
            };
            if listing.files.iter().any(|listed| listed.path == file.path) {
                continue;
            }
            listing.files.push(SourceFile {
                path: file.path.clone(),
                listed_path: file.path.clone(),
                location: 0,
                kind: FileKind::Source,
                bytes: Err(ReadError {
                    kind: std::io::ErrorKind::Other,
                    message: error.clone(),
                }),
            });
        }
    }
    let project = alembic_doctor_project::from_files_reading(
        base.project.config.clone(),
        (listing.files, listing.notes),
        display_root,
        &modules,
        true,
    );
    // The rules run in `Comparison::check`, with BASE's for comparison.
    Ok(Merged {
        project,
        findings: Vec::new(),
        conflicts,
    })
}

/// The version files and links at the merge base of BASE and `head` (for
/// the working tree, of BASE and `HEAD`), listed as `head` lists them;
/// empty when the histories are unrelated.
pub(crate) fn merge_base_state<'a>(
    repo: &GitRepo,
    base: &'a Side,
    head: &Side,
) -> Result<VersionState<'a>, CompareError> {
    let Some(base_rev) = &base.rev else {
        return Err(CompareError::Usage(
            "BASE must be a git revision".to_owned(),
        ));
    };
    let head_rev = match &head.rev {
        Some(rev) => rev.clone(),
        None => repo.resolve("HEAD")?,
    };
    let Some(ancestor) = repo.merge_base(base_rev, &head_rev)? else {
        return Ok(VersionState::default());
    };
    let tree = repo.tree_at(&ancestor)?;
    Ok(VersionState {
        files: files_at_merge_base(&tree, base, head),
        links: crate::side::links_in(&tree, &head.spec),
    })
}

/// The readable version files of the merge base's `tree`, listed as
/// `head` lists them, by path. A file BASE holds unchanged since the merge
/// base (the same blob) is taken from BASE's project, read already, rather
/// than inflated again from git: on a branch off a recent base nearly
/// every file is, and inflating them was a quarter of a warm `check`.
fn files_at_merge_base<'a>(
    tree: &GitTree,
    base: &'a Side,
    head: &Side,
) -> BTreeMap<PathBuf, Cow<'a, [u8]>> {
    let (candidates, _) = list_candidates_in(tree, &head.spec);
    let paths: Vec<&Path> = candidates.iter().map(|file| file.path.as_path()).collect();
    let at_merge_base = tree.stamps(&paths);
    let at_base = match &base.tree {
        Some(base_tree) => base_tree.stamps(&paths),
        None => vec![None; paths.len()],
    };
    let base_files: HashMap<&Path, &ProjectFile> = base
        .project
        .files
        .iter()
        .filter(|file| file.read_error.is_none())
        .map(|file| (file.path.as_path(), file))
        .collect();
    let mut files = Vec::with_capacity(candidates.len());
    let mut to_read = Vec::new();
    for ((candidate, at_merge_base), at_base) in
        candidates.into_iter().zip(at_merge_base).zip(at_base)
    {
        let same_blob = at_merge_base.is_some() && at_merge_base == at_base;
        match base_files.get(candidate.path.as_path()) {
            Some(file) if same_blob => files.push((candidate.path, Cow::Borrowed(&*file.bytes))),
            _ => to_read.push(candidate),
        }
    }
    files.extend(
        read_candidates(tree, to_read)
            .into_iter()
            .filter_map(|file| Some((file.path, Cow::Owned(file.bytes.ok()?)))),
    );
    // Collected, not inserted one by one: listed in load order, the paths
    // come nearly sorted, which the collection's sort takes in one pass.
    files.into_iter().collect()
}

/// Git's three-way merge of one kind of entry (file bytes, link targets),
/// HEAD after HEAD: what a HEAD changed since its merge base is applied on
/// top of BASE and the HEADs before it; a path both changed differently is
/// a conflict, and HEAD's version is kept.
struct ThreeWay<'a> {
    side: &'a str,
    display_root: &'a Path,
    conflicts: &'a mut Vec<MergeConflict>,
}

impl ThreeWay<'_> {
    fn apply<T: Clone + PartialEq>(
        &mut self,
        ancestor: &BTreeMap<PathBuf, T>,
        head: &BTreeMap<PathBuf, T>,
        base: &BTreeMap<PathBuf, T>,
        changes: &mut BTreeMap<PathBuf, Option<T>>,
    ) {
        // The three states are sorted by path: one walk through them
        // together, in order, finds each path's entries, where a set of
        // every path and a look-up in each state compared paths (component
        // by component) some fifty times per file.
        let (mut ancestor, mut head, mut base) = (
            ancestor.iter().peekable(),
            head.iter().peekable(),
            base.iter().peekable(),
        );
        loop {
            let path = match (ancestor.peek(), head.peek()) {
                (None, None) => break,
                (Some(&(path, _)), None) | (None, Some(&(path, _))) => path,
                (Some(&(in_ancestor, _)), Some(&(in_head, _))) => in_ancestor.min(in_head),
            };
            let before = ancestor
                .next_if(|&(at, _)| at == path)
                .map(|(_, entry)| entry);
            let after = head.next_if(|&(at, _)| at == path).map(|(_, entry)| entry);
            if before == after {
                continue;
            }
            while base.next_if(|&(at, _)| at < path).is_some() {}
            let current = match changes.get(path) {
                Some(change) => change.as_ref(),
                None => base
                    .peek()
                    .filter(|&&(at, _)| at == path)
                    .map(|(_, entry)| *entry),
            };
            if current == after {
                continue;
            }
            if current != before {
                self.conflicts.push(MergeConflict {
                    path: display(path, self.display_root),
                    side: self.side.to_owned(),
                    base_change: FileChange::between(before, current),
                    head_change: FileChange::between(before, after),
                });
            }
            changes.insert(path.clone(), after.cloned());
        }
    }
}

fn display(path: &Path, display_root: &Path) -> String {
    path.strip_prefix(display_root)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conflict(before: Option<&u8>, current: Option<&u8>, after: Option<&u8>) -> MergeConflict {
        MergeConflict {
            path: "versions/a.py".to_owned(),
            side: "feature".to_owned(),
            base_change: FileChange::between(before, current),
            head_change: FileChange::between(before, after),
        }
    }

    /// The reason is built from what each side did, in the words the JSON
    /// has always had, and the same words name the sides in the report.
    #[test]
    fn reasons_say_what_each_side_did() {
        let cases = [
            (
                conflict(Some(&1), Some(&2), None),
                "modified on the base side and deleted on this side",
            ),
            (
                conflict(None, Some(&1), Some(&2)),
                "added on the base side and added on this side",
            ),
            (
                conflict(Some(&1), None, Some(&2)),
                "deleted on the base side and modified on this side",
            ),
        ];
        for (conflict, reason) in cases {
            assert_eq!(conflict.reason(), reason);
        }
        assert_eq!(
            conflict(Some(&1), Some(&2), Some(&3)).naming("`main`", "`feature`"),
            "modified on `main` and modified on `feature`"
        );
    }
}
