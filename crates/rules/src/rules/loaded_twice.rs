//! `loaded-twice`: the same file is reached twice through the version locations.

pub(crate) const EXPLANATION: &str = r"# loaded-twice

## What it does
Reports a migration file reached twice (overlapping `version_locations`, or a
symlink to a file that is also listed directly).

## Why is this bad?
Alembic warns `File X loaded twice! ignoring` and skips the second one; the
configuration is usually not what was intended.

## How to fix
Make the `version_locations` entries disjoint, or remove the symlink.
";

use alembic_doctor_project::Project;
use alembic_doctor_source::SourceNote;

use crate::{Finding, Rule};

pub(crate) fn check(project: &Project, out: &mut Vec<Finding>) {
    for note in &project.notes {
        if let SourceNote::LoadedTwice {
            real_path,
            listed_path,
        } = note
        {
            out.push(
                Finding::new(
                    Rule::LoadedTwice,
                    format!(
                        "{} is reached twice through the version locations (again as {}); \
                         Alembic loads it once and warns",
                        real_path.display(),
                        listed_path.display()
                    ),
                )
                .help("make the `version_locations` entries disjoint, or remove the symlink"),
            );
        }
    }
}
