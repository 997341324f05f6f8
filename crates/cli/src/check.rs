//! `alembic-doctor check`: every rule, as code frames or as JSON.

use alembic_doctor_report::CheckBaseJson;
use alembic_doctor_rules::{Finding, Severity};
use anyhow::Context;

use crate::args::{CheckArgs, FailOn, Format, ProjectArgs};
use crate::{ExitStatus, base, load, output};

pub(crate) fn run(project_args: &ProjectArgs, args: &CheckArgs) -> anyhow::Result<ExitStatus> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    // Canonical inside a repository, as `compare` has it: the merge with
    // the base branch matches files on disk and in git trees by path.
    let in_repository = alembic_doctor_git::GitRepo::discover(&cwd).is_ok();
    let cwd = if in_repository {
        std::fs::canonicalize(&cwd).unwrap_or(cwd)
    } else {
        cwd
    };
    let mut request = load::request(project_args, cwd.clone());
    // The lints read each file's operations: from the same parse as its
    // script, and kept in the parse cache.
    let lints = !args.lint.database.no_lint;
    request.operations = lints;
    // Without a base branch no file's bytes are compared: they are needed
    // only for a code frame, and read again for it.
    request.keep_bytes = !args.lint.no_base;
    let mut project = load::owned(project_args, &request)?;
    // The base branch and what changed come from the repository that holds
    // the version files, which need not be the current directory's.
    let (lookup, note) = base::lookup_for_versions(&args.lint, &cwd, &project);
    if let Some(note) = note {
        eprintln!("note: {}", alembic_doctor_pystr::escape_for_terminal(&note));
    }
    if !in_repository
        && !matches!(lookup, base::Lookup::NotInRepository { .. })
        && let Ok(canonical) = std::fs::canonicalize(&cwd)
        && canonical != cwd
    {
        // Loaded again from the canonical directory (its warnings were
        // printed already).
        request = load::request(project_args, canonical);
        request.operations = lints;
        request.keep_bytes = !args.lint.no_base;
        let cache = alembic_doctor_project::ParseCache::from_env(project_args.no_cache);
        project = alembic_doctor_project::load_with_cache(&request, cache.as_ref())?;
    }
    let timer = alembic_doctor_project::StageTimer::from_env();
    let mut status = crate::lint::start_status(&project, &args.lint, &lookup);
    let options = project_args.command_options_for(&project.config);
    let (project, mut base) = base::compare(
        &lookup,
        args.lint.no_base,
        project,
        &request,
        (project_args.no_cache, options),
        &mut status,
    )?;
    // The chain's rules and the lints are independent: the rules run on a
    // thread of their own while this one asks git which revisions changed
    // since the base branch (`git status`, started above, has run while
    // the base branch was compared with), then replays the history for the
    // lints (which must not run on the pool).
    let (mut findings, lint) = std::thread::scope(|threads| {
        let chain = threads.spawn(|| alembic_doctor_rules::check(project));
        let lint = crate::lint::scope(project, &args.lint, &lookup, status)
            .and_then(|scope| crate::lint::run(project, &args.lint, scope));
        let findings = chain
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (findings, lint)
    });
    let lint = lint?;
    timer.lap("compare with the base, chain rules and lints");
    if let Some(comparison) = base.comparison {
        alembic_doctor_compare::drop_rebases_of_base_revisions(
            &mut findings,
            &comparison.base.all_ids(),
        );
    }
    base.keep_branch_findings(&findings);
    let hidden = match &lint.changed_files {
        Some(changed) => {
            let (shown, hidden) =
                alembic_doctor_rules::hide_unchanged_chain_warnings(findings, |file| {
                    changed.contains(&file)
                });
            findings = shown;
            hidden
        }
        None => 0,
    };
    let hidden_line = alembic_doctor_rules::hidden_warnings_line(hidden);
    // One order for both kinds: by file, then position. The chain's few
    // findings are merged into the lints' many, which come sorted.
    let mut findings = alembic_doctor_rules::merge_findings(lint.findings, findings);
    // Commands in the help find the project the way this run did.
    let options = project_args.command_options_for(&project.config);
    if !options.is_empty() {
        for finding in &mut findings {
            if let Some(help) = &mut finding.help
                && let std::borrow::Cow::Owned(applied) = options.applied(help)
            {
                *help = applied.into();
            }
        }
    }
    timer.lap("merge the findings");
    let fail_on = args.fail_on.or(lint.fail_on).unwrap_or(FailOn::Error);
    // The merge's findings point into the merged project, not the working
    // tree's: each output renders them with it.
    let merged = base.comparison.map(|comparison| &comparison.merged.project);
    for note in &base.notes {
        eprintln!("note: {}", alembic_doctor_pystr::escape_for_terminal(note));
    }
    match args.format {
        Format::Json => {
            let extra = CheckBaseJson {
                base: base.json(),
                findings: merged.map(|merged| (merged, base.findings.as_slice())),
                hidden_warnings: hidden,
            };
            let json = alembic_doctor_report::check_json(project, &findings, lint.json, extra);
            output::stdout_with(|out| json.write_pretty(out))?;
        }
        Format::Text => {
            output::findings_to_stdout(project, &findings)?;
            if let Some(merged) = merged
                && !base.findings.is_empty()
            {
                output::findings_to_stdout(merged, &base.findings)?;
                output::plain_stdout(&base.plan_text())?;
            }
            output::plain_stdout(&alembic_doctor_report::check_summary(
                project,
                findings.iter().chain(&base.findings),
            ))?;
            if let Some(line) = &hidden_line {
                output::plain_stdout(&format!("{line}.\n"))?;
            }
            output::plain_stdout(&lint.summary)?;
            output::plain_stdout(&base.summary)?;
            // An existing version directory with nothing in it is a new
            // project, not an error; but a pass over nothing says so.
            if project.files.is_empty() && project.notes.is_empty() {
                for location in &project.version_locations {
                    output::plain_stdout(&format!(
                        "note: {} holds no migration files yet (a new project?)\n",
                        location.display()
                    ))?;
                }
            }
        }
        Format::Github => {
            // Paths relative to the current directory: where the workflow
            // step runs, normally the repository root.
            let cwd = std::env::current_dir()?;
            let mut annotations =
                alembic_doctor_report::github_annotations(&findings, project, &cwd);
            if let Some(merged) = merged {
                let findings = alembic_doctor_report::findings_with_plan(
                    base.comparison
                        .expect("a comparison with its merged project"),
                    &base.findings,
                    "the plan in the `alembic-doctor plan` notice",
                );
                annotations.push_str(&alembic_doctor_report::github_annotations(
                    &findings, merged, &cwd,
                ));
                let plan = base.plan_text();
                if !plan.is_empty() {
                    annotations.push_str(&alembic_doctor_report::github_command(
                        "notice",
                        &[("title", "alembic-doctor plan".to_owned())],
                        plan.trim_end(),
                    ));
                }
            }
            if let Some(line) = &hidden_line {
                annotations.push_str(&alembic_doctor_report::github_command(
                    "notice",
                    &[("title", "alembic-doctor unchanged revisions".to_owned())],
                    line,
                ));
            }
            for note in &base.notes {
                annotations.push_str(&alembic_doctor_report::github_command(
                    "notice",
                    &[("title", "alembic-doctor base branch".to_owned())],
                    note,
                ));
            }
            output::plain_stdout(&annotations)?;
        }
        Format::Sarif => {
            // Code scanning wants paths from the repository root.
            let cwd = std::env::current_dir()?;
            let repo = alembic_doctor_git::GitRepo::discover(&cwd).ok();
            let root = repo.as_ref().map_or(cwd, |repo| repo.root().to_path_buf());
            let on_disk = !repo
                .as_ref()
                .is_some_and(alembic_doctor_git::GitRepo::is_bare);
            let mut log = alembic_doctor_report::sarif_log(&findings, project, &root, on_disk);
            // Said beside the results, as the other formats say it.
            if let Some(line) = &hidden_line {
                log["runs"][0]["properties"] = serde_json::json!({
                    "hiddenWarnings": hidden,
                    "hiddenWarningsNote": line,
                });
            }
            output::raw_stdout(&format!("{}\n", serde_json::to_string_pretty(&log)?))?;
        }
    }
    timer.lap("write the findings");
    let status = status_for(findings.iter().chain(&base.findings), fail_on);
    // The process exits next, which frees them at once; freeing every
    // finding's strings one by one first is wasted time on a long history
    // (the project is kept to the end the same way).
    std::mem::forget(findings);
    Ok(status)
}

/// Failure when a finding reaches the `--fail-on` threshold.
pub(crate) fn status_for<'a>(
    findings: impl IntoIterator<Item = &'a Finding>,
    fail_on: FailOn,
) -> ExitStatus {
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| findings.into_iter().any(|f| f.severity >= t));
    if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}
