//! A project file's operations (what its `upgrade()` and `downgrade()` do),
//! kept encoded until the safety lints ask for them.
//!
//! A file parsed during loading is read once for both its script and its
//! operations ([`alembic_doctor_script::parse_script_with_operations`]); a
//! file whose parse came from the cache has its operations in the cache
//! file's blob of operations. Either way the lints decode them without
//! reading or parsing the file again. They stay encoded in between, and a
//! decoded copy is handed out rather than kept, so that linting a long
//! history a chunk at a time holds only a chunk in memory.

use std::fmt;
use std::sync::Arc;

use alembic_doctor_script::{Operations, read_operations};

use crate::cache::{Blob, BlobRange};

/// A file's operations: encoded in memory, in the cache file, or not read
/// (read from the file's bytes when asked for).
pub(crate) enum FileOperations {
    /// Encoded when the file was parsed in this run.
    Encoded(Vec<u8>),
    /// In the cache file's blob of operations, at the range.
    Cached(Arc<Blob>, BlobRange),
    /// Not read: the file could not be read, or its operations could not be
    /// encoded.
    Unread,
}

impl FileOperations {
    /// The operations, decoded now; read from `bytes` when they are not
    /// stored, or when what is stored does not decode (the cache's blob
    /// passes a checksum, so only a damaged file or a bug could do that).
    pub(crate) fn get(&self, bytes: impl FnOnce() -> Vec<u8>) -> Operations {
        self.stored()
            .and_then(|encoded| postcard::from_bytes(encoded).ok())
            .unwrap_or_else(|| read_operations(&bytes()))
    }

    /// The operations as stored (encoded in memory or in the cache file),
    /// not decoded: `None` when they are not stored.
    pub(crate) fn stored(&self) -> Option<&[u8]> {
        match self {
            FileOperations::Encoded(encoded) => Some(encoded),
            FileOperations::Cached(blob, range) => blob.get().and_then(|blob| range.of(blob)),
            FileOperations::Unread => None,
        }
    }

    /// The encoded operations of a file parsed in this run (for the cache).
    pub(crate) fn encoded(&self) -> Option<&[u8]> {
        match self {
            FileOperations::Encoded(encoded) => Some(encoded),
            FileOperations::Cached(..) | FileOperations::Unread => None,
        }
    }
}

/// What a fresh parse's operations are kept as: encoded, or unread if they
/// cannot be encoded.
pub(crate) fn encode(operations: &Operations) -> FileOperations {
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    // Encoded into the thread's buffer, then copied out at its exact size:
    // a vector of its own grew by doubling, five or six times per file.
    SCRATCH.with_borrow_mut(|scratch| {
        scratch.clear();
        match postcard::serialize_with_flavor(operations, Scratch(scratch)) {
            Ok(()) => FileOperations::Encoded(scratch.as_slice().to_vec()),
            Err(_) => FileOperations::Unread,
        }
    })
}

/// Postcard's output into a borrowed, reused buffer.
struct Scratch<'a>(&'a mut Vec<u8>);

impl postcard::ser_flavors::Flavor for Scratch<'_> {
    type Output = ();

    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        self.0.extend_from_slice(data);
        Ok(())
    }

    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.0.push(data);
        Ok(())
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}

impl fmt::Debug for FileOperations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileOperations::Encoded(encoded) => write!(f, "Encoded({} bytes)", encoded.len()),
            FileOperations::Cached(_, range) => write!(f, "Cached({} bytes)", range.len),
            FileOperations::Unread => f.write_str("Unread"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &[u8] =
        b"def upgrade():\n    op.drop_column('user', 'nick')\n\ndef downgrade():\n    pass\n";

    #[test]
    fn encoded_operations_decode_to_what_was_read() {
        let read = read_operations(SOURCE);
        let kept = encode(&read);
        assert_eq!(kept.get(|| unreachable!("not read again")), read);
        let FileOperations::Encoded(encoded) = kept else {
            panic!("encoded")
        };
        let range = BlobRange {
            start: 3,
            len: encoded.len() as u64,
        };
        let mut blob = b"abc".to_vec();
        blob.extend_from_slice(&encoded);
        let cached = FileOperations::Cached(Arc::new(Blob::in_memory(blob)), range);
        assert_eq!(cached.get(|| unreachable!("not read again")), read);
    }

    #[test]
    fn what_is_not_stored_or_does_not_decode_is_read_from_the_bytes() {
        let read = read_operations(SOURCE);
        assert_eq!(FileOperations::Unread.get(|| SOURCE.to_vec()), read);
        let damaged = FileOperations::Cached(
            Arc::new(Blob::in_memory(vec![0xff; 8])),
            BlobRange { start: 0, len: 8 },
        );
        assert_eq!(damaged.get(|| SOURCE.to_vec()), read);
    }
}
