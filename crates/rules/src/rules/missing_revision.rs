//! `missing-revision`: a file in a version directory declares no `revision`.

pub(crate) const EXPLANATION: &str = r#"# missing-revision

## What it does
Reports a `.py` file in a version directory that does not assign the
module-level variable `revision` (and whose name is not a bare hex id such as
`1975ea83b712.py`, which Alembic would take as the id).

## Why is this bad?
Alembic treats every `.py` file in a version directory as a migration and
stops with `Could not determine revision id from filename ...` on the first
one without a `revision`: a stray helper module breaks every command.

## How to fix
Move helper modules out of the version directories (a sibling package works,
importable from the migrations), or add the missing `revision = "..."`.
"#;

use alembic_doctor_project::{IdProblem, Project};
use alembic_doctor_script::ValueProblem;
use alembic_doctor_source::Span;

use crate::{Finding, Rule};

/// `missing-revision` and `missing-down-revision`: the two variables Alembic
/// cannot do without.
pub(crate) fn check(project: &Project, out: &mut Vec<Finding>) {
    for (index, file) in project.files.iter().enumerate() {
        // A syntax error hides the rest of a file from any reader; Alembic
        // fails with the SyntaxError, which `syntax-error` reports.
        if file.marks.syntax_errors {
            continue;
        }
        if let Some(IdProblem::Revision(ValueProblem::MissingRevision)) = &file.id_problem {
            out.push(
                Finding::new(
                    Rule::MissingRevision,
                    format!(
                        "{} is in a version directory but declares no `revision`; Alembic stops \
                         every command with \"Could not determine revision id from filename\"",
                        file.display_path
                    ),
                )
                .at(index, Span::default(), "no `revision = ...` in this file")
                .help(
                    "move helper modules out of the version directories, or add the missing \
                     `revision = \"...\"`",
                ),
            );
        }
        let missing_down = file
            .variable_problems
            .iter()
            .any(|p| p.problem == ValueProblem::MissingDownRevision);
        if missing_down {
            let revision = file.revision.map(|r| project.map.revisions()[r].id.clone());
            let span = file
                .script()
                .and_then(|s| s.revision.value().map(|_| &s.revision))
                .and_then(|v| match v {
                    alembic_doctor_script::Variable::Bound(b) => Some(b.statement),
                    alembic_doctor_script::Variable::Missing => None,
                })
                .unwrap_or_default();
            let mut finding = Finding::new(
                Rule::MissingDownRevision,
                format!(
                    "revision `{}` in {} declares no `down_revision`; Alembic fails with an \
                     AttributeError on every command",
                    revision.as_deref().unwrap_or("?"),
                    file.display_path
                ),
            )
            .at(index, span, "`down_revision` should follow this")
            .help("add `down_revision = None` for a first revision, or the id of the revision it follows");
            if let Some(revision) = revision {
                finding = finding.revision(revision);
            }
            out.push(finding);
        }
    }
}
