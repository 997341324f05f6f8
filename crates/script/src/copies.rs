//! Two files that declare the same revision id: whether they are one
//! migration committed twice (a cherry-pick, a file copied to a second
//! branch), so that the right repair is to delete one copy, not to give it
//! a new id (a renamed copy would run the same DDL a second time); and the
//! file name a copy gets with a new id. `fix duplicate-ids` and the
//! report's plan both decide with these, so the plan names what the fix
//! does.

/// `a` and `b` are the same migration: byte for byte, or from the first
/// top-level `def upgrade(` on (what it does, up or down), ignoring line
/// endings and trailing blanks. Their docstrings, dates, ids and parents
/// may differ. Files without a top-level `upgrade` must be equal byte for
/// byte.
pub fn same_migration(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    match (operations_part(a), operations_part(b)) {
        (Some(a), Some(b)) => normalised_lines(a).eq(normalised_lines(b)),
        _ => false,
    }
}

/// `name` (a file name) with the revision id `old` replaced by `new`,
/// where `old` appears as a whole word (Alembic's `%(rev)s_%(slug)s`
/// template, or a date before it); `None` when the name does not carry it.
pub fn file_name_with_id(name: &str, old: &str, new: &str) -> Option<String> {
    if old.is_empty() {
        return None;
    }
    let is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut from = 0;
    while let Some(found) = name[from..].find(old) {
        let at = from + found;
        let before = name[..at].chars().next_back();
        let after = name[at + old.len()..].chars().next();
        if !is_word(before) && !is_word(after) {
            return Some(format!("{}{new}{}", &name[..at], &name[at + old.len()..]));
        }
        from = at + old.len();
    }
    None
}

/// The bytes from the first line starting with `def upgrade(` to the end.
fn operations_part(bytes: &[u8]) -> Option<&[u8]> {
    let mut start = 0;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"def upgrade(") {
            return Some(&bytes[start..]);
        }
        start += line.len();
    }
    None
}

/// Lines without their line ending and trailing blanks, blank lines left
/// out.
fn normalised_lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii_end)
        .filter(|line| !line.is_empty())
}

#[cfg(test)]
mod tests {
    use super::same_migration;

    const A: &str = "\"\"\"add x\n\nRevision ID: aaa\nRevises: p\n\"\"\"\nrevision = 'aaa'\ndown_revision = 'p'\n\n\ndef upgrade():\n    op.add_column('t', sa.Column('x', sa.Integer()))\n\n\ndef downgrade():\n    op.drop_column('t', 'x')\n";

    #[test]
    fn identical_bytes_are_the_same_migration() {
        assert!(same_migration(A.as_bytes(), A.as_bytes()));
    }

    #[test]
    fn the_same_operations_under_another_header_are_the_same_migration() {
        let b = A
            .replace("add x", "Add column x")
            .replace("Revises: p", "Revises: q")
            .replace("down_revision = 'p'", "down_revision = 'q'")
            .replace('\n', "\r\n");
        assert!(same_migration(A.as_bytes(), b.as_bytes()));
    }

    #[test]
    fn other_operations_are_another_migration() {
        let b = A.replace("'x'", "'y'");
        assert!(!same_migration(A.as_bytes(), b.as_bytes()));
        let c = A.replace("op.drop_column('t', 'x')", "pass");
        assert!(!same_migration(A.as_bytes(), c.as_bytes()));
    }

    #[test]
    fn without_an_upgrade_only_equal_bytes_count() {
        assert!(!same_migration(b"revision = 'a'\n", b"revision = 'a'\n\n"));
    }
}
