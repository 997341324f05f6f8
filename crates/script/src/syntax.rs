//! The one place that calls `ruff_python_parser`.
//!
//! Ruff's parser recovers from errors: it always returns a module plus every
//! error it met, so the revision variables can still be read from a file
//! that does not parse (a Python 2 `print "x"` in an old history).
//!
//! Two things guard the "never panics, never overflows" promise:
//! * the parser grows its own stack on the heap when it recurses deeply
//!   (`stacker`), but *dropping* a deep tree recurses on the thread's stack,
//!   one frame of up to ~130 bytes per level (`x = -----…1`, `a.b.c…`,
//!   `1+1+1…`). [`depth_bound`] bounds the tree's depth from the token
//!   stream, and [`with_module`] uses and drops the tree on a thread with a
//!   stack sized for that bound when it could be deep. Real migrations nest
//!   a few dozen levels and never pay for a thread;
//! * a panic inside the parser, which would be a Ruff bug, is caught and
//!   reported as a syntax error rather than taking the whole run down.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

use ruff_python_ast::Suite;
use ruff_python_ast::token::{Token, TokenKind};
use ruff_python_parser::{Mode, ParseOptions, parse_unchecked};
use ruff_text_size::{Ranged, TextRange};

/// A parsed module: its statements, the parser's errors, and where the
/// comments are (for the UTF-8 check of [`crate::encoding`]).
pub(crate) struct ParsedModule {
    pub(crate) body: Suite,
    pub(crate) errors: Vec<(String, TextRange)>,
    pub(crate) comments: Vec<TextRange>,
    /// An upper bound on how deep `body` nests.
    depth_bound: u32,
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
    // CPython's tokenizer refuses a file nesting more than 200 brackets
    // before any tree exists; so do we, as a tree that deep could overflow
    // the stack in the parser or in any walk after it.
    if let Some(at) = crate::nesting::too_deep(text) {
        let at = ruff_text_size::TextSize::try_from(at)
            .unwrap_or(ruff_text_size::TextSize::new(u32::MAX - 1));
        return Ok(ParsedModule {
            body: Suite::new(),
            errors: vec![(
                "too many nested parentheses".to_owned(),
                TextRange::at(at, ruff_text_size::TextSize::new(1)),
            )],
            comments: Vec::new(),
            depth_bound: 0,
        });
    }
    catch_unwind(AssertUnwindSafe(|| {
        let parsed = parse_unchecked(text, ParseOptions::from(Mode::Module));
        let comments = parsed
            .tokens()
            .iter()
            .filter(|token| token.kind() == TokenKind::Comment)
            .map(Ranged::range)
            .collect();
        let depth_bound = depth_bound(parsed.tokens());
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
            depth_bound,
        }
    }))
    .map_err(|payload| panic_message(payload.as_ref()))
}

/// Stack reserved per level of [`depth_bound`]: twice the ~130 bytes the
/// deepest-dropping shape measured (nested f-strings; most take 65).
const STACK_PER_LEVEL: usize = 256;

/// Trees at most this deep are used and dropped on the caller's thread:
/// 512 KiB of stack at most, which every thread has (rayon's and the test
/// harness's default is 2 MiB).
const INLINE_DEPTH: u32 = 2048;

/// Run `work` on `module`, then drop the module, where its depth cannot
/// overflow the stack: on the caller's thread when [`depth_bound`] allows,
/// else on a thread with a stack sized for it. A panic in `work` is
/// returned as `Err`.
pub(crate) fn with_module<R: Send>(
    module: ParsedModule,
    work: impl FnOnce(&ParsedModule) -> R + Send,
) -> Result<R, String> {
    if module.depth_bound <= INLINE_DEPTH {
        return catch_unwind(AssertUnwindSafe(move || {
            let result = work(&module);
            drop(module);
            result
        }))
        .map_err(|payload| panic_message(payload.as_ref()));
    }
    let stack = usize::try_from(module.depth_bound)
        .unwrap_or(usize::MAX)
        .saturating_mul(STACK_PER_LEVEL)
        .saturating_add(4 << 20);
    // The module goes through a slot rather than into the closure: if the
    // thread cannot be started, the closure is dropped here, and the module
    // with it would overflow this thread's stack. Leaking it is the lesser
    // evil for a file no real project has.
    let slot = Mutex::new(Some(module));
    let outcome = std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("alembic-doctor-parse".to_owned())
            .stack_size(stack)
            .spawn_scoped(scope, || {
                let module = slot
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .take()?;
                let result = work(&module);
                drop(module);
                Some(result)
            });
        match spawned {
            Ok(handle) => handle
                .join()
                .map_err(|payload| panic_message(payload.as_ref()))
                .and_then(|result| {
                    result.ok_or_else(|| "the parsed module went missing".to_owned())
                }),
            Err(error) => Err(format!(
                "could not start a thread with {} MiB of stack for this deeply nested file: {error}",
                stack >> 20
            )),
        }
    });
    if let Some(module) = slot
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        std::mem::forget(module);
    }
    outcome
}

/// An upper bound on how deep the syntax tree of `tokens` nests.
///
/// Every node on a path from the root owns at least one token the nodes
/// below it do not, so within one bracket level a path is at most as long as
/// the tokens between two commas (elements separated by commas are
/// siblings), plus the depth of the bracket groups among those tokens, plus
/// a node or two per group for the tuple or call that holds the elements.
/// `lambda a, b: ...` is the one construct whose commas separate tokens of
/// an ancestor from its descendants without brackets, so commas inside
/// lambda parameters do not count. Statements add their indentation depth.
fn depth_bound(tokens: &[Token]) -> u32 {
    #[derive(Default)]
    struct Level {
        /// Tokens of the current element at this level.
        run: u32,
        /// Deepest group inside the current element.
        child: u32,
        /// Deepest element so far.
        widest: u32,
        /// Open `lambda` parameter lists.
        lambdas: u32,
    }
    impl Level {
        fn deepest(&self) -> u32 {
            self.widest.max(self.run.saturating_add(self.child))
        }
    }
    fn close(levels: &mut Vec<Level>) {
        if levels.len() > 1
            && let Some(closed) = levels.pop()
            && let Some(parent) = levels.last_mut()
        {
            parent.child = parent.child.max(closed.deepest().saturating_add(2));
            parent.run = parent.run.saturating_add(1);
        }
    }

    let mut levels = vec![Level::default()];
    let mut indent: u32 = 0;
    let mut max_indent: u32 = 0;
    let mut deepest: u32 = 0;
    for token in tokens {
        match token.kind() {
            TokenKind::Lpar
            | TokenKind::Lsqb
            | TokenKind::Lbrace
            | TokenKind::FStringStart
            | TokenKind::TStringStart => levels.push(Level::default()),
            TokenKind::Rpar
            | TokenKind::Rsqb
            | TokenKind::Rbrace
            | TokenKind::FStringEnd
            | TokenKind::TStringEnd
                if levels.len() > 1 =>
            {
                close(&mut levels);
            }
            TokenKind::Indent => {
                indent += 1;
                max_indent = max_indent.max(indent);
            }
            TokenKind::Dedent => indent = indent.saturating_sub(1),
            TokenKind::Comment | TokenKind::NonLogicalNewline | TokenKind::EndOfFile => {}
            kind => {
                let outermost = levels.len() == 1;
                let Some(level) = levels.last_mut() else {
                    continue;
                };
                match kind {
                    TokenKind::Comma if level.lambdas == 0 => {
                        level.widest = level.deepest();
                        level.run = 0;
                        level.child = 0;
                    }
                    TokenKind::Newline if outermost => {
                        deepest = deepest.max(level.deepest());
                        *level = Level::default();
                    }
                    _ => {
                        match kind {
                            TokenKind::Lambda => level.lambdas += 1,
                            TokenKind::Colon => level.lambdas = level.lambdas.saturating_sub(1),
                            _ => {}
                        }
                        level.run = level.run.saturating_add(1);
                    }
                }
            }
        }
    }
    while levels.len() > 1 {
        close(&mut levels);
    }
    let last = levels.first().map_or(0, Level::deepest);
    deepest
        .max(last)
        .saturating_add(max_indent.saturating_mul(4))
        .saturating_add(8)
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

    fn bound(source: &str) -> u32 {
        parse_module(source).expect("no panic").depth_bound
    }

    #[test]
    fn deep_prefix_chains_do_not_overflow() {
        // Regression: dropping `x = ------…1` recursed once per `-` on the
        // caller's stack and aborted the process past ~100k levels.
        let source = format!("x = {}1\n", "-".repeat(300_000));
        let parsed = parse_module(&source).expect("no panic");
        assert!(parsed.depth_bound > 300_000);
        assert_eq!(with_module(parsed, |parsed| parsed.errors.len()), Ok(0));
    }

    /// Deeper than CPython's bracket limit is refused before any tree is
    /// built, whatever the brackets (f-string fields count).
    #[test]
    fn past_the_bracket_limit_no_tree_is_built() {
        for deep in [
            format!("x = {}1{}\n", "[".repeat(5_000), "]".repeat(5_000)),
            format!("x = {}1{}\n", "f'{".repeat(2_000), "}'".repeat(2_000)),
        ] {
            let parsed = parse_module(&deep).expect("no panic");
            assert!(parsed.body.is_empty());
            assert_eq!(parsed.errors.len(), 1);
            assert_eq!(parsed.errors[0].0, "too many nested parentheses");
        }
    }

    #[test]
    fn depth_bound_is_small_for_real_code_and_large_for_chains() {
        let template = "revision = 'a'\ndef upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('x', sa.String(3)))\n";
        assert!(bound(template) < 40, "{}", bound(template));
        let list = format!("DATA = [{}]\n", "(1, 'a', None), ".repeat(10_000));
        assert!(bound(&list) < 40, "{}", bound(&list));
        for deep in [
            format!("x = {}1\n", "-".repeat(5_000)),
            format!("x = a{}\n", ".b".repeat(5_000)),
            format!("x = 1{}\n", "+1".repeat(5_000)),
            format!("x = {}1\n", "lambda a, b: ".repeat(5_000)),
        ] {
            assert!(
                bound(&deep) >= 5_000,
                "{} for {}",
                bound(&deep),
                &deep[..30]
            );
        }
    }
}
