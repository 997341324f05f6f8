//! The oracle: the real `alembic` package, driven by
//! `tests/oracle/alembic_batch.py` in one Python process for the whole batch.
//!
//! Python is found through `ALEMBIC_DOCTOR_PYTHON`, else
//! `<workspace>/.venv/bin/python` (what `scripts/setup-python` creates). A
//! missing or alembic-less Python is a test failure with setup instructions,
//! never a silent pass.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::generator::Case;

/// What Alembic did for one command.
#[derive(Debug, Clone)]
pub struct OracleResult {
    /// `ok`, `command_error` (FAILED:, exit 255), `exception` (traceback,
    /// exit 1), `usage_error` (argparse, exit 2) or `timeout` (Alembic
    /// loops forever).
    pub status: String,
    pub stdout: String,
    pub error: Option<String>,
    /// `UserWarning`s: duplicate ids, missing parents, files loaded twice.
    pub warnings: Vec<String>,
}

impl OracleResult {
    /// Alembic failed, or succeeded only with a warning: alembic-doctor must
    /// exit non-zero.
    pub fn failed_or_warned(&self) -> bool {
        self.status != "ok" || !self.warnings.is_empty()
    }

    /// A one-paragraph account for reports.
    pub fn describe(&self) -> String {
        let mut s = format!("alembic: {}", self.status);
        if let Some(e) = &self.error {
            let _ = write!(s, ": {e}");
        }
        for w in &self.warnings {
            let _ = write!(s, "\n  UserWarning: {w}");
        }
        s
    }
}

/// Alembic's own graph facts for a project.
#[derive(Debug, Clone)]
pub struct Graph {
    pub ok: bool,
    pub error: Option<String>,
    pub warnings: Vec<String>,
    pub heads: Vec<String>,
    pub real_heads: Vec<String>,
    pub bases: Vec<String>,
    pub upgrade_order: Vec<String>,
    pub hash_dependent: bool,
}

impl Graph {
    /// Alembic cannot load the graph because of a cycle, or loops forever
    /// on it (its cycle detection misses some cycles; `alembic heads` may
    /// still answer, `history` never does).
    pub fn cyclic(&self) -> bool {
        !self.ok
            && self
                .error
                .as_deref()
                .is_some_and(|e| e.contains("ycle is detected") || e.contains("did not finish"))
    }
}

/// Everything the oracle said about one project.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub results: Vec<OracleResult>,
    pub graph: Graph,
}

/// The workspace root (two levels above the cli crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const SETUP_HELP: &str = "The differential test compares alembic-doctor with the real `alembic` package \
and needs a Python with alembic installed. Set it up with `scripts/setup-python` (creates .venv/ \
at the repository root with the pinned alembic from tests/oracle/requirements.txt) or run the \
whole suite with `scripts/test` / `bash .ci/run`; or point ALEMBIC_DOCTOR_PYTHON at any python \
that can `import alembic`.";

/// The Python to run the driver with, checked to import alembic.
pub fn find_python() -> (PathBuf, String) {
    let python = match std::env::var_os("ALEMBIC_DOCTOR_PYTHON") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => {
            let venv = workspace_root().join(".venv/bin/python");
            assert!(
                venv.exists(),
                "no Python for the oracle: ALEMBIC_DOCTOR_PYTHON is not set and {} does not exist.\n{SETUP_HELP}",
                venv.display()
            );
            venv
        }
    };
    let out = Command::new(&python)
        .args([
            "-c",
            "import alembic, sys; sys.stdout.write(alembic.__version__)",
        ])
        .output();
    match out {
        Ok(out) if out.status.success() => {
            (python, String::from_utf8_lossy(&out.stdout).into_owned())
        }
        Ok(out) => panic!(
            "{} cannot import alembic:\n{}\n{SETUP_HELP}",
            python.display(),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!("cannot run {}: {e}\n{SETUP_HELP}", python.display()),
    }
}

/// Writes the manifest and starts the driver; the binary runs meanwhile.
pub fn start(python: &Path, root: &Path, cases: &[(Case, PathBuf)]) -> (Child, PathBuf) {
    let manifest = json!({
        "cases": cases.iter().map(|(case, dir)| json!({
            "name": case.name,
            "dir": dir,
            "global_args": case.global_args,
            "commands": case.commands,
        })).collect::<Vec<_>>(),
    });
    let manifest_path = root.join("manifest.json");
    let results_path = root.join("results.json");
    std::fs::write(&manifest_path, manifest.to_string()).expect("write manifest");
    let driver = workspace_root().join("tests/oracle/alembic_batch.py");
    let child = Command::new(python)
        .arg(&driver)
        .arg(&manifest_path)
        .arg(&results_path)
        .env("PYTHONHASHSEED", "0")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("ALEMBIC_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", driver.display()));
    (child, results_path)
}

/// Waits for the driver and parses its results, in manifest order.
pub fn finish(child: Child, results_path: &Path) -> Vec<CaseResult> {
    let out = child.wait_with_output().expect("wait for the oracle");
    assert!(
        out.status.success(),
        "the oracle driver tests/oracle/alembic_batch.py failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(results_path).expect("read oracle results");
    let doc: Value = serde_json::from_str(&text).expect("oracle results are JSON");
    doc["cases"]
        .as_array()
        .expect("cases array")
        .iter()
        .map(parse_case)
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn opt_string(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn parse_case(v: &Value) -> CaseResult {
    let results = v["results"]
        .as_array()
        .expect("results array")
        .iter()
        .map(|r| OracleResult {
            status: r["status"].as_str().unwrap_or("?").to_string(),
            stdout: r["stdout"].as_str().unwrap_or("").to_string(),
            error: opt_string(&r["error"]),
            warnings: strings(&r["warnings"]),
        })
        .collect();
    let g = &v["graph"];
    let graph = Graph {
        ok: g["ok"].as_bool().unwrap_or(false),
        error: opt_string(&g["error"]),
        warnings: strings(&g["warnings"]),
        heads: strings(&g["heads"]),
        real_heads: strings(&g["real_heads"]),
        bases: strings(&g["bases"]),
        upgrade_order: strings(&g["upgrade_order"]),
        hash_dependent: g["hash_dependent"].as_bool().unwrap_or(false),
    };
    CaseResult { results, graph }
}
