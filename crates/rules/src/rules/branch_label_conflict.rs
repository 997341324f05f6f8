//! `branch-label-conflict`: a branch label declared twice or equal to a revision id.

pub(crate) const EXPLANATION: &str = r"# branch-label-conflict

## What it does
Reports a branch label that two revisions declare, or that equals an existing
revision id.

## Why is this bad?
Alembic refuses to load the chain (`Branch name 'x' in revision b already used
by revision a`), and which of the two revisions it names changes from run to
run.

## How to fix
Keep the label on the revision that starts the branch and remove it from the
other, or rename one of them.
";
