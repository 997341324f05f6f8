//! "Is `c` a strict ancestor of `t`?" on the (acyclic) ordering graph, fast
//! for the shapes migration histories have.
//!
//! Alembic's `_topological_sort` asks this question by keeping a full
//! ancestor set per slot. Here three O(n + e) labels answer most queries in
//! O(1), and a pruned search settles the rest:
//!
//! * a topological position: an ancestor comes first;
//! * pre-order intervals on the spanning forest where each revision hangs
//!   under its first parent: inside `c`'s interval means a tree path, so yes;
//! * one GRAIL interval (post-order rank and the lowest rank below it): not
//!   nested means no.
//!
//! Otherwise a search walks up from `t` through parents, skipping every node
//! the labels prove cannot lie between `c` and `t`. Chains, forks and merges
//! along first parents never reach that search.

use crate::lists::Lists;

pub(crate) struct Reach<'a> {
    parents: &'a Lists<usize>,
    topo: Vec<u32>,
    tin: Vec<u32>,
    tout: Vec<u32>,
    rank: Vec<u32>,
    low: Vec<u32>,
}

/// Reusable buffers for [`Reach::is_strict_ancestor`].
pub(crate) struct Scratch {
    mark: Vec<u32>,
    generation: u32,
    stack: Vec<usize>,
}

impl Scratch {
    pub(crate) fn new(n: usize) -> Scratch {
        Scratch {
            mark: vec![0; n],
            generation: 0,
            stack: Vec::new(),
        }
    }
}

fn as_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl<'a> Reach<'a> {
    /// Labels the graph; `None` if it has a cycle.
    pub(crate) fn new(parents: &'a Lists<usize>, children: &Lists<usize>) -> Option<Reach<'a>> {
        let n = parents.len();
        // Topological positions (Kahn), ancestors first.
        let mut pending: Vec<usize> = parents.iter().map(<[usize]>::len).collect();
        let roots: Vec<usize> = (0..n).filter(|&v| pending[v] == 0).collect();
        let mut ready = roots.clone();
        let mut topo = vec![0u32; n];
        let mut placed = 0;
        while let Some(v) = ready.pop() {
            topo[v] = as_u32(placed);
            placed += 1;
            for &c in &children[v] {
                pending[c] -= 1;
                if pending[c] == 0 {
                    ready.push(c);
                }
            }
        }
        if placed != n {
            return None;
        }

        // Spanning forest under first parents, pre-order intervals.
        let tree_children = Lists::grouped(
            n,
            parents
                .iter()
                .enumerate()
                .filter_map(|(v, ps)| ps.first().map(|&p| (p, v))),
        );
        let mut tin = vec![0u32; n];
        let mut tout = vec![0u32; n];
        let mut counter = 0u32;
        let mut stack: Vec<(usize, usize)> = Vec::new();
        for &root in &roots {
            tin[root] = counter;
            counter += 1;
            stack.push((root, 0));
            while let Some(&mut (v, ref mut pos)) = stack.last_mut() {
                if let Some(&c) = tree_children[v].get(*pos) {
                    *pos += 1;
                    tin[c] = counter;
                    counter += 1;
                    stack.push((c, 0));
                } else {
                    tout[v] = counter - 1;
                    stack.pop();
                }
            }
        }

        // GRAIL: post-order rank over children, and the lowest rank below.
        let mut rank = vec![u32::MAX; n];
        let mut low = vec![u32::MAX; n];
        let mut visited = vec![false; n];
        let mut counter = 0u32;
        for &root in &roots {
            visited[root] = true;
            stack.push((root, 0));
            while let Some(&mut (v, ref mut pos)) = stack.last_mut() {
                if let Some(&c) = children[v].get(*pos) {
                    *pos += 1;
                    if !visited[c] {
                        visited[c] = true;
                        stack.push((c, 0));
                    }
                } else {
                    rank[v] = counter;
                    counter += 1;
                    let below = children[v]
                        .iter()
                        .map(|&c| low[c])
                        .min()
                        .unwrap_or(u32::MAX);
                    low[v] = rank[v].min(below);
                    stack.pop();
                }
            }
        }
        Some(Reach {
            parents,
            topo,
            tin,
            tout,
            rank,
            low,
        })
    }

    fn tree_contains(&self, c: usize, x: usize) -> bool {
        self.tin[c] <= self.tin[x] && self.tin[x] <= self.tout[c]
    }

    /// Necessary for `x` to be a descendant of (or equal to) `c`.
    fn may_contain(&self, c: usize, x: usize) -> bool {
        self.topo[c] <= self.topo[x] && self.low[c] <= self.low[x] && self.rank[x] <= self.rank[c]
    }

    /// Whether `c` is a strict ancestor of `t`.
    pub(crate) fn is_strict_ancestor(&self, c: usize, t: usize, scratch: &mut Scratch) -> bool {
        if c == t || !self.may_contain(c, t) {
            return false;
        }
        if self.tree_contains(c, t) {
            return true;
        }
        scratch.generation = scratch.generation.wrapping_add(1);
        if scratch.generation == 0 {
            scratch.mark.fill(0);
            scratch.generation = 1;
        }
        let generation = scratch.generation;
        scratch.stack.clear();
        scratch.stack.push(t);
        scratch.mark[t] = generation;
        while let Some(x) = scratch.stack.pop() {
            for &p in &self.parents[x] {
                if p == c || self.tree_contains(c, p) {
                    return true;
                }
                if scratch.mark[p] != generation && self.may_contain(c, p) {
                    scratch.mark[p] = generation;
                    scratch.stack.push(p);
                }
            }
        }
        false
    }
}
