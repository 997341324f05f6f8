//! The Migration Status Report on the situation a hand-written report was
//! made for: a project of a few revisions with a merge, a feature branch
//! adding a `join_code` column and two indexes on main's head (healthy),
//! and the incident behind it (the branch reused the placeholder id
//! `a1b2c3d4e5f6` that main had merged meanwhile, under a new head).
//! Both reports are snapshotted, and both must stay short: what a reviewer
//! reads in the comment is at most 700 words when healthy and 1,200 when
//! broken; the rest is collapsed in `<details>`.

mod common;

use alembic_doctor_testkit::GitProject;

use crate::common::{RunDoctor, undated};

/// A migration as `alembic revision` writes it.
fn revision(id: &str, down: &str, message: &str, upgrade: &str, downgrade: &str) -> String {
    format!(
        r#""""{message}

Revision ID: {id}
Revises: {down}
Create Date: 2025-11-28 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '{id}'
down_revision: Union[str, Sequence[str], None] = '{down}'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    {upgrade}


def downgrade() -> None:
    {downgrade}
"#
    )
}

const JOIN_CODE_UP: &str = r#"op.add_column("transaction", sa.Column("join_code", sa.String(20), nullable=True))
    op.create_index("ix_transaction_join_code", "transaction", ["join_code"])
    op.create_index("ix_transaction_student_join_code", "transaction", ["account_id", "join_code"])"#;

const JOIN_CODE_DOWN: &str = r#"op.drop_index("ix_transaction_student_join_code", table_name="transaction")
    op.drop_index("ix_transaction_join_code", table_name="transaction")
    op.drop_column("transaction", "join_code")"#;

/// main: the bundled healthy example (five revisions, one merge) and
/// `b6bc11a3a665` on its head; `feature/fix-migration-issues` adds the
/// join code as `new_id` on main's head.
fn project(new_id: &str) -> GitProject {
    let repo = GitProject::empty();
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/healthy");
    copy_tree(&example, &repo.path);
    repo.write(
        "migrations/versions/b6bc11a3a665_add_block_column_to_banking_settings.py",
        &revision(
            "b6bc11a3a665",
            "e9f08b7c3d15",
            "add block column to banking settings",
            r#"op.add_column("account", sa.Column("block", sa.Boolean(), server_default=sa.false(), nullable=False))"#,
            r#"op.drop_column("account", "block")"#,
        ),
    );
    repo.commit("main");
    repo.branch("feature/fix-migration-issues", "main");
    repo.write(
        &format!("migrations/versions/{new_id}_add_join_code_to_transaction.py"),
        &revision(
            new_id,
            "b6bc11a3a665",
            "add join_code to transaction",
            JOIN_CODE_UP,
            JOIN_CODE_DOWN,
        ),
    );
    repo.commit("join code");
    repo
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        // The example's SQLite database (for `status`) is not part of the
        // migration history these reports are about; leaving it out keeps
        // the snapshots' commit ids.
        if entry.file_name() == "shop.db" {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The report, with the day it was made replaced.
fn report(repo: &GitProject) -> (i32, String) {
    let (code, stdout, stderr) = repo.run(&["report", "main", "feature/fix-migration-issues"]);
    assert!(stderr.is_empty(), "{stderr}");
    (code, undated(&stdout))
}

/// Words a reader sees without opening anything: `<details>` blocks left
/// out, words split on whitespace (as `wc -w` counts).
fn visible_words(markdown: &str) -> usize {
    let mut rest = markdown;
    let mut visible = String::new();
    while let Some(start) = rest.find("<details>") {
        visible.push_str(&rest[..start]);
        let end = rest[start..]
            .find("</details>")
            .map_or(rest.len(), |end| start + end + "</details>".len());
        rest = &rest[end..];
    }
    visible.push_str(rest);
    visible.split_whitespace().count()
}

#[test]
fn the_healthy_report_is_as_short_as_a_hand_written_one() {
    let repo = project("00212c18b0ac");
    let (code, report) = report(&repo);
    assert_eq!(code, 0, "{report}");
    let words = visible_words(&report);
    assert!(words <= 700, "{words} words in sight:\n{report}");
    insta::assert_snapshot!("example_healthy", report);
}

/// The incident: main merged another branch's `a1b2c3d4e5f6` and moved on
/// above it while the feature branch wrote its own `a1b2c3d4e5f6`.
fn incident() -> GitProject {
    let repo = project("a1b2c3d4e5f6");
    // Meanwhile main merged another branch that used the same placeholder,
    // and moved on above it.
    repo.checkout("main");
    repo.write(
        "migrations/versions/a1b2c3d4e5f6_tenant_isolation.py",
        &revision(
            "a1b2c3d4e5f6",
            "b6bc11a3a665",
            "tenant isolation",
            r#"op.add_column("account", sa.Column("tenant_id", sa.Integer(), nullable=True))"#,
            r#"op.drop_column("account", "tenant_id")"#,
        ),
    );
    repo.write(
        "migrations/versions/0f3e2d1c4b5a_add_audit_log.py",
        &revision(
            "0f3e2d1c4b5a",
            "a1b2c3d4e5f6",
            "add audit log",
            r#"op.create_table("audit_log", sa.Column("id", sa.Integer(), primary_key=True))"#,
            r#"op.drop_table("audit_log")"#,
        ),
    );
    repo.commit("main moves on");
    repo.checkout("feature/fix-migration-issues");
    repo
}

#[test]
fn the_broken_report_states_each_problem_once_and_stays_short() {
    let repo = incident();
    let (code, report) = report(&repo);
    assert_eq!(code, 1, "{report}");
    let words = visible_words(&report);
    assert!(words <= 1_200, "{words} words in sight:\n{report}");
    // Each finding is stated once, under Problems Found; the rest refer to
    // it. A rule's general advice gives way to the plan's exact commands.
    for (needle, times) in [
        (
            "index `ix_transaction_join_code` is created on existing table",
            1,
        ),
        ("silently uses the last file loaded", 1),
        ("that database ran", 1),
        ("How to fix (`alembic-doctor explain multiple-heads`", 0),
        ("How to fix (`alembic-doctor explain duplicate-revision`", 0),
    ] {
        assert_eq!(
            report.matches(needle).count(),
            times,
            "`{needle}`:\n{report}"
        );
    }
    insta::assert_snapshot!("example_broken", report);
}

/// `compare`'s text and GitHub formats give the report's plan, and the
/// findings it resolves point at its steps instead of advice that would
/// name the duplicated id (`alembic merge ... a1b2c3d4e5f6` fails on the
/// merged checkout: it is not a head there).
#[test]
fn compare_gives_the_same_plan_in_text_and_annotations() {
    let repo = incident();
    let (_, json) = repo.json_of("report", &["main", "feature/fix-migration-issues"]);
    let commands: Vec<String> = json["plan"]["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("{json}"))
        .iter()
        .flat_map(|step| step["commands"].as_array().unwrap().clone())
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert!(
        commands
            .iter()
            .any(|c| c.starts_with("alembic-doctor fix rebase ")),
        "{commands:?}"
    );
    let (code, text, stderr) = repo.run(&["compare", "main", "feature/fix-migration-issues"]);
    assert_eq!(code, 1, "{stderr}");
    let plan = &text[text.find("to fix, on ").unwrap_or_else(|| panic!("{text}"))..];
    for command in &commands {
        assert!(
            plan.contains(&format!("$ {command}\n")),
            "{command}:\n{plan}"
        );
    }
    assert!(
        text.contains("help: step 2 of the plan below: `alembic-doctor fix duplicate-ids"),
        "{text}"
    );
    assert!(!text.contains("alembic merge -m"), "{text}");
    assert!(!text.contains("--onto a1b2c3d4e5f6"), "{text}");
    let (_, github, _) = repo.run(&[
        "compare",
        "main",
        "feature/fix-migration-issues",
        "--format",
        "github",
    ]);
    assert!(
        github.contains("::notice title=alembic-doctor plan::to fix, on "),
        "{github}"
    );
    assert!(
        github.contains("step 2 of the plan in the `alembic-doctor plan` notice"),
        "{github}"
    );
    assert!(!github.contains("alembic merge -m"), "{github}");
}
