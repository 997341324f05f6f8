//! `missing-version-location`: a version location that is not a readable
//! directory, so nothing in it was checked.

pub(crate) const EXPLANATION: &str = r"# missing-version-location

## What it does
Reports a version location that does not exist, is not a directory (a
file, a symbolic link loop) or cannot be listed: the path looked for, and
what a relative `script_location` or `--versions` was resolved against.

## Why is this bad?
Alembic lists nothing there and says nothing: `alembic heads` prints no
head, and a health check that found no migration would pass. In CI a
mistyped `script_location`, or a job run from the wrong directory, would
then check nothing and report success.

## How to fix
Fix `script_location` (or `version_locations`, or `--versions`). A relative
`script_location` is resolved against the current directory, as Alembic
resolves it, not against the ini file: run from the directory Alembic is
run from, pass `-c`, or write `%(here)s/migrations`. An existing empty
directory (a new project) is not reported.
";

use std::path::{Component, Path};

use alembic_doctor_config::VersionLocationsOrigin;
use alembic_doctor_project::Project;
use alembic_doctor_source::SourceNote;

use crate::{Finding, Rule};

pub(crate) fn check(project: &Project, out: &mut Vec<Finding>) {
    for note in &project.notes {
        let (location, why) = match note {
            SourceNote::MissingLocation { location } => (
                location,
                "does not exist (or is a symbolic link loop)".to_owned(),
            ),
            SourceNote::UnreadableDirectory { path, error }
                if project.version_locations.iter().any(|l| l == path) =>
            {
                let why = if error.kind == std::io::ErrorKind::NotADirectory {
                    "is not a directory".to_owned()
                } else {
                    format!("cannot be listed: {}", error.message)
                };
                (path, why)
            }
            _ => continue,
        };
        let message = format!(
            "version location {} {why}: no migration there was checked{}",
            location.display(),
            resolved_how(project)
        );
        out.push(Finding::new(Rule::MissingVersionLocation, message).help(
            "fix `script_location` / `version_locations` (a relative `script_location` is \
             resolved against the current directory, as Alembic does; `%(here)s/...` makes it \
             relative to the ini file), or run from the directory Alembic is run from",
        ));
    }
}

/// Where the location came from, and what a relative path was resolved
/// against.
fn resolved_how(project: &Project) -> String {
    let config = &project.config;
    match config.version_locations_origin {
        VersionLocationsOrigin::Flag => {
            " (from --versions; a relative path is resolved against the current directory)"
                .to_owned()
        }
        VersionLocationsOrigin::Configured => " (from `version_locations`)".to_owned(),
        VersionLocationsOrigin::Default => {
            let raw = config
                .options
                .get_main("script_location")
                .ok()
                .flatten()
                .unwrap_or_default();
            let Some(absolute) = &config.script_location else {
                return String::new();
            };
            let raw_path = Path::new(raw.trim());
            if raw.trim().is_empty() || raw_path.is_absolute() {
                return format!(" (`script_location` = `{}`, plus `versions`)", raw.trim());
            }
            // The directory the relative value was joined to.
            let depth = raw_path
                .components()
                .filter(|c| !matches!(c, Component::CurDir))
                .count();
            let cwd = absolute
                .ancestors()
                .nth(depth)
                .map_or_else(String::new, |dir| dir.display().to_string());
            format!(
                " (`script_location` = `{}`, plus `versions`; relative, so resolved against \
                 the current directory {cwd}, as Alembic resolves it)",
                raw.trim()
            )
        }
    }
}
