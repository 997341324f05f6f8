//! Findings only a comparison can make: what a HEAD did to revisions the
//! base branch already has (`removed-revision`, `edited-revision`). They
//! join the merged result's findings, so they count for `--fail-on` and
//! reach every output like the chain's own findings.

use std::collections::HashMap;

use alembic_doctor_rules::{Finding, Rule, Severity};
use alembic_doctor_script::Variable;

use crate::diff::Differences;
use crate::merge::Merged;
use crate::side::Side;

/// The findings about BASE's revisions that `heads` deleted or edited.
pub(crate) fn branch_findings(
    base: &Side,
    heads: &[Side],
    differences: &[Differences],
    merged: &Merged,
) -> Vec<Finding> {
    let base_heads = base.ids(base.project.map.heads());
    // Each merged revision by id and displayed path, built once: a branch
    // that reformats thousands of revisions edits them all.
    let project = &merged.project;
    let merged_revs: HashMap<(&str, &str), usize> =
        if differences.iter().all(|diff| diff.edited.is_empty()) {
            HashMap::new()
        } else {
            (0..project.map.revisions().len())
                .map(|rev| {
                    (
                        (
                            project.map.revisions()[rev].id.as_str(),
                            project.file_of(rev).display_path.as_str(),
                        ),
                        rev,
                    )
                })
                .collect()
        };
    let mut findings = Vec::new();
    for (head, diff) in heads.iter().zip(differences) {
        for removed in &diff.removed {
            let is_head = base_heads.contains(&removed.id);
            let consequence = if is_head {
                format!(
                    "it is the head of `{}`, so a database deployed from it is stamped `{}`, \
                     and `alembic upgrade` there stops with `Can't locate revision identified by '{}'`",
                    base.label, removed.id, removed.id
                )
            } else {
                "a database stamped at it can no longer be upgraded, and one that ran it \
                 cannot be downgraded past it"
                    .to_owned()
            };
            let mut finding = Finding::new(
                Rule::RemovedRevision,
                format!(
                    "`{}` deletes revision `{}` ({}), which `{}` has: {consequence}",
                    head.label, removed.id, removed.path, base.label
                ),
            )
            .revision(&removed.id)
            .help(format!(
                "restore it (`git checkout {} -- {}`) and undo what it did in a new revision on top of the head",
                base.label,
                pathspec(base, &removed.id, &removed.path)
            ));
            if !is_head {
                finding.severity = Severity::Warning;
            }
            findings.push(finding);
        }
        for edited in &diff.edited {
            let shown = pathspec(base, &edited.id, &edited.path);
            let mut finding = match crate::repair::repaired_by_edit(base, &merged.project, edited) {
                Some(repair) => Finding::new(
                    Rule::EditedRevision,
                    format!(
                        "`{}` changes revision `{}` ({}), which `{}` already has, and the change \
                         repairs it: {repair}",
                        head.label, edited.id, edited.path, base.label
                    ),
                )
                .help(format!(
                    "keep the repair (putting back `{}`'s version would break the chain again); \
                     review the rest of the edit (`git diff {} -- {}`): a database that ran an \
                     earlier version of `{}` will not run it, so a change to the schema belongs in \
                     a new revision on top of the head",
                    base.label, base.label, shown, edited.id
                )),
                None => Finding::new(
                    Rule::EditedRevision,
                    format!(
                        "`{}` changes revision `{}` ({}), which `{}` already has: databases that \
                         ran it will not run the change",
                        head.label, edited.id, edited.path, base.label
                    ),
                )
                .help(format!(
                    "keep `{}` as it is on `{}` and make the change in a new revision on top of the head \
                     (`git diff {} -- {}` shows the edit)",
                    edited.path, base.label, base.label, shown
                )),
            }
            .revision(&edited.id);
            if let Some(&rev) = merged_revs.get(&(edited.id.as_str(), edited.path.as_str()))
                && let Some((file, span)) = revision_span(merged, rev)
            {
                finding = finding.at(file, span, "already on the base branch");
            }
            findings.push(finding);
        }
    }
    findings
}

/// BASE's file of revision `id` as a git pathspec that works from any
/// directory of the repository (`:/` and the path from its root), since a
/// displayed path may be relative to the current directory or to the root;
/// the displayed path when BASE's tree is unknown.
fn pathspec(base: &Side, id: &str, shown: &str) -> String {
    let project = &base.project;
    let root = base.tree.as_ref().map(alembic_doctor_git::GitTree::root);
    project
        .map
        .lookup(id)
        .zip(root)
        .and_then(|(rev, root)| project.file_of(rev).path.strip_prefix(root).ok())
        .map_or_else(
            || shown.to_owned(),
            |relative| format!(":/{}", relative.to_string_lossy()),
        )
}

/// The merged project's file for `rev`, and the span of its
/// `revision = ...` value.
fn revision_span(merged: &Merged, rev: usize) -> Option<(usize, alembic_doctor_source::Span)> {
    let project = &merged.project;
    let file = project.revision_files[rev];
    let span = match &project.files[file].script()?.revision {
        Variable::Bound(binding) => binding.value_span,
        Variable::Missing => alembic_doctor_source::Span::default(),
    };
    Some((file, span))
}
