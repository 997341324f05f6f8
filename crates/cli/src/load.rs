//! Turning the global options into a loaded project.

use std::path::PathBuf;

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
    let project = owned(args, &request(args, cwd))?;
    Ok(Box::leak(Box::new(project)))
}

/// The request that loads the project the options point at from `cwd`.
pub(crate) fn request(args: &ProjectArgs, cwd: PathBuf) -> LoadRequest {
    LoadRequest {
        config_files: args.config.clone(),
        section: args.name.clone(),
        env_config: std::env::var_os("ALEMBIC_CONFIG"),
        versions: args.versions.clone(),
        recursive: args.recursive,
        display_root: None,
        operations: false,
        keep_bytes: true,
        cwd,
    }
}

/// Load the project `request` names (with the parse cache unless the
/// options turn it off), printing the configuration's warnings; owned, for
/// a caller that hands it on (`check` gives it to the comparison with the
/// base branch).
pub(crate) fn owned(args: &ProjectArgs, request: &LoadRequest) -> anyhow::Result<Project> {
    let cache = ParseCache::from_env(args.no_cache);
    let project = alembic_doctor_project::load_with_cache(request, cache.as_ref())?;
    print_config_warnings(&project);
    Ok(project)
}

/// Print the configuration's warnings (Alembic prints them too) on stderr.
pub(crate) fn print_config_warnings(project: &Project) {
    use std::io::Write;
    let mut stderr = anstream::stderr();
    for warning in &project.config.warnings {
        let _ = writeln!(stderr, "warning: {warning}");
    }
}
