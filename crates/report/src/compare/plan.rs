//! The plan in `compare`'s text and GitHub formats: the same ordered
//! steps the report's Recommendations give, so that whoever reads any
//! output is told the same thing; and each finding a step resolves points
//! at that step instead of its rule's general advice, which cannot know
//! which side is deployed.

use alembic_doctor_compare::{Comparison, Plan};
use alembic_doctor_rules::{Finding, Rule};

use crate::status::plain;

/// The findings, each one the comparison's plan resolves with its help
/// replaced by a pointer to that step and its commands (what BASE already
/// had is left to BASE, as the plan leaves it). `plan` names where the
/// plan is shown (`the plan below`).
pub fn findings_with_plan(
    comparison: &Comparison,
    findings: &[Finding],
    plan: &str,
) -> Vec<Finding> {
    findings
        .iter()
        .map(|finding| {
            let mut finding = finding.clone();
            if comparison.is_inherited(&finding) {
                return finding;
            }
            // A fix of the chain waits for the base's chain to load; what
            // a migration does to a database does not.
            if comparison.plan.blocked && finding.rule.scope().is_chain() {
                // Its fix would fail until the base's chain loads.
                finding.help = Some(
                    format!(
                        "after step 1 of {plan} (`{}`'s chain must load first), run this again for the commands",
                        comparison.base.label
                    )
                    .into(),
                );
            } else if let Some((number, step)) =
                comparison.plan.step_for(finding.rule).or_else(|| {
                    // A stale header the plan's re-parenting rewrites.
                    (finding.rule == Rule::HeaderMismatch)
                        .then(|| comparison.finding_path(&finding))
                        .flatten()
                        .and_then(|path| comparison.plan.step_rewriting(path))
                })
            {
                let commands: Vec<String> =
                    step.commands.iter().map(|c| format!("`{c}`")).collect();
                let help = if commands.is_empty() {
                    format!("step {number} of {plan}")
                } else {
                    format!("step {number} of {plan}: {}", commands.join(", "))
                };
                finding.help = Some(help.into());
            }
            finding
        })
        .collect()
}

/// The plan as numbered lines for a terminal or an annotation: each step,
/// its commands (`$ command`), and its alternative. Empty when there is
/// nothing to do.
pub fn plan_text(plan: &Plan) -> String {
    if plan.steps.is_empty() {
        return String::new();
    }
    let mut out = format!("to fix, on {}, in this order:\n", plan.on);
    for (n, step) in plan.steps.iter().enumerate() {
        out.push_str(&format!("{:>2}. {}\n", n + 1, plain(&step.summary)));
        for command in &step.commands {
            out.push_str(&format!("      $ {command}\n"));
        }
        if let Some((why, commands)) = &step.alternative {
            out.push_str(&format!("    or, {}:\n", plain(why)));
            for command in commands {
                out.push_str(&format!("      $ {command}\n"));
            }
        }
    }
    out
}
