//! `alembic-doctor`: the binary only wires the library crates together and
//! decides exit codes: 0 ok, 1 findings (or a chain Alembic would choke
//! on), 2 bad usage, unreadable configuration or I/O failure.

mod alembic_commands;
mod args;
mod base;
mod check;
mod compare;
mod explain;
mod fix;
mod lint;
mod load;
mod output;
mod report;
mod status;

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use crate::args::{Cli, Command};

// Loading a project allocates many small strings and AST nodes on every
// thread; mimalloc is markedly faster than glibc's malloc at that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How a run ended, as the process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExitStatus {
    /// Nothing to report.
    Success,
    /// Findings at or above `--fail-on`, or a chain the command cannot
    /// answer for (Alembic would fail or warn).
    Failure,
    /// Bad usage, unreadable configuration, I/O failure.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let status = if error.use_stderr() {
                ExitStatus::Error
            } else {
                ExitStatus::Success
            };
            let _ = error.print();
            return status.into();
        }
    };
    match run(&cli) {
        Ok(status) => status.into(),
        Err(error) => {
            // A closed pipe (`alembic-doctor history | head`) is not a
            // failure; ripgrep and Ruff treat it the same way.
            if is_broken_pipe(&error) {
                return ExitStatus::Success.into();
            }
            let _ = anstream::stderr().write_all(error_message(&error).as_bytes());
            ExitStatus::Error.into()
        }
    }
}

/// `error: ...` and a `caused by:` line for each cause that the message
/// does not already show: many errors print their source inline (`cannot
/// read x: Is a directory`), and repeating it below says nothing new.
fn error_message(error: &anyhow::Error) -> String {
    let mut shown = error.to_string();
    let mut out = format!(
        "error: {}\n",
        alembic_doctor_pystr::escape_for_terminal(&shown)
    );
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if shown.contains(&cause) {
            continue;
        }
        out.push_str(&format!(
            "  caused by: {}\n",
            alembic_doctor_pystr::escape_for_terminal(&cause)
        ));
        shown.push_str(&cause);
    }
    out
}

/// `alembic-doctor completions SHELL`: the completion script on stdout.
fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitStatus> {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "alembic-doctor", &mut script);
    let mut stdout = io::stdout().lock();
    stdout.write_all(&script)?;
    stdout.flush()?;
    Ok(ExitStatus::Success)
}

fn run(cli: &Cli) -> anyhow::Result<ExitStatus> {
    for dir in &cli.project.directory {
        std::env::set_current_dir(dir).with_context(|| {
            format!(
                "cannot run in {} (given with -C)",
                alembic_doctor_pystr::escape_for_terminal(&dir.display().to_string())
            )
        })?;
    }
    match &cli.command {
        Command::Explain { rule, list, format } => explain::run(rule.as_deref(), *list, *format),
        Command::Completions { shell } => completions(*shell),
        Command::Check(args) => check::run(&cli.project, args),
        Command::Compare(args) => compare::run(&cli.project, args),
        Command::Report(args) => report::run(&cli.project, args),
        Command::Status(args) => status::run(&cli.project, args),
        Command::Fix(args) => fix::run(&cli.project, args),
        Command::Heads {
            verbose,
            resolve_dependencies,
        } => alembic_commands::heads(&cli.project, *verbose, *resolve_dependencies),
        Command::Branches { verbose } => alembic_commands::branches(&cli.project, *verbose),
        Command::History { verbose, rev_range } => {
            alembic_commands::history(&cli.project, *verbose, rev_range.as_deref())
        }
        Command::Show { rev } => alembic_commands::show(&cli.project, rev),
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
