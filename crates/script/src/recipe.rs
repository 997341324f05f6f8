//! An assigned expression, reduced to what static evaluation needs.
//!
//! The statement walk ([`crate::bindings`]) turns the right-hand side of
//! every module-level assignment into a [`Recipe`]: literals are evaluated on
//! the spot, names bound earlier in the module are replaced by the recipe
//! they were bound to (source order: `A = "x"; revision = A; A = "y"` gives
//! `"x"`, as executing the module would), and names bound by imports stay
//! symbolic until [`crate::resolve`] needs them. Recipes own their data and
//! hold no parser nodes, so a module's recipes can be cached and shared
//! across threads after its syntax tree is gone.

use std::path::Path;
use std::sync::Arc;

use alembic_doctor_source::Span;
use ruff_python_ast::{
    Expr, ExprStringLiteral, FStringPart, InterpolatedStringElement, Number, Operator, StringFlags,
};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::bindings::Env;
use crate::encoding::OffsetMap;
use crate::{SequenceKind, StrLiteral, Value};

/// How deep a recipe may nest, counting the recipes of the names it uses,
/// before lowering gives up. Real migrations nest a handful of levels; the
/// limit keeps evaluating (and dropping) recipes far from any stack limit,
/// even for a file that builds `A2 = (A1,)`, `A3 = (A2,)`, ... for
/// thousands of lines.
pub(crate) const MAX_DEPTH: u32 = 64;

/// An expression reduced for static evaluation.
#[derive(Debug, Clone)]
pub(crate) enum Recipe {
    /// Known already: a literal, or `Value::Unknown` with the reason.
    Value(Value),
    /// A name bound earlier in the same module, and the recipe it was bound
    /// to at that point.
    Name {
        name: String,
        recipe: Arc<Recipe>,
        /// The use of the name.
        span: Span,
        /// `recipe.depth()`, kept so that chains of names stay cheap.
        depth: u32,
    },
    /// A name bound by an import statement, resolved on demand.
    Import(Arc<Import>),
    /// `base.attr`.
    Attribute {
        base: Box<Recipe>,
        attr: String,
        /// The whole `base.attr` expression.
        span: Span,
        text: String,
    },
    /// `a + b + ...`, left to right.
    Add {
        parts: Vec<Recipe>,
        span: Span,
        text: String,
    },
    /// A tuple, list or set display.
    Sequence {
        kind: SequenceKind,
        items: Vec<Item>,
    },
    /// `tuple(x)`, `list(x)`, `set(x)`, `frozenset(x)` (or no argument).
    Convert {
        kind: SequenceKind,
        arg: Option<Box<Recipe>>,
        span: Span,
        text: String,
    },
    /// One target of an unpacking assignment (`a, b = X`): item `index` of
    /// `source` when it has exactly `count` items, or, with a starred target
    /// (`a, *rest = X`), the items the star takes.
    Unpack {
        source: Arc<Recipe>,
        /// `source.depth()`.
        depth: u32,
        slot: Slot,
        span: Span,
        text: String,
    },
    /// A name not bound in the module, which `from m import *` may provide.
    Star {
        name: String,
        sources: Vec<Arc<Import>>,
        span: Span,
    },
}

impl Recipe {
    /// How deep the recipe nests (a literal is 1). Recursion is bounded:
    /// lowering never builds a recipe deeper than about [`MAX_DEPTH`], and
    /// names and unpacking keep their depth instead of recomputing it.
    pub(crate) fn depth(&self) -> u32 {
        match self {
            Recipe::Value(value) => value_depth(value),
            Recipe::Name { depth, .. } | Recipe::Unpack { depth, .. } => depth + 1,
            Recipe::Import(_) | Recipe::Star { .. } => 1,
            Recipe::Attribute { base, .. } => base.depth() + 1,
            Recipe::Add { parts, .. } => 1 + parts.iter().map(Recipe::depth).max().unwrap_or(0),
            Recipe::Sequence { items, .. } => {
                1 + items
                    .iter()
                    .map(|item| item.recipe.depth())
                    .max()
                    .unwrap_or(0)
            }
            Recipe::Convert { arg, .. } => 1 + arg.as_ref().map_or(0, |arg| arg.depth()),
        }
    }
}

fn value_depth(value: &Value) -> u32 {
    match value {
        Value::Sequence { items, .. } => 1 + items.iter().map(value_depth).max().unwrap_or(0),
        _ => 1,
    }
}

/// One element of a sequence display.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub(crate) recipe: Recipe,
    /// `*x` inside the display: splice `x`'s items.
    pub(crate) starred: bool,
}

/// Which part of an unpacked value a target receives. `before` and `after`
/// count the plain targets on each side of the starred one, if any.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Slot {
    /// A plain target: item `index` of a value that must have exactly
    /// `count` items (or at least `count` when `starred`).
    Index {
        index: usize,
        count: usize,
        starred: bool,
    },
    /// Counted from the end, after a starred target.
    FromEnd { back: usize, count: usize },
    /// The starred target itself.
    Rest { before: usize, after: usize },
}

/// What an import statement bound a name to.
#[derive(Debug)]
pub(crate) struct Import {
    /// Directory of the importing file: relative imports start there, and
    /// absolute ones are searched from there upward.
    pub(crate) dir: Arc<Path>,
    /// Leading dots of a relative import; 0 for an absolute one.
    pub(crate) level: u32,
    /// The module's dotted name, split (empty for `from . import x`).
    pub(crate) module: Arc<[String]>,
    /// `from module import name`: the name; `None` for `import module`.
    pub(crate) name: Option<String>,
    /// The statement, for messages.
    pub(crate) statement: Arc<str>,
    /// Where it is bound: the alias in the import statement.
    pub(crate) span: Span,
}

/// Lowers expressions of one module into recipes.
pub(crate) struct Lowering<'a> {
    /// The decoded text the parser read.
    pub(crate) text: &'a str,
    /// The file's original bytes.
    pub(crate) original: &'a [u8],
    pub(crate) map: &'a OffsetMap,
}

impl Lowering<'_> {
    /// The original span of a text range.
    pub(crate) fn span(&self, range: TextRange) -> Span {
        self.map.span(range.start().to_u32(), range.end().to_u32())
    }

    /// The source of `range`, on one line and shortened, for messages.
    pub(crate) fn snippet(&self, range: TextRange) -> String {
        const MAX: usize = 60;
        let source = self.text.get(range.to_std_range()).unwrap_or("");
        let mut out = String::with_capacity(source.len().min(MAX + 3));
        let mut last_space = false;
        for c in source.chars() {
            let c = if c.is_whitespace() { ' ' } else { c };
            if c == ' ' && last_space {
                continue;
            }
            last_space = c == ' ';
            if out.len() >= MAX {
                out.push('…');
                break;
            }
            out.push(c);
        }
        out
    }

    /// An unknown value, with a reason and the expression's span.
    pub(crate) fn unknown(&self, range: TextRange, reason: String) -> Recipe {
        Recipe::Value(Value::Unknown {
            reason,
            span: self.span(range),
        })
    }

    /// Lower `expr`, looking names up in `env` as it is now.
    pub(crate) fn lower(&self, expr: &Expr, env: &Env) -> Recipe {
        self.lower_at(expr, env, 0)
    }

    fn lower_at(&self, expr: &Expr, env: &Env, depth: u32) -> Recipe {
        if depth > MAX_DEPTH {
            return self.unknown(
                expr.range(),
                format!(
                    "`{}` nests more than {MAX_DEPTH} levels deep",
                    self.snippet(expr.range())
                ),
            );
        }
        let depth = depth + 1;
        match expr {
            Expr::StringLiteral(string) => Recipe::Value(self.string(string)),
            Expr::FString(fstring) => self.fstring(fstring),
            Expr::NoneLiteral(_) => Recipe::Value(Value::None),
            Expr::Name(name) => env.lookup(name.id.as_str(), self.span(name.range), depth),
            Expr::Tuple(tuple) => self.sequence(SequenceKind::Tuple, &tuple.elts, env, depth),
            Expr::List(list) => self.sequence(SequenceKind::List, &list.elts, env, depth),
            Expr::Set(set) => self.sequence(SequenceKind::Set, &set.elts, env, depth),
            Expr::Attribute(attribute) => Recipe::Attribute {
                base: Box::new(self.lower_at(&attribute.value, env, depth)),
                attr: attribute.attr.as_str().to_owned(),
                span: self.span(attribute.range),
                text: self.snippet(attribute.range),
            },
            Expr::BinOp(binop) if binop.op == Operator::Add => self.addition(expr, env, depth),
            Expr::Call(call) => self.call(call, env, depth),
            Expr::Named(named) => self.lower_at(&named.value, env, depth),
            _ => self.other(expr),
        }
    }

    /// Literals Alembic cannot use and expressions not evaluated.
    fn other(&self, expr: &Expr) -> Recipe {
        let range = expr.range();
        let text = self.snippet(range);
        let literal = |what: &str| Recipe::Value(Value::OtherLiteral(format!("`{text}` ({what})")));
        match expr {
            Expr::BytesLiteral(_) => literal("a bytes literal"),
            Expr::NumberLiteral(number) => literal(match number.value {
                Number::Int(_) => "an int",
                Number::Float(_) => "a float",
                Number::Complex { .. } => "a complex number",
            }),
            Expr::BooleanLiteral(_) => literal("a bool"),
            Expr::EllipsisLiteral(_) => literal("Ellipsis"),
            Expr::Dict(_) => literal("a dict"),
            Expr::TString(_) => literal("a t-string, which makes a template, not a str"),
            _ => {
                let what = match expr {
                    Expr::BinOp(binop) => {
                        format!("uses the `{}` operator", binop.op.as_str())
                    }
                    Expr::Subscript(_) => "is a subscript".to_owned(),
                    Expr::ListComp(_)
                    | Expr::SetComp(_)
                    | Expr::DictComp(_)
                    | Expr::Generator(_) => "is a comprehension".to_owned(),
                    Expr::If(_) => "is a conditional expression".to_owned(),
                    Expr::Lambda(_) => "is a lambda".to_owned(),
                    _ => "is an expression".to_owned(),
                };
                self.unknown(
                    range,
                    format!("`{text}` {what}, which alembic-doctor does not evaluate"),
                )
            }
        }
    }

    /// A (possibly implicitly concatenated) string literal.
    fn string(&self, string: &ExprStringLiteral) -> Value {
        let value = string.value.to_str().to_owned();
        let content_span = match string.value.as_slice() {
            [single] if !single.flags.is_unclosed() => self.exact_content(
                single.range,
                single.flags.opener_len(),
                single.flags.closer_len(),
                &value,
            ),
            _ => None,
        };
        Value::Str(StrLiteral {
            value,
            content_span,
            origin: None,
        })
    }

    /// An f-string is a plain `str` when it has no replacement fields.
    fn fstring(&self, fstring: &ruff_python_ast::ExprFString) -> Recipe {
        let mut value = String::new();
        for part in &fstring.value {
            match part {
                FStringPart::Literal(literal) => value.push_str(literal.as_str()),
                FStringPart::FString(part) => {
                    for element in &part.elements {
                        match element {
                            InterpolatedStringElement::Literal(literal) => {
                                value.push_str(&literal.value);
                            }
                            InterpolatedStringElement::Interpolation(_) => {
                                return self.unknown(
                                    fstring.range,
                                    format!(
                                        "`{}` is an f-string with replacement fields, which alembic-doctor does \
                                         not evaluate",
                                        self.snippet(fstring.range)
                                    ),
                                );
                            }
                        }
                    }
                }
            }
        }
        let parts: Vec<&FStringPart> = fstring.value.iter().collect();
        let content_span = match parts.as_slice() {
            [FStringPart::FString(single)] if !single.flags.is_unclosed() => self.exact_content(
                single.range,
                single.flags.opener_len(),
                single.flags.closer_len(),
                &value,
            ),
            [FStringPart::Literal(single)] if !single.flags.is_unclosed() => self.exact_content(
                single.range,
                single.flags.opener_len(),
                single.flags.closer_len(),
                &value,
            ),
            _ => None,
        };
        Recipe::Value(Value::Str(StrLiteral {
            value,
            content_span,
            origin: None,
        }))
    }

    /// The original span between the quotes, when those bytes spell `value`
    /// exactly; `None` when escapes, line-ending normalisation or a
    /// non-UTF-8 encoding make them differ.
    fn exact_content(
        &self,
        range: TextRange,
        opener: TextSize,
        closer: TextSize,
        value: &str,
    ) -> Option<Span> {
        let start = range.start().checked_add(opener)?;
        let end = range.end().checked_sub(closer)?;
        if start > end {
            return None;
        }
        let span = self.span(TextRange::new(start, end));
        (self.original.get(span.range())? == value.as_bytes()).then_some(span)
    }

    fn sequence(&self, kind: SequenceKind, elements: &[Expr], env: &Env, depth: u32) -> Recipe {
        let items = elements
            .iter()
            .map(|element| match element {
                Expr::Starred(starred) => Item {
                    recipe: self.lower_at(&starred.value, env, depth),
                    starred: true,
                },
                _ => Item {
                    recipe: self.lower_at(element, env, depth),
                    starred: false,
                },
            })
            .collect();
        Recipe::Sequence { kind, items }
    }

    /// `a + b + c` is `(a + b) + c`: walk the left spine iteratively so a
    /// long concatenation does not recurse once per operand.
    fn addition(&self, expr: &Expr, env: &Env, depth: u32) -> Recipe {
        let mut rights = Vec::new();
        let mut left = expr;
        while let Expr::BinOp(binop) = left
            && binop.op == Operator::Add
        {
            rights.push(&*binop.right);
            left = &binop.left;
        }
        let mut parts = Vec::with_capacity(rights.len() + 1);
        parts.push(self.lower_at(left, env, depth));
        parts.extend(
            rights
                .iter()
                .rev()
                .map(|right| self.lower_at(right, env, depth)),
        );
        Recipe::Add {
            parts,
            span: self.span(expr.range()),
            text: self.snippet(expr.range()),
        }
    }

    /// Calls are unknown, except the builtin sequence constructors applied
    /// to something known (`frozenset(["x"])`).
    fn call(&self, call: &ruff_python_ast::ExprCall, env: &Env, depth: u32) -> Recipe {
        let range = call.range();
        let kind = match &*call.func {
            Expr::Name(name) if !env.binds(name.id.as_str()) => match name.id.as_str() {
                "tuple" => Some(SequenceKind::Tuple),
                "list" => Some(SequenceKind::List),
                "set" | "frozenset" => Some(SequenceKind::Set),
                _ => None,
            },
            _ => None,
        };
        let simple_args = call.arguments.keywords.is_empty()
            && call.arguments.args.len() <= 1
            && !call.arguments.args.iter().any(Expr::is_starred_expr);
        match kind {
            Some(kind) if simple_args => Recipe::Convert {
                kind,
                arg: call
                    .arguments
                    .args
                    .first()
                    .map(|arg| Box::new(self.lower_at(arg, env, depth))),
                span: self.span(range),
                text: self.snippet(range),
            },
            _ => {
                let callee = self.snippet(call.func.range());
                self.unknown(
                    range,
                    format!(
                        "`{}` is a function call (`{callee}(...)`), whose result is only known by running it",
                        self.snippet(range)
                    ),
                )
            }
        }
    }
}
