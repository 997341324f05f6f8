//! The README's table of rules and docs/rules.md are generated from the
//! rule registry, so they cannot drift: the tests fail when they differ, and
//! rewrite them when run with `UPDATE_README=1`. The README's quick start is
//! run as written.

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

/// `docs/rules.md` is `alembic-doctor explain --list --format markdown`:
/// this test fails when they differ, and rewrites the file when run with
/// `UPDATE_README=1`.
#[test]
fn rules_reference_matches_the_registry() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_alembic-doctor"))
        .args(["explain", "--list", "--format", "markdown"])
        .output()
        .expect("alembic-doctor runs");
    assert!(output.status.success(), "{output:?}");
    let wanted = String::from_utf8(output.stdout).expect("UTF-8");
    for rule in Rule::ALL {
        assert!(
            wanted.contains(&format!("\n## {}\n", rule.name())),
            "{rule} has a section"
        );
        assert!(
            wanted.contains(rule.summary()),
            "{rule}'s explanation is there"
        );
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current == wanted {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(&path, wanted).expect("docs/rules.md is writable");
        return;
    }
    panic!(
        "docs/rules.md is out of date; run `UPDATE_README=1 cargo test -p alembic-doctor --test readme`"
    );
}

/// The README's quick start: the first command passes on the healthy
/// example and the second fails on the broken one, as the README says.
#[test]
fn quick_start_commands_do_what_the_readme_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md is readable");
    for (example, status, shown) in [
        (
            "healthy",
            0,
            "All checks passed: 5 revisions, 1 head (e9f08b7c3d15).",
        ),
        (
            "broken",
            1,
            "Found 2 errors and 1 warning in 6 revisions, 3 heads (a1b2c3d4e5f6, a1b2c3d4e5f6, f7e6d5c4b3a2).",
        ),
    ] {
        let config = format!("examples/{example}/alembic.ini");
        assert!(
            readme.contains(&format!("\nalembic-doctor check -c {config}\n")),
            "the quick start runs check on {config}"
        );
        assert!(readme.contains(shown), "the README shows `{shown}`");
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_alembic-doctor"))
            .current_dir(&root)
            .args(["check", "-c", &config])
            .env("NO_COLOR", "1")
            .env("ALEMBIC_DOCTOR_NO_CACHE", "1")
            .env_remove("ALEMBIC_CONFIG")
            .output()
            .expect("alembic-doctor runs");
        assert_eq!(output.status.code(), Some(status), "{output:?}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains(shown), "{stdout}");
    }
}

/// The README's two report excerpts are copied from the snapshots of the
/// same scenarios (`report_example.rs`): every line of each excerpt is a
/// line of its report, so the README shows what the tool prints today.
#[test]
fn readme_report_excerpts_are_real_reports() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../../README.md")).unwrap();
    let excerpts: Vec<&str> = readme
        .split("````markdown\n")
        .skip(1)
        .map(|rest| &rest[..rest.find("\n````").expect("a closed excerpt")])
        .collect();
    assert_eq!(excerpts.len(), 2, "the healthy and the broken excerpt");
    for (excerpt, snapshot) in excerpts.iter().zip(["example_healthy", "example_broken"]) {
        let report = std::fs::read_to_string(
            root.join(format!("tests/snapshots/report_example__{snapshot}.snap")),
        )
        .unwrap();
        let lines: Vec<&str> = report.lines().collect();
        for line in excerpt.lines().filter(|l| !l.trim().is_empty()) {
            assert!(
                lines.contains(&line),
                "README excerpt line not in {snapshot}: {line}"
            );
        }
    }
}
