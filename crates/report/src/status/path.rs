//! The database migration path: where production is (BASE's heads or
//! `--from`), the command to run after the merge, and the revisions it will
//! apply, in Alembic's order.

use super::StatusInput;
use super::doc::{Block, Item, Section, code, code_list};

/// Revisions listed one by one; the rest are counted.
const MAX_LISTED: usize = 25;

pub(crate) fn section(input: &StatusInput<'_>) -> Section {
    let comparison = input.comparison;
    let merged = &comparison.merged;
    let project = &merged.project;
    let base = &comparison.base;
    let start = if let Some(from) = input.from {
        format!("Database at revision {} (`--from`)", code(from))
    } else {
        let heads = base.ids(base.project.map.heads());
        match heads.len() {
            0 => "Empty database (the base has no revisions)".to_owned(),
            1 => format!(
                "Database at revision {} ({}'s head)",
                code(&heads[0]),
                code(&base.label)
            ),
            _ => format!(
                "Database at revisions {} ({}'s heads)",
                code_list(&heads, 5),
                code(&base.label)
            ),
        }
    };
    // `upgrade head` refuses when there is more than one head.
    let command = if merged.heads().len() > 1 {
        "alembic upgrade heads"
    } else {
        "alembic upgrade head"
    };
    let after = match comparison.path(input.from) {
        Ok(path) if path.is_empty() => {
            Item::new(format!("**After merge:** `{command}` has nothing to apply"))
        }
        Ok(path) => {
            let mut listed: Vec<String> = path
                .iter()
                .take(MAX_LISTED)
                .map(|id| match project.map.lookup(id) {
                    Some(rev) => {
                        let message = super::message_of(project, rev);
                        let file = code(&project.file_of(rev).display_path);
                        if message.is_empty() {
                            format!("{} ({file})", code(id))
                        } else {
                            format!("{} — {message} ({file})", code(id))
                        }
                    }
                    None => code(id),
                })
                .collect();
            if path.len() > MAX_LISTED {
                listed.push(format!("… and {} more", path.len() - MAX_LISTED));
            }
            Item::with(
                format!(
                    "**After merge:** run `{command}` to apply {}:",
                    super::doc::plural(path.len(), "revision", "revisions")
                ),
                listed,
            )
        }
        Err(error) => Item::new(format!(
            "**After merge:** ❌ `{command}` would fail: {error}"
        )),
    };
    let mut blocks = vec![
        Block::Paragraph("When this branch is merged, the migration path will be:".to_owned()),
        Block::List {
            ordered: true,
            items: vec![Item::new(format!("**Current state:** {start}")), after],
        },
    ];
    if command == "alembic upgrade heads" {
        blocks.push(Block::Paragraph(format!(
            "⚠️ The merged chain has {} heads, so `alembic upgrade head` would fail with `Multiple head revisions are present`.",
            merged.heads().len()
        )));
    }
    blocks.extend(duplicates_in_path(input));
    blocks.push(Block::Code {
        lang: "bash",
        text: command.to_owned(),
    });
    Section::new("path", "Database Migration Path", blocks)
}

/// For each duplicated id: which file Alembic runs (the last one loaded,
/// the copy the map answers with) and which never run.
fn duplicates_in_path(input: &StatusInput<'_>) -> Option<Block> {
    let project = &input.comparison.merged.project;
    let map = &project.map;
    let mut lines = Vec::new();
    for dup in &input.comparison.duplicate_ids {
        let Some(used) = map.lookup(&dup.id).map(|rev| map.canonical(rev)) else {
            continue;
        };
        let skipped: Vec<String> = (0..map.revisions().len())
            .filter(|&rev| rev != used && map.revisions()[rev].id == dup.id)
            .map(|rev| code(&project.file_of(rev).display_path))
            .collect();
        if skipped.is_empty() {
            continue;
        }
        lines.push(format!(
            "{} is declared more than once: Alembic runs only {} (the last file loaded); {} never {}",
            code(&dup.id),
            code(&project.file_of(used).display_path),
            skipped.join(", "),
            if skipped.len() == 1 { "runs" } else { "run" }
        ));
    }
    (!lines.is_empty()).then(|| Block::List {
        ordered: false,
        items: lines
            .into_iter()
            .map(|l| Item::new(format!("⚠️ {l}")))
            .collect(),
    })
}
