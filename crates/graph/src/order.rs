//! Alembic's `RevisionMap._topological_sort`, with identical output in
//! near-linear time.
//!
//! # What Alembic does
//!
//! It keeps a list of *slots*, each a tip revision plus the tip's full
//! ancestor set (via normalized down revisions). Starting at slot 0, it looks
//! at the current slot's tip `c`:
//!
//! * if another slot's ancestor set contains `c`, it switches to the *first*
//!   such slot (someone above still needs `c`);
//! * otherwise it emits `c` and replaces the tip by `c`'s parents that are
//!   still to do and not already tips: none deletes the slot and moves to the
//!   previous one (`idx = max(idx - 1, 0)`); the first parent takes over the
//!   slot, the others become new slots at the end.
//!
//! Every step scans all slots and every merge recomputes ancestor sets, so it
//! is quadratic. The emitted list is top-down (`history` order);
//! `upgrade` is its reverse.
//!
//! # How this module gets the same answer
//!
//! Facts (argued in the documentation of [`fast`], and checked against the
//! literal port on thousands of random graphs by `model.rs`):
//!
//! 1. Once every needed revision is reachable from the initial tips through
//!    needed revisions (checked up front; otherwise Alembic's final
//!    `assert not todo` fails and so do we), every unemitted needed revision
//!    is an ancestor of some tip, and an emitted one has no unemitted needed
//!    descendant.
//! 2. Hence "`c` is in another slot's ancestor set" holds exactly when `c`
//!    has an unemitted *extended child*: a needed revision reachable from `c`
//!    through non-needed revisions only (usually just its needed children).
//!    A counter per revision answers it in O(1).
//! 3. A slot's ancestor set is always exactly the ancestors of its tip, so
//!    "the first slot whose set contains `c`" is the slot with the smallest
//!    creation key (slots keep their relative order; new ones are appended)
//!    whose tip is a strict descendant of `c`, which [`Reach`] answers.
//!
//! # Cost
//!
//! O((n + e) log n) plus, for each time a revision is needed by another slot
//! (a branch or merge point met while walking down), a scan of the slots in
//! order up to the first one that needs it. The scan stops at once in the
//! shapes we know (long chains, braided branches with thousands of merges,
//! a thousand heads off one base, several bases with dependencies); its
//! worst case is O(slots) reachability queries per such event. Range queries
//! whose `depends_on` edges leave the range add the cost of finding extended
//! children through the revisions outside it.
//!
//! A cyclic ordering graph (Alembic's cycle check misses a cycle that is
//! reachable from both heads and bases) goes to [`literal`], a direct port
//! of Alembic's loop, which also detects the cases where Alembic never
//! finishes.

use std::collections::{BTreeMap, HashSet};

use crate::lists::Lists;
use crate::reach::{Reach, Scratch};

/// The graph `_topological_sort` walks: one node per distinct revision id
/// (Alembic's map entries), in map order.
pub(crate) struct OrderGraph {
    /// `_normalized_down_revisions` of each entry's revision.
    pub(crate) parents: Lists<usize>,
    /// Reverse of `parents`.
    pub(crate) children: Lists<usize>,
    /// No normalized dependencies and exactly one `down_revision`: Alembic's
    /// cheap step, which only drops the tip from the slot's ancestor set.
    pub(crate) single_step: Vec<bool>,
}

/// Why the sort has no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortError {
    /// Alembic's `assert not todo` fails.
    Assertion,
    /// Alembic switches between slots forever.
    NeverFinishes,
}

impl OrderGraph {
    pub(crate) fn new(parents: Lists<usize>, single_step: Vec<bool>) -> OrderGraph {
        let children = parents.reversed();
        OrderGraph {
            parents,
            children,
            single_step,
        }
    }

    /// `_topological_sort(needs, targets)`: top-down order of `needs`.
    pub(crate) fn sort(&self, needs: &[bool], targets: &[usize]) -> Result<Vec<usize>, SortError> {
        match Reach::new(&self.parents, &self.children) {
            Some(reach) => {
                fast(self, &reach, needs, targets).unwrap_or_else(|| literal(self, needs, targets))
            }
            None => literal(self, needs, targets),
        }
    }
}

/// Tips sorted by map order, each once, as Alembic seeds its slots.
fn seeds(needs: &[bool], targets: &[usize]) -> Vec<usize> {
    let mut seeds: Vec<usize> = targets.iter().copied().filter(|&t| needs[t]).collect();
    seeds.sort_unstable();
    seeds.dedup();
    seeds
}

/// The near-linear sort. `None` only if an invariant is broken, which the
/// tests show does not happen; the caller then falls back to [`literal`].
///
/// Why it equals Alembic's loop (acyclic graph; "ancestor" means through
/// normalized down revisions, in the whole graph, as Alembic's sets do):
///
/// * Tips are distinct, unemitted and needed: seeds are needed and distinct,
///   a tip is replaced only by needed unemitted parents that are not tips.
///   So every non-switching step emits its candidate.
/// * Invariant I: every unemitted needed revision is reachable from some
///   tip through needed revisions. True at the start exactly when the
///   closure check passes (else Alembic's final assertion fails). Kept by
///   each emission: a path from the emitted `c` continues through one of
///   `c`'s needed parents, which is unemitted (see next point) and becomes or
///   already is a tip.
/// * An emitted revision has no unemitted needed descendant: otherwise, by
///   I, a tip above it would have held it in its ancestor set and Alembic
///   would have switched instead of emitting.
/// * Alembic's set for a slot is always exactly the ancestors of its tip:
///   the cheap step removes the old tip from the old set, which leaves the
///   ancestors of its single parent; the other step recomputes.
/// * Hence `c` is in another slot's set iff some tip strictly descends from
///   `c` iff `c` has an unemitted extended child (the first needed revision
///   on a path up from `c`; the revisions before it are outside `needs` but
///   between needed ones). `pending` counts exactly those.
/// * Slots keep their relative order and new ones go to the end, so list
///   position order is creation-key order: "the first slot whose set holds
///   `c`" is the smallest key whose tip strictly descends from `c`, and
///   `max(idx - 1, 0)` after a deletion is the previous key, or the first.
pub(crate) fn fast(
    g: &OrderGraph,
    reach: &Reach<'_>,
    needs: &[bool],
    targets: &[usize],
) -> Option<Result<Vec<usize>, SortError>> {
    let n = g.parents.len();
    let seeds = seeds(needs, targets);
    let needed = needs.iter().filter(|&&b| b).count();

    // Fact 1 precondition: Alembic only ever emits what it reaches from the
    // seeds through needed parents; anything else stays in `todo` and its
    // final assertion fails.
    let mut reached = vec![false; n];
    let mut stack: Vec<usize> = seeds.clone();
    for &s in &seeds {
        reached[s] = true;
    }
    let mut count = seeds.len();
    while let Some(v) = stack.pop() {
        for &p in &g.parents[v] {
            if needs[p] && !reached[p] {
                reached[p] = true;
                count += 1;
                stack.push(p);
            }
        }
    }
    if count != needed {
        return Some(Err(SortError::Assertion));
    }

    // Fact 2: extended children. A revision outside `needs` matters only if
    // it lies on a path between two needed revisions.
    let (pending, ext_parents) = extended_children(g, needs);
    let mut pending = pending;

    let mut slots: BTreeMap<u64, usize> = BTreeMap::new();
    let mut slot_of: Vec<Option<u64>> = vec![None; n];
    let mut next_key = 0u64;
    for &s in &seeds {
        slots.insert(next_key, s);
        slot_of[s] = Some(next_key);
        next_key += 1;
    }
    let mut todo = needs.to_vec();
    let mut out = Vec::with_capacity(needed);
    let mut scratch = Scratch::new(n);
    let mut current = slots.keys().next().copied();
    let mut add = Vec::new();
    while let Some(key) = current {
        let Some(&c) = slots.get(&key) else { break };
        if pending[c] > 0 {
            // Fact 3: the first slot whose tip descends from c. It exists:
            // an unemitted extended child is below some tip (fact 1).
            let next = slots
                .iter()
                .find(|&(&k, &t)| k != key && reach.is_strict_ancestor(c, t, &mut scratch))
                .map(|(&k, _)| k);
            current = Some(next?);
            continue;
        }
        out.push(c);
        todo[c] = false;
        slot_of[c] = None;
        for &p in &ext_parents[c] {
            pending[p] -= 1;
        }
        add.clear();
        add.extend(
            g.parents[c]
                .iter()
                .copied()
                .filter(|&p| todo[p] && slot_of[p].is_none()),
        );
        if let Some((&first, rest)) = add.split_first() {
            slots.insert(key, first);
            slot_of[first] = Some(key);
            for &p in rest {
                slots.insert(next_key, p);
                slot_of[p] = Some(next_key);
                next_key += 1;
            }
        } else {
            slots.remove(&key);
            current = slots
                .range(..key)
                .next_back()
                .or_else(|| slots.iter().next())
                .map(|(&k, _)| k);
        }
    }
    (out.len() == needed).then_some(Ok(out))
}

/// For each needed revision, how many extended children it has, and for
/// each, which needed revisions count it (to decrement when it is emitted).
fn extended_children(g: &OrderGraph, needs: &[bool]) -> (Vec<u32>, Lists<usize>) {
    let n = g.parents.len();
    let mut pending = vec![0u32; n];

    // Revisions outside `needs` that are both below and above needed ones.
    let spread = |forward: bool| -> Vec<bool> {
        let mut mark = vec![false; n];
        let mut stack: Vec<usize> = (0..n).filter(|&v| needs[v]).collect();
        while let Some(v) = stack.pop() {
            let next = if forward {
                &g.children[v]
            } else {
                &g.parents[v]
            };
            for &w in next {
                if !needs[w] && !mark[w] {
                    mark[w] = true;
                    stack.push(w);
                }
            }
        }
        mark
    };
    let above = spread(true);
    let below = spread(false);
    let between: Vec<bool> = (0..n).map(|v| above[v] && below[v]).collect();

    if !between.contains(&true) {
        let mut ext_parents = Lists::with_capacity(n, n);
        for (u, parents) in g.parents.iter().enumerate() {
            let counted = if needs[u] { parents } else { &[] };
            ext_parents.push_list(counted.iter().copied().filter(|&p| needs[p]));
        }
        for &p in ext_parents.iter().flatten() {
            pending[p] += 1;
        }
        return (pending, ext_parents);
    }
    // `(x, c)`: `x` counts `c`.
    let mut counts = Vec::new();
    let mut mark = vec![usize::MAX; n];
    let mut stack = Vec::new();
    for c in (0..n).filter(|&c| needs[c]) {
        stack.extend(g.children[c].iter().copied());
        while let Some(x) = stack.pop() {
            if mark[x] == c {
                continue;
            }
            mark[x] = c;
            if needs[x] {
                counts.push((x, c));
                pending[c] += 1;
            } else if between[x] {
                stack.extend(g.children[x].iter().copied());
            }
        }
    }
    (pending, Lists::grouped(n, counts.iter().copied()))
}

/// A direct port of Alembic's loop (quadratic), for graphs with cycles and as
/// the reference the tests compare [`fast`] with. The only addition: more
/// consecutive switches than there are slots means Alembic loops forever.
pub(crate) fn literal(
    g: &OrderGraph,
    needs: &[bool],
    targets: &[usize],
) -> Result<Vec<usize>, SortError> {
    let ancestors = |start: usize| -> HashSet<usize> {
        let mut seen = HashSet::new();
        let mut stack = vec![start];
        while let Some(v) = stack.pop() {
            if seen.insert(v) {
                stack.extend(g.parents[v].iter().copied());
            }
        }
        seen
    };
    let mut todo = needs.to_vec();
    let mut left = needs.iter().filter(|&&b| b).count();
    let mut heads = seeds(needs, targets);
    let mut sets: Vec<HashSet<usize>> = heads.iter().map(|&h| ancestors(h)).collect();
    let mut out = Vec::new();
    let mut idx = 0;
    let mut switches = 0;
    while !heads.is_empty() {
        let candidate = heads[idx];
        if let Some(j) = (0..heads.len()).find(|&j| j != idx && sets[j].contains(&candidate)) {
            idx = j;
            switches += 1;
            if switches > heads.len() {
                return Err(SortError::NeverFinishes);
            }
            continue;
        }
        switches = 0;
        if todo[candidate] {
            out.push(candidate);
            todo[candidate] = false;
            left -= 1;
        }
        let add: Vec<usize> = g.parents[candidate]
            .iter()
            .copied()
            .filter(|&p| todo[p] && !heads.contains(&p))
            .collect();
        if add.is_empty() {
            heads.remove(idx);
            sets.remove(idx);
            idx = idx.saturating_sub(1);
        } else if g.single_step[candidate] {
            heads[idx] = add[0];
            sets[idx].remove(&candidate);
        } else {
            heads[idx] = add[0];
            sets[idx] = ancestors(add[0]);
            for &p in &add[1..] {
                heads.push(p);
                sets.push(ancestors(p));
            }
        }
    }
    if left == 0 {
        Ok(out)
    } else {
        Err(SortError::Assertion)
    }
}
