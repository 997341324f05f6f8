//! `alembic-doctor status`: where the database is on the chain, as text for
//! people and as one JSON object (fields are only ever added).

use alembic_doctor_git::MentionChange;
use alembic_doctor_project::Project;
use alembic_doctor_status::DatabaseStatus;
use serde_json::{Value, json};

use crate::finding_json;

/// Which database was read, for the heading and the JSON `database` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseInfo {
    /// The URL, password masked.
    pub url: String,
    /// `postgresql`, `mysql`, `mariadb` or `sqlite`.
    pub dialect: String,
    /// The version table, with its schema when one is set.
    pub version_table: String,
    /// Where the URL came from (`--database-url`, the environment
    /// variable, `sqlalchemy.url`).
    pub url_origin: String,
}

/// The report for a terminal.
pub fn database_status_text(status: &DatabaseStatus, info: &DatabaseInfo) -> String {
    let mut out = format!(
        "Database: {} ({}, from {}), version table `{}`\n\n",
        info.url, info.dialect, info.url_origin, info.version_table
    );
    if status.current.is_empty() {
        out.push_str("Current: no rows (an empty version table: nothing applied yet)\n");
    } else {
        out.push_str(&format!(
            "Current ({} row{}):\n",
            status.current.len(),
            plural(status.current.len())
        ));
        for row in &status.current {
            let Some(place) = &row.place else {
                out.push_str(&format!(
                    "  {}  unknown: no migration file declares it\n",
                    row.id
                ));
                continue;
            };
            let mut where_ = if place.is_head {
                "a head".to_owned()
            } else if place.below_heads.is_empty() {
                "below no head".to_owned()
            } else {
                format!("below head {}", place.below_heads.join(", "))
            };
            if place.revision != row.id {
                where_ = format!("= {}, {where_}", place.revision);
            }
            if !place.branch_labels.is_empty() {
                where_.push_str(&format!(", branch {}", place.branch_labels.join(", ")));
            }
            out.push_str(&format!("  {}  {where_}  ({})\n", row.id, place.file));
        }
    }
    out.push_str(&format!(
        "\nHeads: {}\nAt every head: {}\n",
        if status.heads.is_empty() {
            "none (no revisions)".to_owned()
        } else {
            status.heads.join(", ")
        },
        if status.at_heads { "yes" } else { "no" }
    ));
    out.push('\n');
    if let Some(error) = &status.upgrade_error {
        out.push_str(&format!(
            "`alembic upgrade heads` would fail from this database: {error}\n"
        ));
    } else if status.pending.is_empty() {
        out.push_str("Pending: nothing; `alembic upgrade heads` has nothing to apply\n");
    } else {
        out.push_str(&format!(
            "Pending, in the order `alembic upgrade heads` applies them ({}):\n",
            status.pending.len()
        ));
        for (n, id) in status.pending.iter().enumerate() {
            out.push_str(&format!("  {:>3}. {id}\n", n + 1));
        }
        match &status.pending_head {
            Some(head) if head == &status.pending => {
                out.push_str("`alembic upgrade head` applies the same.\n");
            }
            Some(head) => out.push_str(&format!(
                "`alembic upgrade head` applies {}.\n",
                if head.is_empty() {
                    "nothing".to_owned()
                } else {
                    head.join(", ")
                }
            )),
            None => out.push_str("`alembic upgrade head` is refused: there are several heads.\n"),
        }
    }
    if !status.unknown.is_empty() {
        out.push_str(&format!(
            "\nUnknown revisions ({}):\n",
            status.unknown.len()
        ));
        for unknown in &status.unknown {
            out.push_str(&format!("  {}: {}\n", unknown.id, unknown.cause));
            for commit in &unknown.commits {
                out.push_str(&format!(
                    "    {} {} \"{}\"{}\n",
                    &commit.commit[..commit.commit.len().min(12)],
                    match commit.change {
                        MentionChange::Added => "added",
                        MentionChange::Removed => "removed",
                    },
                    commit.summary,
                    if commit.branches.is_empty() {
                        String::new()
                    } else {
                        format!(" on {}", commit.branches.join(", "))
                    }
                ));
            }
        }
        if status.history_truncated {
            out.push_str("  (the git history searched was incomplete: a shallow clone?)\n");
        }
    }
    for (low, high) in &status.overlapping {
        out.push_str(&format!(
            "\nerror: `{low}` and `{high}` are both stamped, but `{low}` is an ancestor of \
             `{high}`; Alembic refuses such a version table\n"
        ));
    }
    out
}

/// The JSON object: `database`, `current`, `at_heads`, `pending`,
/// `pending_head`, `unknown`, `findings`.
pub fn database_status_json(
    project: &Project,
    status: &DatabaseStatus,
    info: &DatabaseInfo,
) -> Value {
    json!({
        "database": {
            "url": info.url,
            "dialect": info.dialect,
            "version_table": info.version_table,
        },
        "current": status.current.iter().map(|row| row.id.as_str()).collect::<Vec<_>>(),
        "at_heads": status.at_heads,
        "pending": status.pending,
        "pending_head": status.pending_head,
        "unknown": status.unknown.iter().map(|unknown| json!({
            "id": unknown.id,
            "cause": unknown.cause,
            "commits": unknown.commits.iter().map(|commit| json!({
                "commit": commit.commit,
                "summary": commit.summary,
                "change": match commit.change {
                    MentionChange::Added => "added",
                    MentionChange::Removed => "removed",
                },
                "branches": commit.branches,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "findings": status.findings.iter().map(|f| finding_json(project, f)).collect::<Vec<_>>(),
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
