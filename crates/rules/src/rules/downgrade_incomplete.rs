//! `downgrade-incomplete`.

pub(crate) const EXPLANATION: &str = r"# downgrade-incomplete

## What it does
Reports a `downgrade()` that does not undo what `upgrade()` did: a created
table not dropped, an added column not dropped, a created index not dropped.

## Why is this bad?
A rollback then leaves objects behind, and the next upgrade fails on them
(`relation already exists`, `column already exists`).

## How to fix
Add the missing `op.drop_table`, `op.drop_column` or `op.drop_index` calls to
`downgrade()`, in the reverse order of `upgrade()`.
";

use std::collections::BTreeMap;

use crate::lint::RevisionLint;
use crate::lint::drops::LastDrops;
use crate::lint::steps::{Action, Step};
use crate::{Finding, Rule};
use alembic_doctor_script::OpKind;

pub(crate) fn check(lint: &RevisionLint<'_>, out: &mut Vec<Finding>) {
    let Some(downgrade) = &lint.operations.downgrade else {
        return;
    };
    // An empty downgrade is `downgrade-empty`'s; one the reader cannot see
    // through may undo anything.
    if downgrade.empty
        || downgrade.raises
        || lint
            .downgrade
            .iter()
            .any(|step| !matches!(step.action, Action::Op(_)))
    {
        return;
    }
    let dropped_tables = Few::of(ops(lint.downgrade).filter_map(|kind| match kind {
        OpKind::DropTable { table } => table.literal(),
        _ => None,
    }));
    let dropped_columns = Few::of(ops(lint.downgrade).filter_map(|kind| match kind {
        OpKind::DropColumn { table, column } => Some((table.literal()?, column.literal()?)),
        _ => None,
    }));
    let dropped_indexes = Few::of(ops(lint.downgrade).filter_map(|kind| match kind {
        // Dropping a constraint drops the index it owns (`UNIQUE USING
        // INDEX`).
        OpKind::DropIndex { name, .. } | OpKind::DropConstraint { name, .. } => name.literal(),
        _ => None,
    }));
    // What the upgrade renames later: a created table or added column is
    // undone by dropping it under its final name.
    let mut table_renames: BTreeMap<&str, &str> = BTreeMap::new();
    let mut column_renames: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for kind in ops(lint.upgrade) {
        match kind {
            OpKind::RenameTable { from, to } => {
                if let (Some(from), Some(to)) = (from.literal(), to.literal()) {
                    table_renames.insert(from, to);
                }
            }
            OpKind::AlterColumn {
                table,
                column,
                changes,
            } => {
                if let (Some(table), Some(column), Some(to)) = (
                    table.literal(),
                    column.literal(),
                    changes.new_name.as_ref().and_then(|n| n.literal()),
                ) {
                    column_renames.insert((table, column), to);
                }
            }
            _ => {}
        }
    }
    let final_table = |table| final_name(&table_renames, table);
    let drops = LastDrops::of(lint.upgrade.iter().map(Step::op));
    let mut missing = Vec::new();
    for (position, step) in lint.upgrade.iter().enumerate() {
        // What the upgrade itself takes away again (a temporary index for a
        // backfill) leaves nothing to undo.
        let Some(kind) = step.op() else {
            continue;
        };
        if drops.undone_after(kind, position) {
            continue;
        }
        match kind {
            OpKind::CreateTable { table, .. } => {
                if let Some(table) = table.literal()
                    && !dropped_tables.contains(&final_table(table))
                {
                    missing.push(format!("table `{table}`"));
                }
            }
            OpKind::AddColumn { table, column } => {
                if let (Some(table), Some(column)) = (table.literal(), column.name.literal()) {
                    let column_now = column_renames
                        .get(&(table, column))
                        .copied()
                        .unwrap_or(column);
                    let table_now = final_table(table);
                    if !dropped_tables.contains(&table_now)
                        && !dropped_columns.contains(&(table_now, column_now))
                        && !dropped_columns.contains(&(table, column_now))
                    {
                        missing.push(format!("column `{table}.{column}`"));
                    }
                }
            }
            OpKind::CreateIndex(index) => {
                if let (Some(name), Some(table)) = (index.name.literal(), index.table.literal())
                    && !dropped_indexes.contains(&name)
                    && !dropped_tables.contains(&final_table(table))
                    // Dropping a column drops every index on it.
                    && !index.columns.iter().any(|column| {
                        dropped_columns.contains(&(final_table(table), column.as_str()))
                            || dropped_columns.contains(&(table, column.as_str()))
                    })
                {
                    missing.push(format!("index `{name}`"));
                }
            }
            _ => {}
        }
    }
    if !missing.is_empty() {
        out.push(
            lint.finding(
                Rule::DowngradeIncomplete,
                downgrade.span,
                format!(
                    "the downgrade of revision `{}` does not remove {} that the upgrade creates",
                    lint.id,
                    missing.join(", ")
                ),
                "incomplete downgrade",
            )
            .help("drop them in `downgrade()`, in the reverse order of `upgrade()`"),
        );
    }
}

/// `table` under the name the upgrade's renames leave it with.
fn final_name<'a>(renames: &BTreeMap<&'a str, &'a str>, mut table: &'a str) -> &'a str {
    // Bounded: a chain of renames is no longer than the renames.
    for _ in 0..=renames.len() {
        match renames.get(table) {
            Some(to) if *to != table => table = to,
            _ => break,
        }
    }
    table
}

/// A set of the few things a downgrade drops, sorted and searched by
/// bisection (no tree nodes to allocate for every revision linted).
struct Few<T>(Vec<T>);

impl<T: Ord> Few<T> {
    fn of(items: impl Iterator<Item = T>) -> Self {
        let mut items: Vec<T> = items.collect();
        items.sort_unstable();
        items.dedup();
        Self(items)
    }

    fn contains(&self, item: &T) -> bool {
        self.0.binary_search(item).is_ok()
    }
}

fn ops(steps: &[Step]) -> impl Iterator<Item = &OpKind> {
    steps.iter().filter_map(Step::op)
}
