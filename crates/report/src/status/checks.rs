//! The pre-merge checklist: one line per check that ran, ✅ with its
//! evidence or ❌ with the reason.

use super::StatusInput;
use super::doc::{Block, Section, bullets, code, plural};

pub(crate) fn section(input: &StatusInput<'_>) -> Section {
    let items = input.checklist;
    let base = code(&input.comparison.base.label);
    let failed = items.iter().filter(|item| !item.passed).count();
    let inherited = items
        .iter()
        .filter(|item| item.passed && item.inherited.is_some())
        .count();
    // What BASE already has is named once, on its check, and is never
    // counted among the failed checks.
    let also = if inherited == 0 {
        String::new()
    } else {
        format!(
            " ({} already on {base}, not this merge's)",
            plural(inherited, "problem", "problems")
        )
    };
    let summary = if failed == 0 {
        format!("✅ **All {} pre-merge checks passed{also}.**", items.len())
    } else {
        format!(
            "❌ **{failed} of {} pre-merge checks failed{also}:**",
            items.len()
        )
    };
    let line = |item: &alembic_doctor_compare::ChecklistItem| {
        let icon = if !item.passed {
            "❌"
        } else if item.inherited.is_some() {
            "☑️"
        } else {
            "✅"
        };
        match (&item.inherited, item.passed) {
            (Some(problem), true) => format!(
                "{icon} {} — {}; already on {base}: {problem}",
                item.title, item.detail
            ),
            _ => format!("{icon} {} — {}", item.title, item.detail),
        }
    };
    // What needs a reviewer's attention stays in sight; the evidence of
    // each check that passed is one click away.
    let (clean, attention): (Vec<_>, Vec<_>) = items
        .iter()
        .partition(|item| item.passed && item.inherited.is_none());
    let mut blocks = vec![Block::Paragraph(summary)];
    if !attention.is_empty() {
        blocks.push(bullets(attention.into_iter().map(line)));
    }
    if !clean.is_empty() {
        let summary = if failed == 0 && inherited == 0 {
            "What each check found".to_owned()
        } else {
            format!(
                "The other {}, which passed",
                plural(clean.len(), "check", "checks")
            )
        };
        blocks.push(Block::Details {
            summary,
            blocks: vec![bullets(clean.into_iter().map(line))],
            in_text: true,
        });
    }
    Section::new("checklist", "Pre-Merge Checklist", blocks)
}
