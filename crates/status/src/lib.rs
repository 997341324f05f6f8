//! Where a database is on the migration chain: its version table's rows
//! (read by `alembic_doctor_database`) placed in the revision map, whether
//! it is at every head, what `alembic upgrade heads` (and `upgrade head`)
//! would apply, in Alembic's exact order, and every stamped revision the
//! code does not know, with the commits that explain it.
//!
//! Plain data in, plain data out: the database and the printing are other
//! stages' jobs.

use std::path::PathBuf;

use alembic_doctor_git::{GitRepo, Mention, MentionChange};
use alembic_doctor_graph::RevIdx;
use alembic_doctor_project::Project;
use alembic_doctor_rules::{Finding, Rule};

/// One row of the version table, placed on the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampedRevision {
    /// The id as stored in the row.
    pub id: String,
    /// Where the chain has it, when the code knows it.
    pub place: Option<Place>,
}

/// A known stamped revision's place on the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The full id the row resolves to (Alembic resolves a unique prefix).
    pub revision: String,
    /// The file that declares it, as shown to people.
    pub file: String,
    /// The revision is a head.
    pub is_head: bool,
    /// The heads above it (itself when it is one), in Alembic's order.
    pub below_heads: Vec<String>,
    /// Its branch labels, after Alembic's propagation.
    pub branch_labels: Vec<String>,
}

/// A stamped revision no file declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRevision {
    /// The id as stored.
    pub id: String,
    /// The likely cause, in one sentence.
    pub cause: String,
    /// The commits that added or removed the id in the version directories,
    /// newest first (empty outside git).
    pub commits: Vec<Mention>,
}

/// What `status` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseStatus {
    /// The rows, in the table's order.
    pub current: Vec<StampedRevision>,
    /// The code's heads (`alembic heads`).
    pub heads: Vec<String>,
    /// The rows are exactly the heads (`alembic current --check-heads`).
    pub at_heads: bool,
    /// What `alembic upgrade heads` applies, in its order (empty when it
    /// would fail: see [`DatabaseStatus::upgrade_error`]).
    pub pending: Vec<String>,
    /// The same for `alembic upgrade head`; `None` when there are several
    /// heads (Alembic refuses `head` then).
    pub pending_head: Option<Vec<String>>,
    /// Why `alembic upgrade heads` would fail from this database, if it
    /// would (Alembic's own message).
    pub upgrade_error: Option<String>,
    /// Stamped revisions the code does not know.
    pub unknown: Vec<UnknownRevision>,
    /// Pairs of rows where the first is an ancestor of the second.
    pub overlapping: Vec<(String, String)>,
    /// The git history searched was cut short (shallow clone, or very
    /// long): the unknown revisions' commits may be incomplete.
    pub history_truncated: bool,
    /// `database-unknown-revision` and `database-overlapping-revisions`.
    pub findings: Vec<Finding>,
}

/// Place the version table's rows `current` on `project`'s chain. `git`,
/// when the project is in a repository, is searched for the commits that
/// mention unknown revisions.
pub fn database_status(
    project: &Project,
    current: &[String],
    git: Option<&GitRepo>,
) -> DatabaseStatus {
    let map = &project.map;
    let id = |rev: RevIdx| map.revisions()[rev].id.clone();
    let heads: Vec<String> = map.heads().iter().map(|&h| id(h)).collect();
    let head_ancestors: Vec<_> = map.heads().iter().map(|&h| map.ancestors(&[h])).collect();

    let mut stamped = Vec::with_capacity(current.len());
    let mut known: Vec<(String, RevIdx)> = Vec::new();
    let mut unknown_ids = Vec::new();
    for row in current {
        let rev = match map.resolve(row).as_deref() {
            Ok([rev]) => Some(map.canonical(*rev)),
            _ => None,
        };
        let place = rev.map(|rev| {
            known.push((row.clone(), rev));
            Place {
                revision: id(rev),
                file: project.file_of(rev).display_path.clone(),
                is_head: map.is_head(rev),
                below_heads: map
                    .heads()
                    .iter()
                    .zip(&head_ancestors)
                    .filter(|(_, below)| below.contains(&rev))
                    .map(|(&h, _)| id(h))
                    .collect(),
                branch_labels: map.branch_labels(rev).to_vec(),
            }
        });
        if place.is_none() {
            unknown_ids.push(row.clone());
        }
        stamped.push(StampedRevision {
            id: row.clone(),
            place,
        });
    }

    let at_heads = {
        let mut rows: Vec<&str> = current.iter().map(String::as_str).collect();
        let mut want: Vec<&str> = heads.iter().map(String::as_str).collect();
        rows.sort_unstable();
        rows.dedup();
        want.sort_unstable();
        want.dedup();
        rows == want
    };

    let (pending, upgrade_error) = match map.upgrade_order_from(current, "heads") {
        Ok(order) => (order.into_iter().map(id).collect(), None),
        Err(error) => (Vec::new(), Some(without_failed(&error.to_string()))),
    };
    let pending_head = (map.heads().len() == 1).then(|| {
        map.upgrade_order_from(current, "head")
            .map(|order| order.into_iter().map(id).collect())
            .unwrap_or_default()
    });

    let mut overlapping = Vec::new();
    for (i, (low_row, low)) in known.iter().enumerate() {
        for (j, (high_row, high)) in known.iter().enumerate() {
            if i != j && low != high && map.ancestors(&[*high]).contains(low) {
                overlapping.push((low_row.clone(), high_row.clone()));
            }
        }
    }

    let (unknown, history_truncated) = explain_unknown(project, &unknown_ids, git);

    let mut findings = Vec::new();
    for unknown in &unknown {
        findings.push(
            Finding::new(
                Rule::DatabaseUnknownRevision,
                format!(
                    "the database is stamped with `{}`, which no migration file declares: {}",
                    unknown.id, unknown.cause
                ),
            )
            .revision(unknown.id.clone())
            .help(
                "merge or restore the file that declares it; if it was stamped by hand, \
                 check the schema and `alembic stamp --purge <revision>`; \
                 `alembic-doctor explain database-unknown-revision` says more",
            ),
        );
    }
    for (low, high) in &overlapping {
        findings.push(
            Finding::new(
                Rule::DatabaseOverlappingRevisions,
                format!(
                    "the database is stamped with both `{low}` and `{high}`, but `{low}` is an \
                     ancestor of `{high}`; `alembic upgrade` refuses such a version table"
                ),
            )
            .revision(low.clone())
            .help(format!(
                "delete the row `{low}` from the version table if the database really has \
                 `{high}`, or `alembic stamp --purge <revision>` with where it is"
            )),
        );
    }

    DatabaseStatus {
        current: stamped,
        heads,
        at_heads,
        pending,
        pending_head,
        upgrade_error,
        unknown,
        overlapping,
        history_truncated,
        findings,
    }
}

/// Alembic's `FAILED: ` prefix is not part of the reason.
fn without_failed(message: &str) -> String {
    message
        .strip_prefix("FAILED: ")
        .unwrap_or(message)
        .to_owned()
}

/// Each unknown id with its commits and likely cause.
fn explain_unknown(
    project: &Project,
    ids: &[String],
    git: Option<&GitRepo>,
) -> (Vec<UnknownRevision>, bool) {
    if ids.is_empty() {
        return (Vec::new(), false);
    }
    let dirs: Vec<PathBuf> = project.version_locations.clone();
    let mentions = git.and_then(|repo| repo.commits_mentioning(ids, &dirs).ok());
    let truncated = mentions.as_ref().is_some_and(|m| m.truncated);
    let unknown = ids
        .iter()
        .map(|id| {
            let commits = mentions
                .as_ref()
                .and_then(|m| m.by_id.get(id))
                .cloned()
                .unwrap_or_default();
            let cause = cause(id, &commits, git.is_some(), truncated);
            UnknownRevision {
                id: id.clone(),
                cause,
                commits,
            }
        })
        .collect();
    (unknown, truncated)
}

/// The likely cause, from the newest commit that touched the id.
fn cause(id: &str, commits: &[Mention], in_git: bool, truncated: bool) -> String {
    let Some(newest) = commits.first() else {
        return if in_git {
            format!(
                "no commit on any branch ever wrote `{id}` in the version directories{}: it was \
                 stamped by hand, or comes from another repository or an unfetched branch",
                if truncated {
                    " (the history searched is incomplete)"
                } else {
                    ""
                }
            )
        } else {
            "not in a git repository, so its history cannot be searched: a deleted file, an \
             unmerged branch or a manual stamp"
                .to_owned()
        };
    };
    let short = &newest.commit[..newest.commit.len().min(12)];
    let branches = if newest.branches.is_empty() {
        "no branch".to_owned()
    } else {
        newest.branches.join(", ")
    };
    match newest.change {
        MentionChange::Removed => format!(
            "its file was deleted or the id renamed in commit {short} \"{}\" (on {branches}) \
             after the database was stamped with it",
            newest.summary
        ),
        MentionChange::Added => format!(
            "it is declared on {branches} (commit {short} \"{}\") but not in this checkout: \
             that branch was deployed before being merged",
            newest.summary
        ),
    }
}
