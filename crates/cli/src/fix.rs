//! `alembic-doctor fix`: the arguments, and printing what the library's
//! fixes did. Planning, writing, verifying and undoing live in
//! `alembic_doctor_fix`.

// These doc comments are the `--help` text, where Markdown backticks would be
// printed literally.
#![allow(clippy::doc_markdown)]

use std::io::Write;
use std::path::PathBuf;

use alembic_doctor_fix::{Fix, FixError, FixOptions, duplicates, merge, rebase};
use alembic_doctor_project::LoadRequest;
use anyhow::Context;
use clap::{Args, Subcommand};

use crate::ExitStatus;
use crate::args::ProjectArgs;
use crate::output;

#[derive(Debug, Args)]
pub(crate) struct FixArgs {
    #[command(subcommand)]
    pub(crate) what: FixCommand,
    /// Print the changes as a unified diff and change nothing.
    #[arg(long, global = true)]
    pub(crate) dry_run: bool,
    /// Rewrite files even when they have uncommitted changes in git.
    #[arg(long, global = true)]
    pub(crate) allow_dirty: bool,
    /// The base branch that tells old files from new ones. Default:
    /// origin/HEAD, else main, else master.
    #[arg(long, global = true, value_name = "REV")]
    pub(crate) base: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum FixCommand {
    /// Give every copy of a duplicated revision id but one a fresh id
    /// (revision, Revision ID: line, file name), and re-point the children
    /// that were written against the renamed copy.
    DuplicateIds {
        /// This copy keeps its id: a path, a file name, or a revision id
        /// that one file declares. Default: the copy on the base branch
        /// (refused when several copies are on it); without a base branch,
        /// the oldest by Create Date, then file name (a guess, said in a
        /// note).
        #[arg(long, value_name = "FILE")]
        keep: Vec<PathBuf>,
        /// This child (a path, a file name or its revision id) follows the
        /// renamed copy of its parent.
        #[arg(long, value_name = "FILE")]
        follow: Vec<PathBuf>,
        /// This child (a path, a file name or its revision id) keeps
        /// pointing at the copy that keeps the id.
        #[arg(long, value_name = "FILE")]
        stay: Vec<PathBuf>,
        /// The id a renamed copy gets instead of a random one: `FILE=ID`
        /// (the copy named as for --keep), or `ID` when one copy is renamed.
        #[arg(long, value_name = "[FILE=]ID")]
        new_id: Vec<String>,
    },
    /// Bring stale `Revision ID:` / `Revises:` docstring lines in line
    /// with `revision` and `down_revision`.
    Headers,
    /// Write a merge revision exactly as `alembic merge` does.
    Merge {
        /// Revisions to merge (default: heads).
        revisions: Vec<String>,
        /// Message (docstring and file name slug).
        #[arg(short, long)]
        message: Option<String>,
        /// Use this revision id instead of a random one.
        #[arg(long, value_name = "ID")]
        rev_id: Option<String>,
    },
    /// Re-parent revisions that no database has applied: the first onto
    /// TARGET, each next one onto the head above the previous one. With
    /// --database-url (or $ALEMBIC_DOCTOR_DATABASE_URL), what that database
    /// has applied is refused too, and a database that cannot be read
    /// stops the fix; sqlalchemy.url of the configuration is not read.
    Rebase {
        /// Revisions to re-parent.
        #[arg(required = true)]
        revisions: Vec<String>,
        /// The new parent. Default: the base branch's single head.
        #[arg(long, value_name = "TARGET")]
        onto: Option<String>,
        /// Revisions a database has applied; they and everything below
        /// them are never re-parented.
        #[arg(long, value_name = "REV", num_args = 1..)]
        applied: Vec<String>,
        #[command(flatten)]
        state: crate::args::DatabaseStateArgs,
    },
}

pub(crate) fn run(project_args: &ProjectArgs, args: &FixArgs) -> anyhow::Result<ExitStatus> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let request = LoadRequest {
        config_files: project_args.config.clone(),
        section: project_args.name.clone(),
        env_config: std::env::var_os("ALEMBIC_CONFIG"),
        versions: project_args.versions.clone(),
        recursive: project_args.recursive,
        display_root: None,
        operations: false,
        keep_bytes: true,
        cwd,
    };
    let fix = match &args.what {
        FixCommand::DuplicateIds {
            keep,
            follow,
            stay,
            new_id,
        } => Fix::DuplicateIds(duplicates::Options {
            keep: keep.clone(),
            follow: follow.clone(),
            stay: stay.clone(),
            new_ids: new_id.clone(),
            no_guess: false,
        }),
        FixCommand::Headers => Fix::Headers,
        FixCommand::Merge {
            revisions,
            message,
            rev_id,
        } => Fix::Merge(merge::Options {
            revisions: revisions.clone(),
            message: message.clone(),
            rev_id: rev_id.clone(),
        }),
        FixCommand::Rebase {
            revisions,
            onto,
            applied,
            state,
        } => Fix::Rebase(rebase::Options {
            revisions: revisions.clone(),
            onto: onto.clone(),
            applied: applied.clone(),
            database: applied_database(project_args, &request, state)?,
        }),
    };
    let options = FixOptions {
        dry_run: args.dry_run,
        allow_dirty: args.allow_dirty,
        base: args.base.clone(),
    };
    let mut stderr = anstream::stderr();
    let outcome = match alembic_doctor_fix::run(&request, &fix, &options) {
        Ok(outcome) => outcome,
        // The fix was written, did not check out and was undone: the chain
        // is as it was, which is a finding, not a failure to run.
        Err(error @ FixError::Verification { .. }) => {
            writeln!(stderr, "error: {error}")?;
            return Ok(ExitStatus::Failure);
        }
        Err(error) => return Err(error.into()),
    };
    for note in &outcome.plan.notes {
        writeln!(stderr, "note: {note}")?;
    }
    let plan = &outcome.plan;
    if plan.is_empty() {
        output::plain_stdout("nothing to fix\n")?;
        return Ok(ExitStatus::Success);
    }
    let mut text = String::new();
    if args.dry_run {
        text.push_str(&outcome.diff);
        for fix in &plan.fixes {
            text.push_str(&format!("would fix: {}\n", fix.description));
        }
        text.push_str("dry run: nothing was changed\n");
    } else {
        for fix in &plan.fixes {
            text.push_str(&format!("fixed: {}\n", fix.description));
        }
        for created in &plan.created {
            text.push_str(&format!("{}\n", created.display));
        }
    }
    output::raw_stdout(&text)?;
    Ok(ExitStatus::Success)
}

/// The database `fix rebase` must not strand, read, when `--database-url`
/// or the environment variable names one. `sqlalchemy.url` is not read: it
/// is so often a developer's database that a fix failing because it is
/// unreachable, or passing because it is behind, would mislead. When it
/// names a database, a note says so, and how to check one.
fn applied_database(
    project_args: &ProjectArgs,
    request: &LoadRequest,
    state: &crate::args::DatabaseStateArgs,
) -> anyhow::Result<Option<rebase::AppliedDatabase>> {
    let cache = alembic_doctor_project::ParseCache::from_env(project_args.no_cache);
    let project = alembic_doctor_project::load_with_cache(request, cache.as_ref())?;
    let database = crate::status::deployed_database(&project, state)?;
    if database.is_none()
        && let Ok(Some(url)) = project.config.options.get_main("sqlalchemy.url")
        && let Ok(url) = alembic_doctor_database::DatabaseUrl::parse(&url)
    {
        writeln!(
            anstream::stderr(),
            "note: the database of sqlalchemy.url ({url}) is not checked: `fix rebase` reads \
             only --database-url or {}, to refuse re-parenting what that database has applied",
            crate::status::URL_VARIABLE
        )?;
    }
    Ok(database.map(|database| rebase::AppliedDatabase {
        url: database.url,
        rows: database.rows,
    }))
}
