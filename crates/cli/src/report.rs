//! `alembic-doctor report`: the Migration Status Report for a pull request,
//! from the same comparison as `compare`.

use alembic_doctor_report::{FixedIssue, Fixes, StatusInput};
use alembic_doctor_rules::Scope;
use anyhow::Context;

use crate::args::{FailOn, ProjectArgs, ReportArgs, ReportFormat};
use crate::{ExitStatus, check, compare, output};

pub(crate) fn run(project_args: &ProjectArgs, args: &ReportArgs) -> anyhow::Result<ExitStatus> {
    let fixes = if args.fix {
        Some(fix_first(project_args, args)?)
    } else {
        None
    };
    let (repo, comparison, fail_on, lint, start) = compare::load(
        "report",
        project_args,
        args.base.as_deref(),
        &args.heads,
        args.from.as_deref(),
        &args.database,
        &args.state,
        true,
    )?;
    let fail_on = args.fail_on.or(fail_on).unwrap_or(FailOn::Error);
    let checklist = alembic_doctor_compare::checklist(&comparison);
    // Each side checked on its own, for its status line: BASE's chain, and
    // each HEAD's chain with the safety lints' findings on the revisions it
    // added or edited (the lints run on the merged chain only).
    let side_findings: Vec<_> = std::iter::once(comparison.base_findings.clone())
        .chain(
            comparison
                .heads
                .iter()
                .zip(&comparison.differences)
                .map(|(side, diff)| {
                    let mut findings = alembic_doctor_rules::check(&side.project);
                    // By file, not by id: with a duplicated id, BASE's
                    // copy is not the HEAD's.
                    let touched: std::collections::HashSet<&str> = diff
                        .new
                        .iter()
                        .chain(&diff.edited)
                        .map(|change| change.path.as_str())
                        .collect();
                    findings.extend(
                        comparison
                            .merged
                            .findings
                            .iter()
                            .filter(|f| !matches!(f.rule.scope(), Scope::Chain | Scope::Comparison))
                            .filter(|f| {
                                comparison
                                    .finding_path(f)
                                    .is_some_and(|path| touched.contains(path))
                            })
                            .cloned(),
                    );
                    findings
                }),
        )
        .collect();
    let today = today();
    let offline_sql = comparison
        .merged
        .project
        .config
        .script_location
        .as_deref()
        .and_then(|dir| alembic_doctor_source::read_regular(&dir.join("env.py")).ok())
        .is_some_and(|env| String::from_utf8_lossy(&env).contains("is_offline_mode"));
    let input = StatusInput {
        comparison: &comparison,
        start: &start,
        checklist: &checklist,
        side_findings: &side_findings,
        fixes: fixes.as_ref(),
        lint: Some(&lint),
        generated_on: Some(&today),
        offline_sql,
        alembic: &project_args
            .command_options_for(&comparison.merged.project.config)
            .alembic_program(),
    };
    let report = alembic_doctor_report::status_report(&input);
    // Commands in the report find the project the way this run did.
    let options = project_args.command_options_for(&comparison.merged.project.config);
    match args.format {
        ReportFormat::Markdown => {
            output::plain_stdout(&options.apply_markdown(&report.markdown()))?;
        }
        ReportFormat::Text => output::plain_stdout(&options.apply_markdown(&report.text()))?,
        ReportFormat::Json => {
            let json = alembic_doctor_report::status_json(&input, &report);
            output::raw_stdout(&format!("{}\n", serde_json::to_string_pretty(&json)?))?;
        }
        ReportFormat::Github => output::plain_stdout(&compare::github(&repo, &comparison))?,
        ReportFormat::Sarif => output::raw_stdout(&compare::sarif(&repo, &comparison)?)?,
    }
    // What the merge inherits from BASE does not count against the HEADs.
    Ok(check::status_for(&comparison.new_findings(), fail_on))
}

/// `--fix`: repair the working tree before it is compared. Fixes change
/// files on disk, so HEAD must be the working tree.
fn fix_first(project_args: &ProjectArgs, args: &ReportArgs) -> anyhow::Result<Fixes> {
    if !args.heads.is_empty() {
        anyhow::bail!(
            "--fix repairs the working tree, so it cannot be combined with HEAD revisions ({}); check out the branch and run `alembic-doctor report --fix` there",
            args.heads.join(", ")
        );
    }
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    if let Ok(repo) = alembic_doctor_git::GitRepo::discover(&cwd)
        && repo.is_bare()
    {
        anyhow::bail!(
            "--fix repairs the working tree, and {} is a bare repository: it has none; run `alembic-doctor report --fix` in a checkout",
            repo.root().display()
        );
    }
    let request = alembic_doctor_project::LoadRequest {
        config_files: project_args.config.clone(),
        section: project_args.name.clone(),
        env_config: std::env::var_os("ALEMBIC_CONFIG"),
        versions: project_args.versions.clone(),
        recursive: project_args.recursive,
        display_root: None,
        operations: true,
        keep_bytes: true,
        cwd: cwd.clone(),
    };
    let options = alembic_doctor_fix::FixOptions {
        dry_run: false,
        allow_dirty: args.allow_dirty,
        base: args.base.clone(),
    };
    let done = alembic_doctor_fix::apply_safe_fixes(&request, &options)?;
    let canonical = std::fs::canonicalize(&cwd).unwrap_or_else(|_| cwd.clone());
    let root = alembic_doctor_git::GitRepo::discover(&canonical)
        .map_or(canonical, |repo| repo.root().to_path_buf());
    Ok(Fixes {
        applied: done
            .applied
            .into_iter()
            .map(|fix| FixedIssue {
                kind: fix.kind.as_str().to_owned(),
                // From the repository's root, as every path of the report.
                file: {
                    let file = std::fs::canonicalize(&fix.file).unwrap_or(fix.file.clone());
                    file.strip_prefix(&root)
                        .or_else(|_| fix.file.strip_prefix(&cwd))
                        .unwrap_or(&fix.file)
                        .to_string_lossy()
                        .into_owned()
                },
                old: fix.old_id,
                new: fix.new_id,
                description: fix.description,
            })
            .collect(),
        skipped: done.skipped,
    })
}

/// Today's date (UTC), or the day of `$SOURCE_DATE_EPOCH` when set, so
/// that a report can be reproduced.
fn today() -> String {
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|value| value.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
        });
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    format!("{year:04}-{month:02}-{day:02}")
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(20_421), (2025, 11, 29));
        assert_eq!(super::civil_from_days(11_017), (2000, 3, 1));
    }
}
