//! `unreadable-file`: a candidate migration file that could not be read.

pub(crate) const EXPLANATION: &str = r"# unreadable-file

## What it does
Reports a file in a version directory that Alembic would load but that cannot
be read (permissions, a dangling symlink, an I/O error) or that is not text.

## Why is this bad?
Alembic loads every `*.py` file in the version directories; one it cannot read
stops every command.

## How to fix
Fix the file's permissions, remove the dangling link, or move files that are
not migrations out of the version directories.
";

use alembic_doctor_project::Project;
use alembic_doctor_source::Span;

use crate::{Finding, Rule};

pub(crate) fn check(project: &Project, out: &mut Vec<Finding>) {
    for (index, file) in project.files.iter().enumerate() {
        if let Some(error) = &file.read_error {
            out.push(
                Finding::new(
                    Rule::UnreadableFile,
                    format!("{} cannot be read: {error}", file.display_path),
                )
                .at(index, Span::default(), "")
                .help("Alembic loads every `.py` file in the version directories; fix the file or move it out"),
            );
        }
    }
}
