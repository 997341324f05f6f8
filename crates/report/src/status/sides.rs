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
        let findings = input.side_findings.get(n).map_or(&[][..], Vec::as_slice);
        let role = if n == 0 { "base" } else { "head" };
        let commit = side
            .rev
            .as_ref()
            .map(|rev| format!(", {}", code(&rev.short_id())))
            .unwrap_or_default();
        blocks.push(Block::Heading(format!(
            "{} ({role}{commit})",
            code(&side.label)
        )));
        let mut roots = format!("**Roots:** {}", with_files(&side.project, map.bases()));
        if n > 0 {
            if side.ids(map.bases()) == base_roots {
                roots.push_str(&format!(" — same as {} ✅", code(&base.label)));
            } else {
                roots.push_str(&format!(" — differs from {} ❌", code(&base.label)));
            }
        }
        let status = match n.checked_sub(1).and_then(|i| comparison.differences.get(i)) {
            Some(diff) => side_status(side, findings, Some(diff.extends_base_head)),
            None => side_status(side, findings, None),
        };
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

/// ✅ / ⚠️ / ❌ and why, from the side's own findings.
fn side_status(side: &Side, findings: &[Finding], extends: Option<bool>) -> String {
    let errors = rules_at(findings, Severity::Error);
    let warnings = rules_at(findings, Severity::Warning);
    let heads = side.project.map.heads().len();
    let shape = if heads == 1 {
        "single head".to_owned()
    } else {
        plural(heads, "head", "heads")
    };
    let relation = match extends {
        Some(true) => ", extends the base's head",
        Some(false) => ", does not extend the base's head",
        None => "",
    };
    if !errors.is_empty() {
        format!("❌ {shape}{relation}; errors: {}", errors.join(", "))
    } else if !warnings.is_empty() || extends == Some(false) {
        let warned = if warnings.is_empty() {
            String::new()
        } else {
            format!("; warnings: {}", warnings.join(", "))
        };
        format!("⚠️ {shape}{relation}{warned}")
    } else {
        format!("✅ Healthy ({shape}{relation}, no findings)")
    }
}

/// The first words of [`side_status`]: ✅ Healthy, ⚠️ Warnings, ❌ Errors.
fn short_status(side: &Side, findings: &[Finding], extends: Option<bool>) -> &'static str {
    let status = side_status(side, findings, extends);
    if status.starts_with('❌') {
        "❌ Errors"
    } else if status.starts_with('⚠') {
        "⚠️ Warnings"
    } else {
        "✅ Healthy"
    }
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
    header.extend(sides.iter().map(|side| code(&side.label)));
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
        let mut row = vec![name.to_owned()];
        for n in 0..sides.len() {
            let findings = input.side_findings.get(n).map_or(&[][..], Vec::as_slice);
            row.push(count(findings, severity).to_string());
        }
        row.push(count(&merged.findings, severity).to_string());
        row
    };
    // Each side's status as its Branch Comparison line gives it; the merged
    // result's is the verdict.
    let mut status_row = vec!["Status".to_owned()];
    for (n, side) in sides.iter().enumerate() {
        let findings = input.side_findings.get(n).map_or(&[][..], Vec::as_slice);
        let extends = n
            .checked_sub(1)
            .and_then(|i| comparison.differences.get(i))
            .map(|diff| diff.extends_base_head);
        status_row.push(short_status(side, findings, extends).to_owned());
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
