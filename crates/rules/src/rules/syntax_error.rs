//! `syntax-error`: a migration file that Python cannot parse.

pub(crate) const EXPLANATION: &str = r#"# syntax-error

## What it does
Reports every syntax error in a migration file, with its line and column, as
Python 3 would reject it (Python 2 files such as `print "x"` included).

## Why is this bad?
Alembic imports every file in the version directories before any command
runs, so one file that does not parse makes `alembic upgrade`, `heads` and
`history` fail for everyone, usually with a traceback far from the cause.
alembic-doctor still reads the revision variables from the rest of the file,
so the other findings stay accurate.

## How to fix
Fix the code at the reported position. For a Python 2 migration in an old
history, port it (`print("x")`) or, if the revision is long applied
everywhere, squash it into a newer baseline.
"#;
