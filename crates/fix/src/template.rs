//! Rendering `script.py.mako` for a merge revision, without Python.
//!
//! Alembic renders the project's own template with Mako. Mako templates can
//! run arbitrary Python, which a static tool must not; but the templates
//! projects actually use (Alembic's own, and small edits of it) only
//! substitute values. This module renders exactly that subset, with Mako's
//! and Python's rules:
//! * `${name}` is `str(value)`; `${repr(name)}` is `repr(value)`;
//!   `${name if name else "text"}` (names Alembic does not pass to a merge,
//!   `imports`, `upgrades`, `downgrades`, are Mako's `UNDEFINED`, which is
//!   false); `${name | comma,n}` applies Alembic's `format_as_comma`;
//! * a line starting with `##` is a Mako comment and disappears, newline
//!   included;
//! * everything else is copied byte for byte.
//!
//! Anything else (control lines `% if`, `<% %>` blocks, `<%text>`, a
//! trailing `\` that joins lines, calls, `config`) is refused with the
//! construct named, and the caller falls back to Alembic's default
//! template and says so: a half-understood template must not produce a
//! plausible-looking but wrong migration.

/// Alembic 1.20's `templates/generic/script.py.mako` (the `pyproject` one is
/// identical), used when the project's template cannot be rendered here.
pub(crate) const ALEMBIC_DEFAULT: &str = r#""""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: Union[str, Sequence[str], None] = ${repr(down_revision)}
branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}
depends_on: Union[str, Sequence[str], None] = ${repr(depends_on)}


def upgrade() -> None:
    """Upgrade schema."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Downgrade schema."""
    ${downgrades if downgrades else "pass"}
"#;

/// A Python value passed to the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PyValue {
    /// `None`.
    None,
    /// A `str`.
    Str(String),
    /// A `tuple` of `str`.
    Tuple(Vec<String>),
    /// A name the template uses that Alembic does not pass: Mako's
    /// `UNDEFINED`.
    Undefined,
}

impl PyValue {
    fn truthy(&self) -> bool {
        match self {
            PyValue::None | PyValue::Undefined => false,
            PyValue::Str(s) => !s.is_empty(),
            PyValue::Tuple(items) => !items.is_empty(),
        }
    }

    /// `repr(value)`.
    pub(crate) fn repr(&self) -> Result<String, String> {
        match self {
            PyValue::None => Ok("None".to_owned()),
            PyValue::Str(s) => Ok(py_repr_str(s)),
            PyValue::Tuple(items) => {
                let inner: Vec<String> = items.iter().map(|s| py_repr_str(s)).collect();
                Ok(if inner.len() == 1 {
                    format!("({},)", inner[0])
                } else {
                    format!("({})", inner.join(", "))
                })
            }
            PyValue::Undefined => Err("an undefined name".to_owned()),
        }
    }

    /// `str(value)`.
    fn str(&self) -> Result<String, String> {
        match self {
            PyValue::Str(s) => Ok(s.clone()),
            _ => self.repr(),
        }
    }

    /// Alembic's `util.format_as_comma`.
    fn comma(&self) -> Result<String, String> {
        match self {
            PyValue::None => Ok(String::new()),
            PyValue::Str(s) => Ok(s.clone()),
            PyValue::Tuple(items) => Ok(items.join(", ")),
            PyValue::Undefined => Err("an undefined name".to_owned()),
        }
    }
}

pub(crate) use alembic_doctor_pystr::repr_str as py_repr_str;

/// Render `template` with `args` (`(name, value)`); `Err` names the first
/// construct this renderer does not support.
pub(crate) fn render(template: &str, args: &[(&str, PyValue)]) -> Result<String, String> {
    if template.contains("<%") {
        return Err("a `<% ... %>` block or tag".to_owned());
    }
    let mut out = String::with_capacity(template.len() + 256);
    for line in template.split_inclusive('\n') {
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.starts_with("##") {
            continue;
        }
        if trimmed.starts_with('%') {
            return Err(format!("the control line `{}`", line.trim_end()));
        }
        if line.ends_with("\\\n") || line.ends_with("\\\r\n") {
            return Err("a line ending in `\\` (Mako joins it with the next)".to_owned());
        }
        render_line(line, args, &mut out)?;
    }
    Ok(out)
}

fn render_line(line: &str, args: &[(&str, PyValue)], out: &mut String) -> Result<(), String> {
    let mut rest = line;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err("a `${` without its `}` on the same line".to_owned());
        };
        let expression = &after[..end];
        if expression.contains('{') {
            return Err(format!("the expression `${{{expression}}}`"));
        }
        out.push_str(&expression_value(expression, args)?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(())
}

fn lookup<'a>(name: &str, args: &'a [(&str, PyValue)]) -> Option<&'a PyValue> {
    const UNDEFINED: PyValue = PyValue::Undefined;
    if !name.chars().all(|c| c.is_alphanumeric() || c == '_') || name.is_empty() {
        return None;
    }
    Some(
        args.iter()
            .find(|(n, _)| *n == name)
            .map_or(&UNDEFINED, |(_, v)| v),
    )
}

/// One `${...}` expression, as text.
fn expression_value(expression: &str, args: &[(&str, PyValue)]) -> Result<String, String> {
    let unsupported = || format!("the expression `${{{expression}}}`");
    let mut parts = expression.split('|');
    let body = parts.next().unwrap_or_default().trim();
    let filters: Vec<&str> = parts
        .flat_map(|p| p.split(','))
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect();
    let mut comma = false;
    for filter in &filters {
        match *filter {
            "n" => {}
            "comma" => comma = true,
            _ => return Err(unsupported()),
        }
    }
    // `name if name else "text"`
    if let Some((value, rest)) = body.split_once(" if ") {
        let (condition, fallback) = rest.split_once(" else ").ok_or_else(unsupported)?;
        let (value, condition) = (value.trim(), condition.trim());
        if value != condition || comma {
            return Err(unsupported());
        }
        let v = lookup(value, args).ok_or_else(unsupported)?;
        if v.truthy() {
            return v.str();
        }
        return string_literal(fallback.trim()).ok_or_else(unsupported);
    }
    let (name, as_repr) = match body.strip_prefix("repr(").and_then(|b| b.strip_suffix(')')) {
        Some(inner) => (inner.trim(), true),
        None => (body, false),
    };
    let value = lookup(name, args).ok_or_else(unsupported)?;
    if *value == PyValue::Undefined {
        // Mako raises NameError for an undefined name used as a value.
        return Err(format!(
            "`{name}`, which Alembic does not pass to a merge template"
        ));
    }
    match (as_repr, comma) {
        (true, false) => value.repr(),
        (false, true) => value.comma(),
        (false, false) => value.str(),
        (true, true) => value
            .repr()
            .map(|r| PyValue::Str(r).comma().unwrap_or_default()),
    }
}

/// A plain Python string literal without escapes (`""`, `'pass'`).
fn string_literal(text: &str) -> Option<String> {
    let quote = text.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = text.strip_prefix(quote)?.strip_suffix(quote)?;
    (!inner.contains(quote) && !inner.contains('\\')).then(|| inner.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> Vec<(&'static str, PyValue)> {
        vec![
            ("message", PyValue::Str("merge heads".into())),
            ("up_revision", PyValue::Str("cccccccccccc".into())),
            (
                "down_revision",
                PyValue::Tuple(vec!["aaa".into(), "bbb".into()]),
            ),
            ("branch_labels", PyValue::None),
            ("depends_on", PyValue::None),
            (
                "create_date",
                PyValue::Str("2025-01-02 03:04:05.000006".into()),
            ),
        ]
    }

    #[test]
    fn the_default_template_renders_as_alembic_does() {
        let text = render(ALEMBIC_DEFAULT, &args()).unwrap();
        assert!(text.starts_with("\"\"\"merge heads\n\nRevision ID: cccccccccccc\nRevises: aaa, bbb\nCreate Date: 2025-01-02 03:04:05.000006\n\n\"\"\"\n"));
        assert!(text.contains("import sqlalchemy as sa\n\n\n# revision identifiers"));
        assert!(text.contains("down_revision: Union[str, Sequence[str], None] = ('aaa', 'bbb')\n"));
        assert!(text.contains("branch_labels: Union[str, Sequence[str], None] = None\n"));
        assert!(text.contains("    \"\"\"Upgrade schema.\"\"\"\n    pass\n"));
    }

    #[test]
    fn unsupported_mako_is_named() {
        assert!(
            render("% if x:\nx\n% endif\n", &args())
                .unwrap_err()
                .contains("control line")
        );
        assert!(render("<%text>x</%text>", &args()).is_err());
        assert!(render("${config.get_main_option('x')}", &args()).is_err());
        assert!(render("${imports}", &args()).is_err());
        assert_eq!(render("## note\nx\n", &args()).unwrap(), "x\n");
    }

    #[test]
    fn repr_follows_python() {
        assert_eq!(py_repr_str("abc"), "'abc'");
        assert_eq!(py_repr_str("it's"), "\"it's\"");
        assert_eq!(py_repr_str("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(PyValue::Tuple(vec!["a".into()]).repr().unwrap(), "('a',)");
    }
}
