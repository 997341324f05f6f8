//! Verification: does each HEAD's new work extend BASE's head? Shows the
//! base head, the new revisions and their `down_revision` relationship, as
//! read from the files.

use alembic_doctor_compare::{Comparison, Differences, Side};

use super::StatusInput;
use super::doc::{Block, Item, Section, bullets, code};

/// At most this many new revisions are listed per HEAD.
const MAX_LISTED: usize = 10;

pub(crate) fn section(input: &StatusInput<'_>) -> Section {
    let comparison = input.comparison;
    let base = &comparison.base;
    let base_map = &base.project.map;
    let mut blocks = Vec::new();
    let base_heads: Vec<String> = base_map
        .heads()
        .iter()
        .map(|&rev| super::id_and_message(&base.project, rev))
        .collect();
    for (side, diff) in comparison.heads.iter().zip(&comparison.differences) {
        let adds_nothing = diff.extends_base_head && diff.new.is_empty();
        let (icon, claim) = if adds_nothing {
            ("✅", "adds no migration to")
        } else if diff.extends_base_head {
            ("✅", "correctly extends")
        } else {
            ("❌", "does not extend")
        };
        let head_word = if base_heads.len() == 1 {
            "head"
        } else {
            "heads"
        };
        blocks.push(Block::Paragraph(if adds_nothing {
            format!(
                "{icon} **{} {claim} {}'s chain**",
                super::side_name(side),
                code(&base.label)
            )
        } else {
            format!(
                "{icon} **Migration head on {} {claim} {}'s {head_word}**",
                super::side_name(side),
                code(&base.label)
            )
        }));
        let mut items = vec![Item::new(format!(
            "{} {head_word}: {}",
            super::doc::text(&base.label),
            if base_heads.is_empty() {
                "none".to_owned()
            } else {
                base_heads.join(", ")
            }
        ))];
        items.push(new_revisions(side, diff));
        let relationship = relationships(base, side, diff);
        // A single head written on BASE's head needs no more proof than
        // its `down_revision`; anything else is explained from the graphs.
        let direct = diff.extends_base_head
            && diff.heads.len() == 1
            && relationship.as_ref().is_some_and(|item| {
                item.children.len() == 1 && item.children.iter().all(|line| line.ends_with(" ✅"))
            });
        items.extend(relationship);
        if !direct {
            items.push(facts(comparison, side, diff));
        }
        blocks.push(Block::List {
            ordered: false,
            items,
        });
    }
    if comparison.heads.is_empty() {
        blocks.push(bullets(["no HEAD to verify".to_owned()]));
    }
    Section::new("verification", "Verification", blocks)
}

fn new_revisions(side: &Side, diff: &Differences) -> Item {
    if diff.new.is_empty() {
        return Item::new("New migrations: none");
    }
    let project = &side.project;
    let mut listed: Vec<String> = diff
        .new
        .iter()
        .take(MAX_LISTED)
        .map(|change| {
            project.map.lookup(&change.id).map_or_else(
                || code(&change.id),
                |rev| super::id_and_message(project, rev),
            )
        })
        .collect();
    if diff.new.len() > MAX_LISTED {
        listed.push(format!("and {} more", diff.new.len() - MAX_LISTED));
    }
    let word = if diff.new.len() == 1 {
        "migration"
    } else {
        "migrations"
    };
    Item::new(format!("New {word}: {}", listed.join(", ")))
}

/// Why the HEAD extends BASE's heads or not, from the two graphs: its heads
/// and whether each descends from BASE's, how many heads each has, and
/// what it deleted or re-used.
fn facts(comparison: &Comparison, side: &Side, diff: &Differences) -> Item {
    if diff.extends_base_head {
        let text = if diff.new.is_empty() {
            let base = &comparison.base;
            let base_heads = base.ids(base.project.map.heads());
            let behind = !diff.behind.is_empty()
                && diff
                    .heads
                    .iter()
                    .all(|id| diff.behind.contains(id) || base_heads.contains(id));
            if behind {
                format!(
                    "no new revisions; its {} {} below the base's, because it lacks the base's later revisions, which the merge keeps: the base's chain stays as it is",
                    if diff.heads.len() == 1 {
                        "head"
                    } else {
                        "heads"
                    },
                    if diff.heads.len() == 1 { "is" } else { "are" },
                )
            } else {
                "no new revisions: the merge keeps the base's chain as it is".to_owned()
            }
        } else {
            alembic_doctor_compare::extension_evidence(comparison, side, diff)
        };
        return Item::new(format!("Graph: {text}"));
    }
    let reasons: Vec<String> = diff
        .not_extending
        .iter()
        .map(|fact| alembic_doctor_compare::not_extending_reason(comparison, side, fact))
        .collect();
    Item::with("Why not:", reasons)
}

/// `new.down_revision = 'parent'` for each new revision whose parents are
/// not new: the places where the branch attaches to the existing chain.
fn relationships(base: &Side, side: &Side, diff: &Differences) -> Option<Item> {
    let map = &side.project.map;
    let base_heads = base.ids(base.project.map.heads());
    let mut lines = Vec::new();
    for change in &diff.new {
        let Some(rev) = map.lookup(&change.id) else {
            continue;
        };
        let down = &map.revisions()[rev].down_revisions;
        let attaches = down.iter().any(|parent| diff.starts_from.contains(parent));
        if !attaches && !down.is_empty() {
            continue;
        }
        let written = match down.as_slice() {
            [] => "None".to_owned(),
            [one] => format!("'{one}'"),
            many => format!(
                "({})",
                many.iter()
                    .map(|p| format!("'{p}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let on_head = down.iter().any(|parent| base_heads.contains(parent));
        let verdict = if on_head && diff.extends_base_head {
            "✅".to_owned()
        } else if on_head {
            format!(
                "⚠️ {}'s head, but the branch does not extend it (see below)",
                super::doc::text(&base.label)
            )
        } else if diff.extends_base_head && !down.is_empty() {
            // Written on an older parent and merged with BASE's head
            // further up (a merge revision of the branch's own).
            format!(
                "✅ on {} below its head; merged with {} further up",
                super::doc::text(&base.label),
                super::doc::code_list(&base_heads, 3)
            )
        } else {
            format!(
                "❌ {}'s head is {}",
                super::doc::text(&base.label),
                super::doc::code_list(&base_heads, 3)
            )
        };
        lines.push(format!(
            "{} {verdict}",
            code(&format!("{}.down_revision = {written}", change.id))
        ));
        if lines.len() == MAX_LISTED {
            break;
        }
    }
    if lines.is_empty() {
        None
    } else {
        Some(Item::with("Relationship:", lines))
    }
}
