//! `edited-revision`: a branch changes a revision the base branch has.
//! Found by `compare` and `report` (crates/compare), which know both sides.

pub(crate) const EXPLANATION: &str = r"# edited-revision

## What it does
Reports, in `compare` and `report`, a revision that the base branch already
has and whose file the compared branch changed.

## Why is this bad?
A database stamped at or above that revision has already run the old
version and never runs it again: the edit reaches only databases created
from scratch afterwards, so production and a fresh database end up with
different schemas. Edits that change only comments, the docstring or code
that no longer runs (typing, imports for a newer SQLAlchemy) are harmless,
which is why this is a warning to read, not an error.

## How to fix
Leave the revision as it is on the base branch (`git checkout <base> --
<path>`) and put the change in a new revision on top of the head. Keep the
edit only if it cannot change what the revision does to a database that
already ran it, and say so in the pull request.
";
