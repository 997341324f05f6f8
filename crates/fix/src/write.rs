//! Writing a [`Plan`] to disk so that no file is ever half-written and no
//! byte that someone else wrote is ever lost, and undoing it.
//!
//! A plan is written in two phases:
//! 1. **Prepare.** Every new byte goes to a temporary file beside its
//!    target (same directory, so the final `rename` never crosses a file
//!    system), flushed to disk and given the original's mode, owner and
//!    group. A full disk or a failing write stops here, before any file the
//!    user has was touched.
//! 2. **Commit.** Each target is then replaced by a `rename`. Immediately
//!    before, the original is kept under a backup name beside it (a hard
//!    link to the same inode, or a copy where hard links are not possible)
//!    and the backup is compared with the bytes the plan was computed from:
//!    a file that changed since it was read stops the plan. The backup is
//!    compared again after the rename, which catches a program that wrote
//!    into the file (through a handle it already had) between the check and
//!    the rename; that replacement is undone at once. Renames and new files
//!    never overwrite an existing file.
//!
//! A reader (or a crash) at any moment therefore sees each file either
//! fully old or fully new. The one case no check can see is another
//! program *replacing* the file by its own rename in the microseconds
//! between our check and our rename.
//!
//! Each step is recorded in a [`Journal`]. [`Journal::rollback`] undoes the
//! applied steps newest first, and restores a file only if it still holds
//! exactly what the fix wrote: a file changed since is left alone and
//! reported. When a step cannot be undone, the journal keeps every
//! temporary file and backup and [`RestoreFailure`] says, file by file,
//! what state things are in and which shell commands finish the fix or
//! undo it. [`Journal::finish`] removes the backups once the fix is kept.
//!
//! Temporary files are named `.NAME.XXXXXXXX.alembic-doctor.tmp` and backups
//! `.NAME.XXXXXXXX.alembic-doctor.orig`: hidden, and not `.py`, so neither
//! Alembic nor alembic-doctor takes one for a migration if a killed process
//! leaves it behind.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::ids::random_hex;
use crate::plan::Plan;

/// A step of writing, for the failure-injection hook of
/// [`write_plan_with`] and [`Journal::rollback_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Create the temporary file beside the target.
    CreateTemp,
    /// Write the new bytes into it.
    WriteTemp,
    /// Flush it to disk.
    SyncTemp,
    /// Give it the original file's mode, owner and group.
    SetPermissions,
    /// Keep the original under its backup name and compare it with the
    /// bytes the plan was computed from.
    Backup,
    /// Rename the temporary file over the target (or move it into place
    /// for a new file).
    Replace,
    /// Rename a file to its new name.
    Rename,
    /// Create a directory for a new file.
    CreateDir,
    /// Delete a file (move it to its backup name).
    Remove,
    /// Undo one applied step.
    Restore,
}

/// A hook called before every step, with the path the step is about; an
/// error stops the write there, as a failing disk would.
pub type StepHook<'a> = dyn FnMut(Step, &Path) -> io::Result<()> + 'a;

/// One operation of a plan, as written, undone, or finished by hand.
#[derive(Debug, Clone)]
enum Op {
    /// The directory `path` is created (during preparation: a new file's
    /// temporary file needs it).
    CreateDir { path: PathBuf },
    /// `path` is replaced by `temp`; its original inode is kept at `backup`.
    Rewrite {
        path: PathBuf,
        temp: PathBuf,
        backup: PathBuf,
        before: Vec<u8>,
        after: Vec<u8>,
    },
    /// `from` is renamed to `to`; the file then holds `bytes`.
    Rename {
        from: PathBuf,
        to: PathBuf,
        bytes: Vec<u8>,
    },
    /// `temp` is moved to the new file `path`.
    Create {
        path: PathBuf,
        temp: PathBuf,
        bytes: Vec<u8>,
    },
    /// `path` is moved to `backup` (deleted once the fix is kept).
    Remove {
        path: PathBuf,
        backup: PathBuf,
        before: Vec<u8>,
    },
}

#[derive(Debug)]
struct Entry {
    op: Op,
    applied: bool,
}

/// What has been prepared and written so far, to undo it or to finish it.
#[derive(Debug, Default)]
#[must_use = "a journal that is dropped can no longer undo the writes nor remove its backups"]
pub struct Journal {
    entries: Vec<Entry>,
}

/// Writing failed: the error, and what had been prepared and written before
/// it (still on disk until [`Journal::rollback`]).
#[derive(Debug)]
pub struct WriteFailure {
    /// The file the failing step was about.
    pub path: PathBuf,
    /// What went wrong.
    pub error: io::Error,
    /// The steps that completed.
    pub journal: Journal,
}

/// An undo that could not restore everything: why, the exact state of every
/// file of the plan, and the shell commands that finish the fix or undo it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreFailure {
    /// What the fix was doing, in the plan's words (each with the old and
    /// the new id or value), so that a person finishing by hand knows which
    /// revision had which id; empty when the journal was undone on its own.
    pub fixes: Vec<String>,
    /// What could not be undone, and why.
    pub problems: Vec<String>,
    /// Every operation of the plan and whether it is in effect now.
    pub state: Vec<String>,
    /// Shell commands (run in order, from any directory) that put back the
    /// files as they were before the fix.
    pub undo: Vec<String>,
    /// Shell commands that complete the fix instead.
    pub finish: Vec<String>,
}

impl fmt::Display for RestoreFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the restore did not complete: {}",
            self.problems.join("; ")
        )?;
        if !self.fixes.is_empty() {
            f.write_str("\nthe fix was:")?;
            for line in &self.fixes {
                write!(f, "\n  {line}")?;
            }
        }
        f.write_str("\nstate now:")?;
        for line in &self.state {
            write!(f, "\n  {line}")?;
        }
        f.write_str("\nto undo the fix, run:")?;
        for line in &self.undo {
            write!(f, "\n  {line}")?;
        }
        f.write_str("\nor to finish it, run:")?;
        for line in &self.finish {
            write!(f, "\n  {line}")?;
        }
        Ok(())
    }
}

/// Write `plan`.
pub fn write_plan(plan: &Plan) -> Result<Journal, WriteFailure> {
    write_plan_with(plan, &mut |_, _| Ok(()))
}

/// [`write_plan`], calling `hook` before every step (tests inject failures
/// here).
pub fn write_plan_with(plan: &Plan, hook: &mut StepHook<'_>) -> Result<Journal, WriteFailure> {
    let mut journal = Journal::default();
    if let Err((path, error)) = preflight(plan) {
        return Err(WriteFailure {
            path,
            error,
            journal,
        });
    }
    if let Err((path, error)) = prepare(plan, hook, &mut journal) {
        return Err(WriteFailure {
            path,
            error,
            journal,
        });
    }
    for index in 0..journal.entries.len() {
        if journal.entries[index].applied {
            continue;
        }
        let entry = &mut journal.entries[index];
        if let Err(error) = apply(entry, hook) {
            let path = entry.op.path().to_path_buf();
            return Err(WriteFailure {
                path,
                error,
                journal,
            });
        }
    }
    Ok(journal)
}

/// Phase 1: the directories new files need, and every temporary file.
fn prepare(
    plan: &Plan,
    hook: &mut StepHook<'_>,
    journal: &mut Journal,
) -> Result<(), (PathBuf, io::Error)> {
    for created in &plan.created {
        create_dirs(&created.path, hook, journal).map_err(|e| (created.path.clone(), e))?;
    }
    for change in &plan.changes {
        let fail = |e| (change.path.clone(), e);
        if change.after != change.before {
            let original = fs::metadata(&change.path).map_err(fail)?;
            let (temp, backup) =
                prepared_temp(&change.path, &change.after, Some(&original), hook).map_err(fail)?;
            journal.push(Op::Rewrite {
                path: change.path.clone(),
                temp,
                backup,
                before: change.before.clone(),
                after: change.after.clone(),
            });
        }
        if let Some(to) = &change.new_path {
            journal.push(Op::Rename {
                from: change.path.clone(),
                to: to.clone(),
                bytes: change.after.clone(),
            });
        }
    }
    for created in &plan.created {
        let (temp, _) = prepared_temp(&created.path, &created.bytes, None, hook)
            .map_err(|e| (created.path.clone(), e))?;
        journal.push(Op::Create {
            path: created.path.clone(),
            temp,
            bytes: created.bytes.clone(),
        });
    }
    for removed in &plan.removed {
        let (_, backup) = names_beside(&removed.path).map_err(|e| (removed.path.clone(), e))?;
        journal.push(Op::Remove {
            path: removed.path.clone(),
            backup,
            before: removed.before.clone(),
        });
    }
    Ok(())
}

/// Phase 2: one operation. `entry.applied` is set as soon as the target
/// changed, so that a failure after that point is undone by the rollback.
fn apply(entry: &mut Entry, hook: &mut StepHook<'_>) -> io::Result<()> {
    match &entry.op {
        Op::CreateDir { path } => {
            hook(Step::CreateDir, path)?;
            fs::create_dir(path)?;
            entry.applied = true;
        }
        Op::Rewrite {
            path,
            temp,
            backup,
            before,
            ..
        } => {
            hook(Step::Backup, path)?;
            keep_original(path, backup, before)?;
            let replaced = hook(Step::Replace, path).and_then(|()| fs::rename(temp, path));
            if let Err(error) = replaced {
                let _ = fs::remove_file(backup);
                return Err(error);
            }
            entry.applied = true;
            sync_dir(path);
            // A program that had the file open may have written into it
            // between the check and the rename: the rollback puts its
            // bytes back.
            if fs::read(backup)? != *before {
                return Err(changed_error());
            }
        }
        Op::Rename { from, to, .. } => {
            hook(Step::Rename, from)?;
            move_no_clobber(from, to)?;
            entry.applied = true;
            sync_dir(to);
        }
        Op::Create { path, temp, .. } => {
            hook(Step::Replace, path)?;
            move_no_clobber(temp, path)?;
            entry.applied = true;
            sync_dir(path);
        }
        Op::Remove {
            path,
            backup,
            before,
        } => {
            hook(Step::Remove, path)?;
            move_no_clobber(path, backup)?;
            entry.applied = true;
            sync_dir(path);
            if fs::read(backup)? != *before {
                return Err(changed_error());
            }
        }
    }
    Ok(())
}

/// Undo one applied operation, only if the target still holds what the fix
/// wrote.
fn undo(entry: &mut Entry, hook: &mut StepHook<'_>) -> Result<(), String> {
    let op = &entry.op;
    let problem = |what: &str, path: &Path, e: &dyn fmt::Display| {
        format!("cannot {what} {}: {e}", path.display())
    };
    hook(Step::Restore, op.path()).map_err(|e| problem("restore", op.path(), &e))?;
    match op {
        Op::CreateDir { path } => {
            fs::remove_dir(path).map_err(|e| problem("remove the directory", path, &e))?;
        }
        Op::Rewrite {
            path,
            temp,
            backup,
            after,
            ..
        } => {
            holds(path, after)?;
            // Keep the fix's bytes under the temporary name, so that the
            // fix can still be finished by hand if another step cannot be
            // undone.
            keep_copy(path, temp).map_err(|e| problem("keep the fixed bytes of", path, &e))?;
            fs::rename(backup, path).map_err(|e| problem("restore", path, &e))?;
            sync_dir(path);
        }
        Op::Rename { from, to, bytes } => {
            holds(to, bytes)?;
            move_no_clobber(to, from).map_err(|e| {
                format!(
                    "cannot rename {} back to {}: {e}",
                    to.display(),
                    from.display()
                )
            })?;
            sync_dir(from);
        }
        Op::Create { path, temp, bytes } => {
            holds(path, bytes)?;
            move_no_clobber(path, temp).map_err(|e| problem("remove", path, &e))?;
        }
        Op::Remove { path, backup, .. } => {
            move_no_clobber(backup, path).map_err(|e| problem("put back", path, &e))?;
            sync_dir(path);
        }
    }
    entry.applied = false;
    Ok(())
}

/// `path` still holds `bytes` (what the fix wrote): else restoring it would
/// throw away what someone else wrote since.
fn holds(path: &Path, bytes: &[u8]) -> Result<(), String> {
    match fs::read(path) {
        Ok(now) if now == bytes => Ok(()),
        Ok(_) => Err(format!(
            "{} changed after the fix wrote it, so it was left as it is",
            path.display()
        )),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

impl Journal {
    fn push(&mut self, op: Op) {
        self.entries.push(Entry { op, applied: false });
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        !self.entries.iter().any(|e| e.applied)
    }

    /// Undo every applied step, newest first.
    pub fn rollback(self) -> Result<(), RestoreFailure> {
        self.rollback_with(&mut |_, _| Ok(()))
    }

    /// [`Journal::rollback`], calling `hook` before every step it undoes.
    /// A file is restored only if it still holds what the fix wrote. Keeps
    /// going past a step that cannot be undone; then every temporary file
    /// and backup is kept, and the failure says what state the files are
    /// in and how to finish or undo by hand.
    pub fn rollback_with(mut self, hook: &mut StepHook<'_>) -> Result<(), RestoreFailure> {
        let mut problems = Vec::new();
        let is_dir = |e: &Entry| matches!(e.op, Op::CreateDir { .. });
        for entry in self.entries.iter_mut().rev() {
            if entry.applied
                && !is_dir(entry)
                && let Err(problem) = undo(entry, hook)
            {
                problems.push(problem);
            }
        }
        if problems.is_empty() {
            // The new directories last: the temporary files are in them.
            self.discard_temps();
            for entry in self.entries.iter_mut().rev() {
                if entry.applied
                    && is_dir(entry)
                    && let Err(problem) = undo(entry, hook)
                {
                    problems.push(problem);
                }
            }
        }
        if problems.is_empty() {
            return Ok(());
        }
        Err(RestoreFailure {
            fixes: Vec::new(),
            problems,
            state: self.entries.iter().map(Entry::state).collect(),
            undo: self.undo_commands(),
            finish: self.finish_commands(),
        })
    }

    /// The fix is kept: remove the backups. Returns a note for each backup
    /// kept because another program wrote into the original while it was
    /// being replaced (its bytes would otherwise be lost), or that could not
    /// be removed.
    #[must_use]
    pub fn finish(self) -> Vec<String> {
        let mut notes = Vec::new();
        for entry in self.entries.iter().filter(|e| e.applied) {
            let (Op::Rewrite {
                path,
                backup,
                before,
                ..
            }
            | Op::Remove {
                path,
                backup,
                before,
            }) = &entry.op
            else {
                continue;
            };
            if fs::read(backup).is_ok_and(|now| now != *before) {
                notes.push(format!(
                    "another program wrote to {} while the fix replaced it; what it wrote is kept in {}",
                    path.display(),
                    backup.display()
                ));
            } else if let Err(e) = fs::remove_file(backup) {
                notes.push(format!(
                    "cannot remove the backup {}: {e}",
                    backup.display()
                ));
            }
        }
        notes
    }

    /// Remove the temporary files of the steps that are not applied.
    fn discard_temps(&self) {
        for entry in self.entries.iter().filter(|e| !e.applied) {
            if let Some(temp) = entry.op.temp() {
                let _ = fs::remove_file(temp);
            }
        }
    }

    fn undo_commands(&self) -> Vec<String> {
        let mut commands: Vec<String> = self
            .entries
            .iter()
            .rev()
            .filter(|e| e.applied)
            .map(|e| match &e.op {
                Op::CreateDir { path } => format!("rmdir -- {}", quote(path)),
                Op::Rewrite { path, backup, .. } => {
                    format!("mv -f -- {} {}", quote(backup), quote(path))
                }
                Op::Rename { from, to, .. } => format!("mv -n -- {} {}", quote(to), quote(from)),
                Op::Create { path, .. } => format!("rm -- {}", quote(path)),
                Op::Remove { path, backup, .. } => {
                    format!("mv -n -- {} {}", quote(backup), quote(path))
                }
            })
            .collect();
        commands.extend(
            self.entries
                .iter()
                .filter(|e| !e.applied)
                .filter_map(|e| e.op.temp())
                .map(|temp| format!("rm -f -- {}", quote(temp))),
        );
        commands
    }

    fn finish_commands(&self) -> Vec<String> {
        let mut commands: Vec<String> = self
            .entries
            .iter()
            .filter(|e| !e.applied)
            .map(|e| match &e.op {
                Op::CreateDir { path } => format!("mkdir -- {}", quote(path)),
                Op::Rewrite { path, temp, .. } => {
                    format!("mv -f -- {} {}", quote(temp), quote(path))
                }
                Op::Rename { from, to, .. } => format!("mv -n -- {} {}", quote(from), quote(to)),
                Op::Create { path, temp, .. } => {
                    format!("mv -n -- {} {}", quote(temp), quote(path))
                }
                Op::Remove { path, .. } => format!("rm -- {}", quote(path)),
            })
            .collect();
        commands.extend(
            self.entries
                .iter()
                .filter(|e| e.applied)
                .filter_map(|e| match &e.op {
                    Op::Rewrite { backup, .. } | Op::Remove { backup, .. } => {
                        Some(format!("rm -f -- {}", quote(backup)))
                    }
                    _ => None,
                }),
        );
        commands
    }
}

impl Op {
    /// The file the operation is about.
    fn path(&self) -> &Path {
        match self {
            Op::CreateDir { path }
            | Op::Rewrite { path, .. }
            | Op::Create { path, .. }
            | Op::Remove { path, .. } => path,
            Op::Rename { from, .. } => from,
        }
    }

    /// The temporary file holding new bytes, while the operation is not
    /// applied.
    fn temp(&self) -> Option<&Path> {
        match self {
            Op::Rewrite { temp, .. } | Op::Create { temp, .. } => Some(temp),
            _ => None,
        }
    }
}

impl Entry {
    /// One line of [`RestoreFailure::state`].
    fn state(&self) -> String {
        let applied = self.applied;
        match &self.op {
            Op::CreateDir { path } if applied => {
                format!("directory {} was created", path.display())
            }
            Op::CreateDir { path } => format!("directory {} does not exist", path.display()),
            Op::Rewrite {
                path, temp, backup, ..
            } => {
                if applied {
                    format!(
                        "{} was rewritten by the fix; its original bytes are in {}",
                        path.display(),
                        backup.display()
                    )
                } else {
                    format!(
                        "{} has its original bytes; the fix's bytes for it are in {}",
                        path.display(),
                        temp.display()
                    )
                }
            }
            Op::Rename { from, to, .. } if applied => {
                format!("{} was renamed to {}", from.display(), to.display())
            }
            Op::Rename { from, to, .. } => format!(
                "{} is not renamed (the fix renames it to {})",
                from.display(),
                to.display()
            ),
            Op::Create { path, .. } if applied => format!("{} was created", path.display()),
            Op::Create { path, temp, .. } => format!(
                "{} is not created; its bytes are in {}",
                path.display(),
                temp.display()
            ),
            Op::Remove { path, backup, .. } if applied => format!(
                "{} was removed; its bytes are in {}",
                path.display(),
                backup.display()
            ),
            Op::Remove { path, .. } => format!("{} is still there", path.display()),
        }
    }
}

/// `path` quoted for a POSIX shell.
fn quote(path: &Path) -> String {
    let text = path.to_string_lossy();
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./+,:@%=".contains(c))
    {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Every file still has the bytes the plan was computed from, and no
/// rename or new file would overwrite anything. (Checked again, file by
/// file, immediately before each replace; this only stops early.)
fn preflight(plan: &Plan) -> Result<(), (PathBuf, io::Error)> {
    for change in &plan.changes {
        let now = fs::read(&change.path).map_err(|e| (change.path.clone(), e))?;
        if now != change.before {
            return Err((change.path.clone(), changed_error()));
        }
        if let Some(to) = &change.new_path
            && fs::symlink_metadata(to).is_ok()
        {
            return Err((to.clone(), exists_error()));
        }
    }
    for removed in &plan.removed {
        let now = fs::read(&removed.path).map_err(|e| (removed.path.clone(), e))?;
        if now != removed.before {
            return Err((removed.path.clone(), changed_error()));
        }
    }
    for created in &plan.created {
        if fs::symlink_metadata(&created.path).is_ok() {
            return Err((created.path.clone(), exists_error()));
        }
    }
    Ok(())
}

fn changed_error() -> io::Error {
    io::Error::other("the file changed since it was read; run the fix again")
}

fn exists_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        "a file of that name already exists",
    )
}

/// A temporary name and a backup name beside `target`, sharing a random
/// part; neither exists yet.
fn names_beside(target: &Path) -> io::Result<(PathBuf, PathBuf)> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    loop {
        let suffix = random_hex(8).map_err(|e| io::Error::other(e.to_string()))?;
        let temp = dir.join(format!(".{name}.{suffix}.alembic-doctor.tmp"));
        let backup = dir.join(format!(".{name}.{suffix}.alembic-doctor.orig"));
        if fs::symlink_metadata(&temp).is_err() && fs::symlink_metadata(&backup).is_err() {
            return Ok((temp, backup));
        }
    }
}

/// Write `bytes` to a flushed temporary file beside `target` with the mode,
/// owner and group of `original`; returns its name and the backup name
/// that goes with it.
fn prepared_temp(
    target: &Path,
    bytes: &[u8],
    original: Option<&fs::Metadata>,
    hook: &mut StepHook<'_>,
) -> io::Result<(PathBuf, PathBuf)> {
    hook(Step::CreateTemp, target)?;
    let (temp, backup, mut file) = loop {
        let (temp, backup) = names_beside(target)?;
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            Ok(file) => break (temp, backup, file),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    };
    let result = (|| {
        hook(Step::WriteTemp, target)?;
        file.write_all(bytes)?;
        hook(Step::SyncTemp, target)?;
        file.sync_all()?;
        if let Some(original) = original {
            hook(Step::SetPermissions, target)?;
            keep_owner(&file, original, target)?;
            file.set_permissions(original.permissions())?;
        }
        Ok(())
    })();
    drop(file);
    if let Err(error) = result {
        let _ = fs::remove_file(&temp);
        return Err(error);
    }
    Ok((temp, backup))
}

/// Give `file` the owner and group of `original` (set before the mode, since
/// changing the owner clears set-user-id bits). A rewritten file that would
/// change hands is refused: only the owner or root can give it back.
#[cfg(unix)]
fn keep_owner(file: &fs::File, original: &fs::Metadata, target: &Path) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let mine = file.metadata()?;
    if mine.uid() == original.uid() && mine.gid() == original.gid() {
        return Ok(());
    }
    std::os::unix::fs::fchown(file, Some(original.uid()), Some(original.gid())).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!(
                "cannot give the rewritten {} its owner and group back ({}:{}): {e}; run the fix as that user",
                target.display(),
                original.uid(),
                original.gid()
            ),
        )
    })
}

#[cfg(not(unix))]
fn keep_owner(_: &fs::File, _: &fs::Metadata, _: &Path) -> io::Result<()> {
    Ok(())
}

/// Keep the file at `path` under `backup` (the same inode, by a hard link,
/// or a copy where the file system has none) and check that it holds
/// `before`, the bytes the plan was computed from.
fn keep_original(path: &Path, backup: &Path, before: &[u8]) -> io::Result<()> {
    keep_copy(path, backup)?;
    match fs::read(backup) {
        Ok(kept) if kept == before => Ok(()),
        Ok(_) => {
            let _ = fs::remove_file(backup);
            Err(changed_error())
        }
        Err(error) => {
            let _ = fs::remove_file(backup);
            Err(error)
        }
    }
}

/// A second name `to` for the file at `from`: a hard link, else a copy.
/// Never overwrites.
fn keep_copy(from: &Path, to: &Path) -> io::Result<()> {
    match fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(exists_error()),
        Err(_) => {
            let bytes = fs::read(from)?;
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(to)?;
            file.write_all(&bytes)?;
            file.sync_all()
        }
    }
}

/// Move `from` to `to`, failing if `to` exists. A hard link followed by
/// removing the old name is the portable way to refuse to overwrite
/// atomically; on a file system without hard links, fall back to checking
/// first and renaming.
fn move_no_clobber(from: &Path, to: &Path) -> io::Result<()> {
    match fs::hard_link(from, to) {
        Ok(()) => {
            if let Err(error) = fs::remove_file(from) {
                let _ = fs::remove_file(to);
                return Err(error);
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(exists_error()),
        Err(_) if fs::symlink_metadata(to).is_err() => fs::rename(from, to),
        Err(e) => Err(e),
    }
}

/// The missing parent directories of a new file, outermost first, created
/// now (the new file's temporary file goes there).
fn create_dirs(path: &Path, hook: &mut StepHook<'_>, journal: &mut Journal) -> io::Result<()> {
    let mut missing = Vec::new();
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d.as_os_str().is_empty() || d.exists() {
            break;
        }
        missing.push(d.to_path_buf());
        dir = d.parent();
    }
    for dir in missing.into_iter().rev() {
        journal.push(Op::CreateDir { path: dir });
        let last = journal.entries.len() - 1;
        apply(&mut journal.entries[last], hook)?;
    }
    Ok(())
}

/// Flush the directory entry of `path` (the rename itself), where the
/// platform allows opening a directory. Best effort: the data is already
/// safe, and a failure here cannot be undone anyway.
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent()
        && let Ok(handle) = fs::File::open(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })
    {
        let _ = handle.sync_all();
    }
}
