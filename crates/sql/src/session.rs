//! `SET` statements that bound how long the migration waits for a lock or
//! runs a statement, the guard against a migration queueing behind a long
//! transaction and blocking every query behind it.

use sqlparser::ast::{ContextModifier, Expr, ObjectName, Set, Value};

use crate::names::last;
use crate::{Dialect, StatementKind};

/// The settings that bound waiting: PostgreSQL's, then MySQL's.
const TIMEOUTS: &[&str] = &[
    "lock_timeout",
    "statement_timeout",
    "lock_wait_timeout",
    "innodb_lock_wait_timeout",
];

/// `SET ...`: one [`StatementKind::SetTimeout`] per timeout it sets
/// (MySQL sets several at once), or [`StatementKind::Other`].
pub(crate) fn set(set: &Set, dialect: Dialect, summary: &str) -> Vec<StatementKind> {
    let mut kinds = Vec::new();
    match set {
        Set::SingleAssignment {
            scope,
            variable,
            values,
            ..
        } => {
            if let [value] = values.as_slice() {
                kinds.extend(timeout(scope.as_ref(), variable, value, dialect));
            }
        }
        Set::MultipleAssignments { assignments } => {
            for assignment in assignments {
                kinds.extend(timeout(
                    assignment.scope.as_ref(),
                    &assignment.name,
                    &assignment.value,
                    dialect,
                ));
            }
        }
        _ => {}
    }
    if kinds.is_empty() {
        kinds.push(StatementKind::Other {
            summary: summary.to_owned(),
        });
    }
    kinds
}

fn timeout(
    scope: Option<&ContextModifier>,
    variable: &ObjectName,
    value: &Expr,
    dialect: Dialect,
) -> Option<StatementKind> {
    // MySQL spells session variables `@@lock_wait_timeout` or
    // `@@session.lock_wait_timeout`; the last part names the setting.
    let name = last(variable, dialect).to_lowercase();
    let setting = name.trim_start_matches('@');
    if !TIMEOUTS.contains(&setting) {
        return None;
    }
    let value = match value {
        Expr::Value(literal) => match &literal.value {
            Value::SingleQuotedString(text) | Value::DoubleQuotedString(text) => text.clone(),
            other => other.to_string(),
        },
        other => other.to_string(),
    };
    Some(StatementKind::SetTimeout {
        setting: setting.to_owned(),
        value,
        local: scope == Some(&ContextModifier::Local),
    })
}
