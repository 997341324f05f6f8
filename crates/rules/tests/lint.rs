//! The safety lints on small generated histories: one test per rule with a
//! firing and a non-firing case, snapshot-tested, plus the replay and
//! suppression behaviour.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use alembic_doctor_project::{LoadRequest, Project};
use alembic_doctor_rules::{Dialect, Environment, LintScope, LintSettings, lint};

/// One revision of a linear history: its upgrade and downgrade bodies
/// (indented by four spaces by the harness), and module-level code written
/// before `def upgrade()` (helper functions, constants).
struct Rev<'a> {
    module: &'a str,
    upgrade: &'a str,
    downgrade: &'a str,
}

const fn rev<'a>(upgrade: &'a str, downgrade: &'a str) -> Rev<'a> {
    Rev {
        module: "",
        upgrade,
        downgrade,
    }
}

/// A revision with module-level code (helpers) before `def upgrade()`.
const fn rev_with<'a>(module: &'a str, upgrade: &'a str, downgrade: &'a str) -> Rev<'a> {
    Rev {
        module,
        upgrade,
        downgrade,
    }
}

/// A history whose first revision creates the tables the tests alter.
const BASE: Rev<'static> = rev(
    "op.create_table('user', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('email', sa.String(100)), sa.Column('nick', sa.String(50)), sa.Column('status', sa.String(20)))\n\
     op.create_table('account', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('user_id', sa.Integer()))",
    "op.drop_table('account')\nop.drop_table('user')",
);

fn indent(body: &str) -> String {
    let mut out = String::new();
    for line in body.lines() {
        let _ = writeln!(out, "    {line}");
    }
    out
}

fn project(dir: &Path, revs: &[Rev<'_>]) -> Project {
    for (i, rev) in revs.iter().enumerate() {
        let down = if i == 0 {
            "None".to_owned()
        } else {
            format!("'r{}'", i - 1)
        };
        let module = if rev.module.is_empty() {
            String::new()
        } else {
            format!("{}\n\n", rev.module)
        };
        let source = format!(
            "\"\"\"revision {i}\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = 'r{i}'\ndown_revision = {down}\n\n\n{module}def upgrade():\n{}\n\ndef downgrade():\n{}",
            indent(rev.upgrade),
            indent(rev.downgrade)
        );
        std::fs::write(dir.join(format!("r{i}_rev.py")), source).unwrap();
    }
    alembic_doctor_project::load(&LoadRequest {
        cwd: dir.to_path_buf(),
        config_files: Vec::new(),
        section: "alembic".to_owned(),
        env_config: None,
        versions: vec![dir.to_path_buf()],
        recursive: false,
        display_root: None,
    })
    .expect("project loads")
}

/// Lint the last `new` revisions of `revs` (the rest is history) and print
/// one line per finding.
fn run_with(
    revs: &[Rev<'_>],
    new: usize,
    settings: &LintSettings,
    environment: &Environment,
) -> String {
    lines(revs, new, settings, environment, false)
}

/// As [`run_with`], with each finding's help on the line after it.
fn lines(
    revs: &[Rev<'_>],
    new: usize,
    settings: &LintSettings,
    environment: &Environment,
    with_help: bool,
) -> String {
    let dir = tempfile::tempdir().unwrap();
    let project = project(dir.path(), revs);
    let ids: BTreeSet<String> = (revs.len() - new..revs.len())
        .map(|i| format!("r{i}"))
        .collect();
    let findings = lint(&project, settings, &LintScope::Revisions(ids), environment);
    let mut out = String::new();
    for finding in &findings {
        // Every help text is filled in: a `{column}` left over from a
        // string that was meant to be formatted is a bug users see.
        // (Names known only at run time print as `{expr}`, so only the
        // placeholders the rules' own code uses are looked for.)
        if let Some(help) = &finding.help {
            for placeholder in ["{column}", "{table}", "{name}", "{index}", "{id}"] {
                assert!(
                    !help.contains(placeholder),
                    "unfilled placeholder in help: {help}"
                );
            }
        }
        let location = finding.location.expect("lint findings have a location");
        let file = &project.files[location.file];
        let line = file.line_index().line_of(location.span.start) + 1;
        let _ = writeln!(
            out,
            "{} {}:{line}: {}",
            finding.rule,
            finding.revision.as_deref().unwrap_or("-"),
            finding.message
        );
        if with_help && let Some(help) = &finding.help {
            let _ = writeln!(out, "  help: {help}");
        }
    }
    if out.is_empty() {
        out.push_str("(no findings)\n");
    }
    out
}

/// PostgreSQL, with a lock timeout set in env.py so that
/// `missing-lock-timeout` (tested on its own) does not repeat everywhere.
fn run(revs: &[Rev<'_>], new: usize) -> String {
    run_with(
        revs,
        new,
        &LintSettings::default(),
        &Environment {
            env_sets_lock_timeout: true,
        },
    )
}

fn mysql() -> LintSettings {
    LintSettings {
        dialect: Dialect::MySql,
        ..LintSettings::default()
    }
}

/// Firing and non-firing cases of one rule, in one snapshot.
fn cases(cases: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (name, output) in cases {
        let _ = write!(out, "## {name}\n{output}");
    }
    out
}

const DROP_NICK: &str = "op.drop_column('user', 'nick')";

#[test]
fn add_column_not_null_without_default() {
    insta::assert_snapshot!(cases(&[
        (
            "fires on an existing table",
            run(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('age', sa.Integer(), nullable=False))",
                        "op.drop_column('user', 'age')"
                    )
                ],
                1
            )
        ),
        (
            "quiet with a server default",
            run(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('age', sa.Integer(), nullable=False, server_default='0'))",
                        "op.drop_column('user', 'age')"
                    )
                ],
                1
            )
        ),
        (
            "quiet on a table created by the new revisions",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True))",
                        "op.drop_table('badge')"
                    ),
                    rev(
                        "op.add_column('badge', sa.Column('name', sa.String(), nullable=False))",
                        "op.drop_column('badge', 'name')"
                    )
                ],
                2
            )
        ),
        (
            "fires when the table was created in the history",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True))",
                        "op.drop_table('badge')"
                    ),
                    rev(
                        "op.add_column('badge', sa.Column('name', sa.String(), nullable=False))",
                        "op.drop_column('badge', 'name')"
                    )
                ],
                1
            )
        ),
    ]));
}

#[test]
fn volatile_default() {
    insta::assert_snapshot!(cases(&[
        (
            "fires on gen_random_uuid()",
            run(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('token', sa.String(), server_default=sa.text('gen_random_uuid()')))",
                        "op.drop_column('user', 'token')"
                    )
                ],
                1
            )
        ),
        (
            "quiet on a constant",
            run(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('plan', sa.String(), server_default='free'))",
                        "op.drop_column('user', 'plan')"
                    )
                ],
                1
            )
        ),
        (
            "fires on any default before PostgreSQL 11",
            run_with(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('plan', sa.String(), server_default='free'))",
                        "op.drop_column('user', 'plan')"
                    )
                ],
                1,
                &LintSettings {
                    postgres_version: 10,
                    ..LintSettings::default()
                },
                &Environment::default()
            )
        ),
    ]));
}

#[test]
fn set_not_null_and_not_null_without_backfill() {
    insta::assert_snapshot!(cases(&[
        (
            "set-not-null on an existing column",
            run(
                &[
                    BASE,
                    rev(
                        "op.alter_column('user', 'email', existing_type=sa.String(100), nullable=False)",
                        "op.alter_column('user', 'email', nullable=True)"
                    )
                ],
                1
            )
        ),
        (
            "added nullable, then NOT NULL without a backfill",
            run(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('code', sa.String()))",
                        "op.drop_column('user', 'code')"
                    ),
                    rev(
                        "op.alter_column('user', 'code', nullable=False)",
                        "op.alter_column('user', 'code', nullable=True)"
                    )
                ],
                2
            )
        ),
        (
            "added, backfilled, then NOT NULL across three revisions",
            run(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('code', sa.String()))",
                        "op.drop_column('user', 'code')"
                    ),
                    rev("op.execute(\"UPDATE \\\"user\\\" SET code = 'x'\")", "pass"),
                    rev(
                        "op.alter_column('user', 'code', nullable=False)",
                        "op.alter_column('user', 'code', nullable=True)"
                    )
                ],
                3
            )
        ),
        (
            "added with a server default, then NOT NULL",
            run(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('code', sa.String(), server_default='x'))",
                        "op.drop_column('user', 'code')"
                    ),
                    rev(
                        "op.alter_column('user', 'code', nullable=False)",
                        "op.alter_column('user', 'code', nullable=True)"
                    )
                ],
                2
            )
        ),
    ]));
}

#[test]
fn indexes() {
    const CONCURRENT: &str = "with op.get_context().autocommit_block():\n    op.create_index('ix_user_email', 'user', ['email'], postgresql_concurrently=True)";
    insta::assert_snapshot!(cases(&[
        (
            "plain index on an existing table",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_index('ix_user_email', 'user', ['email'])",
                        "op.drop_index('ix_user_email', table_name='user')"
                    )
                ],
                1
            )
        ),
        (
            "concurrently in an autocommit block",
            run(
                &[
                    BASE,
                    rev(
                        CONCURRENT,
                        "with op.get_context().autocommit_block():\n    op.drop_index('ix_user_email', table_name='user', postgresql_concurrently=True)"
                    )
                ],
                1
            )
        ),
        (
            "concurrently inside the transaction",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_index('ix_user_email', 'user', ['email'], postgresql_concurrently=True)",
                        "op.drop_index('ix_user_email', table_name='user')"
                    )
                ],
                1
            )
        ),
        (
            "index=True on an added column",
            run(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('code', sa.String(), index=True))",
                        "op.drop_column('user', 'code')"
                    )
                ],
                1
            )
        ),
        (
            "index on a new table",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True))\nop.create_index('ix_badge_id', 'badge', ['id'])",
                        "op.drop_table('badge')"
                    )
                ],
                1
            )
        ),
        (
            "not a PostgreSQL project",
            run_with(
                &[
                    BASE,
                    rev(
                        "op.create_index('ix_user_email', 'user', ['email'])",
                        "op.drop_index('ix_user_email', table_name='user')"
                    )
                ],
                1,
                &LintSettings {
                    dialect: Dialect::Sqlite,
                    ..LintSettings::default()
                },
                &Environment::default()
            )
        ),
    ]));
}

#[test]
fn constraints() {
    insta::assert_snapshot!(cases(&[
        (
            "foreign key validated at once",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_foreign_key('fk_account_user', 'account', 'user', ['user_id'], ['id'])",
                        "op.drop_constraint('fk_account_user', 'account', type_='foreignkey')"
                    )
                ],
                1
            )
        ),
        (
            "foreign key NOT VALID",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_foreign_key('fk_account_user', 'account', 'user', ['user_id'], ['id'], postgresql_not_valid=True)",
                        "op.drop_constraint('fk_account_user', 'account', type_='foreignkey')"
                    )
                ],
                1
            )
        ),
        (
            "check constraint",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_check_constraint('ck_status', 'user', \"status IN ('a', 'b')\")",
                        "op.drop_constraint('ck_status', 'user')"
                    )
                ],
                1
            )
        ),
        (
            "unique constraint",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_unique_constraint('uq_user_email', 'user', ['email'])",
                        "op.drop_constraint('uq_user_email', 'user')"
                    )
                ],
                1
            )
        ),
        (
            "constraints on a new table",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('user_id', sa.Integer()))\nop.create_foreign_key('fk_badge_user', 'badge', 'user', ['user_id'], ['id'])\nop.create_unique_constraint('uq_badge', 'badge', ['user_id'])",
                        "op.drop_table('badge')"
                    )
                ],
                1
            )
        ),
    ]));
}

#[test]
fn type_changes_renames_and_drops() {
    insta::assert_snapshot!(cases(&[
        (
            "type change",
            run(
                &[
                    BASE,
                    rev(
                        "op.alter_column('user', 'status', existing_type=sa.String(20), type_=sa.Integer())",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "safe widening",
            run(
                &[
                    BASE,
                    rev(
                        "op.alter_column('user', 'status', existing_type=sa.String(20), type_=sa.String(50))\nop.alter_column('user', 'nick', existing_type=sa.String(50), type_=sa.Text())",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "renames",
            run(
                &[
                    BASE,
                    rev(
                        "op.rename_table('account', 'accounts')\nop.alter_column('user', 'nick', new_column_name='handle')",
                        "op.alter_column('user', 'handle', new_column_name='nick')\nop.rename_table('accounts', 'account')"
                    )
                ],
                1
            )
        ),
        (
            "drops",
            run(
                &[
                    BASE,
                    rev(
                        "op.drop_table('account')\nop.drop_column('user', 'nick')",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "drops of what the new revisions created",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_table('tmp', sa.Column('id', sa.Integer()))\nop.drop_table('tmp')",
                        "pass"
                    )
                ],
                1
            )
        ),
    ]));
}

#[test]
fn batch_mode_and_mysql() {
    insta::assert_snapshot!(cases(&[
        (
            "recreate=always on PostgreSQL",
            run(
                &[
                    BASE,
                    rev(
                        "with op.batch_alter_table('user', recreate='always') as batch_op:\n    batch_op.drop_column('nick')\n    batch_op.drop_column('status')",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "recreate=auto",
            run(
                &[
                    BASE,
                    rev(
                        "with op.batch_alter_table('user') as batch_op:\n    batch_op.alter_column('nick', existing_type=sa.String(50), type_=sa.String(80))",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "several DDL statements on MySQL",
            run_with(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('a', sa.Integer()))\nop.add_column('user', sa.Column('b', sa.Integer()))",
                        "op.drop_column('user', 'b')\nop.drop_column('user', 'a')"
                    )
                ],
                1,
                &mysql(),
                &Environment {
                    env_sets_lock_timeout: true
                }
            )
        ),
        (
            "one DDL statement on MySQL",
            run_with(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('a', sa.Integer()))",
                        "op.drop_column('user', 'a')"
                    )
                ],
                1,
                &mysql(),
                &Environment {
                    env_sets_lock_timeout: true
                }
            )
        ),
    ]));
}

#[test]
fn lock_timeout() {
    insta::assert_snapshot!(cases(&[
        (
            "DDL on an existing table without a timeout",
            run_with(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('a', sa.Integer()))",
                        "op.drop_column('user', 'a')"
                    )
                ],
                1,
                &LintSettings::default(),
                &Environment {
                    env_sets_lock_timeout: false
                }
            )
        ),
        (
            "env.py sets one",
            run_with(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('a', sa.Integer()))",
                        "op.drop_column('user', 'a')"
                    )
                ],
                1,
                &LintSettings::default(),
                &Environment::from_env_py(
                    b"connection.exec_driver_sql(\"SET lock_timeout = '5s'\")\n"
                )
            )
        ),
        (
            "only new tables",
            run_with(
                &[
                    BASE,
                    rev(
                        "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True))",
                        "op.drop_table('badge')"
                    )
                ],
                1,
                &LintSettings::default(),
                &Environment::default()
            )
        ),
    ]));
}

#[test]
fn downgrades() {
    insta::assert_snapshot!(cases(&[
        (
            "empty downgrade",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True))",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "incomplete downgrade",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True))\nop.add_column('user', sa.Column('a', sa.Integer()))\nop.create_index('ix_user_a', 'user', ['a'])",
                        "op.drop_table('badge')"
                    )
                ],
                1
            )
        ),
        (
            "complete downgrade",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True))\nop.add_column('user', sa.Column('a', sa.Integer()))",
                        "op.drop_column('user', 'a')\nop.drop_table('badge')"
                    )
                ],
                1
            )
        ),
        (
            "irreversible on purpose",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True))",
                        "raise NotImplementedError('irreversible')"
                    )
                ],
                1
            )
        ),
    ]));
}

/// Only a drop *after* a create takes it away again (the temporary table,
/// column or index of a backfill); one before it (a table dropped and
/// created anew) leaves the new one for the downgrade to drop. The same
/// holds for a column dropped before its table goes.
#[test]
fn only_later_drops_undo_what_the_upgrade_creates() {
    let downgrade = "op.drop_column('user', 'email')";
    let created_then_dropped = [
        "op.create_table('tmp', sa.Column('id', sa.Integer()))\nop.drop_table('tmp')",
        "op.add_column('user', sa.Column('tmp', sa.Integer()))\nop.drop_column('user', 'tmp')",
        "op.create_index('ix_tmp', 'user', ['nick'])\nop.drop_index('ix_tmp', table_name='user')",
    ];
    for upgrade in created_then_dropped {
        let rules = rules_of(upgrade, downgrade);
        assert!(
            !rules.iter().any(|r| r == "downgrade-incomplete"),
            "{upgrade}: {rules:?}"
        );
    }
    let dropped_then_created = [
        "op.drop_table('account')\nop.create_table('account', sa.Column('id', sa.Integer()))",
        "op.drop_column('user', 'nick')\nop.add_column('user', sa.Column('nick', sa.Integer()))",
    ];
    for upgrade in dropped_then_created {
        let rules = rules_of(upgrade, downgrade);
        assert!(
            rules.iter().any(|r| r == "downgrade-incomplete"),
            "{upgrade}: {rules:?}"
        );
    }
    let rules = rules_of(
        "op.drop_column('account', 'user_id')\nop.drop_table('account')",
        "pass",
    );
    assert!(!rules.iter().any(|r| r == "drop-column"), "{rules:?}");
    assert!(rules.iter().any(|r| r == "drop-table"), "{rules:?}");
}

#[test]
fn suppressions() {
    insta::assert_snapshot!(cases(&[
        (
            "on the line",
            run(
                &[
                    BASE,
                    rev(
                        "op.drop_column('user', 'nick')  # alembic-doctor: ignore[drop-column]",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "on the line above",
            run(
                &[
                    BASE,
                    rev(
                        "# alembic-doctor: ignore[drop-column]\nop.drop_column('user', 'nick')",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "for the file",
            run(
                &[
                    BASE,
                    rev(
                        "# alembic-doctor: ignore-file[drop-column, downgrade-empty]\nop.drop_column('user', 'nick')",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "unused and unknown",
            run(
                &[
                    BASE,
                    rev(
                        "op.drop_column('user', 'nick')  # alembic-doctor: ignore[drop-table, no-such-rule]",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "in a string, not a comment",
            run(
                &[
                    BASE,
                    rev(
                        "op.drop_column('user', 'nick', comment='# alembic-doctor: ignore[drop-column]')",
                        "pass"
                    )
                ],
                1
            )
        ),
    ]));
}

#[test]
fn only_new_revisions_are_linted_by_default() {
    // The history drops a column; only the new revision is linted.
    let history = [
        BASE,
        rev(DROP_NICK, "pass"),
        rev(
            "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True))",
            "op.drop_table('badge')",
        ),
    ];
    insta::assert_snapshot!(run(&history, 1), @"(no findings)");
}

#[test]
fn select_and_ignore() {
    let revs = [BASE, rev(DROP_NICK, "pass")];
    let ignore = LintSettings {
        ignore: [alembic_doctor_rules::Rule::DropColumn].into(),
        ..LintSettings::default()
    };
    let output = run_with(&revs, 1, &ignore, &Environment::default());
    assert!(!output.contains("drop-column"), "{output}");
    assert!(output.contains("downgrade-empty"), "{output}");
}

/// The rules a revision's upgrade triggers, by name.
fn rules_of(upgrade: &str, downgrade: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let project = project(dir.path(), &[BASE, rev(upgrade, downgrade)]);
    let ids = BTreeSet::from(["r1".to_owned()]);
    lint(
        &project,
        &LintSettings::default(),
        &LintScope::Revisions(ids),
        &Environment::default(),
    )
    .iter()
    .map(|finding| finding.rule.name().to_owned())
    .collect()
}

#[test]
fn raw_sql_gets_the_same_findings_as_the_op_call() {
    let pairs = [
        (
            "op.add_column('user', sa.Column('age', sa.Integer(), nullable=False))",
            "op.execute('ALTER TABLE \"user\" ADD COLUMN age INTEGER NOT NULL')",
        ),
        (
            "op.create_index('ix_user_email', 'user', ['email'])",
            "op.execute('CREATE INDEX ix_user_email ON \"user\" (email)')",
        ),
        (
            "op.create_index('ix_user_email', 'user', ['email'], postgresql_concurrently=True)",
            "op.execute('CREATE INDEX CONCURRENTLY ix_user_email ON \"user\" (email)')",
        ),
        (
            "op.drop_index('ix_x', table_name='user')",
            "op.execute('DROP INDEX ix_x')",
        ),
        (
            "op.alter_column('user', 'email', nullable=False)",
            "op.execute('ALTER TABLE \"user\" ALTER COLUMN email SET NOT NULL')",
        ),
        (
            "op.create_foreign_key('fk_a', 'account', 'user', ['user_id'], ['id'])",
            "op.execute('ALTER TABLE account ADD CONSTRAINT fk_a FOREIGN KEY (user_id) REFERENCES \"user\" (id)')",
        ),
        (
            "op.create_check_constraint('ck_s', 'user', 'status IS NOT NULL')",
            "op.execute('ALTER TABLE \"user\" ADD CONSTRAINT ck_s CHECK (status IS NOT NULL)')",
        ),
        (
            "op.create_unique_constraint('uq_e', 'user', ['email'])",
            "op.execute('ALTER TABLE \"user\" ADD CONSTRAINT uq_e UNIQUE (email)')",
        ),
        (
            "op.rename_table('account', 'accounts')",
            "op.execute('ALTER TABLE account RENAME TO accounts')",
        ),
        (
            "op.drop_column('user', 'nick')",
            "op.execute('ALTER TABLE \"user\" DROP COLUMN nick')",
        ),
        (
            "op.drop_table('account')",
            "op.execute('DROP TABLE account')",
        ),
    ];
    for (call, sql) in pairs {
        let by_call = rules_of(call, "pass");
        let by_sql = rules_of(sql, "pass");
        assert!(!by_call.is_empty(), "{call} triggers nothing");
        assert_eq!(by_call, by_sql, "{call}\n{sql}");
    }
}

#[test]
fn raw_sql_specifics() {
    insta::assert_snapshot!(cases(&[
        (
            "a lock timeout set in the revision",
            run_with(
                &[
                    BASE,
                    rev(
                        "op.execute(\"SET LOCAL lock_timeout = '2s'\")\nop.add_column('user', sa.Column('a', sa.Integer()))",
                        "op.drop_column('user', 'a')"
                    )
                ],
                1,
                &LintSettings::default(),
                &Environment::default()
            )
        ),
        (
            "backfill in the DDL transaction",
            run(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('code', sa.String()))\nop.execute(\"UPDATE \\\"user\\\" SET code = 'x'\")",
                        "op.drop_column('user', 'code')"
                    )
                ],
                1
            )
        ),
        (
            // warehouse f46672a776f1, a8ebe73ccaf2: the UPDATE first, then
            // the NOT NULL it prepares.
            "backfill before the DDL, in its transaction",
            run(
                &[
                    BASE,
                    rev(
                        "op.execute(\"UPDATE \\\"user\\\" SET status = '' WHERE status IS NULL\")\nop.alter_column('user', 'status', nullable=False)",
                        "op.alter_column('user', 'status', nullable=True)"
                    )
                ],
                1
            )
        ),
        (
            "backfill of another column does not count",
            run(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('code', sa.String()))",
                        "op.drop_column('user', 'code')"
                    ),
                    rev("op.execute(\"UPDATE \\\"user\\\" SET nick = 'x'\")", "pass"),
                    rev("op.alter_column('user', 'code', nullable=False)", "pass")
                ],
                3
            )
        ),
        (
            "enum value added in the transaction",
            run(
                &[
                    BASE,
                    rev(
                        "op.execute(\"ALTER TYPE status ADD VALUE 'archived'\")",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "enum value added in an autocommit block",
            run(
                &[
                    BASE,
                    rev(
                        "with op.get_context().autocommit_block():\n    op.execute(\"ALTER TYPE status ADD VALUE 'archived'\")",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "the safe unique recipe",
            run(
                &[
                    BASE,
                    rev(
                        "with op.get_context().autocommit_block():\n    op.execute('CREATE UNIQUE INDEX CONCURRENTLY uq_e ON \"user\" (email)')\nop.execute('ALTER TABLE \"user\" ADD CONSTRAINT uq_e UNIQUE USING INDEX uq_e')",
                        "op.drop_constraint('uq_e', 'user')"
                    )
                ],
                1
            )
        ),
        (
            "SQL that cannot be read",
            run(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('code', sa.String()))",
                        "op.drop_column('user', 'code')"
                    ),
                    rev("op.execute('THIS IS NOT SQL')", "pass"),
                    rev("op.alter_column('user', 'code', nullable=False)", "pass")
                ],
                3
            )
        ),
    ]));
}

#[test]
fn more_firing_and_quiet_cases() {
    insta::assert_snapshot!(cases(&[
        (
            "drop index without concurrently",
            run(
                &[
                    BASE,
                    rev(
                        "op.drop_index('ix_user_email', table_name='user')",
                        "op.create_index('ix_user_email', 'user', ['email'])"
                    )
                ],
                1
            )
        ),
        (
            "drop index concurrently in an autocommit block",
            run(
                &[
                    BASE,
                    rev(
                        "with op.get_context().autocommit_block():\n    op.drop_index('ix_user_email', table_name='user', postgresql_concurrently=True)",
                        "op.create_index('ix_user_email', 'user', ['email'])"
                    )
                ],
                1
            )
        ),
        (
            "check constraint NOT VALID",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_check_constraint('ck_s', 'user', 'status IS NOT NULL', postgresql_not_valid=True)",
                        "op.drop_constraint('ck_s', 'user')"
                    )
                ],
                1
            )
        ),
        (
            "check constraint on MySQL, which has no NOT VALID",
            run_with(
                &[
                    BASE,
                    rev(
                        "op.create_check_constraint('ck_s', 'user', 'status IS NOT NULL', postgresql_not_valid=True)",
                        "op.drop_constraint('ck_s', 'user')"
                    )
                ],
                1,
                &mysql(),
                &Environment {
                    env_sets_lock_timeout: true
                }
            )
        ),
        (
            "renames of what the new revisions created",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_table('tmp', sa.Column('id', sa.Integer()), sa.Column('a', sa.Integer()))\nop.rename_table('tmp', 'tmp2')\nop.alter_column('tmp2', 'a', new_column_name='b')",
                        "op.drop_table('tmp2')"
                    )
                ],
                1
            )
        ),
        (
            "a data-only revision",
            run(
                &[
                    BASE,
                    rev(
                        "op.execute(\"UPDATE \\\"user\\\" SET status = 'active'\")",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "a backfill in an autocommit block beside DDL",
            run(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('code', sa.String()))\nwith op.get_context().autocommit_block():\n    op.execute(\"UPDATE \\\"user\\\" SET code = 'x'\")",
                        "op.drop_column('user', 'code')"
                    )
                ],
                1
            )
        ),
        (
            "an expression default on MySQL",
            run_with(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('seen', sa.DateTime(), server_default=sa.text('(now())')))",
                        "op.drop_column('user', 'seen')"
                    )
                ],
                1,
                &mysql(),
                &Environment {
                    env_sets_lock_timeout: true
                }
            )
        ),
        (
            "a constant default on MySQL",
            run_with(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('plan', sa.String(10), server_default='free'))",
                        "op.drop_column('user', 'plan')"
                    )
                ],
                1,
                &mysql(),
                &Environment {
                    env_sets_lock_timeout: true
                }
            )
        ),
    ]));
}

/// False positives seen when linting real projects' histories, reduced to
/// a few lines each (the project and file are named in each case).
#[test]
fn seen_in_real_projects() {
    insta::assert_snapshot!(cases(&[
        (
            // neutron 97c25b0d2353_add_name_desc.py: the helper defined above
            // `upgrade()` fills the column between add and NOT NULL.
            "a helper defined above upgrade() backfills between add and NOT NULL",
            run(
                &[
                    BASE,
                    rev_with(
                        "def fill():\n    session = sa.orm.Session(bind=op.get_bind())\n    for row in session.query(t):\n        session.execute(t.update().values(code='x'))",
                        "op.add_column('user', sa.Column('code', sa.String()))\nfill()\nop.alter_column('user', 'code', nullable=False)",
                        "op.drop_column('user', 'code')"
                    )
                ],
                1
            )
        ),
        (
            // quay 2d66ad598b56 and ba263f9be4a6: MySQL-only steps, linted as
            // PostgreSQL.
            "a branch for another database",
            run(
                &[
                    BASE,
                    rev(
                        "bind = op.get_bind()\nif bind.engine.name == 'mysql':\n    op.alter_column('user', 'email', nullable=False, type_=mysql.MEDIUMTEXT())\n    op.create_foreign_key('fk_a', 'account', 'user', ['user_id'], ['id'])",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "the same branch on its database",
            run_with(
                &[
                    BASE,
                    rev(
                        "bind = op.get_bind()\nif bind.engine.name == 'mysql':\n    op.alter_column('user', 'email', nullable=False, type_=mysql.MEDIUMTEXT())\n    op.create_foreign_key('fk_a', 'account', 'user', ['user_id'], ['id'])",
                        "pass"
                    )
                ],
                1,
                &mysql(),
                &Environment {
                    env_sets_lock_timeout: true
                }
            )
        ),
        (
            "the else of a test for this database, and after an early return on it",
            run(
                &[
                    BASE,
                    rev(
                        "dialect = op.get_context().dialect.name\nif dialect == 'postgresql':\n    op.execute('SELECT 1')\nelse:\n    op.drop_column('user', 'nick')\nif dialect not in ('mysql', 'sqlite'):\n    return\nop.alter_column('user', 'email', type_=sa.Text())",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "after an early return on another database (runs here)",
            run(
                &[
                    BASE,
                    rev(
                        "if op.get_bind().dialect.name == 'sqlite':\n    return\nop.alter_column('user', 'email', type_=sa.Text())",
                        "op.alter_column('user', 'email', type_=sa.String(100))"
                    )
                ],
                1
            )
        ),
        (
            // quay 6c21e2cfb8b6: `nullable=False` repeated beside a type
            // change of a primary key, which is NOT NULL already.
            "NOT NULL repeated on a column that already is",
            run(
                &[
                    BASE,
                    rev(
                        "op.alter_column('user', 'id', nullable=False, type_=sa.BigInteger())",
                        "op.alter_column('user', 'id', nullable=False, type_=sa.Integer())"
                    )
                ],
                1
            )
        ),
        (
            "NOT NULL again after it was dropped",
            run(
                &[
                    BASE,
                    rev("op.alter_column('user', 'id', nullable=True)", "pass"),
                    rev(
                        "op.alter_column('user', 'id', nullable=False)",
                        "op.alter_column('user', 'id', nullable=True)"
                    )
                ],
                1
            )
        ),
        (
            // octavia 543f5d8e4e56 (MySQL): the existing rows get the type's
            // implicit default, nothing fails.
            "NOT NULL column without a default on MySQL",
            run_with(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('busy', sa.Boolean(), nullable=False))",
                        "op.drop_column('user', 'busy')"
                    )
                ],
                1,
                &mysql(),
                &Environment {
                    env_sets_lock_timeout: true
                }
            )
        ),
        (
            "NOT NULL column without a default on SQLite",
            run_with(
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('busy', sa.Boolean(), nullable=False))",
                        "op.drop_column('user', 'busy')"
                    )
                ],
                1,
                &LintSettings {
                    dialect: Dialect::Sqlite,
                    ..LintSettings::default()
                },
                &Environment::default()
            )
        ),
        (
            // quay b43b44996c26: a VARCHAR made longer, without
            // `existing_type=`; the history says what it was.
            "a string made longer, its old type known from the history",
            run(
                &[
                    BASE,
                    rev(
                        "op.alter_column('user', 'email', type_=sa.String(length=4096))",
                        "op.alter_column('user', 'email', type_=sa.String(100))"
                    )
                ],
                1
            )
        ),
        (
            "a string made shorter, its old type known from the history",
            run(
                &[
                    BASE,
                    rev(
                        "op.alter_column('user', 'nick', type_=sa.String(20))",
                        "op.alter_column('user', 'nick', type_=sa.String(50))"
                    )
                ],
                1
            )
        ),
        (
            // quay b8ae68ad3e52 then 152edccba18c: on MySQL a type change
            // without `nullable=` leaves the column NULL.
            "NOT NULL after a type change that did not say nullable",
            run_with(
                &[
                    BASE,
                    rev(
                        "op.alter_column('user', 'id', type_=sa.BigInteger())",
                        "pass"
                    ),
                    rev(
                        "op.alter_column('user', 'id', nullable=False)",
                        "op.alter_column('user', 'id', nullable=True)"
                    )
                ],
                1,
                &mysql(),
                &Environment {
                    env_sets_lock_timeout: true
                }
            )
        )
    ]));
}

// The second audit: warehouse, redash, CTFd, prefect.
#[test]
fn seen_in_real_projects_again() {
    const NOTES: Rev<'static> = rev(
        "op.create_table('note', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('body', sa.TEXT()))",
        "op.drop_table('note')",
    );
    insta::assert_snapshot!(cases(&[
        (
            // CTFd b295b033364d: `url = str(bind.engine.url)`, then
            // `if url.startswith("mysql"):`.
            "a branch for another database, told by the URL's scheme",
            run(
                &[
                    BASE,
                    rev(
                        "url = str(op.get_bind().engine.url)\nif url.startswith('mysql'):\n    op.create_foreign_key('fk_a', 'account', 'user', ['user_id'], ['id'])\nif url.startswith('sqlite') is False:\n    op.drop_column('user', 'nick')",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            // warehouse 186f076eb60b, 8eee7a6fa93a: `sa.TEXT()` to
            // `sa.String()`, binary-compatible on PostgreSQL.
            "TEXT to VARCHAR without a length",
            run(
                &[
                    BASE,
                    NOTES,
                    rev(
                        "op.alter_column('note', 'body', existing_type=sa.TEXT(), type_=sa.String())",
                        "op.alter_column('note', 'body', existing_type=sa.String(), type_=sa.TEXT())"
                    )
                ],
                1
            )
        ),
        (
            "TEXT to VARCHAR without a length, its old type from the history",
            run(
                &[
                    BASE,
                    NOTES,
                    rev(
                        "op.alter_column('note', 'body', type_=sa.VARCHAR())",
                        "op.alter_column('note', 'body', type_=sa.TEXT())"
                    )
                ],
                1
            )
        ),
        (
            "TEXT to a VARCHAR with a length (every row is checked)",
            run(
                &[
                    BASE,
                    NOTES,
                    rev(
                        "op.alter_column('note', 'body', type_=sa.String(200))",
                        "op.alter_column('note', 'body', type_=sa.TEXT())"
                    )
                ],
                1
            )
        ),
        (
            // warehouse f2a453c96ded, 42e76a605cac, 90f6ee9298db (as
            // autogenerate writes it): the table goes too, and drop-table
            // says so.
            "an index and a column dropped before their table",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_index('ix_account_user', 'account', ['user_id'])",
                        "op.drop_index('ix_account_user', table_name='account')"
                    ),
                    rev(
                        "op.drop_index('ix_account_user', table_name='account')\nop.drop_column('account', 'user_id')\nop.drop_table('account')",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "an index dropped, its table kept",
            run(
                &[
                    BASE,
                    rev(
                        "op.create_index('ix_account_user', 'account', ['user_id'])",
                        "op.drop_index('ix_account_user', table_name='account')"
                    ),
                    rev(
                        "op.drop_index('ix_account_user', table_name='account')\nop.drop_table('user')",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            // warehouse be443e514e3e: an index for the backfill only.
            "an index the upgrade creates and drops again",
            run(
                &[
                    BASE,
                    rev(
                        "op.add_column('account', sa.Column('code', sa.String()))\nop.create_index('ix_tmp', 'account', ['user_id'])\nop.execute('SELECT 1')\nop.drop_index('ix_tmp', table_name='account')",
                        "op.drop_column('account', 'code')"
                    )
                ],
                1
            )
        ),
        (
            // prefect f7587d6c5776, d481d5058a19 (autogenerated): the
            // downgrade drops the column, and its index goes with it.
            "an index on a column the downgrade drops",
            run(
                &[
                    BASE,
                    rev(
                        "with op.batch_alter_table('account', schema=None) as batch_op:\n    batch_op.add_column(sa.Column('queue_id', sa.Integer(), nullable=True))\n    batch_op.create_index(batch_op.f('ix_account__queue_id'), ['queue_id'], unique=False)\nop.create_index('ix_account__user_queue', 'account', ['user_id', 'queue_id'])\nop.create_index('ix_account__user', 'account', ['user_id'])",
                        "with op.batch_alter_table('account', schema=None) as batch_op:\n    batch_op.drop_column('queue_id')"
                    )
                ],
                1
            )
        ),
        (
            // lemur ce547319f7be: an integer primary key added to an
            // existing table is `SERIAL` on PostgreSQL: its rows are filled
            // from the sequence, which rewrites the table.
            "an integer primary key column added (SERIAL)",
            run(
                &[
                    BASE,
                    rev(
                        "op.add_column('account', sa.Column('num', sa.Integer(), primary_key=True, autoincrement=True, nullable=False))\nop.add_column('user', sa.Column('seq', sa.BigInteger(), primary_key=True, autoincrement=False))",
                        "op.drop_column('account', 'num')\nop.drop_column('user', 'seq')"
                    )
                ],
                1
            )
        ),
    ]));
}

/// Names the reader cannot evaluate (a loop variable, a function's result)
/// are shown as `{expression}`, never bare, where they would read like real
/// table and column names (in `CTFd`'s 46a278193a94, a loop over
/// `(table_name, column_name)` pairs a query returns).
#[test]
fn names_known_only_at_run_time() {
    insta::assert_snapshot!(cases(&[
        (
            "a type change on every column a query returns",
            run_with(
                &[
                    BASE,
                    rev(
                        "columns = op.get_bind().execute('SELECT 1').fetchall()\nfor table_name, column_name in columns:\n    op.alter_column(table_name=table_name, column_name=column_name, type_=sa.Text())",
                        "pass"
                    )
                ],
                1,
                &mysql(),
                &Environment {
                    env_sets_lock_timeout: true
                }
            )
        ),
        (
            "a column dropped from a table named by a helper",
            run(
                &[
                    BASE,
                    rev_with(
                        "def name():\n    return 'user'",
                        "op.drop_column(name(), 'nick')\nop.create_index('ix_' + name(), name(), ['email'])",
                        "pass"
                    )
                ],
                1
            )
        ),
    ]));
}

/// Only MySQL rewrites a column whole (NULL unless told otherwise) when
/// `alter_column` changes its type: on PostgreSQL a NOT NULL column stays
/// NOT NULL, and repeating `nullable=False` afterwards changes nothing.
#[test]
fn a_type_change_forgets_not_null_only_on_mysql() {
    let history = [
        BASE,
        rev(
            "op.add_column('user', sa.Column('code', sa.String(10), nullable=False, server_default='x'))",
            "op.drop_column('user', 'code')",
        ),
        rev(
            "op.alter_column('user', 'code', type_=sa.String(20), existing_type=sa.String(10))\nop.alter_column('user', 'code', nullable=False)",
            "pass",
        ),
    ];
    let postgres = run(&history, 1);
    assert!(!postgres.contains("set-not-null"), "{postgres}");
    let mysql = run_with(&history, 1, &mysql(), &Environment::default());
    assert!(mysql.contains("set-not-null"), "{mysql}");
}

/// Backfills written with SQLAlchemy Core (`t.update().values(...)`,
/// `sa.update(t)`) rather than SQL strings: they fill the columns they set
/// and only those, and they hold locks like any other `UPDATE`.
#[test]
fn core_updates_are_backfills() {
    const USER_TABLE: &str = "user_t = sa.table('user', sa.column('code'), sa.column('nick'))";
    const ADD: Rev<'static> = rev(
        "op.add_column('user', sa.Column('code', sa.String()))",
        "op.drop_column('user', 'code')",
    );
    const NOT_NULL: Rev<'static> = rev(
        "op.alter_column('user', 'code', nullable=False)",
        "op.alter_column('user', 'code', nullable=True)",
    );
    insta::assert_snapshot!(cases(&[
        (
            "a Core UPDATE of the column between add and NOT NULL",
            run(
                &[
                    BASE,
                    ADD,
                    rev_with(
                        USER_TABLE,
                        "op.execute(user_t.update().values(code='x'))",
                        "pass"
                    ),
                    NOT_NULL,
                ],
                3
            )
        ),
        (
            "sa.update() on the connection, the table bound in the function",
            run(
                &[
                    BASE,
                    ADD,
                    rev(
                        "t = sa.table('user', sa.column('code'))\nop.get_bind().execute(sa.update(t).where(t.c.id > 0).values({t.c.code: 'x'}))",
                        "pass"
                    ),
                    NOT_NULL,
                ],
                3
            )
        ),
        (
            "a Core UPDATE of another column is no backfill of this one",
            run(
                &[
                    BASE,
                    ADD,
                    rev_with(
                        USER_TABLE,
                        "op.execute(user_t.update().values(nick='x'))",
                        "pass"
                    ),
                    NOT_NULL,
                ],
                3
            )
        ),
        (
            "a Core UPDATE of another table is no backfill either",
            run(
                &[
                    BASE,
                    ADD,
                    rev(
                        "conn = op.get_bind()\nconn.execute(sa.table('account', sa.column('user_id')).update().values(user_id=1))",
                        "pass"
                    ),
                    NOT_NULL,
                ],
                3
            )
        ),
        (
            "values known only at run time may set the column",
            run(
                &[
                    BASE,
                    ADD,
                    rev_with(
                        USER_TABLE,
                        "op.get_bind().execute(user_t.update(), [{'code': 'x'}])\nop.execute(user_t.update().values(**defaults))",
                        "pass"
                    ),
                    NOT_NULL,
                ],
                3
            )
        ),
        (
            "a table known only at run time may be this one",
            run(
                &[
                    BASE,
                    ADD,
                    rev(
                        "op.execute(models.User.__table__.update().values(nick='x'))",
                        "pass"
                    ),
                    NOT_NULL,
                ],
                3
            )
        ),
        (
            "backfill-with-ddl: a Core UPDATE in the DDL transaction",
            run(
                &[
                    BASE,
                    rev_with(
                        USER_TABLE,
                        "op.add_column('user', sa.Column('code', sa.String()))\nop.execute(user_t.update().values(code='x'))\nop.alter_column('user', 'code', nullable=False)",
                        "op.drop_column('user', 'code')"
                    ),
                ],
                1
            )
        ),
        (
            "backfill-with-ddl: quiet in an autocommit block, and on a new table",
            run(
                &[
                    BASE,
                    rev_with(
                        USER_TABLE,
                        "op.add_column('user', sa.Column('code', sa.String()))\nwith op.get_context().autocommit_block():\n    op.execute(user_t.update().values(code='x'))\nop.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('n', sa.Integer()))\nbadge = sa.table('badge', sa.column('n'))\nop.execute(badge.update().values(n=1))",
                        "op.drop_table('badge')\nop.drop_column('user', 'code')"
                    ),
                ],
                1
            )
        ),
    ]));
}

/// The lines of `output` (one finding each) of `rule` only.
fn only(rule: &str, output: &str) -> String {
    let mut lines = String::new();
    // A finding's help line goes with it.
    let mut kept = false;
    for line in output.lines() {
        kept = line.starts_with(&format!("{rule} ")) || (kept && line.starts_with("  help: "));
        if kept {
            let _ = writeln!(lines, "{line}");
        }
    }
    if lines.is_empty() {
        "(no findings)\n".to_owned()
    } else {
        lines
    }
}

/// On MySQL `alter_column` restates the whole column (`MODIFY COLUMN`), NULL
/// and without a default unless `existing_nullable=` and
/// `existing_server_default=` say otherwise.
#[test]
fn mysql_alter_column_drops_not_null() {
    const CODE: Rev<'static> = rev(
        "op.add_column('user', sa.Column('code', sa.String(10), nullable=False, server_default='x'))",
        "op.drop_column('user', 'code')",
    );
    const RULE: &str = "mysql-alter-column-drops-not-null";
    let on_mysql = |upgrade: &'static str| {
        only(
            RULE,
            &run_with(
                &[BASE, CODE, rev(upgrade, "pass")],
                1,
                &mysql(),
                &Environment {
                    env_sets_lock_timeout: true,
                },
            ),
        )
    };
    insta::assert_snapshot!(cases(&[
        (
            "a type change of a NOT NULL column",
            on_mysql(
                "op.alter_column('user', 'code', type_=sa.String(20), existing_type=sa.String(10))"
            )
        ),
        (
            "a column the history does not show, its server default restated",
            on_mysql("op.alter_column('legacy', 'name', type_=sa.String(200), server_default='')")
        ),
        (
            "a rename in a batch block",
            on_mysql(
                "with op.batch_alter_table('user') as batch_op:\n    batch_op.alter_column('code', new_column_name='token', existing_type=sa.String(10))"
            )
        ),
        (
            "quiet: existing_nullable= given, as autogenerate writes it",
            on_mysql(
                "op.alter_column('user', 'code', type_=sa.String(20), existing_type=sa.String(10), existing_nullable=False, existing_server_default='x')"
            )
        ),
        (
            "quiet: nullable= given",
            on_mysql("op.alter_column('user', 'code', type_=sa.String(20), nullable=False)")
        ),
        (
            "quiet: the history shows it nullable without a default",
            on_mysql("op.alter_column('user', 'email', type_=sa.String(200))")
        ),
        (
            "quiet: **kwargs, recreate='always', raw SQL, a default alone",
            on_mysql(
                "op.alter_column('user', 'code', type_=sa.String(20), **KEEP)\nwith op.batch_alter_table('user', recreate='always') as batch_op:\n    batch_op.alter_column('code', type_=sa.String(30))\nop.execute('ALTER TABLE user MODIFY code VARCHAR(40) NOT NULL')\nop.alter_column('user', 'code', server_default='y')"
            )
        ),
        (
            "quiet: on PostgreSQL",
            only(
                RULE,
                &run(
                    &[
                        BASE,
                        CODE,
                        rev(
                            "op.alter_column('user', 'code', type_=sa.String(20), existing_type=sa.String(10))",
                            "pass"
                        )
                    ],
                    1
                )
            )
        ),
    ]));
}

/// `existing_nullable=False` keeps the column NOT NULL through the
/// `MODIFY`, so repeating `nullable=False` afterwards scans nothing.
#[test]
fn existing_nullable_keeps_not_null_through_a_mysql_type_change() {
    let history = [
        BASE,
        rev(
            "op.add_column('user', sa.Column('code', sa.String(10), nullable=False, server_default='x'))",
            "op.drop_column('user', 'code')",
        ),
        rev(
            "op.alter_column('user', 'code', type_=sa.String(20), existing_type=sa.String(10), existing_nullable=False, existing_server_default='x')\nop.alter_column('user', 'code', nullable=False)",
            "pass",
        ),
    ];
    let mysql = run_with(&history, 1, &mysql(), &Environment::default());
    assert!(!mysql.contains("set-not-null"), "{mysql}");
}

fn sqlite() -> LintSettings {
    LintSettings {
        dialect: Dialect::Sqlite,
        ..LintSettings::default()
    }
}

/// Adding a NOT NULL column without a server default fails as soon as the
/// table has a row (SQLite too: 3.40 refuses it only then), and a NOT NULL
/// column of a table the new revisions create is fine on every database:
/// the table is empty, unless the revisions put rows in it first.
#[test]
fn not_null_columns_of_new_and_existing_tables() {
    const RULES: [&str; 2] = [
        "add-column-not-null-without-default",
        "not-null-without-backfill",
    ];
    let lint = |revs: &[Rev<'_>], new: usize, settings: &LintSettings| {
        let output = run_with(
            revs,
            new,
            settings,
            &Environment {
                env_sets_lock_timeout: true,
            },
        );
        let lines: String = RULES.iter().map(|rule| only(rule, &output)).collect();
        lines.replace("(no findings)\n", "")
    };
    let cases_on = |settings: &LintSettings| {
        let mut out = String::new();
        for (name, revs, new) in [
            (
                "op.add_column on an existing table",
                &[
                    BASE,
                    rev(
                        "op.add_column('user', sa.Column('age', sa.Integer(), nullable=False))",
                        "op.drop_column('user', 'age')",
                    ),
                ][..],
                1,
            ),
            (
                "batch_op.add_column on an existing table",
                &[
                    BASE,
                    rev(
                        "with op.batch_alter_table('user') as batch_op:\n    batch_op.add_column(sa.Column('age', sa.Integer(), nullable=False))",
                        "op.drop_column('user', 'age')",
                    ),
                ][..],
                1,
            ),
            (
                "ADD COLUMN in raw SQL on an existing table",
                &[
                    BASE,
                    rev(
                        "op.execute('ALTER TABLE account ADD COLUMN age INTEGER NOT NULL')",
                        "op.drop_column('account', 'age')",
                    ),
                ][..],
                1,
            ),
            (
                "quiet: NOT NULL columns in op.create_table and CREATE TABLE",
                &[
                    BASE,
                    rev(
                        "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('name', sa.String(), nullable=False))\nop.execute('CREATE TABLE tag (id INTEGER PRIMARY KEY, name TEXT NOT NULL)')",
                        "op.drop_table('tag')\nop.drop_table('badge')",
                    ),
                ][..],
                1,
            ),
            (
                "quiet: added to a table created in the same revision",
                &[
                    BASE,
                    rev(
                        "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True))\nop.add_column('badge', sa.Column('name', sa.String(), nullable=False))",
                        "op.drop_table('badge')",
                    ),
                ][..],
                1,
            ),
            (
                "quiet: added nullable, then NOT NULL, on a table created earlier in the new revisions",
                &[
                    BASE,
                    rev(
                        "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True))",
                        "op.drop_table('badge')",
                    ),
                    rev(
                        "op.add_column('badge', sa.Column('name', sa.String(), nullable=False))\nop.add_column('badge', sa.Column('code', sa.String()))\nop.alter_column('badge', 'code', nullable=False)",
                        "op.drop_column('badge', 'code')\nop.drop_column('badge', 'name')",
                    ),
                ][..],
                2,
            ),
            (
                "a new table that rows were put in first",
                &[
                    BASE,
                    rev_with(
                        "badge = sa.table('badge', sa.column('id'))",
                        "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True))\nop.bulk_insert(badge, [{'id': 1}])\nop.add_column('badge', sa.Column('name', sa.String(), nullable=False))\nop.execute('CREATE TABLE tag (id INTEGER PRIMARY KEY)')\nop.execute('INSERT INTO tag (id) VALUES (1)')\nop.add_column('tag', sa.Column('name', sa.String(), nullable=False))",
                        "op.drop_table('tag')\nop.drop_table('badge')",
                    ),
                ][..],
                1,
            ),
            (
                "rows put in a new table before a column is added nullable, then NOT NULL",
                &[
                    BASE,
                    rev_with(
                        "badge = sa.table('badge', sa.column('id'))",
                        "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True))\nop.bulk_insert(badge, [{'id': 1}])\nop.add_column('badge', sa.Column('code', sa.String()))\nop.alter_column('badge', 'code', nullable=False)",
                        "op.drop_table('badge')",
                    ),
                ][..],
                1,
            ),
            (
                "quiet: rows put in after the column was added (they may set it)",
                &[
                    BASE,
                    rev_with(
                        "badge = sa.table('badge', sa.column('id'), sa.column('code'))",
                        "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True))\nop.add_column('badge', sa.Column('code', sa.String()))\nop.bulk_insert(badge, [{'id': 1, 'code': 'x'}])\nop.alter_column('badge', 'code', nullable=False)",
                        "op.drop_table('badge')",
                    ),
                ][..],
                1,
            ),
        ] {
            let _ = write!(out, "## {name}\n{}", lint(revs, new, settings));
        }
        out
    };
    insta::assert_snapshot!(format!(
        "# SQLite\n{}\n# PostgreSQL\n{}",
        cases_on(&sqlite()),
        cases_on(&LintSettings::default())
    ));
}

/// PostgreSQL (lock timeout set), with each finding's help.
fn run_help(revs: &[Rev<'_>], new: usize, settings: &LintSettings) -> String {
    lines(
        revs,
        new,
        settings,
        &Environment {
            env_sets_lock_timeout: true,
        },
        true,
    )
}

/// The most common real hazard: a column added nullable to a table that
/// holds rows, filled by an UPDATE and made NOT NULL, all in one revision.
/// It went unreported because the column was new; the scan under an
/// ACCESS EXCLUSIVE lock happens all the same. The help depends on how the
/// column was filled.
#[test]
fn set_not_null_on_a_column_added_and_filled_in_the_same_revision() {
    let constant = rev(
        "op.add_column('user', sa.Column('active', sa.Boolean(), nullable=True))\n\
         op.execute('UPDATE \"user\" SET active = true')\n\
         op.alter_column('user', 'active', nullable=False)",
        "op.drop_column('user', 'active')",
    );
    let computed = rev(
        "op.add_column('user', sa.Column('login', sa.String(100), nullable=True))\n\
         op.execute('UPDATE \"user\" SET login = lower(email)')\n\
         op.alter_column('user', 'login', nullable=False)",
        "op.drop_column('user', 'login')",
    );
    let only_nulls = rev(
        "op.add_column('user', sa.Column('score', sa.Integer(), nullable=True))\n\
         op.execute('UPDATE \"user\" SET score = 0 WHERE score IS NULL')\n\
         op.alter_column('user', 'score', nullable=False)",
        "op.drop_column('user', 'score')",
    );
    let some_rows = rev(
        "op.add_column('user', sa.Column('score', sa.Integer(), nullable=True))\n\
         op.execute(\"UPDATE \\\"user\\\" SET score = 0 WHERE status = 'x'\")\n\
         op.alter_column('user', 'score', nullable=False)",
        "op.drop_column('user', 'score')",
    );
    let new_table = rev(
        "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True))\n\
         op.add_column('badge', sa.Column('active', sa.Boolean(), nullable=True))\n\
         op.execute('UPDATE badge SET active = true')\n\
         op.alter_column('badge', 'active', nullable=False)",
        "op.drop_table('badge')",
    );
    let postgres = LintSettings::default();
    insta::assert_snapshot!(cases(&[
        (
            "filled with a constant",
            only("set-not-null", &run_help(&[BASE, constant], 1, &postgres))
        ),
        (
            "filled with a constant where NULL",
            only("set-not-null", &run_help(&[BASE, only_nulls], 1, &postgres))
        ),
        (
            "filled from another column",
            only("set-not-null", &run_help(&[BASE, computed], 1, &postgres))
        ),
        (
            "filled on some rows only",
            only("set-not-null", &run_help(&[BASE, some_rows], 1, &postgres))
        ),
        (
            "MySQL, filled with a constant",
            only(
                "set-not-null",
                &run_help(
                    &[
                        BASE,
                        rev(
                            "op.add_column('user', sa.Column('active', sa.Boolean(), nullable=True))\n\
                             op.execute('UPDATE user SET active = true')\n\
                             op.alter_column('user', 'active', existing_type=sa.Boolean(), nullable=False)",
                            "op.drop_column('user', 'active')",
                        )
                    ],
                    1,
                    &mysql()
                )
            )
        ),
        (
            "quiet on a table the revisions created",
            run(&[BASE, new_table], 1)
        ),
    ]));
}

/// `existing_nullable=False` says the column is NOT NULL already; a call
/// that restates it (beside a type change) scans nothing.
#[test]
fn set_not_null_is_quiet_when_the_call_restates_not_null() {
    insta::assert_snapshot!(cases(&[
        (
            "restated",
            run(
                &[
                    BASE,
                    rev(
                        "op.alter_column('user', 'email', existing_type=sa.String(100), type_=sa.Text(), nullable=False, existing_nullable=False)",
                        "op.alter_column('user', 'email', existing_type=sa.Text(), type_=sa.String(100))"
                    )
                ],
                1
            )
        ),
        (
            "fires when the column was nullable",
            only(
                "set-not-null",
                &run(
                    &[
                        BASE,
                        rev(
                            "op.alter_column('user', 'email', existing_type=sa.String(100), nullable=False, existing_nullable=True)",
                            "op.alter_column('user', 'email', nullable=True)"
                        )
                    ],
                    1
                )
            )
        ),
    ]));
}

/// A concurrent index build after the migration's transaction was ended by
/// hand works (the error said the deploy fails, which it does not); it is
/// a warning suggesting `autocommit_block()`.
#[test]
fn concurrently_after_a_commit_by_hand_is_a_warning() {
    let severities = |revs: &[Rev<'_>]| {
        let dir = tempfile::tempdir().unwrap();
        let project = project(dir.path(), revs);
        let ids = BTreeSet::from([format!("r{}", revs.len() - 1)]);
        let findings = lint(
            &project,
            &LintSettings::default(),
            &LintScope::Revisions(ids),
            &Environment {
                env_sets_lock_timeout: true,
            },
        );
        let mut out = String::new();
        for finding in findings
            .iter()
            .filter(|f| f.rule.name() == "concurrently-outside-autocommit-block")
        {
            let _ = writeln!(out, "{}: {}", finding.severity, finding.message);
        }
        if out.is_empty() {
            out.push_str("(no findings)\n");
        }
        out
    };
    insta::assert_snapshot!(cases(&[
        (
            "op.execute(\"COMMIT\")",
            severities(&[
                BASE,
                rev(
                    "op.execute('COMMIT')\nop.create_index('ix_user_nick', 'user', ['nick'], postgresql_concurrently=True)",
                    "op.drop_index('ix_user_nick', 'user')"
                )
            ])
        ),
        (
            "connection.commit()",
            severities(&[
                BASE,
                rev(
                    "conn = op.get_bind()\nconn.commit()\nconn.execute(sa.text('CREATE INDEX CONCURRENTLY ix_user_nick ON \"user\" (nick)'))",
                    "op.drop_index('ix_user_nick', 'user')"
                )
            ])
        ),
        (
            "an AUTOCOMMIT connection",
            severities(&[
                BASE,
                rev(
                    "conn = op.get_bind().execution_options(isolation_level='AUTOCOMMIT')\nconn.execute(sa.text('CREATE INDEX CONCURRENTLY ix_user_nick ON \"user\" (nick)'))",
                    "op.drop_index('ix_user_nick', 'user')"
                )
            ])
        ),
        (
            "BEGIN after the COMMIT: an error again",
            severities(&[
                BASE,
                rev(
                    "op.execute('COMMIT')\nop.execute('BEGIN')\nop.create_index('ix_user_nick', 'user', ['nick'], postgresql_concurrently=True)",
                    "op.drop_index('ix_user_nick', 'user')"
                )
            ])
        ),
        (
            "no COMMIT: an error",
            severities(&[
                BASE,
                rev(
                    "op.create_index('ix_user_nick', 'user', ['nick'], postgresql_concurrently=True)",
                    "op.drop_index('ix_user_nick', 'user')"
                )
            ])
        ),
    ]));
}

/// `LOCK TABLE ... IN ... MODE` in raw SQL holds its lock until the
/// migration's transaction ends.
#[test]
fn lock_table() {
    let locking = |sql: &str, settings: &LintSettings| {
        only(
            "lock-table",
            &run_with(
                &[
                    BASE,
                    rev(
                        &format!(
                            "op.execute({sql:?})\nop.execute('UPDATE account SET user_id = 1')"
                        ),
                        "pass",
                    ),
                ],
                1,
                settings,
                &Environment {
                    env_sets_lock_timeout: true,
                },
            ),
        )
    };
    let postgres = LintSettings::default();
    insta::assert_snapshot!(cases(&[
        (
            "fires: no mode is ACCESS EXCLUSIVE",
            locking("LOCK TABLE account", &postgres)
        ),
        (
            "fires: SHARE ROW EXCLUSIVE blocks writes",
            locking("LOCK TABLE account IN SHARE ROW EXCLUSIVE MODE", &postgres)
        ),
        (
            "quiet: ROW EXCLUSIVE blocks no reads or writes",
            locking("LOCK TABLE account IN ROW EXCLUSIVE MODE", &postgres)
        ),
        (
            "fires on MySQL: LOCK TABLES ... WRITE",
            locking("LOCK TABLES account WRITE", &mysql())
        ),
        (
            "quiet on a table the revision creates",
            only(
                "lock-table",
                &run(
                    &[
                        BASE,
                        rev(
                            "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True))\nop.execute('LOCK TABLE badge IN ACCESS EXCLUSIVE MODE')",
                            "op.drop_table('badge')"
                        )
                    ],
                    1
                )
            )
        ),
    ]));
}

/// SQL built from the values of a loop over literals (or a module-level
/// tuple) is the SQL written out for each value; before, the names were
/// unknown and the type changes went unreported.
#[test]
fn loops_over_literals_are_read_once_per_value() {
    insta::assert_snapshot!(cases(&[
        (
            "fires per table: f-string over a module-level tuple",
            run(
                &[
                    BASE,
                    rev_with(
                        "TABLES = ('user', 'account')",
                        "for table in TABLES:\n    op.execute(f'ALTER TABLE {table} ALTER COLUMN id TYPE BIGINT')",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "fires per pair: `.format` and `%` over a list of tuples",
            run(
                &[
                    BASE,
                    rev(
                        "for table, column in [('user', 'email'), ('account', 'user_id')]:\n    op.execute('ALTER TABLE {} ALTER COLUMN {} TYPE BIGINT'.format(table, column))\nfor table in ['user']:\n    op.execute('ALTER TABLE %s ALTER COLUMN nick TYPE BIGINT' % table)",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "fires per key: a dict literal's items",
            run(
                &[
                    BASE,
                    rev(
                        "for table, column in {'user': 'status'}.items():\n    op.execute(f'UPDATE {table} SET {column} = NULL')\n    op.alter_column(table, column, nullable=False)",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "unknown: a loop variable reassigned in the body",
            run(
                &[
                    BASE,
                    rev(
                        "for table in ['user']:\n    table = table + '_archive'\n    op.execute(f'ALTER TABLE {table} ALTER COLUMN id TYPE BIGINT')",
                        "pass"
                    )
                ],
                1
            )
        ),
    ]));
}

/// A downgrade that drops the upgrade's columns in a loop over a literal
/// tuple is complete; it was reported as leaving them behind.
#[test]
fn a_downgrade_dropping_columns_in_a_loop_is_complete() {
    let output = run(
        &[
            BASE,
            rev(
                "op.add_column('user', sa.Column('first_name', sa.String(50)))\nop.add_column('user', sa.Column('last_name', sa.String(50)))",
                "for column in ('first_name', 'last_name'):\n    op.drop_column('user', column)",
            ),
        ],
        1,
    );
    assert!(!output.contains("downgrade-incomplete"), "{output}");
    // Dropping only one of them still leaves the other behind.
    let output = run(
        &[
            BASE,
            rev(
                "op.add_column('user', sa.Column('first_name', sa.String(50)))\nop.add_column('user', sa.Column('last_name', sa.String(50)))",
                "for column in ('first_name',):\n    op.drop_column('user', column)",
            ),
        ],
        1,
    );
    assert!(output.contains("downgrade-incomplete"), "{output}");
    assert!(output.contains("last_name"), "{output}");
}

/// A rename the same revision takes back (a swap through a temporary
/// name) leaves the old name in place, and a table the revisions being
/// checked created has no running code that uses it: neither is a hazard.
#[test]
fn renames_taken_back_or_of_new_tables_are_quiet() {
    let renames = |revs: &[Rev<'_>], new: usize| {
        let output = run(revs, new);
        let mut kept = String::new();
        for line in output.lines() {
            if line.starts_with("rename-") {
                kept.push_str(line);
                kept.push('\n');
            }
        }
        if kept.is_empty() {
            kept.push_str("(no findings)\n");
        }
        kept
    };
    insta::assert_snapshot!(cases(&[
        (
            "quiet: a table renamed aside and back",
            renames(
                &[
                    BASE,
                    rev(
                        "op.rename_table('account', 'account_old')\nop.execute('UPDATE account_old SET user_id = 1')\nop.rename_table('account_old', 'account')",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "quiet: a column renamed aside and back, the table renamed in between",
            renames(
                &[
                    BASE,
                    rev(
                        "op.alter_column('user', 'nick', new_column_name='nick_tmp')\nop.rename_table('user', 'member')\nop.alter_column('member', 'nick_tmp', new_column_name='nick')\nop.rename_table('member', 'user')",
                        "pass"
                    )
                ],
                1
            )
        ),
        (
            "quiet: tables and columns the checked revisions created",
            renames(
                &[
                    BASE,
                    rev(
                        "op.create_table('badge', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('label', sa.String(20)))",
                        "op.drop_table('badge')"
                    ),
                    rev(
                        "op.rename_table('badge', 'award')\nop.alter_column('award', 'label', new_column_name='title')",
                        "op.alter_column('award', 'title', new_column_name='label')\nop.rename_table('award', 'badge')"
                    )
                ],
                2
            )
        ),
        (
            "fires: a rename kept, and one taken back only after a drop",
            renames(
                &[
                    BASE,
                    rev(
                        "op.rename_table('account', 'wallet')\nop.alter_column('user', 'nick', new_column_name='nickname')\nop.drop_column('user', 'nickname')\nop.add_column('user', sa.Column('nickname', sa.String(50)))\nop.alter_column('user', 'nickname', new_column_name='nick')",
                        "pass"
                    )
                ],
                1
            )
        ),
    ]));
}

/// MySQL widens a `VARCHAR` in place while its length stays on the same
/// side of 255 bytes; only crossing it copies the table.
#[test]
fn mysql_varchar_widening_in_place() {
    let on_mysql = |change: &str| {
        only(
            "alter-column-type",
            &run_with(
                &[BASE, rev(change, "pass")],
                1,
                &mysql(),
                &Environment {
                    env_sets_lock_timeout: true,
                },
            ),
        )
    };
    insta::assert_snapshot!(cases(&[
        (
            "quiet: 20 to 60 characters of utf8mb4 (assumed) stay under 255 bytes",
            on_mysql(
                "op.alter_column('user', 'status', existing_type=sa.String(20), type_=sa.String(60), existing_nullable=True)"
            )
        ),
        (
            "quiet: latin1 up to 255, the length from the history",
            on_mysql(
                "op.alter_column('user', 'email', type_=mysql.VARCHAR(255, charset='latin1'), existing_type=mysql.VARCHAR(100, charset='latin1'), existing_nullable=True)"
            )
        ),
        (
            "fires: 50 to 100 characters of utf8mb4 (assumed) cross 255 bytes",
            on_mysql(
                "op.alter_column('user', 'nick', existing_type=sa.String(50), type_=sa.String(100), existing_nullable=True)"
            )
        ),
        (
            "fires: another character set",
            on_mysql(
                "op.alter_column('user', 'nick', existing_type=sa.String(50), type_=sa.String(60, charset='latin1'), existing_nullable=True)"
            )
        ),
    ]));
}

/// A call that does not bind to Alembic's signature raises `TypeError`
/// when it runs, most often in a downgrade nobody ran.
#[test]
fn invalid_op_call() {
    let calls = |upgrade: &str, downgrade: &str| {
        only("invalid-op-call", &run(&[BASE, rev(upgrade, downgrade)], 1))
    };
    insta::assert_snapshot!(cases(&[
        (
            "fires: the batch form given the table, twice in a loop",
            calls(
                "op.create_unique_constraint('uq_user_email', 'user', ['email'])",
                "for name in ('uq_user_email',):\n    with op.batch_alter_table('user') as batch_op:\n        batch_op.drop_constraint(name, 'user', type_='unique')"
            )
        ),
        (
            "fires: an unknown keyword, a missing argument, too many by position",
            calls(
                "op.add_column('user', sa.Column('age', sa.Integer()), nullable=True)\nop.drop_column('user')\nop.execute('UPDATE user SET age = 1', {'x': 1})",
                "op.drop_column('user', 'age')"
            )
        ),
        (
            "quiet: calls as Alembic spells them, and **kw it passes on",
            calls(
                "op.create_index('ix_user_nick', 'user', ['nick'], unique=False, postgresql_concurrently=False)\nop.drop_constraint('fk', 'account', type_='foreignkey')\nop.alter_column('user', 'nick', existing_type=sa.String(50), nullable=True, postgresql_using='nick')\nkw = {'schema': None}\nop.drop_column('user', 'status', **kw)",
                "pass"
            )
        ),
    ]));
}

/// mealie: `def is_postgres(): return op.get_context().dialect.name ==
/// "postgresql"`, then `if is_postgres(): ... else: ...`. The `else` runs
/// on SQLite only, so linting PostgreSQL reports the `if` branch alone.
#[test]
fn dialect_test_through_a_helper_function() {
    const INDEX: Rev<'static> = rev(
        "op.create_index('ix_user_nick', 'user', ['nick'])",
        "op.drop_index('ix_user_nick', table_name='user')",
    );
    const IS_POSTGRES: &str =
        "def is_postgres():\n    return op.get_context().dialect.name == \"postgresql\"";
    const IS_SQLITE: &str = "def is_sqlite():\n    \"\"\"On SQLite.\"\"\"\n    bind = op.get_bind()\n    return bind.dialect.name in ('sqlite',)";
    const BRANCHES: &str = "if is_postgres():\n    op.drop_index('ix_user_nick', table_name='user')\n    op.alter_column('user', 'status', existing_type=sa.String(20), type_=sa.Integer(), existing_nullable=True)\nelse:\n    op.execute('DROP INDEX IF EXISTS ix_user_nick')\n    with op.batch_alter_table('user') as batch_op:\n        batch_op.alter_column('status', existing_type=sa.String(20), type_=sa.Integer(), existing_nullable=True)";
    // The downgrade is `pass`: its `downgrade-empty` is left out.
    let on_postgres = |module: &'static str, upgrade: &'static str| {
        let mut kept = String::new();
        for line in run(&[BASE, INDEX, rev_with(module, upgrade, "pass")], 1).lines() {
            if !line.starts_with("downgrade-empty ") {
                let _ = writeln!(kept, "{line}");
            }
        }
        kept
    };
    insta::assert_snapshot!(cases(&[
        (
            "fires on the `if` branch (lines 14-15), quiet on the `else` branch (lines 17-19)",
            on_postgres(IS_POSTGRES, BRANCHES)
        ),
        (
            "quiet: `if not is_postgres():` runs on another database",
            on_postgres(
                IS_POSTGRES,
                "if not is_postgres():\n    op.execute('DROP INDEX IF EXISTS ix_user_nick')"
            )
        ),
        (
            "quiet: a helper binding the connection first, returning `in (...)`",
            on_postgres(
                IS_SQLITE,
                "if is_sqlite():\n    op.execute('DROP INDEX IF EXISTS ix_user_nick')"
            )
        ),
        (
            "fires: `if not is_sqlite():` runs on PostgreSQL",
            on_postgres(
                IS_SQLITE,
                "if not is_sqlite():\n    op.execute('DROP INDEX IF EXISTS ix_user_nick')"
            )
        ),
        (
            "fires: a helper taking the name is no dialect test the reader can read",
            on_postgres(
                "def is_dialect(name):\n    return op.get_bind().dialect.name == name",
                "if is_dialect('sqlite'):\n    op.execute('DROP INDEX IF EXISTS ix_user_nick')"
            )
        ),
    ]));
}

/// Lemur registers alembic-autogenerate-enums' `op.sync_enum_values(schema,
/// name, old_values, new_values)`: it commits, then only adds the values
/// missing from `old_values`, outside any transaction. alembic-postgresql-
/// enum's operation of the same name recreates the type.
#[test]
fn sync_enum_values_of_alembic_autogenerate_enums() {
    let enum_change =
        |upgrade: &str| only("enum-value-change", &run(&[BASE, rev(upgrade, "pass")], 1));
    insta::assert_snapshot!(cases(&[
        (
            "quiet: only adds values, after a COMMIT (lemur 1ae8e3104db8)",
            enum_change(
                "op.sync_enum_values(\n    'public', 'log_type', ['key_view'], ['create_cert', 'key_view', 'update_cert']\n)"
            )
        ),
        (
            "quiet: a shorter list removes nothing (lemur's downgrade), by keyword too",
            enum_change(
                "op.sync_enum_values('public', 'log_type', old_values=['create_cert', 'key_view'], new_values=['key_view'])"
            )
        ),
        (
            "fires: `should_reverse=True` with the columns recreates the type without a value",
            enum_change(
                "op.sync_enum_values('public', 'log_type', ['create_cert', 'key_view', 'update_cert'], ['key_view'], [('logs', 'log_type')], True)"
            )
        ),
        (
            "fires: alembic-postgresql-enum's call, by keyword",
            enum_change(
                "op.sync_enum_values(\n    enum_schema='public',\n    enum_name='status',\n    new_values=['a', 'b'],\n    affected_columns=[TableReference(table_schema='public', table_name='user', column_name='status')],\n    enum_values_to_rename=[],\n)"
            )
        ),
        (
            "fires: alembic-postgresql-enum's call, by position (columns fourth)",
            enum_change(
                "op.sync_enum_values('public', 'status', ['a', 'b'], [('user', 'status')])"
            )
        ),
    ]));
}

/// quay: `UTF8LongText` is a `TypeDecorator` that renders `TEXT` on
/// PostgreSQL (and `LONGTEXT` on MySQL): a change to or from a type that is
/// not `SQLAlchemy`'s is not said to rewrite the table.
#[test]
fn alter_column_type_to_a_custom_type() {
    let type_change = |module: &'static str, upgrade: &'static str| {
        only(
            "alter-column-type",
            &run(&[BASE, rev_with(module, upgrade, "pass")], 1),
        )
    };
    insta::assert_snapshot!(cases(&[
        (
            "quiet: to a project's TypeDecorator (quay 654e6df88b71)",
            type_change(
                "from util.migrate import UTF8LongText",
                "with op.batch_alter_table('user') as batch_op:\n    batch_op.alter_column('email', existing_type=sa.Text(), type_=UTF8LongText())"
            )
        ),
        (
            "quiet: from a project's type, and to a type held in a variable",
            type_change(
                "from util.migrate import UTF8LongText\nNEW_TYPE = sa.Text()",
                "op.alter_column('user', 'email', existing_type=UTF8LongText(), type_=sa.Text())\nop.alter_column('user', 'nick', existing_type=sa.String(50), type_=NEW_TYPE)"
            )
        ),
        (
            "fires: between SQLAlchemy types, generic or a dialect's",
            type_change(
                "from sqlalchemy.dialects import postgresql",
                "op.alter_column('user', 'email', existing_type=sa.Text(), type_=sa.Integer())\nop.alter_column('user', 'nick', existing_type=sa.String(50), type_=postgresql.JSONB())"
            )
        ),
    ]));
}

/// quay b1a79fa8e630: entering `autocommit_block()` commits the `UPDATE`
/// before any DDL, so the two are not in one transaction.
#[test]
fn backfill_with_ddl_across_a_transaction_boundary() {
    const UPDATE: &str = "op.execute('UPDATE \"user\" SET email = lower(email)')";
    let backfill =
        |upgrade: String| only("backfill-with-ddl", &run(&[BASE, rev(&upgrade, "pass")], 1));
    insta::assert_snapshot!(cases(&[
        (
            "quiet: an autocommit block starts after the UPDATE (quay)",
            backfill(format!(
                "bind = op.get_bind()\n{UPDATE}\nif bind.dialect.name == 'postgresql':\n    with op.get_context().autocommit_block():\n        op.create_index('user_email_idx', 'user', ['email'], postgresql_concurrently=True)\nelse:\n    op.create_index('user_email_idx', 'user', ['email'])\nop.drop_index('user_email', table_name='user')"
            ))
        ),
        (
            "quiet: a COMMIT by hand, or the connection's commit()",
            backfill(format!(
                "{UPDATE}\nop.execute('COMMIT')\nop.add_column('user', sa.Column('age', sa.Integer()))\nconn = op.get_bind()\n{UPDATE}\nconn.commit()\nop.drop_column('user', 'age')"
            ))
        ),
        (
            "quiet: alembic-autogenerate-enums' sync_enum_values commits first",
            backfill(format!(
                "{UPDATE}\nop.sync_enum_values('public', 'log_type', ['a'], ['a', 'b'])\nop.add_column('user', sa.Column('age', sa.Integer()))"
            ))
        ),
        (
            "fires: the UPDATE and the DDL both after the autocommit block",
            backfill(format!(
                "with op.get_context().autocommit_block():\n    op.create_index('user_email_idx', 'user', ['email'], postgresql_concurrently=True)\n{UPDATE}\nop.drop_index('user_email', table_name='user')"
            ))
        ),
        (
            "fires: the UPDATE and the DDL both before the autocommit block",
            backfill(format!(
                "op.add_column('user', sa.Column('age', sa.Integer()))\n{UPDATE}\nwith op.get_context().autocommit_block():\n    op.create_index('user_email_idx', 'user', ['email'], postgresql_concurrently=True)"
            ))
        ),
    ]));
}
