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
use alembic_doctor_script::{Script, ScriptContext, ValueProblem};
use alembic_doctor_source::{
    Candidate, DiskStamper, FileStamp, LineIndex, ListingSpec, ReadError, SourceFile, SourceNote,
    Tree,
};
use rayon::prelude::*;

use crate::ProjectFile;
use crate::bytes::FileBytes;
use crate::cache::{self, ParseCache, Record};
use crate::load::display_path;

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
            let (file, input, _) = parse_one(source.path, &source.listed_path, bytes, cwd, modules);
            (file, input)
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
/// only if something prints them); the others are read and parsed, and the
/// cache file is rewritten beside building the map when anything changed.
pub(crate) fn build_cached(
    list: impl FnOnce() -> (Vec<Candidate>, Vec<SourceNote>) + Send,
    cwd: &Path,
    modules: &alembic_doctor_script::Project,
    how: &CachedBuild<'_>,
    timer: &crate::load::StageTimer,
) -> Built {
    let started = SystemTime::now();
    let cache_file = how.cache.file_for(how.tree_kind, how.spec);
    let buffer = std::fs::read(&cache_file).unwrap_or_default();
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
    #[allow(clippy::type_complexity)]
    let ((mut files, inputs), records): (
        (Vec<ProjectFile>, Vec<Option<RevisionInput>>),
        Vec<Record<'_>>,
    ) = candidates
        .into_par_iter()
        .map(|candidate| {
            let (file, input, record) =
                load_one(candidate, cwd, modules, how, &stamps, &old, started);
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

/// One candidate: from the cache when its stamp matches, else read and
/// parsed (and encoded for the cache when it may be stored).
fn load_one<'a>(
    candidate: Candidate,
    cwd: &Path,
    modules: &alembic_doctor_script::Project,
    how: &CachedBuild<'_>,
    stamps: &Stamps<'_>,
    old: &cache::Entries<'a>,
    started: SystemTime,
) -> (ProjectFile, Option<RevisionInput>, Record<'a>) {
    let key = cache::path_bytes(&candidate.path);
    if let Some((stored_path, stored, encoded)) = old.get(key)
        && stamps.stamp(&candidate.path).as_ref() == Some(stored)
        && let Ok(script) = postcard::from_bytes::<Script>(encoded)
    {
        let record = Record::Keep {
            path: stored_path,
            stamp: stored.clone(),
            script: encoded,
        };
        let bytes = FileBytes::unread(candidate.path.clone(), Arc::clone(&how.tree));
        let (mut file, input) =
            from_script(candidate.path, &candidate.listed_path, bytes, script, cwd);
        file.from_cache = true;
        return (file, input, record);
    }
    let (bytes, stamp) = match how.tree.read_stamped(&candidate.path) {
        Ok((bytes, stamp)) => (Ok(bytes), stamp),
        Err(error) => (Err(ReadError::from(error).to_string()), None),
    };
    let path_key = key.to_vec();
    let (mut file, input, read_project) =
        parse_one(candidate.path, &candidate.listed_path, bytes, cwd, modules);
    if file.read_error.is_none() {
        // Drop the bytes now that they are parsed, as for a file from the
        // cache: most runs print no code frame, and a large project's
        // bytes are a good part of its memory (and of the time spent
        // having the kernel hand out fresh pages).
        file.bytes = FileBytes::unread(file.path.clone(), Arc::clone(&how.tree));
    }
    let record = match (file.script.as_ref(), stamp) {
        (Some(script), Some(stamp)) if !read_project && cache::storable(Some(&stamp), started) => {
            postcard::to_allocvec(script).map_or(Record::Skip, |script| Record::New {
                path: path_key,
                stamp,
                script,
            })
        }
        _ => Record::Skip,
    };
    (file, input, record)
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

/// Parse one file's bytes (or record why it could not be read). The flag
/// is [`alembic_doctor_script::parse_script_tracked`]'s: the script depends
/// on other files.
fn parse_one(
    path: PathBuf,
    listed_path: &Path,
    bytes: Result<Vec<u8>, String>,
    cwd: &Path,
    modules: &alembic_doctor_script::Project,
) -> (ProjectFile, Option<RevisionInput>, bool) {
    match bytes {
        Err(read_error) => {
            let file = ProjectFile {
                display_path: display_path(listed_path, cwd),
                path,
                line_index: LineIndex::default(),
                read_error: Some(read_error),
                script: None,
                revision: None,
                id_problem: Some(IdProblem::Unreadable),
                variable_problems: Vec::new(),
                uncertain: false,
                bytes: FileBytes::default(),
                from_cache: false,
            };
            (file, None, false)
        }
        Ok(bytes) => {
            let (script, read_project) = alembic_doctor_script::parse_script_tracked(
                &bytes,
                &ScriptContext::new(&path, modules),
            );
            let (file, input) = from_script(path, listed_path, FileBytes::read(bytes), script, cwd);
            (file, input, read_project)
        }
    }
}

/// The project file and revision input of a parsed script.
fn from_script(
    path: PathBuf,
    listed_path: &Path,
    bytes: FileBytes,
    script: Script,
    cwd: &Path,
) -> (ProjectFile, Option<RevisionInput>) {
    let mut file = ProjectFile {
        display_path: display_path(listed_path, cwd),
        line_index: script.line_index.clone(),
        path,
        read_error: None,
        script: None,
        revision: None,
        id_problem: None,
        variable_problems: Vec::new(),
        uncertain: false,
        bytes,
        from_cache: false,
    };
    let revision_id = script.revision_id(&file_name(&file.path));
    let input = match revision_id {
        Ok(id) => {
            let mut take =
                |variable: &'static str, value: Result<Vec<String>, ValueProblem>| match value {
                    Ok(values) => values,
                    Err(problem) => {
                        file.uncertain = true;
                        file.variable_problems
                            .push(VariableProblem { variable, problem });
                        Vec::new()
                    }
                };
            let down_revisions = take("down_revision", script.down_revisions());
            let mut depends_on = take("depends_on", script.dependencies());
            if depends_on.is_empty() && script.has_empty_dependencies() {
                // The graph's spelling of "set, but to nothing Alembic looks up".
                depends_on.push(String::new());
            }
            let branch_labels = take("branch_labels", script.branch_labels());
            let hash_ordered = [
                &script.down_revision,
                &script.depends_on,
                &script.branch_labels,
            ]
            .iter()
            .any(|v| {
                v.value()
                    .is_some_and(alembic_doctor_script::Value::order_depends_on_hashing)
            });
            Some(RevisionInput {
                id: id.id,
                down_revisions,
                depends_on,
                branch_labels,
                hash_ordered,
            })
        }
        Err(problem) => {
            file.id_problem = Some(IdProblem::Revision(problem));
            None
        }
    };
    file.script = Some(script);
    (file, input)
}

fn file_name(path: &Path) -> std::borrow::Cow<'_, str> {
    path.file_name()
        .map_or(std::borrow::Cow::Borrowed(""), |n| n.to_string_lossy())
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
