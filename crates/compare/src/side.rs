//! One side of a comparison: a git revision or the working tree, loaded as
//! a project, with the summary each side gets (totals, roots, heads, merge
//! revisions) and its version files by path.

use std::collections::BTreeMap;
use std::path::PathBuf;

use alembic_doctor_git::{GitRepo, GitTree, ResolvedRev};
use alembic_doctor_graph::RevIdx;
use alembic_doctor_project::{LoadRequest, ParseCache, Project};
use alembic_doctor_source::ListingSpec;

use crate::CompareError;

/// Which state of the repository a side is.
#[derive(Debug, Clone)]
pub enum SideSpec {
    /// A commit (a branch, a tag, `HEAD~1`...).
    Rev(ResolvedRev),
    /// The working tree on disk, with uncommitted and untracked files.
    WorkTree,
}

/// A loaded side.
#[derive(Debug)]
pub struct Side {
    /// How the side was named (`main`, `feature`, `working tree`).
    pub label: String,
    /// The commit, `None` for the working tree.
    pub rev: Option<ResolvedRev>,
    /// The project as read at this side.
    pub project: Project,
    /// What was listed, to list the merge base the same way.
    pub(crate) spec: ListingSpec,
    /// The tree, `None` for the working tree.
    pub(crate) tree: Option<GitTree>,
}

impl Side {
    /// Load `spec`'s project. `request.cwd` is the directory on disk; at a
    /// revision it stands for the same directory inside that revision.
    pub(crate) fn load(
        repo: &GitRepo,
        spec: SideSpec,
        request: &LoadRequest,
        cache: Option<&ParseCache>,
    ) -> Result<Self, CompareError> {
        match spec {
            SideSpec::Rev(rev) => {
                let tree = repo.tree_at(&rev)?;
                let project = alembic_doctor_project::load_in_with_cache(&tree, request, cache)
                    .map_err(|error| CompareError::Load {
                        side: rev.name().to_owned(),
                        error,
                    })?;
                Ok(Self {
                    label: rev.name().to_owned(),
                    spec: alembic_doctor_project::listing_spec(&project.config, request.recursive),
                    project,
                    rev: Some(rev),
                    tree: Some(tree),
                })
            }
            SideSpec::WorkTree => {
                let project =
                    alembic_doctor_project::load_with_cache(request, cache).map_err(|error| {
                        CompareError::Load {
                            side: WORK_TREE.to_owned(),
                            error,
                        }
                    })?;
                Ok(Self {
                    label: WORK_TREE.to_owned(),
                    spec: alembic_doctor_project::listing_spec(&project.config, request.recursive),
                    project,
                    rev: None,
                    tree: None,
                })
            }
        }
    }

    /// The ids of `revs`.
    pub fn ids(&self, revs: &[RevIdx]) -> Vec<String> {
        ids(&self.project, revs)
    }

    /// The ids of the revisions with more than one parent.
    pub fn merges(&self) -> Vec<String> {
        let map = &self.project.map;
        let merges: Vec<RevIdx> = (0..map.revisions().len())
            .filter(|&rev| map.is_merge_point(rev))
            .collect();
        self.ids(&merges)
    }

    /// Every version file, by real path (empty bytes when unreadable).
    pub(crate) fn files(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        self.project
            .files
            .iter()
            .map(|file| (file.path.clone(), file.bytes.to_vec()))
            .collect()
    }
}

/// The label of the working tree.
pub const WORK_TREE: &str = "working tree";

/// The ids of `revs` in `project`'s map.
pub(crate) fn ids(project: &Project, revs: &[RevIdx]) -> Vec<String> {
    revs.iter()
        .filter_map(|&rev| project.map.revisions().get(rev))
        .map(|input| input.id.clone())
        .collect()
}
