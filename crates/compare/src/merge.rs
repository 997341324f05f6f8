//! The merged result, simulated: BASE's version files with each HEAD's
//! changes since its merge base applied on top, as git would merge the
//! version directories, then read as one project and checked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use alembic_doctor_git::GitRepo;
use alembic_doctor_project::Project;
use alembic_doctor_rules::Finding;
use alembic_doctor_source::list_versions_in;

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
    /// What happened on each side, in words.
    pub reason: String,
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
/// (a link is merged as a link, dangling or not, as git merges it).
#[derive(Debug, Clone, Default)]
pub(crate) struct VersionState {
    pub(crate) files: BTreeMap<PathBuf, Vec<u8>>,
    pub(crate) links: BTreeMap<PathBuf, PathBuf>,
}

/// Simulate merging every HEAD into BASE.
pub(crate) fn simulate(
    base: &Side,
    heads: &[Side],
    ancestors: &[VersionState],
    cwd: &Path,
) -> Result<Merged, CompareError> {
    let Some(base_tree) = &base.tree else {
        return Err(CompareError::Usage(
            "BASE must be a git revision".to_owned(),
        ));
    };
    let base_state = base.state();
    let mut changes: BTreeMap<PathBuf, Option<Vec<u8>>> = BTreeMap::new();
    let mut links: BTreeMap<PathBuf, Option<PathBuf>> = BTreeMap::new();
    let mut conflicts = Vec::new();
    for (head, ancestor) in heads.iter().zip(ancestors) {
        let head_state = head.state();
        let mut merge = ThreeWay {
            side: &head.label,
            cwd,
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
    let overlay = OverlayTree::new(base_tree.clone(), changes).with_links(links);
    // The changes are keyed by resolved paths; a location written with
    // `..` (`-c ../alembic.ini` from a subdirectory) must be walked as the
    // same resolved directory, or the overlay never sees them.
    let listing = list_versions_in(&overlay, &base.spec.resolved_in(&overlay));
    let modules = alembic_doctor_script::Project::new(overlay.clone());
    let project = alembic_doctor_project::from_files_with_modules(
        base.project.config.clone(),
        listing.files,
        listing.notes,
        cwd,
        &modules,
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
pub(crate) fn merge_base_state(
    repo: &GitRepo,
    base: &Side,
    head: &Side,
) -> Result<VersionState, CompareError> {
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
        files: list_versions_in(&tree, &head.spec)
            .files
            .into_iter()
            .filter_map(|file| Some((file.path, file.bytes.ok()?)))
            .collect(),
        links: crate::side::links_in(&tree, &head.spec),
    })
}

/// Git's three-way merge of one kind of entry (file bytes, link targets),
/// HEAD after HEAD: what a HEAD changed since its merge base is applied on
/// top of BASE and the HEADs before it; a path both changed differently is
/// a conflict, and HEAD's version is kept.
struct ThreeWay<'a> {
    side: &'a str,
    cwd: &'a Path,
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
        let paths: BTreeSet<&PathBuf> = ancestor.keys().chain(head.keys()).collect();
        for path in paths {
            let before = ancestor.get(path);
            let after = head.get(path);
            if before == after {
                continue;
            }
            let current = match changes.get(path) {
                Some(change) => change.as_ref(),
                None => base.get(path),
            };
            if current == after {
                continue;
            }
            if current != before {
                self.conflicts.push(MergeConflict {
                    path: display(path, self.cwd),
                    side: self.side.to_owned(),
                    reason: conflict_reason(before, current, after),
                });
            }
            changes.insert(path.clone(), after.cloned());
        }
    }
}

/// What each side did to a conflicting file.
fn conflict_reason<T>(before: Option<&T>, current: Option<&T>, after: Option<&T>) -> String {
    let what = |state: Option<&T>| match (before, state) {
        (None, Some(_)) => "added",
        (Some(_), None) => "deleted",
        _ => "modified",
    };
    format!(
        "{} on the base side and {} on this side",
        what(current),
        what(after)
    )
}

fn display(path: &Path, cwd: &Path) -> String {
    path.strip_prefix(cwd)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}
