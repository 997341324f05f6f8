//! The built revision map and its read-only accessors.
//!
//! Everything here is computed once by `build.rs`; accessors only index into
//! vectors. Children and label lists are in a deterministic order where
//! Alembic keeps them in Python sets (see each accessor).

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::error::GraphError;
use crate::fatal::AlembicFailure;
use crate::ids::IdIndex;
use crate::lists::Lists;
use crate::notes::HashOrderNote;
use crate::problems::GraphProblem;
use crate::{RevIdx, RevisionInput};

/// One distinct revision id, i.e. one key of Alembic's ordered map: it sits
/// at the position of the id's first file and holds the id's last file.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The last file with this id: the object Alembic's map holds. The
    /// other files with this id are those whose `entry_of` is this entry.
    pub(crate) canonical: RevIdx,
}

/// A result of Alembic's `get_revisions`, which may hold the string `"base"`
/// or `None` besides revisions (relative walks past the bottom produce them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// A revision.
    Revision(RevIdx),
    /// The string `"base"`: a walk down stepped below a base.
    Base,
    /// `None`: a walk went further than the graph.
    Nothing,
}

/// Alembic's `RevisionMap` for one set of revisions. Build it with
/// [`RevisionMap::build`].
#[derive(Debug, Clone)]
pub struct RevisionMap {
    pub(crate) revisions: Vec<RevisionInput>,
    /// Per index: its entry.
    pub(crate) entry_of: Vec<usize>,
    /// Distinct ids in map order (first occurrence).
    pub(crate) entries: Vec<Entry>,
    /// Each distinct id's entry.
    pub(crate) id_entry: IdIndex,
    /// Branch labels that made it into Alembic's map, and their owner.
    pub(crate) label_owner: FxHashMap<String, RevIdx>,
    /// Those labels in the order they were added to the map.
    pub(crate) label_keys: Vec<String>,
    /// Per index: each declared `down_revision` looked up like Alembic's
    /// `map_[key]` (ids, then labels); `None` when missing.
    pub(crate) down_objs: Lists<Option<RevIdx>>,
    /// Per index: each declared `down_revision` looked up as an id only
    /// (Alembic's `rev_map`): its entry, `None` for a label or a missing id.
    pub(crate) down_ids: Lists<Option<usize>>,
    /// Per index: `_resolved_dependencies` as entries.
    pub(crate) resolved_entries: Lists<usize>,
    /// Per index: `_resolved_dependencies` as canonical indices.
    pub(crate) resolved_deps: Lists<RevIdx>,
    /// Per index: `_normalized_resolved_dependencies` as canonical indices.
    pub(crate) normalized_deps: Lists<RevIdx>,
    /// Per index: `_normalized_down_revisions` looked up like `map_[key]`.
    pub(crate) norm_down_objs: Lists<RevIdx>,
    /// Per index: `nextrev` / `_all_nextrev` as canonical indices, map order.
    pub(crate) nextrev: Lists<RevIdx>,
    pub(crate) all_nextrev: Lists<RevIdx>,
    pub(crate) heads: Vec<RevIdx>,
    pub(crate) real_heads: Vec<RevIdx>,
    pub(crate) bases: Vec<RevIdx>,
    pub(crate) real_bases: Vec<RevIdx>,
    /// Per index: propagated branch labels.
    pub(crate) labels: Vec<Vec<String>>,
    pub(crate) problems: Vec<GraphProblem>,
    pub(crate) failure: Option<AlembicFailure>,
    pub(crate) notes: Vec<HashOrderNote>,
    /// [`RevisionMap::upgrade_order`], worked out once: the lints, the
    /// chain's rules and the JSON output each ask for it.
    pub(crate) upgrade_order: OnceLock<Result<Vec<RevIdx>, GraphError>>,
}

impl RevisionMap {
    /// Builds the map from every revision, in load order. Never fails: what
    /// Alembic would reject is recorded in [`RevisionMap::problems`] and
    /// [`RevisionMap::alembic_would_fail`].
    pub fn build(revisions: Vec<RevisionInput>) -> RevisionMap {
        crate::build::build(revisions)
    }

    /// The revisions, in load order.
    pub fn revisions(&self) -> &[RevisionInput] {
        &self.revisions
    }

    /// The revisions the map was built from, in load order, taking the map
    /// apart: for a caller that must build another map from most of them.
    pub fn into_revisions(self) -> Vec<RevisionInput> {
        self.revisions
    }

    /// The revision with exactly this id. For a duplicated id, the last file
    /// loaded, as in Alembic's map.
    pub fn lookup(&self, id: &str) -> Option<RevIdx> {
        self.entry_of_id(id).map(|e| self.entries[e].canonical)
    }

    /// The revision Alembic answers with for `rev`'s id: `rev` itself unless
    /// it is an earlier copy of a duplicated id. Use it to print heads the way
    /// `alembic heads` does (`get_revision(id)` for each head id).
    pub fn canonical(&self, rev: RevIdx) -> RevIdx {
        self.entry_of
            .get(rev)
            .map_or(rev, |&e| self.entries[e].canonical)
    }

    /// Versioned heads (`RevisionMap.heads`): revisions no `down_revision`
    /// points at, in load order. Every copy of a duplicated id is its own
    /// head candidate; earlier copies are never anyone's parent, so they are
    /// always heads (Alembic: `heads = ('a', 'b', 'b')`).
    pub fn heads(&self) -> &[RevIdx] {
        &self.heads
    }

    /// Real heads (`RevisionMap._real_heads`): also counting `depends_on`
    /// edges. The symbol `heads` and `upgrade heads` use these.
    pub fn real_heads(&self) -> &[RevIdx] {
        &self.real_heads
    }

    /// Bases: `down_revision` is `None` (even with `depends_on`), load order.
    pub fn bases(&self) -> &[RevIdx] {
        &self.bases
    }

    /// Real bases: bases without `depends_on` (not even `depends_on = ""`).
    pub fn real_bases(&self) -> &[RevIdx] {
        &self.real_bases
    }

    /// `Revision.is_head`: no revision names this one in `down_revision`.
    pub fn is_head(&self, rev: RevIdx) -> bool {
        self.nextrev.get(rev).is_none_or(<[RevIdx]>::is_empty)
    }

    /// `Revision._is_real_head`: not even a dependency of another revision.
    pub fn is_real_head(&self, rev: RevIdx) -> bool {
        self.all_nextrev.get(rev).is_none_or(<[RevIdx]>::is_empty)
    }

    /// `Revision.is_branch_point`: two or more `down_revision` children.
    pub fn is_branch_point(&self, rev: RevIdx) -> bool {
        self.nextrev.get(rev).is_some_and(|c| c.len() > 1)
    }

    /// `Revision._is_real_branch_point`: two or more children, counting
    /// dependents. This is what stops branch-label propagation.
    pub fn is_real_branch_point(&self, rev: RevIdx) -> bool {
        self.all_nextrev.get(rev).is_some_and(|c| c.len() > 1)
    }

    /// `Revision.is_merge_point`: two or more `down_revision` entries
    /// (`('a', 'a')` counts).
    pub fn is_merge_point(&self, rev: RevIdx) -> bool {
        self.revisions
            .get(rev)
            .is_some_and(|r| r.down_revisions.len() > 1)
    }

    /// Whether `rev` is a base (`down_revision` is `None`).
    pub fn is_base(&self, rev: RevIdx) -> bool {
        self.revisions
            .get(rev)
            .is_some_and(|r| r.down_revisions.is_empty())
    }

    /// `nextrev`: the revisions naming `rev` in `down_revision`, as the
    /// revisions Alembic's map holds for those ids, in map order (position of
    /// each id's first file). Alembic keeps a frozenset, so `branches` and
    /// `Branches into:` print them in hash order. An earlier copy of a
    /// duplicated id has no children, as in Alembic.
    pub fn children(&self, rev: RevIdx) -> &[RevIdx] {
        self.nextrev.get(rev).unwrap_or(&[])
    }

    /// `_all_nextrev`: children including dependents, same order rule.
    pub fn all_children(&self, rev: RevIdx) -> &[RevIdx] {
        self.all_nextrev.get(rev).unwrap_or(&[])
    }

    /// Branch labels after Alembic's propagation (`Revision.branch_labels`).
    ///
    /// Order rule (Alembic keeps a set, printed in hash order): labels of the
    /// earliest-loaded declaring revision first, each revision's labels in
    /// declaration order, each label once.
    pub fn branch_labels(&self, rev: RevIdx) -> &[String] {
        self.labels.get(rev).map_or(&[], Vec::as_slice)
    }

    /// `_resolved_dependencies`: each `depends_on` entry resolved to the
    /// revision it names (a label names its declaring revision), in
    /// declaration order, repeats kept, unresolvable entries left out.
    pub fn resolved_dependencies(&self, rev: RevIdx) -> &[RevIdx] {
        self.resolved_deps.get(rev).unwrap_or(&[])
    }

    /// `_normalized_resolved_dependencies`: resolved dependencies minus those
    /// a strict `down_revision` ancestor also declares, each once, in
    /// declaration order (Alembic: `tuple(set(...))`, hash order when two or
    /// more remain; see [`HashOrderNote::NormalizedDependencies`]).
    pub fn normalized_dependencies(&self, rev: RevIdx) -> &[RevIdx] {
        self.normalized_deps.get(rev).unwrap_or(&[])
    }

    /// Every problem found, in a stable order (by kind, then load order).
    pub fn problems(&self) -> &[GraphProblem] {
        &self.problems
    }

    /// The error Alembic raises while building its map, if any: the first in
    /// Alembic's own order, with its exact text. Every Alembic command that
    /// reads the scripts fails with it.
    pub fn alembic_would_fail(&self) -> Option<&AlembicFailure> {
        self.failure.as_ref()
    }

    /// Places where Alembic's answer depends on `PYTHONHASHSEED` (or on
    /// object addresses) and this map chose a deterministic rule.
    pub fn hash_order_notes(&self) -> &[HashOrderNote] {
        &self.notes
    }

    /// `revs` and every revision below them, through `down_revision` and
    /// resolved `depends_on` (as canonical indices; iteratively, chains
    /// are long).
    pub fn ancestors(&self, revs: &[RevIdx]) -> std::collections::BTreeSet<RevIdx> {
        let mut seen = std::collections::BTreeSet::new();
        let mut stack: Vec<RevIdx> = revs.iter().map(|&r| self.canonical(r)).collect();
        while let Some(rev) = stack.pop() {
            if !seen.insert(rev) {
                continue;
            }
            if let Some(input) = self.revisions.get(rev) {
                stack.extend(
                    input
                        .down_revisions
                        .iter()
                        .filter_map(|id| self.lookup(id))
                        .map(|r| self.canonical(r)),
                );
            }
            stack.extend(
                self.resolved_dependencies(rev)
                    .iter()
                    .map(|&r| self.canonical(r)),
            );
        }
        seen
    }

    /// The revision ids in Alembic's map order (first occurrence of each id).
    pub fn ids_in_map_order(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .map(|e| self.revisions[e.canonical].id.as_str())
    }

    pub(crate) fn id(&self, rev: RevIdx) -> &str {
        &self.revisions[rev].id
    }

    /// The entry of the id `id` (Alembic's `rev_map` holds only ids).
    pub(crate) fn entry_of_id(&self, id: &str) -> Option<usize> {
        self.id_entry.get(id, |e| {
            self.revisions[self.entries[e].canonical].id.as_str()
        })
    }

    /// Alembic's `map_[key]` after labels were added: an id (its last file)
    /// or a branch label (its declaring revision).
    pub(crate) fn map_lookup(&self, key: &str) -> Option<RevIdx> {
        self.lookup(key)
            .or_else(|| self.label_owner.get(key).copied())
    }
}
