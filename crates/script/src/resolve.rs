//! Evaluating recipes to values, following imports into the project.
//!
//! A name bound by an import is looked up the way Python would find it, but
//! only inside the project ([`Project::find`]): `from app.constants import
//! REV` reads `REV`'s final top-level binding in `app/constants.py`;
//! `from neutron.db.migration import cli` then `cli.EXPAND_BRANCH` first
//! looks for `cli` in the package's `__init__.py`, then for the submodule
//! `cli.py`. Values that come from another module lose their spans (those
//! would point into the other file): their strings get an `origin` instead,
//! and their unknowns the span of the reference in this file.
//!
//! Import chains are followed at most [`MAX_IMPORT_DEPTH`] modules deep, and
//! a cycle (`a` imports `X` from `b`, which imports it from `a`) ends with an
//! unknown value instead of looping.

use std::path::PathBuf;
use std::sync::Arc;

use alembic_doctor_source::Span;

use crate::project::{Lookup, ModuleSummary, Project};
use crate::recipe::{Import, Item, Recipe, Slot};
use crate::{SequenceKind, StrLiteral, Value};

/// How many modules an imported name may pass through.
const MAX_IMPORT_DEPTH: usize = 8;

/// What a recipe evaluates to: a value, or a module (`import a.b`, which
/// only makes sense followed by an attribute).
enum Resolved {
    Value(Value),
    Module(ModuleRef),
}

/// A module named by an import, not looked up yet.
#[derive(Clone)]
struct ModuleRef {
    dir: PathBuf,
    level: u32,
    parts: Vec<String>,
    /// The import statement that named it, for messages.
    statement: Arc<str>,
    /// Why no file was found for it. A namespace package (a directory
    /// without `__init__.py`) is never found as a file, yet its submodules
    /// can be, so the reason is only reported if the module is used as a
    /// value.
    missing: Option<String>,
}

impl ModuleRef {
    fn dotted(&self) -> String {
        let dots = ".".repeat(usize::try_from(self.level).unwrap_or(0));
        format!("{dots}{}", self.parts.join("."))
    }

    fn child(&self, name: &str) -> ModuleRef {
        let mut child = self.clone();
        child.parts.push(name.to_owned());
        child.missing = None;
        child
    }
}

/// Evaluates recipes of one file.
pub(crate) struct Evaluator<'a> {
    project: Option<&'a Project>,
    /// The imported names being evaluated, outermost first: the cycle guard.
    chain: Vec<(PathBuf, String)>,
    /// Some value was looked up in the project's other modules (found or
    /// not): the values then depend on files other than this one.
    read_project: bool,
    /// Every module path looked at by those look-ups.
    probed: Vec<PathBuf>,
}

impl<'a> Evaluator<'a> {
    pub(crate) fn new(project: Option<&'a Project>) -> Self {
        Self {
            project,
            chain: Vec::new(),
            read_project: false,
            probed: Vec::new(),
        }
    }

    /// What the values so far depend on besides this file: `None` when
    /// nothing was looked up in other modules, else every path looked at
    /// (found or not), sorted, each once.
    pub(crate) fn dependencies(mut self) -> Option<Vec<PathBuf>> {
        self.read_project.then(|| {
            self.probed.sort();
            self.probed.dedup();
            self.probed
        })
    }

    /// The project, for a look-up: every look-up goes through here so that
    /// [`Evaluator::read_project`] cannot miss one.
    fn project_for_lookup(&mut self) -> Option<&'a Project> {
        self.read_project |= self.project.is_some();
        self.project
    }

    /// The value of `recipe`.
    pub(crate) fn value(&mut self, recipe: &Recipe) -> Value {
        let anchor = anchor_of(recipe);
        match self.resolve(recipe) {
            Resolved::Value(value) => value,
            Resolved::Module(module) => {
                let dotted = module.dotted();
                Value::Unknown {
                    reason: module
                        .missing
                        .unwrap_or_else(|| format!("`{dotted}` is a module, not a value")),
                    span: anchor,
                }
            }
        }
    }

    fn resolve(&mut self, recipe: &Recipe) -> Resolved {
        match recipe {
            Recipe::Value(value) => Resolved::Value(value.clone()),
            Recipe::Name {
                name, recipe, span, ..
            } => {
                // An imported name: anchor what comes from the other module
                // at this use of the name.
                let resolved = match &**recipe {
                    Recipe::Import(import) => self.import(import, *span),
                    other => self.resolve(other),
                };
                match resolved {
                    Resolved::Value(value) => Resolved::Value(via_name(value, name)),
                    module @ Resolved::Module(_) => module,
                }
            }
            Recipe::Import(import) => self.import(import, import.span),
            Recipe::Attribute {
                base,
                attr,
                span,
                text,
            } => match self.resolve(base) {
                Resolved::Module(module) => self.attribute(&module, attr, *span, text),
                Resolved::Value(unknown @ Value::Unknown { .. }) => Resolved::Value(unknown),
                Resolved::Value(value) => Resolved::Value(Value::Unknown {
                    reason: format!(
                        "`{text}` is an attribute of {}, which alembic-doctor does not evaluate",
                        describe(&value)
                    ),
                    span: *span,
                }),
            },
            Recipe::Add { parts, span, text } => {
                let values: Vec<Value> = parts.iter().map(|part| self.value(part)).collect();
                Resolved::Value(add(values, *span, text))
            }
            Recipe::Sequence { kind, items } => Resolved::Value(self.sequence(*kind, items)),
            Recipe::Convert {
                kind,
                arg,
                span,
                text,
            } => {
                let value = match arg {
                    None => Value::Sequence {
                        kind: *kind,
                        items: Vec::new(),
                    },
                    Some(arg) => match iterate(self.value(arg)) {
                        Ok(items) => sequence(*kind, items),
                        Err(problem) => problem.into_unknown(*span, text),
                    },
                };
                Resolved::Value(value)
            }
            Recipe::Unpack {
                source,
                slot,
                span,
                text,
                ..
            } => Resolved::Value(match iterate(self.value(source)) {
                Ok(items) => unpack(items, *slot, *span, text),
                Err(problem) => problem.into_unknown(*span, text),
            }),
            Recipe::Star {
                name,
                sources,
                span,
            } => self.star(name, sources, *span),
        }
    }

    fn sequence(&mut self, kind: SequenceKind, items: &[Item]) -> Value {
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            let value = self.value(&item.recipe);
            if item.starred {
                match iterate(value) {
                    Ok(spliced) => values.extend(spliced),
                    Err(problem) => {
                        return problem.into_unknown(anchor_of(&item.recipe), "*...");
                    }
                }
            } else {
                values.push(value);
            }
        }
        sequence(kind, values)
    }

    /// The name an import statement bound.
    fn import(&mut self, import: &Import, anchor: Span) -> Resolved {
        let module = ModuleRef {
            dir: import.dir.to_path_buf(),
            level: import.level,
            parts: import.module.to_vec(),
            statement: Arc::clone(&import.statement),
            missing: None,
        };
        match &import.name {
            None => Resolved::Module(module),
            Some(name) => self.attribute(&module, name, anchor, name),
        }
    }

    /// `module.name`, or `from module import name`: the module's top-level
    /// binding of `name`, else the submodule `module.name`.
    fn attribute(&mut self, module: &ModuleRef, name: &str, anchor: Span, text: &str) -> Resolved {
        let Some(project) = self.project_for_lookup() else {
            return unknown(
                anchor,
                format!(
                    "`{text}` comes from `{}`, and no project was given to look module `{}` up in",
                    module.statement,
                    module.dotted()
                ),
            );
        };
        match project.find(&module.dir, module.level, &module.parts, &mut self.probed) {
            Lookup::Found(summary) => {
                if let Some(error) = &summary.syntax_error {
                    return unknown(
                        anchor,
                        format!(
                            "`{text}` comes from {}, which does not parse ({error}), so importing it fails",
                            project.display(&summary.path)
                        ),
                    );
                }
                if let Some(recipe) = summary.env.get(name)
                    && !imports_itself(project, &summary, name, recipe, &mut self.probed)
                {
                    let recipe = Arc::clone(recipe);
                    return self.foreign(project, &summary, name, &recipe, anchor);
                }
                if !summary.env.stars().is_empty() {
                    let star = Recipe::Star {
                        name: name.to_owned(),
                        sources: summary.env.stars().to_vec(),
                        span: anchor,
                    };
                    if let Resolved::Value(value) =
                        self.foreign(project, &summary, name, &star, anchor)
                        && !matches!(value, Value::Unknown { .. })
                    {
                        return Resolved::Value(value);
                    }
                }
                // Not an attribute: a submodule, or a namespace subpackage
                // whose own submodules may still be found.
                let mut child = module.child(name);
                if !matches!(
                    project.find(&child.dir, child.level, &child.parts, &mut self.probed),
                    Lookup::Found(_)
                ) {
                    child.missing = Some(format!(
                        "`{text}`: {} does not define `{name}` at module level",
                        project.display(&summary.path)
                    ));
                }
                Resolved::Module(child)
            }
            Lookup::Unreadable { path, error } => unknown(
                anchor,
                format!(
                    "`{text}` comes from {}, which could not be read: {error}",
                    project.display(&path)
                ),
            ),
            Lookup::NotFound => {
                let mut child = module.child(name);
                if !matches!(
                    project.find(&child.dir, child.level, &child.parts, &mut self.probed),
                    Lookup::Found(_)
                ) {
                    let what = if module.parts.is_empty() {
                        format!("module `{}` was", child.dotted())
                    } else {
                        format!(
                            "neither module `{}` nor `{}` was",
                            module.dotted(),
                            child.dotted()
                        )
                    };
                    child.missing = Some(format!(
                        "`{text}` comes from `{}`, but {what} found under {}",
                        module.statement,
                        project.root().display()
                    ));
                }
                Resolved::Module(child)
            }
        }
    }

    /// Evaluate `recipe`, the binding of `name` in another module, and make
    /// the value fit for this file.
    fn foreign(
        &mut self,
        project: &Project,
        summary: &ModuleSummary,
        name: &str,
        recipe: &Recipe,
        anchor: Span,
    ) -> Resolved {
        let key = (summary.path.clone(), name.to_owned());
        let display = project.display(&summary.path);
        if self.chain.contains(&key) {
            let mut cycle: Vec<String> = self
                .chain
                .iter()
                .skip_while(|entry| **entry != key)
                .map(|(path, name)| format!("{}:{name}", project.display(path)))
                .collect();
            cycle.push(format!("{display}:{name}"));
            return unknown(
                anchor,
                format!("`{name}` is imported in a cycle: {}", cycle.join(" → ")),
            );
        }
        if self.chain.len() >= MAX_IMPORT_DEPTH {
            return unknown(
                anchor,
                format!(
                    "`{name}` is imported through more than {MAX_IMPORT_DEPTH} modules, more than alembic-doctor follows"
                ),
            );
        }
        self.chain.push(key);
        let resolved = self.resolve(recipe);
        self.chain.pop();
        match resolved {
            Resolved::Value(value) => Resolved::Value(localise(
                value,
                &format!("{display}: {name}"),
                &display,
                anchor,
            )),
            module @ Resolved::Module(_) => module,
        }
    }

    /// A name this module does not bind, which one of its `from m import *`
    /// may provide: the last star import that defines it wins.
    fn star(&mut self, name: &str, sources: &[Arc<Import>], span: Span) -> Resolved {
        let mut first_problem = None;
        for source in sources.iter().rev() {
            let module = ModuleRef {
                dir: source.dir.to_path_buf(),
                level: source.level,
                parts: source.module.to_vec(),
                statement: Arc::clone(&source.statement),
                missing: None,
            };
            if let Some(project) = self.project_for_lookup()
                && let Lookup::Found(summary) =
                    project.find(&module.dir, module.level, &module.parts, &mut self.probed)
                && let Some(recipe) = summary.env.get(name)
            {
                let recipe = Arc::clone(recipe);
                return self.foreign(project, &summary, name, &recipe, span);
            }
            first_problem.get_or_insert_with(|| module.dotted());
        }
        unknown(
            span,
            format!(
                "`{name}` is not defined in this file; it may come from `from {} import *`, which was not \
                 found in the project or does not define it",
                first_problem.unwrap_or_default()
            ),
        )
    }
}

/// `from . import name` inside a package's `__init__.py` binds `name` to
/// the package's own attribute, which is the submodule: Python finds no
/// attribute yet and imports `package.name`. Without this check the lookup
/// would chase its own tail.
fn imports_itself(
    project: &Project,
    summary: &ModuleSummary,
    name: &str,
    recipe: &Recipe,
    probed: &mut Vec<PathBuf>,
) -> bool {
    let Recipe::Import(import) = recipe else {
        return false;
    };
    import.name.as_deref() == Some(name)
        && matches!(
            project.find(&import.dir, import.level, &import.module, probed),
            Lookup::Found(module) if module.path == summary.path
        )
}

fn unknown(span: Span, reason: String) -> Resolved {
    Resolved::Value(Value::Unknown { reason, span })
}

/// Where a recipe's unknowns point when no better place is known.
fn anchor_of(recipe: &Recipe) -> Span {
    match recipe {
        Recipe::Value(Value::Unknown { span, .. })
        | Recipe::Name { span, .. }
        | Recipe::Attribute { span, .. }
        | Recipe::Add { span, .. }
        | Recipe::Convert { span, .. }
        | Recipe::Unpack { span, .. }
        | Recipe::Star { span, .. } => *span,
        Recipe::Import(import) => import.span,
        Recipe::Value(value) => value_span(value),
        Recipe::Sequence { items, .. } => items
            .first()
            .map_or_else(Span::default, |item| anchor_of(&item.recipe)),
    }
}

fn value_span(value: &Value) -> Span {
    match value {
        Value::Str(StrLiteral {
            content_span: Some(span),
            ..
        })
        | Value::Unknown { span, .. } => *span,
        Value::Sequence { items, .. } => items.first().map_or_else(Span::default, value_span),
        _ => Span::default(),
    }
}

/// A value reached through a name: no longer written in place.
fn via_name(value: Value, name: &str) -> Value {
    match value {
        Value::Str(literal) => Value::Str(StrLiteral {
            origin: literal.origin.or_else(|| Some(name.to_owned())),
            value: literal.value,
            content_span: None,
        }),
        Value::Sequence { kind, items } => Value::Sequence {
            kind,
            items: items.into_iter().map(|item| via_name(item, name)).collect(),
        },
        other => other,
    }
}

/// A value evaluated in another module, made fit for this file: spans there
/// mean nothing here.
fn localise(value: Value, origin: &str, module: &str, anchor: Span) -> Value {
    match value {
        Value::Str(literal) => Value::Str(StrLiteral {
            origin: literal
                .origin
                .filter(|origin| origin.contains(": "))
                .or_else(|| Some(origin.to_owned())),
            value: literal.value,
            content_span: None,
        }),
        Value::Sequence { kind, items } => Value::Sequence {
            kind,
            items: items
                .into_iter()
                .map(|item| localise(item, origin, module, anchor))
                .collect(),
        },
        Value::Unknown { reason, .. } => Value::Unknown {
            reason: if reason.contains(" (in ") {
                reason
            } else {
                format!("{reason} (in {module})")
            },
            span: anchor,
        },
        other => other,
    }
}

/// `a + b + ...` on evaluated parts: strings concatenate, tuples with tuples
/// and lists with lists; anything else raises `TypeError` in Python.
fn add(parts: Vec<Value>, span: Span, text: &str) -> Value {
    let mut parts = parts.into_iter();
    let Some(mut total) = parts.next() else {
        return Value::None;
    };
    for part in parts {
        total = match (total, part) {
            (unknown @ Value::Unknown { .. }, _) | (_, unknown @ Value::Unknown { .. }) => {
                return unknown;
            }
            (Value::Str(left), Value::Str(right)) => Value::Str(StrLiteral {
                value: left.value + &right.value,
                content_span: None,
                origin: None,
            }),
            (
                Value::Sequence {
                    kind: left_kind,
                    items: mut left,
                },
                Value::Sequence {
                    kind: right_kind,
                    items: right,
                },
            ) if left_kind == right_kind && left_kind != SequenceKind::Set => {
                left.extend(right);
                Value::Sequence {
                    kind: left_kind,
                    items: left,
                }
            }
            (left, right) => {
                return Value::Unknown {
                    reason: format!(
                        "`{text}` adds {} and {}, which raises TypeError in Python",
                        describe(&left),
                        describe(&right)
                    ),
                    span,
                };
            }
        };
    }
    total
}

/// Why a value cannot be iterated (unpacked, spliced, converted).
enum NotIterable {
    Unknown(Value),
    Other(String),
}

impl NotIterable {
    fn into_unknown(self, span: Span, text: &str) -> Value {
        match self {
            NotIterable::Unknown(unknown) => unknown,
            NotIterable::Other(what) => Value::Unknown {
                reason: format!("`{text}` iterates over {what}, which raises TypeError in Python"),
                span,
            },
        }
    }
}

/// The items Python's iteration would yield: a sequence's items, a string's
/// characters.
fn iterate(value: Value) -> Result<Vec<Value>, NotIterable> {
    match value {
        Value::Sequence { items, .. } => Ok(items),
        Value::Str(literal) => Ok(literal
            .value
            .chars()
            .map(|c| {
                Value::Str(StrLiteral {
                    value: c.to_string(),
                    content_span: None,
                    origin: literal.origin.clone(),
                })
            })
            .collect()),
        unknown @ Value::Unknown { .. } => Err(NotIterable::Unknown(unknown)),
        other => Err(NotIterable::Other(describe(&other))),
    }
}

/// A sequence of `kind`; a set keeps the first of equal items, in
/// declaration order (Python's own order depends on string hashing).
fn sequence(kind: SequenceKind, items: Vec<Value>) -> Value {
    let items = if kind == SequenceKind::Set {
        let mut unique: Vec<Value> = Vec::with_capacity(items.len());
        for item in items {
            if !unique.iter().any(|seen| same_set_member(seen, &item)) {
                unique.push(item);
            }
        }
        unique
    } else {
        items
    };
    Value::Sequence { kind, items }
}

/// Set membership compares values, not where they were written.
fn same_set_member(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Str(a), Value::Str(b)) => a.value == b.value,
        (Value::None, Value::None) => true,
        _ => false,
    }
}

/// One target's share of an unpacked value.
fn unpack(items: Vec<Value>, slot: Slot, span: Span, text: &str) -> Value {
    let len = items.len();
    let mismatch = |expected: String| Value::Unknown {
        reason: format!(
            "`{text}` has {len} items to unpack into {expected} targets, which raises ValueError in Python"
        ),
        span,
    };
    match slot {
        Slot::Index {
            index,
            count,
            starred: false,
        } => {
            if len == count {
                items.into_iter().nth(index).unwrap_or(Value::None)
            } else {
                mismatch(count.to_string())
            }
        }
        Slot::Index {
            index,
            count,
            starred: true,
        } => {
            if len >= count {
                items.into_iter().nth(index).unwrap_or(Value::None)
            } else {
                mismatch(format!("at least {count}"))
            }
        }
        Slot::FromEnd { back, count } => {
            if len >= count {
                items.into_iter().nth(len - back).unwrap_or(Value::None)
            } else {
                mismatch(format!("at least {count}"))
            }
        }
        Slot::Rest { before, after } => {
            if len >= before + after {
                Value::Sequence {
                    kind: SequenceKind::List,
                    items: items
                        .into_iter()
                        .skip(before)
                        .take(len - before - after)
                        .collect(),
                }
            } else {
                mismatch(format!("at least {}", before + after))
            }
        }
    }
}

/// "a str", "a tuple", "`5` (an int)", for messages.
fn describe(value: &Value) -> String {
    match value {
        Value::None => "None".to_owned(),
        Value::Str(_) => "a str".to_owned(),
        Value::Sequence { kind, .. } => match kind {
            SequenceKind::Tuple => "a tuple",
            SequenceKind::List => "a list",
            SequenceKind::Set => "a set",
        }
        .to_owned(),
        Value::OtherLiteral(what) => what.clone(),
        Value::Unknown { .. } => "an unknown value".to_owned(),
    }
}
