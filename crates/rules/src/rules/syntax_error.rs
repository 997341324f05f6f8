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

use alembic_doctor_project::Project;

use crate::{Finding, Rule};

/// More errors than this in one file are summarised: the first is the one
/// that matters, the rest are usually consequences.
const MAX_PER_FILE: usize = 3;

pub(crate) fn check(project: &Project, out: &mut Vec<Finding>) {
    for (index, file) in project.files.iter().enumerate() {
        // The marks spare decoding every cached script to find none.
        if !file.marks.syntax_errors {
            continue;
        }
        let Some(script) = file.script() else {
            continue;
        };
        let errors = &script.syntax_errors;
        for (n, error) in errors.iter().take(MAX_PER_FILE).enumerate() {
            let mut finding = Finding::new(
                Rule::SyntaxError,
                format!(
                    "{} is not valid Python: {}",
                    file.display_path, error.message
                ),
            )
            .at(index, error.span, error.message.clone());
            if n == 0 {
                finding = finding.help(if errors.len() > MAX_PER_FILE {
                    format!(
                        "Alembic imports every migration, so this file stops every command; \
                         {} more syntax errors in this file are not shown",
                        errors.len() - MAX_PER_FILE
                    )
                } else {
                    "Alembic imports every migration, so this file stops every command".to_owned()
                });
            }
            out.push(finding);
        }
    }
}
