//! Test support, for dev-dependencies only: real git repositories built in
//! temporary directories with the `git` command, hermetically (fixed
//! identities and dates, so commit ids are the same on every run; no system
//! or global configuration; `main` as the initial branch; none of the
//! variables that would point `git` at another repository, since tests may
//! run inside a git hook where `GIT_DIR` is set).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Variables that would make `git` (or the binary under test) look at
/// another repository, configuration or database.
const FOREIGN_VARIABLES: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "ALEMBIC_CONFIG",
    "ALEMBIC_DOCTOR_DATABASE_URL",
];

/// `program` run in `dir` with a hermetic environment.
pub fn hermetic_command(program: impl AsRef<std::ffi::OsStr>, dir: &Path) -> Command {
    let mut command = Command::new(program);
    for name in FOREIGN_VARIABLES {
        command.env_remove(name);
    }
    command
        .current_dir(dir)
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
        .env("GIT_TERMINAL_PROMPT", "0");
    // The parse cache stays on, as users have it, but inside `.git` (never
    // the working tree, where it would be an untracked file); without a
    // `.git` directory, off.
    command.env_remove("ALEMBIC_DOCTOR_NO_CACHE");
    let git_dir = dir.join(".git");
    if git_dir.is_dir() {
        command.env(
            "ALEMBIC_DOCTOR_CACHE_DIR",
            git_dir.join("alembic-doctor-cache"),
        );
    } else {
        command.env("ALEMBIC_DOCTOR_NO_CACHE", "1");
    }
    command
}

/// Run `git args` in `dir`; panic with its output when it fails. Returns
/// stdout, trimmed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = hermetic_command("git", dir)
        .args(["-c", "init.defaultBranch=main"])
        .args(args)
        .output()
        .expect("git can be started");
    assert!(
        output.status.success(),
        "git {args:?} in {} failed:\n{}{}",
        dir.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// A git repository holding an Alembic project: `alembic.ini` with
/// `script_location = migrations`, and one base revision `aaa`
/// (`migrations/versions/aaa_init.py`) committed on `main`.
pub struct GitProject {
    /// Owns the temporary directory; `None` for a repository inside
    /// another one's directory (a clone).
    _dir: Option<tempfile::TempDir>,
    /// The working tree, canonical (so that it compares equal to paths the
    /// library derives from the file system).
    pub path: PathBuf,
}

impl Default for GitProject {
    fn default() -> Self {
        Self::new()
    }
}

impl GitProject {
    /// A new repository with the base revision committed.
    pub fn new() -> Self {
        let project = Self::empty();
        project.write("alembic.ini", "[alembic]\nscript_location = migrations\n");
        project.migration("aaa", None, "aaa_init.py");
        project.commit("init");
        project
    }

    /// A new repository with no commit and no files.
    pub fn empty() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = fs::canonicalize(dir.path()).expect("canonical temporary directory");
        let project = Self {
            _dir: Some(dir),
            path,
        };
        project.git(&["init", "-q"]);
        project
    }

    /// A repository already at `path` (a clone made inside another
    /// project's directory); it lives as long as that project.
    pub fn at(path: PathBuf) -> Self {
        Self { _dir: None, path }
    }

    /// `program` run in the working tree, hermetically.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        hermetic_command(program, &self.path)
    }

    /// `git args`; panics on failure; stdout, trimmed.
    pub fn git(&self, args: &[&str]) -> String {
        git(&self.path, args)
    }

    /// Write `content` at `rel`, creating directories.
    pub fn write(&self, rel: &str, content: &str) {
        let path = self.path.join(rel);
        fs::create_dir_all(path.parent().expect("a parent")).expect("parent directory");
        fs::write(path, content).expect("file written");
    }

    /// A minimal migration `migrations/versions/<file>` with a docstring
    /// naming the revision.
    pub fn migration(&self, revision: &str, down: Option<&str>, file: &str) {
        self.migration_with(revision, down, file, revision);
    }

    /// A migration whose docstring (Alembic's message) is `message`. Its
    /// `upgrade()` names the file, so that two files declaring one id are
    /// two migrations, as in real projects, not one committed twice (which
    /// `fix duplicate-ids` deletes rather than renames).
    pub fn migration_with(&self, revision: &str, down: Option<&str>, file: &str, message: &str) {
        let down = down.map_or_else(|| "None".to_owned(), |d| format!("'{d}'"));
        self.write(
            &format!("migrations/versions/{file}"),
            &format!(
                "\"\"\"{message}\"\"\"\nrevision = '{revision}'\ndown_revision = {down}\n\n\ndef upgrade():\n    pass  # {file}\n\n\ndef downgrade():\n    pass\n"
            ),
        );
    }

    /// Stage everything and commit (empty commits allowed).
    pub fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    /// Create branch `name` at `from` and check it out.
    pub fn branch(&self, name: &str, from: &str) {
        self.git(&["checkout", "-q", "-b", name, from]);
    }

    /// Check out `name`.
    pub fn checkout(&self, name: &str) {
        self.git(&["checkout", "-q", name]);
    }

    /// Fork `branch` off `main` with revision `on_branch` (in
    /// `<id>_feature.py`) on `aaa`, then move `main` on with `on_main` (in
    /// `<id>_main.py`), also on `aaa`: the two pull requests that give
    /// `main` two heads once merged. Ends on `branch`.
    pub fn fork_while_main_moves(&self, branch: &str, on_branch: &str, on_main: &str) {
        self.branch(branch, "main");
        self.migration(on_branch, Some("aaa"), &format!("{on_branch}_feature.py"));
        self.commit("feature revision");
        self.checkout("main");
        self.migration(on_main, Some("aaa"), &format!("{on_main}_main.py"));
        self.commit("main moves on");
        self.checkout(branch);
    }

    /// Run `bin args` in the working tree: (exit code, stdout, stderr).
    pub fn run_program(&self, bin: &str, args: &[&str]) -> (i32, String, String) {
        let output = self.command(bin).args(args).output().expect("binary runs");
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }
}
