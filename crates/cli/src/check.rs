//! `alembic-doctor check`: every rule, as code frames or as JSON.

use alembic_doctor_rules::Severity;

use crate::args::{CheckArgs, FailOn, Format, ProjectArgs};
use crate::{ExitStatus, load, output};

pub(crate) fn run(project_args: &ProjectArgs, args: &CheckArgs) -> anyhow::Result<ExitStatus> {
    let project = load::project(project_args)?;
    let mut findings = alembic_doctor_rules::check(project);
    let lint = crate::lint::run(project, &args.lint)?;
    findings.extend(lint.findings);
    // One order for both kinds: by file, then position.
    alembic_doctor_rules::sort_findings(&mut findings);
    // Commands in the help find the project the way this run did.
    let options = project_args.command_options();
    for finding in &mut findings {
        if let Some(help) = &mut finding.help {
            *help = options.apply(help);
        }
    }
    let fail_on = args.fail_on.or(lint.fail_on).unwrap_or(FailOn::Error);
    match args.format {
        Format::Json => {
            let json = alembic_doctor_report::check_json(project, &findings, lint.json);
            output::json_stdout(&json)?;
        }
        Format::Text => {
            output::findings_to_stdout(project, &findings)?;
            output::plain_stdout(&alembic_doctor_report::check_summary(project, &findings))?;
            output::plain_stdout(&lint.summary)?;
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
            let annotations = alembic_doctor_report::github_annotations(&findings, project, &cwd);
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
            let log = alembic_doctor_report::sarif_log(&findings, project, &root, on_disk);
            output::raw_stdout(&format!("{}\n", serde_json::to_string_pretty(&log)?))?;
        }
    }
    Ok(status_for(&findings, fail_on))
}

/// Failure when a finding reaches the `--fail-on` threshold.
pub(crate) fn status_for(
    findings: &[alembic_doctor_rules::Finding],
    fail_on: FailOn,
) -> ExitStatus {
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| findings.iter().any(|f| f.severity >= t));
    if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}
