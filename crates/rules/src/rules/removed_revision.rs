//! `removed-revision`: a branch deletes a revision the base branch has.
//! Found by `compare` and `report` (crates/compare), which know both sides.

pub(crate) const EXPLANATION: &str = r"# removed-revision

## What it does
Reports, in `compare` and `report`, a revision that the base branch has and
that the compared branch deletes. It is an error when the deleted revision
is where deployed databases are (a head of the base branch): after the
merge, `alembic upgrade` on that database stops with `Can't locate revision
identified by ...`, since Alembic must find the revision stamped in
`alembic_version` before it can apply anything. Deleting any other revision
of the base branch is a warning.

## Why is this bad?
Every revision on the base branch may already have run somewhere (production,
staging, a teammate's database). Alembic needs the file of the revision each
database is stamped with, and of every revision between it and the head, to
upgrade or downgrade it. Deleting one strands those databases, and a
`down_revision` that still names it breaks the chain for everybody.

## How to fix
Restore the file from the base branch (`git checkout <base> -- <path>`). To
undo what a revision did, add a new revision on top of the head that
reverses it. If the revision really never ran anywhere, say so in the pull
request, and re-point the `down_revision` of its children at its parent.
";
