//! Python's `sorted()` order for file names, and the name rules of
//! `Script._from_path`.
//!
//! Python sorts `str` by Unicode code point. For valid UTF-8 names that is
//! byte order (`.` < digits < `A–Z` < `_` < `a–z`). Python decodes a name
//! that is not valid UTF-8 with `surrogateescape`: every undecodable byte `b`
//! becomes the lone surrogate `U+DC00 + b`, which sorts after every BMP
//! character below `U+E000` but before `U+E000..=U+10FFFF`. [`sort_key`]
//! reproduces that on Unix. Elsewhere names are Unicode already and are
//! compared by code point after a lossy conversion.

use std::ffi::OsStr;

/// Sort directory entries by name in Python's `sorted()` order.
///
/// For names that are all valid UTF-8 (nearly always) that is byte order,
/// which needs no key per name; otherwise each name's code points are
/// computed once ([`sort_key`]).
pub(crate) fn sort_by_name<T>(entries: &mut [T], name: impl Fn(&T) -> &OsStr) {
    if entries.iter().all(|entry| name(entry).to_str().is_some()) {
        // UTF-8 byte order is code point order; names in one directory
        // are distinct, so an unstable sort gives the same order.
        entries.sort_unstable_by(|a, b| name(a).as_encoded_bytes().cmp(name(b).as_encoded_bytes()));
    } else {
        entries.sort_by_cached_key(|entry| sort_key(name(entry)));
    }
}

/// The code points Python would see for this file name.
pub(crate) fn sort_key(name: &OsStr) -> Vec<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut key = Vec::with_capacity(name.len());
        for chunk in name.as_bytes().utf8_chunks() {
            key.extend(chunk.valid().chars().map(u32::from));
            key.extend(chunk.invalid().iter().map(|&b| 0xDC00 + u32::from(b)));
        }
        key
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().chars().map(u32::from).collect()
    }
}

/// The name's bytes (Unix), or its lossy UTF-8 form elsewhere: enough for the
/// ASCII-only tests below, which Python runs on the `surrogateescape`d `str`.
pub(crate) fn name_bytes(name: &OsStr) -> std::borrow::Cow<'_, [u8]> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::borrow::Cow::Borrowed(name.as_bytes())
    }
    #[cfg(not(unix))]
    {
        match name.to_string_lossy() {
            std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.as_bytes()),
            std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.into_bytes()),
        }
    }
}

/// `name.split(".")[0]`: what `_list_py_dir` compares to decide whether a
/// `__pycache__` entry shadows a file of the directory.
pub(crate) fn stem_before_first_dot(name: &[u8]) -> &[u8] {
    name.split(|&b| b == b'.').next().unwrap_or(name)
}

/// What kind of migration candidate a file name is, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum FileKind {
    /// A `.py` source file.
    Source,
    /// A `.pyc` (only with `sourceless = true`).
    Compiled,
    /// A `.pyo` (only with `sourceless = true`).
    Optimized,
}

/// `Script._from_path`'s filter: `re.match(r"(?!\.\#|__init__)(.*\.py)$")`,
/// or with `(c|o)?` before the `$` when `sourceless`. Returns the kind and
/// the length of group 1 (the name up to and including `.py`).
///
/// Two regex details are kept on purpose: `.` does not match `\n`, and `$`
/// also matches just before one final `\n`, so `x.py\n` *is* a candidate
/// (its `.py` sibling is `x.py`) while `a\nb.py` is not.
pub(crate) fn candidate(name: &[u8], sourceless: bool) -> Option<(FileKind, usize)> {
    if name.starts_with(b".#") || name.starts_with(b"__init__") {
        return None;
    }
    let body = name.strip_suffix(b"\n").unwrap_or(name);
    if body.contains(&b'\n') {
        return None;
    }
    if body.ends_with(b".py") {
        return Some((FileKind::Source, body.len()));
    }
    if sourceless {
        if body.ends_with(b".pyc") {
            return Some((FileKind::Compiled, body.len() - 1));
        }
        if body.ends_with(b".pyo") {
            return Some((FileKind::Optimized, body.len() - 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_python_str() {
        let mut names = vec![
            "b.py", "_x.py", "A.py", "1.py", ".h.py", "a.py", "é.py", "Z.py",
        ];
        names.sort_by_key(|n| sort_key(OsStr::new(n)));
        assert_eq!(
            names,
            [
                ".h.py", "1.py", "A.py", "Z.py", "_x.py", "a.py", "b.py", "é.py"
            ]
        );
    }

    /// The byte-order shortcut for UTF-8 names must give Python's order,
    /// astral-plane characters included.
    #[test]
    fn byte_order_of_utf8_names_is_code_point_order() {
        let names = [
            "b.py",
            "_x.py",
            "\u{10000}.py",
            "A.py",
            "\u{e000}.py",
            "\u{d7ff}.py",
            "é.py",
            "1.py",
            "\u{ffff}.py",
        ];
        let mut fast: Vec<&OsStr> = names.iter().map(OsStr::new).collect();
        sort_by_name(&mut fast, |name| name);
        let mut keyed: Vec<&OsStr> = names.iter().map(OsStr::new).collect();
        keyed.sort_by_key(|name| sort_key(name));
        assert_eq!(fast, keyed);
    }

    #[cfg(unix)]
    #[test]
    fn undecodable_bytes_sort_as_lone_surrogates() {
        use std::os::unix::ffi::OsStrExt;
        // U+D7FF < U+DCFF (the escaped 0xFF byte) < U+E000.
        let low = OsStr::new("\u{d7ff}");
        let escaped = OsStr::from_bytes(b"\xff");
        let high = OsStr::new("\u{e000}");
        assert!(sort_key(low) < sort_key(escaped));
        assert!(sort_key(escaped) < sort_key(high));
    }

    #[test]
    fn filters_names_like_alembic() {
        assert_eq!(
            candidate(b"1a2b_add_x.py", false),
            Some((FileKind::Source, 13))
        );
        assert!(candidate(b".hidden.py", false).is_some());
        assert!(candidate(b".#1a2b.py", false).is_none());
        assert!(candidate(b"__init__.py", false).is_none());
        assert!(candidate(b"__init__helper.py", false).is_none());
        assert!(candidate(b"_init_.py", false).is_some());
        for name in [
            &b"x.pyi"[..],
            b"x.py.bak",
            b"README",
            b"notes.txt",
            b"a\nb.py",
        ] {
            assert!(candidate(name, false).is_none(), "{name:?}");
        }
        assert!(candidate(b"x.py\n", false).is_some());
        assert!(candidate(b"x.py\n\n", false).is_none());
        assert!(candidate(b"x.pyc", false).is_none());
        assert_eq!(candidate(b"x.pyc", true), Some((FileKind::Compiled, 4)));
        assert_eq!(candidate(b"x.pyo", true), Some((FileKind::Optimized, 4)));
    }

    #[test]
    fn stem_is_text_before_first_dot() {
        assert_eq!(stem_before_first_dot(b"x.cpython-311.pyc"), b"x");
        assert_eq!(stem_before_first_dot(b".hidden.py"), b"");
        assert_eq!(stem_before_first_dot(b"plain"), b"plain");
    }
}
