//! What the report was made from, under the verdict: how the safety lints
//! read the migrations (which database, and where that came from), so
//! that dialect-specific advice is never given without saying so.

use super::StatusInput;
use super::doc::{Block, Section, code};

pub(crate) fn section(input: &StatusInput<'_>) -> Section {
    let mut blocks = Vec::new();
    let comparison = input.comparison;
    let sides: Vec<String> = std::iter::once(&comparison.base)
        .chain(&comparison.heads)
        .map(|side| match &side.rev {
            // A side named by its commit id: the full id here, once; its
            // 12 first characters everywhere else.
            Some(rev) if rev.name() != side.label => {
                format!("{} (commit {})", code(&side.label), code(&rev.commit_id()))
            }
            Some(rev) => format!("{} at {}", code(&side.label), code(&rev.short_id())),
            None => super::side_name(side),
        })
        .collect();
    let sides = match sides.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    };
    let when = input
        .generated_on
        .map(|day| format!(" on {day}"))
        .unwrap_or_default();
    blocks.push(Block::Paragraph(format!("Generated{when} from {sides}.")));
    if let Some(lint) = input.lint {
        blocks.push(Block::Paragraph(lint_line(lint)));
    }
    Section::new("context", "", blocks)
}

fn lint_line(lint: &super::LintInfo) -> String {
    if !lint.enabled {
        return "Safety lints: skipped (`--no-lint`): only the chain's health was checked, not what the migrations do.".to_owned();
    }
    let name = dialect_name(&lint.dialect);
    let version = if lint.dialect == "postgresql" {
        format!(" {}", lint.postgres_version)
    } else {
        String::new()
    };
    let scope = &lint.scope;
    if lint.assumed {
        let url = if lint.config_read {
            "and `sqlalchemy.url` names no database"
        } else {
            "and no Alembic configuration was read (`--versions` only), so no `sqlalchemy.url` either"
        };
        format!(
            "⚠️ Safety lints assumed **{name}**{version} on {scope}: no dialect is configured (no `--dialect`, no `dialect` in `[tool.alembic-doctor]`, {url}). Advice specific to PostgreSQL below (`CONCURRENTLY`, `NOT VALID`, `lock_timeout`) may not apply to your database: set it with `dialect = \"mysql\"` under `[tool.alembic-doctor]` in `pyproject.toml` (or `postgresql`, `sqlite`, `other`), or pass `--dialect`."
        )
    } else {
        format!(
            "Safety lints for **{name}**{version} (dialect from {}) on {scope}.",
            code(&lint.dialect_origin)
        )
    }
}

fn dialect_name(dialect: &str) -> &'static str {
    match dialect {
        "postgresql" => "PostgreSQL",
        "mysql" => "MySQL",
        "sqlite" => "SQLite",
        _ => "another database (generic SQL)",
    }
}
