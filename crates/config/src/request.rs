//! What the caller asks for: the command-line flags and environment that
//! decide which configuration Alembic would use.

use std::ffi::OsString;
use std::path::PathBuf;

/// The inputs of [`crate::load`], mirroring `alembic`'s own flags.
///
/// Nothing here is read from the process: the caller passes the working
/// directory and `$ALEMBIC_CONFIG`, so the library is hermetic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigRequest {
    /// The directory `alembic` would run in. Relative `script_location`
    /// and `version_locations` are resolved against it, like Alembic does.
    /// Should be absolute; a relative one is made absolute against the
    /// process's current directory.
    pub cwd: PathBuf,
    /// `-c/--config`, at most one ini file and one `pyproject.toml` (told
    /// apart by the file name `pyproject.toml`, as Alembic does). Relative
    /// paths are relative to `cwd`.
    pub config_files: Vec<PathBuf>,
    /// `-n/--name`: the ini section to read (default `alembic`). It does not
    /// affect `[tool.alembic]`.
    pub section: String,
    /// The value of `$ALEMBIC_CONFIG`, if set. An empty value counts as
    /// unset, as in Alembic.
    pub alembic_config_env: Option<OsString>,
    /// `--versions DIR...`: read these folders instead of the configured
    /// version locations (relative to `cwd`). The configuration is still
    /// read, for `recursive_version_locations`, `sourceless` and the other
    /// options, but a missing or broken one is only a warning.
    pub versions: Vec<PathBuf>,
}

impl ConfigRequest {
    /// A request with no flags: Alembic's defaults in directory `cwd`.
    pub fn new(cwd: impl Into<PathBuf>) -> Self {
        Self {
            cwd: cwd.into(),
            config_files: Vec::new(),
            section: "alembic".to_owned(),
            alembic_config_env: None,
            versions: Vec::new(),
        }
    }

    /// Add a `-c` file.
    #[must_use]
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config_files.push(path.into());
        self
    }

    /// Set `-n`.
    #[must_use]
    pub fn section(mut self, name: impl Into<String>) -> Self {
        self.section = name.into();
        self
    }

    /// Set the `$ALEMBIC_CONFIG` value.
    #[must_use]
    pub fn alembic_config_env(mut self, value: impl Into<OsString>) -> Self {
        self.alembic_config_env = Some(value.into());
        self
    }

    /// Add a `--versions` folder.
    #[must_use]
    pub fn versions_dir(mut self, path: impl Into<PathBuf>) -> Self {
        self.versions.push(path.into());
        self
    }
}
