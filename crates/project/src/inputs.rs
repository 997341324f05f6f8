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
use alembic_doctor_source::{Candidate, LineIndex, ListingSpec, ReadError, SourceFile, Tree};
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
    let parsed: Vec<(ProjectFile, Option<RevisionInput>)> = sources
        .into_par_iter()
        .map(|source| {
            let bytes = source.bytes.map_err(|error| error.to_string());
            let (file, input, _) = parse_one(source.path, &source.listed_path, bytes, cwd, modules);
            (file, input)
        })
        .collect();
    let (files, inputs, revision_files) = number(parsed);
    (files, RevisionMap::build(inputs), revision_files)
}

/// What [`build_cached`] needs besides the candidates.
pub(crate) struct CachedBuild<'a> {
    pub(crate) tree: Arc<dyn Tree + Send + Sync>,
    pub(crate) tree_kind: &'static str,
    pub(crate) spec: &'a ListingSpec,
    pub(crate) cache: &'a ParseCache,
}

/// [`build`] for candidates not read yet: a file whose stamp matches the
/// cache is not opened (its bytes are read later, only if something prints
/// them); the others are read and parsed, and the cache file is rewritten
/// beside building the map when anything changed.
pub(crate) fn build_cached(
    candidates: Vec<Candidate>,
    cwd: &Path,
    modules: &alembic_doctor_script::Project,
    how: &CachedBuild<'_>,
    timer: &crate::load::StageTimer,
) -> (Vec<ProjectFile>, RevisionMap, Vec<usize>) {
    let started = SystemTime::now();
    let cache_file = how.cache.file_for(how.tree_kind, how.spec);
    let buffer = std::fs::read(&cache_file).unwrap_or_default();
    let old = cache::Entries::decode(&buffer, how.cache.tool());
    timer.lap("read cache");
    let loaded: Vec<(ProjectFile, Option<RevisionInput>, Record<'_>)> = candidates
        .into_par_iter()
        .map(|candidate| load_one(candidate, cwd, modules, how, &old, started))
        .collect();
    let hits = loaded
        .iter()
        .filter(|(_, _, record)| matches!(record, Record::Keep { .. }))
        .count();
    timer.lap(&format!(
        "stat, read and parse files ({hits} of {} from the cache)",
        loaded.len()
    ));
    let mut records = Vec::with_capacity(loaded.len());
    let parsed: Vec<(ProjectFile, Option<RevisionInput>)> = loaded
        .into_iter()
        .map(|(file, input, record)| {
            records.push(record);
            (file, input)
        })
        .collect();
    let (files, inputs, revision_files) = number(parsed);
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
    (files, map, revision_files)
}

/// One candidate: from the cache when its stamp matches, else read and
/// parsed (and encoded for the cache when it may be stored).
fn load_one<'a>(
    candidate: Candidate,
    cwd: &Path,
    modules: &alembic_doctor_script::Project,
    how: &CachedBuild<'_>,
    old: &cache::Entries<'a>,
    started: SystemTime,
) -> (ProjectFile, Option<RevisionInput>, Record<'a>) {
    let key = cache::path_bytes(&candidate.path);
    if let Some((stored_path, stored, encoded)) = old.get(key)
        && how.tree.stamp(&candidate.path).as_ref() == Some(stored)
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

/// Give each file that yields a revision its index in the map.
fn number(
    parsed: Vec<(ProjectFile, Option<RevisionInput>)>,
) -> (Vec<ProjectFile>, Vec<RevisionInput>, Vec<usize>) {
    let mut files = Vec::with_capacity(parsed.len());
    let mut inputs = Vec::with_capacity(parsed.len());
    let mut revision_files = Vec::with_capacity(parsed.len());
    for (index, (mut file, input)) in parsed.into_iter().enumerate() {
        if let Some(input) = input {
            file.revision = Some(inputs.len() as RevIdx);
            revision_files.push(index);
            inputs.push(input);
        }
        files.push(file);
    }
    (files, inputs, revision_files)
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
    let file_name = file_name(&file.path);
    let input = match script.revision_id(&file_name) {
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

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
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
