//! `alembic-doctor compare`: BASE against HEADs in git, and their merge,
//! simulated and checked.

use alembic_doctor_compare::{CompareRequest, Comparison, SideSpec, Start};
use alembic_doctor_git::GitRepo;
use alembic_doctor_project::LoadRequest;
use alembic_doctor_report::{LintInfo, ProjectSources};
use anyhow::Context;

use crate::args::{CompareArgs, DatabaseStateArgs, FailOn, Format, ProjectArgs};
use crate::lint::DatabaseArgs;
use crate::{ExitStatus, check, output};

pub(crate) fn run(project_args: &ProjectArgs, args: &CompareArgs) -> anyhow::Result<ExitStatus> {
    let (repo, comparison, fail_on, lint, start) = load(
        "compare",
        project_args,
        args.base.as_deref(),
        &args.heads,
        args.from.as_deref(),
        &args.database,
        &args.state,
        false,
    )?;
    let fail_on = args.fail_on.or(fail_on).unwrap_or(FailOn::Error);
    let merged = &comparison.merged;
    match args.format {
        Format::Json => {
            let mut json = alembic_doctor_report::comparison_json(&comparison, &start);
            if let serde_json::Value::Object(object) = &mut json {
                object.insert("lint".to_owned(), lint.json());
            }
            output::raw_stdout(&format!("{}\n", serde_json::to_string_pretty(&json)?))?;
        }
        Format::Text => {
            output::plain_stdout(&alembic_doctor_report::comparison_text(&comparison, &start))?;
            if !merged.findings.is_empty() {
                output::plain_stdout("\nfindings after the merge:\n")?;
                let findings = alembic_doctor_report::findings_with_plan(
                    &comparison,
                    &merged.findings,
                    "the plan below",
                );
                let text = alembic_doctor_report::render_text(
                    &findings,
                    &ProjectSources(&merged.project),
                    true,
                );
                output::styled_stdout(&text)?;
            }
            let plan = alembic_doctor_report::plan_text(&comparison.plan);
            if !plan.is_empty() {
                output::plain_stdout(&format!("\n{plan}"))?;
            }
        }
        Format::Github => output::plain_stdout(&github(&repo, &comparison))?,
        Format::Sarif => output::raw_stdout(&sarif(&repo, &comparison)?)?,
    }
    // What the merge inherits from BASE does not count against the HEADs.
    Ok(check::status_for(&comparison.new_findings(), fail_on))
}

/// An edited revision of BASE is linted whole, but only what the edit
/// changed is the branch's: a finding BASE's version of the same revision
/// has too (same rule, same message) is history, not a new hazard.
fn drop_what_edits_did_not_bring(
    comparison: &Comparison,
    database: &DatabaseArgs,
    findings: &mut Vec<alembic_doctor_rules::Finding>,
) -> anyhow::Result<()> {
    let edited: Vec<&alembic_doctor_compare::RevisionChange> = comparison
        .differences
        .iter()
        .flat_map(|diff| &diff.edited)
        .collect();
    if edited.is_empty() {
        return Ok(());
    }
    let ids = edited.iter().map(|change| change.id.clone()).collect();
    let before: std::collections::HashSet<(alembic_doctor_rules::Rule, String, String)> =
        crate::lint::on_base_versions(comparison, database, ids)?
            .into_iter()
            .filter_map(|f| Some((f.rule, f.revision?, f.message)))
            .collect();
    let edited_paths: std::collections::HashSet<&str> =
        edited.iter().map(|change| change.path.as_str()).collect();
    findings.retain(|finding| {
        let in_edit = comparison
            .finding_path(finding)
            .is_some_and(|path| edited_paths.contains(path));
        !(in_edit
            && finding.revision.as_ref().is_some_and(|id| {
                before.contains(&(finding.rule, id.clone(), finding.message.clone()))
            }))
    });
    Ok(())
}

/// Resolve BASE and the HEADs in the repository that holds the version
/// files (the current directory's, unless the configuration puts them in
/// another: see [`repository_of_versions`]), compare them, find where the
/// database is (`--from`, else the database `state` names, read, else
/// BASE's heads), lint the HEADs' new
/// revisions, and check that `--from` names a revision of the merged
/// chain. With `root_paths`, files are named from the repository's root
/// rather than from the current directory. Also returns `fail-on` from
/// `[tool.alembic-doctor]`, how the lints ran and where the path starts.
#[allow(clippy::too_many_arguments)]
pub(crate) fn load(
    command: &str,
    project_args: &ProjectArgs,
    base: Option<&str>,
    heads: &[String],
    from: Option<&str>,
    database: &DatabaseArgs,
    state: &DatabaseStateArgs,
    root_paths: bool,
) -> anyhow::Result<(GitRepo, Comparison, Option<FailOn>, LintInfo, Start)> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    // Canonical, so that paths on disk and in git trees (rooted at the
    // repository's canonical root) are the same paths.
    let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    let mut load = crate::load::request(project_args, cwd);
    load.operations = true;
    let repo = repository_of_versions(GitRepo::discover(&load.cwd)?, &load)?;
    // Files named from the repository's root, as `--format github` and
    // SARIF name them, also from a subdirectory.
    load.display_root = root_paths.then(|| repo.root().to_path_buf());
    let base = match base {
        Some(base) => repo.resolve(base)?,
        None => repo.default_base()?,
    };
    if heads.is_empty() && repo.is_bare() {
        anyhow::bail!("{}", bare_without_head(command, &repo, base.name()));
    }
    let heads = if heads.is_empty() {
        vec![SideSpec::WorkTree]
    } else {
        let mut resolved: Vec<alembic_doctor_git::ResolvedRev> = Vec::new();
        for head in heads {
            let rev = repo.resolve(head)?;
            // The same commit twice would be counted twice and reported as
            // conflicting with itself.
            if let Some(same) = resolved.iter().find(|r| r.commit_id() == rev.commit_id()) {
                eprintln!(
                    "note: `{head}` is the same commit as `{}`: compared once",
                    same.name()
                );
                continue;
            }
            resolved.push(rev);
        }
        resolved.into_iter().map(SideSpec::Rev).collect()
    };
    let request = CompareRequest {
        load,
        cache: alembic_doctor_project::ParseCache::from_env(project_args.no_cache),
        command_options: project_args.command_options(),
    };
    let mut comparison = alembic_doctor_compare::compare(&repo, base, heads, &request)?;
    let start = start(&comparison, from, state)?;
    // Production behind BASE: BASE's revisions it has not run go out with
    // the merge too, so they are described and linted like the new ones.
    comparison.add_pending_notes(&start);
    // What the database has run is never re-parented by the plan.
    comparison.plan_for_database(
        &start,
        &project_args.command_options_for(&comparison.merged.project.config),
    );
    let (mut findings, fail_on, lint) = crate::lint::comparison(&comparison, database)?;
    drop_what_edits_did_not_bring(&comparison, database, &mut findings)?;
    comparison.add_lint_findings(findings);
    let database = database_findings(&comparison, &repo, &start);
    comparison.merged.findings.extend(database);
    // Commands in the findings' help find the project the way this run did.
    let options = project_args.command_options_for(&comparison.merged.project.config);
    for finding in &mut comparison.merged.findings {
        if let Some(help) = &mut finding.help
            && let std::borrow::Cow::Owned(applied) = options.applied(help)
        {
            *help = applied.into();
        }
    }
    // A `--from` the merged chain does not know is a bad argument, not a
    // finding about the chain.
    if let Some(from) = from
        && let Err(error) = comparison.merged.project.map.resolve(from)
    {
        anyhow::bail!("--from {from}: {error}");
    }
    Ok((repo, comparison, fail_on, lint, start))
}

/// Where the database is: `--from` (a hand-typed revision wins over the
/// environment variable, which CI may set for every job; `--database-url`
/// with it is refused by the arguments), else the database `state` names,
/// else BASE's heads.
fn start(
    comparison: &Comparison,
    from: Option<&str>,
    state: &DatabaseStateArgs,
) -> anyhow::Result<Start> {
    if let Some(from) = from {
        if std::env::var_os(crate::status::URL_VARIABLE).is_some_and(|url| !url.is_empty()) {
            eprintln!(
                "note: --from {from} given: the database in {} is not read",
                crate::status::URL_VARIABLE
            );
        }
        return Ok(Start::Revision(from.to_owned()));
    }
    let project = &comparison.merged.project;
    Ok(match crate::status::deployed_database(project, state)? {
        Some(database) => Start::Database(database),
        None => Start::BaseHeads,
    })
}

/// The findings `status` would report about the database's rows on the
/// merged chain: rows it cannot take, where the deploy would fail
/// (`database-unknown-revision`, with the likely cause from the commits
/// that mention the id, and `database-overlapping-revisions`).
pub(crate) fn database_findings(
    comparison: &Comparison,
    repo: &GitRepo,
    start: &Start,
) -> Vec<alembic_doctor_rules::Finding> {
    let Some(database) = start.database() else {
        return Vec::new();
    };
    alembic_doctor_status::database_status(&comparison.merged.project, &database.rows, Some(repo))
        .findings
}

/// The repository whose branches hold the version files: `repo`, the
/// current directory's, unless the configuration on the disk (as `load`
/// finds it) puts every version directory in another one (`-c
/// ../service/alembic.ini` from elsewhere), which is then used, with a
/// note, as `check` does: BASE and HEAD name that repository's branches.
/// Version directories in no repository, or in several, have no branches
/// to compare: an error says so, rather than comparing branches that do
/// not hold them.
fn repository_of_versions(repo: GitRepo, load: &LoadRequest) -> anyhow::Result<GitRepo> {
    // A bare repository has no files on the disk: its trees hold the
    // configuration too.
    let Some(here) = repo.workdir().map(std::path::Path::to_path_buf) else {
        return Ok(repo);
    };
    // Without a configuration on the disk, the revisions' own are read.
    let Ok(config) = alembic_doctor_config::load(&load.config_request()) else {
        return Ok(repo);
    };
    let locations = alembic_doctor_project::listing_spec(&config, load.recursive)
        .resolved_in(&alembic_doctor_source::DiskTree)
        .locations;
    let shown = crate::base::shown_locations(&locations);
    match crate::base::versions_repository(&locations, Some(&here)) {
        crate::base::VersionsRepository::Current => Ok(repo),
        crate::base::VersionsRepository::Other(root) => {
            eprintln!(
                "note: {}",
                alembic_doctor_pystr::escape_for_terminal(&format!(
                    "the version files ({shown}) are in the git repository at {}, not in the current directory's ({}): its branches are compared",
                    root.display(),
                    here.display()
                ))
            );
            Ok(GitRepo::discover(&root)?)
        }
        crate::base::VersionsRepository::None => anyhow::bail!(
            "the version files ({shown}) are in no git repository: there are no branches to compare; `alembic-doctor check -c ...` checks the chain as it is on the disk"
        ),
        crate::base::VersionsRepository::Several => anyhow::bail!(
            "the version locations ({shown}) are in different git repositories: compare the branches of each with `--versions DIR`"
        ),
    }
}

/// Why `command` cannot compare the working tree of a bare repository,
/// and what to run instead (HEAD named, beside BASE).
pub(crate) fn bare_without_head(command: &str, repo: &GitRepo, base: &str) -> String {
    format!(
        "{} is a bare repository: it has no working tree to compare with {base}; name the HEAD revision explicitly, e.g. `alembic-doctor {command} {base} feature`",
        repo.root().display()
    )
}

/// The merged result's findings as a SARIF log, paths from the
/// repository root.
pub(crate) fn sarif(repo: &GitRepo, comparison: &Comparison) -> anyhow::Result<String> {
    let merged = &comparison.merged;
    let log = alembic_doctor_report::sarif_log(
        &merged.findings,
        &merged.project,
        repo.root(),
        !repo.is_bare(),
    );
    let log = mark_baseline(log, comparison);
    Ok(format!("{}\n", serde_json::to_string_pretty(&log)?))
}

/// SARIF's `baselineState` on each result: `unchanged` for a finding BASE
/// already has, `new` for one the HEADs bring, so that code scanning shows
/// the pull request's own.
fn mark_baseline(mut log: serde_json::Value, comparison: &Comparison) -> serde_json::Value {
    if let Some(results) = log["runs"][0]["results"].as_array_mut() {
        for (result, finding) in results.iter_mut().zip(&comparison.merged.findings) {
            result["baselineState"] = if comparison.is_inherited(finding) {
                "unchanged".into()
            } else {
                "new".into()
            };
        }
    }
    log
}

/// Annotations for what the HEADs bring (findings BASE already has would
/// land on files the pull request did not touch, and GitHub shows only the
/// first ten warnings of a step), and for the version files both sides
/// changed, with paths relative to the repository root.
pub(crate) fn github(repo: &GitRepo, comparison: &Comparison) -> String {
    let merged = &comparison.merged;
    let findings = alembic_doctor_report::findings_with_plan(
        comparison,
        &comparison.new_findings(),
        "the plan in the `alembic-doctor plan` notice",
    );
    let mut out =
        alembic_doctor_report::github_annotations(&findings, &merged.project, repo.root());
    let plan = alembic_doctor_report::plan_text(&comparison.plan);
    if !plan.is_empty() {
        // One notice with every step, in order: the annotations point at it.
        out.push_str(&alembic_doctor_report::github_command(
            "notice",
            &[("title", "alembic-doctor plan".to_owned())],
            plan.trim_end(),
        ));
    }
    let inherited = merged.findings.len() - comparison.new_findings().len();
    if inherited > 0 {
        out.push_str(&alembic_doctor_report::github_command(
            "notice",
            &[("title", "alembic-doctor".to_owned())],
            &format!(
                "{inherited} finding{} already on {} not annotated (run `alembic-doctor check` there to see them)",
                if inherited == 1 { " is" } else { "s are" },
                comparison.base.label
            ),
        ));
    }
    for conflict in &merged.conflicts {
        out.push_str(&alembic_doctor_report::github_command(
            "warning",
            &[
                ("file", conflict.path.clone()),
                ("title", "alembic-doctor changed on both sides".to_owned()),
            ],
            &format!(
                "this version file was changed on both sides ({}); check the merged result",
                conflict.reason()
            ),
        ));
    }
    out
}
