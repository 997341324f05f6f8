//! The last line of `check`'s text output.

use alembic_doctor_project::Project;
use alembic_doctor_rules::{Finding, Severity};

/// "All checks passed" with the chain's shape, or the count of findings.
pub fn check_summary<'a>(
    project: &Project,
    findings: impl IntoIterator<Item = &'a Finding>,
) -> String {
    let map = &project.map;
    let revisions = plural(map.revisions().len(), "revision");
    let heads: Vec<&str> = map
        .heads()
        .iter()
        .map(|&h| map.revisions()[h].id.as_str())
        .collect();
    let shape = format!(
        "{revisions}, {} ({})",
        plural(heads.len(), "head"),
        heads.join(", ")
    );
    let (mut errors, mut warnings) = (0, 0);
    for finding in findings {
        match finding.severity {
            Severity::Error => errors += 1,
            Severity::Warning => warnings += 1,
        }
    }
    if errors + warnings == 0 {
        return format!("All checks passed: {shape}.\n");
    }
    format!(
        "Found {} and {} in {shape}.\n",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
