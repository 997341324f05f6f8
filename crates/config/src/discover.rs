//! Which files to read: `CommandLine._inis_from_config`, plus the
//! Flask-Migrate layout.
//!
//! Alembic always has one ini name and one `pyproject.toml` name:
//! * `$ALEMBIC_CONFIG`, if set, replaces the default of its kind (a
//!   `pyproject.toml` by file name, else the ini);
//! * defaults are `alembic.ini` and `pyproject.toml` in the current
//!   directory;
//! * each `-c` replaces the default of its kind; two of one kind is an error.
//!
//! A missing file is simply empty (`ConfigParser.read` skips it), so
//! `-c custom.ini` still reads `./pyproject.toml`'s `[tool.alembic]`.

use std::path::{Path, PathBuf};

use crate::error::ConfigError;
use crate::files::ConfigFiles;
use crate::paths;
use crate::pytext;
use crate::request::ConfigRequest;

/// The two files Alembic would read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConfigPaths {
    /// The ini file (absolute); it may not exist.
    pub(crate) ini: PathBuf,
    /// Whether the ini was named by `-c` or `$ALEMBIC_CONFIG`.
    pub(crate) ini_named: bool,
    /// The `pyproject.toml` (absolute); it may not exist.
    pub(crate) toml: PathBuf,
    /// Whether it was named by `-c` or `$ALEMBIC_CONFIG`.
    pub(crate) toml_named: bool,
}

fn is_pyproject(path: &Path) -> bool {
    pytext::basename(&path.to_string_lossy()) == "pyproject.toml"
}

/// `_inis_from_config`.
pub(crate) fn config_files(
    request: &ConfigRequest,
    cwd: &Path,
) -> Result<ConfigPaths, ConfigError> {
    let env = request
        .alembic_config_env
        .as_ref()
        .filter(|value| !value.is_empty())
        .map(PathBuf::from);
    let (mut ini, mut ini_named, mut toml, mut toml_named) = match env {
        Some(env) if is_pyproject(&env) => (PathBuf::from("alembic.ini"), false, env, true),
        Some(env) => (env, true, PathBuf::from("pyproject.toml"), false),
        None => (
            PathBuf::from("alembic.ini"),
            false,
            PathBuf::from("pyproject.toml"),
            false,
        ),
    };
    let mut seen_ini = false;
    let mut seen_toml = false;
    for name in &request.config_files {
        if is_pyproject(name) {
            if seen_toml {
                return Err(ConfigError::ConflictingConfigFiles {
                    message: "pyproject.toml indicated more than once".to_owned(),
                });
            }
            seen_toml = true;
            toml.clone_from(name);
            toml_named = true;
        } else {
            if seen_ini {
                return Err(ConfigError::ConflictingConfigFiles {
                    message: "only one ini file may be indicated".to_owned(),
                });
            }
            seen_ini = true;
            ini.clone_from(name);
            ini_named = true;
        }
    }
    Ok(ConfigPaths {
        ini: paths::absolute(cwd, &ini),
        ini_named,
        toml: paths::absolute(cwd, &toml),
        toml_named,
    })
}

/// The Flask-Migrate layout: `migrations/` holding `alembic.ini`, `env.py`
/// and `versions/`. Returns the folder.
pub(crate) fn flask_migrate_dir(files: &dyn ConfigFiles, cwd: &Path) -> Option<PathBuf> {
    let dir = cwd.join("migrations");
    let looks_right = files.is_file(&dir.join("alembic.ini"))
        && files.is_file(&dir.join("env.py"))
        && files.is_dir(&dir.join("versions"));
    looks_right.then_some(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(request: &ConfigRequest) -> ConfigPaths {
        config_files(request, Path::new("/p")).unwrap()
    }

    #[test]
    fn defaults_env_and_flags() {
        let base = ConfigRequest::new("/p");
        let f = files(&base);
        assert_eq!(
            (f.ini.as_path(), f.toml.as_path()),
            (Path::new("/p/alembic.ini"), Path::new("/p/pyproject.toml"))
        );

        let f = files(&base.clone().alembic_config_env("conf/x.ini"));
        assert_eq!(f.ini, Path::new("/p/conf/x.ini"));
        assert!(f.ini_named && !f.toml_named);

        let f = files(&base.clone().alembic_config_env("/q/pyproject.toml"));
        assert_eq!(
            (f.ini.as_path(), f.toml.as_path()),
            (Path::new("/p/alembic.ini"), Path::new("/q/pyproject.toml"))
        );

        // `-c` of one kind keeps `$ALEMBIC_CONFIG` for the other kind.
        let f = files(
            &base
                .clone()
                .alembic_config_env("env.ini")
                .config_file("sub/pyproject.toml"),
        );
        assert_eq!(
            (f.ini.as_path(), f.toml.as_path()),
            (Path::new("/p/env.ini"), Path::new("/p/sub/pyproject.toml"))
        );

        let f = files(&base.clone().alembic_config_env("").config_file("a.ini"));
        assert_eq!(f.ini, Path::new("/p/a.ini"));
    }

    #[test]
    fn two_of_a_kind_is_alembics_error() {
        let two_inis = ConfigRequest::new("/p")
            .config_file("a.ini")
            .config_file("b.ini");
        let err = config_files(&two_inis, Path::new("/p")).unwrap_err();
        assert_eq!(
            err.alembic_message().unwrap(),
            "only one ini file may be indicated"
        );
        let two_tomls = ConfigRequest::new("/p")
            .config_file("pyproject.toml")
            .config_file("x/pyproject.toml");
        let err = config_files(&two_tomls, Path::new("/p")).unwrap_err();
        assert_eq!(
            err.alembic_message().unwrap(),
            "pyproject.toml indicated more than once"
        );
    }
}
