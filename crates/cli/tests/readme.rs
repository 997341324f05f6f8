//! docs/rules.md is generated from the rule registry, so it cannot drift:
//! the test fails when they differ, and rewrites it when run with
//! `UPDATE_README=1`. The README's quick start is run as written, and CI
//! runs exactly its test command.

use std::path::Path;

use alembic_doctor_rules::Rule;

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

/// `status` on the bundled example's database, as the README shows it
/// after the quick start.
const STATUS_COMMAND: &str = "alembic-doctor status -c examples/healthy/alembic.ini --database-url sqlite:///examples/healthy/shop.db";

/// The README's quick start is two commands: the tool on the healthy
/// bundled example (it passes, printing what the README shows) and the
/// test command, exactly what CI's `.ci/run` runs. The
/// `status` the README shows next, and the broken example it describes,
/// do what it says.
#[test]
fn quick_start_commands_do_what_the_readme_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md is readable");
    let quick_start = &readme[readme.find("## Quick start").expect("a quick start")..];
    let block = &quick_start[quick_start.find("```sh\n").expect("a shell block") + 6..];
    let block = &block[..block.find("```").expect("a closed block")];
    let commands: Vec<&str> = block
        .lines()
        .map(|line| line.split(" #").next().unwrap_or(line).trim())
        .filter(|line| !line.is_empty())
        .collect();
    assert_eq!(
        commands,
        [
            "alembic-doctor check -c examples/healthy/alembic.ini",
            "scripts/test"
        ],
        "the quick start runs the tool on an example, then the tests"
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_alembic-doctor"))
        .current_dir(&root)
        .args(STATUS_COMMAND.split(' ').skip(1))
        .env("NO_COLOR", "1")
        .env("ALEMBIC_DOCTOR_NO_CACHE", "1")
        .env_remove("ALEMBIC_CONFIG")
        .env_remove("ALEMBIC_DOCTOR_DATABASE_URL")
        .output()
        .expect("alembic-doctor runs");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        readme.contains(&format!("`{STATUS_COMMAND}`")),
        "the README shows `{STATUS_COMMAND}`"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    for shown in [
        "5b7d1f3e2a48  below head e9f08b7c3d15",
        "1. c41a6e2d8f93",
        "2. e9f08b7c3d15",
    ] {
        assert!(readme.contains(shown), "the README shows `{shown}`");
        assert!(stdout.contains(shown), "{stdout}");
    }
    // Besides the shell's settings and moving to the repository's root,
    // CI runs the README's test command and nothing else.
    let ci = std::fs::read_to_string(root.join(".ci/run")).expect(".ci/run is readable");
    let ci_commands: Vec<&str> = ci
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter(|line| !line.starts_with("set ") && !line.starts_with("cd "))
        .collect();
    assert_eq!(
        ci_commands,
        ["scripts/test"],
        "CI runs exactly the README's test command"
    );
    for (example, status, shown) in [
        (
            "healthy",
            0,
            "All checks passed: 5 revisions, 1 head (e9f08b7c3d15).",
        ),
        (
            "broken",
            1,
            "Found 2 errors and 0 warnings in 6 revisions, 3 heads (a1b2c3d4e5f6, a1b2c3d4e5f6, f7e6d5c4b3a2).",
        ),
    ] {
        let config = format!("examples/{example}/alembic.ini");
        assert!(
            readme.contains(&format!("alembic-doctor check -c {config}")),
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

/// The two report excerpts in docs/report.md are copied from the snapshots
/// of the same scenarios (`report_example.rs`): every line of each excerpt
/// is a line of its report, so the docs show what the tool prints today.
#[test]
fn report_excerpts_in_the_docs_are_real_reports() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../../docs/report.md")).unwrap();
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
                "docs/report.md excerpt line not in {snapshot}: {line}"
            );
        }
    }
}
