//! `fix headers`: bring the docstring's `Revision ID:` and `Revises:` lines
//! back in line with `revision` and `down_revision`.
//!
//! Driven by the `header-mismatch` findings, so the fix and the check agree
//! on what is stale: a line that differs only in formatting (`('a', 'b')`,
//! `None`) is not reported and not touched. Only the value after the key is
//! replaced; the key, the spacing and the line ending stay.

use alembic_doctor_project::Project;
use alembic_doctor_rules::Rule;
use alembic_doctor_script::ValueProblem;

use crate::FixError;
use crate::edit::Edit;
use crate::plan::{AppliedFix, FixKind, Plan, PlanBuilder, Target};

/// The plan that rewrites every stale header line of `project`.
pub fn plan(project: &Project) -> Result<Plan, FixError> {
    let mut builder = PlanBuilder::default();
    add_header_fixes(project, &mut builder);
    builder.finish(project)
}

/// Add the header fixes of `project` to `builder`.
pub(crate) fn add_header_fixes(project: &Project, builder: &mut PlanBuilder) {
    note_unreadable_values(project, builder);
    let findings = alembic_doctor_rules::check(project);
    for finding in findings.iter().filter(|f| f.rule == Rule::HeaderMismatch) {
        let Some(location) = finding.location else {
            continue;
        };
        let file = &project.files[location.file];
        let (Some(script), Some(rev)) = (file.script(), file.revision) else {
            continue;
        };
        let Some(header) = script.docstring.as_ref().map(|d| &d.header) else {
            continue;
        };
        let input = &project.map.revisions()[rev];
        let points_at = |line: &Option<alembic_doctor_script::HeaderLine>| {
            line.as_ref().is_some_and(|l| {
                l.value_span == Some(location.span) || l.line_span == location.span
            })
        };
        let (key, line, expected) = if points_at(&header.revision_id) {
            ("Revision ID", header.revision_id.as_ref(), input.id.clone())
        } else if points_at(&header.revises) {
            (
                "Revises",
                header.revises.as_ref(),
                input.down_revisions.join(", "),
            )
        } else {
            continue;
        };
        let Some(line) = line else {
            continue;
        };
        let Some(span) = line.value_span else {
            builder.plan.notes.push(format!(
                "{}: the `{key}:` line cannot be rewritten exactly (the docstring has an escape sequence before it); change it to `{key}: {expected}` by hand",
                file.display_path
            ));
            continue;
        };
        if let Some(reason) = unwritable_in_header(&expected) {
            builder.plan.notes.push(format!(
                "{}: the `{key}:` line was left as it is: the value {expected:?} {reason}, so writing it into the docstring would change what the file says; fix the value or the line by hand",
                file.display_path
            ));
            continue;
        }
        builder.edit(location.file, Edit::new(span, &expected));
        builder.plan.targets.push(Target::NoFindingIn {
            rule: Rule::HeaderMismatch,
            path: builder.path_after(project, location.file),
        });
        builder.plan.fixes.push(AppliedFix {
            kind: FixKind::Header,
            file: builder.path_after(project, location.file),
            old_id: Some(line.value.clone()),
            new_id: Some(expected.clone()),
            description: format!(
                "{}: `{key}: {}` → `{key}: {expected}`",
                file.display_path, line.value
            ),
        });
    }
}

/// Why `value` cannot be written as it is into a header line of a
/// docstring, if it cannot: a control character (a NUL byte, a line
/// break) would break the file or the line, and a quote or a backslash
/// could end the docstring or be read as an escape.
pub(crate) fn unwritable_in_header(value: &str) -> Option<&'static str> {
    if value
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        Some("holds a control character or a line break")
    } else if value.contains(['"', '\'', '\\']) {
        Some("holds a quote or a backslash")
    } else {
        None
    }
}

/// A header line next to a value Alembic would reject or read differently
/// (`down_revision = ('a', None)`, `0x10`, a call) is left alone, and the
/// user is told why: there is no value to bring the line in line with, and
/// "fixing" it from what could be read would erase the parent it names.
fn note_unreadable_values(project: &Project, builder: &mut PlanBuilder) {
    for file in &project.files {
        let Some(script) = file.script() else {
            continue;
        };
        let Some(header) = script.docstring.as_ref().map(|d| &d.header) else {
            continue;
        };
        let file_name = file
            .path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let revision = script.revision_id(&file_name).err();
        let down_revision = script.down_revisions().err();
        for (key, variable, problem) in [
            (
                "Revision ID",
                "revision",
                revision.filter(|_| header.revision_id.is_some()),
            ),
            (
                "Revises",
                "down_revision",
                down_revision.filter(|_| header.revises.is_some()),
            ),
        ] {
            let why = match problem {
                Some(ValueProblem::Invalid { message }) => message,
                Some(ValueProblem::Unknown { reason, .. }) => {
                    format!("it cannot be read without running the file ({reason})")
                }
                // A missing variable is reported by `check`; the header
                // then has nothing to match.
                Some(ValueProblem::MissingRevision | ValueProblem::MissingDownRevision) | None => {
                    continue;
                }
            };
            builder.plan.notes.push(format!(
                "{}: the `{key}:` line was left as it is, because `{variable}` is not a value Alembic reads as revision ids: {why}; correct `{variable}` first, then run the fix again",
                file.display_path
            ));
        }
    }
}
