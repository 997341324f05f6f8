//! Module-level names, bound in source order the way executing the module
//! would bind them.
//!
//! [`walk`] visits the statements at module level, and the bodies of
//! `if`/`try`/`with`/`for`/`while`/`match` there (whose bindings are marked
//! conditional: which branch runs is only known by running the file). Every
//! binding replaces the previous one, so the last one wins, as it does for
//! Alembic. Function and class bodies are not entered: they do not run at
//! import time.
//!
//! Bound by this walk: `x = ...` (several targets, tuple and starred
//! unpacking), `x: T = ...`, `x += ...`, `import`/`from ... import`
//! (symbolically, see [`crate::recipe::Import`]), `def`/`class` (as
//! unknown values), `for`/`with ... as` targets (unknown), and `del x`
//! unbinds. Not modelled: `globals()[...] = ...`, walrus targets at module
//! level, `except ... as e`, `match` captures.
//!
//! Since it sees exactly the code that runs at import time, the walk also
//! reports the compile-time errors CPython raises there although the
//! grammar allows them: `return` outside a function, `break`/`continue`
//! outside a loop, module-level `nonlocal`, a misplaced or unknown
//! `from __future__` import.

use std::path::Path;
use std::sync::Arc;

use alembic_doctor_source::Span;
use ruff_python_ast::{Expr, Operator, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::FxHashMap;

use crate::recipe::{Import, Lowering, MAX_DEPTH, Recipe, Slot};
use crate::{ImportError, SequenceKind, SyntaxError, Value};

/// The four variables Alembic reads, in [`Tracked`] order.
pub(crate) const VARIABLES: [&str; 4] =
    ["revision", "down_revision", "branch_labels", "depends_on"];

/// Compound statements nest at most this deep before the walk stops
/// descending (CPython itself refuses more than 100 indentation levels).
const MAX_NESTING: u32 = 100;

/// The names a module has bound so far.
#[derive(Debug, Default)]
pub(crate) struct Env {
    names: FxHashMap<String, Entry>,
    /// `from m import *` statements, in order.
    stars: Vec<Arc<Import>>,
}

impl Env {
    /// The recipe for a use of `name` at `span`, inside an expression
    /// already `depth` levels deep.
    pub(crate) fn lookup(&self, name: &str, span: Span, depth: u32) -> Recipe {
        if let Some(entry) = self.names.get(name) {
            if depth + entry.depth > MAX_DEPTH {
                return Recipe::Value(Value::Unknown {
                    reason: format!(
                        "`{name}` is built from more than {MAX_DEPTH} levels of nested names and \
                         displays, more than alembic-doctor follows"
                    ),
                    span,
                });
            }
            // A name bound to another name refers straight to the value, so
            // that `A3 = A2`, `A2 = A1`, ... does not nest.
            let (recipe, depth) = match &*entry.recipe {
                Recipe::Name { recipe, depth, .. } => (Arc::clone(recipe), *depth),
                _ => (Arc::clone(&entry.recipe), entry.depth),
            };
            return Recipe::Name {
                name: name.to_owned(),
                recipe,
                span,
                depth,
            };
        }
        if !self.stars.is_empty() {
            return Recipe::Star {
                name: name.to_owned(),
                sources: self.stars.clone(),
                span,
            };
        }
        let reason = if name.starts_with("__") && name.ends_with("__") {
            format!("`{name}` is set by Python when the module is imported")
        } else {
            format!("`{name}` is not defined before this line, so Python raises NameError")
        };
        Recipe::Value(Value::Unknown { reason, span })
    }

    /// True when the module has bound `name` (so it shadows a builtin).
    pub(crate) fn binds(&self, name: &str) -> bool {
        self.names.contains_key(name)
    }

    /// The final binding of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Arc<Recipe>> {
        self.names.get(name).map(|entry| &entry.recipe)
    }

    /// Star imports that may provide names the module does not bind.
    pub(crate) fn stars(&self) -> &[Arc<Import>] {
        &self.stars
    }
}

/// One bound name.
#[derive(Debug)]
struct Entry {
    recipe: Arc<Recipe>,
    /// `recipe.depth()`.
    depth: u32,
}

/// The last binding of one of the four variables.
#[derive(Debug, Clone)]
pub(crate) struct Tracked {
    pub(crate) recipe: Arc<Recipe>,
    pub(crate) statement: Span,
    pub(crate) value_span: Span,
    pub(crate) conditional: bool,
}

/// Whether the file is a migration Alembic loads as a top-level module, or a
/// module of the project imported by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    Migration,
    Module,
}

/// What the walk found.
pub(crate) struct Walked {
    pub(crate) env: Env,
    pub(crate) tracked: [Option<Tracked>; 4],
    pub(crate) import_errors: Vec<ImportError>,
    /// Errors CPython's compiler raises for module-level code the grammar
    /// accepts (`return` outside a function, ...).
    pub(crate) compile_errors: Vec<SyntaxError>,
}

/// Walk the module-level statements of one file.
pub(crate) fn walk(body: &[Stmt], lowering: &Lowering<'_>, dir: &Path, kind: FileKind) -> Walked {
    let mut walker = Walker {
        lowering,
        // Shared by every import recipe of the file.
        dir: Arc::from(dir),
        kind,
        env: Env::default(),
        tracked: [None, None, None, None],
        import_errors: Vec::new(),
        compile_errors: Vec::new(),
        statements: 0,
        future_allowed: true,
    };
    walker.body(
        body,
        false,
        Block {
            nesting: 0,
            in_loop: false,
        },
    );
    Walked {
        env: walker.env,
        tracked: walker.tracked,
        import_errors: walker.import_errors,
        compile_errors: walker.compile_errors,
    }
}

struct Walker<'a, 'l> {
    lowering: &'a Lowering<'l>,
    dir: Arc<Path>,
    kind: FileKind,
    env: Env,
    tracked: [Option<Tracked>; 4],
    import_errors: Vec<ImportError>,
    compile_errors: Vec<SyntaxError>,
    /// Statements walked so far.
    statements: usize,
    /// No statement but the docstring and `from __future__` imports yet.
    future_allowed: bool,
}

/// Where in the module's blocks the walk is.
#[derive(Clone, Copy)]
struct Block {
    /// Compound statements around this block.
    nesting: u32,
    /// Inside a loop body, where `break` and `continue` are allowed.
    in_loop: bool,
}

/// The statement being walked.
#[derive(Clone, Copy)]
struct At {
    statement: Span,
    conditional: bool,
}

impl Walker<'_, '_> {
    fn body(&mut self, body: &[Stmt], conditional: bool, block: Block) {
        if block.nesting > MAX_NESTING {
            return;
        }
        for stmt in body {
            self.stmt(stmt, conditional, block);
        }
    }

    fn stmt(&mut self, stmt: &Stmt, conditional: bool, block: Block) {
        let at = At {
            statement: self.lowering.span(stmt.range()),
            conditional,
        };
        // `from __future__` imports may only follow the docstring and each
        // other.
        let first = self.statements == 0;
        self.statements += 1;
        let docstring = first
            && block.nesting == 0
            && matches!(stmt, Stmt::Expr(expr) if expr.value.is_string_literal_expr());
        let future = block.nesting == 0
            && matches!(stmt, Stmt::ImportFrom(import)
                if import.level == 0 && import.module.as_ref().is_some_and(|m| m.as_str() == "__future__"));
        if !docstring && !future {
            self.future_allowed = false;
        }
        let nested = Block {
            nesting: block.nesting + 1,
            ..block
        };
        let in_loop = Block {
            nesting: block.nesting + 1,
            in_loop: true,
        };
        match stmt {
            Stmt::Assign(assign) => {
                // Python evaluates the value once, then binds the targets
                // left to right.
                let value = self.lower(&assign.value);
                for target in &assign.targets {
                    self.assign(target, value.clone(), &assign.value, at);
                }
            }
            Stmt::AnnAssign(assign) => {
                // `x: T` alone binds nothing.
                if let Some(value_expr) = &assign.value {
                    let value = self.lower(value_expr);
                    self.assign(&assign.target, value, value_expr, at);
                }
            }
            Stmt::AugAssign(assign) => {
                if let Expr::Name(name) = &*assign.target {
                    let recipe = if assign.op == Operator::Add {
                        let current = self.lower(&assign.target);
                        let increment = self.lower(&assign.value);
                        Recipe::Add {
                            parts: vec![current, increment],
                            span: at.statement,
                            text: self.lowering.snippet(assign.range),
                        }
                    } else {
                        self.lowering.unknown(
                            assign.range,
                            format!(
                                "`{}` is an augmented assignment with `{}=`, which alembic-doctor does not \
                                 evaluate",
                                self.lowering.snippet(assign.range),
                                assign.op.as_str()
                            ),
                        )
                    };
                    let value_span = self.lowering.span(assign.value.range());
                    self.bind(name.id.as_str(), recipe, value_span, at);
                }
            }
            Stmt::Import(import) => {
                let statement = self.statement_text(import.range);
                for alias in &import.names {
                    let dotted = alias.name.as_str();
                    // `import a.b.c` binds `a`; `import a.b.c as d` binds the
                    // submodule itself.
                    let (bound, module): (&str, Arc<[String]>) = if let Some(asname) = &alias.asname
                    {
                        (
                            asname.as_str(),
                            dotted.split('.').map(str::to_owned).collect(),
                        )
                    } else {
                        let first = dotted.split('.').next().unwrap_or(dotted);
                        (first, Arc::from([first.to_owned()]))
                    };
                    let recipe = self.import(Arc::clone(&statement), 0, module, None, alias.range);
                    self.bind(bound, recipe, self.lowering.span(alias.range), at);
                }
            }
            Stmt::ImportFrom(import) => self.import_from(import, at),
            Stmt::FunctionDef(def) => {
                self.bind_unknown(def.name.as_str(), def.name.range, "a function", at);
            }
            Stmt::ClassDef(class) => {
                self.bind_unknown(class.name.as_str(), class.name.range, "a class", at);
            }
            Stmt::TypeAlias(alias) => {
                if let Expr::Name(name) = &*alias.name {
                    self.bind_unknown(name.id.as_str(), name.range, "a type alias", at);
                }
            }
            Stmt::Delete(delete) => {
                for target in &delete.targets {
                    self.delete(target);
                }
            }
            Stmt::If(if_stmt) => {
                self.body(&if_stmt.body, true, nested);
                for clause in &if_stmt.elif_else_clauses {
                    self.body(&clause.body, true, nested);
                }
            }
            Stmt::While(while_stmt) => {
                self.body(&while_stmt.body, true, in_loop);
                self.body(&while_stmt.orelse, true, nested);
            }
            Stmt::For(for_stmt) => {
                let at = At {
                    conditional: true,
                    ..at
                };
                self.bind_targets_unknown(&for_stmt.target, "bound by a `for` loop", at);
                self.body(&for_stmt.body, true, in_loop);
                self.body(&for_stmt.orelse, true, nested);
            }
            Stmt::With(with) => {
                let at = At {
                    conditional: true,
                    ..at
                };
                for item in &with.items {
                    if let Some(target) = &item.optional_vars {
                        self.bind_targets_unknown(target, "bound by `with ... as`", at);
                    }
                }
                self.body(&with.body, true, nested);
            }
            Stmt::Try(try_stmt) => {
                self.body(&try_stmt.body, true, nested);
                for handler in &try_stmt.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(handler) = handler;
                    self.body(&handler.body, true, nested);
                }
                self.body(&try_stmt.orelse, true, nested);
                self.body(&try_stmt.finalbody, true, nested);
            }
            Stmt::Match(match_stmt) => {
                for case in &match_stmt.cases {
                    self.body(&case.body, true, nested);
                }
            }
            // The walk only sees code that runs at import time, outside any
            // function: these are errors CPython raises when it compiles the
            // module, after the grammar accepted it.
            Stmt::Return(_) => self.compile_error("'return' outside function", at),
            Stmt::Break(_) if !block.in_loop => self.compile_error("'break' outside loop", at),
            Stmt::Continue(_) if !block.in_loop => {
                self.compile_error("'continue' not properly in loop", at);
            }
            Stmt::Nonlocal(_) => {
                self.compile_error("nonlocal declaration not allowed at module level", at);
            }
            _ => {}
        }
    }

    /// CPython's `future.c` checks: position, and known feature names.
    fn future_import(&mut self, import: &ruff_python_ast::StmtImportFrom, at: At) {
        const FEATURES: [&str; 10] = [
            "nested_scopes",
            "generators",
            "division",
            "absolute_import",
            "with_statement",
            "print_function",
            "unicode_literals",
            "barry_as_FLUFL",
            "generator_stop",
            "annotations",
        ];
        if !self.future_allowed {
            self.compile_error(
                "from __future__ imports must occur at the beginning of the file",
                at,
            );
            return;
        }
        for alias in &import.names {
            let name = alias.name.as_str();
            if name == "braces" {
                self.compile_error("not a chance", at);
            } else if !FEATURES.contains(&name) {
                self.compile_error(&format!("future feature {name} is not defined"), at);
            }
        }
    }

    fn compile_error(&mut self, message: &str, at: At) {
        self.compile_errors.push(SyntaxError {
            message: message.to_owned(),
            span: at.statement,
        });
    }

    fn lower(&self, expr: &Expr) -> Recipe {
        self.lowering.lower(expr, &self.env)
    }

    /// Bind `target = value` (`value_expr` is where the value is written).
    fn assign(&mut self, target: &Expr, value: Recipe, value_expr: &Expr, at: At) {
        match target {
            Expr::Name(name) => {
                let value_span = self.lowering.span(value_expr.range());
                self.bind(name.id.as_str(), value, value_span, at);
            }
            Expr::Tuple(tuple) => self.unpack(&tuple.elts, value, value_expr, at),
            Expr::List(list) => self.unpack(&list.elts, value, value_expr, at),
            // `x.y = ...`, `x[0] = ...`: not a module-level name.
            _ => {}
        }
    }

    /// `a, b = value`.
    fn unpack(&mut self, targets: &[Expr], value: Recipe, value_expr: &Expr, at: At) {
        let star = targets.iter().position(Expr::is_starred_expr);
        // The common `a, b = "x", "y"`: give each target its own element and
        // value span, as if written as two assignments.
        if star.is_none()
            && let Recipe::Sequence { kind, items } = &value
            && *kind != SequenceKind::Set
            && items.len() == targets.len()
            && !items.iter().any(|item| item.starred)
            && let Some(elements) = display_elements(value_expr)
            && elements.len() == targets.len()
        {
            for ((target, item), element) in targets.iter().zip(items).zip(elements) {
                self.assign(target, item.recipe.clone(), element, at);
            }
            return;
        }
        let depth = value.depth();
        let source = Arc::new(value);
        let count = targets.len();
        for (i, target) in targets.iter().enumerate() {
            let (target, slot) = match star {
                None => (
                    target,
                    Slot::Index {
                        index: i,
                        count,
                        starred: false,
                    },
                ),
                Some(s) => match target {
                    Expr::Starred(starred) => (
                        &*starred.value,
                        Slot::Rest {
                            before: s,
                            after: count - s - 1,
                        },
                    ),
                    _ if i < s => (
                        target,
                        Slot::Index {
                            index: i,
                            count: count - 1,
                            starred: true,
                        },
                    ),
                    _ => (
                        target,
                        Slot::FromEnd {
                            back: count - i,
                            count: count - 1,
                        },
                    ),
                },
            };
            let recipe = Recipe::Unpack {
                source: Arc::clone(&source),
                depth,
                slot,
                span: self.lowering.span(value_expr.range()),
                text: self.lowering.snippet(value_expr.range()),
            };
            self.assign(target, recipe, value_expr, at);
        }
    }

    fn import_from(&mut self, import: &ruff_python_ast::StmtImportFrom, at: At) {
        // One module name and one statement text for all the names the
        // statement imports.
        let module: Arc<[String]> = import
            .module
            .as_ref()
            .map(|module| module.as_str().split('.').map(str::to_owned).collect())
            .unwrap_or_default();
        if import.level == 0 && module.len() == 1 && module[0] == "__future__" {
            self.future_import(import, at);
            return;
        }
        if import.level > 0 && self.kind == FileKind::Migration && !at.conditional {
            self.import_errors.push(ImportError {
                message: format!(
                    "`{}` is a relative import, and Alembic loads each migration file as a top-level \
                     module without a parent package, so Python raises \"ImportError: attempted relative \
                     import with no known parent package\"",
                    self.lowering.snippet(import.range)
                ),
                span: at.statement,
            });
        }
        let statement = self.statement_text(import.range);
        for alias in &import.names {
            let name = alias.name.as_str();
            if name == "*" {
                let Recipe::Import(star) = self.import(
                    Arc::clone(&statement),
                    import.level,
                    Arc::clone(&module),
                    None,
                    alias.range,
                ) else {
                    continue;
                };
                self.env.stars.push(star);
                continue;
            }
            let bound = alias.asname.as_ref().map_or(name, |asname| asname.as_str());
            let recipe = self.import(
                Arc::clone(&statement),
                import.level,
                Arc::clone(&module),
                Some(name.to_owned()),
                alias.range,
            );
            self.bind(bound, recipe, self.lowering.span(alias.range), at);
        }
    }

    fn import(
        &self,
        statement: Arc<str>,
        level: u32,
        module: Arc<[String]>,
        name: Option<String>,
        alias: TextRange,
    ) -> Recipe {
        Recipe::Import(Arc::new(Import {
            dir: Arc::clone(&self.dir),
            level,
            module,
            name,
            statement,
            span: self.lowering.span(alias),
        }))
    }

    /// An import statement's text, for messages.
    fn statement_text(&self, range: TextRange) -> Arc<str> {
        Arc::from(self.lowering.snippet(range))
    }

    fn bind_unknown(&mut self, name: &str, range: TextRange, what: &str, at: At) {
        let span = self.lowering.span(range);
        let recipe = Recipe::Value(Value::Unknown {
            reason: format!("`{name}` is {what} defined in this file, not a literal"),
            span,
        });
        self.bind(name, recipe, span, at);
    }

    /// Every name in a `for`/`with` target gets an unknown value.
    fn bind_targets_unknown(&mut self, target: &Expr, how: &str, at: At) {
        match target {
            Expr::Name(name) => {
                let span = self.lowering.span(name.range);
                let recipe = Recipe::Value(Value::Unknown {
                    reason: format!("`{}` is {how}", name.id.as_str()),
                    span,
                });
                self.bind(name.id.as_str(), recipe, span, at);
            }
            Expr::Tuple(tuple) => {
                for element in &tuple.elts {
                    self.bind_targets_unknown(element, how, at);
                }
            }
            Expr::List(list) => {
                for element in &list.elts {
                    self.bind_targets_unknown(element, how, at);
                }
            }
            Expr::Starred(starred) => self.bind_targets_unknown(&starred.value, how, at),
            _ => {}
        }
    }

    fn bind(&mut self, name: &str, recipe: Recipe, value_span: Span, at: At) {
        let depth = recipe.depth();
        let recipe = Arc::new(recipe);
        if let Some(i) = VARIABLES.iter().position(|variable| *variable == name) {
            self.tracked[i] = Some(Tracked {
                recipe: Arc::clone(&recipe),
                statement: at.statement,
                value_span,
                conditional: at.conditional,
            });
        }
        self.env
            .names
            .insert(name.to_owned(), Entry { recipe, depth });
    }

    /// `del x`: afterwards the module has no `x` (`hasattr` is false).
    fn delete(&mut self, target: &Expr) {
        match target {
            Expr::Name(name) => {
                let name = name.id.as_str();
                self.env.names.remove(name);
                if let Some(i) = VARIABLES.iter().position(|variable| *variable == name) {
                    self.tracked[i] = None;
                }
            }
            Expr::Tuple(tuple) => tuple.elts.iter().for_each(|element| self.delete(element)),
            Expr::List(list) => list.elts.iter().for_each(|element| self.delete(element)),
            _ => {}
        }
    }
}

/// The elements of a tuple or list display.
fn display_elements(expr: &Expr) -> Option<&[Expr]> {
    match expr {
        Expr::Tuple(tuple) => Some(&tuple.elts),
        Expr::List(list) => Some(&list.elts),
        _ => None,
    }
}
