//! `non-literal-value`: a revision variable whose value cannot be known without running the file.

pub(crate) const EXPLANATION: &str = r#"# non-literal-value

## What it does
Reports `revision`, `down_revision`, `branch_labels` or `depends_on` when its
value is not a literal that can be read statically: built by a function call,
imported from a module that cannot be found in the project, assigned only
inside `if`/`try`, or of a type Alembic cannot use. Names bound earlier in the
file and constants imported from the project's own modules are resolved and
do not trigger this rule.

## Why is this bad?
The chain then depends on what the code does at import time (installed
packages, environment variables), so two machines can see two different
graphs. alembic-doctor cannot check what it cannot read, and says so instead
of guessing.

## How to fix
Write the value as a literal (`down_revision = "1975ea83b712"`), or define the
constant as a literal in a module inside the project.
"#;
