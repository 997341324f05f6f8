//! The schema as the migrations so far built it: replayed revision by
//! revision, operation by operation, in upgrade order.
//!
//! The catalogue only answers what the rules ask: which revision created a
//! table, and for a column, how it was added and whether anything may have
//! filled it since. What the reader cannot see through (SQL it cannot
//! parse, a call it does not understand) makes the answers cautious rather
//! than wrong: such a step counts as a possible backfill of everything.

use rustc_hash::FxHashMap as HashMap;

use alembic_doctor_graph::RevIdx;
use alembic_doctor_script::{ConstraintKind, Name, OpKind};

/// One table.
#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    /// The revision that created it; `None` when it predates the history
    /// the reader can see (created outside the migrations, or by SQL it
    /// could not parse).
    pub(crate) created_by: Option<RevIdx>,
    /// The migrations put rows in it (`op.bulk_insert`, `INSERT`): a
    /// table they created is not empty any more.
    pub(crate) rows_added: bool,
    columns: Columns,
}

/// A table's columns by name: a short list searched in order, or a hash
/// map once the table has more than [`FEW_COLUMNS`]. A long history
/// replays a hundred thousand tables, most with a few columns: a map per
/// table (with its empty buckets) was the most of the catalogue's memory,
/// and comparing a name with a few others is as quick as hashing it.
#[derive(Debug, Clone)]
enum Columns {
    Few(Vec<(Box<str>, ColumnState)>),
    Many(HashMap<Box<str>, ColumnState>),
}

/// Columns a table keeps in a list before a map: lookups stay a few short
/// comparisons, and a table of ten thousand columns is not quadratic.
const FEW_COLUMNS: usize = 32;

impl Default for Columns {
    fn default() -> Self {
        Columns::Few(Vec::new())
    }
}

impl Columns {
    fn get(&self, name: &str) -> Option<&ColumnState> {
        match self {
            Columns::Few(few) => few
                .iter()
                .find(|(known, _)| **known == *name)
                .map(|(_, state)| state),
            Columns::Many(many) => many.get(name),
        }
    }

    fn get_mut(&mut self, name: &str) -> Option<&mut ColumnState> {
        match self {
            Columns::Few(few) => few
                .iter_mut()
                .find(|(known, _)| **known == *name)
                .map(|(_, state)| state),
            Columns::Many(many) => many.get_mut(name),
        }
    }

    /// Add `name`, or replace what was known of it.
    fn insert(&mut self, name: &str, state: ColumnState) {
        if let Some(known) = self.get_mut(name) {
            *known = state;
            return;
        }
        match self {
            Columns::Few(few) if few.len() < FEW_COLUMNS => {
                // Most tables the history adds a column to get only that
                // one: no room for three more.
                if few.is_empty() {
                    few.reserve_exact(1);
                }
                few.push((name.into(), state));
            }
            Columns::Few(few) => {
                let mut many: HashMap<Box<str>, ColumnState> =
                    std::mem::take(few).into_iter().collect();
                many.insert(name.into(), state);
                *self = Columns::Many(many);
            }
            Columns::Many(many) => {
                many.insert(name.into(), state);
            }
        }
    }

    fn remove(&mut self, name: &str) -> Option<ColumnState> {
        match self {
            Columns::Few(few) => {
                let index = few.iter().position(|(known, _)| **known == *name)?;
                Some(few.swap_remove(index).1)
            }
            Columns::Many(many) => many.remove(name),
        }
    }

    /// Every column may have been filled, by something other than a
    /// constant the reader saw.
    fn all_filled(&mut self) {
        let fill = |state: &mut ColumnState| {
            state.maybe_filled = true;
            state.fill.with(None);
        };
        match self {
            Columns::Few(few) => few.iter_mut().for_each(|(_, state)| fill(state)),
            Columns::Many(many) => many.values_mut().for_each(fill),
        }
    }
}

/// One column's history.
#[derive(Debug, Clone, Default)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent facts the replay learns, each read by its own rules"
)]
pub(crate) struct ColumnState {
    /// The revision that added it, when seen.
    pub(crate) added_by: Option<RevIdx>,
    /// It was added nullable without a server default: existing rows hold
    /// NULL until something fills them.
    pub(crate) added_empty: bool,
    /// Something since the addition may have filled it: an `UPDATE` of the
    /// table or a server default (read through
    /// [`ColumnView::maybe_filled`], which adds the steps the reader cannot
    /// interpret).
    maybe_filled: bool,
    /// How it was filled since it was added empty (read through
    /// [`ColumnView::fill`]).
    fill: Fill,
    /// The catalogue's `opaque_steps` when the column was added: those
    /// counted since may have filled it.
    opaque_seen: u64,
    /// The migrations had put rows in its table when it was added (those
    /// rows hold NULL in it, even if the table is new).
    pub(crate) rows_when_added: bool,
    /// It is known to be `NOT NULL` already: created so (a primary key,
    /// `nullable=False`) or altered so since.
    pub(crate) not_null: bool,
    /// Its type's source as last written (`sa.String(length=50)`), when
    /// given.
    pub(crate) type_: Option<String>,
    /// The history shows it nullable and without a server default, and
    /// nothing since changed either: a MySQL `MODIFY` that restates
    /// neither loses nothing.
    pub(crate) plain_nullable: bool,
}

/// A column as the catalogue knows it now: its state, and whether a step
/// the reader cannot see through came after it was added.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ColumnView<'a> {
    state: &'a ColumnState,
    opaque_since: bool,
}

impl<'a> ColumnView<'a> {
    /// The rest of what is known of the column (its facts other than how
    /// it was filled, which the catalogue keeps up to date as it goes).
    pub(crate) fn state(self) -> &'a ColumnState {
        self.state
    }

    /// Something since the addition may have filled it.
    pub(crate) fn maybe_filled(self) -> bool {
        self.state.maybe_filled || self.opaque_since
    }

    /// How it was filled since it was added empty.
    pub(crate) fn fill(self) -> &'a Fill {
        const OTHER: &Fill = &Fill::Other;
        if self.opaque_since {
            OTHER
        } else {
            &self.state.fill
        }
    }
}

impl std::ops::Deref for ColumnView<'_> {
    type Target = ColumnState;

    fn deref(&self) -> &ColumnState {
        self.state
    }
}

/// What filled a column added empty (nullable, no server default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Fill {
    /// Nothing the reader saw.
    #[default]
    Nothing,
    /// Only `UPDATE`s setting it to this constant (its SQL) wherever it
    /// held NULL: what a `server_default` would have done.
    Constant(String),
    /// Anything else: other values, some rows only, or steps the reader
    /// cannot see through.
    Other,
}

impl Fill {
    /// How a column added nullable with a server default is filled: with
    /// that default, when it is a constant (a quoted string, a number,
    /// `true`/`false`).
    fn added_with(column: &alembic_doctor_script::Column) -> Fill {
        let constant = column
            .server_default
            .as_ref()
            .and_then(|default| default.sql.as_deref())
            .filter(|sql| {
                sql.starts_with('\'')
                    || sql.parse::<f64>().is_ok()
                    || matches!(sql.to_ascii_lowercase().as_str(), "true" | "false")
            });
        match constant {
            Some(constant) if column.is_nullable() == Some(true) => {
                Fill::Constant(constant.to_owned())
            }
            _ => Fill::Other,
        }
    }

    /// The column is filled (again) by `constant`, or by something else
    /// when `None`.
    fn with(&mut self, constant: Option<&str>) {
        *self = match (&*self, constant) {
            (Fill::Nothing, Some(constant)) => Fill::Constant(constant.to_owned()),
            (Fill::Constant(known), Some(constant)) if known == constant => return,
            _ => Fill::Other,
        };
    }
}

/// The replayed schema.
#[derive(Debug, Clone, Default)]
pub(crate) struct Catalogue {
    tables: HashMap<String, Table>,
    /// Steps the reader cannot see through, so far: each may have filled
    /// every column there is. Counted, and seen by a column's
    /// [`ColumnView`] when it is read (what such a step does to a column,
    /// nothing undoes), rather than applied to every column of every table
    /// at each such step, which was quadratic on a long history.
    opaque_steps: u64,
    /// MySQL rewrites a column whole on `ALTER`, NULL unless told otherwise;
    /// other databases keep what the change does not mention.
    mysql: bool,
}

impl Catalogue {
    /// An empty catalogue for `dialect`'s rules of `ALTER`.
    pub(crate) fn for_dialect(dialect: super::Dialect) -> Self {
        Self {
            mysql: dialect == super::Dialect::MySql,
            ..Self::default()
        }
    }

    /// The table called `name`, when the history created it.
    pub(crate) fn table(&self, name: &Name) -> Option<&Table> {
        self.tables.get(name.literal()?)
    }

    /// The column `table.column`, when the history added it.
    pub(crate) fn column(&self, table: &Name, column: &Name) -> Option<ColumnView<'_>> {
        let state = self.table(table)?.columns.get(column.literal()?)?;
        Some(ColumnView {
            state,
            opaque_since: state.opaque_seen < self.opaque_steps,
        })
    }

    /// Apply one operation of revision `rev`.
    pub(crate) fn apply(&mut self, rev: RevIdx, kind: &OpKind) {
        match kind {
            OpKind::CreateTable {
                table,
                columns,
                constraints,
            } => {
                let Some(name) = table.literal() else { return };
                let primary_key: Vec<&str> = constraints
                    .iter()
                    .filter_map(|constraint| match &constraint.kind {
                        ConstraintKind::PrimaryKey { columns } => Some(columns),
                        _ => None,
                    })
                    .flatten()
                    .map(String::as_str)
                    .collect();
                let mut created = Table {
                    created_by: Some(rev),
                    rows_added: false,
                    columns: Columns::default(),
                };
                for column in columns {
                    if let Some(name) = column.name.literal() {
                        created.columns.insert(
                            name,
                            ColumnState {
                                added_by: Some(rev),
                                added_empty: false,
                                rows_when_added: false,
                                maybe_filled: true,
                                fill: Fill::Other,
                                opaque_seen: self.opaque_steps,
                                not_null: column.is_nullable() == Some(false)
                                    || primary_key.contains(&name),
                                type_: column.type_.clone(),
                                plain_nullable: column.is_nullable() == Some(true)
                                    && column.server_default.is_none()
                                    && !primary_key.contains(&name),
                            },
                        );
                    }
                }
                self.tables.insert(name.to_owned(), created);
            }
            OpKind::DropTable { table } => {
                if let Some(name) = table.literal() {
                    self.tables.remove(name);
                }
            }
            OpKind::RenameTable { from, to } => {
                if let (Some(from), Some(to)) = (from.literal(), to.literal())
                    && let Some(table) = self.tables.remove(from)
                {
                    self.tables.insert(to.to_owned(), table);
                }
            }
            OpKind::AddColumn { table, column } => {
                let (Some(table), Some(name)) = (table.literal(), column.name.literal()) else {
                    return;
                };
                let empty = column.is_nullable() == Some(true) && column.server_default.is_none();
                let table = self.tables.entry(table.to_owned()).or_default();
                let rows_when_added = table.rows_added;
                table.columns.insert(
                    name,
                    ColumnState {
                        added_by: Some(rev),
                        added_empty: empty,
                        rows_when_added,
                        maybe_filled: !empty,
                        fill: if empty {
                            Fill::Nothing
                        } else {
                            Fill::added_with(column)
                        },
                        opaque_seen: self.opaque_steps,
                        not_null: column.is_nullable() == Some(false),
                        type_: column.type_.clone(),
                        plain_nullable: empty,
                    },
                );
            }
            OpKind::DropColumn { table, column } => {
                if let (Some(table), Some(column)) = (table.literal(), column.literal())
                    && let Some(table) = self.tables.get_mut(table)
                {
                    table.columns.remove(column);
                }
            }
            OpKind::AlterColumn {
                table,
                column,
                changes,
            } => {
                let (Some(table), Some(name)) = (table.literal(), column.literal()) else {
                    return;
                };
                let Some(table) = self.tables.get_mut(table) else {
                    return;
                };
                if let Some(state) = table.columns.get_mut(name) {
                    match changes.nullable {
                        Some(nullable) => state.not_null = !nullable,
                        // On MySQL Alembic rewrites the whole column for a
                        // new type or name, NULL unless `existing_nullable=`
                        // says otherwise.
                        None if self.mysql
                            && (changes.type_.is_some() || changes.new_name.is_some()) =>
                        {
                            state.not_null = changes.existing_nullable == Some(false);
                        }
                        None => {}
                    }
                    if state.not_null
                        || matches!(changes.server_default, Some(Some(_)))
                        || changes.existing_nullable == Some(false)
                    {
                        state.plain_nullable = false;
                    }
                    if let Some(type_) = &changes.type_ {
                        state.type_ = Some(type_.clone());
                    }
                }
                if matches!(changes.server_default, Some(Some(_)))
                    && let Some(state) = table.columns.get_mut(name)
                {
                    // A new default applies to new rows only, but teams set
                    // one together with a backfill; stay cautious.
                    state.maybe_filled = true;
                    state.fill.with(None);
                }
                if let Some(new_name) = changes.new_name.as_ref().and_then(Name::literal)
                    && let Some(state) = table.columns.remove(name)
                {
                    table.columns.insert(new_name, state);
                }
            }
            OpKind::BulkInsert { table } => self.rows_added(table),
            _ => {}
        }
    }

    /// Rows were put in `table` (a table named at run time may be any:
    /// in doubt, no table is taken to have rows it did not have).
    pub(crate) fn rows_added(&mut self, table: &Name) {
        if let Some(known) = table.literal().and_then(|name| self.tables.get_mut(name)) {
            known.rows_added = true;
        }
    }

    /// `columns` of `table` were set for existing rows (`UPDATE ... SET`);
    /// `constants` are those set to a constant wherever they held NULL.
    pub(crate) fn filled_columns(
        &mut self,
        table: &Name,
        columns: &[String],
        constants: &[(String, String)],
    ) {
        let Some(known) = table.literal().and_then(|name| self.tables.get_mut(name)) else {
            // A table named at run time may be any table.
            if table.literal().is_none() {
                self.filled(None);
            }
            return;
        };
        for column in columns {
            if let Some(state) = known.columns.get_mut(column) {
                state.maybe_filled = true;
                let constant = constants
                    .iter()
                    .find(|(name, _)| name == column)
                    .map(|(_, constant)| constant.as_str());
                state.fill.with(constant);
            }
        }
    }

    /// Rows of `table` (or of every table, when `None`) may have been
    /// written: every column added empty may now be filled.
    pub(crate) fn filled(&mut self, table: Option<&Name>) {
        match table.and_then(Name::literal) {
            Some(name) => {
                if let Some(table) = self.tables.get_mut(name) {
                    table.columns.all_filled();
                }
            }
            None => self.opaque_steps += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn added_by(rev: RevIdx) -> ColumnState {
        ColumnState {
            added_by: Some(rev),
            ..ColumnState::default()
        }
    }

    /// The upgrade operations of `source`'s `upgrade()`.
    fn upgrade(source: &str) -> Vec<OpKind> {
        let read = alembic_doctor_script::read_operations(source.as_bytes());
        read.upgrade
            .unwrap()
            .operations
            .into_iter()
            .map(|operation| operation.kind)
            .collect()
    }

    fn literal(name: &str) -> Name {
        Name::Literal(name.to_owned())
    }

    /// A step the reader cannot see through may have filled every column
    /// added before it, and none added after; a column it may have filled
    /// is no longer known to hold one constant, whatever sets it later.
    #[test]
    fn an_opaque_step_fills_the_columns_before_it() {
        let add = |column: &str| {
            upgrade(&format!(
                "def upgrade():\n    op.add_column('t', sa.Column('{column}', sa.Text(), nullable=True))\n"
            ))
        };
        let mut catalogue = Catalogue::default();
        for kind in add("before") {
            catalogue.apply(0, &kind);
        }
        catalogue.filled(None);
        for kind in add("after") {
            catalogue.apply(1, &kind);
        }
        let table = literal("t");
        let before = catalogue.column(&table, &literal("before")).unwrap();
        assert!(before.maybe_filled() && *before.fill() == Fill::Other);
        let after = catalogue.column(&table, &literal("after")).unwrap();
        assert!(!after.maybe_filled() && *after.fill() == Fill::Nothing);
        let columns = ["before".to_owned(), "after".to_owned()];
        let constants = columns.clone().map(|column| (column, "'x'".to_owned()));
        catalogue.filled_columns(&table, &columns, &constants);
        let before = catalogue.column(&table, &literal("before")).unwrap();
        assert_eq!(*before.fill(), Fill::Other);
        let after = catalogue.column(&table, &literal("after")).unwrap();
        assert_eq!(*after.fill(), Fill::Constant("'x'".to_owned()));
    }

    /// A table keeps every column whether they are few (a list) or many
    /// (a map): each found by name, replaced, renamed and removed alike.
    #[test]
    fn columns_are_found_by_name_however_many() {
        for count in [1, FEW_COLUMNS, FEW_COLUMNS + 1, 3 * FEW_COLUMNS] {
            let mut columns = Columns::default();
            for i in 0..count {
                columns.insert(&format!("c{i}"), added_by(i));
            }
            assert_eq!(
                matches!(columns, Columns::Many(_)),
                count > FEW_COLUMNS,
                "{count}"
            );
            for i in 0..count {
                let name = format!("c{i}");
                assert_eq!(columns.get(&name).unwrap().added_by, Some(i), "{count}");
            }
            assert!(columns.get("c").is_none());
            // Added again: what is known is replaced, not duplicated.
            columns.insert("c0", added_by(99));
            assert_eq!(columns.get("c0").unwrap().added_by, Some(99));
            let state = columns.remove("c0").unwrap();
            assert!(columns.get("c0").is_none());
            assert!(columns.remove("c0").is_none());
            columns.insert("renamed", state);
            assert_eq!(columns.get("renamed").unwrap().added_by, Some(99));
            columns.all_filled();
            let last = format!("c{}", count - 1);
            let names = if count > 1 {
                vec!["renamed", &last]
            } else {
                vec!["renamed"]
            };
            for name in names {
                let state = columns.get(name).unwrap();
                assert!(state.maybe_filled && state.fill == Fill::Other, "{name}");
            }
        }
    }
}
