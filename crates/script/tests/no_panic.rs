//! `parse_script` never panics, and every span it returns lies inside the
//! file: on random bytes, and on random mutations of real migration files.

use std::path::Path;

use alembic_doctor_script::{Script, ScriptContext, Value, Variable, parse_script};
use alembic_doctor_source::Span;
use proptest::prelude::*;

const SEEDS: &[&str] = &[
    r#""""add currency

Revision ID: f7e6d5c4b3a2
Revises: 8d2e4b6a9c10
Create Date: 2025-05-20 12:00:03.554120

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'f7e6d5c4b3a2'
down_revision: Union[str, Sequence[str], None] = ('8d2e4b6a9c10', "c41a6e2d8f93")
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("transaction", sa.Column("currency", sa.String(3), nullable=False))


def downgrade() -> None:
    op.drop_column("transaction", "currency")
"#,
    "# -*- coding: latin-1 -*-\n\"\"\"Py2 era\n\nRevision ID: 1a2b\nRevises: None\n\"\"\"\nrevision = '1a2b'\r\ndown_revision = None\r\n\r\ndef upgrade():\r\n    print \"x\"\r\n",
    "from neutron.db.migration import cli\nfrom .constants import REV as R\nrevision, down_revision = R + '_1', u'kilo'\nbranch_labels = (cli.EXPAND_BRANCH,)\ntry:\n    depends_on = {'a', 'b'}\nexcept ImportError:\n    depends_on = ''\n",
    "BASE = 'x'\nrevision = BASE + f'{BASE}' + 'y' 'z'\ndown_revision = [*(BASE,), frozenset(['q'])]\nrevision += '!'\ndel BASE\n",
];

/// Where a mutation inserts, deletes or replaces bytes.
#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Duplicate(usize, usize),
    Replace(usize, u8),
}

fn interesting_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 1..8),
        Just(b"\"\"\"".to_vec()),
        Just(b"'''".to_vec()),
        Just(b"(".to_vec()),
        Just(b"\\".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\xef\xbb\xbf".to_vec()),
        Just(b"\xff\xfe".to_vec()),
        Just(b"\x00".to_vec()),
        Just(b"# coding: latin-1\n".to_vec()),
        Just(b"# coding: cp1252\n".to_vec()),
        Just(b"    ".to_vec()),
        Just(b"f'{".to_vec()),
        Just(b"revision = ".to_vec()),
        Just(b"*".to_vec()),
        Just("é".as_bytes().to_vec()),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), interesting_bytes()).prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete(at, len)),
        (any::<usize>(), 1usize..80).prop_map(|(at, len)| Mutation::Duplicate(at, len)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Replace(at, byte)),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let len = bytes.len();
    match mutation {
        Mutation::Insert(at, new) => {
            let at = at % (len + 1);
            bytes.splice(at..at, new.iter().copied());
        }
        Mutation::Delete(at, n) if len > 0 => {
            let at = at % len;
            let end = (at + n).min(len);
            bytes.drain(at..end);
        }
        Mutation::Duplicate(at, n) if len > 0 => {
            let at = at % len;
            let end = (at + n).min(len);
            let copy = bytes[at..end].to_vec();
            bytes.splice(end..end, copy);
        }
        Mutation::Replace(at, byte) if len > 0 => bytes[at % len] = *byte,
        _ => {}
    }
}

fn check_span(span: Span, len: usize, what: &str) {
    assert!(span.start <= span.end, "{what}: reversed span {span:?}");
    assert!(
        span.end as usize <= len,
        "{what}: span {span:?} past the end ({len})"
    );
}

fn check_value(value: &Value, bytes: &[u8]) {
    match value {
        Value::Str(literal) => {
            if let Some(span) = literal.content_span {
                check_span(span, bytes.len(), "content span");
                // The promise of `content_span`: the bytes spell the value.
                assert_eq!(&bytes[span.range()], literal.value.as_bytes());
            }
        }
        Value::Sequence { items, .. } => items.iter().for_each(|item| check_value(item, bytes)),
        Value::Unknown { span, .. } => check_span(*span, bytes.len(), "unknown"),
        Value::None | Value::OtherLiteral(_) => {}
    }
}

/// Everything a caller may slice with.
fn check(script: &Script, bytes: &[u8]) {
    let len = bytes.len();
    for variable in [
        &script.revision,
        &script.down_revision,
        &script.branch_labels,
        &script.depends_on,
    ] {
        if let Variable::Bound(binding) = variable {
            check_span(binding.statement, len, "statement");
            check_span(binding.value_span, len, "value");
            check_value(&binding.value, bytes);
        }
    }
    for error in &script.syntax_errors {
        check_span(error.span, len, "syntax error");
    }
    for error in &script.import_errors {
        check_span(error.span, len, "import error");
    }
    if let Some(doc) = &script.docstring {
        check_span(doc.span, len, "docstring");
        for line in [
            &doc.header.revision_id,
            &doc.header.revises,
            &doc.header.create_date,
        ]
        .into_iter()
        .flatten()
        {
            check_span(line.line_span, len, "header line");
            if let Some(span) = line.value_span {
                check_span(span, len, "header value");
                assert_eq!(&bytes[span.range()], line.value.as_bytes());
            }
        }
    }
    // Normalisation never panics either.
    let _ = script.revision_id("abc.py");
    let _ = script.down_revisions();
    let _ = script.dependencies();
    let _ = script.branch_labels();
}

fn read(bytes: &[u8]) -> Script {
    parse_script(
        bytes,
        &ScriptContext::standalone(Path::new("versions/x.py")),
    )
}

proptest! {
    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let script = read(&bytes);
        check(&script, &bytes);
    }

    #[test]
    fn random_ascii_python_ish(text in "[a-z_ =()\\[\\]{},.'\"\\\\#:*+\\-\\n\\r\\t0-9]{0,400}") {
        let script = read(text.as_bytes());
        check(&script, text.as_bytes());
    }

    #[test]
    fn mutated_migrations(
        seed in 0..SEEDS.len(),
        mutations in proptest::collection::vec(mutation(), 1..8),
    ) {
        let mut bytes = SEEDS[seed].as_bytes().to_vec();
        for mutation in &mutations {
            apply(&mut bytes, mutation);
        }
        let script = read(&bytes);
        check(&script, &bytes);
    }
}

#[test]
fn seeds_read_cleanly() {
    for seed in SEEDS {
        check(&read(seed.as_bytes()), seed.as_bytes());
    }
}
