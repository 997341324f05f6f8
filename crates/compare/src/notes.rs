//! What each new revision does, and what a reviewer must do about it,
//! derived from its `upgrade()` and `downgrade()` (never written by hand).
//!
//! The notes walk the new revisions in upgrade order and remember the
//! tables the new revisions themselves created, so that "existing table"
//! means what a reviewer means: a table that may already hold rows in
//! production when the migration runs.

use std::collections::{BTreeMap, BTreeSet};

use alembic_doctor_rules::{AddedColumn, Dialect, added_columns};
use alembic_doctor_script::{
    Column, ColumnChanges, ConstraintKind, Function, Index, Name, OpKind, Operation, Operations,
    read_operations,
};
use alembic_doctor_source::LineIndex;
use rayon::prelude::*;

/// How much a note matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoteLevel {
    /// What the migration does.
    Info,
    /// Something to act on before or after merging.
    Warning,
}

impl NoteLevel {
    /// `info` / `warning`, for JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            NoteLevel::Info => "info",
            NoteLevel::Warning => "warning",
        }
    }
}

/// One note about a revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// A stable kebab-case code (`backfill-needed`), for tools.
    pub code: &'static str,
    /// Info or warning.
    pub level: NoteLevel,
    /// The note, in Markdown (names in backticks).
    pub message: String,
    /// The 1-based line it is about, when one.
    pub line: Option<usize>,
}

/// The notes of one new revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionNotes {
    /// The revision id.
    pub id: String,
    /// Its file, as displayed.
    pub path: String,
    /// The HEAD side it is new on.
    pub side: String,
    /// The revision's message (`Script.doc`).
    pub message: String,
    /// What `upgrade()` does, then what to act on, in file order.
    pub notes: Vec<Note>,
    /// What `alembic downgrade` below this revision does.
    pub rollback: Rollback,
}

/// What `downgrade()` does for a rollback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rollback {
    /// It has operations (or has nothing to undo: `upgrade()` is empty too).
    Reverses,
    /// It is empty while `upgrade()` changes something: a rollback
    /// reports success and leaves the schema as it was.
    Empty,
    /// It raises: the revision says it cannot be undone.
    Raises,
    /// There is no `downgrade()`.
    Missing,
}

impl Rollback {
    /// `reverses` / `empty` / `raises` / `missing`, for JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Rollback::Reverses => "reverses",
            Rollback::Empty => "empty",
            Rollback::Raises => "raises",
            Rollback::Missing => "missing",
        }
    }
}

fn rollback(operations: &Operations) -> Rollback {
    match &operations.downgrade {
        None => Rollback::Missing,
        // A call that cannot run (an argument given twice) raises as surely
        // as `raise NotImplementedError`.
        Some(downgrade) if downgrade.raises || !downgrade.failing_calls.is_empty() => {
            Rollback::Raises
        }
        Some(downgrade) if downgrade.empty && !upgrade_is_empty(operations) => Rollback::Empty,
        Some(_) => Rollback::Reverses,
    }
}

/// Whether a note says what a safety lint says more precisely: such notes
/// give way to the lint's finding when the lints ran on the revision.
pub(crate) fn covered_by_lints(code: &str) -> bool {
    matches!(
        code,
        "not-null-without-default"
            | "set-not-null"
            | "type-change"
            | "rename-column"
            | "rename-table"
            | "drop-column"
            | "drop-table"
            | "index-on-existing-table"
            | "downgrade-empty"
            | "downgrade-missing"
    )
}

/// One new revision to describe, in upgrade order.
pub(crate) struct NewRevision<'a> {
    pub(crate) id: &'a str,
    pub(crate) path: &'a str,
    pub(crate) side: &'a str,
    pub(crate) message: &'a str,
    pub(crate) bytes: &'a [u8],
    pub(crate) line_index: &'a LineIndex,
    /// It merges several heads.
    pub(crate) merge_of: Vec<String>,
}

/// Notes for `revisions`, given in upgrade order.
pub(crate) fn notes(revisions: &[NewRevision<'_>]) -> Vec<RevisionNotes> {
    // Reading parses each file again: in parallel, then the notes in order.
    let operations: Vec<Operations> = revisions
        .par_iter()
        .map(|revision| read_operations(revision.bytes))
        .collect();
    // Tables created by earlier new revisions: not yet in production.
    let mut created: BTreeSet<String> = BTreeSet::new();
    revisions
        .iter()
        .zip(&operations)
        .map(|(revision, operations)| {
            let mut writer = Writer {
                line_index: revision.line_index,
                created: &mut created,
                notes: Vec::new(),
                added: Vec::new(),
            };
            writer.revision(revision, operations);
            RevisionNotes {
                id: revision.id.to_owned(),
                path: revision.path.to_owned(),
                side: revision.side.to_owned(),
                message: revision.message.to_owned(),
                notes: writer.notes,
                rollback: rollback(operations),
            }
        })
        .collect()
}

struct Writer<'a> {
    line_index: &'a LineIndex,
    created: &'a mut BTreeSet<String>,
    notes: Vec<Note>,
    /// The columns `upgrade()` adds empty, and what fills each, as the
    /// `not-null-without-backfill` rule reads it.
    added: Vec<AddedColumn>,
}

impl Writer<'_> {
    fn revision(&mut self, revision: &NewRevision<'_>, operations: &Operations) {
        if operations.incomplete {
            self.push(
                "incomplete",
                NoteLevel::Warning,
                None,
                "the file has syntax errors: what it does was read as far as the parser recovered"
                    .to_owned(),
            );
        }
        match &operations.upgrade {
            None => self.push(
                "upgrade-missing",
                NoteLevel::Warning,
                None,
                "no `upgrade()` function: `alembic upgrade` fails on this revision".to_owned(),
            ),
            Some(upgrade) if upgrade.empty => {
                let message = if revision.merge_of.is_empty() {
                    "`upgrade()` is empty: the revision changes nothing".to_owned()
                } else {
                    format!(
                        "merges {} without changing the schema",
                        join_code(&revision.merge_of)
                    )
                };
                self.push(
                    "upgrade-empty",
                    NoteLevel::Info,
                    Some(upgrade.span.start),
                    message,
                );
            }
            Some(upgrade) => self.upgrade(upgrade),
        }
        if let Some(upgrade) = &operations.upgrade {
            for call in &upgrade.failing_calls {
                self.push(
                    "upgrade-call-fails",
                    NoteLevel::Warning,
                    Some(call.span.start),
                    format!(
                        "`upgrade()` cannot run: `{}` {}: `alembic upgrade` fails on this revision",
                        call.source, call.reason
                    ),
                );
            }
        }
        if let Some(downgrade) = &operations.downgrade {
            for call in &downgrade.failing_calls {
                self.push(
                    "downgrade-call-fails",
                    NoteLevel::Warning,
                    Some(call.span.start),
                    format!(
                        "`downgrade()` cannot run: `{}` {}: this revision cannot be rolled back",
                        call.source, call.reason
                    ),
                );
            }
        }
        match &operations.downgrade {
            None => self.push(
                "downgrade-missing",
                NoteLevel::Warning,
                None,
                "no `downgrade()` function: this revision cannot be rolled back".to_owned(),
            ),
            Some(downgrade) if downgrade.empty && !upgrade_is_empty(operations) => self.push(
                "downgrade-empty",
                NoteLevel::Warning,
                Some(downgrade.span.start),
                "downgrade is empty: this revision cannot be rolled back".to_owned(),
            ),
            Some(_) => {}
        }
    }

    fn upgrade(&mut self, upgrade: &Function) {
        // The SQL that fills a column (`UPDATE t SET c = ...`) reads the
        // same in every dialect.
        self.added = added_columns(upgrade, Dialect::Other);
        // Tables this revision creates, for "existing table" below.
        let mut here: BTreeSet<String> = BTreeSet::new();
        // Indexes built on existing tables, reported once per table.
        let mut blocking_indexes: BTreeMap<String, (Vec<String>, u32)> = BTreeMap::new();
        for operation in &upgrade.operations {
            if let OpKind::CreateTable { table, .. } = &operation.kind
                && let Some(name) = table.literal()
            {
                here.insert(name.to_owned());
            }
            let existing = |table: &Name| match table.literal() {
                Some(name) => !here.contains(name) && !self.created.contains(name),
                // A table named at run time may well exist.
                None => true,
            };
            let existing_table = operation_table(&operation.kind).is_some_and(existing);
            self.describe(operation, existing_table);
            if let OpKind::CreateIndex(index) = &operation.kind
                && existing_table
                && !index.concurrently
            {
                let entry = blocking_indexes
                    .entry(index.table.to_string())
                    .or_insert_with(|| (Vec::new(), operation.span.start));
                entry.0.push(format!("`{}`", index.name));
            }
        }
        for (table, (indexes, at)) in blocking_indexes {
            let plural = if indexes.len() == 1 {
                "index"
            } else {
                "indexes"
            };
            self.push(
                "index-on-existing-table",
                NoteLevel::Warning,
                Some(at),
                format!(
                    "{plural} {} created on existing table `{table}` without `postgresql_concurrently=True`: \
                     writes to `{table}` are blocked while {}",
                    indexes.join(", "),
                    if indexes.len() == 1 { "it builds" } else { "they build" }
                ),
            );
        }
        self.orm(upgrade);
        for opaque in &upgrade.opaque {
            self.push(
                "opaque-call",
                NoteLevel::Info,
                Some(opaque.span.start),
                format!(
                    "calls `{}`, which alembic-doctor cannot interpret: review what it changes",
                    opaque.source
                ),
            );
        }
        self.created.extend(here);
    }

    /// A data migration through the ORM: a session opened on the
    /// migration's connection, and loops over its queries that change the
    /// rows they load.
    fn orm(&mut self, upgrade: &Function) {
        if upgrade.orm_sessions.is_empty() && upgrade.orm_loops.is_empty() {
            return;
        }
        let mut what = Vec::new();
        if let Some(session) = upgrade.orm_sessions.first() {
            what.push(format!("opens `{}`", session.source));
        }
        for found in &upgrade.orm_loops {
            let assigned: Vec<String> = found.assigned.iter().map(|a| format!("`{a}`")).collect();
            what.push(format!(
                "sets {} on each row of `{}` (line {})",
                assigned.join(", "),
                found.source,
                self.line_index.line_of(found.span.start) + 1
            ));
        }
        let at = upgrade
            .orm_sessions
            .first()
            .map(|s| s.span.start)
            .into_iter()
            .chain(upgrade.orm_loops.first().map(|l| l.span.start))
            .min();
        self.push(
            "orm-data-migration",
            NoteLevel::Warning,
            at,
            format!(
                "data migration through the ORM: {}; it changes rows, not the schema, using the application's models as they are when it runs (not as they were when it was written) and loading every matching row: test it on a copy of production data, and time it",
                what.join(", then ")
            ),
        );
    }

    /// The "does" line of one operation, and the warnings it calls for.
    fn describe(&mut self, operation: &Operation, existing_table: bool) {
        let at = Some(operation.span.start);
        let suffix = context_suffix(operation);
        match &operation.kind {
            OpKind::CreateTable { table, columns, .. } => {
                let names: Vec<String> = columns.iter().map(|c| c.name.to_string()).collect();
                self.info(
                    "create-table",
                    at,
                    format!(
                        "creates table `{table}` ({} column{}: {}){suffix}",
                        columns.len(),
                        if columns.len() == 1 { "" } else { "s" },
                        names.join(", ")
                    ),
                );
            }
            OpKind::DropTable { table } => self.push(
                "drop-table",
                NoteLevel::Warning,
                at,
                format!(
                    "drops table `{table}`{suffix}: its data is lost, and code still using it fails"
                ),
            ),
            OpKind::RenameTable { from, to } => self.push(
                "rename-table",
                NoteLevel::Warning,
                at,
                format!(
                    "renames table `{from}` to `{to}`{suffix}: code deployed before this revision still uses `{from}`"
                ),
            ),
            OpKind::AddColumn { table, column } => self.add_column(table, column, existing_table, at, &suffix),
            OpKind::DropColumn { table, column } => self.push(
                "drop-column",
                NoteLevel::Warning,
                at,
                format!(
                    "drops column `{table}.{column}`{suffix}: its data is lost, and code still using it fails"
                ),
            ),
            OpKind::AlterColumn {
                table,
                column,
                changes,
            } => self.alter_column(table, column, changes, existing_table, at, &suffix),
            OpKind::CreateIndex(index) => self.info("create-index", at, describe_index(index, &suffix)),
            OpKind::DropIndex { name, table, .. } => {
                let on = table
                    .as_ref()
                    .map(|table| format!(" on `{table}`"))
                    .unwrap_or_default();
                self.info("drop-index", at, format!("drops index `{name}`{on}{suffix}"));
            }
            OpKind::CreateConstraint { table, constraint } => {
                let (what, detail) = match &constraint.kind {
                    ConstraintKind::ForeignKey {
                        referent,
                        local,
                        remote,
                    } => (
                        "foreign key",
                        format!(" ({}) → `{referent}` ({})", local.join(", "), remote.join(", ")),
                    ),
                    ConstraintKind::Unique { columns } => {
                        ("unique constraint", format!(" ({})", columns.join(", ")))
                    }
                    ConstraintKind::Check { condition } => {
                        ("check constraint", format!(": `{condition}`"))
                    }
                    ConstraintKind::PrimaryKey { columns } => {
                        ("primary key", format!(" ({})", columns.join(", ")))
                    }
                    ConstraintKind::Exclude => ("exclusion constraint", String::new()),
                };
                let message = if matches!(constraint.name, Name::Unnamed) {
                    // The naming convention (or the database) names it.
                    format!("adds an unnamed {what} on `{table}`{detail}{suffix}")
                } else {
                    format!("adds {what} `{}` on `{table}`{detail}{suffix}", constraint.name)
                };
                self.info("create-constraint", at, message);
            }
            OpKind::DropConstraint { name, table, kind } => {
                let what = match kind.as_deref() {
                    None => "constraint".to_owned(),
                    Some("foreignkey") => "foreign key constraint".to_owned(),
                    Some("primary") => "primary key constraint".to_owned(),
                    Some(kind) => format!("{kind} constraint"),
                };
                self.info("drop-constraint", at, format!("drops {what} `{name}` on `{table}`{suffix}"));
            }
            OpKind::Execute(execute) => {
                let message = match (&execute.sql, &execute.update) {
                    (Some(sql), _) => format!("runs SQL{suffix}: `{}`", one_line(sql)),
                    (None, Some(update)) => format!(
                        "updates rows of `{}` (a SQLAlchemy Core UPDATE){suffix}: `{}`",
                        update.table, execute.source
                    ),
                    (None, None) => format!(
                        "runs SQL built at run time{suffix}: `{}` (not shown: it is not a literal)",
                        execute.source
                    ),
                };
                self.info("execute", at, message);
            }
            OpKind::BulkInsert { table } => {
                self.info("bulk-insert", at, format!("inserts rows into `{table}`{suffix}"));
            }
            OpKind::AddEnumValues { enum_name, .. } => {
                self.info(
                    "other-operation",
                    at,
                    format!("calls `op.sync_enum_values` (alembic-autogenerate-enums) on enum type `{enum_name}`{suffix}"),
                );
            }
            OpKind::Other { function } => {
                self.info("other-operation", at, format!("calls `op.{function}`{suffix}"));
            }
        }
    }

    fn add_column(
        &mut self,
        table: &Name,
        column: &Column,
        existing: bool,
        at: Option<u32>,
        suffix: &str,
    ) {
        let nullable = column.is_nullable();
        let mut traits = Vec::new();
        if let Some(type_) = &column.type_ {
            traits.push(format!("`{type_}`"));
        }
        traits.push(
            match nullable {
                Some(true) => "nullable",
                Some(false) => "NOT NULL",
                None => "nullability set at run time",
            }
            .to_owned(),
        );
        if let Some(default) = &column.server_default {
            traits.push(format!(
                "server default `{}`",
                default.sql.as_deref().unwrap_or(&default.source)
            ));
        }
        self.info(
            "add-column",
            at,
            format!(
                "adds column `{table}.{}` ({}){suffix}",
                column.name,
                traits.join(", ")
            ),
        );
        if !existing {
            return;
        }
        let filled = self
            .added
            .iter()
            .find(|added| at == Some(added.added_at))
            .and_then(|added| added.filled_at);
        match (nullable, &column.server_default) {
            (Some(true), None) if filled.is_some() => {
                let line = filled.map_or(0, |at| self.line_index.line_of(at) + 1);
                self.push(
                    "backfilled",
                    NoteLevel::Info,
                    at,
                    format!(
                        "existing rows of `{table}` get `{}` from line {line} of this revision (a backfill in the same revision)",
                        column.name
                    ),
                );
            }
            (Some(true), None) => {
                self.push(
                    "backfill-needed",
                    NoteLevel::Warning,
                    at,
                    // One note per column: the backfill, and why it must
                    // come before any NOT NULL.
                    format!(
                        "existing rows of `{table}` will have NULL in `{0}`: plan a backfill (and run it before making `{0}` NOT NULL)",
                        column.name
                    ),
                );
            }
            (Some(false), None) => self.push(
                "not-null-without-default",
                NoteLevel::Warning,
                at,
                format!(
                    "`{}` is NOT NULL without a server default: adding it fails if `{table}` has rows",
                    column.name
                ),
            ),
            _ => {}
        }
    }

    fn alter_column(
        &mut self,
        table: &Name,
        column: &Name,
        changes: &ColumnChanges,
        existing: bool,
        at: Option<u32>,
        suffix: &str,
    ) {
        let mut what = Vec::new();
        if let Some(nullable) = changes.nullable {
            what.push(if nullable {
                "makes it nullable".to_owned()
            } else {
                "makes it NOT NULL".to_owned()
            });
        }
        if let Some(type_) = &changes.type_ {
            match &changes.existing_type {
                Some(old) => what.push(format!("changes its type from `{old}` to `{type_}`")),
                None => what.push(format!("changes its type to `{type_}`")),
            }
        }
        match &changes.server_default {
            Some(Some(default)) => what.push(format!(
                "sets its server default to `{}`",
                default.sql.as_deref().unwrap_or(&default.source)
            )),
            Some(None) => what.push("drops its server default".to_owned()),
            None => {}
        }
        if let Some(new_name) = &changes.new_name {
            what.push(format!("renames it to `{new_name}`"));
        }
        if what.is_empty() {
            what.push(
                "changes nothing the reader can see (only `existing_*` arguments)".to_owned(),
            );
        }
        self.info(
            "alter-column",
            at,
            format!(
                "alters column `{table}.{column}`{suffix}: {}",
                what.join(", ")
            ),
        );
        if !existing {
            return;
        }
        if changes.nullable == Some(false) {
            self.push(
                "set-not-null",
                NoteLevel::Warning,
                at,
                format!(
                    "making `{table}.{column}` NOT NULL fails if any existing row has NULL in it: backfill first"
                ),
            );
        }
        if changes.type_.is_some() {
            self.push(
                "type-change",
                NoteLevel::Warning,
                at,
                format!(
                    "changing the type of `{table}.{column}` may rewrite `{table}` and block it while it runs"
                ),
            );
        }
        if let Some(new_name) = &changes.new_name {
            self.push(
                "rename-column",
                NoteLevel::Warning,
                at,
                format!(
                    "renaming `{table}.{column}` to `{new_name}`: code deployed before this revision still uses `{column}`"
                ),
            );
        }
    }

    fn info(&mut self, code: &'static str, at: Option<u32>, message: String) {
        self.push(code, NoteLevel::Info, at, message);
    }

    fn push(&mut self, code: &'static str, level: NoteLevel, at: Option<u32>, message: String) {
        self.notes.push(Note {
            code,
            level,
            message,
            line: at.map(|at| self.line_index.line_of(at) + 1),
        });
    }
}

/// The table an operation changes.
fn operation_table(kind: &OpKind) -> Option<&Name> {
    match kind {
        OpKind::AddColumn { table, .. }
        | OpKind::DropColumn { table, .. }
        | OpKind::AlterColumn { table, .. }
        | OpKind::CreateConstraint { table, .. }
        | OpKind::DropConstraint { table, .. } => Some(table),
        OpKind::CreateIndex(index) => Some(&index.table),
        _ => None,
    }
}

fn upgrade_is_empty(operations: &Operations) -> bool {
    operations
        .upgrade
        .as_ref()
        .is_some_and(|upgrade| upgrade.empty)
}

/// Where an operation runs, when it matters: "(in batch mode)", "(only
/// under a condition)".
fn context_suffix(operation: &Operation) -> String {
    let mut parts = Vec::new();
    if let Some(batch) = &operation.batch {
        parts.push(format!(
            "in `batch_alter_table` (recreate={})",
            batch.recreate
        ));
    }
    if operation.autocommit {
        parts.push("outside the transaction (`autocommit_block`)".to_owned());
    }
    if operation.conditional {
        parts.push("under a condition or in a loop".to_owned());
    }
    if let Some(helper) = &operation.helper {
        parts.push(format!("via `{helper}()`"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}

fn describe_index(index: &Index, suffix: &str) -> String {
    let mut traits = Vec::new();
    if index.unique {
        traits.push("unique");
    }
    if index.concurrently {
        traits.push("concurrently");
    }
    if index.where_.is_some() {
        traits.push("partial");
    }
    let traits = if traits.is_empty() {
        String::new()
    } else {
        format!(", {}", traits.join(", "))
    };
    if matches!(index.name, Name::Unnamed) {
        return format!(
            "creates an unnamed index on `{}` ({}{traits}){suffix}",
            index.table,
            index.columns.join(", ")
        );
    }
    format!(
        "creates index `{}` on `{}` ({}{traits}){suffix}",
        index.name,
        index.table,
        index.columns.join(", ")
    )
}

/// SQL on one line, shortened for a note.
fn one_line(sql: &str) -> String {
    const MAX: usize = 200;
    let words: Vec<&str> = sql.split_whitespace().collect();
    let joined = words.join(" ").replace('`', "'");
    if joined.chars().count() > MAX {
        let cut: String = joined.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        joined
    }
}

fn join_code(ids: &[String]) -> String {
    ids.iter()
        .map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notes_of(files: &[(&str, &str)]) -> Vec<RevisionNotes> {
        let indexes: Vec<LineIndex> = files
            .iter()
            .map(|(_, source)| LineIndex::new(source.as_bytes()))
            .collect();
        let revisions: Vec<NewRevision<'_>> = files
            .iter()
            .zip(&indexes)
            .map(|((id, source), line_index)| NewRevision {
                id,
                path: id,
                side: "feature",
                message: "",
                bytes: source.as_bytes(),
                line_index,
                merge_of: Vec::new(),
            })
            .collect();
        notes(&revisions)
    }

    fn codes(notes: &RevisionNotes) -> Vec<&'static str> {
        notes.notes.iter().map(|note| note.code).collect()
    }

    const JOIN_CODE: &str = r"
def upgrade():
    op.add_column('transaction', sa.Column('join_code', sa.String(length=20), nullable=True))
    op.create_index(op.f('ix_transaction_join_code'), 'transaction', ['join_code'], unique=False)
    op.create_index('ix_transaction_student_join_code', 'transaction', ['student_id', 'join_code'])

def downgrade():
    pass
";

    #[test]
    fn new_nullable_column_on_existing_table_needs_a_backfill() {
        let notes = notes_of(&[("00212c18b0ac", JOIN_CODE)]);
        assert_eq!(
            codes(&notes[0]),
            [
                "add-column",
                "backfill-needed",
                "create-index",
                "create-index",
                "index-on-existing-table",
                "downgrade-empty"
            ]
        );
        let messages: Vec<&str> = notes[0].notes.iter().map(|n| n.message.as_str()).collect();
        assert_eq!(
            messages[1],
            "existing rows of `transaction` will have NULL in `join_code`: plan a backfill (and run it before making `join_code` NOT NULL)"
        );
        assert_eq!(
            messages[4],
            "indexes `ix_transaction_join_code`, `ix_transaction_student_join_code` created on existing \
             table `transaction` without `postgresql_concurrently=True`: writes to `transaction` are \
             blocked while they build"
        );
        assert_eq!(notes[0].notes[0].line, Some(3));
        assert_eq!(notes[0].notes[5].line, Some(7));
    }

    #[test]
    fn tables_created_by_new_revisions_are_not_existing() {
        let create = r"
def upgrade():
    op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True))
    op.add_column('badge', sa.Column('name', sa.String()))
    op.create_index('ix_badge_name', 'badge', ['name'])

def downgrade():
    op.drop_table('badge')
";
        let later = r"
def upgrade():
    op.add_column('badge', sa.Column('colour', sa.String(), nullable=False))
    op.alter_column('badge', 'name', nullable=False)

def downgrade():
    op.drop_column('badge', 'colour')
";
        let notes = notes_of(&[("a", create), ("b", later)]);
        assert_eq!(
            codes(&notes[0]),
            ["create-table", "add-column", "create-index"]
        );
        assert_eq!(codes(&notes[1]), ["add-column", "alter-column"]);
    }

    #[test]
    fn not_null_without_default_and_risky_alters() {
        let source = r"
def upgrade():
    op.add_column('user', sa.Column('age', sa.Integer(), nullable=False))
    op.add_column('user', sa.Column('plan', sa.String(), nullable=False, server_default='free'))
    op.alter_column('user', 'email', nullable=False, type_=sa.Text(), existing_type=sa.String(255))
    op.alter_column('user', 'nick', new_column_name='handle')
    op.drop_column('user', 'legacy')
    op.execute('''UPDATE user
                  SET plan = 'free' ''')

def downgrade():
    raise NotImplementedError()
";
        let notes = notes_of(&[("x", source)]);
        assert_eq!(
            codes(&notes[0]),
            [
                "add-column",
                "not-null-without-default",
                "add-column",
                "alter-column",
                "set-not-null",
                "type-change",
                "alter-column",
                "rename-column",
                "drop-column",
                "execute",
            ]
        );
        assert_eq!(
            notes[0].notes[3].message,
            "alters column `user.email`: makes it NOT NULL, changes its type from `sa.String(255)` to `sa.Text()`"
        );
        assert_eq!(
            notes[0].notes[9].message,
            "runs SQL: `UPDATE user SET plan = 'free'`"
        );
    }

    /// Seen in openstack/octavia (fac584114642): the revision fills the
    /// column it adds before making it NOT NULL. An UPDATE of the column,
    /// however it is written, after the `add_column` is a backfill.
    #[test]
    fn a_revision_that_backfills_its_own_column_needs_no_backfill() {
        let sql = r#"
def upgrade():
    op.add_column('health_monitor', sa.Column('id', sa.String(length=36), nullable=True))
    op.execute("UPDATE health_monitor SET id = pool_id")
    op.execute("ALTER TABLE health_monitor MODIFY id varchar(36) NOT NULL")

def downgrade():
    op.drop_column('health_monitor', 'id')
"#;
        let bind = r#"
def upgrade():
    op.add_column('t', sa.Column('c', sa.String(), nullable=True))
    op.get_bind().execute(sa.text("UPDATE t SET c = 'x'"))

def downgrade():
    op.drop_column('t', 'c')
"#;
        let table = r"
def upgrade():
    op.add_column('t', sa.Column('c', sa.String(), nullable=True))
    t = sa.table('t', sa.column('c'))
    op.execute(t.update().values(c='x'))

def downgrade():
    op.drop_column('t', 'c')
";
        // Filling another column, or filling before the column exists, is
        // no backfill of it.
        let other = r#"
def upgrade():
    op.execute("UPDATE t SET c = 'x'")
    op.add_column('t', sa.Column('c', sa.String(), nullable=True))
    op.execute("UPDATE t SET d = 'x'")

def downgrade():
    op.drop_column('t', 'c')
"#;
        let notes = notes_of(&[("a", sql), ("b", bind), ("c", table), ("d", other)]);
        for revision in &notes[..3] {
            assert!(
                !codes(revision).contains(&"backfill-needed"),
                "{}: {:?}",
                revision.id,
                revision.notes
            );
        }
        assert!(
            codes(&notes[0]).contains(&"backfilled"),
            "{:?}",
            notes[0].notes
        );
        assert!(
            codes(&notes[3]).contains(&"backfill-needed"),
            "{:?}",
            notes[3].notes
        );
        // The Core UPDATE is said for what it is, not as opaque SQL.
        assert!(
            notes[2].notes.iter().any(|note| note.message
                == "updates rows of `t` (a SQLAlchemy Core UPDATE): `t.update().values(c='x')`"),
            "{:?}",
            notes[2].notes
        );
    }

    #[test]
    fn missing_and_empty_functions() {
        let notes = notes_of(&[
            (
                "merge",
                "def upgrade():\n    pass\n\ndef downgrade():\n    pass\n",
            ),
            ("none", "revision = 'none'\n"),
        ]);
        // An empty merge revision's empty downgrade is right, not a warning.
        assert_eq!(codes(&notes[0]), ["upgrade-empty"]);
        assert_eq!(codes(&notes[1]), ["upgrade-missing", "downgrade-missing"]);
    }
}
