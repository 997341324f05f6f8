//! `missing-revision`: a file in a version directory declares no `revision`.

pub(crate) const EXPLANATION: &str = r#"# missing-revision

## What it does
Reports a `.py` file in a version directory that does not assign the
module-level variable `revision` (and whose name is not a bare hex id such as
`1975ea83b712.py`, which Alembic would take as the id).

## Why is this bad?
Alembic treats every `.py` file in a version directory as a migration and
stops with `Could not determine revision id from filename ...` on the first
one without a `revision`: a stray helper module breaks every command.

## How to fix
Move helper modules out of the version directories (a sibling package works,
importable from the migrations), or add the missing `revision = "..."`.
"#;
