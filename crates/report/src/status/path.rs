//! The database migration path: where production is (BASE's heads,
//! `--from`, or a database's version table, read), the command to run
//! after the merge, and the revisions it will apply, in Alembic's order.

use alembic_doctor_compare::Start;

use super::StatusInput;
use super::doc::{Block, Item, Section, code, code_list};

/// Revisions listed one by one; the rest are counted.
const MAX_LISTED: usize = 25;

pub(crate) fn section(input: &StatusInput<'_>) -> Section {
    let comparison = input.comparison;
    let merged = &comparison.merged;
    let project = &merged.project;
    let base = &comparison.base;
    let start = if let Start::Revision(from) = input.start {
        format!("Database at revision {} (`--from`)", code(from))
    } else if let Start::Database(state) = input.start {
        let source = format!(
            "read from {} in {}, the URL from {}",
            code(&state.version_table),
            code(&state.url),
            code(&state.origin)
        );
        match state.rows.len() {
            0 => format!("Empty database: no revision stamped ({source})"),
            1 => format!("Database at revision {} ({source})", start_revisions(input)),
            _ => format!(
                "Database at revisions {} ({source})",
                start_revisions(input)
            ),
        }
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
        super::run::alembic(input, "upgrade heads")
    } else {
        super::run::alembic(input, "upgrade head")
    };
    let blockers = super::run::blockers(input);
    let path = comparison.path(input.start);
    let after = match &path {
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
                            format!("{} — {} ({file})", code(id), super::doc::text(message))
                        }
                    }
                    None => code(id),
                })
                .collect();
            if path.len() > MAX_LISTED {
                listed.push(format!("… and {} more", path.len() - MAX_LISTED));
            }
            let count = super::doc::plural(path.len(), "revision", "revisions");
            let text = if blockers.is_empty() {
                format!("**After merge:** run `{command}` to apply {count}:")
            } else {
                format!("**After merge:** `{command}` would apply {count}:")
            };
            Item::with(text, listed)
        }
        Err(error) => Item::new(format!(
            "**After merge:** ❌ `{command}` would fail: {}",
            error.trim_start_matches("FAILED: ")
        )),
    };
    let after = if blockers.is_empty() {
        after
    } else {
        Item::with(
            format!(
                "**After merge:** ❌ do not run `alembic upgrade` on this merge until it is fixed: {}. As the files stand, {}",
                blockers.join("; "),
                lowercase_first(after.text.trim_start_matches("**After merge:** "))
            ),
            after.children,
        )
    };
    let mut blocks = vec![
        Block::Paragraph(format!(
            "When {} {} merged into {}, the migration path will be:",
            super::advice::heads_label(input),
            if comparison.heads.len() == 1 {
                "is"
            } else {
                "are"
            },
            code(&base.label)
        )),
        Block::List {
            ordered: true,
            items: vec![Item::new(format!("**Current state:** {start}")), after],
        },
    ];
    if merged.heads().len() > 1 {
        blocks.push(Block::Paragraph(format!(
            "⚠️ The merged chain has {} heads, so `alembic upgrade head` would fail with `Multiple head revisions are present`.",
            merged.heads().len()
        )));
    }
    blocks.extend(duplicates_in_path(input));
    // No command to copy while it would fail.
    if blockers.is_empty() && path.is_ok() {
        blocks.push(Block::Code {
            lang: "bash",
            text: command,
        });
    }
    Section::new("path", "Database Migration Path", blocks)
}

/// Where the database is, for a sentence: `--from` as given, or the
/// version table's rows (each the merged chain does not know marked so),
/// or "no revision" for an empty one; empty from BASE's heads.
pub(crate) fn start_revisions(input: &StatusInput<'_>) -> String {
    let map = &input.comparison.merged.project.map;
    match input.start {
        Start::BaseHeads => String::new(),
        Start::Revision(symbol) => code(symbol),
        Start::Database(state) if state.rows.is_empty() => "no revision".to_owned(),
        Start::Database(state) => state
            .rows
            .iter()
            .map(|row| match map.resolve(row).as_deref() {
                Ok([_]) => code(row),
                _ => format!("{} (no migration file declares it)", code(row)),
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// For each duplicated id: which file never runs where. A HEAD's file
/// whose id BASE already declares never runs on a database at BASE's head
/// (it is stamped with that id already); on an empty database Alembic runs
/// the last file loaded (the copy the map answers with) and skips the rest.
fn duplicates_in_path(input: &StatusInput<'_>) -> Option<Block> {
    let project = &input.comparison.merged.project;
    let map = &project.map;
    let base = &input.comparison.base.label;
    let shadowed = super::run::shadowed(input);
    let mut lines = Vec::new();
    for dup in &input.comparison.duplicate_ids {
        let Some(used) = map.lookup(&dup.id).map(|rev| map.canonical(rev)) else {
            continue;
        };
        let used_path = code(&project.file_of(used).display_path);
        let skipped: Vec<String> = (0..map.revisions().len())
            .filter(|&rev| rev != used && map.revisions()[rev].id == dup.id)
            .map(|rev| code(&project.file_of(rev).display_path))
            .collect();
        let mine: Vec<&super::run::Shadowed> = shadowed.iter().filter(|s| s.id == dup.id).collect();
        if mine.is_empty() {
            if skipped.is_empty() {
                continue;
            }
            lines.push(format!(
                "{} is declared more than once: Alembic runs only {used_path} (the last file loaded); {} never {}",
                code(&dup.id),
                skipped.join(", "),
                if skipped.len() == 1 { "runs" } else { "run" }
            ));
            continue;
        }
        for s in mine {
            lines.push(format!(
                "{} (new on {}) never runs on a database at {}'s head: that database ran {}, which declares the same id {}; on an empty database Alembic runs only {used_path} (the last file loaded)",
                code(&s.path),
                super::side_name_of(input.comparison, &s.side),
                code(base),
                code(&s.base_path),
                code(&dup.id),
            ));
        }
    }
    (!lines.is_empty()).then(|| Block::List {
        ordered: false,
        items: lines
            .into_iter()
            .map(|l| Item::new(format!("⚠️ {l}")))
            .collect(),
    })
}

/// `text` with its first letter in lower case.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
