//! End to end: `alembic-doctor report` (and `--format github`) on real git
//! repositories built in temporary directories, in the situations that
//! break migration chains in practice: a placeholder id created on two
//! branches, squash merges, true merges, renamed, edited and deleted
//! revisions, shallow clones.

mod common;

use alembic_doctor_testkit::GitProject;

use crate::common::{RunDoctor, rules, strings, undated};

/// `report args` as Markdown: (exit code, stdout).
fn markdown(repo: &GitProject, args: &[&str]) -> (i32, String) {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = repo.run(&all);
    assert!(stderr.is_empty() || code == 2, "{stderr}");
    (code, stdout)
}

/// The checklist line starting with `icon title`.
fn checklist_line<'a>(report: &'a str, title: &str) -> &'a str {
    report
        .lines()
        .find(|line| {
            line.contains(title)
                && (line.contains('✅') || line.contains('❌') || line.contains('☑'))
        })
        .unwrap_or_else(|| panic!("no checklist line `{title}` in:\n{report}"))
}

/// main: `aaa` -> `b6bc11a3a665` (its head). `feature/work` adds one
/// revision on top of main's head; `feature/other` created the placeholder
/// id `a1b2c3d4e5f6` too, in another file.
fn placeholder_id_on_two_branches() -> GitProject {
    let repo = GitProject::new();
    repo.migration_with(
        "b6bc11a3a665",
        Some("aaa"),
        "b6bc11a3a665_add_block_column.py",
        "add block column to banking settings",
    );
    repo.commit("main head");
    repo.branch("feature/work", "main");
    repo.migration_with(
        "a1b2c3d4e5f6",
        Some("b6bc11a3a665"),
        "a1b2c3d4e5f6_add_join_code_to_transaction.py",
        "add join_code to transaction",
    );
    repo.commit("work: join code");
    repo.branch("feature/other", "main");
    repo.migration_with(
        "a1b2c3d4e5f6",
        Some("b6bc11a3a665"),
        "a1b2c3d4e5f6_tenant_isolation.py",
        "tenant isolation",
    );
    repo.commit("other: tenant isolation");
    repo
}

#[test]
fn a_placeholder_id_on_two_branches_is_named_with_both_files() {
    let repo = placeholder_id_on_two_branches();
    let (code, report) = markdown(&repo, &["main", "feature/work", "feature/other"]);
    assert_eq!(code, 1, "{report}");
    assert!(report.starts_with("<!-- alembic-doctor-report -->\n"));
    // Both files, the duplicate id, and what `upgrade` will run.
    assert!(
        report.contains("migrations/versions/a1b2c3d4e5f6_add_join_code_to_transaction.py"),
        "{report}"
    );
    assert!(report.contains("migrations/versions/a1b2c3d4e5f6_tenant_isolation.py"));
    assert!(report.contains("duplicate-revision"));
    assert!(
        checklist_line(&report, "No duplicate revision ids").starts_with("- ❌"),
        "{report}"
    );
    // Alembic sees two heads (the id twice) and runs one of the files.
    assert!(
        report.contains("`alembic upgrade heads` would apply 1 revision"),
        "{report}"
    );
    assert!(report.contains("`alembic upgrade head` would fail"));
    assert!(
        report.contains("Alembic runs only `migrations/versions/a1b2c3d4e5f6_tenant_isolation.py`"),
        "{report}"
    );
    assert!(
        checklist_line(&report, "Single migration head after merge").starts_with("- ❌"),
        "{report}"
    );
    insta::assert_snapshot!("placeholder_id_on_two_branches", undated(&report));

    // The same facts in JSON, beside the compare contract.
    let (code, json) = repo.json_of("report", &["main", "feature/work", "feature/other"]);
    assert_eq!(code, 1);
    assert_eq!(json["duplicate_ids"][0]["id"], "a1b2c3d4e5f6");
    assert_eq!(strings(&json["path"]), ["a1b2c3d4e5f6"]);
    assert_eq!(json["report"]["verdict"], "broken");
    let failed: Vec<&str> = json["report"]["checklist"]
        .as_array()
        .expect("checklist")
        .iter()
        .filter(|item| item["passed"] == false)
        .map(|item| item["code"].as_str().expect("a code"))
        .collect();
    assert!(failed.contains(&"no-duplicate-ids"), "{failed:?}");
    assert_eq!(
        json["report"]["sections"][0]["key"], "verdict",
        "{}",
        json["report"]
    );
}

#[test]
fn one_branch_on_mains_head_is_healthy() {
    let repo = placeholder_id_on_two_branches();
    let (code, report) = markdown(&repo, &["main", "feature/work"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        report.contains("✅ **Migration chain is healthy"),
        "{report}"
    );
    assert!(report.contains("`a1b2c3d4e5f6.down_revision = 'b6bc11a3a665'` ✅"));
    assert!(!report.contains("❌"), "{report}");
    // The text tree shows the new revision on top of main's head.
    assert!(
        report.contains("b6bc11a3a665 (matches main's head)"),
        "{report}"
    );
    assert!(report.contains("a1b2c3d4e5f6 [NEW HEAD]"));
    assert!(report.contains("```mermaid\nflowchart TD\n"));
    // `--from` the root: the path starts there.
    let (_, json) = repo.json_of("report", &["main", "feature/work", "--from", "aaa"]);
    assert_eq!(strings(&json["path"]), ["b6bc11a3a665", "a1b2c3d4e5f6"]);
}

#[test]
fn a_squash_merged_branch_and_one_forked_before_it() {
    let repo = GitProject::new();
    repo.branch("old-fork", "main");
    repo.migration("ccc", Some("aaa"), "ccc_old_fork.py");
    repo.commit("fork from before the squash");
    repo.branch("feat", "main");
    repo.migration("bbb", Some("aaa"), "bbb_feature.py");
    repo.commit("feature, two commits");
    repo.write(
        "migrations/versions/bbb_feature.py",
        "\"\"\"bbb\"\"\"\nrevision = 'bbb'\ndown_revision = 'aaa'\n# reviewed\n",
    );
    repo.commit("feature, second commit");
    repo.checkout("main");
    repo.git(&["merge", "-q", "--squash", "feat"]);
    repo.commit("squash feat");
    // The squashed branch brings nothing new.
    let (code, report) = markdown(&repo, &["main", "feat"]);
    assert_eq!(code, 0, "{report}");
    assert!(report.contains("has nothing to apply"), "{report}");
    // The branch forked before the squash adds a second head on `aaa`.
    let (code, report) = markdown(&repo, &["main", "old-fork"]);
    assert_eq!(code, 1, "{report}");
    assert!(
        checklist_line(&report, "Single migration head after merge")
            .contains("2 heads after merge"),
        "{report}"
    );
    assert!(
        report.contains("`alembic upgrade heads` would apply"),
        "{report}"
    );
    assert!(
        report.contains("`alembic upgrade head` would fail"),
        "{report}"
    );
    assert!(
        report.contains("`ccc.down_revision = 'aaa'` ❌"),
        "{report}"
    );
}

#[test]
fn a_true_merge_is_predicted_from_its_parents() {
    let repo = GitProject::new();
    repo.branch("feat", "main");
    repo.migration("bbb", Some("aaa"), "bbb_feature.py");
    repo.commit("feature");
    repo.checkout("main");
    repo.migration("ccc", Some("aaa"), "ccc_main.py");
    repo.commit("main moves on");
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge feat", "feat"]);
    // The prediction from the merge's two parents...
    let (code, json) = repo.json_of("report", &["HEAD^1", "HEAD^2"]);
    assert_eq!(code, 1, "{json}");
    let mut predicted = strings(&json["merged"]["heads"]);
    predicted.sort_unstable();
    // ...is what the merge commit holds.
    assert_eq!(predicted, ["bbb", "ccc"]);
    let (code, heads, _) = repo.run(&["heads"]);
    assert_eq!(code, 0);
    let mut actual: Vec<&str> = heads
        .lines()
        .map(|l| l.trim_end_matches(" (head)"))
        .collect();
    actual.sort_unstable();
    assert_eq!(actual, predicted);
    let (code, check, _) = repo.run(&["check"]);
    assert_eq!(code, 1);
    assert!(check.contains("multiple-heads"), "{check}");
    assert_eq!(json["report"]["verdict"], "broken");
}

#[test]
fn a_renamed_file_is_not_a_problem() {
    let repo = GitProject::new();
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.commit("bbb");
    repo.branch("feat", "main");
    repo.git(&[
        "mv",
        "migrations/versions/bbb.py",
        "migrations/versions/bbb_renamed.py",
    ]);
    repo.commit("rename");
    let (code, report) = markdown(&repo, &["main", "feat"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        checklist_line(&report, "No edits to revisions already on the base").starts_with("- ✅"),
        "{report}"
    );
    assert!(report.contains("No problems found"), "{report}");
}

#[test]
fn an_edited_revision_fails_its_check_line_with_the_reason() {
    let repo = GitProject::new();
    repo.branch("feat", "main");
    repo.write(
        "migrations/versions/aaa_init.py",
        "\"\"\"aaa edited\"\"\"\nrevision = 'aaa'\ndown_revision = None\n",
    );
    repo.commit("edit aaa");
    let (code, report) = markdown(&repo, &["main", "feat"]);
    // Nothing breaks Alembic, so the exit status is 0, but the line fails.
    assert_eq!(code, 0, "{report}");
    let line = checklist_line(&report, "No edits to revisions already on the base");
    assert!(line.starts_with("- ❌"), "{line}");
    assert!(
        line.contains("`aaa` (`migrations/versions/aaa_init.py`, on feat)"),
        "{line}"
    );
    assert!(report.contains("⚠️ **Merging `feat` into `main` keeps the chain working"));
}

#[test]
fn a_deleted_revision_fails_its_check_line() {
    let repo = GitProject::new();
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.migration("ccc", Some("bbb"), "ccc.py");
    repo.commit("bbb, ccc");
    repo.branch("feat", "main");
    repo.git(&["rm", "-q", "migrations/versions/bbb.py"]);
    repo.commit("drop bbb");
    let (code, report) = markdown(&repo, &["main", "feat"]);
    // `ccc` now names a parent that no longer exists.
    assert_eq!(code, 1, "{report}");
    assert!(
        checklist_line(&report, "No revisions already on the base deleted").starts_with("- ❌"),
        "{report}"
    );
    assert!(
        checklist_line(&report, "No missing parents").starts_with("- ❌"),
        "{report}"
    );
    assert!(
        checklist_line(&report, "No orphaned or unreachable revisions").contains("`ccc`"),
        "{report}"
    );
}

#[test]
fn a_shallow_clone_missing_the_merge_base_names_the_fetch() {
    let origin = GitProject::new();
    origin.branch("feat", "main");
    origin.migration("bbb", Some("aaa"), "bbb.py");
    origin.commit("feat");
    origin.checkout("main");
    origin.migration("ccc", Some("aaa"), "ccc.py");
    origin.commit("main");
    let url = format!("file://{}", origin.path.display());
    origin.git(&[
        "clone",
        "-q",
        "--depth",
        "1",
        "--no-single-branch",
        &url,
        "shallow",
    ]);
    let clone = GitProject::at(origin.path.join("shallow"));
    let (code, _, stderr) = clone.run(&["report", "origin/main", "origin/feat"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("git fetch"), "{stderr}");
}

#[test]
fn usage_errors_exit_2_and_fail_on_never_exits_0() {
    let repo = placeholder_id_on_two_branches();
    let (code, _, stderr) = repo.run(&["report", "main", "no-such-branch"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = repo.run(&["report", "main", "feature/work", "--from", "zzz"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, _) = repo.run(&[
        "report",
        "main",
        "feature/work",
        "feature/other",
        "--fail-on",
        "never",
    ]);
    assert_eq!(code, 0);
}

#[test]
fn text_for_terminals_has_no_markdown_or_mermaid() {
    let repo = placeholder_id_on_two_branches();
    let (code, text, _) = repo.run(&["report", "main", "feature/work", "--format", "text"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.starts_with("Migration Status Report\n"), "{text}");
    assert!(!text.contains("mermaid"), "{text}");
    assert!(!text.contains("**"), "{text}");
    assert!(
        text.contains("a1b2c3d4e5f6.down_revision = 'b6bc11a3a665' ✅"),
        "{text}"
    );
}

#[test]
fn github_annotations_point_at_the_offending_lines() {
    let repo = placeholder_id_on_two_branches();
    let (code, out, _) = repo.run(&[
        "report",
        "main",
        "feature/work",
        "feature/other",
        "--format",
        "github",
    ]);
    assert_eq!(code, 1, "{out}");
    let line = out
        .lines()
        .find(|l| l.contains("duplicate-revision"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        line.starts_with("::error file=migrations/versions/a1b2c3d4e5f6_"),
        "{line}"
    );
    assert!(line.contains(",line=2,"), "{line}");
    // `compare` and `check` speak the same format.
    let (_, compare, _) = repo.run(&[
        "compare",
        "main",
        "feature/work",
        "feature/other",
        "--format",
        "github",
    ]);
    assert_eq!(compare, out);
    repo.checkout("feature/other");
    repo.git(&["merge", "-q", "-m", "merge", "feature/work"]);
    let (code, check, _) = repo.run(&["check", "--format", "github"]);
    assert_eq!(code, 1);
    assert!(
        check.contains("::error file=migrations/versions/"),
        "{check}"
    );
    assert!(
        check.contains("title=alembic-doctor duplicate-revision::"),
        "{check}"
    );
}

/// Seen in openstack/octavia (merge 1714db29a): the branch's revision names
/// a parent that only main has. The branch alone is broken; the merge is
/// whole, and the report says both.
#[test]
fn a_branch_revision_naming_a_parent_only_main_has() {
    let repo = GitProject::new();
    repo.branch("feat", "main");
    repo.migration("ccc", Some("bbb"), "ccc_feature.py");
    repo.commit("feature on a parent it does not have");
    repo.checkout("main");
    repo.migration("bbb", Some("aaa"), "bbb_main.py");
    repo.commit("main");
    let (code, report) = markdown(&repo, &["main", "feat"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        report.contains("not attached: ccc (down_revision 'bbb': missing here, main's head)"),
        "{report}"
    );
    assert!(report.contains("`missing-parent` ×1"), "{report}");
    assert!(
        checklist_line(&report, "Single migration head after merge").contains("head: `ccc`"),
        "{report}"
    );
}

/// A branch that merges main's two heads: the text tree draws the merge
/// under its first parent and points back to it from the second; Mermaid
/// draws one edge per parent.
#[test]
fn a_merge_revision_of_two_base_heads() {
    let repo = GitProject::new();
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.migration("ccc", Some("aaa"), "ccc.py");
    repo.commit("two heads on main");
    repo.branch("feat", "main");
    repo.write(
        "migrations/versions/ddd_merge.py",
        "\"\"\"merge\"\"\"\nrevision = 'ddd'\ndown_revision = ('bbb', 'ccc')\n",
    );
    repo.commit("merge the heads");
    let (code, report) = markdown(&repo, &["main", "feat"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        report.contains(
            "    └─> bbb (matches main's head)\n      └─> ddd [NEW HEAD]\n    └─> ccc (matches main's head)\n      └─> ddd (merge, shown above)\n"
        ),
        "{report}"
    );
    let edges: Vec<&str> = report.lines().filter(|l| l.ends_with("--> r3")).collect();
    assert_eq!(edges.len(), 2, "{report}");
    assert!(
        checklist_line(&report, "Single migration head after merge").contains("head: `ddd`"),
        "{report}"
    );
}

#[test]
fn report_fix_gives_the_branchs_copy_of_a_duplicate_id_a_fresh_id_first() {
    let repo = GitProject::new();
    repo.migration_with(
        "b6bc11a3a665",
        Some("aaa"),
        "b6bc11a3a665_add_block.py",
        "add block",
    );
    repo.commit("main head");
    repo.branch("feature/work", "main");
    repo.migration_with(
        "a1b2c3d4e5f6",
        Some("b6bc11a3a665"),
        "a1b2c3d4e5f6_add_join_code.py",
        "add join_code to transaction",
    );
    repo.commit("work: join code");
    // Meanwhile main merged another branch that used the same placeholder.
    repo.checkout("main");
    repo.migration_with(
        "a1b2c3d4e5f6",
        Some("b6bc11a3a665"),
        "a1b2c3d4e5f6_tenant_isolation.py",
        "tenant isolation",
    );
    repo.commit("main: tenant isolation");
    repo.checkout("feature/work");

    let (_, before) = repo.json_of("report", &["main"]);
    assert!(rules(&before).contains(&"duplicate-revision"));

    let (code, json) = repo.json_of("report", &["main", "--fix"]);
    let fixed = &json["report"]["fixed"];
    let applied = fixed["applied"].as_array().expect("fixes listed");
    let renamed = applied
        .iter()
        .find(|fix| fix["kind"] == "duplicate-id")
        .unwrap_or_else(|| panic!("{fixed}"));
    assert_eq!(renamed["old"], "a1b2c3d4e5f6");
    let new_id = renamed["new"].as_str().unwrap();
    assert!(new_id.len() == 12 && new_id.chars().all(|c| c.is_ascii_hexdigit()));
    // The branch's copy was renamed; main's keeps the id; the merged chain
    // no longer has a duplicate (the fork remains: a merge is a decision).
    assert!(!rules(&json).contains(&"duplicate-revision"), "{json}");
    assert!(rules(&json).contains(&"multiple-heads"));
    assert_eq!(code, 1);
    let report = json["report"]["markdown"].as_str().unwrap();
    assert!(report.contains("## Issues Found and Fixed"), "{report}");
    assert!(
        report.contains(&format!("`a1b2c3d4e5f6` → `{new_id}`")),
        "{report}"
    );
    assert!(
        repo.path
            .join(format!("migrations/versions/{new_id}_add_join_code.py"))
            .is_file()
    );
    // HEAD revisions cannot be fixed: only the working tree can.
    let (code, _, stderr) = repo.run(&["report", "main", "feature/work", "--fix"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--fix repairs the working tree"),
        "{stderr}"
    );
}

/// A revision file with `upgrade` and `downgrade` bodies.
fn revision_file(
    id: &str,
    down: Option<&str>,
    message: &str,
    upgrade: &str,
    downgrade: &str,
) -> String {
    let down = down.map_or_else(|| "None".to_owned(), |d| format!("'{d}'"));
    format!(
        "\"\"\"{message}\n\nRevision ID: {id}\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = '{id}'\ndown_revision = {down}\n\n\ndef upgrade():\n    {upgrade}\n\n\ndef downgrade():\n    {downgrade}\n"
    )
}

/// As the audit found it: main's head is `a1b2c3d4e5f6` (`add_block_table`);
/// `feat-join` adds another `a1b2c3d4e5f6` (`add_join_code`) on `ccc`, the
/// revision below main's head.
fn duplicate_of_bases_head() -> GitProject {
    let repo = GitProject::new();
    repo.write(
        "migrations/versions/bbb_create_transaction.py",
        &revision_file(
            "bbb",
            Some("aaa"),
            "create transaction",
            "op.create_table('transaction', sa.Column('id', sa.Integer(), primary_key=True))",
            "op.drop_table('transaction')",
        ),
    );
    repo.migration("ccc", Some("bbb"), "ccc_block_col.py");
    repo.commit("main base");
    repo.branch("feat-join", "main");
    repo.write(
        "migrations/versions/a1b2c3d4e5f6_add_join_code.py",
        &revision_file(
            "a1b2c3d4e5f6",
            Some("ccc"),
            "add join_code",
            "op.add_column('transaction', sa.Column('join_code', sa.String(20), nullable=True))",
            "op.drop_column('transaction', 'join_code')",
        ),
    );
    repo.commit("join code");
    repo.checkout("main");
    repo.write(
        "migrations/versions/a1b2c3d4e5f6_add_block_table.py",
        &revision_file(
            "a1b2c3d4e5f6",
            Some("ccc"),
            "add block table",
            "op.create_table('block', sa.Column('id', sa.Integer(), primary_key=True))",
            "op.drop_table('block')",
        ),
    );
    repo.commit("block table");
    repo
}

/// The section of a Markdown report titled `title`, up to the next one.
fn section<'a>(report: &'a str, title: &str) -> &'a str {
    let start = report
        .find(&format!("## {title}\n"))
        .unwrap_or_else(|| panic!("no section {title} in:\n{report}"));
    let rest = &report[start + 3..];
    let end = rest.find("\n## ").map_or(rest.len(), |end| end + 1);
    &rest[..end]
}

#[test]
fn a_duplicate_of_bases_head_says_the_branchs_revision_never_runs() {
    let repo = duplicate_of_bases_head();
    let (code, report) = markdown(&repo, &["main", "feat-join"]);
    assert_eq!(code, 1, "{report}");
    let path = section(&report, "Database Migration Path");
    // main's file already ran in production: the branch's is the one that
    // never runs on a database at main's head.
    assert!(
        path.contains(
            "`migrations/versions/a1b2c3d4e5f6_add_join_code.py` (new on `feat-join`) never runs on a database at `main`'s head"
        ),
        "{path}"
    );
    assert!(
        path.contains("on an empty database Alembic runs only `migrations/versions/a1b2c3d4e5f6_add_join_code.py`"),
        "{path}"
    );
    assert!(!path.contains("add_block_table.py` never runs"), "{path}");
    // No command to run on a broken merge: what to fix first instead.
    assert!(!path.contains("```bash"), "{path}");
    assert!(path.contains("do not run `alembic upgrade`"), "{path}");
    let notes = section(&report, "Important Notes");
    assert!(
        notes.contains("⚠️ **Never runs on a database already at `main`'s head:**"),
        "{notes}"
    );
    let recommendations = section(&report, "Recommendations");
    assert!(
        !recommendations.contains("plan a backfill"),
        "{recommendations}"
    );
    assert!(
        !recommendations.contains("Run the migration"),
        "{recommendations}"
    );
    assert!(
        recommendations.contains("**Fix the merged chain first** ("),
        "{recommendations}"
    );
}

#[test]
fn two_heads_are_not_followed_by_advice_to_upgrade() {
    let repo = GitProject::new();
    repo.branch("old-fork", "main");
    repo.migration("ccc", Some("aaa"), "ccc_old_fork.py");
    repo.commit("fork");
    repo.checkout("main");
    repo.migration("bbb", Some("aaa"), "bbb_main.py");
    repo.commit("main");
    let (code, report) = markdown(&repo, &["main", "old-fork"]);
    assert_eq!(code, 1, "{report}");
    let recommendations = section(&report, "Recommendations");
    assert!(
        !recommendations.contains("upgrade heads"),
        "{recommendations}"
    );
    assert!(recommendations.contains("2 heads"), "{recommendations}");
    // The config the user passed is in every command.
    repo.git(&["mv", "alembic.ini", "db.ini"]);
    repo.commit("config moved");
    repo.branch("feat", "main");
    repo.migration("ddd", Some("bbb"), "ddd_feat.py");
    repo.commit("feat");
    let (code, report) = markdown(&repo, &["-c", "db.ini", "main", "feat"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        report.contains("alembic -c db.ini upgrade head\n"),
        "{report}"
    );
    assert!(!report.contains("`alembic upgrade"), "{report}");
}

/// The base's head may be deployed: the advice for two heads re-parents
/// the branch's new revision (with `fix rebase`) or merges, and never
/// suggests re-parenting the base's head, whatever order the heads sort in.
#[test]
fn two_heads_advice_re_parents_the_branchs_revision_not_the_bases_head() {
    let repo = GitProject::new();
    repo.branch("feat", "main");
    repo.migration("ccc", Some("aaa"), "ccc_feat.py");
    repo.migration("ddd", Some("ccc"), "ddd_feat.py");
    repo.commit("feat");
    repo.checkout("main");
    repo.migration("zzz", Some("aaa"), "zzz_main.py");
    repo.commit("main");
    let (code, report) = markdown(&repo, &["main", "feat"]);
    assert_eq!(code, 1, "{report}");
    assert!(
        !report.contains("if `zzz` has not been applied"),
        "{report}"
    );
    assert!(!report.contains("re-parent it"), "{report}");
    let problems = section(&report, "Problems Found");
    assert!(
        problems.contains("`alembic-doctor fix rebase ccc --onto zzz --base main`"),
        "{problems}"
    );
    let recommendations = section(&report, "Recommendations");
    assert!(
        recommendations.contains("alembic-doctor fix rebase ccc --onto zzz --base main\n"),
        "{recommendations}"
    );
    assert!(
        recommendations.contains("alembic-doctor fix merge"),
        "{recommendations}"
    );
    assert!(
        recommendations.contains("`zzz` is `main`'s and stays as it is"),
        "{recommendations}"
    );
}

/// A docstring is the project's text, not Markdown: it cannot hide the
/// rest of the comment, ping anyone or render HTML.
#[test]
fn docstrings_are_escaped_for_github_markdown() {
    let repo = GitProject::new();
    repo.branch("weird", "main");
    repo.migration_with(
        "bbb",
        Some("aaa"),
        "bbb_weird.py",
        "Fix <!-- todo: cc @octocat <b>bold</b> **x** #12",
    );
    repo.commit("weird");
    let (code, report) = markdown(&repo, &["main", "weird"]);
    assert_eq!(code, 0, "{report}");
    let without_marker = report.trim_start_matches("<!-- alembic-doctor-report -->\n");
    let outside_code: String = without_marker
        .split("```")
        .step_by(2)
        .collect::<Vec<_>>()
        .join("");
    assert!(!outside_code.contains("<!--"), "{report}");
    assert!(!outside_code.contains("@octocat"), "{report}");
    assert!(!outside_code.contains("<b>"), "{report}");
    assert!(!outside_code.contains("**x**"), "{report}");
    assert!(!outside_code.contains(" #12"), "{report}");
    // The terminal shows the docstring as written.
    let (_, text, _) = repo.run(&["report", "main", "weird", "--format", "text"]);
    assert!(
        text.contains("Fix <!-- todo: cc @octocat <b>bold</b> **x** #12"),
        "{text}"
    );
}

/// Seen in openstack/octavia: an empty `sqlalchemy.url` and MySQL SQL.
/// The report says which dialect the lints assumed and how to set it, and
/// the JSON of `compare` and `report` says how the lints ran, as `check`'s.
#[test]
fn the_dialect_and_where_it_came_from_are_stated() {
    let repo = GitProject::new();
    repo.branch("feat", "main");
    repo.migration("bbb", Some("aaa"), "bbb_feat.py");
    repo.commit("feat");
    let (_, report) = markdown(&repo, &["main", "feat"]);
    assert!(
        report.contains("Safety lints assumed **PostgreSQL**"),
        "{report}"
    );
    assert!(
        report.contains("`dialect = \"mysql\"` under `[tool.alembic-doctor]`"),
        "{report}"
    );
    assert!(report.contains("`--dialect`"), "{report}");
    let (_, report) = markdown(&repo, &["main", "feat", "--dialect", "mysql"]);
    assert!(
        report.contains("Safety lints for **MySQL** (dialect from `--dialect`)"),
        "{report}"
    );
    assert!(!report.contains("assumed"), "{report}");
    for command in ["compare", "report"] {
        let (_, json) = repo.json_of(command, &["main", "feat"]);
        let lint = &json["lint"];
        assert_eq!(lint["enabled"], true, "{json}");
        assert_eq!(lint["dialect"], "postgresql");
        assert!(
            lint["dialect_origin"]
                .as_str()
                .unwrap()
                .starts_with("assumed"),
            "{lint}"
        );
        assert_eq!(lint["postgres_version"], 14);
        assert_eq!(lint["linted_revisions"], 1, "{lint}");
        assert!(lint["scope"].is_string(), "{lint}");
    }
    let (_, json) = repo.json_of("compare", &["main", "feat", "--no-lint"]);
    assert_eq!(json["lint"]["enabled"], false, "{json}");
}

/// The parts of a hand-written status report that a check can back: when
/// and from which commits it was made, staging commands, the rollback and
/// an offline SQL preview, the commands after merging in a code block, a
/// status per side, and a conclusion that says what the change does.
#[test]
fn the_report_has_what_a_hand_written_one_has_each_line_from_a_check() {
    let repo = GitProject::new();
    repo.write(
        "migrations/env.py",
        "from alembic import context\n\nif context.is_offline_mode():\n    pass\n",
    );
    repo.write(
        "migrations/versions/bbb_create_transaction.py",
        &revision_file(
            "bbb",
            Some("aaa"),
            "create transaction",
            "op.create_table('transaction', sa.Column('id', sa.Integer(), primary_key=True))",
            "op.drop_table('transaction')",
        ),
    );
    repo.commit("main");
    repo.branch("feat", "main");
    repo.write(
        "migrations/versions/ccc_join_code.py",
        &revision_file(
            "ccc",
            Some("bbb"),
            "add join_code",
            "op.add_column('transaction', sa.Column('join_code', sa.String(20), nullable=True))\n    op.create_index('ix_transaction_join_code', 'transaction', ['join_code'])",
            "op.drop_index('ix_transaction_join_code', table_name='transaction')\n    op.drop_column('transaction', 'join_code')",
        ),
    );
    repo.commit("feat");
    let (_, report) = markdown(&repo, &["main", "feat"]);
    let main_sha = repo.git(&["rev-parse", "main"]);
    let feat_sha = repo.git(&["rev-parse", "feat"]);
    let generated = report
        .lines()
        .find(|l| l.starts_with("Generated on "))
        .unwrap_or_else(|| panic!("{report}"));
    assert!(
        generated.ends_with(&format!(
            "from `main` at `{}` and `feat` at `{}`.",
            &main_sha[..12],
            &feat_sha[..12]
        )),
        "{generated}"
    );
    let recommendations = section(&report, "Recommendations");
    assert!(
        recommendations.contains("**Test on staging first:**"),
        "{recommendations}"
    );
    assert!(
        recommendations.contains("   alembic upgrade bbb:ccc --sql\n"),
        "{recommendations}"
    );
    assert!(
        recommendations.contains("   alembic downgrade bbb\n"),
        "{recommendations}"
    );
    assert!(
        recommendations.contains(
            "1. **Run the migration** (1 revision):\n   ```bash\n   alembic upgrade head\n   ```\n"
        ),
        "{recommendations}"
    );
    let statistics = section(&report, "Migration Statistics");
    assert!(
        statistics.contains("| Status | ✅ Healthy | ⚠️ Warnings | ⚠️ Warnings |"),
        "{statistics}"
    );
    let conclusion = section(&report, "Conclusion");
    assert!(
        conclusion.contains("adds column `transaction.join_code`"),
        "{conclusion}"
    );
    assert!(
        conclusion.contains("creates index `ix_transaction_join_code`"),
        "{conclusion}"
    );
    assert!(!conclusion.trim_end().ends_with("head"), "{conclusion}");

    // An empty downgrade: no rollback command, and the report says why.
    repo.write(
        "migrations/versions/ccc_join_code.py",
        &revision_file(
            "ccc",
            Some("bbb"),
            "add join_code",
            "op.add_column('transaction', sa.Column('join_code', sa.String(20), nullable=True))",
            "pass",
        ),
    );
    repo.commit("no downgrade");
    let (_, report) = markdown(&repo, &["main", "feat"]);
    let recommendations = section(&report, "Recommendations");
    assert!(
        !recommendations.contains("alembic downgrade bbb"),
        "{recommendations}"
    );
    assert!(
        recommendations.contains("the downgrade of `ccc` is empty"),
        "{recommendations}"
    );
}

/// Wording: two HEADs editing one file are named (not "the base side"); an
/// empty chain is not "all 0 revisions"; a headline summarises many edits
/// with a count; no "1 revisions", no `(unnamed)` constraint, no
/// recommendation pasted mid-sentence with its capital and a pointer back
/// to the `explain` it already names.
#[test]
fn wording_of_edge_cases() {
    let repo = GitProject::new();
    for n in 0..7 {
        let down = if n == 0 {
            "aaa".to_owned()
        } else {
            format!("r{}", n - 1)
        };
        repo.migration(&format!("r{n}"), Some(&down), &format!("r{n}.py"));
    }
    repo.commit("seven revisions");
    // Two HEADs edit the same file.
    repo.branch("one", "main");
    repo.write(
        "migrations/versions/r0.py",
        "\"\"\"r0 one\"\"\"\nrevision = 'r0'\ndown_revision = 'aaa'\n",
    );
    repo.commit("one edits r0");
    repo.branch("two", "main");
    repo.write(
        "migrations/versions/r0.py",
        "\"\"\"r0 two\"\"\"\nrevision = 'r0'\ndown_revision = 'aaa'\n",
    );
    repo.commit("two edits r0");
    let (_, report) = markdown(&repo, &["main", "one", "two"]);
    assert!(!report.contains("on the base side"), "{report}");
    assert!(
        report.contains("modified on `one` and modified on `two`"),
        "{report}"
    );
    // Many edits: a count in the headline, the list below.
    repo.branch("many", "main");
    for n in 1..7 {
        repo.write(
            &format!("migrations/versions/r{n}.py"),
            &format!(
                "\"\"\"r{n} edited\"\"\"\nrevision = 'r{n}'\ndown_revision = 'r{}'\n",
                n - 1
            ),
        );
    }
    repo.commit("edit six");
    let (_, report) = markdown(&repo, &["main", "many"]);
    let headline = report.lines().nth(3).unwrap();
    assert!(
        headline.contains("6 revisions already on the base edited"),
        "{headline}"
    );
    assert!(!headline.contains(".py"), "{headline}");
    // Deleting every revision.
    repo.branch("none", "main");
    repo.git(&["rm", "-q", "-r", "migrations/versions"]);
    repo.commit("remove all");
    let (_, report) = markdown(&repo, &["main", "none"]);
    assert!(!report.contains("all 0 revisions"), "{report}");
    assert!(!report.contains("descend from none"), "{report}");
    let (_, text, _) = repo.run(&["compare", "main", "one"]);
    assert!(!text.contains(" 1 revisions"), "{text}");
}

#[test]
fn notes_and_recommendations_read_as_sentences() {
    let repo = GitProject::new();
    repo.write(
        "migrations/versions/bbb_create_t.py",
        &revision_file(
            "bbb",
            Some("aaa"),
            "create t",
            "op.create_table('t', sa.Column('id', sa.Integer()), sa.Column('a', sa.Integer()))",
            "op.drop_table('t')",
        ),
    );
    repo.commit("main");
    repo.branch("feat", "main");
    repo.write(
        "migrations/versions/ccc_indexes.py",
        &revision_file(
            "ccc",
            Some("bbb"),
            "indexes",
            "op.create_index('ix_a', 't', ['a'])\n    op.create_index('ix_id', 't', ['id'])\n    op.create_primary_key(None, 't', ['id'])",
            "op.drop_index('ix_a', table_name='t')\n    op.drop_index('ix_id', table_name='t')",
        ),
    );
    repo.commit("feat");
    let (_, report) = markdown(&repo, &["main", "feat"]);
    let notes = section(&report, "Important Notes");
    // (The lint's own message, from crates/rules, still says `(unnamed)`.)
    assert!(!notes.contains("adds primary key `(unnamed)`"), "{notes}");
    assert!(
        notes.contains("adds an unnamed primary key on `t`"),
        "{notes}"
    );
    let recommendations = section(&report, "Recommendations");
    assert!(!recommendations.contains("; Build"), "{recommendations}");
    assert!(
        !report.contains("(example: `alembic-doctor explain"),
        "{report}"
    );
}

/// Run from a subdirectory, the report names files from the repository's
/// root, as `--format github` does.
#[test]
fn paths_are_from_the_repository_root_when_run_from_a_subdirectory() {
    let repo = GitProject::empty();
    repo.write(
        "db/alembic.ini",
        "[alembic]\nscript_location = migrations\n",
    );
    repo.write(
        "db/migrations/versions/aaa_init.py",
        "\"\"\"init\"\"\"\nrevision = 'aaa'\ndown_revision = None\n",
    );
    repo.commit("init");
    repo.git(&["branch", "-M", "main"]);
    repo.branch("feat", "main");
    repo.write(
        "db/migrations/versions/bbb_dup.py",
        "\"\"\"dup\"\"\"\nrevision = 'aaa'\ndown_revision = None\n",
    );
    repo.commit("feat");
    let output = alembic_doctor_testkit::hermetic_command(common::BIN, &repo.path.join("db"))
        .args(["report", "main", "feat"])
        .output()
        .expect("runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        report.contains("`db/migrations/versions/bbb_dup.py"),
        "{report}"
    );
    assert!(!report.contains("`migrations/versions/"), "{report}");
    assert!(!report.contains(" migrations/versions/"), "{report}");
}

/// main already forked: a branch that builds on one of its heads is not
/// blamed for the fork, and the report says the base branch is broken.
#[test]
fn a_base_branch_already_broken_is_not_the_branchs_fault() {
    let repo = GitProject::new();
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.migration("ccc", Some("aaa"), "ccc.py");
    repo.commit("main forked");
    repo.branch("feat", "main");
    repo.migration("ddd", Some("bbb"), "ddd.py");
    repo.commit("feat builds on one head");
    let (code, report) = markdown(&repo, &["main", "feat"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        report.contains("⚠️ **`main` is already broken, and merging `feat` leaves it so:** 1 error already on `main` (`multiple-heads`); this merge brings no new finding"),
        "{report}"
    );
    assert!(
        report.contains("The base branch's chain is already broken"),
        "{report}"
    );
    assert!(
        checklist_line(&report, "Extends the base's heads").starts_with("- ✅"),
        "{report}"
    );
    // The fork main already has is named once, as main's, and fails no
    // check of the branch's.
    let single = checklist_line(&report, "Single migration head after merge");
    assert!(
        single.starts_with("- ☑️") && single.ends_with("already on `main`: 2 heads: `bbb`, `ccc`"),
        "{single}"
    );
    assert!(
        section(&report, "Pre-Merge Checklist").contains("✅ **All 12 pre-merge checks passed"),
        "{report}"
    );
}

/// A whole chain with an unsafe migration is not called a broken chain.
#[test]
fn an_unsafe_migration_is_told_apart_from_a_broken_chain() {
    let repo = GitProject::new();
    repo.write(
        "migrations/versions/bbb.py",
        "\"\"\"users\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\nrevision = 'bbb'\ndown_revision = 'aaa'\n\ndef upgrade():\n    op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True))\n\ndef downgrade():\n    op.drop_table('users')\n",
    );
    repo.commit("users");
    repo.branch("feat", "main");
    repo.write(
        "migrations/versions/ccc.py",
        "\"\"\"email\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\nrevision = 'ccc'\ndown_revision = 'bbb'\n\ndef upgrade():\n    op.add_column('users', sa.Column('email', sa.String(), nullable=False))\n\ndef downgrade():\n    op.drop_column('users', 'email')\n",
    );
    repo.commit("email");
    let (code, report) = markdown(&repo, &["main", "feat"]);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("keeps the chain whole but adds a migration that fails or is unsafe on a live database:** `add-column-not-null-without-default`"),
        "{report}"
    );
    assert!(
        !report.contains("would break the migration chain"),
        "{report}"
    );
}

/// With `--versions` alone no configuration is read: the dialect line must
/// not blame `sqlalchemy.url` (there is none to read), and says how to set
/// the dialect.
#[test]
fn the_dialect_line_says_when_no_configuration_was_read() {
    let repo = GitProject::new();
    repo.git(&["rm", "-q", "alembic.ini"]);
    repo.commit("no alembic.ini");
    repo.branch("feat", "main");
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.commit("feat");
    let (code, report) = markdown(
        &repo,
        &["--versions", "migrations/versions", "main", "feat"],
    );
    assert_eq!(code, 0, "{report}");
    let line = report
        .lines()
        .find(|line| line.contains("Safety lints assumed"))
        .unwrap_or_else(|| panic!("no dialect line in:\n{report}"));
    assert!(
        !line.contains("sqlalchemy.url` names no database"),
        "{line}"
    );
    assert!(line.contains("no Alembic configuration was read"), "{line}");
    assert!(line.contains("`--dialect`"), "{line}");
    assert!(line.contains("[tool.alembic-doctor]"), "{line}");
}

/// An id with bytes that are not UTF-8 is shown with them escaped
/// (`\xff`), the same in every output, never as `�`.
#[test]
fn an_undecodable_id_is_shown_escaped() {
    let repo = GitProject::new();
    repo.branch("weird", "main");
    std::fs::write(
        repo.path.join("migrations/versions/bin.py"),
        b"revision = \"\xff\xfe\"\ndown_revision = 'aaa'\n",
    )
    .expect("written");
    repo.commit("weird");
    let (_, report) = markdown(&repo, &["main", "weird"]);
    assert!(report.contains(r"`\xff\xfe`"), "{report}");
    assert!(!report.contains('\u{fffd}'), "{report}");
    let (_, json) = repo.json_of("report", &["main", "weird"]);
    assert_eq!(json["new_revisions"][0]["id"], r"\xff\xfe", "{json}");
}

/// Production behind main (`--from` below main's head): main's revisions
/// the database has not run go out with the merge, so they are described
/// and linted too, apart from the branch's own.
#[test]
fn revisions_on_main_not_yet_run_at_from_are_described_and_linted() {
    let repo = GitProject::new();
    repo.write(
        "migrations/versions/bbb.py",
        "\"\"\"users\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\nrevision = 'bbb'\ndown_revision = 'aaa'\n\ndef upgrade():\n    op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True))\n\ndef downgrade():\n    op.drop_table('users')\n",
    );
    repo.commit("users");
    repo.write(
        "migrations/versions/ccc.py",
        "\"\"\"email index\"\"\"\nfrom alembic import op\nrevision = 'ccc'\ndown_revision = 'bbb'\n\ndef upgrade():\n    op.create_index('ix_users_id', 'users', ['id'])\n\ndef downgrade():\n    op.drop_index('ix_users_id')\n",
    );
    repo.commit("index on main");
    repo.branch("feat", "main");
    repo.migration("ddd", Some("ccc"), "ddd.py");
    repo.commit("feat");
    let (code, json) = repo.json_of(
        "report",
        &["main", "feat", "--from", "bbb", "--fail-on", "warning"],
    );
    // main's revision is not the branch's doing: it neither fails the
    // branch nor is annotated on it.
    assert_eq!(code, 0, "{json}");
    let (_, annotations, _) = repo.run(&[
        "report", "main", "feat", "--from", "bbb", "--format", "github",
    ]);
    assert!(!annotations.contains("ccc.py"), "{annotations}");
    assert_eq!(strings(&json["path"]), ["ccc", "ddd"], "{json}");
    let pending: Vec<&str> = json["pending_notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["revision"].as_str().unwrap())
        .collect();
    assert_eq!(pending, ["ccc"], "{json}");
    assert!(
        rules(&json).contains(&"create-index-not-concurrently"),
        "{json}"
    );
    let (_, report) = markdown(&repo, &["main", "feat", "--from", "bbb"]);
    assert!(
        report.contains("### Already on `main`, not yet run on the database at `bbb`"),
        "{report}"
    );
    // Without --from the database is at main's head: nothing pending.
    let (_, json) = repo.json_of("report", &["main", "feat"]);
    assert!(
        json["pending_notes"].as_array().unwrap().is_empty(),
        "{json}"
    );
    assert!(
        !rules(&json).contains(&"create-index-not-concurrently"),
        "{json}"
    );
}

/// The conclusion names an unnamed index by its table, not as if the table
/// were the index.
#[test]
fn the_conclusion_names_an_unnamed_index_by_its_table() {
    let repo = GitProject::new();
    repo.branch("feat", "main");
    repo.write(
        "migrations/versions/bbb.py",
        "\"\"\"users\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\nrevision = 'bbb'\ndown_revision = 'aaa'\n\ndef upgrade():\n    op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True))\n    op.create_index(None, 'users', ['id'])\n\ndef downgrade():\n    op.drop_table('users')\n",
    );
    repo.commit("users");
    let (_, report) = markdown(&repo, &["main", "feat"]);
    let conclusion = section(&report, "Conclusion");
    assert!(
        conclusion.contains("creates index (unnamed, on `users`)"),
        "{conclusion}"
    );
    assert!(
        !conclusion.contains("creates index `users`"),
        "{conclusion}"
    );
}

/// A repository whose Alembic project lives in `db/` (`%(here)s`: the same
/// project from the root, with `-c`, and from `db`), with `aaa` on `main`
/// and branch `feat` checked out from it.
fn project_in_a_subdirectory() -> GitProject {
    let repo = GitProject::empty();
    repo.write(
        "db/alembic.ini",
        "[alembic]\nscript_location = %(here)s/migrations\n",
    );
    repo.write(
        "db/migrations/versions/aaa_init.py",
        "\"\"\"init\"\"\"\nrevision = 'aaa'\ndown_revision = None\n",
    );
    repo.commit("init");
    repo.git(&["branch", "-M", "main"]);
    repo.branch("feat", "main");
    repo
}

/// Run from a subdirectory, every path the report's JSON names is from the
/// repository's root, each named the way a run from the root names it: the
/// new, edited and duplicated revisions, the file changed on both sides,
/// the notes and the findings' messages. `compare` keeps naming them from
/// the current directory.
#[test]
fn every_path_is_from_the_repository_root_when_run_from_a_subdirectory() {
    let repo = project_in_a_subdirectory();
    repo.write(
        "db/migrations/versions/aaa_init.py",
        "\"\"\"init, edited on feat\"\"\"\nrevision = 'aaa'\ndown_revision = None\n",
    );
    repo.write(
        "db/migrations/versions/bbb_dup.py",
        "\"\"\"dup\"\"\"\nrevision = 'aaa'\ndown_revision = None\n",
    );
    repo.write(
        "db/migrations/versions/ccc_next.py",
        "\"\"\"next\"\"\"\nrevision = 'ccc'\ndown_revision = 'aaa'\n",
    );
    repo.commit("feat");
    repo.checkout("main");
    repo.write(
        "db/migrations/versions/aaa_init.py",
        "\"\"\"init, edited on main\"\"\"\nrevision = 'aaa'\ndown_revision = None\n",
    );
    repo.commit("main edits");
    let json = |command: &str, dir: &str, config: &[&str]| -> serde_json::Value {
        let output = alembic_doctor_testkit::hermetic_command(common::BIN, &repo.path.join(dir))
            .args(config)
            .args([command, "main", "feat", "--format", "json"])
            .output()
            .expect("runs");
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)))
    };
    let paths = |value: &serde_json::Value| -> Vec<String> {
        let mut paths = Vec::new();
        for key in ["new_revisions", "edited_revisions", "notes"] {
            for entry in value[key].as_array().expect(key) {
                paths.push(entry["path"].as_str().expect("path").to_owned());
            }
        }
        for entry in value["duplicate_ids"].as_array().expect("duplicate_ids") {
            for file in entry["files"].as_array().expect("files") {
                paths.push(file["path"].as_str().expect("path").to_owned());
            }
        }
        for conflict in value["merged"]["file_conflicts"]
            .as_array()
            .expect("conflicts")
        {
            paths.push(conflict["path"].as_str().expect("path").to_owned());
        }
        paths
    };
    let from_root = json("report", ".", &["-c", "db/alembic.ini"]);
    let from_db = json("report", "db", &[]);
    let found = paths(&from_db);
    assert!(
        found.contains(&"db/migrations/versions/bbb_dup.py".to_owned())
            && found.contains(&"db/migrations/versions/ccc_next.py".to_owned())
            && found.contains(&"db/migrations/versions/aaa_init.py".to_owned()),
        "{found:?}"
    );
    assert_eq!(found, paths(&from_root));
    let messages = |value: &serde_json::Value| -> Vec<String> {
        value["merged"]["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|finding| finding["message"].as_str().expect("message").to_owned())
            .collect()
    };
    let found = messages(&from_db);
    assert!(
        found
            .iter()
            .any(|message| message.contains("db/migrations/versions/bbb_dup.py")),
        "{found:?}"
    );
    assert_eq!(found, messages(&from_root));
    // The same report, but for the `-c` its commands carry.
    let markdown = |value: &serde_json::Value| -> String {
        value["report"]["markdown"]
            .as_str()
            .expect("markdown")
            .replace("alembic -c db/alembic.ini ", "alembic ")
            .replace("alembic-doctor -c db/alembic.ini ", "alembic-doctor ")
    };
    assert_eq!(markdown(&from_db), markdown(&from_root));
    let compared = paths(&json("compare", "db", &[]));
    assert!(
        compared
            .iter()
            .all(|path| path.starts_with("migrations/versions/")),
        "{compared:?}"
    );
}

/// A version file that is a symbolic link is named by its link, as from
/// the repository's root, also when the report runs from a subdirectory:
/// the root-relative names were once rewritten after the comparison from
/// each file's resolved path, so a duplicate id's message there named the
/// link's target (`shared/real.py`) where every other line named the link.
#[cfg(unix)]
#[test]
fn a_symlinked_version_file_is_named_by_its_link_from_a_subdirectory() {
    let repo = project_in_a_subdirectory();
    repo.write(
        "shared/real.py",
        "\"\"\"dup\"\"\"\nrevision = 'aaa'\ndown_revision = None\n",
    );
    std::os::unix::fs::symlink(
        "../../../shared/real.py",
        repo.path.join("db/migrations/versions/bbb_link.py"),
    )
    .expect("symlink");
    repo.commit("feat");
    let messages = |dir: &str, config: &[&str]| -> Vec<String> {
        let output = alembic_doctor_testkit::hermetic_command(common::BIN, &repo.path.join(dir))
            .args(config)
            .args(["report", "main", "feat", "--format", "json"])
            .output()
            .expect("runs");
        let json: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)));
        json["merged"]["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|finding| finding["message"].as_str().expect("message").to_owned())
            .collect()
    };
    let from_db = messages("db", &[]);
    assert!(
        from_db.iter().any(|message| message
            == "revision id `aaa` is defined by 2 files: db/migrations/versions/aaa_init.py and db/migrations/versions/bbb_link.py"),
        "{from_db:?}"
    );
    assert_eq!(from_db, messages(".", &["-c", "db/alembic.ini"]));
}

/// Main is `aaa` -> `bbb` -> `ccc` (its head); the
/// branch adds `nnn` on `bbb` and its own merge revision `mmm` of `nnn` and
/// `ccc`. Its one head descends from main's head: it extends it.
#[test]
fn a_branch_with_its_own_merge_migration_extends_the_bases_head() {
    let repo = GitProject::new();
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.migration("ccc", Some("bbb"), "ccc_head.py");
    repo.commit("main");
    repo.branch("feature", "main");
    repo.migration("nnn", Some("bbb"), "nnn_new.py");
    repo.write(
        "migrations/versions/mmm_merge.py",
        "\"\"\"merge\"\"\"\nrevision = 'mmm'\ndown_revision = ('nnn', 'ccc')\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n",
    );
    repo.commit("feature with its own merge");
    let (code, report) = markdown(&repo, &["main", "feature"]);
    assert_eq!(code, 0, "{report}");
    let verification = section(&report, "Verification");
    assert!(
        verification.contains("✅ **Migration head on `feature` correctly extends `main`'s head**"),
        "{verification}"
    );
    assert!(!verification.contains("❌"), "{verification}");
    assert!(
        !verification.contains("more than one head"),
        "{verification}"
    );
    assert!(
        verification.contains("feature's head `mmm` descends from main's head `ccc`"),
        "{verification}"
    );
    assert!(
        checklist_line(&report, "Extends the base's head").starts_with("- ✅"),
        "{report}"
    );
    assert!(!report.contains("not from"), "{report}");
    assert!(
        section(&report, "Branch Comparison").contains("single head, extends the base's head"),
        "{report}"
    );
    assert!(
        report.contains("✅ **Migration chain is healthy"),
        "{report}"
    );
    let (_, json) = repo.json(&["main", "feature"]);
    assert_eq!(json["extends_base_head"], true, "{json}");

    // A fork is still told as one, with the graph's facts.
    repo.branch("fork", "main");
    repo.migration("fff", Some("bbb"), "fff_fork.py");
    repo.commit("fork below main's head");
    let (code, report) = markdown(&repo, &["main", "fork"]);
    assert_eq!(code, 1, "{report}");
    let verification = section(&report, "Verification");
    assert!(
        verification.contains("fork's head `fff` does not descend from main's head `ccc`"),
        "{verification}"
    );
    assert!(
        checklist_line(&report, "Extends the base's head")
            .contains("fork's head `fff` does not descend from main's head `ccc`"),
        "{report}"
    );
}

/// A duplicate under main's head: main has `a1b2c3d4e5f6`
/// (adds `accounts.code` NOT NULL: a lint error in main's file) and its
/// head `hhh` on top; `feature` forked before it and adds its own
/// `a1b2c3d4e5f6` (adds nullable `users.email`).
fn duplicate_below_bases_head() -> GitProject {
    let repo = GitProject::new();
    repo.branch("feature", "main");
    repo.write(
        "migrations/versions/a1b2c3d4e5f6_add_email.py",
        &revision_file(
            "a1b2c3d4e5f6",
            Some("aaa"),
            "add email",
            "op.add_column('users', sa.Column('email', sa.String(), nullable=True))",
            "op.drop_column('users', 'email')",
        ),
    );
    repo.commit("feature: email");
    repo.checkout("main");
    repo.write(
        "migrations/versions/a1b2c3d4e5f6_add_code.py",
        &revision_file(
            "a1b2c3d4e5f6",
            Some("aaa"),
            "add code",
            "op.add_column('accounts', sa.Column('code', sa.String(), nullable=False))",
            "op.drop_column('accounts', 'code')",
        ),
    );
    repo.commit("main: code");
    repo.migration("hhh", Some("a1b2c3d4e5f6"), "hhh_head.py");
    repo.commit("main: head");
    repo.checkout("feature");
    repo
}

/// What the safety lints find in main's copy of a
/// duplicated id is not the branch's: not in its status, counts or notes.
#[test]
fn lint_findings_of_the_bases_copy_of_a_duplicate_id_are_not_the_branchs() {
    let repo = duplicate_below_bases_head();
    let (_, report) = markdown(&repo, &["main", "feature"]);
    assert!(
        !report.contains("add-column-not-null-without-default"),
        "{report}"
    );
    assert!(!report.contains("accounts.code"), "{report}");
    let branches = section(&report, "Branch Comparison");
    let feature = &branches[branches.find("### `feature`").expect("feature")..];
    assert!(!feature.contains("errors:"), "{feature}");
    let statistics = section(&report, "Migration Statistics");
    assert!(statistics.contains("| Errors | 0 | 0 |"), "{statistics}");
    let (_, json) = repo.json_of("report", &["main", "feature"]);
    for finding in json["merged"]["findings"].as_array().expect("findings") {
        // The chain's rules may point at either copy; the lints' findings
        // are about what a file does.
        if !["duplicate-revision", "multiple-heads"]
            .contains(&finding["rule"].as_str().unwrap_or(""))
        {
            assert_ne!(
                finding["path"], "migrations/versions/a1b2c3d4e5f6_add_code.py",
                "{finding}"
            );
        }
    }
}

/// Main already has two unlabelled bases (merged
/// further up); a branch that adds one revision on main's head does not
/// fail a check for them: the problem is named once, as already on main.
#[test]
fn a_problem_the_base_already_has_does_not_fail_the_branchs_checklist() {
    let repo = GitProject::new();
    repo.migration("zzz", None, "zzz_other_root.py");
    repo.write(
        "migrations/versions/mmm_merge.py",
        "\"\"\"merge roots\"\"\"\nrevision = 'mmm'\ndown_revision = ('aaa', 'zzz')\n",
    );
    repo.commit("main: two roots, merged");
    repo.branch("feature", "main");
    repo.migration("nnn", Some("mmm"), "nnn_new.py");
    repo.commit("feature");
    let (code, report) = markdown(&repo, &["main", "feature"]);
    assert_eq!(code, 0, "{report}");
    let headline = report.lines().nth(3).expect("a headline");
    assert!(
        headline.starts_with("✅ **Migration chain is healthy"),
        "{report}"
    );
    assert!(!headline.contains("unlabelled bases"), "{headline}");
    let checklist = section(&report, "Pre-Merge Checklist");
    assert!(!checklist.contains("❌"), "{checklist}");
    assert!(
        checklist.contains(
            "✅ **All 12 pre-merge checks passed (1 problem already on `main`, not this merge's).**"
        ),
        "{checklist}"
    );
    let branches = section(&report, "Branch Comparison");
    assert!(
        branches.contains("✅ Healthy (single head, extends the base's head, none of its own; 1 finding already on `main`)"),
        "{branches}"
    );
    let orphans = checklist_line(&report, "No orphaned or unreachable revisions");
    assert!(
        orphans.contains("already on `main`: the chain has 2 unlabelled bases"),
        "{orphans}"
    );
    assert_eq!(orphans.matches("unlabelled bases").count(), 1, "{orphans}");
    assert!(
        section(&report, "Conclusion").contains("12 of 12 pre-merge checks passed"),
        "{report}"
    );
    let (_, json) = repo.json_of("report", &["main", "feature"]);
    let item = json["report"]["checklist"]
        .as_array()
        .expect("checklist")
        .iter()
        .find(|item| item["code"] == "no-orphans")
        .expect("no-orphans");
    assert_eq!(item["passed"], true, "{item}");
    assert!(
        item["already_on_base"]
            .as_str()
            .is_some_and(|problem| problem.contains("2 unlabelled bases")),
        "{item}"
    );
    assert_eq!(json["report"]["verdict"], "healthy");

    // A second root the branch brings still fails it.
    repo.branch("second-root", "main");
    repo.migration("yyy", None, "yyy_root.py");
    repo.migration("ppp", Some("mmm"), "ppp.py");
    repo.write(
        "migrations/versions/qqq_merge.py",
        "\"\"\"merge\"\"\"\nrevision = 'qqq'\ndown_revision = ('ppp', 'yyy')\n",
    );
    repo.commit("another root");
    let (_, report) = markdown(&repo, &["main", "second-root"]);
    assert!(
        checklist_line(&report, "No orphaned or unreachable revisions").starts_with("- ❌"),
        "{report}"
    );
}

/// Main's file for `a1b2c3d4e5f6` is on both sides
/// (the branch forked after it) and the branch adds a second file for the
/// id: two files, each listed once with the sides that have it.
#[test]
fn a_duplicate_ids_file_on_both_sides_is_counted_once() {
    let repo = GitProject::new();
    repo.migration("a1b2c3d4e5f6", Some("aaa"), "a1b2c3d4e5f6_main.py");
    repo.commit("main");
    repo.branch("feature", "main");
    repo.migration("bbb", Some("a1b2c3d4e5f6"), "bbb.py");
    repo.migration("a1b2c3d4e5f6", Some("bbb"), "a1b2c3d4e5f6_feature.py");
    repo.commit("feature: the id again");
    let (code, report) = markdown(&repo, &["main", "feature"]);
    assert_eq!(code, 1, "{report}");
    assert!(!report.contains("declared by 3 files"), "{report}");
    assert!(
        report.contains("`a1b2c3d4e5f6` is declared by 2 files"),
        "{report}"
    );
    assert!(
        checklist_line(&report, "No duplicate revision ids").contains(
            "`a1b2c3d4e5f6` is declared by `migrations/versions/a1b2c3d4e5f6_main.py` on main and feature and `migrations/versions/a1b2c3d4e5f6_feature.py` on feature"
        ),
        "{report}"
    );
    let (_, json) = repo.json_of("report", &["main", "feature"]);
    let files = json["duplicate_ids"][0]["files"].as_array().expect("files");
    assert_eq!(files.len(), 2, "{json}");
    assert_eq!(files[0]["path"], "migrations/versions/a1b2c3d4e5f6_main.py");
    assert_eq!(strings(&files[0]["sides"]), ["main", "feature"]);
    assert_eq!(strings(&files[1]["sides"]), ["feature"]);
}

/// The branch's copy of an id main already has never
/// runs on a database at main's head: its notes say so in one line, and
/// what it would do is collapsed (Markdown) or left out (text), never
/// written as if it ran.
#[test]
fn the_copy_that_never_runs_gets_one_line_not_notes_as_if_it_ran() {
    let repo = duplicate_below_bases_head();
    let (_, report) = markdown(&repo, &["main", "feature"]);
    let notes = section(&report, "Important Notes");
    assert!(
        notes.contains("⚠️ **Never runs on a database already at `main`'s head:** it reuses the id of `migrations/versions/a1b2c3d4e5f6_add_code.py`"),
        "{notes}"
    );
    let details = notes.find("<details><summary>").expect("collapsed notes");
    let email = notes.find("adds column `users.email`").expect("the notes");
    assert!(details < email, "{notes}");
    assert!(notes.trim_end().ends_with("</details>"), "{notes}");
    let (_, text, _) = repo.run(&["report", "main", "feature", "--format", "text"]);
    let start = text.find("Important Notes\n").expect("notes in text");
    let notes = &text[start
        ..text[start..]
            .find("Pre-Merge")
            .map_or(text.len(), |end| start + end)];
    assert!(
        notes.contains("Never runs on a database already at main's head"),
        "{notes}"
    );
    assert!(!notes.contains("users.email"), "{notes}");
    assert!(!notes.contains("<details>"), "{notes}");
}

/// A downgrade whose call cannot run is no rollback,
/// and an ORM loop in `upgrade()` is a data migration, not only an
/// unreadable call.
#[test]
fn a_downgrade_that_raises_and_an_orm_data_loop_are_noted() {
    let repo = GitProject::new();
    repo.branch("feature", "main");
    repo.write(
        "migrations/versions/bbb_unique.py",
        &revision_file(
            "bbb",
            Some("aaa"),
            "unique code",
            "with op.batch_alter_table('t') as batch_op:\n        batch_op.create_unique_constraint('n', ['c'])",
            "with op.batch_alter_table('t') as batch_op:\n        batch_op.drop_constraint('n', 't', type_='unique')",
        ),
    );
    repo.write(
        "migrations/versions/ccc_orm.py",
        &revision_file(
            "ccc",
            Some("bbb"),
            "fill codes",
            "session = Session(bind=op.get_bind())\n    for user in session.query(User).filter(User.code == None):\n        user.code = user.name.lower()\n    session.commit()",
            "pass",
        ),
    );
    repo.commit("feature");
    let (_, json) = repo.json_of("report", &["main", "feature"]);
    let notes = json["notes"].as_array().expect("notes");
    let bbb = notes.iter().find(|n| n["revision"] == "bbb").expect("bbb");
    assert_eq!(bbb["rollback"], "raises", "{bbb}");
    let codes = |revision: &serde_json::Value| -> Vec<String> {
        revision["notes"]
            .as_array()
            .expect("notes")
            .iter()
            .map(|note| note["code"].as_str().expect("a code").to_owned())
            .collect()
    };
    assert!(
        codes(bbb).contains(&"downgrade-call-fails".to_owned()),
        "{bbb}"
    );
    let ccc = notes.iter().find(|n| n["revision"] == "ccc").expect("ccc");
    assert!(
        codes(ccc).contains(&"orm-data-migration".to_owned()),
        "{ccc}"
    );
    let (_, report) = markdown(&repo, &["main", "feature"]);
    let notes = section(&report, "Important Notes");
    assert!(
        notes.contains("`downgrade()` cannot run: `batch_op.drop_constraint('n', 't', type_='unique')` gives `type_` twice"),
        "{notes}"
    );
    assert!(
        notes.contains("data migration through the ORM: opens `Session(bind=op.get_bind())`, then sets `code` on each row of `session.query(User).filter(User.code == None)`"),
        "{notes}"
    );
    assert!(report.contains("the downgrade of `bbb` raises"), "{report}");
}

/// HEAD the working tree is named by its branch, with
/// "with uncommitted changes" only when there are any; a HEAD named by its
/// full commit id is shown with 12 characters after the first mention.
#[test]
fn the_working_tree_is_named_by_its_branch_and_commit_ids_are_shortened() {
    let repo = GitProject::new();
    repo.branch("feature", "main");
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.commit("feature");
    let (_, report) = markdown(&repo, &["main"]);
    let generated = report
        .lines()
        .find(|l| l.starts_with("Generated on "))
        .unwrap_or_else(|| panic!("{report}"));
    assert!(
        generated.ends_with("and `feature` (working tree)."),
        "{generated}"
    );
    assert!(
        report.contains("### `feature` (head, working tree)\n"),
        "{report}"
    );
    assert!(!report.contains("uncommitted"), "{report}");
    assert!(
        report.contains("**Migration head on `feature` (working tree) correctly extends"),
        "{report}"
    );
    repo.migration("ccc", Some("bbb"), "ccc_uncommitted.py");
    let (_, report) = markdown(&repo, &["main"]);
    assert!(
        report.contains("and `feature` (working tree, with uncommitted changes)."),
        "{report}"
    );
    assert!(
        report.contains(
            "When `feature` (working tree, with uncommitted changes) is merged into `main`"
        ),
        "{report}"
    );
    let (_, json) = repo.json(&[]);
    assert_eq!(
        json["heads"][0]["ref"],
        "feature (working tree, with uncommitted changes)"
    );

    let sha = repo.git(&["rev-parse", "feature"]);
    let (_, report) = markdown(&repo, &["main", &sha]);
    assert_eq!(report.matches(sha.as_str()).count(), 1, "{report}");
    assert!(
        report.contains(&format!("`{}` (commit `{sha}`)", &sha[..12])),
        "{report}"
    );
    assert!(
        report.contains(&format!("### `{}` (head)\n", &sha[..12])),
        "{report}"
    );
}

/// The body of the report's Mermaid block.
fn mermaid(report: &str) -> &str {
    let start = report.find("```mermaid\n").expect("a mermaid block") + 11;
    let end = report[start..].find("```").expect("its end");
    &report[start..start + end]
}

/// The Mermaid node name (`r3`) of the node whose label starts with
/// `label`.
fn node<'a>(graph: &'a str, label: &str) -> &'a str {
    graph
        .lines()
        .find_map(|line| {
            let (name, rest) = line.trim().split_once("[\"")?;
            rest.starts_with(label).then_some(name)
        })
        .unwrap_or_else(|| panic!("no node {label} in:\n{graph}"))
}

/// An edge goes from the file a revision was written
/// against (main's `hhh` on main's copy of the duplicated id), says which
/// copy Alembic resolves the id to; and the root, drawn apart, is joined to
/// "… earlier revisions".
#[test]
fn mermaid_edges_follow_the_file_written_against_and_the_root_is_joined() {
    let repo = duplicate_below_bases_head();
    let (_, report) = markdown(&repo, &["main", "feature"]);
    let graph = mermaid(&report);
    let hhh = node(graph, "hhh");
    let code = node(graph, "a1b2c3d4e5f6<br/>add code");
    let email = node(graph, "a1b2c3d4e5f6<br/>add email");
    assert!(
        graph.contains(&format!("  {code} -->|\"written against this copy")),
        "{graph}"
    );
    assert!(
        !graph.contains(&format!("  {email} --> {hhh}\n")),
        "{graph}"
    );
    let edge_to_hhh: Vec<&str> = graph
        .lines()
        .filter(|line| line.trim_end().ends_with(&format!("| {hhh}")))
        .collect();
    assert!(
        edge_to_hhh
            .iter()
            .any(|line| line.contains("Alembic resolves the id")),
        "{graph}"
    );

    // A branch started at the root, behind a long main.
    let repo = GitProject::new();
    let mut parent = "aaa".to_owned();
    for n in 1..=8 {
        let id = format!("b{n}");
        repo.migration(&id, Some(&parent), &format!("{id}.py"));
        parent = id;
    }
    repo.migration("hhh", Some(&parent), "hhh.py");
    repo.commit("main");
    repo.branch("feature", "main");
    repo.migration("nnn", Some("aaa"), "nnn_on_root.py");
    repo.commit("feature on the root");
    let (_, report) = markdown(&repo, &["main", "feature"]);
    let graph = mermaid(&report);
    let root = node(graph, "aaa");
    assert!(
        graph.contains(&format!("  {root} --> earlier\n")),
        "{graph}"
    );
}

/// `-C DIR` runs as if started in DIR, as `git -C` does: the same report
/// from outside the repository, with `-c` read relative to DIR, and its
/// commands runnable from where the user is; a directory that does not
/// exist is a usage error naming it.
#[test]
fn dash_c_runs_the_report_as_if_started_in_the_directory() {
    let repo = GitProject::new();
    repo.branch("feat", "main");
    repo.migration("bbb", Some("aaa"), "bbb_feat.py");
    repo.commit("feat");
    let (code, inside, _) = repo.run(&["report", "main", "feat", "-c", "alembic.ini"]);
    assert_eq!(code, 0, "{inside}");
    let outside = tempfile::tempdir().unwrap();
    let dir = repo.path.to_str().unwrap();
    let output = alembic_doctor_testkit::hermetic_command(common::BIN, outside.path())
        .args(["-C", dir, "report", "main", "feat", "-c", "alembic.ini"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    // The same report, its commands run from where the user is: `alembic`
    // (which has no `-C`) after a `cd` to DIR.
    let from_outside = String::from_utf8_lossy(&output.stdout).into_owned();
    let cd = format!("cd {dir} && alembic -c alembic.ini upgrade head");
    assert!(from_outside.contains(&cd), "{from_outside}");
    assert_eq!(from_outside.replace(&format!("cd {dir} && "), ""), inside);
    let output = alembic_doctor_testkit::hermetic_command(common::BIN, outside.path())
        .args(["-C", "no-such-dir", "report", "main", "feat"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot run in no-such-dir (given with -C)"),
        "{stderr}"
    );
}

/// Problems Found lists errors before warnings, whatever file each is in:
/// a stale header in `bbb_...` (a warning) comes after the duplicate id in
/// `zzz_...` (an error).
#[test]
fn problems_are_listed_errors_first() {
    let repo = GitProject::new();
    repo.branch("feat", "main");
    repo.write(
        "migrations/versions/bbb_stale_header.py",
        "\"\"\"stale header\n\nRevision ID: bbb\nRevises: xxx\n\"\"\"\nrevision = 'bbb'\ndown_revision = 'aaa'\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n",
    );
    repo.migration("zzz", Some("bbb"), "zzz_one.py");
    repo.migration("zzz", Some("bbb"), "zzz_two.py");
    repo.commit("feat");
    let (code, report) = markdown(&repo, &["main", "feat"]);
    assert_eq!(code, 1, "{report}");
    let problems = section(&report, "Problems Found");
    let headings: Vec<&str> = problems.lines().filter(|l| l.starts_with("### ")).collect();
    let first_warning = headings.iter().position(|h| h.starts_with("### ⚠️"));
    let last_error = headings.iter().rposition(|h| h.starts_with("### ❌"));
    assert!(
        first_warning.is_some() && last_error.is_some() && last_error < first_warning,
        "{problems}"
    );
}

/// The report's plan as JSON.
fn plan_of(repo: &GitProject, args: &[&str]) -> serde_json::Value {
    let (_, json) = repo.json_of("report", args);
    json["plan"].clone()
}

/// main's `bbb` names a parent no revision defines (Alembic cannot load
/// main); the branch points it back at `aaa`. Putting main's version back
/// would break the chain again: the plan keeps the edit, and the finding
/// says what it repairs.
#[test]
fn an_edit_that_repairs_the_bases_missing_parent_is_kept() {
    let repo = GitProject::new();
    repo.migration("bbb", Some("gone"), "bbb.py");
    repo.commit("main loses bbb's parent");
    repo.branch("feat", "main");
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.migration("ccc", Some("bbb"), "ccc.py");
    repo.commit("feat repairs it");
    let plan = plan_of(&repo, &["main", "feat"]);
    assert!(
        !plan["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .any(|step| step["kind"] == "restore"),
        "{plan:#}"
    );
    let (_, report) = markdown(&repo, &["main", "feat"]);
    let problems = section(&report, "Problems Found");
    assert!(
        problems.contains("and the change repairs it: `main`'s version has down_revision `gone`, which no revision of `main` defines"),
        "{problems}"
    );
    assert!(problems.contains("keep the repair"), "{problems}");
    assert!(!report.contains("git checkout main --"), "{report}");
}

/// main's chain cannot be loaded (its root names a parent no revision
/// defines) and the branch forks: `fix rebase`/`fix merge` refuse such a
/// chain, so the plan is one manual step naming main's problem, and the
/// branch's fork is planned once main loads.
#[test]
fn a_base_alembic_cannot_load_stops_the_plan_at_a_manual_step() {
    let repo = GitProject::new();
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.commit("main");
    repo.branch("feat", "main");
    repo.migration("ddd", Some("aaa"), "ddd.py");
    repo.commit("feat forks below main's head");
    repo.checkout("main");
    repo.migration("aaa", Some("gone"), "aaa_init.py");
    repo.commit("main loses its root's parent");
    let plan = plan_of(&repo, &["main", "feat"]);
    assert_eq!(plan["blocked"], true, "{plan:#}");
    let steps = plan["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 1, "{plan:#}");
    assert_eq!(steps[0]["kind"], "manual");
    let summary = steps[0]["summary"].as_str().expect("summary");
    assert!(
        summary.contains("`missing-parent`") && summary.contains("`gone`"),
        "{summary}"
    );
    let (_, report) = markdown(&repo, &["main", "feat"]);
    // No command that would fail is offered for the branch's fork.
    let problems = section(&report, "Problems Found");
    assert!(!problems.contains("fix rebase ddd"), "{problems}");
    assert!(
        problems.contains("after step 1 of the plan under Recommendations"),
        "{problems}"
    );
    assert!(
        report.contains("**Then run this report again:** its plan will fix `multiple-heads`"),
        "{report}"
    );
}

/// A branch that only lags behind main adds nothing: it neither extends
/// nor forks main's chain, and the report says so.
#[test]
fn a_branch_behind_the_base_adds_nothing() {
    let repo = GitProject::new();
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.commit("main");
    repo.branch("feat", "main");
    repo.checkout("main");
    repo.migration("ccc", Some("bbb"), "ccc.py");
    repo.commit("main moves on");
    let (code, report) = markdown(&repo, &["main", "feat"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        report.contains("✅ **`feat` adds no migration to `main`'s chain**"),
        "{report}"
    );
    assert!(!report.contains("correctly extends"), "{report}");
    assert!(
        report.contains("behind the base's head, adds no revisions"),
        "{report}"
    );
    assert!(
        report
            .contains("its head is below the base's, because it lacks the base's later revisions"),
        "{report}"
    );
}

/// main has no root (its first revision names a parent no revision
/// defines); a branch that adds on main's head is unreachable only
/// because main is: that is main's problem, not the branch's.
#[test]
fn a_base_without_a_root_is_not_blamed_on_the_branch() {
    let repo = GitProject::new();
    repo.migration("aaa", Some("gone"), "aaa_init.py");
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.commit("main without a root");
    repo.branch("feat", "main");
    repo.migration("ccc", Some("bbb"), "ccc.py");
    repo.commit("feat on main's head");
    let (code, report) = markdown(&repo, &["main", "feat"]);
    assert_eq!(code, 0, "{report}");
    let orphans = checklist_line(&report, "No orphaned or unreachable revisions");
    assert!(orphans.starts_with("- ☑️"), "{orphans}");
    // The statistics count main's error apart, as the status lines do.
    let statistics = section(&report, "Migration Statistics");
    assert!(statistics.contains("0 (+1 on main)"), "{statistics}");
}

/// What the merge brings is listed first and in full; what main already
/// has follows, one line each, however many there are.
#[test]
fn problems_found_lists_the_merges_findings_before_the_bases() {
    let repo = GitProject::new();
    // Many stale headers on main.
    for i in 0..25 {
        let id = format!("m{i:02}");
        let parent = if i == 0 {
            "aaa".to_owned()
        } else {
            format!("m{:02}", i - 1)
        };
        repo.write(
            &format!("migrations/versions/{id}.py"),
            &format!(
                "\"\"\"{id}\n\nRevises: nothing\n\"\"\"\nrevision = '{id}'\ndown_revision = '{parent}'\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
            ),
        );
    }
    repo.commit("main with stale headers");
    repo.branch("feat", "main");
    repo.migration("new1", Some("m23"), "new1.py");
    repo.commit("feat forks below main's head");
    let (code, report) = markdown(&repo, &["main", "feat"]);
    assert_eq!(code, 1, "{report}");
    let problems = section(&report, "Problems Found");
    let heads = problems.find("multiple-heads").expect("the fork is listed");
    let stale = problems
        .find("header-mismatch")
        .expect("main's headers are listed");
    assert!(heads < stale, "{problems}");
    assert!(
        problems.contains("25 findings already on `main`, not brought by this branch"),
        "{problems}"
    );
    assert!(
        !problems.contains("more findings this merge brings"),
        "{problems}"
    );
}

/// A branch that starts a second, unlabelled history (a root of its own,
/// as a squash or its revert does) is not re-parented onto main's head:
/// its schema would be created twice. Only a person can decide.
#[test]
fn a_new_unlabelled_root_is_not_re_parented() {
    let repo = GitProject::new();
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.commit("main");
    repo.branch("feat", "main");
    repo.migration("zzz", None, "zzz.py");
    repo.migration("zz2", Some("zzz"), "zz2.py");
    repo.commit("feat starts a history of its own");
    let plan = plan_of(&repo, &["main", "feat"]);
    let steps = plan["steps"].as_array().expect("steps");
    assert!(
        steps.iter().all(|step| step["kind"] != "rebase"),
        "{plan:#}"
    );
    let manual = steps
        .iter()
        .find(|step| step["kind"] == "manual")
        .unwrap_or_else(|| panic!("no manual step: {plan:#}"));
    assert!(
        manual["summary"]
            .as_str()
            .is_some_and(|s| s.contains("`zzz`") && s.contains("has no down_revision")),
        "{plan:#}"
    );
}

/// An edited revision of main is linted for what the edit brings: the
/// hazards main's version already had are history, not the branch's.
#[test]
fn an_edited_revision_is_linted_for_what_the_edit_brings() {
    let repo = GitProject::new();
    let revision = |extra: &str| {
        format!(
            "\"\"\"bbb\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = 'bbb'\ndown_revision = 'aaa'\n\n\ndef upgrade():\n    op.create_index('ix_users_email', 'users', ['email'])\n{extra}\n\ndef downgrade():\n    op.drop_index('ix_users_email', 'users')\n"
        )
    };
    repo.write("migrations/versions/bbb.py", &revision(""));
    repo.commit("main indexes users");
    repo.branch("feat", "main");
    repo.write(
        "migrations/versions/bbb.py",
        &revision("    op.add_column('users', sa.Column('age', sa.Integer(), nullable=False))\n"),
    );
    repo.commit("feat edits bbb");
    let (_, json) = repo.json_of("report", &["main", "feat", "--dialect", "postgresql"]);
    let rules: Vec<String> = json["merged"]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str().map(str::to_owned))
        .collect();
    assert!(
        !rules
            .iter()
            .any(|rule| rule == "create-index-not-concurrently"),
        "main's own index build is not the edit's: {rules:?}"
    );
    assert!(
        rules
            .iter()
            .any(|rule| rule == "add-column-not-null-without-default"),
        "the edit's new column is: {rules:?}"
    );
}

/// main already declares an id twice; a branch that adds on main's head
/// brings nothing to fix, so no plan: the advice not to upgrade yet points
/// at the findings, not at a plan that is not there.
#[test]
fn without_a_plan_the_advice_does_not_point_at_one() {
    let repo = GitProject::new();
    repo.migration("bbb", Some("aaa"), "bbb_one.py");
    repo.migration("bbb", Some("aaa"), "bbb_two.py");
    repo.commit("main declares bbb twice");
    repo.branch("feat", "main");
    repo.migration("ccc", Some("bbb"), "ccc.py");
    repo.commit("feat");
    let plan = plan_of(&repo, &["main", "feat"]);
    assert_eq!(plan["steps"], serde_json::json!([]), "{plan:#}");
    let (_, report) = markdown(&repo, &["main", "feat"]);
    assert!(!report.contains("follow the plan above"), "{report}");
    assert!(
        report.contains("**Fix the merged chain first**"),
        "{report}"
    );
}

/// Under `-C DIR`, every command of the plan runs from where the user is:
/// `alembic-doctor -C DIR ...`, `git -C DIR ...` (paths are DIR's).
#[test]
fn the_plan_under_dash_big_c_runs_from_where_the_user_is() {
    let repo = GitProject::new();
    repo.branch("feat", "main");
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.commit("feat");
    repo.checkout("main");
    repo.migration("ccc", Some("aaa"), "ccc.py");
    repo.commit("main moves on");
    let outside = tempfile::tempdir().unwrap();
    let dir = repo.path.to_str().unwrap();
    let output = alembic_doctor_testkit::hermetic_command(common::BIN, outside.path())
        .args(["-C", dir, "report", "main", "feat", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let commands: Vec<&str> = json["plan"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .flat_map(|step| step["commands"].as_array().into_iter().flatten())
        .filter_map(serde_json::Value::as_str)
        .collect();
    assert!(!commands.is_empty(), "{json:#}");
    for command in &commands {
        assert!(
            command.starts_with(&format!("alembic-doctor -C {dir} "))
                || command.starts_with(&format!("git -C {dir} ")),
            "{command}"
        );
    }
    // Run as printed, from outside: the chain ends with one head.
    repo.checkout("feat");
    for command in &commands {
        let words = shlex::split(command).expect("a shell command");
        let program = if words[0] == "git" {
            "git"
        } else {
            common::BIN
        };
        let status = alembic_doctor_testkit::hermetic_command(program, outside.path())
            .args(&words[1..])
            .status()
            .unwrap();
        assert!(status.success(), "{command}");
    }
}

/// Expand/contract branches: a pull request that adds to `contract` only,
/// forked before main added to `expand`, is behind on `expand` and extends
/// `contract`: it extends main's heads, with no warning.
#[test]
fn a_branch_behind_on_one_labelled_branch_extends_the_other() {
    let repo = GitProject::new();
    let labelled = |id: &str, down: &str, label: &str| {
        repo.write(
            &format!("migrations/versions/{id}.py"),
            &format!(
                "\"\"\"{id}\"\"\"\nrevision = '{id}'\ndown_revision = '{down}'\nbranch_labels = ('{label}',)\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
            ),
        );
    };
    labelled("exp1", "aaa", "expand");
    labelled("con1", "aaa", "contract");
    repo.commit("expand and contract");
    repo.branch("feat", "main");
    repo.migration("con2", Some("con1"), "con2.py");
    repo.commit("feat adds to contract");
    repo.checkout("main");
    repo.migration("exp2", Some("exp1"), "exp2.py");
    repo.commit("main adds to expand");
    let (code, report) = markdown(&repo, &["main", "feat"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        report.contains("✅ **Migration head on `feat` correctly extends `main`'s heads**"),
        "{report}"
    );
    assert!(report.contains("`exp1` is below them"), "{report}");
    assert!(
        checklist_line(&report, "Extends the base's heads").starts_with("- ✅"),
        "{report}"
    );
}

/// The branch's first revision has a stale `Revises:` line and must be
/// re-parented: `fix rebase` rewrites that line, so the header finding
/// points at the plan's step instead of advising a hand edit that the
/// step would undo (or that would name the old parent).
#[test]
fn a_stale_header_the_plans_rebase_rewrites_points_at_the_step() {
    let repo = GitProject::new();
    repo.branch("feat", "main");
    repo.write(
        "migrations/versions/bbb.py",
        "\"\"\"bbb\n\nRevises: zzz\n\"\"\"\nrevision = 'bbb'\ndown_revision = 'aaa'\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n",
    );
    repo.commit("feat, with a stale header");
    repo.checkout("main");
    repo.migration("ccc", Some("aaa"), "ccc.py");
    repo.commit("main moves on");
    let (_, report) = markdown(&repo, &["main", "feat"]);
    let problems = section(&report, "Problems Found");
    let header = &problems[problems
        .find("`header-mismatch`")
        .expect("the stale header")..];
    assert!(
        header.contains("**Fix:** step 2 of the plan under Recommendations")
            && header.contains("fix rebase bbb --onto ccc"),
        "{problems}"
    );
    let recommendations = section(&report, "Recommendations");
    assert!(
        !recommendations.contains("Fix `header-mismatch`"),
        "{recommendations}"
    );
}

/// Two pull requests, both on `aaa` while main's head is `bbb`: the first
/// one merged forks main's chain itself. Its own report plans that; this
/// one says so, as its only step, instead of commands that leave a fork.
#[test]
fn a_head_merged_first_that_forks_the_base_is_fixed_first() {
    let repo = GitProject::new();
    repo.branch("first", "main");
    repo.migration("ccc", Some("aaa"), "ccc.py");
    repo.commit("first");
    repo.branch("second", "main");
    repo.migration("ddd", Some("aaa"), "ddd.py");
    repo.commit("second");
    repo.checkout("main");
    repo.migration("bbb", Some("aaa"), "bbb.py");
    repo.commit("main moves on");
    let plan = plan_of(&repo, &["main", "first", "second"]);
    let steps = plan["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 1, "{plan:#}");
    let summary = steps[0]["summary"].as_str().expect("summary");
    assert!(
        steps[0]["kind"] == "manual"
            && summary.contains("`first`, merged first, forks `main`'s chain itself")
            && summary.contains("`alembic-doctor report main first`"),
        "{plan:#}"
    );
    let (_, report) = markdown(&repo, &["main", "first", "second"]);
    assert!(!report.contains("fix rebase"), "{report}");
    // The report it names plans `first`'s own fork, and following that plan
    // (then merging `first`) leaves main with one head.
    let command = summary
        .split('`')
        .find(|span| span.starts_with("alembic-doctor report "))
        .expect("the report to run");
    let words: Vec<&str> = command.split_whitespace().skip(1).collect();
    let (_, json) = repo.json_of(words[0], &words[1..]);
    let steps = json["plan"]["steps"].as_array().expect("steps").clone();
    assert!(steps.iter().any(|s| s["kind"] == "rebase"), "{json:#}");
    repo.checkout("first");
    for step in &steps {
        for command in step["commands"].as_array().into_iter().flatten() {
            let words = shlex::split(command.as_str().unwrap()).unwrap();
            let output = if words[0] == "git" {
                repo.command("git").args(&words[1..]).output().unwrap()
            } else {
                repo.command(common::BIN)
                    .args(&words[1..])
                    .output()
                    .unwrap()
            };
            assert!(output.status.success(), "{command}: {output:?}");
        }
    }
    repo.commit("first, fixed");
    repo.checkout("main");
    repo.git(&["merge", "-q", "--no-edit", "first"]);
    let (code, json) = repo.json_of("check", &["--no-lint"]);
    assert_eq!(code, 0, "{json:#}");
}
