//! The fuzz targets: each takes arbitrary bytes, runs one stage of the
//! pipeline on them through its public entry point, and panics (like a
//! libFuzzer target) when a guarantee does not hold. Each returns the
//! features of what the input made the stage do (which variables were
//! bound, which errors and findings came out, bucketed counts), which the
//! mutation loop uses as a cheap stand-in for coverage: an input with a
//! feature not seen before joins the corpus.

use std::hash::{DefaultHasher, Hash, Hasher};

use alembic_doctor_source::Span;

pub mod config;
pub mod graph;
pub mod read_script;
pub mod rewrite;

/// One fuzz target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// [`read_script::run`]: one migration file through the script reader.
    ReadScript,
    /// [`config::run`]: `alembic.ini` and `pyproject.toml` through the
    /// configuration reader.
    Config,
    /// [`graph::run`]: a set of revisions through the project loader, the
    /// revision map, its queries and the rules.
    Graph,
    /// [`rewrite::run`]: a file and a fix through the fixes' planners.
    Rewrite,
}

impl Target {
    /// Every target.
    pub const ALL: [Target; 4] = [
        Target::ReadScript,
        Target::Config,
        Target::Graph,
        Target::Rewrite,
    ];

    /// The target's name: its corpus folder and its command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Target::ReadScript => "read-script",
            Target::Config => "config",
            Target::Graph => "graph",
            Target::Rewrite => "rewrite",
        }
    }

    /// Run the target on `bytes`; panics when a guarantee is broken.
    /// Returns the input's features, sorted, each once.
    pub fn run(self, bytes: &[u8]) -> Vec<u64> {
        match self {
            Target::ReadScript => read_script::run(bytes),
            Target::Config => config::run(bytes),
            Target::Graph => graph::run(bytes),
            Target::Rewrite => rewrite::run(bytes),
        }
    }
}

/// Collects what an input made a stage do, as features: hashes of
/// small facts.
#[derive(Default)]
pub(crate) struct Signature(Vec<u64>);

impl Signature {
    pub(crate) fn add(&mut self, value: impl Hash) {
        let mut hasher = DefaultHasher::new();
        value.hash(&mut hasher);
        self.0.push(hasher.finish());
    }

    /// A count, bucketed like AFL's hit counts, so that 17 and 18
    /// revisions are the same behaviour; the call site names the count.
    #[track_caller]
    pub(crate) fn count(&mut self, n: usize) {
        let bucket = match n {
            0..=3 => n,
            4..=7 => 4,
            8..=15 => 5,
            16..=31 => 6,
            32..=127 => 7,
            _ => 8,
        };
        let at = std::panic::Location::caller();
        self.add((at.file(), at.line(), at.column(), bucket));
    }

    pub(crate) fn finish(mut self) -> Vec<u64> {
        self.0.sort_unstable();
        self.0.dedup();
        self.0
    }
}

/// The variant name of a value's `Debug` form: what kind of error or
/// problem it is, without the data.
pub(crate) fn variant(value: &impl std::fmt::Debug) -> String {
    let text = format!("{value:?}");
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Panics unless `span` lies inside a text of `len` bytes.
pub(crate) fn check_span(span: Span, len: usize) {
    assert!(
        span.start <= span.end && span.end as usize <= len,
        "{span:?} outside 0..{len}"
    );
}
