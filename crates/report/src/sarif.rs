//! SARIF 2.1.0, the format GitHub code scanning (and most IDEs) import:
//! one run, the rules of the registry that produced results (with their
//! explanations as help), one result per finding with its region and the
//! related places.
//! <https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>

use std::collections::BTreeMap;
use std::path::Path;

use alembic_doctor_project::Project;
use alembic_doctor_rules::{Finding, Location, Rule, Severity};
use serde_json::{Value, json};

use crate::github::relative;

/// The SARIF log of `findings`. Paths are relative to `root` (the
/// repository root, as code scanning expects), under `%SRCROOT%`, which
/// stands for `root` on disk when `root_on_disk`. In a bare repository
/// (`root` is then the git directory, where the files are not) the base is
/// given without a `uri`: SARIF's way of saying that the producer does not
/// know where the files are checked out, for the consumer to supply.
pub fn sarif_log(
    findings: &[Finding],
    project: &Project,
    root: &Path,
    root_on_disk: bool,
) -> Value {
    // Only the rules that produced results, in registry order, so that
    // `ruleIndex` is stable for a given set of rules.
    let mut rules: BTreeMap<Rule, usize> = BTreeMap::new();
    for finding in findings {
        rules.insert(finding.rule, 0);
    }
    for (index, slot) in rules.values_mut().enumerate() {
        *slot = index;
    }
    let results: Vec<Value> = findings
        .iter()
        .map(|finding| {
            let mut result = json!({
                "ruleId": finding.rule.name(),
                "ruleIndex": rules[&finding.rule],
                "level": level(finding.severity),
                "message": { "text": message(finding) },
            });
            if let Some(location) = finding
                .location
                .and_then(|l| location(project, root, l, None))
            {
                result["locations"] = json!([location]);
            }
            let related: Vec<Value> = finding
                .related
                .iter()
                .enumerate()
                .filter_map(|(id, related)| {
                    location(project, root, related.location, Some((id, &related.label)))
                })
                .collect();
            if !related.is_empty() {
                result["relatedLocations"] = json!(related);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "alembic-doctor",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/alembic-doctor/alembic-doctor",
                    "rules": rules.keys().map(|rule| rule_json(*rule)).collect::<Vec<_>>(),
                }
            },
            "originalUriBaseIds": { "%SRCROOT%": src_root(root, root_on_disk) },
            "results": results,
        }]
    })
}

fn rule_json(rule: Rule) -> Value {
    json!({
        "id": rule.name(),
        "shortDescription": { "text": rule.headline() },
        "fullDescription": { "text": rule.summary().split_whitespace().collect::<Vec<_>>().join(" ") },
        "help": { "text": rule.explanation(), "markdown": rule.explanation() },
        "defaultConfiguration": { "level": level(rule.default_severity()) },
        "properties": { "tags": [rule.scope().as_str()] },
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The message, with the fix when there is one.
fn message(finding: &Finding) -> String {
    match &finding.help {
        Some(help) => format!("{}\nhelp: {help}", finding.message),
        None => finding.message.clone(),
    }
}

/// A SARIF location for a place in a project file; `related` gives the id
/// and label of a related location.
fn location(
    project: &Project,
    root: &Path,
    place: Location,
    related: Option<(usize, &String)>,
) -> Option<Value> {
    let file = project.files.get(place.file)?;
    let start = file.line_column(place.span.start);
    let end = file.line_column(place.span.end.max(place.span.start));
    let mut region = json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    });
    if start == end {
        region = json!({ "startLine": start.line, "startColumn": start.column });
    }
    let mut value = json!({
        "physicalLocation": {
            "artifactLocation": {
                "uri": relative(&file.path, &file.display_path, root),
                "uriBaseId": "%SRCROOT%",
            },
            "region": region,
        }
    });
    if let Some((id, label)) = related {
        value["id"] = json!(id);
        value["message"] = json!({ "text": label });
    }
    Some(value)
}

/// The `%SRCROOT%` base: `root` as a URI, or, when the files are not on
/// disk (a bare repository), no `uri` and a description instead.
fn src_root(root: &Path, root_on_disk: bool) -> Value {
    if root_on_disk {
        json!({ "uri": file_uri(root) })
    } else {
        json!({
            "description": {
                "text": "The root of the repository's tree (read from a bare repository, which has no working tree)"
            }
        })
    }
}

/// `root` as a `file://` URI ending in `/`, as SARIF requires for a base.
fn file_uri(root: &Path) -> String {
    let mut text = root.to_string_lossy().replace('\\', "/");
    if !text.ends_with('/') {
        text.push('/');
    }
    let encoded: String = text
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' | b':' => {
                char::from(byte).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        format!("file:///{encoded}")
    }
}
