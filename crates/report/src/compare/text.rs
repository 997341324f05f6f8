//! The text summary of `compare` for people: each side, what changed, the
//! merged result and the path. Findings' code frames are rendered by the
//! caller ([`crate::render_text`] over the merged project).

use alembic_doctor_compare::{Comparison, NoteLevel, RevisionChange, RevisionNotes, Side, Start};

/// The summary, without the findings' code frames; the path starts at
/// `start`.
pub fn comparison_text(comparison: &Comparison, start: &Start) -> String {
    let mut out = String::new();
    out.push_str(&side_line("base", &comparison.base));
    for (side, diff) in comparison.heads.iter().zip(&comparison.differences) {
        out.push_str(&side_line("head", side));
        let list = |changes: &[RevisionChange]| {
            changes
                .iter()
                .map(|c| match &c.base_path {
                    Some(base) if *base != c.path => format!("{} ({base} -> {})", c.id, c.path),
                    _ => format!("{} ({})", c.id, c.path),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (what, changes) in [
            ("new", &diff.new),
            ("removed", &diff.removed),
            ("edited", &diff.edited),
            ("renamed", &diff.renamed),
        ] {
            if !changes.is_empty() {
                out.push_str(&format!("  {what}: {}\n", list(changes)));
            }
        }
        if !diff.starts_from.is_empty() {
            out.push_str(&format!(
                "  new revisions start from: {}\n",
                diff.starts_from.join(", ")
            ));
        }
        out.push_str(&format!(
            "  extends the base's head: {}\n",
            if diff.extends_base_head { "yes" } else { "no" }
        ));
    }
    for dup in &comparison.duplicate_ids {
        let files: Vec<String> = dup
            .files
            .iter()
            .map(|(side, path)| format!("{path} on {side}"))
            .collect();
        out.push_str(&format!("duplicate id {}: {}\n", dup.id, files.join(", ")));
    }
    for pair in &comparison.pair_conflicts {
        let mut why = Vec::new();
        if !pair.same_parent.is_empty() {
            why.push(format!("both extend {}", pair.same_parent.join(", ")));
        }
        if !pair.same_id.is_empty() {
            why.push(format!("both add {}", pair.same_id.join(", ")));
        }
        out.push_str(&format!(
            "conflict between {} and {}: {}\n",
            pair.sides[0],
            pair.sides[1],
            why.join("; ")
        ));
    }
    let merged = &comparison.merged;
    for conflict in &merged.conflicts {
        out.push_str(&format!(
            "file conflict in {} ({}): {}; {}'s version kept\n",
            conflict.path,
            conflict.side,
            // Plain labels: the text format shows names as written.
            conflict.naming(
                alembic_doctor_compare::changed_first_by(comparison, conflict),
                &conflict.side
            ),
            conflict.side
        ));
    }
    out.push_str(&format!(
        "after merge: {}, heads: {}, bases: {}\n",
        revisions(merged.project.map.revisions().len()),
        none_if_empty(&merged.heads()),
        none_if_empty(&merged.bases()),
    ));
    let path = comparison.path(start);
    let start = match start {
        Start::BaseHeads => {
            let heads = comparison.base.ids(comparison.base.project.map.heads());
            format!("the base's head ({})", none_if_empty(&heads))
        }
        Start::Revision(symbol) => symbol.clone(),
        Start::Database(state) => format!(
            "the database at {} (URL from {}; {}: {})",
            state.url,
            state.origin,
            state.version_table,
            if state.rows.is_empty() {
                "no rows".to_owned()
            } else {
                state.rows.join(", ")
            }
        ),
    };
    match path {
        Ok(path) if path.is_empty() => {
            out.push_str(&format!("upgrade path from {start}: nothing to apply\n"));
        }
        Ok(path) => out.push_str(&format!(
            "upgrade path from {start}: {}\n",
            path.join(" -> ")
        )),
        Err(error) => out.push_str(&format!("upgrade path from {start}: {error}\n")),
    }
    out.push_str(&notes_text(&comparison.notes));
    out
}

/// What the new revisions do: one block per revision, `-` for what it
/// does, `!` for what to act on.
fn notes_text(notes: &[RevisionNotes]) -> String {
    let mut out = String::new();
    if notes.is_empty() {
        return out;
    }
    out.push_str("what the new revisions do:\n");
    for revision in notes {
        let message = if revision.message.is_empty() {
            String::new()
        } else {
            format!(": {}", revision.message)
        };
        out.push_str(&format!("  {} ({}){message}\n", revision.id, revision.path));
        for note in &revision.notes {
            let mark = match note.level {
                NoteLevel::Info => '-',
                NoteLevel::Warning => '!',
            };
            let line = note
                .line
                .map(|line| format!(" (line {line})"))
                .unwrap_or_default();
            out.push_str(&format!("    {mark} {}{line}\n", note.message));
        }
    }
    out
}

fn side_line(role: &str, side: &Side) -> String {
    let map = &side.project.map;
    let commit = side
        .rev
        .as_ref()
        .map(|rev| format!(" ({})", rev.short_id()))
        .unwrap_or_default();
    format!(
        "{role} {}{commit}: {}, roots: {}, heads: {}, merges: {}\n",
        side.label,
        revisions(map.revisions().len()),
        none_if_empty(&side.ids(map.bases())),
        none_if_empty(&side.ids(map.heads())),
        none_if_empty(&side.merges()),
    )
}

fn none_if_empty(ids: &[String]) -> String {
    if ids.is_empty() {
        "none".to_owned()
    } else {
        ids.join(", ")
    }
}

/// `1 revision`, `2 revisions`.
fn revisions(n: usize) -> String {
    if n == 1 {
        "1 revision".to_owned()
    } else {
        format!("{n} revisions")
    }
}
