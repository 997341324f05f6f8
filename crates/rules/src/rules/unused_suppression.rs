//! `unused-suppression`.

pub(crate) const EXPLANATION: &str = r"# unused-suppression

## What it does
Reports a suppression comment (`# alembic-doctor: ignore[rule]` or
`# alembic-doctor: ignore-file[rule]`) that suppresses nothing, or that names
a rule alembic-doctor does not know.

## Why is this bad?
A stale suppression hides the next real finding of that rule on the same
line, and a misspelt rule name suppresses nothing while looking as if it did.

## How to fix
Remove the comment, or the rule name from its list. `alembic-doctor explain
--list` lists the rule names.
";

// The check lives with the suppressions themselves (`lint::suppress`): it
// needs to know which directives were used.
