//! A seeded generator of random revision sets for the property tests: merges
//! of two and three parents, `('a', 'a')`, several bases, `depends_on` on
//! ids and labels, duplicates, and (in `broken` mode) every kind of damage
//! Alembic reacts to. Loaded in random order, as file names are.

use crate::RevisionInput;

/// `SplitMix64`: small, seedable, good enough for test data.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }

    /// True with probability `percent` / 100.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Shape knobs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    pub(crate) max_revisions: usize,
    /// Inject damage (missing parents, cycles, labels as parents, ...).
    pub(crate) broken: bool,
    /// Percent of revisions with `depends_on`.
    pub(crate) dependencies: u64,
}

fn random_id(rng: &mut Rng, taken: &std::collections::HashSet<String>) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdef";
    loop {
        // Short ids and a small alphabet make prefix collisions common.
        let len = 2 + rng.below(5);
        let id: String = (0..len)
            .map(|_| {
                let range = if rng.chance(70) { 4 } else { 16 };
                char::from(ALPHABET[rng.below(range)])
            })
            .collect();
        if !taken.contains(&id) && !matches!(id.as_str(), "base" | "head" | "heads") {
            return id;
        }
    }
}

/// A random revision set, in load order.
pub(crate) fn random_revisions(rng: &mut Rng, shape: Shape) -> Vec<RevisionInput> {
    let count = 1 + rng.below(shape.max_revisions);
    let mut taken = std::collections::HashSet::new();
    let mut revs: Vec<RevisionInput> = Vec::with_capacity(count + 4);
    let mut labels: Vec<String> = Vec::new();
    let pick = |rng: &mut Rng, i: usize| -> usize {
        // Mostly recent revisions (long lines), sometimes anything.
        if rng.chance(70) {
            i - 1 - rng.below(i.min(4))
        } else {
            rng.below(i)
        }
    };
    for i in 0..count {
        let id = random_id(rng, &taken);
        taken.insert(id.clone());
        let mut down = Vec::new();
        if i > 0 && !rng.chance(8) {
            let parents = match rng.below(100) {
                0..=74 => 1,
                75..=91 => 2,
                _ => 3,
            };
            for _ in 0..parents {
                let p = revs[pick(rng, i)].id.clone();
                if !down.contains(&p) || rng.chance(10) {
                    down.push(p);
                }
            }
        }
        let mut depends_on = Vec::new();
        if i > 0 && rng.chance(shape.dependencies) {
            for _ in 0..=usize::from(rng.chance(25)) {
                if !labels.is_empty() && rng.chance(30) {
                    depends_on.push(labels[rng.below(labels.len())].clone());
                } else {
                    depends_on.push(revs[rng.below(i)].id.clone());
                }
            }
        }
        let mut branch_labels = Vec::new();
        if rng.chance(12) {
            let label = format!("lbl{}x", labels.len());
            labels.push(label.clone());
            branch_labels.push(label);
            if rng.chance(15) {
                let label = format!("lbl{}y", labels.len());
                labels.push(label.clone());
                branch_labels.push(label);
            }
        }
        revs.push(RevisionInput {
            id,
            down_revisions: down,
            depends_on,
            branch_labels,
            hash_ordered: false,
        });
    }
    if rng.chance(6) && !revs.is_empty() {
        // A duplicate id, with the same or other parents.
        let mut copy = revs[rng.below(revs.len())].clone();
        copy.branch_labels.clear();
        if rng.chance(50) && revs.len() > 1 {
            copy.down_revisions = vec![revs[rng.below(revs.len())].id.clone()];
            if copy.down_revisions[0] == copy.id {
                copy.down_revisions.clear();
            }
        }
        revs.push(copy);
    }
    if shape.broken {
        damage(rng, &mut revs, &labels);
    }
    rng.shuffle(&mut revs);
    revs
}

fn damage(rng: &mut Rng, revs: &mut [RevisionInput], labels: &[String]) {
    let n = revs.len();
    let victim = rng.below(n);
    match rng.below(9) {
        0 => revs[victim].down_revisions.push("zzzz".to_owned()),
        1 if !labels.is_empty() => {
            revs[victim].down_revisions = vec![labels[rng.below(labels.len())].clone()];
        }
        2 => {
            // A cycle: an ancestor now also descends from a later revision.
            let other = rng.below(n);
            let id = revs[other].id.clone();
            revs[victim].down_revisions.push(id);
        }
        3 => revs[victim].depends_on.push("nope".to_owned()),
        4 => revs[victim].depends_on = vec![String::new()],
        5 if !labels.is_empty() => {
            revs[victim]
                .branch_labels
                .push(labels[rng.below(labels.len())].clone());
        }
        6 => {
            let id = revs[rng.below(n)].id.clone();
            revs[victim].branch_labels.push(id);
        }
        7 => {
            let id = revs[victim].id.clone();
            revs[victim]
                .depends_on
                .push(id[..id.len().min(3)].to_owned());
        }
        _ => {
            let id = revs[victim].id.clone();
            revs[victim].down_revisions.push(id);
        }
    }
}
