//! The unified diff `--dry-run` prints: what a fix would change, file by
//! file, in the format `git apply` and `patch -p1` read.
//!
//! The diff is for reading; the bytes written are the plan's, never
//! re-derived from the diff. Files that are not UTF-8 are shown with
//! replacement characters.

use similar::TextDiff;

use crate::plan::Plan;

/// Lines of context around each change, as `diff -u` and `git diff`.
const CONTEXT: usize = 3;

/// The whole plan as one unified diff: edited files (with a `rename` line
/// when the file also moves), then new files, then deleted files.
pub fn unified_diff(plan: &Plan) -> String {
    let mut out = String::new();
    for change in &plan.changes {
        let old_name = &change.display;
        let new_name = change.new_display.as_deref().unwrap_or(old_name);
        if change.new_path.is_some() {
            out.push_str(&format!("rename {old_name} => {new_name}\n"));
        }
        if change.before != change.after {
            out.push_str(&file_diff(
                &change.before,
                &change.after,
                &format!("a/{old_name}"),
                &format!("b/{new_name}"),
            ));
        }
    }
    for created in &plan.created {
        out.push_str(&file_diff(
            b"",
            &created.bytes,
            "/dev/null",
            &format!("b/{}", created.display),
        ));
    }
    for removed in &plan.removed {
        out.push_str(&format!("deleted {}\n", removed.display));
        out.push_str(&file_diff(
            &removed.before,
            b"",
            &format!("a/{}", removed.display),
            "/dev/null",
        ));
    }
    out
}

/// One file's diff, headers included; empty when nothing changed.
pub fn file_diff(before: &[u8], after: &[u8], old_header: &str, new_header: &str) -> String {
    let before = String::from_utf8_lossy(before);
    let after = String::from_utf8_lossy(after);
    if before == after {
        return String::new();
    }
    TextDiff::from_lines(before.as_ref(), after.as_ref())
        .unified_diff()
        .context_radius(CONTEXT)
        .header(old_header, new_header)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::file_diff;

    #[test]
    fn one_changed_line_with_context() {
        let before = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let after = "a\nb\nc\nd\nE\nf\ng\nh\n";
        let diff = file_diff(before.as_bytes(), after.as_bytes(), "a/x.py", "b/x.py");
        assert_eq!(
            diff,
            "--- a/x.py\n+++ b/x.py\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"
        );
    }

    #[test]
    fn a_missing_final_newline_is_marked() {
        let diff = file_diff(b"x = 1", b"x = 2", "a/x.py", "b/x.py");
        assert!(diff.contains("\\ No newline at end of file"), "{diff}");
    }
}
