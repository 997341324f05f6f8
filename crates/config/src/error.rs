//! What can go wrong while finding and reading the configuration, and the
//! warnings Alembic would print on the way.
//!
//! Every error names the file (and line, when there is one), says what is
//! wrong and what to do. Where Alembic has its own text for the same
//! condition, [`ConfigError::alembic_message`] returns it verbatim so the
//! Alembic-compatible output can print `FAILED: <text>`.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// A configuration problem that stops the run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Neither an ini file nor a `[tool.alembic]` table was found.
    #[error(
        "no Alembic configuration found: looked for {}. {}",
        looked_for_list(.looked_for),
        not_found_advice(*.named_by)
    )]
    NotFound {
        /// Every place that was checked, with why it did not count.
        looked_for: Vec<LookedFor>,
        /// How the files were named, when they were: `-c` or
        /// `$ALEMBIC_CONFIG` (the advice is then to check that path, not
        /// to pass one).
        named_by: Option<&'static str>,
    },

    /// A config file exists but could not be read.
    #[error("cannot read {}: {source}{}", .path.display(), unreadable_advice(.path, .source))]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },

    /// A config file is not UTF-8 text.
    #[error("{} is not valid UTF-8 (byte {offset}); Alembic reads it as UTF-8 text. Re-save it as UTF-8", .path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Offset of the first invalid byte.
        offset: usize,
    },

    /// The ini file is not valid Python `ConfigParser` syntax.
    #[error("{}:{line}: {message}. Alembic (Python's ConfigParser) refuses this file; fix the line", .path.display())]
    IniSyntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },

    /// The ini exists but has no section of the requested name, and
    /// `[tool.alembic]` does not supply `script_location` either.
    #[error(
        "{} has no [{section}] section{}. Alembic reads its settings from [{section}]; add it, \
         or choose another section with `-n NAME`",
        .path.display(),
        found_sections(.available)
    )]
    MissingSection {
        /// The ini file.
        path: PathBuf,
        /// The section asked for (`-n`, default `alembic`).
        section: String,
        /// The sections the file does have.
        available: Vec<String>,
    },

    /// No `script_location` in the ini section nor in `[tool.alembic]`.
    #[error(
        "No 'script_location' key found in configuration. Looked in {}. Add `script_location = %(here)s/migrations` \
         (the folder holding env.py), or give the migration folder with `--versions DIR`",
        files_list(.files)
    )]
    MissingScriptLocation {
        /// The config files that were read.
        files: Vec<PathBuf>,
    },

    /// `script_location` names a directory that does not exist.
    #[error(
        "Path doesn't exist: {shown}.  Please use the 'init' command to create a new scripts folder. \
         (script_location resolves to {}; relative paths are taken from the current directory, \
         not from the config file: write `%(here)s/...` to anchor it to the config file)",
        .path.display()
    )]
    ScriptLocationNotFound {
        /// The value as Alembic prints it (`str(Path(value))`).
        shown: String,
        /// The absolute path that was checked.
        path: PathBuf,
    },

    /// A `%` in an ini value is not a valid interpolation.
    #[error("{}: [{section}] {option}: {message}. Write a literal % as %%", .path.display())]
    Interpolation {
        /// The file.
        path: PathBuf,
        /// The section.
        section: String,
        /// The key being read.
        option: String,
        /// Python's message.
        message: String,
    },

    /// `pyproject.toml` is not valid TOML.
    #[error("{} is not valid TOML: {message}", .path.display())]
    Toml {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },

    /// A `[tool.alembic]` value has a type Alembic cannot use.
    #[error("{}: [tool.alembic] {key}: {message}", .path.display())]
    TomlValue {
        /// The file.
        path: PathBuf,
        /// The key.
        key: String,
        /// Alembic's message, or what was expected.
        message: String,
    },

    /// `path_separator` / `version_path_separator` has an unknown value.
    #[error(
        "{}: '{value}' is not a valid value for {key}; expected 'space', 'newline', 'os', ':', ';'",
        .path.display()
    )]
    InvalidSeparator {
        /// The ini file.
        path: PathBuf,
        /// `path_separator` or `version_path_separator`.
        key: String,
        /// The value given.
        value: String,
    },

    /// `-c` named two ini files or two `pyproject.toml` files.
    #[error("{message}: -c may be given twice, once for an ini file and once for a pyproject.toml")]
    ConflictingConfigFiles {
        /// Alembic's message (`only one ini file may be indicated` or
        /// `pyproject.toml indicated more than once`).
        message: String,
    },

    /// A `package:path` resource whose package could not be found without
    /// importing Python.
    #[error(
        "cannot find the Python package `{package}` for `{resource}` (looked in {}). alembic-doctor does not run Python; \
         add the package's parent folder to `prepend_sys_path`, or give the folder with `--versions DIR`",
        files_list(.searched)
    )]
    PackageNotFound {
        /// The resource string, e.g. `myapp:migrations`.
        resource: String,
        /// The package part, e.g. `myapp`.
        package: String,
        /// Directories searched.
        searched: Vec<PathBuf>,
    },
}

impl ConfigError {
    /// The message Alembic itself prints for this condition, when it has
    /// one (after `FAILED: ` for a `CommandError`).
    pub fn alembic_message(&self) -> Option<String> {
        match self {
            Self::NotFound { .. }
            | Self::MissingSection { .. }
            | Self::MissingScriptLocation { .. } => {
                Some("No 'script_location' key found in configuration.".to_owned())
            }
            Self::ScriptLocationNotFound { shown, .. } => Some(format!(
                "Path doesn't exist: {shown}.  Please use the 'init' command to create a new scripts folder."
            )),
            Self::ConflictingConfigFiles { message } | Self::TomlValue { message, .. } => {
                Some(message.clone())
            }
            Self::InvalidSeparator { key, value, .. } => Some(format!(
                "'{value}' is not a valid value for {key}; expected 'space', 'newline', 'os', ':', ';'"
            )),
            _ => None,
        }
    }
}

/// One place [`ConfigError::NotFound`] looked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookedFor {
    /// The path checked.
    pub path: PathBuf,
    /// Why it did not count.
    pub reason: &'static str,
}

fn looked_for_list(items: &[LookedFor]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|item| format!("{} ({})", item.path.display(), item.reason))
        .collect();
    parts.join(", ")
}

fn unreadable_advice(path: &std::path::Path, source: &io::Error) -> String {
    if source.kind() == io::ErrorKind::IsADirectory {
        format!(
            ". The configuration is a file: name {} (or the pyproject.toml) instead of the directory",
            path.join("alembic.ini").display()
        )
    } else {
        String::new()
    }
}

fn not_found_advice(named_by: Option<&str>) -> String {
    match named_by {
        Some(how) => format!(
            "Check the path given with {how} (a relative path is taken from the current directory), \
             or point at the migration folder with `--versions DIR`"
        ),
        None => "Run alembic-doctor from the directory you run `alembic` from, \
                 pass the config file with `-c path/to/alembic.ini` (or `-c pyproject.toml`), \
                 or point at the migration folder with `--versions DIR`"
            .to_owned(),
    }
}

fn files_list(files: &[PathBuf]) -> String {
    if files.is_empty() {
        return "no file".to_owned();
    }
    let parts: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    parts.join(", ")
}

fn found_sections(available: &[String]) -> String {
    if available.is_empty() {
        " (it has no sections)".to_owned()
    } else {
        let names: Vec<String> = available.iter().map(|s| format!("[{s}]")).collect();
        format!(" (it has {})", names.join(", "))
    }
}

/// Something worth telling the user that does not stop the run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigWarning {
    /// A `DeprecationWarning` Alembic emits; `message` is Alembic's text.
    Deprecated {
        /// Alembic's text.
        message: String,
    },
    /// A file named with `-c` or `ALEMBIC_CONFIG` does not exist. Alembic
    /// ignores it silently (and works if the other file has everything).
    ConfigFileMissing {
        /// The file.
        path: PathBuf,
    },
    /// With `--versions`, the configuration could not be read and was
    /// skipped; defaults (no recursion, no sourceless) are used.
    ConfigIgnored {
        /// The error that was skipped.
        error: String,
    },
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Deprecated { message } => f.write_str(message),
            Self::ConfigFileMissing { path } => write!(
                f,
                "config file {} does not exist; Alembic ignores it",
                path.display()
            ),
            Self::ConfigIgnored { error } => write!(
                f,
                "ignoring the configuration because --versions was given: {error}"
            ),
        }
    }
}
