//! From command-line flags to a [`Project`]: configuration, listing, parsing
//! (in parallel), revision map.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use alembic_doctor_config::{AlembicConfig, ConfigError, ConfigFiles, ConfigRequest};
use alembic_doctor_script::ProjectFiles;
use alembic_doctor_source::{DiskTree, ListingSpec, SourceFile, Tree};

use crate::Project;
use crate::cache::ParseCache;
use crate::cached::{self, CachedBuild};
use crate::inputs::{self, AfterParse};

/// What to load: `alembic`'s own flags, plus `--versions`.
#[derive(Debug, Clone)]
pub struct LoadRequest {
    /// The directory the command runs in.
    pub cwd: PathBuf,
    /// `-c` files (an ini and/or a `pyproject.toml`).
    pub config_files: Vec<PathBuf>,
    /// `-n` section.
    pub section: String,
    /// `$ALEMBIC_CONFIG`.
    pub env_config: Option<OsString>,
    /// `--versions` directories, read instead of the configured locations.
    pub versions: Vec<PathBuf>,
    /// `--recursive`: walk sub-directories of `--versions` directories.
    pub recursive: bool,
    /// The directory displayed paths are relative to, when it is not
    /// `cwd` (`report` names files from the repository's root wherever it
    /// runs, as pull requests name them).
    pub display_root: Option<PathBuf>,
    /// Read what each migration's `upgrade()` and `downgrade()` do while
    /// parsing it ([`crate::ProjectFile::operations`]), for the safety
    /// lints: one parse per file instead of two, and the parse cache keeps
    /// them. Without it, a file's operations are read when first asked for.
    pub operations: bool,
    /// Keep each file's bytes in memory once parsed. Without it, files
    /// parsed from the disk without the parse cache are read again when
    /// their bytes are first needed (to print a code frame), and only if
    /// they have not changed since: a command that compares or rewrites
    /// the files' bytes keeps them.
    pub keep_bytes: bool,
}

/// Why a project could not be loaded at all (per-file problems are not
/// errors; they become findings).
#[derive(Debug)]
pub enum LoadError {
    /// The configuration could not be found or read.
    Config(ConfigError),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Config(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Config(error) => error.source(),
        }
    }
}

impl From<ConfigError> for LoadError {
    fn from(error: ConfigError) -> Self {
        LoadError::Config(error)
    }
}

impl LoadRequest {
    /// The directory displayed paths are relative to: `display_root`, else
    /// `cwd`.
    pub fn display_root(&self) -> &Path {
        self.display_root.as_deref().unwrap_or(&self.cwd)
    }

    /// The configuration reader's request.
    pub fn config_request(&self) -> ConfigRequest {
        ConfigRequest {
            cwd: self.cwd.clone(),
            config_files: self.config_files.clone(),
            section: self.section.clone(),
            alembic_config_env: self.env_config.clone(),
            versions: self.versions.clone(),
        }
    }
}

/// What the listing walks for a loaded configuration: its version
/// locations, with `--recursive` added to `recursive_version_locations`.
pub fn listing_spec(config: &AlembicConfig, recursive: bool) -> ListingSpec {
    ListingSpec {
        locations: config.version_locations.clone(),
        recursive: config.recursive_version_locations || recursive,
        sourceless: config.sourceless,
    }
}

/// Load the project `request` names, parsing every file.
pub fn load(request: &LoadRequest) -> Result<Project, LoadError> {
    load_with_cache(request, None)
}

/// [`load`], reusing and updating `cache` when given: files unchanged
/// since they were cached are neither opened nor parsed.
pub fn load_with_cache(
    request: &LoadRequest,
    cache: Option<&ParseCache>,
) -> Result<Project, LoadError> {
    let timer = StageTimer::from_env();
    let config = alembic_doctor_config::load(&request.config_request())?;
    timer.lap("config");
    let spec = listing_spec(&config, request.recursive);
    let Some(cache) = cache else {
        let listing = alembic_doctor_source::list_versions(&spec);
        timer.lap("list and read files");
        let modules = disk_modules(&config, &request.cwd);
        let after_parse = if request.keep_bytes {
            AfterParse::Keep
        } else {
            AfterParse::RereadFromDisk
        };
        let project = from_files_timed(
            config,
            (listing.files, listing.notes),
            (request.display_root(), &modules),
            (request.operations, after_parse),
            &timer,
        );
        return Ok(project);
    };
    let modules = disk_modules(&config, &request.cwd);
    let project = cached_project(
        config,
        &DiskTree,
        (&spec, cached::DISK),
        (request.display_root(), &modules),
        (cache, request.operations),
        &timer,
    );
    timer.lap("build map (and write cache)");
    Ok(project)
}

/// `ALEMBIC_DOCTOR_TIMINGS=1` prints how long each stage took, on stderr:
/// the first thing to look at when a project loads slowly.
pub struct StageTimer(Option<std::cell::Cell<std::time::Instant>>);

impl StageTimer {
    /// A timer that times from now when `ALEMBIC_DOCTOR_TIMINGS` is set,
    /// and does nothing otherwise.
    pub fn from_env() -> Self {
        Self(
            std::env::var_os("ALEMBIC_DOCTOR_TIMINGS")
                .map(|_| std::cell::Cell::new(std::time::Instant::now())),
        )
    }

    /// Print the time since the last lap (or the start) as `stage`'s, and
    /// the memory resident at its end where the system says (Linux): on a
    /// cold run, first-touched memory costs as much time as the work.
    pub fn lap(&self, stage: &str) {
        if let Some(start) = &self.0 {
            let now = std::time::Instant::now();
            let resident = resident_mib()
                .map(|mib| format!(", {mib} MiB resident"))
                .unwrap_or_default();
            let cpu = cpu_ms()
                .map(|ms| format!(", {ms} ms CPU so far"))
                .unwrap_or_default();
            eprintln!(
                "timing: {stage}: {:.1} ms{cpu}{resident}",
                (now - start.get()).as_secs_f64() * 1000.0
            );
            start.set(now);
        }
    }
}

/// The CPU time the process has used so far, every thread's, user and
/// system, in milliseconds, from `/proc/self/stat` (in ticks of 10 ms, as
/// on every Linux the tool is built for): beside a stage's wall time, it
/// says how much of the stage ran in parallel.
fn cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name, in parentheses, may hold spaces: count fields
    // after it (utime and stime are the 14th and 15th).
    let mut fields = stat.get(stat.rfind(')')? + 1..)?.split_whitespace();
    let user: u64 = fields.nth(11)?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some((user + system) * 10)
}

/// The process's resident memory in MiB, from `/proc/self/statm` (its
/// second field, in pages; 4 KiB pages assumed, as on every Linux the
/// tool is built for).
fn resident_mib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4 / 1024)
}

/// Load the project `request` names from `tree` instead of the disk (a git
/// revision's tree, or a simulated merge): the configuration, the version
/// files and the modules migrations import are all read from it, so paths in
/// `request` are paths in the tree.
pub fn load_in<T>(tree: &T, request: &LoadRequest) -> Result<Project, LoadError>
where
    T: Tree + ConfigFiles + ProjectFiles + Clone + 'static,
{
    load_in_with_cache(tree, request, None)
}

/// [`load_in`], reusing and updating `cache` when given, for the files
/// whose content `tree` can identify ([`Tree::stamp`]: a git blob's id).
pub fn load_in_with_cache<T>(
    tree: &T,
    request: &LoadRequest,
    cache: Option<&ParseCache>,
) -> Result<Project, LoadError>
where
    T: Tree + ConfigFiles + ProjectFiles + Clone + 'static,
{
    let config = alembic_doctor_config::load_in(tree, &request.config_request())?;
    let spec = listing_spec(&config, request.recursive);
    let modules = alembic_doctor_script::Project::new(tree.clone());
    let Some(cache) = cache else {
        let listing = alembic_doctor_source::list_versions_in(tree, &spec);
        return Ok(from_files_reading(
            config,
            (listing.files, listing.notes),
            request.display_root(),
            &modules,
            request.operations,
        ));
    };
    Ok(cached_project(
        config,
        tree,
        (&spec, "tree"),
        (request.display_root(), &modules),
        (cache, request.operations),
        &StageTimer(None),
    ))
}

/// Build a project from the version files `spec` lists in `tree` (a
/// simulated merge), with `config` as read elsewhere, through `cache`: a
/// file whose [`Tree::stamp`] matches its cache entry is not parsed again.
/// `kind` names the cache file (one per kind of tree and listing).
/// `operations`: as [`LoadRequest::operations`].
pub fn from_tree_with_cache<T>(
    config: AlembicConfig,
    tree: &T,
    (spec, kind): (&ListingSpec, &'static str),
    (display_root, modules): (&Path, &alembic_doctor_script::Project),
    cache: &ParseCache,
    operations: bool,
) -> Project
where
    T: Tree + Clone + Send + 'static,
{
    cached_project(
        config,
        tree,
        (spec, kind),
        (display_root, modules),
        (cache, operations),
        &StageTimer(None),
    )
}

/// The project of the version files `spec` lists in `tree`, built through
/// `cache` (a file whose [`Tree::stamp`] matches its entry is not parsed
/// again); `kind` names the cache file (one per kind of tree and listing).
fn cached_project<T>(
    config: AlembicConfig,
    tree: &T,
    (spec, kind): (&ListingSpec, &'static str),
    (display_root, modules): (&Path, &alembic_doctor_script::Project),
    (cache, operations): (&ParseCache, bool),
    timer: &StageTimer,
) -> Project
where
    T: Tree + Clone + Send + Sync + 'static,
{
    let how = CachedBuild {
        tree: Arc::new(tree.clone()),
        tree_kind: kind,
        spec,
        cache,
        operations,
    };
    let list = || alembic_doctor_source::list_candidates_stamped(tree, spec);
    let (files, map, revision_files, notes) =
        cached::build_cached(list, display_root, modules, &how, timer);
    Project {
        version_locations: config.version_locations.clone(),
        files,
        map,
        revision_files,
        notes,
        config,
    }
}

/// Build a project from files already listed in load order, on disk:
/// imported modules are looked for on the local file system.
pub fn from_files(
    config: AlembicConfig,
    files: Vec<SourceFile>,
    notes: Vec<alembic_doctor_source::SourceNote>,
    cwd: &Path,
) -> Project {
    let modules = disk_modules(&config, cwd);
    from_files_reading(config, (files, notes), cwd, &modules, false)
}

/// The project's modules on disk, for constants migrations import.
fn disk_modules(config: &AlembicConfig, cwd: &Path) -> alembic_doctor_script::Project {
    let config_dir = config
        .ini_file
        .as_deref()
        .or(config.toml_file.as_deref())
        .and_then(Path::parent);
    let (root, in_git) = inputs::module_root(&config.version_locations, config_dir, cwd);
    if in_git {
        alembic_doctor_script::Project::on_disk(root)
    } else {
        alembic_doctor_script::Project::new(alembic_doctor_script::DiskFiles::around(root))
    }
}

/// Build a project from files already listed in load order, resolving
/// imported constants through `modules` (the disk, or a git tree), with
/// paths displayed relative to `display_root`; reading each file's
/// operations too when `operations` ([`LoadRequest::operations`]).
pub fn from_files_reading(
    config: AlembicConfig,
    (files, notes): (Vec<SourceFile>, Vec<alembic_doctor_source::SourceNote>),
    display_root: &Path,
    modules: &alembic_doctor_script::Project,
    operations: bool,
) -> Project {
    // The files may come from anywhere (a git tree): only the listing
    // itself can say where to read them again.
    from_files_timed(
        config,
        (files, notes),
        (display_root, modules),
        (operations, AfterParse::Keep),
        &StageTimer(None),
    )
}

/// [`from_files_reading`], timing its stages with `timer`.
fn from_files_timed(
    config: AlembicConfig,
    (files, notes): (Vec<SourceFile>, Vec<alembic_doctor_source::SourceNote>),
    (display_root, modules): (&Path, &alembic_doctor_script::Project),
    reading: (bool, AfterParse),
    timer: &StageTimer,
) -> Project {
    let version_locations = config.version_locations.clone();
    let (files, map, revision_files) =
        inputs::build(files, (display_root, modules), reading, timer);
    Project {
        version_locations,
        files,
        map,
        revision_files,
        notes,
        config,
    }
}

/// `path` relative to `cwd` (the display root) when below it, else as is.
pub(crate) fn display_path(path: &Path, cwd: &Path) -> String {
    // The common case without `Path::strip_prefix`'s walk over both paths'
    // components (a few percent of a warm `heads`): `cwd` then `/` then a
    // plain relative rest (no empty or `.` component), byte for byte.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let (path_bytes, cwd_bytes) = (path.as_os_str().as_bytes(), cwd.as_os_str().as_bytes());
        if let Some(rest) = path_bytes
            .strip_prefix(cwd_bytes)
            .and_then(|rest| rest.strip_prefix(b"/"))
            && cwd_bytes.len() > 1
            && !cwd_bytes.ends_with(b"/")
            && is_plain_relative(rest)
        {
            // `from_utf8` checks a word at a time; the lossy conversion
            // walks characters.
            return std::str::from_utf8(rest).map_or_else(
                |_| String::from_utf8_lossy(rest).into_owned(),
                str::to_owned,
            );
        }
    }
    path.strip_prefix(cwd)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// Whether `path` is a relative path without empty or `.` components
/// (`a/b.py`, not `a//b.py`, `./a.py` or `a/`), in one pass over its
/// bytes, as this runs once per file.
#[cfg(unix)]
fn is_plain_relative(path: &[u8]) -> bool {
    // The length of the component so far, and whether it is `.`.
    let (mut len, mut dot) = (0usize, false);
    for &byte in path {
        if byte == b'/' {
            if len == 0 || (len == 1 && dot) {
                return false;
            }
            len = 0;
        } else {
            dot = len == 0 && byte == b'.';
            len += 1;
        }
    }
    !(len == 0 || (len == 1 && dot))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte shortcut must agree with `strip_prefix` wherever it applies.
    #[test]
    fn display_paths_agree_with_strip_prefix() {
        let slow = |path: &str, cwd: &str| {
            Path::new(path)
                .strip_prefix(cwd)
                .unwrap_or(Path::new(path))
                .to_string_lossy()
                .into_owned()
        };
        for (path, cwd) in [
            ("/p/migrations/versions/a.py", "/p"),
            ("/p/a.py", "/p/"),
            ("/pq/a.py", "/p"),
            ("/p", "/p"),
            ("/p/a.py", "/"),
            ("/other/a.py", "/p"),
            ("/p/./x/a.py", "/p"),
            ("/p//x/a.py", "/p"),
            ("/p/x/", "/p"),
            ("/p/x/./a.py", "/p"),
            ("/p/x/.", "/p"),
            ("/p/..x/a.py", "/p"),
            ("/p/x/../a.py", "/p"),
        ] {
            assert_eq!(
                display_path(Path::new(path), Path::new(cwd)),
                slow(path, cwd),
                "{path} from {cwd}"
            );
        }
    }
}
