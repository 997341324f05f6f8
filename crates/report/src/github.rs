//! GitHub Actions workflow commands (`::error file=...,line=...::message`),
//! which GitHub turns into annotations on the offending lines of a pull
//! request. Escaping follows the runner's rules: `%`, `\r` and `\n` in the
//! message; also `:` and `,` in property values.
//! <https://docs.github.com/actions/reference/workflow-commands-for-github-actions>

use std::path::Path;

use alembic_doctor_project::Project;
use alembic_doctor_rules::{Finding, Severity};

/// One annotation per finding. Paths are made relative to `root` (the
/// repository root, or the current directory), as GitHub expects them
/// relative to the workspace.
pub fn github_annotations(findings: &[Finding], project: &Project, root: &Path) -> String {
    let mut out = String::new();
    for finding in findings {
        let level = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut properties = Vec::new();
        if let Some(location) = finding.location
            && let Some(file) = project.files.get(location.file)
        {
            let start = file.line_column(location.span.start);
            let end = file.line_column(location.span.end.max(location.span.start));
            properties.push(("file", relative(&file.path, &file.display_path, root)));
            properties.push(("line", start.line.to_string()));
            properties.push(("endLine", end.line.to_string()));
            properties.push(("col", start.column.to_string()));
            if end.line == start.line && end.column > start.column {
                properties.push(("endColumn", end.column.to_string()));
            }
        }
        properties.push(("title", format!("alembic-doctor {}", finding.rule.name())));
        let mut message = finding.message.clone();
        if let Some(help) = &finding.help {
            message.push('\n');
            message.push_str(help);
        }
        out.push_str(&command(level, &properties, &message));
    }
    out
}

/// One workflow command line: `::level key=value,...::message`.
pub fn github_command(level: &str, properties: &[(&str, String)], message: &str) -> String {
    command(level, properties, message)
}

fn command(level: &str, properties: &[(&str, String)], message: &str) -> String {
    let properties: Vec<String> = properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_property(value)))
        .collect();
    let separator = if properties.is_empty() { "" } else { " " };
    format!(
        "::{level}{separator}{}::{}\n",
        properties.join(","),
        escape_data(message)
    )
}

/// `path` relative to `root` when it is inside it, else as displayed.
pub fn relative(path: &Path, display: &str, root: &Path) -> String {
    path.strip_prefix(root).map_or_else(
        |_| display.to_owned(),
        |inside| inside.to_string_lossy().replace('\\', "/"),
    )
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_runner() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(
            command("error", &[("file", "x,y.py".into())], "m: 1, 2"),
            "::error file=x%2Cy.py::m: 1, 2\n"
        );
        assert_eq!(command("warning", &[], "m"), "::warning::m\n");
    }
}
