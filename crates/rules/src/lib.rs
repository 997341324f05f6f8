//! The health checks `alembic-doctor check` runs over a loaded project, and
//! the one finding model every renderer prints.
//!
//! Each rule lives in its own module under `rules/` with its explanation;
//! [`check`] runs them all and returns the findings sorted by file and
//! position, so the output is the same on every run.

mod chain;
mod commands;
mod finding;
mod lint;
mod registry;
mod rules;
mod unchanged;

use alembic_doctor_project::Project;

pub use commands::{CommandOptions, shell_word};
pub use finding::{Finding, Location, Related};
pub use lint::{
    AddedColumn, DEFAULT_POSTGRES_VERSION, Dialect, Environment, FailOnSetting, LintScope,
    LintSettings, ToolConfig, added_columns, lint,
};
pub use registry::{Rule, Scope, Severity};
pub use unchanged::{hidden_warnings_line, hide_unchanged_chain_warnings};

/// A rule's check: adds its findings about `project`.
type Check = fn(&Project, &mut Vec<Finding>);

/// The checks whose findings may stop Alembic (see
/// [`Finding::stops_alembic`]), in documentation order.
const BLOCKING_CHECKS: &[Check] = &[
    rules::unreadable_file::check,
    rules::syntax_error::check,
    rules::import_error::check,
    rules::loaded_twice::check,
    rules::missing_revision::check,
    rules::non_literal_value::check,
    rules::graph_problems::check,
];

/// The checks about the chain's shape and headers, which never stop it.
const ADVISORY_CHECKS: &[Check] = &[
    rules::missing_version_location::check,
    rules::multiple_heads::check,
    rules::multiple_bases::check,
    rules::header_mismatch::check,
    rules::filename_mismatch::check,
];

/// Run every rule over `project`.
pub fn check(project: &Project) -> Vec<Finding> {
    // The rules read every script.
    project.decode_scripts();
    run(project, BLOCKING_CHECKS.iter().chain(ADVISORY_CHECKS))
}

/// The findings that stop Alembic on `project` (those of [`check`] for
/// which [`Finding::stops_alembic`] holds), without running the rules that
/// never stop it: what the Alembic-compatible commands need, on every run.
pub fn blocking(project: &Project) -> Vec<Finding> {
    let mut findings = run(project, BLOCKING_CHECKS.iter());
    findings.retain(Finding::stops_alembic);
    // The split is only sound while no advisory finding stops Alembic;
    // every test run (the differential test's thousand projects among
    // them) checks it.
    debug_assert!(
        run(project, ADVISORY_CHECKS.iter())
            .iter()
            .all(|finding| !finding.stops_alembic()),
        "an advisory check produced a finding that stops Alembic"
    );
    findings
}

fn run<'a>(project: &Project, checks: impl Iterator<Item = &'a Check>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for check in checks {
        check(project, &mut findings);
    }
    sort_findings(&mut findings);
    findings
}

/// Where a finding goes in the order [`sort_findings`] gives.
fn order_key(finding: &Finding) -> (Option<(usize, u32)>, Rule) {
    (
        finding.location.map(|l| (l.file, l.span.start)),
        finding.rule,
    )
}

/// `sorted` (in [`sort_findings`]' order) and `more`, in that order, as
/// [`sort_findings`] would put them: `more` is sorted and merged in, each
/// after the findings of `sorted` it ties with. The chain's few findings
/// join the lints' many this way, moving each of those at most once
/// instead of sorting them all again.
pub fn merge_findings(mut sorted: Vec<Finding>, mut more: Vec<Finding>) -> Vec<Finding> {
    if !sorted.is_sorted_by_key(order_key) {
        sorted.append(&mut more);
        sort_findings(&mut sorted);
        return sorted;
    }
    sort_findings(&mut more);
    // From the end: the larger of the two last unplaced findings goes to
    // the last free slot (the slots `more` needs are filled with empty
    // findings first, which allocate nothing).
    let mut unplaced = sorted.len();
    let mut free = sorted.len() + more.len();
    sorted.resize_with(free, || Finding::new(Rule::MultipleHeads, String::new()));
    while let Some(next) = more.pop() {
        while unplaced > 0 && order_key(&sorted[unplaced - 1]) > order_key(&next) {
            sorted.swap(unplaced - 1, free - 1);
            unplaced -= 1;
            free -= 1;
        }
        sorted[free - 1] = next;
        free -= 1;
    }
    sorted
}

/// Put findings in the one order every output uses: by file, then
/// position, then rule (findings about the configuration first).
pub fn sort_findings(findings: &mut [Finding]) {
    const PLACED: usize = usize::MAX;
    // Keys sorted with their positions, then the findings moved once each:
    // sorting the findings themselves moved every one of them (each the
    // size of several strings) many times over. The position breaks ties,
    // so the order is the stable sort's.
    let Some(mut from) = sorted_positions(findings) else {
        return;
    };
    for start in 0..from.len() {
        let mut at = start;
        // Follow the cycle through `start`, one swap per finding.
        while from[at] != PLACED {
            let source = from[at];
            from[at] = PLACED;
            if source == start {
                break;
            }
            findings.swap(at, source);
            at = source;
        }
    }
}

/// For each place in [`sort_findings`]' order, the position of the finding
/// that belongs there; `None` when they are in order already.
fn sorted_positions(findings: &[Finding]) -> Option<Vec<usize>> {
    use rayon::slice::ParallelSliceMut;
    // Each key packed into one integer when its parts fit (they always do
    // in practice: fewer than 2^32 files and findings), which compares in
    // one step; sorted on the pool when there are many (a long history has
    // hundreds of thousands of findings).
    let packed: Option<Vec<u128>> = findings
        .iter()
        .enumerate()
        .map(|(at, f)| {
            let at = u32::try_from(at).ok()?;
            let (location, rule) = order_key(f);
            let location = match location {
                None => 0,
                Some((file, start)) => {
                    (1 << 112)
                        | u128::from(u32::try_from(file).ok()?) << 80
                        | u128::from(start) << 48
                }
            };
            Some(location | u128::from(rule as u16) << 32 | u128::from(at))
        })
        .collect();
    if let Some(mut keys) = packed {
        if keys.is_sorted() {
            return None;
        }
        if keys.len() >= PARALLEL_SORT {
            keys.par_sort_unstable();
        } else {
            keys.sort_unstable();
        }
        // The position is the low 32 bits.
        let position = |key: u128| (key & u128::from(u32::MAX)) as usize;
        return Some(keys.into_iter().map(position).collect());
    }
    let mut keys: Vec<_> = findings
        .iter()
        .enumerate()
        .map(|(at, f)| {
            let (location, rule) = order_key(f);
            (location, rule, at)
        })
        .collect();
    if keys.is_sorted() {
        return None;
    }
    keys.sort_unstable();
    Some(keys.into_iter().map(|(_, _, at)| at).collect())
}

/// Findings from which their keys are sorted on the pool.
const PARALLEL_SORT: usize = 8192;

impl Finding {
    /// True when this finding means Alembic itself would fail, or would
    /// warn (Alembic's warnings mean its answer is not to be trusted):
    /// Alembic-compatible commands refuse to print an answer then.
    pub fn stops_alembic(&self) -> bool {
        // What a migration does never stops Alembic from reading the chain.
        if self.rule.scope() != Scope::Chain {
            return false;
        }
        match self.rule {
            // Only a warning here, but Alembic warns too.
            Rule::LoadedTwice => true,
            // Alembic lists nothing there, silently.
            Rule::MissingVersionLocation
            | Rule::MultipleHeads
            | Rule::MultipleBases
            | Rule::HeaderMismatch
            | Rule::FilenameMismatch
            | Rule::HashDependentOrder => false,
            // The other rules' warnings (a conditional assignment, an empty
            // `depends_on`) are ours; Alembic loads such files silently.
            _ => self.severity == Severity::Error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `count` findings from `seed` on: many equal keys, in no order.
    fn scrambled(seed: u32, count: u32) -> Vec<Finding> {
        let rules = [Rule::DropTable, Rule::MissingLockTimeout, Rule::DropColumn];
        (seed..seed + count)
            .map(|n| {
                // A small LCG: many equal keys, in no order.
                let x = n.wrapping_mul(2_654_435_761) >> 7;
                let finding = Finding::new(rules[(x % 3) as usize], format!("finding {n}"));
                if x % 11 == 0 {
                    finding
                } else {
                    finding.at(
                        (x % 5) as usize,
                        alembic_doctor_source::Span::new(x % 7, x % 7),
                        "",
                    )
                }
            })
            .collect()
    }

    fn messages(findings: &[Finding]) -> Vec<String> {
        findings.iter().map(|f| f.message.clone()).collect()
    }

    /// The order is the stable sort's: ties keep the order they came in.
    #[test]
    fn findings_sort_by_file_position_and_rule_keeping_ties_in_order() {
        // Few, and enough for the keys to be sorted on the pool.
        for count in [200, 20_000] {
            sorts_as_the_stable_sort_does(scrambled(0, count));
        }
    }

    fn sorts_as_the_stable_sort_does(mut findings: Vec<Finding>) {
        let mut expected = findings.clone();
        expected.sort_by(|a, b| {
            (a.location.map(|l| (l.file, l.span.start)), a.rule)
                .cmp(&(b.location.map(|l| (l.file, l.span.start)), b.rule))
        });
        sort_findings(&mut findings);
        assert_eq!(messages(&findings), messages(&expected));
        // Sorted already: left as it is.
        sort_findings(&mut findings);
        assert_eq!(messages(&findings), messages(&expected));
    }

    /// Merging gives what appending and sorting gives, ties included,
    /// whether the first list comes sorted or not.
    #[test]
    fn merged_findings_are_in_the_order_sorting_them_all_gives() {
        for (first, second) in [(0, 0), (200, 0), (0, 30), (200, 1), (200, 30), (50, 200)] {
            let mut sorted = scrambled(0, first);
            sort_findings(&mut sorted);
            let more = scrambled(1000, second);
            let mut expected = sorted.clone();
            expected.extend(more.clone());
            sort_findings(&mut expected);
            let merged = merge_findings(sorted.clone(), more.clone());
            assert_eq!(
                messages(&merged),
                messages(&expected),
                "{first} and {second}"
            );
            // An unsorted first list is sorted with the rest.
            let unsorted = scrambled(0, first);
            let merged = merge_findings(unsorted, more);
            assert_eq!(
                messages(&merged),
                messages(&expected),
                "{first} and {second}"
            );
        }
    }
}
