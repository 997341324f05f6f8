//! Chain alignment: each side drawn as a short text tree (root, the
//! elided middle, the revision the new work starts from, the new
//! revisions), followed by a Mermaid graph of the recent part of the
//! merged chain.

use std::collections::{BTreeSet, HashSet};

use alembic_doctor_compare::{Differences, Side};
use alembic_doctor_graph::RevIdx;
use alembic_doctor_project::Project;

use super::StatusInput;
use super::doc::{Block, Section};
use super::mermaid;

/// At most this many new revisions are drawn per side in the text tree.
const MAX_TREE_LINES: usize = 40;

pub(crate) fn section(input: &StatusInput<'_>) -> Section {
    let comparison = input.comparison;
    let mut text = base_tree(&comparison.base);
    for (side, diff) in comparison.heads.iter().zip(&comparison.differences) {
        text.push('\n');
        text.push_str(&head_tree(&comparison.base, side, diff));
    }
    Section::new(
        "alignment",
        "Migration Chain Alignment",
        vec![
            Block::Code { lang: "text", text },
            // The tree above says what a reviewer needs; the graph is
            // there for whoever wants to see every edge.
            Block::Details {
                summary: "The recent chain as a graph".to_owned(),
                blocks: vec![Block::Code {
                    lang: "mermaid",
                    text: mermaid::recent_chain(comparison),
                }],
                in_text: false,
            },
        ],
    )
}

fn base_tree(base: &Side) -> String {
    let map = &base.project.map;
    let roots = base.ids(map.bases());
    let heads = base.ids(map.heads());
    let mut out = format!("{} (base):\n", base.label);
    let head_mark = format!("[HEAD on {}]", base.label);
    if roots.is_empty() {
        out.push_str("  (no root: the chain has no revision with down_revision = None)\n");
    } else if roots == heads {
        out.push_str(&format!("  Root: {} {head_mark}\n", roots.join(", ")));
        return out;
    } else {
        out.push_str(&format!(
            "  {}: {}\n",
            root_word(roots.len()),
            roots.join(", ")
        ));
    }
    let shown: BTreeSet<&String> = roots.iter().chain(&heads).collect();
    let middle = map.revisions().len().saturating_sub(shown.len());
    let mut indent = 4;
    if middle > 0 {
        out.push_str(&format!("{}└─> ... ({})\n", pad(indent), revisions(middle)));
        indent += 2;
    }
    for head in &heads {
        out.push_str(&format!("{}└─> {head} {head_mark}\n", pad(indent)));
    }
    out
}

fn head_tree(base: &Side, side: &Side, diff: &Differences) -> String {
    let project = &side.project;
    let map = &project.map;
    let base_map = &base.project.map;
    let base_heads: HashSet<String> = base.ids(base_map.heads()).into_iter().collect();
    let roots = side.ids(map.bases());
    let same_roots = roots == base.ids(base_map.bases());
    let mut out = format!("{}:\n", side.label);
    let new_ids: HashSet<&str> = diff.new.iter().map(|c| c.id.as_str()).collect();
    // Where the drawing of this side's own work starts: the revisions its
    // new ones start from, or its heads when it added nothing.
    let anchors: Vec<String> = if diff.new.is_empty() {
        side.ids(map.heads())
    } else {
        diff.starts_from.clone()
    };
    let anchor_revs: Vec<RevIdx> = anchors.iter().filter_map(|id| map.lookup(id)).collect();
    let note_anchor = |id: &str| {
        if base_heads.contains(id) {
            format!(" (matches {}'s head)", base.label)
        } else if base_map.lookup(id).is_some() {
            format!(" (on {}, not its head)", base.label)
        } else {
            String::new()
        }
    };
    let mark = |rev: RevIdx| {
        let id = &map.revisions()[rev].id;
        if map.is_head(rev) && new_ids.contains(id.as_str()) {
            " [NEW HEAD]"
        } else if map.is_head(rev) {
            " [HEAD]"
        } else {
            ""
        }
    };
    let same = if same_roots {
        format!(" (same as {})", base.label)
    } else {
        format!(" (differs from {})", base.label)
    };
    let mut indent = 4;
    let roots_are_anchors = !roots.is_empty() && roots == anchors;
    // Each anchor gets its own line (unless the root line named it), with
    // the new revisions that start from it drawn right below it.
    let mut draw_anchors = false;
    if roots.is_empty() {
        out.push_str("  (no root: the chain has no revision with down_revision = None)\n");
        indent = 2;
    } else if roots_are_anchors {
        indent = 2;
        let notes: Vec<String> = anchor_revs
            .iter()
            .map(|&rev| {
                let id = &map.revisions()[rev].id;
                format!("{id}{}{}", note_anchor(id), mark(rev))
            })
            .collect();
        out.push_str(&format!(
            "  {}: {}{same}\n",
            root_word(roots.len()),
            notes.join(", ")
        ));
    } else {
        out.push_str(&format!(
            "  {}: {}{same}\n",
            root_word(roots.len()),
            roots.join(", ")
        ));
        let below = ancestors(project, &anchor_revs);
        let shown: BTreeSet<&str> = roots.iter().chain(&anchors).map(String::as_str).collect();
        let middle: Vec<RevIdx> = below
            .into_iter()
            .filter(|&rev| !shown.contains(map.revisions()[rev].id.as_str()))
            .collect();
        if !middle.is_empty() {
            let all_on_base = middle
                .iter()
                .all(|&rev| base_map.lookup(&map.revisions()[rev].id).is_some());
            let on_base = if all_on_base {
                format!(", same as {}", base.label)
            } else {
                String::new()
            };
            out.push_str(&format!(
                "{}└─> ... ({}{on_base})\n",
                pad(indent),
                revisions(middle.len())
            ));
            indent += 2;
        }
        draw_anchors = true;
    }
    // The new revisions, as a tree under the revisions they start from.
    let new_revs: HashSet<RevIdx> = diff
        .new
        .iter()
        .filter_map(|change| map.lookup(&change.id))
        .collect();
    let mut drawn: HashSet<RevIdx> = HashSet::new();
    let mut lines = 0;
    let mut stack: Vec<(RevIdx, usize)> = Vec::new();
    'anchors: for &anchor in &anchor_revs {
        if draw_anchors {
            let id = &map.revisions()[anchor].id;
            out.push_str(&format!(
                "{}└─> {id}{}{}\n",
                pad(indent),
                note_anchor(id),
                mark(anchor)
            ));
        }
        push_children(map, anchor, indent + 2, &new_revs, &mut stack);
        while let Some((rev, depth)) = stack.pop() {
            let id = &map.revisions()[rev].id;
            if lines == MAX_TREE_LINES {
                let left = new_revs.len().saturating_sub(drawn.len());
                out.push_str(&format!(
                    "{}... and {} more new\n",
                    pad(depth),
                    revisions(left)
                ));
                break 'anchors;
            }
            lines += 1;
            if !drawn.insert(rev) {
                out.push_str(&format!("{}└─> {id} (merge, shown above)\n", pad(depth)));
                continue;
            }
            out.push_str(&format!("{}└─> {id}{}\n", pad(depth), mark(rev)));
            push_children(map, rev, depth + 2, &new_revs, &mut stack);
        }
    }
    // New revisions that hang from nothing on this side (a missing parent,
    // a second root): listed so that none is silently left out.
    let mut loose: Vec<&str> = diff
        .new
        .iter()
        .filter(|change| {
            map.lookup(&change.id)
                .is_none_or(|rev| !drawn.contains(&rev))
        })
        .map(|change| change.id.as_str())
        .collect();
    loose.dedup();
    for id in loose.iter().take(MAX_TREE_LINES.saturating_sub(lines)) {
        out.push_str(&format!(
            "  not attached: {id}{}\n",
            parents_note(base, side, id)
        ));
    }
    out
}

/// Where a loose revision's parents are: missing on this side, and on
/// BASE (its head, or not).
fn parents_note(base: &Side, side: &Side, id: &str) -> String {
    let map = &side.project.map;
    let Some(rev) = map.lookup(id) else {
        return String::new();
    };
    let down = &map.revisions()[rev].down_revisions;
    if down.is_empty() {
        return " (a second root: down_revision = None)".to_owned();
    }
    let base_map = &base.project.map;
    let notes: Vec<String> = down
        .iter()
        .map(|parent| {
            let here = if map.lookup(parent).is_some() {
                "present here"
            } else {
                "missing here"
            };
            let there = match base_map.lookup(parent) {
                Some(p) if base_map.is_head(p) => format!("{}'s head", base.label),
                Some(_) => format!("on {}", base.label),
                None => format!("not on {} either", base.label),
            };
            format!("down_revision '{parent}': {here}, {there}")
        })
        .collect();
    format!(" ({})", notes.join("; "))
}

fn push_children(
    map: &alembic_doctor_graph::RevisionMap,
    rev: RevIdx,
    depth: usize,
    new_revs: &HashSet<RevIdx>,
    stack: &mut Vec<(RevIdx, usize)>,
) {
    for &child in map.children(rev).iter().rev() {
        let child = map.canonical(child);
        if new_revs.contains(&child) {
            stack.push((child, depth));
        }
    }
}

/// `revs` and everything below them through `down_revision`.
fn ancestors(project: &Project, revs: &[RevIdx]) -> BTreeSet<RevIdx> {
    let map = &project.map;
    let mut seen = BTreeSet::new();
    let mut stack: Vec<RevIdx> = revs.iter().map(|&r| map.canonical(r)).collect();
    while let Some(rev) = stack.pop() {
        if seen.insert(rev) {
            for parent in &map.revisions()[rev].down_revisions {
                if let Some(parent) = map.lookup(parent) {
                    stack.push(map.canonical(parent));
                }
            }
        }
    }
    seen
}

fn root_word(n: usize) -> &'static str {
    if n == 1 { "Root" } else { "Roots" }
}

fn revisions(n: usize) -> String {
    super::doc::plural(n, "revision", "revisions")
}

fn pad(n: usize) -> String {
    " ".repeat(n)
}
