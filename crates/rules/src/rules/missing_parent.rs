//! `missing-parent`: `down_revision` names a revision that does not exist.

pub(crate) const EXPLANATION: &str = r"# missing-parent

## What it does
Reports a `down_revision` entry that names no loaded revision: a typo, a
parent deleted on another branch, a file outside the version directories, or
a branch label (Alembic only accepts revision ids in `down_revision`).

## Why is this bad?
Alembic warns `Revision X referenced from ... is not present` and then fails
every command with a `KeyError` traceback.

## How to fix
Point `down_revision` (and the `Revises:` line) at the revision this one
really follows, or restore the missing file. For a revision of your branch,
`alembic-doctor fix rebase REV --onto PARENT` sets both.
";
