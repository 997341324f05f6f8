//! `mysql-multiple-ddl`.

pub(crate) const EXPLANATION: &str = r"# mysql-multiple-ddl

## What it does
Reports a revision that runs more than one DDL statement on MySQL.

## Why is this bad?
MySQL commits every DDL statement on its own: if the third of five fails,
the first two stay applied while `alembic_version` still names the previous
revision, and re-running the migration fails on the first statement.

## How to fix
One DDL statement per revision, or make each statement idempotent
(`if_not_exists=True`, `if_exists=True`) so that a re-run can pass.
";

use crate::lint::RevisionLint;
use crate::lint::steps::Step;
use crate::{Finding, Rule};

pub(crate) fn check(lint: &RevisionLint<'_>, out: &mut Vec<Finding>) {
    let ddl: Vec<&Step> = lint.upgrade.iter().filter(|step| step.is_ddl()).collect();
    if let [_, second, ..] = ddl[..] {
        out.push(
            lint.finding(
                Rule::MysqlMultipleDdl,
                second.span,
                format!(
                    "revision `{}` runs {} DDL statements: MySQL commits each one, so a failure part way leaves the schema half migrated",
                    lint.id,
                    ddl.len()
                ),
                "second DDL statement",
            )
            .help("split the revision, or make every statement idempotent"),
        );
    }
}
