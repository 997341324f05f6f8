//! The pre-merge checklist: each item is the outcome of one check run on
//! the comparison (the simulated merge, its findings, each HEAD's
//! differences). A report prints these items and nothing else, so it never
//! claims a check that did not run.

use std::collections::BTreeSet;

use alembic_doctor_graph::RevIdx;
use alembic_doctor_rules::{Finding, Rule, Severity};

use crate::{Comparison, Differences, MergeConflict, NotExtending, Side};

/// One check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistItem {
    /// A stable kebab-case code (`single-head`), for tools.
    pub code: &'static str,
    /// What was checked, as a statement that holds when it passed.
    pub title: String,
    /// Whether it holds for what the HEADs bring: a check that fails only
    /// because of what BASE already has passes (see `inherited`).
    pub passed: bool,
    /// What BASE already has that this check would otherwise fail on, in
    /// words (Markdown): named once, as already on BASE, and never counted
    /// against the HEADs. `None` when BASE brings nothing here.
    pub inherited: Option<String>,
    /// The evidence when it passed, the reason when it failed (Markdown).
    pub detail: String,
    /// The reason in a few words, for a headline (the detail, unless that
    /// lists many things).
    pub summary: String,
}

impl ChecklistItem {
    fn new(code: &'static str, title: impl Into<String>, passed: bool, detail: String) -> Self {
        Self {
            code,
            title: title.into(),
            passed,
            inherited: None,
            summary: detail.clone(),
            detail,
        }
    }

    /// A check that holds for the HEADs, though BASE already fails it:
    /// `problem` is what BASE has.
    fn already_on_base(
        code: &'static str,
        title: impl Into<String>,
        detail: String,
        problem: String,
    ) -> Self {
        Self {
            inherited: Some(problem),
            ..Self::new(code, title, true, detail)
        }
    }

    fn summary(mut self, summary: String) -> Self {
        self.summary = summary;
        self
    }
}

/// Run every pre-merge check on `comparison`, in a fixed order.
pub fn checklist(comparison: &Comparison) -> Vec<ChecklistItem> {
    vec![
        single_head(comparison),
        rule_free(
            comparison,
            "no-missing-parents",
            "No missing parents or dependencies in the chain",
            &[Rule::MissingParent, Rule::MissingDependency],
        ),
        no_orphans(comparison),
        rule_free(
            comparison,
            "no-cycles",
            "No circular dependencies",
            &[Rule::Cycle, Rule::SelfReference],
        ),
        no_duplicate_ids(comparison),
        valid_syntax(comparison),
        complete_path(comparison),
        extends_base_head(comparison),
        untouched_base_revisions(comparison, "no-edits-to-base", "edited"),
        untouched_base_revisions(comparison, "no-deletions-from-base", "deleted"),
        clean_file_merge(comparison),
        every_rule(comparison),
    ]
}

fn single_head(comparison: &Comparison) -> ChecklistItem {
    let heads = comparison.merged.heads();
    let forked = has_rule(&comparison.merged.findings, &[Rule::MultipleHeads]);
    let listed = heads_listed(comparison);
    match heads.len() {
        0 => ChecklistItem::new(
            "single-head",
            "Single migration head after merge",
            false,
            "the merged chain has no head (no revisions, or every revision is in a cycle)"
                .to_owned(),
        ),
        1 => ChecklistItem::new(
            "single-head",
            "Single migration head after merge",
            true,
            format!("head: {listed}"),
        ),
        // Separate labelled branches (expand/contract) are meant to have a
        // head each; the multiple-heads rule knows when they are. Two
        // copies of one id are two heads too (Alembic lists both), and no
        // label makes that intended.
        n if !forked && labelled(comparison) => ChecklistItem::new(
            "single-head",
            "One head per labelled branch after merge",
            true,
            format!("{n} heads, each on its own branch label: {listed}"),
        ),
        // BASE already forked, and the merge adds no head to it.
        n if forked
            && comparison
                .merged
                .findings
                .iter()
                .filter(|f| f.rule == Rule::MultipleHeads)
                .all(|f| comparison.is_inherited(f)) =>
        {
            let base_heads = comparison.base.ids(comparison.base.project.map.heads());
            ChecklistItem::already_on_base(
                "single-head",
                "Single migration head after merge",
                format!("the merge adds no head ({n} after merge: {listed})"),
                format!("{} heads: {}", base_heads.len(), code_list(&base_heads)),
            )
        }
        n => ChecklistItem::new(
            "single-head",
            "Single migration head after merge",
            false,
            format!("{n} heads after merge: {listed}"),
        ),
    }
}

/// Every merged head carries a branch label of its own, and no id is
/// repeated among them.
fn labelled(comparison: &Comparison) -> bool {
    let map = &comparison.merged.project.map;
    let heads = map.heads();
    let ids: BTreeSet<&str> = heads
        .iter()
        .map(|&h| map.revisions()[h].id.as_str())
        .collect();
    ids.len() == heads.len() && heads.iter().all(|&h| !map.branch_labels(h).is_empty())
}

/// Passes when no finding of `rules` was reported on the merged chain.
fn rule_free(
    comparison: &Comparison,
    code: &'static str,
    title: &str,
    rules: &[Rule],
) -> ChecklistItem {
    let (inherited, hits): (Vec<&Finding>, Vec<&Finding>) = comparison
        .merged
        .findings
        .iter()
        .filter(|f| rules.contains(&f.rule))
        .partition(|f| comparison.is_inherited(f));
    let names: Vec<&str> = rules.iter().map(|r| r.name()).collect();
    if hits.is_empty() && !inherited.is_empty() {
        return ChecklistItem::already_on_base(
            code,
            title,
            format!("no new `{}` finding", names.join("` or `")),
            first_messages(&inherited),
        );
    }
    let detail = if hits.is_empty() {
        format!("no `{}` finding", names.join("` or `"))
    } else {
        first_messages(&hits)
    };
    ChecklistItem::new(code, title, hits.is_empty(), detail)
}

/// The revisions of `map` reached from a root through `down_revision`, and
/// the ids of those that are not. Earlier copies of a duplicated id are
/// never anyone's parent; the duplicate check reports them, so they are not
/// orphans here.
fn orphans(map: &alembic_doctor_graph::RevisionMap) -> (BTreeSet<RevIdx>, Vec<String>) {
    let mut reached: BTreeSet<RevIdx> = BTreeSet::new();
    let mut stack: Vec<RevIdx> = map.bases().iter().map(|&r| map.canonical(r)).collect();
    while let Some(rev) = stack.pop() {
        if reached.insert(rev) {
            stack.extend(map.children(rev).iter().map(|&c| map.canonical(c)));
        }
    }
    let orphans = (0..map.revisions().len())
        .filter(|&rev| map.canonical(rev) == rev && !reached.contains(&rev))
        .map(|rev| map.revisions()[rev].id.clone())
        .collect();
    (reached, orphans)
}

/// Every revision descends, through `down_revision`, from a root
/// (`down_revision = None`), and the roots are not unintended extra ones.
fn no_orphans(comparison: &Comparison) -> ChecklistItem {
    let (reached, all_orphans) = orphans(&comparison.merged.project.map);
    let (_, on_base) = orphans(&comparison.base.project.map);
    // What BASE already cannot reach is BASE's problem, not the HEADs'.
    // So is a new revision that is unreachable only because it is built on
    // one of those: every descendant of BASE's orphans, found in one walk.
    let merged_map = &comparison.merged.project.map;
    let mut below_base_orphans: BTreeSet<RevIdx> = BTreeSet::new();
    let mut stack: Vec<RevIdx> = on_base
        .iter()
        .filter_map(|id| merged_map.lookup(id))
        .collect();
    while let Some(rev) = stack.pop() {
        if below_base_orphans.insert(rev) {
            stack.extend(
                merged_map
                    .children(rev)
                    .iter()
                    .map(|&c| merged_map.canonical(c)),
            );
        }
    }
    let below_base_orphan = |id: &String| {
        merged_map
            .lookup(id)
            .is_some_and(|rev| below_base_orphans.contains(&rev))
    };
    let (old_orphans, orphans): (Vec<String>, Vec<String>) = all_orphans
        .into_iter()
        .partition(|id| on_base.contains(id) || below_base_orphan(id));
    let (old_roots, extra_roots): (Vec<&Finding>, Vec<&Finding>) = comparison
        .merged
        .findings
        .iter()
        .filter(|f| f.rule == Rule::MultipleBases)
        .partition(|f| comparison.is_inherited(f));
    let title = "No orphaned or unreachable revisions";
    let mut inherited = Vec::new();
    if !old_orphans.is_empty() {
        inherited.push(format!(
            "{} not reachable from a root: {}",
            plural(old_orphans.len(), "revision is", "revisions are"),
            code_list(&old_orphans)
        ));
    }
    if !old_roots.is_empty() {
        inherited.push(first_messages(&old_roots));
    }
    if orphans.is_empty() && extra_roots.is_empty() && !inherited.is_empty() {
        return ChecklistItem::already_on_base(
            "no-orphans",
            title,
            "the merge adds no orphaned revision and no root".to_owned(),
            inherited.join("; "),
        );
    }
    if !orphans.is_empty() {
        return ChecklistItem::new(
            "no-orphans",
            title,
            false,
            format!(
                "{} not reachable from a root: {}",
                plural(orphans.len(), "revision is", "revisions are"),
                code_list(&orphans)
            ),
        );
    }
    if !extra_roots.is_empty() {
        return ChecklistItem::new("no-orphans", title, false, first_messages(&extra_roots));
    }
    let roots = comparison.merged.bases();
    if reached.is_empty() {
        return ChecklistItem::new(
            "no-orphans",
            title,
            true,
            "the merged chain has no revisions".to_owned(),
        );
    }
    ChecklistItem::new(
        "no-orphans",
        title,
        true,
        format!(
            "all {} descend from {}",
            plural(reached.len(), "revision", "revisions"),
            code_list(&roots)
        ),
    )
}

fn no_duplicate_ids(comparison: &Comparison) -> ChecklistItem {
    let title = "No duplicate revision ids";
    let new_findings: Vec<&Finding> = comparison
        .merged
        .findings
        .iter()
        .filter(|f| f.rule == Rule::DuplicateRevision && !comparison.is_inherited(f))
        .collect();
    // A duplicate every file of which BASE already has is BASE's.
    let base_paths: BTreeSet<&str> = comparison
        .base
        .project
        .files
        .iter()
        .map(|file| file.display_path.as_str())
        .collect();
    let (old, new): (Vec<&crate::DuplicateId>, Vec<&crate::DuplicateId>) =
        comparison.duplicate_ids.iter().partition(|dup| {
            dup.files
                .iter()
                .all(|(_, path)| base_paths.contains(path.as_str()))
        });
    if new.is_empty() && new_findings.is_empty() {
        let inherited: Vec<&Finding> = comparison
            .merged
            .findings
            .iter()
            .filter(|f| f.rule == Rule::DuplicateRevision)
            .collect();
        if !old.is_empty() || !inherited.is_empty() {
            let problem = if old.is_empty() {
                first_messages(&inherited)
            } else {
                old.iter()
                    .map(|dup| duplicate_reason(dup))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            return ChecklistItem::already_on_base(
                "no-duplicate-ids",
                title,
                "the merge adds no file for an id another file declares".to_owned(),
                problem,
            );
        }
    }
    if comparison.duplicate_ids.is_empty()
        && !has_rule(&comparison.merged.findings, &[Rule::DuplicateRevision])
    {
        return ChecklistItem::new(
            "no-duplicate-ids",
            title,
            true,
            format!(
                "{} ids, each declared by one file",
                comparison.merged.project.map.revisions().len()
            ),
        );
    }
    let reasons: Vec<String> = new.iter().map(|dup| duplicate_reason(dup)).collect();
    // The headline names the sides only; the files are in the detail.
    let summary: Vec<String> = new
        .iter()
        .map(|dup| {
            let mut sides: Vec<String> = Vec::new();
            for label in dup.copies.iter().flat_map(|copy| &copy.sides) {
                let name = comparison.side(label).map_or(label.as_str(), Side::name);
                if !sides.contains(&code(name)) {
                    sides.push(code(name));
                }
            }
            format!(
                "{} is declared by {} (on {})",
                code(&dup.id),
                plural(dup.copies.len(), "file", "files"),
                sides.join(" and ")
            )
        })
        .collect();
    let detail = if reasons.is_empty() {
        let hits: Vec<&Finding> = comparison
            .merged
            .findings
            .iter()
            .filter(|f| f.rule == Rule::DuplicateRevision)
            .collect();
        first_messages(&hits)
    } else {
        reasons.join("; ")
    };
    let item = ChecklistItem::new("no-duplicate-ids", title, false, detail);
    if summary.is_empty() {
        item
    } else {
        item.summary(summary.join("; "))
    }
}

/// `` `id` is declared by `a.py` on main and `b.py` on feature ``.
fn duplicate_reason(dup: &crate::DuplicateId) -> String {
    let files: Vec<String> = dup
        .copies
        .iter()
        .map(|copy| format!("{} on {}", code(&copy.path), copy.sides.join(" and ")))
        .collect();
    format!("{} is declared by {}", code(&dup.id), files.join(" and "))
}

fn valid_syntax(comparison: &Comparison) -> ChecklistItem {
    let files = comparison.merged.project.files.len();
    let item = rule_free(
        comparison,
        "valid-syntax",
        "Valid Python syntax in every migration file",
        &[Rule::SyntaxError, Rule::UnreadableFile],
    );
    if item.passed {
        let detail = format!("{} parsed", plural(files, "file", "files"));
        ChecklistItem {
            summary: detail.clone(),
            detail,
            ..item
        }
    } else {
        item
    }
}

fn complete_path(comparison: &Comparison) -> ChecklistItem {
    let title = "Complete path from root to head";
    match comparison.merged.upgrade_order() {
        Ok(order) if !order.is_empty() => {
            let first = order.first().cloned().unwrap_or_default();
            let heads = comparison.merged.heads();
            let to = match heads.as_slice() {
                [one] => code(one),
                many => format!("the {} heads {}", many.len(), code_list(many)),
            };
            ChecklistItem::new(
                "complete-path",
                title,
                true,
                format!(
                    "upgrading an empty database applies {}, from {} to {to}",
                    plural(order.len(), "revision", "revisions"),
                    code(&first),
                ),
            )
        }
        Ok(_) => ChecklistItem::new(
            "complete-path",
            title,
            false,
            "the merged chain has no revisions".to_owned(),
        ),
        // BASE's own chain fails the same way: the merge inherits it.
        Err(error)
            if comparison
                .base
                .project
                .map
                .upgrade_order()
                .err()
                .is_some_and(|base| base.to_string() == error) =>
        {
            ChecklistItem::already_on_base(
                "complete-path",
                title,
                "the merge makes the path no worse".to_owned(),
                error,
            )
        }
        Err(error) => ChecklistItem::new("complete-path", title, false, error),
    }
}

fn extends_base_head(comparison: &Comparison) -> ChecklistItem {
    let base_heads = comparison.base.ids(comparison.base.project.map.heads());
    let title = match base_heads.as_slice() {
        [head] => format!("Extends the base's head {}", code(head)),
        _ => "Extends the base's heads".to_owned(),
    };
    let mut reasons = Vec::new();
    let mut evidence = Vec::new();
    for (side, diff) in comparison.heads.iter().zip(&comparison.differences) {
        if diff.extends_base_head {
            if !diff.new.is_empty() {
                evidence.push(extension_evidence(comparison, side, diff));
            }
        } else {
            reasons.extend(
                diff.not_extending
                    .iter()
                    .map(|fact| not_extending_reason(comparison, side, fact)),
            );
        }
    }
    if reasons.is_empty() {
        let detail = if evidence.is_empty() {
            "no new revisions".to_owned()
        } else {
            evidence.join("; ")
        };
        ChecklistItem::new("extends-base-head", title, true, detail)
    } else {
        ChecklistItem::new("extends-base-head", title, false, reasons.join("; "))
    }
}

/// Why `side` extends BASE's heads, from the graphs: its heads, and that
/// each descends from a head of BASE.
pub fn extension_evidence(comparison: &Comparison, side: &Side, diff: &Differences) -> String {
    let base_heads = comparison.base.ids(comparison.base.project.map.heads());
    // Heads BASE has below its own: HEAD lacks what BASE added there since.
    let (behind, ahead): (Vec<String>, Vec<String>) = diff
        .heads
        .iter()
        .cloned()
        .partition(|id| diff.behind.contains(id));
    if !behind.is_empty() && !ahead.is_empty() && base_heads.len() > 1 {
        return format!(
            "{}'s {} {} {} {}'s heads {} or above them; {} {} below them, because {} lacks what {} added there since (the merge keeps it), no more heads than {} has",
            side.name(),
            if ahead.len() == 1 { "head" } else { "heads" },
            code_list(&ahead),
            if ahead.len() == 1 { "is one of" } else { "are" },
            comparison.base.label,
            code_list(&base_heads),
            code_list(&behind),
            if behind.len() == 1 { "is" } else { "are" },
            side.name(),
            comparison.base.label,
            comparison.base.label,
        );
    }
    let word = if diff.heads.len() == 1 {
        "head"
    } else {
        "heads"
    };
    match base_heads.as_slice() {
        [one] => format!(
            "{}'s {word} {} {} from {}'s head {}",
            side.name(),
            code_list(&diff.heads),
            if diff.heads.len() == 1 {
                "descends"
            } else {
                "each descend"
            },
            comparison.base.label,
            code(one)
        ),
        many => format!(
            "{}'s {word} {} {} {}'s heads {} or above them, no more than {} has",
            side.name(),
            code_list(&diff.heads),
            if diff.heads.len() == 1 { "is" } else { "are" },
            comparison.base.label,
            code_list(many),
            comparison.base.label,
        ),
    }
}

/// One fact against `side` extending BASE's heads, in words (Markdown).
pub fn not_extending_reason(comparison: &Comparison, side: &Side, fact: &NotExtending) -> String {
    let base = &comparison.base.label;
    let base_heads = comparison.base.ids(comparison.base.project.map.heads());
    let label = side.name();
    match fact {
        NotExtending::DeletesBaseHeads(ids) => {
            format!("{label} deletes {base}'s head {}", code_list(ids))
        }
        NotExtending::ReusesBaseHeadIds(ids) => format!(
            "{label} adds a new file for {base}'s head id {}",
            code_list(ids)
        ),
        NotExtending::HeadsNotAbove(ids) => format!(
            "{label}'s {} {} {} not descend from {base}'s {} {}",
            if ids.len() == 1 { "head" } else { "heads" },
            code_list(ids),
            if ids.len() == 1 { "does" } else { "do" },
            if base_heads.len() == 1 {
                "head"
            } else {
                "heads"
            },
            code_list(&base_heads)
        ),
        NotExtending::MoreHeads { heads, base: count } => format!(
            "{label} has {} where {base} has {count}: {}",
            plural(heads.len(), "head", "heads"),
            code_list(heads)
        ),
    }
}

/// No revision already on BASE was `what` (edited or deleted) by a HEAD.
fn untouched_base_revisions(
    comparison: &Comparison,
    code: &'static str,
    what: &str,
) -> ChecklistItem {
    let changes: Vec<String> = comparison
        .differences
        .iter()
        .flat_map(|diff| {
            let list = if what == "edited" {
                &diff.edited
            } else {
                &diff.removed
            };
            list.iter().map(|c| {
                format!(
                    "{} ({}, on {})",
                    self::code(&c.id),
                    self::code(&c.path),
                    c.side
                )
            })
        })
        .collect();
    let title = if what == "edited" {
        "No edits to revisions already on the base"
    } else {
        "No revisions already on the base deleted"
    };
    if changes.is_empty() {
        ChecklistItem::new(code, title, true, format!("no revision {what}"))
    } else {
        // A count first: the list can be long, and each one is under
        // Problems Found.
        let mut listed: Vec<String> = changes.iter().take(3).cloned().collect();
        if changes.len() > 3 {
            listed.push(format!("and {} more", changes.len() - 3));
        }
        let count = format!(
            "{} already on the base {what}",
            plural(changes.len(), "revision", "revisions")
        );
        ChecklistItem::new(
            code,
            title,
            false,
            format!("{count}: {}", listed.join(", ")),
        )
        .summary(format!("{count} (listed under Problems Found)"))
    }
}

/// What each side did to a file changed on both sides, naming the sides
/// (as inline code): the one whose version was kept, and the base or the
/// earlier HEAD that changed it first ([`changed_first_by`]).
pub fn conflict_description(comparison: &Comparison, conflict: &MergeConflict) -> String {
    conflict.naming(
        &code(changed_first_by(comparison, conflict)),
        &code(&conflict.side),
    )
}

/// The label of the side that changed `conflict`'s file before the HEAD
/// whose version was kept: the nearest earlier HEAD that touched it, else
/// the base.
pub fn changed_first_by<'a>(comparison: &'a Comparison, conflict: &MergeConflict) -> &'a str {
    let position = comparison
        .heads
        .iter()
        .position(|head| head.label == conflict.side)
        .unwrap_or(comparison.heads.len());
    let touches = |diff: &crate::Differences| {
        diff.new
            .iter()
            .chain(&diff.edited)
            .chain(&diff.removed)
            .chain(&diff.renamed)
            .any(|change| change.path == conflict.path)
    };
    comparison.heads[..position]
        .iter()
        .zip(&comparison.differences)
        .rev()
        .find(|(_, diff)| touches(diff))
        .map_or(&comparison.base.label, |(head, _)| &head.label)
}

fn clean_file_merge(comparison: &Comparison) -> ChecklistItem {
    let conflicts = &comparison.merged.conflicts;
    let title = "No version file changed on both sides";
    if conflicts.is_empty() {
        return ChecklistItem::new(
            "no-file-changed-on-both-sides",
            title,
            true,
            "every version file was changed on one side at most".to_owned(),
        );
    }
    let mut detail: Vec<String> = conflicts
        .iter()
        .take(3)
        .map(|c| format!("{}: {}", code(&c.path), conflict_description(comparison, c)))
        .collect();
    if conflicts.len() > 3 {
        detail.push(format!("and {} more", conflicts.len() - 3));
    }
    ChecklistItem::new(
        "no-file-changed-on-both-sides",
        title,
        false,
        detail.join("; "),
    )
    .summary(format!(
        "{} changed on both sides",
        plural(conflicts.len(), "version file", "version files")
    ))
}

fn every_rule(comparison: &Comparison) -> ChecklistItem {
    let (inherited, findings): (Vec<&Finding>, Vec<&Finding>) = comparison
        .merged
        .findings
        .iter()
        .partition(|f| comparison.is_inherited(f));
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    let old_errors = inherited
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let rules = Rule::ALL.len();
    let title = "No errors from any check rule on the merged chain";
    let detail = if findings.is_empty() && inherited.is_empty() {
        format!("{rules} rules, no finding")
    } else if findings.is_empty() {
        format!("{rules} rules, no new finding")
    } else {
        format!(
            "{} and {} this merge brings",
            plural(errors, "error", "errors"),
            plural(warnings, "warning", "warnings")
        )
    };
    if errors == 0 && old_errors > 0 {
        return ChecklistItem::already_on_base(
            "all-rules",
            title,
            detail,
            // The rules only: each problem is named on its own check and
            // under Problems Found.
            {
                let mut rules: Vec<&str> = Vec::new();
                for finding in inherited.iter().filter(|f| f.severity == Severity::Error) {
                    if !rules.contains(&finding.rule.name()) {
                        rules.push(finding.rule.name());
                    }
                }
                format!(
                    "{} ({})",
                    plural(old_errors, "error", "errors"),
                    rules
                        .iter()
                        .map(|rule| code(rule))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        );
    }
    ChecklistItem::new("all-rules", title, errors == 0, detail)
}

fn has_rule(findings: &[Finding], rules: &[Rule]) -> bool {
    findings.iter().any(|f| rules.contains(&f.rule))
}

/// The first three messages, and how many more.
fn first_messages(findings: &[&Finding]) -> String {
    let mut out: Vec<String> = findings.iter().take(3).map(|f| f.message.clone()).collect();
    if findings.len() > 3 {
        out.push(format!("and {} more", findings.len() - 3));
    }
    out.join("; ")
}

/// `a`, `b`, `c` in backticks, at most five, then how many more.
/// The merged heads in code; an id two heads share (two copies of one id)
/// is told apart by its file.
fn heads_listed(comparison: &Comparison) -> String {
    let project = &comparison.merged.project;
    let heads = comparison.merged.heads();
    let mut copies: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for id in &heads {
        *copies.entry(id.as_str()).or_default() += 1;
    }
    let shown: Vec<String> = project
        .map
        .heads()
        .iter()
        .zip(&heads)
        .map(|(&rev, id)| {
            if copies[id.as_str()] > 1 {
                format!(
                    "{} (in {})",
                    code(id),
                    code(&project.file_of(rev).display_path)
                )
            } else {
                code(id)
            }
        })
        .collect();
    match shown.len() {
        0 => "none".to_owned(),
        n if n > 5 => format!("{}, and {} more", shown[..5].join(", "), n - 5),
        _ => shown.join(", "),
    }
}

fn code_list(ids: &[String]) -> String {
    if ids.is_empty() {
        return "none".to_owned();
    }
    let mut out: Vec<String> = ids.iter().take(5).map(|id| code(id)).collect();
    if ids.len() > 5 {
        out.push(format!("and {} more", ids.len() - 5));
    }
    out.join(", ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `text` as inline code, whatever backticks it holds.
fn code(text: &str) -> String {
    let (mut longest, mut run) = (0, 0);
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    if longest == 0 {
        format!("`{text}`")
    } else {
        let fence = "`".repeat(longest + 1);
        format!("{fence} {text} {fence}")
    }
}
