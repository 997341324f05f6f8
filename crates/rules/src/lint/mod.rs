//! Safety lints: what the migrations do to a live database, with the whole
//! history replayed as context.
//!
//! [`lint`] walks the revisions in upgrade order. Every revision's
//! operations are replayed into a [`catalogue::Catalogue`] of the schema;
//! the revisions being linted are checked operation by operation against
//! the catalogue as it stood just before, so that a rule can ask "did this
//! table exist before the revisions being checked?". Revisions whose
//! stored operations never name a table the linted revisions touch cannot
//! change the answers and are not decoded, which keeps linting one new
//! revision on a long history cheap.

mod backfill;
pub(crate) mod catalogue;
pub(crate) mod drops;
pub(crate) mod mysql_varchar;
mod renames;
mod settings;
pub(crate) mod steps;
mod suppress;

use std::collections::BTreeSet;

use alembic_doctor_graph::RevIdx;
use alembic_doctor_project::Project;
use alembic_doctor_script::{Name, OpKind, Operations};
use alembic_doctor_sql::{DataAction, EnumAction, StatementKind, TransactionControl};
use rayon::prelude::*;

use crate::rules;
use crate::{Finding, Rule};
pub use backfill::{AddedColumn, added_columns};
use catalogue::Catalogue;
use drops::LastDrops;
pub use settings::{DEFAULT_POSTGRES_VERSION, Dialect, FailOnSetting, LintSettings, ToolConfig};
use steps::{Action, Step};
use suppress::Suppressions;

/// Which revisions to lint.
#[derive(Debug, Clone)]
pub enum LintScope {
    /// Every revision.
    All,
    /// These revision ids (new or edited relative to the base branch); the
    /// rest of the history is context only.
    Revisions(BTreeSet<String>),
    /// One flag per revision of the project's map, `true` for those to
    /// lint: [`LintScope::Revisions`] for a caller that has worked out the
    /// revisions rather than their ids (on a long history, a set of every
    /// id cost more to build, search and free than the lints' setup).
    Flags(Vec<bool>),
}

/// Facts about the project outside the version files.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// `env.py` sets `lock_timeout` (PostgreSQL) or `lock_wait_timeout`
    /// (MySQL) for the migration's connection.
    pub env_sets_lock_timeout: bool,
}

impl Environment {
    /// Read what matters from `env.py`'s bytes: its string literals (never
    /// its comments) mentioning a lock timeout.
    pub fn from_env_py(bytes: &[u8]) -> Self {
        let env_sets_lock_timeout = alembic_doctor_script::string_literals(bytes)
            .iter()
            .any(|text| text.contains("lock_timeout") || text.contains("lock_wait_timeout"));
        Self {
            env_sets_lock_timeout,
        }
    }
}

/// One linted revision, for the rules that look at a revision as a whole.
pub(crate) struct RevisionLint<'a> {
    pub(crate) id: &'a str,
    pub(crate) file: usize,
    /// The functions' flags and the calls that are not operations (the
    /// operations themselves are in the steps).
    pub(crate) operations: &'a Operations,
    pub(crate) upgrade: &'a [Step],
    pub(crate) downgrade: &'a [Step],
    /// For each upgrade step: it changes a table that existed before the
    /// revisions being checked.
    pub(crate) on_existing: Vec<bool>,
    pub(crate) settings: &'a LintSettings,
    pub(crate) environment: &'a Environment,
    /// The revision merges several parents.
    pub(crate) merge: bool,
}

impl RevisionLint<'_> {
    /// A finding of `rule` about this revision at `span`.
    pub(crate) fn finding(
        &self,
        rule: Rule,
        span: alembic_doctor_source::Span,
        message: String,
        label: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Finding {
        Finding::new(rule, message)
            .at(self.file, span, label)
            .revision(self.id)
    }
}

/// One upgrade step being linted, with the schema as it stood before it.
pub(crate) struct OpLint<'a> {
    pub(crate) revision: &'a RevisionLint<'a>,
    pub(crate) step: &'a Step,
    pub(crate) catalogue: &'a Catalogue,
    /// The step before this one in the same function.
    pub(crate) previous: Option<&'a Step>,
    /// This step's position in its function.
    position: usize,
    /// An earlier step ended the migration's transaction by hand (and none
    /// began another since): where.
    pub(crate) outside_transaction: Option<alembic_doctor_source::Span>,
    /// What the function's steps drop, and where.
    drops: &'a LastDrops<'a>,
    /// The steps before this one in the same function.
    earlier: &'a [Step],
    /// The steps after this one in the same function.
    later: &'a [Step],
    rev: RevIdx,
    fresh: &'a RevFlags,
}

impl OpLint<'_> {
    /// `table` existed before the revisions being checked: created by an
    /// older revision, or by something the history does not show. A table
    /// named at run time may well exist.
    pub(crate) fn existing_table(&self, table: &Name) -> bool {
        match self.catalogue.table(table) {
            Some(known) => known
                .created_by
                .is_none_or(|by| by != self.rev && !self.fresh.contains(by)),
            None => true,
        }
    }

    /// A later step of this revision drops `table` (under this name): what
    /// this step takes away from it goes with it, and `drop-table` reports
    /// that.
    pub(crate) fn dropped_later(&self, table: &Name) -> bool {
        self.drops.table_after(table, self.position)
    }

    /// `table` may hold rows: it existed before the revisions being
    /// checked, or they put rows in it (`op.bulk_insert`, `INSERT`) since
    /// they created it. A table they created and filled nothing into is
    /// empty.
    pub(crate) fn may_have_rows(&self, table: &Name) -> bool {
        self.existing_table(table)
            || self
                .catalogue
                .table(table)
                .is_some_and(|known| known.rows_added)
    }

    /// Renaming the table `from` to `to` here takes no name away from
    /// code deployed before the revision: `from` was given by an earlier
    /// step, or a later one renames the table back to `from`.
    pub(crate) fn table_rename_is_internal(&self, from: &Name, to: &Name) -> bool {
        renames::table_named_earlier(self.earlier, from)
            || renames::table_renamed_back(self.later, from, to)
    }

    /// The same for renaming `table.column` to `new_name`.
    pub(crate) fn column_rename_is_internal(
        &self,
        table: &Name,
        column: &Name,
        new_name: &Name,
    ) -> bool {
        renames::column_named_earlier(self.earlier, table, column)
            || renames::column_renamed_back(self.later, table, column, new_name)
    }

    /// `table.column` existed before the revisions being checked.
    pub(crate) fn existing_column(&self, table: &Name, column: &Name) -> bool {
        if !self.existing_table(table) {
            return false;
        }
        match self.catalogue.column(table, column) {
            Some(state) => state
                .added_by
                .is_none_or(|by| by != self.rev && !self.fresh.contains(by)),
            None => true,
        }
    }

    /// A finding of `rule` at this step. For a step read from raw SQL the
    /// statement is quoted, so that the finding says which one.
    pub(crate) fn finding(
        &self,
        rule: Rule,
        message: String,
        label: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Finding {
        let message = match &self.step.sql {
            Some(sql) => format!("{message} (in raw SQL: `{}`)", shorten(sql)),
            None => message,
        };
        self.revision.finding(rule, self.step.span, message, label)
    }

    /// The table this step changes, when it changes one.
    pub(crate) fn table(&self) -> Option<&Name> {
        step_table(self.step)
    }
}

/// A rule's check of one upgrade step.
type OpCheck = fn(&OpLint<'_>, &mut Vec<Finding>);

/// A rule's check of a linted revision as a whole.
type RevisionCheck = fn(&RevisionLint<'_>, &mut Vec<Finding>);

/// Each rule with its module's check (which reports that rule only), so
/// that the checks of rules that do not run (another database's, or left
/// out by `select`/`ignore`) are skipped rather than run and their
/// findings dropped.
macro_rules! checks {
    ($($module:ident => $rule:ident,)*) => {
        &[$((Rule::$rule, stringify!($module), rules::$module::check),)*]
    };
}

/// Rules run on each upgrade step of a linted revision.
const OP_RULES: &[(Rule, &str, OpCheck)] = checks! {
    add_column_not_null_without_default => AddColumnNotNullWithoutDefault,
    volatile_default => VolatileDefault,
    set_not_null => SetNotNull,
    not_null_without_backfill => NotNullWithoutBackfill,
    create_index_not_concurrently => CreateIndexNotConcurrently,
    concurrently_outside_autocommit_block => ConcurrentlyOutsideAutocommitBlock,
    drop_index_not_concurrently => DropIndexNotConcurrently,
    add_foreign_key_validating => AddForeignKeyValidating,
    add_check_constraint_validating => AddCheckConstraintValidating,
    add_unique_constraint_locking => AddUniqueConstraintLocking,
    alter_column_type => AlterColumnType,
    mysql_alter_column_drops_not_null => MysqlAlterColumnDropsNotNull,
    rename_table => RenameTable,
    rename_column => RenameColumn,
    drop_table => DropTable,
    drop_column => DropColumn,
    enum_value_change => EnumValueChange,
    batch_mode_on_server_database => BatchModeOnServerDatabase,
    lock_table => LockTable,
};

/// Rules run once per linted revision, after its steps.
const REVISION_RULES: &[(Rule, &str, RevisionCheck)] = checks! {
    mysql_multiple_ddl => MysqlMultipleDdl,
    missing_lock_timeout => MissingLockTimeout,
    backfill_with_ddl => BackfillWithDdl,
    downgrade_empty => DowngradeEmpty,
    downgrade_incomplete => DowngradeIncomplete,
    invalid_op_call => InvalidOpCall,
};

/// The checks of the rules in `table` that run with `settings`.
fn enabled<C: Copy>(table: &[(Rule, &str, C)], settings: &LintSettings) -> Vec<C> {
    table
        .iter()
        .filter(|(rule, _, _)| settings.runs(*rule))
        .map(|&(_, _, check)| check)
        .collect()
}

/// Lint the revisions of `scope`, replaying the whole history as context.
/// Findings come sorted by file and position; suppressed ones are gone.
pub fn lint(
    project: &Project,
    settings: &LintSettings,
    scope: &LintScope,
    environment: &Environment,
) -> Vec<Finding> {
    let map = &project.map;
    let count = map.revisions().len();
    // A broken chain has no upgrade order; file order is the best context
    // left (the chain rules report why).
    let order = map.upgrade_order().unwrap_or_else(|_| (0..count).collect());
    let linted = RevFlags(match scope {
        LintScope::All => vec![true; count],
        LintScope::Revisions(ids) => map
            .revisions()
            .iter()
            .map(|input| ids.contains(&input.id))
            .collect(),
        LintScope::Flags(flags) => flags.clone(),
    });
    let linted_count = linted.0.iter().filter(|&&flag| flag).count();
    if linted_count == 0 {
        return Vec::new();
    }
    // With every revision linted, each one is checked against everything
    // before it; otherwise the linted revisions ship together, and a table
    // one of them creates is new to all of them.
    let fresh = match scope {
        LintScope::All => RevFlags(Vec::new()),
        LintScope::Revisions(_) | LintScope::Flags(_) => RevFlags(linted.0.clone()),
    };
    // From the parse made while loading, or from the cache (no file is
    // read or parsed again), with the steps they take on the dialect.
    let prepare = |rev: RevIdx| {
        Prepared::new(
            project.file_of(rev).operations(),
            &linted,
            rev,
            settings.dialect,
        )
    };
    let mut linter = Linter {
        project,
        settings,
        environment,
        fresh: &fresh,
        catalogue: Catalogue::for_dialect(settings.dialect),
        findings: Vec::new(),
        op_checks: enabled(OP_RULES, settings),
        revision_checks: enabled(REVISION_RULES, settings),
    };
    // When most revisions are linted, every file is read anyway: in chunks
    // of the upgrade order, prepared in parallel and dropped once replayed,
    // so memory stays bounded on a long history. The replay is in order, on
    // this thread, while the pool prepares the next chunk from a thread of
    // its own. That thread waits for the pool: were this called from a pool
    // worker, with every worker waiting the same way, it would wait for
    // ever. Every caller is outside the pool (`rayon::join`, which is safe
    // inside it, measured a tenth slower on 100,000 revisions).
    let most = linted_count.saturating_mul(2) >= count;
    if most {
        debug_assert!(
            rayon::current_thread_index().is_none(),
            "the lints are run from outside the thread pool"
        );
        let prepare_chunk = |chunk: &[RevIdx]| -> Vec<Prepared> {
            chunk.par_iter().map(|&rev| prepare(rev)).collect()
        };
        // One thread prepares the chunks in order, each while the previous
        // one is replayed (the channel holds none: it hands a chunk over
        // when the replay asks for it).
        let order = order.as_slice();
        std::thread::scope(|scope| {
            let (sender, ready) = std::sync::mpsc::sync_channel(0);
            let producer = scope.spawn(move || {
                for chunk in order.chunks(CHUNK) {
                    if sender.send(prepare_chunk(chunk)).is_err() {
                        // The replay stopped (it panicked).
                        return;
                    }
                }
            });
            for (index, (chunk, current)) in order.chunks(CHUNK).zip(ready).enumerate() {
                for (&rev, prepared) in chunk.iter().zip(&current) {
                    linter.visit(rev, prepared);
                }
                if index == 0 {
                    linter.reserve_at_first_chunk_rate(chunk.len(), order.len());
                }
                // Freed by the pool, whose threads allocated it: freeing
                // another thread's memory one block at a time was a third
                // of this thread's time.
                rayon::spawn(move || drop(current));
            }
            producer
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        });
    } else {
        // A few revisions: read them first, then only the history that
        // names a table they touch.
        let linted_prepared: Vec<(RevIdx, Prepared)> = (0..count)
            .into_par_iter()
            .filter(|&rev| linted.contains(rev))
            .map(|rev| (rev, prepare(rev)))
            .collect();
        let names = touched_tables(linted_prepared.iter().map(|(_, prepared)| prepared));
        let context_prepared: Vec<(RevIdx, Prepared)> = order
            .par_iter()
            .filter(|&&rev| !linted.contains(rev))
            .filter(|&&rev| {
                names.as_ref().is_none_or(|names| {
                    project
                        .file_of(rev)
                        .may_mention_any(names.iter().map(String::as_str))
                })
            })
            .map(|&rev| (rev, prepare(rev)))
            .collect();
        let mut prepared: Vec<Option<Prepared>> = (0..count).map(|_| None).collect();
        for (rev, each) in linted_prepared.into_iter().chain(context_prepared) {
            prepared[rev] = Some(each);
        }
        for &rev in &order {
            if let Some(each) = &prepared[rev] {
                linter.visit(rev, each);
            }
        }
    }
    let Linter {
        mut findings,
        catalogue,
        ..
    } = linter;
    // The schema of the whole history is freed while the findings are
    // sorted and written.
    rayon::spawn(move || drop(catalogue));
    crate::sort_findings(&mut findings);
    findings
}

/// A set of revisions, as a flag per revision (the replay asks about
/// every step).
struct RevFlags(Vec<bool>);

impl RevFlags {
    fn contains(&self, rev: RevIdx) -> bool {
        self.0.get(rev).copied().unwrap_or(false)
    }
}

/// Revisions read and replayed at a time when most are linted (small
/// enough that the workers' memory is reused from chunk to chunk).
const CHUNK: usize = 512;

/// One revision's operations and the steps they take on the dialect,
/// worked out in parallel before the replay (which is in order).
struct Prepared {
    operations: Operations,
    upgrade: Vec<Step>,
    /// Only for a linted revision: the context never looks at it.
    downgrade: Option<Vec<Step>>,
}

impl Prepared {
    /// The steps take the operations out of `operations` (the rules read
    /// the steps, and only the functions' other calls and flags there).
    fn new(mut operations: Operations, linted: &RevFlags, rev: RevIdx, dialect: Dialect) -> Self {
        let steps = |function: &mut Option<alembic_doctor_script::Function>| {
            function
                .as_mut()
                .map(|function| steps::take_steps(function, dialect))
                .unwrap_or_default()
        };
        Self {
            upgrade: steps(&mut operations.upgrade),
            downgrade: linted
                .contains(rev)
                .then(|| steps(&mut operations.downgrade)),
            operations,
        }
    }

    /// Every step, upgrade and downgrade.
    fn all_steps(&self) -> impl Iterator<Item = &Step> {
        self.upgrade.iter().chain(self.downgrade.iter().flatten())
    }
}

/// The replay in progress: the catalogue so far and the findings.
struct Linter<'a> {
    /// The checks of the rules that run.
    op_checks: Vec<OpCheck>,
    revision_checks: Vec<RevisionCheck>,
    project: &'a Project,
    settings: &'a LintSettings,
    environment: &'a Environment,
    fresh: &'a RevFlags,
    catalogue: Catalogue,
    findings: Vec<Finding>,
}

impl Linter<'_> {
    /// Replay revision `rev` (the next in upgrade order), linting it first
    /// when it is one of the linted revisions.
    fn visit(&mut self, rev: RevIdx, prepared: &Prepared) {
        let (project, settings) = (self.project, self.settings);
        let Prepared {
            operations: ops,
            upgrade,
            downgrade,
        } = prepared;
        // Only a linted revision has its downgrade's steps.
        let Some(downgrade) = downgrade else {
            replay(&mut self.catalogue, rev, upgrade);
            return;
        };
        let file = project.revision_files[rev];
        let input = &project.map.revisions()[rev];
        let mut revision = RevisionLint {
            id: &input.id,
            file,
            operations: ops,
            upgrade,
            downgrade,
            on_existing: Vec::new(),
            settings,
            environment: self.environment,
            merge: input.down_revisions.len() > 1,
        };
        // This revision's findings go straight after the others' (one
        // vector for the whole replay, not one per revision).
        let found = &mut self.findings;
        let first = found.len();
        let mut on_existing = Vec::with_capacity(upgrade.len());
        let drops = LastDrops::of(upgrade.iter().map(Step::op));
        let mut outside_transaction = None;
        for (i, step) in upgrade.iter().enumerate() {
            if let Action::Transaction { open } = step.action {
                outside_transaction = (!open).then_some(step.span);
            }
            let lint = OpLint {
                outside_transaction,
                revision: &revision,
                step,
                catalogue: &self.catalogue,
                previous: i.checked_sub(1).map(|p| &upgrade[p]),
                position: i,
                drops: &drops,
                earlier: &upgrade[..i],
                later: &upgrade[i + 1..],
                rev,
                fresh: self.fresh,
            };
            // Creating a table never waits on one; anything else that names
            // a table the history does not know is taken to exist.
            let creates = matches!(step.op(), Some(OpKind::CreateTable { .. }));
            // `DROP INDEX ix` in SQL names no table: it may be any.
            let unknown_table = matches!(step.op(), Some(OpKind::DropIndex { table: None, .. }));
            on_existing.push(
                !creates
                    && (unknown_table
                        || lint.table().is_some_and(|table| lint.existing_table(table))),
            );
            for check in &self.op_checks {
                check(&lint, found);
            }
            replay(&mut self.catalogue, rev, std::slice::from_ref(step));
        }
        revision.on_existing = on_existing;
        for check in &self.revision_checks {
            check(&revision, found);
        }
        // Only the checks of rules that run ran; this keeps it so should a
        // check ever report another rule.
        retain_from(found, first, |finding| settings.runs(finding.rule));
        // Without a directive, neither the file's bytes nor its line index
        // (a cached file's script decoded) are needed.
        if ops.comments.iter().any(suppress::may_be_directive) {
            let project_file = &project.files[file];
            let mut suppressions = Suppressions::new(
                &ops.comments,
                || project_file.bytes.get(),
                project_file.line_index(),
            );
            retain_from(found, first, |finding| {
                !suppressions.suppresses(finding, project_file.line_index())
            });
            if settings.runs(Rule::UnusedSuppression) {
                found.extend(suppressions.unused(file, &input.id));
            }
        }
    }

    /// Room for the findings of the whole replay, at the rate of the first
    /// `replayed` of `total` revisions (and a little more, for the chain's
    /// findings that join them): a long history's findings take tens of
    /// megabytes, which doubling copied and wrote into fresh memory twice
    /// over. Room never written is never touched.
    fn reserve_at_first_chunk_rate(&mut self, replayed: usize, total: usize) {
        // At most a million findings ahead (~150 MB of address space): a
        // first chunk far busier than the rest must not reserve gigabytes.
        const MOST: usize = 1_000_000;
        let expected = self.findings.len().saturating_mul(total) / replayed.max(1);
        let wanted = (expected + expected / 8 + 64).min(MOST);
        self.findings
            .reserve(wanted.saturating_sub(self.findings.len()));
    }
}

/// Keep the findings from `first` on for which `keep` holds, in order
/// (those before `first` are another revision's, already decided).
fn retain_from(findings: &mut Vec<Finding>, first: usize, mut keep: impl FnMut(&Finding) -> bool) {
    let mut kept = first;
    for i in first..findings.len() {
        if keep(&findings[i]) {
            findings.swap(kept, i);
            kept += 1;
        }
    }
    findings.truncate(kept);
}

/// Apply steps of revision `rev` to the catalogue.
fn replay(catalogue: &mut Catalogue, rev: RevIdx, steps: &[Step]) {
    for step in steps {
        match &step.action {
            Action::Op(kind) => catalogue.apply(rev, kind),
            Action::Data {
                table,
                columns,
                update,
                inserts,
                constants,
            } => {
                if *inserts {
                    catalogue.rows_added(table);
                }
                // Inserts and deletes fill no existing row's column.
                if *update {
                    match columns {
                        Some(columns) => catalogue.filled_columns(table, columns, constants),
                        None => catalogue.filled(Some(table)),
                    }
                }
            }
            // What the reader cannot see may have filled anything (but is
            // not taken to have put rows in a new table: in doubt, a new
            // table is empty).
            Action::Opaque => catalogue.filled(None),
            Action::SetLockTimeout
            | Action::EnumChange { .. }
            | Action::Transaction { .. }
            | Action::LockTable { .. }
            | Action::Quiet => {}
        }
    }
}

/// The raw SQL of `op.execute`, as steps: each statement read for the
/// project's dialect, schema changes as the operations `op.*` would give,
/// so that both spellings meet the same rules.
fn raw_sql(text: &str, dialect: Dialect) -> Vec<(Action, String)> {
    let dialect = match dialect {
        Dialect::Postgres => alembic_doctor_sql::Dialect::Postgres,
        Dialect::MySql => alembic_doctor_sql::Dialect::MySql,
        Dialect::Sqlite => alembic_doctor_sql::Dialect::Sqlite,
        Dialect::Other => alembic_doctor_sql::Dialect::Generic,
    };
    alembic_doctor_sql::read_sql(text, dialect)
        .into_iter()
        .map(|statement| (action(statement.kind), statement.text))
        .collect()
}

/// What a SQL statement means to the rules.
fn action(kind: StatementKind) -> Action {
    match kind {
        StatementKind::Op(kind) => Action::Op(kind),
        StatementKind::Data {
            action,
            table,
            columns,
            constants,
            ..
        } => Action::Data {
            table,
            columns: (!columns.is_empty()).then_some(columns),
            update: matches!(action, DataAction::Update | DataAction::Merge),
            inserts: matches!(action, DataAction::Insert | DataAction::Merge),
            constants,
        },
        StatementKind::SetTimeout { setting, .. } if setting.contains("lock") => {
            Action::SetLockTimeout
        }
        StatementKind::AlterEnum { type_name, action } => match action {
            EnumAction::AddValue { value, .. } => Action::EnumChange {
                description: format!("enum type `{type_name}` gets the value '{value}'"),
                add_value: true,
            },
            EnumAction::RenameValue { from, to } => Action::EnumChange {
                description: format!(
                    "value '{from}' of enum type `{type_name}` is renamed to '{to}'"
                ),
                add_value: false,
            },
        },
        StatementKind::Transaction(TransactionControl::Commit) => {
            Action::Transaction { open: false }
        }
        StatementKind::Transaction(TransactionControl::Begin) => Action::Transaction { open: true },
        StatementKind::LockTable { table, mode } => Action::LockTable { table, mode },
        StatementKind::Unparsed { .. } => Action::Opaque,
        // The safe recipes (`VALIDATE CONSTRAINT`, `... USING INDEX`),
        // settings, transaction control, enum types, maintenance and
        // statements that change nothing the rules follow.
        StatementKind::ValidateConstraint { .. }
        | StatementKind::ConstraintUsingIndex { .. }
        | StatementKind::SetTimeout { .. }
        | StatementKind::CreateEnum { .. }
        | StatementKind::DropType { .. }
        | StatementKind::Transaction(_)
        | StatementKind::LockingMaintenance { .. }
        | StatementKind::Other { .. } => Action::Quiet,
    }
}

/// The literal table names the linted revisions touch, raw SQL included;
/// `None` when one of them names a table at run time or does something the
/// reader cannot see through (then every file is context).
fn touched_tables<'a>(linted: impl Iterator<Item = &'a Prepared>) -> Option<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    for step in linted.flat_map(Prepared::all_steps) {
        match &step.action {
            Action::Op(OpKind::Other { .. }) | Action::Opaque => return None,
            Action::Op(kind) => {
                for name in kind_tables(kind) {
                    names.insert(name.literal()?.to_owned());
                }
            }
            Action::Data { table, .. } | Action::LockTable { table, .. } => {
                names.insert(table.literal()?.to_owned());
            }
            Action::SetLockTimeout
            | Action::EnumChange { .. }
            | Action::Transaction { .. }
            | Action::Quiet => {}
        }
    }
    Some(names)
}

/// The tables an operation names.
fn kind_tables(kind: &OpKind) -> Vec<&Name> {
    match kind {
        OpKind::CreateTable { table, .. }
        | OpKind::DropTable { table }
        | OpKind::AddColumn { table, .. }
        | OpKind::DropColumn { table, .. }
        | OpKind::AlterColumn { table, .. }
        | OpKind::CreateConstraint { table, .. }
        | OpKind::DropConstraint { table, .. }
        | OpKind::BulkInsert { table } => vec![table],
        OpKind::RenameTable { from, to } => vec![from, to],
        OpKind::CreateIndex(index) => vec![&index.table],
        OpKind::DropIndex { table, .. } => table.iter().collect(),
        OpKind::Execute(_) | OpKind::AddEnumValues { .. } | OpKind::Other { .. } => Vec::new(),
    }
}

/// The table a step changes.
pub(crate) fn step_table(step: &Step) -> Option<&Name> {
    match &step.action {
        Action::Op(kind) => match kind {
            OpKind::RenameTable { from, .. } => Some(from),
            kind => kind_tables(kind).into_iter().next(),
        },
        Action::Data { table, .. } | Action::LockTable { table, .. } => Some(table),
        _ => None,
    }
}

/// SQL on one line, shortened for a message.
fn shorten(sql: &str) -> String {
    const MAX: usize = 80;
    let line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > MAX {
        format!("{}…", line.chars().take(MAX).collect::<String>())
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rule's check is its module's: the tables pair each rule with the
    /// module named after it, so skipping a rule skips only its check.
    #[test]
    fn each_check_is_the_module_of_its_rule() {
        let names = OP_RULES
            .iter()
            .map(|&(rule, module, _)| (rule, module))
            .chain(
                REVISION_RULES
                    .iter()
                    .map(|&(rule, module, _)| (rule, module)),
            );
        for (rule, module) in names {
            assert_eq!(rule.name().replace('-', "_"), module);
        }
    }

    /// Only the checks of the rules that run are called: another
    /// database's rules and those `ignore` leaves out are skipped.
    #[test]
    fn the_checks_of_rules_that_do_not_run_are_left_out() {
        let postgres = LintSettings::default();
        let mysql = LintSettings {
            dialect: Dialect::MySql,
            ..LintSettings::default()
        };
        let ignoring = LintSettings {
            ignore: [Rule::CreateIndexNotConcurrently, Rule::DowngradeEmpty].into(),
            ..LintSettings::default()
        };
        for settings in [&postgres, &mysql, &ignoring] {
            let op_rules = OP_RULES.iter().filter(|(rule, _, _)| settings.runs(*rule));
            let revision_rules = REVISION_RULES
                .iter()
                .filter(|(rule, _, _)| settings.runs(*rule));
            assert_eq!(enabled(OP_RULES, settings).len(), op_rules.count());
            assert_eq!(
                enabled(REVISION_RULES, settings).len(),
                revision_rules.count()
            );
        }
        let names = |table: &[(Rule, &str, RevisionCheck)], settings: &LintSettings| {
            table
                .iter()
                .filter(|(rule, _, _)| settings.runs(*rule))
                .map(|(rule, _, _)| *rule)
                .collect::<Vec<_>>()
        };
        assert!(!names(REVISION_RULES, &postgres).contains(&Rule::MysqlMultipleDdl));
        assert!(names(REVISION_RULES, &mysql).contains(&Rule::MysqlMultipleDdl));
        assert!(!names(REVISION_RULES, &ignoring).contains(&Rule::DowngradeEmpty));
        assert!(enabled(OP_RULES, &ignoring).len() < enabled(OP_RULES, &postgres).len());
    }
}
