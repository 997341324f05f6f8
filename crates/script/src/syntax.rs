//! The one place that calls `ruff_python_parser`.
//!
//! Ruff's parser recovers from errors: it always returns a module plus every
//! error it met, so the revision variables can still be read from a file
//! that does not parse (a Python 2 `print "x"` in an old history).
//!
//! Two things guard the "never panics, never overflows" promise:
//! * the parser itself grows its stack on the heap when it recurses deeply
//!   (`stacker`), but *dropping* a deep tree recurses on the thread's own
//!   stack, one frame per level (`x = -----…1`, `a.b.c.d…`, `1+1+1…`). A
//!   file of `n` bytes nests at most `n` levels, so [`with_stack_for`] runs
//!   the work for a large file on a thread whose stack is sized for its
//!   length;
//! * a panic inside the parser, which would be a Ruff bug, is caught and
//!   reported as a syntax error rather than taking the whole run down.

use std::panic::{AssertUnwindSafe, catch_unwind};

use ruff_python_ast::Suite;
use ruff_python_ast::token::TokenKind;
use ruff_python_parser::{Mode, ParseOptions, parse_unchecked};
use ruff_text_size::{Ranged, TextRange};

/// A parsed module: its statements, the parser's errors, and where the
/// comments are (for the UTF-8 check of [`crate::encoding`]).
pub(crate) struct ParsedModule {
    pub(crate) body: Suite,
    pub(crate) errors: Vec<(String, TextRange)>,
    pub(crate) comments: Vec<TextRange>,
}

impl ParsedModule {
    /// True when `offset` lies inside a comment.
    pub(crate) fn in_comment(&self, offset: u32) -> bool {
        let i = self
            .comments
            .partition_point(|range| range.end().to_u32() <= offset);
        self.comments
            .get(i)
            .is_some_and(|range| range.start().to_u32() <= offset)
    }
}

/// Parse `text` as a module. `Err` carries the message of a parser panic.
pub(crate) fn parse_module(text: &str) -> Result<ParsedModule, String> {
    catch_unwind(AssertUnwindSafe(|| {
        let parsed = parse_unchecked(text, ParseOptions::from(Mode::Module));
        let comments = parsed
            .tokens()
            .iter()
            .filter(|token| token.kind() == TokenKind::Comment)
            .map(Ranged::range)
            .collect();
        // Version-related errors ("match requires Python 3.10") are left out
        // on purpose: the project's Python version is not known here, and
        // Alembic itself runs on whatever the project uses.
        let errors = parsed
            .errors()
            .iter()
            .map(|error| (error.error.to_string(), error.location))
            .collect();
        let body = match parsed.into_syntax() {
            ruff_python_ast::Mod::Module(module) => module.body,
            ruff_python_ast::Mod::Expression(_) => Suite::new(),
        };
        ParsedModule {
            body,
            errors,
            comments,
        }
    }))
    .map_err(|payload| panic_message(payload.as_ref()))
}

/// Up to this many bytes, the work runs on the caller's thread: even a file
/// that is one long chain of prefix operators then needs well under 1 MiB
/// of stack to drop, which every thread (rayon's and the test harness's
/// default is 2 MiB) has.
const INLINE_LIMIT: usize = 8 * 1024;

/// Stack per source byte on a dedicated thread. Dropping one level of a
/// nested expression takes a few dozen bytes of stack (measured: a million
/// nested unary minuses drop within 64 MiB); this leaves room for twice that.
const STACK_PER_BYTE: usize = 128;

/// Run `work` where dropping the syntax tree of a `len`-byte file cannot
/// overflow the stack: inline for small files, on a thread with a stack
/// sized for `len` otherwise. A panic in `work` is returned as `Err`.
pub(crate) fn with_stack_for<R: Send>(
    len: usize,
    work: impl FnOnce() -> R + Send,
) -> Result<R, String> {
    if len <= INLINE_LIMIT {
        return catch_unwind(AssertUnwindSafe(work))
            .map_err(|payload| panic_message(payload.as_ref()));
    }
    let stack = len
        .saturating_mul(STACK_PER_BYTE)
        .saturating_add(4 * 1024 * 1024);
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("alembic-doctor-parse".to_owned())
            .stack_size(stack)
            .spawn_scoped(scope, work)
            .map_err(|error| {
                format!(
                    "could not start a parser thread with {} MiB of stack for this {} MiB file: {error}",
                    stack >> 20,
                    len >> 20
                )
            })?;
        handle
            .join()
            .map_err(|payload| panic_message(payload.as_ref()))
    })
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    format!("internal error in the Python parser: {detail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_error_and_keeps_the_rest() {
        let parsed =
            parse_module("print 'x'\nrevision = 'a'\ndef f(:\n    pass\n").expect("no panic");
        assert!(parsed.errors.len() >= 2, "{:?}", parsed.errors);
        assert!(
            parsed
                .body
                .iter()
                .any(|stmt| matches!(stmt, ruff_python_ast::Stmt::Assign(_)))
        );
    }

    #[test]
    fn finds_comments() {
        let parsed = parse_module("x = 1  # note\n# another\n").expect("no panic");
        assert!(parsed.in_comment(8));
        assert!(parsed.in_comment(15));
        assert!(!parsed.in_comment(0));
    }

    #[test]
    fn deep_prefix_chains_do_not_overflow() {
        // Regression: dropping `x = ------…1` recursed once per `-` on the
        // caller's stack and aborted the process past ~100k levels.
        let source = format!("x = {}1\n", "-".repeat(300_000));
        let errors = with_stack_for(source.len(), || {
            parse_module(&source).map(|parsed| parsed.errors.len())
        });
        assert_eq!(errors, Ok(Ok(0)));
    }
}
