//! `alembic-doctor status`: the database's version table against the
//! chain. The URL comes from `--database-url`, else
//! `ALEMBIC_DOCTOR_DATABASE_URL`, else `sqlalchemy.url`; it is printed
//! masked, and every error that can name it is masked too.

use alembic_doctor_database::{DatabaseUrl, VersionTable, read_version_table};
use alembic_doctor_report::DatabaseInfo;
use anyhow::Context;

use crate::args::{FailOn, ProjectArgs, StatusArgs, StatusFormat};
use crate::{ExitStatus, load, output};

/// The environment variable that gives the database URL.
const URL_VARIABLE: &str = "ALEMBIC_DOCTOR_DATABASE_URL";

pub(crate) fn run(project_args: &ProjectArgs, args: &StatusArgs) -> anyhow::Result<ExitStatus> {
    let project = load::project(project_args)?;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let tool = crate::lint::tool_config(project, &cwd)?;
    let (text, origin) = database_url(project, args)?;
    let url = DatabaseUrl::parse(&text)
        .with_context(|| format!("the database URL from {origin} cannot be used"))?;
    let table = VersionTable {
        name: args
            .version_table
            .clone()
            .or(tool.version_table.clone())
            .unwrap_or_else(|| VersionTable::default().name),
        schema: args
            .version_table_schema
            .clone()
            .or(tool.version_table_schema.clone()),
    };
    let current = read_version_table(&url, &table)?;
    let repo = alembic_doctor_git::GitRepo::discover(&cwd).ok();
    let status = alembic_doctor_status::database_status(project, &current, repo.as_ref());
    let info = DatabaseInfo {
        url: url.to_string(),
        dialect: url.dialect.to_string(),
        version_table: table.to_string(),
        url_origin: origin,
    };
    match args.format {
        StatusFormat::Text => {
            output::plain_stdout(&alembic_doctor_report::database_status_text(&status, &info))?;
        }
        StatusFormat::Json => {
            output::json_stdout(&alembic_doctor_report::database_status_json(
                project, &status, &info,
            ))?;
        }
    }
    let fail_on = crate::lint::fail_on(&tool).unwrap_or(FailOn::Error);
    let mut exit = crate::check::status_for(&status.findings, fail_on);
    if args.check_heads && !status.at_heads {
        exit = ExitStatus::Failure;
    }
    Ok(exit)
}

/// The URL and where it came from.
fn database_url(
    project: &alembic_doctor_project::Project,
    args: &StatusArgs,
) -> anyhow::Result<(String, String)> {
    if let Some(url) = &args.database_url {
        return Ok((url.clone(), "--database-url".to_owned()));
    }
    if let Some(url) = std::env::var_os(URL_VARIABLE) {
        let url = url
            .into_string()
            .map_err(|_| anyhow::anyhow!("{URL_VARIABLE} is not valid UTF-8"))?;
        if !url.trim().is_empty() {
            return Ok((url, URL_VARIABLE.to_owned()));
        }
    }
    match project.config.options.get_main("sqlalchemy.url") {
        Ok(Some(url)) if !url.trim().is_empty() => Ok((url, "sqlalchemy.url".to_owned())),
        _ => anyhow::bail!(
            "no database to read: pass --database-url URL, set {URL_VARIABLE}, or set \
             sqlalchemy.url in the configuration (a SQLAlchemy URL such as sqlite:///app.db)"
        ),
    }
}
