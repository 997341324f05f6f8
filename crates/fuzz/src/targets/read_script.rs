//! The script reader on arbitrary bytes: it must not panic, overflow the
//! stack or hang; every span it returns lies inside the input (callers
//! slice the file with them) and a literal's span spells its value; a
//! panic it caught inside the parser is reported, not hidden as a syntax
//! error.

use std::path::Path;

use alembic_doctor_script::{ScriptContext, Value, Variable, parse_script};

use super::{Signature, check_span, variant};

fn check_value(value: &Value, bytes: &[u8], signature: &mut Signature) {
    match value {
        Value::Str(literal) => {
            signature.add(("str", literal.content_span.is_some()));
            if let Some(span) = literal.content_span {
                check_span(span, bytes.len());
                assert_eq!(&bytes[span.range()], literal.value.as_bytes());
            }
        }
        Value::Sequence { items, .. } => {
            signature.add("sequence");
            signature.count(items.len());
            for item in items {
                check_value(item, bytes, signature);
            }
        }
        Value::Unknown { span, .. } => {
            signature.add("unknown");
            check_span(*span, bytes.len());
        }
        Value::None => signature.add("none"),
        Value::OtherLiteral(_) => signature.add("other"),
    }
}

/// Run the target on `bytes`.
pub fn run(bytes: &[u8]) -> Vec<u64> {
    let mut signature = Signature::default();
    let script = parse_script(
        bytes,
        &ScriptContext::standalone(Path::new("versions/fuzz.py")),
    );
    for variable in [
        &script.revision,
        &script.down_revision,
        &script.branch_labels,
        &script.depends_on,
    ] {
        signature.add(variant(variable));
        if let Variable::Bound(binding) = variable {
            signature.add(binding.conditional);
            check_span(binding.statement, bytes.len());
            check_span(binding.value_span, bytes.len());
            check_value(&binding.value, bytes, &mut signature);
        }
    }
    signature.count(script.syntax_errors.len());
    for error in &script.syntax_errors {
        check_span(error.span, bytes.len());
        assert!(
            !error.message.contains("internal error"),
            "the reader caught a panic: {}",
            error.message
        );
        signature.add(
            error
                .message
                .split(|c: char| !(c.is_ascii_alphabetic() || c == ' '))
                .next(),
        );
    }
    signature.count(script.import_errors.len());
    if let Some(doc) = &script.docstring {
        check_span(doc.span, bytes.len());
        for line in [
            &doc.header.revision_id,
            &doc.header.revises,
            &doc.header.create_date,
        ] {
            signature.add(line.as_ref().map(|l| l.value_span.is_some()));
            let Some(line) = line else { continue };
            check_span(line.line_span, bytes.len());
            if let Some(span) = line.value_span {
                check_span(span, bytes.len());
                assert_eq!(&bytes[span.range()], line.value.as_bytes());
            }
        }
    }
    signature.add(variant(&script.revision_id("fuzz.py")));
    signature.add(variant(&script.down_revisions()));
    signature.add(variant(&script.dependencies()));
    signature.add(variant(&script.branch_labels()));
    signature.finish()
}
