//! The one finding model every renderer prints (text with code frames,
//! JSON, and later SARIF and GitHub annotations).

use std::borrow::Cow;

use alembic_doctor_source::Span;

use crate::{Rule, Severity};

/// A place in a project file: the file's index in the project's load order
/// and a byte span in its original bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// Index into the project's files.
    pub file: usize,
    /// The bytes the finding points at; empty spans point at a position.
    pub span: Span,
}

/// A secondary place that explains the finding ("also declared here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub label: String,
}

/// One problem found by `check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    /// One sentence: what is wrong, naming the revisions and files.
    pub message: String,
    /// Where it is; `None` for findings about the configuration as a whole.
    pub location: Option<Location>,
    /// The label under the primary span in a code frame (most are fixed
    /// text, and a long history has hundreds of thousands of findings).
    pub label: Cow<'static, str>,
    /// The revision the finding is about, when there is one.
    pub revision: Option<String>,
    /// Other places that take part (the other file of a duplicate id...).
    pub related: Vec<Related>,
    /// What to do about it (most often fixed text, as the label).
    pub help: Option<Cow<'static, str>>,
}

impl Finding {
    /// A finding with the rule's default severity and nothing else attached.
    pub fn new(rule: Rule, message: impl Into<String>) -> Self {
        Self {
            rule,
            severity: rule.default_severity(),
            message: exact(message.into()),
            location: None,
            label: Cow::Borrowed(""),
            revision: None,
            related: Vec::new(),
            help: None,
        }
    }

    /// Point the finding at `span` of `file`, with a label under it.
    #[must_use]
    pub fn at(mut self, file: usize, span: Span, label: impl Into<Cow<'static, str>>) -> Self {
        self.location = Some(Location { file, span });
        self.label = label.into();
        self
    }

    /// Name the revision the finding is about.
    #[must_use]
    pub fn revision(mut self, id: impl Into<String>) -> Self {
        self.revision = Some(id.into());
        self
    }

    /// Add a secondary location.
    #[must_use]
    pub fn related(mut self, file: usize, span: Span, label: impl Into<String>) -> Self {
        self.related.push(Related {
            location: Location { file, span },
            label: label.into(),
        });
        self
    }

    /// Say what to do.
    #[must_use]
    pub fn help(mut self, help: impl Into<Cow<'static, str>>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// `text` in a buffer of its own length. `format!` reserves twice its
/// literal text, so a message is most often two-thirds full; a long
/// history keeps hundreds of thousands of them until they are printed.
/// (Shrinking in place would not do: an allocator keeps a block that is
/// at least half used.)
fn exact(text: String) -> String {
    if text.capacity() - text.len() > text.len() / 8 {
        text.as_str().to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A formatted message is kept in a buffer of its length, not in the
    /// twice-the-literal-text `format!` reserved.
    #[test]
    fn messages_are_kept_at_their_length() {
        let id = "00008413d50e";
        let formatted = format!("revision `{id}` locks an existing table without a `lock_timeout`");
        assert!(formatted.capacity() > formatted.len() + formatted.len() / 8);
        let text = formatted.as_str().to_owned();
        let finding = Finding::new(Rule::MissingLockTimeout, formatted);
        assert_eq!(finding.message, text);
        assert_eq!(finding.message.capacity(), finding.message.len());
    }
}
