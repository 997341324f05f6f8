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

use std::collections::{BTreeMap, HashSet};

use alembic_doctor_graph::RevIdx;
use alembic_doctor_project::Project;

use crate::chain::{Var, describe, fork_point, value_span};
use crate::{Finding, Rule};

pub(crate) fn check(project: &Project, out: &mut Vec<Finding>) {
    let map = &project.map;
    // One head per id: a duplicated id is `duplicate-revision`'s business.
    let mut seen_ids = HashSet::new();
    let heads: Vec<RevIdx> = map
        .heads()
        .iter()
        .copied()
        .filter(|&h| seen_ids.insert(map.revisions()[h].id.as_str()))
        .filter(|&h| !project.file_of(h).uncertain)
        .collect();
    if heads.len() < 2 {
        return;
    }
    // Heads of separate labelled branches (expand/contract, plugins) are
    // meant to stay apart. A fork is unintended when two heads carry the
    // same label, or when two heads carry none.
    let mut groups: BTreeMap<Option<&str>, Vec<RevIdx>> = BTreeMap::new();
    for &head in &heads {
        let labels = map.branch_labels(head);
        if labels.is_empty() {
            groups.entry(None).or_default().push(head);
        }
        for label in labels {
            groups.entry(Some(label.as_str())).or_default().push(head);
        }
    }
    let mut reported = HashSet::new();
    for (label, group) in groups {
        if group.len() < 2 || !reported.insert(group.clone()) {
            continue;
        }
        out.push(finding(project, label, &group));
    }
}

fn finding(project: &Project, label: Option<&str>, group: &[RevIdx]) -> Finding {
    let map = &project.map;
    let first = group[0];
    let names: Vec<String> = group.iter().map(|&h| describe(project, h)).collect();
    let fork = fork_point(map, first, group[1]).map(|f| map.revisions()[f].id.clone());
    let where_ = match label {
        Some(label) => format!("branch `{label}` has {} heads", group.len()),
        None => format!("the chain has {} heads", group.len()),
    };
    let message = match &fork {
        Some(fork) => format!("{where_}: {}, forking at `{fork}`", names.join(" and ")),
        None => format!("{where_} with no common ancestor: {}", names.join(" and ")),
    };
    let ids: Vec<&str> = group
        .iter()
        .map(|&h| map.revisions()[h].id.as_str())
        .collect();
    let last = group[group.len() - 1];
    let last_id = &map.revisions()[last].id;
    let mut help = format!(
        "merge them: `alembic merge -m \"merge heads\" {}`",
        ids.join(" ")
    );
    if group.len() == 2 {
        help.push_str(&format!(
            "; or, if `{last_id}` has not been applied to any database yet, re-parent it: set its \
             down_revision and `Revises:` line to `{}` so that the chain stays linear",
            ids[0]
        ));
    }
    let mut finding = Finding::new(Rule::MultipleHeads, message)
        .at(
            project.revision_files[first],
            value_span(project, first, Var::Revision),
            "a head",
        )
        .revision(&map.revisions()[first].id)
        .help(help);
    for &head in &group[1..] {
        finding = finding.related(
            project.revision_files[head],
            value_span(project, head, Var::Revision),
            "another head",
        );
    }
    finding
}
