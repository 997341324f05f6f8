//! A project file's parsed script, decoded from the parse cache when first
//! used.
//!
//! A warm `heads` needs each file's revision variables, which the cache keeps
//! apart ([`crate::derived::Derived`]); the whole [`Script`] (docstring,
//! header lines, spans, syntax errors) is needed only by the commands that
//! print or check more. Decoding five thousand scripts the map never reads
//! was a quarter of a warm `heads`, so a cached script stays encoded in the
//! cache file's buffer, shared by every file, until someone asks for it.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use alembic_doctor_script::{Script, ScriptContext};

use crate::cache::{BlobRange, ScriptBlob};

/// A file's script: parsed during loading, still encoded in the cache, or
/// absent (the file could not be read).
pub(crate) struct ParsedScript {
    /// Boxed: a `Script` is several hundred bytes, and a warm `heads`
    /// keeps five thousand of these without ever decoding one.
    decoded: OnceLock<Option<Box<Script>>>,
    encoded: Option<Encoded>,
}

/// A script's bytes inside the cache file's blob.
struct Encoded {
    blob: Arc<ScriptBlob>,
    range: BlobRange,
}

impl ParsedScript {
    /// A script parsed now.
    pub(crate) fn parsed(script: Script) -> Self {
        Self {
            decoded: OnceLock::from(Some(Box::new(script))),
            encoded: None,
        }
    }

    /// No script: the file could not be read.
    pub(crate) fn none() -> Self {
        Self {
            decoded: OnceLock::from(None),
            encoded: None,
        }
    }

    /// A script stored in the cache file's `blob` at `range`.
    pub(crate) fn cached(blob: Arc<ScriptBlob>, range: BlobRange) -> Self {
        Self {
            decoded: OnceLock::new(),
            encoded: Some(Encoded { blob, range }),
        }
    }

    /// The script, decoded now if it was not yet (the blob is read the
    /// first time any script is). The cache file was written by this very
    /// build and its blob passes a checksum, so decoding does not fail; if
    /// the blob cannot be read or ever does not decode, the file is parsed
    /// again from `bytes` (a cached script never depends on other modules,
    /// so a parse without them is the same script).
    pub(crate) fn get(&self, path: &Path, bytes: impl FnOnce() -> Vec<u8>) -> Option<&Script> {
        self.decoded
            .get_or_init(|| {
                let encoded = self.encoded.as_ref()?;
                let stored = encoded.blob.get().and_then(|blob| encoded.range.of(blob));
                let decoded = stored
                    .and_then(split_entry)
                    .and_then(|(_, script)| postcard::from_bytes::<Script>(script).ok());
                Some(Box::new(decoded.unwrap_or_else(|| {
                    alembic_doctor_script::parse_script(&bytes(), &ScriptContext::standalone(path))
                })))
            })
            .as_deref()
    }
}

/// A parse's entry in the cache's blob: the file's bytes exactly as they
/// were parsed (their length, 8 bytes little-endian, then the bytes), then
/// the encoded script. Keeping the bytes beside the script is what lets a
/// warm run print a column or a code frame without reading the file again:
/// a file read later may already be another version than the one parsed,
/// and mixing the two gives answers no state of the files could give.
pub(crate) fn encode_entry(source: &[u8], script: &Script) -> Option<Vec<u8>> {
    let encoded = postcard::to_allocvec(script).ok()?;
    let mut entry = Vec::with_capacity(8 + source.len() + encoded.len());
    entry.extend_from_slice(&(source.len() as u64).to_le_bytes());
    entry.extend_from_slice(source);
    entry.extend_from_slice(&encoded);
    Some(entry)
}

/// An entry of [`encode_entry`] split into the file's bytes and the
/// encoded script; `None` when it is not one.
pub(crate) fn split_entry(entry: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, rest) = entry.split_first_chunk::<8>()?;
    let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
    (len <= rest.len()).then(|| rest.split_at(len))
}

impl fmt::Debug for ParsedScript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.decoded.get() {
            Some(script) => script.fmt(f),
            None => f.write_str("ParsedScript(still encoded in the cache)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(source: &str) -> Script {
        alembic_doctor_script::parse_script(
            source.as_bytes(),
            &ScriptContext::standalone(Path::new("a.py")),
        )
    }

    #[test]
    fn a_cached_script_is_decoded_on_first_use() {
        let script = parse("\"\"\"Doc.\"\"\"\nrevision = 'a'\ndown_revision = None\n");
        let mut buffer = b"header".to_vec();
        let encoded = encode_entry(b"source", &script).unwrap();
        buffer.extend_from_slice(&encoded);
        let range = BlobRange {
            start: 6,
            len: encoded.len() as u64,
        };
        let cached = ParsedScript::cached(Arc::new(ScriptBlob::in_memory(buffer)), range);
        assert!(format!("{cached:?}").contains("still encoded"));
        let decoded = cached.get(Path::new("a.py"), || unreachable!("not read"));
        assert_eq!(format!("{decoded:?}"), format!("{:?}", Some(&script)));
    }

    #[test]
    fn bytes_that_do_not_decode_or_cannot_be_read_are_parsed_again() {
        let source = "revision = 'a'\ndown_revision = None\n";
        let range = BlobRange { start: 0, len: 4 };
        for blob in [ScriptBlob::in_memory(vec![0xff; 4]), ScriptBlob::default()] {
            let cached = ParsedScript::cached(Arc::new(blob), range);
            let decoded = cached.get(Path::new("a.py"), || source.as_bytes().to_vec());
            assert_eq!(
                format!("{decoded:?}"),
                format!("{:?}", Some(&parse(source)))
            );
        }
    }

    #[test]
    fn an_unreadable_file_has_no_script() {
        assert!(
            ParsedScript::none()
                .get(Path::new("a.py"), Vec::new)
                .is_none()
        );
    }
}
