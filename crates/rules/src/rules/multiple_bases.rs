//! `multiple-bases`: more than one revision starts a chain without a label.

pub(crate) const EXPLANATION: &str = r#"# multiple-bases

## What it does
Reports more than one base revision (`down_revision = None`) when the bases
are not separate labelled branches.

## Why is this bad?
An unintended second base usually means a revision was created with
`down_revision = None` by mistake (a copied first migration, a template
without the parent filled in). Its branch will be applied to an empty
database in an order Alembic chooses by file name.

## How to fix
Set the extra base's `down_revision` to the revision it really follows, or, if
it is a deliberate independent branch, give it a `branch_labels` entry.
"#;
