//! Where Alembic's answer depends on Python's hashing, and which rule this
//! crate follows instead.
//!
//! Alembic keeps several collections in `set`s and `frozenset`s. Strings hash
//! differently under each `PYTHONHASHSEED`, and revision objects hash by
//! address, so the order of those collections (and of what is computed from
//! them) can change between two runs of the same command. alembic-doctor is
//! deterministic; each note says where its answer is one of Alembic's
//! possible answers rather than *the* answer.

use crate::{RevIdx, RevisionMap};

/// One hash-order-dependent spot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HashOrderNote {
    /// Two or more normalized dependencies: Alembic stores them as
    /// `tuple(set(...))`, and that order decides the upgrade order between
    /// the dependency lines. Rule: declaration order.
    NormalizedDependencies {
        /// The revision.
        revision: RevIdx,
        /// How many remain after normalization.
        count: usize,
    },
    /// A variable was written as a Python set literal: its tuple order is the
    /// set's iteration order. Rule: source order.
    SetTypedValue {
        /// The revision.
        revision: RevIdx,
    },
    /// Two or more branch labels after propagation: `heads`, `history` and
    /// `Branch names:` print them in set order. Rule: see
    /// [`RevisionMap::branch_labels`].
    MultipleBranchLabels {
        /// The revision.
        revision: RevIdx,
    },
    /// A branch point: `branches` and `Branches into:` print the children in
    /// frozenset order. Rule: map order ([`RevisionMap::children`]).
    BranchPointChildren {
        /// The revision.
        revision: RevIdx,
    },
    /// A label collision between two declarations: Alembic iterates a set of
    /// revision objects, so which of the two its error names varies between
    /// runs. Rule: the later-loaded one collides with the earlier one.
    LabelConflictNaming {
        /// The label.
        label: String,
    },
    /// Several revisions have unresolvable `depends_on` entries, or several
    /// label collisions exist: which one Alembic's error names depends on
    /// object addresses. Rule: the first in load order.
    FirstErrorChoice,
}

impl HashOrderNote {
    /// A one-line description.
    pub fn message(&self, map: &RevisionMap) -> String {
        let id = |rev: &RevIdx| {
            map.revisions()
                .get(*rev)
                .map_or("?", |r| r.id.as_str())
                .to_owned()
        };
        match self {
            HashOrderNote::NormalizedDependencies { revision, count } => format!(
                "`{}` has {count} dependencies that are not implied by its ancestors; Alembic \
                 orders them by hash, so the upgrade order between them can change from run \
                 to run (alembic-doctor uses declaration order)",
                id(revision)
            ),
            HashOrderNote::SetTypedValue { revision } => format!(
                "`{}` writes a value as a Python set; its order depends on PYTHONHASHSEED \
                 (alembic-doctor uses source order)",
                id(revision)
            ),
            HashOrderNote::MultipleBranchLabels { revision } => format!(
                "`{}` carries several branch labels; Alembic prints them in hash order",
                id(revision)
            ),
            HashOrderNote::BranchPointChildren { revision } => format!(
                "`{}` is a branch point; Alembic lists its children in hash order",
                id(revision)
            ),
            HashOrderNote::LabelConflictNaming { label } => format!(
                "branch label `{label}` is declared twice; which revision Alembic's error \
                 names changes from run to run"
            ),
            HashOrderNote::FirstErrorChoice => "several revisions would make Alembic fail at \
                 the same step; which one its error names changes from run to run"
                .to_owned(),
        }
    }
}
