//! The literal parts of operation arguments.

use std::cell::RefCell;

use ruff_python_ast::{
    ConversionFlag, Expr, ExprCall, FStringPart, InterpolatedStringElement, Operator,
};
use ruff_text_size::Ranged;
use rustc_hash::FxHashMap;

use super::{Column, Name, Nullable, ServerDefault};
use crate::recipe::Lowering;

/// Evaluates argument expressions of one file.
pub(super) struct Values<'a> {
    pub(super) lowering: &'a Lowering<'a>,
    /// Module-level names bound once to a string literal
    /// (`TABLE = "users"`), usable as table and column names.
    pub(super) constants: FxHashMap<&'a str, String>,
    /// Module-level names bound once to a table object
    /// (`accounts = sa.table("accounts", ...)`).
    pub(super) tables: FxHashMap<&'a str, Name>,
    /// Module-level names bound once to a literal list, tuple or dict,
    /// which loops go over.
    pub(super) collections: super::loops::Collections<'a>,
    /// Names bound where the walk is, innermost last: a loop's variable
    /// with the value of the pass being read, or `None` when its value is
    /// unknown (it still hides a module constant of the same name).
    pub(super) locals: RefCell<Vec<(String, Option<String>)>>,
}

impl Values<'_> {
    /// Whether `name` is bound where the walk is (a loop variable).
    pub(super) fn is_local(&self, name: &str) -> bool {
        self.locals.borrow().iter().any(|(bound, _)| bound == name)
    }

    /// Bind `names` while `read` runs, then forget them.
    pub(super) fn with_locals<T>(
        &self,
        names: impl IntoIterator<Item = (String, Option<String>)>,
        read: impl FnOnce() -> T,
    ) -> T {
        let depth = self.locals.borrow().len();
        self.locals.borrow_mut().extend(names);
        let result = read();
        self.locals.borrow_mut().truncate(depth);
        result
    }

    /// The value of a name: the innermost local binding, else a module
    /// constant.
    fn named(&self, name: &str) -> Option<String> {
        if let Some((_, value)) = self
            .locals
            .borrow()
            .iter()
            .rev()
            .find(|(bound, _)| bound == name)
        {
            return value.clone();
        }
        self.constants.get(name).cloned()
    }

    /// The expression's source, on one line and shortened.
    pub(super) fn source(&self, expr: &Expr) -> String {
        self.lowering.snippet(expr.range())
    }

    /// A string literal (or a constant bound to one).
    /// Also a string built from them: `"ix_" + TABLE`, `"uniq_%s" % TABLE`,
    /// `f"uniq_{TABLE}0{COLUMN}"`.
    pub(super) fn string(&self, expr: &Expr) -> Option<String> {
        self.string_at(expr, 0)
    }

    fn string_at(&self, expr: &Expr, depth: u32) -> Option<String> {
        // `"a" + "b" + ...` nests to the left; real names are short.
        const MAX_DEPTH: u32 = 32;
        if depth > MAX_DEPTH {
            return None;
        }
        match expr {
            Expr::StringLiteral(string) => Some(string.value.to_str().to_owned()),
            Expr::Name(name) => self.named(name.id.as_str()),
            Expr::Call(call) => self.format_call(call, depth),
            Expr::BinOp(binary) => {
                let left = self.string_at(&binary.left, depth + 1)?;
                match binary.op {
                    Operator::Add => Some(left + &self.string_at(&binary.right, depth + 1)?),
                    Operator::Mod => {
                        let arguments = match &*binary.right {
                            Expr::Tuple(tuple) => tuple
                                .elts
                                .iter()
                                .map(|elt| self.string_at(elt, depth + 1))
                                .collect::<Option<Vec<_>>>()?,
                            single => vec![self.string_at(single, depth + 1)?],
                        };
                        percent_format(&left, &arguments)
                    }
                    _ => None,
                }
            }
            Expr::FString(fstring) => {
                let mut out = String::new();
                for part in &fstring.value {
                    match part {
                        FStringPart::Literal(literal) => out.push_str(&literal.value),
                        FStringPart::FString(fstring) => {
                            for element in &fstring.elements {
                                match element {
                                    InterpolatedStringElement::Literal(literal) => {
                                        out.push_str(&literal.value);
                                    }
                                    InterpolatedStringElement::Interpolation(interpolation)
                                        if interpolation.debug_text.is_none()
                                            && interpolation.conversion == ConversionFlag::None
                                            && interpolation.format_spec.is_none() =>
                                    {
                                        out.push_str(
                                            &self
                                                .string_at(&interpolation.expression, depth + 1)?,
                                        );
                                    }
                                    InterpolatedStringElement::Interpolation(_) => return None,
                                }
                            }
                        }
                    }
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// `"... {} ...".format(a, b)` (or `{0}`, `{name}`) with every part
    /// known; a format spec or conversion is not evaluated.
    fn format_call(&self, call: &ExprCall, depth: u32) -> Option<String> {
        let Expr::Attribute(attribute) = &*call.func else {
            return None;
        };
        if attribute.attr.as_str() != "format" {
            return None;
        }
        let template = self.string_at(&attribute.value, depth + 1)?;
        let positional = call
            .arguments
            .args
            .iter()
            .map(|arg| self.string_at(arg, depth + 1))
            .collect::<Option<Vec<_>>>()?;
        let named = call
            .arguments
            .keywords
            .iter()
            .map(|keyword| {
                Some((
                    keyword.arg.as_ref()?.as_str().to_owned(),
                    self.string_at(&keyword.value, depth + 1)?,
                ))
            })
            .collect::<Option<FxHashMap<_, _>>>()?;
        brace_format(&template, &positional, &named)
    }

    /// A table, column, index or constraint name.
    pub(super) fn name(&self, expr: &Expr) -> Name {
        if let Some(name) = self.string(expr) {
            return Name::Literal(name);
        }
        match expr {
            Expr::NoneLiteral(_) => Name::Unnamed,
            // `op.f("ix_x")` marks a name as final for the naming convention;
            // `sa.quoted_name("x", quote=True)` forces quoting. Both are the
            // name itself.
            Expr::Call(call)
                if matches!(callee_name(call), Some("f" | "quoted_name"))
                    && call.arguments.args.len() <= 2 =>
            {
                match call.arguments.args.first() {
                    Some(arg) => self.name(arg),
                    None => Name::Dynamic(self.source(expr)),
                }
            }
            _ => Name::Dynamic(self.source(expr)),
        }
    }

    /// `True` / `False`.
    pub(super) fn bool(expr: &Expr) -> Option<bool> {
        match expr {
            Expr::BooleanLiteral(literal) => Some(literal.value),
            _ => None,
        }
    }

    /// A list of column names or expressions (`["a", "b"]`, `("a",)`, or a
    /// single string), each a literal or its source.
    pub(super) fn strings(&self, expr: &Expr) -> Vec<String> {
        let items: &[Expr] = match expr {
            Expr::List(list) => &list.elts,
            Expr::Tuple(tuple) => &tuple.elts,
            _ => std::slice::from_ref(expr),
        };
        items
            .iter()
            .map(|item| self.string(item).unwrap_or_else(|| self.source(item)))
            .collect()
    }

    /// `sa.Column(...)` (or `Column(...)`), read field by field.
    pub(super) fn column(&self, expr: &Expr) -> Option<Column> {
        let Expr::Call(call) = expr else {
            return None;
        };
        if callee_name(call) != Some("Column") {
            return None;
        }
        let mut positional = call.arguments.args.iter();
        // `Column(name, type, *constraints)`; the name may be left out.
        let mut name = Name::Unnamed;
        let mut type_ = None;
        let mut foreign_keys = Vec::new();
        let mut first = true;
        for arg in positional.by_ref() {
            if first {
                first = false;
                if let Some(literal) = self.string(arg) {
                    name = Name::Literal(literal);
                    continue;
                }
            }
            if let Expr::Call(inner) = arg
                && callee_name(inner) == Some("ForeignKey")
            {
                if let Some(target) = inner.arguments.args.first() {
                    foreign_keys.push(self.string(target).unwrap_or_else(|| self.source(target)));
                }
            } else if type_.is_none() && !arg.is_starred_expr() {
                type_ = Some(self.source(arg));
            }
        }
        let mut column = Column {
            name,
            type_,
            nullable: Nullable::Default,
            primary_key: false,
            autoincrement: None,
            server_default: None,
            unique: false,
            index: false,
            foreign_keys,
        };
        for keyword in &call.arguments.keywords {
            let Some(arg) = &keyword.arg else { continue };
            let value = &keyword.value;
            match arg.as_str() {
                "name" => column.name = self.name(value),
                "type_" => column.type_ = Some(self.source(value)),
                "nullable" => {
                    column.nullable =
                        Self::bool(value).map_or(Nullable::Dynamic, Nullable::Literal);
                }
                "primary_key" => column.primary_key = Self::bool(value) == Some(true),
                "autoincrement" => column.autoincrement = Self::bool(value),
                "server_default" => column.server_default = self.server_default(value),
                "unique" => column.unique = Self::bool(value) == Some(true),
                "index" => column.index = Self::bool(value) == Some(true),
                _ => {}
            }
        }
        Some(column)
    }

    /// A `server_default=` value; `None` for `server_default=None`.
    pub(super) fn server_default(&self, expr: &Expr) -> Option<ServerDefault> {
        if expr.is_none_literal_expr() {
            return None;
        }
        let sql = if let Some(text) = self.string(expr) {
            // A plain string is rendered as a quoted SQL literal.
            Some(format!("'{}'", text.replace('\'', "''")))
        } else {
            match expr {
                Expr::Call(call) => match callee_name(call) {
                    Some("text" | "literal_column") => {
                        call.arguments.args.first().and_then(|arg| self.string(arg))
                    }
                    Some("true") if call.arguments.is_empty() => Some("true".to_owned()),
                    Some("false") if call.arguments.is_empty() => Some("false".to_owned()),
                    Some(function) if is_func_call(call) && call.arguments.is_empty() => {
                        Some(format!("{function}()"))
                    }
                    _ => None,
                },
                _ => None,
            }
        };
        Some(ServerDefault {
            source: self.source(expr),
            sql,
        })
    }

    /// The SQL of an `execute` argument: a string, `sa.text("...")`.
    pub(super) fn sql(&self, expr: &Expr) -> Option<String> {
        if let Some(text) = self.string(expr) {
            return Some(text);
        }
        match expr {
            Expr::Call(call) if matches!(callee_name(call), Some("text")) => {
                call.arguments.args.first().and_then(|arg| self.string(arg))
            }
            _ => None,
        }
    }
}

/// The last name of a call's callee: `Column` for `sa.Column(...)`.
pub(super) fn callee_name(call: &ExprCall) -> Option<&str> {
    match &*call.func {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attribute) => Some(attribute.attr.as_str()),
        _ => None,
    }
}

/// `func.now()` / `sa.func.now()`: a SQL function call.
fn is_func_call(call: &ExprCall) -> bool {
    let Expr::Attribute(attribute) = &*call.func else {
        return false;
    };
    match &*attribute.value {
        Expr::Name(name) => name.id.as_str() == "func",
        Expr::Attribute(inner) => inner.attr.as_str() == "func",
        _ => false,
    }
}

/// `template % arguments` for `%s` and `%%` only (what names are built
/// with); `None` for any other conversion or a count that does not match.
/// `str.format` with plain fields: `{}` in turn, `{0}` by position,
/// `{name}` by keyword, `{{` and `}}` for braces.
fn brace_format(
    template: &str,
    positional: &[String],
    named: &FxHashMap<String, String>,
) -> Option<String> {
    let mut out = String::new();
    let mut next = 0;
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut field = String::new();
                loop {
                    match chars.next()? {
                        '}' => break,
                        c => field.push(c),
                    }
                }
                let value = if field.is_empty() {
                    next += 1;
                    positional.get(next - 1)?
                } else if let Ok(index) = field.parse::<usize>() {
                    positional.get(index)?
                } else if field.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    named.get(&field)?
                } else {
                    // `{0!r}`, `{x:>10}`, `{x.attr}`: not a plain field.
                    return None;
                };
                out.push_str(value);
            }
            '}' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

fn percent_format(template: &str, arguments: &[String]) -> Option<String> {
    let mut out = String::new();
    let mut arguments = arguments.iter();
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            's' => out.push_str(arguments.next()?),
            _ => return None,
        }
    }
    arguments.next().is_none().then_some(out)
}
