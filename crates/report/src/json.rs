//! The JSON contract of `check --format json` (documented in the README;
//! later tools build on it, so fields are only ever added).

use alembic_doctor_graph::RevIdx;
use alembic_doctor_project::Project;
use alembic_doctor_rules::{Finding, Severity};
use std::path::PathBuf;

use std::io::{self, Write};

use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::pretty::{self, Object};
use crate::pretty_by_hand;

/// What `check` found by comparing with the base branch: the `base`
/// object, and the findings of the simulated merge (written against the
/// merged project, and marked `after_merging`), which follow the working
/// tree's own.
pub struct CheckBaseJson<'a> {
    /// The `base` object.
    pub base: Value,
    /// The merged project and the merge's findings that concern the branch.
    pub findings: Option<(&'a Project, &'a [Finding])>,
    /// How many chain warnings on unchanged revisions were left out of
    /// `findings` (the changed-since-base scope; `--all` shows them).
    pub hidden_warnings: usize,
}

/// The whole `check` result as one JSON object, with the safety lints'
/// part (`lint`) and the comparison with the base branch (`base`) beside
/// it. Every finding has `after_merging`: `false` for the working tree's
/// own, `true` for those of the simulated merge with the base branch.
///
/// Written straight from the project as it is serialized: on a project of
/// 100,000 revisions a `serde_json::Value` tree of the revisions cost a
/// quarter of a second and a hundred megabytes, most of it in maps. Fields
/// are written in alphabetical order, the order a `Value` object prints
/// its keys in, so the output is the same either way (a test reads it back
/// and prints it again).
pub fn check_json<'a>(
    project: &'a Project,
    findings: &'a [Finding],
    lint: Value,
    base: CheckBaseJson<'a>,
) -> CheckJson<'a> {
    let map = &project.map;
    let all = 0..map.revisions().len();
    let merge_points: Vec<RevIdx> = all.clone().filter(|&r| map.is_merge_point(r)).collect();
    let branch_points: Vec<RevIdx> = all.filter(|&r| map.is_branch_point(r)).collect();
    let (upgrade_order, upgrade_order_error) = match map.upgrade_order() {
        Ok(order) => (Some(Ids(project, order)), None),
        Err(error) => (None, Some(error.to_string())),
    };
    let merge = base.findings.unwrap_or((project, &[]));
    let count = |severity| {
        findings
            .iter()
            .chain(merge.1)
            .filter(|f| f.severity == severity)
            .count()
    };
    CheckJson {
        base: base.base,
        bases: Ids(project, map.bases().to_vec()),
        branch_points: Ids(project, branch_points),
        config_files: [&project.config.ini_file, &project.config.toml_file]
            .into_iter()
            .flatten()
            .collect(),
        findings: Findings {
            own: (project, findings),
            merge,
        },
        heads: Ids(project, map.heads().to_vec()),
        lint,
        merge_points: Ids(project, merge_points),
        real_heads: Ids(project, map.real_heads().to_vec()),
        revisions: Revisions(project),
        summary: Summary {
            errors: count(Severity::Error),
            files: project.files.len(),
            heads: map.heads().len(),
            hidden_warnings: base.hidden_warnings,
            revisions: map.revisions().len(),
            warnings: count(Severity::Warning),
        },
        upgrade_order,
        upgrade_order_error,
        version: 1,
        version_locations: &project.version_locations,
    }
}

/// The top-level object (keys in alphabetical order: see [`check_json`]).
pub struct CheckJson<'a> {
    base: Value,
    bases: Ids<'a>,
    branch_points: Ids<'a>,
    config_files: Vec<&'a PathBuf>,
    findings: Findings<'a>,
    heads: Ids<'a>,
    lint: Value,
    merge_points: Ids<'a>,
    real_heads: Ids<'a>,
    revisions: Revisions<'a>,
    summary: Summary,
    upgrade_order: Option<Ids<'a>>,
    upgrade_order_error: Option<String>,
    version: u32,
    version_locations: &'a [PathBuf],
}

impl CheckJson<'_> {
    /// Write it as pretty JSON, as `serde_json::to_writer_pretty` would,
    /// with the findings (most of a long history's output) rendered on
    /// several threads.
    pub fn write_pretty<W: Write>(&self, out: &mut W) -> io::Result<()> {
        let mut object = Object::begin(out)?;
        object.field("base", &self.base)?;
        object.field("bases", &self.bases)?;
        object.field("branch_points", &self.branch_points)?;
        object.field("config_files", &self.config_files)?;
        object.key("findings")?;
        self.findings.write_pretty(object.out, 1)?;
        object.field("heads", &self.heads)?;
        object.field("lint", &self.lint)?;
        object.field("merge_points", &self.merge_points)?;
        object.field("real_heads", &self.real_heads)?;
        object.key("revisions")?;
        self.revisions.write_pretty(object.out, 1)?;
        object.field("summary", &self.summary)?;
        object.field("upgrade_order", &self.upgrade_order)?;
        object.field("upgrade_order_error", &self.upgrade_order_error)?;
        object.field("version", &self.version)?;
        object.field("version_locations", &self.version_locations)?;
        object.end()
    }
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    files: usize,
    heads: usize,
    /// Chain warnings on unchanged revisions, counted in neither `errors`
    /// nor `warnings`.
    hidden_warnings: usize,
    revisions: usize,
    warnings: usize,
}

/// Revisions written as their ids.
struct Ids<'a>(&'a Project, Vec<RevIdx>);

impl Serialize for Ids<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let revisions = self.0.map.revisions();
        serializer.collect_seq(self.1.iter().map(|&rev| revisions[rev].id.as_str()))
    }
}

/// Every revision, each written as it is reached.
struct Revisions<'a>(&'a Project);

impl Revisions<'_> {
    /// Revision `rev` as JSON.
    fn json(&self, rev: RevIdx) -> RevisionJson<'_> {
        let project = self.0;
        let map = &project.map;
        let input = &map.revisions()[rev];
        let file = project.file_of(rev);
        let script = file.script();
        RevisionJson {
            branch_labels: map.branch_labels(rev),
            depends_on: &input.depends_on,
            doc: script
                .and_then(|s| s.docstring.as_ref())
                .map_or("", |d| d.doc.as_str()),
            down_revisions: &input.down_revisions,
            id: &input.id,
            line: script.and_then(|s| match &s.revision {
                // The line alone needs no bytes: a file parsed from the
                // cache is then never read just to say where it starts.
                alembic_doctor_script::Variable::Bound(b) => {
                    Some(file.line_index().line_of(b.statement.start) + 1)
                }
                alembic_doctor_script::Variable::Missing => None,
            }),
            path: &file.display_path,
        }
    }

    /// The array at `depth`, rendered on the pool (a long history's
    /// revisions are the largest part of the output after its findings).
    fn write_pretty<W: Write>(&self, out: &mut W, depth: usize) -> io::Result<()> {
        pretty::write_array(
            out,
            depth,
            self.0.map.revisions().len(),
            |text, depth, rev| {
                self.json(rev).write_pretty(text, depth);
                Ok(())
            },
        )
    }
}

impl Serialize for Revisions<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((0..self.0.map.revisions().len()).map(|rev| self.json(rev)))
    }
}

/// One revision (keys in alphabetical order: see [`check_json`]).
#[derive(Serialize)]
struct RevisionJson<'a> {
    branch_labels: &'a [String],
    depends_on: &'a [String],
    doc: &'a str,
    down_revisions: &'a [String],
    id: &'a str,
    line: Option<usize>,
    path: &'a str,
}

impl RevisionJson<'_> {
    /// As pretty JSON at `depth`, as `serde_json` writes it (see
    /// [`pretty_by_hand`]).
    fn write_pretty(&self, out: &mut Vec<u8>, depth: usize) {
        pretty_by_hand::object(out, depth, |fields| {
            fields.strings("branch_labels", self.branch_labels);
            fields.strings("depends_on", self.depends_on);
            fields.str("doc", self.doc);
            fields.strings("down_revisions", self.down_revisions);
            fields.str("id", self.id);
            fields.opt_number("line", self.line.map(|line| line as u64));
            fields.str("path", self.path);
        });
    }
}

/// The working tree's findings (`after_merging: false`), then the
/// merge's (`true`), each against its own project; written one by one.
struct Findings<'a> {
    own: (&'a Project, &'a [Finding]),
    merge: (&'a Project, &'a [Finding]),
}

impl Findings<'_> {
    /// The array at `depth`.
    fn write_pretty<W: Write>(&self, out: &mut W, depth: usize) -> io::Result<()> {
        let (own, merge) = (self.own, self.merge);
        pretty::write_array(out, depth, own.1.len() + merge.1.len(), |text, depth, i| {
            let finding = match own.1.get(i) {
                Some(finding) => FindingJson::new(own.0, finding, Some(false)),
                None => FindingJson::new(merge.0, &merge.1[i - own.1.len()], Some(true)),
            };
            finding.write_pretty(text, depth);
            Ok(())
        })
    }
}

/// One finding as `check --format json` prints it (`rule`, `severity`,
/// `message`, `path`, `line`, `column`, `revision`, `related`, `help`).
pub fn finding_json(project: &Project, finding: &Finding) -> Value {
    serde_json::to_value(FindingJson::new(project, finding, None))
        .expect("a finding serializes to JSON")
}

/// One finding, borrowed from it (keys in alphabetical order, as a `Value`
/// object prints them: see [`check_json`]).
#[derive(Serialize)]
struct FindingJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    after_merging: Option<bool>,
    column: Option<u32>,
    help: Option<&'a str>,
    line: Option<u32>,
    message: &'a str,
    path: Option<&'a str>,
    related: Vec<RelatedJson<'a>>,
    revision: &'a Option<String>,
    rule: &'static str,
    severity: &'static str,
}

impl FindingJson<'_> {
    /// As pretty JSON at `depth`, as `serde_json` writes it (see
    /// [`pretty_by_hand`]).
    fn write_pretty(&self, out: &mut Vec<u8>, depth: usize) {
        pretty_by_hand::object(out, depth, |fields| {
            if let Some(after_merging) = self.after_merging {
                fields.bool("after_merging", after_merging);
            }
            fields.opt_number("column", self.column.map(u64::from));
            fields.opt_str("help", self.help);
            fields.opt_number("line", self.line.map(u64::from));
            fields.str("message", self.message);
            fields.opt_str("path", self.path);
            fields.array("related", &self.related, |out, depth, related| {
                pretty_by_hand::object(out, depth, |fields| {
                    fields.number("column", u64::from(related.column));
                    fields.number("line", u64::from(related.line));
                    fields.str("message", related.message);
                    fields.str("path", related.path);
                });
            });
            fields.opt_str("revision", self.revision.as_deref());
            fields.str("rule", self.rule);
            fields.str("severity", self.severity);
        });
    }
}

/// A finding's other place (keys in alphabetical order).
#[derive(Serialize)]
struct RelatedJson<'a> {
    column: u32,
    line: u32,
    message: &'a str,
    path: &'a str,
}

impl<'a> FindingJson<'a> {
    fn new(project: &'a Project, finding: &'a Finding, after_merging: Option<bool>) -> Self {
        let place = |location: alembic_doctor_rules::Location| {
            let file = &project.files[location.file];
            let at = file.line_column(location.span.start);
            (file.display_path.as_str(), at.line, at.column)
        };
        let (path, line, column) = match finding.location.map(place) {
            Some((path, line, column)) => (Some(path), Some(line), Some(column)),
            None => (None, None, None),
        };
        FindingJson {
            after_merging,
            column,
            help: finding.help.as_deref(),
            line,
            message: &finding.message,
            path,
            related: finding
                .related
                .iter()
                .map(|related| {
                    let (path, line, column) = place(related.location);
                    RelatedJson {
                        column,
                        line,
                        message: &related.label,
                        path,
                    }
                })
                .collect(),
            revision: &finding.revision,
            rule: finding.rule.name(),
            severity: finding.severity.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written JSON of a finding and of a revision is what their
    /// `Serialize` derives write (every field, in order, each optional one
    /// present and absent), so that the two cannot drift apart.
    #[test]
    fn findings_and_revisions_by_hand_are_their_derived_json() {
        let revision = Some("a1b2c3d4e5f6".to_owned());
        let findings = [
            FindingJson {
                after_merging: Some(true),
                column: Some(5),
                help: Some("run `alembic merge heads`, then \"check\""),
                line: Some(22),
                message: "revision `a1b2` has\ttwo \\ parents",
                path: Some("migrations/versions/a1b2_x.py"),
                related: vec![
                    RelatedJson {
                        column: 1,
                        line: 3,
                        message: "first",
                        path: "a.py",
                    },
                    RelatedJson {
                        column: 7,
                        line: 9,
                        message: "sécond\n",
                        path: "b.py",
                    },
                ],
                revision: &revision,
                rule: "multiple-heads",
                severity: "error",
            },
            FindingJson {
                after_merging: None,
                column: None,
                help: None,
                line: None,
                message: "",
                path: None,
                related: Vec::new(),
                revision: &None,
                rule: "missing-lock-timeout",
                severity: "warning",
            },
        ];
        let labels = ["core".to_owned(), "x\"y".to_owned()];
        let parents = ["aaa".to_owned()];
        let revisions = [
            RevisionJson {
                branch_labels: &labels,
                depends_on: &[],
                doc: "add a column\n\nwith a body",
                down_revisions: &parents,
                id: "bbb",
                line: Some(12),
                path: "migrations/versions/bbb.py",
            },
            RevisionJson {
                branch_labels: &[],
                depends_on: &parents,
                doc: "",
                down_revisions: &[],
                id: "aaa",
                line: None,
                path: "aaa.py",
            },
        ];
        for depth in [0, 2] {
            for finding in &findings {
                let mut ours = Vec::new();
                finding.write_pretty(&mut ours, depth);
                assert_eq!(String::from_utf8(ours).unwrap(), derived(finding, depth));
            }
            for revision in &revisions {
                let mut ours = Vec::new();
                revision.write_pretty(&mut ours, depth);
                assert_eq!(String::from_utf8(ours).unwrap(), derived(revision, depth));
            }
        }
    }

    /// `value` as its `Serialize` derive writes it at `depth`.
    fn derived(value: &impl Serialize, depth: usize) -> String {
        let mut text = Vec::new();
        pretty::write_at(&mut text, depth, value).unwrap();
        String::from_utf8(text).unwrap()
    }
}
