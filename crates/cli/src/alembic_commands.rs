//! `heads`, `branches`, `history`, `show`: Alembic's read-only commands,
//! byte for byte on stdout, for every project Alembic can load.
//!
//! Where Alembic would fail with a traceback, or only warn and then print a
//! misleading answer (a duplicated id listed twice as a head), these
//! commands refuse instead: they print the findings that stop Alembic, on
//! stderr, and exit 1.

use std::io::Write;

use alembic_doctor_graph::{ExceptionKind, GraphError, RevIdx, Target};
use alembic_doctor_project::Project;
use alembic_doctor_report::AlembicView;

use crate::args::ProjectArgs;
use crate::{ExitStatus, load, output};

pub(crate) fn heads(
    args: &ProjectArgs,
    verbose: bool,
    resolve_dependencies: bool,
) -> anyhow::Result<ExitStatus> {
    with_loadable_project(args, "heads", |project, view| {
        let map = &project.map;
        let heads: &[RevIdx] = if resolve_dependencies {
            map.real_heads()
        } else {
            map.heads()
        };
        // `script.get_revisions(ids)`: each id is looked up again.
        let heads: Vec<RevIdx> = heads
            .iter()
            .map(|&h| map.lookup(&map.revisions()[h].id).unwrap_or(h))
            .collect();
        Ok(view.heads(&heads, verbose))
    })
}

pub(crate) fn branches(args: &ProjectArgs, verbose: bool) -> anyhow::Result<ExitStatus> {
    with_loadable_project(args, "branches", |project, view| {
        let order = project.map.history(None).map_err(|e| e.to_string())?;
        Ok(view.branches(&order, verbose))
    })
}

pub(crate) fn history(
    args: &ProjectArgs,
    verbose: bool,
    range: Option<&str>,
) -> anyhow::Result<ExitStatus> {
    with_loadable_project(args, "history", |project, view| {
        let order = project
            .map
            .history(range)
            .map_err(|e| argument_error(project, range.unwrap_or_default(), &e))?;
        Ok(view.history(&order, verbose))
    })
}

pub(crate) fn show(args: &ProjectArgs, rev: &str) -> anyhow::Result<ExitStatus> {
    with_loadable_project(args, "show", |project, view| {
        let targets = project
            .map
            .resolve_targets(rev)
            .map_err(|e| argument_error(project, rev, &e))?;
        let mut revisions = Vec::with_capacity(targets.len());
        for target in targets {
            match target {
                Target::Revision(r) => revisions.push(r),
                // Alembic then calls `.log_entry` on the string "base" or on
                // None and crashes with an AttributeError.
                Target::Base | Target::Nothing => {
                    return Err(format!(
                        "`{rev}` walks below the first revision of a branch, where `alembic show` \
                         crashes (AttributeError); name a revision instead, e.g. from \
                         `alembic-doctor history`"
                    ));
                }
            }
        }
        Ok(view.show(&revisions))
    })
}

/// Load the project; if Alembic could not give a trustworthy answer for it,
/// explain why on stderr and exit 1; otherwise print what `render` returns,
/// or, when the command's own argument is wrong (an unknown revision), the
/// error on stderr with exit 2.
fn with_loadable_project(
    args: &ProjectArgs,
    command: &str,
    render: impl FnOnce(&Project, &AlembicView<'_>) -> Result<String, String>,
) -> anyhow::Result<ExitStatus> {
    let project = load::project(args)?;
    let texts = |rev| alembic_doctor_report::script_text(project, rev);
    let view = AlembicView {
        map: &project.map,
        texts: &texts,
    };
    let blocking = alembic_doctor_rules::blocking(project);
    let mut stderr = anstream::stderr();
    if !blocking.is_empty() {
        writeln!(
            stderr,
            "error: `alembic {command}` would fail or mislead on this project; {} must be fixed first:\n",
            if blocking.len() == 1 {
                "this problem".to_owned()
            } else {
                format!("these {} problems", blocking.len())
            }
        )?;
        output::findings_to_stderr(project, &blocking)?;
    } else if let Some(failure) = project.map.alembic_would_fail() {
        // A safety net under the rules: whatever the map's simulation of
        // Alembic's own build says would fail, fails here too.
        let culprit = failure
            .revision
            .map(|rev| {
                format!(
                    " (revision `{}` in {})",
                    project.map.revisions()[rev].id,
                    project.file_of(rev).display_path
                )
            })
            .unwrap_or_default();
        writeln!(
            stderr,
            "error: `alembic {command}` would fail on this project with {}: {}{culprit}\n\
             Run `alembic-doctor check` for the details.",
            failure.exception.kind.python_name(),
            failure.exception.message,
        )?;
    } else {
        return match render(project, &view) {
            Ok(text) => {
                output::plain_stdout(&text)?;
                Ok(ExitStatus::Success)
            }
            Err(message) => {
                writeln!(
                    stderr,
                    "error: {}",
                    alembic_doctor_pystr::escape_for_terminal(without_failed_prefix(&message))
                )?;
                Ok(ExitStatus::Error)
            }
        };
    }
    // The chain has to be fixed first; say also whether the command's own
    // argument is wrong, so that both are fixed in one round.
    if let Err(message) = render(project, &view) {
        writeln!(
            stderr,
            "error: {}",
            alembic_doctor_pystr::escape_for_terminal(without_failed_prefix(&message))
        )?;
    }
    Ok(ExitStatus::Failure)
}

/// What is wrong with a revision argument, in words: Alembic fails on
/// some arguments with a bare `AssertionError` or `ValueError` (`show ""`,
/// `history -r ::::`, `-r base:head-18446744073709551616`), and rewrites an
/// ambiguous prefix into "Can't locate revision"; neither tells the user
/// what to change. Other errors keep Alembic's text.
fn argument_error(project: &Project, argument: &str, error: &GraphError) -> String {
    let exception = error.exception();
    let shown = alembic_doctor_pystr::repr_str(argument);
    if exception.kind == ExceptionKind::ResolutionError
        && exception
            .message
            .starts_with("Multiple revisions start with")
    {
        let key = exception.argument.as_deref().unwrap_or(argument);
        let mut matching: Vec<&str> = project
            .map
            .revisions()
            .iter()
            .map(|revision| revision.id.as_str())
            .filter(|id| id.starts_with(key))
            .collect();
        matching.sort_unstable();
        return format!(
            "{} is ambiguous: {} revision ids start with it ({}); give more characters",
            alembic_doctor_pystr::repr_str(key),
            matching.len(),
            matching.join(", ")
        );
    }
    if !matches!(
        exception.kind,
        ExceptionKind::AssertionError | ExceptionKind::ValueError
    ) {
        return error.to_string();
    }
    let what = if argument.trim().is_empty() {
        "is empty".to_owned()
    } else if argument.matches(':').count() > 1 {
        format!(
            "has {} `:`; a range has one (`start:end`, either side may be left out)",
            argument.matches(':').count()
        )
    } else if let Some(number) = argument
        .split(|c: char| !c.is_ascii_digit())
        .find(|digits| digits.len() > 9)
    {
        format!("has a relative step, {number}, larger than any chain")
    } else {
        "is not a revision Alembic can walk to".to_owned()
    };
    format!(
        "the revision argument {shown} {what}: give a revision id (or a unique prefix of at \
         least 4 characters), a branch label, `head`, `heads`, `base`, or a relative form \
         such as `head-1`; `alembic` itself fails here with {}",
        exception.kind.python_name()
    )
}

/// Alembic's own `FAILED: ` prefix reads oddly after our `error: `.
fn without_failed_prefix(message: &str) -> &str {
    message.strip_prefix("FAILED: ").unwrap_or(message)
}
