//! The last line of `check`'s text output.

use alembic_doctor_project::Project;
use alembic_doctor_rules::{Finding, Severity};

/// "All checks passed" with the chain's shape, or the count of findings.
pub fn check_summary(project: &Project, findings: &[Finding]) -> String {
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
    if findings.is_empty() {
        return format!("All checks passed: {shape}.\n");
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
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
