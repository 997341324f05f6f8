//! Suppression comments:
//! * `# alembic-doctor: ignore[rule-a, rule-b]` on a line of the operation,
//!   or alone on the line above it;
//! * `# alembic-doctor: ignore-file[rule-a]` anywhere in the file.
//!
//! A directive that suppresses nothing is reported (`unused-suppression`),
//! as is one naming no rule alembic-doctor knows, so that stale
//! suppressions do not pile up.

use alembic_doctor_script::{Comment, DIRECTIVE_PREFIX as PREFIX};
use alembic_doctor_source::{LineIndex, Span};

use crate::{Finding, Rule};

/// Whether `comment` may be a directive (cheap: it names the prefix).
pub(crate) fn may_be_directive(comment: &Comment) -> bool {
    comment.text.contains(PREFIX)
}

/// One directive.
#[derive(Debug)]
struct Directive {
    file_wide: bool,
    /// The rule names as written.
    names: Vec<String>,
    /// 0-based line of the comment.
    line: usize,
    /// The comment stands alone on its line (it then covers the next line).
    alone: bool,
    span: Span,
    used: Vec<bool>,
}

/// The directives of one file.
#[derive(Debug)]
pub(crate) struct Suppressions {
    directives: Vec<Directive>,
}

impl Suppressions {
    /// Read the directives among `comments`; the file's `bytes` are asked
    /// for only when there is one (a cached file's are not in memory).
    pub(crate) fn new<'b>(
        comments: &[Comment],
        bytes: impl FnOnce() -> &'b [u8],
        lines: &LineIndex,
    ) -> Self {
        let mut directives = Vec::new();
        let mut bytes = Some(bytes);
        let mut read: &[u8] = &[];
        for comment in comments {
            let text = comment.text.trim_start_matches('#').trim();
            let Some(rest) = text.strip_prefix(PREFIX) else {
                continue;
            };
            let rest = rest.trim();
            let (file_wide, list) = if let Some(list) = rest.strip_prefix("ignore-file") {
                (true, list)
            } else if let Some(list) = rest.strip_prefix("ignore") {
                (false, list)
            } else {
                continue;
            };
            let Some(names) = list
                .trim()
                .strip_prefix('[')
                .and_then(|list| list.split(']').next())
            else {
                continue;
            };
            let names: Vec<String> = names
                .split(',')
                .map(|name| name.trim().to_owned())
                .filter(|name| !name.is_empty())
                .collect();
            if let Some(bytes) = bytes.take() {
                read = bytes();
            }
            let line = lines.line_of(comment.span.start);
            let line_span = lines.line_span(line, read);
            let before = read
                .get(line_span.start as usize..comment.span.start as usize)
                .unwrap_or_default();
            directives.push(Directive {
                file_wide,
                used: vec![false; names.len()],
                names,
                line,
                alone: before.iter().all(u8::is_ascii_whitespace),
                span: comment.span,
            });
        }
        Self { directives }
    }

    /// Whether `finding` (of this file) is suppressed; marks the directive
    /// used.
    pub(crate) fn suppresses(&mut self, finding: &Finding, lines: &LineIndex) -> bool {
        let Some(location) = finding.location else {
            return false;
        };
        let first = lines.line_of(location.span.start);
        let last = lines.line_of(location.span.end.max(location.span.start));
        let name = finding.rule.name();
        for directive in &mut self.directives {
            let covers = directive.file_wide
                || (first..=last).contains(&directive.line)
                || (directive.alone && directive.line + 1 == first);
            if !covers {
                continue;
            }
            if let Some(i) = directive.names.iter().position(|n| n == name) {
                directive.used[i] = true;
                return true;
            }
        }
        false
    }

    /// Findings for directives that suppressed nothing, or name unknown
    /// rules.
    pub(crate) fn unused(&self, file: usize, revision: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        for directive in &self.directives {
            for (name, used) in directive.names.iter().zip(&directive.used) {
                if *used {
                    continue;
                }
                let message = match name.parse::<Rule>() {
                    Ok(_) => format!("`# alembic-doctor: ignore[{name}]` suppresses nothing here"),
                    Err(_) => format!("`{name}` is not a rule alembic-doctor knows"),
                };
                out.push(
                    Finding::new(Rule::UnusedSuppression, message)
                        .at(file, directive.span, "this suppression")
                        .revision(revision)
                        .help("remove it (or the rule name from the list); `alembic-doctor explain --list` lists the rules"),
                );
            }
        }
        out
    }
}
