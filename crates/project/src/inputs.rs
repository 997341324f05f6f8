//! From listed files to parsed scripts to the revision map's inputs.
//!
//! Files are parsed in parallel; the map is then built from every file that
//! yields a revision id, in load order. A value that cannot be known
//! statically does not drop the revision: it takes part with what is known
//! (an unknown `down_revision` makes it a base) and is marked `uncertain`,
//! so that the rules report the unknown value instead of a false fork.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use alembic_doctor_graph::{RevIdx, RevisionInput, RevisionMap};
use alembic_doctor_script::{ScriptContext, ValueProblem};
use alembic_doctor_source::{
    Candidate, DiskStamper, FileStamp, ListingSpec, ReadError, SourceFile, SourceNote, Tree,
};
use rayon::prelude::*;

use crate::ProjectFile;
use crate::bytes::FileBytes;
use crate::cache::{self, ParseCache, Record};
use crate::derived::{Derived, ScriptMarks};
use crate::load::display_path;
use crate::parsed::ParsedScript;

/// Why a file gives no usable revision id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdProblem {
    /// The file could not be read.
    Unreadable,
    /// `revision` is missing, unknown or not a string.
    Revision(ValueProblem),
}

/// A problem with one of a revision's other variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableProblem {
    /// `down_revision`, `depends_on` or `branch_labels`.
    pub variable: &'static str,
    pub problem: ValueProblem,
}

pub(crate) fn build(
    sources: Vec<SourceFile>,
    cwd: &Path,
    modules: &alembic_doctor_script::Project,
) -> (Vec<ProjectFile>, RevisionMap, Vec<usize>) {
    let (mut files, inputs): (Vec<ProjectFile>, Vec<Option<RevisionInput>>) = sources
        .into_par_iter()
        .map(|source| {
            let bytes = source.bytes.map_err(|error| error.to_string());
            let parsed = parse(source.path, &source.listed_path, bytes, cwd, modules);
            (parsed.file, parsed.input)
        })
        .unzip();
    let (inputs, revision_files) = number(&mut files, inputs);
    (files, RevisionMap::build(inputs), revision_files)
}

/// What [`build_cached`] needs besides the candidates.
pub(crate) struct CachedBuild<'a> {
    pub(crate) tree: Arc<dyn Tree + Send + Sync>,
    pub(crate) tree_kind: &'static str,
    pub(crate) spec: &'a ListingSpec,
    pub(crate) cache: &'a ParseCache,
}

/// What [`build_cached`] returns: the files, the map, each revision's file,
/// and the listing's notes.
pub(crate) type Built = (Vec<ProjectFile>, RevisionMap, Vec<usize>, Vec<SourceNote>);

/// [`build`] for files still to be listed (by `list`) and read: a file
/// whose stamp matches the cache is not opened (its bytes are read later,
/// only if something prints them) and its script stays encoded until
/// something reads it; the others are read and parsed, and the cache file
/// is rewritten beside building the map when anything changed.
pub(crate) fn build_cached(
    list: impl FnOnce() -> (Vec<Candidate>, Vec<SourceNote>) + Send,
    cwd: &Path,
    modules: &alembic_doctor_script::Project,
    how: &CachedBuild<'_>,
    timer: &crate::load::StageTimer,
) -> Built {
    let started = SystemTime::now();
    let cache_file = how.cache.file_for(how.tree_kind, how.spec);
    // Shared with every file whose script is still encoded in it.
    let buffer = Arc::new(std::fs::read(&cache_file).unwrap_or_default());
    // The listing and the cache's index are independent: one core each.
    let ((candidates, notes), old) =
        rayon::join(list, || cache::Entries::decode(&buffer, how.cache.tool()));
    timer.lap("list files and read the cache");
    let stamps = if how.tree_kind == DISK {
        Stamps::Disk(DiskStamper::for_files(
            candidates.iter().map(|c| c.path.as_path()),
        ))
    } else {
        Stamps::Tree(&*how.tree)
    };
    let loader = Loader {
        cwd,
        modules,
        how,
        stamps: &stamps,
        old: &old,
        buffer: &buffer,
        started,
    };
    #[allow(clippy::type_complexity)]
    let ((mut files, inputs), records): (
        (Vec<ProjectFile>, Vec<Option<RevisionInput>>),
        Vec<Record<'_>>,
    ) = candidates
        .into_par_iter()
        .map(|candidate| {
            let (file, input, record) = loader.load(candidate);
            ((file, input), record)
        })
        .unzip();
    let hits = records
        .iter()
        .filter(|record| matches!(record, Record::Keep { .. }))
        .count();
    timer.lap(&format!(
        "stat, read and parse files ({hits} of {} from the cache)",
        records.len()
    ));
    let (inputs, revision_files) = number(&mut files, inputs);
    // Rewrite only when the entries differ from the file's: a warm run
    // writes nothing.
    let changed = hits != old.len() || records.iter().any(|r| matches!(r, Record::New { .. }));
    let (map, ()) = rayon::join(
        || RevisionMap::build(inputs),
        || {
            if changed {
                // A cache that cannot be written only costs speed next time.
                let _ = cache::write(&cache_file, how.cache.tool(), &records);
            }
        },
    );
    (files, map, revision_files, notes)
}

/// Loads one candidate of [`build_cached`].
struct Loader<'a, 'b> {
    cwd: &'b Path,
    modules: &'b alembic_doctor_script::Project,
    how: &'b CachedBuild<'b>,
    stamps: &'b Stamps<'b>,
    /// The old cache file's entries, borrowed from `buffer`.
    old: &'b cache::Entries<'a>,
    buffer: &'b Arc<Vec<u8>>,
    started: SystemTime,
}

impl<'a> Loader<'a, '_> {
    /// One candidate: from the cache when its stamp matches, else read and
    /// parsed (and encoded for the cache when it may be stored).
    fn load(&self, candidate: Candidate) -> (ProjectFile, Option<RevisionInput>, Record<'a>) {
        let key = cache::path_bytes(&candidate.path);
        if let Some(stored) = self.old.get(key)
            && self.stamps.stamp(&candidate.path).as_ref() == Some(&stored.stamp)
            && let Ok(derived) = postcard::from_bytes::<Derived>(stored.derived)
        {
            let script = ParsedScript::cached(
                Arc::clone(self.buffer),
                range_within(self.buffer, stored.script),
            );
            let bytes = FileBytes::unread(candidate.path.clone(), Arc::clone(&self.how.tree));
            let (mut file, input) = from_script(
                candidate.path,
                &candidate.listed_path,
                bytes,
                script,
                derived,
                self.cwd,
            );
            file.from_cache = true;
            return (file, input, Record::Keep(stored.clone()));
        }
        let (bytes, stamp) = match self.how.tree.read_stamped(&candidate.path) {
            Ok((bytes, stamp)) => (Ok(bytes), stamp),
            Err(error) => (Err(ReadError::from(error).to_string()), None),
        };
        let path_key = key.to_vec();
        let Parsed {
            mut file,
            input,
            read_project,
            derived,
        } = parse(
            candidate.path,
            &candidate.listed_path,
            bytes,
            self.cwd,
            self.modules,
        );
        if file.read_error.is_none() {
            // Drop the bytes now that they are parsed, as for a file from the
            // cache: most runs print no code frame, and a large project's
            // bytes are a good part of its memory (and of the time spent
            // having the kernel hand out fresh pages).
            file.bytes = FileBytes::unread(file.path.clone(), Arc::clone(&self.how.tree));
        }
        let record = match (file.script(), derived, stamp) {
            (Some(script), Some(derived), Some(stamp))
                if !read_project && cache::storable(Some(&stamp), self.started) =>
            {
                match (
                    postcard::to_allocvec(&derived),
                    postcard::to_allocvec(script),
                ) {
                    (Ok(derived), Ok(script)) => Record::New {
                        path: path_key,
                        stamp,
                        derived,
                        script,
                    },
                    _ => Record::Skip,
                }
            }
            _ => Record::Skip,
        };
        (file, input, record)
    }
}

/// Where `part`, a slice borrowed from `whole`, lies in it.
fn range_within(whole: &[u8], part: &[u8]) -> std::ops::Range<usize> {
    let start = part.as_ptr().addr() - whole.as_ptr().addr();
    start..start + part.len()
}

/// The kind of tree of a load from the file system.
pub(crate) const DISK: &str = "disk";

/// How a cache hit is checked: on disk through each directory's descriptor
/// ([`DiskStamper`]), elsewhere through the tree.
enum Stamps<'a> {
    Disk(DiskStamper),
    Tree(&'a (dyn Tree + Send + Sync)),
}

impl Stamps<'_> {
    fn stamp(&self, path: &Path) -> Option<FileStamp> {
        match self {
            Stamps::Disk(stamper) => stamper.stamp(path).map(FileStamp::Disk),
            Stamps::Tree(tree) => tree.stamp(path),
        }
    }
}

/// Give each file that yields a revision its index in the map, in place:
/// the files are not moved again (at 100,000 files each move of the whole
/// vector is a hundred megabytes of fresh memory).
fn number(
    files: &mut [ProjectFile],
    inputs: Vec<Option<RevisionInput>>,
) -> (Vec<RevisionInput>, Vec<usize>) {
    let mut revisions = Vec::with_capacity(inputs.len());
    let mut revision_files = Vec::with_capacity(inputs.len());
    for (index, (file, input)) in files.iter_mut().zip(inputs).enumerate() {
        if let Some(input) = input {
            file.revision = Some(revisions.len() as RevIdx);
            revision_files.push(index);
            revisions.push(input);
        }
    }
    (revisions, revision_files)
}

/// One file read and parsed.
struct Parsed {
    file: ProjectFile,
    input: Option<RevisionInput>,
    /// [`alembic_doctor_script::parse_script_tracked`]'s flag: the script
    /// depends on other files.
    read_project: bool,
    /// What the map and the checks take from the script, as the cache
    /// stores it (`None` for an unreadable file).
    derived: Option<Derived>,
}

/// Parse one file's bytes (or record why it could not be read).
fn parse(
    path: PathBuf,
    listed_path: &Path,
    bytes: Result<Vec<u8>, String>,
    cwd: &Path,
    modules: &alembic_doctor_script::Project,
) -> Parsed {
    match bytes {
        Err(read_error) => Parsed {
            file: ProjectFile {
                display_path: display_path(listed_path, cwd),
                path,
                read_error: Some(read_error),
                script: ParsedScript::none(),
                marks: ScriptMarks::default(),
                revision: None,
                id_problem: Some(IdProblem::Unreadable),
                variable_problems: Vec::new(),
                uncertain: false,
                bytes: FileBytes::default(),
                from_cache: false,
            },
            input: None,
            read_project: false,
            derived: None,
        },
        Ok(bytes) => {
            let (script, read_project) = alembic_doctor_script::parse_script_tracked(
                &bytes,
                &ScriptContext::new(&path, modules),
            );
            let derived = Derived::of(&script, &path);
            let (file, input) = from_script(
                path,
                listed_path,
                FileBytes::read(bytes),
                ParsedScript::parsed(script),
                derived.clone(),
                cwd,
            );
            Parsed {
                file,
                input,
                read_project,
                derived: Some(derived),
            }
        }
    }
}

/// The project file and revision input of a script and what was derived
/// from it.
fn from_script(
    path: PathBuf,
    listed_path: &Path,
    bytes: FileBytes,
    script: ParsedScript,
    mut derived: Derived,
    cwd: &Path,
) -> (ProjectFile, Option<RevisionInput>) {
    let file = ProjectFile {
        display_path: display_path(listed_path, cwd),
        path,
        read_error: None,
        script,
        marks: derived.marks,
        revision: None,
        id_problem: derived.take_id_problem(),
        variable_problems: derived.take_variable_problems(),
        uncertain: derived.uncertain,
        bytes,
        from_cache: false,
    };
    (file, derived.input.map(RevisionInput::from))
}

/// The folder project modules (constants imported by migrations) are looked
/// for under: the enclosing git work tree of the first version location, or
/// else the nearest of the working directory and the configuration's folder
/// that contains it.
pub(crate) fn module_root(locations: &[PathBuf], config_dir: Option<&Path>, cwd: &Path) -> PathBuf {
    let Some(start) = locations.first() else {
        return cwd.to_path_buf();
    };
    if let Some(git_root) = start.ancestors().find(|dir| dir.join(".git").exists()) {
        return git_root.to_path_buf();
    }
    [Some(cwd), config_dir]
        .into_iter()
        .flatten()
        .find(|dir| start.starts_with(dir))
        .map_or_else(
            || start.parent().unwrap_or(start).to_path_buf(),
            Path::to_path_buf,
        )
}
