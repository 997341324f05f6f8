//! Whether a function fills the columns it adds, as
//! `not-null-without-backfill` decides it (the same steps, replayed into
//! the same catalogue), for callers outside the lints: `compare`'s notes
//! say "plan a backfill" only where this rule would see none.

use alembic_doctor_script::{Function, OpKind};

use super::catalogue::{Catalogue, ColumnView};
use super::{Dialect, replay, steps};

/// A column that a function adds nullable, without a server default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedColumn {
    /// The table, as written.
    pub table: String,
    /// The column.
    pub column: String,
    /// Where the `add_column` starts (a byte offset in the file).
    pub added_at: u32,
    /// Where the first step after it that may fill it starts: an `UPDATE`
    /// setting it (or any column of its table, or of a table named at run
    /// time), in `op.execute` SQL, on `op.get_bind()`, or built with
    /// SQLAlchemy Core (`t.update().values(...)`), or a step the reader
    /// cannot see through (SQL built at run time, an unknown call).
    /// `None`: existing rows keep NULL.
    pub filled_at: Option<u32>,
}

/// The columns `function` adds empty (nullable, no server default), in
/// source order, with the step after each that may fill it; raw SQL is
/// read for `dialect`.
pub fn added_columns(function: &Function, dialect: Dialect) -> Vec<AddedColumn> {
    let steps = steps::steps(function, dialect);
    let mut catalogue = Catalogue::for_dialect(dialect);
    let mut added: Vec<AddedColumn> = Vec::new();
    for step in &steps {
        replay(&mut catalogue, 0, std::slice::from_ref(step));
        if let Some(OpKind::AddColumn { table, column }) = step.op()
            && let (Some(table_name), Some(name)) = (table.literal(), column.name.literal())
            && catalogue
                .column(table, &column.name)
                .is_some_and(|state| state.added_empty)
        {
            added.push(AddedColumn {
                table: table_name.to_owned(),
                column: name.to_owned(),
                added_at: step.span.start,
                filled_at: None,
            });
            continue;
        }
        for column in added.iter_mut().filter(|c| c.filled_at.is_none()) {
            let table = alembic_doctor_script::Name::Literal(column.table.clone());
            let name = alembic_doctor_script::Name::Literal(column.column.clone());
            if catalogue
                .column(&table, &name)
                .is_some_and(ColumnView::maybe_filled)
            {
                column.filled_at = Some(step.span.start);
            }
        }
    }
    added
}
