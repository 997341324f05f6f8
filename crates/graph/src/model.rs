//! The reference models and the property tests that hold the fast code to
//! them: thousands of seeded random graphs, each checked against a
//! straightforward port of the Alembic code it replaces.
//!
//! * `_topological_sort`: [`crate::order::literal`] (Alembic's loop with full
//!   ancestor sets) against [`crate::order::fast`], on the `needs` of real
//!   commands and on arbitrary (`needs`, targets) pairs, including ones that
//!   make Alembic's final assertion fail.
//! * `_normalize_depends_on`: a walk over all ancestors of every revision.
//! * `_add_branches`: the literal loop, with children visited in two
//!   different orders (standing in for two hash seeds).

use std::collections::{BTreeSet, HashSet};

use crate::RevIdx;
use crate::map::RevisionMap;
use crate::order::{fast, literal};
use crate::reach::Reach;
use crate::relative::Lower;
use crate::resolve::Query;
use crate::testgen::{Rng, Shape, random_revisions};

/// `_normalize_depends_on`, literally.
fn naive_normalized(map: &RevisionMap) -> Vec<Vec<RevIdx>> {
    (0..map.revisions.len())
        .map(|rev| {
            let mut keep: Vec<RevIdx> = Vec::new();
            for &d in &map.resolved_deps[rev] {
                if !keep.contains(&d) {
                    keep.push(d);
                }
            }
            if keep.is_empty() {
                return keep;
            }
            let mut seen = HashSet::new();
            let mut stack = vec![rev];
            while let Some(x) = stack.pop() {
                if !seen.insert(x) {
                    continue;
                }
                if x != rev {
                    keep.retain(|d| !map.resolved_deps[x].contains(d));
                }
                stack.extend(map.down_objs[x].iter().flatten().copied());
            }
            keep
        })
        .collect()
}

/// `_add_branches`, literally; `reverse` flips the order children are
/// pushed (a different hash seed) and the order of declaring revisions.
fn naive_labels(map: &RevisionMap, reverse: bool) -> Vec<BTreeSet<String>> {
    let n = map.revisions.len();
    let mut sets: Vec<BTreeSet<String>> = map
        .revisions
        .iter()
        .map(|r| r.branch_labels.iter().cloned().collect())
        .collect();
    let mut owners: Vec<RevIdx> = (0..n)
        .filter(|&r| !map.revisions[r].branch_labels.is_empty())
        .collect();
    if reverse {
        owners.reverse();
    }
    for owner in owners {
        let labels = sets[owner].clone();
        let mut seen = HashSet::new();
        let mut stack = vec![owner];
        let mut node = owner;
        while let Some(x) = stack.pop() {
            if !seen.insert(x) {
                continue;
            }
            sets[x].extend(labels.iter().cloned());
            node = x;
            let mut children = map.nextrev[x].to_vec();
            if reverse {
                children.reverse();
            }
            stack.extend(children);
        }
        let mut parent = Some(node);
        while let Some(p) = parent {
            if map.is_real_branch_point(p) || map.is_merge_point(p) {
                break;
            }
            sets[p].extend(labels.iter().cloned());
            let down = &map.revisions[p].down_revisions;
            parent = if down.len() == 1 && !down[0].is_empty() {
                map.down_objs[p][0]
            } else {
                None
            };
        }
    }
    sets
}

fn valid_maps(seed: u64, cases: usize, shape: Shape) -> impl Iterator<Item = RevisionMap> {
    let mut rng = Rng::new(seed);
    (0..cases).filter_map(move |_| {
        let map = RevisionMap::build(random_revisions(&mut rng, shape));
        map.alembic_would_fail().is_none().then_some(map)
    })
}

const SHAPE: Shape = Shape {
    max_revisions: 40,
    broken: false,
    dependencies: 20,
};

#[test]
fn fast_sort_equals_alembic_loop() {
    let mut rng = Rng::new(99);
    let (mut commands, mut arbitrary, mut failing) = (0, 0, 0);
    for map in valid_maps(7, 6000, SHAPE) {
        let g = map.order_graph();
        let Some(reach) = Reach::new(&g.parents, &g.children) else {
            continue;
        };
        let query = Query { map: &map };
        let entries = map.entries.len();
        let mut cases: Vec<(Vec<bool>, Vec<usize>)> = Vec::new();
        if let Ok(case) = query.collect_upgrade_revisions("heads", Lower::Empty, false, true, true)
        {
            cases.push(case);
        }
        for _ in 0..3 {
            let a = map.entries[rng.below(entries)].canonical;
            let b = map.entries[rng.below(entries)].canonical;
            if let Ok(case) = query.collect_upgrade_revisions(
                map.id(b),
                Lower::Str(map.id(a)),
                true,
                false,
                false,
            ) {
                cases.push(case);
            }
        }
        commands += cases.len();
        for _ in 0..4 {
            let density = 20 + rng.below(80) as u64;
            let needs: Vec<bool> = (0..entries).map(|_| rng.chance(density)).collect();
            let targets: Vec<usize> = (0..entries).filter(|_| rng.chance(15)).collect();
            cases.push((needs, targets));
            arbitrary += 1;
        }
        for (needs, targets) in cases {
            let expected = literal(&g, &needs, &targets);
            failing += usize::from(expected.is_err());
            let got = fast(&g, &reach, &needs, &targets);
            assert_eq!(
                got,
                Some(expected),
                "needs {needs:?} targets {targets:?} graph {:?}",
                map.revisions
            );
        }
    }
    assert!(commands > 5000, "{commands}");
    assert!(
        arbitrary > 10_000 && failing > 1000,
        "{arbitrary} {failing}"
    );
}

#[test]
fn history_is_reversed_upgrade() {
    for map in valid_maps(11, 1500, SHAPE) {
        if let (Ok(mut up), Ok(history)) = (map.upgrade_order(), map.history(None)) {
            up.reverse();
            assert_eq!(up, history);
        }
    }
}

#[test]
fn normalization_equals_naive_walk() {
    let shape = Shape {
        dependencies: 45,
        ..SHAPE
    };
    let mut rng = Rng::new(5);
    let mut with_drops = 0;
    for _ in 0..3000 {
        let broken = rng.chance(30);
        let map = RevisionMap::build(random_revisions(&mut rng, Shape { broken, ..shape }));
        let naive = naive_normalized(&map);
        if map.problems().iter().any(|p| {
            matches!(
                p,
                crate::GraphProblem::Cycle { .. } | crate::GraphProblem::SelfLoop { .. }
            )
        }) {
            continue; // Alembic rejects these before using the result.
        }
        for (rev, expected) in naive.iter().enumerate() {
            let got = map.normalized_dependencies(rev);
            assert_eq!(got, expected.as_slice(), "{rev} in {:?}", map.revisions);
            with_drops += usize::from(got.len() < map.resolved_dependencies(rev).len());
        }
    }
    assert!(with_drops > 100, "{with_drops}");
}

#[test]
fn labels_equal_literal_loop_for_every_order() {
    let mut labelled = 0;
    for map in valid_maps(3, 3000, SHAPE) {
        let forward = naive_labels(&map, false);
        let backward = naive_labels(&map, true);
        for rev in 0..map.revisions.len() {
            let got: BTreeSet<String> = map.branch_labels(rev).iter().cloned().collect();
            assert_eq!(got, forward[rev], "{rev} in {:?}", map.revisions);
            assert_eq!(got, backward[rev], "{rev} in {:?}", map.revisions);
            labelled += usize::from(!got.is_empty());
        }
    }
    assert!(labelled > 1000, "{labelled}");
}

#[test]
fn broken_graphs_never_panic() {
    let mut rng = Rng::new(13);
    for _ in 0..3000 {
        let map = RevisionMap::build(random_revisions(
            &mut rng,
            Shape {
                broken: true,
                ..SHAPE
            },
        ));
        for problem in map.problems() {
            assert!(!problem.message(&map).is_empty());
        }
        let _ = map.upgrade_order();
        let _ = map.history(None);
        for ident in [
            "heads",
            "head",
            "base",
            "-1",
            "lbl0x@head",
            "abcd",
            "lbl1x@-1",
            "+1",
        ] {
            let _ = map.resolve(ident);
        }
        for range in [
            ":",
            "base:",
            ":heads",
            "-1:",
            ":+2",
            "lbl0x@base:",
            "x:y:z",
            "abc",
        ] {
            let _ = map.history(Some(range));
        }
    }
}
