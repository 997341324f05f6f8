//! `concurrently-outside-autocommit-block`.

pub(crate) const EXPLANATION: &str = r#"# concurrently-outside-autocommit-block

## What it does
Reports `postgresql_concurrently=True` (or `CREATE/DROP INDEX CONCURRENTLY`
in raw SQL) outside `with op.get_context().autocommit_block():`.

## Why is this bad?
Alembic runs each migration in a transaction, and PostgreSQL refuses
`CONCURRENTLY` inside one (`CREATE INDEX CONCURRENTLY cannot run inside a
transaction block`): the deploy fails.

## How to fix
Wrap the operation:

```python
with op.get_context().autocommit_block():
    op.create_index("ix_t_col", "t", ["col"], postgresql_concurrently=True)
```

Keep it the only statement in the block.

After a `COMMIT` written by hand (`op.execute("COMMIT")`,
`connection.commit()`, or a connection with `isolation_level="AUTOCOMMIT"`)
the index is built outside the transaction and the migration runs, so the
finding is a warning only: the earlier statements are committed before
Alembic records the revision, so a failure later leaves the schema half
migrated, and whether the driver opens a new transaction after the
`COMMIT` depends on the driver. `autocommit_block()` does the same thing on
purpose and restores Alembic's transaction afterwards.
"#;

use crate::lint::OpLint;
use crate::{Finding, Rule, Severity};
use alembic_doctor_script::OpKind;

pub(crate) fn check(lint: &OpLint<'_>, out: &mut Vec<Finding>) {
    if lint.step.autocommit {
        return;
    }
    let what = match lint.step.op() {
        Some(OpKind::CreateIndex(index)) if index.concurrently => {
            format!("index `{}` is created", index.name)
        }
        Some(OpKind::DropIndex {
            name,
            concurrently: true,
            ..
        }) => format!("index `{name}` is dropped"),
        _ => return,
    };
    if let Some(commit) = lint.outside_transaction {
        let mut finding = lint
            .finding(
                Rule::ConcurrentlyOutsideAutocommitBlock,
                format!("{what} CONCURRENTLY after the migration's transaction was ended by hand: it runs, but what came before is committed before Alembic records the revision, so a failure here leaves the schema half migrated"),
                "CONCURRENTLY after a hand-written COMMIT",
            )
            .related(lint.revision.file, commit, "the transaction ends here")
            .help("use `with op.get_context().autocommit_block():` instead of ending the transaction by hand");
        finding.severity = Severity::Warning;
        out.push(finding);
        return;
    }
    out.push(
        lint.finding(
            Rule::ConcurrentlyOutsideAutocommitBlock,
            format!("{what} CONCURRENTLY inside the migration's transaction: PostgreSQL refuses it and the deploy fails"),
            "CONCURRENTLY inside a transaction",
        )
        .help("wrap it in `with op.get_context().autocommit_block():`"),
    );
}
