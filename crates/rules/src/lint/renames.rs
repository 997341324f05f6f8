//! Renames a revision takes back: `rename_table("a", "a_tmp")` ... then
//! `rename_table("a_tmp", "a")` (a swap through a temporary name, or a
//! table moved aside while another is rebuilt). After the revision the old
//! name is there again, so code deployed before it keeps working and
//! `rename-table` / `rename-column` have nothing to say.
//!
//! Only names known as literals are followed: two names computed at run
//! time may differ.

use alembic_doctor_script::{Name, OpKind};

use super::steps::Step;

/// A step of `later` renames the table `from`, now called `to`, back to
/// `from` (through any number of renames), before anything drops it.
pub(crate) fn table_renamed_back(later: &[Step], from: &Name, to: &Name) -> bool {
    let (Some(original), Some(mut current)) = (from.literal(), to.literal()) else {
        return false;
    };
    for step in later {
        match step.op() {
            Some(OpKind::RenameTable { from, to }) if from.literal() == Some(current) => {
                let Some(to) = to.literal() else { return false };
                if to == original {
                    return true;
                }
                current = to;
            }
            Some(OpKind::DropTable { table }) if table.literal() == Some(current) => {
                return false;
            }
            _ => {}
        }
    }
    false
}

/// A step of `later` renames `table`'s column `column`, now called
/// `new_name`, back to `column` (the table may be renamed in between).
pub(crate) fn column_renamed_back(
    later: &[Step],
    table: &Name,
    column: &Name,
    new_name: &Name,
) -> bool {
    let (Some(mut table), Some(original), Some(mut current)) =
        (table.literal(), column.literal(), new_name.literal())
    else {
        return false;
    };
    for step in later {
        match step.op() {
            Some(OpKind::RenameTable { from, to }) if from.literal() == Some(table) => {
                let Some(to) = to.literal() else { return false };
                table = to;
            }
            Some(OpKind::AlterColumn {
                table: altered,
                column,
                changes,
            }) if altered.literal() == Some(table) && column.literal() == Some(current) => {
                let Some(renamed) = &changes.new_name else {
                    continue;
                };
                let Some(renamed) = renamed.literal() else {
                    return false;
                };
                if renamed == original {
                    return true;
                }
                current = renamed;
            }
            Some(OpKind::DropTable { table: dropped }) if dropped.literal() == Some(table) => {
                return false;
            }
            Some(OpKind::DropColumn {
                table: dropped,
                column,
            }) if dropped.literal() == Some(table) && column.literal() == Some(current) => {
                return false;
            }
            _ => {}
        }
    }
    false
}

/// The names `table` had earlier in the revision (itself included): the
/// earlier renames that led to it, followed back.
fn earlier_names<'a>(earlier: &'a [Step], table: &'a str) -> Vec<&'a str> {
    let mut names = vec![table];
    let mut current = table;
    for step in earlier.iter().rev() {
        if let Some(OpKind::RenameTable { from, to }) = step.op()
            && to.literal() == Some(current)
            && let Some(from) = from.literal()
        {
            names.push(from);
            current = from;
        }
    }
    names
}

/// An earlier step of the revision gave the table its name `table`: the
/// rename that took the old name away is the one that matters (and is
/// reported); code deployed before the revision never used this name.
pub(crate) fn table_named_earlier(earlier: &[Step], table: &Name) -> bool {
    table
        .literal()
        .is_some_and(|table| earlier_names(earlier, table).len() > 1)
}

/// An earlier step of the revision gave `table`'s column its name
/// `column` (the table may have been renamed since).
pub(crate) fn column_named_earlier(earlier: &[Step], table: &Name, column: &Name) -> bool {
    let (Some(table), Some(column)) = (table.literal(), column.literal()) else {
        return false;
    };
    let names = earlier_names(earlier, table);
    earlier.iter().any(|step| {
        matches!(
            step.op(),
            Some(OpKind::AlterColumn { table, changes, .. })
                if table.literal().is_some_and(|table| names.contains(&table))
                    && changes.new_name.as_ref().and_then(Name::literal) == Some(column)
        )
    })
}
