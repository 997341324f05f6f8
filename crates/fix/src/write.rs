//! Writing a [`Plan`] to disk so that no file is ever half-written, and
//! undoing it.
//!
//! Every file is replaced atomically: the new bytes go to a temporary file
//! in the same directory (so the final `rename` never crosses a file
//! system), which is flushed to disk and given the original's permissions
//! before it is renamed over the original. A reader (or a crash) at any
//! moment therefore sees each file either fully old or fully new. Renames
//! and new files never overwrite an existing file.
//!
//! Each completed step is recorded in a [`Journal`]; [`Journal::rollback`]
//! undoes them in reverse order with the same atomic writes, restoring the
//! original bytes, names and permissions.
//!
//! Before the first write every file is read again: a file that changed
//! since the project was loaded (an editor saving, another tool) stops the
//! whole plan, since the edits were computed on the old bytes.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::ids::random_hex;
use crate::plan::Plan;

/// A step of writing, for the failure-injection hook of
/// [`write_plan_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Create the temporary file beside the target.
    CreateTemp,
    /// Write the new bytes into it.
    WriteTemp,
    /// Flush it to disk.
    SyncTemp,
    /// Give it the original file's permissions.
    SetPermissions,
    /// Rename it over the target (or link it into place for a new file).
    Replace,
    /// Rename a file to its new name.
    Rename,
    /// Create a directory for a new file.
    CreateDir,
    /// Delete a file.
    Remove,
}

/// A hook called before every step, with the path the step is about; an
/// error stops the write there, as a failing disk would.
pub type StepHook<'a> = dyn FnMut(Step, &Path) -> io::Result<()> + 'a;

/// One completed step, as the rollback needs it.
#[derive(Debug, Clone)]
enum Done {
    /// `path` was atomically replaced; `before` were its bytes.
    Rewrote { path: PathBuf, before: Vec<u8> },
    /// `from` was renamed to `to`.
    Renamed { from: PathBuf, to: PathBuf },
    /// `path` was created.
    Created { path: PathBuf },
    /// The directory `path` was created.
    CreatedDir { path: PathBuf },
    /// `path`, which held `before`, was deleted.
    Removed { path: PathBuf, before: Vec<u8> },
}

/// What has been written so far, to undo it.
#[derive(Debug, Default)]
#[must_use = "a journal that is dropped can no longer undo the writes"]
pub struct Journal {
    done: Vec<Done>,
}

/// Writing failed: the error, and what had been written before it (still on
/// disk until [`Journal::rollback`]).
#[derive(Debug)]
pub struct WriteFailure {
    /// The file the failing step was about.
    pub path: PathBuf,
    /// What went wrong.
    pub error: io::Error,
    /// The steps that completed.
    pub journal: Journal,
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
    for change in &plan.changes {
        let fail = |error: io::Error, journal: Journal| WriteFailure {
            path: change.path.clone(),
            error,
            journal,
        };
        if change.after != change.before {
            if let Err(error) = replace_file(&change.path, &change.after, hook) {
                return Err(fail(error, journal));
            }
            journal.done.push(Done::Rewrote {
                path: change.path.clone(),
                before: change.before.clone(),
            });
        }
        if let Some(to) = &change.new_path {
            if let Err(error) = rename_no_clobber(&change.path, to, hook) {
                return Err(fail(error, journal));
            }
            journal.done.push(Done::Renamed {
                from: change.path.clone(),
                to: to.clone(),
            });
        }
    }
    for created in &plan.created {
        let result = create_dirs(&created.path, hook, &mut journal)
            .and_then(|()| create_file(&created.path, &created.bytes, hook));
        if let Err(error) = result {
            return Err(WriteFailure {
                path: created.path.clone(),
                error,
                journal,
            });
        }
        journal.done.push(Done::Created {
            path: created.path.clone(),
        });
    }
    for removed in &plan.removed {
        let result =
            hook(Step::Remove, &removed.path).and_then(|()| fs::remove_file(&removed.path));
        if let Err(error) = result {
            return Err(WriteFailure {
                path: removed.path.clone(),
                error,
                journal,
            });
        }
        journal.done.push(Done::Removed {
            path: removed.path.clone(),
            before: removed.before.clone(),
        });
    }
    Ok(journal)
}

impl Journal {
    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.done.is_empty()
    }

    /// Undo every recorded step, newest first. Keeps going past a step that
    /// cannot be undone and returns what could not be restored, in words.
    pub fn rollback(self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        let mut never = |_: Step, _: &Path| Ok(());
        for done in self.done.into_iter().rev() {
            let result = match &done {
                Done::Rewrote { path, before } => replace_file(path, before, &mut never)
                    .map_err(|e| format!("cannot restore {}: {e}", path.display())),
                Done::Renamed { from, to } => {
                    rename_no_clobber(to, from, &mut never).map_err(|e| {
                        format!(
                            "cannot rename {} back to {}: {e}",
                            to.display(),
                            from.display()
                        )
                    })
                }
                Done::Created { path } => fs::remove_file(path)
                    .map_err(|e| format!("cannot remove {}: {e}", path.display())),
                Done::CreatedDir { path } => fs::remove_dir(path)
                    .map_err(|e| format!("cannot remove directory {}: {e}", path.display())),
                Done::Removed { path, before } => create_file(path, before, &mut never)
                    .map_err(|e| format!("cannot write {} back: {e}", path.display())),
            };
            if let Err(problem) = result {
                problems.push(problem);
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// Every file still has the bytes the plan was computed from, and no
/// rename or new file would overwrite anything.
fn preflight(plan: &Plan) -> Result<(), (PathBuf, io::Error)> {
    for change in &plan.changes {
        let now = fs::read(&change.path).map_err(|e| (change.path.clone(), e))?;
        if now != change.before {
            return Err((
                change.path.clone(),
                io::Error::other("the file changed since it was read; run the fix again"),
            ));
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
            return Err((
                removed.path.clone(),
                io::Error::other("the file changed since it was read; run the fix again"),
            ));
        }
    }
    for created in &plan.created {
        if fs::symlink_metadata(&created.path).is_ok() {
            return Err((created.path.clone(), exists_error()));
        }
    }
    Ok(())
}

fn exists_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        "a file of that name already exists",
    )
}

/// A temporary file beside `target`, created exclusively. Its name starts
/// with a dot and ends in `.tmp`, so that neither Alembic nor
/// alembic-doctor takes it for a migration if it is ever left behind.
fn temp_beside(target: &Path, hook: &mut StepHook<'_>) -> io::Result<(PathBuf, fs::File)> {
    hook(Step::CreateTemp, target)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    loop {
        let suffix = random_hex(8).map_err(|e| io::Error::other(e.to_string()))?;
        let temp = dir.join(format!(".{name}.{suffix}.alembic-doctor.tmp"));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
}

/// Write `bytes` to a flushed temporary file beside `target` with
/// `permissions`; the caller moves it into place.
fn prepared_temp(
    target: &Path,
    bytes: &[u8],
    permissions: Option<fs::Permissions>,
    hook: &mut StepHook<'_>,
) -> io::Result<PathBuf> {
    let (temp, mut file) = temp_beside(target, hook)?;
    let result = (|| {
        hook(Step::WriteTemp, target)?;
        file.write_all(bytes)?;
        hook(Step::SyncTemp, target)?;
        file.sync_all()?;
        if let Some(permissions) = permissions {
            hook(Step::SetPermissions, target)?;
            fs::set_permissions(&temp, permissions)?;
        }
        Ok(())
    })();
    drop(file);
    if let Err(error) = result {
        let _ = fs::remove_file(&temp);
        return Err(error);
    }
    Ok(temp)
}

/// Atomically replace the existing file `path` with `bytes`, keeping its
/// permissions.
fn replace_file(path: &Path, bytes: &[u8], hook: &mut StepHook<'_>) -> io::Result<()> {
    let permissions = fs::metadata(path)?.permissions();
    let temp = prepared_temp(path, bytes, Some(permissions), hook)?;
    let result = hook(Step::Replace, path).and_then(|()| fs::rename(&temp, path));
    if let Err(error) = result {
        let _ = fs::remove_file(&temp);
        return Err(error);
    }
    sync_dir(path);
    Ok(())
}

/// Create `path` with `bytes`, atomically, failing if it exists.
fn create_file(path: &Path, bytes: &[u8], hook: &mut StepHook<'_>) -> io::Result<()> {
    let temp = prepared_temp(path, bytes, None, hook)?;
    let result = hook(Step::Replace, path).and_then(|()| move_no_clobber(&temp, path));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result?;
    sync_dir(path);
    Ok(())
}

/// Rename `from` to `to`, failing if `to` exists.
fn rename_no_clobber(from: &Path, to: &Path, hook: &mut StepHook<'_>) -> io::Result<()> {
    hook(Step::Rename, from)?;
    move_no_clobber(from, to)?;
    sync_dir(to);
    Ok(())
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

/// The missing parent directories of a new file, outermost first.
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
        hook(Step::CreateDir, &dir)?;
        fs::create_dir(&dir)?;
        journal.done.push(Done::CreatedDir { path: dir });
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
