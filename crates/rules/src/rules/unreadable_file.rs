//! `unreadable-file`: a candidate migration file that could not be read.

pub(crate) const EXPLANATION: &str = r#"# unreadable-file

## What it does
Reports a file in a version directory that Alembic would load but that cannot
be read (permissions, a dangling symlink, an I/O error) or that is not text.

## Why is this bad?
Alembic loads every `*.py` file in the version directories; one it cannot read
stops every command.

## How to fix
Fix the file's permissions, remove the dangling link, or move files that are
not migrations out of the version directories.
"#;
