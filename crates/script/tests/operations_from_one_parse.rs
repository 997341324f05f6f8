//! `parse_script_with_operations` reads a file once for both the script
//! and the operations: the two must be exactly what `parse_script` and
//! `read_operations` give on their own, for any bytes (the fuzzing corpus
//! of the script reader holds the odd ones: broken encodings, deep
//! nesting, syntax errors), and the operations must survive the cache's
//! encoding unchanged.

use std::path::Path;

use alembic_doctor_script::{
    Operations, ScriptContext, parse_script_tracked, parse_script_with_operations, read_operations,
};

const MIGRATION: &str = r#""""add email

Revision ID: b2
Revises: a1
"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"

TABLES = ["user", "account"]


def upgrade():
    op.add_column("user", sa.Column("email", sa.String(255), nullable=True))
    op.execute("UPDATE \"user\" SET email = ''")
    op.alter_column("user", "email", nullable=False)  # alembic-doctor: ignore[set-not-null]
    for table in TABLES:
        op.create_index(f"ix_{table}_id", table, ["id"])
    with op.get_context().autocommit_block():
        op.create_index("ix_user_email", "user", ["email"], postgresql_concurrently=True)


def downgrade():
    op.drop_column("user", "email")
"#;

fn inputs() -> Vec<Vec<u8>> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/read-script");
    let mut inputs: Vec<Vec<u8>> = std::fs::read_dir(&corpus)
        .expect("the fuzzing corpus is checked in")
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .collect();
    assert!(inputs.len() > 50, "{} inputs", inputs.len());
    inputs.push(MIGRATION.as_bytes().to_vec());
    inputs.push(Vec::new());
    inputs
}

#[test]
fn one_parse_reads_what_two_parses_read() {
    let path = Path::new("versions/b2_add_email.py");
    for bytes in inputs() {
        let context = ScriptContext::standalone(path);
        let (script, dependencies, operations) = parse_script_with_operations(&bytes, &context);
        let (alone, alone_dependencies) = parse_script_tracked(&bytes, &context);
        let shown = String::from_utf8_lossy(&bytes);
        assert_eq!(format!("{script:?}"), format!("{alone:?}"), "{shown}");
        assert_eq!(dependencies, alone_dependencies, "{shown}");
        assert_eq!(operations, read_operations(&bytes), "{shown}");
    }
}

#[test]
fn operations_survive_the_cache_encoding() {
    let mut read_some = false;
    for bytes in inputs() {
        let operations = read_operations(&bytes);
        read_some |= operations
            .upgrade
            .as_ref()
            .is_some_and(|f| !f.operations.is_empty());
        let encoded = postcard::to_allocvec(&operations).unwrap();
        let decoded: Operations = postcard::from_bytes(&encoded).unwrap();
        assert_eq!(decoded, operations, "{}", String::from_utf8_lossy(&bytes));
    }
    assert!(read_some, "some input has operations to encode");
}
