//! Was the fix worth keeping? The project is read again after writing, and
//! the fix stays only if
//! * every finding it targeted is gone (no `duplicate-revision` left in the
//!   files it renamed, the merged revisions are no longer heads, ...), and
//! * no new finding appeared.
//!
//! "New" compares findings by rule, file (followed through renames) and
//! revision (followed through the new ids). A finding about the whole chain
//! may move to another file when the load order changes (a renamed file
//! sorts elsewhere, so `multiple-heads` points at another head): a finding
//! of a rule that also lost one elsewhere counts as moved, not new. The
//! findings the fix targets never count as "lost elsewhere", so a fix
//! cannot trade one stale header for another.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use alembic_doctor_project::Project;
use alembic_doctor_rules::{Finding, Rule};

use crate::plan::{Plan, Target};

/// A finding, as compared across the fix.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Key {
    rule: Rule,
    path: Option<PathBuf>,
    revision: Option<String>,
}

/// The keys of `findings` on `project` before the fix, in the fix's terms
/// (paths and ids after it).
pub(crate) fn keys_before(project: &Project, findings: &[Finding], plan: &Plan) -> Vec<Key> {
    let renames = plan.renames();
    findings
        .iter()
        .map(|finding| {
            let path = finding.location.map(|l| {
                let path = &project.files[l.file].path;
                renames.get(path).unwrap_or(path).clone()
            });
            let revision = finding.revision.as_ref().map(|id| {
                plan.renamed_ids
                    .iter()
                    .find(|(file, old, _)| old == id && path.as_deref() == Some(file.as_path()))
                    .map_or_else(|| id.clone(), |(_, _, new)| new.clone())
            });
            Key {
                rule: finding.rule,
                path,
                revision,
            }
        })
        .collect()
}

fn key_after(project: &Project, finding: &Finding) -> Key {
    Key {
        rule: finding.rule,
        path: finding.location.map(|l| project.files[l.file].path.clone()),
        revision: finding.revision.clone(),
    }
}

fn targeted(key: &Key, targets: &[Target]) -> bool {
    targets.iter().any(|target| match target {
        Target::NoFindingIn { rule, path } => {
            key.rule == *rule && key.path.as_deref() == Some(path.as_path())
        }
        Target::NotAHead { .. } | Target::Parents { .. } => false,
    })
}

/// What reading the project back said.
#[derive(Debug, Default)]
pub(crate) struct Verdict {
    /// Why the fix must be undone; empty when it is kept.
    pub(crate) reasons: Vec<String>,
    /// Findings the fix brought to light rather than caused (a fork a
    /// duplicate id hid), for the user's next step.
    pub(crate) revealed: Vec<String>,
}

/// Compare the project after the fix with the findings before it.
pub(crate) fn verify(plan: &Plan, before: &[Key], after: &Project) -> Verdict {
    let findings = alembic_doctor_rules::check(after);
    let mut reasons = Vec::new();
    let mut revealed = Vec::new();
    for target in &plan.targets {
        check_target(target, after, &findings, &mut reasons);
    }
    let mut pool: BTreeMap<&Key, usize> = BTreeMap::new();
    for key in before.iter().filter(|k| !targeted(k, &plan.targets)) {
        *pool.entry(key).or_default() += 1;
    }
    let mut unmatched = Vec::new();
    for finding in &findings {
        let key = key_after(after, finding);
        match pool.get_mut(&key) {
            Some(count) if *count > 0 => *count -= 1,
            _ => unmatched.push((key, finding)),
        }
    }
    let mut lost_by_rule: BTreeMap<Rule, usize> = BTreeMap::new();
    for (key, count) in &pool {
        *lost_by_rule.entry(key.rule).or_default() += count;
    }
    for (key, finding) in unmatched {
        if targeted(&key, &plan.targets) {
            // Reported by the target check already.
            continue;
        }
        match lost_by_rule.get_mut(&key.rule) {
            Some(count) if *count > 0 => *count -= 1,
            _ if plan.revealed_rules.contains(&key.rule) => revealed.push(format!(
                "now that the ids differ, `{}` is reported: {}",
                finding.rule.name(),
                finding.message
            )),
            _ => reasons.push(format!(
                "it would bring a new `{}` finding: {}",
                finding.rule.name(),
                finding.message
            )),
        }
    }
    Verdict { reasons, revealed }
}

fn check_target(target: &Target, after: &Project, findings: &[Finding], reasons: &mut Vec<String>) {
    match target {
        Target::NoFindingIn { rule, path } => {
            for finding in findings {
                let here = finding
                    .location
                    .is_some_and(|l| after.files[l.file].path.as_path() == Path::new(path));
                if finding.rule == *rule && here {
                    reasons.push(format!(
                        "`{}` is still reported: {}",
                        rule.name(),
                        finding.message
                    ));
                }
            }
        }
        Target::NotAHead { id } => {
            if let Some(rev) = after.map.lookup(id)
                && after.map.is_head(rev)
            {
                reasons.push(format!("`{id}` is still a head"));
            }
        }
        Target::Parents { id, parents } => match after.map.lookup(id) {
            Some(rev) if after.map.revisions()[rev].down_revisions == *parents => {}
            Some(rev) => reasons.push(format!(
                "`{id}` reads back with down_revision {:?}, not {parents:?}",
                after.map.revisions()[rev].down_revisions
            )),
            None => reasons.push(format!("revision `{id}` is not found after the fix")),
        },
    }
}
