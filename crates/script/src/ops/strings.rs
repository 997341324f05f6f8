//! Every string literal of a module: how `env.py` is searched for settings
//! such as `lock_timeout` without running it.

use ruff_python_ast::Expr;
use ruff_python_ast::visitor::{Visitor, walk_expr};

use crate::{encoding, syntax};

/// The values of every string literal in `bytes` (a Python module), in
/// source order. A file that cannot be parsed gives what the parser
/// recovered; never panics.
pub fn string_literals(bytes: &[u8]) -> Vec<String> {
    let decoded = encoding::decode(bytes);
    let Ok(parsed) = syntax::parse_module(&decoded.text) else {
        return Vec::new();
    };
    syntax::with_module(parsed, |parsed| {
        let mut collector = Collector::default();
        for stmt in &parsed.body {
            collector.visit_stmt(stmt);
        }
        collector.strings
    })
    .unwrap_or_default()
}

#[derive(Default)]
struct Collector {
    strings: Vec<String>,
}

impl Visitor<'_> for Collector {
    fn visit_expr(&mut self, expr: &Expr) {
        if let Expr::StringLiteral(string) = expr {
            self.strings.push(string.value.to_str().to_owned());
        }
        walk_expr(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_strings_anywhere_but_comments() {
        let strings = string_literals(
            b"# SET lock_timeout in a comment\ndef run():\n    context.configure(connect_args={'options': '-c lock_timeout=2s'})\n",
        );
        assert_eq!(
            strings,
            vec!["options".to_owned(), "-c lock_timeout=2s".to_owned()]
        );
        assert!(string_literals(b"\xff(((").is_empty());
    }
}
