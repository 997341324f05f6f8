//! A Mermaid graph of the recent part of the merged chain: the new
//! revisions, the base's heads, the revisions the new work starts from and
//! a few of their ancestors. Bounded, so that a branch with hundreds of new
//! revisions still renders; merges are drawn with one edge per parent, and
//! node names are generated (`r12`), so no revision id can break the
//! syntax.

use std::collections::{BTreeMap, BTreeSet};

use alembic_doctor_compare::Comparison;
use alembic_doctor_graph::RevIdx;

/// The most new revisions drawn (the latest in upgrade order).
const MAX_NEW: usize = 30;
/// Generations of ancestors drawn below the anchors.
const ANCESTOR_DEPTH: usize = 3;
/// The most ancestors drawn.
const MAX_ANCESTORS: usize = 12;

/// The `mermaid` block's body.
pub(crate) fn recent_chain(comparison: &Comparison) -> String {
    let project = &comparison.merged.project;
    let map = &project.map;
    let position: BTreeMap<RevIdx, usize> = map
        .upgrade_order()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(n, rev)| (rev, n))
        .collect();
    let new_ids: BTreeSet<&str> = comparison
        .differences
        .iter()
        .flat_map(|d| d.new.iter().map(|c| c.id.as_str()))
        .collect();
    // Every file declaring a new id, duplicates included: a duplicate is
    // exactly what the graph must show.
    let mut new: Vec<RevIdx> = (0..map.revisions().len())
        .filter(|&rev| new_ids.contains(map.revisions()[rev].id.as_str()))
        .collect();
    new.sort_by_key(|rev| (position.get(rev).copied().unwrap_or(usize::MAX), *rev));
    let hidden_new = new.len().saturating_sub(MAX_NEW);
    let new: Vec<RevIdx> = new.split_off(hidden_new);
    let mut anchors: Vec<RevIdx> = comparison
        .base
        .ids(comparison.base.project.map.heads())
        .iter()
        .chain(comparison.differences.iter().flat_map(|d| &d.starts_from))
        .filter_map(|id| map.lookup(id))
        .collect();
    anchors.extend(map.heads().iter().take(MAX_NEW));
    let mut shown: BTreeSet<RevIdx> = new.iter().chain(&anchors).copied().collect();
    // A few generations below the anchors, nearest first.
    let mut frontier: Vec<RevIdx> = anchors.clone();
    let mut added = 0;
    'walk: for _ in 0..ANCESTOR_DEPTH {
        let mut next = Vec::new();
        for rev in frontier {
            for parent in parents(comparison, rev) {
                if added == MAX_ANCESTORS {
                    break 'walk;
                }
                if shown.insert(parent) {
                    added += 1;
                    next.push(parent);
                }
            }
        }
        frontier = next;
    }
    let duplicated: BTreeSet<&str> = comparison
        .duplicate_ids
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    let base_heads: BTreeSet<RevIdx> = comparison
        .base
        .ids(comparison.base.project.map.heads())
        .iter()
        .filter_map(|id| map.lookup(id))
        .collect();
    let mut out = String::from("flowchart TD\n");
    let mut nodes: Vec<RevIdx> = shown.iter().copied().collect();
    nodes.sort_by_key(|rev| (position.get(rev).copied().unwrap_or(usize::MAX), *rev));
    let mut classes: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for &rev in &nodes {
        let input = &map.revisions()[rev];
        let mut label = label_text(&input.id);
        let message = super::message_of(project, rev);
        if !message.is_empty() {
            label.push_str("<br/>");
            label.push_str(&label_text(&shorten(message, 40)));
        }
        if duplicated.contains(input.id.as_str()) {
            label.push_str("<br/>");
            label.push_str(&label_text(&format!(
                "duplicate id: {}",
                project.file_of(rev).display_path
            )));
        }
        out.push_str(&format!("  r{rev}[\"{label}\"]\n"));
        let class = if duplicated.contains(input.id.as_str()) {
            "duplicate"
        } else if new_ids.contains(input.id.as_str()) {
            "new"
        } else if base_heads.contains(&rev) {
            "basehead"
        } else {
            "old"
        };
        classes.entry(class).or_default().push(format!("r{rev}"));
    }
    let copies = copies_of_duplicates(comparison);
    let mut earlier = false;
    let mut hidden_parents: Vec<RevIdx> = Vec::new();
    for &rev in &nodes {
        let input = &map.revisions()[rev];
        let mut hidden_parent = false;
        for id in &input.down_revisions {
            let resolved = map.lookup(id).map(|p| map.canonical(p));
            // The file the child was written against: with a duplicated
            // id, the copy on the child's own side; Alembic resolves the
            // id to the last file loaded, which may be the other one.
            let written = copies
                .get(id.as_str())
                .and_then(|candidates| written_against(comparison, rev, candidates))
                .filter(|copy| shown.contains(copy))
                .or(resolved);
            match (written, resolved) {
                (Some(parent), Some(resolved)) if shown.contains(&parent) => {
                    if !copies.contains_key(id.as_str()) {
                        out.push_str(&format!("  r{parent} --> r{rev}\n"));
                    } else if parent == resolved {
                        out.push_str(&format!(
                            "  r{parent} -->|\"written against this copy; Alembic resolves the id to it (last file loaded)\"| r{rev}\n"
                        ));
                    } else {
                        out.push_str(&format!(
                            "  r{parent} -->|\"written against this copy\"| r{rev}\n"
                        ));
                        let file = label_text(&project.file_of(resolved).display_path);
                        if shown.contains(&resolved) {
                            out.push_str(&format!(
                                "  r{resolved} -.->|\"but Alembic resolves the id to this copy (last file loaded)\"| r{rev}\n"
                            ));
                        } else {
                            out.push_str(&format!(
                                "  resolved{rev}[\"Alembic resolves the id to {file} (last file loaded)\"] -.-> r{rev}\n"
                            ));
                        }
                    }
                }
                (Some(_), Some(resolved)) => {
                    hidden_parent = true;
                    hidden_parents.push(resolved);
                }
                _ => {
                    out.push_str(&format!(
                        "  missing{rev}[\"{} (missing)\"] -.-> r{rev}\n",
                        label_text(id)
                    ));
                }
            }
        }
        for &dependency in map.resolved_dependencies(rev) {
            let dependency = map.canonical(dependency);
            if shown.contains(&dependency) {
                out.push_str(&format!("  r{dependency} -. depends on .-> r{rev}\n"));
            }
        }
        if hidden_parent {
            earlier = true;
            out.push_str(&format!("  earlier --> r{rev}\n"));
        }
    }
    // The drawn revisions the hidden ones descend from (the root, drawn
    // for a branch started there): connected to them, so the graph stays
    // one history.
    for below in shown_below_hidden(comparison, &shown, &hidden_parents) {
        out.push_str(&format!("  r{below} --> earlier\n"));
    }
    if earlier {
        out.push_str("  earlier([\"… earlier revisions\"])\n");
    }
    if hidden_new > 0 {
        out.push_str(&format!(
            "  more([\"… {hidden_new} earlier new revisions not drawn\"])\n"
        ));
    }
    out.push_str("  classDef new fill:#d4f7d4,stroke:#2da44e\n");
    out.push_str("  classDef basehead fill:#ddf4ff,stroke:#0969da\n");
    out.push_str("  classDef duplicate fill:#ffebe9,stroke:#cf222e\n");
    out.push_str("  classDef old fill:#f6f8fa,stroke:#8c959f\n");
    for (class, names) in classes {
        out.push_str(&format!("  class {} {class}\n", names.join(",")));
    }
    out
}

/// Every copy of each duplicated id in the merged project.
fn copies_of_duplicates(comparison: &Comparison) -> BTreeMap<&str, Vec<RevIdx>> {
    let map = &comparison.merged.project.map;
    let duplicated: BTreeSet<&str> = comparison
        .duplicate_ids
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    let mut copies: BTreeMap<&str, Vec<RevIdx>> = BTreeMap::new();
    for (rev, input) in map.revisions().iter().enumerate() {
        if duplicated.contains(input.id.as_str()) {
            copies.entry(input.id.as_str()).or_default().push(rev);
        }
    }
    copies.retain(|_, revs| revs.len() > 1);
    copies
}

/// Of `candidates` (the copies of a duplicated id), the one `child` was
/// written against: the only copy on a side that has the child's file
/// (BASE first, then each HEAD). `None` when no side tells.
fn written_against(
    comparison: &Comparison,
    child: RevIdx,
    candidates: &[RevIdx],
) -> Option<RevIdx> {
    let project = &comparison.merged.project;
    let path_of = |rev: RevIdx| project.file_of(rev).display_path.as_str();
    let child_path = path_of(child);
    for side in std::iter::once(&comparison.base).chain(&comparison.heads) {
        let has = |path: &str| {
            side.project
                .files
                .iter()
                .any(|file| file.display_path == path)
        };
        if !has(child_path) {
            continue;
        }
        let mut here = candidates.iter().copied().filter(|&c| has(path_of(c)));
        if let (Some(only), None) = (here.next(), here.next()) {
            return Some(only);
        }
    }
    None
}

/// The drawn revisions below `hidden` (revisions not drawn), reached
/// through revisions not drawn either; a bounded walk.
fn shown_below_hidden(
    comparison: &Comparison,
    shown: &BTreeSet<RevIdx>,
    hidden: &[RevIdx],
) -> BTreeSet<RevIdx> {
    /// Enough to reach the root of any drawn chain worth drawing.
    const MAX_WALK: usize = 100_000;
    let mut seen: BTreeSet<RevIdx> = BTreeSet::new();
    let mut found = BTreeSet::new();
    let mut stack: Vec<RevIdx> = hidden.to_vec();
    while let Some(rev) = stack.pop() {
        if seen.len() >= MAX_WALK || !seen.insert(rev) {
            continue;
        }
        for parent in parents(comparison, rev) {
            if shown.contains(&parent) {
                found.insert(parent);
            } else {
                stack.push(parent);
            }
        }
    }
    found
}

/// `down_revision` parents and dependencies, canonical.
fn parents(comparison: &Comparison, rev: RevIdx) -> Vec<RevIdx> {
    let map = &comparison.merged.project.map;
    let mut out: Vec<RevIdx> = map.revisions()[rev]
        .down_revisions
        .iter()
        .filter_map(|id| map.lookup(id))
        .collect();
    out.extend_from_slice(map.resolved_dependencies(rev));
    out.into_iter().map(|r| map.canonical(r)).collect()
}

/// Text safe inside a quoted Mermaid label: quotes, angle brackets and
/// ampersands become Mermaid's entity codes, line breaks spaces.
fn label_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            '\r' | '\n' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_close_the_node() {
        assert_eq!(label_text("a\"]b<c>&#"), "a#quot;]b#lt;c#gt;#amp;#35;");
    }
}
