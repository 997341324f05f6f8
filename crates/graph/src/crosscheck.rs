//! Cross-check against the real Alembic: thousands of generated revision
//! sets and queries, answered by `tests/alembic_crosscheck.py` (Alembic
//! 1.20.1) and by this crate, compared line by line.
//!
//! Ignored by default: it needs Python with Alembic installed. Run with
//! `ALEMBIC_PYTHON=/path/to/python cargo test -p alembic_doctor_graph
//! crosscheck -- --ignored` (default `/tmp/venv/bin/python`).

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::map::{RevisionMap, Target};
use crate::testgen::{Rng, Shape, random_revisions};
use crate::{AlembicOutput, ExceptionKind, GraphError, HashOrderNote, RevisionInput};

fn encode(items: &[String]) -> String {
    let mut out = items.len().to_string();
    for item in items {
        out.push('|');
        out.push_str(item);
    }
    out
}

fn failure_text(error: &GraphError) -> String {
    match error.exception().kind {
        ExceptionKind::NeverFinishes => "!hang".to_owned(),
        ExceptionKind::RequiresDatabase => "!needs-db".to_owned(),
        _ => match error.shown_as() {
            AlembicOutput::Failed(text) => format!("!FAILED: {text}"),
            AlembicOutput::Traceback(line) => format!("!TRACEBACK: {line}"),
        },
    }
}

/// What the Python side prints, computed by this crate.
fn answer(case: usize, revisions: &[RevisionInput], queries: &[(String, String)]) -> Vec<String> {
    let map = RevisionMap::build(revisions.to_vec());
    let mut out = vec![format!("CASE {case}")];
    let ids = |revs: &[usize]| {
        revs.iter()
            .map(|&r| map.revisions()[r].id.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    if let Some(failure) = map.alembic_would_fail() {
        out.push(format!("build {}", failure.exception.traceback_line()));
    } else {
        out.push("build ok".to_owned());
        out.push(format!("heads {}", ids(map.heads())));
        out.push(format!("real_heads {}", ids(map.real_heads())));
        out.push(format!("bases {}", ids(map.bases())));
        out.push(format!("real_bases {}", ids(map.real_bases())));
        for rev in 0..map.revisions().len() {
            let mut labels = map.branch_labels(rev).to_vec();
            if !labels.is_empty() {
                labels.sort();
                out.push(format!("labels {rev}={}", labels.join(",")));
            }
        }
    }
    out.push(match map.upgrade_order() {
        Ok(order) => format!("upgrade {}", ids(&order)),
        Err(e) => format!("upgrade {}", failure_text(&e)),
    });
    for (kind, text) in queries {
        let result = if kind == "range" {
            map.history(if text == "<none>" { None } else { Some(text) })
                .map(|revs| ids(&revs))
        } else {
            map.resolve_targets(text).map(|targets| {
                targets
                    .iter()
                    .map(|t| match t {
                        Target::Revision(r) => map.revisions()[*r].id.clone(),
                        Target::Base => "<base>".to_owned(),
                        Target::Nothing => "<None>".to_owned(),
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        };
        out.push(format!(
            "Q {kind} {text} => {}",
            result.unwrap_or_else(|e| failure_text(&e))
        ));
    }
    out
}

/// Identifiers worth asking about in this revision set.
fn random_ident(rng: &mut Rng, revisions: &[RevisionInput]) -> String {
    let any_id = |rng: &mut Rng| revisions[rng.below(revisions.len())].id.clone();
    let labels: Vec<&String> = revisions.iter().flat_map(|r| &r.branch_labels).collect();
    let label = |rng: &mut Rng| {
        if labels.is_empty() {
            "lbl0x".to_owned()
        } else {
            labels[rng.below(labels.len())].clone()
        }
    };
    let steps = |rng: &mut Rng| 1 + rng.below(3);
    match rng.below(22) {
        0 => "heads".to_owned(),
        1 => "head".to_owned(),
        2 => "base".to_owned(),
        3 => String::new(),
        4 => {
            let id = any_id(rng);
            id[..id.len().min(1 + rng.below(4))].to_owned()
        }
        5 => format!("{}@head", label(rng)),
        6 => format!("{}@heads", label(rng)),
        7 => format!("{}@base", label(rng)),
        8 => format!("{}@{}", label(rng), any_id(rng)),
        9 => format!("+{}", steps(rng)),
        10 => format!("-{}", steps(rng)),
        11 => format!("{}+{}", any_id(rng), steps(rng)),
        12 => format!("{}-{}", any_id(rng), steps(rng)),
        13 => format!("{}@+{}", label(rng), steps(rng)),
        14 => format!("{}@-{}", label(rng), steps(rng)),
        15 => label(rng),
        16 => label(rng).chars().take(3).collect(),
        17 => format!("heads-{}", steps(rng)),
        18 => format!("{}@{}", any_id(rng), any_id(rng)),
        _ => any_id(rng),
    }
}

fn sort_overlaps(line: &str) -> String {
    const MARKER: &str = "overlaps with other requested revisions ";
    match line.find(MARKER) {
        Some(at) => {
            let mut revs: Vec<&str> = line[at + MARKER.len()..].split(", ").collect();
            revs.sort_unstable();
            format!("{}{MARKER}{}", &line[..at], revs.join(", "))
        }
        None => line.to_owned(),
    }
}

/// One generated case: revisions and (kind, text) queries.
type Case = (Vec<RevisionInput>, Vec<(String, String)>);

fn input_text(cases: &[Case]) -> String {
    let mut text = String::new();
    for (revisions, queries) in cases {
        text.push_str("CASE\n");
        for r in revisions {
            let _ = writeln!(
                text,
                "R {}\t{}\t{}\t{}",
                r.id,
                encode(&r.down_revisions),
                encode(&r.depends_on),
                encode(&r.branch_labels)
            );
        }
        for (kind, q) in queries {
            let _ = writeln!(text, "Q {kind}\t{q}");
        }
        text.push_str("END\n");
    }
    text
}

/// Runs in the README's test command (`scripts/test` sets
/// `ALEMBIC_DOCTOR_PYTHON`; without it, `<workspace>/.venv/bin/python`,
/// which `scripts/setup-python` creates). It used to be ignored and read a
/// variable nobody set: a Python that cannot be run now fails the test
/// instead of skipping it.
#[test]
fn crosscheck_with_real_alembic() {
    let python = std::env::var("ALEMBIC_DOCTOR_PYTHON").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../.venv/bin/python").to_owned()
    });
    let cases_wanted: usize = std::env::var("CROSSCHECK_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let seed: u64 = std::env::var("CROSSCHECK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2024);
    let max_revisions: usize = std::env::var("CROSSCHECK_MAX_REVISIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(25);
    let mut rng = Rng::new(seed);
    let mut cases = Vec::new();
    for i in 0..cases_wanted {
        let shape = Shape {
            max_revisions: if i % 10 == 0 {
                max_revisions * 3
            } else {
                max_revisions
            },
            broken: i % 4 == 0,
            dependencies: 20,
        };
        let revisions = random_revisions(&mut rng, shape);
        let mut queries = vec![("range".to_owned(), "<none>".to_owned())];
        for _ in 0..6 {
            let a = random_ident(&mut rng, &revisions);
            let b = random_ident(&mut rng, &revisions);
            queries.push(("range".to_owned(), format!("{a}:{b}")));
            queries.push(("resolve".to_owned(), random_ident(&mut rng, &revisions)));
        }
        cases.push((revisions, queries));
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/alembic_crosscheck.py");
    let Ok(mut child) = Command::new(&python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    else {
        panic!(
            "cannot run {python}: run scripts/setup-python, or set ALEMBIC_DOCTOR_PYTHON to a \
             Python with alembic installed"
        );
    };
    let input = input_text(&cases);
    if let Ok(path) = std::env::var("CROSSCHECK_DUMP") {
        let _ = std::fs::write(path, &input);
    }
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("python output");
    writer.join().expect("writer").expect("write");
    let alembic = String::from_utf8_lossy(&output.stdout);
    // Where Alembic's error depends on object hashes (label collisions,
    // several unresolvable dependencies), only the exception class must
    // match.
    let class_only = |line: &str| -> String {
        for marker in [
            "RevisionError: Branch name",
            "FAILED: Branch name",
            "KeyError: ",
        ] {
            if let Some(at) = line.find(marker) {
                return format!("{}{marker}…", &line[..at]);
            }
        }
        line.to_owned()
    };
    let mut theirs = alembic.lines();
    let (mut lines, mut mismatches, mut failing_builds, mut failing_queries) = (0, 0, 0, 0);
    for (n, (revisions, queries)) in cases.iter().enumerate() {
        let map = RevisionMap::build(revisions.clone());
        let unordered = map.hash_order_notes().iter().any(|note| {
            matches!(
                note,
                HashOrderNote::LabelConflictNaming { .. } | HashOrderNote::FirstErrorChoice
            )
        });
        for ours in answer(n, revisions, queries) {
            let their = theirs.next().unwrap_or("<missing>");
            let (ours, their) = if unordered {
                (class_only(&ours), class_only(their))
            } else {
                (ours, their.to_owned())
            };
            // Overlaps are joined from a set of revision objects.
            let (ours, their) = (sort_overlaps(&ours), sort_overlaps(&their));
            let their = their.as_str();
            lines += 1;
            failing_builds += usize::from(their.starts_with("build ") && their != "build ok");
            failing_queries += usize::from(their.contains("=> !"));
            // `history -r label@x:...`: Alembic makes the targets a set of
            // revision objects, so the overlap check runs in address order
            // and may fail differently (or not at all) from run to run.
            let set_ordered = ours.starts_with("Q range ")
                && ours
                    .split(" => ")
                    .next()
                    .is_some_and(|q| q.split(':').next().is_some_and(|lower| lower.contains('@')))
                && (ours.contains("overlaps with other") || their.contains("overlaps with other"));
            if ours != their && !set_ordered {
                mismatches += 1;
                if mismatches <= 15 {
                    eprintln!("case {n}: {revisions:?}\n  alembic: {their}\n  ours:    {ours}");
                }
            }
        }
    }
    eprintln!(
        "{} cases, {lines} lines compared, {failing_builds} failing builds, \
         {failing_queries} failing queries, {mismatches} mismatches",
        cases.len()
    );
    assert_eq!(mismatches, 0);
}
