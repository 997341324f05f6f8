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

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use alembic_doctor_project::Project;
use alembic_doctor_source::{SourceNote, Span};

use crate::{Finding, Rule};

pub(crate) fn check(project: &Project, out: &mut Vec<Finding>) {
    // One finding per directory reached twice, not per file: overlapping
    // version locations repeat every file of a directory (README and
    // notes included, as in Alembic's warnings).
    let mut by_dir: BTreeMap<&Path, Vec<(&Path, &Path)>> = BTreeMap::new();
    for note in &project.notes {
        if let SourceNote::LoadedTwice {
            real_path,
            listed_path,
        } = note
        {
            let dir = real_path.parent().unwrap_or(real_path);
            by_dir
                .entry(dir)
                .or_default()
                .push((real_path, listed_path));
        }
    }
    if by_dir.is_empty() {
        return;
    }
    let file_index: HashMap<&Path, usize> = project
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.as_path(), i))
        .collect();
    for (dir, files) in by_dir {
        let (first_real, first_listed) = files[0];
        let how = if first_real == first_listed {
            "the version locations overlap".to_owned()
        } else {
            format!("{} leads there too", first_listed.display())
        };
        let what = if files.len() == 1 {
            format!("{} is reached twice", first_real.display())
        } else {
            format!(
                "{} files in {} are reached twice",
                files.len(),
                dir.display()
            )
        };
        let mut finding = Finding::new(
            Rule::LoadedTwice,
            format!("{what} ({how}); Alembic warns `File ... loaded twice! ignoring.` for each"),
        )
        .help("make the `version_locations` entries disjoint, or remove the symlink");
        if let Some(&file) = files.iter().find_map(|(real, _)| file_index.get(real)) {
            finding = finding.at(file, Span::default(), "reached twice");
        }
        out.push(finding);
    }
}
