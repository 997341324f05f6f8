//! The values Alembic reads, looked up the way `Config.get_alembic_option`
//! does: the ini section first, then `[tool.alembic]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::ConfigError;
use crate::ini::{DEFAULT_SECTION, Ini};
use crate::pyproject::Pyproject;

/// One configuration value, as Alembic's `get_alembic_option` returns it.
/// Ini values are always [`OptionValue::Text`]; `[tool.alembic]` keeps its
/// TOML shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionValue {
    /// A string (ini values, TOML strings), `%`-interpolated.
    Text(String),
    /// A TOML array of strings, each `%`-interpolated.
    List(Vec<String>),
    /// A TOML table of strings, values `%`-interpolated.
    Table(BTreeMap<String, String>),
    /// A TOML array of tables (`[[tool.alembic.post_write_hooks]]`).
    Tables(Vec<BTreeMap<String, String>>),
    /// A TOML integer (passed through without interpolation).
    Integer(i64),
    /// A TOML boolean (Python's `bool` is an `int`, so Alembic passes it
    /// through like one).
    Boolean(bool),
}

/// A parsed ini file and the section Alembic reads (`-n`).
#[derive(Debug, Clone)]
pub(crate) struct IniSource {
    pub(crate) path: PathBuf,
    pub(crate) ini: Ini,
}

/// All configuration values, for later stages (`sqlalchemy.url`,
/// `file_template`, `truncate_slug_length`, `timezone`, …).
///
/// Values are interpolated when they are read, as `ConfigParser` does, so a
/// bad `%` in a key nobody reads is not an error.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub(crate) ini: Option<IniSource>,
    pub(crate) section: String,
    pub(crate) toml: Option<Pyproject>,
}

impl Options {
    /// `Config.get_alembic_option(name)`: the ini section's value (or its
    /// `[DEFAULT]`), else `[tool.alembic]`'s, else `None`.
    pub fn get(&self, name: &str) -> Result<Option<OptionValue>, ConfigError> {
        if let Some(text) = self.get_main(name)? {
            return Ok(Some(OptionValue::Text(text)));
        }
        match &self.toml {
            Some(toml) => toml.get(name),
            None => Ok(None),
        }
    }

    /// [`Options::get`] for a value that must be a string; a TOML integer
    /// is turned into its decimal text (Alembic calls `int()` /`str()` on
    /// such values). Lists and tables are an error naming the key.
    pub fn get_text(&self, name: &str) -> Result<Option<String>, ConfigError> {
        match self.get(name)? {
            None => Ok(None),
            Some(OptionValue::Text(text)) => Ok(Some(text)),
            Some(OptionValue::Integer(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(self.toml_type_error(name, "expected a string")),
        }
    }

    /// `Config.get_main_option(name)`: the ini section only, interpolated.
    pub fn get_main(&self, name: &str) -> Result<Option<String>, ConfigError> {
        let Some(source) = &self.ini else {
            return Ok(None);
        };
        match source.ini.get(&self.section, name) {
            None => Ok(None),
            Some(Ok(value)) => Ok(Some(value)),
            Some(Err(error)) => Err(ConfigError::Interpolation {
                path: source.path.clone(),
                section: self.section.clone(),
                option: name.to_lowercase(),
                message: error.message,
            }),
        }
    }

    /// `Config.get_alembic_boolean_option(name)`: in the ini, true only for
    /// the exact text `true` (`True`, `yes` and `1` are false); in
    /// `[tool.alembic]` it must be a TOML boolean; absent means false.
    pub fn get_bool(&self, name: &str) -> Result<bool, ConfigError> {
        if let Some(text) = self.get_main(name)? {
            return Ok(text == "true");
        }
        match &self.toml {
            Some(toml) => toml.get_bool(name),
            None => Ok(false),
        }
    }

    /// Every key of the ini section with its raw (uninterpolated) value,
    /// `[DEFAULT]` keys included; empty without an ini file.
    pub fn ini_raw(&self) -> BTreeMap<&str, &str> {
        self.ini
            .as_ref()
            .map(|source| source.ini.raw_items(&self.section))
            .unwrap_or_default()
    }

    /// `Config.get_section(name)`: another section of the ini (for example
    /// `post_write_hooks`), interpolated; `None` if there is no such section.
    pub fn ini_section(&self, name: &str) -> Result<Option<BTreeMap<String, String>>, ConfigError> {
        let Some(source) = &self.ini else {
            return Ok(None);
        };
        if !source.ini.has_section(name) {
            return Ok(None);
        }
        let mut out = BTreeMap::new();
        for key in source.ini.raw_items(name).keys() {
            match source.ini.get(name, key) {
                Some(Ok(value)) => {
                    out.insert((*key).to_owned(), value);
                }
                Some(Err(error)) => {
                    return Err(ConfigError::Interpolation {
                        path: source.path.clone(),
                        section: name.to_owned(),
                        option: (*key).to_owned(),
                        message: error.message,
                    });
                }
                None => {}
            }
        }
        Ok(Some(out))
    }

    /// The ini section Alembic reads (`-n`, default `alembic`).
    pub fn section(&self) -> &str {
        &self.section
    }

    /// Whether the ini file has the section (`[DEFAULT]` never counts).
    pub(crate) fn has_ini_section(&self) -> bool {
        self.section != DEFAULT_SECTION
            && self
                .ini
                .as_ref()
                .is_some_and(|source| source.ini.has_section(&self.section))
    }

    /// Whether the ini (section or `[DEFAULT]`) has the key, without
    /// interpolating (`ConfigParser.has_option`).
    pub(crate) fn ini_has(&self, name: &str) -> bool {
        self.ini
            .as_ref()
            .is_some_and(|source| source.ini.raw(&self.section, name).is_some())
    }

    pub(crate) fn ini_path(&self) -> Option<&Path> {
        self.ini.as_ref().map(|source| source.path.as_path())
    }

    fn toml_type_error(&self, name: &str, message: &str) -> ConfigError {
        let path = self
            .toml
            .as_ref()
            .map(|toml| toml.path.clone())
            .unwrap_or_default();
        ConfigError::TomlValue {
            path,
            key: name.to_owned(),
            message: message.to_owned(),
        }
    }
}
