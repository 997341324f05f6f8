//! [`IdIndex`]: finds a map entry by its revision id without owning a copy
//! of the ids.
//!
//! A `HashMap<String, usize>` would clone every id (an allocation and a copy
//! per revision) although the map already holds them all in its revisions.
//! This table stores entry numbers only and asks the caller for an entry's
//! id whenever it must compare or rehash: open addressing with linear
//! probing, kept at most half full.

use std::hash::BuildHasher;

use rustc_hash::FxBuildHasher;

#[derive(Debug, Clone)]
pub(crate) struct IdIndex {
    /// Entry number plus one; 0 marks a free slot. The length is a power of
    /// two.
    slots: Vec<usize>,
    /// The number of ids stored.
    len: usize,
}

impl IdIndex {
    /// An empty index with room for `ids` distinct ids before it grows.
    pub(crate) fn with_capacity(ids: usize) -> IdIndex {
        IdIndex {
            slots: vec![0; (2 * ids).next_power_of_two().max(8)],
            len: 0,
        }
    }

    /// The entry whose id is `id`; `id_of` gives each entry's id.
    pub(crate) fn get<'a>(&self, id: &str, id_of: impl Fn(usize) -> &'a str) -> Option<usize> {
        match self.probe(id, id_of) {
            Probe::Found(entry) => Some(entry),
            Probe::Free(_) => None,
        }
    }

    /// The entry whose id is `id`, after recording `new_entry` for it if
    /// there was none. `id_of(new_entry)` must already return `id`.
    pub(crate) fn get_or_insert<'a>(
        &mut self,
        id: &str,
        new_entry: usize,
        id_of: impl Fn(usize) -> &'a str + Copy,
    ) -> usize {
        match self.probe(id, id_of) {
            Probe::Found(entry) => entry,
            Probe::Free(slot) => {
                self.slots[slot] = new_entry + 1;
                self.len += 1;
                if 2 * self.len > self.slots.len() {
                    self.grow(id_of);
                }
                new_entry
            }
        }
    }

    /// Where `id` sits, or the free slot where it would go.
    fn probe<'a>(&self, id: &str, id_of: impl Fn(usize) -> &'a str) -> Probe {
        let mask = self.slots.len() - 1;
        let mut slot = home_slot(id, mask);
        loop {
            match self.slots[slot] {
                0 => return Probe::Free(slot),
                stored if id_of(stored - 1) == id => return Probe::Found(stored - 1),
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    /// Doubles the table, placing every stored entry again.
    fn grow<'a>(&mut self, id_of: impl Fn(usize) -> &'a str) {
        let doubled = vec![0; 2 * self.slots.len()];
        let old = std::mem::replace(&mut self.slots, doubled);
        let mask = self.slots.len() - 1;
        for stored in old.into_iter().filter(|&s| s != 0) {
            let mut slot = home_slot(id_of(stored - 1), mask);
            while self.slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            self.slots[slot] = stored;
        }
    }
}

enum Probe {
    Found(usize),
    Free(usize),
}

/// The first slot to try for `id` in a table of `mask + 1` slots.
fn home_slot(id: &str, mask: usize) -> usize {
    // Only the low bits are kept, so truncating the hash is intended.
    #[allow(clippy::cast_possible_truncation)]
    let hash = FxBuildHasher.hash_one(id) as usize;
    hash & mask
}

#[cfg(test)]
mod tests {
    use super::IdIndex;

    #[test]
    fn finds_ids_and_grows() {
        let ids: Vec<String> = (0..100).map(|i| format!("id{i}")).collect();
        let mut index = IdIndex::with_capacity(3);
        for (entry, id) in ids.iter().enumerate() {
            assert_eq!(index.get_or_insert(id, entry, |e| &ids[e]), entry);
        }
        assert_eq!(index.get_or_insert("id7", 100, |e| &ids[e]), 7);
        for (entry, id) in ids.iter().enumerate() {
            assert_eq!(index.get(id, |e| &ids[e]), Some(entry));
        }
        assert_eq!(index.get("id100", |e| &ids[e]), None);
        assert_eq!(index.get("", |e| &ids[e]), None);
    }
}
