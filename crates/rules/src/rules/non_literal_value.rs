//! `non-literal-value`: a revision variable whose value cannot be known without running the file.

pub(crate) const EXPLANATION: &str = r#"# non-literal-value

## What it does
Reports `revision`, `down_revision`, `branch_labels` or `depends_on` when its
value is not a literal that can be read statically: built by a function call,
imported from a module that cannot be found in the project, assigned only
inside `if`/`try`, or of a type Alembic cannot use. Names bound earlier in the
file and constants imported from the project's own modules are resolved and
do not trigger this rule.

## Why is this bad?
The chain then depends on what the code does at import time (installed
packages, environment variables), so two machines can see two different
graphs. alembic-doctor cannot check what it cannot read, and says so instead
of guessing.

## How to fix
Write the value as a literal (`down_revision = "1975ea83b712"`), or define the
constant as a literal in a module inside the project.
"#;

use alembic_doctor_project::{IdProblem, Project};
use alembic_doctor_script::{ValueProblem, Variable};
use alembic_doctor_source::Span;

use crate::{Finding, Rule, Severity};

pub(crate) fn check(project: &Project, out: &mut Vec<Finding>) {
    for (index, file) in project.files.iter().enumerate() {
        // Most files have nothing to report: leave their cached scripts
        // encoded.
        let nothing_to_report = file.variable_problems.is_empty()
            && !matches!(file.id_problem, Some(IdProblem::Revision(_)))
            && !file.marks.conditional_assignment;
        if nothing_to_report {
            continue;
        }
        let Some(script) = file.script() else {
            continue;
        };
        let revision = file.revision.map(|r| project.map.revisions()[r].id.clone());
        let mut problems: Vec<(&str, &ValueProblem)> = file
            .variable_problems
            .iter()
            .map(|p| (p.variable, &p.problem))
            .collect();
        if let Some(IdProblem::Revision(problem)) = &file.id_problem {
            problems.insert(0, ("revision", problem));
        }
        for (variable, problem) in problems {
            let (rule, message, span) = match problem {
                ValueProblem::Unknown { reason, span } => (
                    Rule::NonLiteralValue,
                    format!(
                        "`{variable}` in {} cannot be read without running the file: {reason}",
                        file.display_path
                    ),
                    *span,
                ),
                ValueProblem::Invalid { message } => (
                    if variable == "revision" {
                        Rule::InvalidRevisionId
                    } else {
                        Rule::NonLiteralValue
                    },
                    format!("`{variable}` in {}: {message}", file.display_path),
                    value_span(script, variable),
                ),
                ValueProblem::MissingRevision | ValueProblem::MissingDownRevision => continue,
            };
            let mut finding = Finding::new(rule, message).at(index, span, "not a literal alembic-doctor can read").help(
                "write the value as a literal (`down_revision = \"1975ea83b712\"`), or define the \
                 constant as a literal in a module inside the project",
            );
            if let Some(revision) = &revision {
                finding = finding.revision(revision.clone());
            }
            out.push(finding);
        }
        // Assigned only inside `if`/`try`/...: the value is known, but not
        // whether that code runs.
        for (variable, binding) in [
            ("revision", &script.revision),
            ("down_revision", &script.down_revision),
            ("branch_labels", &script.branch_labels),
            ("depends_on", &script.depends_on),
        ] {
            if let Variable::Bound(binding) = binding
                && binding.conditional
            {
                {
                    let mut finding = Finding::new(
                        Rule::NonLiteralValue,
                        format!(
                            "`{variable}` in {} is assigned inside a conditional block; its value \
                             depends on what runs at import time",
                            file.display_path
                        ),
                    )
                    .at(index, binding.statement, "conditional assignment")
                    .help("assign the value unconditionally at module level");
                    finding.severity = Severity::Warning;
                    if let Some(revision) = &revision {
                        finding = finding.revision(revision.clone());
                    }
                    out.push(finding);
                }
            }
        }
    }
}

fn value_span(script: &alembic_doctor_script::Script, variable: &str) -> Span {
    let var = match variable {
        "revision" => &script.revision,
        "down_revision" => &script.down_revision,
        "branch_labels" => &script.branch_labels,
        _ => &script.depends_on,
    };
    match var {
        Variable::Bound(binding) => binding.value_span,
        Variable::Missing => Span::default(),
    }
}
