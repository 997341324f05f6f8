//! Splitting `version_locations` and `prepend_sys_path` as
//! `Config.get_version_locations_list` / `get_prepend_sys_paths_list` do.
//!
//! In the ini the value is one string, split on `path_separator` (`os`,
//! `:`, `;`, `space`, `newline`); for `version_locations` the deprecated
//! `version_path_separator` is the fallback. Without either, Alembic falls
//! back to the legacy regex `, *| +` (plus `:` for `prepend_sys_path`), with
//! a `DeprecationWarning`; that split does *not* split on newlines and can
//! produce empty entries (`"a ,b"` → `a`, `""`, `b`), which Alembic then
//! takes as the current directory. We keep both quirks. In
//! `[tool.alembic]` the value is a native array.

use crate::error::{ConfigError, ConfigWarning};
use crate::options::{OptionValue, Options};
use crate::pytext;

const VERSION_PATH_SEPARATOR_DEPRECATED: &str =
    "The version_path_separator configuration parameter is deprecated; please use path_separator";
const LEGACY_VERSION_LOCATIONS: &str = "No path_separator found in configuration; falling back to legacy \
     splitting on spaces/commas for version_locations.  Consider adding path_separator=os to Alembic config.";
const LEGACY_PREPEND_SYS_PATH: &str = "No path_separator found in configuration; falling back to legacy \
     splitting on spaces, commas, and colons for prepend_sys_path.  Consider adding path_separator=os to \
     Alembic config.";

/// `Config.get_version_locations_list()`: `None` when not configured.
pub(crate) fn version_locations(
    options: &Options,
    warnings: &mut Vec<ConfigWarning>,
) -> Result<Option<Vec<String>>, ConfigError> {
    path_list(
        options,
        "version_locations",
        &["path_separator", "version_path_separator"],
        false,
        LEGACY_VERSION_LOCATIONS,
        warnings,
    )
}

/// `Config.get_prepend_sys_paths_list()`: `None` when not configured.
pub(crate) fn prepend_sys_path(
    options: &Options,
    warnings: &mut Vec<ConfigWarning>,
) -> Result<Option<Vec<String>>, ConfigError> {
    path_list(
        options,
        "prepend_sys_path",
        &["path_separator"],
        true,
        LEGACY_PREPEND_SYS_PATH,
        warnings,
    )
}

fn path_list(
    options: &Options,
    key: &str,
    separator_keys: &[&str],
    legacy_colon: bool,
    legacy_warning: &str,
    warnings: &mut Vec<ConfigWarning>,
) -> Result<Option<Vec<String>>, ConfigError> {
    // An empty ini value counts as absent (`if version_locations_str:`).
    if let Some(text) = options.get_main(key)?.filter(|text| !text.is_empty()) {
        let parts = if let Some(sep) = separator(options, separator_keys, warnings)? {
            // `[x.strip() for x in s.split(sep) if x]`: a blank entry survives
            // the `if x` and becomes "" (the current directory).
            text.split(sep)
                .filter(|part| !part.is_empty())
                .map(|part| pytext::strip(part).to_owned())
                .collect()
        } else {
            warnings.push(ConfigWarning::Deprecated {
                message: legacy_warning.to_owned(),
            });
            legacy_split(&text, legacy_colon)
        };
        return Ok(Some(parts));
    }
    match options
        .toml
        .as_ref()
        .map(|toml| toml.get(key))
        .transpose()?
        .flatten()
    {
        None => Ok(None),
        Some(OptionValue::List(items)) => Ok(Some(items)),
        Some(_) => Err(ConfigError::TomlValue {
            path: options
                .toml
                .as_ref()
                .map(|t| t.path.clone())
                .unwrap_or_default(),
            key: key.to_owned(),
            message: "expected an array of strings, e.g. [\"%(here)s/migrations/versions\"] \
                      (Alembic would iterate a string character by character)"
                .to_owned(),
        }),
    }
}

/// `Config._get_file_separator_char(*names)`: the first key present wins.
fn separator(
    options: &Options,
    keys: &[&str],
    warnings: &mut Vec<ConfigWarning>,
) -> Result<Option<char>, ConfigError> {
    for key in keys {
        let Some(value) = options.get_main(key)? else {
            continue;
        };
        let sep = match value.as_str() {
            "space" => ' ',
            "newline" => '\n',
            // `os.pathsep`.
            "os" => {
                if cfg!(windows) {
                    ';'
                } else {
                    ':'
                }
            }
            ":" => ':',
            ";" => ';',
            _ => {
                return Err(ConfigError::InvalidSeparator {
                    path: options.ini_path().map(Into::into).unwrap_or_default(),
                    key: (*key).to_owned(),
                    value,
                });
            }
        };
        if *key == "version_path_separator" {
            warnings.push(ConfigWarning::Deprecated {
                message: VERSION_PATH_SEPARATOR_DEPRECATED.to_owned(),
            });
        }
        return Ok(Some(sep));
    }
    Ok(None)
}

/// Python's `re.split(r", *|(?: +)", text)` (with an extra `:` alternative
/// when `colon`).
pub(crate) fn legacy_split(text: &str, colon: bool) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ',' | ' ' => {
                while chars.peek() == Some(&' ') {
                    chars.next();
                }
                parts.push(std::mem::take(&mut current));
            }
            ':' if colon => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    parts
}

#[cfg(test)]
mod tests {
    use super::legacy_split;

    #[test]
    fn legacy_split_is_python_re_split() {
        assert_eq!(legacy_split("a, b  c", false), ["a", "b", "c"]);
        assert_eq!(legacy_split("a ,b", false), ["a", "", "b"]);
        assert_eq!(legacy_split("a\nb", false), ["a\nb"]);
        assert_eq!(legacy_split(" a", false), ["", "a"]);
        assert_eq!(legacy_split(".:src", true), [".", "src"]);
    }
}
