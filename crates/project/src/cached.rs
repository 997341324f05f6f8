//! Loading with the parse cache: what a warm run does instead of listing,
//! reading and parsing every file.
//!
//! A warm run, in order: read the cache file's index; if the directories
//! the last walk read all have the stamps they had ([`WalkStamps`]), take
//! the files from the index in load order, else list them again; `stat`
//! each file and, when its stamp matches, take what was derived from it
//! from the index (its script stays encoded in the cache file until
//! something reads it); read and parse the others. The cache file is
//! rewritten, beside building the map, only when something changed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use alembic_doctor_graph::{RevisionInput, RevisionMap};
use alembic_doctor_source::{
    Candidate, DiskStamper, FileKind, FileStamp, ListingSpec, Placed, ReadError, SourceNote, Tree,
    WalkStamps, path_bytes, path_from_bytes,
};
use rayon::prelude::*;
use rustc_hash::FxBuildHasher;

use crate::ProjectFile;
use crate::bytes::FileBytes;
use crate::cache::{
    self, Blobs, CacheFile, Dependencies, FreshParse, IndexFile, NewFile, NewParse, ParseCache,
    Part, RACY_MARGIN_NS,
};
use crate::derived::Derived;
use crate::inputs::{AfterParse, Parsed, from_script, number, parse};
use crate::load::StageTimer;
use crate::operations::FileOperations;
use crate::parsed::ParsedScript;

/// What [`build_cached`] needs besides the files.
pub(crate) struct CachedBuild<'a> {
    pub(crate) tree: Arc<dyn Tree + Send + Sync>,
    pub(crate) tree_kind: &'static str,
    pub(crate) spec: &'a ListingSpec,
    pub(crate) cache: &'a ParseCache,
    /// Read each parsed file's operations too ([`crate::LoadRequest::operations`]):
    /// a stored parse without them is then parsed again, with them.
    pub(crate) operations: bool,
}

/// A walk of the version locations: the candidates in load order, the
/// notes, and what the walk depended on when it may be reused
/// ([`alembic_doctor_source::list_candidates_stamped`]).
pub(crate) type Walked = (Vec<Candidate>, Vec<SourceNote>, Option<WalkStamps>);

/// What [`build_cached`] returns: the files, the map, each revision's file,
/// and the listing's notes.
pub(crate) type Built = (Vec<ProjectFile>, RevisionMap, Vec<usize>, Vec<SourceNote>);

/// [`crate::inputs::build`] with the parse cache, for files listed by
/// `list` unless the cache's last walk is still good.
pub(crate) fn build_cached(
    list: impl FnOnce() -> Walked,
    display_root: &Path,
    modules: &alembic_doctor_script::Project,
    how: &CachedBuild<'_>,
    timer: &StageTimer,
) -> Built {
    let started = SystemTime::now();
    let cache_file = how.cache.file_for(how.tree_kind, how.spec);
    let old = CacheFile::open(&cache_file, how.cache.tool());
    let old_files = old.files();
    let old_walk = old.walk();
    let reused = old_walk
        .filter(|walk| walk.unchanged_in(&*how.tree, how.spec))
        .and_then(|_| jobs_of_index(&old_files));
    // The candidates apart from the rest of the listing: the jobs borrow
    // them, the rest is moved on.
    let (candidates, listing) = match reused.is_none().then(list) {
        Some((candidates, notes, walk)) => (candidates, Some((notes, walk))),
        None => (Vec::new(), None),
    };
    let mut jobs = match reused {
        Some(jobs) => jobs,
        None => jobs_of_candidates(&candidates, &old_files),
    };
    timer.lap(if listing.is_some() {
        "read the cache and list files"
    } else {
        "read the cache (listing unchanged)"
    });

    let stamps = if how.tree_kind == DISK {
        let mut stamper = DiskStamper::new();
        for job in &mut jobs {
            job.placed = stamper.place(job.path);
        }
        Stamps::Disk(stamper)
    } else {
        Stamps::Tree(&*how.tree)
    };
    let loader = Loader {
        display_root,
        modules,
        how,
        stamps: &stamps,
        blobs: old.blobs(),
        started,
    };

    // The walk to keep: the one just made, unless a directory changed too
    // recently to vouch for it; else the old one, still good.
    let listed = listing.is_some();
    let (walk, notes) = if let Some((notes, walk)) = listing {
        let walk = walk.filter(|walk| !walk.is_recent(started, RACY_MARGIN_NS));
        (walk, notes)
    } else {
        let notes = old_walk
            .map(|walk| walk.notes(how.spec))
            .unwrap_or_default();
        (old_walk.cloned(), notes)
    };
    let walk_changed = walk.as_ref() != old_walk;
    let files_changed = listed && files_differ(&jobs, &old_files);
    let write = |parses: Vec<NewParse<'_>>| {
        // A cache that cannot be written only costs speed next time.
        let files = new_files(&jobs, parses);
        let _ = cache::write(
            &cache_file,
            how.cache.tool(),
            walk.as_ref(),
            &files,
            old.blobs(),
        );
    };

    // The usual warm run: every file has a cache entry. Build the project
    // and the map from the cache while the stamps are checked: the two
    // take about as long, and the map is kept only if every stamp matches.
    let every_file_cached = !jobs.is_empty() && jobs.iter().all(|job| job.old.is_some());
    let (speculated, hits) = rayon::join(
        || {
            every_file_cached
                .then(|| speculate(&jobs, &loader))
                .flatten()
        },
        || {
            jobs.par_iter()
                .map(|job| loader.matches(job))
                .collect::<Vec<bool>>()
        },
    );
    if hits.iter().all(|&hit| hit)
        && let Some((files, map, revision_files)) = speculated
    {
        timer.lap(&format!(
            "stat files and build the map ({} of {} from the cache)",
            files.len(),
            files.len()
        ));
        if walk_changed || files_changed {
            write(
                jobs.iter()
                    .map(|job| job.old.map_or(NewParse::None, NewParse::Kept))
                    .collect(),
            );
        }
        return (files, map, revision_files, notes);
    }

    // Some file changed: keep what the speculation built for the others
    // (each with its revision back from the discarded map), and read and
    // parse the rest.
    let reusable = speculated.map_or_else(
        || (0..jobs.len()).map(|_| None).collect(),
        |(files, map, _)| unbuild(files, map),
    );
    #[allow(clippy::type_complexity)]
    let (still_there, parses): (
        Vec<Option<(ProjectFile, Option<RevisionInput>)>>,
        Vec<NewParse<'_>>,
    ) = jobs
        .par_iter()
        .zip(&hits)
        .zip(reusable)
        .map(|((job, &hit), reusable)| match (job.old, reusable) {
            (Some(stored), Some((file, input))) if hit => {
                (Some((file, input)), NewParse::Kept(stored))
            }
            _ => match loader.load(job, hit) {
                Some((file, input, parse)) => (Some((file, input)), parse),
                None => (None, NewParse::None),
            },
        })
        .unzip();
    // A file listed (now or by the last run) that is gone when read was
    // deleted meanwhile: it is left out, as a listing made a moment later
    // would, not reported as unreadable (a state the files were never in).
    let (mut files, inputs): (Vec<ProjectFile>, Vec<Option<RevisionInput>>) =
        still_there.into_iter().flatten().unzip();
    timer.lap(&format!(
        "stat, read and parse files ({} of {} from the cache)",
        parses.iter().filter(|parse| parse.is_kept()).count(),
        parses.len()
    ));
    let (inputs, revision_files) = number(&mut files, inputs);
    // A warm run writes nothing.
    let changed = walk_changed || files_changed || parses_differ(&parses, &old_files);
    let (map, ()) = rayon::join(
        || RevisionMap::build(inputs),
        || {
            if changed {
                write(parses);
            }
        },
    );
    (files, map, revision_files, notes)
}

/// Every file as the cache has it, numbered, and the map: `None` if an
/// entry does not decode (it passed its checksum, so only a bug could do
/// that).
fn speculate(
    jobs: &[Job<'_>],
    loader: &Loader<'_>,
) -> Option<(Vec<ProjectFile>, RevisionMap, Vec<usize>)> {
    let undecodable = AtomicBool::new(false);
    // Straight into the two vectors (no vector of options to unpack): an
    // entry that does not decode leaves an unreadable file in its place
    // and the whole speculation is dropped.
    let (mut files, inputs): (Vec<ProjectFile>, Vec<Option<RevisionInput>>) = jobs
        .par_iter()
        .map(|job| {
            loader.cached(job).unwrap_or_else(|| {
                undecodable.store(true, Ordering::Relaxed);
                let unread = Err(String::new());
                let parsed = parse(
                    job.path.to_path_buf(),
                    job.listed,
                    unread,
                    (loader.display_root, loader.modules),
                    (false, AfterParse::Keep),
                );
                (parsed.file, None)
            })
        })
        .unzip();
    if undecodable.into_inner() {
        return None;
    }
    let (inputs, revision_files) = number(&mut files, inputs);
    Some((files, RevisionMap::build(inputs), revision_files))
}

/// A speculation's files, each with the revision it gave the map: the map
/// taken apart again.
fn unbuild(
    files: Vec<ProjectFile>,
    map: RevisionMap,
) -> Vec<Option<(ProjectFile, Option<RevisionInput>)>> {
    let mut inputs: Vec<Option<RevisionInput>> =
        map.into_revisions().into_iter().map(Some).collect();
    files
        .into_iter()
        .map(|file| {
            let input = file.revision.and_then(|rev| inputs.get_mut(rev)?.take());
            Some((file, input))
        })
        .collect()
}

/// The kind of tree of a load from the file system.
pub(crate) const DISK: &str = "disk";

/// One file to load, in load order, with its entry in the old cache file.
struct Job<'a> {
    /// The resolved path.
    path: &'a Path,
    /// The path as listed.
    listed: &'a Path,
    location: usize,
    kind: FileKind,
    old: Option<&'a cache::StoredParse<'a>>,
    /// Where its stamp is taken from on disk.
    placed: Placed,
}

/// The jobs for the files of the old cache file's walk, in its order;
/// `None` if a path does not convert back (on Unix they always do).
fn jobs_of_index<'a>(files: &'a [IndexFile<'a>]) -> Option<Vec<Job<'a>>> {
    let mut jobs = Vec::with_capacity(files.len());
    for file in files {
        let path = path_from_bytes(file.path.0)?;
        let listed = match file.listed {
            Some(listed) => path_from_bytes(listed.0)?,
            None => path,
        };
        jobs.push(Job {
            path,
            listed,
            location: file.location as usize,
            kind: file.kind,
            old: file.parse.as_ref(),
            placed: Placed::default(),
        });
    }
    Some(jobs)
}

/// The jobs for files just listed, each with the old cache file's entry for
/// its path: found in place while the two lists agree, else by path.
fn jobs_of_candidates<'a>(
    candidates: &'a [Candidate],
    old_files: &'a [IndexFile<'a>],
) -> Vec<Job<'a>> {
    let mut by_path: Option<HashMap<&[u8], &IndexFile<'a>, FxBuildHasher>> = None;
    candidates
        .iter()
        .enumerate()
        .map(|(at, candidate)| {
            let key = path_bytes(&candidate.path);
            let old = match old_files.get(at) {
                Some(file) if file.path.0 == key => Some(file),
                _ => by_path
                    .get_or_insert_with(|| {
                        old_files.iter().map(|file| (file.path.0, file)).collect()
                    })
                    .get(key)
                    .copied(),
            };
            Job {
                path: &candidate.path,
                listed: &candidate.listed_path,
                location: candidate.location,
                kind: candidate.kind,
                old: old.and_then(|file| file.parse.as_ref()),
                placed: Placed::default(),
            }
        })
        .collect()
}

/// Whether the files listed differ from the old cache file's.
fn files_differ(jobs: &[Job<'_>], old_files: &[IndexFile<'_>]) -> bool {
    jobs.len() != old_files.len()
        || jobs.iter().zip(old_files).any(|(job, old)| {
            path_bytes(job.path) != old.path.0
                || listed_bytes(job) != old.listed.map(|listed| listed.0)
                || job.location != old.location as usize
                || job.kind != old.kind
        })
}

/// Whether the files' parses differ from the old cache file's, file by
/// file (the files themselves being the same).
fn parses_differ(parses: &[NewParse<'_>], old_files: &[IndexFile<'_>]) -> bool {
    parses.len() != old_files.len()
        || parses
            .iter()
            .zip(old_files)
            .any(|(parse, old)| match parse {
                NewParse::Kept(_) => false,
                NewParse::None => old.parse.is_some(),
                NewParse::Fresh(_) => true,
            })
}

/// The listed path's bytes when it differs from the resolved path.
fn listed_bytes<'a>(job: &Job<'a>) -> Option<&'a [u8]> {
    (job.listed != job.path).then(|| path_bytes(job.listed))
}

/// The next cache file's files.
fn new_files<'a>(jobs: &[Job<'a>], parses: Vec<NewParse<'a>>) -> Vec<NewFile<'a>> {
    jobs.iter()
        .zip(parses)
        .map(|(job, parse)| NewFile {
            path: path_bytes(job.path),
            listed: listed_bytes(job),
            location: u32::try_from(job.location).unwrap_or(u32::MAX),
            kind: job.kind,
            parse,
        })
        .collect()
}

/// Loads one file of [`build_cached`].
struct Loader<'a> {
    display_root: &'a Path,
    modules: &'a alembic_doctor_script::Project,
    how: &'a CachedBuild<'a>,
    stamps: &'a Stamps<'a>,
    /// The old cache file's scripts, operations and sources.
    blobs: &'a Blobs,
    started: SystemTime,
}

impl Loader<'_> {
    /// Whether the file's stamp is the one its cache entry was stored
    /// under.
    fn matches(&self, job: &Job<'_>) -> bool {
        job.old.is_some_and(|stored| {
            (!self.how.operations || stored.has_operations())
                && self.stamps.stamp(job).as_ref() == Some(&stored.stamp)
                && stored
                    .dependencies
                    .as_ref()
                    .is_none_or(|dependencies| self.unchanged(dependencies))
        })
    }

    /// Whether the other modules a stored parse took values from are as
    /// they were: the same project root, every path looked at with the
    /// same stamp (or still no file).
    fn unchanged(&self, dependencies: &cache::StoredDependencies<'_>) -> bool {
        dependencies.root.0 == path_bytes(self.modules.root())
            && dependencies.probed.iter().all(|(path, stamp)| {
                path_from_bytes(path.0).is_some_and(|path| self.how.tree.stamp(path) == *stamp)
            })
    }

    /// The stamps of the module paths a fresh parse looked at, when they
    /// may be stored: every one known (a file's stamp, or no file) and
    /// none changed too recently to trust.
    fn dependency_stamps(&self, probed: &[PathBuf]) -> Option<Dependencies> {
        let probed = probed
            .iter()
            .map(|path| {
                let stamp = self.how.tree.stamp(path);
                if stamp.is_some() && !cache::storable(stamp.as_ref(), self.started) {
                    return None;
                }
                Some((path_bytes(path).to_vec(), stamp))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Dependencies {
            root: path_bytes(self.modules.root()).to_vec(),
            probed,
        })
    }

    /// The file as its cache entry has it, without looking at the file.
    fn cached(&self, job: &Job<'_>) -> Option<(ProjectFile, Option<RevisionInput>)> {
        let stored = job.old?;
        let derived = postcard::from_bytes::<Derived>(stored.derived.0).ok()?;
        let blob = |part| Arc::clone(self.blobs.of(part));
        let script = ParsedScript::cached(blob(Part::Script), stored.piece(Part::Script));
        let operations = if stored.has_operations() {
            FileOperations::Cached(blob(Part::Operations), stored.piece(Part::Operations))
        } else {
            FileOperations::Unread
        };
        // The bytes as they were parsed, from the cache file: never the
        // file again, which may be another version by the time a column or
        // a code frame is printed.
        let bytes = FileBytes::in_cache(
            job.path.to_path_buf(),
            blob(Part::Source),
            stored.piece(Part::Source),
        );
        let (mut file, input) = from_script(
            job.path.to_path_buf(),
            job.listed,
            bytes,
            (script, operations),
            derived,
            self.display_root,
        );
        file.from_cache = true;
        Some((file, input))
    }

    /// One file: from the cache when its stamp matched (`hit`), else read
    /// and parsed (and encoded for the cache when it may be stored).
    /// `None` for a file on disk that no longer exists (deleted since it was
    /// listed); in a git tree a missing file is an error like any other.
    fn load<'j>(
        &self,
        job: &Job<'j>,
        hit: bool,
    ) -> Option<(ProjectFile, Option<RevisionInput>, NewParse<'j>)> {
        if hit
            && let Some(stored) = job.old
            && let Some((file, input)) = self.cached(job)
        {
            return Some((file, input, NewParse::Kept(stored)));
        }
        let not_found = |read: &std::io::Result<_>| {
            self.how.tree_kind == DISK
                && matches!(read, Err(error) if error.kind() == std::io::ErrorKind::NotFound)
        };
        let mut read = self.how.tree.read_stamped(job.path);
        // Deleted and written again between the read and the look at its
        // name (another process saving it): read again, a few times.
        for _ in 0..3 {
            if !(not_found(&read) && std::fs::symlink_metadata(job.listed).is_ok()) {
                break;
            }
            read = self.how.tree.read_stamped(job.path);
        }
        let (bytes, stamp) = match read {
            Ok((bytes, stamp)) => (Ok(bytes), stamp),
            // Gone, name and all (a dangling symbolic link is still listed,
            // and still reported).
            Err(_) if not_found(&read) && std::fs::symlink_metadata(job.listed).is_err() => {
                return None;
            }
            Err(error) => (Err(ReadError::from(error).to_string()), None),
        };
        let Parsed {
            file,
            input,
            dependencies,
            derived,
        } = parse(
            job.path.to_path_buf(),
            job.listed,
            bytes,
            (self.display_root, self.modules),
            // What the cache stores is what was parsed.
            (self.how.operations, AfterParse::Keep),
        );
        // The bytes just parsed stay in memory: read again later (to print
        // a column or a code frame) they could be another version of the
        // file than the one the findings come from.
        // `None`: not storable; `Some(None)`: depends on no other file.
        let dependencies = match &dependencies {
            None => Some(None),
            Some(probed) => self.dependency_stamps(probed).map(Some),
        };
        let parse = match (file.script(), derived, stamp, dependencies) {
            (Some(script), Some(derived), Some(stamp), Some(dependencies))
                if cache::storable(Some(&stamp), self.started) =>
            {
                // Operations not read are stored as none (an empty piece).
                let operations = file.operations.encoded().unwrap_or_default().to_vec();
                match (
                    postcard::to_allocvec(&derived),
                    postcard::to_allocvec(script),
                ) {
                    (Ok(derived), Ok(script)) => NewParse::Fresh(Box::new(FreshParse {
                        stamp,
                        derived,
                        pieces: [script, operations, file.bytes.get().to_vec()],
                        dependencies,
                    })),
                    _ => NewParse::None,
                }
            }
            _ => NewParse::None,
        };
        Some((file, input, parse))
    }
}

/// How a cache hit is checked: on disk through each directory's descriptor
/// ([`DiskStamper`]), elsewhere through the tree.
enum Stamps<'a> {
    Disk(DiskStamper),
    Tree(&'a (dyn Tree + Send + Sync)),
}

impl Stamps<'_> {
    fn stamp(&self, job: &Job<'_>) -> Option<FileStamp> {
        match self {
            Stamps::Disk(stamper) => stamper.stamp(job.path, job.placed).map(FileStamp::Disk),
            Stamps::Tree(tree) => tree.stamp(job.path),
        }
    }
}
