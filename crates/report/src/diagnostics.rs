//! Findings for people: one code frame per finding, like Ruff's and rustc's,
//! with the secondary places (the other file of a duplicate id, the other
//! head) framed below it, then what to do.
//!
//! Frames only ever show the few lines around a span, so a 10 MB file costs
//! no more than a small one.

use std::fmt::Write as _;
use std::ops::Range;

use alembic_doctor_rules::{Finding, Location, Severity};
use alembic_doctor_source::LineIndex;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// The files findings point into.
pub trait Sources {
    /// The path to print (relative to the working directory when possible).
    fn display_path(&self, file: usize) -> &str;
    /// The file's original bytes.
    fn bytes(&self, file: usize) -> &[u8];
    /// The file's line index.
    fn line_index(&self, file: usize) -> &LineIndex;
}

/// Render `findings` as text. `styled` adds ANSI colours (the caller decides,
/// from the terminal and `NO_COLOR`).
pub fn render_text(findings: &[Finding], sources: &dyn Sources, styled: bool) -> String {
    let renderer = if styled {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    // Text from files (ids, paths, labels) is escaped as `repr()` would,
    // so that control and bidirectional characters cannot drive the
    // terminal; the code frames are escaped by `display_text`.
    let escape = alembic_doctor_pystr::escape_for_terminal;
    for finding in findings {
        let level = match finding.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let message = escape(&finding.message);
        let title = level
            .primary_title(message.as_ref())
            .id(finding.rule.name());
        let mut excerpts = Vec::new();
        if let Some(location) = finding.location {
            excerpts.push(Excerpt::new(
                location,
                AnnotationKind::Primary,
                escape(&finding.label),
                sources,
            ));
        }
        for related in &finding.related {
            excerpts.push(Excerpt::new(
                related.location,
                AnnotationKind::Context,
                escape(&related.label),
                sources,
            ));
        }
        let group = Group::with_title(title).elements(excerpts.iter().map(Excerpt::snippet));
        let mut report = vec![group];
        let help = finding.help.as_deref().map(escape);
        if let Some(help) = &help {
            report.push(Group::with_title(
                Level::HELP.secondary_title(help.as_ref()),
            ));
        }
        let _ = writeln!(out, "{}\n", renderer.render(&report));
    }
    out
}

/// The lines around one span, cut out of a file so that the renderer never
/// sees more than it prints.
struct Excerpt<'a> {
    path: std::borrow::Cow<'a, str>,
    text: String,
    first_line: usize,
    span: Range<usize>,
    kind: AnnotationKind,
    label: std::borrow::Cow<'a, str>,
}

impl<'a> Excerpt<'a> {
    fn new(
        location: Location,
        kind: AnnotationKind,
        label: std::borrow::Cow<'a, str>,
        sources: &'a dyn Sources,
    ) -> Self {
        let bytes = sources.bytes(location.file);
        let index = sources.line_index(location.file);
        let clamp = |at: u32| at.min(u32::try_from(bytes.len()).unwrap_or(u32::MAX));
        let (start, end) = (clamp(location.span.start), clamp(location.span.end));
        let first = index.line_of(start);
        let last = index.line_of(end.max(start)).min(first + 8);
        // The bytes may be shorter than the index when the file changed
        // after it was parsed (they are read again only to print): clamp.
        let from = (index.line_span(first, bytes).start as usize).min(bytes.len());
        let to = (index.line_span(last, bytes).end as usize).min(bytes.len());
        // The window decoded in the file's own encoding (PEP 263), with the
        // span re-based on that text: always on character boundaries, so
        // the carets land on the characters Python reads.
        let display = alembic_doctor_script::display_text(bytes, from..to.max(from));
        let first_at = display.offset(start as usize);
        let span = first_at..display.offset(end.max(start) as usize).max(first_at);
        Self {
            path: alembic_doctor_pystr::escape_for_terminal(sources.display_path(location.file)),
            text: display.text,
            first_line: first + 1,
            span,
            kind,
            label,
        }
    }

    fn snippet(&self) -> Snippet<'_, annotate_snippets::Annotation<'_>> {
        let mut annotation = self.kind.span(self.span.clone());
        if !self.label.is_empty() {
            annotation = annotation.label(self.label.as_ref());
        }
        Snippet::source(self.text.as_str())
            .line_start(self.first_line)
            .path(self.path.as_ref())
            .fold(true)
            .annotation(annotation)
    }
}
