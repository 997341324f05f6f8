//! `fix duplicate-ids`: every revision id that several files declare keeps
//! one file; the others get fresh ids.
//!
//! Which copy keeps the id: the one named with `--keep`; else, in git, the
//! one already on the base branch (it may be deployed, and databases store
//! ids); else the oldest by its `Create Date:` header, then by file name,
//! which is a guess and said so in a note. When several copies are on the
//! base branch, any deployed database may have run either one, so the fix
//! refuses unless `--keep` names the copy.
//!
//! `--keep`, `--follow` and `--stay` take what a user would type: a path
//! (relative to the working directory), a file name, or a revision id that
//! one file declares. An argument that names no file, several files, or a
//! file that is not a copy (for `--keep`) or a child of one (for
//! `--follow`/`--stay`) is an error listing the candidates.
//!
//! A renamed copy gets a fresh Alembic-style id in its `revision` literal,
//! its `Revision ID:` header line and its file name (when the name carries
//! the id). Children naming the id in `down_revision` or `depends_on` (and
//! their `Revises:` lines) follow the copy they were written against: in
//! git, a child on the base branch stays with the copy on the base branch
//! and a child added on this side follows the copy added on this side.
//! When that does not settle it (no git, or both copies on one side), the
//! fix refuses and asks for `--follow CHILD` / `--stay CHILD`: a wrong guess
//! would silently re-parent a migration.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use alembic_doctor_project::{Project, ProjectFile};
use alembic_doctor_rules::Rule;

use crate::FixError;
use crate::base::{BaseBranch, collect_ids};
use alembic_doctor_script::same_migration;

use crate::ids::TakenIds;
use crate::plan::{AppliedFix, FixKind, Plan, PlanBuilder, Target};
use crate::rewrite::{Var, rename_in_file_name, rename_in_header, rename_in_variable, words};

/// Choices a person made for `fix duplicate-ids`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Files that keep their id (one per duplicated id).
    pub keep: Vec<PathBuf>,
    /// Children that follow the renamed copy of their parent.
    pub follow: Vec<PathBuf>,
    /// Children that stay with the copy that keeps the id.
    pub stay: Vec<PathBuf>,
    /// The ids the renamed copies get instead of random ones: `COPY=ID`
    /// (the copy named as for `--keep`), or a bare `ID` when one copy is
    /// renamed. A report's plan names them, so that its next command can
    /// name the renamed revision.
    pub new_ids: Vec<String>,
    /// Refuse rather than guess which copy keeps an id (no `--keep` and no
    /// copy on the base branch): the safe fixes of `report --fix` make no
    /// decision, and could not show the note saying it was a guess.
    pub no_guess: bool,
}

/// Which side of the merge a file was added on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Base,
    New,
}

/// A fix to record once every rename is known.
struct Pending {
    kind: FixKind,
    file: usize,
    old: String,
    new: String,
    description: String,
}

/// The plan that gives every duplicate a fresh id.
pub(crate) fn plan(
    project: &Project,
    options: &Options,
    base: Option<&BaseBranch>,
    cwd: &Path,
) -> Result<Plan, FixError> {
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for (rev, input) in project.map.revisions().iter().enumerate() {
        let copies = groups.entry(input.id.as_str()).or_default();
        if copies.is_empty() {
            order.push(input.id.as_str());
        }
        copies.push(project.revision_files[rev]);
    }
    let chosen = Chosen::resolve(project, options, &groups, cwd)?;
    let mut new_ids = NewIds::resolve(project, &options.new_ids, cwd)?;
    let mut taken = TakenIds::default();
    let mut known = Vec::new();
    collect_ids(project, &mut known);
    if let Some(base) = base {
        known.extend(base.ids.iter().cloned());
    }
    for id in known {
        taken.insert(id);
    }
    let mut builder = PlanBuilder::default();
    let mut pending = Vec::new();
    let mut targets = Vec::new();
    let mut refusals = Vec::new();
    for &id in &order {
        let copies = &groups[id];
        if copies.len() < 2 {
            continue;
        }
        let fresh = Fresh {
            taken: &mut taken,
            chosen: &mut new_ids,
        };
        match plan_one(project, id, copies, &chosen, base, fresh, &mut builder) {
            Ok((mut done, files)) => {
                pending.append(&mut done);
                targets.extend(files);
            }
            Err(reason) => refusals.push(reason),
        }
    }
    // An id this side added that the base branch has since added in
    // another file: a duplicate only once merged. The base branch's copy
    // keeps the id (it may be deployed); this side's copy is renamed.
    if let Some(base) = base {
        for id in &order {
            let [copy] = groups[id][..] else { continue };
            let fresh = Fresh {
                taken: &mut taken,
                chosen: &mut new_ids,
            };
            match plan_across(project, id, copy, base, fresh, &mut builder) {
                Ok(Some(mut done)) => pending.append(&mut done),
                Ok(None) => {}
                Err(reason) => refusals.push(reason),
            }
        }
    }
    if !refusals.is_empty() {
        return Err(FixError::refused(refusals.join("\n")));
    }
    new_ids.all_used(project)?;
    for fix in pending {
        let file = builder.path_after(project, fix.file);
        if fix.kind == FixKind::DuplicateId {
            builder
                .plan
                .renamed_ids
                .push((file.clone(), fix.old.clone(), fix.new.clone()));
        }
        builder.plan.fixes.push(AppliedFix {
            kind: fix.kind,
            file,
            old_id: Some(fix.old),
            new_id: Some(fix.new),
            description: fix.description,
        });
    }
    if !builder.plan.fixes.is_empty() {
        builder.plan.revealed_rules = vec![Rule::MultipleHeads, Rule::MultipleBases];
    }
    for file in targets {
        let path = builder.path_after(project, file);
        builder.plan.targets.push(Target::NoFindingIn {
            rule: Rule::DuplicateRevision,
            path,
        });
    }
    builder.finish(project)
}

/// The edits for one duplicated id: the fixes made and the files whose
/// `duplicate-revision` finding must be gone, or why not.
fn plan_one(
    project: &Project,
    id: &str,
    copies: &[usize],
    chosen: &Chosen,
    base: Option<&BaseBranch>,
    mut fresh: Fresh<'_>,
    builder: &mut PlanBuilder,
) -> Result<(Vec<Pending>, Vec<usize>), String> {
    let files = &project.files;
    let (keeper, why, guessed) = choose_keeper(project, id, copies, chosen, base)?;
    let side = |file: usize| {
        base.map(|b| {
            if b.declares(&files[file].path, id) {
                Side::Base
            } else {
                Side::New
            }
        })
    };
    // A copy that is the same migration as the one keeping the id is one
    // migration committed twice: a fresh id would run it twice.
    // Two renamed copies that are the same migration are one, renamed
    // once: `same_as` maps each deleted copy to the copy that stays.
    let mut same_as: BTreeMap<usize, usize> = BTreeMap::new();
    let mut renamed: Vec<usize> = Vec::new();
    for &copy in copies.iter().filter(|&&c| c != keeper) {
        let twin = std::iter::once(keeper)
            .chain(renamed.iter().copied())
            .find(|&other| same_migration(&files[other].bytes, &files[copy].bytes));
        match twin {
            Some(twin) => {
                same_as.insert(copy, twin);
            }
            None => renamed.push(copy),
        }
    }
    let removed: Vec<usize> = same_as.keys().copied().collect();
    let mut new_ids = BTreeMap::new();
    for &copy in &renamed {
        new_ids.insert(copy, fresh.next(copy)?);
    }
    // Which copy each child follows.
    let mut follows: Vec<(usize, usize)> = Vec::new();
    let mut unsettled = Vec::new();
    for child in children_of(project, id, copies) {
        let file = &files[child];
        let follows_copy = if renamed.is_empty() {
            // Every other copy is deleted: the id stays, and so do they.
            Some(keeper)
        } else if chosen.follow.contains(&child) {
            match renamed.as_slice() {
                [only] => Some(*only),
                _ => {
                    return Err(format!(
                        "`{id}` has {} renamed copies; --follow cannot say which one {} follows",
                        renamed.len(),
                        file.display_path
                    ));
                }
            }
        } else if chosen.stay.contains(&child) {
            Some(keeper)
        } else if let Some(base) = base {
            let child_side = if base.refers(&file.path, id) {
                Side::Base
            } else {
                Side::New
            };
            let candidates: Vec<usize> = copies
                .iter()
                .copied()
                .filter(|&c| side(c) == Some(child_side) && !same_as.contains_key(&c))
                .collect();
            match candidates.as_slice() {
                [only] => Some(*only),
                _ => None,
            }
        } else {
            None
        };
        match follows_copy {
            Some(copy) => follows.push((child, same_as.get(&copy).copied().unwrap_or(copy))),
            None => unsettled.push(file.display_path.clone()),
        }
    }
    if !unsettled.is_empty() {
        let copies_text: Vec<String> = copies
            .iter()
            .map(|&c| files[c].display_path.clone())
            .collect();
        let why_not = match base {
            None => "there is no base branch to tell which copy each child was written against"
                .to_owned(),
            Some(b) => format!(
                "the copies and these children were added on the same side of {}",
                b.name
            ),
        };
        return Err(format!(
            "`{id}` is declared by {}; {} keeps it ({why}), but {why_not}, so it is not known whether {} should follow the renamed copy. \
             Say so with --follow CHILD (it follows the renamed copy) or --stay CHILD (it keeps pointing at the copy that keeps the id).",
            copies_text.join(" and "),
            files[keeper].display_path,
            unsettled.join(", ")
        ));
    }
    if guessed && chosen.no_guess {
        return Err(format!(
            "`{id}` is declared by {}, and no copy is on a base branch to say which one databases may have applied; \
             choose with `alembic-doctor fix duplicate-ids --keep FILE` (without --keep it keeps {}, the oldest by its `Create Date:` header, then file name)",
            copies
                .iter()
                .map(|&c| files[c].display_path.as_str())
                .collect::<Vec<_>>()
                .join(" and "),
            files[keeper].display_path
        ));
    }
    if guessed {
        let others: Vec<&str> = renamed
            .iter()
            .map(|&c| files[c].display_path.as_str())
            .collect();
        let why_guess = match base {
            None => {
                "there is no base branch to say which copy databases may have applied".to_owned()
            }
            Some(b) => format!("no copy is on {} yet", b.name),
        };
        builder.plan.notes.push(format!(
            "{} keeps `{id}` by a guess ({why}), since {why_guess}; if a database applied {} instead, \
             keep that one: `alembic-doctor fix duplicate-ids --keep {}`",
            files[keeper].display_path,
            others.join(" or "),
            others.first().copied().unwrap_or_default()
        ));
    }
    let mut done = Vec::new();
    for &copy in &removed {
        builder.remove(project, copy);
        done.push(Pending {
            kind: FixKind::RemovedCopy,
            file: copy,
            old: id.to_owned(),
            new: id.to_owned(),
            description: if same_as[&copy] == keeper {
                format!(
                    "{}: deleted, the same migration as {} under the same id `{id}` ({} keeps `{id}`: {why})",
                    files[copy].display_path, files[keeper].display_path, files[keeper].display_path
                )
            } else {
                format!(
                    "{}: deleted, the same migration as {}, which gets a new id",
                    files[copy].display_path, files[same_as[&copy]].display_path
                )
            },
        });
    }
    for &copy in &renamed {
        let new = &new_ids[&copy];
        rename_copy(project, copy, id, new, builder)?;
        let renamed_to = builder
            .renamed_display(copy)
            .map_or_else(String::new, |to| format!(", renamed to {to}"));
        done.push(Pending {
            kind: FixKind::DuplicateId,
            file: copy,
            old: id.to_owned(),
            new: new.clone(),
            description: format!(
                "{}: revision `{id}` → `{new}`{renamed_to} ({} keeps `{id}`: {why})",
                files[copy].display_path, files[keeper].display_path
            ),
        });
    }
    for (child, copy) in follows {
        if copy == keeper || !new_ids.contains_key(&copy) {
            continue;
        }
        let new = &new_ids[&copy];
        repoint_child(project, child, id, new, builder)?;
        done.push(Pending {
            kind: FixKind::Reference,
            file: child,
            old: id.to_owned(),
            new: new.clone(),
            description: format!(
                "{}: now points at `{new}` (the renamed copy {}) instead of `{id}`",
                files[child].display_path, files[copy].display_path
            ),
        });
    }
    Ok((done, copies.to_vec()))
}

/// `copy`, this side's only file declaring `id`, when the base branch's tip
/// declares `id` in another file and `copy` is not on the base branch: the
/// edits that give `copy` a fresh id and move the children added on this
/// side with it (children already on the base branch keep pointing at the
/// base branch's copy). `None` when there is no such clash.
fn plan_across(
    project: &Project,
    id: &str,
    copy: usize,
    base: &BaseBranch,
    mut fresh: Fresh<'_>,
    builder: &mut PlanBuilder,
) -> Result<Option<Vec<Pending>>, String> {
    let files = &project.files;
    let path = &files[copy].path;
    let Some(theirs) = base.tip_revisions.get(id) else {
        return Ok(None);
    };
    if theirs == path || base.declares(path, id) {
        return Ok(None);
    }
    let theirs_name = theirs.file_name().map_or_else(
        || theirs.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    if base
        .tip_bytes
        .get(id)
        .is_some_and(|bytes| same_migration(bytes, &files[copy].bytes))
    {
        // The base branch has this very migration: this side's copy is
        // the same one committed twice, and its children keep the id.
        builder.remove(project, copy);
        return Ok(Some(vec![Pending {
            kind: FixKind::RemovedCopy,
            file: copy,
            old: id.to_owned(),
            new: id.to_owned(),
            description: format!(
                "{}: deleted, the same migration as {theirs_name} on {} under the same id `{id}`",
                files[copy].display_path, base.name
            ),
        }]));
    }
    let new = fresh.next(copy)?;
    rename_copy(project, copy, id, &new, builder)?;
    let renamed_to = builder
        .renamed_display(copy)
        .map_or_else(String::new, |to| format!(", renamed to {to}"));
    let mut done = vec![Pending {
        kind: FixKind::DuplicateId,
        file: copy,
        old: id.to_owned(),
        new: new.clone(),
        description: format!(
            "{}: revision `{id}` → `{new}`{renamed_to} ({} already declares `{id}` in {theirs_name})",
            files[copy].display_path, base.name,
        ),
    }];
    for child in children_of(project, id, &[copy]) {
        if base.refers(&files[child].path, id) {
            continue;
        }
        repoint_child(project, child, id, &new, builder)?;
        done.push(Pending {
            kind: FixKind::Reference,
            file: child,
            old: id.to_owned(),
            new: new.clone(),
            description: format!(
                "{}: now points at `{new}` (the renamed {}) instead of `{id}`",
                files[child].display_path, files[copy].display_path
            ),
        });
    }
    Ok(Some(done))
}

/// Files (other than the copies) whose `down_revision` or `depends_on`
/// names `id`, in load order.
fn children_of(project: &Project, id: &str, copies: &[usize]) -> Vec<usize> {
    project
        .map
        .revisions()
        .iter()
        .enumerate()
        .map(|(rev, input)| (project.revision_files[rev], input))
        .filter(|(file, _)| !copies.contains(file))
        .filter(|(_, input)| {
            input
                .down_revisions
                .iter()
                .chain(&input.depends_on)
                .any(|r| r == id)
        })
        .map(|(file, _)| file)
        .collect()
}

/// The copy that keeps the id, why, in words, and whether that was a guess
/// (no `--keep`, and no base branch copy to go by).
fn choose_keeper(
    project: &Project,
    id: &str,
    copies: &[usize],
    chosen: &Chosen,
    base: Option<&BaseBranch>,
) -> Result<(usize, String, bool), String> {
    let files = &project.files;
    if let Some(&named) = copies.iter().find(|c| chosen.keep.contains(c)) {
        return Ok((named, "named with --keep".to_owned(), false));
    }
    if let Some(base) = base {
        let on_base: Vec<usize> = copies
            .iter()
            .copied()
            .filter(|&c| base.declares(&files[c].path, id))
            .collect();
        match on_base.as_slice() {
            [] => {}
            [one] => return Ok((*one, format!("it is on {}", base.name), false)),
            several => {
                let shown: Vec<&str> = several
                    .iter()
                    .map(|&c| files[c].display_path.as_str())
                    .collect();
                return Err(format!(
                    "`{id}` is declared by {}, and {} on {}: a database may have applied any of them \
                     (Alembic ran whichever file it loaded last), and renaming the copy a database ran strands that database. \
                     Check which one your databases applied (the tables or columns it creates), then say which copy keeps the id: \
                     `alembic-doctor fix duplicate-ids --keep {}` (a path or a file name)",
                    shown.join(" and "),
                    if shown.len() == 2 {
                        "both are".to_owned()
                    } else {
                        format!("{} of them are", shown.len())
                    },
                    base.name,
                    shown[0]
                ));
            }
        }
    }
    let mut candidates: Vec<usize> = copies.to_vec();
    candidates.sort_by(|&a, &b| {
        let date = |f: usize| create_date(&files[f]);
        // A file without a date sorts after every dated one.
        (
            date(a).is_none(),
            date(a),
            file_name(&files[a]),
            &files[a].path,
        )
            .cmp(&(
                date(b).is_none(),
                date(b),
                file_name(&files[b]),
                &files[b].path,
            ))
    });
    Ok((
        candidates[0],
        "the oldest by its `Create Date:` header, then file name".to_owned(),
        true,
    ))
}

fn create_date(file: &ProjectFile) -> Option<&str> {
    file.script()?
        .docstring
        .as_ref()?
        .header
        .create_date
        .as_ref()
        .map(|l| l.value.as_str())
        .filter(|v| !v.is_empty())
}

fn file_name(file: &ProjectFile) -> &std::ffi::OsStr {
    file.path.file_name().unwrap_or_default()
}

/// Where a renamed copy's new id comes from: `--new-id`, else a random
/// one; either way never an id the project or the base branch has.
struct Fresh<'a> {
    taken: &'a mut TakenIds,
    chosen: &'a mut NewIds,
}

impl Fresh<'_> {
    fn next(&mut self, copy: usize) -> Result<String, String> {
        let Some(id) = self.chosen.take(copy)? else {
            return self.taken.fresh().map_err(|e| e.to_string());
        };
        if self.taken.contains(&id) {
            return Err(format!(
                "--new-id `{id}` is already a revision id or branch label of this project or its base branch; choose another"
            ));
        }
        self.taken.insert(id.clone());
        Ok(id)
    }
}

/// The ids `--new-id` gives, by copy, and the one given without a copy.
#[derive(Debug, Default)]
struct NewIds {
    by_file: BTreeMap<usize, (String, bool)>,
    bare: Option<(String, usize)>,
}

impl NewIds {
    fn resolve(project: &Project, arguments: &[String], cwd: &Path) -> Result<Self, FixError> {
        let mut ids = NewIds::default();
        for argument in arguments {
            let (copy, id) = match argument.rsplit_once('=') {
                Some((copy, id)) => (Some(copy), id),
                None => (None, argument.as_str()),
            };
            if let Some(problem) = invalid_id(id) {
                return Err(FixError::Usage {
                    message: format!("--new-id `{argument}`: {problem}"),
                });
            }
            match copy {
                None if ids.bare.is_some() => {
                    return Err(FixError::Usage {
                        message: "--new-id without a file may be given once; name each copy with --new-id FILE=ID".to_owned(),
                    });
                }
                None => ids.bare = Some((id.to_owned(), 0)),
                Some(copy) => match matching_files(project, Path::new(copy), cwd).as_slice() {
                    [file] => {
                        ids.by_file.insert(*file, (id.to_owned(), false));
                    }
                    [] => {
                        return Err(FixError::Usage {
                            message: format!(
                                "--new-id `{argument}`: `{copy}` matches no file or revision id of this project"
                            ),
                        });
                    }
                    several => {
                        let names: Vec<&str> = several
                            .iter()
                            .map(|&f| project.files[f].display_path.as_str())
                            .collect();
                        return Err(FixError::Usage {
                            message: format!(
                                "--new-id `{argument}`: `{copy}` matches {} files ({}); name one by its path",
                                several.len(),
                                names.join(", ")
                            ),
                        });
                    }
                },
            }
        }
        Ok(ids)
    }

    /// The id chosen for `copy`, if any.
    fn take(&mut self, copy: usize) -> Result<Option<String>, String> {
        if let Some((id, used)) = self.by_file.get_mut(&copy) {
            *used = true;
            return Ok(Some(id.clone()));
        }
        match &mut self.bare {
            Some((_, used)) if *used > 0 => Err(
                "--new-id without a file names one renamed copy, but several are renamed; name each with --new-id FILE=ID"
                    .to_owned(),
            ),
            Some((id, used)) => {
                *used += 1;
                Ok(Some(id.clone()))
            }
            None => Ok(None),
        }
    }

    /// Every `--new-id` went to a renamed copy.
    fn all_used(&self, project: &Project) -> Result<(), FixError> {
        let unused: Vec<String> = self
            .by_file
            .iter()
            .filter(|(_, (_, used))| !used)
            .map(|(&file, (id, _))| format!("{}={id}", project.files[file].display_path))
            .chain(
                self.bare
                    .iter()
                    .filter(|(_, used)| *used == 0)
                    .map(|(id, _)| id.clone()),
            )
            .collect();
        if unused.is_empty() {
            return Ok(());
        }
        Err(FixError::Usage {
            message: format!(
                "--new-id {}: no such copy is renamed (a copy that keeps its id, or is deleted as the same migration, gets no new id)",
                unused.join(", ")
            ),
        })
    }
}

/// Why `id` cannot be a revision id, as Alembic would refuse it.
fn invalid_id(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("the id is empty".to_owned());
    }
    if ["base", "head", "heads"].contains(&id) {
        return Some(format!("`{id}` is a symbol Alembic reserves"));
    }
    if let Some(c) = id
        .chars()
        .find(|c| matches!(c, '@' | '-' | '+' | ':') || c.is_whitespace() || c.is_control())
    {
        return Some(format!("{c:?} is not allowed in a revision id"));
    }
    None
}

/// The files `--keep`, `--follow` and `--stay` name.
#[derive(Debug, Default)]
struct Chosen {
    keep: BTreeSet<usize>,
    follow: BTreeSet<usize>,
    stay: BTreeSet<usize>,
    no_guess: bool,
}

impl Chosen {
    /// Resolve every argument to one file that is a copy of a duplicated
    /// id (`--keep`) or a child of one (`--follow`, `--stay`), or say why
    /// not, with the candidates.
    fn resolve(
        project: &Project,
        options: &Options,
        groups: &BTreeMap<&str, Vec<usize>>,
        cwd: &Path,
    ) -> Result<Self, FixError> {
        let copies: BTreeSet<usize> = groups
            .values()
            .filter(|c| c.len() > 1)
            .flatten()
            .copied()
            .collect();
        let children: BTreeSet<usize> = groups
            .iter()
            .filter(|(_, c)| c.len() > 1)
            .flat_map(|(id, c)| children_of(project, id, c))
            .collect();
        let one = |option: &str,
                   argument: &Path,
                   candidates: &BTreeSet<usize>,
                   (what, whats): (&str, &str)| {
            let shown = argument.display();
            let listed = || {
                if candidates.is_empty() {
                    format!("there are no {whats}")
                } else {
                    let names: Vec<&str> = candidates
                        .iter()
                        .map(|&f| project.files[f].display_path.as_str())
                        .collect();
                    format!("the {whats}: {}", names.join(", "))
                }
            };
            match matching_files(project, argument, cwd).as_slice() {
                [] => Err(FixError::Usage {
                    message: format!(
                        "{option} `{shown}` matches no file or revision id of this project; {} \
                         (name one by its path, file name or revision id)",
                        listed()
                    ),
                }),
                [file] if candidates.contains(file) => Ok(*file),
                [file] => Err(FixError::Usage {
                    message: format!(
                        "{option} `{shown}` names {}, which is not a {what}; {}",
                        project.files[*file].display_path,
                        listed()
                    ),
                }),
                several => {
                    let names: Vec<&str> = several
                        .iter()
                        .map(|&f| project.files[f].display_path.as_str())
                        .collect();
                    Err(FixError::Usage {
                        message: format!(
                            "{option} `{shown}` matches {} files ({}); name one by its path",
                            several.len(),
                            names.join(", ")
                        ),
                    })
                }
            }
        };
        let mut chosen = Chosen {
            no_guess: options.no_guess,
            ..Chosen::default()
        };
        for argument in &options.keep {
            chosen.keep.insert(one(
                "--keep",
                argument,
                &copies,
                ("copy of a duplicated id", "copies of duplicated ids"),
            )?);
        }
        for argument in &options.follow {
            chosen.follow.insert(one(
                "--follow",
                argument,
                &children,
                ("child of a duplicated id", "children of duplicated ids"),
            )?);
        }
        for argument in &options.stay {
            chosen.stay.insert(one(
                "--stay",
                argument,
                &children,
                ("child of a duplicated id", "children of duplicated ids"),
            )?);
        }
        if let Some(both) = chosen.follow.intersection(&chosen.stay).next() {
            return Err(FixError::Usage {
                message: format!(
                    "{} is named by both --follow and --stay; name it once",
                    project.files[*both].display_path
                ),
            });
        }
        for (id, copies) in groups {
            let kept: Vec<&str> = copies
                .iter()
                .filter(|c| chosen.keep.contains(c))
                .map(|&c| project.files[c].display_path.as_str())
                .collect();
            if kept.len() > 1 {
                return Err(FixError::Usage {
                    message: format!(
                        "--keep names {} copies of `{id}` ({}); name one",
                        kept.len(),
                        kept.join(", ")
                    ),
                });
            }
        }
        Ok(chosen)
    }
}

/// The files `argument` names, as a user would type it: a path (relative
/// to `cwd`), else a file name, else a revision id (or the start of one
/// that only one id has).
fn matching_files(project: &Project, argument: &Path, cwd: &Path) -> Vec<usize> {
    let files = &project.files;
    let joined = cwd.join(argument);
    let canonical = std::fs::canonicalize(&joined).ok();
    let by_path: Vec<usize> = (0..files.len())
        .filter(|&f| {
            let file = &files[f];
            file.path == joined
                || Path::new(&file.display_path) == argument
                || canonical.as_ref() == Some(&file.path)
        })
        .collect();
    if !by_path.is_empty() {
        return by_path;
    }
    let by_name: Vec<usize> = (0..files.len())
        .filter(|&f| files[f].path.file_name() == Some(argument.as_os_str()))
        .collect();
    if !by_name.is_empty() {
        return by_name;
    }
    let Some(text) = argument.to_str().filter(|t| !t.is_empty()) else {
        return Vec::new();
    };
    let revisions = project.map.revisions();
    let of_id = |id: &str| -> Vec<usize> {
        (0..revisions.len())
            .filter(|&r| revisions[r].id == id)
            .map(|r| project.revision_files[r])
            .collect()
    };
    let exact = of_id(text);
    if !exact.is_empty() {
        return exact;
    }
    let prefixed: BTreeSet<&str> = revisions
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| id.starts_with(text))
        .collect();
    match prefixed.into_iter().collect::<Vec<_>>().as_slice() {
        [id] => of_id(id),
        _ => Vec::new(),
    }
}

/// Give copy `file` the id `new`: its `revision` literal, its `Revision
/// ID:` line, its file name.
fn rename_copy(
    project: &Project,
    file: usize,
    old: &str,
    new: &str,
    builder: &mut PlanBuilder,
) -> Result<(), String> {
    let project_file = &project.files[file];
    let shown = &project_file.display_path;
    let Some(script) = project_file.script() else {
        return Err(format!("{shown} could not be read"));
    };
    let edits = rename_in_variable(script, Var::Revision, old, new)
        .map_err(|reason| format!("{shown}: {reason}"))?;
    if edits.is_empty() {
        return Err(format!(
            "{shown} takes its id `{old}` from its file name (it has no `revision` variable); add `revision = '{old}'` and `down_revision` first"
        ));
    }
    for edit in edits {
        builder.edit(file, edit);
    }
    if let Some(line) = script
        .docstring
        .as_ref()
        .and_then(|d| d.header.revision_id.as_ref())
    {
        let said: Vec<&str> = words(&line.value).into_iter().map(|(_, w)| w).collect();
        match rename_in_header(line, old, new) {
            Some(edits) if said == [old] => {
                for edit in edits {
                    builder.edit(file, edit);
                }
            }
            Some(_) => builder.plan.notes.push(format!(
                "{shown}: the `Revision ID: {}` line does not name `{old}` alone and was left as it is",
                line.value
            )),
            None => builder.plan.notes.push(format!(
                "{shown}: the `Revision ID:` line cannot be rewritten exactly (an escape sequence comes before it); change it to `{new}` by hand"
            )),
        }
    }
    let name = project_file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(new_name) = rename_in_file_name(&name, old, new) {
        let to = project_file.path.with_file_name(&new_name);
        let display = Path::new(shown)
            .with_file_name(&new_name)
            .to_string_lossy()
            .into_owned();
        builder.rename(file, to, display);
    }
    Ok(())
}

/// Point child `file` at `new` instead of `old`: `down_revision`,
/// `depends_on` and the `Revises:` line.
fn repoint_child(
    project: &Project,
    file: usize,
    old: &str,
    new: &str,
    builder: &mut PlanBuilder,
) -> Result<(), String> {
    let project_file = &project.files[file];
    let shown = &project_file.display_path;
    let Some(script) = project_file.script() else {
        return Err(format!("{shown} could not be read"));
    };
    let mut found = false;
    for var in [Var::DownRevision, Var::DependsOn] {
        let edits = rename_in_variable(script, var, old, new)
            .map_err(|reason| format!("{shown}: {reason}"))?;
        found |= !edits.is_empty();
        for edit in edits {
            builder.edit(file, edit);
        }
    }
    if !found {
        return Err(format!(
            "{shown} names `{old}` but not as a literal this fix can rewrite"
        ));
    }
    if let Some(line) = script
        .docstring
        .as_ref()
        .and_then(|d| d.header.revises.as_ref())
    {
        match rename_in_header(line, old, new) {
            Some(edits) => {
                for edit in edits {
                    builder.edit(file, edit);
                }
            }
            None => builder.plan.notes.push(format!(
                "{shown}: the `Revises:` line cannot be rewritten exactly (an escape sequence comes before it); change `{old}` to `{new}` there by hand"
            )),
        }
    }
    Ok(())
}

/// The copies of each duplicated id, for messages and tests.
pub fn duplicated_ids(project: &Project) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut twice = BTreeSet::new();
    for input in project.map.revisions() {
        if !seen.insert(input.id.as_str()) {
            twice.insert(input.id.clone());
        }
    }
    twice
}
