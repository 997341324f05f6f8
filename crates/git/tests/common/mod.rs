//! Building real git repositories in temporary directories with the `git`
//! command, hermetically: fixed identities and dates, no system or global
//! configuration, `main` as the initial branch, and none of the variables
//! that would point `git` at another repository (tests may run inside a git
//! hook, where `GIT_DIR` is set).

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A temporary directory, with its canonical path (so that paths compare
/// equal to the ones the library derives from the real file system).
pub struct Scratch {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Scratch {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = fs::canonicalize(dir.path()).expect("canonical temporary directory");
        Self { _dir: dir, path }
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.path.join(rel)
    }
}

/// Run `git args` in `dir`; panic with its output when it fails. Returns
/// stdout, trimmed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = git_command(dir)
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

pub fn git_command(dir: &Path) -> Command {
    let mut command = Command::new("git");
    for name in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_COMMON_DIR",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_NAMESPACE",
        "GIT_CEILING_DIRECTORIES",
    ] {
        command.env_remove(name);
    }
    command
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
        .env("GIT_TERMINAL_PROMPT", "0")
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "protocol.file.allow=always",
            "-c",
            "core.symlinks=true",
            "-c",
            "advice.detachedHead=false",
        ]);
    command
}

/// `git init` a new repository at `path`.
pub fn init(path: &Path) {
    fs::create_dir_all(path).expect("repository directory");
    git(path, &["init", "-q"]);
}

/// Write `content` to `root/rel`, creating directories.
pub fn write(root: &Path, rel: &str, content: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("parent directory");
    }
    fs::write(path, content).expect("file written");
}

/// A symbolic link at `root/rel` pointing to `target`.
#[cfg(unix)]
pub fn symlink(root: &Path, target: &str, rel: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("parent directory");
    }
    std::os::unix::fs::symlink(target, path).expect("symlink created");
}

/// Stage everything and commit; returns the new commit's id.
pub fn commit_all(root: &Path, message: &str) -> String {
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "--allow-empty", "-m", message]);
    git(root, &["rev-parse", "HEAD"])
}

/// A migration file's text.
pub fn migration(revision: &str, down: Option<&str>) -> String {
    let down = down.map_or_else(|| "None".to_owned(), |d| format!("'{d}'"));
    format!(
        "\"\"\"{revision}\"\"\"\nrevision = '{revision}'\ndown_revision = {down}\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
    )
}
