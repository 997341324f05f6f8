//! Edits as byte ranges on a file's original bytes.
//!
//! Every fix is a list of [`Edit`]s: "replace bytes `start..end` with these
//! bytes". Nothing else in the file is touched, so line endings, a BOM, the
//! encoding declaration, quotes and formatting survive by construction.
//! Edits are applied from the end of the file backwards, so the spans of
//! the earlier ones stay valid; overlapping edits are a bug in a planner
//! and are refused rather than guessed at.

use alembic_doctor_source::Span;

/// Replace the bytes of `span` with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The bytes to replace, in the file's original bytes.
    pub span: Span,
    /// What goes there instead.
    pub replacement: Vec<u8>,
}

impl Edit {
    /// Replace `span` with the UTF-8 bytes of `text`.
    pub fn new(span: Span, text: &str) -> Self {
        Self {
            span,
            replacement: text.as_bytes().to_vec(),
        }
    }
}

/// Two edits of one file that touch the same bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap {
    /// The first edit's span.
    pub first: Span,
    /// The second edit's span.
    pub second: Span,
}

/// `bytes` with every edit applied. Identical edits (two fixes asking for
/// the same change) count once; edits that overlap otherwise, or that reach
/// past the end of `bytes`, are refused.
pub fn apply_edits(bytes: &[u8], edits: &[Edit]) -> Result<Vec<u8>, Overlap> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    sorted.dedup_by(|a, b| a == b);
    for pair in sorted.windows(2) {
        // Two insertions at one point, or ranges sharing bytes: the order
        // of the result would be a guess.
        let touching_inserts = pair[0].span.is_empty()
            && pair[1].span.is_empty()
            && pair[0].span.start == pair[1].span.start;
        if pair[1].span.start < pair[0].span.end || touching_inserts {
            return Err(Overlap {
                first: pair[0].span,
                second: pair[1].span,
            });
        }
    }
    if let Some(last) = sorted.last()
        && last.span.end as usize > bytes.len()
    {
        return Err(Overlap {
            first: last.span,
            second: last.span,
        });
    }
    let mut out = bytes.to_vec();
    for edit in sorted.iter().rev() {
        out.splice(edit.span.range(), edit.replacement.iter().copied());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_back_to_front() {
        let text = b"revision = 'aaa'\r\ndown_revision = 'bbb'\r\n";
        let edits = [
            Edit::new(Span::new(12, 15), "abcdef"),
            Edit::new(Span::new(35, 38), "x"),
        ];
        let out = apply_edits(text, &edits).unwrap();
        assert_eq!(out, b"revision = 'abcdef'\r\ndown_revision = 'x'\r\n");
    }

    #[test]
    fn overlapping_edits_are_refused_and_identical_ones_merge() {
        let same = Edit::new(Span::new(0, 2), "x");
        assert_eq!(apply_edits(b"abcd", &[same.clone(), same]).unwrap(), b"xcd");
        assert!(
            apply_edits(
                b"abcd",
                &[
                    Edit::new(Span::new(0, 2), "x"),
                    Edit::new(Span::new(1, 3), "y")
                ]
            )
            .is_err()
        );
        assert!(apply_edits(b"ab", &[Edit::new(Span::new(1, 3), "y")]).is_err());
    }
}
