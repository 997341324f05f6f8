//! Putting it together: `ScriptDirectory.from_config` without running
//! Python.
//!
//! Steps, in Alembic's order (so the first error is the one Alembic shows):
//! 1. choose and read the ini file and `pyproject.toml` (see `discover`);
//! 2. `script_location` must be set (ini section first, then
//!    `[tool.alembic]`);
//! 3. `prepend_sys_path` (only used here to find `package:path` resources);
//! 4. `recursive_version_locations`, then `script_location` made absolute
//!    against the current directory (or found as a package resource);
//! 5. `sourceless`, then `version_locations` (default
//!    `<script_location>/versions`), each made absolute the same way;
//! 6. `script_location` must exist.

use std::io;
use std::path::{Path, PathBuf};

use crate::discover;
use crate::error::{ConfigError, ConfigWarning, LookedFor};
use crate::files::{ConfigFiles, DiskConfigFiles};
use crate::ini;
use crate::locations;
use crate::options::{IniSource, OptionValue, Options};
use crate::paths;
use crate::pyproject;
use crate::request::ConfigRequest;

/// Where the version locations came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionLocationsOrigin {
    /// No `version_locations`: `<script_location>/versions`.
    Default,
    /// The configuration's `version_locations`.
    Configured,
    /// `--versions` on the command line.
    Flag,
}

/// The configuration Alembic would use, resolved.
#[derive(Debug, Clone)]
pub struct AlembicConfig {
    /// The ini file that was read (absolute), if one existed.
    pub ini_file: Option<PathBuf>,
    /// The `pyproject.toml` whose `[tool.alembic]` was read (absolute), if
    /// one existed with that table.
    pub toml_file: Option<PathBuf>,
    /// `script_location`, absolute. `None` only with `--versions` when the
    /// configuration has none.
    pub script_location: Option<PathBuf>,
    /// Version locations in config order, absolute (`..` kept, as
    /// `pathlib.Path.absolute` keeps it). Pass these to the source stage.
    pub version_locations: Vec<PathBuf>,
    /// Where [`AlembicConfig::version_locations`] came from.
    pub version_locations_origin: VersionLocationsOrigin,
    /// `recursive_version_locations` (true only for the exact ini text `true`).
    pub recursive_version_locations: bool,
    /// `sourceless` (same rule).
    pub sourceless: bool,
    /// `prepend_sys_path` entries, absolute.
    pub prepend_sys_path: Vec<PathBuf>,
    /// True when `script_location` was taken from the Flask-Migrate layout
    /// (an alembic-doctor convenience; see [`crate::load`]).
    pub flask_migrate: bool,
    /// Every other value, for later stages.
    pub options: Options,
    /// Warnings, in the order Alembic would emit them.
    pub warnings: Vec<ConfigWarning>,
}

/// Find and read the configuration the way `alembic` would in
/// `request.cwd`, and resolve the version locations.
///
/// alembic-doctor conveniences beyond Alembic:
/// * **Flask-Migrate.** With no `-c`, no `$ALEMBIC_CONFIG`, no
///   `./alembic.ini` and no `[tool.alembic]`, a `migrations/` folder holding
///   `alembic.ini`, `env.py` and `versions/` is used, with `script_location`
///   = that folder (Flask-Migrate's ini has no `script_location`;
///   Flask-Migrate sets it to the folder). Likewise an ini file (e.g. given
///   with `-c migrations/alembic.ini`) with no `script_location` anywhere
///   that sits beside an `env.py` gets its own folder.
/// * **`package:path` resources** are found by looking for the package's
///   folder instead of importing it (see `ConfigError::PackageNotFound`).
/// * An ini file that exists but cannot be read is an error (Python's
///   `ConfigParser.read` would silently treat it as empty).
pub fn load(request: &ConfigRequest) -> Result<AlembicConfig, ConfigError> {
    load_in(&DiskConfigFiles, request)
}

/// [`load`], reading every file through `files` instead of the disk: the
/// same rules applied to, say, a git revision's tree. Paths in the result
/// are built from `request.cwd` as on disk, so `files` should answer for
/// the paths under it (a git tree rooted at the project's checkout).
///
/// # Errors
///
/// As [`load`].
pub fn load_in(
    files: &dyn ConfigFiles,
    request: &ConfigRequest,
) -> Result<AlembicConfig, ConfigError> {
    let cwd = std::path::absolute(&request.cwd).unwrap_or_else(|_| request.cwd.clone());
    if request.versions.is_empty() {
        load_configured(files, request, &cwd)
    } else {
        Ok(load_with_versions(files, request, &cwd))
    }
}

/// The files read and how.
struct Sources {
    options: Options,
    /// Set when the Flask-Migrate layout was picked up automatically.
    flask_dir: Option<PathBuf>,
    warnings: Vec<ConfigWarning>,
}

fn read_sources(
    files: &dyn ConfigFiles,
    request: &ConfigRequest,
    cwd: &Path,
) -> Result<Sources, ConfigError> {
    let found = discover::config_files(request, cwd)?;
    let mut warnings = Vec::new();
    let mut ini = read_ini(files, &found.ini)?;
    if ini.is_none() && found.ini_named {
        warnings.push(ConfigWarning::ConfigFileMissing {
            path: found.ini.clone(),
        });
    }
    let toml_exists = files.exists(&found.toml);
    if !toml_exists && found.toml_named {
        warnings.push(ConfigWarning::ConfigFileMissing {
            path: found.toml.clone(),
        });
    }
    let toml = pyproject::read(files, &found.toml)?;

    let mut flask_dir = None;
    let mut looked_for = vec![
        LookedFor {
            path: found.ini.clone(),
            reason: "does not exist",
        },
        LookedFor {
            path: found.toml.clone(),
            reason: if toml_exists {
                "has no [tool.alembic] table"
            } else {
                "does not exist"
            },
        },
    ];
    let unflagged = request.config_files.is_empty()
        && request
            .alembic_config_env
            .as_ref()
            .is_none_or(|v| v.is_empty());
    if ini.is_none() && toml.is_none() && unflagged {
        let flask_ini = cwd.join("migrations").join("alembic.ini");
        if let Some(dir) = discover::flask_migrate_dir(files, cwd) {
            ini = read_ini(files, &flask_ini)?;
            flask_dir = Some(dir);
        } else {
            looked_for.push(LookedFor {
                path: flask_ini,
                reason: "no Flask-Migrate layout (alembic.ini, env.py and versions/ in migrations/)",
            });
        }
    }
    if ini.is_none() && toml.is_none() {
        let named_by = if !request.config_files.is_empty() {
            Some("`-c`")
        } else if !unflagged {
            Some("$ALEMBIC_CONFIG")
        } else {
            None
        };
        return Err(ConfigError::NotFound {
            looked_for,
            named_by,
        });
    }
    Ok(Sources {
        options: Options {
            ini,
            section: request.section.clone(),
            toml,
        },
        flask_dir,
        warnings,
    })
}

/// `ConfigParser(defaults={"here": ...}).read(path)`.
fn read_ini(files: &dyn ConfigFiles, path: &Path) -> Result<Option<IniSource>, ConfigError> {
    let unreadable = |source: io::Error| ConfigError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let bytes = match files.read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(unreadable(error)),
    };
    let text = String::from_utf8(bytes).map_err(|e| ConfigError::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    let syntax = |line: usize, message: String| ConfigError::IniSyntax {
        path: path.to_path_buf(),
        line,
        message,
    };
    if text.starts_with('\u{feff}') {
        return Err(syntax(
            1,
            "the file starts with a UTF-8 byte-order mark, which Python's ConfigParser reads as text \
             before the first [section]; save it without the BOM"
                .to_owned(),
        ));
    }
    let here = path.parent().map(paths::posix_string).unwrap_or_default();
    ini::check_settable(&here).map_err(|message| ConfigError::Interpolation {
        path: path.to_path_buf(),
        section: ini::DEFAULT_SECTION.to_owned(),
        option: "here".to_owned(),
        message: format!("the config file's directory cannot be used as %(here)s: {message}"),
    })?;
    let parsed = ini::parse(&text, &[("here", &here)]).map_err(|e| syntax(e.line, e.message))?;
    Ok(Some(IniSource {
        path: path.to_path_buf(),
        ini: parsed,
    }))
}

fn load_configured(
    files: &dyn ConfigFiles,
    request: &ConfigRequest,
    cwd: &Path,
) -> Result<AlembicConfig, ConfigError> {
    let Sources {
        options,
        flask_dir,
        mut warnings,
    } = read_sources(files, request, cwd)?;

    // 2. script_location, or the Flask-Migrate folder.
    let (script_value, flask_migrate) = match &flask_dir {
        // Flask-Migrate calls `set_main_option('script_location', directory)`.
        Some(_) => ("migrations".to_owned(), true),
        None => match options.get("script_location")? {
            Some(OptionValue::Text(text)) => (text, false),
            Some(_) => return Err(toml_not_a_string(&options, "script_location")),
            None => match ini_beside_env_py(files, &options) {
                Some(dir) => (paths::posix_string(&dir), true),
                None => return Err(missing_script_location(&options)),
            },
        },
    };

    // 3. prepend_sys_path.
    let prepend_sys_path: Vec<PathBuf> = locations::prepend_sys_path(&options, &mut warnings)?
        .unwrap_or_default()
        .iter()
        .map(|entry| paths::absolute(cwd, Path::new(entry)))
        .collect();
    let config_dirs: Vec<&Path> = [
        options.ini_path(),
        options.toml.as_ref().map(|t| t.path.as_path()),
    ]
    .into_iter()
    .flatten()
    .filter_map(Path::parent)
    .collect();
    let roots = paths::package_roots(cwd, &prepend_sys_path, &config_dirs);

    // 4.
    let recursive_version_locations = options.get_bool("recursive_version_locations")?;
    let script_location = paths::locate(files, &script_value, cwd, &roots)?;

    // 5.
    let sourceless = options.get_bool("sourceless")?;
    let (version_locations, version_locations_origin) =
        match locations::version_locations(&options, &mut warnings)? {
            Some(list) => (
                list.iter()
                    .map(|entry| paths::locate(files, entry, cwd, &roots))
                    .collect::<Result<Vec<_>, _>>()?,
                VersionLocationsOrigin::Configured,
            ),
            None => (
                vec![script_location.join("versions")],
                VersionLocationsOrigin::Default,
            ),
        };

    // 6.
    if !files.exists(&script_location) {
        let shown = if Path::new(&script_value).is_absolute() || !script_value.contains(':') {
            paths::shown(&script_value)
        } else {
            script_location.display().to_string()
        };
        return Err(ConfigError::ScriptLocationNotFound {
            shown,
            path: script_location,
        });
    }

    Ok(AlembicConfig {
        ini_file: options.ini_path().map(Path::to_path_buf),
        toml_file: options.toml.as_ref().map(|t| t.path.clone()),
        script_location: Some(script_location),
        version_locations,
        version_locations_origin,
        recursive_version_locations,
        sourceless,
        prepend_sys_path,
        flask_migrate,
        options,
        warnings,
    })
}

/// `--versions`: the folders are given; the configuration only supplies
/// options, and any problem with it is a warning.
fn load_with_versions(
    files: &dyn ConfigFiles,
    request: &ConfigRequest,
    cwd: &Path,
) -> AlembicConfig {
    let mut warnings = Vec::new();
    let options = match read_sources(files, request, cwd) {
        Ok(sources) => {
            warnings.extend(sources.warnings);
            sources.options
        }
        Err(ConfigError::NotFound { .. }) => Options {
            section: request.section.clone(),
            ..Options::default()
        },
        Err(error) => {
            warnings.push(ConfigWarning::ConfigIgnored {
                error: error.to_string(),
            });
            Options {
                section: request.section.clone(),
                ..Options::default()
            }
        }
    };
    let mut lenient_bool = |name: &str| {
        options.get_bool(name).unwrap_or_else(|error| {
            warnings.push(ConfigWarning::ConfigIgnored {
                error: error.to_string(),
            });
            false
        })
    };
    let recursive_version_locations = lenient_bool("recursive_version_locations");
    let sourceless = lenient_bool("sourceless");
    let prepend_sys_path: Vec<PathBuf> = locations::prepend_sys_path(&options, &mut Vec::new())
        .ok()
        .flatten()
        .unwrap_or_default()
        .iter()
        .map(|entry| paths::absolute(cwd, Path::new(entry)))
        .collect();
    let roots = paths::package_roots(cwd, &prepend_sys_path, &[]);
    let script_location = options
        .get_text("script_location")
        .ok()
        .flatten()
        .and_then(|value| paths::locate(files, &value, cwd, &roots).ok());
    AlembicConfig {
        ini_file: options.ini_path().map(Path::to_path_buf),
        toml_file: options.toml.as_ref().map(|t| t.path.clone()),
        script_location,
        version_locations: request
            .versions
            .iter()
            .map(|dir| paths::absolute(cwd, dir))
            .collect(),
        version_locations_origin: VersionLocationsOrigin::Flag,
        recursive_version_locations,
        sourceless,
        prepend_sys_path,
        flask_migrate: false,
        options,
        warnings,
    }
}

/// The Flask-Migrate convenience for an ini named explicitly: its folder,
/// when it holds `env.py`.
fn ini_beside_env_py(files: &dyn ConfigFiles, options: &Options) -> Option<PathBuf> {
    let dir = options.ini_path()?.parent()?;
    files
        .is_file(&dir.join("env.py"))
        .then(|| dir.to_path_buf())
}

fn missing_script_location(options: &Options) -> ConfigError {
    if let Some(path) = options.ini_path()
        && !options.has_ini_section()
        && !options.ini_has("script_location")
        && let Some(source) = &options.ini
    {
        return ConfigError::MissingSection {
            path: path.to_path_buf(),
            section: options.section().to_owned(),
            available: source.ini.section_names().map(str::to_owned).collect(),
        };
    }
    ConfigError::MissingScriptLocation {
        files: [
            options.ini_path(),
            options.toml.as_ref().map(|t| t.path.as_path()),
        ]
        .into_iter()
        .flatten()
        .map(Path::to_path_buf)
        .collect(),
    }
}

fn toml_not_a_string(options: &Options, key: &str) -> ConfigError {
    ConfigError::TomlValue {
        path: options
            .toml
            .as_ref()
            .map(|t| t.path.clone())
            .unwrap_or_default(),
        key: key.to_owned(),
        message: "expected a string".to_owned(),
    }
}
