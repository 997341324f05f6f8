//! Which chain findings a pull request's reader needs to see.
//!
//! A long history carries old warnings (a header that disagrees with its
//! `down_revision`, a file named after another id) that no branch is going
//! to fix, and printing them on every pull request buries what the branch
//! did. In the changed-since-base scope, a chain warning is shown only when
//! it points at a file the branch touched; the others are counted so the
//! reader knows they exist. Errors are never held back: a duplicate id, a
//! second head, a missing parent or a cycle breaks the chain whoever
//! caused it.

use crate::{Finding, Scope, Severity};

/// Split `findings` into those to show and how many chain warnings were
/// held back because every file they point at is unchanged (`changed`
/// says whether a file, by its index in the project, is new or changed).
/// A finding about the configuration as a whole (no file) is always shown.
pub fn hide_unchanged_chain_warnings(
    findings: Vec<Finding>,
    changed: impl Fn(usize) -> bool,
) -> (Vec<Finding>, usize) {
    let mut hidden = 0;
    let shown = findings
        .into_iter()
        .filter(|finding| {
            let keep = finding.severity == Severity::Error
                || finding.rule.scope() != Scope::Chain
                || !points_only_at_unchanged_files(finding, &changed);
            if !keep {
                hidden += 1;
            }
            keep
        })
        .collect();
    (shown, hidden)
}

/// Whether the finding has a file and every file it names is unchanged.
fn points_only_at_unchanged_files(finding: &Finding, changed: &impl Fn(usize) -> bool) -> bool {
    let Some(location) = finding.location else {
        return false;
    };
    std::iter::once(location)
        .chain(finding.related.iter().map(|related| related.location))
        .all(|place| !changed(place.file))
}

/// The line that says how many were held back, or nothing.
pub fn hidden_warnings_line(hidden: usize) -> Option<String> {
    match hidden {
        0 => None,
        1 => Some("1 warning on unchanged revisions: `--all` shows it".to_owned()),
        n => Some(format!(
            "{n} warnings on unchanged revisions: `--all` shows them"
        )),
    }
}

#[cfg(test)]
mod tests {
    use alembic_doctor_source::Span;

    use super::*;
    use crate::Rule;

    fn at(rule: Rule, file: usize) -> Finding {
        Finding::new(rule, "m").at(file, Span { start: 0, end: 1 }, "")
    }

    #[test]
    fn errors_and_changed_files_show_and_unchanged_warnings_are_counted() {
        let findings = vec![
            at(Rule::HeaderMismatch, 0),
            at(Rule::FilenameMismatch, 1),
            at(Rule::DuplicateRevision, 0),
            at(Rule::DropTable, 0),
            Finding::new(Rule::MultipleBases, "no file"),
            at(Rule::LoadedTwice, 0).related(1, Span { start: 0, end: 1 }, ""),
        ];
        let (shown, hidden) = hide_unchanged_chain_warnings(findings, |file| file == 1);
        let rules: Vec<Rule> = shown.iter().map(|f| f.rule).collect();
        assert_eq!(
            rules,
            [
                Rule::FilenameMismatch,
                Rule::DuplicateRevision,
                Rule::DropTable,
                Rule::MultipleBases,
                Rule::LoadedTwice,
            ]
        );
        assert_eq!(hidden, 1);
    }
}
