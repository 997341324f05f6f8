//! Advice is code: for hundreds of generated merge scenarios, the report's
//! plan is followed literally (every command run as printed, in order, on
//! the branch it names), the branch is then merged as its pull request
//! would be, and the result is checked with the real `alembic`:
//!
//! * every command of the plan succeeds;
//! * the merged chain has no finding BASE did not already have, and
//!   `alembic upgrade heads --sql` runs without a warning;
//! * every table the branches create is created exactly once (nothing
//!   lost, nothing run twice) and no file BASE has was changed: the plan
//!   never touches a revision that may be deployed;
//! * each alternative the plan offers (a merge revision instead of a
//!   re-parent, by `alembic-doctor fix merge` and by `alembic merge`) ends
//!   the same way.
//!
//! Scenarios: a fork below BASE's head, a fork hidden by an id BASE already
//! has, the same migration committed twice, a branch's own merge
//! migration, deleted and edited revisions of BASE, labelled branches, two
//! pull requests on one head (with and without the same id), an id
//! duplicated inside the branch, a BASE that is already forked (and one
//! whose fork the branch joins by renaming a head), a branch revision whose
//! parent nobody defines, and a BASE
//! whose chain Alembic cannot load (a parent no revision defines), which
//! the branch repairs (the plan keeps the repair) or does not (the plan
//! stops at one manual step naming it; the test repairs BASE as it says
//! and follows the next report's plan).
//! A third of the scenarios keep their configuration where `alembic` does
//! not look (every command must name it), and a quarter run every command
//! from outside the repository, as `report -C DIR` prints them (`git -C`,
//! `alembic-doctor -C`, and `cd DIR && alembic`, which has no `-C`).
//! Alembic runs in one Python process for the whole batch
//! (`tests/oracle/alembic_server.py`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use alembic_doctor_testkit::GitProject;
use serde_json::{Value, json};

use crate::common::{BIN, RunDoctor};

/// Scenarios per run: every kind, with varied shapes
/// (`ALEMBIC_DOCTOR_ADVICE_SCENARIOS` to run more or fewer).
const SCENARIOS: u64 = 240;

const ENV_PY: &str = r#"from alembic import context

if not context.is_offline_mode():
    raise SystemExit("this test project only runs offline (--sql)")
context.configure(url="sqlite://", literal_binds=True)
with context.begin_transaction():
    context.run_migrations()
"#;

const SCRIPT_MAKO: &str = r#""""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from alembic import op
import sqlalchemy as sa

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
"#;

/// The real `alembic`, kept running.
struct Alembic {
    _child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Alembic {
    fn start() -> Self {
        let python = std::env::var_os("ALEMBIC_DOCTOR_PYTHON").map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python"),
            PathBuf::from,
        );
        let server =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/oracle/alembic_server.py");
        let mut child = Command::new(&python)
            .arg(server)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {} ({e}): run scripts/setup-python, or set ALEMBIC_DOCTOR_PYTHON",
                    python.display()
                )
            });
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        Alembic {
            _child: child,
            stdin,
            stdout,
        }
    }

    /// `alembic argv` in `dir`: Ok(stdout), or Err(why) with its warnings.
    fn run(&mut self, dir: &Path, argv: &[String]) -> Result<String, String> {
        let request = json!({"dir": dir, "argv": argv});
        writeln!(self.stdin, "{request}").expect("alembic server takes requests");
        self.stdin.flush().expect("flush");
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .expect("alembic server answers");
        let answer: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("alembic server: not JSON ({e}): {line}"));
        let warnings: Vec<&str> = answer["warnings"]
            .as_array()
            .map(|w| w.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if answer["status"] != "ok" || !warnings.is_empty() {
            return Err(format!(
                "alembic {}: {} {warnings:?}",
                argv.join(" "),
                answer["error"].as_str().unwrap_or("")
            ));
        }
        Ok(answer["stdout"].as_str().unwrap_or("").to_owned())
    }
}

/// xorshift64*: scenarios differ by seed, and a failure names its seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let n = u64::try_from(n).expect("a small bound");
        usize::try_from(self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n).expect("below the bound")
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// A generated repository, the branches to report on, and what BASE was.
struct Scenario {
    description: String,
    repo: GitProject,
    /// The HEADs, in the order given to `report`.
    heads: Vec<String>,
    /// BASE's version files, by path.
    base_files: BTreeMap<String, Vec<u8>>,
    /// Every table the merged result must create exactly once.
    tables: BTreeSet<String>,
    /// BASE's chain is broken (a parent no revision defines) and the
    /// branch does not repair it: the plan must stop at a manual step
    /// naming it; the test then repairs BASE (this file, these bytes) as
    /// that step says, and follows the new report's plan.
    base_repair: Option<(String, String)>,
    /// The options the project needs (`-c config/alembic.ini` when its
    /// configuration is not where `alembic` looks first): given to
    /// `report`, and expected in every command of its plan.
    options: Vec<String>,
    /// Where the user runs every command when it is not the repository:
    /// `report` is given `-C` to the repository, and its plan's commands
    /// must work from here (`git -C`, `alembic-doctor -C`, and `cd DIR &&`
    /// before `alembic`, which has no `-C`).
    outside: Option<tempfile::TempDir>,
}

impl Scenario {
    /// Where the user runs the commands.
    fn user_dir(&self) -> &Path {
        self.outside
            .as_ref()
            .map_or(self.repo.path.as_path(), tempfile::TempDir::path)
    }

    /// The repository as `-C` names it, when the user is outside it.
    fn dash_c(&self) -> Option<&str> {
        self.outside
            .as_ref()
            .map(|_| self.repo.path.to_str().expect("a UTF-8 path"))
    }

    /// `report args --format json`, run where the user is.
    fn report(&self, args: &[&str]) -> Value {
        let Some(dir) = self.dash_c() else {
            return self.repo.json_of("report", args).1;
        };
        let output = alembic_doctor_testkit::hermetic_command(BIN, self.user_dir())
            .args(["-C", dir, "report"])
            .args(args)
            .args(["--format", "json"])
            .output()
            .expect("alembic-doctor runs");
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}):\n{}",
                String::from_utf8_lossy(&output.stderr)
            )
        })
    }
}

/// Writes migrations into a repository.
struct Writer<'a> {
    repo: &'a GitProject,
    tables: &'a mut BTreeSet<String>,
}

impl Writer<'_> {
    /// A revision `id` on `parents`, in `<id>_<slug>.py`, creating table
    /// `table` (which the merged result must then create once).
    fn revision(
        &mut self,
        id: &str,
        parents: &[&str],
        slug: &str,
        table: &str,
        labels: Option<&str>,
    ) -> String {
        self.tables.insert(table.to_owned());
        let path = format!("migrations/versions/{id}_{slug}.py");
        self.repo
            .write(&path, &migration(id, parents, slug, table, labels));
        path
    }
}

fn migration(
    id: &str,
    parents: &[&str],
    message: &str,
    table: &str,
    labels: Option<&str>,
) -> String {
    let down = match parents {
        [] => "None".to_owned(),
        [one] => format!("'{one}'"),
        many => format!(
            "({})",
            many.iter()
                .map(|p| format!("'{p}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let labels = labels.map_or_else(|| "None".to_owned(), |l| format!("('{l}',)"));
    format!(
        "\"\"\"{message}\n\nRevision ID: {id}\nRevises: {}\nCreate Date: 2026-01-01 00:00:00\n\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = '{id}'\ndown_revision = {down}\nbranch_labels = {labels}\ndepends_on = None\n\n\ndef upgrade():\n    op.create_table('{table}', sa.Column('id', sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table('{table}')\n",
        parents.join(", ")
    )
}

/// An empty repository with an Alembic project (`migrations/`, its
/// env.py and template), configured in `config/alembic.ini` when
/// `elsewhere` (then every command needs `-c config/alembic.ini`: the
/// options returned), else in `alembic.ini`.
fn project_repo(elsewhere: bool) -> (GitProject, Vec<String>) {
    let repo = GitProject::empty();
    let ini = if elsewhere {
        "config/alembic.ini"
    } else {
        "alembic.ini"
    };
    repo.write(ini, "[alembic]\nscript_location = migrations\n");
    repo.write("migrations/env.py", ENV_PY);
    repo.write("migrations/script.py.mako", SCRIPT_MAKO);
    let options = if elsewhere {
        vec!["-c".to_owned(), ini.to_owned()]
    } else {
        Vec::new()
    };
    (repo, options)
}

/// The kinds of scenario `build` makes, chosen by the seed.
const KINDS: u64 = 16;

/// An id that looks like Alembic's: 12 hex digits from the scenario and
/// a name.
fn hex_id(seed: u64, name: &str) -> String {
    let mut h: u64 = seed ^ 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:012x}", h & 0xffff_ffff_ffff)
}

fn build(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    // A third of the scenarios keep their configuration elsewhere, so that
    // the plan must name it in every command.
    let (repo, options) = project_repo((seed / 12) % 3 == 1);
    let mut tables = BTreeSet::new();
    let id = |name: &str| hex_id(seed, name);
    let kind = seed % KINDS;
    // BASE's chain: a root and 1..=3 more revisions.
    let depth = 1 + rng.below(3);
    let labelled = kind == 7;
    let mut chain = vec![id("root")];
    let mut w = Writer {
        repo: &repo,
        tables: &mut tables,
    };
    w.revision(&chain[0], &[], "root", "t_root", labelled.then_some("core"));
    repo.commit("root");
    for i in 1..=depth {
        let next = id(&format!("base{i}"));
        let parent = chain[i - 1].clone();
        w.revision(
            &next,
            &[&parent],
            &format!("base{i}"),
            &format!("t_base{i}"),
            None,
        );
        repo.commit(&format!("base {i}"));
        chain.push(next);
    }
    if labelled {
        let plugin = id("plugin0");
        w.revision(&plugin, &[], "plugin0", "t_plugin0", Some("plugin"));
        repo.commit("plugin");
        chain.push(plugin);
    }
    let head = chain[depth].clone();
    let fork = chain[rng.below(depth)].clone();
    let new_count = 1 + rng.below(2);
    let placeholder = "a1b2c3d4e5f6".to_owned();
    let mut heads = vec!["feature".to_owned()];
    let mut base_repair = None;
    let mut repaired_on_branch = None;
    let description;
    // What each kind does to main after the branch forked, and on it.
    match kind {
        0 => {
            description = format!("fork below main's head ({fork} < {head})");
            repo.branch("feature", "main");
            repo.git(&["reset", "-q", "--hard", &commit_of(&repo, &fork)]);
            add_chain(&mut w, seed, &fork, new_count, "feat");
            repo.commit("feature work");
        }
        1 => {
            description = "a branch on main's head".to_owned();
            repo.branch("feature", "main");
            add_chain(&mut w, seed, &head, new_count, "feat");
            repo.commit("feature work");
        }
        2 | 3 => {
            let identical = kind == 3;
            description = format!(
                "an id main merged from another branch, reused on the branch{}",
                if identical {
                    " for the same migration"
                } else {
                    ""
                }
            );
            repo.branch("feature", "main");
            let table = if identical {
                "t_shared"
            } else {
                "t_feature_copy"
            };
            w.revision(&placeholder, &[&head], "branch_copy", table, None);
            if rng.chance(50) {
                let child = id("feat_child");
                w.revision(&child, &[&placeholder], "feat_child", "t_feat_child", None);
            }
            repo.commit("feature work");
            repo.checkout("main");
            w.revision(&placeholder, &[&head], "merged_elsewhere", "t_shared", None);
            repo.commit("other branch merged");
            let top = id("main_top");
            w.revision(&top, &[&placeholder], "main_top", "t_main_top", None);
            repo.commit("main moves on");
            repo.checkout("feature");
        }
        4 => {
            description = "a branch that wrote its own merge migration".to_owned();
            repo.branch("feature", "main");
            repo.git(&["reset", "-q", "--hard", &commit_of(&repo, &fork)]);
            let last = add_chain(&mut w, seed, &fork, new_count, "feat");
            repo.commit("feature work");
            repo.checkout("main");
            let top = id("main_top");
            w.revision(&top, &[&head], "main_top", "t_main_top", None);
            repo.commit("main moves on");
            repo.checkout("feature");
            repo.git(&["merge", "-q", "--no-edit", "main"]);
            let merge = id("own_merge");
            w.revision(&merge, &[&last, &top], "own_merge", "t_own_merge", None);
            repo.commit("merge heads");
        }
        5 | 6 => {
            let victim = chain[1].clone();
            let path = format!("migrations/versions/{victim}_base1.py");
            description = format!(
                "a branch that {} main's revision {victim}",
                if kind == 5 { "deletes" } else { "edits" }
            );
            repo.branch("feature", "main");
            if kind == 5 {
                std::fs::remove_file(repo.path.join(&path)).expect("delete");
            } else {
                let parent = chain[0].clone();
                repo.write(
                    &path,
                    &migration(&victim, &[&parent], "base1", "t_edited", None),
                );
            }
            add_chain(&mut w, seed, &head, new_count, "feat");
            repo.commit("feature work");
        }
        7 => {
            let plugin_head = chain.last().expect("plugin").clone();
            let moves = rng.chance(60);
            description = format!(
                "labelled branches, the branch adds to `plugin`{}",
                if moves { " while main moves it on" } else { "" }
            );
            repo.branch("feature", "main");
            add_chain(&mut w, seed, &plugin_head, new_count, "feat");
            repo.commit("feature work");
            if moves {
                repo.checkout("main");
                let next = id("plugin1");
                w.revision(&next, &[&plugin_head], "plugin1", "t_plugin1", None);
                repo.commit("plugin moves on");
                repo.checkout("feature");
            }
        }
        8 | 9 => {
            let same_id = kind == 9;
            description = format!(
                "two pull requests on main's head{}",
                if same_id {
                    ", with the same new id"
                } else {
                    ""
                }
            );
            repo.branch("first", "main");
            let first_id = if same_id {
                placeholder.clone()
            } else {
                id("first")
            };
            w.revision(&first_id, &[&head], "first", "t_first", None);
            repo.commit("first");
            repo.branch("second", "main");
            let second_id = if same_id {
                placeholder.clone()
            } else {
                id("second")
            };
            w.revision(&second_id, &[&head], "second", "t_second", None);
            if rng.chance(50) {
                let child = id("second_child");
                w.revision(
                    &child,
                    &[&second_id],
                    "second_child",
                    "t_second_child",
                    None,
                );
            }
            repo.commit("second");
            heads = vec!["first".to_owned(), "second".to_owned()];
        }
        10 => {
            description = "an id duplicated inside the branch".to_owned();
            repo.branch("feature", "main");
            let dup = id("dup");
            w.revision(&dup, &[&head], "one", "t_one", None);
            w.revision(&dup, &[&head], "two", "t_two", None);
            repo.commit("feature work");
        }
        12 | 13 => {
            // A revision of BASE loses its parent (a file deleted or an id
            // mistyped on main): Alembic cannot load the chain. When the
            // branch forks, the root does (so that BASE keeps one head and
            // the fork is the branch's).
            let (victim, slug, table, parents) = if kind == 12 {
                (
                    chain[1].clone(),
                    "base1",
                    "t_base1",
                    vec![chain[0].as_str()],
                )
            } else {
                (chain[0].clone(), "root", "t_root", vec![])
            };
            let path = format!("migrations/versions/{victim}_{slug}.py");
            let good = migration(&victim, &parents, slug, table, None);
            let broken = migration(&victim, &["dead0000beef"], slug, table, None);
            if kind == 12 {
                description = format!(
                    "main lost {victim}'s parent; the branch repairs it and adds on main's head"
                );
                repo.write(&path, &broken);
                repo.commit("main breaks");
                repo.branch("feature", "main");
                repo.write(&path, &good);
                add_chain(&mut w, seed, &head, new_count, "feat");
                repo.commit("feature work, with the repair");
                repaired_on_branch = Some((path, good));
            } else {
                description = format!(
                    "main lost {victim}'s parent; the branch forks below main's head ({fork})"
                );
                repo.branch("feature", "main");
                repo.git(&["reset", "-q", "--hard", &commit_of(&repo, &fork)]);
                add_chain(&mut w, seed, &fork, new_count, "feat");
                repo.commit("feature work");
                repo.checkout("main");
                repo.write(&path, &broken);
                repo.commit("main breaks");
                repo.checkout("feature");
                base_repair = Some((path, good));
            }
        }
        14 => {
            // The fork's second head is renamed on the branch (a new id on
            // the other head, the same operations): the branch meant to
            // join the heads by re-parenting a revision main has.
            description = "main has two heads; the branch joins them by renaming one".to_owned();
            let side = id("main_side");
            let parent = chain[depth - 1].clone();
            w.revision(&side, &[&parent], "main_side", "t_main_side", None);
            repo.commit("main forks");
            repo.branch("feature", "main");
            std::fs::remove_file(
                repo.path
                    .join(format!("migrations/versions/{side}_main_side.py")),
            )
            .expect("delete");
            let renamed = id("renamed_side");
            w.revision(&renamed, &[&head], "main_side", "t_main_side", None);
            repo.commit("feature joins the heads");
        }
        15 => {
            // A revision copied from another chain (another database's
            // versions, a deleted branch) names a parent nobody defines.
            description = "the branch's revision names a parent no revision defines".to_owned();
            repo.branch("feature", "main");
            let stray = id("stray");
            w.revision(&stray, &["dead00000002"], "stray", "t_stray", None);
            if rng.chance(50) {
                add_chain(&mut w, seed, &stray, new_count, "feat");
            }
            repo.commit("feature work");
        }
        _ => {
            description = "main already forked; the branch adds to one head".to_owned();
            let side = id("main_side");
            let parent = chain[depth - 1].clone();
            w.revision(&side, &[&parent], "main_side", "t_main_side", None);
            repo.commit("main forks");
            repo.branch("feature", "main");
            add_chain(&mut w, seed, &head, new_count, "feat");
            repo.commit("feature work");
        }
    }
    let mut base_files = files_at(&repo, "main");
    // The branch's repair of BASE is what the merge must keep.
    if let Some((path, good)) = repaired_on_branch {
        base_files.insert(path, good.into_bytes());
    }
    // A quarter of the scenarios run every command from outside the
    // repository.
    let outside = ((seed / 7) % 4 == 2).then(|| tempfile::tempdir().expect("a directory"));
    Scenario {
        description: format!(
            "seed {seed}: {description}{}",
            if outside.is_some() {
                ", run from outside the repository (-C)"
            } else {
                ""
            }
        ),
        repo,
        heads,
        base_files,
        tables,
        base_repair,
        options,
        outside,
    }
}

/// `count` new revisions, one on the other, from `parent`; the last id.
fn add_chain(w: &mut Writer<'_>, seed: u64, parent: &str, count: usize, name: &str) -> String {
    let mut parent = parent.to_owned();
    for i in 0..count {
        let id = hex_id(seed, &format!("{name}{i}"));
        w.revision(
            &id,
            &[&parent],
            &format!("{name}{i}"),
            &format!("t_{name}{i}"),
            None,
        );
        parent = id;
    }
    parent
}

/// The commit that added revision `id`'s file.
fn commit_of(repo: &GitProject, id: &str) -> String {
    let log = repo.git(&[
        "log",
        "--format=%H",
        "--diff-filter=A",
        "--",
        &format!("migrations/versions/{id}_*"),
    ]);
    log.lines().last().expect("a commit added it").to_owned()
}

/// The version files at `rev`, by path.
fn files_at(repo: &GitProject, rev: &str) -> BTreeMap<String, Vec<u8>> {
    repo.git(&["ls-tree", "-r", "--name-only", rev, "migrations/versions"])
        .lines()
        .map(|path| {
            let output = repo
                .command("git")
                .args(["show", &format!("{rev}:{path}")])
                .output()
                .expect("git show");
            (path.to_owned(), output.stdout)
        })
        .collect()
}

/// Run one command of the plan as a user would paste it in `dir`: a
/// program and its arguments, after a `cd DIR &&` when it starts with one.
fn run_command(dir: &Path, alembic: &mut Alembic, command: &str) -> Result<String, String> {
    let words = shlex::split(command).ok_or_else(|| format!("cannot split `{command}`"))?;
    let (dir, words) = match words.as_slice() {
        [cd, to, and, rest @ ..] if cd == "cd" && and == "&&" => (dir.join(to), rest),
        _ => (dir.to_path_buf(), words.as_slice()),
    };
    let (program, args) = words.split_first().ok_or("an empty command")?;
    match program.as_str() {
        "alembic" => alembic.run(&dir, args),
        "alembic-doctor" | "git" => {
            let bin = if program == "git" { "git" } else { BIN };
            let output = alembic_doctor_testkit::hermetic_command(bin, &dir)
                .args(args)
                .output()
                .map_err(|e| e.to_string())?;
            let out = String::from_utf8_lossy(&output.stdout).into_owned()
                + &String::from_utf8_lossy(&output.stderr);
            if output.status.success() {
                Ok(out)
            } else {
                Err(format!("`{command}` failed:\n{out}"))
            }
        }
        other => Err(format!(
            "the plan runs `{other}`, which is neither git, alembic nor alembic-doctor"
        )),
    }
}

/// Follow `plan` (with the alternative of step `alternative` instead of its
/// commands, when given: 0 for `fix merge`, 1 for `alembic merge`), merge
/// the branch, and check the result.
fn follow(
    scenario: &Scenario,
    alembic: &mut Alembic,
    plan: &Value,
    alternative: Option<(usize, usize)>,
) -> Result<(), String> {
    let repo = &scenario.repo;
    let on = plan["on"].as_str().unwrap_or("feature");
    repo.git(&["checkout", "-q", on]);
    let steps = plan["steps"].as_array().cloned().unwrap_or_default();
    let mut log = String::new();
    for (number, step) in steps.iter().enumerate() {
        let kind = step["kind"].as_str().unwrap_or("");
        if kind == "merge-others" {
            repo.git(&["checkout", "-q", "main"]);
            for other in &scenario.heads[..scenario.heads.len() - 1] {
                repo.git(&["merge", "-q", "--no-edit", other]);
            }
            repo.git(&["checkout", "-q", on]);
            continue;
        }
        if kind == "manual" {
            return Err(format!(
                "step {} needs a person: {}",
                number + 1,
                step["summary"]
            ));
        }
        let commands: Vec<String> = match alternative {
            Some((at, which)) if at == number => {
                let alt = &step["alternative"];
                if which == 0 {
                    alt["commands"]
                        .as_array()
                        .expect("commands")
                        .iter()
                        .map(|c| c.as_str().unwrap_or("").to_owned())
                        .collect()
                } else {
                    let summary = alt["summary"].as_str().unwrap_or("");
                    // The code span of `alembic [options] merge ...`.
                    let command = summary
                        .split('`')
                        .skip(1)
                        .step_by(2)
                        .find(|span| {
                            (span.starts_with("alembic ") || span.starts_with("cd "))
                                && span.contains(" merge ")
                        })
                        .ok_or("no `alembic merge` in the alternative")?;
                    vec![command.to_owned()]
                }
            }
            _ => step["commands"]
                .as_array()
                .expect("commands")
                .iter()
                .map(|c| c.as_str().unwrap_or("").to_owned())
                .collect(),
        };
        for command in commands {
            let out = run_command(scenario.user_dir(), alembic, &command)
                .map_err(|e| format!("{log}{e}"))?;
            log.push_str(&format!("$ {command}\n{out}"));
        }
    }
    // What the pull request's merge does.
    repo.git(&["add", "-A"]);
    repo.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "follow the report's plan",
    ]);
    repo.git(&["checkout", "-q", "main"]);
    if !steps.iter().any(|s| s["kind"] == "merge-others") {
        for other in &scenario.heads[..scenario.heads.len() - 1] {
            repo.git(&["merge", "-q", "--no-edit", other]);
        }
    }
    let merge = repo
        .command("git")
        .args(["merge", "-q", "--no-edit", on])
        .output()
        .expect("git merge");
    if !merge.status.success() {
        return Err(format!(
            "{log}the branch no longer merges: {}",
            String::from_utf8_lossy(&merge.stdout)
        ));
    }
    check_result(scenario, alembic).map_err(|e| format!("{log}{e}"))
}

/// The merged result is healthy, keeps BASE's files, and creates every
/// table once.
fn check_result(scenario: &Scenario, alembic: &mut Alembic) -> Result<(), String> {
    let repo = &scenario.repo;
    for (path, bytes) in &scenario.base_files {
        match std::fs::read(repo.path.join(path)) {
            Ok(now) if &now == bytes => {}
            Ok(_) => return Err(format!("the plan changed {path}, which main has")),
            Err(_) => return Err(format!("the plan deleted {path}, which main has")),
        }
    }
    let mut args: Vec<&str> = scenario.options.iter().map(String::as_str).collect();
    args.push("--no-lint");
    let (_, after) = repo.json_of("check", &args);
    let rules_after: BTreeSet<String> = after["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["severity"] == "error")
        .filter_map(|f| f["rule"].as_str().map(str::to_owned))
        .collect();
    let expected_forked = scenario.description.contains("already forked");
    let allowed: BTreeSet<String> = if expected_forked {
        ["multiple-heads".to_owned()].into()
    } else {
        BTreeSet::new()
    };
    if !rules_after.is_subset(&allowed) {
        return Err(format!(
            "after the plan, `check` still reports {rules_after:?}:\n{after:#}"
        ));
    }
    let mut upgrade = scenario.options.clone();
    upgrade.extend(["upgrade".into(), "heads".into(), "--sql".into()]);
    let sql = alembic.run(&repo.path, &upgrade)?;
    for table in &scenario.tables {
        let created = sql.matches(&format!("CREATE TABLE {table} ")).count();
        if created != 1 {
            return Err(format!(
                "`alembic upgrade heads --sql` creates {table} {created} times:\n{sql}"
            ));
        }
    }
    let all_created =
        sql.matches("CREATE TABLE ").count() - sql.matches("CREATE TABLE alembic_version").count();
    if all_created != scenario.tables.len() {
        return Err(format!(
            "`alembic upgrade heads --sql` creates {all_created} tables, expected {:?}:\n{sql}",
            scenario.tables
        ));
    }
    Ok(())
}

/// Every `alembic-doctor` and `alembic` command of the plan (alternatives
/// too) carries the options the report was run with: without them it
/// would not find the project, or find another one.
fn commands_name_the_project(scenario: &Scenario, plan: &Value) -> Result<(), String> {
    let dash_c: Vec<String> = scenario
        .dash_c()
        .map(|dir| vec!["-C".to_owned(), dir.to_owned()])
        .unwrap_or_default();
    if scenario.options.is_empty() && dash_c.is_empty() {
        return Ok(());
    }
    let doctor = std::iter::once("alembic-doctor".to_owned())
        .chain(dash_c.iter().cloned())
        .chain(scenario.options.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    let git = std::iter::once("git".to_owned())
        .chain(dash_c.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    for step in plan["steps"].as_array().into_iter().flatten() {
        let alternative = &step["alternative"];
        let commands = step["commands"]
            .as_array()
            .into_iter()
            .chain(alternative["commands"].as_array())
            .flatten()
            .filter_map(Value::as_str);
        for command in commands {
            if command.starts_with("alembic-doctor ") && !command.starts_with(&format!("{doctor} "))
            {
                return Err(format!("`{command}` does not start `{doctor}`"));
            }
            if command.starts_with("git ") && !command.starts_with(&format!("{git} ")) {
                return Err(format!("`{command}` does not start `{git}`"));
            }
        }
        if let Some(summary) = alternative["summary"].as_str()
            && summary.contains("`alembic merge")
            && !scenario.options.is_empty()
        {
            return Err(format!(
                "`{summary}` does not say `{}`",
                scenario.options.join(" ")
            ));
        }
        if let (Some(summary), Some(dir)) = (alternative["summary"].as_str(), scenario.dash_c())
            && summary.contains("alembic ")
            && !summary.contains(&format!("`cd {dir} && alembic"))
        {
            return Err(format!("`{summary}` does not `cd {dir}` before `alembic`"));
        }
    }
    Ok(())
}

/// Repair BASE as the blocked plan's manual step says (nothing when the
/// scenario's BASE is whole).
fn repair_base(scenario: &mut Scenario) {
    let Some((path, good)) = &scenario.base_repair else {
        return;
    };
    let repo = &scenario.repo;
    repo.git(&["checkout", "-q", "main"]);
    repo.write(path, good);
    repo.commit("repair main");
    repo.git(&["checkout", "-q", "feature"]);
    scenario.base_files = files_at(repo, "main");
}

/// A blocked plan is one manual step that names BASE's problem: the rule
/// and the parent no revision defines.
fn names_the_base_problem(plan: &Value) -> Result<(), String> {
    let steps = plan["steps"].as_array().cloned().unwrap_or_default();
    match steps.as_slice() {
        [only] if only["kind"] == "manual" => {
            let summary = only["summary"].as_str().unwrap_or("");
            if summary.contains("missing-parent") && summary.contains("dead0000beef") {
                Ok(())
            } else {
                Err(format!(
                    "the manual step does not name main's problem: {summary}"
                ))
            }
        }
        _ => Err("a blocked plan must be one manual step".to_owned()),
    }
}

#[test]
fn following_the_reports_plan_ends_in_a_healthy_chain() {
    let mut alembic = Alembic::start();
    let mut failures = Vec::new();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut alternatives = 0;
    // `cd DIR && alembic ...` run as printed, by scenarios run from outside.
    let mut cd_alembic = 0;
    let mut blocked_plans = 0;
    let scenarios = std::env::var("ALEMBIC_DOCTOR_ADVICE_SCENARIOS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(SCENARIOS);
    for seed in 0..scenarios {
        let mut scenario = build(seed);
        let options = scenario.options.clone();
        let heads = scenario.heads.clone();
        let mut args: Vec<&str> = options.iter().map(String::as_str).collect();
        args.push("main");
        args.extend(heads.iter().map(String::as_str));
        args.push("--no-lint");
        let report = scenario.report(&args);
        let mut plan = report["plan"].clone();
        match (plan["blocked"].as_bool(), &scenario.base_repair) {
            (Some(true), Some(_)) => {
                blocked_plans += 1;
                if let Err(why) = names_the_base_problem(&plan) {
                    failures.push(format!("{}\nplan: {plan:#}\n{why}", scenario.description));
                    continue;
                }
                // Do what the manual step says, on main, then ask again.
                repair_base(&mut scenario);
                let again = scenario.report(&args);
                plan = again["plan"].clone();
                if plan["blocked"] != false {
                    failures.push(format!(
                        "{}: still blocked once main is repaired\nplan: {plan:#}",
                        scenario.description
                    ));
                    continue;
                }
            }
            (Some(true), None) => {
                failures.push(format!(
                    "{}: the plan stops at main's problem, and main has none\nplan: {plan:#}",
                    scenario.description
                ));
                continue;
            }
            (_, Some(_)) => {
                failures.push(format!(
                    "{}: main cannot be loaded, and the plan does not stop there first\nplan: {plan:#}",
                    scenario.description
                ));
                continue;
            }
            (_, None) => {}
        }
        let scenario = scenario;
        if let Err(why) = commands_name_the_project(&scenario, &plan) {
            failures.push(format!("{}\nplan: {plan:#}\n{why}", scenario.description));
            continue;
        }
        for step in plan["steps"].as_array().into_iter().flatten() {
            *kinds
                .entry(step["kind"].as_str().unwrap_or("").to_owned())
                .or_default() += 1;
        }
        if let Err(why) = follow(&scenario, &mut alembic, &plan, None) {
            failures.push(format!("{}\nplan: {plan:#}\n{why}", scenario.description));
            continue;
        }
        // Each alternative, in a fresh copy of the scenario.
        for (at, step) in plan["steps"].as_array().into_iter().flatten().enumerate() {
            if step["alternative"].is_null() {
                continue;
            }
            for which in [0, 1] {
                alternatives += 1;
                cd_alembic += usize::from(which == 1 && scenario.outside.is_some());
                let mut fresh = build(seed);
                repair_base(&mut fresh);
                // Run from outside, the plan names its repository by path:
                // the fresh copy's, for the copy.
                let plan = match (scenario.dash_c(), fresh.dash_c()) {
                    (Some(from), Some(to)) => {
                        serde_json::from_str(&plan.to_string().replace(from, to)).expect("JSON")
                    }
                    _ => plan.clone(),
                };
                if let Err(why) = follow(&fresh, &mut alembic, &plan, Some((at, which))) {
                    failures.push(format!(
                        "{} (alternative {which} of step {})\nplan: {plan:#}\n{why}",
                        scenario.description,
                        at + 1
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {scenarios} scenarios failed:\n\n{}",
        failures.len(),
        failures.join("\n\n---\n\n")
    );
    // The generator reaches every kind of advice.
    for kind in [
        "merge-base",
        "duplicate-ids",
        "rebase",
        "restore",
        "merge-others",
        "merge-heads",
        "check",
    ] {
        assert!(
            kinds.contains_key(kind),
            "no scenario's plan has a `{kind}` step: {kinds:?}"
        );
    }
    assert!(alternatives > 0);
    assert!(
        cd_alembic > 0 || scenarios < 64,
        "no scenario run from outside the repository ran `cd DIR && alembic merge`"
    );
    assert!(
        blocked_plans > 0 || scenarios < KINDS,
        "no scenario's plan stopped at main's own problem"
    );
}

/// A chain forked on a branch, as `check` sees it after merging main in:
/// `root`, `a` on it, then two lines of work on `a`, main's (`b1` [`b2`])
/// and the branch's (`c1` [`c2`]), in a labelled branch when `label` is
/// given; with `-c config/alembic.ini` when `elsewhere`.
fn forked_chain(seed: u64, elsewhere: bool, label: Option<&str>) -> Scenario {
    let (repo, options) = project_repo(elsewhere);
    let mut tables = BTreeSet::new();
    let id = |name: &str| hex_id(seed, name);
    let mut w = Writer {
        repo: &repo,
        tables: &mut tables,
    };
    let mut rng = Rng::new(seed);
    w.revision(&id("root"), &[], "root", "t_root", label);
    w.revision(&id("a"), &[&id("root")], "a", "t_a", None);
    // main's line `b`, then a branch's line `c`, both on `a`.
    for line in ["b", "c"] {
        let mut parent = id("a");
        for i in 1..=1 + rng.below(2) {
            let next = id(&format!("{line}{i}"));
            w.revision(
                &next,
                &[&parent],
                &format!("{line}{i}"),
                &format!("t_{line}{i}"),
                None,
            );
            parent = next;
        }
        if line == "b" {
            repo.commit("main");
            repo.branch("feature", "main");
        } else {
            repo.commit("feature");
        }
    }
    let base_files = files_at(&repo, "main");
    Scenario {
        description: format!(
            "seed {seed}: a fork on disk{}{}",
            if elsewhere {
                ", configuration in config/"
            } else {
                ""
            },
            label.map_or_else(String::new, |l| format!(", labelled `{l}`"))
        ),
        repo,
        heads: Vec::new(),
        base_files,
        tables,
        base_repair: None,
        options,
        outside: None,
    }
}

/// Each command `check`'s `multiple-heads` help gives (`alembic merge`,
/// each `alembic-doctor fix rebase`) is run, as printed, on a fresh copy
/// of the fork: each one alone must end in a chain with one head that the
/// real `alembic` upgrades, creating every table once, and main's files
/// unchanged (the re-parenting of main's line, which `fix rebase` refuses,
/// is not offered).
#[test]
fn every_command_of_the_multiple_heads_help_ends_healthy() {
    let mut alembic = Alembic::start();
    let mut failures = Vec::new();
    let mut run = 0;
    for seed in 0..12 {
        let elsewhere = seed % 2 == 1;
        let label = (seed % 3 == 2).then_some("core");
        let scenario = forked_chain(seed, elsewhere, label);
        let mut args: Vec<&str> = scenario.options.iter().map(String::as_str).collect();
        args.push("--no-lint");
        let (code, json) = scenario.repo.json_of("check", &args);
        assert_eq!(code, 1, "{}: {json:#}", scenario.description);
        let finding = json["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| f["rule"] == "multiple-heads")
            .unwrap_or_else(|| panic!("{}: no multiple-heads: {json:#}", scenario.description));
        let help = finding["help"].as_str().expect("help");
        let commands: Vec<&str> = help
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|span| span.starts_with("alembic ") || span.starts_with("alembic-doctor "))
            .collect();
        if commands.len() < 2 {
            failures.push(format!(
                "{}: too few commands in `{help}`",
                scenario.description
            ));
            continue;
        }
        for command in commands {
            if elsewhere && !command.contains("-c config/alembic.ini") {
                failures.push(format!("{}: `{command}` lacks `-c`", scenario.description));
                continue;
            }
            run += 1;
            let fresh = forked_chain(seed, elsewhere, label);
            let result = run_command(fresh.user_dir(), &mut alembic, command)
                .and_then(|_| check_result(&fresh, &mut alembic).map(|()| String::new()));
            if let Err(why) = result {
                failures.push(format!("{}: `{command}`:\n{why}", scenario.description));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n---\n\n"));
    assert!(run >= 24, "only {run} commands were run");
}
