//! The pending path of `alembic-doctor status` against the real `alembic
//! upgrade heads` (and `upgrade head`) on SQLite and PostgreSQL, over
//! generated projects.
//!
//! Each project is a random chain (branches, merges, several bases,
//! `depends_on`, branch labels) with a minimal env.py; its database is
//! stamped with a random state (empty, a set of revisions no one of which
//! is below another by `down_revision`, sometimes an ancestor pair or an id
//! no file declares). `status --format json` reads it; then one Python
//! process runs `alembic upgrade` on the same state (a copy of the SQLite
//! file; on PostgreSQL the version table stamped again before each run)
//! and records its `Running upgrade ... -> X` lines. `status` must list the
//! same X in the same order, or, where Alembic fails, nothing, with a
//! finding that says why.
//!
//! On PostgreSQL each project has its own schema in one database of the
//! server `scripts/postgres-server` starts (env.py passes it as
//! `version_table_schema`, `status` gets `--version-table-schema`), and
//! Alembic connects with psycopg2. Without the server that test fails, as
//! every server test does.
//!
//! `STATUS_CASES` (default 60) projects; `STATUS_SEED` (default 1) the
//! first seed. Python: `ALEMBIC_DOCTOR_PYTHON`, else `<workspace>/.venv`.
//! A Python without alembic (or, for PostgreSQL, psycopg2) fails the test;
//! it is never skipped.

#[path = "differential/rng.rs"]
#[allow(dead_code)]
mod rng;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use rng::Rng;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_alembic-doctor");

const ENV_PY: &str = "\
from alembic import context
from sqlalchemy import create_engine

engine = create_engine(context.config.get_main_option(\"sqlalchemy.url\"))
schema = context.config.get_main_option(\"version_table_schema\")
with engine.connect() as connection:
    context.configure(connection=connection, version_table_schema=schema)
    with context.begin_transaction():
        context.run_migrations()
";

/// Runs `alembic upgrade heads` and `upgrade head` on each project's
/// stamped state (a fresh copy of `stamped.db`, or, where `restamp.json`
/// names a server database, its version table stamped again), and prints,
/// per project, the revisions each applied (from the `Running upgrade` log
/// lines) or the error.
const DRIVER: &str = r#"
import json, logging, os, shutil, sys
from alembic import command
from alembic.config import Config

def restore(project):
    spec = project + "/restamp.json"
    if not os.path.exists(spec):
        shutil.copy(project + "/stamped.db", project + "/app.db")
        return
    with open(spec) as f:
        spec = json.load(f)
    import sqlalchemy
    engine = sqlalchemy.create_engine(spec["url"])
    table = '"%s".alembic_version' % spec["schema"]
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM " + table)
        for row in spec["rows"]:
            connection.exec_driver_sql("INSERT INTO " + table + " VALUES (%s)", (row,))
    engine.dispose()

messages = []
class Keep(logging.Handler):
    def emit(self, record):
        messages.append(record.getMessage())
log = logging.getLogger("alembic.runtime.migration")
log.setLevel(logging.INFO)
log.addHandler(Keep())
log.propagate = False

out = {}
for project in sys.argv[1:]:
    result = {}
    for target in ("heads", "head"):
        restore(project)
        messages.clear()
        try:
            command.upgrade(Config(project + "/alembic.ini"), target)
            result[target] = [
                m.split("-> ", 1)[1].split(", ", 1)[0]
                for m in messages
                if m.startswith("Running upgrade")
            ]
        except Exception as error:
            result[target] = {"error": type(error).__name__ + ": " + str(error)}
    out[project] = result
print(json.dumps(out))
"#;

struct Revision {
    id: String,
    down: Vec<usize>,
    depends: Vec<usize>,
    label: Option<String>,
}

/// A Python that can import `modules` (comma-separated).
fn python(modules: &str) -> PathBuf {
    let python = match std::env::var_os("ALEMBIC_DOCTOR_PYTHON") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python"),
    };
    let ok = Command::new(&python)
        .args(["-c", &format!("import {modules}")])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "{} cannot import {modules}: run scripts/setup-python, or point \
         ALEMBIC_DOCTOR_PYTHON at a Python that can",
        python.display()
    );
    python
}

fn generate(rng: &mut Rng) -> Vec<Revision> {
    let n = rng.range(2, 10);
    let mut revisions: Vec<Revision> = Vec::with_capacity(n);
    for i in 0..n {
        let id = format!("{:012x}", rng.next_u64() & 0xffff_ffff_ffff);
        let recent = |rng: &mut Rng| i - 1 - rng.below(i.min(3));
        let down = if i == 0 || rng.chance(10) {
            Vec::new()
        } else if i >= 2 && rng.chance(20) {
            let a = recent(rng);
            let b = rng.below(i);
            // Parents where one is below the other are never written by
            // `alembic merge`, and make Alembic's own bookkeeping crash
            // midway (a KeyError in `HeadMaintainer`): a plain child then.
            if b == a || below(&revisions, a).contains(&b) || below(&revisions, b).contains(&a) {
                vec![a]
            } else {
                vec![a, b]
            }
        } else {
            vec![recent(rng)]
        };
        let mut depends = Vec::new();
        if i >= 2 && rng.chance(15) {
            let d = rng.below(i);
            // A dependency already below the revision is redundant and
            // crashes Alembic's bookkeeping as above.
            if !down.iter().any(|&p| below(&revisions, p).contains(&d)) {
                depends.push(d);
            }
        }
        let label = rng.chance(10).then(|| format!("label{i}"));
        revisions.push(Revision {
            id,
            down,
            depends,
            label,
        });
    }
    revisions
}

/// `rev` and everything below it through `down_revision` only.
fn below(revisions: &[Revision], rev: usize) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![rev];
    while let Some(r) = stack.pop() {
        if seen.insert(r) {
            stack.extend(&revisions[r].down);
        }
    }
    seen
}

fn stamped_state(rng: &mut Rng, revisions: &[Revision]) -> Vec<String> {
    let mut chosen: Vec<usize> = Vec::new();
    if !rng.chance(15) {
        for _ in 0..rng.range(1, 3) {
            let r = rng.below(revisions.len());
            if !chosen.contains(&r) {
                chosen.push(r);
            }
        }
        // No row below another by down_revision: Alembic's own bookkeeping.
        let keep: Vec<usize> = chosen
            .iter()
            .copied()
            .filter(|&r| {
                !chosen
                    .iter()
                    .any(|&other| other != r && below(revisions, other).contains(&r))
            })
            .collect();
        chosen = keep;
    }
    let mut rows: Vec<String> = chosen.iter().map(|&r| revisions[r].id.clone()).collect();
    // Sometimes a state Alembic refuses: an ancestor pair, or an id no
    // file declares.
    if rng.chance(10)
        && let Some(&top) = chosen.first()
        && let Some(&parent) = revisions[top].down.first()
    {
        rows.push(revisions[parent].id.clone());
    }
    if rng.chance(8) {
        rows.push("0badc0ffee00".to_owned());
    }
    rows
}

/// Where a project's stamped state lives.
enum Backend {
    /// `stamped.db` in the project's directory.
    Sqlite,
    /// A schema of its own in the PostgreSQL database at `url`.
    Postgres {
        /// `postgresql://user:password@host:port/database`.
        url: String,
        /// An open connection to that database, as its owner.
        client: Box<postgres::Client>,
    },
}

/// The project's files, and its database stamped with `rows`. Returns the
/// `status` arguments that read that database.
fn write_project(
    dir: &Path,
    revisions: &[Revision],
    rows: &[String],
    backend: &mut Backend,
) -> Vec<String> {
    std::fs::create_dir_all(dir.join("migrations/versions")).unwrap();
    let schema = dir.file_name().unwrap().to_str().unwrap().replace('-', "_");
    let (alembic_url, schema_option, status_args) = match backend {
        Backend::Sqlite => (
            "sqlite:///%(here)s/app.db".to_owned(),
            String::new(),
            vec![
                "--database-url".to_owned(),
                format!("sqlite:///{}", dir.join("stamped.db").display()),
            ],
        ),
        Backend::Postgres { url, .. } => (
            // configparser interpolates `%`.
            url.replacen("postgresql://", "postgresql+psycopg2://", 1)
                .replace('%', "%%"),
            format!("version_table_schema = {schema}\n"),
            vec![
                "--database-url".to_owned(),
                url.clone(),
                "--version-table-schema".to_owned(),
                schema.clone(),
            ],
        ),
    };
    std::fs::write(
        dir.join("alembic.ini"),
        format!(
            "[alembic]\nscript_location = %(here)s/migrations\n\
             sqlalchemy.url = {alembic_url}\n{schema_option}"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("migrations/env.py"), ENV_PY).unwrap();
    let tuple = |ids: Vec<&str>| match ids.as_slice() {
        [] => "None".to_owned(),
        [one] => format!("'{one}'"),
        many => format!(
            "({},)",
            many.iter()
                .map(|id| format!("'{id}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    for revision in revisions {
        let down = tuple(
            revision
                .down
                .iter()
                .map(|&d| revisions[d].id.as_str())
                .collect(),
        );
        let depends = tuple(
            revision
                .depends
                .iter()
                .map(|&d| revisions[d].id.as_str())
                .collect(),
        );
        let label = revision
            .label
            .as_ref()
            .map_or_else(|| "None".to_owned(), |l| format!("('{l}',)"));
        std::fs::write(
            dir.join(format!("migrations/versions/{}.py", revision.id)),
            format!(
                "revision = '{}'\ndown_revision = {down}\nbranch_labels = {label}\n\
                 depends_on = {depends}\n\n\ndef upgrade():\n    pass\n\n\n\
                 def downgrade():\n    pass\n",
                revision.id
            ),
        )
        .unwrap();
    }
    let table = "alembic_version (version_num VARCHAR(32) NOT NULL, \
                 CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))";
    match backend {
        Backend::Sqlite => {
            let connection = rusqlite::Connection::open(dir.join("stamped.db")).unwrap();
            connection
                .execute_batch(&format!("CREATE TABLE {table};"))
                .unwrap();
            for row in rows {
                connection
                    .execute("INSERT INTO alembic_version VALUES (?1)", [row])
                    .unwrap();
            }
        }
        Backend::Postgres { url, client } => {
            client
                .batch_execute(&format!(
                    "CREATE SCHEMA {schema}; CREATE TABLE {schema}.{table};"
                ))
                .unwrap();
            for row in rows {
                client
                    .execute(
                        &format!("INSERT INTO {schema}.alembic_version VALUES ($1)"),
                        &[row],
                    )
                    .unwrap();
            }
            // The driver stamps the table with these rows again before
            // each `alembic upgrade`.
            let restamp = serde_json::json!({
                "url": url.replacen("postgresql://", "postgresql+psycopg2://", 1),
                "schema": schema,
                "rows": rows,
            });
            std::fs::write(dir.join("restamp.json"), restamp.to_string()).unwrap();
        }
    }
    status_args
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

#[test]
fn pending_equals_alembic_upgrade() {
    differential(&python("alembic, sqlalchemy"), &mut Backend::Sqlite);
}

#[test]
fn pending_equals_alembic_upgrade_on_postgres() {
    let python = python("alembic, sqlalchemy, psycopg2");
    let admin = std::env::var("ALEMBIC_DOCTOR_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "no test PostgreSQL server: run `eval \"$(scripts/postgres-server start)\"` first \
             (scripts/test does)"
        )
    });
    let mut client =
        postgres::Client::connect(&format!("{admin}/postgres"), postgres::NoTls).unwrap();
    client
        .batch_execute("DROP DATABASE IF EXISTS status_differential")
        .unwrap();
    client
        .batch_execute("CREATE DATABASE status_differential")
        .unwrap();
    let url = format!("{admin}/status_differential");
    let client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    differential(
        &python,
        &mut Backend::Postgres {
            url,
            client: Box::new(client),
        },
    );
}

/// Generate the projects, stamp their databases on `backend`, and compare
/// `status` with Alembic on every one.
fn differential(python: &Path, backend: &mut Backend) {
    let cases = env_number("STATUS_CASES", 60);
    let first = env_number("STATUS_SEED", 1);
    let root = tempfile::tempdir().unwrap();
    let mut dirs = Vec::new();
    for seed in first..first + cases {
        let mut rng = Rng::new(seed);
        let revisions = generate(&mut rng);
        let rows = stamped_state(&mut rng, &revisions);
        let dir = root.path().join(format!("seed-{seed}"));
        let status_args = write_project(&dir, &revisions, &rows, backend);
        dirs.push((dir, status_args));
    }
    // `status` first: the driver's upgrades change the server's tables.
    let mut answers = Vec::new();
    for (dir, status_args) in &dirs {
        let out = alembic_doctor_testkit::hermetic_command(BIN, dir)
            .args(["status", "--format", "json"])
            .args(status_args)
            .output()
            .unwrap();
        let doctor: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{}: not JSON ({e}): {}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        answers.push(doctor);
    }
    let output = Command::new(python)
        .arg("-c")
        .arg(DRIVER)
        .args(dirs.iter().map(|(dir, _)| dir))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the alembic driver failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let alembic: Value = serde_json::from_slice(&output.stdout).unwrap();

    let mut mismatches = String::new();
    let mut refused = 0;
    for ((dir, _), doctor) in dirs.iter().zip(&answers) {
        let expected = &alembic[dir.to_str().unwrap()];
        let findings = doctor["findings"].as_array().unwrap().len();
        let heads = &expected["heads"];
        if heads.is_array() {
            if doctor["pending"] != *heads || findings != 0 {
                let _ = writeln!(
                    mismatches,
                    "{}: upgrade heads applied {heads}, status says {} with {findings} findings",
                    dir.display(),
                    doctor["pending"]
                );
            }
        } else {
            refused += 1;
            if doctor["pending"] != Value::Array(Vec::new()) || findings == 0 {
                let _ = writeln!(
                    mismatches,
                    "{}: upgrade heads failed ({heads}), status says {} with {findings} findings",
                    dir.display(),
                    doctor["pending"]
                );
            }
        }
        let head = &expected["head"];
        let several_heads = head["error"]
            .as_str()
            .is_some_and(|e| e.contains("Multiple head revisions"));
        let wanted_head = if several_heads {
            Value::Null
        } else if head.is_array() {
            head.clone()
        } else {
            Value::Array(Vec::new())
        };
        if doctor["pending_head"] != wanted_head {
            let _ = writeln!(
                mismatches,
                "{}: upgrade head gave {head}, status says {}",
                dir.display(),
                doctor["pending_head"]
            );
        }
    }
    if !mismatches.is_empty() {
        // Keep the projects for a look.
        let kept = root.keep();
        panic!(
            "mismatches (projects kept in {}):\n{mismatches}",
            kept.display()
        );
    }
    // The generator must reach both outcomes, or the test proves little.
    assert!(
        refused > 0 && refused < dirs.len(),
        "{refused} of {} refused",
        dirs.len()
    );
}
