//! Whether the merged chain can be upgraded at all, and what a database at
//! BASE's head will and will not run: the facts the migration path, the
//! notes and the recommendations share, so that none of them advises
//! running a migration that is broken or describes a revision as if it
//! will run when it will not.

use super::StatusInput;
use super::doc::{code, plural};

/// A HEAD's new revision whose id BASE already declares in another file.
/// A database at BASE's head is stamped with that id, so Alembic
/// considers it applied: this file never runs there.
pub(crate) struct Shadowed {
    /// The revision id.
    pub(crate) id: String,
    /// The HEAD's file, as displayed.
    pub(crate) path: String,
    /// The HEAD it is new on.
    pub(crate) side: String,
    /// BASE's file for the same id.
    pub(crate) base_path: String,
}

/// Every HEAD file whose id BASE already declares in another file.
pub(crate) fn shadowed(input: &StatusInput<'_>) -> Vec<Shadowed> {
    let base = &input.comparison.base.label;
    let mut out = Vec::new();
    for dup in &input.comparison.duplicate_ids {
        let on_base: Vec<&str> = dup
            .files
            .iter()
            .filter(|(side, _)| side == base)
            .map(|(_, path)| path.as_str())
            .collect();
        let Some(base_path) = on_base.first() else {
            continue;
        };
        for (side, path) in &dup.files {
            if side != base && !on_base.contains(&path.as_str()) {
                out.push(Shadowed {
                    id: dup.id.clone(),
                    path: path.clone(),
                    side: side.clone(),
                    base_path: (*base_path).to_owned(),
                });
            }
        }
    }
    out
}

/// The HEAD revision `id` in `path` never runs on a database at BASE's
/// head: BASE's file for it, when so.
pub(crate) fn shadowed_base_path(input: &StatusInput<'_>, id: &str, path: &str) -> Option<String> {
    shadowed(input)
        .into_iter()
        .find(|s| s.id == id && s.path == path)
        .map(|s| s.base_path)
}

/// Why `alembic upgrade` must not run on the merged result as it stands:
/// duplicated ids (Alembic silently picks one file) and unintended
/// multiple heads (`upgrade head` fails, `upgrade heads` applies a fork no
/// one merged). Empty when the merged chain can be upgraded.
pub(crate) fn blockers(input: &StatusInput<'_>) -> Vec<String> {
    let comparison = input.comparison;
    let mut out = Vec::new();
    for dup in &comparison.duplicate_ids {
        out.push(format!(
            "{} is declared by {} (fix: `alembic-doctor fix duplicate-ids`)",
            code(&dup.id),
            plural(dup.files.len(), "file", "files")
        ));
    }
    let heads = comparison.merged.heads();
    let single_head_failed = input
        .checklist
        .iter()
        .any(|item| item.code == "single-head" && !item.passed);
    if single_head_failed && heads.len() > 1 {
        out.push(format!(
            "the merged chain has {} heads (merge them, or re-parent the branch's new revision: see Problems Found)",
            heads.len()
        ));
    }
    out
}

/// `alembic ARGS`, with the configuration the user passed.
pub(crate) fn alembic(input: &StatusInput<'_>, args: &str) -> String {
    if input.alembic.is_empty() {
        format!("alembic {args}")
    } else {
        format!("{} {args}", input.alembic)
    }
}
