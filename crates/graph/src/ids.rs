//! [`IdIndex`]: finds a map entry by its revision id without owning a copy
//! of the ids.
//!
//! A `HashMap<String, usize>` would clone every id (an allocation and a copy
//! per revision) although the map already holds them all in its revisions.
//! This table (hashbrown's `HashTable`) stores entry numbers only and asks
//! the caller for an entry's id whenever it must compare or rehash.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

#[derive(Debug, Clone)]
pub(crate) struct IdIndex {
    entries: HashTable<usize>,
}

impl IdIndex {
    /// An empty index with room for `ids` distinct ids before it grows.
    pub(crate) fn with_capacity(ids: usize) -> IdIndex {
        IdIndex {
            entries: HashTable::with_capacity(ids),
        }
    }

    /// The entry whose id is `id`; `id_of` gives each entry's id.
    pub(crate) fn get<'a>(&self, id: &str, id_of: impl Fn(usize) -> &'a str) -> Option<usize> {
        self.entries
            .find(hash(id), |&entry| id_of(entry) == id)
            .copied()
    }

    /// The entry whose id is `id`, after recording `new_entry` for it if
    /// there was none. `id_of(new_entry)` must already return `id`.
    pub(crate) fn get_or_insert<'a>(
        &mut self,
        id: &str,
        new_entry: usize,
        id_of: impl Fn(usize) -> &'a str + Copy,
    ) -> usize {
        *self
            .entries
            .entry(
                hash(id),
                |&entry| id_of(entry) == id,
                |&entry| hash(id_of(entry)),
            )
            .or_insert(new_entry)
            .get()
    }
}

fn hash(id: &str) -> u64 {
    FxBuildHasher.hash_one(id)
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
