//! What a HEAD changed relative to BASE, revision by revision: keyed by
//! revision id, not by path, because a revision is what Alembic sees.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use alembic_doctor_graph::RevIdx;
use alembic_doctor_project::Project;

use crate::side::Side;

/// One revision in a difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionChange {
    /// The revision id.
    pub id: String,
    /// Its file on the side that has it (HEAD's for new, edited and renamed
    /// revisions; BASE's for removed ones), as displayed.
    pub path: String,
    /// BASE's file, for edits and renames.
    pub base_path: Option<String>,
    /// The HEAD side (its label).
    pub side: String,
}

/// The differences of one HEAD against BASE.
#[derive(Debug, Clone, Default)]
pub struct Differences {
    /// Ids HEAD added (not on BASE, or on BASE in a different file that
    /// BASE also added since the merge base).
    pub new: Vec<RevisionChange>,
    /// Ids on BASE whose file HEAD deleted.
    pub removed: Vec<RevisionChange>,
    /// Ids on both whose file HEAD changed, so that it differs from BASE's.
    pub edited: Vec<RevisionChange>,
    /// Ids on both whose file HEAD moved without changing it.
    pub renamed: Vec<RevisionChange>,
    /// HEAD's new revisions' parents that already exist on BASE: where each
    /// new chain starts from.
    pub starts_from: Vec<String>,
    /// The branch builds on BASE's heads without forking or dropping them:
    /// every head of HEAD is a head of BASE or descends from one, HEAD has
    /// no more heads than BASE (one per labelled branch stays one per
    /// labelled branch), no head of BASE was deleted and no new revision
    /// claims a head's id. A revision added on an older parent is fine when
    /// the branch merges it with BASE's head (a merge revision of its own).
    /// True for a HEAD that adds no revision and deletes no head.
    /// `not_extending` says why not.
    pub extends_base_head: bool,
    /// The graph facts that make `extends_base_head` false (empty when it
    /// is true).
    pub not_extending: Vec<NotExtending>,
    /// HEAD's own heads (ids), as Alembic lists them.
    pub heads: Vec<String>,
    /// Those of `heads` that BASE has below its own heads and HEAD did not
    /// add: HEAD only lacks what BASE added there since (a pull request
    /// that adds to `contract` and is behind on `expand`). The merge keeps
    /// BASE's, so they do not count against extending BASE's heads.
    pub behind: Vec<String>,
}

/// Why a HEAD does not extend BASE's heads: one fact of the two graphs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotExtending {
    /// HEAD deleted these heads of BASE.
    DeletesBaseHeads(Vec<String>),
    /// New revisions of HEAD claim these heads' own ids.
    ReusesBaseHeadIds(Vec<String>),
    /// These heads of HEAD descend from no head of BASE.
    HeadsNotAbove(Vec<String>),
    /// HEAD has more heads than BASE.
    MoreHeads {
        /// HEAD's heads.
        heads: Vec<String>,
        /// How many BASE has.
        base: usize,
    },
}

/// The revision answering for each id (the last copy of a duplicate).
fn by_id(project: &Project) -> BTreeMap<&str, RevIdx> {
    project
        .map
        .revisions()
        .iter()
        .enumerate()
        .map(|(rev, input)| (input.id.as_str(), project.map.canonical(rev)))
        .collect()
}

/// Compare `head` with `base`, counting only what HEAD changed since their
/// merge base, whose version files are `ancestor`: a file HEAD left as it
/// was there is no change of HEAD's, whatever BASE did to it since. An id
/// both sides added in different files since the merge base is new on HEAD
/// (and a duplicate), not an edit.
pub(crate) fn differences(
    base: &Side,
    head: &Side,
    ancestor: &BTreeMap<PathBuf, Cow<'_, [u8]>>,
) -> Differences {
    let base_ids = by_id(&base.project);
    let head_ids = by_id(&head.project);
    let change =
        |id: &str, project: &Project, rev: RevIdx, base_rev: Option<RevIdx>| RevisionChange {
            id: id.to_owned(),
            path: project.file_of(rev).display_path.clone(),
            base_path: base_rev.map(|r| base.project.file_of(r).display_path.clone()),
            side: head.label.clone(),
        };
    let mut diff = Differences::default();
    // Every copy of a duplicated id on either side, so that an edit is told
    // from a second file claiming the same id: a HEAD file is matched to
    // BASE's file at the same path first, and only then by id.
    let mut base_copies: BTreeMap<&str, Vec<RevIdx>> = BTreeMap::new();
    for (rev, input) in base.project.map.revisions().iter().enumerate() {
        base_copies.entry(input.id.as_str()).or_default().push(rev);
    }
    let head_paths: BTreeSet<&Path> = head
        .project
        .files
        .iter()
        .map(|file| file.path.as_path())
        .collect();
    let mut new_revs = Vec::new();
    // Only what HEAD did since the merge base counts: a revision BASE added
    // or deleted after HEAD forked is not HEAD's change (the merge keeps
    // BASE's side of it).
    for (rev, input) in head.project.map.revisions().iter().enumerate() {
        let id = input.id.as_str();
        let head_file = head.project.file_of(rev);
        let head_touched =
            ancestor.get(&head_file.path).map(|bytes| &**bytes) != Some(&*head_file.bytes);
        if !head_touched {
            continue;
        }
        let head_added = !ancestor.contains_key(&head_file.path);
        let copies = base_copies.get(id).map_or(&[][..], Vec::as_slice);
        let Some(&canonical) = base_ids.get(id) else {
            if head_added {
                diff.new.push(change(id, &head.project, rev, None));
                new_revs.push(rev);
            }
            continue;
        };
        let same_path = copies
            .iter()
            .copied()
            .find(|&b| base.project.file_of(b).path == head_file.path);
        // A file that was there when HEAD forked: its counterpart is BASE's
        // copy at the same path, else BASE's answer for the id (BASE moved
        // it since).
        let counterpart = match same_path {
            Some(b) => Some(b),
            None if !head_added => Some(canonical),
            // A new file: a move of a BASE copy HEAD no longer has, or else
            // a second file for the id (new, and a duplicate).
            None => copies.iter().copied().find(|&b| {
                let base_path = &base.project.file_of(b).path;
                ancestor.contains_key(base_path) && !head_paths.contains(base_path.as_path())
            }),
        };
        let Some(base_rev) = counterpart else {
            diff.new.push(change(id, &head.project, rev, None));
            new_revs.push(rev);
            continue;
        };
        let base_file = base.project.file_of(base_rev);
        if head_file.bytes != base_file.bytes {
            diff.edited
                .push(change(id, &head.project, rev, Some(base_rev)));
        } else if head_file.path != base_file.path {
            diff.renamed
                .push(change(id, &head.project, rev, Some(base_rev)));
        }
    }
    for (&id, &rev) in &base_ids {
        let base_file = base.project.file_of(rev);
        if !head_ids.contains_key(id) && ancestor.contains_key(&base_file.path) {
            diff.removed.push(RevisionChange {
                id: id.to_owned(),
                path: base_file.display_path.clone(),
                base_path: None,
                side: head.label.clone(),
            });
        }
    }
    let new: BTreeSet<&str> = diff.new.iter().map(|c| c.id.as_str()).collect();
    let mut starts = BTreeSet::new();
    for &rev in &new_revs {
        for parent in parents(&head.project, rev) {
            let Some(input) = head.project.map.revisions().get(parent) else {
                continue;
            };
            if !new.contains(input.id.as_str()) {
                starts.insert(input.id.clone());
            }
        }
    }
    diff.starts_from = starts.into_iter().collect();
    diff.heads = head.ids(head.project.map.heads());
    diff.behind = behind_heads(base, &diff);
    diff.not_extending = not_extending(base, head, &diff);
    diff.extends_base_head = diff.not_extending.is_empty();
    diff
}

/// See [`Differences::extends_base_head`]: the facts against it, none
/// when HEAD extends BASE's heads.
fn not_extending(base: &Side, head: &Side, diff: &Differences) -> Vec<NotExtending> {
    let base_map = &base.project.map;
    let base_heads: Vec<&str> = base_map
        .heads()
        .iter()
        .map(|&rev| base_map.revisions()[rev].id.as_str())
        .collect();
    let mut out = Vec::new();
    // Deleting a head of BASE strands every database deployed from it.
    let deleted: Vec<String> = diff
        .removed
        .iter()
        .filter(|change| base_heads.contains(&change.id.as_str()))
        .map(|change| change.id.clone())
        .collect();
    if !deleted.is_empty() {
        out.push(NotExtending::DeletesBaseHeads(deleted));
    }
    // A HEAD that adds no revision (a code-only branch, or one whose
    // revisions BASE already holds) leaves BASE's chain as it is, however
    // old the commit it forked from.
    if diff.new.is_empty() || base_heads.is_empty() {
        return out;
    }
    // A new revision claiming a head's own id replaces it rather than
    // extending it.
    let reused: Vec<String> = diff
        .new
        .iter()
        .filter(|change| base_heads.contains(&change.id.as_str()))
        .map(|change| change.id.clone())
        .collect();
    if !reused.is_empty() {
        out.push(NotExtending::ReusesBaseHeadIds(reused));
    }
    let map = &head.project.map;
    // One walk up from BASE's heads rather than one walk down per head.
    let anchors: Vec<RevIdx> = base_heads
        .iter()
        .filter_map(|id| map.lookup(id))
        .map(|rev| map.canonical(rev))
        .collect();
    let mut above = descendants(&head.project, &anchors);
    above.extend(anchors);
    let below: Vec<String> = map
        .heads()
        .iter()
        .filter(|&&rev| !above.contains(&map.canonical(rev)))
        .map(|&rev| map.revisions()[rev].id.clone())
        .filter(|id| !diff.behind.contains(id))
        .collect();
    if !below.is_empty() {
        out.push(NotExtending::HeadsNotAbove(below));
    }
    if map.heads().len() > base_heads.len() {
        out.push(NotExtending::MoreHeads {
            heads: diff.heads.clone(),
            base: base_heads.len(),
        });
    }
    out
}

/// See [`Differences::behind`]. A new revision is never behind, even when
/// BASE has its id (a duplicate): it is this branch's work.
fn behind_heads(base: &Side, diff: &Differences) -> Vec<String> {
    let base_map = &base.project.map;
    let base_heads: BTreeSet<&str> = base_map
        .heads()
        .iter()
        .map(|&rev| base_map.revisions()[rev].id.as_str())
        .collect();
    let below: BTreeSet<&str> = base_map
        .ancestors(base_map.heads())
        .into_iter()
        .map(|rev| base_map.revisions()[rev].id.as_str())
        .filter(|id| !base_heads.contains(id))
        .collect();
    let new: BTreeSet<&str> = diff.new.iter().map(|change| change.id.as_str()).collect();
    diff.heads
        .iter()
        .filter(|id| below.contains(id.as_str()) && !new.contains(id.as_str()))
        .cloned()
        .collect()
}

/// The revisions that have one of `revs` below them (through
/// `down_revision` or `depends_on`), `revs` excluded unless above another.
fn descendants(project: &Project, revs: &[RevIdx]) -> BTreeSet<RevIdx> {
    let map = &project.map;
    let mut seen = BTreeSet::new();
    let mut stack: Vec<RevIdx> = revs
        .iter()
        .flat_map(|&rev| map.all_children(map.canonical(rev)))
        .copied()
        .collect();
    while let Some(child) = stack.pop() {
        let child = map.canonical(child);
        if seen.insert(child) {
            stack.extend_from_slice(map.all_children(child));
        }
    }
    seen
}

/// The parents Alembic follows on upgrade: `down_revision` and
/// `depends_on`.
pub(crate) fn parents(project: &Project, rev: RevIdx) -> Vec<RevIdx> {
    let map = &project.map;
    let mut out: Vec<RevIdx> = map
        .revisions()
        .get(rev)
        .map(|input| {
            input
                .down_revisions
                .iter()
                .filter_map(|id| map.lookup(id))
                .collect()
        })
        .unwrap_or_default();
    out.extend_from_slice(map.resolved_dependencies(rev));
    out
}

/// `revs` and everything below them.
pub(crate) fn ancestors(project: &Project, revs: &[RevIdx]) -> BTreeSet<RevIdx> {
    project.map.ancestors(revs)
}
