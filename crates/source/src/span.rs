//! Byte spans and the one place that turns them into lines and columns.
//!
//! Everything inside alembic-doctor keeps byte offsets into a file's original
//! bytes; only printing converts them, through [`LineIndex`]. Line breaks are
//! `\n`, `\r\n` and a lone `\r`, as Python's tokenizer counts them, so CRLF and
//! old-Mac files report the same lines Python would.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// A half-open byte range `start..end` into a file's original bytes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub fn new(start: u32, end: u32) -> Self {
        debug_assert!(start <= end);
        Self { start, end }
    }

    /// The byte range, for slicing.
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Number of bytes covered.
    pub fn len(self) -> u32 {
        self.end - self.start
    }

    /// True when the span covers no bytes.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// A 1-based line and 1-based column (counted in characters, like Ruff).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineColumn {
    pub line: u32,
    pub column: u32,
}

/// Start offsets of every line of one file. Never empty: the first line
/// starts at 0 even in an empty file.
///
/// Serialized as one byte string (whether the file is ASCII, then the
/// length and each line's length as LEB128 varints): the parse cache
/// decodes one per file on every warm run, and a byte string is one copy
/// where a sequence of numbers is a call per line.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    len: u32,
    /// Every byte of the file is ASCII: a column is a byte count, and
    /// printing one needs no bytes (a cached file is then never read just
    /// to place a finding).
    ascii: bool,
}

impl Serialize for LineIndex {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.to_varints())
    }
}

impl<'de> Deserialize<'de> for LineIndex {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl serde::de::Visitor<'_> for Bytes {
            type Value = LineIndex;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a line index as bytes")
            }

            fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<LineIndex, E> {
                LineIndex::from_varints(bytes).ok_or_else(|| E::custom("a damaged line index"))
            }
        }
        deserializer.deserialize_bytes(Bytes)
    }
}

fn push_varint(out: &mut Vec<u8>, mut value: u32) {
    // The low seven bits, then a continuation bit: the truncation is the
    // point.
    #[allow(clippy::cast_possible_truncation)]
    let low = |value: u32| (value & 0x7f) as u8;
    while value >= 0x80 {
        out.push(low(value) | 0x80);
        value >>= 7;
    }
    out.push(low(value));
}

impl Default for LineIndex {
    /// The index of an empty file: one empty line.
    fn default() -> Self {
        Self::new(b"")
    }
}

impl LineIndex {
    /// The bytes [`Serialize`] writes: whether the file is ASCII, the
    /// length, then each line's length.
    fn to_varints(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.line_starts.len() + 6);
        bytes.push(u8::from(self.ascii));
        push_varint(&mut bytes, self.len);
        for pair in self.line_starts.windows(2) {
            push_varint(&mut bytes, pair[1] - pair[0]);
        }
        bytes
    }

    /// The index [`Serialize`] wrote, or `None` when the bytes are not one
    /// (lines must be non-empty and end within the file).
    fn from_varints(bytes: &[u8]) -> Option<Self> {
        let (&ascii, bytes) = bytes.split_first()?;
        let ascii = match ascii {
            0 => false,
            1 => true,
            _ => return None,
        };
        let mut values = bytes.iter();
        let mut next = || -> Option<Option<u32>> {
            let mut value: u32 = 0;
            for shift in (0..35).step_by(7) {
                let Some(&byte) = values.next() else {
                    return if shift == 0 { Some(None) } else { None };
                };
                value |= u32::from(byte & 0x7f).checked_shl(shift)?;
                if byte & 0x80 == 0 {
                    return Some(Some(value));
                }
            }
            None
        };
        let len = next()??;
        let mut line_starts = Vec::with_capacity(bytes.len());
        line_starts.push(0);
        let mut at: u32 = 0;
        while let Some(line) = next()? {
            at = at.checked_add(line).filter(|&at| line > 0 && at <= len)?;
            line_starts.push(at);
        }
        Some(Self {
            line_starts,
            len,
            ascii,
        })
    }

    /// Index the line starts of `text`.
    pub fn new(text: &[u8]) -> Self {
        // Most source lines are a few dozen bytes long.
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        // The `\n` of a `\r\n` pair, which ends no line of its own.
        let mut pair_end = None;
        for i in memchr::memchr2_iter(b'\n', b'\r', text) {
            if pair_end == Some(i) {
                continue;
            }
            if text[i] == b'\r' && text.get(i + 1) == Some(&b'\n') {
                pair_end = Some(i + 1);
                line_starts.push(offset(i + 2));
            } else {
                line_starts.push(offset(i + 1));
            }
        }
        Self {
            line_starts,
            len: offset(text.len()),
            ascii: text.is_ascii(),
        }
    }

    /// The 0-based line containing byte `at`.
    pub fn line_of(&self, at: u32) -> usize {
        match self.line_starts.binary_search(&at) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// Byte range of 0-based `line`, without its line break.
    pub fn line_span(&self, line: usize, text: &[u8]) -> Span {
        let start = self.line_starts[line];
        let mut end = self.line_starts.get(line + 1).copied().unwrap_or(self.len);
        while end > start && matches!(text.get(end as usize - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        Span::new(start, end)
    }

    /// Number of lines (a file without a final newline still has its last line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 1-based line and character column of byte `at` in `text`.
    pub fn line_column(&self, at: u32, text: &[u8]) -> LineColumn {
        self.line_column_with(at, || text)
    }

    /// The same, with the text asked for only when the file is not ASCII
    /// (then columns count characters, which takes the bytes).
    pub fn line_column_with<'t>(&self, at: u32, text: impl FnOnce() -> &'t [u8]) -> LineColumn {
        let line = self.line_of(at);
        let start = self.line_starts[line];
        let column = if self.ascii {
            // As far as the indexed file goes.
            at.min(self.len).saturating_sub(start) as usize
        } else {
            // `text` may be shorter than the indexed file (a file that
            // changed or vanished after it was indexed): count no further
            // than it goes.
            let text = text();
            let start = (start as usize).min(text.len());
            let end = (at as usize).min(text.len());
            String::from_utf8_lossy(&text[start..end.max(start)])
                .chars()
                .count()
        };
        LineColumn {
            line: u32::try_from(line + 1).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }
}

/// Files are capped far below 4 GiB before they get here; saturate rather than wrap.
fn offset(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_serialized_form_reads_back_and_refuses_damage() {
        let long_line = "x".repeat(300);
        for text in ["", "a", "a\n", "a\r\nb\rc\n\n", long_line.as_str()] {
            let index = LineIndex::new(text.as_bytes());
            let back = LineIndex::from_varints(&index.to_varints()).expect("reads back");
            assert_eq!(back.line_starts, index.line_starts, "{text:?}");
            assert_eq!(back.len, index.len);
            assert_eq!(back.ascii, index.ascii);
        }
        assert!(!LineIndex::new("é".as_bytes()).ascii);
        // A line past the end of the file, an empty line, a cut varint, a
        // flag that is neither, nothing.
        assert!(LineIndex::from_varints(&[1, 2, 3]).is_none());
        assert!(LineIndex::from_varints(&[1, 2, 0]).is_none());
        assert!(LineIndex::from_varints(&[1, 0x80]).is_none());
        assert!(LineIndex::from_varints(&[2, 1]).is_none());
        assert!(LineIndex::from_varints(&[]).is_none());
    }

    #[test]
    fn counts_lf_crlf_and_lone_cr_as_python_does() {
        let text = b"a\nb\r\nc\rd";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        assert_eq!(
            index.line_column(7, text),
            LineColumn { line: 4, column: 1 }
        );
        assert_eq!(index.line_span(1, text), Span::new(2, 3));
    }

    /// The index finds line breaks in bulk; every mix of `\r`, `\n` and
    /// text up to seven bytes long gives the lines a byte-by-byte count does.
    #[test]
    fn line_starts_match_a_byte_by_byte_count() {
        fn by_bytes(text: &[u8]) -> Vec<u32> {
            let mut starts = vec![0];
            let mut i = 0;
            while i < text.len() {
                if text[i] == b'\r' && text.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                if matches!(text[i], b'\n' | b'\r') {
                    starts.push(offset(i + 1));
                }
                i += 1;
            }
            starts
        }
        for len in 0..=7u32 {
            for mut code in 0..3usize.pow(len) {
                let text: Vec<u8> = (0..len)
                    .map(|_| {
                        let byte = [b'a', b'\r', b'\n'][code % 3];
                        code /= 3;
                        byte
                    })
                    .collect();
                assert_eq!(
                    LineIndex::new(&text).line_starts,
                    by_bytes(&text),
                    "{text:?}"
                );
            }
        }
    }

    /// A default index once made `line_of` underflow when a finding pointed
    /// into an unreadable (empty) file.
    #[test]
    fn default_index_is_an_empty_file() {
        let index = LineIndex::default();
        assert_eq!(index.line_count(), 1);
        assert_eq!(index.line_column(0, b""), LineColumn { line: 1, column: 1 });
        assert_eq!(index.line_span(0, b""), Span::new(0, 0));
    }

    /// A file that changed after it was indexed (its bytes are read again
    /// only to print a code frame) must not make column counting slice past
    /// the end.
    #[test]
    fn text_shorter_than_the_index_gives_column_one() {
        let index = LineIndex::new("é\nbc\n".as_bytes());
        assert_eq!(index.line_column(5, b""), LineColumn { line: 2, column: 1 });
    }

    /// An ASCII file's columns are byte counts: its text is never asked for.
    #[test]
    fn ascii_columns_need_no_text() {
        let index = LineIndex::new(b"a\n  bc\n");
        let column = index.line_column_with(4, || unreachable!("an ASCII file is not read"));
        assert_eq!(column, LineColumn { line: 2, column: 3 });
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "é = 'x'".as_bytes();
        let index = LineIndex::new(text);
        assert_eq!(index.line_column(3, text).column, 3);
    }
}
