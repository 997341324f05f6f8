//! `lock-table`.

pub(crate) const EXPLANATION: &str = r#"# lock-table

## What it does
Reports `LOCK TABLE ... IN ... MODE` in raw SQL (PostgreSQL) in a mode that
blocks reads or writes (`SHARE`, `SHARE ROW EXCLUSIVE`, `EXCLUSIVE`, or
`ACCESS EXCLUSIVE`, the mode when none is written), and MySQL's `LOCK
TABLES ... READ | WRITE`, on a table that existed before the revisions
being checked.

## Why is this bad?
The lock is held until the migration's transaction ends: through every
later statement of the revision (and of the next revisions too when
`transaction_per_migration` is off), whatever they wait for. `SHARE` and
`SHARE ROW EXCLUSIVE` block writes, `EXCLUSIVE` blocks writes and locking
reads, `ACCESS EXCLUSIVE` blocks every query, plain `SELECT` included. On
MySQL, `READ` blocks writes and `WRITE` blocks other sessions' reads and
writes until `UNLOCK TABLES` or the connection closes (and `LOCK TABLES`
commits the open transaction first).

While the `LOCK TABLE` itself waits for the lock (behind a long query), it
queues every later query on the table behind it.

## How to fix
Drop the explicit lock when the statements after it take the locks they
need themselves. When it guards a data migration, keep the revision short:
the lock, the statements that need it and nothing else, with a
`lock_timeout` so that waiting for it cannot stall the application:

```python
op.execute("SET LOCAL lock_timeout = '2s'")
op.execute("LOCK TABLE account IN SHARE ROW EXCLUSIVE MODE")
```
"#;

use crate::lint::OpLint;
use crate::lint::steps::Action;
use crate::{Finding, Rule};

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    let Action::LockTable { table, mode } = &lint.step.action else {
        return;
    };
    if !lint.existing_table(table) {
        return;
    }
    let (blocks, until) = match mode.as_str() {
        "ACCESS EXCLUSIVE" => (
            "every query on it (reads included)",
            "until the migration's transaction ends",
        ),
        "EXCLUSIVE" => (
            "writes and locking reads (`SELECT ... FOR UPDATE`)",
            "until the migration's transaction ends",
        ),
        "SHARE" | "SHARE ROW EXCLUSIVE" => ("writes", "until the migration's transaction ends"),
        "WRITE" => (
            "other sessions' reads and writes",
            "until `UNLOCK TABLES` or the connection closes",
        ),
        "READ" => ("writes", "until `UNLOCK TABLES` or the connection closes"),
        // The weaker modes only conflict with schema changes and VACUUM.
        _ => return,
    };
    let label = format!("{mode} lock on `{table}`");
    out.push(
        lint.finding(
            Rule::LockTable,
            format!(
                "`{table}` is locked in {mode} mode: it blocks {blocks} {until}, through every later statement of revision `{}`",
                lint.revision.id
            ),
            label,
        )
        .help("drop the explicit lock if the statements after it take their own; otherwise keep this revision to the lock and what needs it, with a `lock_timeout` set first"),
    );
}
