//! Mutations: byte-level ones (flips, inserts, deletes, copies, splices
//! with another corpus entry) and structure-aware ones (Python and
//! configuration tokens, deep bracket nesting, coding declarations and odd
//! encodings, NUL bytes, line-ending changes). Seeded: the same seed and
//! corpus give the same inputs.

use fastrand::Rng;

/// Tokens of migration files, configuration files and revision queries,
/// inserted or swapped in whole.
const TOKENS: &[&[u8]] = &[
    b"revision",
    b"down_revision",
    b"branch_labels",
    b"depends_on",
    b" = ",
    b"None",
    b"'",
    b"\"",
    b"\"\"\"",
    b"'''",
    b"(",
    b")",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b":",
    b"\n",
    b"\r\n",
    b"\r",
    b"\\",
    b"\\\n",
    b"#",
    b"f\"",
    b"rb'",
    b"u'",
    b"r\"",
    b"t'",
    b"\\x00",
    b"\\N{DIGIT ONE}",
    b"\\u0041",
    b"+",
    b"*",
    b"if True:\n    ",
    b"else:\n    ",
    b"try:\n    ",
    b"except Exception:\n    ",
    b"from . import ",
    b"from x import ",
    b"import ",
    b"def upgrade():\n    ",
    b"def downgrade():\n    ",
    b"op.create_table(",
    b"op.add_column(",
    b"op.drop_column(",
    b"op.execute(\"",
    b"sa.Column(",
    b"Revision ID: ",
    b"Revises: ",
    b"Create Date: ",
    b"del ",
    b"for x in ",
    b"lambda: ",
    b"await ",
    b"@",
    b":=",
    b"\t",
    b"\x0c",
    b";",
    b"global ",
    b"class C:\n    ",
    b"with x as ",
    b"match x:\n    case ",
    b"%(here)s",
    b"%%",
    b"%(",
    b")s",
    b"[alembic]",
    b"[tool.alembic]",
    b"[tool]",
    b"script_location",
    b"version_locations",
    b"version_path_separator",
    b"path_separator",
    b"os",
    b"space",
    b"newline",
    b"colon",
    b"semicolon",
    b"recursive_version_locations",
    b"sourceless",
    b"true",
    b"false",
    b"prepend_sys_path",
    b"[[tool.alembic.",
    b" = [",
    b"]]",
    b"sqlalchemy.url",
    b"driver://",
    b"[post_write_hooks]",
    b"heads",
    b"base",
    b"head",
    b"@head",
    b"-1",
    b"+2",
    b"|",
    b"?",
    b"!",
    b"current",
    b"a1b2c3d4e5f6",
    b"aaa",
    b"bbb",
    b"a",
    b"b",
    b"c",
    b"..",
    b"/",
    b"\\n",
    b"\x00",
];

/// Multi-byte and odd characters, and invalid UTF-8.
const ODD_BYTES: &[&[u8]] = &[
    "é".as_bytes(),
    "😀".as_bytes(),
    "\u{202e}".as_bytes(),
    "\u{2028}".as_bytes(),
    "\u{85}".as_bytes(),
    "\u{feff}".as_bytes(),
    "\u{1b}[31m".as_bytes(),
    "ﬁ".as_bytes(),
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\x80",
    b"\xe2\x82",
    b"\xc0\xaf",
];

/// Coding declarations and byte-order marks, put at the start.
const PROLOGUES: &[&[u8]] = &[
    b"# -*- coding: latin-1 -*-\n",
    b"#coding:latin\n",
    b"# coding: utf-16\n",
    b"# vim: set fileencoding=cp1252 :\n",
    b"# coding: bogus\n",
    b"\xef\xbb\xbf",
    b"\xef\xbb\xbf# coding: latin-1\n",
    b"#!/usr/bin/env python\n# coding=utf8\n",
    b"\xff\xfe",
    b"# coding: euc-jp\n",
];

/// Bracket depths around `CPython`'s limit and far past it.
const DEPTHS: &[usize] = &[20, 99, 100, 199, 200, 201, 1000, 5000, 20_000];

/// Mutates inputs of at most `max_len` bytes.
pub struct Mutator {
    rng: Rng,
    max_len: usize,
}

impl Mutator {
    /// A mutator drawing from `seed`.
    pub fn new(seed: u64, max_len: usize) -> Self {
        Self {
            rng: Rng::with_seed(seed),
            max_len,
        }
    }

    /// The random number generator, for the loop's own choices.
    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// A new input from `input`, with one to eight mutations; `other` is a
    /// second corpus entry to splice from.
    pub fn mutate(&mut self, input: &[u8], other: &[u8]) -> Vec<u8> {
        let mut out = input.to_vec();
        let rounds = 1 + self.rng.usize(..8).min(self.rng.usize(..8));
        for _ in 0..rounds {
            self.once(&mut out, other);
        }
        out.truncate(self.max_len);
        out
    }

    fn position(&mut self, data: &[u8]) -> usize {
        self.rng.usize(..=data.len())
    }

    fn range(&mut self, data: &[u8]) -> (usize, usize) {
        let start = self.rng.usize(..=data.len());
        let len = self.rng.usize(..=(data.len() - start).min(64));
        (start, start + len)
    }

    fn insert(&mut self, data: &mut Vec<u8>, bytes: &[u8]) {
        let at = self.position(data);
        data.splice(at..at, bytes.iter().copied());
    }

    fn once(&mut self, data: &mut Vec<u8>, other: &[u8]) {
        match self.rng.u8(..18) {
            0 if !data.is_empty() => {
                let at = self.rng.usize(..data.len());
                data[at] ^= 1 << self.rng.u8(..8);
            }
            1 if !data.is_empty() => {
                let at = self.rng.usize(..data.len());
                data[at] = self.rng.u8(..);
            }
            2 if !data.is_empty() => {
                let at = self.rng.usize(..data.len());
                data[at] = *self
                    .pick(b"\x00\xff\x7f\x80\n\r\"'\\([{#:, \t\x0c=|?-_.")
                    .unwrap_or(&b' ');
            }
            3 => {
                let bytes: Vec<u8> = (0..self.rng.usize(1..9)).map(|_| self.rng.u8(..)).collect();
                self.insert(data, &bytes);
            }
            4 | 5 => {
                let (start, end) = self.range(data);
                data.drain(start..end);
            }
            6 => {
                let (start, end) = self.range(data);
                let chunk = data[start..end].to_vec();
                self.insert(data, &chunk);
            }
            7..=9 => {
                let token = *self.pick(TOKENS).unwrap_or(&&b""[..]);
                if self.rng.bool() || data.is_empty() {
                    self.insert(data, token);
                } else {
                    let (start, end) = self.range(data);
                    data.splice(start..end, token.iter().copied());
                }
            }
            10 if !other.is_empty() => {
                let start = self.rng.usize(..other.len());
                let end = self.rng.usize(start..=other.len());
                if self.rng.bool() {
                    let at = self.position(data);
                    data.truncate(at);
                    data.extend_from_slice(&other[start..]);
                } else {
                    let chunk = other[start..end].to_vec();
                    self.insert(data, &chunk);
                }
            }
            11 => {
                let depth = *self.pick(DEPTHS).unwrap_or(&200);
                let (open, close) = *self
                    .pick(&[
                        ("(", ")"),
                        ("[", "]"),
                        ("{", "}"),
                        ("f'{", "}'"),
                        ("-", ""),
                        ("not ", ""),
                    ])
                    .unwrap_or(&("(", ")"));
                let mut nest = open.repeat(depth).into_bytes();
                if self.rng.bool() {
                    nest.extend_from_slice(b"1");
                    nest.extend(close.repeat(depth).into_bytes());
                }
                self.insert(data, &nest);
            }
            12 => {
                let odd = *self.pick(ODD_BYTES).unwrap_or(&&b""[..]);
                self.insert(data, odd);
            }
            13 => {
                let prologue = *self.pick(PROLOGUES).unwrap_or(&&b""[..]);
                data.splice(0..0, prologue.iter().copied());
            }
            14 => self.insert(data, b"\x00"),
            15 => {
                let ending: &[u8] = self
                    .pick(&[&b"\r\n"[..], b"\r", b"\n"])
                    .copied()
                    .unwrap_or(b"\n");
                let mut out = Vec::with_capacity(data.len());
                for &byte in data.iter() {
                    if byte == b'\n' {
                        out.extend_from_slice(ending);
                    } else {
                        out.push(byte);
                    }
                }
                *data = out;
            }
            16 => {
                let at = self.position(data);
                data.truncate(at);
            }
            _ => {
                // Repeat one line many times: long files, many revisions.
                let (start, end) = self.range(data);
                let line = data[start..end].to_vec();
                let times = self.rng.usize(2..64);
                let at = self.position(data);
                let repeated = line.repeat(times);
                data.splice(at..at, repeated);
            }
        }
        if data.len() > self.max_len {
            data.truncate(self.max_len);
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(&items[self.rng.usize(..items.len())])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Mutator;

    #[test]
    fn the_same_seed_gives_the_same_inputs() {
        let run = |seed| {
            let mut mutator = Mutator::new(seed, 4096);
            let mut input = b"revision = 'a'\n".to_vec();
            for _ in 0..200 {
                input = mutator.mutate(&input, b"down_revision = None\n");
            }
            input
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn inputs_stay_under_the_length_limit() {
        let mut mutator = Mutator::new(1, 300);
        let mut input = vec![b'x'; 300];
        for _ in 0..2000 {
            input = mutator.mutate(&input, &[b'('; 300]);
            assert!(input.len() <= 300);
        }
    }
}
