//! `invalid-revision-id`: a revision id Alembic rejects or cannot address.

pub(crate) const EXPLANATION: &str = r"# invalid-revision-id

## What it does
Reports revision ids that contain `@`, `-`, `+` or `:` (Alembic refuses to
load them: `Character(s) '-' not allowed in revision identifier`), ids
that are not strings, and ids equal to the symbols `base`, `head` or `heads`.

## Why is this bad?
Alembic rejects these characters on every load because they are its own
syntax for relative and branch revisions (`label@head`, `ae10+2`); `:` was
added in Alembic 1.17.1, so an old history can suddenly stop loading after an
upgrade. An id named like a symbol cannot be addressed and crashes traversal.

## How to fix
Give the revision a new id made of letters, digits and `_` (Alembic's own ids
are 12 lowercase hex characters) and update every `down_revision` and
`depends_on` that names it.
";
