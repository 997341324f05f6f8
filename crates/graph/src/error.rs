//! Alembic's exceptions, with exactly the text Alembic puts in them, and the
//! way its command line shows each one.
//!
//! Alembic raises a Python exception; `alembic.command` functions wrap some
//! calls in `ScriptDirectory._catch_revision_errors`, which turns every
//! `RevisionError` into a `CommandError` (printed as `FAILED: <text>`, exit
//! status 255) and rewrites three of them. Anything else escapes as a
//! traceback (exit status 1). [`AlembicException`] is the raw exception;
//! [`GraphError`] is what a given command shows.

use std::fmt;

/// The Python exception class Alembic raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExceptionKind {
    /// `alembic.script.revision.RevisionError` itself.
    RevisionError,
    /// `CycleDetected`: `Cycle is detected in revisions (…)`.
    CycleDetected,
    /// `DependencyCycleDetected`: `Dependency cycle is detected in revisions (…)`.
    DependencyCycleDetected,
    /// `LoopDetected`: `Self-loop is detected in revisions (…)`.
    LoopDetected,
    /// `DependencyLoopDetected`: `Dependency self-loop is detected in revisions (…)`.
    DependencyLoopDetected,
    /// `MultipleHeads`: `Multiple heads are present for given argument '…'; …`.
    MultipleHeads,
    /// `ResolutionError`: an identifier that names nothing (or too much).
    ResolutionError,
    /// `RangeNotAncestorError`: `Revision … is not an ancestor of revision …`.
    RangeNotAncestorError,
    /// `alembic.util.exc.CommandError`, raised directly by a command.
    CommandError,
    /// A bare `KeyError` (missing parent or dependency, label as parent).
    KeyError,
    /// An `assert` inside Alembic failed.
    AssertionError,
    /// `ValueError` (e.g. `history -r a:b:c`).
    ValueError,
    /// Not an exception: Alembic's `_topological_sort` never returns (it
    /// switches between slots forever on a cycle its cycle check missed).
    NeverFinishes,
    /// Not an exception: the request names `current`, which Alembic answers
    /// from the database; the caller must supply it.
    RequiresDatabase,
}

impl ExceptionKind {
    /// The qualified name Python prints on the last line of a traceback.
    pub fn python_name(self) -> &'static str {
        match self {
            ExceptionKind::RevisionError => "alembic.script.revision.RevisionError",
            ExceptionKind::CycleDetected => "alembic.script.revision.CycleDetected",
            ExceptionKind::DependencyCycleDetected => {
                "alembic.script.revision.DependencyCycleDetected"
            }
            ExceptionKind::LoopDetected => "alembic.script.revision.LoopDetected",
            ExceptionKind::DependencyLoopDetected => {
                "alembic.script.revision.DependencyLoopDetected"
            }
            ExceptionKind::MultipleHeads => "alembic.script.revision.MultipleHeads",
            ExceptionKind::ResolutionError => "alembic.script.revision.ResolutionError",
            ExceptionKind::RangeNotAncestorError => "alembic.script.revision.RangeNotAncestorError",
            ExceptionKind::CommandError => "alembic.util.exc.CommandError",
            ExceptionKind::KeyError => "KeyError",
            ExceptionKind::AssertionError => "AssertionError",
            ExceptionKind::ValueError => "ValueError",
            ExceptionKind::NeverFinishes => "(Alembic never finishes)",
            ExceptionKind::RequiresDatabase => "(needs the database)",
        }
    }

    /// Whether the class derives from `RevisionError`, i.e. whether
    /// `_catch_revision_errors` turns it into `FAILED: …`.
    pub fn is_revision_error(self) -> bool {
        matches!(
            self,
            ExceptionKind::RevisionError
                | ExceptionKind::CycleDetected
                | ExceptionKind::DependencyCycleDetected
                | ExceptionKind::LoopDetected
                | ExceptionKind::DependencyLoopDetected
                | ExceptionKind::MultipleHeads
                | ExceptionKind::ResolutionError
                | ExceptionKind::RangeNotAncestorError
        )
    }
}

/// One exception as Alembic raises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlembicException {
    /// Its class.
    pub kind: ExceptionKind,
    /// `str(exception)`. For a `KeyError` this is the `repr()` of the key
    /// (`'zzz'`); for an `AssertionError` it is empty.
    pub message: String,
    /// `ResolutionError.argument` / `MultipleHeads.argument`, which
    /// `_catch_revision_errors` puts in its own message.
    pub argument: Option<String>,
    /// `RangeNotAncestorError.lower` / `.upper`, formatted with `%s`.
    pub range: Option<(String, String)>,
}

impl AlembicException {
    pub(crate) fn new(kind: ExceptionKind, message: impl Into<String>) -> Self {
        AlembicException {
            kind,
            message: message.into(),
            argument: None,
            range: None,
        }
    }

    pub(crate) fn revision_error(message: impl Into<String>) -> Self {
        Self::new(ExceptionKind::RevisionError, message)
    }

    pub(crate) fn key_error(key: &str) -> Self {
        Self::new(ExceptionKind::KeyError, alembic_doctor_pystr::repr_str(key))
    }

    pub(crate) fn assertion() -> Self {
        Self::new(ExceptionKind::AssertionError, "")
    }

    pub(crate) fn resolution(message: impl Into<String>, argument: &str) -> Self {
        AlembicException {
            argument: Some(argument.to_owned()),
            ..Self::new(ExceptionKind::ResolutionError, message)
        }
    }

    pub(crate) fn multiple_heads(heads: &[String], argument: &str) -> Self {
        AlembicException {
            argument: Some(argument.to_owned()),
            ..Self::new(
                ExceptionKind::MultipleHeads,
                format!(
                    "Multiple heads are present for given argument '{argument}'; {}",
                    heads.join(", ")
                ),
            )
        }
    }

    /// `RangeNotAncestorError(lower, upper)`; `None` is `%s`-formatted by
    /// the caller as Python would (`None`), the message uses `or "base"`.
    pub(crate) fn range_not_ancestor(lower: Option<&str>, upper: Option<&str>) -> Self {
        let lower_text = lower.filter(|s| !s.is_empty()).unwrap_or("base");
        let upper_text = upper.filter(|s| !s.is_empty()).unwrap_or("base");
        AlembicException {
            range: Some((
                lower.unwrap_or("None").to_owned(),
                upper.unwrap_or("None").to_owned(),
            )),
            ..Self::new(
                ExceptionKind::RangeNotAncestorError,
                format!("Revision {lower_text} is not an ancestor of revision {upper_text}"),
            )
        }
    }

    /// The last line of the traceback Python prints for it.
    pub fn traceback_line(&self) -> String {
        if self.message.is_empty() {
            self.kind.python_name().to_owned()
        } else {
            format!("{}: {}", self.kind.python_name(), self.message)
        }
    }

    /// What the command line shows when the exception escapes from code that
    /// is (or is not) wrapped in `_catch_revision_errors`.
    pub(crate) fn shown(self, catch: Option<&Catch<'_>>) -> GraphError {
        let shown_as = match catch {
            Some(catch) if self.kind.is_revision_error() => {
                AlembicOutput::Failed(catch.command_error_text(&self))
            }
            _ if self.kind == ExceptionKind::CommandError => {
                AlembicOutput::Failed(self.message.clone())
            }
            _ => AlembicOutput::Traceback(self.traceback_line()),
        };
        GraphError(Box::new((self, shown_as)))
    }
}

/// The arguments a command passes to `ScriptDirectory._catch_revision_errors`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Catch<'a> {
    pub(crate) start: Option<&'a str>,
    pub(crate) end: Option<&'a str>,
}

impl Catch<'_> {
    /// `_catch_revision_errors`: the text of the `CommandError` it raises.
    fn command_error_text(&self, exception: &AlembicException) -> String {
        match exception.kind {
            ExceptionKind::RangeNotAncestorError => {
                let (lower, upper) = exception
                    .range
                    .clone()
                    .unwrap_or_else(|| ("None".to_owned(), "None".to_owned()));
                let start = self.start.map_or(lower, str::to_owned);
                let end = self.end.map_or(upper, str::to_owned);
                format!(
                    "Requested range {start}:{end} does not refer to ancestor/descendant \
                     revisions along the same branch"
                )
            }
            ExceptionKind::MultipleHeads => {
                let head_arg = self
                    .end
                    .filter(|end| !end.is_empty())
                    .map(str::to_owned)
                    .or_else(|| exception.argument.clone())
                    .unwrap_or_default();
                format!(
                    "Multiple head revisions are present for given argument '{head_arg}'; \
                     please specify a specific target revision, '<branchname>@{head_arg}' to \
                     narrow to a specific head, or 'heads' for all heads"
                )
            }
            ExceptionKind::ResolutionError => format!(
                "Can't locate revision identified by '{}'",
                exception.argument.as_deref().unwrap_or_default()
            ),
            _ => exception.message.clone(),
        }
    }
}

/// How Alembic's command line reports an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlembicOutput {
    /// `FAILED: <text>` on stdout (and `ERROR [alembic.util.messaging] <text>`
    /// on stderr), exit status 255. Holds `<text>`.
    Failed(String),
    /// A Python traceback on stderr, exit status 1. Holds its last line.
    Traceback(String),
}

/// An error from a query on the map (`upgrade_order`, `history`, `resolve`):
/// the exception Alembic raises and what the corresponding command prints.
/// (Boxed: errors are rare and the `Ok` paths stay small.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphError(Box<(AlembicException, AlembicOutput)>);

impl GraphError {
    /// The exception Alembic raises.
    pub fn exception(&self) -> &AlembicException {
        &self.0.0
    }

    /// What the Alembic command line shows for it in this command.
    pub fn shown_as(&self) -> &AlembicOutput {
        &self.0.1
    }

    /// The text Alembic's command line shows, without the `FAILED: ` prefix.
    pub fn message(&self) -> &str {
        match self.shown_as() {
            AlembicOutput::Failed(text) | AlembicOutput::Traceback(text) => text,
        }
    }
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.shown_as() {
            AlembicOutput::Failed(text) => write!(f, "FAILED: {text}"),
            AlembicOutput::Traceback(line) => f.write_str(line),
        }
    }
}

impl std::error::Error for GraphError {}
