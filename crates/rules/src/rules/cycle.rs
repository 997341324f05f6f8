//! `cycle`: revisions that (transitively) follow themselves.

pub(crate) const EXPLANATION: &str = r"# cycle

## What it does
Reports a loop in the chain, through `down_revision` or through
`depends_on`, naming every revision in it.

## Why is this bad?
A chain with a loop has no order to apply: Alembic fails with `Cycle is
detected in revisions (...)` (or `Dependency cycle ...`), often listing more
revisions than the loop itself.

## How to fix
Find the revision in the loop whose parent is wrong (usually the most recent
file) and point it at the revision it really follows.
";
