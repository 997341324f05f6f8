//! Command-line arguments. Global options mirror `alembic`'s own (`-c`, `-n`)
//! so that `alembic-doctor heads` is a drop-in for `alembic heads`.

// These doc comments are the `--help` text, where Markdown backticks would be
// printed literally.
#![allow(clippy::doc_markdown)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Static health checks and Alembic-exact reports for Alembic migration chains.
///
/// alembic-doctor reads migration files without running them, so it works
/// without the application's dependencies and is safe on untrusted code.
#[derive(Debug, Parser)]
#[command(name = "alembic-doctor", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) project: ProjectArgs,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Where the migrations are: the same defaults as `alembic`.
#[derive(Debug, Args)]
pub(crate) struct ProjectArgs {
    /// Run as if alembic-doctor was started in DIR (as `git -C`): the
    /// configuration, the version directories and the git repository are
    /// found from there. Repeat to go further; each is relative to the
    /// previous one.
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub(crate) directory: Vec<PathBuf>,

    /// Configuration file: an `alembic.ini` or a `pyproject.toml` (may be
    /// given twice, once for each). Default: $ALEMBIC_CONFIG, then
    /// ./alembic.ini, then ./pyproject.toml, then migrations/alembic.ini
    /// (Flask-Migrate).
    #[arg(short = 'c', long = "config", global = true, value_name = "FILE")]
    pub(crate) config: Vec<PathBuf>,

    /// Section of the ini file to read.
    #[arg(
        short = 'n',
        long = "name",
        global = true,
        default_value = "alembic",
        value_name = "SECTION"
    )]
    pub(crate) name: String,

    /// Read this version directory directly instead of the configured
    /// ones; repeat for several (they are read in the order given).
    #[arg(long = "versions", global = true, value_name = "DIR")]
    pub(crate) versions: Vec<PathBuf>,

    /// With --versions: walk sub-directories too (Alembic's
    /// recursive_version_locations).
    #[arg(long, global = true)]
    pub(crate) recursive: bool,

    /// Parse every file, neither reading nor writing the parse cache
    /// (also: ALEMBIC_DOCTOR_NO_CACHE=1). The cache lives in
    /// $ALEMBIC_DOCTOR_CACHE_DIR, else $XDG_CACHE_HOME/alembic-doctor, else
    /// ~/.cache/alembic-doctor.
    #[arg(long, global = true)]
    pub(crate) no_cache: bool,
}

impl ProjectArgs {
    /// The options to repeat in the commands the tool advises.
    /// [`ProjectArgs::command_options`] for the project `config` describes
    /// (a Flask-Migrate project's `alembic` commands are `flask db` ones),
    /// run from the current directory.
    pub(crate) fn command_options_for(
        &self,
        config: &alembic_doctor_config::AlembicConfig,
    ) -> alembic_doctor_rules::CommandOptions {
        let cwd = std::env::current_dir().unwrap_or_default();
        self.command_options().for_project(config, &cwd)
    }

    pub(crate) fn command_options(&self) -> alembic_doctor_rules::CommandOptions {
        let options = alembic_doctor_rules::CommandOptions::new(
            &self.config,
            &self.name,
            &self.versions,
            self.recursive,
        );
        // The advice names paths as seen from DIR: its commands must run
        // there too, wherever the user is.
        if self.directory.is_empty() {
            options
        } else {
            let dir: PathBuf = self.directory.iter().collect();
            options.in_directory(&dir)
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check the chain's health: duplicate ids, missing parents, cycles,
    /// unintended heads, syntax errors, stale headers.
    Check(CheckArgs),
    /// Compare BASE with HEADs in git and check their simulated merge.
    ///
    /// HEADs are git revisions or the working tree. Shows new, removed,
    /// edited and renamed revisions, duplicate ids, heads after the merge,
    /// every check on the merged result, and the revisions `alembic upgrade
    /// heads` will apply.
    Compare(CompareArgs),
    /// The Migration Status Report for a pull request: BASE and HEADs
    /// compared, the merge checked, the path to run, a pre-merge
    /// checklist. Markdown by default, ready for a PR comment.
    Report(ReportArgs),
    /// Repair the chain: duplicate ids, stale headers, merge revisions,
    /// re-parenting. Shows a diff with --dry-run; otherwise writes
    /// atomically and keeps the change only if the project reads back
    /// healthier.
    Fix(crate::fix::FixArgs),
    /// Where the database is on the chain, read from its version table
    /// (read-only, without env.py): each row placed on the chain, whether
    /// it is at every head, what `alembic upgrade heads` would apply, in
    /// order, and stamped revisions the code does not know.
    Status(StatusArgs),
    /// Show current available heads, exactly as `alembic heads` does.
    Heads {
        /// Use more verbose output.
        #[arg(short, long)]
        verbose: bool,
        /// Treat dependency versions as down revisions.
        #[arg(long)]
        resolve_dependencies: bool,
    },
    /// Show current branch points, exactly as `alembic branches` does.
    Branches {
        /// Use more verbose output.
        #[arg(short, long)]
        verbose: bool,
    },
    /// List changeset scripts in chronological order, exactly as
    /// `alembic history` does.
    History {
        /// Use more verbose output.
        #[arg(short, long)]
        verbose: bool,
        // Alembic's help for `-r` (given as `help`, without the period a
        // doc comment's would lose: rustdoc reads `[start]` in a doc
        // comment as a link).
        #[arg(
            short = 'r',
            long = "rev-range",
            value_name = "RANGE",
            allow_hyphen_values = true,
            help = "Specify a revision range; format is [start]:[end]"
        )]
        rev_range: Option<String>,
    },
    /// Show the revision(s) denoted by the given symbol, exactly as
    /// `alembic show` does.
    Show {
        /// Revision identifier (id, partial id, head, heads, label@head,
        /// relative forms such as -1).
        #[arg(allow_hyphen_values = true)]
        rev: String,
    },
    /// Print a shell completion script: `alembic-doctor completions bash >
    /// ~/.local/share/bash-completion/completions/alembic-doctor` (zsh:
    /// a file named `_alembic-doctor` on $fpath; fish:
    /// ~/.config/fish/completions/alembic-doctor.fish; PowerShell: add the
    /// output to $PROFILE).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Explain a rule: what it checks, why it matters, how to fix it.
    Explain {
        /// Rule name, e.g. duplicate-revision.
        #[arg(required_unless_present = "list")]
        rule: Option<String>,
        /// List every rule.
        #[arg(long)]
        list: bool,
        /// With --list: `text`, one line a rule, or `markdown`, the whole
        /// rules reference (docs/rules.md is this output).
        #[arg(long, value_enum, default_value_t = ExplainFormat::Text, requires = "list")]
        format: ExplainFormat,
    },
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// Exit 1 when a finding at or above this severity is reported.
    /// Default: `fail-on` in [tool.alembic-doctor], else error.
    #[arg(long, value_enum)]
    pub(crate) fail_on: Option<FailOn>,
    #[command(flatten)]
    pub(crate) lint: crate::lint::LintArgs,
}

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// The branch to merge into. Default: origin/HEAD, else main, else
    /// master.
    pub(crate) base: Option<String>,
    /// The branches, tags or commits to merge into BASE. Default: the
    /// working tree (with uncommitted and untracked files).
    pub(crate) heads: Vec<String>,
    /// Compute the upgrade path from this revision (the production
    /// database's), resolved after the merge, instead of BASE's heads. For
    /// a database that CI cannot reach; cannot be combined with
    /// --database-url, and $ALEMBIC_DOCTOR_DATABASE_URL is not read with it.
    #[arg(
        long,
        value_name = "REV",
        allow_hyphen_values = true,
        conflicts_with = "database_url"
    )]
    pub(crate) from: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// Exit 1 when the merged result has a finding at or above this
    /// severity.
    /// Default: `fail-on` in [tool.alembic-doctor], else error.
    #[arg(long, value_enum)]
    pub(crate) fail_on: Option<FailOn>,
    #[command(flatten)]
    pub(crate) database: crate::lint::DatabaseArgs,
    #[command(flatten)]
    pub(crate) state: DatabaseStateArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The branch to merge into. Default: origin/HEAD, else main, else
    /// master.
    pub(crate) base: Option<String>,
    /// The branches, tags or commits to merge into BASE. Default: the
    /// working tree.
    pub(crate) heads: Vec<String>,
    /// Compute the migration path from this revision (the production
    /// database's) instead of BASE's heads. For a database that CI cannot
    /// reach; cannot be combined with --database-url, and
    /// $ALEMBIC_DOCTOR_DATABASE_URL is not read with it.
    #[arg(
        long,
        value_name = "REV",
        allow_hyphen_values = true,
        conflicts_with = "database_url"
    )]
    pub(crate) from: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    pub(crate) format: ReportFormat,
    /// Exit 1 when the merged result has a finding at or above this
    /// severity.
    /// Default: `fail-on` in [tool.alembic-doctor], else error.
    #[arg(long, value_enum)]
    pub(crate) fail_on: Option<FailOn>,
    #[command(flatten)]
    pub(crate) database: crate::lint::DatabaseArgs,
    #[command(flatten)]
    pub(crate) state: DatabaseStateArgs,
    /// First apply the repairs that need no decision (fresh ids for
    /// duplicates settled by the base branch, stale header lines) to the
    /// working tree, verified and undone if they do not check out; the
    /// report lists them under "Issues Found and Fixed".
    #[arg(long)]
    pub(crate) fix: bool,
    /// With --fix: also rewrite files that have uncommitted changes.
    #[arg(long, requires = "fix")]
    pub(crate) allow_dirty: bool,
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// The database, as a SQLAlchemy URL (`sqlite:///app.db`,
    /// `postgresql://user:password@host/db`). Default:
    /// $ALEMBIC_DOCTOR_DATABASE_URL, else sqlalchemy.url of the
    /// configuration. The password is never printed.
    #[arg(long, value_name = "URL")]
    pub(crate) database_url: Option<String>,
    /// Exit 1 unless the database is at every head (as `alembic current
    /// --check-heads`).
    #[arg(long)]
    pub(crate) check_heads: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatusFormat::Text)]
    pub(crate) format: StatusFormat,
    /// The version table, as env.py's `version_table`. Default:
    /// `version-table` in [tool.alembic-doctor], else alembic_version.
    #[arg(long, value_name = "NAME")]
    pub(crate) version_table: Option<String>,
    /// The version table's schema, as env.py's `version_table_schema`.
    /// Default: `version-table-schema` in [tool.alembic-doctor], else none.
    #[arg(long, value_name = "SCHEMA")]
    pub(crate) version_table_schema: Option<String>,
}

/// A database whose version table `compare` and `report` start the path
/// at, and whose applied revisions `fix rebase` leaves alone.
#[derive(Debug, Args)]
pub(crate) struct DatabaseStateArgs {
    /// The deployed database, as a SQLAlchemy URL: its version table is
    /// read (read-only, as `status` reads it) for where it is. Default:
    /// $ALEMBIC_DOCTOR_DATABASE_URL; sqlalchemy.url of the configuration
    /// is not read here (it is often a development database). The password
    /// is never printed.
    #[arg(long, value_name = "URL")]
    pub(crate) database_url: Option<String>,
    /// With a database: its version table, as env.py's `version_table`.
    /// Default: `version-table` in [tool.alembic-doctor], else
    /// alembic_version.
    #[arg(long, value_name = "NAME")]
    pub(crate) version_table: Option<String>,
    /// With a database: the version table's schema, as env.py's
    /// `version_table_schema`. Default: `version-table-schema` in
    /// [tool.alembic-doctor], else none.
    #[arg(long, value_name = "SCHEMA")]
    pub(crate) version_table_schema: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StatusFormat {
    /// For people.
    Text,
    /// One JSON object (docs/status.md has the contract).
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Human-readable diagnostics with code frames.
    Text,
    /// One JSON object (see the README for the contract).
    Json,
    /// GitHub Actions workflow commands: annotations on the offending lines.
    Github,
    /// SARIF 2.1.0 (GitHub code scanning, IDEs), paths relative to the
    /// repository root.
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// Markdown for a pull-request comment.
    Markdown,
    /// Plain text for a terminal.
    Text,
    /// The compare JSON contract plus the report's sections.
    Json,
    /// GitHub Actions workflow commands: annotations on the offending lines.
    Github,
    /// SARIF 2.1.0 of the merged result's findings (as `compare`).
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExplainFormat {
    /// One line a rule: name, default severity, what it reports.
    Text,
    /// Every rule's full explanation, as one Markdown document.
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FailOn {
    /// Fail on errors only.
    Error,
    /// Fail on warnings and errors.
    Warning,
    /// Never fail because of findings (exit 2 still means the run failed).
    Never,
}
