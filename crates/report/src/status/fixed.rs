//! "Issues Found and Fixed": the repairs `report --fix` made before the
//! comparison was read, with the old and new ids, and the ones it left for
//! a person and why. Only present when `--fix` ran.

use super::StatusInput;
use super::doc::{Block, Item, Section, code};

/// One repair `report --fix` made (the report does not depend on the fix
/// crate: the caller passes what was done).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedIssue {
    /// `duplicate-id`, `reference`, `header`.
    pub kind: String,
    /// The file, as displayed, after the fix.
    pub file: String,
    /// The id (or header value) before.
    pub old: Option<String>,
    /// The id (or header value) after.
    pub new: Option<String>,
    /// One sentence for people.
    pub description: String,
}

/// What `--fix` did, when it ran.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fixes {
    /// The repairs made, verified and kept.
    pub applied: Vec<FixedIssue>,
    /// Repairs not made, and why.
    pub skipped: Vec<String>,
}

pub(crate) fn section(input: &StatusInput<'_>) -> Option<Section> {
    let fixes = input.fixes?;
    let mut blocks = Vec::new();
    if fixes.applied.is_empty() {
        // With repairs skipped (uncommitted changes, a refusal), saying
        // there was nothing to repair would hide why.
        blocks.push(Block::Paragraph(if fixes.skipped.is_empty() {
            "`--fix` found nothing it could repair without a decision from a person.".to_owned()
        } else {
            "`--fix` repaired nothing:".to_owned()
        }));
    } else {
        let items = fixes
            .applied
            .iter()
            .map(|fix| {
                let change = match (&fix.old, &fix.new) {
                    (Some(old), Some(new)) => format!(": {} → {}", code(old), code(new)),
                    _ => String::new(),
                };
                Item::with(
                    format!("**{}** in {}{change}", fix.kind, code(&fix.file)),
                    vec![fix.description.clone()],
                )
            })
            .collect();
        blocks.push(Block::Paragraph(
            "Repaired by `alembic-doctor report --fix` before this report was made (each repair re-checked, \
             and undone had it not checked out); the sections below describe the repaired tree:"
                .to_owned(),
        ));
        blocks.push(Block::List {
            ordered: false,
            items,
        });
    }
    if !fixes.skipped.is_empty() {
        if !fixes.applied.is_empty() {
            blocks.push(Block::Paragraph("Not repaired:".to_owned()));
        }
        blocks.push(Block::List {
            ordered: false,
            items: fixes.skipped.iter().map(Item::new).collect(),
        });
    }
    Some(Section::new("fixed", "Issues Found and Fixed", blocks))
}
