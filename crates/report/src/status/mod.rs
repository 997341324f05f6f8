//! The Migration Status Report: what a reviewer needs before merging a
//! pull request that touches migrations, rendered from a comparison, the
//! pre-merge checklist and each side's own findings. Every line comes from
//! something that was computed and checked; a section with nothing to say
//! says so rather than inventing reassurance.
//!
//! The sections are built once as a small document model ([`Section`]) and
//! rendered as Markdown (a pull-request comment), plain text (a terminal)
//! or JSON (the compare contract plus the rendered sections).

mod advice;
mod alignment;
mod checks;
mod context;
mod doc;
mod fixed;
mod mermaid;
mod notes;
mod path;
mod problems;
mod run;
mod sides;
mod verification;

use alembic_doctor_compare::{ChecklistItem, Comparison, Start};
use alembic_doctor_project::Project;
use alembic_doctor_rules::Finding;
use serde_json::{Value, json};

pub use doc::Section;
pub(crate) use doc::plain;
pub use fixed::{FixedIssue, Fixes};

/// The hidden marker the Markdown report starts with, so that a CI job can
/// find its previous comment and update it instead of adding another.
pub const REPORT_MARKER: &str = "<!-- alembic-doctor-report -->";

/// What the report is rendered from.
pub struct StatusInput<'a> {
    /// The comparison of BASE with the HEADs.
    pub comparison: &'a Comparison,
    /// Where the database is: BASE's heads, `--from` (resolved in the
    /// merged chain by the caller), or a database's version table.
    pub start: &'a Start,
    /// The pre-merge checks, as run on the comparison.
    pub checklist: &'a [ChecklistItem],
    /// Every rule run on each side alone: BASE first, then each HEAD.
    pub side_findings: &'a [Vec<Finding>],
    /// What `report --fix` repaired first, when it ran.
    pub fixes: Option<&'a Fixes>,
    /// How the safety lints ran on the HEADs' new revisions (`None` when
    /// the caller did not say).
    pub lint: Option<&'a LintInfo>,
    /// The day the report is made (`2025-11-29`), when known.
    pub generated_on: Option<&'a str>,
    /// `env.py` supports offline mode (`context.is_offline_mode()`), so
    /// `alembic upgrade FROM:TO --sql` can preview the SQL.
    pub offline_sql: bool,
    /// How to call Alembic on this project, with the configuration the user
    /// passed (`alembic -c db/alembic.ini`); empty means `alembic`.
    pub alembic: &'a str,
}

/// How the safety lints ran, as `check --format json` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintInfo {
    /// They ran (not `--no-lint`).
    pub enabled: bool,
    /// `postgresql`, `mysql`, `sqlite` or `other`.
    pub dialect: String,
    /// Where the dialect came from (`--dialect`, `sqlalchemy.url`...), or
    /// that it was assumed.
    pub dialect_origin: String,
    /// No dialect was configured: PostgreSQL was assumed.
    pub assumed: bool,
    /// An Alembic configuration (`alembic.ini`, `pyproject.toml`) was read,
    /// so `sqlalchemy.url` could have named the database; not with
    /// `--versions` alone.
    pub config_read: bool,
    /// PostgreSQL's major version the rules assume.
    pub postgres_version: u32,
    /// Which revisions were linted, in words.
    pub scope: String,
    /// How many revisions were linted (`None`: every revision).
    pub linted_revisions: Option<usize>,
}

impl LintInfo {
    /// The `lint` object of the JSON outputs.
    pub fn json(&self) -> Value {
        json!({
            "enabled": self.enabled,
            "dialect": self.dialect,
            "dialect_origin": self.dialect_origin,
            "postgres_version": self.postgres_version,
            "scope": self.scope,
            "linted_revisions": self.linted_revisions,
        })
    }
}

/// How the merge would end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every pre-merge check passed and no rule reported anything.
    Healthy,
    /// Nothing breaks, but a check failed or a rule warned.
    Warnings,
    /// The merged chain has errors: Alembic would fail or do the wrong thing.
    Broken,
}

impl Verdict {
    /// `healthy` / `warnings` / `broken`, for JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Healthy => "healthy",
            Verdict::Warnings => "warnings",
            Verdict::Broken => "broken",
        }
    }
}

/// The report, sections in order.
pub struct StatusReport {
    /// The overall verdict.
    pub verdict: Verdict,
    /// The one-line verdict, in Markdown.
    pub headline: String,
    /// Every section, verdict first.
    pub sections: Vec<Section>,
}

impl StatusReport {
    /// The report as Markdown for a pull-request comment, starting with
    /// [`REPORT_MARKER`].
    pub fn markdown(&self) -> String {
        let mut out = format!("{REPORT_MARKER}\n# Migration Status Report\n\n");
        for section in &self.sections {
            out.push_str(&section.markdown());
        }
        // One trailing newline, however the last block ended.
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }

    /// The report as plain text for a terminal.
    pub fn text(&self) -> String {
        let mut out = String::from("Migration Status Report\n\n");
        for section in &self.sections {
            out.push_str(&section.text());
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }
}

/// Build the report.
pub fn status_report(input: &StatusInput<'_>) -> StatusReport {
    let verdict = advice::verdict(input);
    let headline = advice::headline(input, verdict);
    let mut sections = vec![
        Section::new("verdict", "", vec![doc::Block::Paragraph(headline.clone())]),
        context::section(input),
        sides::branch_comparison(input),
        alignment::section(input),
        verification::section(input),
        problems::section(input),
    ];
    sections.extend(fixed::section(input));
    sections.extend([sides::statistics(input), path::section(input)]);
    sections.extend(notes::section(input));
    sections.push(checks::section(input));
    sections.push(advice::recommendations(input));
    sections.push(advice::conclusion(input, verdict));
    StatusReport {
        verdict,
        headline,
        sections,
    }
}

/// `report --format json`: the compare contract, plus `report` with the
/// verdict, the checklist and the rendered sections.
pub fn status_json(input: &StatusInput<'_>, report: &StatusReport) -> Value {
    let mut value = crate::comparison_json(input.comparison, input.start);
    let extra = json!({
        "verdict": report.verdict.as_str(),
        "headline": report.headline,
        "checklist": input.checklist.iter().map(|item| json!({
            "code": item.code,
            "title": item.title,
            "passed": item.passed,
            "already_on_base": item.inherited,
            "detail": item.detail,
        })).collect::<Vec<_>>(),
        "sections": report.sections.iter().map(|section| json!({
            "key": section.key,
            "title": section.title,
            "markdown": section.markdown(),
        })).collect::<Vec<_>>(),
        "markdown": report.markdown(),
        "fixed": input.fixes.map(|fixes| json!({
            "applied": fixes.applied.iter().map(|fix| json!({
                "kind": fix.kind,
                "file": fix.file,
                "old": fix.old,
                "new": fix.new,
                "description": fix.description,
            })).collect::<Vec<_>>(),
            "skipped": fixes.skipped,
        })),
    });
    if let Value::Object(object) = &mut value {
        if let Some(lint) = input.lint {
            object.insert("lint".to_owned(), lint.json());
        }
        object.insert("report".to_owned(), extra);
    }
    value
}

/// A side's name in Markdown: `` `main` ``, or for the working tree the
/// branch checked out and what it is (`` `feature` (working tree, with
/// uncommitted changes) ``).
pub(crate) fn side_name(side: &alembic_doctor_compare::Side) -> String {
    match &side.worktree {
        Some(state) => match &state.branch {
            Some(branch) => format!("{} ({})", doc::code(branch), state.description()),
            None if state.uncommitted => {
                format!("{} (with uncommitted changes)", doc::code("working tree"))
            }
            None => doc::code("working tree"),
        },
        None => doc::code(&side.label),
    }
}

/// [`side_name`] of the side labelled `label` (BASE or a HEAD), or the
/// label in code when no side has it.
pub(crate) fn side_name_of(comparison: &Comparison, label: &str) -> String {
    comparison
        .side(label)
        .map_or_else(|| doc::code(label), side_name)
}

/// A revision's message (`doc`), or an empty string.
pub(crate) fn message_of(project: &Project, rev: usize) -> &str {
    project
        .file_of(rev)
        .script()
        .and_then(|script| script.docstring.as_ref())
        .map_or("", |doc| doc.doc.as_str())
}

/// `` `id` (message) `` or `` `id` `` when the revision has no message.
pub(crate) fn id_and_message(project: &Project, rev: usize) -> String {
    let id = doc::code(&project.map.revisions()[rev].id);
    match message_of(project, rev) {
        "" => id,
        message => format!("{id} ({})", doc::text(message)),
    }
}
