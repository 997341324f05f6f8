//! `filename-mismatch`: the file name carries a different id than the file defines.

pub(crate) const EXPLANATION: &str = r#"# filename-mismatch

## What it does
Reports a migration whose file name starts with a revision id (Alembic's
default `%(rev)s_%(slug)s` template) that differs from the `revision` the file
declares, typically after a copy or a hand rename.

## Why is this bad?
People and scripts find migrations by file name; a wrong id in the name sends
them to the wrong file and hides duplicate ids.

## How to fix
Rename the file so that it starts with its revision id.
"#;
