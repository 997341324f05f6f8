//! Statements `sqlparser` rejects but the rules must see, recognised token
//! by token.
//!
//! `sqlparser` 0.64 has no grammar for these PostgreSQL and MySQL
//! statements, and each one changes what a rule should say:
//! * `DROP INDEX CONCURRENTLY [IF EXISTS] ix` (and MySQL's `DROP INDEX ix ON
//!   t ALGORITHM=... LOCK=...`): the safe way to drop an index; reading it
//!   as opaque would make `drop-index-not-concurrently` unable to tell it
//!   from the blocking one.
//! * `REINDEX [(options)] {INDEX | TABLE | SCHEMA | DATABASE | SYSTEM}
//!   [CONCURRENTLY] name`: blocks writes unless `CONCURRENTLY`.
//! * `CLUSTER [VERBOSE] [table [USING index]]`: rewrites the table under an
//!   `ACCESS EXCLUSIVE` lock.
//! * `VACUUM [(options)] [FULL] [FREEZE] [VERBOSE] [ANALYZE] [tables]`
//!   (`sqlparser` reads only `VACUUM [FULL] table`): `FULL` rewrites the
//!   table under an `ACCESS EXCLUSIVE` lock.
//!
//! `ALTER TYPE ... ADD VALUE` / `RENAME VALUE` and `ALTER TABLE ...
//! VALIDATE CONSTRAINT` parse with `sqlparser` itself (tests pin it), so
//! they need no fallback.
//!
//! Each recogniser accepts exactly its statement's grammar, from the first
//! token to the last; anything else is left to the caller, which reports
//! the SQL as unparsed. Nothing here searches arbitrary SQL for keywords.

use alembic_doctor_script::{Name, OpKind};
use sqlparser::tokenizer::Token;

use crate::{Dialect, StatementKind};

/// What the statement made of `tokens` (blanks removed) does, when it is
/// one of the shapes above.
pub(crate) fn recognise(tokens: &[&Token], dialect: Dialect) -> Option<Vec<StatementKind>> {
    let mut words = Words {
        tokens,
        at: 0,
        dialect,
    };
    if words.keyword("DROP") {
        return if words.keyword("INDEX") {
            drop_index(&mut words)
        } else {
            None
        };
    }
    if words.keyword("REINDEX") {
        return reindex(&mut words).map(|kind| vec![kind]);
    }
    if words.keyword("CLUSTER") {
        return cluster(&mut words).map(|kind| vec![kind]);
    }
    if words.keyword("VACUUM") {
        return vacuum(&mut words).map(|kind| vec![kind]);
    }
    None
}

/// After `DROP INDEX`: PostgreSQL's `[CONCURRENTLY] [IF EXISTS] name [,
/// ...] [CASCADE | RESTRICT]` or MySQL's `name ON table [ALGORITHM [=] x]
/// [LOCK [=] y]`.
fn drop_index(words: &mut Words<'_>) -> Option<Vec<StatementKind>> {
    let concurrently = words.keyword("CONCURRENTLY");
    if words.keyword("IF") && !words.keyword("EXISTS") {
        return None;
    }
    let mut indexes = vec![words.name()?];
    let mut table = None;
    if !concurrently && words.keyword("ON") {
        table = Some(words.name()?);
        while words.keyword("ALGORITHM") || words.keyword("LOCK") {
            words.punctuation(&Token::Eq);
            words.word()?;
        }
    } else {
        while words.punctuation(&Token::Comma) {
            indexes.push(words.name()?);
        }
        let _ = words.keyword("CASCADE") || words.keyword("RESTRICT");
    }
    words.done().then(|| {
        indexes
            .into_iter()
            .map(|name| {
                StatementKind::Op(OpKind::DropIndex {
                    name,
                    table: table.clone(),
                    concurrently,
                })
            })
            .collect()
    })
}

/// After `REINDEX`.
fn reindex(words: &mut Words<'_>) -> Option<StatementKind> {
    let options = words.parenthesised();
    let kind = ["INDEX", "TABLE", "SCHEMA", "DATABASE", "SYSTEM"]
        .into_iter()
        .find(|kind| words.keyword(kind))?;
    let concurrently = words.keyword("CONCURRENTLY")
        || options.is_some_and(|options| option_enabled(options, "CONCURRENTLY"));
    // PostgreSQL 15 lets `DATABASE` and `SYSTEM` leave the name out.
    if !(words.done() && matches!(kind, "DATABASE" | "SYSTEM")) {
        words.name()?;
    }
    words.done().then(|| {
        if concurrently {
            StatementKind::Other {
                summary: format!("REINDEX {kind} CONCURRENTLY"),
            }
        } else {
            StatementKind::LockingMaintenance {
                what: format!("REINDEX {kind}"),
            }
        }
    })
}

/// After `CLUSTER`: `[VERBOSE | (options)] [table [USING index]]`, or the
/// old `index ON table`.
fn cluster(words: &mut Words<'_>) -> Option<StatementKind> {
    if !words.keyword("VERBOSE") {
        words.parenthesised();
    }
    if !words.done() {
        words.name()?;
        if words.keyword("USING") || words.keyword("ON") {
            words.name()?;
        }
    }
    words.done().then(|| StatementKind::LockingMaintenance {
        what: "CLUSTER".to_owned(),
    })
}

/// After `VACUUM`: `[(options)] [FULL] [FREEZE] [VERBOSE] [ANALYZE]
/// [table [(columns)] [, ...]]`.
fn vacuum(words: &mut Words<'_>) -> Option<StatementKind> {
    let mut full = words
        .parenthesised()
        .is_some_and(|options| option_enabled(options, "FULL"));
    for flag in ["FULL", "FREEZE", "VERBOSE", "ANALYZE", "ANALYSE"] {
        let given = words.keyword(flag);
        full |= given && flag == "FULL";
    }
    if !words.done() {
        loop {
            words.name()?;
            words.parenthesised();
            if !words.punctuation(&Token::Comma) {
                break;
            }
        }
    }
    words.done().then(|| {
        if full {
            StatementKind::LockingMaintenance {
                what: "VACUUM FULL".to_owned(),
            }
        } else {
            StatementKind::Other {
                summary: "VACUUM".to_owned(),
            }
        }
    })
}

/// Whether a parenthesised option list (`FULL, VERBOSE false`) turns
/// `option` on: named, and not followed by `false`, `off` or `0`.
fn option_enabled(options: &[&Token], option: &str) -> bool {
    options.iter().enumerate().any(|(i, token)| {
        is_word(token, option)
            && !options.get(i + 1).is_some_and(|next| {
                is_word(next, "FALSE")
                    || is_word(next, "OFF")
                    || matches!(next, Token::Number(n, _) if n == "0")
            })
    })
}

fn is_word(token: &Token, word: &str) -> bool {
    matches!(token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
}

/// A cursor over a statement's tokens.
struct Words<'a> {
    tokens: &'a [&'a Token],
    at: usize,
    dialect: Dialect,
}

impl<'a> Words<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.at).copied()
    }

    /// Consume the unquoted word `keyword` (any case), if it is next.
    fn keyword(&mut self, keyword: &str) -> bool {
        let found = self.peek().is_some_and(|token| is_word(token, keyword));
        self.at += usize::from(found);
        found
    }

    /// Consume `token`, if it is next.
    fn punctuation(&mut self, token: &Token) -> bool {
        let found = self.peek() == Some(token);
        self.at += usize::from(found);
        found
    }

    /// Consume any word (an option's value).
    fn word(&mut self) -> Option<()> {
        matches!(self.peek(), Some(Token::Word(_))).then(|| self.at += 1)
    }

    /// Consume a possibly qualified name (`public."User"`) and give its
    /// last part, unquoted and folded as [`crate::names`] does.
    fn name(&mut self) -> Option<Name> {
        let mut last;
        loop {
            let Some(Token::Word(word)) = self.peek() else {
                return None;
            };
            self.at += 1;
            last = if word.quote_style.is_none() && self.dialect.folds_to_lower_case() {
                word.value.to_lowercase()
            } else {
                word.value.clone()
            };
            if !self.punctuation(&Token::Period) {
                break;
            }
        }
        Some(Name::Literal(last))
    }

    /// Consume a balanced `( ... )` and give what is inside, if it is next.
    fn parenthesised(&mut self) -> Option<&'a [&'a Token]> {
        if self.peek() != Some(&Token::LParen) {
            return None;
        }
        let start = self.at + 1;
        let mut depth = 0_usize;
        while let Some(token) = self.peek() {
            self.at += 1;
            match token {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        return self.tokens.get(start..self.at - 1);
                    }
                }
                _ => {}
            }
        }
        // Unbalanced: back to the `(`, where no grammar here goes on.
        self.at = start - 1;
        None
    }

    /// Every token was consumed.
    fn done(&self) -> bool {
        self.at >= self.tokens.len()
    }
}
