//! The mutation loop and its supervisor.
//!
//! A campaign runs in two processes. The *worker* loops: pick a corpus
//! entry, mutate it, write it to `current` in the work directory, run the
//! target on a thread with a bounded stack, catch a panic (saved under
//! `crashes/`, and the loop goes on), and keep the input in the corpus
//! when the target reports a feature not seen before (also saved under
//! `queue/`, from which a corpus to check in is picked). A watchdog thread
//! ends the worker when one input runs longer than the time limit. The
//! *supervisor* starts the worker, reads its progress, and when it dies
//! without finishing (a stack overflow, an abort, a hang) saves `current`
//! as the crashing input and starts a new worker on the next seed for the
//! executions that remain.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::fs::FileExt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::mutate::Mutator;

/// The worker's exit code when the watchdog stopped it.
pub const HANG_EXIT: i32 = 86;

/// Inputs larger than this are not saved to the queue.
const QUEUE_MAX_INPUT: usize = 8192;

/// At most this many inputs in memory; a new one then replaces a random
/// one.
const CORPUS_CAP: usize = 4096;

/// How one worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Executions to run.
    pub execs: u64,
    /// The random seed.
    pub seed: u64,
    /// Longest input.
    pub max_len: usize,
    /// Per-input time limit.
    pub timeout: Duration,
    /// Stack of the thread the target runs on.
    pub stack: usize,
    /// Where `current`, `crashes/` and `queue/` go.
    pub work: PathBuf,
}

/// What a worker did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Inputs run.
    pub execs: u64,
    /// Inputs that panicked.
    pub crashes: u64,
}

/// The message of the last panic, kept by the panic hook for the crash
/// report instead of being printed once per crashing input.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn install_quiet_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        *LAST_PANIC
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some(format!("{message}{location}"));
    }));
}

/// A short name for an input: a hash of its bytes.
pub fn input_name(bytes: &[u8]) -> String {
    use std::hash::{DefaultHasher, Hasher};
    let mut hasher = DefaultHasher::new();
    hasher.write(bytes);
    format!("{:016x}", hasher.finish())
}

/// The inputs of a corpus folder, sorted by name (absent folder: none).
pub fn read_corpus(dir: &Path) -> io::Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut paths: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.map(|e| e.path()))
            .collect::<io::Result<_>>()?,
        Err(error) if error.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(error) => return Err(error),
    };
    paths.retain(|p| p.is_file());
    paths.sort();
    paths
        .into_iter()
        .map(|p| fs::read(&p).map(|bytes| (p, bytes)))
        .collect()
}

/// The mutation loop, in this process: `target` on `execs` inputs grown
/// from `seeds`. Panics are caught and saved; a stack overflow or an abort
/// ends the process (the supervisor's business). `progress` is called
/// about every second.
pub fn work<F>(
    target: F,
    seeds: &[Vec<u8>],
    options: &WorkerOptions,
    progress: &mut dyn FnMut(Tally, usize),
) -> io::Result<Tally>
where
    F: Fn(&[u8]) -> Vec<u64> + Send + Sync + 'static,
{
    fs::create_dir_all(options.work.join("crashes"))?;
    fs::create_dir_all(options.work.join("queue"))?;
    let current = File::create(options.work.join("current"))?;
    install_quiet_panic_hook();

    // The watchdog: `started` is the time (ms since `epoch`) the running
    // input started, 0 between inputs.
    let epoch = Instant::now();
    let started = Arc::new(AtomicU64::new(0));
    let finished = Arc::new(AtomicBool::new(false));
    {
        let (started, finished, timeout, work) = (
            Arc::clone(&started),
            Arc::clone(&finished),
            options.timeout,
            options.work.clone(),
        );
        std::thread::Builder::new()
            .name("fuzz-watchdog".to_owned())
            .spawn(move || {
                while !finished.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(100));
                    let at = started.load(Ordering::Relaxed);
                    let now = u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
                    if at != 0 && u128::from(now.saturating_sub(at)) > timeout.as_millis() {
                        let _ = fs::write(
                            work.join("hang"),
                            format!("one input ran longer than {timeout:?}\n"),
                        );
                        std::process::exit(HANG_EXIT);
                    }
                }
            })?;
    }

    let target = Arc::new(target);
    let seeds = seeds.to_vec();
    let options_in = options.clone();
    let (sender, receiver) = std::sync::mpsc::channel::<(Tally, usize)>();
    let started_in = Arc::clone(&started);
    let looper = std::thread::Builder::new()
        .name("fuzz-target".to_owned())
        .stack_size(options.stack)
        .spawn(move || -> io::Result<Tally> {
            let options = options_in;
            let mut mutator = Mutator::new(options.seed, options.max_len);
            let mut corpus: Vec<Vec<u8>> = if seeds.is_empty() {
                vec![Vec::new()]
            } else {
                seeds
            };
            let mut seen: HashSet<u64> = HashSet::new();
            let mut tally = Tally::default();
            let mut last_report = Instant::now();
            // The seeds run first, unmutated.
            let mut pending: Vec<Vec<u8>> = corpus.clone();
            while tally.execs < options.execs {
                let input = pending.pop().unwrap_or_else(|| {
                    let a = mutator.rng().usize(..corpus.len());
                    let b = mutator.rng().usize(..corpus.len());
                    mutator.mutate(&corpus[a], &corpus[b])
                });
                current.set_len(0)?;
                current.write_all_at(&input, 0)?;
                started_in.store(
                    u64::try_from(epoch.elapsed().as_millis())
                        .unwrap_or(u64::MAX)
                        .max(1),
                    Ordering::Relaxed,
                );
                let outcome = catch_unwind(AssertUnwindSafe(|| target(&input)));
                started_in.store(0, Ordering::Relaxed);
                tally.execs += 1;
                if let Ok(features) = outcome {
                    let mut new = false;
                    for feature in features {
                        new |= seen.insert(feature);
                    }
                    if new {
                        if input.len() <= QUEUE_MAX_INPUT {
                            fs::write(options.work.join("queue").join(input_name(&input)), &input)?;
                        }
                        if corpus.len() < CORPUS_CAP {
                            corpus.push(input);
                        } else {
                            let at = mutator.rng().usize(..corpus.len());
                            corpus[at] = input;
                        }
                    }
                } else {
                    tally.crashes += 1;
                    let message = LAST_PANIC
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .take()
                        .unwrap_or_default();
                    let name = format!("panic-{}", input_name(&input));
                    let path = options.work.join("crashes").join(&name);
                    fs::write(&path, &input)?;
                    fs::write(path.with_extension("txt"), &message)?;
                    eprintln!("crash: {} ({message})", path.display());
                }
                if last_report.elapsed() >= Duration::from_secs(1) {
                    last_report = Instant::now();
                    let _ = sender.send((tally, corpus.len()));
                }
            }
            let _ = sender.send((tally, corpus.len()));
            Ok(tally)
        })?;
    for (tally, corpus) in receiver {
        progress(tally, corpus);
    }
    let result = looper
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("the fuzz loop itself panicked")));
    finished.store(true, Ordering::Relaxed);
    result
}

/// What a whole campaign did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Inputs run, in every worker.
    pub execs: u64,
    /// Inputs that panicked.
    pub panics: u64,
    /// Workers that died (stack overflow, abort) and inputs that hung.
    pub deaths: Vec<PathBuf>,
    /// The seeds the workers used, in order.
    pub seeds: Vec<u64>,
    /// Wall-clock time.
    pub elapsed: Duration,
}

/// Run `worker_command` (this program, in worker mode, with `--seed` and
/// `--execs` appended) until `execs` inputs have run, restarting it on the
/// next seed when it dies, and saving the input it died on.
pub fn supervise(
    worker_command: &dyn Fn(u64, u64) -> Command,
    execs: u64,
    seed: u64,
    work: &Path,
    log: &mut dyn Write,
) -> io::Result<Report> {
    let begin = Instant::now();
    let mut report = Report::default();
    let mut seed = seed;
    fs::create_dir_all(work.join("crashes"))?;
    while report.execs < execs {
        let _ = fs::remove_file(work.join("hang"));
        report.seeds.push(seed);
        let mut child = worker_command(seed, execs - report.execs)
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no stdout"))?;
        let mut last = Tally::default();
        let mut done = false;
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            let mut words = line.split_whitespace();
            let kind = words.next();
            let numbers: Vec<u64> = words
                .filter_map(|w| w.split('=').nth(1)?.parse().ok())
                .collect();
            if let [execs, crashes, ..] = numbers[..] {
                last = Tally { execs, crashes };
            }
            done |= kind == Some("done");
            writeln!(
                log,
                "{:>8.0}s seed {seed} total {} {line}",
                begin.elapsed().as_secs_f64(),
                report.execs + last.execs
            )?;
        }
        let status = child.wait()?;
        report.execs += last.execs;
        report.panics += last.crashes;
        if done && status.success() {
            break;
        }
        // Died: the input it was running is in `current`.
        let input = fs::read(work.join("current")).unwrap_or_default();
        let kind = if status.code() == Some(HANG_EXIT) {
            "hang"
        } else {
            "death"
        };
        let path = work
            .join("crashes")
            .join(format!("{kind}-{}", input_name(&input)));
        fs::write(&path, &input)?;
        fs::write(path.with_extension("txt"), format!("{status}\n"))?;
        writeln!(
            log,
            "worker on seed {seed} died ({status}); input saved as {}",
            path.display()
        )?;
        report.execs += 1;
        report.deaths.push(path);
        seed = seed.wrapping_add(1);
    }
    report.elapsed = begin.elapsed();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(work: &Path, execs: u64) -> WorkerOptions {
        WorkerOptions {
            execs,
            seed: 3,
            max_len: 256,
            timeout: Duration::from_secs(30),
            stack: 4 << 20,
            work: work.to_path_buf(),
        }
    }

    #[test]
    fn a_panicking_input_is_caught_saved_and_the_loop_goes_on() {
        let work = std::env::temp_dir().join(format!("fuzz-loop-{}", std::process::id()));
        let _ = fs::remove_dir_all(&work);
        let tally = run_loop(&work);
        assert_eq!(tally.execs, 2000);
        assert!(tally.crashes > 0, "no input contained a NUL byte");
        let saved = read_corpus(&work.join("crashes")).unwrap();
        assert!(
            saved
                .iter()
                .any(|(path, bytes)| path.extension().is_none() && bytes.contains(&0))
        );
        let queue = read_corpus(&work.join("queue")).unwrap();
        assert!(queue.len() > 1, "no input joined the corpus");
        fs::remove_dir_all(&work).unwrap();
    }

    fn run_loop(dir: &Path) -> Tally {
        work(
            |bytes: &[u8]| {
                assert!(!bytes.contains(&0), "a NUL byte");
                vec![bytes.len().min(40) as u64]
            },
            &[b"abc".to_vec()],
            &options(dir, 2000),
            &mut |_, _| {},
        )
        .unwrap()
    }
}
