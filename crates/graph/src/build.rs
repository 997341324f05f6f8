//! Building the map: Alembic's `RevisionMap._revision_map`, made tolerant.
//!
//! The steps follow Alembic's (collect, labels into the map, resolve
//! `depends_on`, wire parents to children, normalize dependencies, check
//! cycles, propagate labels). Where Alembic raises, this build records a
//! problem, skips the offending edge or label and carries on, so that the
//! map always describes every file; `fatal.rs` then works out which error
//! Alembic would have raised first.
//!
//! Cost: O(n + e) for everything except normalization and label propagation,
//! whose bounds are documented in their modules.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::fatal::{self, FatalInputs};
use crate::ids::IdIndex;
use crate::labels::{self, LabelGraph};
use crate::lists::Lists;
use crate::map::{Entry, RevisionMap};
use crate::normalize;
use crate::notes::HashOrderNote;
use crate::problems::{GraphProblem, LabelClash};
use crate::{RevIdx, RevisionInput};

/// A label collision: (label, revision declaring it, holder, kind).
type Conflict = (String, RevIdx, RevIdx, LabelClash);

/// An edge of the map, from a parent object to a child entry.
type Edge = (RevIdx, usize);

pub(crate) fn build(revisions: Vec<RevisionInput>) -> RevisionMap {
    let n = revisions.len();
    let (id_entry, entries, entry_of) = collect(&revisions);
    let (label_owner, label_keys, conflicts) = map_labels(&revisions, &id_entry, &entries);
    let mut map = RevisionMap {
        revisions,
        entry_of,
        entries,
        id_entry,
        label_owner,
        label_keys,
        down_objs: Lists::empty(0),
        down_ids: Lists::empty(0),
        resolved_entries: Lists::empty(0),
        resolved_deps: Lists::empty(0),
        normalized_deps: Lists::empty(0),
        norm_down_objs: Lists::empty(0),
        nextrev: Lists::empty(0),
        all_nextrev: Lists::empty(0),
        heads: Vec::new(),
        real_heads: Vec::new(),
        bases: Vec::new(),
        real_bases: Vec::new(),
        labels: Vec::new(),
        problems: Vec::new(),
        failure: None,
        notes: Vec::new(),
        upgrade_order: std::sync::OnceLock::new(),
    };

    // 3. Resolve depends_on (ids or labels, exactly), and look up every
    //    down_revision key once.
    let missing_dependencies = resolve_dependencies(&mut map);
    look_up_down_revisions(&mut map);

    // 4. Wire parents to children.
    let first_missing_parent = wire(&mut map);
    map.bases = (0..n)
        .filter(|&r| map.revisions[r].down_revisions.is_empty())
        .collect();
    map.real_bases = (0..n)
        .filter(|&r| {
            map.revisions[r].down_revisions.is_empty() && map.revisions[r].depends_on.is_empty()
        })
        .collect();

    // 5. Normalize dependencies.
    normalize_dependencies(&mut map);

    // 6. Labels.
    map.labels = labels::propagate(&LabelGraph {
        revisions: &map.revisions,
        nextrev: &map.nextrev,
        all_nextrev: &map.all_nextrev,
        down_objs: &map.down_objs,
    });

    // 7. What Alembic would say, and what is wrong: two reads of the
    //    finished map, each a few passes over every revision, side by side
    //    on a long history (a thread costs more than they do on a short one).
    let inputs = FatalInputs {
        map: &map,
        first_label_conflict: conflicts
            .first()
            .map(|(label, rev, holder, _)| (label.clone(), *rev, *holder)),
        first_missing_dependency: missing_dependencies.first().cloned(),
        first_missing_parent,
    };
    let problems = || problems(&map, &conflicts, &missing_dependencies);
    let (failure, problems) = if n >= SIDE_BY_SIDE_FROM {
        std::thread::scope(|scope| {
            let failure = scope.spawn(|| fatal::first_failure(&inputs));
            let problems = problems();
            let failure = failure
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (failure, problems)
        })
    } else {
        (fatal::first_failure(&inputs), problems())
    };
    let notes = notes(&map, &conflicts, &missing_dependencies);
    map.failure = failure;
    map.problems = problems;
    map.notes = notes;
    map
}

/// Revisions from which the last checks of [`build`] run on two threads.
const SIDE_BY_SIDE_FROM: usize = 10_000;

/// 1. One entry per distinct id, at its first position, holding its last
///    file. Returns the id index, the entries and each file's entry.
fn collect(revisions: &[RevisionInput]) -> (IdIndex, Vec<Entry>, Vec<usize>) {
    let n = revisions.len();
    let mut id_entry = IdIndex::with_capacity(n);
    let mut entries: Vec<Entry> = Vec::with_capacity(n);
    let mut entry_of = Vec::with_capacity(n);
    for (rev, r) in revisions.iter().enumerate() {
        let new_entry = entries.len();
        // An entry not pushed yet is the one being inserted, with this id.
        let id_of = |e: usize| {
            entries
                .get(e)
                .map_or(r.id.as_str(), |entry| id(revisions, entry))
        };
        let e = id_entry.get_or_insert(&r.id, new_entry, id_of);
        if e == new_entry {
            entries.push(Entry { canonical: rev });
        } else {
            entries[e].canonical = rev;
        }
        entry_of.push(e);
    }
    (id_entry, entries, entry_of)
}

/// The id of an entry's object.
fn id<'a>(revisions: &'a [RevisionInput], entry: &Entry) -> &'a str {
    &revisions[entry.canonical].id
}

/// 2. Branch labels into the map. Alembic iterates a set of revisions; load
///    order here. A collision keeps the first holder. Returns each label's
///    owner, the labels in insertion order, and the collisions.
fn map_labels(
    revisions: &[RevisionInput],
    id_entry: &IdIndex,
    entries: &[Entry],
) -> (FxHashMap<String, RevIdx>, Vec<String>, Vec<Conflict>) {
    let mut label_owner: FxHashMap<String, RevIdx> = FxHashMap::default();
    let mut label_keys = Vec::new();
    let mut conflicts: Vec<Conflict> = Vec::new();
    for (rev, r) in revisions.iter().enumerate() {
        for label in &r.branch_labels {
            if let Some(e) = id_entry.get(label, |e| id(revisions, &entries[e])) {
                conflicts.push((
                    label.clone(),
                    rev,
                    entries[e].canonical,
                    LabelClash::RevisionId,
                ));
            } else if let Some(&owner) = label_owner.get(label) {
                conflicts.push((label.clone(), rev, owner, LabelClash::Label));
            } else {
                label_owner.insert(label.clone(), rev);
                label_keys.push(label.clone());
            }
        }
    }
    (label_owner, label_keys, conflicts)
}

/// Sets `resolved_entries` and `resolved_deps`; returns the entries that
/// resolve to nothing, in load order.
fn resolve_dependencies(map: &mut RevisionMap) -> Vec<(RevIdx, String)> {
    let n = map.revisions.len();
    let mut missing = Vec::new();
    let mut resolved = Lists::with_capacity(n, 0);
    for (rev, r) in map.revisions.iter().enumerate() {
        if dependencies_truthy(&r.depends_on) {
            for key in &r.depends_on {
                match map.map_lookup(key) {
                    Some(obj) => resolved.push(map.entry_of[obj]),
                    None => missing.push((rev, key.clone())),
                }
            }
        }
        resolved.close();
    }
    map.resolved_deps = resolved.map(|&e| map.entries[e].canonical);
    map.resolved_entries = resolved;
    missing
}

/// Sets `down_ids` and `down_objs`: every `down_revision` key is hashed once,
/// here, and a label lookup happens only for a key that is not an id.
fn look_up_down_revisions(map: &mut RevisionMap) {
    let n = map.revisions.len();
    let keys = map.revisions.iter().map(|r| r.down_revisions.len()).sum();
    let mut down_ids = Lists::with_capacity(n, keys);
    let mut down_objs = Lists::with_capacity(n, keys);
    for r in &map.revisions {
        for key in &r.down_revisions {
            let id = map.entry_of_id(key);
            down_ids.push(id);
            down_objs.push(match id {
                Some(e) => Some(map.entries[e].canonical),
                None => map.label_owner.get(key).copied(),
            });
        }
        down_ids.close();
        down_objs.close();
    }
    map.down_ids = down_ids;
    map.down_objs = down_objs;
}

/// Sets `nextrev`, `all_nextrev`, `heads` and `real_heads`: the canonical
/// objects are wired in map order, then the label holders (an earlier copy
/// of a duplicated id that declares a label is wired through its label
/// entry). Returns the first missing parent in that order.
fn wire(map: &mut RevisionMap) -> Option<(RevIdx, String)> {
    let n = map.revisions.len();
    let order = map
        .entries
        .iter()
        .map(|e| e.canonical)
        .chain(map.label_keys.iter().map(|label| map.label_owner[label]));
    let mut wired = vec![false; n];
    let mut versioned_edges: Vec<Edge> = Vec::with_capacity(map.down_objs.all_items().len());
    let mut all_edges: Vec<Edge> = Vec::with_capacity(
        map.down_objs.all_items().len() + map.resolved_entries.all_items().len(),
    );
    let mut head_gone = vec![false; n];
    let mut real_head_gone = vec![false; n];
    let mut first_missing_parent = None;
    for rev in order {
        if std::mem::replace(&mut wired[rev], true) {
            continue;
        }
        // Alembic walks `_all_down_revisions` (the down keys, then the
        // dependency ids). Every effect below is idempotent, so repeated keys
        // need no deduplication; only the first missing key matters.
        let child = map.entry_of[rev];
        let down_ids = &map.down_ids[rev];
        for (key, parent) in map.revisions[rev]
            .down_revisions
            .iter()
            .zip(&map.down_objs[rev])
        {
            let Some(parent) = *parent else {
                first_missing_parent.get_or_insert_with(|| (rev, key.clone()));
                continue;
            };
            all_edges.push((parent, child));
            // `parent.revision in child._versioned_down_revisions`: false for
            // a parent named only by one of its labels.
            if down_ids.contains(&Some(map.entry_of[parent])) {
                versioned_edges.push((parent, child));
            }
            head_gone[parent] = true;
            real_head_gone[parent] = true;
        }
        for &dep in &map.resolved_entries[rev] {
            let parent = map.entries[dep].canonical;
            all_edges.push((parent, child));
            if down_ids.contains(&Some(dep)) {
                versioned_edges.push((parent, child));
                head_gone[parent] = true;
            }
            real_head_gone[parent] = true;
        }
    }
    map.nextrev = children_in_map_order(map, &versioned_edges);
    // The versioned edges are a subsequence of all edges: as many means the
    // same (no dependencies, no parent named by a label), the usual case.
    map.all_nextrev = if all_edges.len() == versioned_edges.len() {
        map.nextrev.clone()
    } else {
        children_in_map_order(map, &all_edges)
    };
    map.heads = (0..n).filter(|&r| !head_gone[r]).collect();
    map.real_heads = (0..n).filter(|&r| !real_head_gone[r]).collect();
    first_missing_parent
}

/// Each object's children, each once, as canonical objects in map order.
fn children_in_map_order(map: &RevisionMap, edges: &[Edge]) -> Lists<RevIdx> {
    Lists::from_pairs(map.revisions.len(), edges).map(|&e| map.entries[e].canonical)
}

/// Sets `normalized_deps` and `norm_down_objs`.
fn normalize_dependencies(map: &mut RevisionMap) {
    let n = map.revisions.len();
    let normalized = normalize::normalize(&map.down_objs, &map.resolved_entries);
    map.normalized_deps = normalized.map(|&e| map.entries[e].canonical);
    // `_normalized_down_revisions`: the down ids, then the normalized
    // dependencies, each once, as objects.
    let mut norm_down_objs = Lists::with_capacity(
        n,
        map.down_ids.all_items().len() + normalized.all_items().len(),
    );
    let mut objs: Vec<RevIdx> = Vec::new();
    for rev in 0..n {
        let canonical = |&e: &usize| map.entries[e].canonical;
        if let ([id], []) = (&map.down_ids[rev], &normalized[rev]) {
            // The usual case: one parent, no dependencies, nothing to dedupe.
            norm_down_objs.push_list(id.as_ref().map(canonical));
            continue;
        }
        objs.clear();
        objs.extend(map.down_ids[rev].iter().flatten().map(canonical));
        objs.extend(normalized[rev].iter().map(canonical));
        norm_down_objs.push_deduplicated(&objs);
    }
    map.norm_down_objs = norm_down_objs;
}

/// Python truthiness of `Revision.dependencies` (`tuple_rev_as_scalar` of
/// the tuple): empty is `None`, `('',)` is the falsy scalar `''`.
fn dependencies_truthy(deps: &[String]) -> bool {
    !(deps.is_empty() || (deps.len() == 1 && deps[0].is_empty()))
}

fn problems(
    map: &RevisionMap,
    conflicts: &[Conflict],
    missing_dependencies: &[(RevIdx, String)],
) -> Vec<GraphProblem> {
    let mut out = Vec::new();
    duplicate_problems(map, &mut out);
    for (rev, r) in map.revisions.iter().enumerate() {
        let chars = fatal::illegal_chars(&r.id);
        if !chars.is_empty() {
            out.push(GraphProblem::InvalidRevisionId {
                revision: rev,
                chars,
            });
        }
    }
    for (rev, r) in map.revisions.iter().enumerate() {
        if matches!(r.id.as_str(), "base" | "head" | "heads") {
            out.push(GraphProblem::ReservedRevisionId { revision: rev });
        }
    }
    for (rev, r) in map.revisions.iter().enumerate() {
        if fatal::down_truthy(r) && r.down_revisions.contains(&r.id) {
            out.push(GraphProblem::SelfLoop { revision: rev });
        }
    }
    for (rev, r) in map.revisions.iter().enumerate() {
        if r.depends_on.contains(&r.id) {
            out.push(GraphProblem::DependencySelfLoop {
                revision: rev,
                via_label: None,
            });
        } else if let Some(label) = r.depends_on.iter().find(|key| {
            map.label_owner
                .get(*key)
                .is_some_and(|&owner| map.id(owner) == r.id)
        }) {
            out.push(GraphProblem::DependencySelfLoop {
                revision: rev,
                via_label: Some(label.clone()),
            });
        }
    }
    for (rev, r) in map.revisions.iter().enumerate() {
        for ((key, obj), id) in r
            .down_revisions
            .iter()
            .zip(&map.down_objs[rev])
            .zip(&map.down_ids[rev])
        {
            match obj {
                None => out.push(GraphProblem::MissingParent {
                    child: rev,
                    parent: key.clone(),
                }),
                Some(owner) if id.is_none() => {
                    out.push(GraphProblem::DownRevisionIsLabel {
                        child: rev,
                        label: key.clone(),
                        owner: *owner,
                    });
                }
                Some(_) => {}
            }
        }
    }
    for (rev, key) in missing_dependencies {
        let prefix_of = if key.is_empty() {
            Vec::new()
        } else {
            map.entries
                .iter()
                .filter(|e| map.id(e.canonical).starts_with(key.as_str()))
                .map(|e| e.canonical)
                .collect()
        };
        out.push(GraphProblem::MissingDependency {
            revision: *rev,
            dependency: key.clone(),
            prefix_of,
        });
    }
    for (rev, r) in map.revisions.iter().enumerate() {
        if r.depends_on.len() == 1 && r.depends_on[0].is_empty() {
            out.push(GraphProblem::EmptyDependency { revision: rev });
        }
    }
    for (label, rev, holder, clash) in conflicts {
        out.push(GraphProblem::BranchLabelConflict {
            label: label.clone(),
            revision: *rev,
            already_used_by: *holder,
            clash: *clash,
        });
    }
    cycle_problems(map, &mut out);
    out
}

/// One problem per duplicated id, in map order, listing its files in load
/// order.
fn duplicate_problems(map: &RevisionMap, out: &mut Vec<GraphProblem>) {
    if map.entries.len() == map.revisions.len() {
        return; // every id is distinct
    }
    let copies: Vec<(usize, RevIdx)> = map
        .entry_of
        .iter()
        .enumerate()
        .map(|(rev, &e)| (e, rev))
        .collect();
    let copies = Lists::from_pairs(map.entries.len(), &copies);
    for (entry, revisions) in map.entries.iter().zip(copies.iter()) {
        if revisions.len() > 1 {
            out.push(GraphProblem::DuplicateRevision {
                id: map.id(entry.canonical).to_owned(),
                revisions: revisions.to_vec(),
            });
        }
    }
}

/// Cycles over the map's objects (one per id), versioned edges first, then
/// those that need a dependency edge.
fn cycle_problems(map: &RevisionMap, out: &mut Vec<GraphProblem>) {
    let to_revs = |component: &[usize]| -> Vec<RevIdx> {
        let mut revs: Vec<RevIdx> = component
            .iter()
            .map(|&e| map.entries[e].canonical)
            .collect();
        revs.sort_unstable();
        revs
    };
    let versioned = crate::cycles::nontrivial_components(&entry_edges(map, false));
    for component in &versioned {
        out.push(GraphProblem::Cycle {
            revisions: to_revs(component),
            via_dependencies: false,
        });
    }
    // Without a dependency edge the second graph is the first one, and so
    // are its cycles.
    if !has_dependency_edges(map) {
        return;
    }
    let all = crate::cycles::nontrivial_components(&entry_edges(map, true));
    for component in all.iter().filter(|c| !versioned.contains(c)) {
        out.push(GraphProblem::Cycle {
            revisions: to_revs(component),
            via_dependencies: true,
        });
    }
}

/// Per entry, the entries its object points at: its `down_revision`
/// objects, then (with `dependencies`) its resolved dependencies; self-edges
/// left out.
fn entry_edges(map: &RevisionMap, dependencies: bool) -> Lists<usize> {
    let mut edges = Lists::with_capacity(map.entries.len(), map.down_objs.all_items().len());
    for (e, entry) in map.entries.iter().enumerate() {
        let rev = entry.canonical;
        for &parent in map.down_objs[rev].iter().flatten() {
            if map.entry_of[parent] != e {
                edges.push(map.entry_of[parent]);
            }
        }
        if dependencies {
            for &dep in &map.resolved_entries[rev] {
                if dep != e {
                    edges.push(dep);
                }
            }
        }
        edges.close();
    }
    edges
}

/// Whether some object depends on another one (not itself).
fn has_dependency_edges(map: &RevisionMap) -> bool {
    !map.resolved_entries.all_items().is_empty()
        && map.entries.iter().enumerate().any(|(e, entry)| {
            map.resolved_entries[entry.canonical]
                .iter()
                .any(|&dep| dep != e)
        })
}

fn notes(
    map: &RevisionMap,
    conflicts: &[Conflict],
    missing_dependencies: &[(RevIdx, String)],
) -> Vec<HashOrderNote> {
    let mut out = Vec::new();
    for (rev, r) in map.revisions.iter().enumerate() {
        if r.hash_ordered {
            out.push(HashOrderNote::SetTypedValue { revision: rev });
        }
    }
    for (rev, deps) in map.normalized_deps.iter().enumerate() {
        if deps.len() >= 2 {
            out.push(HashOrderNote::NormalizedDependencies {
                revision: rev,
                count: deps.len(),
            });
        }
    }
    for (rev, labels) in map.labels.iter().enumerate() {
        if labels.len() >= 2 {
            out.push(HashOrderNote::MultipleBranchLabels { revision: rev });
        }
    }
    for rev in 0..map.revisions.len() {
        if map.is_branch_point(rev) {
            out.push(HashOrderNote::BranchPointChildren { revision: rev });
        }
    }
    let mut named = FxHashSet::default();
    for (label, _, _, clash) in conflicts {
        if *clash == LabelClash::Label && named.insert(label.as_str()) {
            out.push(HashOrderNote::LabelConflictNaming {
                label: label.clone(),
            });
        }
    }
    let failing_dependents: FxHashSet<RevIdx> =
        missing_dependencies.iter().map(|(r, _)| *r).collect();
    if conflicts.len() >= 2 || failing_dependents.len() >= 2 {
        out.push(HashOrderNote::FirstErrorChoice);
    }
    out
}
