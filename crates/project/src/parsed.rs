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
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use alembic_doctor_script::{Script, ScriptContext};

/// A file's script: parsed during loading, still encoded in the cache, or
/// absent (the file could not be read).
pub(crate) struct ParsedScript {
    decoded: OnceLock<Option<Script>>,
    encoded: Option<Encoded>,
}

/// A script's bytes inside the cache file read at load time.
struct Encoded {
    buffer: Arc<Vec<u8>>,
    range: Range<usize>,
}

impl ParsedScript {
    /// A script parsed now.
    pub(crate) fn parsed(script: Script) -> Self {
        Self {
            decoded: OnceLock::from(Some(script)),
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

    /// A script stored in the cache file `buffer` at `range`.
    pub(crate) fn cached(buffer: Arc<Vec<u8>>, range: Range<usize>) -> Self {
        Self {
            decoded: OnceLock::new(),
            encoded: Some(Encoded { buffer, range }),
        }
    }

    /// The script, decoded now if it was not yet. The cache file passed its
    /// checksum and was written by this very build, so decoding does not
    /// fail; if it ever did, the file is parsed again from `bytes` (a cached
    /// script never depends on other modules, so a parse without them is
    /// the same script).
    pub(crate) fn get(&self, path: &Path, bytes: impl FnOnce() -> Vec<u8>) -> Option<&Script> {
        self.decoded
            .get_or_init(|| {
                let encoded = self.encoded.as_ref()?;
                let stored = encoded
                    .buffer
                    .get(encoded.range.clone())
                    .unwrap_or_default();
                Some(postcard::from_bytes::<Script>(stored).unwrap_or_else(|_| {
                    alembic_doctor_script::parse_script(&bytes(), &ScriptContext::standalone(path))
                }))
            })
            .as_ref()
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
        let cached = ParsedScript::cached(Arc::new(buffer), 6..6 + encoded.len());
        assert!(format!("{cached:?}").contains("still encoded"));
        let decoded = cached.get(Path::new("a.py"), || unreachable!("not read"));
        assert_eq!(format!("{decoded:?}"), format!("{:?}", Some(&script)));
    }

    #[test]
    fn bytes_that_do_not_decode_are_parsed_again() {
        let source = "revision = 'a'\ndown_revision = None\n";
        let cached = ParsedScript::cached(Arc::new(vec![0xff; 4]), 0..4);
        let decoded = cached.get(Path::new("a.py"), || source.as_bytes().to_vec());
        assert_eq!(
            format!("{decoded:?}"),
            format!("{:?}", Some(&parse(source)))
        );
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
