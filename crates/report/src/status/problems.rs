//! Problems found in the merged result: every finding of every rule, with
//! its evidence (files and lines) and the fix, taken from the rule's own
//! explanation (revisions already on BASE that a HEAD edited or deleted are
//! findings too: `edited-revision`, `removed-revision`); then what the
//! comparison itself found (branches that conflict with each other, version
//! files both sides changed).

use alembic_doctor_compare::Comparison;
use alembic_doctor_project::Project;
use alembic_doctor_rules::{Finding, Location, Rule, Severity};

use super::StatusInput;
use super::doc::{Block, Item, Section, code};

/// Findings drawn in full; the rest are counted.
const MAX_FINDINGS: usize = 20;

pub(crate) fn section(input: &StatusInput<'_>) -> Section {
    let comparison = input.comparison;
    let merged = &comparison.merged;
    let mut blocks = Vec::new();
    let mut explained: Vec<Rule> = Vec::new();
    // What this merge brings comes first, in full: errors, then warnings,
    // each in file order (the findings come sorted by file, and the sort
    // is stable). What BASE already has follows, one line each.
    let (inherited, mut brought): (Vec<&Finding>, Vec<&Finding>) = merged
        .findings
        .iter()
        .partition(|finding| super::advice::already_on_base(input, finding));
    brought.sort_by_key(|finding| finding.severity != Severity::Error);
    for finding in brought.iter().take(MAX_FINDINGS) {
        blocks.extend(finding_blocks(input, finding, false, &mut explained));
    }
    if brought.len() > MAX_FINDINGS {
        blocks.push(Block::Paragraph(format!(
            "… and {} more findings this merge brings: run `alembic-doctor compare` for all of them.",
            brought.len() - MAX_FINDINGS
        )));
    }
    if !inherited.is_empty() {
        blocks.push(inherited_block(input, &inherited));
    }
    blocks.extend(comparison_problems(comparison, &mut explained));
    if blocks.is_empty() {
        blocks.push(Block::Paragraph(format!(
            "✅ No problems found: every rule ran on the merged chain of {} and reported nothing.",
            super::doc::plural(
                merged.project.map.revisions().len(),
                "revision",
                "revisions"
            )
        )));
    }
    Section::new("problems", "Problems Found", blocks)
}

/// BASE's own findings, each on one line, folded: the merge inherits
/// them, the branch does not cause them, and BASE's own pull request is
/// where they are fixed.
fn inherited_block(input: &StatusInput<'_>, inherited: &[&Finding]) -> Block {
    let comparison = input.comparison;
    let project = &comparison.merged.project;
    let mut ordered = inherited.to_vec();
    ordered.sort_by_key(|finding| finding.severity != Severity::Error);
    let mut items: Vec<Item> = ordered
        .iter()
        .take(MAX_FINDINGS)
        .map(|finding| {
            let icon = match finding.severity {
                Severity::Error => "❌",
                Severity::Warning => "⚠️",
            };
            let at = where_found(project, finding)
                .map(|found| format!(" ({})", places(std::slice::from_ref(&found))))
                .unwrap_or_default();
            Item::new(format!(
                "{icon} {}{at}: {}",
                code(finding.rule.name()),
                finding.message
            ))
        })
        .collect();
    if ordered.len() > MAX_FINDINGS {
        items.push(Item::new(format!(
            "… and {} more: `alembic-doctor check` on {} lists them all",
            ordered.len() - MAX_FINDINGS,
            code(&comparison.base.label)
        )));
    }
    let errors = ordered
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    Block::Details {
        summary: format!(
            "{} already on {}{}, not brought by this branch",
            super::doc::plural(ordered.len(), "finding", "findings"),
            code(&comparison.base.label),
            if errors > 0 {
                format!(" ({})", super::doc::plural(errors, "error", "errors"))
            } else {
                String::new()
            }
        ),
        blocks: vec![Block::List {
            ordered: false,
            items,
        }],
        in_text: true,
    }
}

fn finding_blocks(
    input: &StatusInput<'_>,
    finding: &Finding,
    inherited: bool,
    explained: &mut Vec<Rule>,
) -> Vec<Block> {
    let comparison = input.comparison;
    let project = &comparison.merged.project;
    let icon = match finding.severity {
        Severity::Error => "❌",
        Severity::Warning => "⚠️",
    };
    let origin = if inherited {
        format!(" (already on {})", code(&comparison.base.label))
    } else {
        String::new()
    };
    let mut blocks = vec![Block::Heading(format!(
        "{icon} {}: {}{origin}",
        code(finding.rule.name()),
        finding.message
    ))];
    // A duplicated id's copies say which sides have them: which one is
    // deployed decides which keeps the id.
    let copies = (finding.rule == Rule::DuplicateRevision)
        .then(|| {
            let id = finding.revision.as_ref()?;
            comparison.duplicate_ids.iter().find(|d| &d.id == id)
        })
        .flatten();
    let located = |location: Location, label: &str| {
        let mut line = place(project, location, label);
        let path = project.files.get(location.file).map(|f| &f.display_path);
        if let Some(copy) = copies.and_then(|d| d.copies.iter().find(|c| Some(&c.path) == path)) {
            let sides: Vec<String> = copy
                .sides
                .iter()
                .map(|label| super::side_name_of(comparison, label))
                .collect();
            line.push_str(&format!(" (on {})", sides.join(" and ")));
        }
        line
    };
    let mut evidence = Vec::new();
    if let Some(location) = finding.location {
        evidence.push(located(location, &finding.label));
    }
    for related in &finding.related {
        evidence.push(located(related.location, &related.label));
    }
    let mut items = Vec::new();
    if !evidence.is_empty() {
        items.push(Item::with("**Evidence:**", evidence));
    }
    let planned = if inherited {
        None
    } else {
        comparison.plan.step_for(finding.rule).or_else(|| {
            // A stale header in a file the plan re-parents is rewritten by
            // that step: editing it by hand first would be undone.
            (finding.rule == Rule::HeaderMismatch)
                .then(|| where_found(project, finding))
                .flatten()
                .and_then(|(path, _)| comparison.plan.step_rewriting(&path))
        })
    };
    if let Some((number, step)) = planned {
        let commands: Vec<String> = step.commands.iter().map(|c| code(c)).collect();
        items.push(Item::new(if commands.is_empty() {
            format!("**Fix:** step {number} of the plan under Recommendations")
        } else {
            format!(
                "**Fix:** step {number} of the plan under Recommendations ({})",
                commands.join(", ")
            )
        }));
    } else if inherited {
        items.push(Item::new(format!(
            "**Fix:** on {} itself, in its own pull request; this branch does not change it",
            code(&comparison.base.label)
        )));
    } else if comparison.plan.blocked && finding.rule.scope().is_chain() {
        items.push(Item::new(format!(
            "**Fix:** after step 1 of the plan under Recommendations ({}'s chain must load first), run this report again for the commands",
            code(&comparison.base.label)
        )));
    } else if let Some(help) = help(input, finding) {
        items.push(Item::new(format!("**Fix:** {help}")));
    }
    if !items.is_empty() {
        blocks.push(Block::List {
            ordered: false,
            items,
        });
    }
    // The plan's step is the fix; the rule's general advice would only
    // repeat it less precisely. So would it after a lint finding's own fix,
    // which is written for the case at hand (and may differ from the
    // general advice: a new column filled with a constant, say).
    let own_fix = !finding.rule.scope().is_chain() && finding.help.is_some();
    if planned.is_none() && !own_fix {
        blocks.extend(explanation(finding.rule, explained));
    }
    blocks
}

/// The finding's fix: its own, except where the comparison knows better
/// (which of several heads is BASE's, and must not be re-parented).
pub(crate) fn help(input: &StatusInput<'_>, finding: &Finding) -> Option<String> {
    if finding.rule == Rule::MultipleHeads
        && let Some(help) = super::run::heads_help(input)
    {
        return Some(help);
    }
    finding.help.as_deref().map(str::to_owned)
}

/// The rule's "How to fix" paragraph, once per rule per report.
fn explanation(rule: Rule, explained: &mut Vec<Rule>) -> Option<Block> {
    if explained.contains(&rule) {
        return None;
    }
    explained.push(rule);
    let (fix, example) = how_to_fix_text(rule)?;
    let more = if example { ", with an example" } else { "" };
    let mut chars = fix.chars();
    let fix: String = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => fix,
    };
    Some(Block::Paragraph(format!(
        "How to fix (`alembic-doctor explain {}`{more}): {fix}",
        rule.name()
    )))
}

/// The `alembic-doctor fix` command that repairs a rule's findings, for the
/// rules it covers.
pub(crate) fn fix_command(rule: Rule) -> Option<&'static str> {
    match rule {
        Rule::DuplicateRevision => Some("alembic-doctor fix duplicate-ids"),
        Rule::HeaderMismatch => Some("alembic-doctor fix headers"),
        Rule::MultipleHeads => Some("alembic-doctor fix merge"),
        _ => None,
    }
}

/// The first paragraph of the "How to fix" section of the rule's
/// explanation, on one line, starting in lower case so that it reads on
/// after a colon or semicolon; when the section has an example (a code
/// block that cannot be put on one line), the second value is true.
pub(crate) fn how_to_fix_text(rule: Rule) -> Option<(String, bool)> {
    let text = rule.explanation();
    let start = text.find("## How to fix")? + "## How to fix".len();
    let rest = text[start..].trim_start();
    let end = rest.find("\n\n").unwrap_or(rest.len());
    let first = &rest[..end];
    let first = first.find("```").map_or(first, |fence| &first[..fence]);
    let fix = first.split_whitespace().collect::<Vec<_>>().join(" ");
    if fix.is_empty() {
        return None;
    }
    let example =
        fix.ends_with(':') || rest[end..].contains("```") || first.len() < rest[..end].len();
    let fix = fix.trim_end_matches(':').to_owned();
    let mut chars = fix.chars();
    let fix = match chars.next() {
        // `Alembic`, `SQL`: a name keeps its capital.
        Some(c)
            if c.is_uppercase()
                && chars.next().is_some_and(char::is_lowercase)
                && !fix.starts_with("Alembic") =>
        {
            c.to_lowercase()
                .chain(fix[c.len_utf8()..].chars())
                .collect()
        }
        _ => fix,
    };
    Some((fix, example))
}

/// [`how_to_fix_text`] with a pointer to the example, for a sentence that
/// does not already name `alembic-doctor explain`.
pub(crate) fn how_to_fix(rule: Rule) -> Option<String> {
    let (fix, example) = how_to_fix_text(rule)?;
    Some(if example {
        format!(
            "{fix} (`alembic-doctor explain {}` shows an example)",
            rule.name()
        )
    } else {
        fix
    })
}

/// The file (as displayed) and 1-based line of a finding, when it has a
/// place.
pub(crate) fn where_found(project: &Project, finding: &Finding) -> Option<(String, u32)> {
    let location = finding.location?;
    let file = project.files.get(location.file)?;
    Some((file.display_path.clone(), line_of(project, location)?))
}

/// The 1-based line a location starts on.
fn line_of(project: &Project, location: Location) -> Option<u32> {
    let file = project.files.get(location.file)?;
    Some(file.line_column(location.span.start).line)
}

/// Places grouped by file, in the order first seen: `` `a.py:3` `` or
/// `` `a.py` lines 3 and 9 ``, joined with `, `.
pub(crate) fn places(found: &[(String, u32)]) -> String {
    let mut files: Vec<(&str, Vec<u32>)> = Vec::new();
    for (path, line) in found {
        match files.iter_mut().find(|(p, _)| p == path) {
            Some((_, lines)) => lines.push(*line),
            None => files.push((path, vec![*line])),
        }
    }
    files
        .into_iter()
        .map(|(path, lines)| match lines.as_slice() {
            [one] => code(&format!("{path}:{one}")),
            [rest @ .., last] => format!(
                "{} lines {} and {last}",
                code(path),
                rest.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            [] => code(path),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `` `path:line` — label ``.
fn place(project: &Project, location: Location, label: &str) -> String {
    let (Some(file), Some(line)) = (project.files.get(location.file), line_of(project, location))
    else {
        return label.to_owned();
    };
    let at = code(&format!("{}:{line}", file.display_path));
    if label.is_empty() {
        at
    } else {
        format!("{at} — {label}")
    }
}

fn comparison_problems(comparison: &Comparison, explained: &mut Vec<Rule>) -> Vec<Block> {
    let mut blocks = Vec::new();
    for pair in &comparison.pair_conflicts {
        let [a, b] = &pair.sides;
        let mut items = Vec::new();
        if !pair.same_parent.is_empty() {
            items.push(Item::new(format!(
                "both add revisions on top of {}: merging both leaves two heads",
                super::doc::code_list(&pair.same_parent, 5)
            )));
        }
        if !pair.same_id.is_empty() {
            items.push(Item::new(format!(
                "both add {} in different files",
                super::doc::code_list(&pair.same_id, 5)
            )));
        }
        if !comparison.plan.steps.is_empty() {
            items.push(Item::new(
                "**Fix:** merge them one at a time, as the plan under Recommendations does"
                    .to_owned(),
            ));
        }
        blocks.push(Block::Heading(format!(
            "❌ {} and {} conflict with each other",
            code(a),
            code(b)
        )));
        blocks.push(Block::List {
            ordered: false,
            items,
        });
        // The plan's steps are the fix when it has them.
        if !pair.same_parent.is_empty() && comparison.plan.step_for(Rule::MultipleHeads).is_none() {
            blocks.extend(explanation(Rule::MultipleHeads, explained));
        }
        if !pair.same_id.is_empty() && comparison.plan.step_for(Rule::DuplicateRevision).is_none() {
            blocks.extend(explanation(Rule::DuplicateRevision, explained));
        }
    }
    for conflict in &comparison.merged.conflicts {
        // The simulation merges whole files, not lines: git may still merge
        // changes to different lines cleanly, so this is a warning to look,
        // not a predicted conflict.
        blocks.push(Block::Heading(format!(
            "⚠️ {} was changed on both sides",
            code(&conflict.path)
        )));
        blocks.push(super::doc::bullets([
            format!(
                "**Evidence:** {}",
                alembic_doctor_compare::conflict_description(comparison, conflict)
            ),
            format!(
                "**Fix:** check the merged file by hand (git merges changes to different lines on its own); this report used {}'s version",
                code(&conflict.side)
            ),
        ]));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_a_fix_text() {
        for rule in Rule::ALL {
            assert!(how_to_fix(*rule).is_some(), "{rule} has no `## How to fix`");
        }
    }
}
