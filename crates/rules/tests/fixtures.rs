//! The safety lints on fixtures, as Ruff tests its rules: each lint rule has
//! a folder `fixtures/<rule-name>/` of small Alembic histories, the ones
//! that must fire (`fires_*`) and the ones that must stay quiet (`quiet_*`),
//! each with its snapshot beside it (`<case>.snap`). Folders whose name
//! starts with `_` hold the shared history (`_base/`) and the cases about
//! behaviour rather than one rule (replay, suppression comments, scope).
//!
//! A fixture is one revision file on top of `_base/` (`<case>.py`) or a
//! directory of revision files (`<case>/`), plus an optional `env.py`; the
//! settings it is linted with are in its `# lint:` comment. The format is
//! described in `fixtures/README.md`. Adding a fixture needs no Rust edit.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use alembic_doctor_project::{LoadRequest, Project};
use alembic_doctor_rules::{
    Dialect, Environment, Finding, LintScope, LintSettings, Rule, Scope, lint,
};

/// Where the fixtures live.
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// The history every fixture is written on top of.
const BASE: &str = "_base";

/// One case: a rule's folder (or a behaviour's), the case's name, and its
/// revision files.
struct Fixture {
    folder: String,
    name: String,
    revisions: Vec<PathBuf>,
    env_py: Option<PathBuf>,
}

impl Fixture {
    /// `<folder>/<name>`, as the fixture is named in messages.
    fn label(&self) -> String {
        format!("{}/{}", self.folder, self.name)
    }
}

/// What a fixture's `# lint:` comments say.
#[derive(Default)]
struct Header {
    settings: LintSettings,
    env_lock_timeout: Option<bool>,
    lint: Option<BTreeSet<String>>,
}

fn rules(list: &str, fixture: &str) -> BTreeSet<Rule> {
    list.split(',')
        .map(|name| {
            name.parse()
                .unwrap_or_else(|error| panic!("{fixture}: {error}"))
        })
        .collect()
}

/// Read the `# lint: key=value ...` lines of the comment block each file of
/// the fixture opens with.
fn header(fixture: &Fixture) -> Header {
    let label = fixture.label();
    let mut header = Header::default();
    let mut seen = BTreeSet::new();
    for path in &fixture.revisions {
        let text = std::fs::read_to_string(path).unwrap();
        for line in text.lines().take_while(|line| line.starts_with('#')) {
            let Some(pairs) = line.strip_prefix("# lint:") else {
                continue;
            };
            for pair in pairs.split_whitespace() {
                let (key, value) = pair
                    .split_once('=')
                    .unwrap_or_else(|| panic!("{label}: `{pair}` is not key=value"));
                assert!(seen.insert(key.to_owned()), "{label}: `{key}` given twice");
                match key {
                    "dialect" => {
                        header.settings.dialect = match value {
                            "postgresql" => Dialect::Postgres,
                            "mysql" => Dialect::MySql,
                            "sqlite" => Dialect::Sqlite,
                            other => panic!("{label}: unknown dialect `{other}`"),
                        };
                    }
                    "postgres-version" => {
                        header.settings.postgres_version = value
                            .parse()
                            .unwrap_or_else(|_| panic!("{label}: `{value}` is not a version"));
                    }
                    "env-lock-timeout" => {
                        header.env_lock_timeout = Some(match value {
                            "true" => true,
                            "false" => false,
                            other => panic!("{label}: env-lock-timeout is `{other}`"),
                        });
                    }
                    "select" => header.settings.select = Some(rules(value, &label)),
                    "ignore" => header.settings.ignore = rules(value, &label),
                    "lint" => {
                        header.lint = Some(value.split(',').map(str::to_owned).collect());
                    }
                    other => panic!("{label}: unknown setting `{other}`"),
                }
            }
        }
    }
    header
}

/// The `revision = '...'` a migration file declares.
fn revision_id(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix("revision = "))
        .map_or_else(
            || panic!("{}: no `revision = ...` line", path.display()),
            |value| {
                value
                    .trim()
                    .trim_matches(|c| c == '\'' || c == '"')
                    .to_owned()
            },
        )
}

fn python_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
        .filter(|path| path.file_name().is_some_and(|name| name != "env.py"))
        .collect();
    files.sort();
    files
}

fn folders() -> Vec<String> {
    let mut folders: Vec<String> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().unwrap().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    folders
}

/// Every fixture, in folder and name order.
fn fixtures() -> Vec<Fixture> {
    let mut fixtures = Vec::new();
    for folder in folders().into_iter().filter(|folder| folder != BASE) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(Path::new(FIXTURES).join(&folder))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
            let extension = path.extension().and_then(|ext| ext.to_str());
            if path.is_dir() {
                let env_py = path.join("env.py");
                fixtures.push(Fixture {
                    folder: folder.clone(),
                    name,
                    revisions: python_files(&path),
                    env_py: env_py.exists().then_some(env_py),
                });
            } else if extension == Some("py") {
                fixtures.push(Fixture {
                    folder: folder.clone(),
                    name,
                    revisions: vec![path],
                    env_py: None,
                });
            } else {
                // Snapshots, and the ones insta writes for review.
                assert!(
                    matches!(extension, Some("snap" | "new")),
                    "{folder}/{file_name}: a fixture is a `.py` file or a directory"
                );
            }
        }
    }
    fixtures
}

/// Copy the base history and the fixture's revisions into `dir` and load
/// them as Alembic would (one versions directory).
fn load(dir: &Path, fixture: &Fixture) -> Project {
    for path in python_files(&Path::new(FIXTURES).join(BASE))
        .iter()
        .chain(&fixture.revisions)
    {
        let target = dir.join(path.file_name().unwrap());
        assert!(
            !target.exists(),
            "{}: two files named {}",
            fixture.label(),
            target.display()
        );
        std::fs::copy(path, target).unwrap();
    }
    alembic_doctor_project::load(&LoadRequest {
        cwd: dir.to_path_buf(),
        config_files: Vec::new(),
        section: "alembic".to_owned(),
        env_config: None,
        versions: vec![dir.to_path_buf()],
        recursive: false,
        display_root: None,
        operations: true,
        keep_bytes: true,
    })
    .expect("project loads")
}

/// Lint the fixture as its header says.
fn run(fixture: &Fixture) -> (Project, Vec<Finding>) {
    let label = fixture.label();
    let header = header(fixture);
    let environment = match (&fixture.env_py, header.env_lock_timeout) {
        (Some(_), Some(_)) => panic!("{label}: env.py and env-lock-timeout= both given"),
        (Some(env_py), None) => Environment::from_env_py(&std::fs::read(env_py).unwrap()),
        // Set by default, so that `missing-lock-timeout` (tested on its
        // own) does not repeat everywhere.
        (None, set) => Environment {
            env_sets_lock_timeout: set.unwrap_or(true),
        },
    };
    let ids = header.lint.unwrap_or_else(|| {
        fixture
            .revisions
            .iter()
            .map(|path| revision_id(path))
            .collect()
    });
    let dir = tempfile::tempdir().unwrap();
    let project = load(dir.path(), fixture);
    let findings = lint(
        &project,
        &header.settings,
        &LintScope::Revisions(ids),
        &environment,
    );
    (project, findings)
}

/// One finding a line, its help on the next.
fn render(project: &Project, findings: &[Finding]) -> String {
    let mut out = String::new();
    for finding in findings {
        let location = finding.location.expect("lint findings have a location");
        let file = &project.files[location.file];
        let line = file.line_index().line_of(location.span.start) + 1;
        let name = file.path.file_name().unwrap().to_string_lossy();
        let _ = writeln!(
            out,
            "{} ({}) {} {name}:{line}: {}",
            finding.rule,
            finding.severity,
            finding.revision.as_deref().unwrap_or("-"),
            finding.message
        );
        if let Some(help) = &finding.help {
            let _ = writeln!(out, "  help: {help}");
        }
    }
    if out.is_empty() {
        out.push_str("(no findings)\n");
    }
    out
}

/// What must hold of a fixture's findings whatever its snapshot says.
fn check(fixture: &Fixture, findings: &[Finding]) {
    let label = fixture.label();
    for finding in findings {
        // Every help text is filled in: a `{column}` left over from a
        // string that was meant to be formatted is a bug users see.
        // (Names known only at run time print as `{expr}`, so only the
        // placeholders the rules' own code uses are looked for.)
        if let Some(help) = &finding.help {
            for placeholder in ["{column}", "{table}", "{name}", "{index}", "{id}"] {
                assert!(
                    !help.contains(placeholder),
                    "{label}: unfilled placeholder in help: {help}"
                );
            }
        }
    }
    // In a rule's folder, `fires_*` reports the rule and `quiet_*` does not.
    if let Ok(rule) = fixture.folder.parse::<Rule>() {
        let fired = findings.iter().any(|finding| finding.rule == rule);
        if fixture.name.starts_with("fires_") {
            assert!(fired, "{label}: `{rule}` does not fire");
        } else if fixture.name.starts_with("quiet_") {
            assert!(!fired, "{label}: `{rule}` fires");
        } else {
            panic!("{label}: a rule's fixture is named `fires_*` or `quiet_*`");
        }
    }
}

fn rule_names(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|finding| finding.rule.name()).collect()
}

#[test]
fn fixtures_match_their_snapshots() {
    let fixtures = fixtures();
    let mut failed = Vec::new();
    let mut by_op_call = Vec::new();
    for fixture in &fixtures {
        let outcome = std::panic::catch_unwind(|| {
            let (project, findings) = run(fixture);
            check(fixture, &findings);
            insta::with_settings!({
                snapshot_path => Path::new("fixtures").join(&fixture.folder),
                prepend_module_to_snapshot => false,
                description => fixture.label(),
                omit_expression => true,
            }, {
                insta::assert_snapshot!(fixture.name.as_str(), render(&project, &findings));
            });
            rule_names(&findings)
        });
        match outcome {
            Ok(rules) => {
                if let Some(case) = fixture.name.strip_suffix("_op_call") {
                    by_op_call.push((fixture.folder.clone(), case.to_owned(), rules));
                }
            }
            Err(_) => failed.push(fixture.label()),
        }
    }
    assert!(failed.is_empty(), "fixtures failing: {failed:#?}");
    // `<case>_op_call` and `<case>_raw_sql`: the same change written as an
    // `op` call and as SQL in `op.execute` gets the same findings.
    for (folder, case, rules) in by_op_call {
        let raw_sql = fixtures
            .iter()
            .find(|fixture| fixture.folder == folder && fixture.name == format!("{case}_raw_sql"))
            .unwrap_or_else(|| panic!("{folder}/{case}_op_call has no {case}_raw_sql"));
        let (_, findings) = run(raw_sql);
        assert_eq!(
            rules,
            rule_names(&findings),
            "{folder}/{case}: op call and raw SQL"
        );
    }
}

/// The safety lints (not the chain's rules, nor the comparison's and the
/// database's).
fn lint_rules() -> impl Iterator<Item = Rule> {
    Rule::ALL
        .iter()
        .copied()
        .filter(|rule| !rule.scope().is_chain() && rule.scope() != Scope::Database)
}

/// A new rule without fixtures fails here; so does a folder named after no
/// rule.
#[test]
fn every_lint_rule_has_fixtures_that_fire_and_stay_quiet() {
    let fixtures = fixtures();
    for rule in lint_rules() {
        for prefix in ["fires_", "quiet_"] {
            assert!(
                fixtures.iter().any(
                    |fixture| fixture.folder == rule.name() && fixture.name.starts_with(prefix)
                ),
                "`{rule}` has no `{prefix}*` fixture in fixtures/{rule}/"
            );
        }
    }
    for folder in folders() {
        if folder.starts_with('_') {
            continue;
        }
        let rule: Rule = folder
            .parse()
            .unwrap_or_else(|error| panic!("fixtures/{folder}/: {error}"));
        assert!(
            lint_rules().any(|lint_rule| lint_rule == rule),
            "fixtures/{folder}/: `{rule}` is not a safety lint"
        );
    }
}
