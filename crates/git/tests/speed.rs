//! How long listing and reading 5,000 migrations at a revision takes.
//! Prints figures, asserts nothing about time (timings depend on the
//! machine); run in release:
//!
//! ```text
//! cargo test --release -p alembic_doctor_git --test speed -- --ignored --nocapture
//! ```

mod common;

use std::time::Instant;

use alembic_doctor_git::GitRepo;
use alembic_doctor_source::{ListingSpec, list_versions, list_versions_in};
use common::{Scratch, commit_all, git, init, migration};

const FILES: usize = 5_000;

#[test]
#[ignore = "a benchmark: run with --release --ignored --nocapture"]
fn list_and_read_5000_migrations() {
    let scratch = Scratch::new();
    let root = scratch.join("repo");
    init(&root);
    let versions = root.join("migrations/versions");
    std::fs::create_dir_all(&versions).unwrap();
    for i in 0..FILES {
        let down = (i > 0).then(|| format!("{:012x}", i - 1));
        let mut text = migration(&format!("{i:012x}"), down.as_deref());
        // Real migrations are a few kilobytes of similar text.
        text.push_str(&"# op.add_column('table', sa.Column('name', sa.String()))\n".repeat(40));
        std::fs::write(versions.join(format!("{i:012x}_step.py")), text).unwrap();
    }
    commit_all(&root, "many migrations");
    let spec = ListingSpec {
        locations: vec![versions.clone()],
        recursive: false,
        sourceless: false,
    };

    for packed in [false, true] {
        if packed {
            // Packed objects are stored as deltas of one another.
            git(&root, &["gc", "-q", "--aggressive"]);
        }
        let repo = GitRepo::discover(&root).unwrap();
        let head = repo.resolve("HEAD").unwrap();
        for round in 0..3 {
            let start = Instant::now();
            let tree = repo.tree_at(&head).unwrap();
            let listing = list_versions_in(&tree, &spec);
            let elapsed = start.elapsed();
            assert_eq!(listing.files.len(), FILES);
            assert!(listing.files.iter().all(|file| file.bytes.is_ok()));
            let bytes: usize = listing
                .files
                .iter()
                .map(|file| file.bytes.as_ref().map_or(0, Vec::len))
                .sum();
            println!(
                "git ({}) round {round}: {FILES} files, {bytes} bytes in {elapsed:?}",
                if packed { "packed" } else { "loose" }
            );
        }
    }
    let start = Instant::now();
    let listing = list_versions(&spec);
    println!(
        "disk: {} files in {:?}",
        listing.files.len(),
        start.elapsed()
    );
}
