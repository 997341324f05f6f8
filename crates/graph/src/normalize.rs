//! `_normalize_depends_on`: drop every resolved dependency that a strict
//! `down_revision` ancestor also declares.
//!
//! Alembic walks all ancestors of every revision that has dependencies, which
//! is quadratic on long histories. Here the question is turned around: for a
//! dependency target `d` declared by the set `D` of revisions, a declarer
//! drops `d` exactly when one of its parents is `D`'s member or a descendant
//! of one. One multi-source search down from `D` answers it for all
//! declarers at once.
//!
//! Cost: O(n + e) plus, for each target declared by two or more revisions,
//! the part of the graph between its declarers (the search does not expand
//! past the topologically last parent it needs to know about). Targets
//! declared once cost nothing. That is linear for every real history shape
//! we know of (dependencies repeated on a shared base, expand/contract
//! pairs); the worst case is O(n * k) for k targets each declared by several
//! revisions that are far apart.
//!
//! Objects, not ids: like Alembic, the walk goes through `map_[key]`, so an
//! earlier copy of a duplicated id is nobody's ancestor.

use crate::RevIdx;
use crate::lists::Lists;

/// The normalized dependencies (as entries, declaration order, each once)
/// of every revision. `down_objs[i]` are the objects `map_[key]` gives for
/// revision `i`'s `down_revision` keys (`None`: missing); `resolved[i]` its
/// resolved dependency entries.
pub(crate) fn normalize(
    down_objs: &Lists<Option<RevIdx>>,
    resolved: &Lists<usize>,
) -> Lists<usize> {
    let n = down_objs.len();
    if resolved.all_items().is_empty() {
        return Lists::empty(n); // the usual case: nobody has dependencies
    }
    let mut unique = Lists::with_capacity(n, resolved.all_items().len());
    for deps in resolved.iter() {
        unique.push_deduplicated(deps);
    }

    // Declarers of each dependency target, in load order.
    let declarations: Vec<(usize, RevIdx)> = unique
        .iter()
        .enumerate()
        .flat_map(|(rev, deps)| deps.iter().map(move |&d| (d, rev)))
        .collect();
    let declarers = Lists::from_pairs(n, &declarations);
    let targets: Vec<(usize, &[RevIdx])> = declarers
        .iter()
        .enumerate()
        .filter(|(_, revs)| revs.len() >= 2)
        .collect();
    if targets.is_empty() {
        return unique;
    }

    let parents = Lists::from_pairs(
        n,
        &down_objs
            .iter()
            .enumerate()
            .flat_map(|(child, objs)| objs.iter().flatten().map(move |&p| (child, p)))
            .collect::<Vec<_>>(),
    );
    let children = Lists::from_pairs(
        n,
        &parents
            .iter()
            .enumerate()
            .flat_map(|(child, ps)| {
                ps.iter()
                    .filter(move |&&p| p != child)
                    .map(move |&p| (p, child))
            })
            .collect::<Vec<_>>(),
    );
    let topo = topological_positions(&parents, &children);

    let mut dropped: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut mark = vec![0u32; n];
    let mut generation = 0u32;
    let mut stack = Vec::new();
    for &(d, revs) in &targets {
        generation += 1;
        // Nothing below the topologically last parent we must answer for can
        // matter; with a cycle there is no order, so no pruning.
        let limit = topo.as_ref().map(|pos| {
            revs.iter()
                .flat_map(|&r| parents[r].iter().map(|&p| pos[p]))
                .max()
                .unwrap_or(0)
        });
        for &r in revs {
            if mark[r] != generation {
                mark[r] = generation;
                stack.push(r);
            }
        }
        while let Some(x) = stack.pop() {
            if let (Some(limit), Some(pos)) = (limit, topo.as_ref())
                && pos[x] >= limit
            {
                continue;
            }
            for &c in &children[x] {
                if mark[c] != generation {
                    mark[c] = generation;
                    stack.push(c);
                }
            }
        }
        for &r in revs {
            if parents[r].iter().any(|&p| mark[p] == generation) {
                dropped[r].push(d);
            }
        }
    }
    let mut normalized = Lists::with_capacity(n, unique.all_items().len());
    for (deps, gone) in unique.iter().zip(&dropped) {
        normalized.push_list(deps.iter().copied().filter(|d| !gone.contains(d)));
    }
    normalized
}

/// Position of each object in a topological order (ancestors first), or
/// `None` when the graph has a cycle.
fn topological_positions(parents: &Lists<RevIdx>, children: &Lists<RevIdx>) -> Option<Vec<usize>> {
    let n = parents.len();
    if parents.iter().enumerate().any(|(i, ps)| ps.contains(&i)) {
        return None;
    }
    let mut pending: Vec<usize> = parents.iter().map(<[RevIdx]>::len).collect();
    let mut ready: Vec<RevIdx> = (0..n).filter(|&i| pending[i] == 0).collect();
    let mut pos = vec![0usize; n];
    let mut next = 0;
    while let Some(x) = ready.pop() {
        pos[x] = next;
        next += 1;
        for &c in &children[x] {
            pending[c] -= 1;
            if pending[c] == 0 {
                ready.push(c);
            }
        }
    }
    (next == n).then_some(pos)
}

/// The items in first-occurrence order, each once.
pub(crate) fn dedupe<T: Copy + Eq + std::hash::Hash>(items: &[T]) -> Vec<T> {
    if items.len() <= 8 {
        let mut out: Vec<T> = Vec::with_capacity(items.len());
        for &item in items {
            if !out.contains(&item) {
                out.push(item);
            }
        }
        return out;
    }
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    items
        .iter()
        .copied()
        .filter(|item| seen.insert(*item))
        .collect()
}
