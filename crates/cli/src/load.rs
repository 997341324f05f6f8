//! Turning the global options into a loaded project.

use alembic_doctor_project::{LoadRequest, ParseCache, Project};
use anyhow::Context;

use crate::args::ProjectArgs;

/// Load the project the options point at, from the current directory, the
/// way `alembic` finds it.
///
/// The project is leaked: it lives until the process exits, which frees it
/// all at once. Dropping it would free a large project's hundreds of
/// thousands of small allocations one by one, for nothing (a tenth of a
/// warm `heads`).
pub(crate) fn project(args: &ProjectArgs) -> anyhow::Result<&'static Project> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let request = LoadRequest {
        config_files: args.config.clone(),
        section: args.name.clone(),
        env_config: std::env::var_os("ALEMBIC_CONFIG"),
        versions: args.versions.clone(),
        recursive: args.recursive,
        display_root: None,
        cwd,
    };
    let cache = ParseCache::from_env(args.no_cache);
    let project = alembic_doctor_project::load_with_cache(&request, cache.as_ref())?;
    print_config_warnings(&project);
    Ok(Box::leak(Box::new(project)))
}

/// Print the configuration's warnings (Alembic prints them too) on stderr.
pub(crate) fn print_config_warnings(project: &Project) {
    use std::io::Write;
    let mut stderr = anstream::stderr();
    for warning in &project.config.warnings {
        let _ = writeln!(stderr, "warning: {warning}");
    }
}
