//! The pre-merge checklist: one line per check that ran, ✅ with its
//! evidence or ❌ with the reason.

use super::StatusInput;
use super::doc::{Block, Section, bullets};

pub(crate) fn section(input: &StatusInput<'_>) -> Section {
    let items = input.checklist;
    let failed = items.iter().filter(|item| !item.passed).count();
    let summary = if failed == 0 {
        format!("✅ **All {} pre-merge checks passed:**", items.len())
    } else {
        format!(
            "❌ **{failed} of {} pre-merge checks failed:**",
            items.len()
        )
    };
    let lines = items.iter().map(|item| {
        let icon = if item.passed { "✅" } else { "❌" };
        format!("{icon} {} — {}", item.title, item.detail)
    });
    Section::new(
        "checklist",
        "Pre-Merge Checklist",
        vec![Block::Paragraph(summary), bullets(lines)],
    )
}
