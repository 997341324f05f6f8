//! The module docstring, as Alembic reads it.
//!
//! `__doc__` is the value of a first statement that is a plain string
//! literal (implicit concatenation and a `u`/`r` prefix included; an
//! f-string or bytes literal is not a docstring). The value is what CPython
//! 3.11 stores: escapes processed, source line endings already normalised to
//! `\n` by [`crate::encoding`] (an escaped `\r` stays), and no indentation
//! cleaning (3.13 started to dedent docstrings; Alembic's supported
//! interpreters before that do not).
//!
//! * `longdoc` = `__doc__.strip()`, with Python's notion of whitespace;
//! * `doc` = `longdoc` up to the first `"\n\n"`;
//! * the header lines are found like `re.search(r"^Revision ID:[ \t]*(.*)$",
//!   doc, re.M)`, and their values `.strip()`ped.

use alembic_doctor_source::{LineIndex, Span};
use ruff_python_ast::{Expr, ExprStringLiteral, Stmt, StringFlags};

use crate::recipe::Lowering;
use crate::{Docstring, Header, HeaderLine};

/// Read the docstring of a module whose statements are `body`.
pub(crate) fn docstring(
    body: &[Stmt],
    lowering: &Lowering<'_>,
    line_index: &LineIndex,
) -> Option<Docstring> {
    let Some(Stmt::Expr(statement)) = body.first() else {
        return None;
    };
    let Expr::StringLiteral(literal) = &*statement.value else {
        return None;
    };
    let value = literal.value.to_str();
    let longdoc = py_strip(value).to_owned();
    let doc = longdoc.split("\n\n").next().unwrap_or_default().to_owned();
    let span = lowering.span(literal.range);

    let exact = exact_prefix(literal, lowering);
    let header = Header {
        revision_id: header_line(value, "Revision ID:", exact, span, lowering, line_index),
        revises: header_line(value, "Revises:", exact, span, lowering, line_index),
        create_date: header_line(value, "Create Date:", exact, span, lowering, line_index),
    };
    Some(Docstring {
        longdoc,
        doc,
        span,
        header,
    })
}

/// Where the docstring's value maps onto the text one-to-one: `(text offset
/// of the value's first character, length of the exact prefix)`. That holds
/// for a single literal up to its first backslash (escapes shorten the
/// value), or to its end for a raw literal; a concatenation has none.
fn exact_prefix(literal: &ExprStringLiteral, lowering: &Lowering<'_>) -> Option<(u32, usize)> {
    let [single] = literal.value.as_slice() else {
        return None;
    };
    let start = single
        .range
        .start()
        .checked_add(single.flags.opener_len())?;
    let end = single.range.end().checked_sub(single.flags.closer_len())?;
    let raw = lowering.text.get(start.to_usize()..end.to_usize())?;
    let exact_len = if single.flags.prefix().is_raw() {
        raw.len()
    } else {
        raw.find('\\').unwrap_or(raw.len())
    };
    Some((start.to_u32(), exact_len))
}

/// The header line `key` of docstring `value` (whose literal is at `span`).
fn header_line(
    value: &str,
    key: &str,
    exact: Option<(u32, usize)>,
    span: Span,
    lowering: &Lowering<'_>,
    line_index: &LineIndex,
) -> Option<HeaderLine> {
    let (value_start, found) = header_value(value, key)?;
    let value_end = value_start + found.len();
    if let Some((start, exact_len)) = exact
        && value_end <= exact_len
    {
        let at = |offset: usize| start.saturating_add(u32::try_from(offset).unwrap_or(u32::MAX));
        let value_span = lowering.map.span(at(value_start), at(value_end));
        // Exact only if the file's bytes spell the value (not so for a
        // non-ASCII value in a Latin-1 file).
        let spelled = lowering.original.get(value_span.range()) == Some(found.as_bytes());
        return Some(HeaderLine {
            value: found.to_owned(),
            value_span: spelled.then_some(value_span),
            line_span: line_index
                .line_span(line_index.line_of(value_span.start), lowering.original),
        });
    }
    // Past an escape the value no longer maps onto the source; count its
    // newlines from the docstring's first line instead, without going past
    // its last one.
    let newlines = value[..value_start].matches('\n').count();
    let first = line_index.line_of(span.start);
    let last = line_index.line_of(span.end);
    Some(HeaderLine {
        value: found.to_owned(),
        value_span: None,
        line_span: line_index.line_span((first + newlines).min(last), lowering.original),
    })
}

/// The first line of `doc` that starts with `key`, as `(offset of the
/// stripped value in doc, stripped value)`: `re.search(r"^key[ \t]*(.*)$",
/// doc, re.M)` then `.strip()`. Lines end at `\n` only, as in Python's `re`.
fn header_value<'d>(doc: &'d str, key: &str) -> Option<(usize, &'d str)> {
    let mut line_start = 0;
    for line in doc.split('\n') {
        if let Some(rest) = line.strip_prefix(key) {
            let value_start = line_start + key.len() + (rest.len() - py_strip_start(rest).len());
            return Some((value_start, py_strip(rest)));
        }
        line_start += line.len() + 1;
    }
    None
}

/// Python's `str.isspace`: Unicode `White_Space` plus the ASCII information
/// separators U+001C–U+001F, which Rust's `char::is_whitespace` leaves out.
pub(crate) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `str.strip()`.
pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

fn py_strip_start(s: &str) -> &str {
    s.trim_start_matches(is_py_space)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_uses_python_whitespace() {
        assert_eq!(py_strip("\u{1c}\u{a0} x \u{3000}\u{1f}"), "x");
        assert_eq!(py_strip("\u{200b}x"), "\u{200b}x");
    }

    #[test]
    fn header_value_needs_the_key_at_line_start() {
        let doc = "msg\n\n  Revises: no\nRevises:  abc \nRevises: later\n";
        let (at, value) = header_value(doc, "Revises:").expect("found");
        assert_eq!(value, "abc");
        assert_eq!(&doc[at..at + 3], "abc");
        assert_eq!(header_value("Revises:", "Revises:"), Some((8, "")));
    }
}
