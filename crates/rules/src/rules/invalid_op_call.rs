//! `invalid-op-call`.

pub(crate) const EXPLANATION: &str = r#"# invalid-op-call

## What it does
Reports an `op.*` or `batch_op.*` call whose arguments do not bind to
Alembic's signature for it: an argument given both by position and by
keyword, a keyword the operation does not take, a required argument left
out, or more arguments by position than it takes. The signatures are
Alembic 1.20's, read from the package by `scripts/op-signatures`. A call
that passes `*args` or `**kwargs` is not judged.

## Why is this bad?
Python binds the arguments before Alembic runs anything, so the call
raises `TypeError` the day the migration runs: often in a `downgrade()`
nobody ran, when a rollback is what is needed.

## Example
```python
with op.batch_alter_table("user") as batch_op:
    # the batch form takes no table name: "user" is `type_`, given twice
    batch_op.drop_constraint("uq_user_email", "user", type_="unique")
```

## How to fix
Call it as Alembic's documentation spells it:
`batch_op.drop_constraint("uq_user_email", type_="unique")`. Options
Alembic 1.20 takes only by keyword (`schema=`, `type_=` of
`op.drop_constraint` in older releases) are passed by keyword.
"#;

use crate::lint::RevisionLint;
use crate::{Finding, Rule};

pub(crate) fn check(lint: &RevisionLint<'_>, out: &mut Vec<Finding>) {
    let functions = [&lint.operations.upgrade, &lint.operations.downgrade];
    for (function, name) in functions.into_iter().zip(["upgrade", "downgrade"]) {
        let Some(function) = function else { continue };
        // A helper called twice, or a loop read once per value, records
        // the same call again: one finding per place.
        let mut seen = std::collections::BTreeSet::new();
        for call in &function.failing_calls {
            if !seen.insert((call.span.start, call.span.end)) {
                continue;
            }
            out.push(
                lint.finding(
                    Rule::InvalidOpCall,
                    call.span,
                    format!("`{}` in `{name}()` {}", call.source, call.reason),
                    "does not bind to Alembic's signature",
                )
                .help("pass the arguments as Alembic's signature takes them (`alembic-doctor explain invalid-op-call`)"),
            );
        }
    }
}
