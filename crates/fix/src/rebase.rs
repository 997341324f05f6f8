//! `fix rebase REV... --onto TARGET`: re-parent the first revision of a
//! branch's new chain onto another revision, so that the chain stays
//! linear instead of needing a merge revision.
//!
//! Only `down_revision` (the bytes between its quotes, or `None` replaced
//! by a literal in the file's own quote style) and the `Revises:` line
//! change. With several revisions they are stacked: the first goes onto
//! TARGET, each next one onto the head above the previous one.
//!
//! Re-parenting a revision that a database has already applied strands
//! that database (its `alembic_version` row no longer sits where the chain
//! says), which is why Alembic has no such command. So this refuses a
//! revision that is on the base branch (it may be deployed), one that
//! `--applied` names or lies below, one at or below a row of the database
//! the caller read ([`Options::database`]), a merge revision (a parent
//! would be dropped), and a target at or above the revision (a cycle). A
//! database stamped with a revision no file here declares is refused
//! outright: what lies below that row cannot be known, so any revision
//! might be applied there.
//!
//! It also refuses what it would have to guess: a revision or target whose
//! id several files declare (Alembic silently uses the last one loaded; run
//! `fix duplicate-ids` first), and, without `--onto`, a base branch head
//! this working tree does not contain (merge or rebase onto the base branch
//! first, or name the target with `--onto`).

use std::collections::BTreeSet;

use alembic_doctor_project::Project;
use alembic_doctor_script::{Value, Variable};

use crate::FixError;
use crate::base::BaseBranch;
use crate::edit::Edit;
use crate::plan::{AppliedFix, FixKind, Plan, PlanBuilder, Target};

/// What `fix rebase` was asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The revisions to re-parent, in stacking order.
    pub revisions: Vec<String>,
    /// The new parent of the first one; default: the base branch's single
    /// head.
    pub onto: Option<String>,
    /// Revisions a database has applied (its `alembic_version` rows).
    pub applied: Vec<String>,
    /// A database read by the caller: it has applied its rows and
    /// everything below them.
    pub database: Option<AppliedDatabase>,
}

/// A database's version table, as read.
#[derive(Debug, Clone, Default)]
pub struct AppliedDatabase {
    /// The database, for messages (its password masked).
    pub url: String,
    /// The stamped ids, in the table's order.
    pub rows: Vec<String>,
}

fn resolve_one(project: &Project, argument: &str) -> Result<usize, FixError> {
    let found = match project.map.resolve(argument) {
        Ok(found) => found,
        // Alembic resolves nothing on a chain it cannot load (a missing
        // parent raises `KeyError` first), but re-parenting is how such a
        // chain is repaired: an exact id, or a unique prefix, is enough.
        Err(error) if project.map.alembic_would_fail().is_some() => {
            by_id_or_prefix(project, argument).ok_or_else(|| FixError::Usage {
                message: format!("{error}"),
            })?
        }
        Err(error) => {
            return Err(FixError::Usage {
                message: format!("{error}"),
            });
        }
    };
    match found.as_slice() {
        [one] => Ok(*one),
        _ => Err(FixError::Usage {
            message: format!("`{argument}` names {} revisions; name one", found.len()),
        }),
    }
}

/// The revision whose id is `argument`, else the only one whose id starts
/// with it.
fn by_id_or_prefix(project: &Project, argument: &str) -> Option<Vec<usize>> {
    if argument.is_empty() {
        return None;
    }
    if let Some(rev) = project.map.lookup(argument) {
        return Some(vec![rev]);
    }
    let matches: Vec<usize> = (0..project.map.revisions().len())
        .filter(|&rev| project.map.revisions()[rev].id.starts_with(argument))
        .collect();
    (matches.len() == 1).then_some(matches)
}

/// Every revision declaring the same id as `rev` (`rev` included), in load
/// order.
fn copies_of(project: &Project, rev: usize) -> Vec<usize> {
    let id = &project.map.revisions()[rev].id;
    project
        .map
        .revisions()
        .iter()
        .enumerate()
        .filter(|(_, input)| input.id == *id)
        .map(|(r, _)| r)
        .collect()
}

/// `argument` resolved to one revision whose id one file declares: a
/// duplicated id leaves which file is meant to Alembic's load order.
fn resolve_unique(project: &Project, argument: &str, role: &str) -> Result<usize, FixError> {
    let rev = resolve_one(project, argument)?;
    let copies = copies_of(project, rev);
    if copies.len() > 1 {
        let id = &project.map.revisions()[rev].id;
        let files: Vec<&str> = copies
            .iter()
            .map(|&c| project.file_of(c).display_path.as_str())
            .collect();
        return Err(FixError::refused(format!(
            "{role} `{id}` is declared by {} files ({}), so which one is meant is ambiguous: \
             Alembic silently uses the last one it loads. Give the copies distinct ids first \
             with `alembic-doctor fix duplicate-ids`, then re-parent onto the id the right copy keeps",
            files.len(),
            files.join(", ")
        )));
    }
    Ok(rev)
}

/// Every revision at or below `revs` through `down_revision` and
/// `depends_on`.
fn at_or_below(project: &Project, revs: &[usize]) -> BTreeSet<usize> {
    let map = &project.map;
    let mut seen = BTreeSet::new();
    let mut stack: Vec<usize> = revs.to_vec();
    while let Some(rev) = stack.pop() {
        if !seen.insert(rev) {
            continue;
        }
        let input = &map.revisions()[rev];
        for parent in input.down_revisions.iter().chain(&input.depends_on) {
            if let Some(p) = map.lookup(parent) {
                stack.push(p);
            }
        }
    }
    seen
}

/// Every revision `database` has applied: its rows (every copy of a
/// duplicated id: either may have run) and everything below them. A row
/// no file declares is refused: what it stands on is unknown.
fn applied_on(project: &Project, database: &AppliedDatabase) -> Result<BTreeSet<usize>, FixError> {
    let mut rows = Vec::new();
    for row in &database.rows {
        match project.map.resolve(row).as_deref() {
            Ok([rev]) => rows.extend(copies_of(project, *rev)),
            _ => {
                return Err(FixError::refused(format!(
                    "the database at {} is stamped with `{row}`, which no migration file here \
                     declares, so which revisions it has applied below it cannot be known; \
                     nothing is re-parented. `alembic-doctor status` says where `{row}` comes \
                     from; merge the branch or restore the file that declares it, or merge \
                     instead: `alembic-doctor fix merge`",
                    database.url
                )));
            }
        }
    }
    Ok(at_or_below(project, &rows))
}

/// `a`, `b` and `c` for a message; "no revision" when empty.
fn quoted_list(ids: &[String]) -> String {
    if ids.is_empty() {
        return "no revision".to_owned();
    }
    ids.iter()
        .map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The single head at or above `rev` (through `down_revision`).
fn head_above(project: &Project, rev: usize) -> Option<usize> {
    let map = &project.map;
    let mut heads = Vec::new();
    let mut stack = vec![rev];
    let mut seen = BTreeSet::new();
    while let Some(r) = stack.pop() {
        if !seen.insert(r) {
            continue;
        }
        if map.is_head(r) {
            heads.push(r);
        }
        stack.extend(map.children(r).iter().copied());
    }
    match heads.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// The plan that re-parents the revisions.
pub(crate) fn plan(
    project: &Project,
    options: &Options,
    base: Option<&BaseBranch>,
) -> Result<Plan, FixError> {
    let map = &project.map;
    crate::refuse_unloadable(project, "re-parenting")?;
    if options.revisions.is_empty() {
        return Err(FixError::Usage {
            message: "name the revision to re-parent".to_owned(),
        });
    }
    let target_arg = match (&options.onto, base) {
        (Some(onto), _) => onto.clone(),
        (None, Some(base)) => match base.tip_heads.as_slice() {
            [one] => {
                base_head_here(project, base, one)?;
                one.clone()
            }
            heads => {
                return Err(FixError::refused(format!(
                    "{} has {} heads; say which one with --onto",
                    base.name,
                    heads.len()
                )));
            }
        },
        (None, None) => {
            return Err(FixError::refused(
                "no base branch to take the target from; pass --onto TARGET",
            ));
        }
    };
    let mut target = resolve_unique(project, &target_arg, "the target")?;
    // A duplicated id named as applied: the database may have run either
    // copy, so both are kept as they are.
    let applied: Vec<usize> = options
        .applied
        .iter()
        .map(|a| resolve_one(project, a).map(|rev| copies_of(project, rev)))
        .collect::<Result<Vec<_>, _>>()?
        .concat();
    let applied = at_or_below(project, &applied);
    let on_database = match &options.database {
        Some(database) => applied_on(project, database)?,
        None => BTreeSet::new(),
    };
    let mut builder = PlanBuilder::default();
    for argument in &options.revisions {
        let rev = resolve_unique(project, argument, "the revision to re-parent")?;
        let id = map.revisions()[rev].id.clone();
        let file_index = project.revision_files[rev];
        let file = &project.files[file_index];
        if let Some(base) = base
            && base.declares(&file.path, &id)
        {
            return Err(FixError::refused(format!(
                "`{id}` is on {}, so databases may have applied it; re-parenting it would strand them. Merge instead: `alembic-doctor fix merge`",
                base.name
            )));
        }
        if applied.contains(&rev) {
            return Err(FixError::refused(format!(
                "`{id}` is applied (it is named by --applied or lies below one); re-parenting it would strand that database. Merge instead: `alembic-doctor fix merge`"
            )));
        }
        if on_database.contains(&rev)
            && let Some(database) = &options.database
        {
            return Err(FixError::refused(format!(
                "`{id}` is applied on the database at {} (stamped with {}, at or below which it \
                 lies); re-parenting it would strand that database. Merge instead: \
                 `alembic-doctor fix merge`",
                database.url,
                quoted_list(&database.rows)
            )));
        }
        if target == rev {
            return Err(FixError::refused(format!(
                "`{id}` cannot be re-parented onto itself"
            )));
        }
        if at_or_below(project, &[target]).contains(&rev) {
            return Err(FixError::refused(format!(
                "`{}` lies above `{id}`; re-parenting onto it would make a cycle",
                map.revisions()[target].id
            )));
        }
        let target_id = map.revisions()[target].id.clone();
        let old = map.revisions()[rev].down_revisions.clone();
        let Some(script) = file.script() else {
            return Err(FixError::refused(format!(
                "{} could not be read",
                file.display_path
            )));
        };
        let Variable::Bound(binding) = &script.down_revision else {
            return Err(FixError::refused(format!(
                "{} has no down_revision to rewrite",
                file.display_path
            )));
        };
        let edit = match &binding.value {
            Value::Str(literal) => literal.content_span.map(|span| Edit::new(span, &target_id)),
            Value::None => {
                let quote = quote_of(script, &file.bytes);
                Some(Edit::new(
                    binding.value_span,
                    &format!("{quote}{target_id}{quote}"),
                ))
            }
            Value::Sequence { items, .. } if items.len() > 1 => {
                return Err(FixError::refused(format!(
                    "`{id}` is a merge revision; re-parenting it would drop a parent"
                )));
            }
            Value::Sequence { items, .. } => match items.first() {
                Some(Value::Str(literal)) => {
                    literal.content_span.map(|span| Edit::new(span, &target_id))
                }
                _ => None,
            },
            _ => None,
        };
        let Some(edit) = edit else {
            return Err(FixError::refused(format!(
                "{}: down_revision is not a literal written in the file, so it cannot be rewritten exactly",
                file.display_path
            )));
        };
        if binding.conditional {
            return Err(FixError::refused(format!(
                "{}: down_revision is assigned inside a block, so which assignment Alembic sees is not known",
                file.display_path
            )));
        }
        builder.edit(file_index, edit);
        if let Some(line) = script
            .docstring
            .as_ref()
            .and_then(|d| d.header.revises.as_ref())
        {
            match line.value_span {
                Some(span) => builder.edit(file_index, Edit::new(span, &target_id)),
                None => builder.plan.notes.push(format!(
                    "{}: the `Revises:` line cannot be rewritten exactly; change it to `{target_id}` by hand",
                    file.display_path
                )),
            }
        }
        builder.plan.targets.push(Target::Parents {
            id: id.clone(),
            parents: vec![target_id.clone()],
        });
        builder.plan.fixes.push(AppliedFix {
            kind: FixKind::Rebase,
            file: file.path.clone(),
            old_id: Some(old.join(", ")),
            new_id: Some(target_id.clone()),
            description: format!(
                "{}: `{id}` now follows `{target_id}` (was {})",
                file.display_path,
                if old.is_empty() {
                    "a base".to_owned()
                } else {
                    format!("`{}`", old.join(", "))
                }
            ),
        });
        target = head_above(project, rev).ok_or_else(|| {
            FixError::refused(format!(
                "`{id}` has several heads above it; re-parent the next revision with its own --onto"
            ))
        })?;
    }
    builder.finish(project)
}

/// The base branch's single head `head`, taken as the default target, is
/// in this working tree: the same file declares it here. When it is not,
/// re-parenting onto it cannot be done here (or would re-parent onto
/// another file that happens to reuse the id).
fn base_head_here(project: &Project, base: &BaseBranch, head: &str) -> Result<(), FixError> {
    let theirs = base.tip_revisions.get(head);
    let ours: Vec<&str> = project
        .map
        .revisions()
        .iter()
        .enumerate()
        .filter(|(_, input)| input.id == head)
        .map(|(rev, _)| project.file_of(rev))
        .filter(|file| Some(&file.path) != theirs)
        .map(|file| file.display_path.as_str())
        .collect();
    let here = project
        .map
        .revisions()
        .iter()
        .enumerate()
        .any(|(rev, input)| input.id == head && Some(&project.file_of(rev).path) == theirs);
    if here {
        return Ok(());
    }
    let name = &base.name;
    let also = if ours.is_empty() {
        String::new()
    } else {
        format!(
            " (here `{head}` is declared by {}, a different file: give it a fresh id with `alembic-doctor fix duplicate-ids`)",
            ours.join(", ")
        )
    };
    Err(FixError::refused(format!(
        "the target is {name}'s head `{head}`, which this working tree does not contain{also}: \
         {name} has moved on since this branch forked. Merge or rebase this branch onto {name} first \
         (`git merge {name}` or `git rebase {name}`), then run this again; \
         or name a revision this tree has with --onto TARGET"
    )))
}

/// The quote the file uses for its `revision` literal (`'` by default).
fn quote_of(script: &alembic_doctor_script::Script, bytes: &[u8]) -> char {
    if let Variable::Bound(binding) = &script.revision
        && let Value::Str(literal) = &binding.value
        && let Some(span) = literal.content_span
        && span.start > 0
        && bytes.get(span.start as usize - 1) == Some(&b'"')
    {
        return '"';
    }
    '\''
}
