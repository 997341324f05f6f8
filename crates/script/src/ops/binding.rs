//! Does an `op.*` / `batch_op.*` call bind to Alembic's signature? Python
//! binds a call's arguments before the function runs; one that does not
//! bind (an argument given twice, a keyword the function does not take, a
//! required argument left out, too many positional arguments) raises
//! `TypeError` the day the migration runs, often in a `downgrade()` nobody
//! ran. The signatures are Alembic's own, generated (`signatures.rs`).

use ruff_python_ast::{Expr, ExprCall};

use super::signatures::{ALEMBIC_VERSION, BATCH, PLAIN};

/// How a parameter takes its argument (Python's `inspect.Parameter.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    // No operation of Alembic's has one today; the generator writes it
    // when one does.
    #[allow(dead_code)]
    PositionalOnly,
    PositionalOrKeyword,
    VarPositional,
    KeywordOnly,
    VarKeyword,
}

/// One parameter.
#[derive(Debug)]
pub(super) struct Param {
    pub(super) name: &'static str,
    pub(super) kind: Kind,
    /// No default value, and not `*args` / `**kw`.
    pub(super) required: bool,
}

/// One operation's parameters, `self` left out.
#[derive(Debug)]
pub(super) struct Signature {
    pub(super) function: &'static str,
    pub(super) params: &'static [Param],
}

/// The parameters bound so far, a bit per parameter by its index (Alembic's
/// operations take at most a few dozen).
type Bound = u64;

/// Why `call` of `function` (on `op`, or on a batch when `batch`) does
/// not bind, in words after the call; `None` when it binds, when the
/// function is not an operation Alembic has, or when `*args` / `**kw` in
/// the call make what it passes unknowable.
pub(super) fn binding_error(function: &str, call: &ExprCall, batch: bool) -> Option<String> {
    let table = if batch { BATCH } else { PLAIN };
    let signature = table.iter().find(|s| s.function == function)?;
    let arguments = &call.arguments;
    if arguments.args.iter().any(Expr::is_starred_expr)
        || arguments
            .keywords
            .iter()
            .any(|keyword| keyword.arg.is_none())
    {
        return None;
    }
    let params = signature.params;
    // Every call of every operation is checked, and nearly all bind: the
    // parameters are looked at in place and those bound are bits of a
    // mask, with no list made unless there is something to report.
    if params.len() > Bound::BITS as usize {
        return None;
    }
    let positional = || {
        params
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p.kind, Kind::PositionalOnly | Kind::PositionalOrKeyword))
    };
    let positional_count = positional().count();
    let takes_var_positional = params.iter().any(|p| p.kind == Kind::VarPositional);
    let takes_var_keyword = params.iter().any(|p| p.kind == Kind::VarKeyword);
    let given = arguments.args.len();
    if given > positional_count && !takes_var_positional {
        return Some(format!(
            "passes {given} arguments by position, but `{function}` takes at most {}{} (Alembic {ALEMBIC_VERSION}), so Python raises `TypeError`",
            positional_count,
            if batch {
                " in the batch form (the batch's table is not passed)"
            } else {
                ""
            }
        ));
    }
    let mut bound: Bound = positional()
        .take(given)
        .fold(0, |bound, (index, _)| bound | 1 << index);
    for keyword in &arguments.keywords {
        let Some(name) = keyword
            .arg
            .as_ref()
            .map(ruff_python_ast::Identifier::as_str)
        else {
            continue;
        };
        let param = params.iter().position(|p| {
            p.name == name && matches!(p.kind, Kind::PositionalOrKeyword | Kind::KeywordOnly)
        });
        match param {
            Some(index) if bound & 1 << index != 0 => {
                let position = positional().position(|(_, p)| p.name == name).unwrap_or(0);
                // `batch_op.drop_constraint("n", "t", type_=...)`: the
                // table the plain form takes there is the batch's own.
                let no_table = batch
                    && PLAIN
                        .iter()
                        .find(|s| s.function == function)
                        .and_then(|plain| {
                            plain
                                .params
                                .iter()
                                .filter(|p| p.kind != Kind::KeywordOnly)
                                .nth(position)
                        })
                        .is_some_and(|p| p.name == "table_name");
                return Some(format!(
                    "gives `{name}` twice (argument {} by position, and by keyword){}, so Python raises `TypeError`",
                    position + 1,
                    if no_table {
                        ": the batch form takes no table name"
                    } else {
                        ""
                    }
                ));
            }
            Some(index) => bound |= 1 << index,
            None if takes_var_keyword => {}
            None => {
                return Some(format!(
                    "passes `{name}=`, which `{function}` does not take{} (Alembic {ALEMBIC_VERSION}), so Python raises `TypeError`",
                    if batch { " in the batch form" } else { "" }
                ));
            }
        }
    }
    // An empty list allocates nothing.
    let missing: Vec<&str> = params
        .iter()
        .enumerate()
        .filter(|(index, p)| p.required && bound & 1 << index == 0)
        .map(|(_, p)| p.name)
        .collect();
    if missing.is_empty() {
        return None;
    }
    let names: Vec<String> = missing.iter().map(|name| format!("`{name}`")).collect();
    Some(format!(
        "leaves out the required argument{} {}, so Python raises `TypeError`",
        if missing.len() == 1 { "" } else { "s" },
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation's parameters fit in the mask of those bound (else
    /// its calls would go unchecked).
    #[test]
    fn every_signature_fits_the_mask() {
        for signature in PLAIN.iter().chain(BATCH) {
            assert!(
                signature.params.len() <= Bound::BITS as usize,
                "{}",
                signature.function
            );
        }
    }
}
