//! `database-overlapping-revisions`: the version table holds a revision and
//! one of its ancestors. Found by `status` (crates/status).

pub(crate) const EXPLANATION: &str = r"# database-overlapping-revisions

## What it does
Reports, in `alembic-doctor status`, two rows of the database's version
table where one revision is an ancestor of the other (through
`down_revision` or `depends_on`).

## Why is this bad?
Alembic keeps one row per head of what was applied; an ancestor and its
descendant never both belong there. Alembic refuses to work from such a
table: `alembic upgrade` stops with `Requested revision X overlaps with other
requested revisions Y`. The table was edited by hand, or two deploys of
different branches stamped it.

## How to fix
Check which revisions the database really has, then delete the ancestor's
row, or run `alembic stamp --purge <revision>` with the revision the
database is at.
";
