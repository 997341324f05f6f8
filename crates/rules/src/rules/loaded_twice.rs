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

use std::collections::HashMap;
use std::path::Path;

use alembic_doctor_project::Project;
use alembic_doctor_source::{SourceNote, Span};

use crate::{Finding, Rule};

pub(crate) fn check(project: &Project, out: &mut Vec<Finding>) {
    let mut by_path: Option<HashMap<&Path, usize>> = None;
    for note in &project.notes {
        let SourceNote::LoadedTwice {
            real_path,
            listed_path,
        } = note
        else {
            continue;
        };
        let how = if real_path == listed_path {
            "twice: the version locations overlap".to_owned()
        } else {
            format!("again as {}", listed_path.display())
        };
        let mut finding = Finding::new(
            Rule::LoadedTwice,
            format!(
                "{} is reached {how}; Alembic warns `File ... loaded twice! ignoring.`",
                real_path.display()
            ),
        )
        .help("make the `version_locations` entries disjoint, or remove the symlink");
        let by_path = by_path.get_or_insert_with(|| {
            project
                .files
                .iter()
                .enumerate()
                .map(|(i, f)| (f.path.as_path(), i))
                .collect()
        });
        if let Some(&file) = by_path.get(real_path.as_path()) {
            finding = finding.at(file, Span::default(), "listed more than once");
        }
        out.push(finding);
    }
}
