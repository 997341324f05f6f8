//! Pretty JSON exactly as `serde_json::to_writer_pretty` writes it, but
//! in pieces: a value can be written at any depth of an enclosing
//! document, so that the elements of a long array can be rendered on
//! several threads and written in order.

use std::io::{self, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::ser::Formatter;

/// `serde_json`'s `PrettyFormatter` (two spaces an indent), starting at
/// `depth` levels of indentation instead of none.
pub(crate) struct PrettyAt {
    depth: usize,
    has_value: bool,
}

impl PrettyAt {
    pub(crate) fn new(depth: usize) -> Self {
        Self {
            depth,
            has_value: false,
        }
    }
}

fn indent<W: ?Sized + Write>(out: &mut W, depth: usize) -> io::Result<()> {
    for _ in 0..depth {
        out.write_all(b"  ")?;
    }
    Ok(())
}

impl PrettyAt {
    /// `[` or `{`: one level deeper, nothing in it yet.
    fn open<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    /// `]` or `}`, on a line of its own when something came before it.
    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            out.write_all(b"\n")?;
            indent(out, self.depth)?;
        }
        out.write_all(bracket)
    }
}

/// What comes before an element of an array or a key of an object at
/// `depth`: a comma after the first, a new line, the indentation.
fn item_start<W: ?Sized + Write>(out: &mut W, first: bool, depth: usize) -> io::Result<()> {
    out.write_all(if first { b"\n" } else { b",\n" })?;
    indent(out, depth)
}

impl Formatter for PrettyAt {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        item_start(out, first, self.depth)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        item_start(out, first, self.depth)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Write `value` at `depth`.
pub(crate) fn write_at<W: Write>(
    out: &mut W,
    depth: usize,
    value: &impl Serialize,
) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, PrettyAt::new(depth));
    value.serialize(&mut serializer).map_err(io::Error::from)
}

/// The top-level object, written field by field.
pub(crate) struct Object<'w, W: Write> {
    pub(crate) out: &'w mut W,
    first: bool,
}

impl<'w, W: Write> Object<'w, W> {
    pub(crate) fn begin(out: &'w mut W) -> io::Result<Self> {
        out.write_all(b"{")?;
        Ok(Self { out, first: true })
    }

    /// The next key: its value is for the caller to write, at depth 1.
    pub(crate) fn key(&mut self, key: &str) -> io::Result<()> {
        item_start(self.out, self.first, 1)?;
        self.first = false;
        serde_json::to_writer(&mut *self.out, key)?;
        self.out.write_all(b": ")
    }

    /// The next key and its value.
    pub(crate) fn field(&mut self, key: &str, value: &impl Serialize) -> io::Result<()> {
        self.key(key)?;
        write_at(self.out, 1, value)
    }

    pub(crate) fn end(self) -> io::Result<()> {
        self.out.write_all(if self.first { b"}" } else { b"\n}" })
    }
}

/// Elements rendered at a time, in parallel (small enough to keep the
/// rendered text of a huge array out of memory).
const BATCH: usize = 4096;

/// Elements rendered together by one worker, into one piece of text.
const PIECE: usize = 256;

/// An array at `depth` of `len` elements, each rendered on the pool by
/// `element(text, depth, i)` (element `i` at the depth given) and written in
/// order.
pub(crate) fn write_array<W, F>(out: &mut W, depth: usize, len: usize, element: F) -> io::Result<()>
where
    W: Write,
    F: Fn(&mut Vec<u8>, usize, usize) -> io::Result<()> + Sync,
{
    if len == 0 {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    // The most text per element a piece has taken so far: each piece is
    // sized from it, rather than grown by doubling (which wrote the text
    // twice over, into fresh memory).
    let per_element = AtomicUsize::new(0);
    // Each batch's pieces are rendered into the last batch's buffers, once
    // written: a long array's text passes through a batch's worth of
    // memory, not into fresh memory for every batch (which the system
    // zeroes first, page by page).
    let spare: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    for start in (0..len).step_by(BATCH) {
        let end = (start + BATCH).min(len);
        let rendered: Vec<io::Result<Vec<u8>>> = (start..end)
            .into_par_iter()
            .chunks(PIECE)
            .map(|indices| {
                let count = indices.len();
                let mut text = spare
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .pop()
                    .unwrap_or_default();
                text.reserve(count * per_element.load(Ordering::Relaxed) * 9 / 8);
                for i in indices {
                    item_start(&mut text, i == 0, depth + 1)?;
                    element(&mut text, depth + 1, i)?;
                }
                per_element.fetch_max(text.len() / count, Ordering::Relaxed);
                Ok(text)
            })
            .collect();
        let mut written = Vec::with_capacity(rendered.len());
        for text in rendered {
            let mut text = text?;
            out.write_all(&text)?;
            text.clear();
            written.push(text);
        }
        spare
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .append(&mut written);
    }
    out.write_all(b"\n")?;
    indent(out, depth)?;
    out.write_all(b"]")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Written in pieces, a document is byte for byte what
    /// `to_writer_pretty` writes whole.
    #[test]
    fn pieces_make_the_same_text_as_the_whole() {
        let elements: Vec<serde_json::Value> = (0..5000)
            .map(|n| json!({"a": n, "b": [], "c": [n, {"d": "é\n\"x\""}], "e": {}, "f": null}))
            .collect();
        let whole = json!({
            "empty": [],
            "list": elements,
            "nested": {"x": [1, 2, {"y": []}]},
            "zero": {},
        });
        let expected = serde_json::to_vec_pretty(&whole).unwrap();

        let mut pieces = Vec::new();
        let mut object = Object::begin(&mut pieces).unwrap();
        object.key("empty").unwrap();
        write_array(object.out, 1, 0, |_, _, _| unreachable!()).unwrap();
        object.key("list").unwrap();
        write_array(object.out, 1, elements.len(), |text, depth, i| {
            write_at(text, depth, &elements[i])
        })
        .unwrap();
        object.field("nested", &whole["nested"]).unwrap();
        object.field("zero", &whole["zero"]).unwrap();
        object.end().unwrap();
        assert_eq!(
            String::from_utf8(pieces).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }
}
