//! From a file's bytes to the text Python's tokenizer reads.
//!
//! Before tokenizing, CPython skips a UTF-8 BOM, looks for a PEP 263
//! `coding:` comment on line 1 or 2, decodes the bytes with that codec
//! (UTF-8 by default) and turns every `\r\n` and lone `\r` into `\n`.
//! [`decode`] does the same and keeps an [`OffsetMap`] from offsets in the
//! decoded text back to byte offsets in the original file, so that every span
//! stays exact whatever the encoding, BOM or line endings.
//!
//! Decoded natively: UTF-8, Latin-1, ASCII and cp1252, which covers what
//! migration files use. Any other codec Python knows is read as Latin-1: the
//! ASCII parts (all the code, and every revision id) come out exactly, other
//! characters in strings and comments may not. A codec Python does not know
//! is a syntax error, as it is in Python.
//!
//! Undecodable bytes never stop the reading: each one becomes U+FFFD so the
//! variables can still be recovered, and the first one is reported the way
//! Python would report it.

mod codec_names;

use std::borrow::Cow;

use alembic_doctor_source::Span;

use crate::SyntaxError;

/// The decoded text of one file and how to map it back to the file's bytes.
pub(crate) struct Decoded<'a> {
    /// The text the parser reads: decoded, newlines normalised to `\n`.
    pub(crate) text: Cow<'a, str>,
    /// Text offsets to original byte offsets.
    pub(crate) map: OffsetMap,
    /// Errors Python reports before it tokenizes anything (unknown codec,
    /// BOM with a non-UTF-8 declaration, undecodable bytes, NUL bytes).
    pub(crate) errors: Vec<SyntaxError>,
    /// Invalid UTF-8 sequences in a UTF-8 file. CPython rejects them only
    /// outside comments, which only the tokenizer can tell, so the caller
    /// decides once it has the comment ranges.
    pub(crate) invalid_utf8: Vec<InvalidUtf8>,
}

/// One invalid UTF-8 sequence, replaced by U+FFFD in the text.
pub(crate) struct InvalidUtf8 {
    /// Where the replacement character sits in the decoded text.
    pub(crate) text_offset: u32,
    /// The offending bytes in the original file.
    pub(crate) span: Span,
    /// The first offending byte, for the message.
    pub(crate) byte: u8,
}

impl InvalidUtf8 {
    /// The error CPython raises for it.
    pub(crate) fn to_error(&self) -> SyntaxError {
        SyntaxError {
            message: format!(
                "(unicode error) 'utf-8' codec can't decode byte 0x{:02x}: the file is not \
                 valid UTF-8 and declares no other encoding (PEP 263)",
                self.byte
            ),
            span: self.span,
        }
    }
}

/// Maps offsets in the decoded text back to byte offsets in the file.
///
/// A sorted list of checkpoints `(text offset, original offset)`; between two
/// checkpoints both advance together. A checkpoint is added wherever the two
/// stop moving in step: after the BOM, after each `\r\n` (two bytes became
/// one), after each character whose encoded length changed in decoding. A
/// pure-UTF-8 file with `\n` line endings has a single checkpoint.
#[derive(Debug, Clone)]
pub(crate) struct OffsetMap {
    checkpoints: Vec<(u32, u32)>,
}

impl OffsetMap {
    fn shifted(by: u32) -> Self {
        Self {
            checkpoints: vec![(0, by)],
        }
    }

    /// The original byte offset of text offset `at`.
    pub(crate) fn to_original(&self, at: u32) -> u32 {
        let i = self.checkpoints.partition_point(|&(text, _)| text <= at);
        // The first checkpoint is at text offset 0, so `i >= 1`.
        let (text, original) = self.checkpoints[i.saturating_sub(1)];
        original.saturating_add(at - text)
    }

    /// The original span of a text range.
    pub(crate) fn span(&self, start: u32, end: u32) -> Span {
        let start = self.to_original(start);
        let end = self.to_original(end).max(start);
        Span::new(start, end)
    }
}

/// Which decoder to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    Utf8,
    Latin1,
    Ascii,
    Cp1252,
    /// A codec Python knows but alembic-doctor does not decode: read as
    /// Latin-1, which is exact for ASCII.
    Unsupported,
}

/// Decode `bytes` the way CPython's tokenizer does.
pub(crate) fn decode(bytes: &[u8]) -> Decoded<'_> {
    const BOM: &[u8] = b"\xef\xbb\xbf";
    let bom = bytes.starts_with(BOM);
    let skip = if bom { BOM.len() } else { 0 };
    let body = &bytes[skip..];
    let mut errors = Vec::new();

    let codec = match coding_declaration(body) {
        None => Codec::Utf8,
        Some(declaration) => {
            let span = Span::new(
                offset(skip + declaration.start),
                offset(skip + declaration.end),
            );
            if bom && declaration.name != "utf-8" {
                // tokenizer.c: check_coding_spec, "encoding problem: %s with BOM".
                errors.push(SyntaxError {
                    message: format!("encoding problem: {} with BOM", declaration.name),
                    span,
                });
                Codec::Utf8
            } else if let Some(codec) = codec_for(&declaration.name) {
                codec
            } else {
                errors.push(SyntaxError {
                    message: format!("unknown encoding: {}", declaration.name),
                    span,
                });
                Codec::Utf8
            }
        }
    };

    // CPython refuses the file before it decodes or tokenizes anything
    // (Python 3.12+: "source code cannot contain null bytes"), so the text
    // is empty: garbage with a NUL byte costs nothing more than reading it
    // (100 MB of random bytes took 5.5 GB to parse).
    if let Some(at) = memchr::memchr(0, body) {
        let at = skip + at;
        errors.push(SyntaxError {
            message: "source code cannot contain null bytes".to_owned(),
            span: Span::new(offset(at), offset(at + 1)),
        });
        return Decoded {
            text: Cow::Borrowed(""),
            map: OffsetMap::shifted(offset(skip)),
            errors,
            invalid_utf8: Vec::new(),
        };
    }

    let mut decoded = match codec {
        Codec::Utf8 => decode_utf8(body, skip),
        single_byte => decode_single_byte(body, skip, single_byte),
    };
    decoded.errors.splice(0..0, errors);
    decoded
}

/// A piece of a file decoded for printing (a code frame): the text in the
/// file's own encoding, as Python reads it, and where each original byte
/// offset falls in it, always on a character boundary.
///
/// Spans are byte offsets into the original file; a renderer slices the
/// text it is given with them. A Latin-1 file whose bytes happen to be
/// valid UTF-8 (`#coding:latin` then `😀`) would otherwise be shown as one
/// four-byte character with a span ending inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayText {
    /// The decoded text (line endings kept as they are in the file).
    pub text: String,
    /// `(original offset, text offset)` of the start of each character,
    /// in order.
    starts: Vec<(u32, u32)>,
}

impl DisplayText {
    /// The text offset of original byte offset `at` (absolute, in the
    /// file): the start of the character that holds it, the text's end past
    /// the window's end, its start before the window.
    pub fn offset(&self, at: usize) -> usize {
        let at = offset(at);
        // The last entry is the window's end, so an offset past it maps to
        // the text's end.
        let i = self.starts.partition_point(|&(original, _)| original <= at);
        i.checked_sub(1)
            .map_or(0, |found| self.starts[found].1 as usize)
    }
}

/// `file[window]` decoded for display with the codec `file` declares (see
/// [`DisplayText`]). Undecodable bytes become U+FFFD; nothing is dropped.
pub fn display_text(file: &[u8], window: std::ops::Range<usize>) -> DisplayText {
    const BOM: &[u8] = b"\xef\xbb\xbf";
    let body = file.strip_prefix(BOM).unwrap_or(file);
    let codec = coding_declaration(body)
        .and_then(|declaration| codec_for(&declaration.name))
        .unwrap_or(Codec::Utf8);
    let end = window.end.min(file.len());
    let start = window.start.min(end);
    let bytes = &file[start..end];
    let mut text = String::with_capacity(bytes.len());
    let mut starts = Vec::with_capacity(bytes.len() + 1);
    let mut mark = |text: &String, at: usize| {
        starts.push((offset(start + at), offset(text.len())));
    };
    // Control and bidirectional characters are shown escaped, as `repr()`
    // shows them, so that a file cannot drive the terminal; the offsets
    // above keep spans exact around them.
    let push = |text: &mut String, c: char| {
        if matches!(c, '\r' | '\n' | '\t') {
            text.push(c);
        } else {
            alembic_doctor_pystr::push_for_terminal(text, c);
        }
    };
    if codec == Codec::Utf8 {
        let mut at = 0;
        for chunk in bytes.utf8_chunks() {
            for (i, c) in chunk.valid().char_indices() {
                mark(&text, at + i);
                push(&mut text, c);
            }
            at += chunk.valid().len();
            if !chunk.invalid().is_empty() {
                mark(&text, at);
                text.push(char::REPLACEMENT_CHARACTER);
                at += chunk.invalid().len();
            }
        }
    } else {
        for (i, &byte) in bytes.iter().enumerate() {
            mark(&text, i);
            let c = match codec {
                _ if byte.is_ascii() => Some(char::from(byte)),
                Codec::Latin1 | Codec::Unsupported => Some(char::from(byte)),
                Codec::Cp1252 => cp1252(byte),
                Codec::Ascii | Codec::Utf8 => None,
            };
            push(&mut text, c.unwrap_or(char::REPLACEMENT_CHARACTER));
        }
    }
    // The end of the window is a character boundary too.
    starts.push((offset(end), offset(text.len())));
    DisplayText { text, starts }
}

/// UTF-8, with a zero-copy fast path for the usual file: valid UTF-8 and no
/// `\r` at all.
fn decode_utf8(body: &[u8], skip: usize) -> Decoded<'_> {
    if memchr::memchr(b'\r', body).is_none()
        && let Ok(text) = std::str::from_utf8(body)
    {
        return Decoded {
            text: Cow::Borrowed(text),
            map: OffsetMap::shifted(offset(skip)),
            errors: Vec::new(),
            invalid_utf8: Vec::new(),
        };
    }
    let mut out = Builder::new(body.len(), skip);
    let mut invalid_utf8 = Vec::new();
    let mut at = skip;
    for chunk in body.utf8_chunks() {
        out.push_str(chunk.valid(), at);
        at += chunk.valid().len();
        let bad = chunk.invalid();
        if let Some(&byte) = bad.first() {
            invalid_utf8.push(InvalidUtf8 {
                text_offset: offset(out.text.len()),
                span: Span::new(offset(at), offset(at + bad.len())),
                byte,
            });
            out.push_char(char::REPLACEMENT_CHARACTER, at, bad.len());
            at += bad.len();
        }
    }
    let (text, map) = out.finish();
    Decoded {
        text: Cow::Owned(text),
        map,
        errors: Vec::new(),
        invalid_utf8,
    }
}

/// Single-byte codecs: every byte is one character.
fn decode_single_byte(body: &[u8], skip: usize, codec: Codec) -> Decoded<'_> {
    let mut out = Builder::new(body.len() + body.len() / 8, skip);
    let mut errors = Vec::new();
    let mut ascii_run = 0;
    for (i, &byte) in body.iter().enumerate() {
        if byte.is_ascii() {
            continue;
        }
        // Copy the ASCII run before this byte in one go.
        let run = &body[ascii_run..i];
        // An ASCII run is valid UTF-8 by construction.
        out.push_str(
            std::str::from_utf8(run).unwrap_or_default(),
            skip + ascii_run,
        );
        ascii_run = i + 1;
        let decoded = match codec {
            Codec::Latin1 | Codec::Unsupported => Some(char::from(byte)),
            Codec::Cp1252 => cp1252(byte),
            Codec::Ascii | Codec::Utf8 => None,
        };
        let at = skip + i;
        let c = decoded.unwrap_or_else(|| {
            if errors.is_empty() {
                // CPython decodes the whole file first and stops at the first
                // failure; its message names the codec and the position.
                let (name, why) = if codec == Codec::Cp1252 {
                    ("charmap", "character maps to <undefined>")
                } else {
                    ("ascii", "ordinal not in range(128)")
                };
                errors.push(SyntaxError {
                    message: format!(
                        "'{name}' codec can't decode byte 0x{byte:02x} in position {at}: {why}"
                    ),
                    span: Span::new(offset(at), offset(at + 1)),
                });
            }
            char::REPLACEMENT_CHARACTER
        });
        out.push_char(c, at, 1);
    }
    let run = &body[ascii_run..];
    out.push_str(
        std::str::from_utf8(run).unwrap_or_default(),
        skip + ascii_run,
    );
    let (text, map) = out.finish();
    Decoded {
        text: Cow::Owned(text),
        map,
        errors,
        invalid_utf8: Vec::new(),
    }
}

/// cp1252's 0x80–0x9F block (everything else is Latin-1); `None` where the
/// code page leaves a byte undefined.
fn cp1252(byte: u8) -> Option<char> {
    const HIGH: [u16; 32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
        0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
        0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ];
    match byte {
        0x80..=0x9F => match HIGH[usize::from(byte - 0x80)] {
            0 => None,
            code => char::from_u32(u32::from(code)),
        },
        _ => Some(char::from(byte)),
    }
}

/// Accumulates decoded text and the offset checkpoints.
struct Builder {
    text: String,
    checkpoints: Vec<(u32, u32)>,
}

impl Builder {
    fn new(capacity: usize, skip: usize) -> Self {
        Self {
            text: String::with_capacity(capacity),
            checkpoints: vec![(0, offset(skip))],
        }
    }

    /// Append `s`, which starts at byte `at` of the original, turning each
    /// `\r\n` and lone `\r` into `\n` as Python's tokenizer does.
    fn push_str(&mut self, s: &str, at: usize) {
        let bytes = s.as_bytes();
        let mut from = 0;
        while let Some(found) = bytes[from..].iter().position(|&b| b == b'\r') {
            let cr = from + found;
            self.text.push_str(&s[from..cr]);
            self.text.push('\n');
            if bytes.get(cr + 1) == Some(&b'\n') {
                from = cr + 2;
                self.checkpoint(at + from);
            } else {
                from = cr + 1;
            }
        }
        self.text.push_str(&s[from..]);
    }

    /// Append `c`, which stands for `len` bytes at byte `at` of the original.
    fn push_char(&mut self, c: char, at: usize, len: usize) {
        self.text.push(c);
        if c.len_utf8() != len {
            self.checkpoint(at + len);
        }
    }

    /// From here on, text offset `self.text.len()` is original offset `at`.
    fn checkpoint(&mut self, at: usize) {
        self.checkpoints.push((offset(self.text.len()), offset(at)));
    }

    fn finish(self) -> (String, OffsetMap) {
        (
            self.text,
            OffsetMap {
                checkpoints: self.checkpoints,
            },
        )
    }
}

/// A PEP 263 declaration: the codec name as CPython normalises it, and where
/// the name is written (offsets into the body after any BOM).
#[derive(Debug, PartialEq, Eq)]
struct Declaration {
    name: String,
    start: usize,
    end: usize,
}

/// CPython's `decode_str` + `check_coding_spec`: line 1 is examined, and
/// line 2 only when line 1 is blank or a comment. Each line must end with a
/// line break to be examined at all (CPython looks for the `\n` first,
/// after `translate_newlines` has turned `\r\n` and a lone `\r` into
/// `\n`, so all three count).
fn coding_declaration(body: &[u8]) -> Option<Declaration> {
    let (first_end, second_start) = line_break(body, 0)?;
    let first = &body[..first_end];
    if let Some(found) = coding_spec(first, 0) {
        return Some(found);
    }
    if !is_blank_or_comment(first) {
        return None;
    }
    let (second_end, _) = line_break(body, second_start)?;
    coding_spec(&body[second_start..second_end], second_start)
}

/// The first line break at or after `from`: where it starts and where the
/// next line starts (`\n`, `\r\n` or a lone `\r`).
fn line_break(body: &[u8], from: usize) -> Option<(usize, usize)> {
    let at = from
        + body[from..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')?;
    let next = if body[at] == b'\r' && body.get(at + 1) == Some(&b'\n') {
        at + 2
    } else {
        at + 1
    };
    Some((at, next))
}

/// CPython's `get_coding_spec`: the line must be a comment (only blanks
/// before `#`), and contain `coding` followed by `:` or `=`, optional blanks,
/// and a name of `[-\w.]` characters.
fn coding_spec(line: &[u8], line_start: usize) -> Option<Declaration> {
    // CPython scans `i < size - 6`: neither `#` nor `coding` may start in the
    // last six bytes.
    let limit = line.len().checked_sub(6)?;
    let hash = line[..limit]
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\x0c'))?;
    if line[hash] != b'#' {
        return None;
    }
    for i in hash..limit {
        if &line[i..i + 6] != b"coding" {
            continue;
        }
        let mut t = i + 6;
        if !matches!(line.get(t), Some(b':' | b'=')) {
            continue;
        }
        t += 1;
        while matches!(line.get(t), Some(b' ' | b'\t')) {
            t += 1;
        }
        let begin = t;
        while line
            .get(t)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            t += 1;
        }
        if begin < t {
            // The name is ASCII by construction.
            let raw = String::from_utf8_lossy(&line[begin..t]);
            return Some(Declaration {
                name: normal_name(&raw),
                start: line_start + begin,
                end: line_start + t,
            });
        }
    }
    None
}

/// True when CPython keeps looking for a declaration on the next line.
fn is_blank_or_comment(line: &[u8]) -> bool {
    for &b in line {
        match b {
            b'#' | b'\r' => return true,
            b' ' | b'\t' | b'\x0c' => {}
            _ => return false,
        }
    }
    true
}

/// CPython's `get_normal_name`: the spellings of UTF-8 and Latin-1 that the
/// tokenizer recognises itself (looking at the first 12 characters only);
/// other names are returned as written.
fn normal_name(name: &str) -> String {
    let head: String = name
        .chars()
        .take(12)
        .map(|c| {
            if c == '_' {
                '-'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    if head == "utf-8" || head.starts_with("utf-8-") {
        "utf-8".to_owned()
    } else if matches!(head.as_str(), "latin-1" | "iso-8859-1" | "iso-latin-1")
        || head.starts_with("latin-1-")
        || head.starts_with("iso-8859-1-")
        || head.starts_with("iso-latin-1-")
    {
        "iso-8859-1".to_owned()
    } else {
        name.to_owned()
    }
}

/// The decoder for a declared codec, or `None` when Python does not know the
/// name either (`encodings.search_function` after `normalize_encoding`).
fn codec_for(name: &str) -> Option<Codec> {
    let normalised = normalize_encoding(name);
    let lookup = |key: &str| {
        codec_names::CODECS
            .binary_search_by(|(alias, _)| alias.as_bytes().cmp(key.as_bytes()))
            .ok()
            .map(|i| codec_names::CODECS[i].1)
    };
    let module = lookup(&normalised).or_else(|| lookup(&normalised.replace('.', "_")))?;
    Some(match module {
        "utf_8" | "utf_8_sig" => Codec::Utf8,
        "latin_1" => Codec::Latin1,
        "ascii" => Codec::Ascii,
        "cp1252" => Codec::Cp1252,
        _ => Codec::Unsupported,
    })
}

/// `encodings.normalize_encoding` after `codecs.lookup`'s lower-casing: runs
/// of characters other than ASCII letters, digits and `.` become one `_`,
/// with none at either end.
fn normalize_encoding(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_underscore = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            if pending_underscore && !out.is_empty() {
                out.push('_');
            }
            pending_underscore = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_underscore = true;
        }
    }
    out
}

/// Files are far below 4 GiB by the time they get here; saturate rather than
/// wrap.
fn offset(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn original(decoded: &Decoded<'_>, needle: &str) -> u32 {
        let at = decoded.text.find(needle).expect("needle in text");
        decoded.map.to_original(offset(at))
    }

    #[test]
    fn plain_utf8_is_borrowed_and_unshifted() {
        let decoded = decode(b"x = 'a'\n");
        assert!(matches!(decoded.text, Cow::Borrowed(_)));
        assert_eq!(original(&decoded, "'a'"), 4);
        assert!(decoded.errors.is_empty());
    }

    /// A Latin-1 file whose bytes are valid UTF-8 was shown as UTF-8 with a
    /// span ending inside a character, and the code frame renderer panicked.
    #[test]
    fn display_text_decodes_with_the_declared_codec_and_keeps_boundaries() {
        let file = "#coding:latin\n\"\"\"\"\"\"😀".as_bytes();
        let display = display_text(file, 14..file.len());
        // The C1 controls Latin-1 gives are shown escaped, as `repr()` does.
        assert_eq!(display.text, "\"\"\"\"\"\"\u{f0}\\x9f\\x98\\x80");
        for at in 0..=file.len() + 3 {
            assert!(display.text.is_char_boundary(display.offset(at)), "{at}");
        }
        assert_eq!(display.offset(23), display.text.len() - 4);
        // UTF-8: an offset inside a character goes to its start.
        let utf8 = "x = '😀'\n".as_bytes();
        let display = display_text(utf8, 0..utf8.len());
        assert_eq!(display.offset(7), 5);
        assert_eq!(display.offset(9), 9);
        assert_eq!(display.offset(100), display.text.len());
    }

    #[test]
    fn bom_is_skipped_but_offsets_count_it() {
        let decoded = decode(b"\xef\xbb\xbfx = 'a'\n");
        assert_eq!(&*decoded.text, "x = 'a'\n");
        assert_eq!(original(&decoded, "'a'"), 7);
    }

    #[test]
    fn crlf_and_lone_cr_become_lf_with_exact_offsets() {
        let bytes = b"a = 1\r\nb = 2\rc = 3\r\n";
        let decoded = decode(bytes);
        assert_eq!(&*decoded.text, "a = 1\nb = 2\nc = 3\n");
        assert_eq!(original(&decoded, "b"), 7);
        assert_eq!(original(&decoded, "c"), 13);
        assert_eq!(decoded.map.to_original(offset(decoded.text.len())), 20);
    }

    #[test]
    fn latin1_declaration_decodes_and_maps_back() {
        let bytes = b"# -*- coding: latin-1 -*-\nx = '\xe9t\xe9'\ny = 'id'\n";
        let decoded = decode(bytes);
        assert!(decoded.errors.is_empty(), "{:?}", decoded.errors);
        assert!(decoded.text.contains("'été'"));
        let y = original(&decoded, "'id'") as usize;
        assert_eq!(&bytes[y..y + 4], b"'id'");
    }

    /// Found by the differential test: a latin-1 file with old-Mac line
    /// endings loads in Alembic (CPython translates `\r` to `\n` before it
    /// looks for the declaration) but was reported as invalid UTF-8.
    #[test]
    fn declaration_ending_in_cr_or_crlf_counts() {
        for bytes in [
            &b"# -*- coding: latin-1 -*-\rx = '\xe9'\r"[..],
            &b"# -*- coding: latin-1 -*-\r\nx = '\xe9'\r\n"[..],
            &b"#!/usr/bin/env python\r# coding: latin-1\rx = '\xe9'\r"[..],
        ] {
            let decoded = decode(bytes);
            assert!(decoded.invalid_utf8.is_empty(), "{bytes:?}");
            assert!(decoded.text.contains('é'), "{bytes:?}");
        }
    }

    #[test]
    fn declaration_on_line_two_only_after_a_comment_line() {
        let ok = decode(b"#!/usr/bin/env python\n# vim: set fileencoding=latin-1 :\nx = '\xe9'\n");
        assert!(ok.text.contains('é'));
        let not_after_code = decode(b"x = 1\n# coding: latin-1\ny = '\xe9'\n");
        assert_eq!(not_after_code.invalid_utf8.len(), 1);
    }

    #[test]
    fn declaration_needs_a_newline_after_it() {
        assert_eq!(coding_declaration(b"# coding: latin-1"), None);
        assert_eq!(
            coding_declaration(b"# coding: latin-1\n").map(|d| d.name),
            Some("iso-8859-1".to_owned())
        );
    }

    #[test]
    fn cp1252_and_its_undefined_bytes() {
        let decoded = decode(b"# coding: cp1252\nx = '\x80'\n");
        assert!(decoded.text.contains('€'));
        let bad = decode(b"# coding: cp1252\nx = '\x81'\n");
        assert_eq!(
            bad.errors[0].message,
            "'charmap' codec can't decode byte 0x81 in position 22: character maps to <undefined>"
        );
    }

    #[test]
    fn unknown_codec_and_bom_conflicts_are_python_errors() {
        let unknown = decode(b"# -*- coding: foobar -*-\nx = 1\n");
        assert_eq!(unknown.errors[0].message, "unknown encoding: foobar");
        assert_eq!(unknown.errors[0].span, Span::new(14, 20));
        let bom = decode(b"\xef\xbb\xbf# coding: latin-1\nx = 1\n");
        assert_eq!(
            bom.errors[0].message,
            "encoding problem: iso-8859-1 with BOM"
        );
        let known = decode(b"# coding: euc-jp\nx = 1\n");
        assert!(known.errors.is_empty());
    }

    #[test]
    fn invalid_utf8_is_replaced_and_remembered() {
        let bytes = b"x = '\xe9'\ny = 'b'\n";
        let decoded = decode(bytes);
        assert_eq!(decoded.invalid_utf8.len(), 1);
        assert_eq!(decoded.invalid_utf8[0].span, Span::new(5, 6));
        let y = original(&decoded, "'b'") as usize;
        assert_eq!(&bytes[y..y + 3], b"'b'");
    }

    #[test]
    fn null_bytes_are_reported() {
        let decoded = decode(b"x = 1\n\x00");
        assert_eq!(
            decoded.errors[0].message,
            "source code cannot contain null bytes"
        );
        assert_eq!(decoded.errors[0].span, Span::new(6, 7));
        // Nothing is decoded: the file is refused as a whole.
        assert_eq!(decoded.errors.len(), 1);
        assert_eq!(&*decoded.text, "");
    }

    #[test]
    fn codec_names_follow_python_normalisation() {
        assert_eq!(codec_for("UTF8"), Some(Codec::Utf8));
        assert_eq!(codec_for("Latin_1"), Some(Codec::Latin1));
        assert_eq!(codec_for("windows-1252"), Some(Codec::Cp1252));
        assert_eq!(codec_for("us-ascii"), Some(Codec::Ascii));
        assert_eq!(codec_for("shift_jis"), Some(Codec::Unsupported));
        assert_eq!(codec_for("foobar"), None);
    }
}
