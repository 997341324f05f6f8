//! A whole Alembic project, read: the pipeline from configuration to source
//! files to parsed scripts to the revision map, in one call.
//!
//! Loading never stops at a broken file: a file that cannot be read or
//! parsed stays in [`Project::files`] with what could be recovered, and every
//! file that yields a revision id takes part in the map, so that the rules
//! can report all problems at once.

mod bytes;
mod cache;
mod cached;
mod derived;
mod inputs;
mod load;
mod operations;
mod parsed;

use std::path::PathBuf;

use alembic_doctor_config::AlembicConfig;
use alembic_doctor_graph::{RevIdx, RevisionMap};
use alembic_doctor_script::{Operations, Script};
use alembic_doctor_source::{LineColumn, LineIndex, SourceNote};

pub use bytes::FileBytes;
pub use cache::ParseCache;
pub use derived::ScriptMarks;
pub use inputs::{IdProblem, VariableProblem};
pub use load::{
    LoadError, LoadRequest, StageTimer, from_files, from_files_reading, from_tree_with_cache,
    listing_spec, load, load_in, load_in_with_cache, load_with_cache,
};

/// One candidate migration file, in load order.
#[derive(Debug)]
pub struct ProjectFile {
    /// The resolved path Alembic stores and prints (`Path:` lines).
    pub path: PathBuf,
    /// The path to show people: relative to the working directory when the
    /// file lies below it.
    pub display_path: String,
    /// The file's bytes (empty when it could not be read). A file whose
    /// parse came from the cache is read only when its bytes are first
    /// used.
    pub bytes: FileBytes,
    /// Why the file could not be read, if it could not.
    pub read_error: Option<String>,
    /// The parsed file: see [`ProjectFile::script`].
    script: parsed::ParsedScript,
    /// What `upgrade()` and `downgrade()` do: see
    /// [`ProjectFile::operations`].
    operations: operations::FileOperations,
    /// What the checks run by every command need to know about the script
    /// without decoding it.
    pub marks: ScriptMarks,
    /// The file's revision in the map, if it yielded an id.
    pub revision: Option<RevIdx>,
    /// Why the file yields no usable revision id, if it does not.
    pub id_problem: Option<IdProblem>,
    /// Problems with `down_revision`, `depends_on` or `branch_labels`.
    pub variable_problems: Vec<VariableProblem>,
    /// Some revision variable could not be known statically, so the map's
    /// view of this revision is a guess (rules about the chain's shape stay
    /// quiet about it).
    pub uncertain: bool,
    /// The parse came from the parse cache: the file was not opened.
    pub from_cache: bool,
}

impl ProjectFile {
    /// The parsed file (`None` when it could not be read). A parse from
    /// the cache is decoded on first use: a command that only needs the
    /// map never pays for it.
    pub fn script(&self) -> Option<&Script> {
        self.script.get(&self.path, || self.bytes.get().to_vec())
    }

    /// What the file's `upgrade()` and `downgrade()` do, decoded now from
    /// the parse made while loading or from the cache; read from the
    /// file's bytes only when neither has them. Not kept: each call decodes
    /// a fresh copy, so that a long history can be linted a chunk at a
    /// time.
    pub fn operations(&self) -> Operations {
        self.operations.get(|| self.bytes.get().to_vec())
    }

    /// Whether the file may name any of `names`: one occurs in its stored
    /// operations, or in its bytes when its operations are not stored. A
    /// cheap filter (a false "yes" costs a decode, never an answer): the
    /// stored operations spell out every name their steps use, as resolved
    /// from a module's constant or a helper's body, which the file's own
    /// text may not, and looking there reads no file.
    pub fn may_mention_any<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> bool {
        let haystack = self.operations.stored().unwrap_or_else(|| self.bytes.get());
        names
            .into_iter()
            .any(|name| memchr::memmem::find(haystack, name.as_bytes()).is_some())
    }

    /// The file's line starts, for printing positions (empty when it could
    /// not be read).
    pub fn line_index(&self) -> &LineIndex {
        static EMPTY: std::sync::OnceLock<LineIndex> = std::sync::OnceLock::new();
        match self.script() {
            Some(script) => &script.line_index,
            None => EMPTY.get_or_init(LineIndex::default),
        }
    }

    /// 1-based line and character column of byte `at`: the bytes are read
    /// only when the file is not ASCII.
    pub fn line_column(&self, at: u32) -> LineColumn {
        self.line_index().line_column_with(at, || self.bytes.get())
    }
}

/// A loaded project.
#[derive(Debug)]
pub struct Project {
    /// The version locations searched, in order.
    pub version_locations: Vec<PathBuf>,
    /// Every candidate file, in Alembic's load order.
    pub files: Vec<ProjectFile>,
    /// The revision map built from every file that yielded an id.
    pub map: RevisionMap,
    /// For each revision of the map, the index of its file.
    pub revision_files: Vec<usize>,
    /// Things noticed while listing files (a file reached twice...).
    pub notes: Vec<SourceNote>,
    /// The configuration as read (with `--versions`, whatever configuration
    /// was found, for its options).
    pub config: AlembicConfig,
}

impl Project {
    /// Decode every file's script now, in parallel, and work out the
    /// upgrade order beside it: for a command that will read them all (a
    /// warm run otherwise decodes each script from the cache on first use,
    /// one after another).
    pub fn decode_scripts(&self) {
        rayon::join(
            || {
                let _ = self.map.upgrade_order();
            },
            || {
                use rayon::prelude::*;
                self.files.par_iter().for_each(|file| {
                    file.script();
                });
            },
        );
    }

    /// The file that declares revision `rev`.
    pub fn file_of(&self, rev: RevIdx) -> &ProjectFile {
        &self.files[self.revision_files[rev]]
    }
}
