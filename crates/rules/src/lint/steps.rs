//! A function's operations as the steps the rules reason about: the
//! `op.*` calls, the statements of raw SQL, and the calls the reader could
//! not interpret, in the order they run, without those written for another
//! database (`if bind.dialect.name == "mysql":` when linting PostgreSQL).

use alembic_doctor_script::{
    Batch, ColumnChanges, DialectGuard, Function, Name, OpKind, Operation,
};
use alembic_doctor_source::Span;

use super::Dialect;

/// One thing a migration does.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub(crate) action: Action,
    /// The call it comes from.
    pub(crate) span: Span,
    /// Inside `batch_alter_table`.
    pub(crate) batch: Option<Batch>,
    /// Outside the migration's transaction: inside `autocommit_block()`, or
    /// an `ADD VALUE` alembic-autogenerate-enums runs after its `COMMIT`.
    pub(crate) autocommit: bool,
    /// The statement's SQL, when it comes from raw SQL.
    pub(crate) sql: Option<String>,
    /// When it runs within its function (see `Operation::order`).
    order: usize,
}

/// What a step does.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    /// A schema operation (written as `op.*`, or as SQL).
    Op(OpKind),
    /// `UPDATE`/`INSERT`/`DELETE`: rows of `table` change. `columns` are
    /// the columns an `UPDATE` sets, `None` when unknown; `inserts`: it
    /// may add rows (`INSERT`, `MERGE`); `constants`: the columns it sets
    /// to one constant wherever they hold NULL, with the constant's SQL.
    Data {
        table: Name,
        columns: Option<Vec<String>>,
        update: bool,
        inserts: bool,
        constants: Vec<(String, String)>,
    },
    /// `SET lock_timeout` (or MySQL's `lock_wait_timeout`).
    SetLockTimeout,
    /// The migration's transaction is ended by hand (`COMMIT`,
    /// `connection.commit()`, an `AUTOCOMMIT` isolation level): what
    /// follows runs outside it, until a `BEGIN` (`open`) starts another.
    Transaction { open: bool },
    /// `LOCK TABLE table IN mode MODE` (or MySQL's `LOCK TABLES`).
    LockTable { table: Name, mode: String },
    /// A change to an enum type's values.
    EnumChange {
        description: String,
        add_value: bool,
    },
    /// Anything the reader cannot interpret: a call, SQL built at run time,
    /// SQL it cannot parse.
    Opaque,
    /// A statement that changes nothing the rules follow (`SELECT`, a
    /// `VALIDATE CONSTRAINT`, `COMMENT ON`...).
    Quiet,
}

impl Step {
    /// The table, column and changes of an `op.alter_column`, when the step
    /// is one (the shape five rules start from).
    pub(crate) fn alter_column(&self) -> Option<(&Name, &Name, &ColumnChanges)> {
        match self.op()? {
            OpKind::AlterColumn {
                table,
                column,
                changes,
            } => Some((table, column, changes)),
            _ => None,
        }
    }

    /// The schema operation, when the step is one.
    pub(crate) fn op(&self) -> Option<&OpKind> {
        match &self.action {
            Action::Op(kind) => Some(kind),
            _ => None,
        }
    }

    /// A statement that changes the schema (DDL), as MySQL counts them.
    pub(crate) fn is_ddl(&self) -> bool {
        match &self.action {
            Action::Op(kind) => !matches!(
                kind,
                OpKind::BulkInsert { .. }
                    | OpKind::Execute(_)
                    | OpKind::AddEnumValues { .. }
                    | OpKind::Other { .. }
            ),
            Action::EnumChange { .. } => true,
            _ => false,
        }
    }
}

/// The steps of `function` that run on `dialect`, operations and opaque
/// calls merged in the order they run; raw SQL is split into statements
/// read for `dialect`.
pub(crate) fn steps(function: &Function, dialect: Dialect) -> Vec<Step> {
    steps_from(function, function.operations.iter().cloned(), dialect)
}

/// The same, moving each operation out of `function` into its step rather
/// than copying it (the replay reads every revision's steps, and copying
/// the operations was a third of preparing them); `function` keeps its
/// other calls and its flags.
pub(crate) fn take_steps(function: &mut Function, dialect: Dialect) -> Vec<Step> {
    let operations = std::mem::take(&mut function.operations);
    steps_from(function, operations.into_iter(), dialect)
}

fn steps_from(
    function: &Function,
    operations: impl ExactSizeIterator<Item = Operation>,
    dialect: Dialect,
) -> Vec<Step> {
    let names = dialect.sqlalchemy_names();
    let runs = |guard: &DialectGuard| names.is_empty() || guard.admits(names);
    // Most operations are one step each.
    let mut steps =
        Vec::with_capacity(operations.len() + function.opaque.len() + function.commits.len());
    for operation in operations.filter(|o| runs(&o.dialects)) {
        let base = |action: Action, statement: Option<String>| Step {
            action,
            span: operation.span,
            batch: operation.batch.clone(),
            autocommit: operation.autocommit,
            sql: statement,
            order: operation.order,
        };
        match &operation.kind {
            OpKind::Execute(execute) => match &execute.sql {
                Some(text) => {
                    for (action, statement) in super::raw_sql(text, dialect) {
                        steps.push(base(action, Some(statement)));
                    }
                }
                // `op.execute(t.update().values(...))`: the UPDATE
                // SQLAlchemy Core builds, as its SQL would read.
                None => match &execute.update {
                    Some(update) => steps.push(base(
                        Action::Data {
                            table: update.table.clone(),
                            columns: update.columns.clone(),
                            update: true,
                            inserts: false,
                            constants: Vec::new(),
                        },
                        None,
                    )),
                    None => steps.push(base(Action::Opaque, None)),
                },
            },
            OpKind::AddEnumValues {
                enum_name,
                old_values,
                new_values,
                recreates,
            } => {
                for (action, autocommit) in enum_sync(
                    enum_name,
                    old_values.as_ref(),
                    new_values.as_ref(),
                    *recreates,
                ) {
                    steps.push(Step {
                        autocommit: operation.autocommit || autocommit,
                        ..base(action, None)
                    });
                }
            }
            _ => {
                let Operation {
                    kind,
                    span,
                    batch,
                    autocommit,
                    order,
                    ..
                } = operation;
                steps.push(Step {
                    action: Action::Op(kind),
                    span,
                    batch,
                    autocommit,
                    sql: None,
                    order,
                });
            }
        }
    }
    for opaque in function.opaque.iter().filter(|o| runs(&o.dialects)) {
        steps.push(Step {
            action: Action::Opaque,
            span: opaque.span,
            batch: None,
            autocommit: false,
            sql: None,
            order: opaque.order,
        });
    }
    for commit in function.commits.iter().filter(|c| runs(&c.dialects)) {
        steps.push(Step {
            action: Action::Transaction { open: false },
            span: commit.span,
            batch: None,
            autocommit: false,
            sql: None,
            order: commit.order,
        });
    }
    // In the order they run (a helper's steps where it is called, even when
    // it is defined above `upgrade()`); stable, so statements of one SQL
    // string keep their order.
    steps.sort_by_key(|step| step.order);
    steps
}

/// What alembic-autogenerate-enums' `op.sync_enum_values` does, as steps
/// (each with whether it runs outside any transaction). Called to add
/// values, it commits the migration's transaction (`COMMIT` on the
/// migration's connection), then runs `ALTER TYPE ... ADD VALUE` for each
/// value of `new_values` missing from `old_values`, outside any
/// transaction; values missing from `new_values` stay. Called with
/// `should_reverse=True` and `affected_columns`, it recreates the type with
/// `new_values`: the values missing from them are gone.
fn enum_sync(
    enum_name: &Name,
    old_values: Option<&Vec<String>>,
    new_values: Option<&Vec<String>>,
    recreates: bool,
) -> Vec<(Action, bool)> {
    if recreates {
        let removed = match (old_values, new_values) {
            (Some(old), Some(new)) => {
                let removed: Vec<String> = old
                    .iter()
                    .filter(|value| !new.contains(value))
                    .map(|value| format!("'{value}'"))
                    .collect();
                if removed.is_empty() {
                    return Vec::new();
                }
                format!("without the value(s) {}", removed.join(", "))
            }
            _ => "with only the values of `new_values`".to_owned(),
        };
        return vec![(
            Action::EnumChange {
                description: format!(
                    "enum type `{enum_name}` is recreated by `op.sync_enum_values(..., should_reverse=True)` {removed}"
                ),
                add_value: false,
            },
            false,
        )];
    }
    let mut steps = vec![(Action::Transaction { open: false }, false)];
    match (old_values, new_values) {
        (Some(old), Some(new)) => {
            let mut added: Vec<&String> = Vec::new();
            for value in new {
                if !old.contains(value) && !added.contains(&value) {
                    added.push(value);
                }
            }
            steps.extend(added.into_iter().map(|value| {
                (
                    Action::EnumChange {
                        description: format!("enum type `{enum_name}` gets the value '{value}'"),
                        add_value: true,
                    },
                    true,
                )
            }));
        }
        _ => steps.push((
            Action::EnumChange {
                description: format!("enum type `{enum_name}` gets new values"),
                add_value: true,
            },
            true,
        )),
    }
    steps
}
