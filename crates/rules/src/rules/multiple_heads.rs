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
"merge"`, or `alembic-doctor fix merge`), which keeps both histories, or
re-parent the first revision that no database has applied yet onto the other
head: usually the newest one on your branch, never one the base branch
already has (`alembic-doctor fix rebase REV --onto OTHER_HEAD` sets its
`down_revision` and `Revises:` line, and refuses revisions already on the
base branch).
"#;

use std::collections::{BTreeMap, HashMap, HashSet};

use alembic_doctor_graph::RevIdx;
use alembic_doctor_project::Project;

use crate::chain::{Var, ancestors, describe, first_after_fork, fork_point, value_span};
use crate::{Finding, Rule};

pub(crate) fn check(project: &Project, out: &mut Vec<Finding>) {
    let map = &project.map;
    // Every file counts: two files claiming one id are two heads once the
    // duplicate is renamed, which is what the fix has to deal with.
    let heads: Vec<RevIdx> = map
        .heads()
        .iter()
        .copied()
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
    // Ids declared by more than one file, counted once for every group.
    let mut declared: HashMap<&str, usize> = HashMap::new();
    for revision in map.revisions() {
        *declared.entry(revision.id.as_str()).or_default() += 1;
    }
    let repeated: HashSet<&str> = declared
        .into_iter()
        .filter(|&(_, n)| n > 1)
        .map(|(id, _)| id)
        .collect();
    let mut reported = HashSet::new();
    for (label, group) in groups {
        // Copies of one id are `duplicate-revision`'s business alone.
        let distinct: HashSet<&str> = group
            .iter()
            .map(|&h| map.revisions()[h].id.as_str())
            .collect();
        if distinct.len() < 2 || !reported.insert(group.clone()) {
            continue;
        }
        out.push(finding(project, label, &group, &repeated));
    }
}

fn finding(
    project: &Project,
    label: Option<&str>,
    group: &[RevIdx],
    repeated: &HashSet<&str>,
) -> Finding {
    // A thousand heads make an unreadable sentence: name the first few,
    // count the rest (every head is still listed as a related location).
    const NAMED: usize = 5;
    let map = &project.map;
    let first = group[0];
    let mut names: Vec<String> = group
        .iter()
        .take(NAMED)
        .map(|&h| describe(project, h))
        .collect();
    if group.len() > NAMED {
        names.push(format!("{} more", group.len() - NAMED));
    }
    let below_first = ancestors(map, first);
    let mut fork_ids: Vec<&str> = Vec::new();
    let mut seen_forks = HashSet::new();
    for &other in &group[1..] {
        if let Some(fork) = fork_point(map, &below_first, other)
            && seen_forks.insert(fork)
        {
            fork_ids.push(map.revisions()[fork].id.as_str());
        }
    }
    let mut forks: Vec<String> = fork_ids
        .iter()
        .take(NAMED)
        .map(|id| format!("`{id}`"))
        .collect();
    if fork_ids.len() > NAMED {
        forks.push(format!("{} other revisions", fork_ids.len() - NAMED));
    }
    let where_ = match label {
        Some(label) => format!("branch `{label}` has {} heads", group.len()),
        None => format!("the chain has {} heads", group.len()),
    };
    let message = if forks.is_empty() {
        format!("{where_} with no common ancestor: {}", join_and(&names))
    } else {
        format!(
            "{where_}: {}, forking at {}",
            join_and(&names),
            join_and(&forks)
        )
    };
    let all_ids: Vec<&str> = group
        .iter()
        .map(|&h| map.revisions()[h].id.as_str())
        .collect();
    let ids = unique_in_order(&all_ids);
    let last = group[group.len() - 1];
    let below_last = ancestors(map, last);
    // An id declared twice below a head (a placeholder id on two branches)
    // makes any command naming the heads' lines ambiguous: Alembic resolves
    // it to one file, so `alembic merge` and a re-parent would act on the
    // wrong copy. The duplicate comes first.
    let duplicated = ids.len() != all_ids.len()
        || below_first
            .iter()
            .chain(&below_last)
            .any(|&rev| repeated.contains(map.revisions()[rev].id.as_str()));
    // On a chain Alembic cannot load (a missing parent, a cycle), neither
    // `alembic merge` nor a re-parent can run, and a head is often there
    // only because its line lost its parent: that comes first.
    let unloadable = map.alembic_would_fail().is_some();
    let mut help = if unloadable {
        "Alembic cannot load this chain yet (see its other errors: a missing parent, a cycle), \
         so neither `alembic merge` nor `alembic-doctor fix merge` can run: fix that first \
         (a head whose line starts at a missing parent is often there only because of it), \
         then check again for the way to join what is left"
            .to_owned()
    } else if duplicated {
        "an id below these heads is declared by more than one file: give the copies new ids \
         first (see duplicate-revision), then check again for the way to join the heads"
            .to_owned()
    } else {
        format!(
            "merge them: `alembic merge -m \"merge heads\" {}`",
            ids.join(" ")
        )
    };
    // Which head a database already runs is not in the files: both ways
    // of making the chain linear are given, each moving a whole line of
    // work from the fork up (moving a head alone would leave its parent a
    // head). `fix rebase` refuses a revision the base branch has.
    if group.len() == 2 && !duplicated && !unloadable {
        let moves: Vec<String> = [(last, first, &below_first), (first, last, &below_last)]
            .into_iter()
            .filter_map(|(mover, onto, below_onto)| {
                let start = first_after_fork(map, below_onto, mover)?;
                Some(format!(
                    "`alembic-doctor fix rebase {} --onto {}`",
                    map.revisions()[start].id,
                    map.revisions()[onto].id
                ))
            })
            .collect();
        if !moves.is_empty() {
            help.push_str(&format!(
                "; or keep the chain linear by putting the line of work no database has applied \
                 yet on top of the other head: {} (it refuses revisions the base branch has)",
                moves.join(" or ")
            ));
        }
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

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn unique_in_order<'a>(ids: &[&'a str]) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}
