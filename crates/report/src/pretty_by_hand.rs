//! Pretty JSON written by hand, byte for byte what `serde_json` writes, for
//! the elements of the two long arrays of `check --format json` (findings
//! and revisions), which are most of a long history's output.
//!
//! `serde_json` escapes a string one byte at a time; almost no string here
//! needs escaping, and a whole string is checked at once (a loop the
//! compiler vectorizes) before it is copied. Rendering the findings of
//! 5,000 revisions spent a tenth of `check`'s time in that byte loop.

/// Write `value` as a JSON string, escaped exactly as `serde_json` escapes
/// it: `"` and `\` with a backslash, control characters as `\n`-style
/// escapes where JSON has one and `\u00XX` (lowercase hex) otherwise, and
/// nothing else (not DEL, not non-ASCII).
pub(crate) fn string(out: &mut Vec<u8>, value: &str) {
    let bytes = value.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // No early exit: the compiler checks many bytes per step.
    let plain = !bytes
        .iter()
        .fold(false, |found, &byte| found | needs_escape(byte));
    if plain {
        out.extend_from_slice(bytes);
    } else {
        escaped(out, bytes);
    }
    out.push(b'"');
}

fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// The slow path, for a string with something to escape.
fn escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut run = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        if !needs_escape(byte) {
            continue;
        }
        out.extend_from_slice(&bytes[run..i]);
        run = i + 1;
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xf)],
            ]),
        }
    }
    out.extend_from_slice(&bytes[run..]);
}

/// Two spaces per level, as `serde_json`'s pretty printer indents.
pub(crate) fn indent(out: &mut Vec<u8>, depth: usize) {
    for _ in 0..depth {
        out.extend_from_slice(b"  ");
    }
}

/// An object at `depth` whose fields `write` adds, in the order given
/// (`{}` when it adds none).
pub(crate) fn object(out: &mut Vec<u8>, depth: usize, write: impl FnOnce(&mut Fields<'_>)) {
    out.push(b'{');
    let mut fields = Fields {
        out,
        depth,
        first: true,
    };
    write(&mut fields);
    let Fields { out, first, .. } = fields;
    if !first {
        out.push(b'\n');
        indent(out, depth);
    }
    out.push(b'}');
}

/// An array at `depth` of `items`, each written by `write` at the depth
/// inside it (`[]` when empty).
pub(crate) fn array<T>(
    out: &mut Vec<u8>,
    depth: usize,
    items: &[T],
    write: impl Fn(&mut Vec<u8>, usize, &T),
) {
    if items.is_empty() {
        out.extend_from_slice(b"[]");
        return;
    }
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
        indent(out, depth + 1);
        write(out, depth + 1, item);
    }
    out.push(b'\n');
    indent(out, depth);
    out.push(b']');
}

/// The fields of an [`object`] being written.
pub(crate) struct Fields<'o> {
    out: &'o mut Vec<u8>,
    depth: usize,
    first: bool,
}

impl Fields<'_> {
    /// The next key; the caller writes its value.
    fn key(&mut self, key: &str) -> &mut Vec<u8> {
        self.out
            .extend_from_slice(if self.first { b"\n" } else { b",\n" });
        self.first = false;
        indent(self.out, self.depth + 1);
        string(self.out, key);
        self.out.extend_from_slice(b": ");
        self.out
    }

    pub(crate) fn str(&mut self, key: &str, value: &str) {
        string(self.key(key), value);
    }

    /// A string, or `null`.
    pub(crate) fn opt_str(&mut self, key: &str, value: Option<&str>) {
        match value {
            Some(value) => self.str(key, value),
            None => self.key(key).extend_from_slice(b"null"),
        }
    }

    pub(crate) fn bool(&mut self, key: &str, value: bool) {
        let text: &[u8] = if value { b"true" } else { b"false" };
        self.key(key).extend_from_slice(text);
    }

    /// A whole number, or `null`.
    pub(crate) fn opt_number(&mut self, key: &str, value: Option<u64>) {
        let out = self.key(key);
        match value {
            Some(value) => number(out, value),
            None => out.extend_from_slice(b"null"),
        }
    }

    pub(crate) fn number(&mut self, key: &str, value: u64) {
        number(self.key(key), value);
    }

    /// An array of strings.
    pub(crate) fn strings(&mut self, key: &str, values: &[String]) {
        let depth = self.depth + 1;
        array(self.key(key), depth, values, |out, _, value| {
            string(out, value);
        });
    }

    /// An array of `items`, each written by `write` at the depth inside it.
    pub(crate) fn array<T>(
        &mut self,
        key: &str,
        items: &[T],
        write: impl Fn(&mut Vec<u8>, usize, &T),
    ) {
        let depth = self.depth + 1;
        array(self.key(key), depth, items, write);
    }
}

fn number(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pretty::write_at;

    /// Every kind of string `serde_json` escapes differently: plain,
    /// empty, quotes and backslashes, each control character, DEL and
    /// non-ASCII (left alone), escapes at either end and side by side.
    fn tricky_strings() -> Vec<String> {
        let mut strings: Vec<String> = [
            "",
            "plain text with `backticks` and 'single quotes'",
            "\"quoted\"",
            "back\\slash\\",
            "\\\"",
            "tab\there, new\nline, return\r, feed\u{c}, bell\u{7}, backspace\u{8}",
            "\u{0}\u{1f}\u{7f}é中𝄞",
            "\n",
            "a very long string that is plain for a while and then \u{1b}[31m",
        ]
        .map(str::to_owned)
        .to_vec();
        strings.extend((0u8..0x80).map(|byte| format!("x{}y", char::from(byte))));
        strings
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for value in tricky_strings() {
            let mut ours = Vec::new();
            string(&mut ours, &value);
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                serde_json::to_string(&value).unwrap(),
                "{value:?}"
            );
        }
    }

    #[test]
    fn objects_arrays_and_numbers_are_laid_out_as_serde_json_lays_them_out() {
        let strings = tricky_strings();
        for depth in [0, 1, 3] {
            for count in [0, 1, 4] {
                let values = &strings[..count];
                let numbers: Vec<u64> =
                    [0, 7, 10, 1_234_567_890_123, u64::MAX][..count.min(5)].to_vec();
                let mut ours = Vec::new();
                object(&mut ours, depth, |fields| {
                    fields.bool("a", count % 2 == 0);
                    fields.opt_number("b", values.first().map(|_| 42));
                    fields.number("c", numbers.last().copied().unwrap_or(9));
                    fields.opt_str("d", values.last().map(String::as_str));
                    fields.strings("e", values);
                    fields.array("f", &numbers, |out, depth, &n| {
                        object(out, depth, |fields| fields.number("n", n));
                    });
                    fields.array("g", values, |out, depth, _| object(out, depth, |_| {}));
                });
                let expected = serde_json::json!({
                    "a": count % 2 == 0,
                    "b": values.first().map(|_| 42),
                    "c": numbers.last().copied().unwrap_or(9),
                    "d": values.last(),
                    "e": values,
                    "f": numbers.iter().map(|n| serde_json::json!({"n": n})).collect::<Vec<_>>(),
                    "g": values.iter().map(|_| serde_json::json!({})).collect::<Vec<_>>(),
                });
                let mut theirs = Vec::new();
                write_at(&mut theirs, depth, &expected).unwrap();
                assert_eq!(
                    String::from_utf8(ours).unwrap(),
                    String::from_utf8(theirs).unwrap(),
                    "depth {depth}, {count} values"
                );
            }
        }
    }
}
