//! What the lint rules need to know about the project's database and the
//! user's choices: the dialect (from `[tool.alembic-doctor]`, else the
//! scheme of `sqlalchemy.url`), the PostgreSQL version, and which rules run.

use std::collections::BTreeSet;
use std::fmt;

use crate::registry::Scope;
use crate::{Rule, Severity};

/// The database the migrations run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    MySql,
    /// SQLite.
    Sqlite,
    /// Another database (Oracle, SQL Server...): only the rules for any
    /// database run.
    Other,
}

impl Dialect {
    /// The names SQLAlchemy's dialect may have on this database, as a
    /// migration's `bind.dialect.name == "..."` tests them; empty for
    /// another database (any test may hold).
    pub(crate) fn sqlalchemy_names(self) -> &'static [&'static str] {
        match self {
            Dialect::Postgres => &["postgresql"],
            Dialect::MySql => &["mysql", "mariadb"],
            Dialect::Sqlite => &["sqlite"],
            Dialect::Other => &[],
        }
    }

    /// The dialect of a SQLAlchemy URL (`postgresql+psycopg2://...`), when
    /// its scheme names one; `None` for a placeholder (`driver://...`) or no
    /// URL.
    pub fn from_url(url: &str) -> Option<Self> {
        let (scheme, _) = url.split_once("://")?;
        let backend = scheme.split('+').next().unwrap_or(scheme);
        Self::from_name(backend).ok()
    }

    /// `postgresql`, `postgres`, `mysql`, `mariadb`, `sqlite`, and the
    /// other SQLAlchemy backend names.
    pub fn from_name(name: &str) -> Result<Self, String> {
        match name.to_ascii_lowercase().as_str() {
            "postgresql" | "postgres" | "psql" | "pg" => Ok(Dialect::Postgres),
            "mysql" | "mariadb" => Ok(Dialect::MySql),
            "sqlite" => Ok(Dialect::Sqlite),
            "oracle" | "mssql" | "sqlserver" | "other" => Ok(Dialect::Other),
            other => Err(format!(
                "unknown dialect `{other}` (expected postgresql, mysql, sqlite or other)"
            )),
        }
    }

    /// Whether rules of `scope` apply to this database.
    pub fn in_scope(self, scope: Scope) -> bool {
        match scope {
            Scope::Chain | Scope::AnyDatabase | Scope::Comparison | Scope::Database => true,
            Scope::Postgres => self == Dialect::Postgres,
            Scope::MySql => self == Dialect::MySql,
            Scope::PostgresMySql => matches!(self, Dialect::Postgres | Dialect::MySql),
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dialect::Postgres => "postgresql",
            Dialect::MySql => "mysql",
            Dialect::Sqlite => "sqlite",
            Dialect::Other => "other",
        })
    }
}

/// How the lint rules run.
#[derive(Debug, Clone)]
pub struct LintSettings {
    /// The database.
    pub dialect: Dialect,
    /// Where the dialect came from, for the output ("`sqlalchemy.url` in
    /// alembic.ini", "assumed: no dialect configured").
    pub dialect_origin: String,
    /// PostgreSQL's major version (rules about PostgreSQL before 11 or 12
    /// respect it).
    pub postgres_version: u32,
    /// Only these rules, when given (`select`).
    pub select: Option<BTreeSet<Rule>>,
    /// Never these rules (`ignore`).
    pub ignore: BTreeSet<Rule>,
}

impl Default for LintSettings {
    fn default() -> Self {
        Self {
            dialect: Dialect::Postgres,
            dialect_origin: "assumed: no dialect configured".to_owned(),
            postgres_version: DEFAULT_POSTGRES_VERSION,
            select: None,
            ignore: BTreeSet::new(),
        }
    }
}

/// The PostgreSQL version assumed when none is configured: the oldest
/// release still supported upstream.
pub const DEFAULT_POSTGRES_VERSION: u32 = 14;

impl LintSettings {
    /// Whether `rule` runs: selected, not ignored, and about this database.
    pub fn runs(&self, rule: Rule) -> bool {
        self.dialect.in_scope(rule.scope())
            && self
                .select
                .as_ref()
                .is_none_or(|select| select.contains(&rule))
            && !self.ignore.contains(&rule)
    }
}

/// `[tool.alembic-doctor]` in `pyproject.toml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ToolConfig {
    /// `select = ["rule", ...]`.
    pub select: Option<BTreeSet<Rule>>,
    /// `ignore = ["rule", ...]`.
    pub ignore: BTreeSet<Rule>,
    /// `dialect = "postgresql"`.
    pub dialect: Option<Dialect>,
    /// `postgres-version = 16`.
    pub postgres_version: Option<u32>,
    /// `fail-on = "warning"` (`error`, `warning`, `never`).
    pub fail_on: Option<FailOnSetting>,
    /// `version-table = "..."`: `status` reads this table (env.py's
    /// `version_table`).
    pub version_table: Option<String>,
    /// `version-table-schema = "..."` (env.py's `version_table_schema`).
    pub version_table_schema: Option<String>,
}

/// `fail-on` as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOnSetting {
    /// Fail on findings at or above this severity.
    Severity(Severity),
    /// Never fail because of findings.
    Never,
}

impl ToolConfig {
    /// Read the `[tool.alembic-doctor]` table of a `pyproject.toml`'s text;
    /// an absent table is the default configuration. Unknown keys and rule
    /// names are errors, so that a typo never silently disables a rule.
    pub fn from_pyproject(text: &str) -> Result<Self, String> {
        let document: toml::Table = text.parse().map_err(|error: toml::de::Error| {
            format!("pyproject.toml is not valid TOML: {}", error.message())
        })?;
        let Some(tool) = document
            .get("tool")
            .and_then(|tool| tool.get("alembic-doctor"))
        else {
            return Ok(Self::default());
        };
        let table = tool
            .as_table()
            .ok_or("[tool.alembic-doctor] must be a table")?;
        let mut config = Self::default();
        for (key, value) in table {
            match key.as_str() {
                "select" => config.select = Some(rules(key, value)?),
                "ignore" => config.ignore = rules(key, value)?,
                "dialect" => {
                    let name = value
                        .as_str()
                        .ok_or("[tool.alembic-doctor] dialect must be a string")?;
                    config.dialect = Some(Dialect::from_name(name)?);
                }
                "postgres-version" => {
                    let version = value
                        .as_integer()
                        .and_then(|v| u32::try_from(v).ok())
                        .ok_or("[tool.alembic-doctor] postgres-version must be a major version such as 16")?;
                    config.postgres_version = Some(version);
                }
                "fail-on" => {
                    config.fail_on = Some(match value.as_str() {
                        Some("never") => FailOnSetting::Never,
                        Some(text) => FailOnSetting::Severity(text.parse()?),
                        None => {
                            return Err("[tool.alembic-doctor] fail-on must be a string".to_owned());
                        }
                    });
                }
                "version-table" | "version-table-schema" => {
                    let text = value
                        .as_str()
                        .filter(|text| !text.is_empty())
                        .ok_or_else(|| {
                            format!("[tool.alembic-doctor] {key} must be a non-empty string")
                        })?
                        .to_owned();
                    if key == "version-table" {
                        config.version_table = Some(text);
                    } else {
                        config.version_table_schema = Some(text);
                    }
                }
                other => {
                    return Err(format!(
                        "unknown key `{other}` in [tool.alembic-doctor] (expected select, ignore, dialect, \
                         postgres-version, fail-on, version-table, version-table-schema)"
                    ));
                }
            }
        }
        Ok(config)
    }
}

fn rules(key: &str, value: &toml::Value) -> Result<BTreeSet<Rule>, String> {
    let items = value
        .as_array()
        .ok_or_else(|| format!("[tool.alembic-doctor] {key} must be a list of rule names"))?;
    items
        .iter()
        .map(|item| {
            item.as_str()
                .ok_or_else(|| format!("[tool.alembic-doctor] {key} must be a list of rule names"))?
                .parse::<Rule>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialect_from_url() {
        assert_eq!(
            Dialect::from_url("postgresql+psycopg2://u@h/db"),
            Some(Dialect::Postgres)
        );
        assert_eq!(
            Dialect::from_url("mysql+pymysql://u@h/db"),
            Some(Dialect::MySql)
        );
        assert_eq!(Dialect::from_url("sqlite:///app.db"), Some(Dialect::Sqlite));
        assert_eq!(
            Dialect::from_url("driver://user:pass@localhost/dbname"),
            None
        );
        assert_eq!(Dialect::from_url(""), None);
    }

    #[test]
    fn tool_config() {
        let config = ToolConfig::from_pyproject(
            "[tool.alembic-doctor]\nselect = [\"drop-table\"]\nignore = [\"rename-column\"]\n\
             dialect = \"mysql\"\npostgres-version = 11\nfail-on = \"warning\"\n\
             version-table = \"my_versions\"\nversion-table-schema = \"ops\"\n",
        )
        .unwrap();
        assert_eq!(config.select, Some([Rule::DropTable].into()));
        assert_eq!(config.ignore, [Rule::RenameColumn].into());
        assert_eq!(config.dialect, Some(Dialect::MySql));
        assert_eq!(config.postgres_version, Some(11));
        assert_eq!(config.version_table.as_deref(), Some("my_versions"));
        assert_eq!(config.version_table_schema.as_deref(), Some("ops"));
        assert_eq!(
            config.fail_on,
            Some(FailOnSetting::Severity(Severity::Warning))
        );
        assert_eq!(
            ToolConfig::from_pyproject("[project]\nname='x'\n").unwrap(),
            ToolConfig::default()
        );
        assert!(
            ToolConfig::from_pyproject("[tool.alembic-doctor]\nignore = [\"no-such\"]\n").is_err()
        );
        assert!(ToolConfig::from_pyproject("[tool.alembic-doctor]\nselec = []\n").is_err());
        assert!(ToolConfig::from_pyproject("not toml [").is_err());
    }
}
