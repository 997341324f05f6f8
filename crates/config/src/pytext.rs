//! The few Python string rules the readers depend on.
//!
//! `str.strip()` and the regex `\s` use Python's notion of whitespace
//! (`str.isspace`), which is Unicode `White_Space` plus the four ASCII
//! separators U+001C..U+001F (from `alembic_doctor_pystr`, shared with the
//! graph). Getting this wrong shifts `ConfigParser`'s continuation-line
//! test on exotic files.

pub(crate) use alembic_doctor_pystr::{is_space, rstrip, strip};

/// Python's `os.path.basename` on POSIX: the text after the last `/`
/// (empty for a path ending in `/`, unlike `Path::file_name`).
pub(crate) fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_python_whitespace() {
        assert_eq!(strip("\u{1c}\t x \u{3000}"), "x");
        assert_eq!(rstrip(" x \n\n"), " x");
        assert_eq!(basename("a/pyproject.toml"), "pyproject.toml");
        assert_eq!(basename("a/pyproject.toml/"), "");
    }
}
