//! `duplicate-revision`: two files claim the same revision id.

pub(crate) const EXPLANATION: &str = r#"# duplicate-revision

## What it does
Reports every revision id that more than one file declares, naming all of
them. This typically happens when two branches each create a revision with
the same id: a copied file, or a placeholder such as `a1b2c3d4e5f6`.

## Why is this bad?
Alembic only warns (`Revision X is present more than once`): the last file
loaded silently replaces the other for every lookup, so one of the two
migrations is never run, while `alembic heads` lists the same head twice.
Databases upgraded before and after the merge end up with different schemas.

## How to fix
Give all but one of the files a new id (12 random hex characters, e.g. from
`python -c "import uuid; print(uuid.uuid4().hex[-12:])"`), update the
`revision` variable, the `Revision ID:` line and the file name, and every
child that should follow the renamed copy. Keep the id that is already
deployed.
"#;
