//! `missing-down-revision`: a migration without `down_revision`.

pub(crate) const EXPLANATION: &str = r"# missing-down-revision

## What it does
Reports a migration that assigns `revision` but never `down_revision`.

## Why is this bad?
Alembic reads `down_revision` unconditionally and fails with an
`AttributeError` traceback on every command.

## How to fix
Add `down_revision = None` for a first revision, or the id of the revision it
follows.
";
