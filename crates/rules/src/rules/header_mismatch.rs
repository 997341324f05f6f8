//! `header-mismatch`: the docstring header disagrees with the variables.

pub(crate) const EXPLANATION: &str = r#"# header-mismatch

## What it does
Compares the `Revision ID:` and `Revises:` lines of the docstring with the
`revision` and `down_revision` variables and reports a disagreement, such as a
`Revises:` line still naming the old parent after a re-parent.

## Why is this bad?
Alembic ignores the header, but people read it: a stale header sends a
reviewer or an on-call engineer to the wrong parent.

## How to fix
Update the header line to match the variable (`Revises:` lists the parents
joined by `, `).
"#;
