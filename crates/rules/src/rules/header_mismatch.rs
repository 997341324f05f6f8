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
            // Formatting differences (`('a', 'b')`, `None`, `<base>`) are
            // harmless; only a different set of parents is reported. Ids may
            // contain spaces (Alembic accepts `initial schema`), so the
            // line exactly as Alembic's template writes it always matches
            // (nearly every file's: checked first, without allocating).
            if as_template_writes(line.value.trim(), &input.down_revisions) {
                continue;
            }
            let mut said = ids_in(&line.value);
            let mut actual: Vec<&str> = input.down_revisions.iter().map(String::as_str).collect();
            said.sort_unstable();
            actual.sort_unstable();
            if said != actual {
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

/// Whether `value` is `parents` joined by `, `, as Alembic's template
/// writes the `Revises:` line.
fn as_template_writes(value: &str, parents: &[String]) -> bool {
    let mut rest = value;
    for (i, parent) in parents.iter().enumerate() {
        if i > 0 {
            let Some(after) = rest.strip_prefix(", ") else {
                return false;
            };
            rest = after;
        }
        let Some(after) = rest.strip_prefix(parent.as_str()) else {
            return false;
        };
        rest = after;
    }
    rest.is_empty()
}

/// The revision ids a header line names: every identifier-like token, minus
/// the words people write for "no parent".
fn ids_in(text: &str) -> Vec<&str> {
    text.split(|c: char| c == ',' || c.is_whitespace() || "()[]'\"<>".contains(c))
        .filter(|token| !token.is_empty())
        .filter(|token| {
            !["none", "base", "null"]
                .iter()
                .any(|word| token.eq_ignore_ascii_case(word))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{as_template_writes, ids_in};

    /// The same answer as comparing with the parents joined by `, `.
    #[test]
    fn the_template_form_is_the_parents_joined() {
        let parents = |ids: &[&str]| ids.iter().map(|id| (*id).to_owned()).collect::<Vec<_>>();
        for ids in [&[][..], &["a1"], &["a1", "b2"], &["initial schema", "b2"]] {
            let parents = parents(ids);
            let joined = parents.join(", ");
            for value in [
                joined.as_str(),
                "",
                "a1",
                "a1, b2",
                "a1,b2",
                "a1, b2, ",
                "a1, b2, c3",
                "initial schema, b2",
                "b2, a1",
                "a1b2",
            ] {
                assert_eq!(
                    as_template_writes(value, &parents),
                    value == joined,
                    "{value:?} against {parents:?}"
                );
            }
        }
    }

    #[test]
    fn formatting_only_differences_are_not_mismatches() {
        assert_eq!(ids_in("('a1', 'b2')"), vec!["a1", "b2"]);
        assert_eq!(ids_in("a1, b2"), vec!["a1", "b2"]);
        assert!(ids_in("None").is_empty());
        assert!(ids_in("<base>").is_empty());
        assert!(ids_in("").is_empty());
    }
}
