//! `parse_script` on single files: every spelling of the four variables,
//! encodings and line endings, broken files, docstrings and spans.

use std::fmt::Write as _;
use std::path::Path;

use alembic_doctor_script::{
    Binding, Script, ScriptContext, SequenceKind, StrLiteral, Value, ValueProblem, Variable,
    parse_script,
};

fn read_bytes(bytes: &[u8]) -> Script {
    parse_script(
        bytes,
        &ScriptContext::standalone(Path::new("versions/x.py")),
    )
}

fn read(source: &str) -> Script {
    read_bytes(source.as_bytes())
}

fn binding(variable: &Variable) -> &Binding {
    match variable {
        Variable::Bound(binding) => binding,
        Variable::Missing => panic!("variable is missing"),
    }
}

fn literal(variable: &Variable) -> &StrLiteral {
    match &binding(variable).value {
        Value::Str(literal) => literal,
        other => panic!("not a string: {other:?}"),
    }
}

fn text(variable: &Variable) -> &str {
    &literal(variable).value
}

fn strings(value: &Value) -> Vec<&str> {
    match value {
        Value::Sequence { items, .. } => items
            .iter()
            .map(|item| match item {
                Value::Str(literal) => literal.value.as_str(),
                other => panic!("not a string: {other:?}"),
            })
            .collect(),
        other => panic!("not a sequence: {other:?}"),
    }
}

fn kind(value: &Value) -> SequenceKind {
    match value {
        Value::Sequence { kind, .. } => *kind,
        other => panic!("not a sequence: {other:?}"),
    }
}

fn reason(value: &Value) -> &str {
    match value {
        Value::Unknown { reason, .. } => reason,
        other => panic!("not unknown: {other:?}"),
    }
}

/// The bytes of `span` in `bytes`, as text.
fn slice(bytes: &[u8], span: alembic_doctor_source::Span) -> &str {
    std::str::from_utf8(&bytes[span.range()]).expect("utf-8 slice")
}

const TEMPLATE: &str = r#""""add currency

Revision ID: f7e6d5c4b3a2
Revises: 8d2e4b6a9c10
Create Date: 2025-05-20 12:00:03.554120

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'f7e6d5c4b3a2'
down_revision: Union[str, Sequence[str], None] = '8d2e4b6a9c10'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("transaction", sa.Column("currency", sa.String(3)))


def downgrade() -> None:
    op.drop_column("transaction", "currency")
"#;

#[test]
fn reads_the_alembic_template() {
    let script = read(TEMPLATE);
    assert!(
        script.syntax_errors.is_empty(),
        "{:?}",
        script.syntax_errors
    );
    assert_eq!(text(&script.revision), "f7e6d5c4b3a2");
    assert_eq!(text(&script.down_revision), "8d2e4b6a9c10");
    assert_eq!(binding(&script.branch_labels).value, Value::None);
    assert_eq!(binding(&script.depends_on).value, Value::None);
    assert!(!binding(&script.revision).conditional);

    // The spans slice the original bytes back to the id and the statement.
    let bytes = TEMPLATE.as_bytes();
    let span = literal(&script.revision).content_span.expect("exact span");
    assert_eq!(slice(bytes, span), "f7e6d5c4b3a2");
    assert_eq!(
        slice(bytes, binding(&script.revision).value_span),
        "'f7e6d5c4b3a2'"
    );
    assert_eq!(
        slice(bytes, binding(&script.revision).statement),
        "revision: str = 'f7e6d5c4b3a2'"
    );

    assert_eq!(
        script
            .revision_id("f7e6d5c4b3a2_add_currency.py")
            .map(|id| id.id),
        Ok("f7e6d5c4b3a2".into())
    );
    assert_eq!(script.down_revisions(), Ok(vec!["8d2e4b6a9c10".to_owned()]));
    assert_eq!(script.dependencies(), Ok(vec![]));
    assert_eq!(script.branch_labels(), Ok(vec![]));

    let doc = script.docstring.expect("docstring");
    assert_eq!(doc.doc, "add currency");
    assert!(
        doc.longdoc
            .starts_with("add currency\n\nRevision ID: f7e6d5c4b3a2\n")
    );
    assert!(doc.longdoc.ends_with("12:00:03.554120"));
    let revises = doc.header.revises.expect("Revises line");
    assert_eq!(revises.value, "8d2e4b6a9c10");
    assert_eq!(
        slice(bytes, revises.value_span.expect("exact")),
        "8d2e4b6a9c10"
    );
    assert_eq!(slice(bytes, revises.line_span), "Revises: 8d2e4b6a9c10");
    assert_eq!(
        doc.header.revision_id.expect("Revision ID").value,
        "f7e6d5c4b3a2"
    );
    assert_eq!(
        doc.header.create_date.expect("Create Date").value,
        "2025-05-20 12:00:03.554120"
    );
}

#[test]
fn string_spellings() {
    let script = read(concat!(
        "revision = u\"abc\"\n",
        "down_revision = 'a' \"b\"\n",
        "branch_labels = f'lbl'\n",
        "depends_on = r'x\\y'\n",
    ));
    assert_eq!(text(&script.revision), "abc");
    assert!(literal(&script.revision).content_span.is_some());
    // Implicit concatenation has a value but no single span.
    assert_eq!(text(&script.down_revision), "ab");
    assert_eq!(literal(&script.down_revision).content_span, None);
    // An f-string without fields is a plain str to Python.
    assert_eq!(text(&script.branch_labels), "lbl");
    assert_eq!(text(&script.depends_on), "x\\y");
    assert!(literal(&script.depends_on).content_span.is_some());
}

#[test]
fn escapes_keep_the_value_but_drop_the_span() {
    let script = read("revision = 'ab\\x63'\n");
    assert_eq!(text(&script.revision), "abc");
    assert_eq!(literal(&script.revision).content_span, None);
}

#[test]
fn literals_alembic_cannot_use() {
    let script =
        read("revision = b'abc'\ndown_revision = 5\nbranch_labels = f'{x}'\ndepends_on = True\n");
    assert!(
        matches!(&binding(&script.revision).value, Value::OtherLiteral(what) if what.contains("bytes"))
    );
    assert!(
        matches!(&binding(&script.down_revision).value, Value::OtherLiteral(what) if what == "`5` (an int)")
    );
    assert!(reason(&binding(&script.branch_labels).value).contains("f-string"));
    assert!(
        matches!(&binding(&script.depends_on).value, Value::OtherLiteral(what) if what.contains("bool"))
    );
    assert!(matches!(
        script.revision_id("x.py"),
        Err(ValueProblem::Invalid { .. })
    ));
}

#[test]
fn sequences() {
    let script = read(concat!(
        "revision = 'r'\n",
        "down_revision = ('a', 'b')\n",
        "branch_labels = ['x']\n",
        "depends_on = {'d', 'e', 'd'}\n",
    ));
    assert_eq!(strings(&binding(&script.down_revision).value), ["a", "b"]);
    assert_eq!(
        kind(&binding(&script.down_revision).value),
        SequenceKind::Tuple
    );
    assert_eq!(
        kind(&binding(&script.branch_labels).value),
        SequenceKind::List
    );
    // A set drops duplicates and keeps declaration order, flagged as a set.
    assert_eq!(strings(&binding(&script.depends_on).value), ["d", "e"]);
    assert_eq!(kind(&binding(&script.depends_on).value), SequenceKind::Set);
    assert!(binding(&script.depends_on).value.order_depends_on_hashing());
    assert_eq!(script.down_revisions(), Ok(vec!["a".into(), "b".into()]));
}

#[test]
fn one_element_and_empty_sequences() {
    let script =
        read("revision = 'r'\ndown_revision = ('a',)\nbranch_labels = ()\ndepends_on = ''\n");
    assert_eq!(strings(&binding(&script.down_revision).value), ["a"]);
    assert_eq!(script.down_revisions(), Ok(vec!["a".into()]));
    assert_eq!(script.branch_labels(), Ok(vec![]));
    // `depends_on = ""` means none: Alembic only uses a truthy value.
    assert_eq!(script.dependencies(), Ok(vec![]));

    let script = read("revision = 'r'\ndown_revision = ''\nbranch_labels = ''\n");
    assert_eq!(script.down_revisions(), Ok(vec![String::new()]));
    assert_eq!(script.branch_labels(), Ok(vec![String::new()]));
}

#[test]
fn duplicate_parents_are_kept() {
    let script = read("revision = 'r'\ndown_revision = ('a', 'a')\n");
    assert_eq!(script.down_revisions(), Ok(vec!["a".into(), "a".into()]));
}

#[test]
fn builtin_sequence_constructors() {
    let script = read(concat!(
        "revision = 'r'\n",
        "down_revision = tuple(['a', 'b'])\n",
        "branch_labels = frozenset(['x'])\n",
        "depends_on = list()\n",
    ));
    assert_eq!(strings(&binding(&script.down_revision).value), ["a", "b"]);
    assert_eq!(
        kind(&binding(&script.branch_labels).value),
        SequenceKind::Set
    );
    assert_eq!(
        strings(&binding(&script.depends_on).value),
        Vec::<&str>::new()
    );
}

#[test]
fn last_binding_wins_and_conditional_ones_are_flagged() {
    let script = read(concat!(
        "revision = 'first'\n",
        "revision = 'second'\n",
        "if SOMETHING:\n",
        "    down_revision = 'a'\n",
        "else:\n",
        "    down_revision = 'b'\n",
        "try:\n",
        "    depends_on = 'c'\n",
        "except ImportError:\n",
        "    depends_on = None\n",
        "with ctx():\n",
        "    branch_labels = 'w'\n",
    ));
    assert_eq!(text(&script.revision), "second");
    assert!(!binding(&script.revision).conditional);
    assert_eq!(text(&script.down_revision), "b");
    assert!(binding(&script.down_revision).conditional);
    assert_eq!(binding(&script.depends_on).value, Value::None);
    assert!(binding(&script.depends_on).conditional);
    assert!(binding(&script.branch_labels).conditional);
}

#[test]
fn loops_are_conditional_and_their_targets_unknown() {
    let script = read(concat!(
        "for revision in ['a']:\n",
        "    pass\n",
        "while x:\n",
        "    down_revision = 'b'\n",
    ));
    assert!(reason(&binding(&script.revision).value).contains("`for` loop"));
    assert!(binding(&script.revision).conditional);
    assert!(binding(&script.down_revision).conditional);
}

#[test]
fn functions_and_classes_are_not_entered() {
    let script =
        read("def upgrade():\n    revision = 'inner'\nclass X:\n    down_revision = 'c'\n");
    assert_eq!(script.revision, Variable::Missing);
    assert_eq!(script.down_revision, Variable::Missing);
    assert_eq!(
        script
            .revision_id("1975ea83b712.py")
            .map(|id| id.from_file_name),
        Ok(true)
    );
    assert_eq!(
        script.revision_id("helpers.py"),
        Err(ValueProblem::MissingRevision)
    );
    assert_eq!(
        script.down_revisions(),
        Err(ValueProblem::MissingDownRevision)
    );
}

#[test]
fn del_unbinds() {
    let script = read("revision = 'a'\ndel revision\n");
    assert_eq!(script.revision, Variable::Missing);
}

#[test]
fn tuple_unpacking() {
    let source =
        "revision, down_revision = 'abc', ('p1', 'p2')\n(branch_labels, depends_on) = None, 'd'\n";
    let script = read(source);
    assert_eq!(text(&script.revision), "abc");
    assert_eq!(
        slice(source.as_bytes(), binding(&script.revision).value_span),
        "'abc'"
    );
    assert_eq!(strings(&binding(&script.down_revision).value), ["p1", "p2"]);
    assert_eq!(binding(&script.branch_labels).value, Value::None);
    assert_eq!(text(&script.depends_on), "d");

    let script = read(
        "IDS = ('a', 'b')\nrevision, down_revision = IDS\nbranch_labels, *depends_on = 'x', 'y', 'z'\n",
    );
    assert_eq!(text(&script.revision), "a");
    assert_eq!(text(&script.down_revision), "b");
    assert_eq!(text(&script.branch_labels), "x");
    assert_eq!(strings(&binding(&script.depends_on).value), ["y", "z"]);

    let script = read("revision, down_revision = 'a', 'b', 'c'\n");
    assert!(reason(&binding(&script.revision).value).contains("ValueError"));
}

#[test]
fn chained_assignment() {
    let script = read("revision = REV = 'abc'\ndown_revision = REV\n");
    assert_eq!(text(&script.revision), "abc");
    assert_eq!(text(&script.down_revision), "abc");
}

#[test]
fn names_bound_earlier_in_the_file() {
    let script = read(concat!(
        "BASE = 'abc'\n",
        "PREFIX = 'x_'\n",
        "revision = PREFIX + BASE + '_1'\n",
        "down_revision = BASE\n",
        "BASE = 'changed'\n",
        "LABELS = ('l1',)\n",
        "branch_labels = LABELS + ('l2',)\n",
        "depends_on = (*LABELS, 'd')\n",
    ));
    assert_eq!(text(&script.revision), "x_abc_1");
    // Source order: `down_revision` took `BASE` before it was rebound.
    assert_eq!(text(&script.down_revision), "abc");
    assert_eq!(
        literal(&script.down_revision).origin.as_deref(),
        Some("BASE")
    );
    assert_eq!(literal(&script.down_revision).content_span, None);
    assert_eq!(strings(&binding(&script.branch_labels).value), ["l1", "l2"]);
    assert_eq!(strings(&binding(&script.depends_on).value), ["l1", "d"]);
}

#[test]
fn augmented_assignment() {
    let script =
        read("revision = 'ab'\nrevision += 'c'\ndown_revision = None\ndown_revision *= 2\n");
    assert_eq!(text(&script.revision), "abc");
    assert!(reason(&binding(&script.down_revision).value).contains("augmented"));
}

#[test]
fn unknown_values_say_why() {
    let script = read(concat!(
        "revision = make_id()\n",
        "down_revision = LATER\n",
        "LATER = 'x'\n",
        "depends_on = get_deps() if x else None\n",
        "branch_labels = 'a' % 1\n",
    ));
    assert!(reason(&binding(&script.revision).value).contains("function call"));
    assert!(reason(&binding(&script.down_revision).value).contains("NameError"));
    assert!(reason(&binding(&script.depends_on).value).contains("conditional expression"));
    assert!(reason(&binding(&script.branch_labels).value).contains("`%`"));
    match script.revision_id("x.py") {
        Err(ValueProblem::Unknown { span, .. }) => assert_eq!(span.start, 11),
        other => panic!("{other:?}"),
    }
}

#[test]
fn imports_without_a_project_stay_unknown() {
    let script = read("from app.constants import REV\nrevision = REV\n");
    let why = reason(&binding(&script.revision).value);
    assert!(why.contains("from app.constants import REV"), "{why}");
}

#[test]
fn crlf_file() {
    let source = "\"\"\"msg\r\n\r\nRevision ID: abc\r\nRevises: \r\n\"\"\"\r\nrevision = 'abc'\r\ndown_revision = None\r\n";
    let script = read(source);
    assert!(
        script.syntax_errors.is_empty(),
        "{:?}",
        script.syntax_errors
    );
    let bytes = source.as_bytes();
    assert_eq!(
        slice(
            bytes,
            literal(&script.revision).content_span.expect("exact")
        ),
        "abc"
    );
    let doc = script.docstring.expect("docstring");
    // Python normalises the source newlines in the docstring.
    assert_eq!(doc.longdoc, "msg\n\nRevision ID: abc\nRevises:");
    assert_eq!(doc.doc, "msg");
    let id = doc.header.revision_id.expect("Revision ID");
    assert_eq!(slice(bytes, id.value_span.expect("exact")), "abc");
    assert_eq!(slice(bytes, id.line_span), "Revision ID: abc");
    assert_eq!(doc.header.revises.expect("Revises").value, "");
    assert_eq!(
        script
            .line_index
            .line_column(binding(&script.revision).statement.start, bytes)
            .line,
        6
    );
}

#[test]
fn lone_cr_file() {
    let source = "\"\"\"a\rb\"\"\"\rrevision = 'abc'\rdown_revision = None\r";
    let script = read(source);
    assert!(
        script.syntax_errors.is_empty(),
        "{:?}",
        script.syntax_errors
    );
    assert_eq!(script.docstring.expect("docstring").longdoc, "a\nb");
    let span = literal(&script.revision).content_span.expect("exact");
    assert_eq!(slice(source.as_bytes(), span), "abc");
}

#[test]
fn escaped_carriage_return_stays_in_the_docstring() {
    let script = read("\"\"\"a\r\nb\\r\"\"\"\r\n");
    assert_eq!(script.docstring.expect("docstring").longdoc, "a\nb");
    let script = read("\"\"\"a\r\nb\\rc\"\"\"\r\n");
    assert_eq!(script.docstring.expect("docstring").longdoc, "a\nb\rc");
}

#[test]
fn bom_is_skipped_and_spans_count_it() {
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend_from_slice(b"revision = 'abc'\ndown_revision = None\n");
    let script = read_bytes(&bytes);
    assert!(script.syntax_errors.is_empty());
    let span = literal(&script.revision).content_span.expect("exact");
    assert_eq!(span.start, 15);
    assert_eq!(&bytes[span.range()], b"abc");
}

#[test]
fn latin1_file() {
    let bytes = b"# -*- coding: latin-1 -*-\n\"\"\"Caf\xe9 migration\n\nRevision ID: abc\n\"\"\"\nrevision = 'abc'\ndown_revision = '\xe9'\n";
    let script = read_bytes(bytes);
    assert!(
        script.syntax_errors.is_empty(),
        "{:?}",
        script.syntax_errors
    );
    let span = literal(&script.revision).content_span.expect("exact");
    assert_eq!(&bytes[span.range()], b"abc");
    // The value is decoded, but its one byte does not spell "é" in UTF-8.
    assert_eq!(text(&script.down_revision), "é");
    assert_eq!(literal(&script.down_revision).content_span, None);
    let doc = script.docstring.expect("docstring");
    assert_eq!(doc.doc, "Café migration");
    let id = doc.header.revision_id.expect("Revision ID");
    assert_eq!(&bytes[id.value_span.expect("exact").range()], b"abc");
}

#[test]
fn invalid_utf8_is_a_syntax_error_outside_comments_only() {
    let bytes = b"# caf\xe9\nrevision = 'abc'\ndown_revision = '\xe9'\n";
    let script = read_bytes(bytes);
    assert_eq!(script.syntax_errors.len(), 1, "{:?}", script.syntax_errors);
    assert!(script.syntax_errors[0].message.contains("utf-8"));
    assert_eq!(script.syntax_errors[0].span.start, 41);
    // The rest of the file is still read.
    assert_eq!(text(&script.revision), "abc");

    let in_comment_only = read_bytes(b"# caf\xe9\nrevision = 'abc'\n");
    assert!(in_comment_only.syntax_errors.is_empty());
}

/// Undecodable bytes in an id are kept as `\xNN` escapes (the bytes, as
/// Python shows them), not as U+FFFD: every output shows the same id, and
/// two ids differing only in those bytes stay different.
#[test]
fn undecodable_bytes_in_an_id_are_escaped() {
    let script = read_bytes(b"revision = \"a\xff\xfe\"\ndown_revision = ('b\xe9', 'c')\n");
    assert_eq!(text(&script.revision), "a\\xff\\xfe");
    assert_eq!(
        script.down_revisions(),
        Ok(vec!["b\\xe9".to_owned(), "c".to_owned()])
    );
    // A U+FFFD written as such stays one.
    let script = read_bytes("revision = '\u{fffd}'\n".as_bytes());
    assert_eq!(text(&script.revision), "\u{fffd}");
}

#[test]
fn python2_file_reports_errors_and_keeps_the_variables() {
    let source = concat!(
        "revision = '1a2b'\n",
        "down_revision = None\n",
        "\n",
        "def upgrade():\n",
        "    print \"upgrading\"\n",
        "    exec \"x = 1\"\n",
        "\n",
        "def downgrade():\n",
        "    raise Exception, 'no'\n",
    );
    let script = read(source);
    assert!(
        script.syntax_errors.len() >= 2,
        "{:?}",
        script.syntax_errors
    );
    let first = script
        .line_index
        .line_column(script.syntax_errors[0].span.start, source.as_bytes());
    assert_eq!(first.line, 5);
    assert_eq!(text(&script.revision), "1a2b");
    assert_eq!(binding(&script.down_revision).value, Value::None);
}

#[test]
fn relative_import_in_a_migration_fails_under_alembic() {
    let script = read("from .constants import REV\nrevision = REV\n");
    assert_eq!(script.import_errors.len(), 1);
    assert!(
        script.import_errors[0]
            .message
            .contains("no known parent package")
    );
    let guarded =
        read("try:\n    from .constants import REV\nexcept ImportError:\n    REV = 'x'\n");
    assert!(guarded.import_errors.is_empty());
}

#[test]
fn degenerate_files_do_not_panic() {
    for bytes in [
        &b""[..],
        b"\n",
        b"\xef\xbb\xbf",
        b"\x00\x01\x02\xff\xfe",
        b"revision = '",
        b"revision = \"\"\"abc",
        b"revision = ('a',",
        b"\"\"\"",
        b"# coding: latin-1",
        b"# coding: foobar\nrevision = 'a'\n",
        b"\r\r\r\n\n",
        b"revision = 'a'\x00\n",
    ] {
        let script = read_bytes(bytes);
        for error in &script.syntax_errors {
            assert!(
                error.span.end as usize <= bytes.len(),
                "{error:?} in {bytes:?}"
            );
        }
    }
    // Python refuses a file with a NUL byte before reading anything in it.
    let nul = read_bytes(b"revision = 'a'\x00\n");
    assert_eq!(nul.syntax_errors.len(), 1, "{:?}", nul.syntax_errors);
    assert_eq!(
        nul.syntax_errors[0].message,
        "source code cannot contain null bytes"
    );
    assert!(matches!(nul.revision, Variable::Missing));
    let unknown = read_bytes(b"# coding: foobar\nrevision = 'a'\n");
    assert_eq!(unknown.syntax_errors[0].message, "unknown encoding: foobar");
    assert_eq!(text(&unknown.revision), "a");
}

#[test]
fn deeply_nested_expressions_do_not_overflow() {
    let mut source = String::from("revision = 'abc'\n");
    writeln!(source, "x = {}1", "-".repeat(200_000)).expect("write to a String");
    writeln!(source, "z = a{}", ".b".repeat(100_000)).expect("write to a String");
    writeln!(source, "down_revision = {}'a'", "-".repeat(5_000)).expect("write to a String");
    let script = read(&source);
    assert_eq!(text(&script.revision), "abc");
    // Read without crashing; not a usable parent list.
    assert!(script.down_revisions().is_err());
}

/// CPython refuses a bracket inside 200 others before it parses anything
/// ("too many nested parentheses"); so do we, before Ruff's parser builds a
/// tree deep enough to overflow the stack.
#[test]
fn more_than_two_hundred_nested_brackets_are_refused_as_python_does() {
    let mut source = String::from("revision = 'abc'\n");
    writeln!(source, "y = {}1{}", "(".repeat(50_000), ")".repeat(50_000))
        .expect("write to a String");
    writeln!(
        source,
        "down_revision = {}'a'{}",
        "(".repeat(5_000),
        ",)".repeat(5_000)
    )
    .expect("write to a String");
    let script = read(&source);
    assert_eq!(script.syntax_errors.len(), 1, "{:?}", script.syntax_errors);
    let error = &script.syntax_errors[0];
    assert_eq!(error.message, "too many nested parentheses");
    assert_eq!(error.span.start, 17 + 4 + 200);
    // At the limit, the file is read.
    let at_limit = format!(
        "revision = 'abc'\ndown_revision = {}'a'{}\n",
        "(".repeat(200),
        ")".repeat(200)
    );
    let script = read(&at_limit);
    assert!(
        script.syntax_errors.is_empty(),
        "{:?}",
        script.syntax_errors
    );
    assert_eq!(script.down_revisions(), Ok(vec!["a".to_owned()]));
}

#[test]
fn long_chains_of_names_do_not_overflow() {
    // Regression guard: each line wraps the previous name once more; the
    // recipes must stay shallow enough to evaluate and drop.
    let mut source = String::from("A0 = 'x'\n");
    for i in 1..20_000 {
        writeln!(source, "A{i} = (A{},)", i - 1).expect("write to a String");
    }
    source.push_str("revision = A19999\n");
    for i in 1..20_000 {
        writeln!(source, "B{i} = B{}", i - 1).expect("write to a String");
    }
    let script = read(&source);
    assert!(matches!(
        binding(&script.revision).value,
        Value::Unknown { .. }
    ));
}

#[test]
fn a_large_file_parses() {
    let mut source = String::from(TEMPLATE);
    let row = "    op.execute(\"INSERT INTO t VALUES (1, 'some text here', 3.5)\")\n";
    source.push_str("\ndef data():\n");
    while source.len() < 10 * 1024 * 1024 {
        source.push_str(row);
    }
    let script = read(&source);
    assert!(script.syntax_errors.is_empty());
    assert_eq!(text(&script.revision), "f7e6d5c4b3a2");
}

#[test]
fn docstring_spellings() {
    // Not a docstring: an f-string, bytes, or anything after another statement.
    assert!(read("f'''doc'''\n").docstring.is_none());
    assert!(read("b'''doc'''\n").docstring.is_none());
    assert!(read("x = 1\n'''doc'''\n").docstring.is_none());
    // Implicit concatenation and escapes are a docstring, processed.
    let doc = read("'first' ' line\\n\\nsecond'\n")
        .docstring
        .expect("docstring");
    assert_eq!(doc.longdoc, "first line\n\nsecond");
    assert_eq!(doc.doc, "first line");
    // `strip()` and the first paragraph keep single newlines.
    let doc = read("\"\"\"\n  one\n  two\n\n  three\n\"\"\"\n")
        .docstring
        .expect("docstring");
    assert_eq!(doc.longdoc, "one\n  two\n\n  three");
    assert_eq!(doc.doc, "one\n  two");
    // Python's whitespace includes U+001C..U+001F.
    let doc = read("'\\x1c msg \\x1f'\n").docstring.expect("docstring");
    assert_eq!(doc.longdoc, "msg");
}

#[test]
fn empty_message_makes_the_header_the_doc() {
    let doc = read(
        "\"\"\"\n\nRevision ID: abc\nRevises: def\nCreate Date: 2024-01-01 00:00:00\n\n\"\"\"\n",
    )
    .docstring
    .expect("docstring");
    assert_eq!(
        doc.doc,
        "Revision ID: abc\nRevises: def\nCreate Date: 2024-01-01 00:00:00"
    );
}

#[test]
fn header_after_an_escape_has_a_line_but_no_value_span() {
    let source = "\"\"\"msg \\t tab\n\nRevision ID: abc\nRevises: def\n\"\"\"\n";
    let doc = read(source).docstring.expect("docstring");
    let id = doc.header.revision_id.expect("Revision ID");
    assert_eq!(id.value, "abc");
    assert_eq!(id.value_span, None);
    assert_eq!(slice(source.as_bytes(), id.line_span), "Revision ID: abc");
    let raw = read("r\"\"\"msg \\t tab\n\nRevision ID: abc\n\"\"\"\n")
        .docstring
        .expect("docstring");
    assert!(
        raw.header
            .revision_id
            .expect("Revision ID")
            .value_span
            .is_some()
    );
}

#[test]
fn header_lines_must_start_the_line() {
    let doc = read("\"\"\"msg\n\n  Revision ID: indented\nRevision ID:   spaced  \n\"\"\"\n")
        .docstring
        .expect("docstring");
    assert_eq!(doc.header.revision_id.expect("Revision ID").value, "spaced");
    assert_eq!(doc.header.revises, None);
}

#[test]
fn compile_time_errors_of_module_level_code() {
    let script = read(concat!(
        "revision = 'a'\n",
        "for x in y:\n",
        "    break\n",
        "else:\n",
        "    continue\n",
        "while z:\n",
        "    if q:\n",
        "        continue\n",
        "def f():\n",
        "    return 1\n",
        "if done:\n",
        "    return\n",
        "nonlocal n\n",
    ));
    let messages: Vec<&str> = script
        .syntax_errors
        .iter()
        .map(|error| error.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "'continue' not properly in loop",
            "'return' outside function",
            "nonlocal declaration not allowed at module level"
        ]
    );
    assert_eq!(text(&script.revision), "a");
}

#[test]
fn future_imports_must_come_first() {
    let ok = read(
        "\"\"\"doc\"\"\"\n# comment\nfrom __future__ import annotations\nfrom __future__ import division\nrevision = 'a'\n",
    );
    assert!(ok.syntax_errors.is_empty(), "{:?}", ok.syntax_errors);
    let late =
        read("\"\"\"doc\"\"\"\nfrom alembic import op\nfrom __future__ import annotations\n");
    assert_eq!(
        late.syntax_errors[0].message,
        "from __future__ imports must occur at the beginning of the file"
    );
    let unknown = read("from __future__ import braces, nope\n");
    let messages: Vec<&str> = unknown
        .syntax_errors
        .iter()
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(
        messages,
        ["not a chance", "future feature nope is not defined"]
    );
}
