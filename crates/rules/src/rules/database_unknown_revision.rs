//! `database-unknown-revision`: the database is stamped with a revision no
//! file declares. Found by `status` (crates/status), which reads the
//! database.

pub(crate) const EXPLANATION: &str = r"# database-unknown-revision

## What it does
Reports, in `alembic-doctor status`, a revision id in the database's
version table (`alembic_version`) that no migration file declares. In a git
repository it also lists the commits, on any local or remote branch, that
added or removed that id in the version directories (`git log -S`), and the
branches holding them, to tell the likely cause: a branch deployed before it
was merged, a revision file deleted or renamed after it ran, or a hotfix
stamped by hand.

## Why is this bad?
Alembic must find every stamped revision before it can do anything: `alembic
upgrade` stops with `Can't locate revision identified by '...'`, and so do
`downgrade`, `current` with `--verbose`, and `stamp` without `--purge`. The
next deploy fails.

## How to fix
If the revision comes from a branch that was deployed but not merged, merge
that branch (or bring its migration file over) so the code knows it again.
If its file was deleted or renamed, restore it (`git checkout <commit>^ --
<path>`). If the revision was stamped by hand, check what the database
really has, then stamp the revision it matches: `alembic stamp --purge
<revision>`.
";
