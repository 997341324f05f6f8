//! The cache file: its layout, reading it back, writing it atomically.
//!
//! Layout: a postcard header (magic, format, tool key), the body (every
//! entry's path, stamp, postcard-encoded [`crate::derived::Derived`] and
//! postcard-encoded script), then the body's checksum (8 bytes,
//! little-endian), so that the body is streamed to disk without being built
//! in memory first. Entries stay encoded until a file asks for its own, so
//! reading the cache costs one pass over an index; each file's `Derived` is
//! decoded on the thread that loads it, and its script only when something
//! reads it.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::Path;

use alembic_doctor_source::FileStamp;
use rustc_hash::FxBuildHasher;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::FORMAT;

const MAGIC: [u8; 8] = *b"ADOCPRS\0";

#[derive(Serialize, Deserialize)]
struct Header<'a> {
    magic: [u8; 8],
    format: u32,
    #[serde(borrow)]
    tool: &'a str,
}

#[derive(Serialize, Deserialize)]
struct Entry<'a> {
    #[serde(borrow)]
    path: Bytes<'a>,
    stamp: FileStamp,
    #[serde(borrow)]
    derived: Bytes<'a>,
    #[serde(borrow)]
    script: Bytes<'a>,
}

/// A byte string, encoded as one (serde's `&[u8]` is a sequence of numbers
/// on the way out; this keeps both directions on `bytes`).
#[derive(Clone, Copy)]
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Bytes<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'de [u8]>::deserialize(deserializer).map(Bytes)
    }
}

/// The entries of a cache file read back, by path.
#[derive(Default)]
pub(crate) struct Entries<'a> {
    by_path: HashMap<&'a [u8], Stored<'a>, FxBuildHasher>,
}

/// One entry of a cache file, borrowed from its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stored<'a> {
    /// The path, as stored.
    pub(crate) path: &'a [u8],
    pub(crate) stamp: FileStamp,
    /// The encoded [`crate::derived::Derived`].
    pub(crate) derived: &'a [u8],
    /// The encoded script.
    pub(crate) script: &'a [u8],
}

impl<'a> Entries<'a> {
    /// The entries of `buffer` (a cache file's bytes) when it was written by
    /// this very tool (`tool`) and is intact; none otherwise.
    pub(crate) fn decode(buffer: &'a [u8], tool: &str) -> Self {
        Self::try_decode(buffer, tool).unwrap_or_default()
    }

    fn try_decode(buffer: &'a [u8], tool: &str) -> Option<Self> {
        let (header, rest) = postcard::take_from_bytes::<Header<'_>>(buffer).ok()?;
        if header.magic != MAGIC || header.format != FORMAT || header.tool != tool {
            return None;
        }
        let (body, sum) = rest.split_last_chunk::<8>()?;
        let mut check = Checksum::new();
        check.update(body);
        if u64::from_le_bytes(*sum) != check.finish() {
            return None;
        }
        let entries: Vec<Entry<'a>> = postcard::from_bytes(body).ok()?;
        let mut by_path = HashMap::with_capacity_and_hasher(entries.len(), FxBuildHasher);
        for entry in entries {
            let stored = Stored {
                path: entry.path.0,
                stamp: entry.stamp,
                derived: entry.derived.0,
                script: entry.script.0,
            };
            by_path.insert(entry.path.0, stored);
        }
        Some(Self { by_path })
    }

    /// The entry stored for `path`.
    pub(crate) fn get(&self, path: &[u8]) -> Option<&Stored<'a>> {
        self.by_path.get(path)
    }

    pub(crate) fn len(&self) -> usize {
        self.by_path.len()
    }
}

/// What one loaded file contributes to the next cache file.
pub(crate) enum Record<'a> {
    /// Nothing: unreadable, not storable, or the cache is off.
    Skip,
    /// The entry read from the old file, still valid.
    Keep(Stored<'a>),
    /// A file parsed in this run.
    New {
        path: Vec<u8>,
        stamp: FileStamp,
        derived: Vec<u8>,
        script: Vec<u8>,
    },
}

/// Write the cache file `path` for `tool` with `records`, atomically (a
/// temporary file renamed over the old one, so a reader never sees half a
/// file and two runs racing leave one whole file). Errors are returned for
/// the caller to ignore: a cache that cannot be written only costs speed.
pub(crate) fn write(path: &Path, tool: &str, records: &[Record<'_>]) -> std::io::Result<()> {
    let entries: Vec<Entry<'_>> = records
        .iter()
        .filter_map(|record| match record {
            Record::Skip => None,
            Record::Keep(stored) => Some(Entry {
                path: Bytes(stored.path),
                stamp: stored.stamp.clone(),
                derived: Bytes(stored.derived),
                script: Bytes(stored.script),
            }),
            Record::New {
                path,
                stamp,
                derived,
                script,
            } => Some(Entry {
                path: Bytes(path),
                stamp: stamp.clone(),
                derived: Bytes(derived),
                script: Bytes(script),
            }),
        })
        .collect();
    let header = postcard::to_allocvec(&Header {
        magic: MAGIC,
        format: FORMAT,
        tool,
    })
    .map_err(std::io::Error::other)?;

    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::io::BufWriter::with_capacity(1 << 16, fs::File::create(&temp)?);
        file.write_all(&header)?;
        let mut body = Summed {
            inner: file,
            sum: Checksum::new(),
        };
        body = postcard::to_io(&entries, body).map_err(std::io::Error::other)?;
        let Summed { mut inner, sum } = body;
        inner.write_all(&sum.finish().to_le_bytes())?;
        inner
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

/// A writer that checksums what passes through it.
struct Summed<W> {
    inner: W,
    sum: Checksum,
}

impl<W: Write> Write for Summed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.sum.update(&buf[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A fast 64-bit checksum of the body (eight bytes per step, `FxHash`'s
/// mixing, the length mixed in last): it catches truncation and stray
/// writes, which could otherwise decode into a different but well-formed
/// script. Fed in pieces of any size, it gives the same sum as in one.
struct Checksum {
    hash: u64,
    len: u64,
    pending: [u8; 8],
    pending_len: usize,
}

impl Checksum {
    const K: u64 = 0x517c_c1b7_2722_0a95;

    fn new() -> Self {
        Self {
            hash: 0,
            len: 0,
            pending: [0; 8],
            pending_len: 0,
        }
    }

    fn mix(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(Self::K);
    }

    fn update(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        if self.pending_len > 0 {
            let take = (8 - self.pending_len).min(bytes.len());
            self.pending[self.pending_len..self.pending_len + take].copy_from_slice(&bytes[..take]);
            self.pending_len += take;
            bytes = &bytes[take..];
            if self.pending_len < 8 {
                return;
            }
            self.mix(u64::from_le_bytes(self.pending));
            self.pending_len = 0;
        }
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.mix(u64::from_le_bytes(word.try_into().unwrap_or_default()));
        }
        let rest = words.remainder();
        self.pending[..rest.len()].copy_from_slice(rest);
        self.pending_len = rest.len();
    }

    fn finish(mut self) -> u64 {
        for index in 0..self.pending_len {
            let byte = self.pending[index];
            self.mix(u64::from(byte));
        }
        let len = self.len;
        self.mix(len);
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alembic_doctor_source::DiskStamp;

    fn stamp(size: u64) -> FileStamp {
        FileStamp::Disk(DiskStamp {
            device: 1,
            inode: 2,
            size,
            modified_ns: 3,
            changed_ns: 4,
        })
    }

    #[test]
    fn entries_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub/parse.bin");
        let records = [
            Record::New {
                path: b"/p/a.py".to_vec(),
                stamp: stamp(1),
                derived: vec![5, 6],
                script: vec![1, 2, 3],
            },
            Record::Skip,
            Record::Keep(Stored {
                path: b"/p/b.py",
                stamp: FileStamp::Blob(vec![9; 20]),
                derived: &[],
                script: &[4],
            }),
        ];
        write(&file, "tool", &records).unwrap();
        let buffer = fs::read(&file).unwrap();
        let entries = Entries::decode(&buffer, "tool");
        assert_eq!(entries.len(), 2);
        assert_eq!(
            entries.get(b"/p/a.py"),
            Some(&Stored {
                path: b"/p/a.py",
                stamp: stamp(1),
                derived: &[5, 6],
                script: &[1, 2, 3],
            })
        );
        assert_eq!(
            entries.get(b"/p/b.py"),
            Some(&Stored {
                path: b"/p/b.py",
                stamp: FileStamp::Blob(vec![9; 20]),
                derived: &[],
                script: &[4],
            })
        );
        // Another build of the tool does not read it.
        assert_eq!(Entries::decode(&buffer, "other tool").len(), 0);
    }

    #[test]
    fn the_checksum_does_not_depend_on_how_the_bytes_come() {
        let bytes: Vec<u8> = (0..100u8).map(|b| b.wrapping_mul(37)).collect();
        let mut whole = Checksum::new();
        whole.update(&bytes);
        let whole = whole.finish();
        for split in [1, 3, 7, 8, 9, 64] {
            let mut pieces = Checksum::new();
            for piece in bytes.chunks(split) {
                pieces.update(piece);
            }
            assert_eq!(pieces.finish(), whole, "pieces of {split}");
        }
    }

    #[test]
    fn any_damage_gives_no_entries_and_no_panic() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("parse.bin");
        let records = [Record::New {
            path: b"/p/a.py".to_vec(),
            stamp: stamp(1),
            derived: vec![3; 10],
            script: vec![7; 40],
        }];
        write(&file, "tool", &records).unwrap();
        let good = fs::read(&file).unwrap();
        for cut in 0..good.len() {
            assert_eq!(
                Entries::decode(&good[..cut], "tool").len(),
                0,
                "cut at {cut}"
            );
        }
        for at in 0..good.len() {
            let mut bad = good.clone();
            bad[at] ^= 0x40;
            // A flipped bit in the tool key or the body is caught; one in
            // a length prefix too. Either way: no panic, no entry.
            assert_eq!(Entries::decode(&bad, "tool").len(), 0, "flip at {at}");
        }
        assert_eq!(Entries::decode(b"", "tool").len(), 0);
    }
}
