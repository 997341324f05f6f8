//! The project a migration belongs to: where its other modules are, and a
//! cache of them.
//!
//! A migration may take its ids from the project's own modules
//! (`from app.constants import REV`, `cli.EXPAND_BRANCH`). Python would find
//! those on `sys.path`, which alembic-doctor cannot know; it looks where they
//! almost always are instead: for an absolute import, in the migration's
//! directory and each directory above it up to the project root, and in a
//! `src/` directory beside each; for a relative import, relative to the
//! importing file. A package (`x/__init__.py`) wins over a module (`x.py`),
//! as it does in Python.
//!
//! Files are read through [`ProjectFiles`], so a git tree can stand in for
//! the disk. [`Project`] parses each module at most once, however many
//! migrations (on however many threads) import it, and remembers misses too.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use alembic_doctor_source::LineIndex;

use crate::bindings::{self, Env, FileKind};
use crate::encoding;
use crate::read;
use crate::recipe::Lowering;
use crate::syntax;

/// How many directories above a file an absolute import is looked for.
const MAX_ANCESTORS: usize = 32;

/// Read access to a project's files: the disk, a git tree, a test fixture.
pub trait ProjectFiles: Send + Sync {
    /// The project root: absolute imports are not looked for above it.
    fn root(&self) -> &Path;

    /// The bytes of the file at `path`, or `Ok(None)` when there is no such
    /// file. `path` is the root joined with a relative path.
    fn read(&self, path: &Path) -> io::Result<Option<Vec<u8>>>;

    /// Whether absolute imports stop at [`ProjectFiles::root`]. True for a
    /// git work tree; false when the root is only a guess (a project in no
    /// repository), where a module may sit above it.
    fn stops_at_root(&self) -> bool {
        true
    }
}

/// [`ProjectFiles`] on the local file system.
#[derive(Debug, Clone)]
pub struct DiskFiles {
    root: PathBuf,
    stops_at_root: bool,
}

impl DiskFiles {
    /// The files under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            stops_at_root: true,
        }
    }

    /// The files around `root`, a guessed root that absolute imports may
    /// also be looked for above (see [`ProjectFiles::stops_at_root`]).
    pub fn around(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            stops_at_root: false,
        }
    }
}

impl ProjectFiles for DiskFiles {
    fn root(&self) -> &Path {
        &self.root
    }

    fn stops_at_root(&self) -> bool {
        self.stops_at_root
    }

    fn read(&self, path: &Path) -> io::Result<Option<Vec<u8>>> {
        match alembic_doctor_source::read_regular(path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::NotFound
                        | io::ErrorKind::IsADirectory
                        | io::ErrorKind::NotADirectory
                ) =>
            {
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }
}

/// A project's modules, found and parsed on demand, each at most once.
///
/// Share one `Project` between all the migrations of a run (it is `Sync`);
/// parsing the same constants module for each of a thousand migrations is
/// what it avoids.
pub struct Project {
    files: Box<dyn ProjectFiles>,
    modules: Mutex<HashMap<PathBuf, Arc<OnceLock<Loaded>>>>,
}

impl std::fmt::Debug for Project {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Project")
            .field("root", &self.root())
            .finish_non_exhaustive()
    }
}

/// One path's entry in the cache.
type Loaded = Result<Option<Arc<ModuleSummary>>, String>;

/// What a project module binds at top level, once parsed.
#[derive(Debug)]
pub(crate) struct ModuleSummary {
    pub(crate) path: PathBuf,
    pub(crate) env: Env,
    /// The first syntax error, "line N: message": importing the module
    /// fails, so nothing can come from it.
    pub(crate) syntax_error: Option<String>,
}

/// The result of looking a module up.
pub(crate) enum Lookup {
    Found(Arc<ModuleSummary>),
    Unreadable { path: PathBuf, error: String },
    NotFound,
}

impl Project {
    /// A project whose files are read through `files`.
    pub fn new(files: impl ProjectFiles + 'static) -> Self {
        Self {
            files: Box::new(files),
            modules: Mutex::new(HashMap::new()),
        }
    }

    /// The project under `root` on the local file system.
    pub fn on_disk(root: impl Into<PathBuf>) -> Self {
        Self::new(DiskFiles::new(root))
    }

    /// The project root.
    pub fn root(&self) -> &Path {
        self.files.root()
    }

    /// `path` relative to the root when it is under it, for messages.
    pub(crate) fn display(&self, path: &Path) -> String {
        path.strip_prefix(self.root())
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// Find the module `parts` (dotted name, split) imported from a file in
    /// `dir`, with `level` leading dots. Every path looked at (found or not)
    /// is added to `probed`: the answer depends on exactly those files.
    pub(crate) fn find(
        &self,
        dir: &Path,
        level: u32,
        parts: &[String],
        probed: &mut Vec<PathBuf>,
    ) -> Lookup {
        if level > 0 {
            let Some(base) = dir
                .ancestors()
                .nth(usize::try_from(level - 1).unwrap_or(usize::MAX))
            else {
                return Lookup::NotFound;
            };
            return self.find_in(base, parts, probed);
        }
        if parts.is_empty() {
            return Lookup::NotFound;
        }
        let root = self.root();
        let within_root = self.files.stops_at_root() && dir.starts_with(root);
        for ancestor in dir.ancestors().take(MAX_ANCESTORS) {
            if within_root && !ancestor.starts_with(root) {
                break;
            }
            for base in [ancestor.to_path_buf(), ancestor.join("src")] {
                match self.find_in(&base, parts, probed) {
                    Lookup::NotFound => {}
                    found => return found,
                }
            }
        }
        Lookup::NotFound
    }

    /// The module `parts` directly under `base`: `base/a/b/__init__.py`,
    /// then `base/a/b.py`.
    fn find_in(&self, base: &Path, parts: &[String], probed: &mut Vec<PathBuf>) -> Lookup {
        let mut package = base.to_path_buf();
        package.extend(parts);
        let mut candidates = vec![package.join("__init__.py")];
        if let Some((last, init)) = parts.split_last() {
            let mut module = base.to_path_buf();
            module.extend(init);
            module.push(format!("{last}.py"));
            candidates.push(module);
        }
        for candidate in candidates {
            probed.push(candidate.clone());
            match self.load(&candidate) {
                Ok(Some(summary)) => return Lookup::Found(summary),
                Ok(None) => {}
                Err(error) => {
                    return Lookup::Unreadable {
                        path: candidate,
                        error,
                    };
                }
            }
        }
        Lookup::NotFound
    }

    /// The summary of the module file at `path`, parsed on first use.
    fn load(&self, path: &Path) -> Loaded {
        let cell = {
            let mut modules = self.modules.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(modules.entry(path.to_path_buf()).or_default())
        };
        // Parsing happens outside the map's lock; a second thread asking for
        // the same module waits for the first one's result. Parsing never
        // loads another module (imports stay symbolic), so this cannot
        // deadlock on an import cycle.
        cell.get_or_init(|| match self.files.read(path) {
            Ok(Some(bytes)) => Ok(Some(Arc::new(summarize(path, &bytes)))),
            Ok(None) => Ok(None),
            Err(error) => Err(error.to_string()),
        })
        .clone()
    }
}

/// Parse a project module and keep its top-level bindings.
fn summarize(path: &Path, bytes: &[u8]) -> ModuleSummary {
    let dir = path.parent().unwrap_or(Path::new(""));
    let decoded = encoding::decode(bytes);
    let result = syntax::parse_module(&decoded.text).and_then(|parsed| {
        syntax::with_module(parsed, |parsed| {
            let lowering = Lowering {
                text: &decoded.text,
                original: bytes,
                map: &decoded.map,
            };
            let walked = bindings::walk(&parsed.body, &lowering, dir, FileKind::Module);
            let first_error =
                read::syntax_errors(&decoded, parsed, &lowering, walked.compile_errors)
                    .into_iter()
                    .next()
                    .map(|error| (error.message, error.span.start));
            (walked.env, first_error)
        })
    });
    match result {
        Ok((env, first_error)) => ModuleSummary {
            path: path.to_path_buf(),
            env,
            syntax_error: first_error.map(|(message, at)| {
                let line = LineIndex::new(bytes).line_column(at, bytes).line;
                format!("line {line}: {message}")
            }),
        },
        Err(message) => ModuleSummary {
            path: path.to_path_buf(),
            env: Env::default(),
            syntax_error: Some(message),
        },
    }
}

/// Where the migration file being read sits, and the project whose modules
/// it may import from.
#[derive(Debug, Clone, Copy)]
pub struct ScriptContext<'a> {
    path: &'a Path,
    project: Option<&'a Project>,
}

impl<'a> ScriptContext<'a> {
    /// A migration at `path` in `project`. Give `path` in the same form as
    /// the project root (both absolute, or both relative to the same
    /// directory) so that the search for imported modules stays inside the
    /// project.
    pub fn new(path: &'a Path, project: &'a Project) -> Self {
        Self {
            path,
            project: Some(project),
        }
    }

    /// A migration read on its own: names imported from other modules stay
    /// unknown.
    pub fn standalone(path: &'a Path) -> Self {
        Self {
            path,
            project: None,
        }
    }

    /// The migration's path.
    pub fn path(&self) -> &'a Path {
        self.path
    }

    /// The project, if any.
    pub fn project(&self) -> Option<&'a Project> {
        self.project
    }

    /// The directory imports are resolved from.
    pub(crate) fn dir(&self) -> &'a Path {
        self.path.parent().unwrap_or(Path::new(""))
    }
}
