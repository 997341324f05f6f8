//! Reading a string as a whole: splitting, statement texts, what cannot be
//! read, and never panicking.

use alembic_doctor_script::OpKind;
use proptest::prelude::*;

use super::{kinds, lit, one, other};
use crate::{DataAction, Dialect, StatementKind, read_sql};

#[test]
fn statements_keep_their_own_trimmed_text_without_comments_around_them() {
    let statements = read_sql(
        "  -- add the column\n  ALTER TABLE t ADD a int ;\n\n/* then fill it */ UPDATE t SET a = 0;  ;\n",
        Dialect::Postgres,
    );
    let texts: Vec<&str> = statements.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(texts, ["ALTER TABLE t ADD a int", "UPDATE t SET a = 0"]);
}

#[test]
fn empty_and_comment_only_sql_has_no_statements() {
    for sql in ["", "   ", ";;", "-- nothing\n", "/* nothing */ ;"] {
        assert_eq!(read_sql(sql, Dialect::Postgres), Vec::new(), "{sql:?}");
    }
}

#[test]
fn sql_that_does_not_parse_is_unparsed_and_the_statements_after_it_are_still_read() {
    let statements = read_sql("this is not sql; UPDATE t SET a = 1", Dialect::Postgres);
    assert_eq!(statements.len(), 2);
    assert!(matches!(
        &statements[0].kind,
        StatementKind::Unparsed { error } if error.contains("this")
    ));
    assert_eq!(statements[0].text, "this is not sql");
    assert!(matches!(
        statements[1].kind,
        StatementKind::Data {
            action: DataAction::Update,
            ..
        }
    ));
}

#[test]
fn a_statement_followed_by_junk_is_unparsed_not_half_read() {
    // `sqlparser` reads `CREATE INDEX ... (a)` and stops at `junk`; taking
    // the index without the rest would be a guess.
    assert!(matches!(
        one("CREATE INDEX ix ON t (a) junk", Dialect::Postgres),
        StatementKind::Unparsed { .. }
    ));
}

#[test]
fn an_unterminated_string_makes_the_whole_text_unparsed() {
    let statements = read_sql("UPDATE t SET a = 1; SELECT 'open", Dialect::Postgres);
    assert_eq!(statements.len(), 1);
    assert!(matches!(statements[0].kind, StatementKind::Unparsed { .. }));
    assert_eq!(statements[0].text, "UPDATE t SET a = 1; SELECT 'open");
}

#[test]
fn the_fallback_accepts_only_whole_statements_of_its_shapes() {
    for sql in [
        "DROP INDEX CONCURRENTLY ix junk",
        "DROP INDEX CONCURRENTLY IF ix",
        "REINDEX TABLE",
        "REINDEX TABLES t",
        "REINDEX TABLE t u",
        "VACUUM (FULL t",
        "VACUUM FULL t u",
        "CLUSTER t USING",
        "CLUSTER t USING ix junk",
    ] {
        assert!(
            matches!(one(sql, Dialect::Postgres), StatementKind::Unparsed { .. }),
            "{sql}"
        );
    }
}

#[test]
fn a_sqlite_trigger_body_stays_one_statement() {
    assert_eq!(
        kinds(
            "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = 1; END; UPDATE u SET b = 2",
            Dialect::Sqlite
        ),
        vec![
            other("CREATE TRIGGER"),
            StatementKind::Data {
                action: DataAction::Update,
                table: lit("u"),
                columns: vec!["b".to_owned()],
                where_: false,
                constants: vec![("b".to_owned(), "2".to_owned())],
            },
        ]
    );
}

#[test]
fn a_block_that_does_not_parse_hides_everything_after_it() {
    // Its `;` cannot be told from the ones between statements: the
    // `UPDATE u` may be inside the body, so it is not read on its own.
    let statements = read_sql(
        "UPDATE v SET c = 3; CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = 1 junk; END; UPDATE u SET b = 2",
        Dialect::Sqlite,
    );
    assert_eq!(statements.len(), 2, "{statements:#?}");
    assert!(matches!(statements[0].kind, StatementKind::Data { .. }));
    assert!(matches!(statements[1].kind, StatementKind::Unparsed { .. }));
    assert!(statements[1].text.ends_with("UPDATE u SET b = 2"));
}

#[test]
fn a_schema_qualified_name_keeps_only_its_last_part() {
    assert_eq!(
        super::op(
            "ALTER TABLE app.\"User\" DROP COLUMN email",
            Dialect::Postgres
        ),
        OpKind::DropColumn {
            table: lit("User"),
            column: lit("email"),
        }
    );
}

#[test]
fn generic_and_sqlite_dialects_keep_names_as_written() {
    for dialect in [Dialect::Generic, Dialect::Sqlite] {
        assert_eq!(
            super::op("DROP TABLE Users", dialect),
            OpKind::DropTable {
                table: lit("Users")
            }
        );
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let sql = format!("SELECT {}1{}", "(".repeat(5_000), ")".repeat(5_000));
    assert!(matches!(
        one(&sql, Dialect::Postgres),
        StatementKind::Unparsed { .. }
    ));
}

#[test]
fn many_statements_are_read_one_by_one() {
    let sql = "UPDATE t SET a = 1; REINDEX TABLE t; ".repeat(2_000);
    let statements = read_sql(&sql, Dialect::Postgres);
    assert_eq!(statements.len(), 4_000);
    assert_eq!(statements[3_999].text, "REINDEX TABLE t");
}

#[test]
fn thousands_of_sub_commands_share_a_shortened_text() {
    let sql = format!(
        "ALTER TABLE t {}",
        (0..5_000)
            .map(|i| format!("ADD COLUMN c{i} int"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let statements = read_sql(&sql, Dialect::Postgres);
    assert_eq!(statements.len(), 5_000);
    assert!(
        statements
            .iter()
            .all(|s| s.text.len() <= 1_004 && s.text.ends_with(" ..."))
    );
    assert!(sql.starts_with(statements[0].text.trim_end_matches(" ...")));
}

/// SQL-looking strings: fragments that exercise every path (the parser,
/// the fallback, quotes, comments, `;`, blocks) glued at random.
fn sql_like() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        Just("CREATE ".to_owned()),
        Just("INDEX ".to_owned()),
        Just("CONCURRENTLY ".to_owned()),
        Just("DROP ".to_owned()),
        Just("ALTER TABLE t ".to_owned()),
        Just("ADD COLUMN a int ".to_owned()),
        Just("REINDEX ".to_owned()),
        Just("VACUUM ".to_owned()),
        Just("CLUSTER ".to_owned()),
        Just("BEGIN ".to_owned()),
        Just("END ".to_owned()),
        Just("SET lock_timeout = ".to_owned()),
        Just("TYPE x ADD VALUE ".to_owned()),
        Just("( ".to_owned()),
        Just(") ".to_owned()),
        Just("; ".to_owned()),
        Just(", ".to_owned()),
        Just(". ".to_owned()),
        Just("'s' ".to_owned()),
        Just("\"q\" ".to_owned()),
        Just("`b` ".to_owned()),
        Just("$$ x $$ ".to_owned()),
        Just("-- c\n".to_owned()),
        Just("/* c */ ".to_owned()),
        Just("é ".to_owned()),
        "[a-z]{1,6} ",
        any::<String>(),
    ];
    prop::collection::vec(fragment, 0..24).prop_map(|parts| parts.concat())
}

fn dialect() -> impl Strategy<Value = Dialect> {
    prop_oneof![
        Just(Dialect::Postgres),
        Just(Dialect::MySql),
        Just(Dialect::Sqlite),
        Just(Dialect::Generic),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn never_panics_and_every_text_comes_from_the_input(sql in sql_like(), dialect in dialect()) {
        for statement in read_sql(&sql, dialect) {
            prop_assert!(!statement.text.is_empty());
            prop_assert!(sql.contains(statement.text.trim_end_matches(" ...")));
        }
    }

    #[test]
    fn never_panics_on_arbitrary_text(sql in any::<String>(), dialect in dialect()) {
        let _ = read_sql(&sql, dialect);
    }
}
