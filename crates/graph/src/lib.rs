//! Alembic's `RevisionMap`, rebuilt from statically read revisions and
//! reproducing Alembic 1.20's answers bug for bug.
//!
//! Input: one [`RevisionInput`] per migration file, in Alembic's load order.
//! [`RevisionMap::build`] never fails and never panics. It keeps every
//! revision, skips edges it cannot resolve, survives cycles, and records:
//!
//! * [`RevisionMap::problems`]: everything wrong with the graph, for
//!   alembic-doctor's own diagnostics;
//! * [`RevisionMap::alembic_would_fail`]: the first error Alembic itself
//!   raises while building its map, in Alembic's own order, with its exact
//!   text;
//! * [`RevisionMap::hash_order_notes`]: the places where Alembic's answer
//!   depends on `PYTHONHASHSEED` or object addresses, where this crate picks
//!   a documented deterministic rule instead.
//!
//! Queries ([`RevisionMap::upgrade_order`], [`RevisionMap::history`],
//! [`RevisionMap::resolve`]) return what the matching Alembic command would
//! compute, or the [`GraphError`] it would raise.
//!
//! Guarantees: deterministic output for a given input; no recursion
//! proportional to graph depth; building and ordering are near-linear in the
//! number of revisions for the shapes real projects have (see `order.rs` for
//! the exact bounds).
//!
//! Indices: a [`RevIdx`] is a position in the load-order list. Alembic keys
//! its map by id, so for a duplicated id the *last* file answers lookups and
//! orderings ([`RevisionMap::lookup`], [`RevisionMap::upgrade_order`]), while
//! every copy keeps its own index and is counted on its own in heads and
//! bases, as Alembic counts each copy.

mod build;
mod collect;
mod commands;
mod cycles;
mod error;
mod fatal;
mod ids;
mod labels;
mod lists;
mod map;
mod normalize;
mod notes;
mod order;
mod problems;
mod reach;
mod relative;
mod resolve;

#[cfg(test)]
mod crosscheck;
#[cfg(test)]
mod model;
#[cfg(test)]
mod testgen;
#[cfg(test)]
mod tests;

pub use error::{AlembicException, AlembicOutput, ExceptionKind, GraphError};
pub use fatal::{AlembicFailure, BuildStage};
pub use map::{RevisionMap, Target};
pub use notes::HashOrderNote;
pub use problems::{GraphProblem, LabelClash};

/// Index of a revision in the load-order list given to [`RevisionMap::build`].
pub type RevIdx = usize;

/// One revision as its file declares it, already normalised like Alembic's
/// `util.to_tuple`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevisionInput {
    /// `revision`.
    pub id: String,
    /// `down_revision` as a tuple. Empty means a base (`None`, `()`, `[]`).
    /// Repeated entries are kept: `('a', 'a')` is a merge point in Alembic.
    /// `['']` is the scalar `''`: not a base, and a parent named `''`.
    pub down_revisions: Vec<String>,
    /// `depends_on` as a tuple: ids or branch labels, in declaration order.
    /// `['']` (from `depends_on = ""`) is ignored by Alembic but still stops
    /// the revision from being a real base.
    pub depends_on: Vec<String>,
    /// `branch_labels` as a tuple, in declaration order.
    pub branch_labels: Vec<String>,
    /// Some value was written as a Python set, so Alembic's order for it
    /// depends on `PYTHONHASHSEED`.
    pub hash_ordered: bool,
}
