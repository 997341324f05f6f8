//! Large graphs must be ordered quickly even in a debug build: a
//! 100,000-revision chain, 20 braided branches with thousands of merges, a
//! thousand heads off one base, and dependency-heavy expand/contract lines.
//! No timing assertions; the test prints the figures (`--nocapture`).

use std::time::Instant;

use alembic_doctor_graph::{RevisionInput, RevisionMap};

fn rev(id: String, down: Vec<String>, deps: Vec<String>) -> RevisionInput {
    RevisionInput {
        id,
        down_revisions: down,
        depends_on: deps,
        ..RevisionInput::default()
    }
}

/// File names are hex ids, so the load order is unrelated to history.
fn shuffled(mut revs: Vec<RevisionInput>) -> Vec<RevisionInput> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for i in (1..revs.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = usize::try_from(state % (i as u64 + 1)).unwrap_or(0);
        revs.swap(i, j);
    }
    revs
}

fn measure(name: &str, revs: Vec<RevisionInput>) -> RevisionMap {
    let n = revs.len();
    let start = Instant::now();
    let map = RevisionMap::build(revs);
    let built = start.elapsed();
    let ordering = Instant::now();
    assert!(
        map.alembic_would_fail().is_none(),
        "{name}: {:?}",
        map.alembic_would_fail()
    );
    let order = map.upgrade_order().expect("upgrade order");
    let ordered = ordering.elapsed();
    let history = map.history(None).expect("history");
    assert_eq!(order.len(), history.len());
    assert!(order.iter().rev().eq(history.iter()));
    let mut position = vec![0; n];
    for (i, &r) in order.iter().enumerate() {
        position[r] = i;
    }
    for &r in &order {
        for parent in &map.revisions()[r].down_revisions {
            let p = map.lookup(parent).expect("parent");
            assert!(position[p] < position[r], "{name}: parent after child");
        }
    }
    eprintln!(
        "{name}: {n} revisions, build {built:?}, +upgrade order {:?}, total {:?}",
        ordered,
        start.elapsed()
    );
    map
}

#[test]
fn long_chain() {
    let n = 100_000;
    let revs = (0..n)
        .map(|i| {
            let down = if i == 0 {
                vec![]
            } else {
                vec![format!("r{:06}", i - 1)]
            };
            rev(format!("r{i:06}"), down, vec![])
        })
        .collect();
    let map = measure("chain", shuffled(revs));
    assert_eq!(map.heads().len(), 1);
    let range = map.history(Some("r050000:r050010")).expect("range");
    assert_eq!(range.len(), 11);
}

#[test]
fn braided_branches() {
    let branches = 20;
    let rounds = 1000;
    let mut revs = vec![rev("root".into(), vec![], vec![])];
    let mut tips: Vec<String> = vec!["root".into(); branches];
    let mut merges = 0;
    for round in 0..rounds {
        for (b, tip) in tips.iter_mut().enumerate() {
            let id = format!("b{b}_{round}");
            revs.push(rev(id.clone(), vec![tip.clone()], vec![]));
            *tip = id;
        }
        // A pairwise merge every round; everything merges every 50 rounds.
        let (i, j) = (round % branches, (round * 7 + 3) % branches);
        if i != j {
            let id = format!("m{round}");
            revs.push(rev(
                id.clone(),
                vec![tips[i].clone(), tips[j].clone()],
                vec![],
            ));
            tips[i] = id;
            merges += 1;
        }
        if round % 50 == 49 {
            let id = format!("all{round}");
            revs.push(rev(id.clone(), tips.clone(), vec![]));
            merges += 1;
            tips = (0..branches).map(|_| id.clone()).collect();
        }
    }
    assert!(merges > 1000);
    measure("braided", shuffled(revs));
}

#[test]
fn thousand_heads_off_one_base() {
    let mut revs = vec![rev("base0".into(), vec![], vec![])];
    for h in 0..1000 {
        revs.push(rev(format!("h{h}a"), vec!["base0".into()], vec![]));
        revs.push(rev(format!("h{h}b"), vec![format!("h{h}a")], vec![]));
    }
    let map = measure("heads", shuffled(revs));
    assert_eq!(map.heads().len(), 1000);
}

#[test]
fn expand_contract_with_dependencies() {
    // Two lines and several bases; each contract step depends on its expand
    // step and every one of them also on the shared base `x0`.
    let n = 20_000;
    let mut revs = vec![rev("x0".into(), vec![], vec![])];
    for i in 0..n {
        let down = |p: &str| {
            if i == 0 {
                vec![]
            } else {
                vec![format!("{p}{}", i - 1)]
            }
        };
        revs.push(rev(format!("e{i}"), down("e"), vec![]));
        revs.push(rev(
            format!("c{i}"),
            down("c"),
            vec![format!("e{i}"), "x0".into()],
        ));
    }
    for p in 0..50 {
        revs.push(rev(
            format!("plugin{p}"),
            vec![],
            vec![format!("c{}", p * 300)],
        ));
    }
    let map = measure("expand/contract", shuffled(revs));
    let c5 = map.lookup("c5").expect("c5");
    assert_eq!(map.normalized_dependencies(c5).len(), 1);
}
