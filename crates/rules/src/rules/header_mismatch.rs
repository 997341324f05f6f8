//! `header-mismatch`: the docstring header disagrees with the variables.

pub(crate) const EXPLANATION: &str = r"# header-mismatch

## What it does
Compares the `Revision ID:` and `Revises:` lines of the docstring with the
`revision` and `down_revision` variables and reports a disagreement, such as a
`Revises:` line still naming the old parent after a re-parent.

## Why is this bad?
Alembic ignores the header, but people read it: a stale header sends a
reviewer or an on-call engineer to the wrong parent.

## How to fix
Update the header line to match the variable (`Revises:` lists the parents
joined by `, `).
";

use alembic_doctor_project::Project;
use alembic_doctor_script::HeaderLine;

use crate::{Finding, Rule};

pub(crate) fn check(project: &Project, out: &mut Vec<Finding>) {
    for (rev, input) in project.map.revisions().iter().enumerate() {
        let file_index = project.revision_files[rev];
        let file = &project.files[file_index];
        let Some(header) = file
            .script()
            .and_then(|s| s.docstring.as_ref())
            .map(|d| &d.header)
        else {
            continue;
        };
        if let Some(line) = &header.revision_id
            && line.value.trim() != input.id
            && ids_in(&line.value) != [input.id.as_str()]
        {
            out.push(mismatch(
                file_index,
                line,
                &input.id,
                format!(
                    "the docstring of {} says `Revision ID: {}` but the file defines revision `{}`",
                    file.display_path, line.value, input.id
                ),
                &format!("Revision ID: {}", input.id),
            ));
        }
        // A `down_revision` that cannot be read (`0x10`, a call) is not a
        // base: `non-literal-value` reports it, and there is nothing to
        // compare the header with.
        let readable = file
            .script()
            .is_some_and(|script| script.down_revisions().is_ok());
        if let Some(line) = header.revises.as_ref().filter(|_| readable) {
            let mut said = ids_in(&line.value);
            let mut actual: Vec<&str> = input.down_revisions.iter().map(String::as_str).collect();
            said.sort_unstable();
            actual.sort_unstable();
            // Formatting differences (`('a', 'b')`, `None`, `<base>`) are
            // harmless; only a different set of parents is reported. Ids may
            // contain spaces (Alembic accepts `initial schema`), so the
            // line exactly as Alembic's template writes it always matches.
            let as_written = line.value.trim() == input.down_revisions.join(", ");
            if !as_written && said != actual {
                let expected = input.down_revisions.join(", ");
                out.push(mismatch(
                    file_index,
                    line,
                    &input.id,
                    format!(
                        "the docstring of revision `{}` says `Revises: {}` but its down_revision is {}",
                        input.id,
                        line.value,
                        if expected.is_empty() {
                            "None (a base)".to_owned()
                        } else {
                            format!("`{expected}`")
                        }
                    ),
                    &format!("Revises: {expected}"),
                ));
            }
        }
    }
}

fn mismatch(
    file_index: usize,
    line: &HeaderLine,
    id: &str,
    message: String,
    fixed: &str,
) -> Finding {
    Finding::new(Rule::HeaderMismatch, message)
        .at(
            file_index,
            line.value_span.unwrap_or(line.line_span),
            "stale header line",
        )
        .revision(id)
        .help(format!("change the line to `{}`", fixed.trim_end()))
}

/// The revision ids a header line names: every identifier-like token, minus
/// the words people write for "no parent".
fn ids_in(text: &str) -> Vec<&str> {
    text.split(|c: char| c == ',' || c.is_whitespace() || "()[]'\"<>".contains(c))
        .filter(|token| !token.is_empty())
        .filter(|token| {
            !matches!(
                token.to_ascii_lowercase().as_str(),
                "none" | "base" | "null"
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::ids_in;

    #[test]
    fn formatting_only_differences_are_not_mismatches() {
        assert_eq!(ids_in("('a1', 'b2')"), vec!["a1", "b2"]);
        assert_eq!(ids_in("a1, b2"), vec!["a1", "b2"]);
        assert!(ids_in("None").is_empty());
        assert!(ids_in("<base>").is_empty());
        assert!(ids_in("").is_empty());
    }
}
