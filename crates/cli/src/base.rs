//! The base branch in `check`: which one (`--base`, else `origin/HEAD`,
//! `main`, `master`), whether it looks stale, and what the simulated merge
//! of it into the working tree finds about the branch's own revisions.
//!
//! A branch's chain can be healthy on its own and broken once main is
//! merged in: an id another branch already merged into main, a fork
//! because main's head moved, a revision of main the branch edited. Those
//! are found by the same comparison `compare` makes (BASE against the
//! working tree), with the working tree's project, already loaded for the
//! rules, handed over rather than read a second time. Only what the merge
//! brings about the branch's new, edited or deleted revisions is kept:
//! what main already has on its own is main's, and what the working tree
//! shows without merging is reported by the rules already.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use alembic_doctor_compare::{CompareRequest, Comparison, Side};
use alembic_doctor_git::{GitRepo, ResolvedRev};
use alembic_doctor_project::{LoadRequest, ParseCache, Project};
use alembic_doctor_rules::{Finding, Rule, Severity};
use serde_json::{Value, json};

use crate::lint::LintArgs;

/// Where the base branch lookup ended.
pub(crate) enum Lookup {
    /// The version files are not in a git repository (or are spread over
    /// several): why, in the lint scope's words.
    NotInRepository { reason: &'static str },
    /// In a repository, without a base branch: why, in the lint scope's
    /// words (`no base branch: pass --base REV`), and a note for people
    /// when they should be told.
    NoBase {
        reason: String,
        note: Option<String>,
    },
    /// The base branch.
    Found { repo: GitRepo, base: ResolvedRev },
}

/// Find the base branch around `cwd` as `args` say: `--base REV`, else the
/// default branch. A base that is missing is a note, never an error: the
/// check goes on without it.
pub(crate) fn lookup(args: &LintArgs, cwd: &Path) -> Lookup {
    let Ok(repo) = GitRepo::discover(cwd) else {
        return Lookup::NotInRepository {
            reason: "not in a git repository",
        };
    };
    match &args.base {
        Some(name) => match repo.resolve(name) {
            Ok(base) => Lookup::Found { repo, base },
            Err(error) => Lookup::NoBase {
                reason: format!("`{name}` not found"),
                note: Some(format!(
                    "the base branch `{name}` was not found, so the branch was not compared with it ({error})"
                )),
            },
        },
        None => match repo.default_base() {
            Ok(base) => Lookup::Found { repo, base },
            Err(error) => {
                // A repository without commits has no branch yet: nothing
                // to say.
                let note = repo.resolve("HEAD").ok().map(|_| {
                    format!(
                        "no base branch found, so the branch was not compared with one; \
                         pass `--base REV` ({error})"
                    )
                });
                Lookup::NoBase {
                    reason: "no base branch: pass --base REV".to_owned(),
                    note,
                }
            }
        },
    }
}

/// Where the version files are, as far as git goes.
pub(crate) enum VersionsRepository {
    /// Where the current directory's repository is (or there is nothing to
    /// look at): ask there.
    Current,
    /// In another repository, whose working tree is here.
    Other(PathBuf),
    /// In no repository.
    None,
    /// In different repositories.
    Several,
}

/// Find the base branch in the repository that holds the version files:
/// what is new or changed on a branch is a question about their history,
/// wherever the current directory is. Returns the lookup and, when that
/// repository is not the current directory's, a note that says which
/// repository was used (or why none was).
pub(crate) fn lookup_for_versions(
    args: &LintArgs,
    cwd: &Path,
    project: &Project,
) -> (Lookup, Option<String>) {
    let here = GitRepo::discover(cwd)
        .ok()
        .and_then(|repo| repo.workdir().map(Path::to_path_buf));
    let locations = shown_locations(&project.version_locations);
    let elsewhere = match versions_repository(&project.version_locations, here.as_deref()) {
        VersionsRepository::Current => return (lookup(args, cwd), None),
        VersionsRepository::Other(root) => root,
        VersionsRepository::None => {
            let note = here.map(|here| {
                format!(
                    "the version files ({locations}) are outside the git repository of the current directory ({}) and in no other, so every revision is linted",
                    here.display()
                )
            });
            let reason = "the version files are in no git repository";
            return (Lookup::NotInRepository { reason }, note);
        }
        VersionsRepository::Several => {
            let reason = "the version locations are in different git repositories";
            let note = format!("{reason} ({locations}), so every revision is linted");
            return (Lookup::NotInRepository { reason }, Some(note));
        }
    };
    let note = format!(
        "the version files ({locations}) are in the git repository at {}{}: the base branch and what changed are taken from there",
        elsewhere.display(),
        here.map_or_else(
            || ", not where the current directory is".to_owned(),
            |here| format!(", not in the current directory's ({})", here.display())
        ),
    );
    (lookup(args, &elsewhere), Some(note))
}

/// Version locations as notes and errors name them: comma-separated.
pub(crate) fn shown_locations(locations: &[PathBuf]) -> String {
    locations
        .iter()
        .map(|location| location.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which repository holds every existing one of `locations`, compared
/// with `here` (the current directory's working tree).
pub(crate) fn versions_repository(
    locations: &[PathBuf],
    here: Option<&Path>,
) -> VersionsRepository {
    let mut roots = std::collections::BTreeSet::new();
    for location in locations {
        // A missing location is reported by the rules; it has no history.
        let Ok(dir) = std::fs::canonicalize(location) else {
            continue;
        };
        let root = GitRepo::discover(&dir)
            .ok()
            .and_then(|repo| repo.workdir().map(Path::to_path_buf))
            // A version directory inside `.git` is in no working tree.
            .filter(|root| dir.starts_with(root));
        roots.insert(root);
    }
    let mut roots = roots.into_iter();
    match (roots.next(), roots.next()) {
        (None, _) => VersionsRepository::Current,
        (Some(root), None) if root.as_deref() == here => VersionsRepository::Current,
        (Some(Some(root)), None) => VersionsRepository::Other(root),
        (Some(None), None) => VersionsRepository::None,
        (Some(_), Some(_)) => VersionsRepository::Several,
    }
}

/// What the comparison with the base branch added to `check`.
pub(crate) struct BaseCheck {
    /// The comparison, when one was made (its HEAD side holds the working
    /// tree's project).
    pub(crate) comparison: Option<&'static Comparison>,
    /// The merge's findings about the branch, each message saying which
    /// base commit it compared with and its help pointing at the plan.
    pub(crate) findings: Vec<Finding>,
    /// Notes for people: a stale or missing base.
    pub(crate) notes: Vec<String>,
    /// One line for people: what was compared with (empty when nothing
    /// was).
    pub(crate) summary: String,
    /// The base branch and commit, when there was one.
    base: Option<ResolvedRev>,
    /// Why nothing was compared, when nothing was.
    skipped: Option<String>,
}

/// Whether [`compare`] will compare the working tree with the base
/// branch, and so ask `git status` about the working tree's project: not
/// with `--no-base`, outside a repository or without a base branch, in a
/// bare repository, before the first commit, or on the base branch itself.
pub(crate) fn compares(lookup: &Lookup, no_base: bool) -> bool {
    match lookup {
        Lookup::Found { repo, base } if !no_base && !repo.is_bare() => repo
            .resolve("HEAD")
            .is_ok_and(|head| head.commit_id() != base.commit_id()),
        _ => false,
    }
}

impl BaseCheck {
    fn skipped(reason: &str, base: Option<ResolvedRev>, notes: Vec<String>) -> Self {
        Self {
            comparison: None,
            findings: Vec::new(),
            notes,
            // Said in the JSON; the text stays as it was without a
            // comparison (a note on stderr says what people must know).
            summary: String::new(),
            base,
            skipped: Some(reason.to_owned()),
        }
    }

    /// The `base` object of `check --format json`: `compared`, `ref`,
    /// `commit`, `skipped` (why not compared), `notes`, `findings` (how
    /// many the merge added) and `plan`.
    pub(crate) fn json(&self) -> Value {
        json!({
            "compared": self.comparison.is_some(),
            "ref": self.base.as_ref().map(ResolvedRev::name),
            "commit": self.base.as_ref().map(ResolvedRev::commit_id),
            "skipped": self.skipped,
            "notes": self.notes,
            "findings": self.findings.len(),
            "plan": self.comparison.map(|c| alembic_doctor_report::plan_json(&c.plan)),
        })
    }

    /// The plan that fixes the merge, as numbered lines (empty when there
    /// is nothing to do or no finding of the merge was kept).
    pub(crate) fn plan_text(&self) -> String {
        match self.comparison {
            Some(comparison) if !self.findings.is_empty() => {
                alembic_doctor_report::plan_text(&comparison.plan)
            }
            _ => String::new(),
        }
    }
}

/// Compare the working tree (`project`, loaded with `request`) with the
/// base branch `lookup` found, unless `no_base`. Returns the working
/// tree's project (kept by the comparison when one was made) and what the
/// comparison adds.
pub(crate) fn compare(
    lookup: &Lookup,
    no_base: bool,
    project: Project,
    request: &LoadRequest,
    (no_cache, command_options): (bool, alembic_doctor_rules::CommandOptions),
    status: &mut crate::lint::StartedStatus,
) -> anyhow::Result<(&'static Project, BaseCheck)> {
    let leak = |project: Project| -> &'static Project { Box::leak(Box::new(project)) };
    if no_base {
        return Ok((
            leak(project),
            BaseCheck::skipped("--no-base", None, Vec::new()),
        ));
    }
    let (repo, base) = match lookup {
        Lookup::NotInRepository { reason } => {
            return Ok((leak(project), BaseCheck::skipped(reason, None, Vec::new())));
        }
        Lookup::NoBase { reason, note, .. } => {
            return Ok((
                leak(project),
                BaseCheck::skipped(reason, None, note.iter().cloned().collect()),
            ));
        }
        Lookup::Found { repo, base } => (repo, base),
    };
    let notes: Vec<String> = stale_note(repo, base).into_iter().collect();
    if repo.is_bare() {
        return Ok((
            leak(project),
            BaseCheck::skipped("a bare repository", Some(base.clone()), notes),
        ));
    }
    let Ok(head) = repo.resolve("HEAD") else {
        return Ok((
            leak(project),
            BaseCheck::skipped("no commit yet", Some(base.clone()), notes),
        ));
    };
    if head.commit_id() == base.commit_id() {
        let reason = format!("HEAD is {}", base.name());
        return Ok((
            leak(project),
            BaseCheck::skipped(&reason, Some(base.clone()), notes),
        ));
    }
    let request = CompareRequest {
        load: request.clone(),
        cache: ParseCache::from_env(no_cache),
        // The plan's commands find the project the way this run did.
        command_options,
    };
    let base_side = match alembic_doctor_compare::load_base(repo, base.clone(), &request) {
        Ok(side) => side,
        Err(error) => {
            let Some(why) = error.missing_project() else {
                return Err(error.into());
            };
            // The branch adds Alembic: the base branch has nothing to
            // merge with or to break, and every revision here is new (and
            // linted).
            let mut notes = notes;
            notes.push(format!(
                "{} has no Alembic project yet ({why}): nothing to compare the branch with",
                base.name()
            ));
            let reason = format!("{} has no Alembic project", base.name());
            return Ok((
                leak(project),
                BaseCheck::skipped(&reason, Some(base.clone()), notes),
            ));
        }
    };
    // `git status`, shared with the lints' scope when it was started for
    // both (see `compares`).
    let side = match status.for_comparison() {
        Some(changes) => Side::work_tree_with_changes(repo, project, &request.load, changes),
        None => Side::work_tree(repo, project, &request.load),
    };
    let comparison = alembic_doctor_compare::compare_loaded(repo, base_side, vec![side], &request)?;
    let comparison: &'static Comparison = Box::leak(Box::new(comparison));
    let project = &comparison.heads[0].project;
    Ok((
        project,
        BaseCheck {
            comparison: Some(comparison),
            findings: Vec::new(),
            notes,
            summary: String::new(),
            base: Some(base.clone()),
            skipped: None,
        },
    ))
}

impl BaseCheck {
    /// Keep the merge's findings that concern the branch and that `own`
    /// (the working tree's findings) does not already report, prefixed
    /// with the base commit and pointed at the plan's steps.
    pub(crate) fn keep_branch_findings(&mut self, own: &[Finding]) {
        let (Some(comparison), Some(base)) = (self.comparison, &self.base) else {
            return;
        };
        let reported: HashSet<(Rule, &str)> =
            own.iter().map(|f| (f.rule, f.message.as_str())).collect();
        let diff = &comparison.differences[0];
        let ids: HashSet<&str> = diff
            .new
            .iter()
            .chain(&diff.edited)
            .chain(&diff.removed)
            .map(|change| change.id.as_str())
            .collect();
        let files = comparison.lint_files();
        let concerns_branch = |finding: &Finding| {
            matches!(
                finding.rule,
                Rule::MultipleHeads | Rule::EditedRevision | Rule::RemovedRevision
            ) || finding
                .revision
                .as_deref()
                .is_some_and(|id| ids.contains(id))
                || comparison
                    .finding_path(finding)
                    .is_some_and(|path| files.contains(path))
        };
        let kept: Vec<Finding> = comparison
            .new_findings()
            .into_iter()
            .filter(|finding| !reported.contains(&(finding.rule, finding.message.as_str())))
            .filter(concerns_branch)
            .collect();
        let prefix = format!("after merging {} at {}: ", base.name(), base.short_id());
        self.findings =
            alembic_doctor_report::findings_with_plan(comparison, &kept, "the plan below")
                .into_iter()
                .map(|mut finding| {
                    finding.message.insert_str(0, &prefix);
                    finding
                })
                .collect();
        let errors = self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let warnings = self.findings.len() - errors;
        self.summary = if self.findings.is_empty() {
            format!(
                "base branch: {} at {}, merged in: nothing new on the branch's revisions\n",
                base.name(),
                base.short_id()
            )
        } else {
            format!(
                "base branch: {} at {}, merged in: {errors} error{} and {warnings} warning{} on the branch's revisions (--no-base skips this)\n",
                base.name(),
                base.short_id(),
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" },
            )
        };
    }
}

/// A note when `base` is a local branch behind the remote-tracking branch
/// it follows (`main` behind `origin/main`): the comparison may miss what
/// was merged since the last update.
fn stale_note(repo: &GitRepo, base: &ResolvedRev) -> Option<String> {
    let upstream = repo.upstream(base)?;
    if upstream.commit_id() == base.commit_id() {
        return None;
    }
    let ancestor = repo.merge_base(base, &upstream).ok()??;
    if ancestor.commit_id() == upstream.commit_id() {
        // The local branch is ahead of its upstream, not behind.
        return None;
    }
    Some(format!(
        "`{}` ({}) is behind `{}` ({}): it may be stale, and what was merged there since is not compared; \
         update it (`git fetch` and `git merge --ff-only` on `{}`), or pass `--base {}`",
        base.name(),
        base.short_id(),
        upstream.name(),
        upstream.short_id(),
        base.name(),
        upstream.name(),
    ))
}
