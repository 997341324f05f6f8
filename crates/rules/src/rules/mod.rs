//! One module per rule: its explanation and, where the rule is not a direct
//! translation of a graph or load problem, the check itself.

pub(crate) mod branch_label_conflict;
pub(crate) mod cycle;
pub(crate) mod duplicate_revision;
pub(crate) mod filename_mismatch;
pub(crate) mod graph_problems;
pub(crate) mod hash_dependent_order;
pub(crate) mod header_mismatch;
pub(crate) mod import_error;
pub(crate) mod invalid_revision_id;
pub(crate) mod loaded_twice;
pub(crate) mod missing_dependency;
pub(crate) mod missing_down_revision;
pub(crate) mod missing_parent;
pub(crate) mod missing_revision;
pub(crate) mod multiple_bases;
pub(crate) mod multiple_heads;
pub(crate) mod non_literal_value;
pub(crate) mod self_reference;
pub(crate) mod syntax_error;
pub(crate) mod unreadable_file;
