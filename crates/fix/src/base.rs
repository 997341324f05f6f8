//! Which files are on the base branch: the question behind "keep the copy
//! that is already deployed" and "move the children that were added with
//! the renamed copy".
//!
//! A file is on the base branch when the merge base of `HEAD` and the base
//! branch (`--base`, else origin/HEAD, main, master, as `check` and
//! `compare` choose it) has a file at the same path saying the same thing
//! (declaring the same revision id, or naming the same parent). Files that
//! are not there were added on this side. Both the merge base and the base
//! branch's tip are read for ids, so a fresh id is unique on both sides.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use alembic_doctor_git::GitRepo;
use alembic_doctor_project::{LoadRequest, Project};

use crate::FixError;

/// What one file says at the merge base.
#[derive(Debug, Clone, Default)]
pub(crate) struct FileAtBase {
    /// The revision id it declares.
    pub(crate) revision: Option<String>,
    /// Its `down_revision` and `depends_on` entries.
    pub(crate) references: Vec<String>,
}

/// The base branch, as far as the fixes need it.
#[derive(Debug, Default)]
pub(crate) struct BaseBranch {
    /// How it was named (`main`, `origin/main`).
    pub(crate) name: String,
    /// The version files at the merge base, by path.
    pub(crate) files: HashMap<PathBuf, FileAtBase>,
    /// Every revision id and branch label at the merge base and the tip.
    pub(crate) ids: Vec<String>,
    /// The heads of the base branch's tip, in load order.
    pub(crate) tip_heads: Vec<String>,
    /// Every revision id at the base branch's tip, with the file declaring
    /// it (the last one, for an id declared twice there).
    pub(crate) tip_revisions: HashMap<String, PathBuf>,
    /// The bytes of that file, to tell a second copy of the same migration
    /// from another migration under the same id.
    pub(crate) tip_bytes: HashMap<String, Vec<u8>>,
}

impl BaseBranch {
    /// `path` declares `id` at the merge base.
    pub(crate) fn declares(&self, path: &Path, id: &str) -> bool {
        self.files
            .get(path)
            .is_some_and(|f| f.revision.as_deref() == Some(id))
    }

    /// `path` refers to `id` (as a parent or dependency) at the merge base.
    pub(crate) fn refers(&self, path: &Path, id: &str) -> bool {
        self.files
            .get(path)
            .is_some_and(|f| f.references.iter().any(|r| r == id))
    }
}

/// The base branch of the repository around `request.cwd`: `Ok(None)` with
/// a note when there is no repository or no base branch to compare with.
pub(crate) fn base_branch(
    request: &LoadRequest,
    base: Option<&str>,
) -> Result<(Option<BaseBranch>, Option<String>), FixError> {
    let Ok(repo) = GitRepo::discover(&request.cwd) else {
        return Ok((None, None));
    };
    let base = match base {
        Some(name) => repo.resolve(name)?,
        None => match repo.default_base() {
            Ok(base) => base,
            Err(error) => {
                return Ok((
                    None,
                    Some(format!(
                        "no base branch to tell old files from new ones ({error}); pass --base REV"
                    )),
                ));
            }
        },
    };
    let head = repo.resolve("HEAD")?;
    let Some(merge_base) = repo.merge_base(&base, &head)? else {
        return Ok((
            None,
            Some(format!(
                "HEAD has no common history with {}, so no file counts as being on it",
                base.name()
            )),
        ));
    };
    let mut branch = BaseBranch {
        name: base.name().to_owned(),
        ..BaseBranch::default()
    };
    let at_merge_base = load_at(&repo, &merge_base, request)?;
    for file in &at_merge_base.files {
        let Some(rev) = file.revision else {
            continue;
        };
        let input = &at_merge_base.map.revisions()[rev];
        branch.files.insert(
            file.path.clone(),
            FileAtBase {
                revision: Some(input.id.clone()),
                references: input
                    .down_revisions
                    .iter()
                    .chain(&input.depends_on)
                    .cloned()
                    .collect(),
            },
        );
    }
    collect_ids(&at_merge_base, &mut branch.ids);
    let tip = if base.commit_id() == merge_base.commit_id() {
        at_merge_base
    } else {
        let tip = load_at(&repo, &base, request)?;
        collect_ids(&tip, &mut branch.ids);
        tip
    };
    for (rev, input) in tip.map.revisions().iter().enumerate() {
        branch
            .tip_revisions
            .insert(input.id.clone(), tip.file_of(rev).path.clone());
        branch
            .tip_bytes
            .insert(input.id.clone(), tip.file_of(rev).bytes.to_vec());
    }
    branch.tip_heads = tip
        .map
        .heads()
        .iter()
        .map(|&h| tip.map.revisions()[h].id.clone())
        .collect();
    Ok((Some(branch), None))
}

fn load_at(
    repo: &GitRepo,
    rev: &alembic_doctor_git::ResolvedRev,
    request: &LoadRequest,
) -> Result<Project, FixError> {
    let tree = repo.tree_at(rev)?;
    alembic_doctor_project::load_in(&tree, request).map_err(|error| FixError::Load {
        what: format!("the project at {}", rev.name()),
        error,
    })
}

/// Every revision id and declared branch label of `project`.
pub(crate) fn collect_ids(project: &Project, out: &mut Vec<String>) {
    for (rev, input) in project.map.revisions().iter().enumerate() {
        out.push(input.id.clone());
        out.extend(input.branch_labels.iter().cloned());
        out.extend(project.map.branch_labels(rev).iter().cloned());
    }
}
