//! `alembic-doctor status`: the database's version table against the
//! chain. The URL comes from `--database-url`, else
//! `ALEMBIC_DOCTOR_DATABASE_URL`, else `sqlalchemy.url`; it is printed
//! masked, and every error that can name it is masked too.
//!
//! Also the database that `compare` and `report` start the migration path
//! at and that `fix rebase` must not strand ([`deployed_database`]): there
//! only from `--database-url` or the environment variable, never from
//! `sqlalchemy.url`, which is so often a developer's database that reading
//! it unasked would make those commands fail (or, worse, answer for the
//! wrong database).

use alembic_doctor_compare::DatabaseState;
use alembic_doctor_database::{DatabaseUrl, VersionTable, read_version_table};
use alembic_doctor_project::Project;
use alembic_doctor_report::DatabaseInfo;
use alembic_doctor_rules::ToolConfig;
use anyhow::Context;

use crate::args::{DatabaseStateArgs, FailOn, ProjectArgs, StatusArgs, StatusFormat};
use crate::{ExitStatus, load, output};

/// The environment variable that gives the database URL.
pub(crate) const URL_VARIABLE: &str = "ALEMBIC_DOCTOR_DATABASE_URL";

pub(crate) fn run(project_args: &ProjectArgs, args: &StatusArgs) -> anyhow::Result<ExitStatus> {
    let project = load::project(project_args)?;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let (text, origin) = match flag_or_environment(args.database_url.as_deref())? {
        Some(found) => found,
        None => config_url(project)?,
    };
    let Read {
        url,
        table,
        rows: current,
        tool,
    } = read(
        project,
        (&text, &origin),
        args.version_table.as_deref(),
        args.version_table_schema.as_deref(),
    )?;
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

/// A database's version table, read.
struct Read {
    url: DatabaseUrl,
    table: VersionTable,
    rows: Vec<String>,
    /// `[tool.alembic-doctor]`, which named the table when no option did.
    tool: ToolConfig,
}

/// Read, read-only, the version table of the database at `text` (a URL,
/// from `origin`): the table the options name, else
/// `[tool.alembic-doctor]`'s, else Alembic's default.
fn read(
    project: &Project,
    (text, origin): (&str, &str),
    name: Option<&str>,
    schema: Option<&str>,
) -> anyhow::Result<Read> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let tool = crate::lint::tool_config(project, &cwd)?;
    let url = DatabaseUrl::parse(text)
        .with_context(|| format!("the database URL from {origin} cannot be used"))?;
    let table = version_table(name, schema, &tool);
    let rows = read_version_table(&url, &table)?;
    Ok(Read {
        url,
        table,
        rows,
        tool,
    })
}

/// The version table: the options, else `[tool.alembic-doctor]`, else
/// Alembic's default.
fn version_table(name: Option<&str>, schema: Option<&str>, tool: &ToolConfig) -> VersionTable {
    VersionTable {
        name: name
            .map(ToOwned::to_owned)
            .or(tool.version_table.clone())
            .unwrap_or_else(|| VersionTable::default().name),
        schema: schema
            .map(ToOwned::to_owned)
            .or(tool.version_table_schema.clone()),
    }
}

/// The URL of `--database-url`, else of the environment variable, and
/// where it came from; `None` when neither gives one.
fn flag_or_environment(flag: Option<&str>) -> anyhow::Result<Option<(String, String)>> {
    if let Some(url) = flag {
        return Ok(Some((url.to_owned(), "--database-url".to_owned())));
    }
    if let Some(url) = std::env::var_os(URL_VARIABLE) {
        let url = url
            .into_string()
            .map_err(|_| anyhow::anyhow!("{URL_VARIABLE} is not valid UTF-8"))?;
        if !url.trim().is_empty() {
            return Ok(Some((url, URL_VARIABLE.to_owned())));
        }
    }
    Ok(None)
}

/// `sqlalchemy.url` of the configuration, for `status`.
fn config_url(project: &Project) -> anyhow::Result<(String, String)> {
    match project.config.options.get_main("sqlalchemy.url") {
        Ok(Some(url)) if !url.trim().is_empty() => Ok((url, "sqlalchemy.url".to_owned())),
        _ => anyhow::bail!(
            "no database to read: pass --database-url URL, set {URL_VARIABLE}, or set \
             sqlalchemy.url in the configuration (a SQLAlchemy URL such as sqlite:///app.db)"
        ),
    }
}

/// The deployed database's version table, when `--database-url` or the
/// environment variable names one: read, read-only, as `status` reads it
/// (the version table from the options, else `[tool.alembic-doctor]` of
/// `project`). Any failure to read it is an error: a check that was asked
/// for is never skipped.
pub(crate) fn deployed_database(
    project: &Project,
    args: &DatabaseStateArgs,
) -> anyhow::Result<Option<DatabaseState>> {
    let Some((text, origin)) = flag_or_environment(args.database_url.as_deref())? else {
        // A table named for no database would be ignored: say so instead.
        if args.version_table.is_some() || args.version_table_schema.is_some() {
            anyhow::bail!(
                "--version-table and --version-table-schema name a table of the database, and no \
                 database was given: pass --database-url URL or set {URL_VARIABLE}"
            );
        }
        return Ok(None);
    };
    let Read {
        url, table, rows, ..
    } = read(
        project,
        (&text, &origin),
        args.version_table.as_deref(),
        args.version_table_schema.as_deref(),
    )?;
    Ok(Some(DatabaseState {
        url: url.to_string(),
        origin,
        dialect: url.dialect.to_string(),
        version_table: table.to_string(),
        rows,
    }))
}
