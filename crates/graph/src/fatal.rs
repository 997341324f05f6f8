//! The first error Alembic raises while building its `RevisionMap`, in
//! Alembic's own order, with its exact text.
//!
//! Alembic 1.20 (`RevisionMap._revision_map`) fails at the first of:
//!
//! 1. **Load** (`Revision.__init__`, file by file in load order):
//!    `Self-loop …`, then `Dependency self-loop …`, then `Character(s) …`.
//! 2. **Branch labels** (`_map_branch_labels`): `Branch name 'x' in revision
//!    b already used by revision a`.
//! 3. **Dependencies** (`_add_depends_on`): `KeyError` for an entry that is
//!    neither an id nor a label.
//! 4. **Wiring** (map order, then label entries): `KeyError` for a missing
//!    `down_revision` (after a warning).
//! 5. **Normalization** (`_normalize_depends_on`): walking ancestors of a
//!    revision with dependencies meets a label used as `down_revision`
//!    (`Dependency resolution failed; broken map`) or, for an earlier copy of
//!    a duplicated id, a missing parent (`KeyError`).
//! 6. **Cycle check** (`_detect_cycles`): `Cycle …` / `Dependency cycle …`,
//!    or a `KeyError` for a label used as `down_revision` met while walking
//!    down from the heads.
//!
//! Steps 2, 3 and 5 iterate Python sets of revision objects, so when several
//! revisions qualify, which one Alembic names varies between runs; this
//! module takes the first in load order and `notes.rs` flags the case.

use crate::error::{AlembicException, Catch, ExceptionKind, GraphError};
use crate::lists::Lists;
use crate::map::RevisionMap;
use crate::{RevIdx, RevisionInput};

/// The step of Alembic's map building that fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BuildStage {
    /// Creating the `Revision` object while loading a file.
    Load,
    /// Adding branch labels to the map.
    BranchLabels,
    /// Resolving `depends_on`.
    Dependencies,
    /// Linking each revision to its parents.
    Wiring,
    /// Normalizing dependencies.
    Normalization,
    /// The cycle check.
    CycleCheck,
}

/// Why Alembic cannot build its map; every command that reads the scripts
/// fails with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlembicFailure {
    /// The exception, with Alembic's exact text.
    pub exception: AlembicException,
    /// Where in Alembic's build it is raised.
    pub stage: BuildStage,
    /// The file being processed, when there is one. For [`BuildStage::Load`]
    /// the caller must compare it with its own load errors: Alembic stops at
    /// whichever file comes first.
    pub revision: Option<RevIdx>,
}

impl AlembicFailure {
    /// What a command that wraps the build in `_catch_revision_errors`
    /// (`history`, `upgrade`, `downgrade`, `show`, `branches`, `stamp`,
    /// `revision`, `merge`) prints.
    pub fn in_checked_command(&self) -> GraphError {
        self.exception.clone().shown(Some(&Catch::default()))
    }

    /// What a command that does not wrap it (`heads`, `current`) prints: a
    /// traceback for every kind.
    pub fn in_unchecked_command(&self) -> GraphError {
        self.exception.clone().shown(None)
    }
}

/// Inputs of the simulation, gathered by `build.rs`.
pub(crate) struct FatalInputs<'a> {
    pub(crate) map: &'a RevisionMap,
    /// Stage 2: the first label collision, in load order.
    pub(crate) first_label_conflict: Option<(String, RevIdx, RevIdx)>,
    /// Stage 3: the first unresolvable dependency, in load order.
    pub(crate) first_missing_dependency: Option<(RevIdx, String)>,
    /// Stage 4: the first missing parent in wiring order.
    pub(crate) first_missing_parent: Option<(RevIdx, String)>,
}

pub(crate) fn first_failure(inputs: &FatalInputs<'_>) -> Option<AlembicFailure> {
    let map = inputs.map;
    load_failure(inputs)
        .or_else(|| {
            inputs
                .first_label_conflict
                .as_ref()
                .map(|(label, rev, used_by)| AlembicFailure {
                    exception: AlembicException::revision_error(format!(
                        "Branch name '{label}' in revision {} already used by revision {}",
                        map.id(*rev),
                        map.id(*used_by)
                    )),
                    stage: BuildStage::BranchLabels,
                    revision: Some(*rev),
                })
        })
        .or_else(|| {
            inputs
                .first_missing_dependency
                .as_ref()
                .map(|(rev, key)| AlembicFailure {
                    exception: AlembicException::key_error(key),
                    stage: BuildStage::Dependencies,
                    revision: Some(*rev),
                })
        })
        .or_else(|| {
            inputs
                .first_missing_parent
                .as_ref()
                .map(|(rev, key)| AlembicFailure {
                    exception: AlembicException::key_error(key),
                    stage: BuildStage::Wiring,
                    revision: Some(*rev),
                })
        })
        .or_else(|| normalization_failure(inputs))
        .or_else(|| cycle_failure(map))
}

/// Whether `down_revision` is truthy (Python), i.e. not `None` and not the
/// scalar `''`.
pub(crate) fn down_truthy(r: &RevisionInput) -> bool {
    !(r.down_revisions.is_empty()
        || (r.down_revisions.len() == 1 && r.down_revisions[0].is_empty()))
}

fn load_failure(inputs: &FatalInputs<'_>) -> Option<AlembicFailure> {
    let map = inputs.map;
    map.revisions.iter().enumerate().find_map(|(rev, r)| {
        // A key naming the revision's own id looks it up as its own entry:
        // asked that way first, the keys' text is read only for a self-loop
        // (on a long history, reading it was a cache miss per revision).
        let names_itself = map.down_ids[rev].contains(&Some(map.entry_of[rev]));
        let (kind, message) = if names_itself && down_truthy(r) {
            (
                ExceptionKind::LoopDetected,
                format!("Self-loop is detected in revisions ({})", r.id),
            )
        } else if r.depends_on.contains(&r.id) {
            (
                ExceptionKind::DependencyLoopDetected,
                format!("Dependency self-loop is detected in revisions ({})", r.id),
            )
        } else {
            let bad = illegal_chars(&r.id);
            if bad.is_empty() {
                return None;
            }
            (
                ExceptionKind::RevisionError,
                format!(
                    "Character(s) '{}' not allowed in revision identifier '{}'",
                    bad.iter()
                        .map(char::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    r.id
                ),
            )
        };
        Some(AlembicFailure {
            exception: AlembicException::new(kind, message),
            stage: BuildStage::Load,
            revision: Some(rev),
        })
    })
}

/// `Revision.verify_rev_id`: the rejected characters, sorted, each once.
#[inline]
pub(crate) fn illegal_chars(id: &str) -> Vec<char> {
    // The rejected characters are ASCII, and UTF-8 never uses ASCII bytes
    // inside a multi-byte character, so a byte scan settles the usual case
    // without a call.
    if id.bytes().any(|b| matches!(b, b'@' | b'-' | b'+' | b':')) {
        sorted_illegal_chars(id)
    } else {
        Vec::new()
    }
}

#[cold]
fn sorted_illegal_chars(id: &str) -> Vec<char> {
    let mut bad: Vec<char> = id
        .chars()
        .filter(|c| matches!(c, '@' | '-' | '+' | ':'))
        .collect();
    bad.sort_unstable();
    bad.dedup();
    bad
}

/// Stage 5. A revision with dependencies walks its ancestors through
/// `map_[key]`: at its own level the first bad key raises (missing:
/// `KeyError`; a label: broken map); above it only labels can be bad (wiring
/// already checked every ancestor's keys), and they all give the same text.
fn normalization_failure(inputs: &FatalInputs<'_>) -> Option<AlembicFailure> {
    let map = inputs.map;
    if map.resolved_deps.all_items().is_empty() {
        return None; // only a revision with dependencies walks its ancestors
    }
    let tainted = below_label_parents(map);
    let broken = |rev| AlembicFailure {
        exception: AlembicException::revision_error("Dependency resolution failed; broken map"),
        stage: BuildStage::Normalization,
        revision: Some(rev),
    };
    for (rev, deps) in map.resolved_deps.iter().enumerate() {
        if deps.is_empty() {
            continue;
        }
        for ((key, obj), id) in map.revisions[rev]
            .down_revisions
            .iter()
            .zip(&map.down_objs[rev])
            .zip(&map.down_ids[rev])
        {
            match obj {
                None => {
                    return Some(AlembicFailure {
                        exception: AlembicException::key_error(key),
                        stage: BuildStage::Normalization,
                        revision: Some(rev),
                    });
                }
                Some(_) if id.is_none() => return Some(broken(rev)),
                Some(_) => {}
            }
        }
        if map.down_objs[rev].iter().flatten().any(|&p| tainted[p]) {
            return Some(broken(rev));
        }
    }
    None
}

/// Objects whose down keys include a label, and everything below them.
fn below_label_parents(map: &RevisionMap) -> Vec<bool> {
    let n = map.revisions.len();
    let mut tainted = vec![false; n];
    let mut stack = Vec::new();
    for (rev, (objs, ids)) in map.down_objs.iter().zip(map.down_ids.iter()).enumerate() {
        let label_parent = objs
            .iter()
            .zip(ids)
            .any(|(obj, id)| obj.is_some() && id.is_none());
        if label_parent {
            tainted[rev] = true;
            stack.push(rev);
        }
    }
    if stack.is_empty() {
        return tainted;
    }
    let edges: Vec<(RevIdx, RevIdx)> = map
        .down_objs
        .iter()
        .enumerate()
        .flat_map(|(rev, objs)| objs.iter().flatten().map(move |&p| (p, rev)))
        .collect();
    let children = Lists::from_pairs(n, &edges);
    while let Some(x) = stack.pop() {
        for &c in &children[x] {
            if !tainted[c] {
                tainted[c] = true;
                stack.push(c);
            }
        }
    }
    tainted
}

/// Stage 6, `_detect_cycles`.
fn cycle_failure(map: &RevisionMap) -> Option<AlembicFailure> {
    if map.entries.is_empty() {
        return None;
    }
    let fail = |exception| {
        Some(AlembicFailure {
            exception,
            stage: BuildStage::CycleCheck,
            revision: None,
        })
    };
    let all_ids = || map.ids_in_map_order().collect::<Vec<_>>().join(", ");
    for dependencies in [false, true] {
        if dependencies && same_without_dependencies(map) {
            return None; // the second pass would repeat the first one
        }
        let (kind, heads, bases) = if dependencies {
            (
                ExceptionKind::DependencyCycleDetected,
                &map.real_heads,
                &map.real_bases,
            )
        } else {
            (ExceptionKind::CycleDetected, &map.heads, &map.bases)
        };
        let name = if dependencies {
            "Dependency cycle"
        } else {
            "Cycle"
        };
        if heads.is_empty() || bases.is_empty() {
            return fail(AlembicException::new(
                kind,
                format!("{name} is detected in revisions ({})", all_ids()),
            ));
        }
        let from_heads = match walk_down(map, heads, dependencies) {
            Ok(reached) => reached,
            Err(key) => return fail(AlembicException::key_error(&key)),
        };
        let from_bases = walk_up(map, bases, dependencies);
        let mut missing: Vec<&str> = (0..map.entries.len())
            .filter(|&e| !(from_heads[e] && from_bases[e]))
            .map(|e| map.id(map.entries[e].canonical))
            .collect();
        if !missing.is_empty() {
            missing.sort_unstable();
            return fail(AlembicException::new(
                kind,
                format!("{name} is detected in revisions ({})", missing.join(", ")),
            ));
        }
    }
    None
}

/// Whether `_detect_cycles`' dependency pass walks the same graph from the
/// same heads and bases as its versioned pass, so that it cannot fail where
/// that pass succeeded: nothing resolves as a dependency, no parent is named
/// by a label (such an edge is in `_all_nextrev` only), and no base is
/// disqualified by an unresolved `depends_on`. Walking down, the dependency
/// pass also drops repeated keys; that changes the visiting order but not
/// what is reached, and the versioned pass met no missing key there.
fn same_without_dependencies(map: &RevisionMap) -> bool {
    map.resolved_entries.all_items().is_empty()
        && map.heads == map.real_heads
        && map.bases == map.real_bases
        && map.nextrev == map.all_nextrev
}

/// `_iterate_related_revisions` down from `starts` over `rev_map` (ids only),
/// in Python's exact order so that the first `KeyError` is the same one.
/// Returns the entries reached.
fn walk_down(
    map: &RevisionMap,
    starts: &[RevIdx],
    dependencies: bool,
) -> Result<Vec<bool>, String> {
    let n = map.revisions.len();
    let mut seen = vec![false; n];
    let mut reached = vec![false; map.entries.len()];
    let mut stack = Vec::new();
    let mut keys: Vec<(Option<usize>, &str)> = Vec::new();
    for &start in starts {
        stack.push(start);
        while let Some(rev) = stack.pop() {
            if seen[rev] {
                continue;
            }
            seen[rev] = true;
            reached[map.entry_of[rev]] = true;
            if !dependencies {
                // The keys' entries, in order; a key's text is read only for
                // the error. On a long history, reading every key's text
                // was a cache miss per revision.
                for (index, &entry) in map.down_ids[rev].iter().enumerate() {
                    match entry {
                        Some(e) => stack.push(map.entries[e].canonical),
                        None => return Err(map.revisions[rev].down_revisions[index].clone()),
                    }
                }
                continue;
            }
            all_down_keys(map, rev, &mut keys);
            for &(entry, key) in &keys {
                match entry {
                    Some(e) => stack.push(map.entries[e].canonical),
                    None => return Err(key.to_owned()),
                }
            }
        }
    }
    Ok(reached)
}

/// Alembic's `_all_down_revisions`: the down keys plus the resolved
/// dependency ids, deduplicated, each with its id lookup.
fn all_down_keys<'m>(map: &'m RevisionMap, rev: RevIdx, out: &mut Vec<(Option<usize>, &'m str)>) {
    out.clear();
    let down = map.revisions[rev].down_revisions.iter().map(String::as_str);
    out.extend(map.down_ids[rev].iter().copied().zip(down));
    for &dep in &map.resolved_entries[rev] {
        out.push((Some(dep), map.id(map.entries[dep].canonical)));
    }
    let mut kept = 0;
    for i in 0..out.len() {
        if !out[..kept].iter().any(|&(_, key)| key == out[i].1) {
            out[kept] = out[i];
            kept += 1;
        }
    }
    out.truncate(kept);
}

fn walk_up(map: &RevisionMap, starts: &[RevIdx], dependencies: bool) -> Vec<bool> {
    let mut seen = vec![false; map.revisions.len()];
    let mut reached = vec![false; map.entries.len()];
    let mut stack: Vec<RevIdx> = starts.to_vec();
    while let Some(rev) = stack.pop() {
        if seen[rev] {
            continue;
        }
        seen[rev] = true;
        reached[map.entry_of[rev]] = true;
        let next = if dependencies {
            &map.all_nextrev[rev]
        } else {
            &map.nextrev[rev]
        };
        stack.extend(next.iter().copied());
    }
    reached
}
