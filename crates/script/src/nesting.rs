//! CPython's bracket limit, checked before parsing.
//!
//! CPython's tokenizer refuses a bracket opened inside 200 others
//! (`MAXLEVEL`, "too many nested parentheses"), so no importable migration
//! nests deeper. Ruff's parser has no such limit, and a tree thousands of
//! brackets deep (`[[[…]]] = 1`, a fuzzed `depends_on = [[[…`) overflowed
//! the stack in the parser or in the walks after it.
//! [`too_deep`] finds the first bracket past the limit with a scan that
//! knows what the tokenizer knows about brackets: they count in code and in
//! the replacement fields of f- and t-strings (whose `{` counts too), never
//! in comments or other string text. The scan keeps an explicit stack, so
//! it cannot overflow either.

/// CPython's `MAXLEVEL` (Parser/tokenizer.h).
pub(crate) const MAX_LEVEL: usize = 200;

/// What the scanner is inside of.
#[derive(Debug, Clone, Copy)]
enum Frame {
    /// Code; `open` is the number of brackets open since this code began
    /// (for a replacement field: since its `{`), which tells a `}` or `:`
    /// that ends the field from one inside it.
    Code { open: usize, field: bool },
    /// String text. `quote` is `'` or `"`; `interpolated` for f- and
    /// t-strings. Raw or not makes no difference here: a backslash keeps
    /// the next quote in the string either way.
    String {
        quote: u8,
        triple: bool,
        interpolated: bool,
    },
    /// The format specification after `:` in a replacement field: text, in
    /// which `{` opens a nested field and `}` ends the field.
    FormatSpec,
}

/// The offset (in `text`) of the first bracket opened inside
/// [`MAX_LEVEL`] others, if any.
pub(crate) fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    // Each level is opened by one of these bytes, so a text with no more
    // of them than the limit cannot go too deep: looking for one past it
    // is much quicker than the scan (most migrations open fewer than the
    // limit in all).
    memchr::memchr3_iter(b'(', b'[', b'{', bytes).nth(MAX_LEVEL)?;
    let mut stack = vec![Frame::Code {
        open: 0,
        field: false,
    }];
    let mut level = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        let Some(&frame) = stack.last() else {
            break;
        };
        match frame {
            Frame::Code { open, field } => match byte {
                b'#' => {
                    while i < bytes.len() && !matches!(bytes[i], b'\n' | b'\r') {
                        i += 1;
                    }
                    continue;
                }
                b'(' | b'[' | b'{' => {
                    if level >= MAX_LEVEL {
                        return Some(i);
                    }
                    level += 1;
                    set_open(&mut stack, open + 1);
                }
                b')' | b']' | b'}' => {
                    if field && open == 0 && byte == b'}' {
                        // The end of a replacement field.
                        stack.pop();
                        level = level.saturating_sub(1);
                    } else {
                        level = level.saturating_sub(1);
                        set_open(&mut stack, open.saturating_sub(1));
                    }
                }
                b':' if field && open == 0 => {
                    stack.push(Frame::FormatSpec);
                }
                b'\'' | b'"' => {
                    i += push_string(&mut stack, bytes, i, false);
                    continue;
                }
                b'\\' => {
                    // A line continuation: the next byte is not code.
                    i += 2;
                    continue;
                }
                _ if byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80 => {
                    let start = i;
                    while i < bytes.len()
                        && (bytes[i].is_ascii_alphanumeric()
                            || bytes[i] == b'_'
                            || bytes[i] >= 0x80)
                    {
                        i += 1;
                    }
                    if i < bytes.len()
                        && matches!(bytes[i], b'\'' | b'"')
                        && is_prefix(&bytes[start..i])
                    {
                        let interpolated = bytes[start..i]
                            .iter()
                            .any(|b| matches!(b.to_ascii_lowercase(), b'f' | b't'));
                        i += push_string(&mut stack, bytes, i, interpolated);
                    }
                    continue;
                }
                _ => {}
            },
            Frame::String {
                quote,
                triple,
                interpolated,
            } => {
                if byte == b'\\' {
                    // Escapes (and, in raw strings, a backslash before the
                    // quote) never end the string; `\{` still opens a field.
                    let next = bytes.get(i + 1).copied();
                    if !(interpolated && matches!(next, Some(b'{' | b'}'))) {
                        i += 2;
                        continue;
                    }
                } else if byte == quote {
                    if !triple {
                        stack.pop();
                    } else if bytes[i..].starts_with(&[quote; 3]) {
                        stack.pop();
                        i += 3;
                        continue;
                    }
                } else if matches!(byte, b'\n' | b'\r') && !triple {
                    // An unterminated string ends at the line's end.
                    stack.pop();
                } else if interpolated && byte == b'{' {
                    if bytes.get(i + 1) == Some(&b'{') {
                        i += 2;
                        continue;
                    }
                    if level >= MAX_LEVEL {
                        return Some(i);
                    }
                    level += 1;
                    stack.push(Frame::Code {
                        open: 0,
                        field: true,
                    });
                } else if interpolated && byte == b'}' && bytes.get(i + 1) == Some(&b'}') {
                    i += 2;
                    continue;
                }
            }
            Frame::FormatSpec => match byte {
                b'{' => {
                    if level >= MAX_LEVEL {
                        return Some(i);
                    }
                    level += 1;
                    stack.push(Frame::Code {
                        open: 0,
                        field: true,
                    });
                }
                b'}' => {
                    // Ends the spec and its field.
                    stack.pop();
                    if matches!(stack.last(), Some(Frame::Code { field: true, .. })) {
                        stack.pop();
                    }
                    level = level.saturating_sub(1);
                }
                b'\'' | b'"' | b'\n' | b'\r' => {
                    // The string ends inside a field (an error Ruff
                    // reports): back to the string, which sees the quote.
                    stack.pop();
                    if matches!(stack.last(), Some(Frame::Code { field: true, .. })) {
                        stack.pop();
                    }
                    level = level.saturating_sub(1);
                    continue;
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// Updates the bracket count of the innermost code frame.
fn set_open(stack: &mut [Frame], open: usize) {
    if let Some(Frame::Code { open: count, .. }) = stack.last_mut() {
        *count = open;
    }
}

/// Pushes the string whose opening quote is `bytes[at]`; returns how many
/// bytes its opening quotes take.
fn push_string(stack: &mut Vec<Frame>, bytes: &[u8], at: usize, interpolated: bool) -> usize {
    let quote = bytes[at];
    let triple = bytes[at..].starts_with(&[quote; 3]);
    stack.push(Frame::String {
        quote,
        triple,
        interpolated,
    });
    if triple { 3 } else { 1 }
}

/// A string prefix Python accepts: `r`, `u`, `b`, `f`, `t` and the
/// two-letter mixes of `r` with `b`, `f` or `t`, in any case.
fn is_prefix(word: &[u8]) -> bool {
    let lower = word.to_ascii_lowercase();
    matches!(
        lower.as_slice(),
        b"r" | b"u" | b"b" | b"f" | b"t" | b"br" | b"rb" | b"fr" | b"rf" | b"tr" | b"rt"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(open: &str, n: usize, close: &str) -> String {
        format!("x = {}1{}\n", open.repeat(n), close.repeat(n))
    }

    /// The limits CPython 3.13 has, measured with `compile()`.
    #[test]
    fn two_hundred_brackets_pass_and_the_next_is_refused() {
        assert_eq!(too_deep(&nested("[", 200, "]")), None);
        assert_eq!(too_deep(&nested("[", 201, "]")), Some(4 + 200));
        assert_eq!(too_deep(&nested("([{", 66, "}])")), None);
        assert_eq!(too_deep(&nested("([{", 67, "}])")), Some(4 + 200));
        // `x = (` then 200 `[` unclosed: refused at the 200th `[`.
        assert_eq!(too_deep(&format!("x = ({}", "[".repeat(200))), Some(204));
        // One per line, with continuations.
        let lines = "(\\\n".repeat(201);
        assert_eq!(too_deep(&lines), Some(3 * 200));
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let deep = "[".repeat(300);
        for source in [
            format!("x = '{deep}'\n"),
            format!("x = \"{deep}\"\n"),
            format!("x = '''\n{deep}\n'''\n"),
            format!("x = b'{deep}'\n"),
            format!("x = rb'\\'{deep}'\n"),
            format!("# {deep}\nx = 1\n"),
            format!("x = 'a\\'{deep}'\n"),
            format!("x = f'{{{{{deep}'\n"),
        ] {
            assert_eq!(too_deep(&source), None, "{source:.20}");
        }
        // An unterminated string ends at the end of its line.
        assert_eq!(too_deep(&format!("x = '\n{deep}")), Some(6 + 200));
    }

    /// CPython 3.13: `x=f"{` then 199 `[` compiles, 200 do not (the field's
    /// `{` counts), and the same inside a format specification.
    #[test]
    fn replacement_fields_count() {
        let field = |n: usize| format!("x=f\"{{{}{}}}\"\n", "[".repeat(n), "]".repeat(n));
        assert_eq!(too_deep(&field(199)), None);
        assert_eq!(too_deep(&field(200)), Some(5 + 199));
        let spec = |n: usize| format!("x=f\"{{1:{{{}{}}}}}\"\n", "[".repeat(n), "]".repeat(n));
        assert_eq!(too_deep(&spec(198)), None);
        assert!(too_deep(&spec(199)).is_some());
        // Fields close: many in a row are not nested.
        let many = format!("x = f'{}'\n", "{[1]}".repeat(1000));
        assert_eq!(too_deep(&many), None);
        // A nested f-string with the same quotes (Python 3.12).
        let inner = format!("x = f'{{f'{{{}}}'}}'\n", "(".repeat(250));
        assert!(too_deep(&inner).is_some());
    }

    #[test]
    fn unmatched_closers_do_not_go_negative() {
        let source = format!("x = ]]]{}\n", "[".repeat(200));
        assert_eq!(too_deep(&source), None);
    }
}
