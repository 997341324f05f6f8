//! `import-error`: a statement that parses but fails when Alembic imports the file.

pub(crate) const EXPLANATION: &str = r"# import-error

## What it does
Reports module-level statements that are valid syntax but fail as soon as
Alembic imports the migration, such as a relative import (`from .models
import User`): Alembic loads each migration as a top-level module without a
parent package, so Python raises `attempted relative import with no known
parent package`.

## Why is this bad?
Alembic imports every migration before any command runs, so one such file
stops `upgrade`, `heads` and `history` for everyone.

## How to fix
Use an absolute import of the project's package (`from myapp.models import
User`), or move the shared code out of the version directory into an
importable package.
";

use alembic_doctor_project::Project;

use crate::{Finding, Rule};

pub(crate) fn check(project: &Project, out: &mut Vec<Finding>) {
    for (index, file) in project.files.iter().enumerate() {
        // The marks spare decoding every cached script to find none.
        if !file.marks.import_errors {
            continue;
        }
        let Some(script) = file.script() else {
            continue;
        };
        for error in &script.import_errors {
            let mut finding = Finding::new(
                Rule::ImportError,
                format!(
                    "{} fails when Alembic imports it: {}",
                    file.display_path, error.message
                ),
            )
            .at(index, error.span, "fails when the file is imported")
            .help("use an absolute import of the project's package");
            if let Some(rev) = file.revision {
                finding = finding.revision(project.map.revisions()[rev].id.clone());
            }
            out.push(finding);
        }
    }
}
