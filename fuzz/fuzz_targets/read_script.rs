//! `parse_script` on arbitrary bytes: it must not panic, overflow the stack
//! or hang, and every span it returns must lie inside the input (callers
//! slice the file with them).
#![no_main]

use std::path::Path;

use alembic_doctor_script::{ScriptContext, Value, Variable, parse_script};
use alembic_doctor_source::Span;
use libfuzzer_sys::fuzz_target;

fn check_span(span: Span, len: usize) {
    assert!(
        span.start <= span.end && span.end as usize <= len,
        "{span:?} outside 0..{len}"
    );
}

fn check_value(value: &Value, bytes: &[u8]) {
    match value {
        Value::Str(literal) => {
            if let Some(span) = literal.content_span {
                check_span(span, bytes.len());
                assert_eq!(&bytes[span.range()], literal.value.as_bytes());
            }
        }
        Value::Sequence { items, .. } => items.iter().for_each(|item| check_value(item, bytes)),
        Value::Unknown { span, .. } => check_span(*span, bytes.len()),
        Value::None | Value::OtherLiteral(_) => {}
    }
}

fuzz_target!(|bytes: &[u8]| {
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
        if let Variable::Bound(binding) = variable {
            check_span(binding.statement, bytes.len());
            check_span(binding.value_span, bytes.len());
            check_value(&binding.value, bytes);
        }
    }
    for error in &script.syntax_errors {
        check_span(error.span, bytes.len());
    }
    if let Some(doc) = &script.docstring {
        check_span(doc.span, bytes.len());
        for line in [
            &doc.header.revision_id,
            &doc.header.revises,
            &doc.header.create_date,
        ]
        .into_iter()
        .flatten()
        {
            check_span(line.line_span, bytes.len());
            if let Some(span) = line.value_span {
                assert_eq!(&bytes[span.range()], line.value.as_bytes());
            }
        }
    }
    let _ = script.revision_id("fuzz.py");
    let _ = script.down_revisions();
    let _ = script.dependencies();
    let _ = script.branch_labels();
});
