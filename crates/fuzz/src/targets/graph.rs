//! Arbitrary sets of revisions through the loader the CLI uses (an
//! `alembic.ini`, the version files listed in load order, parsed, the
//! revision map built), then the map's queries and every rule: nothing may
//! panic or hang, and every finding points inside a file that exists.
//!
//! Input: one revision per line, `id|down|depends|labels`, each list
//! comma-separated (`down` empty: `None`; `-`: the variable is left out; a
//! trailing comma makes a tuple). A line starting with `?` is a query
//! (`heads`, `base:a`, `-2`, `a@head`...) given to `resolve`, `history` and
//! the upgrade path; a line starting with `!` is a whole file, with `\n`
//! written as `\\n`.

use std::fmt::Write as _;
use std::path::PathBuf;

use alembic_doctor_project::{LoadRequest, load_in};

use super::{Signature, check_span, variant};
use crate::memory::{MemoryTree, ROOT};

/// At most this many revisions and queries: the map's cost grows with the
/// input, and a long input says nothing a short one cannot.
const MAX_LINES: usize = 64;

/// A Python string literal for `text`, escaped as Python reads it back.
fn python_str(text: &str) -> String {
    let mut out = String::from("'");
    for c in text.chars() {
        match c {
            '\'' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\U{:08x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `None`, a string or a tuple, as written by `field`.
fn python_value(field: &str) -> String {
    if field.is_empty() {
        return "None".to_owned();
    }
    let tuple = field.ends_with(',');
    let items: Vec<String> = field
        .split(',')
        .filter(|item| !item.is_empty())
        .map(python_str)
        .collect();
    if tuple || items.len() > 1 {
        format!("({},)", items.join(", "))
    } else {
        items.join("")
    }
}

/// The migration file one `id|down|depends|labels` line describes.
pub(crate) fn migration(line: &str) -> String {
    let mut fields = line.splitn(4, '|');
    let id = fields.next().unwrap_or_default();
    let down = fields.next().unwrap_or_default();
    let depends = fields.next();
    let labels = fields.next();
    let mut text = format!(
        "\"\"\"fuzz\n\nRevision ID: {id}\nRevises: {}\nCreate Date: 2024-01-01 00:00:00\n\n\"\"\"\n",
        down.replace(',', ", ")
    );
    let _ = writeln!(text, "revision = {}", python_str(id));
    if down != "-" {
        let _ = writeln!(text, "down_revision = {}", python_value(down));
    }
    for (name, field) in [("depends_on", depends), ("branch_labels", labels)] {
        if let Some(field) = field.filter(|f| *f != "-") {
            let _ = writeln!(text, "{name} = {}", python_value(field));
        }
    }
    text.push_str("\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n");
    text
}

/// The files and queries of an input.
pub(crate) fn project(bytes: &[u8]) -> (Vec<(String, Vec<u8>)>, Vec<String>) {
    let text = String::from_utf8_lossy(bytes);
    let mut files = vec![
        (
            "alembic.ini".to_owned(),
            b"[alembic]\nscript_location = %(here)s/migrations\n".to_vec(),
        ),
        ("migrations/versions/README".to_owned(), Vec::new()),
    ];
    let mut queries = Vec::new();
    for (index, line) in text.split('\n').take(MAX_LINES).enumerate() {
        if let Some(query) = line.strip_prefix('?') {
            queries.push(query.to_owned());
            continue;
        }
        let body = match line.strip_prefix('!') {
            Some(raw) => raw.replace("\\n", "\n"),
            None => migration(line),
        };
        let stem: String = line
            .split('|')
            .next()
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(16)
            .collect();
        files.push((
            format!("migrations/versions/{index:03}_{stem}.py"),
            body.into_bytes(),
        ));
    }
    (files, queries)
}

/// Run the target on `bytes`.
pub fn run(bytes: &[u8]) -> Vec<u64> {
    let mut signature = Signature::default();
    let (files, queries) = project(bytes);
    let tree = MemoryTree::new(files);
    let request = LoadRequest {
        cwd: PathBuf::from(ROOT),
        config_files: Vec::new(),
        section: "alembic".to_owned(),
        env_config: None,
        versions: Vec::new(),
        recursive: false,
        display_root: None,
        operations: false,
        keep_bytes: true,
    };
    let project = match load_in(&tree, &request) {
        Ok(project) => project,
        Err(error) => panic!("the fixed configuration did not load: {error}"),
    };
    let map = &project.map;
    signature.count(map.revisions().len());
    signature.count(map.heads().len());
    signature.count(map.real_heads().len());
    signature.count(map.bases().len());
    for problem in map.problems() {
        signature.add(variant(problem));
    }
    signature.add(map.alembic_would_fail().map(|f| variant(&f.stage)));
    signature.count(map.hash_order_notes().len());
    signature.add(variant(&map.upgrade_order()));
    signature.add(variant(&map.history(None)));
    for query in &queries {
        signature.add(variant(&map.resolve(query)));
        signature.add(variant(&map.resolve_targets(query)));
        signature.add(variant(&map.history(Some(query))));
        signature.add(variant(&map.upgrade_order_from(&[], query)));
        if let Err(error) = map.history(Some(query)) {
            assert!(!error.to_string().is_empty(), "an empty error message");
        }
    }
    let heads: Vec<usize> = map.heads().to_vec();
    signature.count(map.ancestors(&heads).len());
    for finding in alembic_doctor_rules::check(&project) {
        signature.add(finding.rule);
        assert!(!finding.message.is_empty(), "a finding without a message");
        if let Some(location) = finding.location {
            assert!(
                location.file < project.files.len(),
                "{:?} points at file {} of {}",
                finding.rule,
                location.file,
                project.files.len()
            );
            check_span(
                location.span,
                project.files[location.file].bytes.get().len(),
            );
        }
    }
    signature.finish()
}
