//! `pyproject.toml`'s `[tool.alembic]` table (Alembic 1.16+), read the way
//! `Config.toml_alembic_config` and `_get_toml_config_value` read it.
//!
//! Strings, arrays of strings, tables of strings and arrays of tables are
//! `%`-formatted with `here` = the directory of `pyproject.toml` (Python's
//! `value % {"here": ...}`). Integers and booleans pass through. Floats and
//! dates are `unsupported TOML value type for key: 'x'`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::ConfigError;
use crate::files::ConfigFiles;
use crate::ini::py_repr;
use crate::options::OptionValue;

/// The `[tool.alembic]` table of one `pyproject.toml`.
#[derive(Debug, Clone)]
pub(crate) struct Pyproject {
    /// The file (absolute).
    pub(crate) path: PathBuf,
    /// `%(here)s`: the file's directory, POSIX style.
    here: String,
    table: toml::Table,
}

/// Read `path`'s `[tool.alembic]`. `Ok(None)` when the file does not exist
/// or has no such table (Alembic then finds nothing there).
pub(crate) fn read(files: &dyn ConfigFiles, path: &Path) -> Result<Option<Pyproject>, ConfigError> {
    if !files.exists(path) {
        return Ok(None);
    }
    let bytes = files.read(path).map_err(|source| ConfigError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| ConfigError::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    let document: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::Toml {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_owned(),
        })?;
    let incorrect = |key: &str| ConfigError::TomlValue {
        path: path.to_path_buf(),
        key: key.to_owned(),
        message: "Incorrect TOML format".to_owned(),
    };
    let table = match document.get("tool") {
        None => return Ok(None),
        Some(toml::Value::Table(tool)) => match tool.get("alembic") {
            None => return Ok(None),
            Some(toml::Value::Table(alembic)) => alembic.clone(),
            Some(_) => return Err(incorrect("tool.alembic")),
        },
        Some(_) => return Err(incorrect("tool")),
    };
    let here = path
        .parent()
        .map(crate::paths::posix_string)
        .unwrap_or_default();
    Ok(Some(Pyproject {
        path: path.to_path_buf(),
        here,
        table,
    }))
}

impl Pyproject {
    /// `Config._get_toml_config_value(name)`.
    pub(crate) fn get(&self, name: &str) -> Result<Option<OptionValue>, ConfigError> {
        let Some(value) = self.table.get(name) else {
            return Ok(None);
        };
        let value = match value {
            toml::Value::String(s) => OptionValue::Text(self.format(name, s)?),
            toml::Value::Integer(n) => OptionValue::Integer(*n),
            toml::Value::Boolean(b) => OptionValue::Boolean(*b),
            toml::Value::Array(items) => {
                // Alembic looks at the first element to decide the shape.
                if let Some(toml::Value::Table(_)) = items.first() {
                    let mut tables = Vec::with_capacity(items.len());
                    for item in items {
                        let toml::Value::Table(table) = item else {
                            return Err(self.error(name, "expected every element to be a table"));
                        };
                        tables.push(self.format_table(name, table)?);
                    }
                    OptionValue::Tables(tables)
                } else {
                    let mut strings = Vec::with_capacity(items.len());
                    for item in items {
                        let toml::Value::String(s) = item else {
                            return Err(self.error(name, "expected an array of strings"));
                        };
                        strings.push(self.format(name, s)?);
                    }
                    OptionValue::List(strings)
                }
            }
            toml::Value::Table(table) => OptionValue::Table(self.format_table(name, table)?),
            toml::Value::Float(_) | toml::Value::Datetime(_) => {
                return Err(self.error(
                    name,
                    &format!("unsupported TOML value type for key: {}", py_repr(name)),
                ));
            }
        };
        Ok(Some(value))
    }

    /// `get_alembic_boolean_option`'s TOML branch: absent is false, a
    /// non-boolean is an error.
    pub(crate) fn get_bool(&self, name: &str) -> Result<bool, ConfigError> {
        match self.table.get(name) {
            None => Ok(false),
            Some(toml::Value::Boolean(b)) => Ok(*b),
            Some(_) => Err(self.error(
                name,
                &format!(
                    "boolean value expected for TOML parameter {}",
                    py_repr(name)
                ),
            )),
        }
    }

    fn format_table(
        &self,
        name: &str,
        table: &toml::Table,
    ) -> Result<BTreeMap<String, String>, ConfigError> {
        let mut out = BTreeMap::new();
        for (key, value) in table {
            let toml::Value::String(s) = value else {
                return Err(self.error(name, &format!("expected `{key}` to be a string")));
            };
            out.insert(key.clone(), self.format(name, s)?);
        }
        Ok(out)
    }

    fn format(&self, name: &str, value: &str) -> Result<String, ConfigError> {
        percent_format(value, &self.here).map_err(|message| self.error(name, &message))
    }

    fn error(&self, name: &str, message: &str) -> ConfigError {
        ConfigError::TomlValue {
            path: self.path.clone(),
            key: name.to_owned(),
            message: message.to_owned(),
        }
    }
}

/// Python's `value % {"here": here}` for the forms that make sense in a
/// path: `%%` and `%(here)s`. Anything else Python would reject (a missing
/// key, a lone `%`) or format surprisingly (`%s` prints the whole dict) is
/// an error that says so.
pub(crate) fn percent_format(value: &str, here: &str) -> Result<String, String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('%') {
            out.push('%');
            rest = after;
            continue;
        }
        let Some(inner) = rest.strip_prefix('(') else {
            return Err(format!(
                "unsupported '%' in {}: write a literal % as %% (only %(here)s is substituted)",
                py_repr(value)
            ));
        };
        let Some(close) = inner.find(')') else {
            return Err(format!("incomplete format key in {}", py_repr(value)));
        };
        let key = &inner[..close];
        let Some(after) = inner[close + 1..].strip_prefix('s') else {
            return Err(format!(
                "unsupported format in {}: only %(here)s and %% are supported",
                py_repr(value)
            ));
        };
        if key != "here" {
            return Err(format!(
                "unknown key {} in {}: only %(here)s is available in pyproject.toml (KeyError in Alembic)",
                py_repr(key),
                py_repr(value)
            ));
        }
        out.push_str(here);
        rest = after;
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::percent_format;

    #[test]
    fn formats_like_python_percent_with_a_dict() {
        assert_eq!(percent_format("%(here)s/m", "/p").unwrap(), "/p/m");
        assert_eq!(percent_format("100%%", "/p").unwrap(), "100%");
        assert_eq!(percent_format("plain", "/p").unwrap(), "plain");
        assert!(percent_format("%(other)s", "/p").is_err());
        assert!(percent_format("50%", "/p").is_err());
        assert!(percent_format("%s", "/p").is_err());
        assert!(percent_format("%(here)r", "/p").is_err());
    }
}
