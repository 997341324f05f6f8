//! Times `list_versions` on a folder: `cargo run --release --example bench_listing -- DIR`.

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".to_owned());
    let spec = alembic_doctor_source::ListingSpec {
        locations: vec![std::path::PathBuf::from(dir)],
        recursive: true,
        sourceless: false,
    };
    let start = std::time::Instant::now();
    let listing = alembic_doctor_source::list_versions(&spec);
    let bytes: usize = listing
        .files
        .iter()
        .filter_map(|f| f.bytes.as_ref().ok())
        .map(Vec::len)
        .sum();
    println!(
        "{} files, {} bytes, {} notes in {:?}",
        listing.files.len(),
        bytes,
        listing.notes.len(),
        start.elapsed()
    );
}
