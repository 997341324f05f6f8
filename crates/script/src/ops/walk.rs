//! The statements of `upgrade()` / `downgrade()`, in source order.

use std::cell::{Cell, RefCell};

use ruff_python_ast::{BoolOp, CmpOp, Expr, ExprCall, Stmt, StmtFunctionDef, UnaryOp};
use ruff_text_size::Ranged;
use rustc_hash::{FxHashMap, FxHashSet};

use super::loops::{self, Collections};
use super::updates::{Locals, core_update};
use super::values::{Values, callee_name};
use super::{
    Batch, CoreUpdate, DialectCondition, DialectGuard, ExecuteVia, FailingCall, Function, Name,
    OpKind, Opaque, Operation, OrmLoop,
};
use super::{binding, calls};
use crate::recipe::Lowering;

/// How deep helper functions are followed (`upgrade` → `_a` → `_b` ...).
const MAX_HELPER_DEPTH: usize = 8;

/// How deep nested blocks are walked; real migrations nest a few levels.
const MAX_NESTING: u32 = 64;

/// `upgrade` and `downgrade` of a module.
pub(super) fn module(
    body: &[Stmt],
    lowering: &Lowering<'_>,
) -> (Option<Function>, Option<Function>) {
    let mut defs: FxHashMap<&str, &StmtFunctionDef> = FxHashMap::default();
    for stmt in body {
        if let Stmt::FunctionDef(def) = stmt {
            defs.insert(def.name.as_str(), def);
        }
    }
    let mut values = Values {
        lowering,
        constants: string_constants(body),
        tables: FxHashMap::default(),
        collections: Collections::default(),
        locals: RefCell::default(),
    };
    values.tables = table_objects(body, &values);
    values.collections = Collections::of_module(body, &values);
    let read = |name: &str| {
        defs.get(name).map(|def| {
            let mut walker = Walker {
                values: &values,
                defs: &defs,
                function: Function {
                    span: lowering.span(def.range()),
                    empty: is_empty(&def.body),
                    raises: def.body.iter().any(Stmt::is_raise_stmt),
                    operations: Vec::new(),
                    opaque: Vec::new(),
                    ..Function::default()
                },
                helpers: Vec::new(),
                guards: Vec::new(),
                tests_followed: Cell::new(0),
            };
            walker.body(&def.body, &mut Scope::default(), Context::default(), 0);
            walker.function
        })
    };
    (read("upgrade"), read("downgrade"))
}

/// Module-level names bound exactly once, to a string literal.
fn string_constants(body: &[Stmt]) -> FxHashMap<&str, String> {
    bound_once(body, |value| match value {
        Some(Expr::StringLiteral(string)) => Some(string.value.to_str().to_owned()),
        _ => None,
    })
}

/// Module-level names bound exactly once, to a table object:
/// `accounts = sa.table("accounts", sa.column("id"))` (or `sa.Table`),
/// which `op.bulk_insert` and Core `UPDATE`s of any function then name.
fn table_objects<'a>(body: &'a [Stmt], values: &Values<'_>) -> FxHashMap<&'a str, Name> {
    bound_once(body, |value| match value {
        Some(Expr::Call(call)) if matches!(callee_name(call), Some("table" | "Table")) => {
            call.arguments.args.first().map(|first| values.name(first))
        }
        _ => None,
    })
}

/// Module-level names assigned exactly once, to a value `known` makes
/// something of: a name assigned twice, or once to anything else, could
/// hold either value when a function runs.
pub(super) fn bound_once<T>(
    body: &[Stmt],
    known: impl Fn(Option<&Expr>) -> Option<T>,
) -> FxHashMap<&str, T> {
    let mut found = FxHashMap::default();
    let mut rebound = FxHashSet::default();
    for stmt in body {
        let (target, value) = match stmt {
            Stmt::Assign(assign) if assign.targets.len() == 1 => {
                (&assign.targets[0], Some(&*assign.value))
            }
            Stmt::AnnAssign(assign) => (&*assign.target, assign.value.as_deref()),
            _ => continue,
        };
        let Expr::Name(name) = target else { continue };
        let name = name.id.as_str();
        match known(value) {
            Some(thing) if !rebound.contains(name) => {
                if found.insert(name, thing).is_some() {
                    found.remove(name);
                    rebound.insert(name);
                }
            }
            _ => {
                found.remove(name);
                rebound.insert(name);
            }
        }
    }
    found
}

/// A body that does nothing: `pass`, `...`, string literals (docstrings,
/// and the comments Alembic's autogenerate leaves are not statements).
fn is_empty(body: &[Stmt]) -> bool {
    body.iter().all(|stmt| match stmt {
        Stmt::Pass(_) => true,
        Stmt::Expr(expr) => {
            expr.value.is_string_literal_expr() || expr.value.is_ellipsis_literal_expr()
        }
        _ => false,
    })
}

/// Local names of the function being walked.
#[derive(Default, Clone)]
struct Scope {
    /// `with op.batch_alter_table(...) as NAME`.
    batches: FxHashMap<String, Batch>,
    /// `NAME = op.get_bind()`.
    connections: FxHashSet<String>,
    /// `NAME = sa.table("t", ...)` / `op.create_table("t", ...)`.
    tables: FxHashMap<String, Name>,
    /// `NAME = t.update().values(...)`: a Core `UPDATE` run later.
    updates: FxHashMap<String, CoreUpdate>,
    /// `NAME = bind.dialect.name` (or `bind.engine.name`).
    dialect_names: FxHashSet<String>,
    /// `NAME = bind.dialect.name == "postgresql"`.
    dialect_tests: FxHashMap<String, DialectCondition>,
    /// `NAME = str(bind.engine.url)` (or `bind.engine.url.drivername`).
    dialect_urls: FxHashSet<String>,
}

impl Scope {
    fn locals(&self) -> Locals<'_> {
        Locals {
            tables: &self.tables,
            updates: &self.updates,
        }
    }
}

/// Where a statement sits.
#[derive(Debug, Clone, Copy, Default)]
struct Context {
    autocommit: bool,
    conditional: bool,
}

struct Walker<'a> {
    values: &'a Values<'a>,
    defs: &'a FxHashMap<&'a str, &'a StmtFunctionDef>,
    function: Function,
    /// Helpers being expanded, outermost first.
    helpers: Vec<String>,
    /// The dialect tests that hold where the walk is.
    guards: Vec<DialectCondition>,
    /// How deep [`Walker::helper_test`] is in functions returning a test.
    tests_followed: Cell<usize>,
}

impl Walker<'_> {
    fn body(&mut self, body: &[Stmt], scope: &mut Scope, context: Context, nesting: u32) {
        if nesting > MAX_NESTING {
            return;
        }
        let depth = self.guards.len();
        for stmt in body {
            self.stmt(stmt, scope, context, nesting + 1);
            // `if dialect != "postgresql": return`: the rest of the body
            // runs on PostgreSQL only.
            if let Stmt::If(if_) = stmt
                && if_.elif_else_clauses.is_empty()
                && if_
                    .body
                    .last()
                    .is_some_and(|last| matches!(last, Stmt::Return(_) | Stmt::Raise(_)))
                && let Some(test) = self.dialect_test(&if_.test, scope)
            {
                self.guards.push(test.negate());
            }
        }
        self.guards.truncate(depth);
    }

    fn stmt(&mut self, stmt: &Stmt, scope: &mut Scope, context: Context, nesting: u32) {
        let branch = Context {
            conditional: true,
            ..context
        };
        match stmt {
            Stmt::Expr(expr) => self.expression(&expr.value, scope, context, true),
            // An assigned call is usually a read (`inspector = sa.inspect(bind)`,
            // `rows = conn.execute(select)`), so only operations count there.
            Stmt::Assign(assign) => {
                self.orm_session(&assign.value);
                self.expression(&assign.value, scope, context, false);
                if let [Expr::Name(target)] = &assign.targets[..] {
                    self.bind_local(target.id.as_str(), &assign.value, scope);
                }
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    self.expression(value, scope, context, false);
                    if let Expr::Name(target) = &*assign.target {
                        self.bind_local(target.id.as_str(), value, scope);
                    }
                }
            }
            Stmt::With(with) => {
                let mut inner = scope.clone();
                let mut context = context;
                for item in &with.items {
                    self.orm_session(&item.context_expr);
                    let Expr::Call(call) = &item.context_expr else {
                        continue;
                    };
                    match callee_name(call) {
                        Some("batch_alter_table") if is_op_call(call) => {
                            let batch = self.batch(call);
                            if let Some(Expr::Name(alias)) = item.optional_vars.as_deref() {
                                inner.batches.insert(alias.id.as_str().to_owned(), batch);
                            }
                        }
                        Some("autocommit_block") => context.autocommit = true,
                        _ => self.expression(&item.context_expr, scope, context, false),
                    }
                }
                self.body(&with.body, &mut inner, context, nesting);
            }
            Stmt::If(if_) => {
                // Each clause runs when its own test holds and the tests
                // before it do not.
                let depth = self.guards.len();
                let clauses = std::iter::once((Some(&*if_.test), &if_.body)).chain(
                    if_.elif_else_clauses
                        .iter()
                        .map(|clause| (clause.test.as_ref(), &clause.body)),
                );
                let mut earlier: Vec<DialectCondition> = Vec::new();
                for (test, body) in clauses {
                    self.guards.truncate(depth);
                    self.guards
                        .extend(earlier.iter().map(DialectCondition::negate));
                    if let Some(test) = test {
                        self.guards.extend(self.dialect_conjuncts(test, scope));
                        // The later clauses run when this test fails; what
                        // that means is only known for a dialect test.
                        earlier.extend(self.dialect_test(test, scope));
                    }
                    self.body(body, scope, branch, nesting);
                }
                self.guards.truncate(depth);
            }
            Stmt::For(for_) => {
                self.orm_loop(for_);
                self.for_loop(for_, scope, context, nesting);
                self.body(&for_.orelse, scope, branch, nesting);
            }
            Stmt::While(while_) => {
                self.body(&while_.body, scope, branch, nesting);
                self.body(&while_.orelse, scope, branch, nesting);
            }
            Stmt::Try(try_) => {
                // The `try` body runs (up to a failure); handlers and `else`
                // may not.
                self.body(&try_.body, scope, context, nesting);
                for handler in &try_.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(handler) = handler;
                    self.body(&handler.body, scope, branch, nesting);
                }
                self.body(&try_.orelse, scope, branch, nesting);
                self.body(&try_.finalbody, scope, context, nesting);
            }
            Stmt::Match(match_) => {
                for case in &match_.cases {
                    self.body(&case.body, scope, branch, nesting);
                }
            }
            _ => {}
        }
    }

    /// A loop's body: once per value when the values are literals (see
    /// [`loops`]), where it surely runs; else once with its variables
    /// unknown, as a body that may not run at all.
    fn for_loop(
        &mut self,
        for_: &ruff_python_ast::StmtFor,
        scope: &mut Scope,
        context: Context,
        nesting: u32,
    ) {
        let names = loops::bound_names(&for_.target);
        let passes = loops::unrolled(&for_.target, &for_.iter, self.values)
            .filter(|_| !names.iter().any(|name| loops::assigns(&for_.body, name)));
        if let Some(passes) = passes {
            for bindings in passes {
                let values = self.values;
                let bindings = bindings
                    .into_iter()
                    .map(|(name, value)| (name, Some(value)));
                values.with_locals(bindings, || {
                    self.body(&for_.body, scope, context, nesting);
                });
            }
        } else {
            let branch = Context {
                conditional: true,
                ..context
            };
            let unknown = names.into_iter().map(|name| (name, None));
            self.values.with_locals(unknown, || {
                self.body(&for_.body, scope, branch, nesting);
            });
        }
    }

    /// Remember what a local name is bound to, when it matters later.
    fn bind_local(&self, name: &str, value: &Expr, scope: &mut Scope) {
        scope.connections.remove(name);
        scope.tables.remove(name);
        let update = core_update(self.values, value, &scope.locals());
        scope.updates.remove(name);
        if let Some(update) = update {
            scope.updates.insert(name.to_owned(), update);
        }
        let dialect_name = is_dialect_name(value, scope);
        let dialect_url = is_database_url(value, scope);
        let dialect_test = self.dialect_test(value, scope);
        scope.dialect_names.remove(name);
        scope.dialect_tests.remove(name);
        scope.dialect_urls.remove(name);
        if dialect_name {
            scope.dialect_names.insert(name.to_owned());
        }
        if dialect_url {
            scope.dialect_urls.insert(name.to_owned());
        }
        if let Some(test) = dialect_test {
            scope.dialect_tests.insert(name.to_owned(), test);
        }
        // A local shadowing a module-level table object holds whatever it
        // was given now, unless that is a table object too (below).
        if self.values.tables.contains_key(name) {
            scope
                .tables
                .insert(name.to_owned(), Name::Dynamic(name.to_owned()));
        }
        let Expr::Call(call) = value else { return };
        match callee_name(call) {
            Some("get_bind") => {
                scope.connections.insert(name.to_owned());
            }
            Some("table" | "Table" | "create_table") => {
                if let Some(first) = call.arguments.args.first() {
                    scope
                        .tables
                        .insert(name.to_owned(), self.values.name(first));
                }
            }
            _ => {}
        }
    }

    /// `op.batch_alter_table(table, recreate=...)`.
    fn batch(&self, call: &ExprCall) -> Batch {
        let table = call
            .arguments
            .args
            .first()
            .or_else(|| keyword(call, "table_name"))
            .map_or(Name::Unnamed, |expr| self.values.name(expr));
        let recreate = keyword(call, "recreate").map_or_else(
            || "auto".to_owned(),
            |expr| {
                self.values
                    .string(expr)
                    .unwrap_or_else(|| self.values.source(expr))
            },
        );
        Batch { table, recreate }
    }

    /// A call at statement level (or as an assignment's value). Calls that
    /// are not operations are recorded as opaque when `statement` is set.
    fn expression(&mut self, expr: &Expr, scope: &Scope, context: Context, statement: bool) {
        let expr = match expr {
            Expr::Await(await_) => &*await_.value,
            other => other,
        };
        let Expr::Call(call) = expr else { return };
        if ends_transaction(call, self.values) {
            self.function.commits.push(Opaque {
                source: self.values.lowering.snippet(call.range()),
                span: self.values.lowering.span(call.range()),
                order: self.reached(),
                dialects: self.dialects(),
            });
            return;
        }
        match &*call.func {
            Expr::Attribute(attribute) => {
                let method = attribute.attr.as_str();
                match &*attribute.value {
                    Expr::Name(base) if base.id.as_str() == "op" => {
                        if !is_accessor(method) {
                            self.check_arguments(method, call, false);
                            let kind = self.with_table_objects(
                                calls::operation(self.values, method, call, None),
                                call,
                                scope,
                            );
                            let kind = self.with_core_update(kind, call, scope);
                            self.push(kind, call, None, context);
                        }
                    }
                    Expr::Name(base) if scope.batches.contains_key(base.id.as_str()) => {
                        let batch = scope.batches[base.id.as_str()].clone();
                        self.check_arguments(method, call, true);
                        let kind = calls::operation(self.values, method, call, Some(&batch));
                        self.push(kind, call, Some(batch), context);
                    }
                    _ if matches!(method, "execute" | "exec_driver_sql") => {
                        let kind = calls::execute(
                            self.values,
                            call.arguments.args.first(),
                            ExecuteVia::Connection,
                        );
                        let kind = self.with_core_update(kind, call, scope);
                        self.push(kind, call, None, context);
                    }
                    base => {
                        // `session.query(User).filter(...).update({...})` is
                        // an ORM bulk UPDATE, not a dict's `update`: it may
                        // fill any column (the table is a class's).
                        let orm_update = method == "update" && base.is_call_expr();
                        if statement && (orm_update || !is_benign(base, method)) {
                            self.opaque(call);
                        }
                    }
                }
            }
            Expr::Name(name) => {
                let name = name.id.as_str();
                if let Some(def) = self.defs.get(name).copied() {
                    self.helper(name, def, context);
                } else if statement && !matches!(name, "print" | "len" | "isinstance") {
                    self.opaque(call);
                }
            }
            _ if statement => self.opaque(call),
            _ => {}
        }
    }

    /// `op.bulk_insert(accounts, ...)` where `accounts = sa.table("accounts", ...)`.
    fn with_table_objects(&self, kind: OpKind, call: &ExprCall, scope: &Scope) -> OpKind {
        match kind {
            OpKind::BulkInsert {
                table: Name::Dynamic(_),
            } => {
                let table = match call.arguments.args.first() {
                    Some(Expr::Name(name)) => scope
                        .tables
                        .get(name.id.as_str())
                        .or_else(|| self.values.tables.get(name.id.as_str()))
                        .cloned(),
                    _ => None,
                };
                OpKind::BulkInsert {
                    table: table.unwrap_or_else(|| {
                        call.arguments.args.first().map_or(Name::Unnamed, |expr| {
                            Name::Dynamic(self.values.source(expr))
                        })
                    }),
                }
            }
            other => other,
        }
    }

    /// `op.execute(t.update().values(...))`: the `UPDATE` `SQLAlchemy` Core
    /// builds, for the rules that look for backfills.
    fn with_core_update(&self, kind: OpKind, call: &ExprCall, scope: &Scope) -> OpKind {
        let OpKind::Execute(mut execute) = kind else {
            return kind;
        };
        if execute.sql.is_some() {
            return OpKind::Execute(execute);
        }
        let argument = call
            .arguments
            .args
            .first()
            .or_else(|| keyword(call, "sqltext"))
            .or_else(|| keyword(call, "sql"))
            .or_else(|| keyword(call, "statement"));
        execute.update = argument
            .and_then(|argument| core_update(self.values, argument, &scope.locals()))
            .map(|mut update| {
                // Parameters given to `execute` may set more columns than
                // `.values(...)` names.
                if call.arguments.args.len() > 1
                    || keyword(call, "parameters").is_some()
                    || call.arguments.keywords.iter().any(|k| k.arg.is_none())
                {
                    update.columns = None;
                }
                update
            });
        OpKind::Execute(execute)
    }

    /// Follow a helper function of the same file.
    fn helper(&mut self, name: &str, def: &StmtFunctionDef, context: Context) {
        if self.helpers.len() >= MAX_HELPER_DEPTH || self.helpers.iter().any(|h| h == name) {
            return;
        }
        self.helpers.push(name.to_owned());
        // A function sees module names, not its caller's loop variables:
        // the caller's bindings are put aside while its body is read.
        let caller = self.values.locals.take();
        self.body(&def.body, &mut Scope::default(), context, 0);
        self.values.locals.replace(caller);
        self.helpers.pop();
    }

    fn push(&mut self, kind: OpKind, call: &ExprCall, batch: Option<Batch>, context: Context) {
        self.function.operations.push(Operation {
            kind,
            span: self.values.lowering.span(call.range()),
            batch,
            autocommit: context.autocommit,
            conditional: context.conditional,
            helper: self.helpers.first().cloned(),
            order: self.reached(),
            dialects: self.dialects(),
        });
    }

    /// Record `call` when it cannot run as written.
    fn check_arguments(&mut self, method: &str, call: &ExprCall, batch: bool) {
        if let Some(reason) = binding::binding_error(method, call, batch) {
            self.function.failing_calls.push(FailingCall {
                source: self.values.lowering.snippet(call.range()),
                span: self.values.lowering.span(call.range()),
                reason,
            });
        }
    }

    /// `value` opens an ORM session (`Session(bind=...)`,
    /// `orm.Session(...)`, `sessionmaker(bind=...)()`): recorded.
    fn orm_session(&mut self, value: &Expr) {
        let Expr::Call(call) = value else { return };
        let opens = match callee_name(call) {
            Some("Session") => true,
            _ => {
                matches!(&*call.func, Expr::Call(inner) if callee_name(inner) == Some("sessionmaker"))
            }
        };
        if opens {
            self.function.orm_sessions.push(Opaque {
                source: self.values.lowering.snippet(call.range()),
                span: self.values.lowering.span(call.range()),
                order: self.reached(),
                dialects: self.dialects(),
            });
        }
    }

    /// `for row in session.query(...)...:` whose body assigns to `row.x`.
    fn orm_loop(&mut self, for_: &ruff_python_ast::StmtFor) {
        if !has_query_call(&for_.iter) {
            return;
        }
        let Expr::Name(target) = &*for_.target else {
            return;
        };
        let mut assigned = Vec::new();
        attribute_assignments(&for_.body, target.id.as_str(), &mut assigned);
        if assigned.is_empty() {
            return;
        }
        self.function.orm_loops.push(OrmLoop {
            source: self.values.lowering.snippet(for_.iter.range()),
            span: self.values.lowering.span(for_.range()),
            assigned,
        });
    }

    fn opaque(&mut self, call: &ExprCall) {
        self.function.opaque.push(Opaque {
            source: self.values.lowering.snippet(call.range()),
            span: self.values.lowering.span(call.range()),
            order: self.reached(),
            dialects: self.dialects(),
        });
    }

    fn dialects(&self) -> DialectGuard {
        DialectGuard {
            conditions: self.guards.clone(),
        }
    }

    /// `test` compares the dialect's name and nothing else:
    /// `bind.dialect.name == "mysql"`, `engine.name in ("mysql", "mariadb")`,
    /// `not is_sqlite`, `a == "mysql" or a == "mariadb"`, `is_postgres()`
    /// (a function of the same file returning a test), and the database
    /// URL's scheme: `str(bind.engine.url).startswith("postgres")`, with
    /// `is False` / `is True` after any of them.
    fn dialect_test(&self, test: &Expr, scope: &Scope) -> Option<DialectCondition> {
        match test {
            Expr::Compare(compare) => {
                let ([op], [right]) = (&*compare.ops, &*compare.comparators) else {
                    return None;
                };
                // `url.startswith("sqlite") is False`.
                if let Expr::BooleanLiteral(literal) = right {
                    let positive = match op {
                        CmpOp::Is | CmpOp::Eq => literal.value,
                        CmpOp::IsNot | CmpOp::NotEq => !literal.value,
                        _ => return None,
                    };
                    let test = self.dialect_test(&compare.left, scope)?;
                    return Some(if positive { test } else { test.negate() });
                }
                let (subject, names) = if is_dialect_name(&compare.left, scope) {
                    (&*compare.left, right)
                } else {
                    (right, &*compare.left)
                };
                if !is_dialect_name(subject, scope) {
                    return None;
                }
                let names = match (op, names) {
                    (CmpOp::Eq | CmpOp::NotEq, names) => vec![self.values.string(names)?],
                    (
                        CmpOp::In | CmpOp::NotIn,
                        Expr::Tuple(ruff_python_ast::ExprTuple { elts, .. })
                        | Expr::List(ruff_python_ast::ExprList { elts, .. })
                        | Expr::Set(ruff_python_ast::ExprSet { elts, .. }),
                    ) => elts
                        .iter()
                        .map(|elt| self.values.string(elt))
                        .collect::<Option<Vec<_>>>()?,
                    _ => return None,
                };
                Some(DialectCondition {
                    names,
                    negated: matches!(op, CmpOp::NotEq | CmpOp::NotIn),
                })
            }
            Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => self
                .dialect_test(&unary.operand, scope)
                .map(|test| test.negate()),
            Expr::Name(name) => scope.dialect_tests.get(name.id.as_str()).cloned(),
            Expr::Call(call) => self
                .helper_test(call)
                .or_else(|| self.url_scheme_test(call, scope)),
            // `a == "mysql" or a == "mariadb"`: one test over both names.
            Expr::BoolOp(bool_op) if bool_op.op == BoolOp::Or => {
                let mut names = Vec::new();
                for value in &bool_op.values {
                    let test = self.dialect_test(value, scope)?;
                    if test.negated {
                        return None;
                    }
                    names.extend(test.names);
                }
                Some(DialectCondition {
                    names,
                    negated: false,
                })
            }
            _ => None,
        }
    }

    /// `is_postgres()`, a function of the same file that takes no argument
    /// and returns a dialect test: `def is_postgres(): return
    /// op.get_context().dialect.name == "postgresql"` (its body may first
    /// bind locals, as `bind = op.get_bind()`, and have a docstring).
    fn helper_test(&self, call: &ExprCall) -> Option<DialectCondition> {
        let Expr::Name(name) = &*call.func else {
            return None;
        };
        let def = self.defs.get(name.id.as_str())?;
        if !call.arguments.is_empty()
            || !def.parameters.is_empty()
            || def.is_async
            || !def.decorator_list.is_empty()
        {
            return None;
        }
        // `def is_sqlite(): return not is_postgres()`: followed as deep as
        // helpers are, and never into a function already being read.
        let depth = self.tests_followed.get();
        if depth >= MAX_HELPER_DEPTH {
            return None;
        }
        self.tests_followed.set(depth + 1);
        let mut scope = Scope::default();
        let mut test = None;
        for (i, stmt) in def.body.iter().enumerate() {
            match stmt {
                Stmt::Expr(expr) if i == 0 && expr.value.is_string_literal_expr() => {}
                Stmt::Assign(assign) if i + 1 < def.body.len() => match &assign.targets[..] {
                    [Expr::Name(target)] => {
                        self.bind_local(target.id.as_str(), &assign.value, &mut scope);
                    }
                    _ => break,
                },
                Stmt::Return(ret) if i + 1 == def.body.len() => {
                    test = ret
                        .value
                        .as_deref()
                        .and_then(|value| self.dialect_test(value, &scope));
                }
                _ => break,
            }
        }
        self.tests_followed.set(depth);
        test
    }

    /// `URL.startswith("mysql")` (or a tuple of prefixes) on the database
    /// URL: the dialects whose name starts with a prefix (`postgres` is
    /// `postgresql`; a prefix naming no known dialect stands for itself).
    fn url_scheme_test(&self, call: &ExprCall, scope: &Scope) -> Option<DialectCondition> {
        let Expr::Attribute(method) = &*call.func else {
            return None;
        };
        if method.attr.as_str() != "startswith"
            || !is_database_url(&method.value, scope)
            || !call.arguments.keywords.is_empty()
        {
            return None;
        }
        let [argument] = &*call.arguments.args else {
            return None;
        };
        let prefixes = match argument {
            Expr::Tuple(ruff_python_ast::ExprTuple { elts, .. }) => elts
                .iter()
                .map(|elt| self.values.string(elt))
                .collect::<Option<Vec<_>>>()?,
            argument => vec![self.values.string(argument)?],
        };
        let mut names = Vec::new();
        for prefix in prefixes {
            let prefix = prefix.to_ascii_lowercase();
            let known: Vec<&str> = KNOWN_DIALECTS
                .iter()
                .copied()
                .filter(|name| name.starts_with(&prefix))
                .collect();
            if known.is_empty() {
                names.push(prefix);
            } else {
                names.extend(known.into_iter().map(str::to_owned));
            }
        }
        Some(DialectCondition {
            names,
            negated: false,
        })
    }

    /// The dialect tests that hold when `test` does: the test itself, or
    /// each dialect test of an `and`.
    fn dialect_conjuncts(&self, test: &Expr, scope: &Scope) -> Vec<DialectCondition> {
        match test {
            Expr::BoolOp(bool_op) if bool_op.op == BoolOp::And => bool_op
                .values
                .iter()
                .flat_map(|value| self.dialect_conjuncts(value, scope))
                .collect(),
            test => self.dialect_test(test, scope).into_iter().collect(),
        }
    }

    /// The walk position of the next operation, opaque call or commit.
    fn reached(&self) -> usize {
        self.function.operations.len() + self.function.opaque.len() + self.function.commits.len()
    }
}

/// The dialect's name: `<...>.dialect.name`, `<...>.engine.name`,
/// `dialect.name`, `engine.name`, or a local bound to one of them.
fn is_dialect_name(expr: &Expr, scope: &Scope) -> bool {
    match expr {
        Expr::Attribute(attribute) if attribute.attr.as_str() == "name" => {
            match &*attribute.value {
                Expr::Attribute(owner) => matches!(owner.attr.as_str(), "dialect" | "engine"),
                Expr::Name(owner) => matches!(owner.id.as_str(), "dialect" | "engine"),
                _ => false,
            }
        }
        Expr::Name(name) => scope.dialect_names.contains(name.id.as_str()),
        _ => false,
    }
}

/// The dialect names of `SQLAlchemy`, as a URL's scheme starts with them.
const KNOWN_DIALECTS: &[&str] = &[
    "postgresql",
    "mysql",
    "mariadb",
    "sqlite",
    "oracle",
    "mssql",
];

/// The database URL as a string: `str(<...>.url)`, `<...>.url.drivername`,
/// or a local bound to one of them.
fn is_database_url(expr: &Expr, scope: &Scope) -> bool {
    let is_url = |expr: &Expr| matches!(expr, Expr::Attribute(url) if url.attr.as_str() == "url");
    match expr {
        Expr::Call(call) => {
            matches!(&*call.func, Expr::Name(func) if func.id.as_str() == "str")
                && call.arguments.keywords.is_empty()
                && matches!(&*call.arguments.args, [url] if is_url(url))
        }
        Expr::Attribute(attribute) => {
            attribute.attr.as_str() == "drivername" && is_url(&attribute.value)
        }
        Expr::Name(name) => scope.dialect_urls.contains(name.id.as_str()),
        _ => false,
    }
}

/// `call` ends the transaction Alembic runs the migration in:
/// `<connection>.commit()`, or `<connection>.execution_options(
/// isolation_level="AUTOCOMMIT")` (statements on the connection it returns
/// run outside any transaction).
fn ends_transaction(call: &ExprCall, values: &Values<'_>) -> bool {
    let Expr::Attribute(attribute) = &*call.func else {
        return false;
    };
    match attribute.attr.as_str() {
        "commit" => call.arguments.is_empty(),
        "execution_options" => keyword(call, "isolation_level")
            .and_then(|level| values.string(level))
            .is_some_and(|level| level.eq_ignore_ascii_case("AUTOCOMMIT")),
        _ => false,
    }
}

/// `op.*` functions that read rather than change anything.
fn is_accessor(method: &str) -> bool {
    matches!(
        method,
        "get_bind"
            | "get_context"
            | "f"
            | "inline_literal"
            | "implementation_for"
            | "batch_alter_table"
    )
}

/// Calls that cannot change the database: logging and printing.
fn is_benign(base: &Expr, method: &str) -> bool {
    let base_name = match base {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attribute) => attribute.attr.as_str(),
        _ => "",
    };
    matches!(
        base_name.to_ascii_lowercase().as_str(),
        "log" | "logger" | "logging" | "warnings" | "click" | "sys"
    ) || matches!(
        method,
        "append"
            | "extend"
            | "insert"
            | "pop"
            | "update"
            | "setdefault"
            | "sort"
            | "format"
            | "join"
    )
}

/// `op.something(...)`.
fn is_op_call(call: &ExprCall) -> bool {
    matches!(&*call.func, Expr::Attribute(attribute)
        if matches!(&*attribute.value, Expr::Name(base) if base.id.as_str() == "op"))
}

fn keyword<'a>(call: &'a ExprCall, name: &str) -> Option<&'a Expr> {
    call.arguments
        .keywords
        .iter()
        .find(|keyword| keyword.arg.as_ref().is_some_and(|arg| arg.as_str() == name))
        .map(|keyword| &keyword.value)
}

/// `expr` calls `.query(...)` somewhere in its chain
/// (`session.query(User).filter(...).all()`).
fn has_query_call(expr: &Expr) -> bool {
    match expr {
        Expr::Call(call) => {
            callee_name(call) == Some("query")
                || match &*call.func {
                    Expr::Attribute(attribute) => has_query_call(&attribute.value),
                    _ => false,
                }
        }
        Expr::Attribute(attribute) => has_query_call(&attribute.value),
        _ => false,
    }
}

/// The attributes of `name` assigned in `body` (`name.code = ...`), nested
/// blocks included, each once, in source order.
fn attribute_assignments(body: &[Stmt], name: &str, out: &mut Vec<String>) {
    for stmt in body {
        let targets: Vec<&Expr> = match stmt {
            Stmt::Assign(assign) => assign.targets.iter().collect(),
            Stmt::AugAssign(assign) => vec![&*assign.target],
            Stmt::AnnAssign(assign) => vec![&*assign.target],
            Stmt::If(if_) => {
                attribute_assignments(&if_.body, name, out);
                for clause in &if_.elif_else_clauses {
                    attribute_assignments(&clause.body, name, out);
                }
                continue;
            }
            Stmt::For(inner) => {
                attribute_assignments(&inner.body, name, out);
                continue;
            }
            Stmt::With(with) => {
                attribute_assignments(&with.body, name, out);
                continue;
            }
            Stmt::Try(try_) => {
                attribute_assignments(&try_.body, name, out);
                continue;
            }
            _ => continue,
        };
        for target in targets {
            if let Expr::Attribute(attribute) = target
                && let Expr::Name(base) = &*attribute.value
                && base.id.as_str() == name
                && !out.iter().any(|a| a == attribute.attr.as_str())
            {
                out.push(attribute.attr.as_str().to_owned());
            }
        }
    }
}
