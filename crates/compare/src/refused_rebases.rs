//! Advice in the findings that the base branch makes impossible.
//!
//! `multiple-heads` offers to re-parent either line of work onto the other
//! head, because which one a database has run is not in the files. In a git
//! repository with a base branch, it is: `fix rebase` refuses a revision the
//! base branch has (databases may have run it), so offering it would be
//! advice that fails. Those alternatives are dropped, and the whole clause
//! when none is left (merging the heads always remains).

use std::collections::HashSet;

use alembic_doctor_rules::{Finding, Rule};

/// What `check` prints before the re-parenting alternatives.
const CLAUSE: &str = "; or keep the chain linear by putting the line of work";
/// What it prints after them.
const REFUSES: &str = " (it refuses revisions the base branch has)";

/// Drop from every `multiple-heads` help the `fix rebase` of a revision
/// `on_base` has.
pub fn drop_rebases_of_base_revisions<S: std::hash::BuildHasher>(
    findings: &mut [Finding],
    on_base: &HashSet<&str, S>,
) {
    for finding in findings
        .iter_mut()
        .filter(|finding| finding.rule == Rule::MultipleHeads)
    {
        if let Some(help) = &mut finding.help {
            *help = without_refused_rebases(help, on_base).into();
        }
    }
}

fn without_refused_rebases<S: std::hash::BuildHasher>(
    help: &str,
    on_base: &HashSet<&str, S>,
) -> String {
    let Some(start) = help.find(CLAUSE) else {
        return help.to_owned();
    };
    let Some(end) = help[start..].find(REFUSES).map(|at| start + at) else {
        return help.to_owned();
    };
    let clause = &help[start..end];
    let Some(colon) = clause.find(": ") else {
        return help.to_owned();
    };
    let kept: Vec<&str> = clause[colon + 2..]
        .split(" or ")
        .filter(|command| {
            // `alembic-doctor fix rebase REV --onto HEAD`, in backticks.
            let words: Vec<&str> = command.trim_matches('`').split_whitespace().collect();
            let mover = words
                .iter()
                .position(|word| *word == "rebase")
                .and_then(|at| words.get(at + 1));
            !mover.is_some_and(|id| on_base.contains(id))
        })
        .collect();
    let rest = &help[end + REFUSES.len()..];
    if kept.is_empty() {
        format!("{}{rest}", &help[..start])
    } else {
        format!(
            "{}{}{REFUSES}{rest}",
            &help[..start + colon + 2],
            kept.join(" or ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELP: &str = "merge them: `alembic merge -m \"merge heads\" b2 c1`; or keep the chain linear by putting the line of work no database has applied yet on top of the other head: `alembic-doctor fix rebase c1 --onto b2` or `alembic-doctor fix rebase b1 --onto c1` (it refuses revisions the base branch has)";

    #[test]
    fn a_rebase_of_a_base_revision_is_dropped() {
        let on_base: HashSet<&str> = ["b1", "b2"].into();
        assert_eq!(
            without_refused_rebases(HELP, &on_base),
            "merge them: `alembic merge -m \"merge heads\" b2 c1`; or keep the chain linear by putting the line of work no database has applied yet on top of the other head: `alembic-doctor fix rebase c1 --onto b2` (it refuses revisions the base branch has)"
        );
    }

    #[test]
    fn with_every_line_on_the_base_only_the_merge_is_left() {
        let on_base: HashSet<&str> = ["b1", "b2", "c1"].into();
        assert_eq!(
            without_refused_rebases(HELP, &on_base),
            "merge them: `alembic merge -m \"merge heads\" b2 c1`"
        );
    }

    #[test]
    fn nothing_on_the_base_keeps_the_help() {
        assert_eq!(without_refused_rebases(HELP, &HashSet::new()), HELP);
    }
}
