//! `alembic-doctor compare`: BASE against HEADs in git, and their merge,
//! simulated and checked.

use alembic_doctor_compare::{CompareRequest, SideSpec};
use alembic_doctor_git::GitRepo;
use alembic_doctor_project::LoadRequest;
use alembic_doctor_report::ProjectSources;
use anyhow::Context;

use crate::args::{CompareArgs, Format, ProjectArgs};
use crate::{ExitStatus, check, output};

pub(crate) fn run(project_args: &ProjectArgs, args: &CompareArgs) -> anyhow::Result<ExitStatus> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    // Canonical, so that paths on disk and in git trees (rooted at the
    // repository's canonical root) are the same paths.
    let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    let repo = GitRepo::discover(&cwd)?;
    let base = match &args.base {
        Some(base) => repo.resolve(base)?,
        None => repo.default_base()?,
    };
    let heads = if args.heads.is_empty() {
        vec![SideSpec::WorkTree]
    } else {
        args.heads
            .iter()
            .map(|head| repo.resolve(head).map(SideSpec::Rev))
            .collect::<Result<Vec<_>, _>>()?
    };
    let request = CompareRequest {
        load: LoadRequest {
            config_files: project_args.config.clone(),
            section: project_args.name.clone(),
            env_config: std::env::var_os("ALEMBIC_CONFIG"),
            versions: project_args.versions.clone(),
            recursive: project_args.recursive,
            cwd,
        },
    };
    let comparison = alembic_doctor_compare::compare(&repo, base, heads, &request)?;
    let merged = &comparison.merged;
    let from = args.from.as_deref();
    // A `--from` the merged chain does not know is a bad argument, not a
    // finding about the chain.
    if let Some(from) = from
        && let Err(error) = merged.project.map.resolve(from)
    {
        anyhow::bail!("--from {from}: {error}");
    }
    match args.format {
        Format::Json => {
            let json = alembic_doctor_report::comparison_json(&comparison, from);
            output::plain_stdout(&format!("{}\n", serde_json::to_string_pretty(&json)?))?;
        }
        Format::Text => {
            output::plain_stdout(&alembic_doctor_report::comparison_text(&comparison, from))?;
            if !merged.findings.is_empty() {
                output::plain_stdout("\nfindings after the merge:\n")?;
                let text = alembic_doctor_report::render_text(
                    &merged.findings,
                    &ProjectSources(&merged.project),
                    true,
                );
                output::styled_stdout(&text)?;
            }
        }
    }
    Ok(check::status_for(&merged.findings, args.fail_on))
}
