//! The JSON contract of `compare --format json` (documented in the README;
//! fields are only ever added).

use serde_json::{Value, json};

use alembic_doctor_compare::{Comparison, Differences, Plan, RevisionChange, Side, Start};

/// The plan as the JSON contracts have it: `on`, `blocked` (the base
/// branch's own problem stops the plan at its first step) and `steps`, each
/// `kind`, `summary`, `commands`, `alternative` and `rules`.
pub fn plan_json(plan: &Plan) -> Value {
    json!({
        "on": plan.on,
        "blocked": plan.blocked,
        "steps": plan.steps.iter().map(|step| json!({
            "kind": step.kind.as_str(),
            "summary": step.summary,
            "commands": step.commands,
            "alternative": step.alternative.as_ref().map(|(why, commands)| json!({
                "summary": why,
                "commands": commands,
            })),
            "rules": step.rules.iter().map(|rule| rule.name()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// The whole comparison as one JSON object, the path from `start`: `from`
/// is `--from` (as given; `from_revisions` has the full ids it resolves to,
/// or those of the database's rows the merged chain knows), `database` the
/// database read, when the path starts there.
pub fn comparison_json(comparison: &Comparison, start: &Start) -> Value {
    let changes = |pick: fn(&Differences) -> &Vec<RevisionChange>| -> Vec<Value> {
        comparison
            .differences
            .iter()
            .flat_map(|d| pick(d).iter().map(change_json))
            .collect()
    };
    let merged = &comparison.merged;
    let (upgrade_order, upgrade_order_error) = split(merged.upgrade_order());
    let (path, path_error) = split(comparison.path(start));
    let map = &merged.project.map;
    let full_ids = |symbol: &str| {
        map.resolve(symbol).map_or_else(
            |_| Vec::new(),
            |revs| {
                revs.iter()
                    .map(|&rev| map.revisions()[rev].id.clone())
                    .collect::<Vec<_>>()
            },
        )
    };
    let from_revisions = match start {
        Start::BaseHeads => None,
        Start::Revision(symbol) => Some(full_ids(symbol)),
        Start::Database(state) => Some(state.rows.iter().flat_map(|row| full_ids(row)).collect()),
    };
    json!({
        "version": 1,
        "base": side_json(&comparison.base, None),
        "heads": comparison.heads.iter().zip(&comparison.differences)
            .map(|(side, diff)| side_json(side, Some(diff)))
            .collect::<Vec<_>>(),
        "new_revisions": changes(|d| &d.new),
        "removed_revisions": changes(|d| &d.removed),
        "edited_revisions": changes(|d| &d.edited),
        "renamed_revisions": changes(|d| &d.renamed),
        "extends_base_head": comparison.extends_base_head(),
        "plan": plan_json(&comparison.plan),
        "duplicate_ids": comparison.duplicate_ids.iter().map(|dup| json!({
            "id": dup.id,
            "files": dup.copies.iter()
                .map(|copy| json!({"side": copy.sides.join(", "), "sides": copy.sides, "path": copy.path}))
                .collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "conflicts": comparison.pair_conflicts.iter().map(|pair| json!({
            "sides": pair.sides,
            "same_parent": pair.same_parent,
            "same_id": pair.same_id,
        })).collect::<Vec<_>>(),
        "merged": {
            "heads": merged.heads(),
            "bases": merged.bases(),
            "upgrade_order": upgrade_order,
            "upgrade_order_error": upgrade_order_error,
            "findings": merged.findings.iter()
                .map(|f| crate::finding_json(&merged.project, f))
                .collect::<Vec<_>>(),
            "file_conflicts": merged.conflicts.iter().map(|c| json!({
                "path": c.path, "side": c.side, "reason": c.reason(),
            })).collect::<Vec<_>>(),
        },
        "from": start.revision(),
        "from_revisions": from_revisions,
        "database": start.database().map(|state| json!({
            "url": state.url,
            "url_origin": state.origin,
            "dialect": state.dialect,
            "version_table": state.version_table,
            "current": state.rows,
            "unknown": state.rows.iter()
                .filter(|row| full_ids(row).is_empty())
                .collect::<Vec<_>>(),
        })),
        "path": path,
        "path_error": path_error,
        "notes": comparison.notes.iter().map(revision_notes_json).collect::<Vec<_>>(),
        "pending_notes": comparison.pending_notes.iter().map(revision_notes_json).collect::<Vec<_>>(),
    })
}

/// One revision's notes.
fn revision_notes_json(revision: &alembic_doctor_compare::RevisionNotes) -> Value {
    json!({
        "revision": revision.id,
        "path": revision.path,
        "side": revision.side,
        "message": revision.message,
        "rollback": revision.rollback.as_str(),
        "notes": revision.notes.iter().map(|note| json!({
            "code": note.code,
            "level": note.level.as_str(),
            "message": note.message,
            "line": note.line,
        })).collect::<Vec<_>>(),
    })
}

/// `Ok` into the first slot, `Err` into the second.
fn split(result: Result<Vec<String>, String>) -> (Option<Vec<String>>, Option<String>) {
    match result {
        Ok(value) => (Some(value), None),
        Err(error) => (None, Some(error)),
    }
}

fn side_json(side: &Side, diff: Option<&Differences>) -> Value {
    let map = &side.project.map;
    let mut value = json!({
        "ref": side.label,
        "commit": side.rev.as_ref().map(alembic_doctor_git::ResolvedRev::commit_id),
        "revisions": map.revisions().len(),
        "roots": side.ids(map.bases()),
        "heads": side.ids(map.heads()),
        "merges": side.merges(),
    });
    if let (Some(diff), Value::Object(object)) = (diff, &mut value) {
        object.insert("extends_base_head".into(), diff.extends_base_head.into());
        object.insert("starts_from".into(), json!(diff.starts_from));
    }
    value
}

fn change_json(change: &RevisionChange) -> Value {
    json!({
        "id": change.id,
        "path": change.path,
        "base_path": change.base_path,
        "side": change.side,
    })
}
