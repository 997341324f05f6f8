//! The cache file: its layout, reading it back, writing it atomically.
//!
//! Layout, in parts so that a warm run reads only what it uses:
//! * a preamble: magic, format, and the lengths of the parts below
//!   (little-endian);
//! * the index, then its checksum (8 bytes): the tool key, the stamps of the
//!   walk that listed the files ([`WalkStamps`], when it may be reused), and
//!   every listed file in load order with, when its parse is stored, its
//!   stamp, its encoded [`crate::derived::Derived`] and where its pieces lie
//!   in the three blobs below;
//! * three blobs, each followed by its checksum, each read and checked only
//!   when one of its pieces is first asked for ([`Blob`]): the encoded
//!   scripts (the chain's checks; a warm `heads` never reads them), the
//!   encoded operations of `upgrade()` and `downgrade()` (the safety lints),
//!   and the file's bytes exactly as they were parsed (a code frame, a
//!   column).
//!
//! Files are kept in load order so that a run whose walk is unchanged takes
//! them as they are: no listing, no look-up by path.

use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use alembic_doctor_source::{FileKind, FileStamp, WalkStamps};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::FORMAT;

const MAGIC: [u8; 8] = *b"ADOCPRS\0";
/// Magic, format, the index's length and each blob's (each with its
/// checksum).
const PREAMBLE: usize = 8 + 4 + 8 + 8 * PARTS;

/// What a stored parse keeps in the blobs: one blob per part, so that a
/// command reads only the parts it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The encoded [`alembic_doctor_script::Script`].
    Script = 0,
    /// The encoded [`alembic_doctor_script::Operations`].
    Operations = 1,
    /// The file's bytes as they were parsed.
    Source = 2,
}

/// How many parts a stored parse has.
pub(crate) const PARTS: usize = 3;
const ALL_PARTS: [Part; PARTS] = [Part::Script, Part::Operations, Part::Source];

#[derive(Serialize, Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    tool: &'a str,
    walk: Option<WalkStamps>,
}

/// One listed file, as the index keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct IndexFile<'a> {
    /// The resolved path ([`alembic_doctor_source::Candidate::path`]).
    #[serde(borrow)]
    pub(crate) path: Bytes<'a>,
    /// The listed path, when it differs from `path`.
    #[serde(borrow)]
    pub(crate) listed: Option<Bytes<'a>>,
    pub(crate) location: u32,
    pub(crate) kind: FileKind,
    /// What was derived from the file, when it may be reused.
    #[serde(borrow)]
    pub(crate) parse: Option<StoredParse<'a>>,
}

/// A file's stored parse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredParse<'a> {
    pub(crate) stamp: FileStamp,
    /// The encoded [`crate::derived::Derived`].
    #[serde(borrow)]
    pub(crate) derived: Bytes<'a>,
    /// Where each [`Part`] lies in its blob.
    pub(crate) pieces: [BlobRange; PARTS],
    /// What else the parse depends on, when it took values from other
    /// modules.
    #[serde(borrow)]
    pub(crate) dependencies: Option<StoredDependencies<'a>>,
}

/// The other files a stored parse took values from: the project root the
/// look-ups started under, and every module path they looked at with its
/// stamp then (`None`: no regular file there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredDependencies<'a> {
    #[serde(borrow)]
    pub(crate) root: Bytes<'a>,
    #[serde(borrow)]
    pub(crate) probed: Vec<(Bytes<'a>, Option<FileStamp>)>,
}

impl StoredDependencies<'_> {
    fn owned(&self) -> Dependencies {
        Dependencies {
            root: self.root.0.to_vec(),
            probed: self
                .probed
                .iter()
                .map(|(path, stamp)| (path.0.to_vec(), stamp.clone()))
                .collect(),
        }
    }
}

/// [`StoredDependencies`] for a file parsed in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dependencies {
    pub(crate) root: Vec<u8>,
    pub(crate) probed: Vec<(Vec<u8>, Option<FileStamp>)>,
}

impl Dependencies {
    fn borrowed(&self) -> StoredDependencies<'_> {
        StoredDependencies {
            root: Bytes(&self.root),
            probed: self
                .probed
                .iter()
                .map(|(path, stamp)| (Bytes(path.as_slice()), stamp.clone()))
                .collect(),
        }
    }
}

impl StoredParse<'_> {
    /// Where `part` lies in its blob.
    pub(crate) fn piece(&self, part: Part) -> BlobRange {
        self.pieces[part as usize]
    }

    /// The operations were read and stored with the parse (a load that did
    /// not ask for them stores an empty piece: encoded operations are never
    /// empty).
    pub(crate) fn has_operations(&self) -> bool {
        self.piece(Part::Operations).len > 0
    }
}

/// A piece of a blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BlobRange {
    pub(crate) start: u64,
    pub(crate) len: u64,
}

impl BlobRange {
    /// The range within `blob`, when it lies inside it.
    pub(crate) fn of<'b>(&self, blob: &'b [u8]) -> Option<&'b [u8]> {
        let start = usize::try_from(self.start).ok()?;
        let end = start.checked_add(usize::try_from(self.len).ok()?)?;
        blob.get(start..end)
    }
}

/// A byte string, encoded as one (serde's `&[u8]` is a sequence of numbers
/// on the way out; this keeps both directions on `bytes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bytes<'a>(pub(crate) &'a [u8]);

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

/// A cache file opened for reading: its index read and checked, its blobs
/// left on disk until a piece of one is needed. Empty when there is no
/// usable file (missing, another tool's, damaged).
#[derive(Default)]
pub(crate) struct CacheFile {
    /// The index's bytes (checksum removed).
    index: Vec<u8>,
    /// Where the head ends and the files begin within `index`.
    files_at: usize,
    /// The stamps of the walk that listed the files, when it may be reused.
    walk: Option<WalkStamps>,
    /// Shared with every file whose pieces stay encoded in them.
    blobs: Blobs,
}

/// The blobs of a cache file, one per [`Part`].
#[derive(Default)]
pub(crate) struct Blobs([Arc<Blob>; PARTS]);

impl Blobs {
    /// The blob holding `part`.
    pub(crate) fn of(&self, part: Part) -> &Arc<Blob> {
        &self.0[part as usize]
    }
}

impl CacheFile {
    /// The cache file at `path` when it was written by this very tool
    /// (`tool`) and its index is intact; an empty one otherwise.
    pub(crate) fn open(path: &Path, tool: &str) -> Self {
        Self::try_open(path, tool).unwrap_or_default()
    }

    fn try_open(path: &Path, tool: &str) -> Option<Self> {
        // Never blocks on a FIFO in place of the cache file.
        let (mut file, _) = alembic_doctor_source::open_regular(path).ok()?;
        let mut preamble = [0; PREAMBLE];
        file.read_exact(&mut preamble).ok()?;
        let (magic, rest) = preamble.split_first_chunk::<8>()?;
        let (format, rest) = rest.split_first_chunk::<4>()?;
        let (index_len, mut rest) = rest.split_first_chunk::<8>()?;
        if *magic != MAGIC || u32::from_le_bytes(*format) != FORMAT {
            return None;
        }
        let index_len = usize::try_from(u64::from_le_bytes(*index_len)).ok()?;
        let mut blob_lens = [0u64; PARTS];
        for len in &mut blob_lens {
            let (bytes, after) = rest.split_first_chunk::<8>()?;
            *len = u64::from_le_bytes(*bytes);
            rest = after;
        }
        // Never trust a length to size an allocation: a damaged preamble
        // must not ask for terabytes.
        let file_len = file.metadata().ok()?.len();
        let mut end = (PREAMBLE as u64).checked_add(index_len as u64)?;
        for len in blob_lens {
            end = end.checked_add(len)?;
        }
        if end != file_len {
            return None;
        }
        let mut index = vec![0; index_len];
        file.read_exact(&mut index).ok()?;
        let (body, sum) = index.split_last_chunk::<8>()?;
        if u64::from_le_bytes(*sum) != checksum(body) {
            return None;
        }
        index.truncate(index_len - 8);
        let (head, files) = postcard::take_from_bytes::<Head<'_>>(&index).ok()?;
        if head.tool != tool {
            return None;
        }
        let files_at = index.len() - files.len();
        let walk = head.walk;
        // The blobs share the open file, one reader at a time (a read is a
        // seek and a read).
        let file = Arc::new(Mutex::new(file));
        let mut start = (PREAMBLE + index_len) as u64;
        let mut blobs = Vec::with_capacity(PARTS);
        for len in blob_lens {
            blobs.push(Arc::new(Blob {
                source: Some((Arc::clone(&file), start, len)),
                bytes: OnceLock::new(),
            }));
            start += len;
        }
        Some(Self {
            files_at,
            walk,
            blobs: Blobs(blobs.try_into().ok()?),
            index,
        })
    }

    /// The stamps of the walk that listed the files, when it may be reused.
    pub(crate) fn walk(&self) -> Option<&WalkStamps> {
        self.walk.as_ref()
    }

    /// Every listed file, in load order (none when the index does not
    /// decode: it passed its checksum, so only a bug could do that).
    pub(crate) fn files(&self) -> Vec<IndexFile<'_>> {
        self.index
            .get(self.files_at..)
            .and_then(|files| postcard::from_bytes(files).ok())
            .unwrap_or_default()
    }

    /// The blobs, each read on first use.
    pub(crate) fn blobs(&self) -> &Blobs {
        &self.blobs
    }
}

/// One blob of the cache file, read and checked on first use. The open
/// file is kept: a newer cache file only ever replaces it by a rename, so
/// its bytes stay those the index describes.
#[derive(Default)]
pub(crate) struct Blob {
    /// The open cache file, where the blob starts and its length (with its
    /// checksum).
    source: Option<(Arc<Mutex<fs::File>>, u64, u64)>,
    bytes: OnceLock<Option<Vec<u8>>>,
}

impl Blob {
    /// A blob already in memory (for tests).
    #[cfg(test)]
    pub(crate) fn in_memory(bytes: Vec<u8>) -> Self {
        Self {
            source: None,
            bytes: OnceLock::from(Some(bytes)),
        }
    }

    /// The blob's bytes, when they can be read and pass their checksum.
    pub(crate) fn get(&self) -> Option<&[u8]> {
        self.bytes
            .get_or_init(|| {
                let (file, start, len) = self.source.as_ref()?;
                let mut bytes = vec![0; usize::try_from(*len).ok()?];
                // A poisoned lock only means another reader panicked; the
                // seek below does not depend on where it left the file.
                let mut reader = file
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                reader.seek(SeekFrom::Start(*start)).ok()?;
                reader.read_exact(&mut bytes).ok()?;
                drop(reader);
                let (body, sum) = bytes.split_last_chunk::<8>()?;
                if u64::from_le_bytes(*sum) != checksum(body) {
                    return None;
                }
                bytes.truncate(bytes.len() - 8);
                Some(bytes)
            })
            .as_deref()
    }
}

/// One listed file for the next cache file.
pub(crate) struct NewFile<'a> {
    pub(crate) path: &'a [u8],
    pub(crate) listed: Option<&'a [u8]>,
    pub(crate) location: u32,
    pub(crate) kind: FileKind,
    pub(crate) parse: NewParse<'a>,
}

/// What a loaded file contributes to the next cache file.
pub(crate) enum NewParse<'a> {
    /// Nothing: unreadable, not storable, or the cache is off.
    None,
    /// The old file's parse, still valid (its script is in the old blob).
    Kept(&'a StoredParse<'a>),
    /// A file parsed in this run (boxed: a warm run holds one `NewParse`
    /// per file, nearly all of them `Kept`).
    Fresh(Box<FreshParse>),
}

/// A file parsed in this run, encoded for the cache.
pub(crate) struct FreshParse {
    pub(crate) stamp: FileStamp,
    /// The encoded [`crate::derived::Derived`].
    pub(crate) derived: Vec<u8>,
    /// Each [`Part`]: the encoded script, the encoded operations, the
    /// file's bytes.
    pub(crate) pieces: [Vec<u8>; PARTS],
    pub(crate) dependencies: Option<Dependencies>,
}

impl NewParse<'_> {
    /// The file's parse came from the old cache file.
    pub(crate) fn is_kept(&self) -> bool {
        matches!(self, NewParse::Kept(_))
    }
}

/// Write the cache file `path` for `tool`, atomically (a temporary file
/// renamed over the old one, so a reader never sees half a file and two
/// runs racing leave one whole file). Kept parses take their pieces from
/// `old_blobs`; if one cannot be read, they are dropped. Errors are
/// returned for the caller to ignore: a cache that cannot be written only
/// costs speed.
pub(crate) fn write(
    path: &Path,
    tool: &str,
    walk: Option<&WalkStamps>,
    files: &[NewFile<'_>],
    old_blobs: &Blobs,
) -> std::io::Result<()> {
    // Each stored piece's bytes, and the index entries pointing at them.
    let old: Option<[&[u8]; PARTS]> = if files.iter().any(|file| file.parse.is_kept()) {
        let [script, operations, source] = ALL_PARTS.map(|part| old_blobs.of(part).get());
        script
            .zip(operations)
            .zip(source)
            .map(|((script, operations), source)| [script, operations, source])
    } else {
        None
    };
    // Kept dependencies are copied out of the old index, which the new one
    // must not borrow from twice over.
    let kept_dependencies: Vec<Option<Dependencies>> = files
        .iter()
        .map(|file| match &file.parse {
            NewParse::Kept(kept) => kept.dependencies.as_ref().map(StoredDependencies::owned),
            _ => None,
        })
        .collect();
    let mut pieces: [Vec<&[u8]>; PARTS] = Default::default();
    let mut lens = [0u64; PARTS];
    let mut entries = Vec::with_capacity(files.len());
    for (file, kept_dependencies) in files.iter().zip(&kept_dependencies) {
        let parse = match &file.parse {
            NewParse::None => None,
            NewParse::Kept(kept) => old.and_then(|old| {
                let [script, operations, source] =
                    ALL_PARTS.map(|part| kept.piece(part).of(old[part as usize]));
                Some((
                    kept.stamp.clone(),
                    kept.derived.0,
                    [script?, operations?, source?],
                    kept_dependencies.as_ref(),
                ))
            }),
            NewParse::Fresh(fresh) => Some((
                fresh.stamp.clone(),
                fresh.derived.as_slice(),
                fresh.pieces.each_ref().map(Vec::as_slice),
                fresh.dependencies.as_ref(),
            )),
        };
        let parse = parse.map(|(stamp, derived, bytes, dependencies)| {
            let ranges = ALL_PARTS.map(|part| {
                let i = part as usize;
                pieces[i].push(bytes[i]);
                let range = BlobRange {
                    start: lens[i],
                    len: bytes[i].len() as u64,
                };
                lens[i] += range.len;
                range
            });
            StoredParse {
                stamp,
                derived: Bytes(derived),
                pieces: ranges,
                dependencies: dependencies.map(Dependencies::borrowed),
            }
        });
        entries.push(IndexFile {
            path: Bytes(file.path),
            listed: file.listed.map(Bytes),
            location: file.location,
            kind: file.kind,
            parse,
        });
    }
    let mut index = postcard::to_allocvec(&Head {
        tool,
        walk: walk.cloned(),
    })
    .map_err(std::io::Error::other)?;
    index = postcard::to_extend(&entries, index).map_err(std::io::Error::other)?;
    let sum = checksum(&index);
    index.extend_from_slice(&sum.to_le_bytes());

    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::io::BufWriter::with_capacity(1 << 16, fs::File::create(&temp)?);
        file.write_all(&MAGIC)?;
        file.write_all(&FORMAT.to_le_bytes())?;
        file.write_all(&(index.len() as u64).to_le_bytes())?;
        for len in lens {
            file.write_all(&(len + 8).to_le_bytes())?;
        }
        file.write_all(&index)?;
        for blob in pieces {
            let mut blob_sum = Checksum::new();
            for piece in blob {
                blob_sum.update(piece);
                file.write_all(piece)?;
            }
            file.write_all(&blob_sum.finish().to_le_bytes())?;
        }
        file.into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

fn checksum(bytes: &[u8]) -> u64 {
    let mut sum = Checksum::new();
    sum.update(bytes);
    sum.finish()
}

/// A fast 64-bit checksum (eight bytes per step, `FxHash`'s mixing, the
/// length mixed in last): it catches truncation and stray writes, which
/// could otherwise decode into a different but well-formed script. Fed in
/// pieces of any size, it gives the same sum as in one.
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

    fn file<'a>(path: &'a [u8], parse: NewParse<'a>) -> NewFile<'a> {
        NewFile {
            path,
            listed: None,
            location: 0,
            kind: FileKind::Source,
            parse,
        }
    }

    /// A stored parse read back: stamp, derived bytes, each part's bytes.
    type ReadParse = (FileStamp, Vec<u8>, [Vec<u8>; PARTS]);

    /// The files of a cache file, with each stored piece's bytes.
    fn read_back(cache: &CacheFile) -> Vec<(Vec<u8>, Option<ReadParse>)> {
        cache
            .files()
            .into_iter()
            .map(|file| {
                let parse = file.parse.map(|parse| {
                    let pieces = ALL_PARTS.map(|part| {
                        let blob = cache.blobs().of(part).get().unwrap();
                        parse.piece(part).of(blob).unwrap().to_vec()
                    });
                    (parse.stamp, parse.derived.0.to_vec(), pieces)
                });
                (file.path.0.to_vec(), parse)
            })
            .collect()
    }

    #[test]
    fn files_round_trip_in_order_with_kept_and_fresh_parses() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("sub/parse.bin");
        write(
            &first,
            "tool",
            None,
            &[file(
                b"/p/b.py",
                NewParse::Fresh(Box::new(FreshParse {
                    stamp: FileStamp::Blob(vec![9; 20]),
                    derived: vec![],
                    pieces: [vec![4], vec![8, 8], b"source b".to_vec()],
                    dependencies: Some(Dependencies {
                        root: b"/p".to_vec(),
                        probed: vec![
                            (b"/p/c.py".to_vec(), None),
                            (b"/p/d.py".to_vec(), Some(stamp(2))),
                        ],
                    }),
                })),
            )],
            &Blobs::default(),
        )
        .unwrap();
        let old = CacheFile::open(&first, "tool");
        let old_files = old.files();
        let second = dir.path().join("parse.bin");
        let walk = WalkStamps::default();
        write(
            &second,
            "tool",
            Some(&walk),
            &[
                file(
                    b"/p/a.py",
                    NewParse::Fresh(Box::new(FreshParse {
                        stamp: stamp(1),
                        derived: vec![5, 6],
                        pieces: [vec![1, 2, 3], vec![], b"source a".to_vec()],
                        dependencies: None,
                    })),
                ),
                file(b"/p/unreadable.py", NewParse::None),
                file(
                    b"/p/b.py",
                    NewParse::Kept(old_files[0].parse.as_ref().unwrap()),
                ),
            ],
            old.blobs(),
        )
        .unwrap();
        let cache = CacheFile::open(&second, "tool");
        assert_eq!(cache.walk(), Some(&walk));
        assert_eq!(
            read_back(&cache),
            vec![
                (
                    b"/p/a.py".to_vec(),
                    Some((
                        stamp(1),
                        vec![5, 6],
                        [vec![1, 2, 3], vec![], b"source a".to_vec()]
                    ))
                ),
                (b"/p/unreadable.py".to_vec(), None),
                (
                    b"/p/b.py".to_vec(),
                    Some((
                        FileStamp::Blob(vec![9; 20]),
                        vec![],
                        [vec![4], vec![8, 8], b"source b".to_vec()]
                    ))
                ),
            ]
        );
        // The kept parse's dependencies came along.
        let files = cache.files();
        let kept = files[2]
            .parse
            .as_ref()
            .unwrap()
            .dependencies
            .as_ref()
            .unwrap();
        assert_eq!(kept.root.0, b"/p");
        assert_eq!(kept.probed[1], (Bytes(b"/p/d.py"), Some(stamp(2))));
        // Another build of the tool does not read it.
        assert!(CacheFile::open(&second, "other tool").files().is_empty());
    }

    #[test]
    fn the_checksum_does_not_depend_on_how_the_bytes_come() {
        let bytes: Vec<u8> = (0..100u8).map(|b| b.wrapping_mul(37)).collect();
        let whole = checksum(&bytes);
        for split in [1, 3, 7, 8, 9, 64] {
            let mut pieces = Checksum::new();
            for piece in bytes.chunks(split) {
                pieces.update(piece);
            }
            assert_eq!(pieces.finish(), whole, "pieces of {split}");
        }
    }

    #[test]
    fn any_damage_gives_no_files_or_no_scripts_and_no_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("parse.bin");
        write(
            &path,
            "tool",
            None,
            &[file(
                b"/p/a.py",
                NewParse::Fresh(Box::new(FreshParse {
                    stamp: stamp(1),
                    derived: vec![3; 10],
                    pieces: [vec![7; 40], vec![6; 20], vec![5; 30]],
                    dependencies: None,
                })),
            )],
            &Blobs::default(),
        )
        .unwrap();
        let good = fs::read(&path).unwrap();
        let intact = |bytes: &[u8]| {
            fs::write(&path, bytes).unwrap();
            let cache = CacheFile::open(&path, "tool");
            let scripts = ALL_PARTS
                .iter()
                .all(|&part| cache.blobs().of(part).get().is_some());
            (cache.files().len(), scripts)
        };
        assert_eq!(intact(&good), (1, true));
        for cut in 0..good.len() {
            assert_eq!(intact(&good[..cut]), (0, false), "cut at {cut}");
        }
        for at in 0..good.len() {
            let mut bad = good.clone();
            bad[at] ^= 0x40;
            // A flipped bit in the preamble or the index loses the index;
            // one in a blob loses that blob (its parts are read again from
            // the files). Either way: no panic, nothing wrong is used.
            let (files, scripts) = intact(&bad);
            assert!(files == 0 || !scripts, "flip at {at}");
        }
        assert_eq!(intact(b""), (0, false));
    }
}
