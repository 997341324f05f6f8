//! Every renderer: Alembic-compatible text (`heads`, `history`, ...),
//! diagnostics with code frames, and the JSON contract of `check`.
//! Renderers compute nothing about the chain; they print what the graph
//! and the rules found.

mod alembic;
mod compare;
mod database;
mod diagnostics;
mod github;
mod json;
mod pretty;
mod pretty_by_hand;
mod sarif;
mod status;
mod summary;

use alembic_doctor_project::Project;
use alembic_doctor_source::LineIndex;

pub use alembic::{AlembicView, ScriptText};
pub use compare::{comparison_json, comparison_text, findings_with_plan, plan_json, plan_text};
pub use database::{DatabaseInfo, database_status_json, database_status_text};
pub use diagnostics::{Sources, render_text};
pub use github::{github_annotations, github_command, relative};
pub use json::{CheckBaseJson, CheckJson, check_json, finding_json};
pub use sarif::sarif_log;
pub use status::{
    FixedIssue, Fixes, LintInfo, REPORT_MARKER, Section, StatusInput, StatusReport, Verdict,
    status_json, status_report,
};
pub use summary::check_summary;

/// A loaded project as the source of code frames.
pub struct ProjectSources<'a>(pub &'a Project);

impl Sources for ProjectSources<'_> {
    fn display_path(&self, file: usize) -> &str {
        &self.0.files[file].display_path
    }

    fn bytes(&self, file: usize) -> &[u8] {
        &self.0.files[file].bytes
    }

    fn line_index(&self, file: usize) -> &LineIndex {
        self.0.files[file].line_index()
    }
}

/// The path, `doc` and `longdoc` of revision `rev`, as Alembic prints them.
pub fn script_text(project: &Project, rev: alembic_doctor_graph::RevIdx) -> ScriptText<'_> {
    let file = project.file_of(rev);
    let docstring = file.script().and_then(|s| s.docstring.as_ref());
    ScriptText {
        path: file.path.to_string_lossy(),
        doc: docstring.map_or("", |d| d.doc.as_str()),
        longdoc: docstring.map_or("", |d| d.longdoc.as_str()),
    }
}
