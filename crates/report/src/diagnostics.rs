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
        let group = Group::with_title(title).elements(excerpts.iter().map(Excerpt::element));
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
    /// The bytes no longer reach the span (the file vanished, or changed
    /// since it was parsed and was not taken when read again to print):
    /// only the place is printed, at this 1-based character column.
    unframed_column: Option<usize>,
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
        let path = alembic_doctor_pystr::escape_for_terminal(sources.display_path(location.file));
        let (start, end) = (
            location.span.start,
            location.span.end.max(location.span.start),
        );
        if end as usize > bytes.len() {
            let place = index.line_column_with(start, || bytes);
            return Self {
                path,
                text: String::new(),
                first_line: place.line as usize,
                span: 0..0,
                kind,
                label,
                unframed_column: Some(place.column as usize),
            };
        }
        let first = index.line_of(start);
        let last = index.line_of(end).min(first + 8);
        // The bytes may still not be the indexed ones (a file read again
        // from a git tree, or from the disk when the cache's copy is
        // damaged): no line reaches past them.
        let from = (index.line_span(first, bytes).start as usize).min(bytes.len());
        let to = (index.line_span(last, bytes).end as usize).min(bytes.len());
        // The window decoded in the file's own encoding (PEP 263), with the
        // span re-based on that text: always on character boundaries, so
        // the carets land on the characters Python reads.
        let display = alembic_doctor_script::display_text(bytes, from..to.max(from));
        let first_at = display.offset(start as usize);
        let span = first_at..display.offset(end as usize).max(first_at);
        Self {
            path,
            text: display.text,
            first_line: first + 1,
            span,
            kind,
            label,
            unframed_column: None,
        }
    }

    fn element(&self) -> annotate_snippets::Element<'_> {
        if let Some(column) = self.unframed_column {
            return annotate_snippets::Origin::path(self.path.as_ref())
                .line(self.first_line)
                .char_column(column)
                .into();
        }
        let mut annotation = self.kind.span(self.span.clone());
        if !self.label.is_empty() {
            annotation = annotation.label(self.label.as_ref());
        }
        Snippet::source(self.text.as_str())
            .line_start(self.first_line)
            .path(self.path.as_ref())
            .fold(true)
            .annotation(annotation)
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alembic_doctor_rules::Rule;
    use alembic_doctor_source::Span;

    /// One file, `print_bytes` being what is read to print it.
    struct OneFile {
        index: LineIndex,
        print_bytes: Vec<u8>,
    }

    impl Sources for OneFile {
        fn display_path(&self, _: usize) -> &'static str {
            "versions/a.py"
        }
        fn bytes(&self, _: usize) -> &[u8] {
            &self.print_bytes
        }
        fn line_index(&self, _: usize) -> &LineIndex {
            &self.index
        }
    }

    /// A file gone, or changed since it was parsed, is not framed with
    /// text that is not the one the finding is about; its place (from the
    /// parse) is still printed.
    #[test]
    fn a_file_that_no_longer_reaches_the_span_is_named_without_a_frame() {
        let parsed = b"x = 1\ny = 'z'\n";
        let finding = Finding::new(Rule::DropColumn, "drops")
            .at(0, Span::new(6, 13), "here")
            .help("do not");
        let render = |print_bytes: &[u8]| {
            let sources = OneFile {
                index: LineIndex::new(parsed),
                print_bytes: print_bytes.to_vec(),
            };
            render_text(std::slice::from_ref(&finding), &sources, false)
        };
        let framed = render(parsed);
        assert!(framed.contains("--> versions/a.py:2:1"), "{framed}");
        assert!(framed.contains("2 | y = 'z'"), "{framed}");
        for gone in [&b""[..], b"x = 1\n"] {
            let unframed = render(gone);
            assert!(unframed.contains("--> versions/a.py:2:1"), "{unframed}");
            assert!(!unframed.contains(" | "), "{unframed}");
            assert!(unframed.contains("help: do not"), "{unframed}");
        }
    }
}
