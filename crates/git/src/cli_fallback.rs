//! Reading objects through the `git` command when gix cannot.
//!
//! gix 0.90 does not fetch missing objects of a partial clone
//! (`git clone --filter=blob:none`, common in CI): it reports them as not
//! found. The `git` command fetches them from the promisor remote on demand,
//! so for an object gix does not have we ask one long-lived
//! `git cat-file --batch` process, started on first need and shared by all
//! threads (behind a mutex: the protocol is one request, one answer).
//!
//! The process runs with `GIT_TERMINAL_PROMPT=0` so that a fetch needing a
//! password fails instead of waiting for a terminal, and with the variables
//! that would point it at another repository removed.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, PoisonError};

use crate::error::GitError;

/// Environment variables that would make `git` read another repository than
/// the one we name with `--git-dir`.
pub(crate) const REPOSITORY_ENV: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
];

/// A `git` command for the repository whose git directory is `git_dir`.
pub(crate) fn git_command(git_dir: &Path) -> Command {
    let mut command = Command::new("git");
    for name in REPOSITORY_ENV {
        command.env_remove(name);
    }
    command
        .env("GIT_TERMINAL_PROMPT", "0")
        .arg("--git-dir")
        .arg(git_dir);
    command
}

/// The kind and bytes of an object, as `git cat-file --batch` prints them.
#[derive(Debug)]
pub(crate) struct RawObject {
    pub(crate) kind: gix::objs::Kind,
    pub(crate) data: Vec<u8>,
}

/// A lazily started `git cat-file --batch`.
#[derive(Debug)]
pub(crate) struct CatFile {
    git_dir: PathBuf,
    process: Mutex<Option<Process>>,
}

#[derive(Debug)]
struct Process {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Drop for Process {
    fn drop(&mut self) {
        // Closing stdin ends `cat-file`; kill in case it is stuck fetching.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl CatFile {
    pub(crate) fn new(git_dir: PathBuf) -> Self {
        Self {
            git_dir,
            process: Mutex::new(None),
        }
    }

    fn command_line(&self) -> String {
        format!("git --git-dir {} cat-file --batch", self.git_dir.display())
    }

    /// The object `id`, or `Ok(None)` when `git` does not have it either
    /// (after trying to fetch it, in a partial clone).
    pub(crate) fn read(&self, id: &gix::oid) -> Result<Option<RawObject>, GitError> {
        let mut guard = self.process.lock().unwrap_or_else(PoisonError::into_inner);
        if guard.is_none() {
            *guard = Some(self.spawn()?);
        }
        let Some(process) = guard.as_mut() else {
            return Ok(None);
        };
        match ask(process, id) {
            Ok(answer) => Ok(answer),
            Err(message) => {
                // The protocol is out of step now: start afresh next time.
                *guard = None;
                Err(GitError::GitCommand {
                    command: self.command_line(),
                    message,
                })
            }
        }
    }

    fn spawn(&self) -> Result<Process, GitError> {
        let mut child = git_command(&self.git_dir)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // A lazy fetch prints progress; a failed one is seen as `missing`.
            .stderr(Stdio::null())
            .spawn()
            .map_err(|error| GitError::GitCommand {
                command: self.command_line(),
                message: format!("cannot start `git` ({error}); is git installed and on PATH?"),
            })?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(GitError::GitCommand {
                command: self.command_line(),
                message: "its input and output could not be connected".to_owned(),
            });
        };
        Ok(Process {
            child,
            stdin,
            stdout: BufReader::new(stdout),
        })
    }
}

/// One request: `<id>\n`, answered by `<id> <type> <size>\n<bytes>\n` or
/// `<id> missing\n`.
fn ask(process: &mut Process, id: &gix::oid) -> Result<Option<RawObject>, String> {
    let mut request = id.to_hex().to_string();
    request.push('\n');
    process
        .stdin
        .write_all(request.as_bytes())
        .and_then(|()| process.stdin.flush())
        .map_err(|error| format!("cannot send a request: {error}"))?;
    let mut header = String::new();
    process
        .stdout
        .read_line(&mut header)
        .map_err(|error| format!("cannot read the answer: {error}"))?;
    if header.is_empty() {
        return Err("it stopped unexpectedly".to_owned());
    }
    let fields: Vec<&str> = header.trim_end().split(' ').collect();
    match fields.as_slice() {
        [_, "missing" | "ambiguous"] => Ok(None),
        [_, kind, size] => {
            let kind = gix::objs::Kind::from_bytes(kind.as_bytes())
                .map_err(|_| format!("unexpected object type in {header:?}"))?;
            let size: usize = size
                .parse()
                .map_err(|_| format!("unexpected object size in {header:?}"))?;
            // Read exactly `size` bytes and the newline after them, growing
            // the buffer as data arrives rather than trusting `size` upfront.
            let mut data = Vec::new();
            (&mut process.stdout)
                .take(size as u64)
                .read_to_end(&mut data)
                .map_err(|error| format!("cannot read the object: {error}"))?;
            let mut newline = [0_u8; 1];
            process
                .stdout
                .read_exact(&mut newline)
                .map_err(|error| format!("cannot read the object: {error}"))?;
            if data.len() != size || newline[0] != b'\n' {
                return Err(format!("a truncated answer for {id}"));
            }
            Ok(Some(RawObject { kind, data }))
        }
        _ => Err(format!("unexpected answer {header:?}")),
    }
}
