//! What Alembic makes of the four variables' values.
//!
//! Alembic never looks at the literal syntax; it normalises values with
//! `util.to_tuple` and `tuple_rev_as_scalar` (`alembic-semantics.md` §1.4),
//! and each variable goes through a slightly different path:
//!
//! * `down_revision`: `Revision.down_revision =
//!   tuple_rev_as_scalar(to_tuple(v))`, then the parents are
//!   `to_tuple(down_revision, default=())`. So `None`, `()` and `[]` mean a
//!   base, `"a"`, `("a",)` and `{"a"}` mean one parent, `("a", "a")` is a
//!   merge of `a` with itself (no deduplication), `""` is a parent that
//!   does not exist, and a one-element tuple is unwrapped once more
//!   (`(("a", "b"),)` merges `a` and `b`; `(None,)` is a base).
//! * `depends_on`: `to_tuple(v, default=())`, made a scalar the same way, and
//!   only used when truthy: a lone `""` (or `[""]`, `(None,)`) means no
//!   dependency, while `("", "b")` depends on a missing `""`.
//! * `branch_labels`: `to_tuple(v, default=())`, each element a label, so
//!   `""` is the label `""`.
//!
//! A `set` yields its elements in string-hash order, which changes from run
//! to run; the functions here keep declaration order, and
//! [`Value::order_depends_on_hashing`] says when that choice matters.

use alembic_doctor_source::Span;
use serde::{Deserialize, Serialize};

use crate::{Script, SequenceKind, Value, Variable};

/// Why a variable cannot give Alembic a usable value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ValueProblem {
    /// The value is only known by running the file.
    Unknown { reason: String, span: Span },
    /// Alembic would reject the value or crash on it; the message says how.
    Invalid { message: String },
    /// No `revision`, and the file name is not a bare hex id: Alembic stops
    /// with "Could not determine revision id from filename ...".
    MissingRevision,
    /// No `down_revision`: Alembic fails with `AttributeError`.
    MissingDownRevision,
}

/// A revision id and where Alembic takes it from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionId {
    /// The id.
    pub id: String,
    /// No `revision` variable: the id is the stem of a legacy
    /// `^[a-f0-9]+\.py$` file name.
    pub from_file_name: bool,
}

/// The id Alembic gives a file without a `revision` variable: the stem of a
/// name matching `^[a-f0-9]+\.py$` (`Script._from_path`), else none.
pub fn legacy_revision_id(file_name: &str) -> Option<&str> {
    let stem = file_name.strip_suffix(".py")?;
    (!stem.is_empty() && stem.bytes().all(|b| matches!(b, b'a'..=b'f' | b'0'..=b'9')))
        .then_some(stem)
}

impl Variable {
    /// The value of the last binding, if any.
    pub fn value(&self) -> Option<&Value> {
        match self {
            Variable::Missing => None,
            Variable::Bound(binding) => Some(&binding.value),
        }
    }
}

impl Script {
    /// The revision id Alembic uses for this file, named `file_name`.
    pub fn revision_id(&self, file_name: &str) -> Result<RevisionId, ValueProblem> {
        match self.revision.value() {
            Some(value) => value.revision_id().map(|id| RevisionId {
                id: id.to_owned(),
                from_file_name: false,
            }),
            None => legacy_revision_id(file_name)
                .map(|id| RevisionId {
                    id: id.to_owned(),
                    from_file_name: true,
                })
                .ok_or(ValueProblem::MissingRevision),
        }
    }

    /// The parents (`Revision._versioned_down_revisions`).
    pub fn down_revisions(&self) -> Result<Vec<String>, ValueProblem> {
        self.down_revision
            .value()
            .ok_or(ValueProblem::MissingDownRevision)
            .and_then(Value::down_revisions)
    }

    /// The declared dependencies Alembic looks up (none when absent).
    pub fn dependencies(&self) -> Result<Vec<String>, ValueProblem> {
        self.depends_on
            .value()
            .map_or(Ok(Vec::new()), Value::dependencies)
    }

    /// `depends_on` is set to something Alembic keeps but never looks up:
    /// `""`, `("",)` or `((),)`. `Revision.dependencies` is then `''` or
    /// `()`, not `None`, so the revision is not a real base (and a base
    /// with it makes Alembic report a dependency cycle), although
    /// [`Script::dependencies`] is empty.
    pub fn has_empty_dependencies(&self) -> bool {
        let empty = |value: &Value| match value {
            Value::Str(literal) => literal.value.is_empty(),
            Value::Sequence { items, .. } => items.is_empty(),
            _ => false,
        };
        match self.depends_on.value() {
            Some(Value::Str(literal)) => literal.value.is_empty(),
            Some(Value::Sequence { items, .. }) => {
                matches!(items.as_slice(), [single] if empty(single))
            }
            _ => false,
        }
    }

    /// The branch labels, in declaration order (none when absent).
    pub fn branch_labels(&self) -> Result<Vec<String>, ValueProblem> {
        self.branch_labels
            .value()
            .map_or(Ok(Vec::new()), Value::branch_labels)
    }
}

impl Value {
    /// The value as a `revision` id: it must be a string.
    pub fn revision_id(&self) -> Result<&str, ValueProblem> {
        match self {
            Value::Str(literal) => Ok(&literal.value),
            Value::Unknown { reason, span } => Err(unknown(reason, *span)),
            Value::None => Err(invalid(
                "`revision` is None; Alembic fails with TypeError: 'NoneType' object is not iterable",
            )),
            other => Err(invalid(&format!(
                "`revision` is {}, not a string; Alembic cannot use it as a revision id",
                describe(other)
            ))),
        }
    }

    /// The value as `down_revision`: the parent ids, in declaration order.
    pub fn down_revisions(&self) -> Result<Vec<String>, ValueProblem> {
        let items = match to_tuple(self) {
            Tuple::Empty => return Ok(Vec::new()),
            Tuple::Items(items) => items,
            Tuple::Unknown(problem) => return Err(problem),
        };
        match items.as_slice() {
            [] => Ok(Vec::new()),
            // `tuple_rev_as_scalar` unwraps a single element, and the
            // parents are `to_tuple` of that element again.
            [single] => match to_tuple(single) {
                Tuple::Empty => Ok(Vec::new()),
                Tuple::Items(inner) => strings(&inner, "down_revision"),
                Tuple::Unknown(problem) => Err(problem),
            },
            many => strings(many, "down_revision"),
        }
    }

    /// The value as `depends_on`: the ids or labels Alembic looks up.
    pub fn dependencies(&self) -> Result<Vec<String>, ValueProblem> {
        let items = match to_tuple(self) {
            Tuple::Empty => return Ok(Vec::new()),
            Tuple::Items(items) => items,
            Tuple::Unknown(problem) => return Err(problem),
        };
        match items.as_slice() {
            [] => Ok(Vec::new()),
            // A single element is used only when truthy (`if
            // revision.dependencies:`), then `to_tuple`'d.
            [single] => match single {
                Value::None => Ok(Vec::new()),
                Value::Str(literal) if literal.value.is_empty() => Ok(Vec::new()),
                Value::Sequence { items, .. } if items.is_empty() => Ok(Vec::new()),
                _ => match to_tuple(single) {
                    Tuple::Empty => Ok(Vec::new()),
                    Tuple::Items(inner) => strings(&inner, "depends_on"),
                    Tuple::Unknown(problem) => Err(problem),
                },
            },
            many => strings(many, "depends_on"),
        }
    }

    /// The value as `branch_labels`: each element is a label.
    pub fn branch_labels(&self) -> Result<Vec<String>, ValueProblem> {
        match to_tuple(self) {
            Tuple::Empty => Ok(Vec::new()),
            Tuple::Items(items) => strings(&items, "branch_labels"),
            Tuple::Unknown(problem) => Err(problem),
        }
    }

    /// True when Alembic would take the elements in string-hash order: a
    /// set of two or more, directly or as the single element of a tuple or
    /// list.
    pub fn order_depends_on_hashing(&self) -> bool {
        match self {
            Value::Sequence {
                kind: SequenceKind::Set,
                items,
            } => items.len() > 1,
            Value::Sequence { items, .. } => {
                matches!(items.as_slice(), [single] if single.order_depends_on_hashing())
            }
            _ => false,
        }
    }
}

/// `util.to_tuple(value, default=None)`.
enum Tuple<'v> {
    /// `None`: the default.
    Empty,
    Items(Vec<&'v Value>),
    Unknown(ValueProblem),
}

fn to_tuple(value: &Value) -> Tuple<'_> {
    match value {
        Value::None => Tuple::Empty,
        Value::Sequence { items, .. } => Tuple::Items(items.iter().collect()),
        Value::Unknown { reason, span } => Tuple::Unknown(unknown(reason, *span)),
        // A str, and any other scalar, becomes a one-element tuple.
        scalar => Tuple::Items(vec![scalar]),
    }
}

/// Every element must be a string for Alembic to look it up.
fn strings(items: &[&Value], variable: &str) -> Result<Vec<String>, ValueProblem> {
    items
        .iter()
        .map(|item| match item {
            Value::Str(literal) => Ok(literal.value.clone()),
            Value::Unknown { reason, span } => Err(unknown(reason, *span)),
            other => Err(invalid(&format!(
                "`{variable}` contains {}, which is not a revision id; Alembic fails looking it up",
                describe(other)
            ))),
        })
        .collect()
}

fn unknown(reason: &str, span: Span) -> ValueProblem {
    ValueProblem::Unknown {
        reason: reason.to_owned(),
        span,
    }
}

fn invalid(message: &str) -> ValueProblem {
    ValueProblem::Invalid {
        message: message.to_owned(),
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::None => "None".to_owned(),
        Value::Str(literal) => format!("{:?}", literal.value),
        Value::Sequence { kind, .. } => match kind {
            SequenceKind::Tuple => "a tuple".to_owned(),
            SequenceKind::List => "a list".to_owned(),
            SequenceKind::Set => "a set".to_owned(),
        },
        Value::OtherLiteral(what) => what.clone(),
        Value::Unknown { .. } => "an unknown value".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StrLiteral;

    fn s(value: &str) -> Value {
        Value::Str(StrLiteral {
            value: value.to_owned(),
            content_span: None,
            origin: None,
        })
    }

    fn seq(kind: SequenceKind, items: Vec<Value>) -> Value {
        Value::Sequence { kind, items }
    }

    #[allow(clippy::unnecessary_wraps)] // compared with `Result`s
    fn ok(ids: &[&str]) -> Result<Vec<String>, ValueProblem> {
        Ok(ids.iter().map(|&id| id.to_owned()).collect())
    }

    #[test]
    fn down_revision_follows_to_tuple_and_tuple_rev_as_scalar() {
        use SequenceKind::{List, Set, Tuple};
        assert_eq!(Value::None.down_revisions(), ok(&[]));
        assert_eq!(seq(Tuple, vec![]).down_revisions(), ok(&[]));
        assert_eq!(seq(List, vec![]).down_revisions(), ok(&[]));
        assert_eq!(s("a").down_revisions(), ok(&["a"]));
        assert_eq!(s("").down_revisions(), ok(&[""]));
        assert_eq!(seq(Tuple, vec![s("a")]).down_revisions(), ok(&["a"]));
        assert_eq!(seq(Set, vec![s("a")]).down_revisions(), ok(&["a"]));
        assert_eq!(
            seq(Tuple, vec![s("a"), s("a")]).down_revisions(),
            ok(&["a", "a"])
        );
        assert_eq!(seq(Tuple, vec![Value::None]).down_revisions(), ok(&[]));
        assert_eq!(
            seq(Tuple, vec![seq(Tuple, vec![s("a"), s("b")])]).down_revisions(),
            ok(&["a", "b"])
        );
        assert!(matches!(
            seq(Tuple, vec![s("a"), Value::None]).down_revisions(),
            Err(ValueProblem::Invalid { .. })
        ));
        assert!(matches!(
            Value::OtherLiteral("`5` (an int)".into()).down_revisions(),
            Err(ValueProblem::Invalid { .. })
        ));
    }

    #[test]
    fn depends_on_empty_string_means_none_but_not_inside_a_longer_tuple() {
        use SequenceKind::{List, Tuple};
        assert_eq!(s("").dependencies(), ok(&[]));
        assert_eq!(seq(List, vec![s("")]).dependencies(), ok(&[]));
        assert_eq!(seq(Tuple, vec![Value::None]).dependencies(), ok(&[]));
        assert_eq!(
            seq(Tuple, vec![s(""), s("b")]).dependencies(),
            ok(&["", "b"])
        );
        assert_eq!(s("x").dependencies(), ok(&["x"]));
        assert_eq!(
            seq(List, vec![s("x"), s("y")]).dependencies(),
            ok(&["x", "y"])
        );
    }

    #[test]
    fn branch_labels_keep_the_empty_label() {
        use SequenceKind::Tuple;
        assert_eq!(s("").branch_labels(), ok(&[""]));
        assert_eq!(s("x").branch_labels(), ok(&["x"]));
        assert_eq!(
            seq(Tuple, vec![s("x"), s("y")]).branch_labels(),
            ok(&["x", "y"])
        );
        assert_eq!(Value::None.branch_labels(), ok(&[]));
        assert_eq!(seq(Tuple, vec![]).branch_labels(), ok(&[]));
    }

    #[test]
    fn revision_must_be_a_string() {
        assert_eq!(s("abc").revision_id(), Ok("abc"));
        assert!(matches!(
            Value::None.revision_id(),
            Err(ValueProblem::Invalid { .. })
        ));
        let unknown = Value::Unknown {
            reason: "why".into(),
            span: Span::new(1, 2),
        };
        assert_eq!(
            unknown.revision_id(),
            Err(ValueProblem::Unknown {
                reason: "why".into(),
                span: Span::new(1, 2)
            })
        );
    }

    #[test]
    fn legacy_file_names_are_bare_lowercase_hex() {
        assert_eq!(legacy_revision_id("1975ea83b712.py"), Some("1975ea83b712"));
        assert_eq!(legacy_revision_id("1975EA83B712.py"), None);
        assert_eq!(legacy_revision_id("1975ea83b712_add.py"), None);
        assert_eq!(legacy_revision_id(".py"), None);
        assert_eq!(legacy_revision_id("abc.pyc"), None);
    }

    #[test]
    fn sets_of_two_or_more_depend_on_hashing() {
        use SequenceKind::{Set, Tuple};
        assert!(seq(Set, vec![s("a"), s("b")]).order_depends_on_hashing());
        assert!(!seq(Set, vec![s("a")]).order_depends_on_hashing());
        assert!(seq(Tuple, vec![seq(Set, vec![s("a"), s("b")])]).order_depends_on_hashing());
        assert!(!seq(Tuple, vec![s("a"), s("b")]).order_depends_on_hashing());
    }
}
