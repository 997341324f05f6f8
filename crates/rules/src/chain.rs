//! Small graph questions the rules ask about the map: where two heads fork,
//! which variable span to point at for a revision.

use std::collections::{HashSet, VecDeque};

use alembic_doctor_graph::{RevIdx, RevisionMap};
use alembic_doctor_project::Project;
use alembic_doctor_script::Variable;
use alembic_doctor_source::Span;

/// The nearest revision that is an ancestor of both `a` and `b` (through
/// `down_revision`), found by a breadth-first walk from `b` that stops at
/// the first ancestor of `a`. `of_a` is [`ancestors`] of `a`, computed once
/// by the caller for all the heads compared with `a` (a thousand heads off
/// one base must not cost a thousand walks of the whole chain).
pub(crate) fn fork_point(map: &RevisionMap, of_a: &HashSet<RevIdx>, b: RevIdx) -> Option<RevIdx> {
    let mut seen = HashSet::from([b]);
    let mut queue = VecDeque::from([b]);
    while let Some(rev) = queue.pop_front() {
        if rev != b && of_a.contains(&rev) {
            return Some(rev);
        }
        for parent in parents(map, rev) {
            if seen.insert(parent) {
                queue.push_back(parent);
            }
        }
    }
    None
}

/// The revision that starts `b`'s own line of work: walking down from `b`
/// through single parents, the last one before reaching an ancestor of
/// `a` (`of_a`). Re-parenting it onto `a` makes one chain of the two; the
/// head `b` itself is that revision only when it is the one revision after
/// the fork. `None` when the way down passes a merge or a root (no single
/// revision to move).
pub(crate) fn first_after_fork(
    map: &RevisionMap,
    of_a: &HashSet<RevIdx>,
    b: RevIdx,
) -> Option<RevIdx> {
    let mut current = b;
    // At most every revision once, whatever a cycle does.
    for _ in 0..map.revisions().len() {
        let mut up = parents(map, current);
        let (Some(parent), None) = (up.next(), up.next()) else {
            return None;
        };
        if of_a.contains(&parent) {
            return Some(current);
        }
        current = parent;
    }
    None
}

/// `rev` and every revision below it through `down_revision`.
pub(crate) fn ancestors(map: &RevisionMap, rev: RevIdx) -> HashSet<RevIdx> {
    let mut seen = HashSet::from([rev]);
    let mut stack = vec![rev];
    while let Some(r) = stack.pop() {
        for parent in parents(map, r) {
            if seen.insert(parent) {
                stack.push(parent);
            }
        }
    }
    seen
}

fn parents(map: &RevisionMap, rev: RevIdx) -> impl Iterator<Item = RevIdx> + '_ {
    map.revisions()[rev]
        .down_revisions
        .iter()
        .filter_map(|id| map.lookup(id))
}

/// Which module-level variable a finding should point at.
#[derive(Clone, Copy)]
pub(crate) enum Var {
    Revision,
    DownRevision,
    BranchLabels,
    DependsOn,
}

/// The span of `var`'s value in the file of `rev`, or of `revision` when
/// the variable is not assigned, or the file's start.
pub(crate) fn value_span(project: &Project, rev: RevIdx, var: Var) -> Span {
    let Some(script) = project.file_of(rev).script() else {
        return Span::default();
    };
    let variable = match var {
        Var::Revision => &script.revision,
        Var::DownRevision => &script.down_revision,
        Var::BranchLabels => &script.branch_labels,
        Var::DependsOn => &script.depends_on,
    };
    for candidate in [variable, &script.revision] {
        if let Variable::Bound(binding) = candidate {
            return binding.value_span;
        }
    }
    Span::default()
}

/// `id (path)` for messages.
pub(crate) fn describe(project: &Project, rev: RevIdx) -> String {
    format!(
        "`{}` ({})",
        project.map.revisions()[rev].id,
        project.file_of(rev).display_path
    )
}
