//! Splitting a string into statements and reading each one.
//!
//! The whole string is parsed first, statement after statement, so that
//! statements containing `;` (a trigger's `BEGIN ... END` body, a
//! function's SQL body) stay whole. When a statement fails to parse, the
//! rest of the string is read piece by piece instead: each piece up to the
//! next `;` is parsed alone and, failing that, offered to the `fallback`
//! recogniser, so that one statement `sqlparser` does not know does not
//! hide the statements after it. Each token is parsed at most twice, so the
//! work stays linear in the string.

use std::ops::Range;

use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

use crate::tokens::Tokens;
use crate::{Dialect, Statement, StatementKind, classify, fallback};

/// See [`crate::read_sql`].
pub(crate) fn statements(sql: &str, dialect: Dialect) -> Vec<Statement> {
    let tokens = match Tokens::new(sql, dialect.parser()) {
        Ok(tokens) => tokens,
        // An unterminated string or quoted name: nothing can be split.
        Err(error) => {
            let text = sql.trim();
            return if text.is_empty() {
                Vec::new()
            } else {
                vec![Statement {
                    kind: StatementKind::Unparsed {
                        error: error.to_string(),
                    },
                    text: text.to_owned(),
                }]
            };
        }
    };
    let mut out = Vec::new();
    if let Err(failed) = parse_run(&tokens, 0..tokens.len(), dialect, &mut out) {
        read_pieces(&tokens, failed.start, dialect, &mut out);
    }
    out
}

/// Where a run of statements stopped being readable.
struct Failure {
    /// The first token of the statement that failed.
    start: usize,
    error: ParserError,
}

/// Parse the statements of `range` in order, pushing each one read; stop
/// at the first that does not parse, or that is not followed by `;` or the
/// end.
fn parse_run(
    tokens: &Tokens<'_>,
    range: Range<usize>,
    dialect: Dialect,
    out: &mut Vec<Statement>,
) -> Result<(), Failure> {
    let offset = range.start;
    let slice = tokens.all().get(range).unwrap_or_default().to_vec();
    let mut parser = Parser::new(dialect.parser()).with_tokens_with_locations(slice);
    loop {
        while parser.consume_token(&Token::SemiColon) {}
        if parser.peek_token_ref().token == Token::EOF {
            return Ok(());
        }
        let start = tokens.skip_blank(offset + parser.index());
        let parsed =
            parser
                .parse_statement()
                .and_then(|statement| match &parser.peek_token_ref().token {
                    Token::SemiColon | Token::EOF => Ok(statement),
                    other => Err(ParserError::ParserError(format!(
                        "Expected: end of statement, found: {other}"
                    ))),
                });
        match parsed {
            Ok(statement) => {
                let end = offset + parser.index();
                let summary = tokens.summary(start);
                let kinds = classify::statement(&statement, dialect, &summary);
                push_all(out, kinds, tokens.text(start..end));
            }
            Err(error) => return Err(Failure { start, error }),
        }
    }
}

/// Read the tokens from `from` on piece by piece, each piece ending at a
/// `;`.
fn read_pieces(tokens: &Tokens<'_>, from: usize, dialect: Dialect, out: &mut Vec<Statement>) {
    let mut at = from;
    loop {
        while at < tokens.len() && (tokens.is_blank(at) || *tokens.token(at) == Token::SemiColon) {
            at += 1;
        }
        if at >= tokens.len() {
            return;
        }
        let semicolon = (at..tokens.len())
            .find(|&i| *tokens.token(i) == Token::SemiColon)
            .unwrap_or(tokens.len());
        if opens_block(tokens, at..semicolon) {
            // A `CREATE TRIGGER ... BEGIN ...; END` that did not parse: its
            // body's `;` cannot be told from the ones between statements,
            // so everything left is one statement that cannot be read.
            let before = out.len();
            if let Err(failure) = parse_run(tokens, at..tokens.len(), dialect, out) {
                out.truncate(before);
                out.push(unparsed(tokens, at..tokens.len(), &failure.error));
            }
            return;
        }
        read_piece(tokens, at..semicolon, dialect, out);
        at = semicolon;
    }
}

/// One statement between two `;`.
fn read_piece(
    tokens: &Tokens<'_>,
    piece: Range<usize>,
    dialect: Dialect,
    out: &mut Vec<Statement>,
) {
    let Err(failure) = parse_run(tokens, piece.clone(), dialect, out) else {
        return;
    };
    match fallback::recognise(&tokens.significant(piece.clone()), dialect) {
        Some(kinds) => push_all(out, kinds, tokens.text(piece)),
        None => out.push(unparsed(tokens, piece, &failure.error)),
    }
}

/// The longest text, in bytes, that the statements of one SQL statement
/// each get a copy of.
const SHARED_TEXT: usize = 1_000;

/// The statements `kinds` of one SQL statement whose text is `text`.
///
/// When it gives several (`ALTER TABLE t ADD a int, ADD b int, ...`), each
/// gets a copy of the text, shortened past [`SHARED_TEXT`] bytes: whole
/// copies of a statement with thousands of sub-commands would take memory
/// quadratic in its length, and a message does not quote that much.
fn push_all(out: &mut Vec<Statement>, kinds: Vec<StatementKind>, mut text: String) {
    if kinds.len() > 1 && text.len() > SHARED_TEXT {
        let mut end = SHARED_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str(" ...");
    }
    out.extend(kinds.into_iter().map(|kind| Statement {
        kind,
        text: text.clone(),
    }));
}

fn unparsed(tokens: &Tokens<'_>, range: Range<usize>, error: &ParserError) -> Statement {
    Statement {
        kind: StatementKind::Unparsed {
            error: error.to_string(),
        },
        text: tokens.text(range),
    }
}

/// A `CREATE ...` statement whose text before the next `;` has a `BEGIN`:
/// a trigger, function or procedure body that goes on past that `;`.
fn opens_block(tokens: &Tokens<'_>, piece: Range<usize>) -> bool {
    let significant = tokens.significant(piece);
    let is_keyword = |token: &&Token, keyword: Keyword| matches!(token, Token::Word(word) if word.quote_style.is_none() && word.keyword == keyword);
    significant
        .first()
        .is_some_and(|first| is_keyword(first, Keyword::CREATE))
        && significant
            .iter()
            .any(|token| is_keyword(token, Keyword::BEGIN))
}
