//! Reading the candidates' bytes, in parallel, keeping load order.

use rayon::prelude::*;

use crate::listing::{ReadError, SourceFile};
use crate::tree::{OpenDirs, Tree};
use crate::walk::Candidate;

/// Read every candidate, in order, in parallel: on the caller's thread
/// pool, or, when the tree's reads may wait on a device
/// ([`Tree::reads_wait_on_io`]), on a pool of more threads than cores. One
/// unreadable file is recorded on that file and does not stop the others.
pub(crate) fn read_all(tree: &impl Tree, candidates: Vec<Candidate>) -> Vec<SourceFile> {
    let runs = candidates.len().div_ceil(FILES_PER_RUN);
    let read = || {
        candidates
            .into_par_iter()
            // Each run of files shares its opened directory.
            .with_min_len(FILES_PER_RUN)
            .map_init(OpenDirs::default, |dirs, candidate| {
                let bytes = tree.read_in(dirs, &candidate.path).map_err(Into::into);
                candidate.with_bytes(bytes)
            })
            .collect()
    };
    match tree.reads_wait_on_io().then(|| io_pool(runs)).flatten() {
        Some(pool) => pool.install(read),
        None => read(),
    }
}

/// Files read in a row by one thread, at least: each run opens its
/// directory once.
const FILES_PER_RUN: usize = 128;

/// Threads per core for reading from a disk.
///
/// A read of a file the page cache still holds is a few microseconds of
/// the processor's time; a read of one it let go of waits for the device,
/// with the core idle. On a machine that keeps evicting pages (a busy CI
/// runner, a virtual machine) a few per cent of a long history is on the
/// device at any time: at 100,000 files, 2% of them evicted made the read
/// half as long again on two threads, and eight threads per core took
/// back most of it (see docs/benchmarks.md).
const IO_THREADS_PER_CORE: usize = 8;

/// A pool of threads for `runs` runs of reads that may wait on the device:
/// `None` when there are not more runs than the caller's pool has threads
/// (a small project), when `RAYON_NUM_THREADS` says how many threads to use
/// (the caller's pool has that many), or when a pool cannot be started
/// (then the files are read on the caller's pool, only slower).
fn io_pool(runs: usize) -> Option<rayon::ThreadPool> {
    if std::env::var_os("RAYON_NUM_THREADS").is_some() {
        return None;
    }
    let cores = rayon::current_num_threads();
    let threads = cores.saturating_mul(IO_THREADS_PER_CORE).min(64).min(runs);
    if threads <= cores {
        return None;
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|index| format!("alembic-doctor-read-{index}"))
        .build()
        .ok()
}

impl Candidate {
    /// The source file: this candidate with its bytes (or why they could
    /// not be read).
    pub fn with_bytes(self, bytes: Result<Vec<u8>, ReadError>) -> SourceFile {
        SourceFile {
            path: self.path,
            listed_path: self.listed_path,
            location: self.location,
            kind: self.kind,
            bytes,
        }
    }
}
