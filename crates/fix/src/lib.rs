//! `alembic-doctor fix`: repairs of an Alembic chain that change only the
//! bytes that must change, show a diff first, and are undone unless the
//! project reads back healthier.
//!
//! A fix runs in four stages, one module each:
//! * a planner reads the loaded project (and, in git, the base branch:
//!   `base`) and produces a [`Plan`]: byte edits on the original bytes
//!   (`edit`, `rewrite`), renames and new files ([`duplicates`],
//!   [`headers`], [`merge`], [`rebase`]);
//! * `--dry-run` prints the plan as a unified diff ([`diff`]) and stops;
//! * otherwise every file is replaced atomically, each step journaled
//!   ([`write`]);
//! * the project is read again and the fix is kept only if the findings it
//!   targeted are gone and no new finding appeared (`verify`); otherwise
//!   the journal is rolled back and the error says why.
//!
//! In a git repository, files with uncommitted changes are not rewritten
//! without `allow_dirty`: the fix's diff would mix with the user's edits.
//!
//! [`apply_safe_fixes`] runs the fixes that need no decision (duplicate ids
//! where the base branch settles every question, stale headers) for the
//! status report.

mod base;
pub mod diff;
pub mod duplicates;
mod edit;
pub mod headers;
mod ids;
pub mod merge;
mod plan;
pub mod rebase;
mod rewrite;
mod template;
mod verify;
pub mod write;

use std::path::PathBuf;

use alembic_doctor_git::{GitError, GitRepo};
use alembic_doctor_project::{LoadError, LoadRequest, Project};

pub use edit::{Edit, Overlap, apply_edits};
pub use ids::TakenIds;
pub use plan::{AppliedFix, FileChange, FixKind, NewFile, Plan, RemovedFile};
pub use write::{
    Journal, RestoreFailure, Step, StepHook, WriteFailure, write_plan, write_plan_with,
};

/// Which repair to run.
#[derive(Debug, Clone)]
pub enum Fix {
    /// Give every copy of a duplicated id but one a fresh id.
    DuplicateIds(duplicates::Options),
    /// Bring `Revision ID:` / `Revises:` lines in line with the variables.
    Headers,
    /// Write a merge revision.
    Merge(merge::Options),
    /// Re-parent revisions.
    Rebase(rebase::Options),
}

/// How to run a fix.
#[derive(Debug, Clone, Default)]
pub struct FixOptions {
    /// Print the diff, change nothing.
    pub dry_run: bool,
    /// Rewrite files that have uncommitted changes.
    pub allow_dirty: bool,
    /// The base branch (default: origin/HEAD, main, master).
    pub base: Option<String>,
}

/// What a fix did (or, with `dry_run`, would do).
#[derive(Debug)]
pub struct Outcome {
    /// The plan.
    pub plan: Plan,
    /// The plan as a unified diff.
    pub diff: String,
    /// The files were written and the result verified.
    pub applied: bool,
}

/// Why a fix was not made.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    /// The project (or its state at a git revision) could not be loaded.
    #[error("cannot load {what}: {error}")]
    Load {
        what: String,
        #[source]
        error: LoadError,
    },
    /// A git question failed.
    #[error(transparent)]
    Git(#[from] GitError),
    /// The fix would have to guess, or cannot change the file exactly.
    #[error("{reason}")]
    Refused { reason: String },
    /// Files the fix must rewrite have uncommitted changes.
    #[error(
        "{} uncommitted changes: {}; commit or stash {}, or pass --allow-dirty",
        if files.len() == 1 { "a file to rewrite has" } else { "files to rewrite have" },
        files.join(", "),
        if files.len() == 1 { "it" } else { "them" }
    )]
    Dirty { files: Vec<String> },
    /// Writing failed; everything written was restored (or `restore` says
    /// what could not be, the state of every file and how to finish or undo
    /// by hand).
    #[error("cannot write {}: {error}{}", path.display(), restore_suffix(restore.as_deref()))]
    Write {
        path: PathBuf,
        #[source]
        error: std::io::Error,
        restore: Option<Box<RestoreFailure>>,
    },
    /// The written result did not read back healthier: restored.
    #[error(
        "the fix was undone because the result did not check out: {}{}",
        reasons.join("; "),
        restore_suffix(restore.as_deref())
    )]
    Verification {
        reasons: Vec<String>,
        restore: Option<Box<RestoreFailure>>,
    },
    /// A bad argument (an unknown revision, a bad template).
    #[error("{message}")]
    Usage { message: String },
    /// A bug: two planners disagree, or the OS random source failed.
    #[error("{message}")]
    Internal { message: String },
}

fn restore_suffix(restore: Option<&RestoreFailure>) -> String {
    restore.map_or_else(String::new, |failure| format!("\n{failure}"))
}

impl FixError {
    pub(crate) fn refused(reason: impl Into<String>) -> Self {
        FixError::Refused {
            reason: reason.into(),
        }
    }
}

/// `lines` without repeats, in first-seen order: one broken file can give
/// the same reason several times.
fn distinct(lines: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    lines
        .into_iter()
        .filter(|line| seen.insert(line.clone()))
        .collect()
}

/// Refuse to reshape a chain that Alembic itself cannot load: a version
/// file it cannot read or import stops every `alembic` command, so the
/// result could not be checked (or used) either.
pub(crate) fn refuse_unloadable(project: &Project, what: &str) -> Result<(), FixError> {
    use alembic_doctor_rules::Rule;
    let findings = alembic_doctor_rules::check(project);
    let mut files = std::collections::BTreeSet::new();
    let stopping: Vec<String> = findings
        .iter()
        .filter(|f| {
            matches!(
                f.rule,
                Rule::SyntaxError | Rule::ImportError | Rule::UnreadableFile
            )
        })
        .filter(|f| files.insert(f.location.map(|l| l.file)))
        .map(|f| format!("`{}`: {}", f.rule.name(), f.message))
        .collect();
    if stopping.is_empty() {
        return Ok(());
    }
    Err(FixError::refused(format!(
        "Alembic itself cannot load this project (it imports every version file): {}; {what} is refused until {} fixed (`alembic-doctor check` shows where)",
        stopping.join("; "),
        if stopping.len() == 1 {
            "that is"
        } else {
            "those are"
        }
    )))
}

/// Load the project `request` names.
fn load(request: &LoadRequest) -> Result<Project, FixError> {
    alembic_doctor_project::load(request).map_err(|error| FixError::Load {
        what: "the project".to_owned(),
        error,
    })
}

/// Plan `fix` on the project `request` names, without writing anything.
pub fn plan(request: &LoadRequest, fix: &Fix, options: &FixOptions) -> Result<Plan, FixError> {
    let project = load(request)?;
    plan_on(&project, request, fix, options)
}

/// Plan `fix` on an already loaded `project`, without a base branch (as
/// outside a git repository): the fixes' planners on any project, for
/// tools and tests that build the project themselves. `cwd` is where
/// relative paths in the plan's messages start.
pub fn plan_loaded(project: &Project, fix: &Fix, cwd: &std::path::Path) -> Result<Plan, FixError> {
    match fix {
        Fix::DuplicateIds(fix_options) => duplicates::plan(project, fix_options, None, cwd),
        Fix::Headers => headers::plan(project),
        Fix::Merge(fix_options) => merge::plan(project, fix_options),
        Fix::Rebase(fix_options) => rebase::plan(project, fix_options, None),
    }
}

fn plan_on(
    project: &Project,
    request: &LoadRequest,
    fix: &Fix,
    options: &FixOptions,
) -> Result<Plan, FixError> {
    match fix {
        Fix::DuplicateIds(fix_options) => {
            let (base, note) = base::base_branch(request, options.base.as_deref())?;
            let mut plan = duplicates::plan(project, fix_options, base.as_ref(), &request.cwd)?;
            plan.notes.extend(note);
            Ok(plan)
        }
        Fix::Headers => headers::plan(project),
        Fix::Merge(fix_options) => merge::plan(project, fix_options),
        Fix::Rebase(fix_options) => {
            let (base, note) = base::base_branch(request, options.base.as_deref())?;
            let mut plan = rebase::plan(project, fix_options, base.as_ref())?;
            plan.notes.extend(note);
            Ok(plan)
        }
    }
}

/// Plan `fix`, and unless `options.dry_run`, write it, verify it and keep
/// it, or undo it.
pub fn run(request: &LoadRequest, fix: &Fix, options: &FixOptions) -> Result<Outcome, FixError> {
    run_with_hook(request, fix, options, &mut |_, _| Ok(()))
}

/// [`run`], with a hook called before every write step (for tests that
/// inject failures).
pub fn run_with_hook(
    request: &LoadRequest,
    fix: &Fix,
    options: &FixOptions,
    hook: &mut StepHook<'_>,
) -> Result<Outcome, FixError> {
    let project = load(request)?;
    let plan = plan_on(&project, request, fix, options)?;
    let diff = diff::unified_diff(&plan);
    if options.dry_run || plan.is_empty() {
        return Ok(Outcome {
            plan,
            diff,
            applied: false,
        });
    }
    if !options.allow_dirty {
        refuse_dirty(request, &plan)?;
    }
    let before = verify::keys_before(&project, &alembic_doctor_rules::check(&project), &plan);
    drop(project);
    let journal = match write_plan_with(&plan, hook) {
        Ok(journal) => journal,
        Err(failure) => {
            return Err(FixError::Write {
                path: failure.path,
                error: failure.error,
                restore: failed_restore(&plan, failure.journal.rollback_with(hook)),
            });
        }
    };
    let verdict = match load(request) {
        Ok(after) => verify::verify(&plan, &before, &after),
        Err(error) => verify::Verdict {
            reasons: vec![error.to_string()],
            revealed: Vec::new(),
        },
    };
    let reasons = distinct(verdict.reasons);
    if !reasons.is_empty() {
        return Err(FixError::Verification {
            reasons,
            restore: failed_restore(&plan, journal.rollback_with(hook)),
        });
    }
    let mut plan = plan;
    plan.notes.extend(verdict.revealed);
    plan.notes.extend(journal.finish());
    Ok(Outcome {
        plan,
        diff,
        applied: true,
    })
}

/// The failure of an undo, told with what the fix was doing: the state
/// lines name files, and the person who finishes by hand also needs the
/// ids each file had and was given.
fn failed_restore(
    plan: &Plan,
    rollback: Result<(), RestoreFailure>,
) -> Option<Box<RestoreFailure>> {
    let mut failure = rollback.err()?;
    failure.fixes = plan.fixes.iter().map(|f| f.description.clone()).collect();
    Some(Box::new(failure))
}

/// In a git work tree, refuse to rewrite a file that has uncommitted
/// changes: the fix would be mixed into them.
fn refuse_dirty(request: &LoadRequest, plan: &Plan) -> Result<(), FixError> {
    let Ok(repo) = GitRepo::discover(&request.cwd) else {
        return Ok(());
    };
    if repo.workdir().is_none() {
        return Ok(());
    }
    let paths: Vec<PathBuf> = plan
        .changes
        .iter()
        .map(|c| c.path.clone())
        .chain(plan.removed.iter().map(|r| r.path.clone()))
        .collect();
    if paths.is_empty() {
        return Ok(());
    }
    let dirty = repo.uncommitted_changes(&paths)?;
    if dirty.is_empty() {
        return Ok(());
    }
    let files = plan
        .changes
        .iter()
        .map(|c| (&c.path, &c.display))
        .chain(plan.removed.iter().map(|r| (&r.path, &r.display)))
        .filter(|(path, _)| dirty.contains(path))
        .map(|(_, display)| display.clone())
        .collect();
    Err(FixError::Dirty { files })
}

/// The safe fixes, applied one after the other: what the status report
/// lists under "Issues found and fixed".
#[derive(Debug, Default)]
pub struct SafeFixes {
    /// What was changed, with old and new ids.
    pub applied: Vec<AppliedFix>,
    /// Fixes that were not made, and why (an ambiguous duplicate, dirty
    /// files, a verification that failed and was undone).
    pub skipped: Vec<String>,
}

/// Apply the fixes that need no decision from a person: fresh ids for
/// duplicates where every question is settled (the base branch says which
/// copy and which children stay), then stale header lines. Each is
/// verified and undone on its own if it does not check out.
pub fn apply_safe_fixes(
    request: &LoadRequest,
    options: &FixOptions,
) -> Result<SafeFixes, FixError> {
    let mut out = SafeFixes::default();
    let fixes = [
        Fix::DuplicateIds(duplicates::Options {
            no_guess: true,
            ..duplicates::Options::default()
        }),
        Fix::Headers,
    ];
    for fix in &fixes {
        match run(request, fix, options) {
            Ok(outcome) if outcome.applied || options.dry_run => {
                out.applied.extend(outcome.plan.fixes);
            }
            Ok(_) => {}
            Err(
                error @ (FixError::Refused { .. }
                | FixError::Dirty { .. }
                | FixError::Verification { .. }),
            ) => {
                let reason = error.to_string();
                if !out.skipped.contains(&reason) {
                    out.skipped.push(reason);
                }
            }
            Err(error) => return Err(error),
        }
    }
    Ok(out)
}
