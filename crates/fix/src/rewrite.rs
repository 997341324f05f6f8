//! Where an id lives in a migration file, as byte spans a fix can rewrite:
//! the `revision` literal, the entries of `down_revision` / `depends_on`
//! that name it, the header lines, the file name.
//!
//! Only literals whose bytes spell their value exactly are rewritten (the
//! script reader records those spans); the new bytes go between the
//! existing quotes, so the quote style and any prefix stay. A value that
//! is built, imported or escaped cannot be rewritten exactly and is
//! refused with the reason, never approximated. Ids in comments or in
//! other strings are never touched: nothing here searches text.

use alembic_doctor_script::{HeaderLine, Script, Value, Variable};
use alembic_doctor_source::Span;

use crate::edit::Edit;

/// Which module-level variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Var {
    Revision,
    DownRevision,
    DependsOn,
}

impl Var {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Var::Revision => "revision",
            Var::DownRevision => "down_revision",
            Var::DependsOn => "depends_on",
        }
    }

    fn of(self, script: &Script) -> &Variable {
        match self {
            Var::Revision => &script.revision,
            Var::DownRevision => &script.down_revision,
            Var::DependsOn => &script.depends_on,
        }
    }
}

/// The edits that turn every `old` entry of `var` into `new`: the bytes
/// between the quotes of each string literal equal to `old`. `Ok(empty)`
/// when `var` does not name `old`; `Err(reason)` when it does but not as
/// a literal written in this file.
pub(crate) fn rename_in_variable(
    script: &Script,
    var: Var,
    old: &str,
    new: &str,
) -> Result<Vec<Edit>, String> {
    let Variable::Bound(binding) = var.of(script) else {
        return Ok(Vec::new());
    };
    if binding.conditional {
        return Err(format!(
            "`{}` is assigned inside a block (`if`/`try`/...), so which assignment Alembic sees is not known",
            var.name()
        ));
    }
    let mut edits = Vec::new();
    collect(&binding.value, var, old, new, &mut edits)?;
    Ok(edits)
}

fn collect(
    value: &Value,
    var: Var,
    old: &str,
    new: &str,
    edits: &mut Vec<Edit>,
) -> Result<(), String> {
    match value {
        Value::Str(literal) if literal.value == old => match literal.content_span {
            Some(span) => {
                edits.push(Edit::new(span, new));
                Ok(())
            }
            None => Err(format!(
                "`{}` names `{old}` {}, not as a plain literal written in the file, so it cannot be rewritten exactly",
                var.name(),
                literal.origin.as_deref().map_or_else(
                    || "through a name, an escape or a concatenation".to_owned(),
                    |o| format!("from {o}")
                )
            )),
        },
        Value::Sequence { items, .. } => items
            .iter()
            .try_for_each(|item| collect(item, var, old, new, edits)),
        _ => Ok(()),
    }
}

/// The identifier-like words of a header value with their byte offsets
/// (ids may not contain `,`, spaces, quotes or brackets in practice; the
/// words people write for "no parent" are kept, callers compare).
pub(crate) fn words(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let separator = c == ',' || c.is_whitespace() || "()[]'\"<>".contains(c);
        match (separator, start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

/// Edits that replace the word `old` by `new` in a header line's value
/// (`Revises: aaa, bbb`); `None` when the line's bytes cannot be mapped
/// exactly (the docstring has escapes before it).
pub(crate) fn rename_in_header(line: &HeaderLine, old: &str, new: &str) -> Option<Vec<Edit>> {
    let span = line.value_span?;
    Some(
        words(&line.value)
            .into_iter()
            .filter(|(_, word)| *word == old)
            .map(|(at, word)| {
                let start = span.start + u32::try_from(at).unwrap_or(u32::MAX);
                let end = start + u32::try_from(word.len()).unwrap_or(u32::MAX);
                Edit::new(Span::new(start, end), new)
            })
            .collect(),
    )
}

pub(crate) use alembic_doctor_script::file_name_with_id as rename_in_file_name;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_carry_ids_as_whole_words_only() {
        assert_eq!(
            rename_in_file_name("a1b2c3d4e5f6_add_block.py", "a1b2c3d4e5f6", "0123456789ab")
                .as_deref(),
            Some("0123456789ab_add_block.py")
        );
        assert_eq!(
            rename_in_file_name("2024_01_05_1634-abc_x.py", "abc", "def").as_deref(),
            Some("2024_01_05_1634-def_x.py")
        );
        assert_eq!(rename_in_file_name("xabc_add.py", "abc", "def"), None);
        assert_eq!(rename_in_file_name("add_users.py", "abc", "def"), None);
    }

    #[test]
    fn header_words_keep_their_offsets() {
        assert_eq!(words("aaa, bbb"), vec![(0, "aaa"), (5, "bbb")]);
        assert_eq!(words("('aaa', 'b')"), vec![(2, "aaa"), (9, "b")]);
    }
}
