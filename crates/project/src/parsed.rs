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

use crate::cache::{Blob, BlobRange};

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
    blob: Arc<Blob>,
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
    pub(crate) fn cached(blob: Arc<Blob>, range: BlobRange) -> Self {
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
                let decoded = stored.and_then(|script| postcard::from_bytes::<Script>(script).ok());
                Some(Box::new(decoded.unwrap_or_else(|| {
                    alembic_doctor_script::parse_script(&bytes(), &ScriptContext::standalone(path))
                })))
            })
            .as_deref()
    }
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
        let encoded = postcard::to_allocvec(&script).unwrap();
        buffer.extend_from_slice(&encoded);
        let range = BlobRange {
            start: 6,
            len: encoded.len() as u64,
        };
        let cached = ParsedScript::cached(Arc::new(Blob::in_memory(buffer)), range);
        assert!(format!("{cached:?}").contains("still encoded"));
        let decoded = cached.get(Path::new("a.py"), || unreachable!("not read"));
        assert_eq!(format!("{decoded:?}"), format!("{:?}", Some(&script)));
    }

    #[test]
    fn bytes_that_do_not_decode_or_cannot_be_read_are_parsed_again() {
        let source = "revision = 'a'\ndown_revision = None\n";
        let range = BlobRange { start: 0, len: 4 };
        for blob in [Blob::in_memory(vec![0xff; 4]), Blob::default()] {
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
