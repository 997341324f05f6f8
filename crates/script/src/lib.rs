//! One migration file, read without running it.
//!
//! This is the only crate that touches `ruff_python_parser`. It turns a file's
//! bytes into a [`Script`]: the four module-level variables Alembic reads
//! (`revision`, `down_revision`, `branch_labels`, `depends_on`), the module
//! docstring and its `Revision ID:` / `Revises:` / `Create Date:` header, and
//! every syntax error, each with byte spans into the original bytes so that a
//! later fix can rewrite exactly the bytes that must change.
//!
//! The pipeline for one file, one module each:
//! * `encoding` decodes the bytes the way CPython does (BOM, PEP 263,
//!   newline normalisation) and maps text offsets back to byte offsets;
//! * `syntax` parses with Ruff's error-recovering parser, and drops a tree
//!   that could nest deeply on a stack sized for it;
//! * `bindings` walks the module-level statements in source order, as
//!   executing the module would, and `recipe` reduces each assigned
//!   expression to what static evaluation needs;
//! * `resolve` evaluates those, following imports into the project's own
//!   modules through a [`Project`] (which parses each module once);
//! * `docstring` reads `__doc__` and its header;
//! * `normalise` applies Alembic's `to_tuple` / `tuple_rev_as_scalar` for
//!   the graph builder ([`Script::down_revisions`] and friends).
//!
//! What a migration *does* is read separately, on demand, by
//! [`read_operations`] (`ops`): the graph commands never need it.

mod bindings;
mod copies;
mod docstring;
mod encoding;
mod nesting;
mod normalise;
mod ops;
mod project;
mod read;
mod recipe;
mod resolve;
mod syntax;

use alembic_doctor_source::{LineIndex, Span};
// Every type of a [`Script`] derives these, so that a parse cache can store
// a script and read it back; a new field only needs its type to derive them.
use serde::{Deserialize, Serialize};

pub use copies::{file_name_with_id, same_migration};
pub use encoding::{DisplayText, display_text};
pub use normalise::{RevisionId, ValueProblem, legacy_revision_id};
pub use ops::{
    Batch, Column, ColumnChanges, Comment, Constraint, ConstraintKind, CoreUpdate,
    DIRECTIVE_PREFIX, DialectCondition, DialectGuard, Execute, ExecuteVia, FailingCall, Function,
    Index, Name, Nullable, OpKind, Opaque, Operation, Operations, OrmLoop, ServerDefault,
    read_operations, string_literals,
};
pub use project::{DiskFiles, Project, ProjectFiles, ScriptContext};
pub use read::{parse_script, parse_script_tracked, parse_script_with_operations};

/// Everything alembic-doctor knows about one migration file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Script {
    /// `revision = ...`
    pub revision: Variable,
    /// `down_revision = ...`
    pub down_revision: Variable,
    /// `branch_labels = ...`
    pub branch_labels: Variable,
    /// `depends_on = ...`
    pub depends_on: Variable,
    /// The module docstring, if the first statement is a string literal.
    pub docstring: Option<Docstring>,
    /// Every error Python would raise before running the module, in file
    /// order: undecodable bytes, every grammar error the parser reported,
    /// and the compile-time errors of module-level code (`return` outside a
    /// function, ...). The variables above are still recovered from the
    /// rest of the file.
    pub syntax_errors: Vec<SyntaxError>,
    /// Module-level statements that parse but make the import fail when
    /// Alembic loads the file (a relative import: Alembic loads each
    /// migration as a top-level module, without a parent package).
    pub import_errors: Vec<ImportError>,
    /// Line starts of the file, for printing spans.
    pub line_index: LineIndex,
}

/// A module-level variable as the file binds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Variable {
    /// Never assigned at module level.
    Missing,
    /// Assigned; when assigned several times, the last binding (the one
    /// Alembic sees after executing the module).
    Bound(Binding),
}

/// One assignment of a module-level variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Binding {
    /// The evaluated value.
    pub value: Value,
    /// The whole assignment statement (`revision: str = "abc"`).
    pub statement: Span,
    /// The value expression (`"abc"`).
    pub value_span: Span,
    /// The assignment sits inside `if`/`try`/`with`/`for`/`while`/`match`,
    /// so whether it runs cannot be known without executing the file.
    pub conditional: bool,
}

/// The value of an expression, as far as it can be known statically.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Value {
    /// `None`
    None,
    /// A string literal (after implicit concatenation and name resolution).
    Str(StrLiteral),
    /// A tuple, list or set literal.
    Sequence {
        /// Which display it was written as.
        kind: SequenceKind,
        /// The elements, in declaration order (a set's duplicates dropped).
        items: Vec<Value>,
    },
    /// A literal Alembic cannot use as an id (`5`, `True`, `b"x"`, ...), with
    /// a short description for messages.
    OtherLiteral(String),
    /// Not a literal and not resolvable; `reason` says why, in words fit for
    /// a message ("`REV` is imported from `app.constants`, which was not
    /// found in the project").
    Unknown {
        /// Why, in words fit for a message.
        reason: String,
        /// The expression in this file that cannot be known (for a value
        /// from another module, the reference to it here).
        span: Span,
    },
}

/// A string literal and where its characters live in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrLiteral {
    /// The string's value.
    pub value: String,
    /// The bytes between the quotes when the value came from exactly one
    /// literal in this file and those bytes spell the value exactly (no
    /// escape sequences, no re-encoding): the span a rename rewrites. `None`
    /// when it was concatenated, resolved from a name, read from another
    /// module, or written differently from its value.
    pub content_span: Option<Span>,
    /// Where the value came from, when not written in place
    /// (`"app/constants.py: REV_X"`), for messages.
    pub origin: Option<String>,
}

/// Which literal a [`Value::Sequence`] was written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SequenceKind {
    /// `(...)`, or `tuple(...)`.
    Tuple,
    /// `[...]`, or `list(...)`.
    List,
    /// A `set`/`frozenset`: Alembic then takes the order from string
    /// hashing, which changes from run to run.
    Set,
}

/// The module docstring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Docstring {
    /// `__doc__.strip()`: Alembic's `Script.longdoc`.
    pub longdoc: String,
    /// The first paragraph of `longdoc`: Alembic's `Script.doc`.
    pub doc: String,
    /// The docstring literal.
    pub span: Span,
    /// The `Revision ID:` / `Revises:` / `Create Date:` lines, if present.
    pub header: Header,
}

/// The informational header Alembic's template writes into the docstring.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Header {
    /// `Revision ID: <id>`.
    pub revision_id: Option<HeaderLine>,
    /// `Revises: <parents joined by ", ">` (empty for a base).
    pub revises: Option<HeaderLine>,
    /// `Create Date: <str(datetime)>`.
    pub create_date: Option<HeaderLine>,
}

/// One header line's value (text after `Revises:`, trimmed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderLine {
    /// The text after the key, stripped as Python's `str.strip()` does.
    pub value: String,
    /// The value's bytes in the file, when the docstring has no escapes
    /// before it and the bytes spell the value exactly (so that a fix can
    /// rewrite them).
    pub value_span: Option<Span>,
    /// The whole line in the file, without its line break. Exact when
    /// `value_span` is known; past an escape sequence the line is counted
    /// from the docstring's start.
    pub line_span: Span,
}

/// An error that stops Python from compiling the file: a `SyntaxError`
/// (or Python's decoding error), with Ruff's or CPython's wording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyntaxError {
    /// What is wrong.
    pub message: String,
    /// Where, in the original bytes.
    pub span: Span,
}

/// A statement that parses but fails when Alembic imports the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportError {
    /// What Python raises, and why.
    pub message: String,
    /// The import statement.
    pub span: Span,
}
