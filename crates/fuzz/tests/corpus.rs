//! Every input of the checked-in corpus, replayed through its target: the
//! inputs the campaigns found interesting (and every input that once
//! crashed) must keep running without a panic. Fast: a few hundred small
//! inputs.

use alembic_doctor_fuzz::campaign::read_corpus;
use alembic_doctor_fuzz::{Target, corpus_dir};

fn replay(target: Target) {
    let inputs = read_corpus(&corpus_dir(target)).unwrap();
    assert!(
        inputs.len() >= 3,
        "{}: the corpus has {} inputs",
        target.name(),
        inputs.len()
    );
    for (path, bytes) in inputs {
        let outcome = std::panic::catch_unwind(|| target.run(&bytes));
        assert!(
            outcome.is_ok(),
            "{} panicked on {}",
            target.name(),
            path.display()
        );
    }
}

#[test]
fn read_script_corpus() {
    replay(Target::ReadScript);
}

#[test]
fn config_corpus() {
    replay(Target::Config);
}

#[test]
fn graph_corpus() {
    replay(Target::Graph);
}

#[test]
fn rewrite_corpus() {
    replay(Target::Rewrite);
}

/// The corpus stays small enough to live in the repository.
#[test]
fn the_corpus_is_small() {
    let total: usize = Target::ALL
        .iter()
        .flat_map(|&t| read_corpus(&corpus_dir(t)).unwrap())
        .map(|(_, bytes)| bytes.len())
        .sum();
    assert!(total < 400 * 1024, "the corpus is {total} bytes");
}
