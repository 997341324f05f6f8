//! Alembic's own read-only output, byte for byte: `heads`, `branches`,
//! `history` and `show`.
//!
//! Each function mirrors one of Alembic 1.20's formatting methods
//! (`Script._head_only`, `Script.log_entry`, `command.branches`), so that a
//! script that parses `alembic history` output keeps working when it is fed
//! `alembic-doctor history`. Two spots take their order from Python's
//! hashing in Alembic (`Branches into:` and the children in `branches`, from
//! a frozenset; several branch labels on one revision, from a set);
//! alembic-doctor prints them in the graph's deterministic order instead.

use alembic_doctor_graph::{RevIdx, RevisionMap};

/// What the renderers need to know about each revision's file, indexed like
/// the revision map.
#[derive(Debug, Clone, Default)]
pub struct ScriptText<'a> {
    /// The resolved absolute path Alembic prints on `Path:` lines.
    pub path: std::borrow::Cow<'a, str>,
    /// The first paragraph of the docstring (`Script.doc`).
    pub doc: &'a str,
    /// The whole stripped docstring (`Script.longdoc`).
    pub longdoc: &'a str,
}

/// A revision map together with its scripts' texts.
#[derive(Clone, Copy)]
pub struct AlembicView<'a> {
    pub map: &'a RevisionMap,
    /// The texts of a revision of `map`: asked for only by the output that
    /// prints them (`heads` without `-v` prints none, and so decodes no
    /// cached script).
    pub texts: &'a dyn Fn(RevIdx) -> ScriptText<'a>,
}

/// Which parts of `Script._head_only` to print: the same four switches as
/// Alembic's keyword arguments, so that each call site reads like its
/// Python counterpart.
#[derive(Clone, Copy, Default)]
#[allow(clippy::struct_excessive_bools)]
struct HeadOnly {
    include_branches: bool,
    include_doc: bool,
    include_parents: bool,
    tree_indicators: bool,
}

impl AlembicView<'_> {
    /// `alembic heads [-v]`, given the heads to print (versioned heads, or
    /// the real heads for `--resolve-dependencies`).
    pub fn heads(&self, heads: &[RevIdx], verbose: bool) -> String {
        self.lines(
            heads,
            verbose,
            HeadOnly {
                include_branches: true,
                ..HeadOnly::default()
            },
        )
    }

    /// `alembic history [-v]`, given the revisions in history order.
    pub fn history(&self, revisions: &[RevIdx], verbose: bool) -> String {
        self.lines(
            revisions,
            verbose,
            HeadOnly {
                include_branches: true,
                include_doc: true,
                include_parents: true,
                tree_indicators: true,
            },
        )
    }

    /// One `Script.cmd_format` line per revision, as `heads` and `history`
    /// print them: the `log_entry` when verbose, else `_head_only`.
    fn lines(&self, revisions: &[RevIdx], verbose: bool, options: HeadOnly) -> String {
        let mut out = String::new();
        for &rev in revisions {
            if verbose {
                out.push_str(&self.log_entry(rev));
            } else {
                out.push_str(&self.head_only(rev, options));
            }
            out.push('\n');
        }
        out
    }

    /// `alembic branches [-v]`, given the revisions in history order.
    pub fn branches(&self, revisions: &[RevIdx], verbose: bool) -> String {
        let mut out = String::new();
        for &rev in revisions {
            if !self.map.is_branch_point(rev) {
                continue;
            }
            if verbose {
                out.push_str(&self.log_entry(rev));
            } else {
                out.push_str(&self.head_only(
                    rev,
                    HeadOnly {
                        include_branches: true,
                        tree_indicators: true,
                        ..HeadOnly::default()
                    },
                ));
            }
            out.push('\n');
            let indent = " ".repeat(self.id(rev).chars().count());
            let children: Vec<String> = self
                .map
                .children(rev)
                .iter()
                .map(|&child| {
                    // `script.get_revision(id)`: for a duplicated id the last
                    // file loaded answers.
                    let child = self.map.lookup(self.id(child)).unwrap_or(child);
                    format!(
                        "{indent} -> {}",
                        self.head_only(
                            child,
                            HeadOnly {
                                include_branches: true,
                                include_doc: verbose,
                                tree_indicators: true,
                                ..HeadOnly::default()
                            },
                        )
                    )
                })
                .collect();
            out.push_str(&children.join("\n"));
            out.push_str("\n\n");
        }
        out
    }

    /// `alembic show REV`, given the resolved revisions.
    pub fn show(&self, revisions: &[RevIdx]) -> String {
        let mut out = String::new();
        for &rev in revisions {
            out.push_str(&self.log_entry(rev));
            out.push('\n');
        }
        out
    }

    fn id(&self, rev: RevIdx) -> &str {
        &self.map.revisions()[rev].id
    }

    /// `Script._format_down_revision`.
    fn down_revision(&self, rev: RevIdx) -> String {
        let down = &self.map.revisions()[rev].down_revisions;
        // `if not self.down_revision`: `None`, and also the scalar `''`.
        if down.is_empty() || (down.len() == 1 && down[0].is_empty()) {
            "<base>".to_owned()
        } else {
            down.join(", ")
        }
    }

    /// `Script._head_only`.
    fn head_only(&self, rev: RevIdx, options: HeadOnly) -> String {
        let map = self.map;
        let mut text = self.id(rev).to_owned();
        if options.include_parents {
            let dependencies = declared_dependencies(&map.revisions()[rev].depends_on);
            text = if dependencies.is_empty() {
                format!("{} -> {text}", self.down_revision(rev))
            } else {
                format!(
                    "{} ({}) -> {text}",
                    self.down_revision(rev),
                    dependencies.join(", ")
                )
            };
        }
        let labels = map.branch_labels(rev);
        if options.include_branches && !labels.is_empty() {
            text.push_str(&format!(" ({})", labels.join(", ")));
        }
        if map.is_real_head(rev) {
            text.push_str(" (head)");
        } else if map.is_head(rev) {
            text.push_str(" (effective head)");
        }
        if options.tree_indicators {
            if map.is_branch_point(rev) {
                text.push_str(" (branchpoint)");
            }
            if map.is_merge_point(rev) {
                text.push_str(" (mergepoint)");
            }
        }
        if options.include_doc {
            text.push_str(", ");
            text.push_str((self.texts)(rev).doc);
        }
        text
    }

    /// `Script.log_entry`.
    fn log_entry(&self, rev: RevIdx) -> String {
        let map = self.map;
        let revision = &map.revisions()[rev];
        let mut entry = format!(
            "Rev: {}{}{}{}\n",
            revision.id,
            if map.is_head(rev) { " (head)" } else { "" },
            if map.is_branch_point(rev) {
                " (branchpoint)"
            } else {
                ""
            },
            if map.is_merge_point(rev) {
                " (mergepoint)"
            } else {
                ""
            },
        );
        let label = if map.is_merge_point(rev) {
            "Merges"
        } else {
            "Parent"
        };
        entry.push_str(&format!("{label}: {}\n", self.down_revision(rev)));
        let dependencies = declared_dependencies(&revision.depends_on);
        if !dependencies.is_empty() {
            entry.push_str(&format!("Also depends on: {}\n", dependencies.join(", ")));
        }
        if map.is_branch_point(rev) {
            let children: Vec<&str> = map.children(rev).iter().map(|&c| self.id(c)).collect();
            entry.push_str(&format!("Branches into: {}\n", children.join(", ")));
        }
        let labels = map.branch_labels(rev);
        if !labels.is_empty() {
            entry.push_str(&format!("Branch names: {}\n", labels.join(", ")));
        }
        let script = (self.texts)(rev);
        entry.push_str(&format!("Path: {}\n", script.path));
        let body: Vec<String> = python_splitlines(script.longdoc)
            .map(|line| format!("    {line}"))
            .collect();
        entry.push_str(&format!("\n{}\n", body.join("\n")));
        entry
    }
}

/// `Script.dependencies` as Alembic tests it (`if self.dependencies:`): the
/// graph's `[""]` (from `depends_on = ""`) is the falsy scalar `''`.
fn declared_dependencies(depends_on: &[String]) -> &[String] {
    match depends_on {
        [only] if only.is_empty() => &[],
        all => all,
    }
}

/// Python's `str.splitlines()`: splits on every Unicode line boundary
/// Python knows, not only `\n`, and drops a trailing empty piece.
fn python_splitlines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        for (i, c) in rest.char_indices() {
            let boundary = matches!(
                c,
                '\n' | '\r'
                    | '\u{0b}'
                    | '\u{0c}'
                    | '\u{1c}'
                    | '\u{1d}'
                    | '\u{1e}'
                    | '\u{85}'
                    | '\u{2028}'
                    | '\u{2029}'
            );
            if boundary {
                let line = &rest[..i];
                let mut next = i + c.len_utf8();
                if c == '\r' && rest[next..].starts_with('\n') {
                    next += 1;
                }
                rest = &rest[next..];
                return Some(line);
            }
        }
        let line = rest;
        rest = "";
        Some(line)
    })
}

#[cfg(test)]
mod tests {
    use super::python_splitlines;

    #[test]
    fn splitlines_matches_python() {
        let split = |s| python_splitlines(s).collect::<Vec<_>>();
        assert_eq!(split(""), Vec::<&str>::new());
        assert_eq!(split("a\n\nb\n"), vec!["a", "", "b"]);
        assert_eq!(split("a\r\nb\rc\u{2028}d"), vec!["a", "b", "c", "d"]);
        assert_eq!(split("\n"), vec![""]);
    }
}
