//! `check --format json` through the parse cache while another process
//! creates, rewrites and deletes a migration: every answer must be one a
//! run without the cache gives for some state the files were in. A column
//! counted in one version of a file at a position found in another, or a
//! file listed in one state and read in the next, would match none.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// The states the writer cycles through: the migration absent, and two
/// versions whose finding is at different columns (one with a multi-byte
/// character before the end of the line, so that bytes and characters
/// differ).
const STATES: [Option<&str>; 3] = [
    None,
    Some("revision = 'bbb'\ndown_revision = get()\n"),
    Some("revision = 'bbb'\ndown_revision =      get()  # é\nx = 'é'; y = get()\n"),
];

/// How long the writer and the readers race.
const RACE: Duration = Duration::from_secs(3);

fn check(dir: &Path, cache: Option<&Path>) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_alembic-doctor"));
    command
        .current_dir(dir)
        .args(["check", "--versions", "versions", "--format", "json"])
        .env_remove("ALEMBIC_CONFIG")
        .env("NO_COLOR", "1")
        .env("GIT_CEILING_DIRECTORIES", dir.parent().unwrap());
    match cache {
        Some(cache) => command
            .env_remove("ALEMBIC_DOCTOR_NO_CACHE")
            .env("ALEMBIC_DOCTOR_CACHE_DIR", cache),
        None => command.env("ALEMBIC_DOCTOR_NO_CACHE", "1"),
    };
    let output = command.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
    )
}

/// Put state `state` in place atomically (a rename, so that a reader sees
/// a whole version, as a cold run would), dated an hour back so that the
/// cache may store it.
fn set_state(versions: &Path, state: usize) {
    let target = versions.join("bbb.py");
    match STATES[state] {
        None => {
            let _ = fs::remove_file(&target);
        }
        Some(text) => {
            let temp = versions.join(".bbb.tmp");
            fs::write(&temp, text).unwrap();
            let hour_ago = SystemTime::now() - Duration::from_hours(1);
            fs::File::options()
                .write(true)
                .open(&temp)
                .unwrap()
                .set_modified(hour_ago)
                .unwrap();
            fs::rename(&temp, &target).unwrap();
        }
    }
}

#[test]
fn cached_answers_during_concurrent_edits_are_answers_of_real_states() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap().join("project");
    let versions = root.join("versions");
    fs::create_dir_all(&versions).unwrap();
    fs::write(
        versions.join("aaa.py"),
        "revision = 'aaa'\ndown_revision = None\n",
    )
    .unwrap();
    // What a run without the cache says in each state.
    let mut expected = BTreeMap::new();
    for state in 0..STATES.len() {
        set_state(&versions, state);
        expected.insert(check(&root, None), state);
    }
    assert_eq!(expected.len(), STATES.len(), "the states must differ");

    let cache = root.join(".cache");
    let stop = AtomicBool::new(false);
    let (answers, wrong) = std::thread::scope(|scope| {
        scope.spawn(|| {
            let started = Instant::now();
            let mut state = 0;
            while started.elapsed() < RACE {
                state = (state + 1) % STATES.len();
                set_state(&versions, state);
                std::thread::sleep(Duration::from_millis(3));
            }
            stop.store(true, Ordering::Relaxed);
        });
        let readers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let (mut answers, mut wrong) = (0, Vec::new());
                    while !stop.load(Ordering::Relaxed) {
                        let answer = check(&root, Some(&cache));
                        answers += 1;
                        if !expected.contains_key(&answer) {
                            wrong.push(answer);
                        }
                    }
                    (answers, wrong)
                })
            })
            .collect();
        readers
            .into_iter()
            .map(|reader| reader.join().unwrap())
            .fold((0, Vec::new()), |(n, mut all), (answers, wrong)| {
                all.extend(wrong);
                (n + answers, all)
            })
    });
    assert!(answers > 0);

    assert!(
        wrong.is_empty(),
        "{} of {answers} answers match no state; the first:\n{}\nthe states:\n{}",
        wrong.len(),
        wrong[0].1,
        expected
            .keys()
            .map(|(code, json)| format!("exit {code}: {json}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
