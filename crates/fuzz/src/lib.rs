//! Fuzzing alembic-doctor on the stable toolchain.
//!
//! [`targets`] holds one function per stage that takes arbitrary bytes and
//! panics when a guarantee breaks: the script reader, the configuration
//! reader, the project loader with its revision map and rules, and the
//! fixes' planners. The cargo-fuzz targets in `fuzz/` call the same
//! functions. [`campaign`] runs them in a seeded mutation loop
//! ([`mutate`]) with panics caught, a bounded stack, a per-input time limit
//! and a supervising process that saves the input a worker died on. The
//! corpus under `corpus/<target>/` is replayed by this crate's tests.
//!
//! How to run a campaign, and the figures of the last one: `docs/fuzzing.md`.

pub mod campaign;
pub mod memory;
pub mod mutate;
pub mod targets;

pub use targets::Target;

/// The checked-in corpus folder of `target`.
pub fn corpus_dir(target: Target) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target.name())
}
