//! One side of a comparison: a git revision or the working tree, loaded as
//! a project, with the summary each side gets (totals, roots, heads, merge
//! revisions) and its version files by path.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;

use alembic_doctor_git::{GitError, GitRepo, GitTree, ResolvedRev};
use alembic_doctor_graph::RevIdx;
use alembic_doctor_project::{LoadRequest, ParseCache, Project};
use alembic_doctor_source::{DiskTree, ListingSpec, Tree};

use crate::CompareError;
use crate::merge::VersionState;

/// Which state of the repository a side is.
#[derive(Debug, Clone)]
pub enum SideSpec {
    /// A commit (a branch, a tag, `HEAD~1`...).
    Rev(ResolvedRev),
    /// The working tree on disk, with uncommitted and untracked files.
    WorkTree,
}

/// What the working tree is, for its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkTreeState {
    /// The branch checked out, `None` on a detached `HEAD`.
    pub branch: Option<String>,
    /// The project's files (version files, configuration, `env.py`)
    /// differ from `HEAD`: modified, added, deleted or untracked.
    pub uncommitted: bool,
}

impl WorkTreeState {
    /// `working tree` or `working tree, with uncommitted changes`: what
    /// follows the branch's name.
    pub fn description(&self) -> &'static str {
        if self.uncommitted {
            "working tree, with uncommitted changes"
        } else {
            "working tree"
        }
    }

    /// The side's label: `feature (working tree, with uncommitted
    /// changes)`, or the description alone on a detached `HEAD`.
    fn label(&self) -> String {
        match &self.branch {
            Some(branch) => format!("{branch} ({})", self.description()),
            None => self.description().to_owned(),
        }
    }
}

/// A loaded side.
#[derive(Debug)]
pub struct Side {
    /// How the side was named (`main`, `feature`, `feature (working
    /// tree)`); a full commit id given as a revision is shortened to 12
    /// characters (the full id is the commit's, in `rev`).
    pub label: String,
    /// For the working tree: the branch checked out and whether there are
    /// uncommitted changes (`None` for a commit).
    pub worktree: Option<WorkTreeState>,
    /// The commit, `None` for the working tree.
    pub rev: Option<ResolvedRev>,
    /// The project as read at this side.
    pub project: Project,
    /// What was listed, to list the merge base the same way.
    pub(crate) spec: ListingSpec,
    /// The tree, `None` for the working tree.
    pub(crate) tree: Option<GitTree>,
    /// The symbolic links in the version directories, by path.
    pub(crate) links: BTreeMap<PathBuf, PathBuf>,
}

impl Side {
    /// What a person calls this side: its label, or for the working tree
    /// the branch checked out (`working tree` on a detached `HEAD`), which
    /// is where commands meant for it run.
    pub fn name(&self) -> &str {
        match &self.worktree {
            Some(WorkTreeState {
                branch: Some(branch),
                ..
            }) => branch,
            Some(_) => "working tree",
            None => &self.label,
        }
    }

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
                // A missing or damaged object is an error, never "no file":
                // the side would look smaller than it is.
                let damaged = tree.damaged_objects();
                if !damaged.is_empty() {
                    return Err(CompareError::Git(GitError::DamagedObjects {
                        repo: repo.workdir().unwrap_or(repo.git_dir()).to_path_buf(),
                        rev: rev.name().to_owned(),
                        objects: damaged,
                    }));
                }
                let spec = alembic_doctor_project::listing_spec(&project.config, request.recursive);
                Ok(Self {
                    label: rev_label(&rev),
                    worktree: None,
                    links: links_in(&tree, &spec),
                    spec,
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
                Ok(Self::work_tree(repo, project, request))
            }
        }
    }

    /// The working tree's side from its project, already loaded with
    /// `request` (as [`crate::compare`] loads the working tree): a caller
    /// that has read the working tree (`check`) does not read it twice.
    /// Asks `git status` whether the project's files have uncommitted
    /// changes.
    pub fn work_tree(repo: &GitRepo, project: Project, request: &LoadRequest) -> Self {
        let changes = repo.uncommitted_changes(&work_tree_paths(&project));
        Self::work_tree_with_changes(repo, project, request, changes.as_deref())
    }

    /// [`Side::work_tree`], with `git status` over [`work_tree_paths`]
    /// run by the caller: `changes` is what it reported (a failure counts
    /// as uncommitted changes). `check` runs it once for this and for the
    /// lints' scope, which asks the same of the version files: a second
    /// `git status` looked at every version file again.
    pub fn work_tree_with_changes(
        repo: &GitRepo,
        project: Project,
        request: &LoadRequest,
        changes: Result<&[PathBuf], &GitError>,
    ) -> Self {
        let spec = alembic_doctor_project::listing_spec(&project.config, request.recursive);
        let state = work_tree_state(repo, changes);
        Self {
            label: state.label(),
            worktree: Some(state),
            links: links_in(&DiskTree, &spec),
            spec,
            project,
            rev: None,
            tree: None,
        }
    }

    /// Every revision id this side declares.
    pub fn all_ids(&self) -> std::collections::HashSet<&str> {
        self.project
            .map
            .revisions()
            .iter()
            .map(|input| input.id.as_str())
            .collect()
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

    /// The version files by real path (an unreadable one, such as the
    /// target of a dangling link, has no content to merge) and the links.
    pub(crate) fn state(&self) -> VersionState<'_> {
        VersionState {
            files: self
                .project
                .files
                .iter()
                .filter(|file| file.read_error.is_none())
                .map(|file| (file.path.clone(), Cow::Borrowed(&*file.bytes)))
                .collect(),
            links: self.links.clone(),
        }
    }
}

/// A commit's label: the name it was given, but a full commit id (13 to
/// 40 hexadecimal digits) shortened to the 12 the report shows.
fn rev_label(rev: &ResolvedRev) -> String {
    let name = rev.name();
    let is_id = name.len() > 12
        && name.bytes().all(|b| b.is_ascii_hexdigit())
        && rev.commit_id().starts_with(&name.to_ascii_lowercase());
    if is_id {
        rev.short_id()
    } else {
        name.to_owned()
    }
}

/// The branch checked out in the working tree (from `HEAD`), and whether
/// the project's files differ from it (`changes`, from `git status` over
/// [`work_tree_paths`]). A question git cannot answer (no commit yet)
/// leaves the branch unknown and the tree counted as changed.
fn work_tree_state(repo: &GitRepo, changes: Result<&[PathBuf], &GitError>) -> WorkTreeState {
    let branch = repo.resolve("HEAD").ok().and_then(|head| {
        head.reference()
            .and_then(|reference| reference.strip_prefix("refs/heads/"))
            .map(str::to_owned)
    });
    WorkTreeState {
        branch,
        uncommitted: changes.map_or(true, |changed| !changed.is_empty()),
    }
}

/// What the working tree's state covers: the version directories at their
/// real paths ([`real_version_locations`]), the configuration files and
/// `env.py` of `project`.
pub fn work_tree_paths(project: &Project) -> Vec<PathBuf> {
    let mut paths = real_version_locations(project);
    paths.extend(project.config.ini_file.iter().cloned());
    paths.extend(project.config.toml_file.iter().cloned());
    if let Some(dir) = &project.config.script_location {
        paths.push(dir.join("env.py"));
    }
    paths
}

/// `project`'s version directories at their real paths, as the listing
/// walks them and as its files' paths are: `git status` does not look
/// through a symbolic link to a directory, so a version directory reached
/// through one is asked about where it is (else an uncommitted edit in it
/// goes unseen).
pub fn real_version_locations(project: &Project) -> Vec<PathBuf> {
    alembic_doctor_project::listing_spec(&project.config, false)
        .resolved_in(&DiskTree)
        .locations
}

/// The symbolic links in `spec`'s version directories (walked like the
/// listing: sub-directories only when recursive, `__pycache__` skipped), by
/// path under the resolved locations, with their targets as stored.
pub(crate) fn links_in(tree: &impl Tree, spec: &ListingSpec) -> BTreeMap<PathBuf, PathBuf> {
    /// Deeper than any real version tree; guards against bind-mount loops.
    const MAX_DEPTH: usize = 64;
    let mut links = BTreeMap::new();
    let mut pending: Vec<(PathBuf, usize)> = spec
        .resolved_in(tree)
        .locations
        .into_iter()
        .map(|location| (location, 0))
        .collect();
    while let Some((dir, depth)) = pending.pop() {
        let Ok(entries) = tree.read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = dir.join(&entry.name);
            if entry.is_symlink {
                if let Some(target) = tree.read_link(&path) {
                    links.insert(path, target);
                }
            } else if entry.is_dir
                && spec.recursive
                && depth < MAX_DEPTH
                && !entry.name.to_string_lossy().ends_with("__pycache__")
            {
                pending.push((path, depth + 1));
            }
        }
    }
    links
}

/// The label of the working tree on a detached `HEAD` with nothing
/// uncommitted (on a branch, the branch's name comes first:
/// `feature (working tree)`).
pub const WORK_TREE: &str = "working tree";

/// The ids of `revs` in `project`'s map.
pub(crate) fn ids(project: &Project, revs: &[RevIdx]) -> Vec<String> {
    revs.iter()
        .filter_map(|&rev| project.map.revisions().get(rev))
        .map(|input| input.id.clone())
        .collect()
}
