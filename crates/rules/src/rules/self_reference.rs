//! `self-reference`: a revision that is its own parent or dependency.

pub(crate) const EXPLANATION: &str = r"# self-reference

## What it does
Reports a revision whose `down_revision` or `depends_on` contains its own id.

## Why is this bad?
Alembic refuses to load it (`Self-loop is detected in revisions (X)`), which
breaks every command.

## How to fix
Replace the id with the id of the revision it really follows; usually the
file was copied and only `revision` was changed.
";
