//! Strongly connected components, to report each cycle once with all its
//! members (Alembic's own message lists every revision it cannot reach,
//! which includes innocent revisions above the cycle; `fatal.rs` reproduces
//! that text separately).
//!
//! Iterative Tarjan: O(n + e), no recursion, so a 100,000-deep chain is fine.

use crate::lists::Lists;

/// The components with two or more nodes, each sorted, in order of their
/// smallest node. `edges[v]` are v's successors; self-edges are ignored.
pub(crate) fn nontrivial_components(edges: &Lists<usize>) -> Vec<Vec<usize>> {
    const UNVISITED: usize = usize::MAX;
    if is_acyclic(edges) {
        return Vec::new(); // the usual case, settled by a cheaper pass
    }
    let n = edges.len();
    let mut index = vec![UNVISITED; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut components = Vec::new();
    let mut next_index = 0;
    // (node, position in its edge list)
    let mut work: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if index[root] != UNVISITED {
            continue;
        }
        work.push((root, 0));
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut pos)) = work.last_mut() {
            if let Some(&w) = edges[v].get(*pos) {
                *pos += 1;
                if index[w] == UNVISITED {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                // v and everything above it on the stack; a single node (the
                // usual case) needs no vector.
                let start = stack.iter().rposition(|&w| w == v).unwrap_or(0);
                for &w in &stack[start..] {
                    on_stack[w] = false;
                }
                if stack.len() - start > 1 {
                    let mut component = stack[start..].to_vec();
                    component.sort_unstable();
                    components.push(component);
                }
                stack.truncate(start);
            }
        }
    }
    components.sort_unstable_by_key(|c| c[0]);
    components
}

/// Kahn's algorithm: whether every node can be peeled off in topological
/// order. Self-edges count as cycles here, so such a graph goes to Tarjan,
/// which ignores them.
fn is_acyclic(edges: &Lists<usize>) -> bool {
    let n = edges.len();
    let mut pending = vec![0usize; n];
    for &w in edges.all_items() {
        pending[w] += 1;
    }
    let mut ready: Vec<usize> = (0..n).filter(|&v| pending[v] == 0).collect();
    let mut peeled = 0;
    while let Some(v) = ready.pop() {
        peeled += 1;
        for &w in &edges[v] {
            pending[w] -= 1;
            if pending[w] == 0 {
                ready.push(w);
            }
        }
    }
    peeled == n
}

#[cfg(test)]
mod tests {
    use super::nontrivial_components;
    use crate::lists::Lists;

    fn graph(successors: &[&[usize]]) -> Lists<usize> {
        let mut edges = Lists::with_capacity(successors.len(), 0);
        for next in successors {
            edges.push_list(next.iter().copied());
        }
        edges
    }

    #[test]
    fn finds_cycles_without_recursion() {
        let edges = graph(&[&[1], &[2], &[0, 3], &[3], &[]]);
        assert_eq!(nontrivial_components(&edges), vec![vec![0, 1, 2]]);
        let two = graph(&[&[1], &[0], &[3], &[4], &[2], &[]]);
        assert_eq!(nontrivial_components(&two), vec![vec![0, 1], vec![2, 3, 4]]);
        let dag = graph(&[&[1, 2], &[2], &[], &[0]]);
        assert!(nontrivial_components(&dag).is_empty());
        let self_edge = graph(&[&[0, 1], &[]]);
        assert!(nontrivial_components(&self_edge).is_empty());
        let n = 200_000;
        let mut chain = Lists::with_capacity(n, n);
        for i in 0..n {
            chain.push_list([(i + 1) % n]);
        }
        assert_eq!(nontrivial_components(&chain)[0].len(), n);
    }
}
