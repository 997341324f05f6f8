//! `missing-dependency`: `depends_on` names a revision or label that does not exist.

pub(crate) const EXPLANATION: &str = r"# missing-dependency

## What it does
Reports a `depends_on` entry that is neither a loaded revision id nor a
declared branch label. Alembic only accepts exact ids and labels here, not
partial ids.

## Why is this bad?
Alembic fails every command with a bare `KeyError` traceback, without saying
which file is at fault.

## How to fix
Use the full id of the revision, or an existing branch label, or remove the
entry.
";
