//! One `op.*` / `batch_op.*` call, matched against Alembic's signature.

use ruff_python_ast::{Expr, ExprCall};

use super::values::{Values, callee_name};
use super::{
    Batch, ColumnChanges, Constraint, ConstraintKind, Execute, ExecuteVia, Index, Name, OpKind,
};

/// Alembic's positional parameters for one operation, in the plain
/// (`op.*`) and batch (`batch_op.*`, no table) forms. Each parameter lists
/// the keyword spellings it accepts: the current name first, then the names
/// of Alembic before 0.8, which old migrations still use.
struct Signature {
    function: &'static str,
    plain: &'static [&'static [&'static str]],
    batch: &'static [&'static [&'static str]],
}

const TABLE: &[&str] = &["table_name", "table", "source"];
const INDEX_NAME: &[&str] = &["index_name", "name"];
const CONSTRAINT_NAME: &[&str] = &["constraint_name", "name"];
const COLUMNS: &[&str] = &["columns", "local_cols", "cols"];

const SIGNATURES: &[Signature] = &[
    Signature {
        function: "add_column",
        plain: &[TABLE, &["column"]],
        batch: &[&["column"]],
    },
    Signature {
        function: "drop_column",
        plain: &[TABLE, &["column_name"]],
        batch: &[&["column_name"]],
    },
    Signature {
        function: "alter_column",
        plain: &[TABLE, &["column_name"]],
        batch: &[&["column_name"]],
    },
    Signature {
        function: "create_table",
        plain: &[&["table_name", "name"]],
        batch: &[],
    },
    Signature {
        function: "drop_table",
        plain: &[&["table_name", "name"]],
        batch: &[],
    },
    Signature {
        function: "rename_table",
        plain: &[&["old_table_name"], &["new_table_name"]],
        batch: &[],
    },
    Signature {
        function: "create_index",
        plain: &[INDEX_NAME, TABLE, COLUMNS],
        batch: &[INDEX_NAME, COLUMNS],
    },
    Signature {
        function: "drop_index",
        plain: &[INDEX_NAME, TABLE],
        batch: &[INDEX_NAME],
    },
    Signature {
        function: "create_foreign_key",
        plain: &[
            CONSTRAINT_NAME,
            &["source_table", "source"],
            &["referent_table", "referent"],
            &["local_cols"],
            &["remote_cols"],
        ],
        batch: &[
            CONSTRAINT_NAME,
            &["referent_table", "referent"],
            &["local_cols"],
            &["remote_cols"],
        ],
    },
    Signature {
        function: "create_unique_constraint",
        plain: &[CONSTRAINT_NAME, TABLE, COLUMNS],
        batch: &[CONSTRAINT_NAME, COLUMNS],
    },
    Signature {
        function: "create_check_constraint",
        plain: &[CONSTRAINT_NAME, TABLE, &["condition"]],
        batch: &[CONSTRAINT_NAME, &["condition"]],
    },
    Signature {
        function: "create_primary_key",
        plain: &[CONSTRAINT_NAME, TABLE, COLUMNS],
        batch: &[CONSTRAINT_NAME, COLUMNS],
    },
    Signature {
        function: "create_exclude_constraint",
        plain: &[CONSTRAINT_NAME, TABLE],
        batch: &[CONSTRAINT_NAME],
    },
    Signature {
        function: "drop_constraint",
        plain: &[CONSTRAINT_NAME, TABLE, &["type_"]],
        batch: &[CONSTRAINT_NAME, &["type_"]],
    },
    Signature {
        function: "execute",
        plain: &[&["sqltext", "sql"]],
        batch: &[&["sqltext", "sql"]],
    },
    Signature {
        function: "bulk_insert",
        plain: &[&["table"], &["rows"]],
        batch: &[],
    },
];

/// A call's arguments, looked up by parameter.
struct Args<'a> {
    call: &'a ExprCall,
    params: &'static [&'static [&'static str]],
}

impl<'a> Args<'a> {
    /// The argument of the parameter spelled `names[0]` (or an older
    /// spelling), by keyword or by position.
    fn get(&self, names: &[&str]) -> Option<&'a Expr> {
        if let Some(keyword) = self.call.arguments.keywords.iter().find(|keyword| {
            keyword
                .arg
                .as_ref()
                .is_some_and(|arg| names.contains(&arg.as_str()))
        }) {
            return Some(&keyword.value);
        }
        let position = self
            .params
            .iter()
            .position(|param| param.first() == names.first())?;
        let positional = &self.call.arguments.args;
        // A `*args` before the parameter makes positions unknowable.
        if positional[..positional.len().min(position + 1)]
            .iter()
            .any(Expr::is_starred_expr)
        {
            return None;
        }
        positional.get(position)
    }

    /// Positional arguments past the named parameters (`create_table`'s
    /// columns).
    fn rest(&self) -> &'a [Expr] {
        self.call
            .arguments
            .args
            .get(self.params.len()..)
            .unwrap_or(&[])
    }

    /// A keyword-only argument.
    fn keyword(&self, name: &str) -> Option<&'a Expr> {
        self.call
            .arguments
            .keywords
            .iter()
            .find(|keyword| keyword.arg.as_ref().is_some_and(|arg| arg.as_str() == name))
            .map(|keyword| &keyword.value)
    }

    fn flag(&self, name: &str) -> bool {
        self.keyword(name).and_then(Values::bool) == Some(true)
    }
}

/// What `function` (called on `op`, or on a batch operations object when
/// `batch` is given) does.
pub(super) fn operation(
    values: &Values<'_>,
    function: &str,
    call: &ExprCall,
    batch: Option<&Batch>,
) -> OpKind {
    if function == "sync_enum_values"
        && batch.is_none()
        && let Some(kind) = autogenerate_enums_sync(values, call)
    {
        return kind;
    }
    let Some(signature) = SIGNATURES.iter().find(|s| s.function == function) else {
        return OpKind::Other {
            function: function.to_owned(),
        };
    };
    let args = Args {
        call,
        params: if batch.is_some() {
            signature.batch
        } else {
            signature.plain
        },
    };
    let name = |names: &[&str]| {
        args.get(names)
            .map_or(Name::Unnamed, |expr| values.name(expr))
    };
    // The table: the batch block's, or the call's own argument.
    let table = |names: &[&str]| match batch {
        Some(batch) => batch.table.clone(),
        None => name(names),
    };
    let strings = |names: &[&str]| {
        args.get(names)
            .map(|expr| values.strings(expr))
            .unwrap_or_default()
    };
    match function {
        "add_column" => match args.get(&["column"]).and_then(|expr| values.column(expr)) {
            Some(column) => OpKind::AddColumn {
                table: table(TABLE),
                column,
            },
            None => OpKind::Other {
                function: function.to_owned(),
            },
        },
        "drop_column" => OpKind::DropColumn {
            table: table(TABLE),
            column: name(&["column_name"]),
        },
        "alter_column" => OpKind::AlterColumn {
            table: table(TABLE),
            column: name(&["column_name"]),
            changes: ColumnChanges {
                nullable: args.keyword("nullable").and_then(Values::bool),
                type_: args.keyword("type_").map(|expr| values.source(expr)),
                existing_type: args
                    .keyword("existing_type")
                    .map(|expr| values.source(expr)),
                server_default: args
                    .keyword("server_default")
                    .map(|expr| values.server_default(expr)),
                new_name: args
                    .keyword("new_column_name")
                    .map(|expr| values.name(expr)),
                existing_nullable: args.keyword("existing_nullable").and_then(Values::bool),
                keywords: given_keywords(call, args.params.len()),
            },
        },
        "create_table" => {
            let mut columns = Vec::new();
            let mut constraints = Vec::new();
            for item in args.rest() {
                if let Some(column) = values.column(item) {
                    columns.push(column);
                } else if let Some(constraint) = table_constraint(values, item) {
                    constraints.push(constraint);
                }
            }
            // A table-level primary key makes its columns NOT NULL too.
            for constraint in &constraints {
                if let ConstraintKind::PrimaryKey { columns: keys } = &constraint.kind {
                    for column in &mut columns {
                        if column
                            .name
                            .literal()
                            .is_some_and(|n| keys.iter().any(|k| k == n))
                        {
                            column.primary_key = true;
                        }
                    }
                }
            }
            OpKind::CreateTable {
                table: name(&["table_name", "name"]),
                columns,
                constraints,
            }
        }
        "drop_table" => OpKind::DropTable {
            table: name(&["table_name", "name"]),
        },
        "rename_table" => OpKind::RenameTable {
            from: name(&["old_table_name"]),
            to: name(&["new_table_name"]),
        },
        "create_index" => OpKind::CreateIndex(Index {
            name: name(INDEX_NAME),
            table: table(TABLE),
            columns: strings(COLUMNS),
            unique: args.flag("unique"),
            concurrently: args.flag("postgresql_concurrently"),
            if_not_exists: args.flag("if_not_exists"),
            where_: args
                .keyword("postgresql_where")
                .or_else(|| args.keyword("sqlite_where"))
                .map(|expr| values.source(expr)),
        }),
        "drop_index" => OpKind::DropIndex {
            name: name(INDEX_NAME),
            table: match batch {
                Some(batch) => Some(batch.table.clone()),
                None => args.get(TABLE).map(|expr| values.name(expr)),
            },
            concurrently: args.flag("postgresql_concurrently"),
        },
        "create_foreign_key" => OpKind::CreateConstraint {
            table: table(&["source_table", "source"]),
            constraint: Constraint {
                name: name(CONSTRAINT_NAME),
                kind: ConstraintKind::ForeignKey {
                    referent: name(&["referent_table", "referent"]),
                    local: strings(&["local_cols"]),
                    remote: strings(&["remote_cols"]),
                },
                not_valid: args.flag("postgresql_not_valid"),
            },
        },
        "create_unique_constraint" | "create_primary_key" => {
            let columns = strings(COLUMNS);
            OpKind::CreateConstraint {
                table: table(TABLE),
                constraint: Constraint {
                    name: name(CONSTRAINT_NAME),
                    kind: if function == "create_primary_key" {
                        ConstraintKind::PrimaryKey { columns }
                    } else {
                        ConstraintKind::Unique { columns }
                    },
                    not_valid: false,
                },
            }
        }
        "create_check_constraint" => OpKind::CreateConstraint {
            table: table(TABLE),
            constraint: Constraint {
                name: name(CONSTRAINT_NAME),
                kind: ConstraintKind::Check {
                    condition: args
                        .get(&["condition"])
                        .map(|expr| values.sql(expr).unwrap_or_else(|| values.source(expr)))
                        .unwrap_or_default(),
                },
                not_valid: args.flag("postgresql_not_valid"),
            },
        },
        "create_exclude_constraint" => OpKind::CreateConstraint {
            table: table(TABLE),
            constraint: Constraint {
                name: name(CONSTRAINT_NAME),
                kind: ConstraintKind::Exclude,
                not_valid: false,
            },
        },
        "drop_constraint" => OpKind::DropConstraint {
            name: name(CONSTRAINT_NAME),
            table: table(TABLE),
            kind: args.get(&["type_"]).and_then(|expr| values.string(expr)),
        },
        "execute" => execute(values, args.get(&["sqltext", "sql"]), ExecuteVia::Op),
        "bulk_insert" => OpKind::BulkInsert {
            table: args
                .get(&["table"])
                .map_or(Name::Unnamed, |expr| table_object_name(values, expr)),
        },
        _ => OpKind::Other {
            function: function.to_owned(),
        },
    }
}

/// `op.sync_enum_values(...)` in the shape of alembic-autogenerate-enums
/// (`schema, name, old_values, new_values[, affected_columns,
/// should_reverse]`), told from alembic-postgresql-enum's (`enum_schema,
/// enum_name, new_values, affected_columns[, enum_values_to_rename]`) by
/// its keywords, else by its fourth positional argument: a list of strings
/// (`new_values`) rather than of columns. `None` for the other shape, or
/// one that cannot be told.
fn autogenerate_enums_sync(values: &Values<'_>, call: &ExprCall) -> Option<OpKind> {
    let arguments = &call.arguments;
    if arguments.args.iter().any(Expr::is_starred_expr) {
        return None;
    }
    let keywords: Vec<&str> = arguments
        .keywords
        .iter()
        .map(|keyword| keyword.arg.as_ref().map_or("**", |arg| arg.as_str()))
        .collect();
    if keywords.iter().any(|k| {
        matches!(
            *k,
            "enum_schema" | "enum_name" | "enum_values_to_rename" | "**"
        )
    }) {
        return None;
    }
    let args = Args {
        call,
        params: &[
            &["schema"],
            &["name"],
            &["old_values"],
            &["new_values"],
            &["affected_columns"],
            &["should_reverse"],
        ],
    };
    let string_list = |expr: &Expr| -> Option<Vec<String>> {
        let items = match expr {
            Expr::List(list) => &list.elts,
            Expr::Tuple(tuple) => &tuple.elts,
            _ => return None,
        };
        items.iter().map(|item| values.string(item)).collect()
    };
    let named = keywords
        .iter()
        .any(|k| matches!(*k, "old_values" | "should_reverse" | "schema" | "name"));
    // Without those keywords, the shape is told by position only.
    if !named && arguments.args.len() < 4 {
        return None;
    }
    let new_values = args.get(&["new_values"])?;
    // Positionally, the fourth argument is `new_values` here and
    // `affected_columns` (tuples, or `TableReference(...)`) there.
    let new_list = string_list(new_values);
    if !named && new_list.as_ref().is_none_or(Vec::is_empty) {
        return None;
    }
    let affected = args
        .get(&["affected_columns"])
        .is_some_and(|expr| !expr.is_none_literal_expr());
    let reverse = args
        .get(&["should_reverse"])
        .is_some_and(|expr| Values::bool(expr) != Some(false));
    Some(OpKind::AddEnumValues {
        enum_name: args
            .get(&["name"])
            .map_or(Name::Unnamed, |expr| values.name(expr)),
        old_values: args.get(&["old_values"]).and_then(string_list),
        new_values: new_list,
        recreates: affected && reverse,
    })
}

/// The names of the keyword arguments of `call`, `**` for a `**kwargs`,
/// and `*` for a positional argument past the `params` first ones (or a
/// `*args`): Alembic before 1.0 took `nullable` and friends by position,
/// so what was given is then unknown.
fn given_keywords(call: &ExprCall, params: usize) -> Vec<String> {
    let positional = &call.arguments.args;
    let extra = positional.len() > params || positional.iter().any(Expr::is_starred_expr);
    extra
        .then(|| "*".to_owned())
        .into_iter()
        .chain(call.arguments.keywords.iter().map(|keyword| {
            keyword
                .arg
                .as_ref()
                .map_or_else(|| "**".to_owned(), |arg| arg.as_str().to_owned())
        }))
        .collect()
}

/// `execute(sql)`, on `op` or on a connection.
pub(super) fn execute(values: &Values<'_>, argument: Option<&Expr>, via: ExecuteVia) -> OpKind {
    OpKind::Execute(Execute {
        sql: argument.and_then(|expr| values.sql(expr)),
        source: argument.map(|expr| values.source(expr)).unwrap_or_default(),
        via,
        // Read by the walker, which knows the names bound before the call.
        update: None,
    })
}

/// A table-level constraint of `create_table`.
fn table_constraint(values: &Values<'_>, expr: &Expr) -> Option<Constraint> {
    let Expr::Call(call) = expr else {
        return None;
    };
    let args = &call.arguments.args;
    let strings = |index: usize| {
        args.get(index)
            .map(|arg| values.strings(arg))
            .unwrap_or_default()
    };
    let kind = match callee_name(call)? {
        "PrimaryKeyConstraint" => ConstraintKind::PrimaryKey {
            columns: args
                .iter()
                .map(|arg| values.string(arg).unwrap_or_else(|| values.source(arg)))
                .collect(),
        },
        "UniqueConstraint" => ConstraintKind::Unique {
            columns: args
                .iter()
                .map(|arg| values.string(arg).unwrap_or_else(|| values.source(arg)))
                .collect(),
        },
        "ForeignKeyConstraint" => {
            let remote = strings(1);
            // `["user.id"]`: the table is the part before the last dot.
            let referent = remote
                .first()
                .and_then(|target| target.rsplit_once('.'))
                .map_or(Name::Unnamed, |(table, _)| Name::Literal(table.to_owned()));
            ConstraintKind::ForeignKey {
                referent,
                local: strings(0),
                remote,
            }
        }
        "CheckConstraint" => ConstraintKind::Check {
            condition: args
                .first()
                .map(|arg| values.sql(arg).unwrap_or_else(|| values.source(arg)))
                .unwrap_or_default(),
        },
        _ => return None,
    };
    let name = call
        .arguments
        .keywords
        .iter()
        .find(|keyword| {
            keyword
                .arg
                .as_ref()
                .is_some_and(|arg| arg.as_str() == "name")
        })
        .map_or(Name::Unnamed, |keyword| values.name(&keyword.value));
    Some(Constraint {
        name,
        kind,
        not_valid: false,
    })
}

/// The table of `bulk_insert`'s first argument: `sa.table("name", ...)`
/// written in place, or anything else by its source.
fn table_object_name(values: &Values<'_>, expr: &Expr) -> Name {
    match expr {
        Expr::Call(call)
            if matches!(callee_name(call), Some("table" | "Table"))
                && !call.arguments.args.is_empty() =>
        {
            values.name(&call.arguments.args[0])
        }
        _ => Name::Dynamic(values.source(expr)),
    }
}
