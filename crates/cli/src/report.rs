//! `alembic-doctor report`: the Migration Status Report for a pull request,
//! from the same comparison as `compare`.

use alembic_doctor_report::StatusInput;

use crate::args::{FailOn, ProjectArgs, ReportArgs, ReportFormat};
use crate::{ExitStatus, check, compare, output};

pub(crate) fn run(project_args: &ProjectArgs, args: &ReportArgs) -> anyhow::Result<ExitStatus> {
    let from = args.from.as_deref();
    let (repo, comparison, fail_on) = compare::load(
        project_args,
        args.base.as_deref(),
        &args.heads,
        from,
        &args.database,
    )?;
    let fail_on = args.fail_on.or(fail_on).unwrap_or(FailOn::Error);
    let checklist = alembic_doctor_compare::checklist(&comparison);
    // Each side checked on its own, for its status line.
    let side_findings: Vec<_> = std::iter::once(&comparison.base)
        .chain(&comparison.heads)
        .map(|side| alembic_doctor_rules::check(&side.project))
        .collect();
    let input = StatusInput {
        comparison: &comparison,
        from,
        checklist: &checklist,
        side_findings: &side_findings,
    };
    let report = alembic_doctor_report::status_report(&input);
    match args.format {
        ReportFormat::Markdown => output::plain_stdout(&report.markdown())?,
        ReportFormat::Text => output::plain_stdout(&report.text())?,
        ReportFormat::Json => {
            let json = alembic_doctor_report::status_json(&input, &report);
            output::plain_stdout(&format!("{}\n", serde_json::to_string_pretty(&json)?))?;
        }
        ReportFormat::Github => output::plain_stdout(&compare::github(&repo, &comparison))?,
    }
    Ok(check::status_for(&comparison.merged.findings, fail_on))
}
