//! Strongly connected components, to report each cycle once with all its
//! members (Alembic's own message lists every revision it cannot reach,
//! which includes innocent revisions above the cycle; `fatal.rs` reproduces
//! that text separately).
//!
//! Iterative Tarjan: O(n + e), no recursion, so a 100,000-deep chain is fine.

/// The components with two or more nodes, each sorted, in order of their
/// smallest node. `edges[v]` are v's successors; self-edges are ignored.
pub(crate) fn nontrivial_components(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    const UNVISITED: usize = usize::MAX;
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
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort_unstable();
                    components.push(component);
                }
            }
        }
    }
    components.sort_unstable_by_key(|c| c[0]);
    components
}

#[cfg(test)]
mod tests {
    use super::nontrivial_components;

    #[test]
    fn finds_cycles_without_recursion() {
        let edges = vec![vec![1], vec![2], vec![0, 3], vec![3], vec![]];
        assert_eq!(nontrivial_components(&edges), vec![vec![0, 1, 2]]);
        let n = 200_000;
        let mut chain: Vec<Vec<usize>> = (0..n).map(|i| vec![i + 1]).collect();
        chain[n - 1] = vec![0];
        assert_eq!(nontrivial_components(&chain)[0].len(), n);
    }
}
