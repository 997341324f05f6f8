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

use std::collections::{HashMap, HashSet};

use crate::fatal::{self, FatalInputs};
use crate::labels::{self, LabelGraph};
use crate::map::{Entry, RevisionMap};
use crate::normalize;
use crate::notes::HashOrderNote;
use crate::problems::{GraphProblem, LabelClash};
use crate::{RevIdx, RevisionInput};

/// A label collision: (label, revision declaring it, holder, kind).
type Conflict = (String, RevIdx, RevIdx, LabelClash);

pub(crate) fn build(revisions: Vec<RevisionInput>) -> RevisionMap {
    let n = revisions.len();

    // 1. Collect: one entry per distinct id, at its first position, holding
    //    its last file.
    let mut id_entry: HashMap<String, usize> = HashMap::with_capacity(n);
    let mut entries: Vec<Entry> = Vec::with_capacity(n);
    let mut entry_of = Vec::with_capacity(n);
    for (rev, r) in revisions.iter().enumerate() {
        if let Some(&e) = id_entry.get(&r.id) {
            entries[e].canonical = rev;
            entries[e].copies.push(rev);
            entry_of.push(e);
        } else {
            id_entry.insert(r.id.clone(), entries.len());
            entry_of.push(entries.len());
            entries.push(Entry {
                canonical: rev,
                copies: vec![rev],
            });
        }
    }

    // 2. Branch labels into the map. Alembic iterates a set of revisions;
    //    load order here. A collision keeps the first holder.
    let mut label_owner: HashMap<String, RevIdx> = HashMap::new();
    let mut label_keys = Vec::new();
    let mut conflicts: Vec<Conflict> = Vec::new();
    for (rev, r) in revisions.iter().enumerate() {
        for label in &r.branch_labels {
            if let Some(&e) = id_entry.get(label) {
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

    let mut map = RevisionMap {
        revisions,
        entry_of,
        entries,
        id_entry,
        label_owner,
        label_keys,
        down_objs: Vec::new(),
        down_ids: Vec::new(),
        resolved_entries: Vec::new(),
        resolved_deps: Vec::new(),
        normalized_deps: Vec::new(),
        norm_down_objs: Vec::new(),
        nextrev: Vec::new(),
        all_nextrev: Vec::new(),
        heads: Vec::new(),
        real_heads: Vec::new(),
        bases: Vec::new(),
        real_bases: Vec::new(),
        labels: Vec::new(),
        problems: Vec::new(),
        failure: None,
        notes: Vec::new(),
    };

    // 3. Resolve depends_on (ids or labels, exactly).
    let mut missing_dependencies = Vec::new();
    let mut resolved_entries: Vec<Vec<usize>> = Vec::with_capacity(n);
    for rev in 0..n {
        let mut resolved = Vec::new();
        if dependencies_truthy(&map.revisions[rev].depends_on) {
            for key in &map.revisions[rev].depends_on {
                match map.map_lookup(key) {
                    Some(obj) => resolved.push(map.entry_of[obj]),
                    None => missing_dependencies.push((rev, key.clone())),
                }
            }
        }
        resolved_entries.push(resolved);
    }
    map.resolved_deps = resolved_entries
        .iter()
        .map(|deps| deps.iter().map(|&e| map.entries[e].canonical).collect())
        .collect();
    // Every down_revision key is hashed once, here.
    map.down_ids = map
        .revisions
        .iter()
        .map(|r| {
            r.down_revisions
                .iter()
                .map(|key| map.id_entry.get(key).copied())
                .collect()
        })
        .collect();
    map.down_objs = (0..n)
        .map(|rev| {
            map.revisions[rev]
                .down_revisions
                .iter()
                .zip(&map.down_ids[rev])
                .map(|(key, id)| match id {
                    Some(e) => Some(map.entries[*e].canonical),
                    None => map.label_owner.get(key).copied(),
                })
                .collect()
        })
        .collect();

    // 4. Wire parents to children: the canonical objects in map order, then
    //    the label holders (an earlier copy of a duplicated id that declares
    //    a label is wired through its label entry).
    let mut wired = vec![false; n];
    let mut order: Vec<RevIdx> = map.entries.iter().map(|e| e.canonical).collect();
    order.extend(map.label_keys.iter().map(|label| map.label_owner[label]));
    let mut nextrev_e: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut all_nextrev_e: Vec<Vec<usize>> = vec![Vec::new(); n];
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
            all_nextrev_e[parent].push(child);
            // `parent.revision in child._versioned_down_revisions`: false for
            // a parent named only by one of its labels.
            if down_ids.contains(&Some(map.entry_of[parent])) {
                nextrev_e[parent].push(child);
            }
            head_gone[parent] = true;
            real_head_gone[parent] = true;
        }
        for &dep in &resolved_entries[rev] {
            let parent = map.entries[dep].canonical;
            all_nextrev_e[parent].push(child);
            if down_ids.contains(&Some(dep)) {
                nextrev_e[parent].push(child);
                head_gone[parent] = true;
            }
            real_head_gone[parent] = true;
        }
    }
    let to_canonical = |lists: Vec<Vec<usize>>, map: &RevisionMap| -> Vec<Vec<RevIdx>> {
        lists
            .into_iter()
            .map(|mut list| {
                list.sort_unstable();
                list.dedup();
                list.into_iter().map(|e| map.entries[e].canonical).collect()
            })
            .collect()
    };
    map.nextrev = to_canonical(nextrev_e, &map);
    map.all_nextrev = to_canonical(all_nextrev_e, &map);
    map.heads = (0..n).filter(|&r| !head_gone[r]).collect();
    map.real_heads = (0..n).filter(|&r| !real_head_gone[r]).collect();
    map.bases = (0..n)
        .filter(|&r| map.revisions[r].down_revisions.is_empty())
        .collect();
    map.real_bases = (0..n)
        .filter(|&r| {
            map.revisions[r].down_revisions.is_empty() && map.revisions[r].depends_on.is_empty()
        })
        .collect();

    // 5. Normalize dependencies.
    let parents: Vec<Vec<RevIdx>> = map
        .down_objs
        .iter()
        .map(|objs| objs.iter().flatten().copied().collect())
        .collect();
    let normalized = normalize::normalize(&parents, &resolved_entries);
    map.normalized_deps = normalized
        .iter()
        .map(|deps| deps.iter().map(|&e| map.entries[e].canonical).collect())
        .collect();
    map.norm_down_objs = (0..n)
        .map(|rev| {
            let entries: Vec<usize> = map.down_ids[rev]
                .iter()
                .flatten()
                .chain(&normalized[rev])
                .copied()
                .collect();
            normalize::dedupe(&entries)
                .into_iter()
                .map(|e| map.entries[e].canonical)
                .collect()
        })
        .collect();
    map.resolved_entries = resolved_entries;

    // 6. Labels.
    let single_parent = (0..n)
        .map(|rev| {
            let down = &map.revisions[rev].down_revisions;
            if down.len() == 1 && !down[0].is_empty() {
                map.down_objs[rev][0]
            } else {
                None
            }
        })
        .collect();
    map.labels = labels::propagate(&LabelGraph {
        declared: map
            .revisions
            .iter()
            .map(|r| r.branch_labels.as_slice())
            .collect(),
        nextrev: &map.nextrev,
        all_children: map.all_nextrev.iter().map(Vec::len).collect(),
        merge_point: map
            .revisions
            .iter()
            .map(|r| r.down_revisions.len() > 1)
            .collect(),
        single_parent,
    });

    // 7. What Alembic would say, and what is wrong.
    let down_truthy: Vec<bool> = map
        .revisions
        .iter()
        .map(|r| {
            !(r.down_revisions.is_empty()
                || (r.down_revisions.len() == 1 && r.down_revisions[0].is_empty()))
        })
        .collect();
    map.failure = fatal::first_failure(&FatalInputs {
        map: &map,
        down_truthy: &down_truthy,
        first_label_conflict: conflicts
            .first()
            .map(|(label, rev, holder, _)| (label.clone(), *rev, *holder)),
        first_missing_dependency: missing_dependencies.first().cloned(),
        first_missing_parent,
    });
    map.problems = problems(&map, &down_truthy, &conflicts, &missing_dependencies);
    map.notes = notes(&map, &conflicts, &missing_dependencies);
    map
}

/// Python truthiness of `Revision.dependencies` (`tuple_rev_as_scalar` of
/// the tuple): empty is `None`, `('',)` is the falsy scalar `''`.
fn dependencies_truthy(deps: &[String]) -> bool {
    !(deps.is_empty() || (deps.len() == 1 && deps[0].is_empty()))
}

fn problems(
    map: &RevisionMap,
    down_truthy: &[bool],
    conflicts: &[Conflict],
    missing_dependencies: &[(RevIdx, String)],
) -> Vec<GraphProblem> {
    let n = map.revisions.len();
    let mut out = Vec::new();
    for entry in &map.entries {
        if entry.copies.len() > 1 {
            out.push(GraphProblem::DuplicateRevision {
                id: map.id(entry.canonical).to_owned(),
                revisions: entry.copies.clone(),
            });
        }
    }
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
        if down_truthy[rev] && r.down_revisions.contains(&r.id) {
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
    // Cycles over the map's objects (one per id), versioned edges first.
    let edges = |dependencies: bool| -> Vec<Vec<usize>> {
        map.entries
            .iter()
            .enumerate()
            .map(|(e, entry)| {
                let rev = entry.canonical;
                let mut next: Vec<usize> = map.down_objs[rev]
                    .iter()
                    .flatten()
                    .map(|&p| map.entry_of[p])
                    .collect();
                if dependencies {
                    next.extend(map.resolved_deps[rev].iter().map(|&d| map.entry_of[d]));
                }
                next.retain(|&p| p != e);
                next
            })
            .collect()
    };
    let versioned = crate::cycles::nontrivial_components(&edges(false));
    let all = crate::cycles::nontrivial_components(&edges(true));
    let to_revs = |component: &[usize]| -> Vec<RevIdx> {
        let mut revs: Vec<RevIdx> = component
            .iter()
            .map(|&e| map.entries[e].canonical)
            .collect();
        revs.sort_unstable();
        revs
    };
    for component in &versioned {
        out.push(GraphProblem::Cycle {
            revisions: to_revs(component),
            via_dependencies: false,
        });
    }
    for component in all.iter().filter(|c| !versioned.contains(c)) {
        out.push(GraphProblem::Cycle {
            revisions: to_revs(component),
            via_dependencies: true,
        });
    }
    debug_assert!(
        out.iter()
            .all(|p| !matches!(p, GraphProblem::SelfLoop { revision } if *revision >= n))
    );
    out
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
    let mut named = HashSet::new();
    for (label, _, _, clash) in conflicts {
        if *clash == LabelClash::Label && named.insert(label.as_str()) {
            out.push(HashOrderNote::LabelConflictNaming {
                label: label.clone(),
            });
        }
    }
    let failing_dependents: HashSet<RevIdx> =
        missing_dependencies.iter().map(|(r, _)| *r).collect();
    if conflicts.len() >= 2 || failing_dependents.len() >= 2 {
        out.push(HashOrderNote::FirstErrorChoice);
    }
    out
}
