//! Edits of BASE's revisions that repair BASE.
//!
//! An edit of a revision BASE already has is normally put back: databases
//! may have run it as BASE has it. One kind of edit is the opposite case:
//! BASE's version names a parent (or dependency) that no revision of BASE
//! defines, so Alembic cannot read BASE's chain at all (`Revision ... is
//! not present`), and the branch's version points at revisions that exist.
//! No database ran BASE's chain as it stands, and putting the file back
//! would break the chain again, so the plan keeps such an edit and the
//! `edited-revision` finding says what it repairs.

use alembic_doctor_graph::GraphProblem;
use alembic_doctor_project::Project;

use crate::diff::RevisionChange;
use crate::side::Side;

/// What `edited` repairs on BASE, in words (code spans), or `None` when it
/// repairs nothing: BASE's version of the revision refers to ids BASE does
/// not define, and the edited version's references all resolve in `merged`.
pub(crate) fn repaired_by_edit(
    base: &Side,
    merged: &Project,
    edited: &RevisionChange,
) -> Option<String> {
    let base_path = edited.base_path.as_deref().unwrap_or(&edited.path);
    merged.map.lookup(&edited.id)?;
    let on_base = missing_references(&base.project, &edited.id, base_path);
    if on_base.is_empty() || !missing_references(merged, &edited.id, &edited.path).is_empty() {
        return None;
    }
    let listed: Vec<String> = on_base
        .iter()
        .map(|(what, id)| format!("{what} `{id}`"))
        .collect();
    Some(format!(
        "`{}`'s version has {}, which no revision of `{}` defines, so Alembic cannot run `{}`'s chain as it stands",
        base.label,
        listed.join(" and "),
        base.label,
        base.label
    ))
}

/// The references of the revision `id` in the file shown as `path` on
/// `project` that resolve to no revision (as `missing-parent` and
/// `missing-dependency` report them). Only the graph's problems are read,
/// not every revision: a branch may edit thousands of revisions, and
/// problems are few.
fn missing_references(project: &Project, id: &str, path: &str) -> Vec<(&'static str, String)> {
    let is_this = |rev: usize| {
        project.map.revisions()[rev].id == id && project.file_of(rev).display_path == path
    };
    project
        .map
        .problems()
        .iter()
        .filter_map(|problem| match problem {
            GraphProblem::MissingParent { child, parent } if is_this(*child) => {
                Some(("down_revision", parent.clone()))
            }
            GraphProblem::MissingDependency {
                revision,
                dependency,
                ..
            } if is_this(*revision) => Some(("depends_on", dependency.clone())),
            _ => None,
        })
        .collect()
}
