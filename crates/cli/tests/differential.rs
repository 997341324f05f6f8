//! Differential test: alembic-doctor against the real `alembic` package.
//!
//! Generates random Alembic projects ([`generator`]), runs every read-only
//! command (`heads`, `branches`, `history`, `show`, with their flags and
//! random ranges and revision arguments) through `alembic` itself (one Python
//! process for the whole batch, [`oracle`]) and through the alembic-doctor
//! binary (a small thread pool), and compares the results ([`compare`]):
//! identical stdout where Alembic succeeds, a non-zero exit where it fails or
//! warns, the `upgrade heads` order and head/base lists of `check --format
//! json`, and the findings for planted defects.
//!
//! Environment:
//! * `DIFF_CASES` (default 1000): number of projects.
//! * `DIFF_SEED` (default 1): seed of the first project; project `k` uses
//!   seed `DIFF_SEED + k`. `DIFF_SEED=random` picks one from the clock.
//!   `DIFF_SEED=<seed> DIFF_CASES=1` rebuilds exactly the project a failure
//!   report names.
//! * `DIFF_JOBS` (default: available cores, at most 4): parallel binary runs.
//! * `DIFF_KEEP=1`: keep the generated projects even when everything passes.
//! * `DIFF_TMPDIR`: where to write them (default `/dev/shm` when usable,
//!   else the system temp directory).
//! * `DIFF_ORACLE_ONLY=1`: generate and run Alembic only (checks the
//!   generator and the driver; no alembic-doctor runs).
//! * `DIFF_BIN`: run this executable instead of the freshly built binary
//!   (a release build, or a shim around `alembic` to test the harness).
//! * `ALEMBIC_DOCTOR_PYTHON`: the Python with `alembic` installed (default
//!   `<workspace>/.venv/bin/python`, created by `scripts/setup-python`).
//!
//! The generated projects live in one temporary directory, which is kept
//! (and printed) when there is a mismatch; `report.txt` there lists every
//! mismatch in full.

#[path = "differential/compare.rs"]
mod compare;
#[path = "differential/generator.rs"]
mod generator;
#[path = "differential/oracle.rs"]
mod oracle;
#[path = "differential/rng.rs"]
mod rng;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use compare::{Context, Kind, Mismatch, Outcome};
use generator::Case;

const BIN: &str = env!("CARGO_BIN_EXE_alembic-doctor");
/// Per run; a healthy run takes milliseconds.
const TIMEOUT: Duration = Duration::from_secs(30);

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        _ => default,
    }
}

fn first_seed() -> u64 {
    match std::env::var("DIFF_SEED") {
        Ok(v) if v.trim() == "random" => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            u64::try_from(nanos % 1_000_000_000).expect("fits")
        }
        _ => env_number("DIFF_SEED", 1),
    }
}

fn flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Where the projects are written: `DIFF_TMPDIR`, else `/dev/shm` when
/// usable (creating and deleting ~20,000 small files on a disk mounted with
/// `discard` takes the better part of a minute; on tmpfs it is instant),
/// else the system temp directory.
fn temp_parent() -> PathBuf {
    if let Some(dir) = std::env::var_os("DIFF_TMPDIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let shm = Path::new("/dev/shm");
    if shm.is_dir() && tempfile::tempdir_in(shm).is_ok() {
        return shm.to_path_buf();
    }
    std::env::temp_dir()
}

/// Writes a case's files under `root/<name>` and returns the directory.
fn write_case(root: &Path, case: &Case) -> PathBuf {
    let dir = root.join(&case.name);
    for file in &case.files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        if let Some(target) = &file.symlink_to {
            symlink(&dir.join(target), &path);
        } else {
            std::fs::write(&path, &file.contents).expect("write project file");
            age(&path);
        }
    }
    age_dirs(&dir);
    dir
}

/// Date every directory under `dir` an hour back, once its entries are
/// written: the parse cache reuses a listing only while no directory it
/// read changed, and not one changed in the last seconds, so without this
/// no run would answer from a reused listing.
fn age_dirs(dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("list a project directory") {
        let entry = entry.expect("read a directory entry");
        if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            age_dirs(&entry.path());
        }
    }
    let hour_ago = std::time::SystemTime::now() - Duration::from_hours(1);
    std::fs::File::open(dir)
        .and_then(|handle| handle.set_modified(hour_ago))
        .expect("date a project directory");
}

/// Date a file an hour back. The parse cache does not store a file written
/// in the last seconds (a second write in the same time-stamp tick could go
/// unnoticed), so without this every run would parse every file and the
/// comparison would never see an answer built from the cache.
fn age(path: &Path) {
    let hour_ago = std::time::SystemTime::now() - Duration::from_hours(1);
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|file| file.set_modified(hour_ago))
        .expect("date a project file");
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("create symlink");
}

#[cfg(not(unix))]
fn symlink(_target: &Path, _link: &Path) {
    unreachable!("the generator makes symlinks on unix only");
}

/// The alembic-doctor runs of one project: its commands, then `check`.
fn runs_of(case: &Case) -> Vec<Vec<String>> {
    let mut runs: Vec<Vec<String>> = case
        .commands
        .iter()
        .map(|cmd| case.global_args.iter().chain(cmd).cloned().collect())
        .collect();
    let mut check = case.global_args.clone();
    check.extend(["check", "--format", "json"].map(String::from));
    runs.push(check);
    runs
}

/// The executable under test: `DIFF_BIN`, else a private copy of the
/// freshly built binary (in a shared checkout another `cargo build` may
/// replace `target/debug/alembic-doctor` while the runs are going on).
fn binary_under_test(root: &Path) -> PathBuf {
    if let Some(bin) = std::env::var_os("DIFF_BIN").filter(|b| !b.is_empty()) {
        return PathBuf::from(bin);
    }
    let copy = root.join("alembic-doctor");
    std::fs::copy(BIN, &copy).unwrap_or_else(|e| panic!("cannot copy {BIN}: {e}"));
    copy
}

/// Runs every (case, run) pair on `jobs` threads.
/// Every project's runs share one parse cache (one file per project), so
/// that each command after the first answers from it: the comparison with
/// Alembic then covers cached answers too.
fn run_all(
    cases: &[(Case, PathBuf)],
    jobs: usize,
    bin: &Path,
    cache_dir: &Path,
) -> Vec<Vec<Outcome>> {
    let work: Vec<(usize, usize, Vec<String>)> = cases
        .iter()
        .enumerate()
        .flat_map(|(c, (case, _))| {
            runs_of(case)
                .into_iter()
                .enumerate()
                .map(move |(k, args)| (c, k, args))
        })
        .collect();
    let next = AtomicUsize::new(0);
    let done: Vec<Vec<(usize, usize, Outcome)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..jobs)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((c, k, args)) = work.get(i) else {
                            break;
                        };
                        mine.push((
                            *c,
                            *k,
                            compare::run_binary(bin, &cases[*c].1, args, TIMEOUT, cache_dir),
                        ));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker panicked"))
            .collect()
    });
    let mut outcomes: Vec<Vec<Option<Outcome>>> = cases
        .iter()
        .map(|(case, _)| vec![None; case.commands.len() + 1])
        .collect();
    for (c, k, outcome) in done.into_iter().flatten() {
        outcomes[c][k] = Some(outcome);
    }
    outcomes
        .into_iter()
        .map(|v| v.into_iter().map(|o| o.expect("every run done")).collect())
        .collect()
}

/// The harness's own sanity check: a project the generator meant to be
/// valid must load in Alembic without error or warning.
fn generator_check(case: &Case, dir: &Path, oracle: &oracle::CaseResult) -> Option<Mismatch> {
    let g = &oracle.graph;
    if !case.intended_valid || (g.ok && g.warnings.is_empty()) {
        return None;
    }
    Some(Mismatch {
        seed: case.seed,
        dir: dir.display().to_string(),
        summary: case.summary.clone(),
        command: "alembic (oracle)".to_string(),
        kind: Kind::Generator,
        detail: format!(
            "the generator meant this project to be valid, but Alembic says: {}{}",
            g.error.clone().unwrap_or_default(),
            compare::warnings_suffix(&g.warnings)
        ),
    })
}

/// `history -r base:x` → `history -r`: the command without its values.
fn command_key(command: &str) -> String {
    let mut words = command.split(' ').skip(1).peekable();
    let mut key = Vec::new();
    while let Some(w) = words.next() {
        if matches!(w, "-c" | "--config" | "-n" | "--name") {
            words.next();
        } else if w == "-r" {
            key.push(w);
            words.next();
        } else if w.starts_with('-') || key.is_empty() {
            key.push(w.split('=').next().unwrap_or(w));
        }
    }
    key.join(" ")
}

fn render_mismatch(n: usize, m: &Mismatch) -> String {
    format!(
        "#{n} [{:?}] {}\n   project:   {} ({})\n   reproduce: DIFF_SEED={} DIFF_CASES=1 cargo test -p alembic-doctor --test differential -- --nocapture\n{}\n",
        m.kind,
        m.command,
        m.dir,
        m.summary,
        m.seed,
        compare::indent(&m.detail)
    )
}

/// Counts, then up to 20 mismatches in full: first one of each (kind,
/// command) group, then the rest in order.
fn report(mismatches: &[Mismatch], header: &str) -> (String, String) {
    let mut by_group: BTreeMap<(Kind, String), usize> = BTreeMap::new();
    for m in mismatches {
        *by_group
            .entry((m.kind, command_key(&m.command)))
            .or_default() += 1;
    }
    let mut summary = format!("{header}\n{} MISMATCHES\n", mismatches.len());
    for ((kind, cmd), count) in &by_group {
        let _ = writeln!(summary, "  {count:>5}  {kind:?}  {cmd}");
    }
    let mut shown: Vec<usize> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, m) in mismatches.iter().enumerate() {
        if seen.insert((m.kind, command_key(&m.command))) {
            shown.push(i);
        }
    }
    for i in 0..mismatches.len() {
        if shown.len() >= 20 {
            break;
        }
        if !shown.contains(&i) {
            shown.push(i);
        }
    }
    shown.truncate(20);
    let mut short = summary.clone();
    let _ = writeln!(short, "\nFirst {} in full:\n", shown.len());
    for (n, &i) in shown.iter().enumerate() {
        short.push_str(&render_mismatch(n + 1, &mismatches[i]));
    }
    let mut full = summary;
    full.push('\n');
    for (n, m) in mismatches.iter().enumerate() {
        full.push_str(&render_mismatch(n + 1, m));
    }
    (short, full)
}

#[test]
fn alembic_doctor_matches_alembic_on_generated_projects() {
    let count = env_number("DIFF_CASES", 1000);
    let seed0 = first_seed();
    let jobs = usize::try_from(env_number(
        "DIFF_JOBS",
        std::thread::available_parallelism().map_or(2, |n| n.get().min(4) as u64),
    ))
    .expect("small");
    let oracle_only = flag("DIFF_ORACLE_ONLY");
    let (python, alembic_version) = oracle::find_python();
    let started = Instant::now();

    let tmp = tempfile::Builder::new()
        .prefix("alembic-doctor-differential-")
        .tempdir_in(temp_parent())
        .expect("temp dir");
    // Canonical, so that the `Path:` lines both tools print agree with it.
    let root = tmp.path().canonicalize().expect("canonical temp dir");
    let cases: Vec<(Case, PathBuf)> = (0..count)
        .map(|k| {
            let case = generator::generate(seed0.wrapping_add(k));
            let dir = write_case(&root, &case);
            (case, dir)
        })
        .collect();
    let generated = started.elapsed();

    let (child, results_path) = oracle::start(&python, &root, &cases);
    let t_runs = Instant::now();
    let outcomes = if oracle_only {
        Vec::new()
    } else {
        run_all(
            &cases,
            jobs.max(1),
            &binary_under_test(&root),
            &root.join("parse-cache"),
        )
    };
    let runs_took = t_runs.elapsed();
    let oracle_results = oracle::finish(child, &results_path);
    assert_eq!(
        oracle_results.len(),
        cases.len(),
        "one oracle result per case"
    );
    let total_took = started.elapsed();

    let mut mismatches = Vec::new();
    let (mut alembic_failures, mut hash_dependent, mut invalid_projects) = (0, 0, 0);
    for (c, (case, dir)) in cases.iter().enumerate() {
        let oracle = &oracle_results[c];
        if let Some(m) = generator_check(case, dir, oracle) {
            mismatches.push(m);
        }
        if oracle.graph.hash_dependent {
            hash_dependent += 1;
        }
        if !oracle.graph.ok || !oracle.graph.warnings.is_empty() {
            invalid_projects += 1;
        }
        alembic_failures += oracle
            .results
            .iter()
            .filter(|r| r.failed_or_warned())
            .count();
        if oracle_only {
            continue;
        }
        let cx = Context { case, dir, oracle };
        let runs = runs_of(case);
        for (k, result) in oracle.results.iter().enumerate() {
            compare::compare_command(&cx, &runs[k], result, &outcomes[c][k], &mut mismatches);
        }
        let k = case.commands.len();
        compare::compare_check(&cx, &runs[k], &outcomes[c][k], &mut mismatches);
    }

    let runs: usize = cases.iter().map(|(c, _)| c.commands.len() + 1).sum();
    let header = format!(
        "differential: {count} projects (seeds {seed0}..={}), alembic {alembic_version}; \
         generated in {:.1} s; {} alembic-doctor runs on {jobs} threads in {:.1} s; total {:.1} s\n\
         projects Alembic rejects or warns about: {invalid_projects}; commands where Alembic failed or warned: {alembic_failures}; \
         hash-dependent projects (history/branches/upgrade order compared as multisets): {hash_dependent}",
        seed0 + count.saturating_sub(1),
        generated.as_secs_f64(),
        if oracle_only { 0 } else { runs },
        runs_took.as_secs_f64(),
        total_took.as_secs_f64(),
    );
    let (tolerated, mismatches): (Vec<Mismatch>, Vec<Mismatch>) =
        mismatches.into_iter().partition(|m| m.kind.tolerated());
    let header = if tolerated.is_empty() {
        header
    } else {
        let first = &tolerated[0];
        format!(
            "{header}\ntolerated: {} commands Alembic answered on a project with a planted defect it does not notice \
             (a cycle, a dependency on a descendant, an id named `heads`), alembic-doctor refused \
             (e.g. DIFF_SEED={} `{}`)",
            tolerated.len(),
            first.seed,
            first.command
        )
    };
    let tolerated_text = tolerated
        .iter()
        .enumerate()
        .map(|(n, m)| render_mismatch(n + 1, m))
        .collect::<String>();
    if mismatches.is_empty() {
        println!("{header}\nno mismatches");
        if flag("DIFF_KEEP") {
            let kept = tmp.keep();
            std::fs::write(kept.join("tolerated.txt"), &tolerated_text).expect("write report");
            println!("projects kept in {}", kept.display());
        }
        return;
    }
    let (short, full) = report(&mismatches, &header);
    let kept = tmp.keep();
    let report_path = kept.join("report.txt");
    std::fs::write(&report_path, &full).expect("write report");
    std::fs::write(kept.join("tolerated.txt"), &tolerated_text).expect("write report");
    panic!(
        "{short}\nAll {} mismatches: {}\nProjects kept in {}",
        mismatches.len(),
        report_path.display(),
        kept.display()
    );
}

/// The generator is a pure function of the seed (what `DIFF_SEED`
/// reproduction relies on).
#[test]
fn generator_is_reproducible() {
    for seed in [1, 7, 12_345] {
        let a = generator::generate(seed);
        let b = generator::generate(seed);
        assert_eq!(a.files.len(), b.files.len());
        for (x, y) in a.files.iter().zip(&b.files) {
            assert_eq!(x.path, y.path);
            assert_eq!(x.contents, y.contents);
        }
        assert_eq!(a.commands, b.commands);
    }
}
