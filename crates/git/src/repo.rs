//! A repository and its revisions: finding the repository, turning what the
//! user typed (`main`, `v1.2`, `origin/main`, `HEAD~1`, `a1b2c3d`) into a
//! commit, choosing the default base branch, the merge base of two
//! revisions, and the tree of a revision.
//!
//! Shallow clones are the usual reason a revision or a merge base cannot be
//! found in CI; those errors name the `git fetch` that fixes them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use gix::ObjectId;
use gix::objs::Kind;

use crate::cli_fallback::git_command;
use crate::error::{GitError, describe, innermost};
use crate::objects::{Objects, hex};
use crate::tree::GitTree;

/// How many annotated tags may wrap a commit before we give up (a tag of a
/// tag of ... is legal but never deep).
const MAX_TAG_DEPTH: usize = 32;

/// The default branch's usual names, in the order they are tried after
/// `origin/HEAD`: full reference name and the name shown.
const DEFAULT_BRANCHES: &[(&str, &str)] = &[
    ("refs/heads/main", "main"),
    ("refs/remotes/origin/main", "origin/main"),
    ("refs/heads/master", "master"),
    ("refs/remotes/origin/master", "origin/master"),
];

/// A git repository: a checkout, a linked worktree or a bare repository.
#[derive(Debug, Clone)]
pub struct GitRepo {
    pub(crate) objects: Arc<Objects>,
    workdir: Option<PathBuf>,
    root: PathBuf,
}

/// A revision resolved to a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedRev {
    name: String,
    reference: Option<String>,
    pub(crate) commit: ObjectId,
    pub(crate) tree: ObjectId,
    summary: String,
}

impl ResolvedRev {
    /// The revision as given (`main`, `HEAD~1`), or for
    /// [`GitRepo::default_base`] the branch it chose (`origin/main`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The full name of the reference the revision went through
    /// (`refs/heads/main`, `refs/remotes/origin/main`, `refs/tags/v1`), when
    /// it named one.
    pub fn reference(&self) -> Option<&str> {
        self.reference.as_deref()
    }

    /// The commit's full hexadecimal id.
    pub fn commit_id(&self) -> String {
        hex(&self.commit)
    }

    /// The first 12 hexadecimal digits of the commit id, for display.
    pub fn short_id(&self) -> String {
        let mut id = hex(&self.commit);
        id.truncate(12);
        id
    }

    /// The first line of the commit message.
    pub fn summary(&self) -> &str {
        &self.summary
    }
}

impl std::fmt::Display for ResolvedRev {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.name, self.short_id())
    }
}

impl GitRepo {
    /// The repository containing `path`: `path` may be the working tree's
    /// root or any directory below it, a linked worktree (`git worktree
    /// add`), or a bare repository. `$GIT_DIR` is not consulted: the path
    /// decides.
    pub fn discover(path: impl AsRef<Path>) -> Result<Self, GitError> {
        let path = path.as_ref();
        let repo = gix::ThreadSafeRepository::discover(path).map_err(|error| {
            GitError::NotARepository {
                path: path.to_path_buf(),
                reason: describe(&error),
            }
        })?;
        let workdir = repo.work_dir().map(canonical);
        // A bare repository has no working tree; its git directory stands in
        // as the root so that paths still look like paths.
        let root = workdir.clone().unwrap_or_else(|| canonical(repo.git_dir()));
        Ok(Self {
            objects: Arc::new(Objects::new(repo)),
            workdir,
            root,
        })
    }

    /// The git directory (`.git`, a linked worktree's private directory, or
    /// the bare repository itself).
    pub fn git_dir(&self) -> &Path {
        self.objects.git_dir()
    }

    /// The working tree's root (canonical), or `None` for a bare repository.
    pub fn workdir(&self) -> Option<&Path> {
        self.workdir.as_deref()
    }

    /// Whether the repository has no working tree.
    pub fn is_bare(&self) -> bool {
        self.workdir.is_none()
    }

    /// The directory [`GitTree`]s from [`GitRepo::tree_at`] stand for: the
    /// working tree's root (canonical), or for a bare repository its git
    /// directory. Because it is the real working tree's path, a path in a
    /// tree and the same file on disk are equal, and paths computed for the
    /// disk (the current directory, `-c FILE`) work on a tree unchanged.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether the repository is a shallow clone (history cut off).
    pub fn is_shallow(&self) -> bool {
        self.objects
            .with_repo(|repo| repo.is_shallow().unwrap_or(false))
    }

    /// `path` (on disk, absolute or relative to the process's current
    /// directory) relative to the working tree's root, e.g. to find the
    /// current directory's place in a [`GitTree`]:
    /// `tree.root().join(repo.path_in_repo(cwd)?)`.
    pub fn path_in_repo(&self, path: impl AsRef<Path>) -> Result<PathBuf, GitError> {
        let path = path.as_ref();
        let outside = || GitError::OutsideWorkTree {
            path: path.to_path_buf(),
            root: self.root.clone(),
        };
        let workdir = self
            .workdir
            .as_deref()
            .ok_or_else(|| GitError::NoWorkTree {
                repo: self.objects.location().to_path_buf(),
            })?;
        let full = canonical(path);
        full.strip_prefix(workdir)
            .map(Path::to_path_buf)
            .map_err(|_| outside())
    }

    /// The commit `rev` names: a branch, a tag (annotated tags are peeled),
    /// `HEAD`, a remote branch (`origin/main`), a full or abbreviated commit
    /// id, or any of those with `~N` / `^N`.
    pub fn resolve(&self, rev: &str) -> Result<ResolvedRev, GitError> {
        self.resolve_as(rev, rev.to_owned())
    }

    /// Resolve `spec`, naming the result `name`.
    fn resolve_as(&self, spec: &str, name: String) -> Result<ResolvedRev, GitError> {
        // A reference name cannot contain `..`, so this is a range.
        if spec.trim().is_empty() || spec.contains("..") {
            return Err(GitError::NotSingleRevision {
                rev: spec.to_owned(),
            });
        }
        let parsed = self.objects.with_repo(|repo| {
            let parsed = repo.rev_parse(spec).map_err(|error| {
                if error.is_not_found() && !spec.contains(['~', '^', '@', ':']) {
                    // gix's chain repeats the name three times; say it once.
                    "no branch, tag or commit has this name".to_owned()
                } else {
                    innermost(&error)
                }
            })?;
            let reference = parsed.first_reference().map(|reference| {
                let name = reference.name.as_bstr().to_string();
                // `HEAD` on a branch is better shown as that branch.
                if name == "HEAD"
                    && let Ok(Some(branch)) = repo.head_name()
                {
                    branch.as_bstr().to_string()
                } else {
                    name
                }
            });
            Ok::<_, String>(parsed.single().map(|id| (id.detach(), reference)))
        });
        let (id, reference) = match parsed {
            Ok(Some(found)) => found,
            Ok(None) => {
                return Err(GitError::NotSingleRevision {
                    rev: spec.to_owned(),
                });
            }
            Err(reason) => return Err(self.unresolved(spec, reason)),
        };
        self.peel_to_commit(spec, name, reference, id)
    }

    /// Follow annotated tags from `id` to a commit and read the commit.
    fn peel_to_commit(
        &self,
        spec: &str,
        name: String,
        reference: Option<String>,
        mut id: ObjectId,
    ) -> Result<ResolvedRev, GitError> {
        let hash_kind = self.objects.hash_kind();
        let corrupt = |id: &ObjectId, message: String| GitError::Git {
            repo: self.objects.location().to_path_buf(),
            doing: format!("reading object {id} (`{spec}`)"),
            message,
        };
        for _ in 0..MAX_TAG_DEPTH {
            let object = match self.objects.read(&id, None, &|| format!("`{spec}`")) {
                Ok(object) => object,
                Err(GitError::MissingObject { .. }) => {
                    let reason = format!("commit {id} is not in this repository");
                    return Err(self.unresolved(spec, reason));
                }
                Err(error) => return Err(error),
            };
            match object.kind {
                Kind::Commit => {
                    let commit = gix::objs::CommitRef::from_bytes(&object.data, hash_kind)
                        .map_err(|error| corrupt(&id, error.to_string()))?;
                    return Ok(ResolvedRev {
                        name,
                        reference,
                        commit: id,
                        tree: commit.tree(),
                        summary: commit.message().summary().to_string(),
                    });
                }
                Kind::Tag => {
                    let tag = gix::objs::TagRef::from_bytes(&object.data, hash_kind)
                        .map_err(|error| corrupt(&id, error.to_string()))?;
                    id = tag.target();
                }
                kind @ (Kind::Tree | Kind::Blob) => {
                    return Err(GitError::NotACommit {
                        rev: spec.to_owned(),
                        kind: kind.to_string(),
                    });
                }
            }
        }
        Err(corrupt(
            &id,
            format!("more than {MAX_TAG_DEPTH} annotated tags wrap one another"),
        ))
    }

    /// The error for a revision that did not resolve, with the fix we can
    /// guess: more history for a shallow clone, a fetch for a remote branch.
    fn unresolved(&self, spec: &str, reason: String) -> GitError {
        if self.is_shallow() && needs_history(spec) {
            return GitError::ShallowHistory {
                what: format!("cannot resolve `{spec}` ({reason})"),
                repo: self.objects.location().to_path_buf(),
                fix: shallow_fix(&[]),
            };
        }
        let remotes: Vec<String> = self.objects.with_repo(|repo| {
            repo.remote_names()
                .iter()
                .map(ToString::to_string)
                .collect()
        });
        let hint = match spec.split_once('/') {
            Some((remote, branch)) if remotes.iter().any(|r| r == remote) && !branch.is_empty() => {
                format!(
                    "If the branch exists on `{remote}`, fetch it: `git fetch {remote} {branch}`"
                )
            }
            _ if needs_history(spec) => {
                "`git log --oneline` lists the commits this repository has".to_owned()
            }
            _ if remotes.iter().any(|r| r == "origin") => format!(
                "List branches and tags with `git branch -a` and `git tag`; \
                 if `{spec}` is a branch of the remote that was not fetched, fetch it: \
                 `git fetch origin {spec}` and compare with `origin/{spec}`"
            ),
            _ => "List branches and tags with `git branch -a` and `git tag`".to_owned(),
        };
        GitError::UnknownRevision {
            rev: spec.to_owned(),
            repo: self.objects.location().to_path_buf(),
            reason,
            hint: Some(hint),
        }
    }

    /// The branch to compare with when none is given: what `origin/HEAD`
    /// points to, else `main`, `origin/main`, `master`, `origin/master`.
    pub fn default_base(&self) -> Result<ResolvedRev, GitError> {
        let mut tried = Vec::new();
        let origin_head = self.objects.with_repo(|repo| {
            let reference = repo
                .try_find_reference("refs/remotes/origin/HEAD")
                .ok()
                .flatten()?;
            match reference.target() {
                gix::refs::TargetRef::Symbolic(target) => Some((
                    target.as_bstr().to_string(),
                    target.shorten().to_string(),
                    repo.try_find_reference(target).ok().flatten().is_some(),
                )),
                gix::refs::TargetRef::Object(_) => None,
            }
        });
        match origin_head {
            Some((full, short, true)) => return self.resolve_as(&full, short),
            Some((full, _, false)) => tried.push(format!(
                "`origin/HEAD` (points to {full}, which does not exist; \
                 `git remote set-head origin --auto` repairs it)"
            )),
            None => tried.push(
                "`origin/HEAD` (not set; `git remote set-head origin --auto` sets it)".to_owned(),
            ),
        }
        for (full, short) in DEFAULT_BRANCHES {
            let exists = self
                .objects
                .with_repo(|repo| repo.try_find_reference(*full).ok().flatten().is_some());
            if exists {
                return self.resolve_as(full, (*short).to_owned());
            }
            tried.push(format!("`{short}` (no such branch)"));
        }
        Err(GitError::NoDefaultBase {
            repo: self.objects.location().to_path_buf(),
            tried,
        })
    }

    /// The remote-tracking branch that `rev`'s local branch follows
    /// (`branch.<name>.remote` and `.merge`, mapped through the remote's
    /// fetch refspecs: `origin/main` for `main` in a clone), when `rev`
    /// named a local branch that has one and the tracking branch exists.
    pub fn upstream(&self, rev: &ResolvedRev) -> Option<ResolvedRev> {
        let reference = rev.reference()?;
        if !reference.starts_with("refs/heads/") {
            return None;
        }
        let (full, short) = self.objects.with_repo(|repo| {
            let name = gix::refs::FullName::try_from(reference).ok()?;
            let tracking = repo
                .branch_remote_tracking_ref_name(name.as_ref(), gix::remote::Direction::Fetch)?
                .ok()?;
            repo.try_find_reference(tracking.as_ref()).ok().flatten()?;
            Some((
                tracking.as_bstr().to_string(),
                tracking.as_ref().shorten().to_string(),
            ))
        })?;
        self.resolve_as(&full, short).ok()
    }

    /// The best common ancestor of `a` and `b` (`git merge-base a b`), or
    /// `None` when the histories are unrelated. In a shallow clone, a merge
    /// base that is not found is an error naming the fetch that brings it.
    pub fn merge_base(
        &self,
        a: &ResolvedRev,
        b: &ResolvedRev,
    ) -> Result<Option<ResolvedRev>, GitError> {
        let found = self.objects.with_repo(|repo| {
            repo.merge_base(a.commit, b.commit)
                .map(|id| id.map(gix::Id::detach))
                .map_err(|error| describe(&error))
        });
        let what = || format!("the merge base of `{}` and `{}`", a.name, b.name);
        let shallow = || GitError::ShallowHistory {
            what: format!("cannot find {}", what()),
            repo: self.objects.location().to_path_buf(),
            fix: shallow_fix(&[a, b]),
        };
        match found {
            Ok(Some(id)) => {
                let name = format!("merge-base({}, {})", a.name, b.name);
                self.peel_to_commit(&name.clone(), name, None, id).map(Some)
            }
            // Without the history below the cut, "no merge base" and a
            // walk that hits a missing parent both mean "fetch more".
            Ok(None) | Err(_) if self.is_shallow() => Err(shallow()),
            Ok(None) => Ok(None),
            Err(message) => Err(GitError::Git {
                repo: self.objects.location().to_path_buf(),
                doing: format!("finding {}", what()),
                message,
            }),
        }
    }

    /// The file tree of `rev`, rooted at [`GitRepo::root`].
    pub fn tree_at(&self, rev: &ResolvedRev) -> Result<GitTree, GitError> {
        let tree = GitTree::new(Arc::clone(&self.objects), rev.clone(), self.root.clone());
        // Read the top-level tree now, so that a repository that cannot
        // serve it fails here with its own error rather than as "no
        // version locations" later.
        tree.check()?;
        Ok(tree)
    }

    /// Which files under `paths` (absolute, or relative to the working
    /// tree's root) differ from `HEAD` in the working tree or the index:
    /// modified, added, deleted, renamed, and untracked files that are not
    /// ignored. Absolute paths, sorted. Runs `git status`.
    pub fn uncommitted_changes(&self, paths: &[PathBuf]) -> Result<Vec<PathBuf>, GitError> {
        self.start_uncommitted_changes(paths)?.wait()
    }

    /// [`GitRepo::uncommitted_changes`], started: `git status` runs while
    /// the caller does other work, and [`PendingChanges::wait`] collects its
    /// answer (a process that takes a few milliseconds, most of a warm
    /// `check`'s wait for git).
    pub fn start_uncommitted_changes(&self, paths: &[PathBuf]) -> Result<PendingChanges, GitError> {
        let workdir = self
            .workdir
            .as_deref()
            .ok_or_else(|| GitError::NoWorkTree {
                repo: self.objects.location().to_path_buf(),
            })?;
        let mut command = git_command(self.git_dir());
        command
            // Without it, `git status` writes the index back when it has
            // refreshed its cached file times: a write to the user's
            // repository, and an `index.lock` that a `git commit` run at
            // the same moment trips over.
            .env("GIT_OPTIONAL_LOCKS", "0")
            .arg("--work-tree")
            .arg(workdir)
            .current_dir(workdir)
            .args([
                "status",
                "--porcelain=v1",
                "-z",
                "--untracked-files=all",
                "--no-renames",
                "--",
            ])
            .args(paths)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let shown = format!("git status --porcelain -- {}", shown_paths(paths));
        let child = command.spawn().map_err(|error| GitError::GitCommand {
            command: shown.clone(),
            message: format!("cannot start `git` ({error}); is git installed and on PATH?"),
        })?;
        Ok(PendingChanges {
            child,
            shown,
            workdir: workdir.to_path_buf(),
        })
    }
}

/// A `git status` started by [`GitRepo::start_uncommitted_changes`].
pub struct PendingChanges {
    child: std::process::Child,
    /// The command, as an error names it.
    shown: String,
    workdir: PathBuf,
}

impl PendingChanges {
    /// The changed files, once `git status` has answered: absolute paths,
    /// sorted.
    pub fn wait(self) -> Result<Vec<PathBuf>, GitError> {
        let Self {
            child,
            shown,
            workdir,
        } = self;
        let output = child
            .wait_with_output()
            .map_err(|error| GitError::GitCommand {
                command: shown.clone(),
                message: format!("cannot read what `git` printed ({error})"),
            })?;
        if !output.status.success() {
            return Err(GitError::GitCommand {
                command: shown,
                message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            });
        }
        let mut changed: Vec<PathBuf> = output
            .stdout
            .split(|byte| *byte == 0)
            // Each record is `XY path`; `--no-renames` keeps it one record.
            .filter_map(|record| record.get(3..))
            .filter(|path| !path.is_empty())
            .map(|path| workdir.join(crate::tree::path_from_bytes(path.to_vec())))
            .collect();
        changed.sort();
        changed.dedup();
        Ok(changed)
    }
}

/// Whether `spec` names history rather than a branch: a commit id or a
/// walk from a revision (`~`, `^`, `@{`), which a shallow clone may lack.
fn needs_history(spec: &str) -> bool {
    let is_hex = spec.len() >= 4 && spec.bytes().all(|b| b.is_ascii_hexdigit());
    is_hex || spec.contains(['~', '^']) || spec.contains("@{")
}

/// The commands that fetch the history a shallow clone lacks. With the
/// revisions involved, the `--deepen` variant names their branches.
fn shallow_fix(revs: &[&ResolvedRev]) -> String {
    let branches: Vec<String> = revs
        .iter()
        .filter_map(|rev| rev.reference.as_deref())
        .filter_map(|reference| {
            reference
                .strip_prefix("refs/remotes/origin/")
                .or_else(|| reference.strip_prefix("refs/heads/"))
        })
        .map(str::to_owned)
        .collect();
    let deepen = if branches.is_empty() {
        "`git fetch --deepen=<N>`".to_owned()
    } else {
        format!("`git fetch --deepen=<N> origin {}`", branches.join(" "))
    };
    format!(
        "Fetch the full history with `git fetch --unshallow`, or only the last N commits more with {deepen}; \
         in GitHub Actions, set `fetch-depth: 0` on actions/checkout"
    )
}

/// `path` resolved through symlinks when it exists, else made absolute.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

fn shown_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|path| path.display().to_string())
        .collect::<Vec<_>>()
        .join(" ")
}
