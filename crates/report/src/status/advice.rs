//! The verdict, the recommendations and the conclusion: all derived from
//! the findings, the pre-merge checklist, the comparison's own problems and
//! the notes, so every recommendation points at something that was found.

use alembic_doctor_compare::{NoteLevel, Rollback, Start};
use alembic_doctor_rules::{Finding, Rule, Scope, Severity};

use super::doc::{Block, Item, Section, code, plural};
use super::{StatusInput, Verdict};

/// The finding was already reported on BASE alone (same rule, same
/// message): the HEADs did not bring it.
pub(crate) fn already_on_base(input: &StatusInput<'_>, finding: &Finding) -> bool {
    input.comparison.is_inherited(finding)
}

pub(crate) fn verdict(input: &StatusInput<'_>) -> Verdict {
    let findings = &input.comparison.merged.findings;
    // Only what the HEADs bring counts against them (the exit status says
    // the same); what BASE already has makes a warning to read.
    let (inherited, new): (Vec<&Finding>, Vec<&Finding>) =
        findings.iter().partition(|f| already_on_base(input, f));
    if new.iter().any(|f| f.severity == Severity::Error) {
        Verdict::Broken
    } else if !new.is_empty()
        || inherited.iter().any(|f| f.severity == Severity::Error)
        || input.checklist.iter().any(|item| !item.passed)
    {
        Verdict::Warnings
    } else {
        Verdict::Healthy
    }
}

/// Each of `names` once, in first-seen order.
fn distinct<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for name in names {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The HEADs' names: "`feat`", "`feature` (working tree)" or "`a` and `b`".
pub(crate) fn heads_label(input: &StatusInput<'_>) -> String {
    let labels: Vec<String> = input
        .comparison
        .heads
        .iter()
        .map(super::side_name)
        .collect();
    match labels.as_slice() {
        [] => "nothing".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

pub(crate) fn headline(input: &StatusInput<'_>, verdict: Verdict) -> String {
    let comparison = input.comparison;
    let into = format!(
        "{} into {}",
        heads_label(input),
        code(&comparison.base.label)
    );
    let failed: Vec<&str> = input
        .checklist
        .iter()
        .filter(|item| !item.passed)
        .map(|item| item.summary.as_str())
        .take(2)
        .collect();
    match verdict {
        Verdict::Broken => {
            // The chain can be whole while a migration is unsafe to run:
            // say which of the two the errors are about.
            let chain_broken = comparison.merged.findings.iter().any(|f| {
                f.severity == Severity::Error
                    && !already_on_base(input, f)
                    && matches!(f.rule.scope(), Scope::Chain | Scope::Comparison)
            });
            if chain_broken {
                format!(
                    "❌ **Merging {into} would break the migration chain:** {}",
                    failed.join("; ")
                )
            } else {
                let unsafe_rules = distinct(
                    comparison
                        .merged
                        .findings
                        .iter()
                        .filter(|f| f.severity == Severity::Error && !already_on_base(input, f))
                        .map(|f| f.rule.name()),
                );
                format!(
                    "❌ **Merging {into} keeps the chain whole but adds a migration that fails or is unsafe on a live database:** {}",
                    unsafe_rules
                        .iter()
                        .map(|rule| code(rule))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }
        Verdict::Warnings => {
            let inherited_errors: Vec<&str> = comparison
                .merged
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error && already_on_base(input, f))
                .map(|f| f.rule.name())
                .collect();
            if !inherited_errors.is_empty() {
                let rules = distinct(inherited_errors.iter().copied());
                return format!(
                    "⚠️ **{} is already broken, and merging {} leaves it so:** {} already on {} ({}); this merge brings {}",
                    code(&comparison.base.label),
                    heads_label(input),
                    plural(inherited_errors.len(), "error", "errors"),
                    code(&comparison.base.label),
                    rules
                        .iter()
                        .map(|rule| code(rule))
                        .collect::<Vec<_>>()
                        .join(", "),
                    match comparison
                        .merged
                        .findings
                        .iter()
                        .filter(|f| !already_on_base(input, f))
                        .count()
                    {
                        0 => "no new finding".to_owned(),
                        n => plural(n, "new warning", "new warnings"),
                    }
                );
            }
            let reasons = if failed.is_empty() {
                let warnings = comparison
                    .merged
                    .findings
                    .iter()
                    .filter(|f| !already_on_base(input, f))
                    .count();
                format!(
                    "{} this merge brings",
                    plural(warnings, "new warning", "new warnings")
                )
            } else {
                failed.join("; ")
            };
            format!("⚠️ **Merging {into} keeps the chain working, with warnings:** {reasons}")
        }
        Verdict::Healthy => {
            let heads = comparison.merged.heads();
            let new: usize = comparison.differences.iter().map(|d| d.new.len()).sum();
            let inherited = comparison.merged.findings.len();
            let inherited = if inherited == 0 {
                String::new()
            } else {
                format!(
                    " ({} already on {}, none new)",
                    plural(inherited, "warning", "warnings"),
                    code(&comparison.base.label)
                )
            };
            format!(
                "✅ **Migration chain is healthy: merging {into} leaves {} and adds {}.**{inherited}",
                match heads.as_slice() {
                    [one] => format!("one head ({})", code(one)),
                    many => format!("{} heads, one per labelled branch", many.len()),
                },
                plural(new, "new revision", "new revisions")
            )
        }
    }
}

/// A stale header in a file a step of the plan re-parents: that step
/// rewrites the line, so it needs no advice of its own.
fn rewritten_by_plan(input: &StatusInput<'_>, finding: &Finding) -> bool {
    let comparison = input.comparison;
    finding.rule == Rule::HeaderMismatch
        && super::problems::where_found(&comparison.merged.project, finding)
            .is_some_and(|(path, _)| comparison.plan.step_rewriting(&path).is_some())
}

pub(crate) fn recommendations(input: &StatusInput<'_>) -> Section {
    let comparison = input.comparison;
    let merged = &comparison.merged;
    let mut before: Vec<Item> = Vec::new();
    let mut inherited: Vec<Item> = Vec::new();
    // One recommendation per rule: the finding's own fix when there is one
    // finding, the repair command (or the rule's advice) for several, as
    // each finding's fix differs. Findings already on BASE are listed
    // apart: this branch did not bring them.
    let plan = &comparison.plan;
    before.extend(plan_items(input));
    let mut seen: Vec<(Rule, bool)> = Vec::new();
    // With the plan stopped by BASE's own problem, the branch's findings
    // are planned once that is fixed: their fixes would fail before.
    let mut deferred: Vec<String> = Vec::new();
    // The safety findings by file, in order: (path, `rule` (line N)).
    let mut safety: Vec<(String, Vec<String>)> = Vec::new();
    for finding in &merged.findings {
        let on_base = already_on_base(input, finding);
        if seen.contains(&(finding.rule, on_base))
            || (!on_base && plan.step_for(finding.rule).is_some())
            || (!on_base && rewritten_by_plan(input, finding))
        {
            continue;
        }
        if plan.blocked && !on_base && finding.rule.scope().is_chain() {
            seen.push((finding.rule, on_base));
            deferred.push(code(finding.rule.name()));
            continue;
        }
        seen.push((finding.rule, on_base));
        let count = merged
            .findings
            .iter()
            .filter(|f| f.rule == finding.rule && already_on_base(input, f) == on_base)
            .count();
        let general = || {
            super::problems::how_to_fix(finding.rule)
                .unwrap_or_else(|| format!("see `alembic-doctor explain {}`", finding.rule.name()))
        };
        let found: Vec<(String, u32)> = merged
            .findings
            .iter()
            .filter(|f| f.rule == finding.rule && already_on_base(input, f) == on_base)
            .filter_map(|f| super::problems::where_found(&merged.project, f))
            .collect();
        let at = match found.as_slice() {
            [] => String::new(),
            [_] => format!(" in {}", super::problems::places(&found)),
            _ => format!(
                " ({}: {})",
                plural(count, "finding", "findings"),
                super::problems::places(&found)
            ),
        };
        // A lint finding's fix is stated once, under Problems Found: here
        // it is named by rule and place, all of them in one line.
        if !finding.rule.scope().is_chain() && !on_base {
            let mut by_file: Vec<(&String, Vec<String>)> = Vec::new();
            for (path, line) in &found {
                match by_file.iter_mut().find(|(p, _)| *p == path) {
                    Some((_, lines)) => lines.push(line.to_string()),
                    None => by_file.push((path, vec![line.to_string()])),
                }
            }
            for (path, lines) in by_file {
                let at = match lines.as_slice() {
                    [one] => format!("{} (line {one})", code(finding.rule.name())),
                    [rest @ .., last] => format!(
                        "{} (lines {} and {last})",
                        code(finding.rule.name()),
                        rest.join(", ")
                    ),
                    [] => code(finding.rule.name()),
                };
                match safety.iter_mut().find(|(p, _)| p == path) {
                    Some((_, rules)) => rules.push(at),
                    None => safety.push((path.clone(), vec![at])),
                }
            }
            continue;
        }
        let advice = match (count, super::problems::fix_command(finding.rule)) {
            (1, _) => super::problems::help(input, finding).unwrap_or_else(general),
            (_, Some(command)) => {
                format!("run `{command}`, or fix each as shown under Problems Found")
            }
            (_, None) => "each one's fix is under Problems Found".to_owned(),
        };
        let item = Item::new(format!(
            "**Fix {}**{at}: {advice}",
            code(finding.rule.name()),
        ));
        if on_base {
            inherited.push(item);
        } else {
            before.push(item);
        }
    }
    if !safety.is_empty() {
        let listed: Vec<String> = safety
            .iter()
            .map(|(path, rules)| format!("in {}: {}", code(path), rules.join(", ")))
            .collect();
        before.push(Item::new(format!(
            "**Act on the safety findings** under Problems Found, each with its fix: {}",
            listed.join("; ")
        )));
    }
    if !deferred.is_empty() {
        before.push(Item::new(format!(
            "**Then run this report again:** its plan will fix {} once {}'s chain loads",
            deferred.join(", "),
            code(&comparison.base.label)
        )));
    }
    for pair in comparison
        .pair_conflicts
        .iter()
        .filter(|_| plan.steps.is_empty())
    {
        let [a, b] = &pair.sides;
        let mut steps = Vec::new();
        if !pair.same_parent.is_empty() {
            steps.push(
                "merge one of them first, then re-parent the other's first new revision onto the new head (or add a merge revision with `alembic merge heads`)"
                    .to_owned(),
            );
        }
        if !pair.same_id.is_empty() {
            steps.push(format!(
                "give the second one's copy of {} a fresh id (`alembic-doctor fix duplicate-ids` after merging the first)",
                pair.same_id
                    .iter()
                    .map(|id| code(id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        before.push(Item::new(format!(
            "**{} and {} conflict:** {}",
            code(a),
            code(b),
            steps.join("; ")
        )));
    }
    // The plan names them as its manual steps.
    for conflict in merged.conflicts.iter().filter(|_| plan.steps.is_empty()) {
        before.push(Item::new(format!(
            "**Merge {} by hand if git cannot** ({}): the result must keep one `revision` and the intended `down_revision`",
            code(&conflict.path),
            alembic_doctor_compare::conflict_description(comparison, conflict)
        )));
    }
    // Revisions of BASE a HEAD edited or deleted are findings
    // (`edited-revision`, `removed-revision`), advised above with theirs.
    let mut after: Vec<Item> = Vec::new();
    let mut staging: Option<Item> = None;
    let blockers = super::run::blockers(input);
    if !blockers.is_empty() {
        // Advice to upgrade, or to act on what a revision does, would be
        // wrong until the merged chain is whole.
        after.push(Item::new(format!(
            "**Fix the merged chain first** ({}): {}, then run this report again to get the migration command",
            blockers.join("; "),
            if plan.steps.is_empty() {
                "as Problems Found says"
            } else {
                "follow the plan above"
            }
        )));
    } else if let Ok(path) = comparison.path(input.start)
        && !path.is_empty()
    {
        let command = if merged.heads().len() > 1 {
            super::run::alembic(input, "upgrade heads")
        } else {
            super::run::alembic(input, "upgrade head")
        };
        staging = Some(staging_item(input, &path, &command));
        after.push(Item::commands(
            format!(
                "**Run the migration** ({}):",
                plural(path.len(), "revision", "revisions")
            ),
            std::slice::from_ref(&command),
        ));
    }
    for revision in &comparison.notes {
        if !blockers.is_empty()
            || super::run::shadowed_base_path(input, &revision.id, &revision.path).is_some()
        {
            continue;
        }
        // Notes that are a rule's findings are fixed before merging, above.
        for note in revision
            .notes
            .iter()
            .filter(|n| n.level == NoteLevel::Warning && n.code.parse::<Rule>().is_err())
        {
            after.push(Item::new(format!(
                "{}: {}",
                code(&revision.id),
                note.message
            )));
        }
    }
    let mut blocks = vec![Block::Heading("Before merging".to_owned())];
    if before.is_empty() {
        blocks.push(Block::Paragraph(
            "Nothing to fix before merging: no check found a problem this branch brings."
                .to_owned(),
        ));
    }
    before.extend(staging);
    if !before.is_empty() {
        blocks.push(Block::List {
            ordered: true,
            items: before,
        });
    }
    if !inherited.is_empty() {
        blocks.push(Block::Heading(format!(
            "Already on {} (not introduced by this branch)",
            code(&comparison.base.label)
        )));
        blocks.push(Block::List {
            ordered: true,
            items: inherited,
        });
    }
    if !after.is_empty() {
        blocks.push(Block::Heading("After merging".to_owned()));
        blocks.push(Block::List {
            ordered: true,
            items: after,
        });
    }
    Section::new("recommendations", "Recommendations", blocks)
}

/// The plan's steps, each with its commands, and its alternative as a
/// second line.
fn plan_items(input: &StatusInput<'_>) -> Vec<Item> {
    let plan = &input.comparison.plan;
    plan.steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let lead = if i == 0 {
                format!(
                    "**On {}, in this order:** ",
                    super::side_name_of(input.comparison, &plan.on)
                )
            } else {
                String::new()
            };
            let mut summary = step.summary.clone();
            if let Some(first) = summary.get(..1) {
                summary = first.to_uppercase() + &summary[1..];
            }
            let mut item = if step.commands.is_empty() {
                Item::new(format!("{lead}{summary}."))
            } else {
                Item::commands(format!("{lead}{summary}:"), &step.commands)
            };
            if let Some((why, commands)) = &step.alternative {
                item.children.push(format!(
                    "Or, {why}: {}",
                    commands
                        .iter()
                        .map(|c| code(c))
                        .collect::<Vec<_>>()
                        .join(" then ")
                ));
            }
            item
        })
        .collect()
}

/// Testing on staging: preview the SQL where offline mode works, upgrade,
/// roll back to where production is (when every new revision can be rolled
/// back) and upgrade again; commands with the user's configuration.
fn staging_item(input: &StatusInput<'_>, path: &[String], upgrade: &str) -> Item {
    let comparison = input.comparison;
    let base = &comparison.base;
    let base_heads = base.ids(base.project.map.heads());
    let from: Option<String> = match input.start {
        Start::BaseHeads => match base_heads.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        },
        start => start.single().map(ToOwned::to_owned),
    };
    let heads = comparison.merged.heads();
    let to = match heads.as_slice() {
        [one] => Some(one.as_str()),
        _ => None,
    };
    let project = &comparison.merged.project;
    // A revision that talks to the database itself cannot be rendered as
    // SQL offline.
    let needs_connection = path.iter().any(|id| {
        project.map.lookup(id).is_some_and(|rev| {
            let bytes = &project.file_of(rev).bytes;
            bytes.windows(8).any(|w| w == b"get_bind")
        })
    });
    let mut steps = Vec::new();
    let mut commands = Vec::new();
    if let (Some(from), Some(to)) = (&from, to)
        && input.offline_sql
        && !needs_connection
    {
        steps.push("preview the SQL it will run");
        commands.push(super::run::alembic(
            input,
            &format!("upgrade {from}:{to} --sql"),
        ));
    }
    steps.push("upgrade");
    commands.push(upgrade.to_owned());
    let not_reversible: Vec<String> = comparison
        .notes
        .iter()
        .filter_map(|revision| {
            let why = match revision.rollback {
                Rollback::Reverses => return None,
                Rollback::Empty => "is empty",
                Rollback::Raises => "raises (the revision cannot be undone)",
                Rollback::Missing => "is missing",
            };
            Some(format!("the downgrade of {} {why}", code(&revision.id)))
        })
        .collect();
    let mut after = String::new();
    match &from {
        Some(from) if not_reversible.is_empty() => {
            steps.push("roll back to where production is");
            commands.push(super::run::alembic(input, &format!("downgrade {from}")));
            steps.push("upgrade again");
            commands.push(upgrade.to_owned());
        }
        _ if !not_reversible.is_empty() => {
            after = format!(
                " (no rollback to test: {}, so `alembic downgrade` would not undo it)",
                not_reversible.join("; ")
            );
        }
        _ => {}
    }
    let at = match (input.start, base_heads.as_slice()) {
        (Start::BaseHeads, [one]) => format!("at {}'s head {}", code(&base.label), code(one)),
        (Start::BaseHeads, _) => format!("at {}'s heads", code(&base.label)),
        _ => format!("at {}", super::path::start_revisions(input)),
    };
    let steps = match steps.as_slice() {
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
        [] => String::new(),
    };
    Item::commands(
        format!(
            "**Test on staging first:** on a copy of the production database ({at}), {steps}{after}:"
        ),
        &commands,
    )
}

pub(crate) fn conclusion(input: &StatusInput<'_>, verdict: Verdict) -> Section {
    let comparison = input.comparison;
    let findings = &comparison.merged.findings;
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    let passed = input.checklist.iter().filter(|item| item.passed).count();
    let total = input.checklist.len();
    let mut lines = vec![format!("{passed} of {total} pre-merge checks passed")];
    lines.push(format!(
        "{} and {} on the merged chain",
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings")
    ));
    let base_heads = comparison.base.ids(comparison.base.project.map.heads());
    if comparison.extends_base_head()
        && let [head] = base_heads.as_slice()
    {
        lines.push(format!(
            "{} {} {}'s head {}",
            heads_label(input),
            if comparison.heads.len() == 1 {
                "extends"
            } else {
                "each extend"
            },
            code(&comparison.base.label),
            code(head)
        ));
    }
    let inherited = findings
        .iter()
        .filter(|f| already_on_base(input, f))
        .count();
    if inherited > 0 {
        lines.push(format!(
            "{} of them already on {}",
            plural(inherited, "finding", "findings"),
            code(&comparison.base.label)
        ));
    }
    let base_broken = findings
        .iter()
        .any(|f| f.severity == Severity::Error && already_on_base(input, f));
    let lead = match verdict {
        Verdict::Healthy => "✅ **The migration chain is ready to merge:**",
        Verdict::Warnings if base_broken => {
            "⚠️ **The base branch's chain is already broken; the errors above stay until they are fixed on the base branch:**"
        }
        Verdict::Warnings => {
            "⚠️ **The migration chain will work after the merge; review the warnings above:**"
        }
        Verdict::Broken => "❌ **Not safe to merge until the problems above are fixed:**",
    };
    let mut blocks = vec![
        Block::Paragraph(lead.to_owned()),
        super::doc::bullets(lines),
    ];
    blocks.push(Block::Paragraph(what_it_does(input)));
    Section::new("conclusion", "Conclusion", blocks)
}

/// What the new revisions do, summarised from their notes: the tables,
/// columns, indexes and constraints they touch.
fn what_it_does(input: &StatusInput<'_>) -> String {
    const KINDS: &[(&str, &str, &str)] = &[
        ("create-table", "creates table", "creates tables"),
        ("rename-table", "renames table", "renames tables"),
        ("drop-table", "drops table", "drops tables"),
        ("add-column", "adds column", "adds columns"),
        ("alter-column", "alters column", "alters columns"),
        ("drop-column", "drops column", "drops columns"),
        ("create-index", "creates index", "creates indexes"),
        ("drop-index", "drops index", "drops indexes"),
        ("create-constraint", "adds constraint", "adds constraints"),
        ("drop-constraint", "drops constraint", "drops constraints"),
        ("bulk-insert", "inserts rows into", "inserts rows into"),
    ];
    let notes = &input.comparison.notes;
    let count = plural(notes.len(), "new revision", "new revisions");
    if notes.is_empty() {
        return "**What the change does:** no new revision, so nothing changes in the database."
            .to_owned();
    }
    let mut parts = Vec::new();
    for (kind, one, many) in KINDS {
        let mut names: Vec<String> = Vec::new();
        for note in notes
            .iter()
            .flat_map(|r| &r.notes)
            .filter(|n| n.code == *kind)
        {
            let first = first_code_span(&note.message).unwrap_or("?");
            // "creates an unnamed index on `users`": the span is the table.
            let name = if note.message.contains("unnamed") {
                format!("(unnamed, on {})", code(first))
            } else {
                code(first)
            };
            if !names.contains(&name) {
                names.push(name);
            }
        }
        if names.is_empty() {
            continue;
        }
        let verb = if names.len() == 1 { one } else { many };
        parts.push(format!("{verb} {}", list(&names, 5)));
    }
    let sql = notes
        .iter()
        .flat_map(|r| &r.notes)
        .filter(|n| n.code == "execute")
        .count();
    if sql > 0 {
        parts.push(format!(
            "runs {}",
            plural(sql, "SQL statement", "SQL statements")
        ));
    }
    let all_empty = notes
        .iter()
        .all(|r| r.notes.iter().any(|n| n.code == "upgrade-empty"));
    if parts.is_empty() && all_empty {
        format!("**What the change does** ({count}): nothing to the schema (`upgrade()` is empty).")
    } else if parts.is_empty() {
        format!("**What the change does** ({count}): no schema change alembic-doctor can read.")
    } else {
        let shadowed: Vec<String> = super::run::shadowed(input)
            .iter()
            .map(|s| code(&s.id))
            .collect();
        let caveat = if shadowed.is_empty() {
            String::new()
        } else {
            format!(
                " As the ids stand, {} never {} on a database at {}'s head (see Database Migration Path).",
                list(&shadowed, 5),
                if shadowed.len() == 1 { "runs" } else { "run" },
                code(&input.comparison.base.label)
            )
        };
        format!(
            "**What the change does** ({count}): {}.{caveat}",
            parts.join("; ")
        )
    }
}

/// The text of the first `code span` of a note.
fn first_code_span(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(&message[start..end])
}

/// `a`, `a and b`, `a, b and c`, at most `max` then how many more.
fn list(items: &[String], max: usize) -> String {
    let mut shown: Vec<String> = items.iter().take(max).cloned().collect();
    if items.len() > max {
        shown.push(format!("{} more", items.len() - max));
    }
    match shown.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    }
}
