//! `alembic-doctor-fuzz`: run a fuzz campaign on one target, replay inputs,
//! or pick a small corpus from a campaign's queue. See `docs/fuzzing.md`.

use std::fs;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Duration;

use alembic_doctor_fuzz::campaign::{self, WorkerOptions, input_name, read_corpus};
use alembic_doctor_fuzz::{Target, corpus_dir};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Fuzz alembic-doctor's readers, revision map and fixes")]
struct Args {
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand)]
enum Commands {
    /// Run a campaign: a supervised worker process, restarted on a new seed
    /// when an input kills it.
    Run {
        #[arg(long, value_enum)]
        target: Target,
        /// Executions in all.
        #[arg(long, default_value_t = 10_000_000)]
        execs: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where `current`, `crashes/`, `queue/` and `log` go.
        #[arg(long)]
        work: PathBuf,
        #[command(flatten)]
        limits: Limits,
        /// Run the loop in this process (no supervisor).
        #[arg(long, hide = true)]
        worker: bool,
    },
    /// Run the target on files (a crash, a corpus) and say what happened.
    Replay {
        #[arg(long, value_enum)]
        target: Target,
        files: Vec<PathBuf>,
    },
    /// Copy the smallest inputs of a campaign's queue into a corpus folder,
    /// within a byte budget.
    Pick {
        #[arg(long, value_enum)]
        target: Target,
        #[arg(long)]
        queue: PathBuf,
        /// Default: the target's checked-in corpus folder.
        #[arg(long)]
        to: Option<PathBuf>,
        #[arg(long, default_value_t = 48 * 1024)]
        max_bytes: usize,
    },
}

#[derive(clap::Args, Clone)]
struct Limits {
    /// Longest input, in bytes.
    #[arg(long, default_value_t = 4096)]
    max_len: usize,
    /// Per-input time limit, in seconds.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
    /// Stack of the thread the target runs on, in MiB.
    #[arg(long, default_value_t = 16)]
    stack_mib: usize,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn seeds(target: Target) -> io::Result<Vec<Vec<u8>>> {
    Ok(read_corpus(&corpus_dir(target))?
        .into_iter()
        .map(|(_, bytes)| bytes)
        .collect())
}

fn run(args: Args) -> io::Result<ExitCode> {
    match args.command {
        Commands::Run {
            target,
            execs,
            seed,
            work,
            limits,
            worker: true,
        } => {
            let options = WorkerOptions {
                execs,
                seed,
                max_len: limits.max_len,
                timeout: Duration::from_secs(limits.timeout),
                stack: limits.stack_mib << 20,
                work,
            };
            let mut stdout = io::stdout();
            let tally = campaign::work(
                move |bytes: &[u8]| target.run(bytes),
                &seeds(target)?,
                &options,
                &mut |tally, corpus| {
                    let _ = writeln!(
                        stdout,
                        "progress execs={} crashes={} corpus={corpus}",
                        tally.execs, tally.crashes
                    );
                },
            )?;
            println!("done execs={} crashes={}", tally.execs, tally.crashes);
            Ok(ExitCode::SUCCESS)
        }
        Commands::Run {
            target,
            execs,
            seed,
            work,
            limits,
            worker: false,
        } => {
            fs::create_dir_all(&work)?;
            let program = std::env::current_exe()?;
            let worker = |seed: u64, execs: u64| {
                let mut command = Command::new(&program);
                command.args(["run", "--worker", "--target", target.name()]);
                command.arg("--seed").arg(seed.to_string());
                command.arg("--execs").arg(execs.to_string());
                command.arg("--work").arg(&work);
                command.arg("--max-len").arg(limits.max_len.to_string());
                command.arg("--timeout").arg(limits.timeout.to_string());
                command.arg("--stack-mib").arg(limits.stack_mib.to_string());
                command
            };
            let mut log = fs::File::create(work.join("log"))?;
            let report = campaign::supervise(&worker, execs, seed, &work, &mut log)?;
            let summary = format!(
                "target {} execs {} time {:.0}s panics {} deaths {} seeds {:?}\n",
                target.name(),
                report.execs,
                report.elapsed.as_secs_f64(),
                report.panics,
                report.deaths.len(),
                report.seeds
            );
            log.write_all(summary.as_bytes())?;
            print!("{summary}");
            Ok(if report.panics == 0 && report.deaths.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Commands::Replay { target, files } => {
            let mut failed = 0;
            for file in &files {
                let bytes = fs::read(file)?;
                if let Ok(features) = std::panic::catch_unwind(|| target.run(&bytes)) {
                    println!("{}: ok ({} features)", file.display(), features.len());
                } else {
                    failed += 1;
                    println!("{}: PANIC", file.display());
                }
            }
            Ok(if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Commands::Pick {
            target,
            queue,
            to,
            max_bytes,
        } => {
            let to = to.unwrap_or_else(|| corpus_dir(target));
            fs::create_dir_all(&to)?;
            let mut inputs = read_corpus(&queue)?;
            inputs.sort_by_key(|(path, bytes)| (bytes.len(), path.clone()));
            let mut used: usize = read_corpus(&to)?.iter().map(|(_, b)| b.len()).sum();
            let mut picked = 0;
            for (_, bytes) in inputs {
                if used + bytes.len() > max_bytes {
                    break;
                }
                let path = to.join(input_name(&bytes));
                if !path.exists() {
                    fs::write(&path, &bytes)?;
                    used += bytes.len();
                    picked += 1;
                }
            }
            println!(
                "{picked} inputs picked into {} ({used} bytes)",
                to.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
