//! `multiple-bases`: more than one revision starts a chain without a label.

pub(crate) const EXPLANATION: &str = r"# multiple-bases

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
";

use alembic_doctor_graph::RevIdx;
use alembic_doctor_project::Project;

use crate::chain::{Var, describe, value_span};
use crate::{Finding, Rule};

pub(crate) fn check(project: &Project, out: &mut Vec<Finding>) {
    let map = &project.map;
    // A base that declares a label or depends on another branch is a
    // deliberate independent branch; only bare extra bases are suspicious.
    let bare: Vec<RevIdx> = map
        .real_bases()
        .iter()
        .copied()
        .filter(|&b| map.branch_labels(b).is_empty() && !project.file_of(b).uncertain)
        .filter(|&b| project.file_of(b).id_problem.is_none())
        .collect();
    // Copies of one id are `duplicate-revision`'s business alone.
    let distinct: std::collections::HashSet<&str> = bare
        .iter()
        .map(|&b| map.revisions()[b].id.as_str())
        .collect();
    if distinct.len() < 2 {
        return;
    }
    let names: Vec<String> = bare.iter().map(|&b| describe(project, b)).collect();
    let mut finding = Finding::new(
        Rule::MultipleBases,
        format!(
            "the chain has {} unlabelled bases (down_revision = None): {}",
            bare.len(),
            names.join(", ")
        ),
    )
    .at(
        project.revision_files[bare[1]],
        value_span(project, bare[1], Var::DownRevision),
        "a second base",
    )
    .revision(&map.revisions()[bare[1]].id)
    .help(
        "set the extra base's down_revision to the revision it follows, or give each \
         independent branch its own `branch_labels`",
    );
    for &base in bare.iter().filter(|&&b| b != bare[1]) {
        finding = finding.related(
            project.revision_files[base],
            value_span(project, base, Var::DownRevision),
            "a base",
        );
    }
    out.push(finding);
}
