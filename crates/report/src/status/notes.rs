//! Important notes per new revision: what each migration does and what to
//! act on, as `compare` read it from `upgrade()` / `downgrade()`. Only
//! rendered here; nothing is derived.

use alembic_doctor_compare::RevisionNotes;

use super::StatusInput;
use super::doc::{Block, Item, Section, code};

/// The section, or nothing when no new revision has a note. With `--from`
/// below BASE's head, the revisions BASE has that the database has not
/// run follow, under a heading of their own: they go out with the merge.
pub(crate) fn section(input: &StatusInput<'_>) -> Option<Section> {
    let comparison = input.comparison;
    let has_notes =
        |notes: &[RevisionNotes]| notes.iter().any(|revision| !revision.notes.is_empty());
    if !has_notes(&comparison.notes) && !has_notes(&comparison.pending_notes) {
        return None;
    }
    let mut blocks = revision_blocks(input, &comparison.notes);
    if has_notes(&comparison.pending_notes) {
        blocks.push(Block::Heading(format!(
            "Already on {}, not yet run on the database at {}",
            code(&comparison.base.label),
            code(input.from.unwrap_or_default())
        )));
        blocks.push(Block::Paragraph(
            "These revisions are not this branch's, but the same deploy runs them first:"
                .to_owned(),
        ));
        blocks.extend(revision_blocks(input, &comparison.pending_notes));
    }
    Some(Section::new("notes", "Important Notes", blocks))
}

/// A heading and a list of notes for each revision that has notes.
fn revision_blocks(input: &StatusInput<'_>, notes: &[RevisionNotes]) -> Vec<Block> {
    let mut blocks = Vec::new();
    for revision in notes.iter().filter(|r| !r.notes.is_empty()) {
        let message = if revision.message.is_empty() {
            String::new()
        } else {
            format!(": {}", super::doc::text(&revision.message))
        };
        blocks.push(Block::Heading(format!(
            "{} ({}){message}",
            code(&revision.id),
            code(&revision.path)
        )));
        let items: Vec<Item> = revision
            .notes
            .iter()
            .map(|note| {
                let mark = match note.level {
                    alembic_doctor_compare::NoteLevel::Info => "",
                    alembic_doctor_compare::NoteLevel::Warning => "⚠️ ",
                };
                let line = note
                    .line
                    .map(|line| format!(" (line {line})"))
                    .unwrap_or_default();
                Item::new(format!("{mark}{}{line}", note.message))
            })
            .collect();
        let list = Block::List {
            ordered: false,
            items,
        };
        // A copy that never runs where production is: said once, with
        // why; what it would do is not written as if it ran (collapsed in
        // Markdown, left out of plain text).
        if let Some(base_path) = super::run::shadowed_base_path(input, &revision.id, &revision.path)
        {
            let base = code(&input.comparison.base.label);
            blocks.push(Block::Paragraph(format!(
                "⚠️ **Never runs on a database already at {base}'s head:** {base} already declares {} in {}, so such a database is stamped with that id and Alembic skips this file; none of it happens there until this revision gets a new id (`alembic-doctor fix duplicate-ids`).",
                code(&revision.id),
                code(&base_path)
            )));
            blocks.push(Block::Details {
                summary: format!(
                    "What it would do once it has its own id ({})",
                    super::doc::plural(revision.notes.len(), "note", "notes")
                ),
                blocks: vec![list],
            });
        } else {
            blocks.push(list);
        }
    }
    blocks
}
