//! Everything wrong with a revision graph, in alembic-doctor's own words.
//!
//! A problem names revisions by index so that callers can point at files;
//! [`GraphProblem::message`] renders it with ids. The list is complete (every
//! instance is reported, not only the first, which is what
//! `alembic_would_fail` is for) and in a stable order.

use crate::{RevIdx, RevisionMap};

/// What a branch label collided with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LabelClash {
    /// Another (or the same) revision declared the same label first.
    Label,
    /// The label equals a revision id.
    RevisionId,
}

/// One thing wrong with the graph.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GraphProblem {
    /// Several files define the same id. Alembic warns, uses the last file
    /// for lookups and counts every copy in heads and bases.
    DuplicateRevision {
        /// The id.
        id: String,
        /// Every file defining it, in load order.
        revisions: Vec<RevIdx>,
    },
    /// The id contains characters Alembic rejects when loading (`@ - + :`).
    InvalidRevisionId {
        /// The revision.
        revision: RevIdx,
        /// The rejected characters, sorted, each once.
        chars: Vec<char>,
    },
    /// The id is `base`, `head` or `heads`, which Alembic reads as symbols.
    ReservedRevisionId {
        /// The revision.
        revision: RevIdx,
    },
    /// The revision lists itself in `down_revision`.
    SelfLoop {
        /// The revision.
        revision: RevIdx,
    },
    /// The revision lists itself in `depends_on`, directly or through one of
    /// its own branch labels.
    DependencySelfLoop {
        /// The revision.
        revision: RevIdx,
        /// The label it used, when not its own id.
        via_label: Option<String>,
    },
    /// A `down_revision` entry names no revision and no label.
    MissingParent {
        /// The revision declaring it.
        child: RevIdx,
        /// The missing id as written.
        parent: String,
    },
    /// A `down_revision` entry is a branch label. Alembic only accepts ids
    /// there and crashes.
    DownRevisionIsLabel {
        /// The revision declaring it.
        child: RevIdx,
        /// The label.
        label: String,
        /// The revision declaring the label.
        owner: RevIdx,
    },
    /// A `depends_on` entry is neither an exact id nor a branch label.
    MissingDependency {
        /// The revision declaring it.
        revision: RevIdx,
        /// The entry as written.
        dependency: String,
        /// Revisions whose id starts with it (a partial id, which Alembic's
        /// `depends_on` does not expand).
        prefix_of: Vec<RevIdx>,
    },
    /// `depends_on = ""`: Alembic ignores it, but the revision no longer
    /// counts as a real base, which makes Alembic report a dependency cycle
    /// when the revision is a base.
    EmptyDependency {
        /// The revision.
        revision: RevIdx,
    },
    /// A branch label is declared twice or equals a revision id.
    BranchLabelConflict {
        /// The label.
        label: String,
        /// The revision whose declaration collides.
        revision: RevIdx,
        /// The revision that holds the label (or id) already.
        already_used_by: RevIdx,
        /// What it collided with.
        clash: LabelClash,
    },
    /// Revisions that are their own ancestors.
    Cycle {
        /// The members of one strongly connected component, in load order.
        revisions: Vec<RevIdx>,
        /// Whether the cycle only exists when `depends_on` edges count.
        via_dependencies: bool,
    },
}

impl GraphProblem {
    /// A one-line description naming the revisions by id.
    pub fn message(&self, map: &RevisionMap) -> String {
        let id = |rev: &RevIdx| {
            format!(
                "`{}`",
                map.revisions().get(*rev).map_or("?", |r| r.id.as_str())
            )
        };
        let ids = |revs: &[RevIdx]| revs.iter().map(id).collect::<Vec<_>>().join(", ");
        match self {
            GraphProblem::DuplicateRevision {
                id: rev_id,
                revisions,
            } => format!(
                "revision id `{rev_id}` is defined by {} files; Alembic uses the last one \
                 and counts every copy as a separate head or base",
                revisions.len()
            ),
            GraphProblem::InvalidRevisionId { revision, chars } => format!(
                "revision id {} contains {}, which Alembic does not allow in revision \
                 identifiers (@ - + :); Alembic refuses to load it",
                id(revision),
                chars
                    .iter()
                    .map(|c| format!("'{c}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            GraphProblem::ReservedRevisionId { revision } => format!(
                "revision id {} is also an Alembic symbol (base, head, heads); commands \
                 that name it get the symbol instead, and some crash",
                id(revision)
            ),
            GraphProblem::SelfLoop { revision } => {
                format!("{} lists itself in down_revision", id(revision))
            }
            GraphProblem::DependencySelfLoop {
                revision,
                via_label,
            } => match via_label {
                None => format!("{} lists itself in depends_on", id(revision)),
                Some(label) => format!(
                    "{} depends on its own branch label `{label}`, i.e. on itself",
                    id(revision)
                ),
            },
            GraphProblem::MissingParent { child, parent } if parent.is_empty() => format!(
                "{} has down_revision = '' (an empty id), which no revision defines",
                id(child)
            ),
            GraphProblem::MissingParent { child, parent } => format!(
                "{} has down_revision `{parent}`, which no revision defines",
                id(child)
            ),
            GraphProblem::DownRevisionIsLabel {
                child,
                label,
                owner,
            } => format!(
                "{} names branch label `{label}` (declared by {}) in down_revision; Alembic \
                 only accepts revision ids there",
                id(child),
                id(owner)
            ),
            GraphProblem::MissingDependency {
                revision,
                dependency,
                prefix_of,
            } => {
                let mut text = format!(
                    "{} depends on `{dependency}`, which is neither a revision id nor a \
                     branch label",
                    id(revision)
                );
                if !prefix_of.is_empty() {
                    text.push_str(&format!(
                        "; it is the start of {}, but depends_on needs the full id",
                        ids(prefix_of)
                    ));
                }
                text
            }
            GraphProblem::EmptyDependency { revision } => format!(
                "{} has depends_on = '', which Alembic ignores, except that the revision \
                 stops counting as a real base",
                id(revision)
            ),
            GraphProblem::BranchLabelConflict {
                label,
                revision,
                already_used_by,
                clash,
            } => match clash {
                LabelClash::Label => format!(
                    "branch label `{label}` of {} is already used by {}",
                    id(revision),
                    id(already_used_by)
                ),
                LabelClash::RevisionId => format!(
                    "branch label `{label}` of {} is also the id of revision {}",
                    id(revision),
                    id(already_used_by)
                ),
            },
            GraphProblem::Cycle {
                revisions,
                via_dependencies,
            } => format!(
                "revisions {} are their own ancestors (a cycle through {})",
                ids(revisions),
                if *via_dependencies {
                    "depends_on"
                } else {
                    "down_revision"
                }
            ),
        }
    }
}
