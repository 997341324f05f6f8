//! The safety lints as `check` runs them: which revisions to lint (new or
//! changed since the base branch, or all), the database dialect and the
//! user's `[tool.alembic-doctor]` settings.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use alembic_doctor_git::{GitError, PendingChanges};
use alembic_doctor_project::Project;
use alembic_doctor_report::LintInfo;
use alembic_doctor_rules::{
    DEFAULT_POSTGRES_VERSION, Dialect, Environment, FailOnSetting, Finding, LintScope,
    LintSettings, ToolConfig,
};
use anyhow::Context;
use clap::Args;
use rustc_hash::FxHashSet;

use crate::args::FailOn;

/// Options of the safety lints in `check`.
#[derive(Debug, Args)]
pub(crate) struct LintArgs {
    /// Lint every revision, not only those new or changed since the base
    /// branch (outside a git repository every revision is linted).
    #[arg(long)]
    pub(crate) all: bool,
    /// The branch whose revisions are history, not linted, and whose
    /// simulated merge into the working tree is checked too. Default:
    /// origin/HEAD, else main, else master.
    #[arg(long, value_name = "REV")]
    pub(crate) base: Option<String>,
    /// Do not compare with the base branch (the safety lints still skip
    /// its revisions; --all lints them too).
    #[arg(long)]
    pub(crate) no_base: bool,
    #[command(flatten)]
    pub(crate) database: DatabaseArgs,
}

/// What the safety lints need to know about the database (also in
/// `compare` and `report`, which lint the HEADs' new revisions).
#[derive(Debug, Args)]
pub(crate) struct DatabaseArgs {
    /// The database: postgresql, mysql, sqlite or other. Default: `dialect`
    /// in [tool.alembic-doctor], else the scheme of sqlalchemy.url, else
    /// postgresql.
    #[arg(long, value_name = "DIALECT")]
    pub(crate) dialect: Option<String>,
    /// PostgreSQL's major version (some rules only apply before 11 or 12).
    /// Default: `postgres-version` in [tool.alembic-doctor], else 14.
    #[arg(long, value_name = "N")]
    pub(crate) postgres_version: Option<u32>,
    /// Only check the chain's health; skip what migrations do.
    #[arg(long)]
    pub(crate) no_lint: bool,
}

/// The lints' findings and how they were chosen.
pub(crate) struct LintRun {
    pub(crate) findings: Vec<Finding>,
    /// The project's files (by index) new or changed since the base
    /// branch; `None` when every revision is in scope.
    pub(crate) changed_files: Option<BTreeSet<usize>>,
    /// `fail-on` from `[tool.alembic-doctor]`.
    pub(crate) fail_on: Option<FailOn>,
    /// One line for people: dialect and scope.
    pub(crate) summary: String,
    /// The same for JSON.
    pub(crate) json: serde_json::Value,
}

/// Which revisions the lints check, and why ([`scope`]).
pub(crate) struct Scope {
    revisions: LintScope,
    /// For people: "every revision (--all)", "3 revisions new or changed
    /// since main".
    text: String,
    /// The project's files (by index) new or changed since the base
    /// branch; `None` when every revision is in scope.
    changed_files: Option<BTreeSet<usize>>,
    /// How many revisions (distinct ids) are linted; `None` for all.
    linted: Option<usize>,
}

/// Run the lints over `project` as `args` say, on the revisions of
/// `scope`.
pub(crate) fn run(project: &Project, args: &LintArgs, scope: Scope) -> anyhow::Result<LintRun> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let tool = tool_config(project, &cwd)?;
    let settings = settings(project, &args.database, &tool)?;
    let no_lint = args.database.no_lint;
    // Worked out even with `--no-lint`: the chain's warnings on unchanged
    // files are held back in the same scope.
    let Scope {
        revisions: scope,
        text: mut scope_text,
        changed_files,
        linted,
    } = scope;
    let (scope, linted) = if no_lint {
        "none (--no-lint)".clone_into(&mut scope_text);
        (LintScope::Revisions(BTreeSet::new()), Some(0))
    } else {
        (scope, linted)
    };
    let (environment, env_py) = environment(project);
    let findings = if no_lint {
        Vec::new()
    } else {
        alembic_doctor_rules::lint(project, &settings, &scope, &environment)
    };
    let summary = if no_lint {
        "safety lints: skipped (--no-lint)\n".to_owned()
    } else {
        let env_py = env_py.as_deref().map_or_else(
            || "no env.py found".to_owned(),
            |path| format!("settings read from {}", shown_path(path, &cwd)),
        );
        format!(
            "safety lints: {} ({}), {scope_text}; {env_py}\n",
            settings.dialect, settings.dialect_origin
        )
    };
    let json = serde_json::json!({
        "enabled": !no_lint,
        "dialect": settings.dialect.to_string(),
        "dialect_origin": settings.dialect_origin,
        "postgres_version": settings.postgres_version,
        "scope": scope_text,
        "linted_revisions": linted,
        "env_py": env_py,
    });
    Ok(LintRun {
        findings,
        changed_files,
        fail_on: fail_on(&tool),
        summary,
        json,
    })
}

/// `[tool.alembic-doctor]` of the project's `pyproject.toml`: the one
/// Alembic read, else the one beside `alembic.ini`, else in the current
/// directory.
pub(crate) fn tool_config(project: &Project, cwd: &Path) -> anyhow::Result<ToolConfig> {
    let config = &project.config;
    let candidates: Vec<PathBuf> = config
        .toml_file
        .iter()
        .cloned()
        .chain(
            config
                .ini_file
                .as_deref()
                .and_then(Path::parent)
                .map(|dir| dir.join("pyproject.toml")),
        )
        .chain(std::iter::once(cwd.join("pyproject.toml")))
        .collect();
    let Some(path) = candidates.iter().find(|path| path.is_file()) else {
        return Ok(ToolConfig::default());
    };
    let text = alembic_doctor_source::read_regular(path)
        .and_then(|bytes| String::from_utf8(bytes).map_err(std::io::Error::other))
        .with_context(|| format!("cannot read {}", path.display()))?;
    ToolConfig::from_pyproject(&text)
        .map_err(|message| anyhow::anyhow!("{}: {message}", path.display()))
}

/// The lints' findings on the merged result of a comparison, for its new
/// and edited revisions; nothing with `--no-lint`.
pub(crate) fn comparison(
    comparison: &alembic_doctor_compare::Comparison,
    args: &DatabaseArgs,
) -> anyhow::Result<(Vec<Finding>, Option<FailOn>, LintInfo)> {
    let project = &comparison.merged.project;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let tool = tool_config(project, &cwd)?;
    let settings = settings(project, args, &tool)?;
    let ids = comparison.lint_scope();
    let info = LintInfo {
        enabled: !args.no_lint,
        dialect: settings.dialect.to_string(),
        dialect_origin: settings.dialect_origin.clone(),
        assumed: settings.dialect_origin.starts_with("assumed"),
        config_read: project.config.ini_file.is_some() || project.config.toml_file.is_some(),
        postgres_version: settings.postgres_version,
        scope: if args.no_lint {
            "none (--no-lint)".to_owned()
        } else {
            match comparison.pending_notes.len() {
                0 => format!(
                    "{} revision{} new or edited on the HEADs",
                    ids.len(),
                    if ids.len() == 1 { "" } else { "s" }
                ),
                pending => format!(
                    "{} revision{} new or edited on the HEADs or not yet applied at --from ({pending} already on the base)",
                    ids.len(),
                    if ids.len() == 1 { "" } else { "s" }
                ),
            }
        },
        linted_revisions: Some(if args.no_lint { 0 } else { ids.len() }),
    };
    if args.no_lint {
        return Ok((Vec::new(), fail_on(&tool), info));
    }
    let scope = LintScope::Revisions(ids);
    let findings = alembic_doctor_rules::lint(project, &settings, &scope, &environment(project).0);
    Ok((findings, fail_on(&tool), info))
}

/// `fail-on` of `[tool.alembic-doctor]`.
pub(crate) fn fail_on(tool: &ToolConfig) -> Option<FailOn> {
    tool.fail_on.map(|setting| match setting {
        FailOnSetting::Never => FailOn::Never,
        FailOnSetting::Severity(alembic_doctor_rules::Severity::Warning) => FailOn::Warning,
        FailOnSetting::Severity(alembic_doctor_rules::Severity::Error) => FailOn::Error,
    })
}

fn settings(
    project: &Project,
    args: &DatabaseArgs,
    tool: &ToolConfig,
) -> anyhow::Result<LintSettings> {
    let from_url = project
        .config
        .options
        .get_main("sqlalchemy.url")
        .ok()
        .flatten()
        .and_then(|url| Dialect::from_url(&url));
    let (dialect, dialect_origin) = if let Some(name) = &args.dialect {
        (
            Dialect::from_name(name).map_err(anyhow::Error::msg)?,
            "--dialect".to_owned(),
        )
    } else if let Some(dialect) = tool.dialect {
        (dialect, "[tool.alembic-doctor] dialect".to_owned())
    } else if let Some(dialect) = from_url {
        (dialect, "sqlalchemy.url".to_owned())
    } else {
        (
            Dialect::Postgres,
            "assumed: set `dialect` in [tool.alembic-doctor] or pass --dialect".to_owned(),
        )
    };
    Ok(LintSettings {
        dialect,
        dialect_origin,
        postgres_version: args
            .postgres_version
            .or(tool.postgres_version)
            .unwrap_or(DEFAULT_POSTGRES_VERSION),
        select: tool.select.clone(),
        ignore: tool.ignore.clone(),
    })
}

/// `git status`, run once for `check` (a process of its own, which takes a
/// few milliseconds). The comparison with the base branch asks whether the
/// working tree's project (its version files, configuration and `env.py`)
/// has uncommitted changes, the lints' scope which version files have:
/// when both ask, one `git status` over the comparison's paths answers
/// both (each looks at every version file). Without a comparison it is
/// started before the chain's rules and waited for after the trees are
/// compared, which it overlaps. Not started when neither will ask.
pub(crate) struct StartedStatus {
    state: StatusState,
    /// It covers the comparison's paths, not only the version locations.
    for_comparison: bool,
}

/// Where that `git status` is: waited for once, its answer kept for
/// whichever asks next.
enum StatusState {
    NotStarted,
    Running(Result<PendingChanges, GitError>),
    Answered(Result<Vec<PathBuf>, GitError>),
}

impl StartedStatus {
    /// What `git status` reported, waited for the first time; `None` when
    /// it was not started.
    fn answer(&mut self) -> Option<&Result<Vec<PathBuf>, GitError>> {
        let state = std::mem::replace(&mut self.state, StatusState::NotStarted);
        self.state = match state {
            StatusState::Running(started) => {
                StatusState::Answered(started.and_then(PendingChanges::wait))
            }
            other => other,
        };
        match &self.state {
            StatusState::Answered(answer) => Some(answer),
            StatusState::NotStarted | StatusState::Running(_) => None,
        }
    }

    /// The lints' answer, which the caller waits for when it needs it: a
    /// status shared with the comparison that failed (on one of the
    /// configuration files it also covers) is started again on the
    /// version files alone, as the lints would have asked.
    fn for_scope(
        mut self,
        repo: &alembic_doctor_git::GitRepo,
        version_locations: impl FnOnce() -> Vec<PathBuf>,
    ) -> Result<ScopeStatus, GitError> {
        if self.for_comparison && matches!(self.answer(), Some(Err(_))) {
            self.state = StatusState::NotStarted;
        }
        match self.state {
            StatusState::NotStarted => Ok(ScopeStatus::Running(
                repo.start_uncommitted_changes(&version_locations())?,
            )),
            StatusState::Running(started) => Ok(ScopeStatus::Running(started?)),
            StatusState::Answered(answer) => Ok(ScopeStatus::Answered(answer?)),
        }
    }

    /// The comparison's answer: the paths with uncommitted changes under
    /// [`alembic_doctor_compare::work_tree_paths`], when this status
    /// covers them.
    pub(crate) fn for_comparison(&mut self) -> Option<Result<&[PathBuf], &GitError>> {
        if !self.for_comparison {
            return None;
        }
        self.answer().map(Result::as_deref)
    }
}

/// The lints' `git status`: running, or answered for the comparison.
enum ScopeStatus {
    Running(PendingChanges),
    Answered(Vec<PathBuf>),
}

impl ScopeStatus {
    /// The version files with uncommitted changes: absolute paths,
    /// sorted.
    fn wait(self) -> Result<Vec<PathBuf>, GitError> {
        match self {
            ScopeStatus::Running(started) => started.wait(),
            ScopeStatus::Answered(changed) => Ok(changed),
        }
    }
}

/// Start `git status` for what will ask it: the comparison with the base
/// branch (unless `--no-base`, or it will not run) and the lints' scope
/// (unless `--all`).
pub(crate) fn start_status(
    project: &Project,
    args: &LintArgs,
    base: &crate::base::Lookup,
) -> StartedStatus {
    let not_started = StartedStatus {
        state: StatusState::NotStarted,
        for_comparison: false,
    };
    let crate::base::Lookup::Found { repo, .. } = base else {
        return not_started;
    };
    let for_comparison = crate::base::compares(base, args.no_base);
    let paths = if for_comparison {
        alembic_doctor_compare::work_tree_paths(project)
    } else if !args.all {
        alembic_doctor_compare::real_version_locations(project)
    } else {
        return not_started;
    };
    StartedStatus {
        state: StatusState::Running(repo.start_uncommitted_changes(&paths)),
        for_comparison,
    }
}

/// What to lint: every revision with `--all` or outside git; otherwise the
/// revisions whose files are new or changed since the merge base with the
/// base branch (so adopting the tool on a long history is quiet). The
/// changed files themselves come with it (`None` when everything is in
/// scope). It asks git (`git status`, started by [`start_status`], or here
/// when it was not) and reads no migration, so `check` works it out beside
/// the chain's rules.
pub(crate) fn scope(
    project: &Project,
    args: &LintArgs,
    base: &crate::base::Lookup,
    status: StartedStatus,
) -> anyhow::Result<Scope> {
    let every = |text: String| Scope {
        revisions: LintScope::All,
        text,
        changed_files: None,
        linted: None,
    };
    if args.all {
        return Ok(every("every revision (--all)".to_owned()));
    }
    let (repo, base) = match base {
        crate::base::Lookup::NotInRepository { reason } => {
            return Ok(every(format!("every revision ({reason})")));
        }
        crate::base::Lookup::NoBase { reason, .. } => {
            return Ok(every(format!("every revision ({reason})")));
        }
        crate::base::Lookup::Found { repo, base } => (repo, base),
    };
    // Started early (or now), and waited for once the trees are compared.
    let uncommitted = status.for_scope(repo, || {
        alembic_doctor_compare::real_version_locations(project)
    })?;
    let head = repo.resolve("HEAD")?;
    let Some(ancestor) = repo.merge_base(base, &head)? else {
        return Ok(every(format!(
            "every revision (no common history with {})",
            base.name()
        )));
    };
    // What changed since the merge base, without reading any file: the
    // blob ids of the merge base and HEAD differ, or git reports the file
    // as uncommitted (modified, added, untracked).
    let at_ancestor = repo.tree_at(&ancestor)?;
    let at_head = repo.tree_at(&head)?;
    let paths: Vec<&Path> = project
        .files
        .iter()
        .map(|file| file.path.as_path())
        .collect();
    let (at_ancestor, at_head) = (at_ancestor.stamps(&paths), at_head.stamps(&paths));
    let uncommitted: BTreeSet<PathBuf> = uncommitted.wait()?.into_iter().collect();
    let changed: Vec<bool> = (0..paths.len())
        .map(|index| {
            uncommitted.contains(paths[index])
                || at_head[index].is_none()
                || at_ancestor[index] != at_head[index]
        })
        .collect();
    // A revision is linted when its file changed, and so is any other
    // revision with the same id (as a set of ids would have it), without
    // a set of every id when every file changed.
    let revisions = project.map.revisions();
    let changed_ids: FxHashSet<&str> = revisions
        .iter()
        .zip(&project.revision_files)
        .filter(|&(_, &file)| changed[file])
        .map(|(input, _)| input.id.as_str())
        .collect();
    let flags = revisions
        .iter()
        .map(|input| changed_ids.contains(input.id.as_str()))
        .collect();
    let linted = changed_ids.len();
    let text = format!(
        "{linted} revision{} new or changed since {} (--all lints every revision)",
        if linted == 1 { "" } else { "s" },
        base.name(),
    );
    Ok(Scope {
        revisions: LintScope::Flags(flags),
        text,
        changed_files: Some((0..changed.len()).filter(|&file| changed[file]).collect()),
        linted: Some(linted),
    })
}

/// `env.py`, read for a lock timeout, and where it was found.
fn environment(project: &Project) -> (Environment, Option<PathBuf>) {
    let Some(path) = env_py(project) else {
        return (Environment::default(), None);
    };
    match alembic_doctor_source::read_regular(&path) {
        Ok(bytes) => (Environment::from_env_py(&bytes), Some(path)),
        Err(_) => (Environment::default(), None),
    }
}

/// The `env.py` Alembic would run: in the script location, else (a
/// project given by `--versions DIR`, with no configuration naming the
/// script location) beside the versions directory, where `alembic init`
/// puts it. Without it every revision would look as if no lock timeout
/// were set.
fn env_py(project: &Project) -> Option<PathBuf> {
    let from_config = project
        .config
        .script_location
        .as_deref()
        .map(|dir| dir.join("env.py"));
    let beside_versions = project
        .version_locations
        .iter()
        .filter_map(|dir| dir.parent().map(|parent| parent.join("env.py")));
    from_config
        .into_iter()
        .chain(beside_versions)
        .find(|path| path.is_file())
}

/// How the summary names `env.py`: relative to the current directory when
/// it is below it.
fn shown_path(path: &Path, cwd: &Path) -> String {
    path.strip_prefix(cwd).unwrap_or(path).display().to_string()
}

/// The safety lints' findings on BASE's version of `ids` (the revisions a
/// HEAD edited), with the settings the comparison's lints used: what the
/// edit did not bring.
pub(crate) fn on_base_versions(
    comparison: &alembic_doctor_compare::Comparison,
    args: &DatabaseArgs,
    ids: BTreeSet<String>,
) -> anyhow::Result<Vec<Finding>> {
    if args.no_lint || ids.is_empty() {
        return Ok(Vec::new());
    }
    let merged = &comparison.merged.project;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let settings = settings(merged, args, &tool_config(merged, &cwd)?)?;
    let base = &comparison.base.project;
    Ok(alembic_doctor_rules::lint(
        base,
        &settings,
        &LintScope::Revisions(ids),
        &environment(base).0,
    ))
}
