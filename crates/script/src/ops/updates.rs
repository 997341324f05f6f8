//! `UPDATE`s written with `SQLAlchemy` Core instead of SQL:
//! `t.update().where(...).values(code="x")`, `sa.update(t).values(...)`,
//! as `op.execute(...)` or a connection's `execute(...)` runs them.
//!
//! Backfills are often written this way, and a reader that only understood
//! SQL strings saw them as opaque calls: the backfill rules then either
//! guessed that anything may have been filled or missed the `UPDATE`
//! altogether. Nothing is run: the chain of method calls is read as
//! written. The table is named when the file says which one (a name bound
//! to `sa.table("user", ...)` / `sa.Table("user", ...)` /
//! `op.create_table("user", ...)`), else it is the receiver's expression
//! (a name known only at run time); the columns are named only when
//! `.values(...)` spells every one of them, else they are unknown, which
//! the rules read as "any column of the table may have been set".

use ruff_python_ast::Expr;
use rustc_hash::FxHashMap;

use super::values::{Values, callee_name};
use super::{CoreUpdate, Name};

/// Methods of an `Update` that change neither its table nor the columns it
/// sets.
const NEUTRAL_METHODS: &[&str] = &[
    "where",
    "filter",
    "filter_by",
    "returning",
    "return_defaults",
    "execution_options",
    "with_dialect_options",
    "inline",
    "prefix_with",
    "with_hint",
    "params",
];

/// Module names `update(...)` is called on as a function (`sa.update(t)`,
/// `sqlalchemy.sql.expression.update(t)`), as opposed to a table's
/// `t.update()` method.
const MODULES: &[&str] = &["sa", "sqlalchemy", "sql", "expression"];

/// Real chains are a handful of calls long; a pathological one is not an
/// `UPDATE` worth reading.
const MAX_CHAIN: usize = 32;

/// What the function being walked has bound by the time of the call.
pub(super) struct Locals<'a> {
    /// `NAME = sa.table("t", ...)` and friends, in the function.
    pub(super) tables: &'a FxHashMap<String, Name>,
    /// `NAME = t.update()...`, in the function.
    pub(super) updates: &'a FxHashMap<String, CoreUpdate>,
}

/// The Core `UPDATE` that `expr` builds, when it builds one.
pub(super) fn core_update(
    values: &Values<'_>,
    expr: &Expr,
    locals: &Locals<'_>,
) -> Option<CoreUpdate> {
    let mut columns = Columns::default();
    let mut expr = expr;
    for _ in 0..MAX_CHAIN {
        match expr {
            // `stmt = t.update(); conn.execute(stmt.values(code="x"))`.
            Expr::Name(name) => {
                let bound = locals.updates.get(name.id.as_str())?;
                columns.merge(bound.columns.as_deref());
                columns.seen = true;
                return Some(columns.finish(bound.table.clone()));
            }
            Expr::Call(call) => match &*call.func {
                // `from sqlalchemy import update`; `update(t)`.
                Expr::Name(function) if function.id.as_str() == "update" => {
                    return function_form(values, call, locals, columns);
                }
                Expr::Attribute(attribute) => {
                    match attribute.attr.as_str() {
                        "update" if is_module(&attribute.value, values, locals) => {
                            return function_form(values, call, locals, columns);
                        }
                        "update" => {
                            // `t.update(whereclause, values)` before
                            // SQLAlchemy 2.0; `t.update()` since.
                            let old_values =
                                keyword(call, "values").or_else(|| call.arguments.args.get(1));
                            if let Some(old_values) = old_values {
                                columns.read_mapping(values, old_values);
                            }
                            let table = table_of(values, &attribute.value, locals);
                            return Some(columns.finish(table));
                        }
                        "values" => columns.read_values(values, call),
                        "ordered_values" => columns.read_pairs(values, &call.arguments.args),
                        method if NEUTRAL_METHODS.contains(&method) => {}
                        _ => return None,
                    }
                    expr = &attribute.value;
                }
                _ => return None,
            },
            _ => return None,
        }
    }
    None
}

/// `sa.update(t, ...)`: the table is the first argument.
fn function_form(
    values: &Values<'_>,
    call: &ruff_python_ast::ExprCall,
    locals: &Locals<'_>,
    mut columns: Columns,
) -> Option<CoreUpdate> {
    let table = call
        .arguments
        .args
        .first()
        .or_else(|| keyword(call, "table"))?;
    // `update(table, whereclause, values)` before SQLAlchemy 2.0.
    if let Some(old_values) = keyword(call, "values").or_else(|| call.arguments.args.get(2)) {
        columns.read_mapping(values, old_values);
    }
    Some(columns.finish(table_of(values, table, locals)))
}

/// The table an `UPDATE` names: a local or module-level name bound to a
/// table object, `sa.table("user", ...)` written in place, else the
/// expression itself (a table known only at run time).
fn table_of(values: &Values<'_>, expr: &Expr, locals: &Locals<'_>) -> Name {
    match expr {
        Expr::Name(name) => locals
            .tables
            .get(name.id.as_str())
            .or_else(|| values.tables.get(name.id.as_str()))
            .cloned()
            .unwrap_or_else(|| Name::Dynamic(values.source(expr))),
        Expr::Call(call)
            if matches!(callee_name(call), Some("table" | "Table"))
                && !call.arguments.args.is_empty() =>
        {
            values.name(&call.arguments.args[0])
        }
        _ => Name::Dynamic(values.source(expr)),
    }
}

/// `sa`, `sqlalchemy`, `sa.sql.expression`...: a module, unless the file
/// bound the name to a table.
fn is_module(expr: &Expr, values: &Values<'_>, locals: &Locals<'_>) -> bool {
    match expr {
        Expr::Name(name) => {
            let name = name.id.as_str();
            MODULES.contains(&name)
                && !locals.tables.contains_key(name)
                && !values.tables.contains_key(name)
        }
        Expr::Attribute(attribute) => matches!(attribute.attr.as_str(), "sql" | "expression"),
        _ => false,
    }
}

/// The columns an `UPDATE` sets, as far as the source says.
#[derive(Default)]
struct Columns {
    names: Vec<String>,
    /// A `.values(...)` (or `values=`) was seen: without one, the values
    /// come from the parameters `execute` is given, which are not read.
    seen: bool,
    /// A column was set that could not be named (`**data`, a dict built at
    /// run time, an ORM attribute).
    unknown: bool,
}

impl Columns {
    fn finish(self, table: Name) -> CoreUpdate {
        CoreUpdate {
            table,
            columns: (self.seen && !self.unknown).then_some(self.names),
        }
    }

    fn merge(&mut self, columns: Option<&[String]>) {
        match columns {
            Some(columns) => self.names.extend(columns.iter().cloned()),
            None => self.unknown = true,
        }
    }

    /// `.values(code="x")`, `.values({"code": "x"})`, `.values({t.c.code: "x"})`.
    fn read_values(&mut self, values: &Values<'_>, call: &ruff_python_ast::ExprCall) {
        self.seen = true;
        for keyword in &call.arguments.keywords {
            match &keyword.arg {
                Some(name) => self.names.push(name.as_str().to_owned()),
                None => self.unknown = true,
            }
        }
        match &*call.arguments.args {
            [] => {}
            [mapping] => self.read_mapping(values, mapping),
            _ => self.unknown = true,
        }
    }

    /// A dict literal of column keys.
    fn read_mapping(&mut self, values: &Values<'_>, expr: &Expr) {
        self.seen = true;
        let Expr::Dict(dict) = expr else {
            self.unknown = true;
            return;
        };
        for item in &dict.items {
            match item.key.as_ref().and_then(|key| column_key(values, key)) {
                Some(name) => self.names.push(name),
                None => self.unknown = true,
            }
        }
    }

    /// `.ordered_values((t.c.a, 1), ("b", 2))`.
    fn read_pairs(&mut self, values: &Values<'_>, pairs: &[Expr]) {
        self.seen = true;
        for pair in pairs {
            let key = match pair {
                Expr::Tuple(tuple) if tuple.elts.len() == 2 => column_key(values, &tuple.elts[0]),
                _ => None,
            };
            match key {
                Some(name) => self.names.push(name),
                None => self.unknown = true,
            }
        }
    }
}

/// A column named in a `SET`: `"code"`, `t.c.code`, `t.c["code"]`.
fn column_key(values: &Values<'_>, key: &Expr) -> Option<String> {
    if let Some(name) = values.string(key) {
        return Some(name);
    }
    let is_columns = |expr: &Expr| matches!(expr, Expr::Attribute(c) if matches!(c.attr.as_str(), "c" | "columns"));
    match key {
        Expr::Attribute(attribute) if is_columns(&attribute.value) => {
            Some(attribute.attr.as_str().to_owned())
        }
        Expr::Subscript(subscript) if is_columns(&subscript.value) => {
            values.string(&subscript.slice)
        }
        _ => None,
    }
}

fn keyword<'a>(call: &'a ruff_python_ast::ExprCall, name: &str) -> Option<&'a Expr> {
    call.arguments
        .keywords
        .iter()
        .find(|keyword| keyword.arg.as_ref().is_some_and(|arg| arg.as_str() == name))
        .map(|keyword| &keyword.value)
}
