//! Findings for the problems the revision map itself detects (duplicate
//! ids, missing parents and dependencies, self-references, cycles, label
//! conflicts, invalid ids, hash-dependent orders): each becomes a finding of
//! its rule, pointed at the variable that causes it.

use alembic_doctor_graph::{GraphProblem, HashOrderNote, RevIdx};
use alembic_doctor_project::Project;

use crate::chain::{Var, describe, value_span};
use crate::{Finding, Rule};

pub(crate) fn check(project: &Project, out: &mut Vec<Finding>) {
    let map = &project.map;
    for problem in map.problems() {
        // `depends_on = ""` is harmless except on a base, where Alembic
        // then reports a dependency cycle.
        if let GraphProblem::EmptyDependency { revision } = problem
            && !map.revisions()[*revision].down_revisions.is_empty()
        {
            continue;
        }
        out.push(finding(project, problem));
    }
    for note in map.hash_order_notes() {
        if let Some(rev) = hash_note_revision(note) {
            out.push(
                Finding::new(Rule::HashDependentOrder, note.message(map))
                    .at(
                        project.revision_files[rev],
                        value_span(project, rev, Var::DependsOn),
                        "order chosen by Python's string hashing",
                    )
                    .revision(&map.revisions()[rev].id)
                    .help(
                        "write the value as a tuple or list, and make the dependencies depend on \
                         each other so that only one order is valid",
                    ),
            );
        }
    }
}

fn finding(project: &Project, problem: &GraphProblem) -> Finding {
    let map = &project.map;
    let message = problem.message(map);
    let id = |rev: RevIdx| map.revisions()[rev].id.clone();
    let at = |finding: Finding, rev: RevIdx, var: Var, label: &'static str| {
        finding
            .at(
                project.revision_files[rev],
                value_span(project, rev, var),
                label,
            )
            .revision(id(rev))
    };
    match problem {
        GraphProblem::DuplicateRevision { id: dup, revisions } => {
            let files: Vec<String> = revisions
                .iter()
                .map(|&r| project.file_of(r).display_path.clone())
                .collect();
            let mut finding = at(
                Finding::new(
                    Rule::DuplicateRevision,
                    format!(
                        "revision id `{dup}` is defined by {} files: {}",
                        revisions.len(),
                        files.join(" and ")
                    ),
                ),
                revisions[0],
                Var::Revision,
                "first definition",
            )
            .help(format!(
                "give all but one of these files a new id (Alembic's format: 12 random hex \
                 characters, e.g. `python -c \"import uuid; print(uuid.uuid4().hex[-12:])\"`), in \
                 `revision`, the `Revision ID:` line and the file name, and point that file's \
                 children at it; keep `{dup}` on the file that is already deployed"
            ));
            for &rev in &revisions[1..] {
                finding = finding.related(
                    project.revision_files[rev],
                    value_span(project, rev, Var::Revision),
                    "also defined here; Alembic silently uses the last file loaded",
                );
            }
            finding
        }
        GraphProblem::InvalidRevisionId { revision, .. } | GraphProblem::ReservedRevisionId { revision } => at(
            Finding::new(Rule::InvalidRevisionId, message),
            *revision,
            Var::Revision,
            "invalid id",
        )
        .help("give the revision an id made of letters, digits and `_`, and update every reference to it"),
        GraphProblem::SelfLoop { revision } => at(
            Finding::new(Rule::SelfReference, message),
            *revision,
            Var::DownRevision,
            "refers to itself",
        )
        .help("set down_revision to the revision this one follows (the file was probably copied)"),
        GraphProblem::DependencySelfLoop { revision, .. } => at(
            Finding::new(Rule::SelfReference, message),
            *revision,
            Var::DependsOn,
            "refers to itself",
        )
        .help("remove the revision's own id or label from depends_on"),
        GraphProblem::MissingParent { child, parent } => {
            let hint = suggestion(project, parent);
            at(
                Finding::new(Rule::MissingParent, message),
                *child,
                Var::DownRevision,
                "no revision has this id",
            )
            .help(hint.unwrap_or_else(|| {
                // `heads` and `history` refuse a chain Alembic cannot load,
                // so they cannot list the candidates; `check` does.
                "point down_revision (and the `Revises:` line) at the revision this one \
                 follows (`alembic-doctor check` names the heads it could follow), or restore \
                 the missing file"
                    .to_owned()
            }))
        }
        GraphProblem::DownRevisionIsLabel { child, owner, .. } => at(
            Finding::new(Rule::MissingParent, message),
            *child,
            Var::DownRevision,
            "a branch label, not a revision id",
        )
        .help(format!(
            "use the revision id instead, e.g. `{}` (the revision declaring the label) or the \
             current head of that branch",
            id(*owner)
        )),
        GraphProblem::MissingDependency {
            revision,
            dependency,
            prefix_of,
        } => {
            let help = match prefix_of.as_slice() {
                [only] => format!("write the full id: `{}`", id(*only)),
                _ => suggestion(project, dependency).unwrap_or_else(|| {
                    "use a full revision id or an existing branch label, or remove the entry".to_owned()
                }),
            };
            at(
                Finding::new(Rule::MissingDependency, message),
                *revision,
                Var::DependsOn,
                "no revision or label has this name",
            )
            .help(help)
        }
        GraphProblem::EmptyDependency { revision } => at(
            Finding::new(
                Rule::MissingDependency,
                format!(
                    "{message}; on a base revision this makes Alembic fail with \"Dependency \
                     cycle is detected\""
                ),
            ),
            *revision,
            Var::DependsOn,
            "empty dependency",
        )
        .help("write `depends_on = None`"),
        GraphProblem::BranchLabelConflict {
            revision,
            already_used_by,
            ..
        } => at(
            Finding::new(Rule::BranchLabelConflict, message),
            *revision,
            Var::BranchLabels,
            "label already taken",
        )
        .related(
            project.revision_files[*already_used_by],
            value_span(project, *already_used_by, Var::BranchLabels),
            format!("taken by {}", describe(project, *already_used_by)),
        )
        .help("keep the label on the revision that starts the branch and remove or rename the other"),
        GraphProblem::Cycle {
            revisions,
            via_dependencies,
        } => {
            let var = if *via_dependencies {
                Var::DependsOn
            } else {
                Var::DownRevision
            };
            let mut finding = at(Finding::new(Rule::Cycle, message), revisions[0], var, "part of the cycle");
            for &rev in &revisions[1..] {
                finding = finding.related(
                    project.revision_files[rev],
                    value_span(project, rev, var),
                    format!("`{}` is part of the cycle", id(rev)),
                );
            }
            finding.help(
                "find the revision in the loop whose parent is wrong (usually the newest file) and \
                 point it at the revision it really follows",
            )
        }
    }
}

/// "did you mean" for a missing id: the one revision it is a prefix of, or
/// the one revision that is a prefix of it (a truncated or extended copy).
fn suggestion(project: &Project, missing: &str) -> Option<String> {
    if missing.len() < 4 {
        return None;
    }
    let mut candidates = project
        .map
        .revisions()
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| id.starts_with(missing) || (id.len() >= 4 && missing.starts_with(id)));
    let first = candidates.next()?;
    candidates
        .next()
        .is_none()
        .then(|| format!("did you mean `{first}`?"))
}

/// The revision of a note that changes what `upgrade` does; notes about
/// display order only (children of a branch point, several labels) are not
/// findings.
fn hash_note_revision(note: &HashOrderNote) -> Option<RevIdx> {
    match note {
        HashOrderNote::NormalizedDependencies { revision, .. }
        | HashOrderNote::SetTypedValue { revision } => Some(*revision),
        _ => None,
    }
}
