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
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};

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
    /// The end of what `git` wrote on stderr, kept by a thread that drains
    /// the pipe (so that `git` never blocks on a full pipe): when the
    /// process dies, its last words say why.
    stderr: Arc<Mutex<Vec<u8>>>,
    drain: Option<std::thread::JoinHandle<()>>,
}

impl Process {
    /// Stop `git` and give the drain thread a moment to read its last
    /// words. Bounded: a `git fetch` started by `cat-file` may hold the
    /// pipe open a little longer, and we must not hang on it.
    fn finish(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(drain) = self.drain.take() {
            for _ in 0..50 {
                if drain.is_finished() {
                    let _ = drain.join();
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
    }
}

/// How much of `git`'s stderr is kept.
const STDERR_TAIL: usize = 4096;

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
            Err(mut message) => {
                process.finish();
                let tail = process
                    .stderr
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let said = String::from_utf8_lossy(&tail);
                let lines: Vec<&str> = said
                    .lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty())
                    .collect();
                if !lines.is_empty() {
                    message = format!("{message}: {}", lines.join(" "));
                }
                drop(tail);
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
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| GitError::GitCommand {
                command: self.command_line(),
                message: format!("cannot start `git` ({error}); is git installed and on PATH?"),
            })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(GitError::GitCommand {
                command: self.command_line(),
                message: "its input and output could not be connected".to_owned(),
            });
        };
        let tail = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&tail);
        // Ends when `git` exits and the pipe closes.
        let drain = std::thread::spawn(move || drain(stderr, &kept));
        Ok(Process {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            stderr: tail,
            drain: Some(drain),
        })
    }
}

/// Keep the last [`STDERR_TAIL`] bytes of `stderr` in `tail`.
fn drain(mut stderr: ChildStderr, tail: &Mutex<Vec<u8>>) {
    let mut buffer = [0_u8; 1024];
    while let Ok(read) = stderr.read(&mut buffer) {
        let Some(chunk) = buffer.get(..read).filter(|chunk| !chunk.is_empty()) else {
            break;
        };
        let mut kept = tail.lock().unwrap_or_else(PoisonError::into_inner);
        kept.extend_from_slice(chunk);
        if kept.len() > STDERR_TAIL {
            let excess = kept.len() - STDERR_TAIL;
            kept.drain(..excess);
        }
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

/// Fetch `ids` from the promisor remote `remote` of a partial clone in one
/// request, the way git itself fetches missing objects
/// (`promisor-remote.c`, `fetch_objects`). One fetch for a whole directory
/// instead of one per file: `cat-file` alone fetches each missing blob
/// separately, a network round trip per migration.
pub(crate) fn fetch_objects(
    git_dir: &Path,
    remote: &str,
    ids: &[gix::ObjectId],
) -> Result<(), GitError> {
    let shown = format!(
        "git fetch {remote} --filter=blob:none --stdin (with {} object ids)",
        ids.len()
    );
    let failed = |message: String| GitError::GitCommand {
        command: shown.clone(),
        message,
    };
    let mut child = git_command(git_dir)
        .args([
            "-c",
            "fetch.negotiationAlgorithm=noop",
            "fetch",
            remote,
            "--no-tags",
            "--no-write-fetch-head",
            "--recurse-submodules=no",
            "--filter=blob:none",
            "--quiet",
            "--stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| {
            failed(format!(
                "cannot start `git` ({error}); is git installed and on PATH?"
            ))
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        let mut request = String::with_capacity(ids.len() * 41);
        for id in ids {
            request.push_str(&id.to_hex().to_string());
            request.push('\n');
        }
        // A write error shows as the command's failure below.
        let _ = stdin.write_all(request.as_bytes());
    }
    let output = child
        .wait_with_output()
        .map_err(|error| failed(error.to_string()))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(failed(
            String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        ))
    }
}
