//! Each side on its own: the branch comparison (totals, roots and heads
//! with their files, merge revisions, status) and the statistics table.

use alembic_doctor_compare::Side;
use alembic_doctor_graph::RevIdx;
use alembic_doctor_project::Project;
use alembic_doctor_rules::{Finding, Severity};

use super::StatusInput;
use super::doc::{Block, Section, bullets, code, plural};

pub(crate) fn branch_comparison(input: &StatusInput<'_>) -> Section {
    let comparison = input.comparison;
    let base = &comparison.base;
    let base_roots = base.ids(base.project.map.bases());
    let mut blocks = Vec::new();
    for (n, side) in std::iter::once(base).chain(&comparison.heads).enumerate() {
        let map = &side.project.map;
        let role = if n == 0 { "base" } else { "head" };
        let commit = side
            .rev
            .as_ref()
            .map(|rev| format!(", {}", code(&rev.short_id())))
            .unwrap_or_default();
        let heading = match &side.worktree {
            // `feature` (head, working tree, with uncommitted changes)
            Some(state) => format!(
                "{} ({role}, {})",
                code(state.branch.as_deref().unwrap_or("working tree")),
                state.description()
            ),
            // A side named by its commit id is not followed by it again.
            None if side
                .rev
                .as_ref()
                .is_some_and(|rev| rev.short_id() == side.label) =>
            {
                format!("{} ({role})", code(&side.label))
            }
            None => format!("{} ({role}{commit})", code(&side.label)),
        };
        blocks.push(Block::Heading(heading));
        let mut roots = format!("**Roots:** {}", with_files(&side.project, map.bases()));
        if n > 0 {
            if side.ids(map.bases()) == base_roots {
                roots.push_str(&format!(" — same as {} ✅", code(&base.label)));
            } else {
                roots.push_str(&format!(" — differs from {} ❌", code(&base.label)));
            }
        }
        let status = side_status(input, n, side).line();
        blocks.push(bullets([
            format!("**Total migrations:** {}", map.revisions().len()),
            roots,
            format!("**Heads:** {}", with_files(&side.project, map.heads())),
            format!("**Merge migrations:** {}", side.merges().len()),
            format!("**Status:** {status}"),
        ]));
    }
    Section::new("branches", "Branch Comparison", blocks)
}

/// `2 (`a` in `path`, `b` in `path`)`: at most five, then a count.
fn with_files(project: &Project, revs: &[RevIdx]) -> String {
    let mut named: Vec<String> = revs
        .iter()
        .take(5)
        .map(|&rev| {
            format!(
                "{} in {}",
                code(&project.map.revisions()[rev].id),
                code(&project.file_of(rev).display_path)
            )
        })
        .collect();
    if revs.len() > 5 {
        named.push(format!("and {} more", revs.len() - 5));
    }
    if named.is_empty() {
        "0".to_owned()
    } else {
        format!("{} ({})", revs.len(), named.join(", "))
    }
}

/// How a side stands on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Health {
    /// No finding, and it extends the base's head (or is the base).
    Healthy,
    /// Warnings only, or it does not extend the base's head.
    Warnings,
    /// At least one error.
    Errors,
}

impl Health {
    /// The mark that opens a status.
    fn mark(self) -> &'static str {
        match self {
            Health::Healthy => "✅",
            Health::Warnings => "⚠️",
            Health::Errors => "❌",
        }
    }

    /// The mark and a word, for the statistics table.
    fn short(self) -> &'static str {
        match self {
            Health::Healthy => "✅ Healthy",
            Health::Warnings => "⚠️ Warnings",
            Health::Errors => "❌ Errors",
        }
    }
}

/// A side's status, from its own findings: how it stands, and why.
struct SideStatus {
    health: Health,
    /// `single head`, `2 heads`.
    shape: String,
    /// How it relates to the base's head (empty for the base itself).
    relation: &'static str,
    /// `rule` ×count for the rules with errors, and with warnings.
    errors: Vec<String>,
    warnings: Vec<String>,
    /// How many of a HEAD's findings BASE already has (not counted in its
    /// health), and BASE's label.
    inherited: Option<(usize, String)>,
}

impl SideStatus {
    /// The status of a side with `heads` heads and `findings`; `extends`
    /// is whether a HEAD extends the base's head (`None` for the base).
    fn new(heads: usize, findings: &[Finding], extends: Option<bool>) -> Self {
        let errors = rules_at(findings, Severity::Error);
        let warnings = rules_at(findings, Severity::Warning);
        let health = if !errors.is_empty() {
            Health::Errors
        } else if !warnings.is_empty() || extends == Some(false) {
            Health::Warnings
        } else {
            Health::Healthy
        };
        Self {
            health,
            shape: if heads == 1 {
                "single head".to_owned()
            } else {
                plural(heads, "head", "heads")
            },
            relation: match extends {
                Some(true) => ", extends the base's head",
                Some(false) => ", does not extend the base's head",
                None => "",
            },
            errors,
            warnings,
            inherited: None,
        }
    }

    /// A HEAD's status: what BASE already has does not count against it,
    /// and is said once, as BASE's.
    fn with_inherited(
        findings: &[Finding],
        inherited: &[Finding],
        heads: usize,
        extends: bool,
        base: &str,
    ) -> Self {
        let mut status = Self::new(heads, findings, Some(extends));
        if !inherited.is_empty() {
            status.inherited = Some((inherited.len(), base.to_owned()));
        }
        status
    }

    /// The Branch Comparison's status line: the mark, the shape and why.
    fn line(&self) -> String {
        let line = self.own_line();
        match &self.inherited {
            Some((n, base)) if self.health == Health::Healthy => format!(
                "{} ({}{}, none of its own; {} already on {})",
                self.health.short(),
                self.shape,
                self.relation,
                plural(*n, "finding", "findings"),
                code(base)
            ),
            Some((n, base)) => format!(
                "{line}; {} already on {}",
                plural(*n, "finding", "findings"),
                code(base)
            ),
            None => line,
        }
    }

    fn own_line(&self) -> String {
        let Self {
            shape, relation, ..
        } = self;
        match self.health {
            Health::Errors => format!(
                "{} {shape}{relation}; errors: {}",
                self.health.mark(),
                self.errors.join(", ")
            ),
            Health::Warnings if self.warnings.is_empty() => {
                format!("{} {shape}{relation}", self.health.mark())
            }
            Health::Warnings => format!(
                "{} {shape}{relation}; warnings: {}",
                self.health.mark(),
                self.warnings.join(", ")
            ),
            Health::Healthy => format!("{} ({shape}{relation}, no findings)", self.health.short()),
        }
    }
}

/// The status of `comparison`'s side `n` (0 for BASE, then the HEADs).
fn side_status(input: &StatusInput<'_>, n: usize, side: &Side) -> SideStatus {
    let findings = input.side_findings.get(n).map_or(&[][..], Vec::as_slice);
    let heads = side.project.map.heads().len();
    let Some(diff) = n
        .checked_sub(1)
        .and_then(|i| input.comparison.differences.get(i))
    else {
        return SideStatus::new(heads, findings, None);
    };
    let (inherited, own): (Vec<Finding>, Vec<Finding>) = findings
        .iter()
        .cloned()
        .partition(|f| input.comparison.is_inherited(f));
    let mut status = SideStatus::with_inherited(
        &own,
        &inherited,
        heads,
        diff.extends_base_head,
        &input.comparison.base.label,
    );
    // A HEAD that adds nothing neither extends nor forks the chain: say
    // so, and whether it is only behind BASE.
    if diff.new.is_empty() && diff.extends_base_head {
        let base = &input.comparison.base;
        status.relation = if diff.heads == base.ids(base.project.map.heads()) {
            ", adds no revisions"
        } else {
            ", behind the base's head, adds no revisions"
        };
    }
    status
}

/// `rule` (count) for each rule with findings of `severity`.
fn rules_at(findings: &[Finding], severity: Severity) -> Vec<String> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for finding in findings.iter().filter(|f| f.severity == severity) {
        match counts
            .iter_mut()
            .find(|(name, _)| *name == finding.rule.name())
        {
            Some((_, count)) => *count += 1,
            None => counts.push((finding.rule.name(), 1)),
        }
    }
    counts
        .into_iter()
        .map(|(name, count)| format!("{} ×{count}", code(name)))
        .collect()
}

pub(crate) fn statistics(input: &StatusInput<'_>) -> Section {
    let comparison = input.comparison;
    let merged = &comparison.merged;
    let sides: Vec<&Side> = std::iter::once(&comparison.base)
        .chain(&comparison.heads)
        .collect();
    let mut header = vec!["Metric".to_owned()];
    header.extend(sides.iter().map(|side| super::side_name(side)));
    header.push("After merge".to_owned());
    let count_row = |name: &str, of: &dyn Fn(&Project) -> usize| {
        let mut row = vec![name.to_owned()];
        row.extend(sides.iter().map(|side| of(&side.project).to_string()));
        row.push(of(&merged.project).to_string());
        row
    };
    let merge_count = |project: &Project| {
        (0..project.map.revisions().len())
            .filter(|&rev| project.map.is_merge_point(rev))
            .count()
    };
    let mut new_row = vec!["New revisions".to_owned(), "—".to_owned()];
    new_row.extend(
        comparison
            .differences
            .iter()
            .map(|d| d.new.len().to_string()),
    );
    new_row.push(
        comparison
            .differences
            .iter()
            .map(|d| d.new.len())
            .sum::<usize>()
            .to_string(),
    );
    let severity_row = |name: &str, severity: Severity| {
        // A HEAD's and the merge's own findings, as their status counts
        // them; what BASE already has is added apart.
        let cell = |findings: &[Finding]| {
            let (inherited, own): (Vec<&Finding>, Vec<&Finding>) = findings
                .iter()
                .filter(|f| f.severity == severity)
                .partition(|f| comparison.is_inherited(f));
            if inherited.is_empty() {
                own.len().to_string()
            } else {
                format!(
                    "{} (+{} on {})",
                    own.len(),
                    inherited.len(),
                    comparison.base.label
                )
            }
        };
        let mut row = vec![name.to_owned()];
        for n in 0..sides.len() {
            let findings = input.side_findings.get(n).map_or(&[][..], Vec::as_slice);
            row.push(if n == 0 {
                count(findings, severity).to_string()
            } else {
                cell(findings)
            });
        }
        row.push(cell(&merged.findings));
        row
    };
    // Each side's status as its Branch Comparison line gives it; the merged
    // result's is the verdict.
    let mut status_row = vec!["Status".to_owned()];
    for (n, side) in sides.iter().enumerate() {
        status_row.push(side_status(input, n, side).health.short().to_owned());
    }
    status_row.push(
        match super::advice::verdict(input) {
            super::Verdict::Healthy => "✅ Healthy",
            super::Verdict::Warnings => "⚠️ Warnings",
            super::Verdict::Broken => "❌ Broken",
        }
        .to_owned(),
    );
    let rows = vec![
        count_row("Total migrations", &|p| p.map.revisions().len()),
        count_row("Root migrations", &|p| p.map.bases().len()),
        count_row("Head migrations", &|p| p.map.heads().len()),
        count_row("Merge migrations", &merge_count),
        new_row,
        severity_row("Errors", Severity::Error),
        severity_row("Warnings", Severity::Warning),
        status_row,
    ];
    Section::new(
        "statistics",
        "Migration Statistics",
        vec![Block::Table { header, rows }],
    )
}

fn count(findings: &[Finding], severity: Severity) -> usize {
    findings.iter().filter(|f| f.severity == severity).count()
}

#[cfg(test)]
mod tests {
    use alembic_doctor_rules::Rule;

    use super::*;

    fn finding(rule: Rule, severity: Severity) -> Finding {
        let mut finding = Finding::new(rule, "message");
        finding.severity = severity;
        finding
    }

    /// What BASE already has is said once, as BASE's, and does not make a
    /// HEAD's health.
    #[test]
    fn a_heads_status_leaves_out_what_the_base_has() {
        let warning = finding(Rule::MultipleBases, Severity::Warning);
        let status =
            SideStatus::with_inherited(&[], std::slice::from_ref(&warning), 1, true, "main");
        assert_eq!(
            status.line(),
            "✅ Healthy (single head, extends the base's head, none of its own; 1 finding already on `main`)"
        );
        assert_eq!(status.health.short(), "✅ Healthy");
        let status = SideStatus::with_inherited(
            std::slice::from_ref(&warning),
            std::slice::from_ref(&warning),
            1,
            true,
            "main",
        );
        assert_eq!(
            status.line(),
            "⚠️ single head, extends the base's head; warnings: `multiple-bases` ×1; 1 finding already on `main`"
        );
    }

    /// The status line and the statistics table's status come from one
    /// reading of the findings: errors over warnings over not extending
    /// the base's head.
    #[test]
    fn status_lines_and_their_short_form_agree() {
        let error = finding(Rule::MultipleHeads, Severity::Error);
        let warning = finding(Rule::MultipleBases, Severity::Warning);
        let cases = [
            (
                SideStatus::new(1, &[], None),
                "✅ Healthy (single head, no findings)",
                "✅ Healthy",
            ),
            (
                SideStatus::new(1, &[], Some(true)),
                "✅ Healthy (single head, extends the base's head, no findings)",
                "✅ Healthy",
            ),
            (
                SideStatus::new(1, &[], Some(false)),
                "⚠️ single head, does not extend the base's head",
                "⚠️ Warnings",
            ),
            (
                SideStatus::new(2, &[warning.clone(), warning.clone()], None),
                "⚠️ 2 heads; warnings: `multiple-bases` ×2",
                "⚠️ Warnings",
            ),
            (
                SideStatus::new(2, &[warning, error], Some(false)),
                "❌ 2 heads, does not extend the base's head; errors: `multiple-heads` ×1",
                "❌ Errors",
            ),
        ];
        for (status, line, short) in cases {
            assert_eq!(status.line(), line);
            assert_eq!(status.health.short(), short);
        }
    }
}
