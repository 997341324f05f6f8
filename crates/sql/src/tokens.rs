//! The tokens of one SQL string, with where each one starts in the text.
//!
//! `sqlparser` locates tokens by line and column (counted in characters);
//! statements' texts are byte ranges of the string. One forward walk over
//! the string converts every token's start, so taking the text of any run
//! of tokens costs nothing more.

use std::ops::Range;

use sqlparser::dialect::Dialect as ParserDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, TokenizerError};

/// The tokens of a string, whitespace and comments included (so that they
/// tile the string).
pub(crate) struct Tokens<'a> {
    sql: &'a str,
    items: Vec<TokenWithSpan>,
    /// The byte offset where each token starts, and `sql.len()` last.
    starts: Vec<usize>,
}

impl<'a> Tokens<'a> {
    /// Tokenise `sql` as the parser would.
    pub(crate) fn new(sql: &'a str, dialect: &dyn ParserDialect) -> Result<Self, TokenizerError> {
        let tokens = Tokenizer::new(dialect, sql)
            .with_unescape(true)
            .tokenize_with_location()?;
        let starts = byte_starts(sql, &tokens);
        Ok(Tokens {
            sql,
            items: tokens,
            starts,
        })
    }

    /// Every token, in order.
    pub(crate) fn all(&self) -> &[TokenWithSpan] {
        &self.items
    }

    /// How many tokens there are.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// The token at `index` (`Token::EOF` past the end).
    pub(crate) fn token(&self, index: usize) -> &Token {
        self.items.get(index).map_or(&Token::EOF, |t| &t.token)
    }

    /// Whether the token at `index` is whitespace or a comment.
    pub(crate) fn is_blank(&self, index: usize) -> bool {
        matches!(self.token(index), Token::Whitespace(_))
    }

    /// The first index at or after `from` that is not blank (or `len()`).
    pub(crate) fn skip_blank(&self, mut from: usize) -> usize {
        while from < self.len() && self.is_blank(from) {
            from += 1;
        }
        from
    }

    /// The text of the tokens in `range`, without the blanks around them.
    pub(crate) fn text(&self, range: Range<usize>) -> String {
        let mut start = range.start.min(self.len());
        let mut end = range.end.min(self.len()).max(start);
        start = self.skip_blank(start).min(end);
        while end > start && self.is_blank(end - 1) {
            end -= 1;
        }
        let (from, to) = (self.starts[start], self.starts[end]);
        self.sql.get(from..to).unwrap_or_default().trim().to_owned()
    }

    /// The tokens in `range` that are not blank.
    pub(crate) fn significant(&self, range: Range<usize>) -> Vec<&Token> {
        self.items
            .get(range)
            .unwrap_or_default()
            .iter()
            .map(|t| &t.token)
            .filter(|t| !matches!(t, Token::Whitespace(_)))
            .collect()
    }

    /// The leading keywords of the statement starting at `start`
    /// (`CREATE OR REPLACE FUNCTION`, `GRANT SELECT ON TABLE`), at most four.
    pub(crate) fn summary(&self, start: usize) -> String {
        let mut words = Vec::new();
        for token in self.items.get(start..).unwrap_or_default() {
            match &token.token {
                Token::Whitespace(_) => {}
                Token::Word(word)
                    if word.quote_style.is_none() && word.keyword != Keyword::NoKeyword =>
                {
                    words.push(word.value.to_uppercase());
                    if words.len() == 4 {
                        break;
                    }
                }
                _ => break,
            }
        }
        if words.is_empty() {
            "statement".to_owned()
        } else {
            words.join(" ")
        }
    }
}

/// Where each token starts, in bytes: walk the string once, counting lines
/// and columns exactly as the tokenizer does (a `\n` starts a line, any
/// other character is one column).
fn byte_starts(sql: &str, tokens: &[TokenWithSpan]) -> Vec<usize> {
    let mut starts = Vec::with_capacity(tokens.len() + 1);
    let mut chars = sql.char_indices();
    let (mut line, mut column, mut byte) = (1_u64, 1_u64, 0_usize);
    for token in tokens {
        let target = (token.span.start.line, token.span.start.column);
        while (line, column) < target {
            let Some((at, ch)) = chars.next() else { break };
            byte = at + ch.len_utf8();
            if ch == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        starts.push(byte);
    }
    starts.push(sql.len());
    starts
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;

    #[test]
    fn token_texts_tile_the_string_across_lines_and_multibyte_characters() {
        let sql = "SELECT 'é';\n  -- ok\nUPDATE \"ü\" SET a = 1";
        let tokens = Tokens::new(sql, &PostgreSqlDialect {}).unwrap();
        let texts: String = (0..tokens.len())
            .map(|i| &sql[tokens.starts[i]..tokens.starts[i + 1]])
            .collect();
        assert_eq!(texts, sql);
        assert_eq!(tokens.text(0..tokens.len()), sql);
        let update = (0..tokens.len())
            .find(|&i| matches!(tokens.token(i), Token::Word(w) if w.value == "UPDATE"))
            .unwrap();
        // Comments and whitespace around a statement are not its text.
        assert_eq!(
            tokens.text(update - 4..tokens.len()),
            "UPDATE \"ü\" SET a = 1"
        );
        assert_eq!(tokens.summary(update), "UPDATE");
    }
}
