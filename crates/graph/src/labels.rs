//! `_add_branches`: how branch labels spread from the revision declaring them.
//!
//! Alembic, for each revision L that declares labels:
//! 1. adds L's labels to every `nextrev` descendant of L (L included);
//! 2. from the *last node yielded* by that walk, goes down single
//!    `down_revision` links adding the labels, stopping before a real branch
//!    point (two or more children counting dependents) or a merge point.
//!
//! Step 2 looks hash-dependent (the walk iterates frozensets), but it is not:
//! if L's descendants branch anywhere, the downward walk from any last node
//! meets that branch (or a merge) before it gets below L, so it only touches
//! nodes step 1 already labelled. It reaches new nodes only when L's
//! descendants form a plain chain, and then the walk order is forced. So this
//! module does step 2 only in the chain case, and the result equals
//! Alembic's for every seed. Processing order of the declaring revisions does
//! not matter either (the union is the same), which is why Alembic iterating
//! a set of revisions is harmless here.
//!
//! Order of the resulting list (Alembic keeps a set): labels of the
//! earliest-loaded declaring revision first, each revision's labels in
//! declaration order, each label once.
//!
//! Cost: O(sum over declaring revisions of their descendants), the size of
//! the output in the worst case.

use crate::lists::Lists;
use crate::{RevIdx, RevisionInput};

pub(crate) struct LabelGraph<'a> {
    /// The revisions: declared labels, merge points, `down_revision` keys.
    pub(crate) revisions: &'a [RevisionInput],
    /// `nextrev` per object, as objects.
    pub(crate) nextrev: &'a Lists<RevIdx>,
    /// `_all_nextrev` per object (only its length matters).
    pub(crate) all_nextrev: &'a Lists<RevIdx>,
    /// `map_[key]` per `down_revision` key.
    pub(crate) down_objs: &'a Lists<Option<RevIdx>>,
}

impl LabelGraph<'_> {
    fn declared(&self, rev: RevIdx) -> &[String] {
        &self.revisions[rev].branch_labels
    }

    /// `_is_real_branch_point` or `is_merge_point`: where the walk down stops.
    fn stops_walk(&self, rev: RevIdx) -> bool {
        self.all_nextrev[rev].len() > 1 || self.revisions[rev].down_revisions.len() > 1
    }

    /// `map_[down_revision]` when `down_revision` is a single non-empty
    /// string that resolves; `None` ends the walk.
    fn single_parent(&self, rev: RevIdx) -> Option<RevIdx> {
        let down = &self.revisions[rev].down_revisions;
        if down.len() == 1 && !down[0].is_empty() {
            self.down_objs[rev][0]
        } else {
            None
        }
    }
}

pub(crate) fn propagate(graph: &LabelGraph<'_>) -> Vec<Vec<String>> {
    let n = graph.revisions.len();
    if graph.revisions.iter().all(|r| r.branch_labels.is_empty()) {
        return vec![Vec::new(); n]; // the usual case: no labels at all
    }
    let mut from: Vec<Vec<RevIdx>> = vec![Vec::new(); n];
    let mut mark = vec![0u32; n];
    let mut generation = 0u32;
    let mut stack = Vec::new();
    for owner in 0..n {
        if graph.declared(owner).is_empty() {
            continue;
        }
        generation += 1;
        // Step 1: every nextrev descendant, and whether they form a chain.
        let mut chain = true;
        let mut last = owner;
        mark[owner] = generation;
        stack.push(owner);
        while let Some(x) = stack.pop() {
            from[x].push(owner);
            last = x;
            if graph.nextrev[x].len() > 1 {
                chain = false;
            }
            for &c in &graph.nextrev[x] {
                if mark[c] != generation {
                    mark[c] = generation;
                    stack.push(c);
                }
            }
        }
        if !chain {
            continue;
        }
        // Step 2: down from the top of the chain. The guard only matters for
        // cyclic input, which Alembic rejects before it gets here.
        generation += 1;
        let mut node = Some(last);
        while let Some(x) = node {
            if mark[x] == generation || graph.stops_walk(x) {
                break;
            }
            mark[x] = generation;
            if from[x].last() != Some(&owner) {
                from[x].push(owner);
            }
            node = graph.single_parent(x);
        }
    }
    from.into_iter()
        .map(|mut owners| {
            owners.sort_unstable();
            owners.dedup();
            let mut labels: Vec<String> = Vec::new();
            for owner in owners {
                for label in graph.declared(owner) {
                    if !labels.contains(label) {
                        labels.push(label.clone());
                    }
                }
            }
            labels
        })
        .collect()
}
