//! What a migration does: the `op.*` calls of its `upgrade()` and
//! `downgrade()`, read without running them.
//!
//! [`read_operations`] parses a file and walks the two functions statement
//! by statement ([`crate::parse_script_with_operations`] does it on the
//! parse that reads the script, so that loading a project for the lints
//! parses each file once; [`crate::parse_script`] does not pay for it):
//! * `walk` follows the control flow: `with op.batch_alter_table(...) as
//!   batch_op:` and `with op.get_context().autocommit_block():` blocks,
//!   branches and loops (whose operations may or may not run), connections
//!   bound from `op.get_bind()`, and helper functions of the same file
//!   called from `upgrade()`;
//! * `calls` matches each call against Alembic's signatures (positional or
//!   keyword, plain or batch form) and reads its arguments;
//! * `values` evaluates the literal parts: names, column lists,
//!   `sa.Column(...)`, server defaults, SQL text.
//!
//! Anything that is not a literal keeps its source text, so that messages
//! can quote it and rules can say they do not know rather than guess.

mod binding;
mod calls;
mod loops;
#[rustfmt::skip]
mod signatures;
mod strings;
mod updates;
mod values;
mod walk;

use std::fmt;

use alembic_doctor_source::Span;
use serde::{Deserialize, Serialize};

pub use strings::string_literals;

use crate::encoding;
use crate::recipe::Lowering;
use crate::syntax;

/// The operations of one migration file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Operations {
    /// `def upgrade(...)` at module level (the last one, as Python binds it).
    pub upgrade: Option<Function>,
    /// `def downgrade(...)` at module level.
    pub downgrade: Option<Function>,
    /// The file has syntax errors, so what is read may be incomplete.
    pub incomplete: bool,
    /// The comments that may be suppression directives (those naming
    /// [`DIRECTIVE_PREFIX`]), in order; the others are not kept, as every
    /// file has some and nothing reads them.
    pub comments: Vec<Comment>,
}

/// What a suppression directive starts with, after `#`
/// (`# alembic-doctor: ignore[rule]`).
pub const DIRECTIVE_PREFIX: &str = "alembic-doctor:";

/// A `# ...` comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// The comment's text, `#` included.
    pub text: String,
    /// Where it is.
    pub span: Span,
}

/// `upgrade()` or `downgrade()`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Function {
    /// The `def` statement.
    pub span: Span,
    /// The body does nothing: only `pass`, `...` and string literals.
    pub empty: bool,
    /// The body raises at its top level (`raise NotImplementedError(...)`):
    /// the function refuses to run, on purpose.
    pub raises: bool,
    /// Every operation, in source order (helpers expanded where called).
    pub operations: Vec<Operation>,
    /// Calls that may change the database but are not operations the
    /// reader understands (`session.add(...)`, `my_module.migrate()`), in
    /// source order.
    pub opaque: Vec<Opaque>,
    /// Calls that end the migration's transaction by hand, in source order:
    /// `connection.commit()`, `.execution_options(isolation_level=
    /// "AUTOCOMMIT")` (a `COMMIT` in raw SQL is read from the SQL).
    pub commits: Vec<Opaque>,
    /// `op.*` / `batch_op.*` calls that cannot run as written: Python
    /// raises `TypeError` before Alembic does anything.
    pub failing_calls: Vec<FailingCall>,
    /// ORM sessions opened in the function (`Session(bind=op.get_bind())`,
    /// `sessionmaker(bind=...)()`): data changed through the models.
    pub orm_sessions: Vec<Opaque>,
    /// `for row in session.query(...)` loops that assign to the rows'
    /// attributes: a data migration through the ORM.
    pub orm_loops: Vec<OrmLoop>,
}

/// An operation call that raises before it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailingCall {
    /// The call, shortened.
    pub source: String,
    /// Where it is.
    pub span: Span,
    /// Why, in words, after the call: `` gives `type_` twice (...) ``.
    pub reason: String,
}

/// A loop over an ORM query that changes the rows it loads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrmLoop {
    /// What it loops over, shortened (`session.query(User).filter(...)`).
    pub source: String,
    /// Where the loop is.
    pub span: Span,
    /// The attributes it assigns (`code`, `active`), in source order.
    pub assigned: Vec<String>,
}

/// One `op.*` (or `batch_op.*`, or `connection.execute`) call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// What it does.
    pub kind: OpKind,
    /// The call expression.
    pub span: Span,
    /// The enclosing `with op.batch_alter_table(...)`, if any.
    pub batch: Option<Batch>,
    /// Inside `with op.get_context().autocommit_block():` (outside the
    /// migration's transaction).
    pub autocommit: bool,
    /// Inside `if`/`for`/`while`/`try`/`match`: it may not run, or run
    /// several times.
    pub conditional: bool,
    /// The helper function it was reached through (`_add_columns`), when
    /// not written in `upgrade()`/`downgrade()` itself.
    pub helper: Option<String>,
    /// When it runs: its place among the function's operations and opaque
    /// calls together, in the order the walk reached them (helper code at
    /// its call site, not where the helper is defined). Merge the two lists
    /// by this, never by position in the file.
    pub order: usize,
    /// The databases it runs on, from the dialect tests around it.
    pub dialects: DialectGuard,
}

/// The databases a statement runs on, read from the `if` tests around it
/// that compare the dialect's name: `if bind.engine.name == "mysql":`,
/// `if op.get_context().dialect.name != "sqlite":`, a call to a function of
/// the same file returning such a test (`if is_postgres():`), the `else` of
/// such a test, and the rest of a function after `if ...: return`. Other tests are
/// not conditions here (they only make the statement `conditional`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialectGuard {
    /// Every one must hold; none means any database.
    pub conditions: Vec<DialectCondition>,
}

/// One dialect test: the dialect's name is (or, `negated`, is not) one of
/// `names`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialectCondition {
    /// Dialect names as written (`postgresql`, `mysql`, `sqlite`).
    pub names: Vec<String>,
    /// The test is `!=` / `not in`.
    pub negated: bool,
}

impl DialectCondition {
    /// The opposite test (the `else` branch).
    #[must_use]
    pub fn negate(&self) -> Self {
        Self {
            names: self.names.clone(),
            negated: !self.negated,
        }
    }
}

impl DialectGuard {
    /// The guarded code may run on a database whose dialect name (as
    /// `bind.dialect.name` gives it) is one of `names` (several when the project's database may go by
    /// either, as `mysql` and `mariadb`).
    pub fn admits(&self, names: &[&str]) -> bool {
        names.iter().any(|name| {
            self.conditions.iter().all(|condition| {
                condition
                    .names
                    .iter()
                    .any(|written| written.eq_ignore_ascii_case(name))
                    != condition.negated
            })
        })
    }
}

/// A `with op.batch_alter_table(table, ...) as batch_op:` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    /// The table the block alters.
    pub table: Name,
    /// `recreate=` as written (`"auto"` when absent, Alembic's default).
    pub recreate: String,
}

/// A name (of a table, column, index or constraint) as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Name {
    /// A string literal, or a module-level constant bound to one, or a
    /// string built from them (`"ix_" + TABLE`, `f"uniq_{TABLE}"`, `"%s" %
    /// TABLE`), or `op.f("...")` of one.
    Literal(String),
    /// Anything else: the expression's source, shortened.
    Dynamic(String),
    /// Not given (`op.create_index(None, ...)` lets the naming convention
    /// choose).
    Unnamed,
}

impl Name {
    /// The literal name, when known.
    pub fn literal(&self) -> Option<&str> {
        match self {
            Name::Literal(name) => Some(name),
            Name::Dynamic(_) | Name::Unnamed => None,
        }
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Name::Literal(name) => f.write_str(name),
            // The expression, in braces as in an f-string: the value of
            // `table_name`, never a table called `table_name`.
            Name::Dynamic(source) => write!(f, "{{{source}}}"),
            Name::Unnamed => f.write_str("(unnamed)"),
        }
    }
}

/// What an operation does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OpKind {
    /// `op.create_table(name, *columns_and_constraints)`.
    CreateTable {
        /// The new table.
        table: Name,
        /// Its columns, in order.
        columns: Vec<Column>,
        /// Table-level constraints (`sa.ForeignKeyConstraint(...)`, ...).
        constraints: Vec<Constraint>,
    },
    /// `op.drop_table(name)`.
    DropTable {
        /// The dropped table.
        table: Name,
    },
    /// `op.rename_table(old, new)`.
    RenameTable {
        /// The old name.
        from: Name,
        /// The new name.
        to: Name,
    },
    /// `op.add_column(table, sa.Column(...))`.
    AddColumn {
        /// The altered table.
        table: Name,
        /// The new column.
        column: Column,
    },
    /// `op.drop_column(table, column)`.
    DropColumn {
        /// The altered table.
        table: Name,
        /// The dropped column.
        column: Name,
    },
    /// `op.alter_column(table, column, ...)`.
    AlterColumn {
        /// The altered table.
        table: Name,
        /// The altered column (its name before any rename).
        column: Name,
        /// What changes.
        changes: ColumnChanges,
    },
    /// `op.create_index(name, table, columns, ...)`.
    CreateIndex(Index),
    /// `op.drop_index(name, table, ...)`.
    DropIndex {
        /// The dropped index.
        name: Name,
        /// Its table, when given.
        table: Option<Name>,
        /// `postgresql_concurrently=True`.
        concurrently: bool,
    },
    /// `op.create_foreign_key`, `create_unique_constraint`,
    /// `create_check_constraint`, `create_primary_key`,
    /// `create_exclude_constraint`.
    CreateConstraint {
        /// The altered table.
        table: Name,
        /// The constraint.
        constraint: Constraint,
    },
    /// `op.drop_constraint(name, table, type_=...)`.
    DropConstraint {
        /// The dropped constraint.
        name: Name,
        /// Its table.
        table: Name,
        /// `type_=` (`"foreignkey"`, `"unique"`, ...), when given.
        kind: Option<String>,
    },
    /// `op.execute(sql)` or `connection.execute(sql)`.
    Execute(Execute),
    /// `op.bulk_insert(table, rows)`.
    BulkInsert {
        /// The table rows go into, when it can be read from the table
        /// object's definition (`sa.table("name", ...)`).
        table: Name,
    },
    /// `op.sync_enum_values(schema, name, old_values, new_values)` as
    /// alembic-autogenerate-enums registers it: `old_values` before
    /// `new_values`, both lists of strings (by position, or by those
    /// keywords). alembic-postgresql-enum registers the same name with
    /// `new_values` third and the columns fourth (`enum_schema=`,
    /// `enum_name=`, `affected_columns=`), and recreates the type; that call
    /// stays [`OpKind::Other`]. This one commits the migration's
    /// transaction, then adds each value of `new_values` missing from
    /// `old_values`, outside any transaction, and removes nothing; unless
    /// given `should_reverse=True` and `affected_columns`, when it recreates
    /// the type with `new_values` only.
    AddEnumValues {
        /// The enum type.
        enum_name: Name,
        /// `old_values`, when a literal list of strings.
        old_values: Option<Vec<String>>,
        /// `new_values`, when a literal list of strings.
        new_values: Option<Vec<String>>,
        /// `should_reverse=` is not `False` and `affected_columns` is given:
        /// the type is recreated with `new_values`.
        recreates: bool,
    },
    /// Any other `op.*` call (`create_table_comment`, `invoke`, ...).
    Other {
        /// The function called (`create_table_comment`).
        function: String,
    },
}

/// A column definition: `sa.Column("name", sa.String(50), nullable=False)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// The column's name.
    pub name: Name,
    /// The type's source (`sa.String(length=50)`), when given.
    pub type_: Option<String>,
    /// `nullable=` as written.
    pub nullable: Nullable,
    /// `primary_key=True`.
    pub primary_key: bool,
    /// `autoincrement=` as a literal (`True`/`False`; `"auto"` and absent
    /// are `None`).
    pub autoincrement: Option<bool>,
    /// `server_default=`, when given and not `None`.
    pub server_default: Option<ServerDefault>,
    /// `unique=True`.
    pub unique: bool,
    /// `index=True`.
    pub index: bool,
    /// `sa.ForeignKey("table.column")` targets, as written.
    pub foreign_keys: Vec<String>,
}

impl Column {
    /// Whether the column accepts NULL; without `nullable=` it is
    /// `nullable=not primary_key`. `None` when `nullable=` is not a literal.
    pub fn is_nullable(&self) -> Option<bool> {
        match self.nullable {
            Nullable::Default => Some(!self.primary_key),
            Nullable::Literal(nullable) => Some(nullable),
            Nullable::Dynamic => None,
        }
    }
}

/// A column's `nullable=` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Nullable {
    /// Not given.
    Default,
    /// `nullable=True` / `nullable=False`.
    Literal(bool),
    /// Given, but not a literal.
    Dynamic,
}

/// A `server_default=` value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerDefault {
    /// The expression's source (`sa.text("now()")`).
    pub source: String,
    /// The SQL it renders to, when literal: `sa.text("now()")` → `now()`,
    /// `"0"` → `'0'`, `sa.func.now()` → `now()`.
    pub sql: Option<String>,
}

/// The changes of an `alter_column`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ColumnChanges {
    /// `nullable=` (a literal).
    pub nullable: Option<bool>,
    /// `type_=`, the new type's source.
    pub type_: Option<String>,
    /// `existing_type=`, the old type's source.
    pub existing_type: Option<String>,
    /// `server_default=`: `Some(None)` drops the default.
    pub server_default: Option<Option<ServerDefault>>,
    /// `new_column_name=`.
    pub new_name: Option<Name>,
    /// `existing_nullable=` (a literal).
    pub existing_nullable: Option<bool>,
    /// The names of the keyword arguments given, whatever their values
    /// (`nullable`, `existing_server_default`...), `**` for a `**kwargs`
    /// that may give any, `*` for positional arguments past the table and
    /// column; empty for raw SQL.
    pub keywords: Vec<String>,
}

/// An index definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Index {
    /// The index name (`op.f("ix_...")` gives the literal).
    pub name: Name,
    /// Its table (from the batch block in batch mode).
    pub table: Name,
    /// The indexed columns or expressions, as written.
    pub columns: Vec<String>,
    /// `unique=True`.
    pub unique: bool,
    /// `postgresql_concurrently=True`.
    pub concurrently: bool,
    /// `if_not_exists=True`.
    pub if_not_exists: bool,
    /// `postgresql_where=` / `sqlite_where=`, the source.
    pub where_: Option<String>,
}

/// A constraint definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Constraint {
    /// The constraint name.
    pub name: Name,
    /// What it constrains.
    pub kind: ConstraintKind,
    /// `postgresql_not_valid=True` (added without checking existing rows).
    pub not_valid: bool,
}

/// The kind of a [`Constraint`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ConstraintKind {
    /// A foreign key.
    ForeignKey {
        /// The referenced table.
        referent: Name,
        /// The constrained columns.
        local: Vec<String>,
        /// The referenced columns.
        remote: Vec<String>,
    },
    /// A unique constraint.
    Unique {
        /// The columns.
        columns: Vec<String>,
    },
    /// A check constraint.
    Check {
        /// The condition's source.
        condition: String,
    },
    /// A primary key.
    PrimaryKey {
        /// The columns.
        columns: Vec<String>,
    },
    /// An exclusion constraint (`EXCLUDE USING ...`).
    Exclude,
}

/// Raw SQL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Execute {
    /// The SQL text, when it is a literal (`"..."`, `sa.text("...")`).
    pub sql: Option<String>,
    /// The argument's source, shortened.
    pub source: String,
    /// `op.execute` or a connection's `execute`.
    pub via: ExecuteVia,
    /// The argument is an `UPDATE` built with `SQLAlchemy` Core
    /// (`t.update().values(...)`), not SQL text.
    pub update: Option<CoreUpdate>,
}

/// An `UPDATE` built with `SQLAlchemy` Core: `t.update().values(code="x")`,
/// `sa.update(t).where(...).values({"code": "x"})`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoreUpdate {
    /// The table: the one a name is bound to (`t = sa.table("user", ...)`),
    /// else the receiver's expression, known only at run time.
    pub table: Name,
    /// The columns it sets, when `.values(...)` names every one; `None`
    /// when any may be set.
    pub columns: Option<Vec<String>>,
}

/// Who runs the SQL of an [`Execute`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExecuteVia {
    /// `op.execute(...)`.
    Op,
    /// `op.get_bind().execute(...)` or a name bound to it.
    Connection,
}

/// A call the reader does not understand, inside `upgrade()`/`downgrade()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opaque {
    /// The call, shortened.
    pub source: String,
    /// Where it is.
    pub span: Span,
    /// When it runs, as [`Operation::order`].
    pub order: usize,
    /// The databases it runs on, as [`Operation::dialects`].
    pub dialects: DialectGuard,
}

/// Read the operations of a migration file without running it.
///
/// Never panics: a file that cannot be parsed at all has no functions, and
/// one with syntax errors is read as far as the parser recovered, with
/// [`Operations::incomplete`] set.
///
/// ```
/// use alembic_doctor_script::{OpKind, read_operations};
///
/// let source = br#"
/// def upgrade():
///     op.add_column("user", sa.Column("email", sa.String(255), nullable=True))
///
/// def downgrade():
///     pass
/// "#;
/// let ops = read_operations(source);
/// let upgrade = ops.upgrade.unwrap();
/// assert!(matches!(&upgrade.operations[0].kind, OpKind::AddColumn { table, .. } if table.literal() == Some("user")));
/// assert!(ops.downgrade.unwrap().empty);
/// ```
pub fn read_operations(bytes: &[u8]) -> Operations {
    let decoded = encoding::decode(bytes);
    let Ok(parsed) = syntax::parse_module(&decoded.text) else {
        return Operations::unreadable();
    };
    syntax::with_module(parsed, |parsed| of_module(bytes, &decoded, parsed))
        .unwrap_or_else(|_| Operations::unreadable())
}

impl Operations {
    /// What is known of a file that could not be read at all: nothing, and
    /// that it is incomplete.
    pub(crate) fn unreadable() -> Self {
        Self {
            incomplete: true,
            ..Self::default()
        }
    }
}

/// The operations of a parsed file (shared with [`crate::parse_script_with_operations`],
/// which reads the script from the same parse).
pub(crate) fn of_module(
    bytes: &[u8],
    decoded: &encoding::Decoded<'_>,
    parsed: &syntax::ParsedModule,
) -> Operations {
    let incomplete = !parsed.errors.is_empty() || !decoded.errors.is_empty();
    let lowering = Lowering {
        text: &decoded.text,
        original: bytes,
        map: &decoded.map,
    };
    let comments = parsed
        .comments
        .iter()
        .filter(|range| decoded.text[range.to_std_range()].contains(DIRECTIVE_PREFIX))
        .map(|range| Comment {
            text: decoded.text[range.to_std_range()].to_owned(),
            span: lowering.span(*range),
        })
        .collect();
    let (upgrade, downgrade) = walk::module(&parsed.body, &lowering);
    Operations {
        upgrade,
        downgrade,
        incomplete,
        comments,
    }
}

#[cfg(test)]
mod tests;
