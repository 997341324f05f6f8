//! Python's string behaviour where Alembic's output or parsing depends on it:
//! `repr()` of a `str` (for `KeyError: 'x'`), `str.strip()`, `int()` and the
//! `\w` / `\d` classes of the `re` module.
//!
//! Guarantee: ASCII input behaves exactly like `CPython` 3.11. Non-ASCII input
//! follows the nearest Rust classification; the differences are listed on
//! each function.

/// `repr(s)` for a Python `str`.
///
/// Picks the quote like `CPython` (single unless the text holds a single quote
/// and no double quote) and escapes what `str.isprintable()` rejects.
/// Deviation: non-ASCII printability is approximated (control characters,
/// non-space whitespace and the common format characters are escaped).
pub fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !is_printable(c) => {
                let code = u32::from(c);
                if code < 0x100 {
                    out.push_str(&format!("\\x{code:02x}"));
                } else if code < 0x1_0000 {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// `text` safe to print on a terminal or in a CI log: every character
/// [`repr_str`] would escape is written as `repr()` writes it (`\x1b`,
/// `\u202e`), except line feeds and tabs, which lay the text out. Control
/// characters and bidirectional overrides from a file (an id holding
/// `\x1b[31m`, a U+202E) then cannot recolour, move or reorder the
/// output. JSON output keeps the real string instead.
pub fn escape_for_terminal(text: &str) -> std::borrow::Cow<'_, str> {
    if text
        .chars()
        .all(|c| matches!(c, '\n' | '\t') || is_printable(c))
    {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        push_for_terminal(&mut out, c);
    }
    std::borrow::Cow::Owned(out)
}

/// Appends `c` to `out` as [`escape_for_terminal`] writes it.
pub fn push_for_terminal(out: &mut String, c: char) {
    if matches!(c, '\n' | '\t') || is_printable(c) {
        out.push(c);
        return;
    }
    let code = u32::from(c);
    if c == '\r' {
        out.push_str("\\r");
    } else if code < 0x100 {
        out.push_str(&format!("\\x{code:02x}"));
    } else if code < 0x1_0000 {
        out.push_str(&format!("\\u{code:04x}"));
    } else {
        out.push_str(&format!("\\U{code:08x}"));
    }
}

fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    // Common Unicode format characters (category Cf) that Python escapes.
    !matches!(
        c,
        '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{61c}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
    )
}

/// `str.isspace()` for one character: Unicode `White_Space` plus the ASCII
/// information separators `\x1c`–`\x1f`, which Python also counts.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `s.strip()`.
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// `s.rstrip()`.
pub fn rstrip(s: &str) -> &str {
    s.trim_end_matches(is_space)
}

/// `\w` of Python's `re` for `str` patterns. Deviation: Rust's
/// `is_alphanumeric` stands in for `str.isalnum`.
pub fn is_word_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// `\d` of Python's `re`. Deviation: ASCII digits only (Python also accepts
/// other Unicode decimal digits).
pub fn is_digit(c: char) -> bool {
    c.is_ascii_digit()
}

/// `int(s)` for a `str`: surrounding whitespace, an optional sign, digits
/// with single underscores between them. `None` where Python raises
/// `ValueError`. Values beyond `i64` saturate; every caller only compares
/// them or walks at most the size of the graph. Deviation: ASCII digits only.
pub fn parse_int(s: &str) -> Option<i64> {
    let s = strip(s);
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') {
        return None;
    }
    let mut value: i64 = 0;
    let mut previous_underscore = false;
    for c in digits.chars() {
        if c == '_' {
            if previous_underscore {
                return None;
            }
            previous_underscore = true;
            continue;
        }
        previous_underscore = false;
        let digit = c.to_digit(10)?;
        value = value.saturating_mul(10).saturating_add(i64::from(digit));
    }
    Some(if negative { -value } else { value })
}

/// Python's `len()` of a `str`: code points, not bytes.
pub fn len(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_matches_python() {
        assert_eq!(repr_str("zzz"), "'zzz'");
        assert_eq!(repr_str(""), "''");
        assert_eq!(repr_str("it's"), "\"it's\"");
        assert_eq!(repr_str("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(repr_str("a\nb\\"), "'a\\nb\\\\'");
        assert_eq!(repr_str("\u{7}"), "'\\x07'");
        assert_eq!(repr_str("café"), "'café'");
        assert_eq!(repr_str("\u{a0}"), "'\\xa0'");
    }

    #[test]
    fn int_matches_python() {
        assert_eq!(parse_int("-1"), Some(-1));
        assert_eq!(parse_int(" +12 "), Some(12));
        assert_eq!(parse_int("1_000"), Some(1000));
        assert_eq!(parse_int("1__0"), None);
        assert_eq!(parse_int("_1"), None);
        assert_eq!(parse_int("-"), None);
        assert_eq!(parse_int("abc"), None);
        assert_eq!(parse_int("-99999999999999999999999"), Some(i64::MIN + 1));
    }

    #[test]
    fn strip_counts_separators() {
        assert_eq!(strip("\u{1c} a:b \n"), "a:b");
    }
}
