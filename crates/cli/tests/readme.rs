//! The README's table of rules is generated from the rule registry, so it
//! cannot drift: this test fails when they differ, and rewrites the table
//! when run with `UPDATE_README=1`.

use std::fmt::Write as _;
use std::path::Path;

use alembic_doctor_rules::Rule;

const START: &str = "<!-- rules:start -->\n";
const END: &str = "<!-- rules:end -->";

fn table() -> String {
    let mut out = String::from(
        "| rule | default severity | applies to | what it reports |\n|---|---|---|---|\n",
    );
    for rule in Rule::ALL {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            rule.name(),
            rule.default_severity(),
            rule.scope().as_str(),
            rule.summary()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    out
}

#[test]
fn readme_rules_table_matches_the_registry() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md is readable");
    let start = readme
        .find(START)
        .expect("README has the rules:start marker")
        + START.len();
    let end = readme.find(END).expect("README has the rules:end marker");
    let wanted = table();
    if readme[start..end] == wanted {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{wanted}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).expect("README.md is writable");
        return;
    }
    panic!(
        "README.md's rules table is out of date; run `UPDATE_README=1 cargo test -p alembic-doctor --test readme`"
    );
}
