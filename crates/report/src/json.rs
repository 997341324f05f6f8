//! The JSON contract of `check --format json` (documented in the README;
//! later tools build on it, so fields are only ever added).

use alembic_doctor_graph::RevIdx;
use alembic_doctor_project::Project;
use alembic_doctor_rules::{Finding, Severity};
use serde_json::{Value, json};

/// The whole `check` result as one JSON object.
pub fn check_json(project: &Project, findings: &[Finding]) -> Value {
    let map = &project.map;
    let ids = |revs: &[RevIdx]| -> Vec<&str> {
        revs.iter()
            .map(|&r| map.revisions()[r].id.as_str())
            .collect()
    };
    let revisions: Vec<Value> = map
        .revisions()
        .iter()
        .enumerate()
        .map(|(rev, input)| {
            let file = project.file_of(rev);
            let docstring = file.script().and_then(|s| s.docstring.as_ref());
            let line = file.script().and_then(|s| match &s.revision {
                // The line alone needs no bytes: a file parsed from the
                // cache is then never read just to say where it starts.
                alembic_doctor_script::Variable::Bound(b) => {
                    Some(file.line_index().line_of(b.statement.start) + 1)
                }
                alembic_doctor_script::Variable::Missing => None,
            });
            json!({
                "id": input.id,
                "path": file.display_path,
                "line": line,
                "down_revisions": input.down_revisions,
                "depends_on": input.depends_on,
                "branch_labels": map.branch_labels(rev),
                "doc": docstring.map_or("", |d| d.doc.as_str()),
            })
        })
        .collect();
    let all: Vec<RevIdx> = (0..map.revisions().len()).collect();
    let merge_points: Vec<RevIdx> = all
        .iter()
        .copied()
        .filter(|&r| map.is_merge_point(r))
        .collect();
    let branch_points: Vec<RevIdx> = all
        .iter()
        .copied()
        .filter(|&r| map.is_branch_point(r))
        .collect();
    let (upgrade_order, order_error) = match map.upgrade_order() {
        Ok(order) => (Some(ids(&order)), None),
        Err(error) => (None, Some(error.to_string())),
    };
    let config_files: Vec<&std::path::PathBuf> =
        [&project.config.ini_file, &project.config.toml_file]
            .into_iter()
            .flatten()
            .collect();
    let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
    json!({
        "version": 1,
        "config_files": config_files,
        "version_locations": project.version_locations,
        "revisions": revisions,
        "heads": ids(map.heads()),
        "real_heads": ids(map.real_heads()),
        "bases": ids(map.bases()),
        "merge_points": ids(&merge_points),
        "branch_points": ids(&branch_points),
        "upgrade_order": upgrade_order,
        "upgrade_order_error": order_error,
        "findings": findings.iter().map(|f| finding_json(project, f)).collect::<Vec<_>>(),
        "summary": {
            "files": project.files.len(),
            "revisions": map.revisions().len(),
            "heads": map.heads().len(),
            "errors": count(Severity::Error),
            "warnings": count(Severity::Warning),
        },
    })
}

/// One finding as `check --format json` prints it (`rule`, `severity`,
/// `message`, `path`, `line`, `column`, `revision`, `related`, `help`).
pub fn finding_json(project: &Project, finding: &Finding) -> Value {
    let place = |location: alembic_doctor_rules::Location| {
        let file = &project.files[location.file];
        let at = file
            .line_index()
            .line_column(location.span.start, &file.bytes);
        (file.display_path.as_str(), at.line, at.column)
    };
    let (path, line, column) = match finding.location.map(place) {
        Some((path, line, column)) => (Some(path), Some(line), Some(column)),
        None => (None, None, None),
    };
    json!({
        "rule": finding.rule.name(),
        "severity": finding.severity.as_str(),
        "message": finding.message,
        "path": path,
        "line": line,
        "column": column,
        "revision": finding.revision,
        "related": finding.related.iter().map(|r| {
            let (path, line, column) = place(r.location);
            json!({"path": path, "line": line, "column": column, "message": r.label})
        }).collect::<Vec<_>>(),
        "help": finding.help,
    })
}
