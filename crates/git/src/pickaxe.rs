//! `git log -S <id> --branches --remotes -- <dirs>`, in process: the commits
//! where the number of times a revision id is written in the version
//! directories changes (the file that declares it, or a `down_revision`
//! naming it, was added or deleted), and the branches that contain each.
//!
//! Used for a revision a database is stamped with and no file declares:
//! the commits tell where it came from (a branch never merged, a file
//! deleted or renamed). As `git log` does by default, merge commits are not
//! diffed; each other commit is compared with its parent (a root commit
//! with nothing). Subtrees and blobs are counted once per object id, so an
//! unchanged version directory costs one lookup per commit.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Component, Path};

use gix::ObjectId;
use gix::objs::Kind;

use crate::GitRepo;
use crate::error::GitError;
use crate::objects::{Objects, hex};

/// At most this many commits are walked (newest branches' history first);
/// [`Mentions::truncated`] says when the walk stopped there.
const MAX_COMMITS: usize = 50_000;

/// Files larger than this are not searched (no migration is that large).
const MAX_BLOB_BYTES: usize = 4 << 20;

/// Whether a commit added or removed occurrences of an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MentionChange {
    /// The id is written more often after the commit (a file declaring it
    /// was added).
    Added,
    /// The id is written less often after the commit (the file was deleted
    /// or the id renamed).
    Removed,
}

/// One commit of `git log -S`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The commit's full hexadecimal id.
    pub commit: String,
    /// The first line of its message.
    pub summary: String,
    /// Committer time, seconds since the epoch.
    pub time: i64,
    /// The length of the longest parent chain below the commit (in the
    /// history walked): orders commits made in the same second.
    pub generation: usize,
    /// Added or removed.
    pub change: MentionChange,
    /// The local and remote branches that contain the commit
    /// (`main`, `origin/feature`), sorted.
    pub branches: Vec<String>,
}

/// The commits found for each id searched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mentions {
    /// Per id, its commits newest first.
    pub by_id: BTreeMap<String, Vec<Mention>>,
    /// The walk stopped early: at [`MAX_COMMITS`], or at the edge of a
    /// shallow clone's history.
    pub truncated: bool,
}

/// A commit as the walk needs it.
struct Walked {
    tree: ObjectId,
    parents: Vec<ObjectId>,
    summary: String,
    time: i64,
}

impl GitRepo {
    /// The commits on any local or remote branch where the number of
    /// occurrences of each of `ids` in the files under `dirs` changes
    /// (`git log -S`), newest first, with the branches containing them.
    /// `dirs` are paths on disk; those outside the working tree are
    /// ignored.
    pub fn commits_mentioning(
        &self,
        ids: &[String],
        dirs: &[impl AsRef<Path>],
    ) -> Result<Mentions, GitError> {
        let mut mentions = Mentions::default();
        let dirs: Vec<Vec<Vec<u8>>> = dirs
            .iter()
            .filter_map(|dir| self.path_in_repo(dir).ok())
            .map(|path| components(&path))
            .collect();
        if ids.is_empty() || dirs.is_empty() {
            return Ok(mentions);
        }
        let tips = self.branch_tips();
        let objects = &*self.objects;
        let hash_kind = objects.hash_kind();

        // Walk every commit reachable from a branch.
        let mut commits: HashMap<ObjectId, Walked> = HashMap::new();
        let mut order: Vec<ObjectId> = Vec::new();
        let mut stack: Vec<ObjectId> = tips.iter().map(|(_, id)| *id).collect();
        while let Some(id) = stack.pop() {
            if commits.contains_key(&id) {
                continue;
            }
            if commits.len() >= MAX_COMMITS {
                mentions.truncated = true;
                break;
            }
            let Ok(object) = objects.read(&id, Some(Kind::Commit), &|| format!("commit {id}"))
            else {
                // A shallow clone's boundary, or a missing object: the
                // history below is not searched.
                mentions.truncated = true;
                continue;
            };
            let Ok(commit) = gix::objs::CommitRef::from_bytes(&object.data, hash_kind) else {
                mentions.truncated = true;
                continue;
            };
            let walked = Walked {
                tree: commit.tree(),
                parents: commit.parents().collect(),
                summary: commit.message().summary().to_string(),
                time: commit.time().map(|t| t.seconds).unwrap_or_default(),
            };
            stack.extend(walked.parents.iter().copied());
            commits.insert(id, walked);
            order.push(id);
        }

        // Count each id under the directories, per commit.
        let mut counter = Counter {
            objects,
            hash_kind,
            ids,
            cache: HashMap::new(),
        };
        let mut found: Vec<(usize, ObjectId, MentionChange)> = Vec::new();
        for id in &order {
            let commit = &commits[id];
            if commit.parents.len() > 1 {
                continue;
            }
            let after = counter.count_dirs(commit.tree, &dirs);
            let before = match commit.parents.first() {
                None => vec![0; ids.len()],
                Some(parent) => match commits.get(parent) {
                    Some(parent) => counter.count_dirs(parent.tree, &dirs),
                    // Below a shallow boundary: unknown, so not a change.
                    None => after.clone(),
                },
            };
            for (which, (a, b)) in after.iter().zip(&before).enumerate() {
                if a > b {
                    found.push((which, *id, MentionChange::Added));
                } else if a < b {
                    found.push((which, *id, MentionChange::Removed));
                }
            }
        }

        // Which branches contain each commit found.
        let wanted: HashSet<ObjectId> = found.iter().map(|(_, id, _)| *id).collect();
        let mut branches: HashMap<ObjectId, Vec<String>> = HashMap::new();
        for (name, tip) in &tips {
            let mut seen: HashSet<ObjectId> = HashSet::new();
            let mut stack = vec![*tip];
            while let Some(id) = stack.pop() {
                if !seen.insert(id) {
                    continue;
                }
                if wanted.contains(&id) {
                    branches.entry(id).or_default().push(name.clone());
                }
                if let Some(commit) = commits.get(&id) {
                    stack.extend(commit.parents.iter().copied());
                }
            }
        }
        let generation = generations(&commits, &order);
        for (which, id, change) in found {
            let commit = &commits[&id];
            let mut on = branches.get(&id).cloned().unwrap_or_default();
            on.sort();
            on.dedup();
            mentions
                .by_id
                .entry(ids[which].clone())
                .or_default()
                .push(Mention {
                    commit: hex(&id),
                    summary: commit.summary.clone(),
                    time: commit.time,
                    generation: generation.get(&id).copied().unwrap_or_default(),
                    change,
                    branches: on,
                });
        }
        for list in mentions.by_id.values_mut() {
            // Newest first; among commits made in the same second, a
            // descendant before its ancestors.
            list.sort_by(|a, b| {
                b.time
                    .cmp(&a.time)
                    .then_with(|| b.generation.cmp(&a.generation))
                    .then_with(|| a.commit.cmp(&b.commit))
            });
        }
        Ok(mentions)
    }

    /// Every local and remote branch (`origin/HEAD` left out) and its
    /// commit, sorted by name.
    fn branch_tips(&self) -> Vec<(String, ObjectId)> {
        let mut tips: Vec<(String, ObjectId)> = self.objects.with_repo(|repo| {
            let Ok(platform) = repo.references() else {
                return Vec::new();
            };
            let mut tips = Vec::new();
            let iters = [platform.local_branches(), platform.remote_branches()];
            for iter in iters.into_iter().flatten() {
                for reference in iter.flatten() {
                    let mut reference = reference;
                    let name = reference.name().shorten().to_string();
                    if name.ends_with("/HEAD") {
                        continue;
                    }
                    if let Ok(id) = reference.peel_to_id() {
                        tips.push((name, id.detach()));
                    }
                }
            }
            tips
        });
        tips.sort();
        tips.dedup();
        tips
    }
}

/// Each walked commit's generation: 1 + the largest of its parents' (a
/// root, or a commit whose parents were not walked, is 0).
fn generations(
    commits: &HashMap<ObjectId, Walked>,
    order: &[ObjectId],
) -> HashMap<ObjectId, usize> {
    let mut done: HashMap<ObjectId, usize> = HashMap::with_capacity(commits.len());
    for &start in order {
        let mut stack = vec![(start, false)];
        while let Some((id, expanded)) = stack.pop() {
            if done.contains_key(&id) {
                continue;
            }
            let parents = commits.get(&id).map_or(&[][..], |c| c.parents.as_slice());
            if expanded {
                let generation = parents
                    .iter()
                    .filter_map(|p| done.get(p))
                    .map(|g| g + 1)
                    .max()
                    .unwrap_or(0);
                done.insert(id, generation);
            } else {
                stack.push((id, true));
                stack.extend(
                    parents
                        .iter()
                        .filter(|p| commits.contains_key(*p) && !done.contains_key(*p))
                        .map(|&p| (p, false)),
                );
            }
        }
    }
    done
}

/// Occurrence counts per object id, for every id searched.
struct Counter<'a> {
    objects: &'a Objects,
    hash_kind: gix::hash::Kind,
    ids: &'a [String],
    cache: HashMap<ObjectId, Vec<usize>>,
}

impl Counter<'_> {
    /// The counts in the directories `dirs` of the commit tree `root`.
    fn count_dirs(&mut self, root: ObjectId, dirs: &[Vec<Vec<u8>>]) -> Vec<usize> {
        let mut total = vec![0; self.ids.len()];
        for dir in dirs {
            let Some(tree) = self.subtree(root, dir) else {
                continue;
            };
            for (sum, n) in total.iter_mut().zip(self.count_tree(tree)) {
                *sum += n;
            }
        }
        total
    }

    /// The tree at `path` below `root`, if there is one.
    fn subtree(&self, root: ObjectId, path: &[Vec<u8>]) -> Option<ObjectId> {
        let mut tree = root;
        for name in path {
            let object = self
                .objects
                .read(&tree, Some(Kind::Tree), &|| "a tree".to_owned())
                .ok()?;
            let parsed = gix::objs::TreeRef::from_bytes(&object.data, self.hash_kind).ok()?;
            let entry = parsed.entries.iter().find(|entry| {
                entry.mode.is_tree() && {
                    let file: &[u8] = entry.filename.as_ref();
                    file == name.as_slice()
                }
            })?;
            tree = entry.oid.to_owned();
        }
        Some(tree)
    }

    /// The counts in every file of `tree`, recursively.
    fn count_tree(&mut self, tree: ObjectId) -> Vec<usize> {
        if let Some(counts) = self.cache.get(&tree) {
            return counts.clone();
        }
        let mut total = vec![0; self.ids.len()];
        if let Ok(object) = self
            .objects
            .read(&tree, Some(Kind::Tree), &|| "a tree".to_owned())
            && let Ok(parsed) = gix::objs::TreeRef::from_bytes(&object.data, self.hash_kind)
        {
            let children: Vec<(ObjectId, bool)> = parsed
                .entries
                .iter()
                .filter(|entry| entry.mode.is_tree() || entry.mode.is_blob())
                .map(|entry| (entry.oid.to_owned(), entry.mode.is_tree()))
                .collect();
            for (child, is_tree) in children {
                let counts = if is_tree {
                    self.count_tree(child)
                } else {
                    self.count_blob(child)
                };
                for (sum, n) in total.iter_mut().zip(counts) {
                    *sum += n;
                }
            }
        }
        self.cache.insert(tree, total.clone());
        total
    }

    fn count_blob(&mut self, blob: ObjectId) -> Vec<usize> {
        if let Some(counts) = self.cache.get(&blob) {
            return counts.clone();
        }
        let counts = match self
            .objects
            .read(&blob, Some(Kind::Blob), &|| "a file".to_owned())
        {
            Ok(object) if object.data.len() <= MAX_BLOB_BYTES => self
                .ids
                .iter()
                .map(|id| occurrences(&object.data, id.as_bytes()))
                .collect(),
            _ => vec![0; self.ids.len()],
        };
        self.cache.insert(blob, counts.clone());
        counts
    }
}

/// Non-overlapping occurrences of `needle` in `haystack`.
fn occurrences(haystack: &[u8], needle: &[u8]) -> usize {
    if needle.is_empty() || haystack.len() < needle.len() {
        return 0;
    }
    let mut count = 0;
    let mut at = 0;
    while at + needle.len() <= haystack.len() {
        if &haystack[at..at + needle.len()] == needle {
            count += 1;
            at += needle.len();
        } else {
            at += 1;
        }
    }
    count
}

/// A relative path's names as bytes.
fn components(path: &Path) -> Vec<Vec<u8>> {
    path.components()
        .filter_map(|component| match component {
            Component::Normal(name) => Some(name.as_encoded_bytes().to_vec()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::occurrences;

    #[test]
    fn counts_without_overlap() {
        assert_eq!(occurrences(b"abcabc", b"abc"), 2);
        assert_eq!(occurrences(b"aaaa", b"aa"), 2);
        assert_eq!(occurrences(b"", b"a"), 0);
        assert_eq!(occurrences(b"revision = 'x1'", b"x1"), 1);
    }
}
