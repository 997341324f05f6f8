//! `multiple-heads`: the chain forks into more than one head without meaning to.

pub(crate) const EXPLANATION: &str = r#"# multiple-heads

## What it does
Reports a chain with more than one head, unless each head belongs to its own
labelled branch (separate `branch_labels`, as in expand/contract or plugin
layouts). It names each head's file and the revision where the heads fork.

## Why is this bad?
This is what two pull requests that each add a revision on the same head
leave on main. `alembic upgrade head` then fails with `Multiple head
revisions are present`, and `alembic revision` refuses to create new
migrations, usually discovered at deploy time. `alembic heads` exits 0, so CI
does not notice.

## How to fix
Either merge the heads with a merge revision (`alembic merge heads -m
"merge"`), which keeps both histories, or, if the branch has not been
deployed anywhere, re-parent the newer revision onto the other head (set its
`down_revision` and `Revises:` line to the other head's id).
"#;
