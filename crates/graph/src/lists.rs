//! [`Lists`]: one short list per node, stored flat (CSR layout).
//!
//! The map keeps about ten lists per revision (parents, children,
//! dependencies, ...), nearly all of them holding zero to two items. A
//! `Vec<Vec<_>>` pays an allocation for every non-empty one; here each kind
//! costs two allocations whatever the number of revisions.

use std::ops::Index;

/// List `i` is `items[offsets[i]..offsets[i + 1]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lists<T> {
    /// Starts with 0; one more than the number of lists.
    offsets: Vec<usize>,
    items: Vec<T>,
}

impl<T> Lists<T> {
    /// No lists yet, with room for `lists` lists of `items` items in all.
    pub(crate) fn with_capacity(lists: usize, items: usize) -> Self {
        let mut offsets = Vec::with_capacity(lists + 1);
        offsets.push(0);
        Lists {
            offsets,
            items: Vec::with_capacity(items),
        }
    }

    /// `lists` empty lists.
    pub(crate) fn empty(lists: usize) -> Self {
        Lists {
            offsets: vec![0; lists + 1],
            items: Vec::new(),
        }
    }

    /// Appends `item` to the open list (the one [`Lists::close`] ends).
    pub(crate) fn push(&mut self, item: T) {
        self.items.push(item);
    }

    /// Ends the open list: it holds what was pushed since the last close.
    pub(crate) fn close(&mut self) {
        self.offsets.push(self.items.len());
    }

    /// Appends a whole list.
    pub(crate) fn push_list(&mut self, items: impl IntoIterator<Item = T>) {
        self.items.extend(items);
        self.close();
    }

    /// What was pushed to the open list so far.
    pub(crate) fn open_list(&self) -> &[T] {
        let start = self.offsets.last().copied().unwrap_or(0);
        &self.items[start..]
    }

    /// The number of lists.
    pub(crate) fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub(crate) fn get(&self, list: usize) -> Option<&[T]> {
        (list < self.len()).then(|| &self[list])
    }

    /// Every list, in order.
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = &[T]> + Clone {
        self.offsets
            .windows(2)
            .map(|bounds| &self.items[bounds[0]..bounds[1]])
    }

    /// Every item of every list, in order.
    pub(crate) fn all_items(&self) -> &[T] {
        &self.items
    }

    /// The same lists with every item mapped.
    pub(crate) fn map<U>(&self, f: impl FnMut(&T) -> U) -> Lists<U> {
        Lists {
            offsets: self.offsets.clone(),
            items: self.items.iter().map(f).collect(),
        }
    }
}

impl<T: Copy + Eq> Lists<T> {
    /// Appends a list holding `items` in first-occurrence order, each once.
    pub(crate) fn push_deduplicated(&mut self, items: &[T])
    where
        T: std::hash::Hash,
    {
        // Almost every list is tiny; a linear scan beats hashing there, and
        // the hash set keeps a 10,000-parent merge linear.
        if items.len() <= 8 {
            for &item in items {
                if !self.open_list().contains(&item) {
                    self.push(item);
                }
            }
            self.close();
        } else {
            self.push_list(crate::normalize::dedupe(items));
        }
    }
}

impl<T: Copy + Default> Lists<T> {
    /// Groups `(list, item)` pairs into `lists` lists, each in the order of
    /// the pairs, repeats kept: a counting sort by list, linear.
    pub(crate) fn grouped<P>(lists: usize, pairs: P) -> Self
    where
        P: Iterator<Item = (usize, T)> + Clone,
    {
        let mut offsets = vec![0; lists + 1];
        for (list, _) in pairs.clone() {
            offsets[list + 1] += 1;
        }
        for list in 0..lists {
            offsets[list + 1] += offsets[list];
        }
        let mut next = offsets[..lists].to_vec();
        let mut items = vec![T::default(); offsets[lists]];
        for (list, item) in pairs {
            items[next[list]] = item;
            next[list] += 1;
        }
        Lists { offsets, items }
    }
}

impl Lists<usize> {
    /// The edges turned around, for lists of nodes by node (children from
    /// parents): list `i` holds, in order, every list that holds `i`, as
    /// many times as it does.
    pub(crate) fn reversed(&self) -> Lists<usize> {
        let edges = self
            .iter()
            .enumerate()
            .flat_map(|(from, to)| to.iter().map(move |&to| (to, from)));
        Lists::grouped(self.len(), edges)
    }
}

impl<T: Copy + Ord + Default> Lists<T> {
    /// Groups `(list, item)` pairs into `lists` lists, each sorted and
    /// without repeats. Linear apart from sorting each list (a counting sort
    /// by list, then a sort per list, almost always of one or two items).
    pub(crate) fn from_pairs(lists: usize, pairs: &[(usize, T)]) -> Self {
        let mut grouped = Self::grouped(lists, pairs.iter().copied());
        grouped.sort_and_dedup_each();
        grouped
    }

    /// Sorts every list and drops repeats within it.
    fn sort_and_dedup_each(&mut self) {
        let mut repeats = false;
        for bounds in self.offsets.windows(2) {
            let list = &mut self.items[bounds[0]..bounds[1]];
            // Most lists hold one item: no call into the sort for them.
            if list.len() > 1 {
                list.sort_unstable();
                repeats |= list.windows(2).any(|pair| pair[0] == pair[1]);
            }
        }
        if repeats {
            self.drop_adjacent_repeats();
        }
    }

    /// Drops each item equal to the one before it in the same list,
    /// compacting in place.
    fn drop_adjacent_repeats(&mut self) {
        let mut kept = 0;
        let mut start = 0;
        for list in 0..self.len() {
            let end = self.offsets[list + 1];
            let list_start = kept;
            for i in start..end {
                if kept == list_start || self.items[kept - 1] != self.items[i] {
                    self.items[kept] = self.items[i];
                    kept += 1;
                }
            }
            self.offsets[list + 1] = kept;
            start = end;
        }
        self.items.truncate(kept);
    }
}

impl<T> Index<usize> for Lists<T> {
    type Output = [T];

    fn index(&self, list: usize) -> &[T] {
        &self.items[self.offsets[list]..self.offsets[list + 1]]
    }
}

#[cfg(test)]
mod tests {
    use super::Lists;

    #[test]
    fn groups_sorts_and_dedups() {
        let lists = Lists::from_pairs(4, &[(2, 5), (0, 3), (2, 1), (2, 5), (0, 3)]);
        let got: Vec<&[usize]> = lists.iter().collect();
        assert_eq!(got, vec![&[3][..], &[], &[1, 5], &[]]);
        assert_eq!(lists.get(4), None);
        assert_eq!(lists.all_items(), &[3, 1, 5]);
        let distinct = Lists::from_pairs(3, &[(1, 4), (1, 2), (2, 0)]);
        let got: Vec<&[usize]> = distinct.iter().collect();
        assert_eq!(got, vec![&[][..], &[2, 4], &[0]]);
    }

    #[test]
    fn groups_in_order_and_reverses() {
        let grouped = Lists::grouped(3, [(2, 5), (0, 1), (2, 3), (2, 5)].into_iter());
        let got: Vec<&[usize]> = grouped.iter().collect();
        assert_eq!(got, vec![&[1][..], &[], &[5, 3, 5]]);
        // Node 2 holds 5 twice: node 5 lists it twice. Each reversed list
        // is in node order.
        let mut parents = Lists::with_capacity(6, 0);
        for list in [&[][..], &[0], &[0, 1], &[], &[2, 0], &[2, 2]] {
            parents.push_list(list.iter().copied());
        }
        let children = parents.reversed();
        let got: Vec<&[usize]> = children.iter().collect();
        assert_eq!(got, vec![&[1, 2, 4][..], &[2], &[4, 5, 5], &[], &[], &[]]);
        assert_eq!(Lists::<usize>::empty(0).reversed().len(), 0);
    }

    #[test]
    fn deduplicates_in_first_occurrence_order() {
        let mut lists = Lists::with_capacity(2, 0);
        lists.push_deduplicated(&[3, 1, 3, 2, 1]);
        let long: Vec<usize> = (0..20).chain(0..20).rev().collect();
        lists.push_deduplicated(&long);
        assert_eq!(&lists[0], &[3, 1, 2]);
        assert_eq!(lists[1], (0..20).rev().collect::<Vec<_>>()[..]);
        assert_eq!(lists.len(), 2);
    }
}
