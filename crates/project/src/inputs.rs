//! From listed files to parsed scripts to the revision map's inputs.
//!
//! Files are parsed in parallel; the map is then built from every file that
//! yields a revision id, in load order. A value that cannot be known
//! statically does not drop the revision: it takes part with what is known
//! (an unknown `down_revision` makes it a base) and is marked `uncertain`,
//! so that the rules report the unknown value instead of a false fork.

use std::path::{Path, PathBuf};

use alembic_doctor_graph::{RevIdx, RevisionInput, RevisionMap};
use alembic_doctor_script::{ScriptContext, ValueProblem};
use alembic_doctor_source::SourceFile;
use rayon::prelude::*;

use crate::ProjectFile;
use crate::bytes::FileBytes;
use crate::derived::{Derived, ScriptMarks};
use crate::load::display_path;
use crate::operations::{self, FileOperations};
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

/// What becomes of a file's bytes once it is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AfterParse {
    /// Kept in memory for the whole run.
    Keep,
    /// Let go, and read again from the disk (where they were read from)
    /// when first needed: see [`FileBytes::reread_from_disk`].
    RereadFromDisk,
}

pub(crate) fn build(
    sources: Vec<SourceFile>,
    (display_root, modules): (&Path, &alembic_doctor_script::Project),
    (operations, after_parse): (bool, AfterParse),
    timer: &crate::load::StageTimer,
) -> (Vec<ProjectFile>, RevisionMap, Vec<usize>) {
    let (mut files, inputs): (Vec<ProjectFile>, Vec<Option<RevisionInput>>) = sources
        .into_par_iter()
        .map(|source| {
            let bytes = source.bytes.map_err(|error| error.to_string());
            let parsed = parse(
                source.path,
                &source.listed_path,
                bytes,
                (display_root, modules),
                (operations, after_parse),
            );
            (parsed.file, parsed.input)
        })
        .unzip();
    timer.lap("parse files");
    let (inputs, revision_files) = number(&mut files, inputs);
    let map = RevisionMap::build(inputs);
    timer.lap("build map");
    (files, map, revision_files)
}

/// Give each file that yields a revision its index in the map, in place:
/// the files are not moved again (at 100,000 files each move of the whole
/// vector is a hundred megabytes of fresh memory).
pub(crate) fn number(
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
pub(crate) struct Parsed {
    pub(crate) file: ProjectFile,
    pub(crate) input: Option<RevisionInput>,
    /// [`alembic_doctor_script::parse_script_tracked`]'s dependencies: the
    /// module paths the script's values were looked up in (found or not),
    /// `None` when it depends on its own bytes alone.
    pub(crate) dependencies: Option<Vec<PathBuf>>,
    /// What the map and the checks take from the script, as the cache
    /// stores it (`None` for an unreadable file).
    pub(crate) derived: Option<Derived>,
}

/// Parse one file's bytes (or record why it could not be read), and read
/// its operations from the same parse when `operations`.
pub(crate) fn parse(
    path: PathBuf,
    listed_path: &Path,
    bytes: Result<Vec<u8>, String>,
    (display_root, modules): (&Path, &alembic_doctor_script::Project),
    (operations, after_parse): (bool, AfterParse),
) -> Parsed {
    match bytes {
        Err(read_error) => Parsed {
            file: ProjectFile {
                display_path: display_path(listed_path, display_root),
                path,
                read_error: Some(read_error),
                script: ParsedScript::none(),
                operations: FileOperations::Unread,
                marks: ScriptMarks::default(),
                revision: None,
                id_problem: Some(IdProblem::Unreadable),
                variable_problems: Vec::new(),
                uncertain: false,
                bytes: FileBytes::default(),
                from_cache: false,
            },
            input: None,
            dependencies: None,
            derived: None,
        },
        Ok(bytes) => {
            let context = ScriptContext::new(&path, modules);
            let (script, dependencies, operations) = if operations {
                let (script, dependencies, operations) =
                    alembic_doctor_script::parse_script_with_operations(&bytes, &context);
                (script, dependencies, operations::encode(&operations))
            } else {
                let (script, dependencies) =
                    alembic_doctor_script::parse_script_tracked(&bytes, &context);
                (script, dependencies, FileOperations::Unread)
            };
            let derived = Derived::of(&script, &path);
            let bytes = match after_parse {
                AfterParse::Keep => FileBytes::read(bytes),
                AfterParse::RereadFromDisk => FileBytes::reread_from_disk(path.clone(), &bytes),
            };
            let (file, input) = from_script(
                path,
                listed_path,
                bytes,
                (ParsedScript::parsed(script), operations),
                derived.clone(),
                display_root,
            );
            Parsed {
                file,
                input,
                dependencies,
                derived: Some(derived),
            }
        }
    }
}

/// The project file and revision input of a script (with the operations
/// read from the same parse) and what was derived from it.
pub(crate) fn from_script(
    path: PathBuf,
    listed_path: &Path,
    bytes: FileBytes,
    (script, operations): (ParsedScript, FileOperations),
    mut derived: Derived,
    display_root: &Path,
) -> (ProjectFile, Option<RevisionInput>) {
    let file = ProjectFile {
        display_path: display_path(listed_path, display_root),
        path,
        read_error: None,
        script,
        operations,
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
/// for under: the enclosing git work tree of the first version location
/// (`true`: imports stop there), or else the nearest of the working
/// directory and the configuration's folder that contains it (`false`: only
/// a guess, so imports are also looked for above it, up the version
/// location's ancestors).
pub(crate) fn module_root(
    locations: &[PathBuf],
    config_dir: Option<&Path>,
    cwd: &Path,
) -> (PathBuf, bool) {
    let Some(start) = locations.first() else {
        return (cwd.to_path_buf(), false);
    };
    if let Some(git_root) = start.ancestors().find(|dir| dir.join(".git").exists()) {
        return (git_root.to_path_buf(), true);
    }
    let guess = [Some(cwd), config_dir]
        .into_iter()
        .flatten()
        .find(|dir| start.starts_with(dir))
        .map_or_else(
            || start.parent().unwrap_or(start).to_path_buf(),
            Path::to_path_buf,
        );
    (guess, false)
}
