//! What a fix will do, before it is done: the new bytes of every file it
//! touches, the renames, the new files, what each fix means in the user's
//! words, and what must be true afterwards for the fix to be kept.
//!
//! Planners build a [`Plan`] through a [`PlanBuilder`], which collects byte
//! edits per file from several fixes (a child's `down_revision` and its
//! `Revises:` line, say) and applies them together, so that one file is
//! written once.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use alembic_doctor_project::Project;
use alembic_doctor_rules::Rule;

use crate::FixError;
use crate::edit::{Edit, apply_edits};

/// Which repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FixKind {
    /// A duplicated revision id given a fresh id.
    DuplicateId,
    /// A child re-pointed at the renamed copy of its parent.
    Reference,
    /// A `Revision ID:` / `Revises:` header line brought in line with the
    /// variables.
    Header,
    /// A merge revision written.
    Merge,
    /// A revision re-parented.
    Rebase,
    /// A redundant copy of a migration (the same operations under the same
    /// id) deleted.
    RemovedCopy,
}

impl FixKind {
    /// The name printed and reported (`duplicate-id`, `header`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            FixKind::DuplicateId => "duplicate-id",
            FixKind::Reference => "reference",
            FixKind::Header => "header",
            FixKind::Merge => "merge",
            FixKind::Rebase => "rebase",
            FixKind::RemovedCopy => "removed-copy",
        }
    }
}

impl fmt::Display for FixKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One repair, as a status report lists it ("Issues found and fixed").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedFix {
    /// Which repair.
    pub kind: FixKind,
    /// The file, at its path after the fix.
    pub file: PathBuf,
    /// The id (or, for a header or a rebase, the value) before.
    pub old_id: Option<String>,
    /// The id (or value) after.
    pub new_id: Option<String>,
    /// One sentence for people.
    pub description: String,
}

/// An existing file the plan rewrites and/or renames.
#[derive(Debug, Clone)]
pub struct FileChange {
    /// Where the file is now.
    pub path: PathBuf,
    /// `path` as shown to people.
    pub display: String,
    /// Where it goes, when renamed.
    pub new_path: Option<PathBuf>,
    /// `new_path` as shown to people.
    pub new_display: Option<String>,
    /// The bytes it has now.
    pub before: Vec<u8>,
    /// The bytes it will have (equal to `before` for a pure rename).
    pub after: Vec<u8>,
}

impl FileChange {
    /// Where the file is after the fix.
    pub fn final_path(&self) -> &PathBuf {
        self.new_path.as_ref().unwrap_or(&self.path)
    }
}

/// A file the plan creates (a merge revision).
#[derive(Debug, Clone)]
pub struct NewFile {
    /// Where.
    pub path: PathBuf,
    /// `path` as shown to people.
    pub display: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// An existing file the plan deletes: a redundant copy of a migration.
#[derive(Debug, Clone)]
pub struct RemovedFile {
    /// Where it is.
    pub path: PathBuf,
    /// `path` as shown to people.
    pub display: String,
    /// Its bytes, checked again before it is deleted and written back if
    /// the fix is undone.
    pub before: Vec<u8>,
}

/// What must hold after the fix for it to be kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// No finding of `rule` in this file (its path after the fix).
    NoFindingIn { rule: Rule, path: PathBuf },
    /// Revision `id` is no longer a head.
    NotAHead { id: String },
    /// Revision `id` exists and has exactly these parents.
    Parents { id: String, parents: Vec<String> },
}

/// Everything one `fix` run will do.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Existing files rewritten or renamed, in load order.
    pub changes: Vec<FileChange>,
    /// New files.
    pub created: Vec<NewFile>,
    /// Files deleted.
    pub removed: Vec<RemovedFile>,
    /// The repairs, for people and for the status report.
    pub fixes: Vec<AppliedFix>,
    /// Things the user should know (a template that could not be used, a
    /// header left alone because it could not be rewritten exactly).
    pub notes: Vec<String>,
    pub(crate) targets: Vec<Target>,
    /// Rules whose new findings are an expected consequence, not a
    /// regression: two copies of one id sharing a parent are a fork the
    /// duplicate hid, which `multiple-heads` reports once they differ.
    pub(crate) revealed_rules: Vec<Rule>,
    /// (file after the fix, old id, new id), to recognise a finding about
    /// a renamed revision as the same finding.
    pub(crate) renamed_ids: Vec<(PathBuf, String, String)>,
}

impl Plan {
    /// True when there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.created.is_empty() && self.removed.is_empty()
    }

    /// Every path the plan writes, removes or creates.
    pub fn touched_paths(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = Vec::new();
        for change in &self.changes {
            paths.push(change.path.clone());
            paths.extend(change.new_path.clone());
        }
        paths.extend(self.created.iter().map(|c| c.path.clone()));
        paths.extend(self.removed.iter().map(|r| r.path.clone()));
        paths
    }

    /// Path before → path after, for the files that move.
    pub(crate) fn renames(&self) -> BTreeMap<PathBuf, PathBuf> {
        self.changes
            .iter()
            .filter_map(|c| c.new_path.clone().map(|new| (c.path.clone(), new)))
            .collect()
    }
}

/// Collects edits per project file, then turns them into a [`Plan`].
#[derive(Debug, Default)]
pub(crate) struct PlanBuilder {
    edits: BTreeMap<usize, Vec<Edit>>,
    renames: BTreeMap<usize, (PathBuf, String)>,
    pub(crate) plan: Plan,
}

impl PlanBuilder {
    /// Edit file `file` (an index into the project's files).
    pub(crate) fn edit(&mut self, file: usize, edit: Edit) {
        self.edits.entry(file).or_default().push(edit);
    }

    /// Delete file `file`.
    pub(crate) fn remove(&mut self, project: &Project, file: usize) {
        let project_file = &project.files[file];
        self.plan.removed.push(RemovedFile {
            path: project_file.path.clone(),
            display: project_file.display_path.clone(),
            before: project_file.bytes.to_vec(),
        });
    }

    /// Rename file `file` to `to`.
    pub(crate) fn rename(&mut self, file: usize, to: PathBuf, display: String) {
        self.renames.insert(file, (to, display));
    }

    /// How the new name of `file` is shown, if it is renamed.
    pub(crate) fn renamed_display(&self, file: usize) -> Option<&str> {
        self.renames.get(&file).map(|(_, display)| display.as_str())
    }

    /// The new path of `file` if it is renamed, else its path.
    pub(crate) fn path_after(&self, project: &Project, file: usize) -> PathBuf {
        self.renames
            .get(&file)
            .map_or_else(|| project.files[file].path.clone(), |(to, _)| to.clone())
    }

    /// The plan, with every file's edits applied to its bytes.
    pub(crate) fn finish(mut self, project: &Project) -> Result<Plan, FixError> {
        let mut files: Vec<usize> = self.edits.keys().copied().collect();
        files.extend(self.renames.keys().copied());
        files.sort_unstable();
        files.dedup();
        for file in files {
            let project_file = &project.files[file];
            let before = project_file.bytes.to_vec();
            let edits = self.edits.remove(&file).unwrap_or_default();
            let after = apply_edits(&before, &edits).map_err(|overlap| FixError::Internal {
                message: format!(
                    "two fixes disagree about bytes {}..{} and {}..{} of {}",
                    overlap.first.start,
                    overlap.first.end,
                    overlap.second.start,
                    overlap.second.end,
                    project_file.display_path
                ),
            })?;
            let (new_path, new_display) = self.renames.remove(&file).unzip();
            if after == before && new_path.is_none() {
                continue;
            }
            self.plan.changes.push(FileChange {
                path: project_file.path.clone(),
                display: project_file.display_path.clone(),
                new_path,
                new_display,
                before,
                after,
            });
        }
        Ok(self.plan)
    }
}
