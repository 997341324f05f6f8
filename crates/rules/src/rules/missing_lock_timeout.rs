//! `missing-lock-timeout`.

pub(crate) const EXPLANATION: &str = r#"# missing-lock-timeout

## What it does
Reports a revision that takes locks on existing tables while neither
`env.py` nor the revision itself sets a lock timeout (`lock_timeout` on
PostgreSQL, `lock_wait_timeout` on MySQL).

## Why is this bad?
A DDL statement first waits for its lock behind every running transaction,
and every later query on the table queues behind it: even an instant `ALTER
TABLE` becomes an outage while a long transaction is open.

## How to fix
Set a timeout for the migration's connection and retry on timeout, for
example in `env.py`:

```python
context.configure(connection=connection, target_metadata=target_metadata)
connection.exec_driver_sql("SET lock_timeout = '5s'")
```

or at the top of the revision: `op.execute("SET LOCAL lock_timeout = '5s'")`.
"#;

use crate::lint::Dialect;
use crate::lint::RevisionLint;
use crate::lint::steps::Action;
use crate::{Finding, Rule};
use alembic_doctor_script::OpKind;

pub(crate) fn check(lint: &RevisionLint<'_>, out: &mut Vec<Finding>) {
    if lint.environment.env_sets_lock_timeout {
        return;
    }
    for (step, existing) in lint.upgrade.iter().zip(&lint.on_existing) {
        if matches!(step.action, Action::SetLockTimeout) {
            return;
        }
        let concurrent = matches!(
            step.op(),
            Some(OpKind::CreateIndex(index)) if index.concurrently
        ) || matches!(
            step.op(),
            Some(OpKind::DropIndex {
                concurrently: true,
                ..
            })
        );
        if *existing && step.is_ddl() && !concurrent {
            let (setting, help) = match lint.settings.dialect {
                Dialect::MySql => (
                    "lock_wait_timeout",
                    "set `lock_wait_timeout` in env.py or at the top of the revision, and retry on timeout",
                ),
                _ => (
                    "lock_timeout",
                    "set `lock_timeout` in env.py or at the top of the revision, and retry on timeout",
                ),
            };
            out.push(
                lint.finding(
                    Rule::MissingLockTimeout,
                    step.span,
                    format!(
                        "revision `{}` locks an existing table without a `{setting}`: while it waits for the lock, every query on the table queues behind it",
                        lint.id
                    ),
                    "first lock on an existing table",
                )
                .help(help),
            );
            return;
        }
    }
}
