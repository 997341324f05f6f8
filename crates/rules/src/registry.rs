//! The rule registry: every check `alembic-doctor check` can report, with a
//! stable kebab-case name (used on the command line, in configuration and in
//! JSON output), a default severity and the text `alembic-doctor explain`
//! prints. Names never change once released; add new rules instead.

use std::fmt;
use std::str::FromStr;

/// How bad a finding is. Ordered: `Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth fixing; the chain still works.
    Warning,
    /// Alembic would fail, or would silently do something other than intended.
    Error,
}

impl Severity {
    /// The lower-case name used in output and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "unknown severity `{other}` (expected `error` or `warning`)"
            )),
        }
    }
}

/// Which databases a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// The migration chain itself: every project.
    Chain,
    /// What a migration does, on any database.
    AnyDatabase,
    /// What a migration does, on PostgreSQL.
    Postgres,
    /// What a migration does, on MySQL and MariaDB.
    MySql,
    /// What a migration does, on PostgreSQL or MySQL.
    PostgresMySql,
    /// What a branch does to the base branch's revisions: only `compare`
    /// and `report`, which read both sides, find these.
    Comparison,
    /// What a database's version table says against the code: only
    /// `status`, which reads the database, finds these.
    Database,
}

impl Scope {
    /// A rule about the chain's shape (its own, or against the base
    /// branch's), not about what a migration does to a database.
    pub fn is_chain(self) -> bool {
        matches!(self, Scope::Chain | Scope::Comparison)
    }

    /// How the README and `explain` name the scope.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Chain => "chain",
            Scope::AnyDatabase => "any database",
            Scope::Postgres => "PostgreSQL",
            Scope::MySql => "MySQL",
            Scope::PostgresMySql => "PostgreSQL, MySQL",
            Scope::Comparison => "branch comparison",
            Scope::Database => "database status",
        }
    }
}

macro_rules! rules {
    ($($variant:ident => $name:literal, $severity:ident, $scope:ident, $module:ident;)*) => {
        /// Every rule `check` knows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl Rule {
            /// All rules, in documentation order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            /// The stable kebab-case name.
            pub fn name(self) -> &'static str {
                match self { $(Rule::$variant => $name),* }
            }

            /// The severity a finding of this rule has unless configured otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $(Rule::$variant => Severity::$severity),* }
            }

            /// The databases the rule is about.
            pub fn scope(self) -> Scope {
                match self { $(Rule::$variant => Scope::$scope),* }
            }

            /// What the rule checks, why it matters and how to fix it (Markdown).
            pub fn explanation(self) -> &'static str {
                match self { $(Rule::$variant => crate::rules::$module::EXPLANATION),* }
            }
        }

        impl FromStr for Rule {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok(Rule::$variant),)*
                    other => Err(match Rule::closest(other) {
                        Some(rule) => format!(
                            "unknown rule `{other}`; did you mean `{rule}`? \
                             `alembic-doctor explain --list` lists every rule"
                        ),
                        None => format!(
                            "unknown rule `{other}`; `alembic-doctor explain --list` lists every rule"
                        ),
                    }),
                }
            }
        }
    };
}

rules! {
    SyntaxError => "syntax-error", Error, Chain, syntax_error;
    ImportError => "import-error", Error, Chain, import_error;
    UnreadableFile => "unreadable-file", Error, Chain, unreadable_file;
    MissingVersionLocation => "missing-version-location", Error, Chain, missing_version_location;
    MissingRevision => "missing-revision", Error, Chain, missing_revision;
    MissingDownRevision => "missing-down-revision", Error, Chain, missing_down_revision;
    NonLiteralValue => "non-literal-value", Error, Chain, non_literal_value;
    InvalidRevisionId => "invalid-revision-id", Error, Chain, invalid_revision_id;
    DuplicateRevision => "duplicate-revision", Error, Chain, duplicate_revision;
    MissingParent => "missing-parent", Error, Chain, missing_parent;
    MissingDependency => "missing-dependency", Error, Chain, missing_dependency;
    SelfReference => "self-reference", Error, Chain, self_reference;
    Cycle => "cycle", Error, Chain, cycle;
    BranchLabelConflict => "branch-label-conflict", Error, Chain, branch_label_conflict;
    MultipleHeads => "multiple-heads", Error, Chain, multiple_heads;
    MultipleBases => "multiple-bases", Warning, Chain, multiple_bases;
    HeaderMismatch => "header-mismatch", Warning, Chain, header_mismatch;
    FilenameMismatch => "filename-mismatch", Warning, Chain, filename_mismatch;
    HashDependentOrder => "hash-dependent-order", Warning, Chain, hash_dependent_order;
    LoadedTwice => "loaded-twice", Warning, Chain, loaded_twice;
    RemovedRevision => "removed-revision", Error, Comparison, removed_revision;
    EditedRevision => "edited-revision", Warning, Comparison, edited_revision;
    DatabaseUnknownRevision => "database-unknown-revision", Error, Database, database_unknown_revision;
    DatabaseOverlappingRevisions => "database-overlapping-revisions", Error, Database, database_overlapping_revisions;
    UnusedSuppression => "unused-suppression", Warning, AnyDatabase, unused_suppression;
    AddColumnNotNullWithoutDefault => "add-column-not-null-without-default", Error, AnyDatabase, add_column_not_null_without_default;
    VolatileDefault => "volatile-default", Warning, PostgresMySql, volatile_default;
    SetNotNull => "set-not-null", Warning, PostgresMySql, set_not_null;
    NotNullWithoutBackfill => "not-null-without-backfill", Error, AnyDatabase, not_null_without_backfill;
    CreateIndexNotConcurrently => "create-index-not-concurrently", Warning, Postgres, create_index_not_concurrently;
    ConcurrentlyOutsideAutocommitBlock => "concurrently-outside-autocommit-block", Error, Postgres, concurrently_outside_autocommit_block;
    DropIndexNotConcurrently => "drop-index-not-concurrently", Warning, Postgres, drop_index_not_concurrently;
    AddForeignKeyValidating => "add-foreign-key-validating", Warning, PostgresMySql, add_foreign_key_validating;
    AddCheckConstraintValidating => "add-check-constraint-validating", Warning, PostgresMySql, add_check_constraint_validating;
    AddUniqueConstraintLocking => "add-unique-constraint-locking", Warning, Postgres, add_unique_constraint_locking;
    AlterColumnType => "alter-column-type", Warning, PostgresMySql, alter_column_type;
    RenameTable => "rename-table", Warning, AnyDatabase, rename_table;
    RenameColumn => "rename-column", Warning, AnyDatabase, rename_column;
    DropTable => "drop-table", Warning, AnyDatabase, drop_table;
    DropColumn => "drop-column", Warning, AnyDatabase, drop_column;
    EnumValueChange => "enum-value-change", Warning, PostgresMySql, enum_value_change;
    BatchModeOnServerDatabase => "batch-mode-on-server-database", Warning, PostgresMySql, batch_mode_on_server_database;
    LockTable => "lock-table", Warning, PostgresMySql, lock_table;
    MysqlMultipleDdl => "mysql-multiple-ddl", Warning, MySql, mysql_multiple_ddl;
    MysqlAlterColumnDropsNotNull => "mysql-alter-column-drops-not-null", Error, MySql, mysql_alter_column_drops_not_null;
    MissingLockTimeout => "missing-lock-timeout", Warning, PostgresMySql, missing_lock_timeout;
    BackfillWithDdl => "backfill-with-ddl", Warning, Postgres, backfill_with_ddl;
    DowngradeIncomplete => "downgrade-incomplete", Warning, AnyDatabase, downgrade_incomplete;
    DowngradeEmpty => "downgrade-empty", Warning, AnyDatabase, downgrade_empty;
    InvalidOpCall => "invalid-op-call", Error, AnyDatabase, invalid_op_call;
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Rule {
    /// The first line of the explanation: a one-sentence summary.
    pub fn summary(self) -> &'static str {
        let text = self.explanation();
        let body = text
            .split("## What it does")
            .nth(1)
            .unwrap_or(text)
            .trim_start();
        body.split("\n\n").next().unwrap_or(body).trim()
    }

    /// The summary's first sentence on one line, for `explain --list`.
    pub fn headline(self) -> String {
        let one_line = self
            .summary()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        match one_line.find(". ") {
            Some(end) => one_line[..=end].trim_end().to_owned(),
            None => one_line,
        }
    }
}

impl Rule {
    /// The rule whose name is nearest to a misspelt `name` (a typo, a
    /// missing or extra dash, `_` for `-`, another case), if one is close
    /// enough to be what was meant.
    pub fn closest(name: &str) -> Option<Rule> {
        let wanted = name.to_ascii_lowercase().replace('_', "-");
        // A third of the name's length, at least 1 and at most 3 edits:
        // `duplicate-revison` finds `duplicate-revision`, `drop` finds
        // nothing rather than an arbitrary short rule.
        let limit = (wanted.chars().count() / 3).clamp(1, 3);
        Rule::ALL
            .iter()
            .map(|rule| (edit_distance(&wanted, rule.name()), *rule))
            .filter(|(distance, _)| *distance <= limit)
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, rule)| rule)
    }
}

/// Levenshtein distance (insertions, deletions, substitutions), counted in
/// characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_names_suggest_the_rule_meant() {
        assert_eq!(
            Rule::closest("duplicate-revison"),
            Some(Rule::DuplicateRevision)
        );
        assert_eq!(Rule::closest("Multiple_Heads"), Some(Rule::MultipleHeads));
        assert_eq!(Rule::closest("drop-colum"), Some(Rule::DropColumn));
        assert_eq!(Rule::closest("no-such-rule"), None);
        assert_eq!(Rule::closest("x"), None);
        let error = "duplicate-revison".parse::<Rule>().unwrap_err();
        assert!(
            error.contains("did you mean `duplicate-revision`?") && error.contains("--list"),
            "{error}"
        );
        let error = "no-such-rule".parse::<Rule>().unwrap_err();
        assert!(!error.contains("did you mean"), "{error}");
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("cycle", "cycle"), 0);
        assert_eq!(edit_distance("cycl", "cycle"), 1);
        assert_eq!(edit_distance("cxcle", "cycle"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn names_round_trip() {
        for rule in Rule::ALL {
            assert_eq!(rule.name().parse::<Rule>(), Ok(*rule));
        }
    }

    #[test]
    fn names_are_kebab_case() {
        for rule in Rule::ALL {
            assert!(
                rule.name()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{rule}"
            );
        }
    }

    #[test]
    fn every_explanation_follows_the_template() {
        for rule in Rule::ALL {
            let text = rule.explanation();
            for heading in ["## What it does", "## Why is this bad?", "## How to fix"] {
                assert!(text.contains(heading), "{rule} lacks `{heading}`");
            }
            assert!(!rule.summary().is_empty(), "{rule}");
        }
    }
}
