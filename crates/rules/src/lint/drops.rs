//! What an upgrade takes away again: for each table, column and index one
//! of its steps drops, the position of the last step that drops it. "Does a
//! later step of this function drop it?" is then one lookup per step rather
//! than a scan of every step after it (a data migration can have thousands
//! of steps, and the question is asked for each).

use std::collections::HashMap;

use alembic_doctor_script::{Name, OpKind};

/// The position of the last step dropping each thing, by name. Only names
/// known as literals match: two names computed at run time may differ.
#[derive(Debug, Default)]
pub(crate) struct LastDrops<'a> {
    tables: HashMap<&'a str, usize>,
    /// By table (compared as written, as `op.drop_column` names it) and
    /// literal column.
    columns: HashMap<(&'a Name, &'a str), usize>,
    indexes: HashMap<&'a str, usize>,
}

impl<'a> LastDrops<'a> {
    /// The drops among `ops`, one per step in order (`None` for a step
    /// that is no schema operation), numbered by position.
    pub(crate) fn of(ops: impl IntoIterator<Item = Option<&'a OpKind>>) -> Self {
        let mut drops = Self::default();
        for (position, op) in ops.into_iter().enumerate() {
            // A later drop overwrites an earlier one: the last one counts.
            match op {
                Some(OpKind::DropTable { table }) => {
                    if let Some(table) = table.literal() {
                        drops.tables.insert(table, position);
                    }
                }
                Some(OpKind::DropColumn { table, column }) => {
                    if let Some(column) = column.literal() {
                        drops.columns.insert((table, column), position);
                    }
                }
                Some(OpKind::DropIndex { name, .. }) => {
                    if let Some(name) = name.literal() {
                        drops.indexes.insert(name, position);
                    }
                }
                _ => {}
            }
        }
        drops
    }

    /// A step after `position` drops `table`.
    pub(crate) fn table_after(&self, table: &Name, position: usize) -> bool {
        table
            .literal()
            .and_then(|table| self.tables.get(table))
            .is_some_and(|&last| last > position)
    }

    /// A step after `position` drops `column` of `table`.
    pub(crate) fn column_after(&self, table: &Name, column: &Name, position: usize) -> bool {
        column
            .literal()
            .and_then(|column| self.columns.get(&(table, column)))
            .is_some_and(|&last| last > position)
    }

    /// A step after `position` drops the index `name`.
    pub(crate) fn index_after(&self, name: &Name, position: usize) -> bool {
        name.literal()
            .and_then(|name| self.indexes.get(name))
            .is_some_and(|&last| last > position)
    }

    /// A step after `position` drops, under the same name, what `kind`
    /// creates (a table, a column, an index): the upgrade takes it away
    /// again.
    pub(crate) fn undone_after(&self, kind: &OpKind, position: usize) -> bool {
        match kind {
            OpKind::CreateTable { table, .. } => self.table_after(table, position),
            OpKind::AddColumn { table, column } => self.column_after(table, &column.name, position),
            OpKind::CreateIndex(index) => self.index_after(&index.name, position),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(name: &str) -> Name {
        Name::Literal(name.to_owned())
    }

    fn drop_table(table: &str) -> OpKind {
        OpKind::DropTable {
            table: literal(table),
        }
    }

    /// Only drops after the position count, and the last of several drops
    /// of the same thing decides.
    #[test]
    fn only_later_steps_count() {
        let ops = [
            drop_table("a"),
            drop_table("b"),
            OpKind::DropColumn {
                table: literal("t"),
                column: literal("c"),
            },
            drop_table("b"),
            OpKind::DropIndex {
                name: literal("ix"),
                table: None,
                concurrently: false,
            },
        ];
        let drops = LastDrops::of(ops.iter().map(Some));
        assert!(!drops.table_after(&literal("a"), 0));
        assert!(drops.table_after(&literal("b"), 0));
        assert!(drops.table_after(&literal("b"), 2));
        assert!(!drops.table_after(&literal("b"), 3));
        assert!(drops.column_after(&literal("t"), &literal("c"), 1));
        assert!(!drops.column_after(&literal("t"), &literal("c"), 2));
        assert!(!drops.column_after(&literal("u"), &literal("c"), 1));
        assert!(drops.index_after(&literal("ix"), 3));
        assert!(!drops.index_after(&literal("ix"), 4));
    }

    /// A name known only at run time is never taken to be dropped: the
    /// same expression may name another table by then. A column's table
    /// is compared as written, as before.
    #[test]
    fn names_known_only_at_run_time() {
        let dynamic = Name::Dynamic("name()".to_owned());
        let ops = [
            OpKind::DropTable {
                table: dynamic.clone(),
            },
            OpKind::DropColumn {
                table: dynamic.clone(),
                column: literal("c"),
            },
        ];
        let mut with_skipped = vec![None];
        with_skipped.extend(ops.iter().map(Some));
        let drops = LastDrops::of(with_skipped);
        assert!(!drops.table_after(&dynamic, 0));
        assert!(drops.column_after(&dynamic, &literal("c"), 0));
        assert!(!drops.column_after(&literal("t"), &dynamic, 0));
    }
}
