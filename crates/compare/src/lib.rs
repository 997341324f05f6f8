//! `alembic-doctor compare`: an Alembic project on BASE and on one or more
//! HEADs (git revisions or the working tree), what each HEAD changed, and
//! the simulated result of merging them all, checked by every rule.
//!
//! ```no_run
//! use alembic_doctor_compare::{CompareRequest, SideSpec, compare};
//! use alembic_doctor_git::GitRepo;
//! use alembic_doctor_project::LoadRequest;
//!
//! let cwd = std::env::current_dir()?;
//! let repo = GitRepo::discover(&cwd)?;
//! let base = repo.default_base()?;
//! let load = LoadRequest {
//!     cwd,
//!     config_files: Vec::new(),
//!     section: "alembic".to_owned(),
//!     env_config: None,
//!     versions: Vec::new(),
//!     recursive: false,
//!     display_root: None,
//!     operations: false,
//!     keep_bytes: true,
//! };
//! let request = CompareRequest { load, cache: None, command_options: Default::default() };
//! let comparison = compare(&repo, base, vec![SideSpec::WorkTree], &request)?;
//! println!("{:?}", comparison.merged.heads());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod checklist;
mod diff;
mod findings;
mod merge;
mod notes;
mod overlay;
mod plan;
mod refused_rebases;
mod repair;
mod side;
mod start;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use alembic_doctor_config::ConfigError;
use alembic_doctor_git::{GitError, GitRepo, ResolvedRev};
use alembic_doctor_project::{LoadError, LoadRequest, ParseCache};
use alembic_doctor_rules::{CommandOptions, Finding, Rule};

pub use checklist::{
    ChecklistItem, changed_first_by, checklist, conflict_description, extension_evidence,
    not_extending_reason,
};
pub use diff::{Differences, NotExtending, RevisionChange};
pub use merge::{FileChange, MergeConflict, Merged};
pub use notes::{Note, NoteLevel, RevisionNotes, Rollback};
pub use overlay::OverlayTree;
pub use plan::{Plan, PlanStep, StepKind};
pub use refused_rebases::drop_rebases_of_base_revisions;
pub use side::{Side, SideSpec, WORK_TREE, WorkTreeState, real_version_locations, work_tree_paths};
pub use start::{DatabaseState, Start};

/// What to compare besides the sides.
#[derive(Debug, Clone)]
pub struct CompareRequest {
    /// How to load each side. `cwd` is a directory of the working tree
    /// (canonical); at a revision the same directory inside it is used, so
    /// `-c`, `-n` and `--versions` mean the same thing on every side.
    /// `display_root`, when given, is moved the same way: every path the
    /// comparison displays (files, differences, notes, duplicate ids,
    /// conflicts, and the findings' messages) is relative to it.
    pub load: LoadRequest,
    /// The parse cache for the sides (files read from git are keyed by
    /// blob id), when enabled.
    pub cache: Option<ParseCache>,
    /// The options the user gave, repeated in the plan's commands so that
    /// they find the same project.
    pub command_options: CommandOptions,
}

/// Why a comparison could not be made.
#[derive(Debug)]
pub enum CompareError {
    /// A git problem: not a repository, unknown revision, shallow clone.
    Git(GitError),
    /// A side's project could not be loaded.
    Load {
        /// The side's label.
        side: String,
        /// Why.
        error: LoadError,
    },
    /// The request makes no sense (BASE is not a revision...).
    Usage(String),
}

impl std::fmt::Display for CompareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompareError::Git(error) => error.fmt(f),
            CompareError::Load { side, error } => write!(f, "at {side}: {error}"),
            CompareError::Usage(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for CompareError {}

impl CompareError {
    /// Why a side has no Alembic project at all, when that is the error:
    /// no configuration there, or the `script_location` it names does not
    /// exist (as on the base branch of the pull request that adds Alembic
    /// to a repository).
    pub fn missing_project(&self) -> Option<String> {
        let CompareError::Load {
            error: LoadError::Config(error),
            ..
        } = self
        else {
            return None;
        };
        match error {
            ConfigError::NotFound { .. } => Some("no Alembic configuration there".to_owned()),
            ConfigError::ScriptLocationNotFound { shown, .. } => Some(format!(
                "the `script_location` it names, {shown}, does not exist there"
            )),
            _ => None,
        }
    }
}

impl From<GitError> for CompareError {
    fn from(error: GitError) -> Self {
        CompareError::Git(error)
    }
}

/// An id found in different files across the sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateId {
    /// The revision id.
    pub id: String,
    /// Every file declaring it, once each, as (the labels of the sides that
    /// have it, joined with `, `; displayed path): one entry per file, so
    /// `files.len()` is how many files declare it.
    pub files: Vec<(String, String)>,
    /// The same files, with the sides that have each, in side order
    /// (BASE first).
    pub copies: Vec<DuplicateCopy>,
}

/// One file declaring a duplicated id, and the sides that have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateCopy {
    /// The displayed path.
    pub path: String,
    /// The labels of the sides that have this file, BASE first.
    pub sides: Vec<String>,
}

impl DuplicateCopy {
    /// The file is on the side labelled `label`.
    pub fn on(&self, label: &str) -> bool {
        self.sides.iter().any(|side| side == label)
    }
}

/// Two HEADs that cannot both be merged cleanly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairConflict {
    /// The two HEADs' labels.
    pub sides: [String; 2],
    /// Revisions both extend: merging both leaves two heads there.
    pub same_parent: Vec<String>,
    /// New ids both claim, in different files.
    pub same_id: Vec<String>,
}

/// The whole comparison.
#[derive(Debug)]
pub struct Comparison {
    /// BASE.
    pub base: Side,
    /// Each HEAD, in the order given.
    pub heads: Vec<Side>,
    /// Each HEAD's differences against BASE, in the same order.
    pub differences: Vec<Differences>,
    /// For each HEAD, in the same order: it lacks some of BASE's commits
    /// (BASE is not an ancestor of it), so fixing the merge on the branch
    /// starts with bringing BASE in.
    pub behind_base: Vec<bool>,
    /// Ids declared by different files across the sides.
    pub duplicate_ids: Vec<DuplicateId>,
    /// HEAD pairs that conflict with each other.
    pub pair_conflicts: Vec<PairConflict>,
    /// The simulated merge of every HEAD into BASE.
    pub merged: Merged,
    /// What to do, in order, so that the merge is healthy.
    pub plan: Plan,
    /// What each HEAD's new revisions do, in each HEAD's upgrade order.
    pub notes: Vec<RevisionNotes>,
    /// Every rule run on BASE alone: what the merge inherits rather than
    /// brings.
    pub base_findings: Vec<Finding>,
    /// `base_findings` by rule and message, for [`Comparison::is_inherited`]
    /// (asked for every finding by every section of the report).
    base_keys: HashMap<Rule, HashSet<String>>,
    /// The ids of `pending_notes`.
    pending_ids: HashSet<String>,
    /// With `--from` below BASE's head (production behind BASE): what the
    /// revisions BASE already has and the database has not run yet do
    /// (see [`Comparison::add_pending_notes`]); they run at the same deploy.
    pub pending_notes: Vec<RevisionNotes>,
    /// The ids the database the path starts at has applied: its rows the
    /// merged chain declares and everything below them (see
    /// [`Comparison::plan_for_database`]). The plan never re-parents them.
    pub applied_on_database: BTreeSet<String>,
}

impl Comparison {
    /// Run every rule on the merged chain (with what the HEADs did to
    /// BASE's own revisions: `removed-revision`, `edited-revision`) and on
    /// BASE alone. The safety lints are added afterwards
    /// ([`Comparison::add_lint_findings`]).
    fn check(&mut self) {
        self.base_findings = alembic_doctor_rules::check(&self.base.project);
        self.base_keys = HashMap::new();
        for finding in &self.base_findings {
            self.base_keys
                .entry(finding.rule)
                .or_default()
                .insert(finding.message.clone());
        }
        let mut found = alembic_doctor_rules::check(&self.merged.project);
        found.extend(findings::branch_findings(
            &self.base,
            &self.heads,
            &self.differences,
            &self.merged,
        ));
        alembic_doctor_rules::sort_findings(&mut found);
        refused_rebases::drop_rebases_of_base_revisions(&mut found, &self.base.all_ids());
        self.merged.findings = found;
    }

    /// BASE alone has the same finding (same rule, same message): the
    /// merge inherits it rather than brings it. A fork BASE already has is
    /// inherited while the merge leaves no more heads than BASE has (its
    /// message names the heads, which a branch moves up); what the safety
    /// lints find in BASE's revisions a lagging database has not run
    /// (`--from`) is BASE's too.
    pub fn is_inherited(&self, finding: &Finding) -> bool {
        if finding.rule == Rule::MultipleHeads {
            return self.base_findings.iter().any(|f| f.rule == finding.rule)
                && self.merged.project.map.heads().len() <= self.base.project.map.heads().len();
        }
        if finding
            .revision
            .as_ref()
            .is_some_and(|id| self.pending_ids.contains(id))
        {
            return true;
        }
        self.base_keys
            .get(&finding.rule)
            .is_some_and(|messages| messages.contains(finding.message.as_str()))
    }

    /// The side labelled `label`: BASE or a HEAD.
    pub fn side(&self, label: &str) -> Option<&Side> {
        std::iter::once(&self.base)
            .chain(&self.heads)
            .find(|side| side.label == label)
    }

    /// The merged result's findings that BASE alone does not have: what
    /// the HEADs bring, which the exit status and annotations are about.
    pub fn new_findings(&self) -> Vec<Finding> {
        self.merged
            .findings
            .iter()
            .filter(|finding| !self.is_inherited(finding))
            .cloned()
            .collect()
    }

    /// The revisions the path from `start` applies that BASE already has
    /// (none from BASE's heads, or when the path cannot be computed).
    pub fn pending_base_revisions(&self, start: &Start) -> Vec<String> {
        if !start.is_given() {
            return Vec::new();
        }
        let new: BTreeSet<&str> = self
            .differences
            .iter()
            .flat_map(|diff| &diff.new)
            .map(|change| change.id.as_str())
            .collect();
        let on_base = self.base.all_ids();
        self.path(start)
            .unwrap_or_default()
            .into_iter()
            .filter(|id| !new.contains(id.as_str()) && on_base.contains(id.as_str()))
            .collect()
    }

    /// Plan again knowing what the database at `start` has applied (nothing
    /// changes unless it is a database): a revision it has run is never
    /// re-parented (`fix rebase` would refuse it), its fork is joined by a
    /// merge revision instead.
    pub fn plan_for_database(&mut self, start: &Start, options: &CommandOptions) {
        let Some(state) = start.database() else {
            return;
        };
        let map = &self.merged.project.map;
        let rows: Vec<usize> = state
            .rows
            .iter()
            .filter_map(|row| match map.resolve(row).as_deref() {
                Ok([rev]) => Some(*rev),
                _ => None,
            })
            .collect();
        let applied: BTreeSet<String> = map
            .ancestors(&rows)
            .into_iter()
            .map(|rev| map.revisions()[rev].id.clone())
            .collect();
        if applied.is_empty() {
            return;
        }
        self.applied_on_database = applied;
        self.plan = plan::plan(self, options);
    }

    /// Describe [`Comparison::pending_base_revisions`] from BASE's files,
    /// into `pending_notes`.
    pub fn add_pending_notes(&mut self, start: &Start) {
        let pending: BTreeSet<String> = self.pending_base_revisions(start).into_iter().collect();
        if pending.is_empty() {
            return;
        }
        self.pending_notes = side_notes(&self.base, |id, _| pending.contains(id));
        self.pending_ids = pending.into_iter().collect();
    }

    /// Every HEAD extends BASE's single head.
    pub fn extends_base_head(&self) -> bool {
        self.differences.iter().all(|d| d.extends_base_head)
    }

    /// The migration path after the merge, from `start`. From a
    /// database's rows it is exactly what `alembic upgrade heads` would
    /// run on that database, in its order, or Alembic's error (an id the
    /// merged chain does not know: `Can't locate revision`; an ancestor
    /// pair: `... overlaps ...`), as `status` computes it.
    pub fn path(&self, start: &Start) -> Result<Vec<String>, String> {
        let starts = match start {
            Start::Revision(symbol) => vec![symbol.clone()],
            Start::BaseHeads => self.base.ids(self.base.project.map.heads()),
            Start::Database(state) => {
                let map = &self.merged.project.map;
                return map
                    .upgrade_order_from(&state.rows, "heads")
                    .map(|order| {
                        order
                            .into_iter()
                            .map(|rev| map.revisions()[rev].id.clone())
                            .collect()
                    })
                    .map_err(|error| {
                        let error = error.to_string();
                        error
                            .strip_prefix("FAILED: ")
                            .map_or(error.clone(), ToOwned::to_owned)
                    });
            }
        };
        self.merged.path(&starts)
    }
}

/// Compare `heads` with `base`: load every side, diff each HEAD against
/// BASE, and simulate merging them all into BASE.
pub fn compare(
    repo: &GitRepo,
    base: ResolvedRev,
    heads: Vec<SideSpec>,
    request: &CompareRequest,
) -> Result<Comparison, CompareError> {
    let load = side_request(repo, &request.load);
    let cache = request.cache.as_ref();
    let base = Side::load(repo, SideSpec::Rev(base), &load, cache)?;
    let heads = heads
        .into_iter()
        .map(|spec| match spec {
            // The working tree is read where the command runs.
            SideSpec::WorkTree => Side::load(repo, SideSpec::WorkTree, &request.load, cache),
            rev @ SideSpec::Rev(_) => Side::load(repo, rev, &load, cache),
        })
        .collect::<Result<Vec<_>, _>>()?;
    compare_sides(repo, base, heads, &load, cache, &request.command_options)
}

/// BASE's side, read from its tree: for [`compare_loaded`], by a caller
/// that decides what to do when it has no Alembic project
/// ([`CompareError::missing_project`]) before loading the HEADs.
pub fn load_base(
    repo: &GitRepo,
    base: ResolvedRev,
    request: &CompareRequest,
) -> Result<Side, CompareError> {
    let load = side_request(repo, &request.load);
    Side::load(repo, SideSpec::Rev(base), &load, request.cache.as_ref())
}

/// [`compare`] with BASE ([`load_base`]) and the HEADs already loaded (the
/// working tree's with [`Side::work_tree`]).
pub fn compare_loaded(
    repo: &GitRepo,
    base: Side,
    heads: Vec<Side>,
    request: &CompareRequest,
) -> Result<Comparison, CompareError> {
    let load = side_request(repo, &request.load);
    let cache = request.cache.as_ref();
    compare_sides(repo, base, heads, &load, cache, &request.command_options)
}

/// Diff each loaded HEAD against BASE and simulate the merge. `load` is
/// the request as moved into the trees ([`side_request`]); the merge is
/// read through `cache` when given.
fn compare_sides(
    repo: &GitRepo,
    base: Side,
    heads: Vec<Side>,
    load: &LoadRequest,
    cache: Option<&ParseCache>,
    command_options: &CommandOptions,
) -> Result<Comparison, CompareError> {
    let ancestors = heads
        .iter()
        .map(|head| merge::merge_base_state(repo, &base, head))
        .collect::<Result<Vec<_>, _>>()?;
    let behind_base = heads
        .iter()
        .map(|head| behind(repo, &base, head))
        .collect::<Result<Vec<_>, _>>()?;
    let differences: Vec<Differences> = heads
        .iter()
        .zip(&ancestors)
        .map(|(head, ancestor)| diff::differences(&base, head, &ancestor.files))
        .collect();
    let merged = merge::simulate(&base, &heads, &ancestors, load.display_root(), cache)?;
    let duplicate_ids = duplicate_ids(&base, &heads, &merged);
    let pair_conflicts = pair_conflicts(&heads, &differences);
    // A revision several HEADs bring (stacked branches) is described once.
    let mut described = BTreeSet::new();
    let notes = heads
        .iter()
        .zip(&differences)
        .flat_map(|(head, diff)| new_revision_notes(head, diff))
        .filter(|notes| described.insert((notes.id.clone(), notes.path.clone())))
        .collect();
    let mut comparison = Comparison {
        base,
        heads,
        differences,
        behind_base,
        duplicate_ids,
        pair_conflicts,
        merged,
        plan: Plan::default(),
        notes,
        base_findings: Vec::new(),
        base_keys: HashMap::new(),
        pending_ids: HashSet::new(),
        pending_notes: Vec::new(),
        applied_on_database: BTreeSet::new(),
    };
    comparison.check();
    // A Flask-Migrate project's `alembic` commands are `flask db` ones.
    let command_options = command_options
        .clone()
        .for_project(&comparison.merged.project.config, &load.cwd);
    comparison.plan = plan::plan(&comparison, &command_options);
    Ok(comparison)
}

/// BASE's commit is not an ancestor of `head`'s (of `HEAD` for the
/// working tree).
fn behind(repo: &GitRepo, base: &Side, head: &Side) -> Result<bool, CompareError> {
    let Some(base_rev) = &base.rev else {
        return Ok(false);
    };
    let head_rev = match &head.rev {
        Some(rev) => rev.clone(),
        None => repo.resolve("HEAD")?,
    };
    Ok(match repo.merge_base(base_rev, &head_rev)? {
        Some(ancestor) => ancestor.commit_id() != base_rev.commit_id(),
        None => true,
    })
}

/// The notes of `head`'s new revisions, in `head`'s upgrade order (file
/// order where the chain is too broken to order).
fn new_revision_notes(head: &Side, diff: &Differences) -> Vec<RevisionNotes> {
    let wanted: BTreeSet<(&str, &str)> = diff
        .new
        .iter()
        .map(|change| (change.id.as_str(), change.path.as_str()))
        .collect();
    side_notes(head, |id, path| wanted.contains(&(id, path)))
}

/// The notes of the revisions of `side` that `wanted` picks (by id and
/// displayed path), read together (a table one of them creates is new to
/// the others), in `side`'s upgrade order.
fn side_notes(side: &Side, wanted: impl Fn(&str, &str) -> bool) -> Vec<RevisionNotes> {
    let project = &side.project;
    let map = &project.map;
    let position: BTreeMap<usize, usize> = map
        .upgrade_order()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(position, rev)| (rev, position))
        .collect();
    let mut new: Vec<(usize, usize)> = (0..map.revisions().len())
        .filter(|&rev| wanted(&map.revisions()[rev].id, &project.file_of(rev).display_path))
        .map(|rev| (position.get(&rev).copied().unwrap_or(usize::MAX), rev))
        .collect();
    new.sort_unstable();
    let revisions: Vec<notes::NewRevision<'_>> = new
        .iter()
        .map(|&(_, rev)| {
            let file = project.file_of(rev);
            let input = &map.revisions()[rev];
            notes::NewRevision {
                id: &input.id,
                path: &file.display_path,
                side: &side.label,
                message: file
                    .script()
                    .and_then(|script| script.docstring.as_ref())
                    .map_or("", |doc| doc.doc.as_str()),
                bytes: &file.bytes,
                line_index: file.line_index(),
                merge_of: if input.down_revisions.len() > 1 {
                    input.down_revisions.clone()
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    notes::notes(&revisions)
}

/// `request` with its `cwd` and `display_root` moved to the same
/// directories in the repository's trees (rooted at the working tree's
/// canonical root). A bare repository has no directory to correspond to:
/// its root is used.
fn side_request(repo: &GitRepo, request: &LoadRequest) -> LoadRequest {
    let in_trees =
        |dir: &Path| -> PathBuf { repo.root().join(repo.path_in_repo(dir).unwrap_or_default()) };
    LoadRequest {
        cwd: in_trees(&request.cwd),
        display_root: request.display_root.as_deref().map(in_trees),
        operations: false,
        keep_bytes: true,
        ..request.clone()
    }
}

/// Ids that more than one file declares in the merged result, with every
/// side's file for them.
fn duplicate_ids(base: &Side, heads: &[Side], merged: &Merged) -> Vec<DuplicateId> {
    let mut files_per_id: BTreeMap<&str, BTreeSet<&std::path::Path>> = BTreeMap::new();
    for (rev, input) in merged.project.map.revisions().iter().enumerate() {
        files_per_id
            .entry(input.id.as_str())
            .or_default()
            .insert(merged.project.file_of(rev).path.as_path());
    }
    files_per_id
        .into_iter()
        .filter(|(_, files)| files.len() > 1)
        .map(|(id, _)| {
            // A file several sides have (BASE's, kept by a HEAD) is one
            // file: listed once, with every side that has it.
            let mut copies: Vec<DuplicateCopy> = Vec::new();
            for side in std::iter::once(base).chain(heads) {
                for (rev, input) in side.project.map.revisions().iter().enumerate() {
                    if input.id == id {
                        let path = &side.project.file_of(rev).display_path;
                        match copies.iter_mut().find(|copy| &copy.path == path) {
                            Some(copy) if !copy.on(&side.label) => {
                                copy.sides.push(side.label.clone());
                            }
                            Some(_) => {}
                            None => copies.push(DuplicateCopy {
                                path: path.clone(),
                                sides: vec![side.label.clone()],
                            }),
                        }
                    }
                }
            }
            DuplicateId {
                id: id.to_owned(),
                files: copies
                    .iter()
                    .map(|copy| (copy.sides.join(", "), copy.path.clone()))
                    .collect(),
                copies,
            }
        })
        .collect()
}

/// HEAD pairs that start different new chains from the same revision, or
/// claim the same new id in different files. Stacked branches (one HEAD
/// holding the other's new revisions) fork nothing.
fn pair_conflicts(heads: &[Side], differences: &[Differences]) -> Vec<PairConflict> {
    let children: Vec<BTreeMap<String, BTreeSet<(&str, &str)>>> = heads
        .iter()
        .zip(differences)
        .map(|(head, diff)| new_children(head, diff))
        .collect();
    let mut conflicts = Vec::new();
    for i in 0..heads.len() {
        for j in i + 1..heads.len() {
            let (a, b) = (&differences[i], &differences[j]);
            // Each side has a new child of the parent that the other lacks:
            // merging both leaves two heads there.
            let same_parent: Vec<String> = a
                .starts_from
                .iter()
                .filter(|id| b.starts_from.contains(id))
                .filter(|&id| {
                    let (mine, theirs) = (&children[i][id], &children[j][id]);
                    !mine.is_subset(theirs) && !theirs.is_subset(mine)
                })
                .cloned()
                .collect();
            let same_id: Vec<String> = a
                .new
                .iter()
                .filter(|x| b.new.iter().any(|y| y.id == x.id && y.path != x.path))
                .map(|x| x.id.clone())
                .collect();
            if !same_parent.is_empty() || !same_id.is_empty() {
                conflicts.push(PairConflict {
                    sides: [heads[i].label.clone(), heads[j].label.clone()],
                    same_parent,
                    same_id,
                });
            }
        }
    }
    conflicts
}

/// For each revision `head`'s new chains start from, its new children
/// there, as (id, displayed path).
fn new_children<'a>(
    head: &'a Side,
    diff: &'a Differences,
) -> BTreeMap<String, BTreeSet<(&'a str, &'a str)>> {
    let map = &head.project.map;
    let mut children: BTreeMap<String, BTreeSet<(&str, &str)>> = diff
        .starts_from
        .iter()
        .map(|id| (id.clone(), BTreeSet::new()))
        .collect();
    let new: BTreeSet<(&str, &str)> = diff
        .new
        .iter()
        .map(|change| (change.id.as_str(), change.path.as_str()))
        .collect();
    // One pass over the map, not one per new revision: branches can add
    // thousands.
    for (rev, input) in map.revisions().iter().enumerate() {
        let Some(&key) = new.get(&(
            input.id.as_str(),
            head.project.file_of(rev).display_path.as_str(),
        )) else {
            continue;
        };
        for parent in diff::parents(&head.project, rev) {
            if let Some(set) = children.get_mut(&map.revisions()[parent].id) {
                set.insert(key);
            }
        }
    }
    children
}

impl Comparison {
    /// The revisions the safety lints look at: every HEAD's new and edited
    /// revisions, and those described in `pending_notes` (the rest of the
    /// merged chain is history).
    pub fn lint_scope(&self) -> BTreeSet<String> {
        self.differences
            .iter()
            .flat_map(|diff| diff.new.iter().chain(&diff.edited))
            .map(|change| change.id.clone())
            .chain(self.pending_notes.iter().map(|notes| notes.id.clone()))
            .collect()
    }

    /// The files the safety lints are about (as displayed): every HEAD's
    /// new and edited revisions' files, and those described in
    /// `pending_notes`. The lints run by id ([`Comparison::lint_scope`]),
    /// so with a duplicated id they read BASE's copy too; that copy is
    /// BASE's history, not the branch's work.
    pub fn lint_files(&self) -> BTreeSet<String> {
        self.differences
            .iter()
            .flat_map(|diff| diff.new.iter().chain(&diff.edited))
            .map(|change| change.path.clone())
            .chain(self.pending_notes.iter().map(|notes| notes.path.clone()))
            .collect()
    }

    /// The displayed path of the file `finding` points at, in the merged
    /// project.
    pub fn finding_path(&self, finding: &Finding) -> Option<&str> {
        let location = finding.location?;
        self.merged
            .project
            .files
            .get(location.file)
            .map(|file| file.display_path.as_str())
    }

    /// Add the safety lints' findings (on the merged project): to the
    /// merged result's findings, and to the notes of the revisions they
    /// are about, where they replace the notes saying the same thing less
    /// precisely (the lints know the dialect and the suppressions). Keyed
    /// by file, not by id: with a duplicated id, what the lints find in
    /// BASE's copy is neither the branch's nor in its notes (it is dropped:
    /// BASE's revisions are history, out of the lints' scope).
    pub fn add_lint_findings(&mut self, findings: Vec<Finding>) {
        let files = self.lint_files();
        let findings: Vec<Finding> = findings
            .into_iter()
            .filter(|finding| {
                finding.location.is_none()
                    || self
                        .finding_path(finding)
                        .is_some_and(|path| files.contains(path))
            })
            .collect();
        let project = &self.merged.project;
        // Grouped once by revision and file: notes times findings would be
        // quadratic.
        let mut by_revision: HashMap<(&str, &str), Vec<&Finding>> = HashMap::new();
        for finding in &findings {
            if let Some(id) = &finding.revision
                && let Some(file) = finding.location.and_then(|l| project.files.get(l.file))
            {
                by_revision
                    .entry((id.as_str(), file.display_path.as_str()))
                    .or_default()
                    .push(finding);
            }
        }
        for revision in self.notes.iter_mut().chain(&mut self.pending_notes) {
            let Some(mine) = by_revision.get(&(revision.id.as_str(), revision.path.as_str()))
            else {
                continue;
            };
            revision
                .notes
                .retain(|note| !notes::covered_by_lints(note.code));
            for finding in mine {
                let line = finding.location.and_then(|location| {
                    let file = project.files.get(location.file)?;
                    Some(file.line_index().line_of(location.span.start) + 1)
                });
                revision.notes.push(Note {
                    code: finding.rule.name(),
                    // A lint finding is always something to act on.
                    level: NoteLevel::Warning,
                    message: finding.message.clone(),
                    line,
                });
            }
            revision
                .notes
                .sort_by_key(|note| note.line.unwrap_or(usize::MAX));
        }
        let merged = &mut self.merged.findings;
        merged.extend(findings);
        alembic_doctor_rules::sort_findings(merged);
    }
}
