//! `alembic-doctor check`: every rule, as code frames or as JSON.

use alembic_doctor_rules::Severity;

use crate::args::{CheckArgs, FailOn, Format, ProjectArgs};
use crate::{ExitStatus, load, output};

pub(crate) fn run(project_args: &ProjectArgs, args: &CheckArgs) -> anyhow::Result<ExitStatus> {
    let project = load::project(project_args)?;
    let findings = alembic_doctor_rules::check(&project);
    match args.format {
        Format::Json => {
            let json = alembic_doctor_report::check_json(&project, &findings);
            output::plain_stdout(&format!("{}\n", serde_json::to_string_pretty(&json)?))?;
        }
        Format::Text => {
            output::findings_to_stdout(&project, &findings)?;
            output::plain_stdout(&alembic_doctor_report::check_summary(&project, &findings))?;
        }
    }
    Ok(status_for(&findings, args.fail_on))
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
