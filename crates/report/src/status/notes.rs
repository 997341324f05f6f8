//! Important notes per new revision: what each migration does and what to
//! act on, as `compare` read it from `upgrade()` / `downgrade()`. Only
//! rendered here; nothing is derived.

use alembic_doctor_compare::{NoteLevel, RevisionNotes};
use alembic_doctor_rules::Rule;

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
            super::path::start_revisions(input)
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
        let items = note_items(&revision.notes);
        let count = items.len();
        let list = Block::List {
            ordered: false,
            items,
        };
        // A copy that never runs where production is: said once, with
        // why; what it would do is not written as if it ran (collapsed in
        // Markdown, left out of plain text).
        if let Some(base_path) = super::run::shadowed_base_path(input, &revision.id, &revision.path)
        {
            // Why is said once, under Database Migration Path.
            blocks.push(Block::Paragraph(format!(
                "⚠️ **Never runs on a database already at {}'s head:** it reuses the id of {} (see Database Migration Path); nothing below happens there until it gets a new id.",
                code(&input.comparison.base.label),
                code(&base_path)
            )));
            blocks.push(Block::Details {
                summary: format!(
                    "What it would do once it has its own id ({})",
                    super::doc::plural(count, "note", "notes")
                ),
                blocks: vec![list],
                in_text: false,
            });
        } else {
            blocks.push(list);
        }
    }
    blocks
}

/// One item per note. A safety lint's finding is stated in full under
/// Problems Found: here it is named by its rule after what the same line
/// does (`creates index ... (line 23) — ⚠️ create-index-not-concurrently`),
/// or alone, with its line, when no other note describes that line.
fn note_items(notes: &[alembic_doctor_compare::Note]) -> Vec<Item> {
    let is_finding = |note: &alembic_doctor_compare::Note| {
        note.level == NoteLevel::Warning && note.code.parse::<Rule>().is_ok()
    };
    let at = |line: Option<usize>| {
        line.map(|line| format!(" (line {line})"))
            .unwrap_or_default()
    };
    let mut items: Vec<(Option<usize>, bool, Vec<String>, String)> = Vec::new();
    for note in notes {
        if is_finding(note)
            && note.line.is_some()
            && let Some((_, _, rules, _)) = items
                .iter_mut()
                .rev()
                .find(|(line, info, _, _)| *info && *line == note.line)
        {
            if !rules.contains(&code(note.code)) {
                rules.push(code(note.code));
            }
            continue;
        }
        let text = match note.level {
            NoteLevel::Info => note.message.clone(),
            // Stated in full under Problems Found: named here.
            NoteLevel::Warning if is_finding(note) => {
                format!("⚠️ {} (see Problems Found)", code(note.code))
            }
            NoteLevel::Warning => format!("⚠️ {}", note.message),
        };
        items.push((note.line, note.level == NoteLevel::Info, Vec::new(), text));
    }
    items
        .into_iter()
        .map(|(line, _, rules, text)| {
            let flagged = if rules.is_empty() {
                String::new()
            } else {
                format!(" — ⚠️ {} (see Problems Found)", rules.join(", "))
            };
            Item::new(format!("{text}{}{flagged}", at(line)))
        })
        .collect()
}
