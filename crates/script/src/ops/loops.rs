//! Loops whose values are known without running anything: `for table in
//! ["a", "b"]:`, `for table, column in (("a", "x"), ("b", "y")):`, a
//! module-level `TABLES = (...)`, a dict literal's `.items()`. Their body
//! is read once per value with the loop variables bound, so an f-string,
//! a `%` or a `.format` of them is the SQL it builds for that value, and
//! `op.drop_column(table, "x")` names the table it drops from.

use ruff_python_ast::{Expr, Stmt};
use rustc_hash::FxHashMap;

use super::values::Values;

/// More values than this and the body is read once, its variables unknown:
/// a generated list of hundreds of tables is data, not a few statements
/// written out.
const MAX_VALUES: usize = 64;

/// One value of a loop: what each of its targets is bound to.
pub(super) type Element = Vec<String>;

/// Module-level names bound once to a literal collection a loop can go
/// over (lists, tuples, and dicts, whose keys, values and items are read).
#[derive(Default)]
pub(super) struct Collections<'a> {
    sequences: FxHashMap<&'a str, Vec<Element>>,
    dicts: FxHashMap<&'a str, Vec<(String, String)>>,
}

impl<'a> Collections<'a> {
    /// Read the module-level assignments of `body`; a name bound twice is
    /// unknown (it could hold either value when a function runs).
    pub(super) fn of_module(body: &'a [Stmt], values: &Values<'_>) -> Self {
        Self {
            sequences: super::walk::bound_once(body, |value| {
                value.and_then(|value| literal_sequence(value, values))
            }),
            dicts: super::walk::bound_once(body, |value| match value {
                Some(Expr::Dict(_)) => dict_items(value?, values),
                _ => None,
            }),
        }
    }
}

/// The values the loop `for <target> in <iter>` binds, each as the names
/// of `target` with their values, when every one is known.
pub(super) fn unrolled(
    target: &Expr,
    iter: &Expr,
    values: &Values<'_>,
) -> Option<Vec<Vec<(String, String)>>> {
    let names = target_names(target)?;
    let elements = elements(iter, values)?;
    if elements.len() > MAX_VALUES {
        return None;
    }
    elements
        .into_iter()
        .map(|element| match (&names, element.len()) {
            (Targets::One(name), _) if element.len() == 1 => {
                Some(vec![(name.clone(), element.into_iter().next()?)])
            }
            (Targets::Unpacked(names), n) if n == names.len() => {
                Some(names.iter().cloned().zip(element).collect())
            }
            _ => None,
        })
        .collect()
}

/// The names a loop binds, known or not: they shadow module constants of
/// the same name while the body runs.
pub(super) fn bound_names(target: &Expr) -> Vec<String> {
    match target {
        Expr::Name(name) => vec![name.id.as_str().to_owned()],
        Expr::Tuple(tuple) => tuple.elts.iter().flat_map(bound_names).collect(),
        Expr::List(list) => list.elts.iter().flat_map(bound_names).collect(),
        _ => Vec::new(),
    }
}

/// Whether `body` assigns to `name` anywhere: its value is then no longer
/// the loop's.
pub(super) fn assigns(body: &[Stmt], name: &str) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::Assign(assign) => assign
            .targets
            .iter()
            .any(|target| bound_names(target).iter().any(|bound| bound == name)),
        Stmt::AnnAssign(assign) => bound_names(&assign.target).iter().any(|b| b == name),
        Stmt::AugAssign(assign) => bound_names(&assign.target).iter().any(|b| b == name),
        Stmt::For(for_) => {
            bound_names(&for_.target).iter().any(|b| b == name)
                || assigns(&for_.body, name)
                || assigns(&for_.orelse, name)
        }
        Stmt::While(while_) => assigns(&while_.body, name) || assigns(&while_.orelse, name),
        Stmt::If(if_) => {
            assigns(&if_.body, name)
                || if_
                    .elif_else_clauses
                    .iter()
                    .any(|clause| assigns(&clause.body, name))
        }
        Stmt::With(with) => {
            with.items.iter().any(|item| {
                item.optional_vars
                    .as_deref()
                    .is_some_and(|vars| bound_names(vars).iter().any(|b| b == name))
            }) || assigns(&with.body, name)
        }
        Stmt::Try(try_) => {
            assigns(&try_.body, name)
                || assigns(&try_.orelse, name)
                || assigns(&try_.finalbody, name)
                || try_.handlers.iter().any(|handler| {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(handler) = handler;
                    assigns(&handler.body, name)
                })
        }
        Stmt::Match(match_) => match_.cases.iter().any(|case| assigns(&case.body, name)),
        _ => false,
    })
}

enum Targets {
    One(String),
    Unpacked(Vec<String>),
}

fn target_names(target: &Expr) -> Option<Targets> {
    match target {
        Expr::Name(name) => Some(Targets::One(name.id.as_str().to_owned())),
        Expr::Tuple(ruff_python_ast::ExprTuple { elts, .. })
        | Expr::List(ruff_python_ast::ExprList { elts, .. }) => elts
            .iter()
            .map(|elt| match elt {
                Expr::Name(name) => Some(name.id.as_str().to_owned()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(Targets::Unpacked),
        _ => None,
    }
}

/// The elements `iter` goes over, when they are literals.
fn elements(iter: &Expr, values: &Values<'_>) -> Option<Vec<Element>> {
    match iter {
        Expr::Name(name) => {
            let name = name.id.as_str();
            if values.is_local(name) {
                return None;
            }
            if let Some(sequence) = values.collections.sequences.get(name) {
                return Some(sequence.clone());
            }
            // Iterating a dict goes over its keys.
            let dict = values.collections.dicts.get(name)?;
            Some(dict.iter().map(|(key, _)| vec![key.clone()]).collect())
        }
        Expr::Dict(_) => Some(
            dict_items(iter, values)?
                .into_iter()
                .map(|(key, _)| vec![key])
                .collect(),
        ),
        Expr::Call(call) if call.arguments.is_empty() => {
            let Expr::Attribute(attribute) = &*call.func else {
                return None;
            };
            let items = match &*attribute.value {
                Expr::Dict(_) => dict_items(&attribute.value, values)?,
                Expr::Name(name) if !values.is_local(name.id.as_str()) => {
                    values.collections.dicts.get(name.id.as_str())?.clone()
                }
                _ => return None,
            };
            match attribute.attr.as_str() {
                "items" => Some(items.into_iter().map(|(k, v)| vec![k, v]).collect()),
                "keys" => Some(items.into_iter().map(|(k, _)| vec![k]).collect()),
                "values" => Some(items.into_iter().map(|(_, v)| vec![v]).collect()),
                _ => None,
            }
        }
        _ => literal_sequence(iter, values),
    }
}

/// A list or tuple literal of known strings (or of tuples of them).
fn literal_sequence(expr: &Expr, values: &Values<'_>) -> Option<Vec<Element>> {
    let items = match expr {
        Expr::List(list) => &list.elts,
        Expr::Tuple(tuple) => &tuple.elts,
        _ => return None,
    };
    items
        .iter()
        .map(|item| match item {
            Expr::Tuple(ruff_python_ast::ExprTuple { elts, .. })
            | Expr::List(ruff_python_ast::ExprList { elts, .. }) => {
                elts.iter().map(|elt| scalar(elt, values)).collect()
            }
            _ => scalar(item, values).map(|value| vec![value]),
        })
        .collect()
}

/// A dict literal whose keys and values are known strings.
fn dict_items(expr: &Expr, values: &Values<'_>) -> Option<Vec<(String, String)>> {
    let Expr::Dict(dict) = expr else { return None };
    dict.items
        .iter()
        .map(|item| {
            Some((
                scalar(item.key.as_ref()?, values)?,
                scalar(&item.value, values)?,
            ))
        })
        .collect()
}

/// A string, or an integer written as Python prints it in an f-string.
fn scalar(expr: &Expr, values: &Values<'_>) -> Option<String> {
    if let Expr::NumberLiteral(number) = expr
        && let ruff_python_ast::Number::Int(int) = &number.value
    {
        return Some(int.to_string());
    }
    values.string(expr)
}
