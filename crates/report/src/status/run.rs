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
        let Some(base_copy) = dup.copies.iter().find(|copy| copy.on(base)) else {
            continue;
        };
        for copy in dup.copies.iter().filter(|copy| !copy.on(base)) {
            for side in &copy.sides {
                out.push(Shadowed {
                    id: dup.id.clone(),
                    path: copy.path.clone(),
                    side: side.clone(),
                    base_path: base_copy.path.clone(),
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
            "{} is declared by {}",
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
        out.push(format!("the merged chain has {} heads", heads.len()));
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

/// The fix for the merged chain's unintended heads, knowing which head is
/// BASE's (it may be deployed, so it is never the one re-parented): re-parent
/// each HEAD's first new revision onto BASE's head with `fix rebase`, or
/// merge the heads with `fix merge`. `None` when the heads share an id (the
/// ids come first) or none of them is new.
pub(crate) fn heads_help(input: &StatusInput<'_>) -> Option<String> {
    let comparison = input.comparison;
    let map = &comparison.merged.project.map;
    let base_map = &comparison.base.project.map;
    let heads: Vec<&str> = map
        .heads()
        .iter()
        .map(|&h| map.revisions()[h].id.as_str())
        .collect();
    let mut unique = heads.clone();
    unique.sort_unstable();
    unique.dedup();
    // The finding's own help says what comes first on a chain Alembic
    // cannot load.
    if heads.len() < 2 || unique.len() != heads.len() || map.alembic_would_fail().is_some() {
        return None;
    }
    let on_base = |id: &str| base_map.lookup(id).is_some();
    let new_heads: Vec<&str> = heads.iter().copied().filter(|id| !on_base(id)).collect();
    if new_heads.is_empty() {
        return None;
    }
    let base_heads = comparison.base.ids(base_map.heads());
    let base_head = match base_heads.as_slice() {
        [one] if heads.contains(&one.as_str()) => Some(one.as_str()),
        _ => None,
    };
    // Onto BASE's head when it is one of the heads; else the new heads
    // are stacked: every other one onto the first.
    let (onto, movers): (&str, Vec<&str>) = match base_head {
        Some(head) => (head, new_heads),
        None => (new_heads[0], new_heads[1..].to_vec()),
    };
    let rebases: Vec<String> = movers
        .iter()
        .filter_map(|head| first_new_revision(input, head))
        .map(|first| format!("`alembic-doctor fix rebase {first} --onto {onto}`"))
        .collect();
    let mut help = String::new();
    if let Some(head) = base_head {
        help.push_str(&format!(
            "{} is {}'s head and may already be deployed, so it stays as it is; ",
            code(head),
            code(&comparison.base.label)
        ));
    }
    if !rebases.is_empty() {
        help.push_str(&format!(
            "if the branch's revisions have not been applied to any database yet, re-parent the first of them onto {}: {}, or ",
            code(onto),
            rebases.join(", ")
        ));
    }
    help.push_str(&format!(
        "keep both histories with a merge revision: `alembic-doctor fix merge -m \"merge heads\"` (or `{}`); run these in a checkout of the merged result (`--dry-run` shows the diff first)",
        alembic(input, &format!("merge -m \"merge heads\" {}", heads.join(" ")))
    ));
    Some(help)
}

/// The first revision of the chain that ends at `head` and is not on BASE:
/// what `fix rebase` re-parents to move the whole chain.
fn first_new_revision<'a>(input: &'a StatusInput<'_>, head: &str) -> Option<&'a str> {
    let map = &input.comparison.merged.project.map;
    let base_map = &input.comparison.base.project.map;
    let mut current = map.lookup(head)?;
    for _ in 0..map.revisions().len() {
        let parents = &map.revisions()[current].down_revisions;
        let next = parents.iter().find(|id| base_map.lookup(id).is_none());
        match next {
            // A merge revision of new work is not re-parented.
            Some(_) if parents.len() > 1 => return None,
            Some(id) => current = map.lookup(id)?,
            None => return Some(map.revisions()[current].id.as_str()),
        }
    }
    None
}
