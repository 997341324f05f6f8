//! Running alembic-doctor and judging its output against the oracle's.
//!
//! The rules, in order:
//! * Alembic failed (FAILED:, traceback, usage error) or warned (duplicate
//!   id, missing parent): alembic-doctor must exit non-zero, and its stderr
//!   should name the same offending revision / file / argument.
//! * Alembic succeeded: alembic-doctor must exit 0 with the same stdout,
//!   after canonicalising the spots where Alembic follows hash order (see
//!   [`canonical`]).
//! * `check --format json`: valid JSON; `upgrade_order`, `heads`,
//!   `real_heads` and `bases` equal Alembic's; planted defects reported at the
//!   right file; no error-class finding on a project Alembic accepts; some
//!   error finding on a project Alembic rejects.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use crate::generator::Case;
use crate::oracle::{CaseResult, Graph, OracleResult};

/// One run of the binary.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// None: killed after the timeout, or ended by a signal.
    pub code: Option<i32>,
    pub timed_out: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs alembic-doctor in `dir` with a timeout (a hang is a finding, not a
/// stuck test run), with its parse cache in `cache_dir` (never the user's).
pub fn run_binary(
    bin: &Path,
    dir: &Path,
    args: &[String],
    timeout: Duration,
    cache_dir: &Path,
) -> Outcome {
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .env_remove("ALEMBIC_CONFIG")
        .env_remove("ALEMBIC_DOCTOR_NO_CACHE")
        .env("ALEMBIC_DOCTOR_CACHE_DIR", cache_dir)
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    let (tx, rx) = mpsc::channel();
    let mut pipes: Vec<Box<dyn Read + Send>> = vec![
        Box::new(child.stdout.take().expect("piped")),
        Box::new(child.stderr.take().expect("piped")),
    ];
    for (k, mut pipe) in pipes.drain(..).enumerate() {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            let _ = tx.send((k, buf));
        });
    }
    drop(tx);
    let mut bufs = [Vec::new(), Vec::new()];
    let deadline = std::time::Instant::now() + timeout;
    let mut timed_out = false;
    for _ in 0..2 {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if let Ok((k, buf)) = rx.recv_timeout(left) {
            bufs[k] = buf;
        } else {
            timed_out = true;
            let _ = child.kill();
            break;
        }
    }
    let status = child.wait().expect("wait for alembic-doctor");
    let [out, err] = bufs;
    Outcome {
        code: if timed_out { None } else { status.code() },
        timed_out,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned(),
    }
}

// ---------------------------------------------------------------------------
// Canonicalisation of Alembic's hash-ordered output
// ---------------------------------------------------------------------------

/// Sorts the comma-separated items of `list` when there are two or more.
fn sort_items(list: &str) -> String {
    let mut items: Vec<&str> = list.split(", ").collect();
    items.sort_unstable();
    items.join(", ")
}

/// Sorts every parenthesised group whose items are all branch labels
/// (Alembic prints a revision's labels from a `set`).
fn sort_label_groups(line: &str, labels: &BTreeSet<String>) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')').map(|c| open + c) else {
            break;
        };
        let inner = &rest[open + 1..close];
        out.push_str(&rest[..=open]);
        let items: Vec<&str> = inner.split(", ").collect();
        if items.len() >= 2 && items.iter().all(|i| labels.contains(*i)) {
            out.push_str(&sort_items(inner));
        } else {
            out.push_str(inner);
        }
        out.push(')');
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// A child line of a `branches` block: `<spaces> -> child...`.
fn is_branch_child(line: &str) -> bool {
    line.starts_with(' ') && line.trim_start().starts_with("-> ")
}

/// Sorts the children of every `branches` block. A child is its `-> ` line
/// plus the lines that follow it up to the next child or the blank line that
/// ends the block: with `-v` each child carries its doc, whose first
/// paragraph may span several lines (it never contains a blank line, since
/// `Script.doc` is cut at the first `"\n\n"`).
fn sort_branch_children(lines: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(lines.len());
    let mut children: Vec<Vec<String>> = Vec::new();
    let flush = |children: &mut Vec<Vec<String>>, out: &mut Vec<String>| {
        children.sort();
        out.extend(children.drain(..).flatten());
    };
    for line in lines {
        if is_branch_child(&line) {
            children.push(vec![line]);
        } else if line.is_empty() || children.is_empty() {
            flush(&mut children, &mut out);
            out.push(line);
        } else {
            children.last_mut().expect("non-empty").push(line);
        }
    }
    flush(&mut children, &mut out);
    out
}

/// The text with every hash-order spot put in a fixed order:
/// * `Branches into:` (from a frozenset) and `Branch names:` (a set): items
///   sorted;
/// * label parentheses `(a, b)`: items sorted;
/// * `branches`: each block's child lines sorted;
/// * `history`/`branches` of a project where one revision has two or more
///   normalized dependencies (Alembic orders those through a `set`): all
///   lines sorted, i.e. compared as a multiset.
pub fn canonical(
    command: &[String],
    text: &str,
    labels: &BTreeSet<String>,
    hash_dependent: bool,
) -> String {
    let mut lines: Vec<String> = text
        .split('\n')
        .map(|line| {
            if let Some(rest) = line.strip_prefix("Branches into: ") {
                format!("Branches into: {}", sort_items(rest))
            } else if let Some(rest) = line.strip_prefix("Branch names: ") {
                format!("Branch names: {}", sort_items(rest))
            } else {
                sort_label_groups(line, labels)
            }
        })
        .collect();
    let sub = subcommand(command);
    if sub == "branches" {
        lines = sort_branch_children(lines);
    }
    if hash_dependent && (sub == "history" || sub == "branches") {
        lines.sort();
    }
    lines.join("\n")
}

/// The subcommand in an argument list that may start with global options.
pub fn subcommand(args: &[String]) -> &str {
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if matches!(a, "-c" | "--config" | "-n" | "--name") {
            i += 2;
        } else if a.starts_with('-') {
            i += 1;
        } else {
            return a;
        }
    }
    ""
}

// ---------------------------------------------------------------------------
// Mismatches
// ---------------------------------------------------------------------------

/// What went wrong, for grouping in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Both succeeded, stdout differs.
    Stdout,
    /// Alembic failed or warned, alembic-doctor exited 0.
    ShouldFail,
    /// Alembic succeeded, alembic-doctor failed.
    ShouldSucceed,
    /// Both failed, but alembic-doctor's stderr does not name the offender.
    ErrorMissesOffender,
    /// Exit code other than 0, 1, 2 (a panic is 101), or killed.
    Crash,
    Timeout,
    UpgradeOrder,
    /// `heads` / `real_heads` / `bases` in `check --format json`.
    GraphFacts,
    /// `check --format json` output is not a JSON object.
    CheckOutput,
    /// A planted defect is not reported (or not at its file).
    MissedDefect,
    /// An error-class finding on a project Alembic loads cleanly.
    FalsePositive,
    /// Alembic rejects the project but `check` reports no error.
    CheckMissedFailure,
    /// The generator meant the project to be valid but Alembic disagrees:
    /// a bug in this harness, not in alembic-doctor.
    Generator,
    /// Tolerated, reported for information only: Alembic answered this
    /// command on a project that is broken in a way Alembic does not notice
    /// (a planted cycle its cycle detection misses, then `history` loops
    /// forever; a `depends_on` on a descendant; an id named `heads`), and
    /// alembic-doctor refused to answer.
    RefusedBrokenProject,
}

impl Kind {
    /// Counted, but does not fail the test.
    pub fn tolerated(self) -> bool {
        self == Kind::RefusedBrokenProject
    }
}

#[derive(Debug, Clone)]
pub struct Mismatch {
    pub seed: u64,
    pub dir: String,
    pub summary: String,
    /// The command line as typed, e.g. `alembic-doctor history -r base:a1`.
    pub command: String,
    pub kind: Kind,
    pub detail: String,
}

pub struct Context<'a> {
    pub case: &'a Case,
    pub dir: &'a Path,
    pub oracle: &'a CaseResult,
}

impl Context<'_> {
    fn mismatch(&self, args: &[String], kind: Kind, detail: String) -> Mismatch {
        Mismatch {
            seed: self.case.seed,
            dir: self.dir.display().to_string(),
            summary: self.case.summary.clone(),
            command: format!("alembic-doctor {}", shell_words(args)),
            kind,
            detail,
        }
    }
}

fn shell_words(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || "'\"$@:()".contains(c)) {
                format!("'{}'", a.replace('\'', "'\\''"))
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text between `prefix` and the next `end` in `text`.
fn between<'t>(text: &'t str, prefix: &str, end: char) -> Option<&'t str> {
    let start = text.find(prefix)? + prefix.len();
    let rest = &text[start..];
    rest.find(end).map(|stop| &rest[..stop])
}

/// Strings from Alembic's error or warnings that a good error message names:
/// the revision id, label, file name or argument at fault.
fn offenders(r: &OracleResult) -> Vec<String> {
    let mut out: Vec<&str> = Vec::new();
    for w in &r.warnings {
        // "Revision X is present more than once",
        // "Revision X referenced from ... is not present".
        out.extend(between(w, "Revision ", ' '));
    }
    if let Some(e) = &r.error {
        out.extend(between(e, "KeyError: '", '\''));
        out.extend(between(e, "revision identifier '", '\''));
        out.extend(between(e, "from filename ", ' ').map(|f| f.trim_end_matches('.')));
        out.extend(between(e, "Branch name '", '\''));
        out.extend(between(e, "identified by '", '\''));
        out.extend(between(e, "Requested revision ", ' '));
        // "(Dependency )Self-loop / (Dependency )Cycle is detected in
        // revisions (a, b, c)": naming any member is enough.
        if let Some(list) = between(e, "is detected in revisions (", ')') {
            out.extend(list.split(", "));
        }
        // "SyntaxError: invalid syntax (name.py, line 3)".
        if (e.starts_with("SyntaxError") || e.starts_with("IndentationError"))
            && let Some(line) = e.rfind(", line ")
        {
            let head = &e[..line];
            out.extend(head.rfind(" (").map(|open| &head[open + 2..]));
        }
        if e.contains("has no attribute 'down_revision'") {
            out.push("down_revision");
        }
    }
    let mut out: Vec<String> = out
        .into_iter()
        .filter(|o| !o.is_empty())
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Compares one read-only command.
pub fn compare_command(
    cx: &Context,
    args: &[String],
    alembic: &OracleResult,
    doctor: &Outcome,
    out: &mut Vec<Mismatch>,
) {
    if doctor.timed_out {
        out.push(cx.mismatch(args, Kind::Timeout, "killed after the timeout".into()));
        return;
    }
    match doctor.code {
        Some(0..=2) => {}
        code => {
            out.push(cx.mismatch(
                args,
                Kind::Crash,
                format!("exit status {code:?}\nstderr:\n{}", indent(&doctor.stderr)),
            ));
            return;
        }
    }
    if alembic.failed_or_warned() {
        if doctor.code == Some(0) {
            out.push(cx.mismatch(
                args,
                Kind::ShouldFail,
                format!(
                    "{}\nalembic-doctor exited 0 with stdout:\n{}",
                    alembic.describe(),
                    indent(&doctor.stdout)
                ),
            ));
        } else {
            let wanted = offenders(alembic);
            if !wanted.is_empty() && !wanted.iter().any(|w| doctor.stderr.contains(w.as_str())) {
                out.push(cx.mismatch(
                    args,
                    Kind::ErrorMissesOffender,
                    format!(
                        "{}\nalembic-doctor's stderr names none of {wanted:?}:\n{}",
                        alembic.describe(),
                        indent(&doctor.stderr)
                    ),
                ));
            }
        }
        return;
    }
    if doctor.code != Some(0) {
        let kind = if cx.oracle.graph.cyclic() || !cx.case.intended_valid {
            Kind::RefusedBrokenProject
        } else {
            Kind::ShouldSucceed
        };
        out.push(cx.mismatch(
            args,
            kind,
            format!(
                "alembic succeeded with stdout:\n{}\nalembic-doctor exited {:?}; stderr:\n{}",
                indent(&alembic.stdout),
                doctor.code,
                indent(&doctor.stderr)
            ),
        ));
        return;
    }
    let hd = cx.oracle.graph.hash_dependent;
    // alembic-doctor escapes control and bidirectional characters in what
    // it prints, as `repr()` would; Alembic prints them raw.
    let shown = alembic_doctor_pystr::escape_for_terminal(&alembic.stdout);
    let want = canonical(args, &shown, &cx.case.labels, hd);
    let got = canonical(args, &doctor.stdout, &cx.case.labels, hd);
    if want != got {
        out.push(cx.mismatch(
            args,
            Kind::Stdout,
            format!(
                "--- alembic\n+++ alembic-doctor\n{}",
                line_diff(&shown, &doctor.stdout)
            ),
        ));
    }
}

/// Rules that must not fire on a project Alembic loads without error or
/// warning, with correct headers and file names.
const FORBIDDEN_ON_VALID: &[&str] = &[
    "syntax-error",
    "unreadable-file",
    "missing-revision",
    "missing-down-revision",
    "non-literal-value",
    "invalid-revision-id",
    "duplicate-revision",
    "missing-parent",
    "missing-dependency",
    "self-reference",
    "cycle",
    "branch-label-conflict",
    "header-mismatch",
    "filename-mismatch",
    "loaded-twice",
];

/// Alembic errors raised while reading the configuration, before any
/// migration is looked at.
const CONFIG_ERRORS: &[&str] = &[
    "Path doesn't exist",
    "No 'script_location' key",
    "MissingSectionHeaderError",
    "ParsingError",
    "DuplicateSectionError",
    "DuplicateOptionError",
    "NoSectionError",
];

/// Ids in a JSON list of either strings or objects with an `id`.
fn id_list(v: &Value) -> Option<Vec<String>> {
    v.as_array().map(|a| {
        a.iter()
            .filter_map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .or_else(|| x["id"].as_str().map(str::to_string))
            })
            .collect()
    })
}

/// A finding's path relative to the project directory.
fn relative_path(path: &str, dir: &Path) -> String {
    let p = Path::new(path);
    let rel = p.strip_prefix(dir).unwrap_or(p);
    rel.to_string_lossy().replace('\\', "/")
}

/// Compares `check --format json` with the oracle's graph and the planted
/// defects.
pub fn compare_check(cx: &Context, args: &[String], doctor: &Outcome, out: &mut Vec<Mismatch>) {
    if doctor.timed_out {
        out.push(cx.mismatch(args, Kind::Timeout, "killed after the timeout".into()));
        return;
    }
    // A configuration Alembic cannot even read (no script directory, an ini
    // configparser rejects) leaves nothing to check: exit 2 with a message,
    // like any other unreadable configuration.
    let config_error = !cx.oracle.graph.ok
        && cx
            .oracle
            .graph
            .error
            .as_deref()
            .is_some_and(|e| CONFIG_ERRORS.iter().any(|c| e.contains(c)));
    if config_error && doctor.code == Some(2) && !doctor.stderr.trim().is_empty() {
        return;
    }
    if !matches!(doctor.code, Some(0 | 1)) {
        out.push(cx.mismatch(
            args,
            if matches!(doctor.code, Some(2)) { Kind::CheckOutput } else { Kind::Crash },
            format!(
                "check exited {:?} (0 or 1 expected: findings are not a failure of the run)\nstderr:\n{}",
                doctor.code,
                indent(&doctor.stderr)
            ),
        ));
        return;
    }
    let json: Value = if let Ok(v @ Value::Object(_)) = serde_json::from_str(&doctor.stdout) {
        v
    } else {
        {
            out.push(cx.mismatch(
                args,
                Kind::CheckOutput,
                format!("stdout is not one JSON object:\n{}", indent(&doctor.stdout)),
            ));
            return;
        }
    };
    let graph = &cx.oracle.graph;
    let alembic_clean = graph.ok && graph.warnings.is_empty();
    let findings: Vec<&Value> = json["findings"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();

    // A planted defect Alembic does not notice (a dependency on a
    // descendant, an id named `heads`) gives an Alembic order that is no
    // reference.
    if alembic_clean && cx.case.intended_valid {
        let mut want = graph.upgrade_order.clone();
        let mut got = id_list(&json["upgrade_order"]).unwrap_or_default();
        if graph.hash_dependent {
            want.sort();
            got.sort();
        }
        if want != got {
            out.push(cx.mismatch(
                args,
                Kind::UpgradeOrder,
                format!(
                    "upgrade heads order\n  alembic:        {want:?}\n  alembic-doctor: {got:?}"
                ),
            ));
        }
        for (key, want) in [
            ("heads", &graph.heads),
            ("real_heads", &graph.real_heads),
            ("bases", &graph.bases),
        ] {
            let got = id_list(&json[key]);
            if got.as_ref() != Some(want) {
                out.push(cx.mismatch(
                    args,
                    Kind::GraphFacts,
                    format!("{key}\n  alembic:        {want:?}\n  alembic-doctor: {got:?}"),
                ));
            }
        }
        if cx
            .case
            .expectations
            .iter()
            .all(|e| e.rule == "multiple-heads")
            || cx.case.expectations.is_empty()
        {
            for f in &findings {
                let rule = f["rule"].as_str().unwrap_or("");
                let allowed = cx.case.allowed_findings.contains(&rule)
                    || (cx.case.exotic && rule == "non-literal-value");
                if FORBIDDEN_ON_VALID.contains(&rule) && !allowed {
                    out.push(cx.mismatch(
                        args,
                        Kind::FalsePositive,
                        format!(
                            "Alembic loads this project cleanly, yet:\n{}",
                            indent(&f.to_string())
                        ),
                    ));
                }
            }
        }
    } else if !alembic_clean
        && !findings.iter().any(|f| f["severity"] == "error")
        && !only_loaded_twice_warnings(graph, &findings)
    {
        out.push(cx.mismatch(
            args,
            Kind::CheckMissedFailure,
            format!(
                "Alembic cannot load this project ({}{}), but check reports no error.\nfindings: {}",
                graph.error.clone().unwrap_or_default(),
                warnings_suffix(&graph.warnings),
                json["findings"]
            ),
        ));
    }

    // A syntax error hides the file's variables from a static reader; a
    // finding that claims they are absent misleads (Alembic fails with the
    // SyntaxError, not with "Could not determine revision id").
    for exp in cx
        .case
        .expectations
        .iter()
        .filter(|e| e.rule == "syntax-error")
    {
        for f in &findings {
            let rule = f["rule"].as_str().unwrap_or("");
            let path = f["path"].as_str().map(|p| relative_path(p, cx.dir));
            if matches!(rule, "missing-revision" | "missing-down-revision")
                && path.is_some_and(|p| exp.files.contains(&p))
            {
                out.push(cx.mismatch(
                    args,
                    Kind::FalsePositive,
                    format!(
                        "a file with a syntax error (Alembic: SyntaxError) is also reported as:\n{}",
                        indent(&f.to_string())
                    ),
                ));
            }
        }
    }

    // The generator plans "a version location listed twice" even when that
    // location does not exist; only Alembic's own warning says it happened.
    let alembic_warned_twice = graph.warnings.iter().any(|w| w.contains("loaded twice"));
    for exp in cx
        .case
        .expectations
        .iter()
        .filter(|e| e.rule != "loaded-twice" || alembic_warned_twice)
    {
        let of_rule: Vec<&&Value> = findings.iter().filter(|f| f["rule"] == exp.rule).collect();
        let points_at = |file: &str| {
            let name = file.rsplit('/').next().unwrap_or(file);
            let same = |p: &Value| {
                p.as_str().is_some_and(|p| {
                    relative_path(p, cx.dir) == file || p.ends_with(&format!("/{file}"))
                })
            };
            of_rule.iter().any(|f| {
                let on_path = same(&f["path"]);
                // A finding about several files (a cycle, a duplicate id)
                // names the others in `related`.
                let on_related = f["related"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|x| same(&x["path"])));
                let in_message = f["message"].as_str().is_some_and(|m| m.contains(name));
                (on_path || on_related || in_message)
                    && (!exp.needs_line || (on_path && f["line"].as_u64().is_some_and(|l| l >= 1)))
            })
        };
        let ok = if of_rule.is_empty() {
            false
        } else if exp.files.is_empty() {
            true
        } else if exp.all_files {
            exp.files.iter().all(|f| points_at(f))
        } else {
            exp.files.iter().any(|f| points_at(f))
        };
        if !ok {
            out.push(cx.mismatch(
                args,
                Kind::MissedDefect,
                format!(
                    "expected `{}` at {}{}{}\nfindings:\n{}",
                    exp.rule,
                    if exp.all_files { "all of " } else { "one of " },
                    if exp.files.is_empty() {
                        "(project)".to_string()
                    } else {
                        exp.files.join(", ")
                    },
                    if exp.needs_line {
                        " with a line number"
                    } else {
                        ""
                    },
                    indent(&serde_json::to_string_pretty(&json["findings"]).unwrap_or_default())
                ),
            ));
        }
    }
}

// ---------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------

pub fn indent(text: &str) -> String {
    if text.is_empty() {
        return "    (empty)".to_string();
    }
    text.split('\n')
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A small LCS line diff: ` ` common, `-` alembic only, `+` alembic-doctor
/// only. Long runs of common lines are elided. Invisible characters are made
/// visible (`\r`, trailing spaces, tabs).
#[allow(clippy::many_single_char_names, reason = "the textbook LCS names")]
pub fn line_diff(a: &str, b: &str) -> String {
    let a: Vec<&str> = a.split('\n').collect();
    let b: Vec<&str> = b.split('\n').collect();
    let (n, m) = (a.len(), b.len());
    if n * m > 4_000_000 {
        return format!("(outputs too large to diff: {n} vs {m} lines)");
    }
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut rows: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            rows.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            rows.push(('+', b[j]));
            j += 1;
        } else {
            rows.push(('-', a[i]));
            i += 1;
        }
    }
    let near_change = |k: usize| {
        let lo = k.saturating_sub(3);
        let hi = (k + 3).min(rows.len() - 1);
        rows[lo..=hi].iter().any(|r| r.0 != ' ')
    };
    let mut s = String::new();
    let mut elided = false;
    for (k, (tag, line)) in rows.iter().enumerate() {
        if *tag == ' ' && !near_change(k) {
            if !elided {
                s.push_str("    ...\n");
                elided = true;
            }
            continue;
        }
        elided = false;
        let _ = writeln!(s, "  {tag} {}", visible(line));
    }
    s
}

fn visible(line: &str) -> String {
    let mut v: String = line
        .chars()
        .map(|c| match c {
            '\r' => "\\r".to_string(),
            '\t' => "\\t".to_string(),
            c if c.is_control() || (c.is_whitespace() && c != ' ') => {
                c.escape_unicode().to_string()
            }
            c => c.to_string(),
        })
        .collect();
    if v.ends_with(' ') {
        v.push('⏎');
    }
    v
}

/// `; warning: <text>` for each warning.
pub fn warnings_suffix(warnings: &[String]) -> String {
    warnings.iter().fold(String::new(), |mut s, w| {
        let _ = write!(s, "; warning: {w}");
        s
    })
}

/// Alembic loads the project and only warns that files are reached twice:
/// its answer is right, so `check` reports a `loaded-twice` warning, not an
/// error (the Alembic-compatible commands still refuse, as for any warning).
fn only_loaded_twice_warnings(graph: &Graph, findings: &[&Value]) -> bool {
    graph.ok
        && !graph.warnings.is_empty()
        && graph.warnings.iter().all(|w| w.contains("loaded twice"))
        && findings.iter().any(|f| f["rule"] == "loaded-twice")
}
