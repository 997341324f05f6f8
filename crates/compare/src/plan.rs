//! What to do about the merge, as one ordered plan of commands.
//!
//! Advice is computed, not written: the planner copies the merged chain
//! into a small model (each file's id, parents, labels, and whether BASE
//! has it), applies each step it proposes to that model, and looks at the
//! model again before choosing the next one. So a duplicated id that hides
//! a fork is first given a new id, and only then is the fork it reveals
//! re-parented, naming the id the first step chose; a revision BASE
//! already has (it may be deployed) is never the one changed.
//!
//! Every command is one a user can paste, run on the HEAD's branch from
//! the directory the report's paths are relative to: `git merge BASE`
//! first when the branch lacks BASE's commits (the later commands need
//! BASE's files), then `alembic-doctor fix ...` with every choice spelled
//! out (`--keep`, `--new-id`, `--onto`), then a check. Tests run these
//! commands literally and check the chain with Alembic afterwards.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

use alembic_doctor_graph::{RevisionInput, RevisionMap};
use alembic_doctor_rules::{CommandOptions, Rule, shell_word as quote};
use alembic_doctor_script::{file_name_with_id, same_migration};

use crate::Comparison;

/// What a step does, for renderers and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// Bring BASE's commits into the branch.
    MergeBase,
    /// Put back a revision of BASE that the branch deleted or edited.
    Restore,
    /// Give duplicated ids' copies new ids, or delete copies of the same
    /// migration.
    DuplicateIds,
    /// Re-parent the branch's first new revision onto a head.
    Rebase,
    /// Join heads with a merge revision.
    MergeHeads,
    /// Merge the other HEADs into BASE first (their pull requests), so that
    /// the last one is fixed against them.
    MergeOthers,
    /// Something only a person can do (a file both sides changed).
    Manual,
    /// Read the result back.
    Check,
}

impl StepKind {
    /// The kebab-case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::MergeBase => "merge-base",
            StepKind::Restore => "restore",
            StepKind::DuplicateIds => "duplicate-ids",
            StepKind::Rebase => "rebase",
            StepKind::MergeHeads => "merge-heads",
            StepKind::MergeOthers => "merge-others",
            StepKind::Manual => "manual",
            StepKind::Check => "check",
        }
    }
}

/// One step of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanStep {
    /// What it does.
    pub kind: StepKind,
    /// What it does and why, one sentence in Markdown (code spans).
    pub summary: String,
    /// The commands, to run in order (none for a manual step).
    pub commands: Vec<String>,
    /// Another way to reach the same state, in words and commands.
    pub alternative: Option<(String, Vec<String>)>,
    /// The findings it resolves.
    pub rules: Vec<Rule>,
    /// The files whose `Revision ID:`/`Revises:` lines it rewrites (a
    /// re-parented revision's): advice to edit those lines by hand would
    /// be stale once it ran.
    pub rewrites: Vec<String>,
}

/// The ordered steps; empty when the merge needs nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// The branch the commands run on (the HEAD's label).
    pub on: String,
    /// The steps, in order.
    pub steps: Vec<PlanStep>,
    /// BASE has a problem that stops every fix (Alembic cannot load its
    /// chain): the only step says so, and the rest is planned once it is
    /// fixed.
    pub blocked: bool,
}

impl Plan {
    /// The step that resolves findings of `rule`, numbered from 1.
    pub fn step_for(&self, rule: Rule) -> Option<(usize, &PlanStep)> {
        self.steps
            .iter()
            .enumerate()
            .find(|(_, step)| step.rules.contains(&rule))
            .map(|(i, step)| (i + 1, step))
    }

    /// The step that rewrites the header lines of `path`, numbered from 1.
    pub fn step_rewriting(&self, path: &str) -> Option<(usize, &PlanStep)> {
        self.steps
            .iter()
            .enumerate()
            .find(|(_, step)| step.rewrites.iter().any(|p| p == path))
            .map(|(i, step)| (i + 1, step))
    }

    /// Every command, in order (alternatives left out).
    pub fn commands(&self) -> impl Iterator<Item = &str> {
        self.steps
            .iter()
            .flat_map(|step| step.commands.iter().map(String::as_str))
    }
}

/// One revision file of the model.
#[derive(Debug, Clone)]
struct Node {
    id: String,
    parents: Vec<String>,
    depends_on: Vec<String>,
    labels: Vec<String>,
    path: String,
    /// BASE has this file (same path, same id).
    on_base: bool,
    bytes: Vec<u8>,
}

fn code(text: &str) -> String {
    format!("`{text}`")
}

/// The plan that makes the merge healthy, in the order its steps must run;
/// empty when the HEADs bring no problem it can fix.
pub(crate) fn plan(comparison: &Comparison, options: &CommandOptions) -> Plan {
    let mut plan = Planner::new(comparison).plan();
    for step in &mut plan.steps {
        step.summary = options.apply(&step.summary);
        for command in &mut step.commands {
            *command = options.apply(command);
        }
        if let Some((summary, commands)) = &mut step.alternative {
            *summary = options.apply(summary);
            for command in commands {
                *command = options.apply(command);
            }
        }
    }
    plan
}

struct Planner<'a> {
    comparison: &'a Comparison,
    nodes: Vec<Node>,
    base_label: String,
    /// Every id and label on either side, so a new id is new.
    taken: BTreeSet<String>,
    /// Files a step has rewritten, renamed or restored: a later fix of one
    /// of them must be allowed to touch an uncommitted file.
    written: BTreeSet<String>,
    /// The new ids the plan gave: no database has run those revisions.
    renamed: BTreeSet<String>,
    /// A HEAD merged first forks BASE's chain itself: the only step, since
    /// the rest can only be planned once that one is fixed.
    earlier_fork: Option<PlanStep>,
    steps: Vec<PlanStep>,
}

impl<'a> Planner<'a> {
    fn new(comparison: &'a Comparison) -> Self {
        let base = &comparison.base.project;
        // With several HEADs, the others are merged first: their files
        // are BASE's by the time the last one is fixed.
        let earlier = comparison.heads.len().saturating_sub(1);
        let on_base: BTreeSet<(&str, &str)> = std::iter::once(base)
            .chain(comparison.heads[..earlier].iter().map(|side| &side.project))
            .flat_map(|project| {
                project
                    .map
                    .revisions()
                    .iter()
                    .enumerate()
                    .map(|(rev, input)| {
                        (
                            input.id.as_str(),
                            project.file_of(rev).display_path.as_str(),
                        )
                    })
            })
            .collect();
        let merged = &comparison.merged.project;
        // Bytes are only compared between copies of one id.
        let mut seen = BTreeSet::new();
        let duplicated: BTreeSet<&str> = merged
            .map
            .revisions()
            .iter()
            .filter(|input| !seen.insert(input.id.as_str()))
            .map(|input| input.id.as_str())
            .collect();
        let nodes = merged
            .map
            .revisions()
            .iter()
            .enumerate()
            .map(|(rev, input)| {
                let file = merged.file_of(rev);
                Node {
                    id: input.id.clone(),
                    parents: input.down_revisions.clone(),
                    depends_on: input.depends_on.clone(),
                    labels: input.branch_labels.clone(),
                    path: file.display_path.clone(),
                    on_base: on_base.contains(&(input.id.as_str(), file.display_path.as_str())),
                    bytes: if duplicated.contains(input.id.as_str()) {
                        file.bytes.to_vec()
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect();
        let mut taken = BTreeSet::new();
        for project in [base, merged] {
            for input in project.map.revisions() {
                taken.insert(input.id.clone());
                taken.extend(input.branch_labels.iter().cloned());
            }
        }
        Planner {
            comparison,
            nodes,
            base_label: comparison.base.label.clone(),
            taken,
            written: BTreeSet::new(),
            renamed: BTreeSet::new(),
            earlier_fork: None,
            steps: Vec::new(),
        }
    }

    fn plan(mut self) -> Plan {
        let on = self.branch();
        let on_name = self
            .comparison
            .heads
            .last()
            .map_or_else(String::new, |side| side.name().to_owned());
        self.restore();
        self.conflicts();
        self.duplicates();
        self.forks();
        if let Some(step) = self.earlier_fork.take() {
            return Plan {
                on,
                steps: vec![step],
                blocked: false,
            };
        }
        if self.steps.is_empty() {
            return Plan {
                on,
                steps: Vec::new(),
                blocked: false,
            };
        }
        if let Some(step) = self.base_blocker() {
            // The fixes would refuse to run, or run on a chain Alembic
            // cannot read: the plan starts, and stops, with BASE's problem.
            return Plan {
                on,
                steps: vec![step],
                blocked: true,
            };
        }
        let mut steps = Vec::new();
        let heads = &self.comparison.heads;
        if heads.len() > 1 {
            let others: Vec<String> = heads[..heads.len() - 1]
                .iter()
                .map(|side| code(side.name()))
                .collect();
            steps.push(PlanStep {
                kind: StepKind::MergeOthers,
                summary: format!(
                    "merge {} into {} first (as its pull request would), then fix {} against it",
                    others.join(" and "),
                    code(&self.base_label),
                    code(&on_name)
                ),
                commands: Vec::new(),
                alternative: None,
                rules: Vec::new(),
                rewrites: Vec::new(),
            });
        }
        if self.needs_base_commits() {
            steps.push(PlanStep {
                kind: StepKind::MergeBase,
                summary: format!(
                    "bring {}'s migrations into {}: the next steps need its files",
                    code(&self.base_label),
                    code(&on_name)
                ),
                commands: vec![format!("git merge {}", quote(&self.base_label))],
                alternative: None,
                rules: Vec::new(),
                rewrites: Vec::new(),
            });
        }
        steps.append(&mut self.steps);
        if steps.iter().any(|s| {
            !matches!(
                s.kind,
                StepKind::Manual | StepKind::MergeBase | StepKind::MergeOthers
            )
        }) {
            steps.push(PlanStep {
                kind: StepKind::Check,
                summary: "check the chain, then commit the changed files and push".to_owned(),
                // With the base the fixes were planned against: another
                // default base branch would check another merge.
                commands: vec![format!(
                    "alembic-doctor check --no-lint --base {}",
                    quote(&self.base_label)
                )],
                alternative: None,
                rules: Vec::new(),
                rewrites: Vec::new(),
            });
        }
        Plan {
            on,
            steps,
            blocked: false,
        }
    }

    /// A problem BASE already has that stops the plan: Alembic cannot load
    /// BASE's chain, and the merge does not repair it (a missing parent, a
    /// cycle, a file that does not parse or import). The fixes refuse to
    /// work on such a chain, and the check that ends the plan would fail
    /// on it, so it must be fixed first, on BASE or on the branch.
    fn base_blocker(&self) -> Option<PlanStep> {
        let comparison = self.comparison;
        let base_fails = comparison.base.project.map.alembic_would_fail().is_some();
        let merged_fails = comparison.merged.project.map.alembic_would_fail().is_some();
        let stopping: Vec<String> = comparison
            .merged
            .findings
            .iter()
            .filter(|f| comparison.is_inherited(f))
            .filter(|f| {
                matches!(
                    f.rule,
                    Rule::SyntaxError | Rule::ImportError | Rule::UnreadableFile
                ) || (base_fails
                    && merged_fails
                    && matches!(
                        f.rule,
                        Rule::MissingParent
                            | Rule::MissingDependency
                            | Rule::SelfReference
                            | Rule::Cycle
                            | Rule::BranchLabelConflict
                            | Rule::MissingRevision
                            | Rule::MissingDownRevision
                            | Rule::NonLiteralValue
                            | Rule::InvalidRevisionId
                    ))
            })
            .map(|f| format!("`{}`: {}", f.rule.name(), f.message))
            .collect();
        if stopping.is_empty() {
            return None;
        }
        Some(PlanStep {
            kind: StepKind::Manual,
            summary: format!(
                "first fix what {} already has, which Alembic cannot load ({}): the fixes this merge needs refuse to work on such a chain; fix it on {} (its own pull request) or on this branch, then run this report again for the rest of the plan",
                code(&self.base_label),
                stopping.join("; "),
                code(&self.base_label)
            ),
            commands: Vec::new(),
            alternative: None,
            rules: Vec::new(),
            rewrites: Vec::new(),
        })
    }

    /// The branch the commands run on: the only HEAD, or the last one (the
    /// others are merged first).
    fn branch(&self) -> String {
        self.comparison
            .heads
            .last()
            .map_or_else(String::new, |side| side.label.clone())
    }

    /// Some HEAD lacks BASE's latest commits (or the plan must merge several
    /// HEADs): the fixes need BASE's files in the checkout.
    fn needs_base_commits(&self) -> bool {
        self.comparison.heads.len() > 1 || self.comparison.behind_base.iter().any(|&b| b)
    }

    /// Revisions of BASE a HEAD deleted or edited go back to BASE's
    /// version: a database may have run them as BASE has them.
    fn restore(&mut self) {
        let mut paths: Vec<(String, bool)> = Vec::new();
        for diff in &self.comparison.differences {
            for removed in &diff.removed {
                paths.push((removed.path.clone(), true));
            }
            for edited in diff.edited.iter().filter(|edited| {
                // An edit that makes BASE's broken chain readable stays:
                // putting BASE's version back would break it again.
                crate::repair::repaired_by_edit(
                    &self.comparison.base,
                    &self.comparison.merged.project,
                    edited,
                )
                .is_none()
            }) {
                paths.push((
                    edited.base_path.clone().unwrap_or(edited.path.clone()),
                    false,
                ));
            }
        }
        paths.sort();
        paths.dedup_by(|a, b| a.0 == b.0);
        if paths.is_empty() {
            return;
        }
        let base = &self.comparison.base.project;
        for (path, _) in &paths {
            let Some(rev) = (0..base.map.revisions().len())
                .find(|&rev| &base.file_of(rev).display_path == path)
            else {
                continue;
            };
            let input = &base.map.revisions()[rev];
            let node = Node {
                id: input.id.clone(),
                parents: input.down_revisions.clone(),
                depends_on: input.depends_on.clone(),
                labels: input.branch_labels.clone(),
                path: path.clone(),
                on_base: true,
                bytes: base.file_of(rev).bytes.to_vec(),
            };
            match self.nodes.iter_mut().find(|n| &n.path == path) {
                Some(existing) => *existing = node,
                None => self.nodes.push(node),
            }
            self.written.insert(path.clone());
        }
        let deleted = paths.iter().filter(|(_, deleted)| *deleted).count();
        let what = match (deleted, paths.len() - deleted) {
            (0, _) => "edited",
            (_, 0) => "deleted",
            _ => "deleted or edited",
        };
        let mut rules = Vec::new();
        if deleted > 0 {
            rules.push(Rule::RemovedRevision);
        }
        if deleted < paths.len() {
            rules.push(Rule::EditedRevision);
        }
        let listed: Vec<String> = paths.iter().map(|(p, _)| quote(p)).collect();
        let mut commands = vec![format!(
            "git checkout {} -- {}",
            quote(&self.base_label),
            listed.join(" ")
        )];
        let renamed = self.drop_copies_of_restored(&paths);
        let mut summary = format!(
            "put back {}'s version of the revisions this branch {what}: databases may have run them as {} has them (a change to the schema belongs in a new revision)",
            code(&self.base_label),
            code(&self.base_label)
        );
        if !renamed.is_empty() {
            let deleted: Vec<String> = renamed.iter().map(|(path, _)| quote(path)).collect();
            commands.push(format!("git rm -q -- {}", deleted.join(" ")));
            let said: Vec<String> = renamed
                .iter()
                .map(|(path, of)| format!("{} (the same migration as {})", code(path), code(of)))
                .collect();
            summary.push_str(&format!(
                ", and delete the branch's copies of them under new ids, which would run the same operations again: {}",
                said.join(", ")
            ));
        }
        self.steps.push(PlanStep {
            kind: StepKind::Restore,
            summary,
            commands,
            alternative: None,
            rules,
            rewrites: Vec::new(),
        });
    }

    /// The branch's new revisions that are a deleted revision of BASE under
    /// another id (a rename, often to re-parent it): once BASE's file is
    /// back they would run its operations a second time. Removed from the
    /// model, as (path, the id they copy); only those no other revision
    /// builds on, and only copies that do something (two empty upgrades
    /// are not one migration).
    fn drop_copies_of_restored(&mut self, restored: &[(String, bool)]) -> Vec<(String, String)> {
        let merged = &self.comparison.merged.project;
        let removed: Vec<(String, Vec<u8>)> = restored
            .iter()
            .filter(|(_, deleted)| *deleted)
            .filter_map(|(path, _)| {
                let node = self.nodes.iter().find(|n| &n.path == path)?;
                Some((node.id.clone(), node.bytes.clone()))
            })
            .collect();
        if removed.is_empty() {
            return Vec::new();
        }
        // Each new file's bytes, found once (a branch may add many).
        let new_paths: BTreeSet<&str> = self
            .nodes
            .iter()
            .filter(|n| !n.on_base)
            .map(|n| n.path.as_str())
            .collect();
        let bytes_of: BTreeMap<String, Vec<u8>> = (0..merged.map.revisions().len())
            .map(|rev| merged.file_of(rev))
            .filter(|file| new_paths.contains(file.display_path.as_str()))
            .map(|file| (file.display_path.clone(), file.bytes.to_vec()))
            .collect();
        let referenced: BTreeSet<String> = self
            .nodes
            .iter()
            .flat_map(|n| n.parents.iter().chain(&n.depends_on).cloned())
            .collect();
        let mut dropped = Vec::new();
        let mut index = 0;
        while index < self.nodes.len() {
            let node = &self.nodes[index];
            let copy_of = (!node.on_base && !referenced.contains(&node.id))
                .then(|| {
                    let bytes = bytes_of.get(&node.path)?;
                    removed
                        .iter()
                        .find(|(_, base)| does_something(base) && same_migration(base, bytes))
                        .map(|(id, _)| id.clone())
                })
                .flatten();
            match copy_of {
                Some(of) => {
                    let node = self.nodes.remove(index);
                    dropped.push((node.path, of));
                }
                None => index += 1,
            }
        }
        dropped
    }

    /// Version files both sides changed: git may merge them, or ask.
    fn conflicts(&mut self) {
        for conflict in &self.comparison.merged.conflicts {
            self.steps.push(PlanStep {
                kind: StepKind::Manual,
                summary: format!(
                    "if `git merge` stops on {}, resolve it by hand ({}): keep one `revision` and the intended `down_revision`",
                    code(&conflict.path),
                    crate::conflict_description(self.comparison, conflict)
                ),
                commands: Vec::new(),
                alternative: None,
                rules: Vec::new(),
                rewrites: Vec::new(),
            });
        }
    }

    /// Ids declared by several files of the model: BASE's copy keeps the
    /// id (it may be deployed); a copy that is the same migration is
    /// deleted; any other copy gets a new id chosen here, so that a later
    /// step can name it.
    fn duplicates(&mut self) {
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut order: Vec<String> = Vec::new();
        for (i, node) in self.nodes.iter().enumerate() {
            let copies = groups.entry(node.id.clone()).or_default();
            if copies.is_empty() {
                order.push(node.id.clone());
            }
            copies.push(i);
        }
        let mut args: Vec<String> = Vec::new();
        let mut renamed_count = 0;
        let mut new_ids: Vec<(usize, String)> = Vec::new();
        let mut deleted: Vec<usize> = Vec::new();
        let mut kept: Vec<usize> = Vec::new();
        for id in &order {
            let copies = &groups[id];
            if copies.len() < 2 {
                continue;
            }
            let on_base: Vec<usize> = copies
                .iter()
                .copied()
                .filter(|&c| self.nodes[c].on_base)
                .collect();
            let keeper = match on_base.as_slice() {
                [one] => *one,
                // Already duplicated on BASE: not this branch's to fix.
                [_, _, ..] => continue,
                [] => {
                    let first = copies[0];
                    args.push(format!("--keep {}", quote(&self.nodes[first].path)));
                    first
                }
            };
            kept.push(keeper);
            let mut same_as: BTreeMap<usize, usize> = BTreeMap::new();
            let mut renamed: Vec<usize> = Vec::new();
            for &copy in copies.iter().filter(|&&c| c != keeper) {
                let twin = std::iter::once(keeper)
                    .chain(renamed.iter().copied())
                    .find(|&other| {
                        same_migration(&self.nodes[other].bytes, &self.nodes[copy].bytes)
                    });
                match twin {
                    Some(twin) => {
                        same_as.insert(copy, twin);
                    }
                    None => renamed.push(copy),
                }
            }
            let mut fresh: BTreeMap<usize, String> = BTreeMap::new();
            for &copy in &renamed {
                let new = self.fresh_id(&self.nodes[copy].clone());
                fresh.insert(copy, new.clone());
                new_ids.push((copy, new));
            }
            renamed_count += renamed.len();
            // Children follow the copy they were written against, as the
            // fix decides it: a child BASE has stays with BASE's copy; a
            // new child follows the only new copy left, else stays (said
            // with --stay, so the fix need not ask).
            let new_copies: Vec<usize> = copies
                .iter()
                .copied()
                .filter(|&c| !self.nodes[c].on_base && !same_as.contains_key(&c))
                .collect();
            let children: Vec<usize> = (0..self.nodes.len())
                .filter(|&n| !copies.contains(&n))
                .filter(|&n| {
                    let node = &self.nodes[n];
                    node.parents.iter().chain(&node.depends_on).any(|p| p == id)
                })
                .collect();
            for child in children {
                if renamed.is_empty() || self.nodes[child].on_base {
                    continue;
                }
                let follows = if let [only] = new_copies.as_slice() {
                    *only
                } else {
                    args.push(format!("--stay {}", quote(&self.nodes[child].path)));
                    keeper
                };
                if let Some(new) = fresh.get(&follows) {
                    let node = &mut self.nodes[child];
                    for parent in node.parents.iter_mut().chain(node.depends_on.iter_mut()) {
                        if parent == id {
                            parent.clone_from(new);
                        }
                    }
                    self.written.insert(node.path.clone());
                }
            }
            deleted.extend(same_as.keys().copied());
        }
        if new_ids.is_empty() && deleted.is_empty() {
            return;
        }
        let single = renamed_count == 1;
        for (copy, new) in &new_ids {
            if single {
                args.push(format!("--new-id {new}"));
            } else {
                args.push(format!("--new-id {}={new}", quote(&self.nodes[*copy].path)));
            }
        }
        let mut said = Vec::new();
        for &copy in &deleted {
            said.push(format!(
                "delete {}: it is the same migration as another copy of {} (a new id would run it twice)",
                code(&self.nodes[copy].path),
                code(&self.nodes[copy].id)
            ));
        }
        for (copy, new) in &new_ids {
            said.push(format!(
                "give {} (a copy of {}) the new id {}",
                code(&self.nodes[*copy].path),
                code(&self.nodes[*copy].id),
                code(new)
            ));
        }
        let keepers: Vec<String> = kept
            .iter()
            .map(|&k| {
                let node = &self.nodes[k];
                if node.on_base {
                    format!(
                        "{} keeps {} (it is on {} and may be deployed)",
                        code(&node.path),
                        code(&node.id),
                        code(&self.base_label)
                    )
                } else {
                    format!("{} keeps {}", code(&node.path), code(&node.id))
                }
            })
            .collect();
        let allow_dirty = [
            &deleted[..],
            &new_ids.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
        ]
        .concat()
        .iter()
        .any(|&c| self.written.contains(&self.nodes[c].path));
        if allow_dirty {
            args.push("--allow-dirty".to_owned());
        }
        args.push(format!("--base {}", quote(&self.base_label)));
        let command = format!("alembic-doctor fix duplicate-ids {}", args.join(" "));
        // Apply to the model.
        for (copy, new) in &new_ids {
            let node = &mut self.nodes[*copy];
            node.path = renamed_path(&node.path, &node.id, new);
            node.id.clone_from(new);
            self.written.insert(node.path.clone());
            self.renamed.insert(new.clone());
        }
        let mut gone: Vec<usize> = deleted;
        gone.sort_unstable();
        for copy in gone.into_iter().rev() {
            self.nodes.remove(copy);
        }
        self.steps.push(PlanStep {
            kind: StepKind::DuplicateIds,
            summary: format!("{}; {}", said.join("; "), keepers.join("; ")),
            commands: vec![command],
            alternative: None,
            rules: vec![Rule::DuplicateRevision],
            rewrites: Vec::new(),
        });
    }

    /// A new id for `node`: the first 12 hex digits of a hash of its id,
    /// path and bytes, so that the same report gives the same plan, never
    /// an id either side has.
    fn fresh_id(&mut self, node: &Node) -> String {
        for salt in 0u64.. {
            let mut hasher = std::hash::DefaultHasher::new();
            (salt, &node.id, &node.path, &node.bytes).hash(&mut hasher);
            let mut id = format!("{:016x}", hasher.finish());
            id.truncate(12);
            // Not all digits, so no tool reads it as a number.
            if id.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            if self.taken.insert(id.clone()) {
                return id;
            }
        }
        unreachable!("a u64 salt runs out")
    }

    /// The model as a revision map, to ask Alembic's questions (heads,
    /// labels) about it.
    fn map(&self) -> RevisionMap {
        RevisionMap::build(
            self.nodes
                .iter()
                .map(|node| RevisionInput {
                    id: node.id.clone(),
                    down_revisions: node.parents.clone(),
                    depends_on: node.depends_on.clone(),
                    branch_labels: node.labels.clone(),
                    hash_ordered: false,
                })
                .collect(),
        )
    }

    /// Forks the HEADs bring (heads that are not each on their own
    /// labelled branch, beyond what BASE already had): the branch's first
    /// new revision is re-parented onto the other head, BASE's when one of
    /// them is BASE's; where the new work already contains a merge, a
    /// merge revision joins the heads instead.
    fn forks(&mut self) {
        if self.comparison.merged.project.map.heads().len() < 2 && self.steps.is_empty() {
            return;
        }
        let base_forks = fork_groups(&self.comparison.base.project.map);
        let map = self.map();
        // An id the model still declares twice is BASE's own duplicate
        // (the step before gave the branch's copies new ids): its earlier
        // copy is a head only because nothing can point at it, not a line
        // of work to join.
        let mut seen = BTreeSet::new();
        let still_duplicated: BTreeSet<String> = self
            .nodes
            .iter()
            .filter(|node| !seen.insert(node.id.as_str()))
            .map(|node| node.id.clone())
            .collect();
        for (label, group) in fork_groups(&map) {
            let group: Vec<usize> = group
                .into_iter()
                .filter(|&head| !still_duplicated.contains(self.nodes[head].id.as_str()))
                .collect();
            let distinct: BTreeSet<&String> = group.iter().map(|&h| &self.nodes[h].id).collect();
            if distinct.len() < 2 {
                continue;
            }
            // BASE already forks there, as much or more: not this branch's
            // to fix (the report names it as BASE's), unless the branch
            // joined those heads itself by changing BASE's revisions, which
            // the restore put back: then a merge revision joins them
            // without changing any.
            if let Some((_, base_group)) = base_forks.iter().find(|(base_label, base_group)| {
                *base_label == label && base_group.len() >= group.len()
            }) {
                if self.branch_joined(label.as_deref(), base_group.len()) {
                    let ids: Vec<String> =
                        group.iter().map(|&h| self.nodes[h].id.clone()).collect();
                    self.merge_all(&ids);
                }
                continue;
            }
            let on_base: Vec<usize> = group
                .iter()
                .copied()
                .filter(|&h| self.nodes[h].on_base)
                .collect();
            let new: Vec<usize> = group
                .iter()
                .copied()
                .filter(|&h| !self.nodes[h].on_base)
                .collect();
            let (onto, movers) = match (on_base.as_slice(), new.as_slice()) {
                ([one], _) => (*one, new.clone()),
                ([], [first, rest @ ..]) => (*first, rest.to_vec()),
                _ => {
                    self.fix_earlier_heads_first(&on_base);
                    continue;
                }
            };
            let onto_id = self.nodes[onto].id.clone();
            for mover in movers {
                self.join(&map, &onto_id, mover);
            }
        }
    }

    /// Heads of the fork that come from the HEADs merged first (not from
    /// BASE): one of those pull requests forks BASE's chain itself. Its own
    /// report has the plan for it; this one can only be planned once it is
    /// merged, so the step says so (once), rather than offering commands
    /// that would leave a fork.
    fn fix_earlier_heads_first(&mut self, heads: &[usize]) {
        let base = &self.comparison.base.project.map;
        let earlier: Vec<String> = heads
            .iter()
            .map(|&h| self.nodes[h].id.as_str())
            .filter(|id| base.lookup(id).is_none())
            .map(code)
            .collect();
        let count = self.comparison.heads.len();
        if earlier.is_empty() || count < 2 || self.earlier_fork.is_some() {
            return;
        }
        let others = &self.comparison.heads[..count - 1];
        let names: Vec<String> = others.iter().map(|side| code(side.name())).collect();
        let reports: Vec<String> = others
            .iter()
            .map(|side| {
                code(&format!(
                    "alembic-doctor report {} {}",
                    quote(&self.base_label),
                    quote(&side.label)
                ))
            })
            .collect();
        let last = self.comparison.heads[count - 1].name().to_owned();
        self.earlier_fork = Some(PlanStep {
            kind: StepKind::Manual,
            summary: format!(
                "{}, merged first, {} {}'s chain itself (at {}): fix {} first as {} own report says ({}), merge {}, then run this report again for {}",
                names.join(" and "),
                if names.len() == 1 { "forks" } else { "fork" },
                code(&self.base_label),
                earlier.join(", "),
                if names.len() == 1 { "it" } else { "them" },
                if names.len() == 1 { "its" } else { "their" },
                reports.join(", "),
                if names.len() == 1 { "it" } else { "them" },
                code(&last)
            ),
            commands: Vec::new(),
            alternative: None,
            rules: vec![Rule::MultipleHeads],
            rewrites: Vec::new(),
        });
    }

    /// Some HEAD has fewer heads than BASE's `count` under `label` (none:
    /// the unlabelled ones) while the model, with BASE's revisions put
    /// back, has BASE's fork again: the branch meant to join them.
    fn branch_joined(&self, label: Option<&str>, count: usize) -> bool {
        self.steps.iter().any(|s| s.kind == StepKind::Restore)
            && self.comparison.heads.iter().any(|side| {
                fork_groups(&side.project.map)
                    .iter()
                    .find(|(l, _)| l.as_deref() == label)
                    .is_none_or(|(_, group)| group.len() < count)
            })
    }

    /// Join `heads` with one merge revision.
    fn merge_all(&mut self, heads: &[String]) {
        let listed: Vec<String> = heads.iter().map(|id| quote(id)).collect();
        let args = format!("-m 'merge heads' {}", listed.join(" "));
        let spans: Vec<String> = heads.iter().map(|id| code(id)).collect();
        self.steps.push(PlanStep {
            kind: StepKind::MergeHeads,
            summary: format!(
                "join {} with a merge revision, as the branch meant to (without changing revisions {} has; `alembic merge {args}` writes the same)",
                spans.join(" and "),
                code(&self.base_label)
            ),
            commands: vec![format!("alembic-doctor fix merge {args}")],
            alternative: None,
            rules: vec![Rule::MultipleHeads],
            rewrites: Vec::new(),
        });
        self.nodes.push(Node {
            id: format!("merge of {}", heads.join(" and ")),
            parents: heads.to_vec(),
            depends_on: Vec::new(),
            labels: Vec::new(),
            path: String::new(),
            on_base: false,
            bytes: Vec::new(),
        });
    }

    /// Put the chain ending at `mover` on top of `onto`.
    fn join(&mut self, map: &RevisionMap, onto: &str, mover: usize) {
        let mover_id = self.nodes[mover].id.clone();
        let merge_args = format!("-m 'merge heads' {onto} {mover_id}");
        let merge_commands = vec![format!("alembic-doctor fix merge {merge_args}")];
        let merge_alembic = format!("alembic merge {merge_args}");
        let Some(first) = self.first_new(map, mover) else {
            let summary = format!(
                "join {} and {} with a merge revision (`{merge_alembic}` writes the same)",
                code(onto),
                code(&mover_id)
            );
            self.merge_heads(onto, mover_id, summary, merge_commands);
            return;
        };
        let first_id = self.nodes[first].id.clone();
        // The database the path starts at has run it: re-parenting would
        // strand that database, so the histories are joined instead.
        if self.comparison.applied_on_database.contains(&first_id) {
            let summary = format!(
                "join {} and {} with a merge revision: {} has run on the database, so it cannot be re-parented (`{merge_alembic}` writes the same)",
                code(onto),
                code(&mover_id),
                code(&first_id)
            );
            self.merge_heads(onto, mover_id, summary, merge_commands);
            return;
        }
        let path = self.nodes[first].path.clone();
        if self.nodes[first].parents.is_empty() {
            // A root starts a history of its own (often an initial schema,
            // or a squash or its revert): on top of another history it
            // would create the same schema twice. Only a person knows
            // which history databases follow.
            self.steps.push(PlanStep {
                kind: StepKind::Manual,
                summary: format!(
                    "{} (in {}) has no down_revision: it starts a history of its own beside {}'s, and putting it on top would run its whole schema again; decide by hand: if it is meant as a separate branch, give it `branch_labels` of its own (Alembic then upgrades each branch), and if it replaces {}'s history, keep the revisions databases are stamped with ({}) reachable",
                    code(&first_id),
                    code(&path),
                    code(onto),
                    code(&self.base_label),
                    code(onto)
                ),
                commands: Vec::new(),
                alternative: None,
                rules: vec![Rule::MultipleHeads],
                rewrites: Vec::new(),
            });
            return;
        }
        // A merge revision keeps a parent nobody defines: only
        // re-parenting repairs that.
        let dangling = self.nodes[first]
            .parents
            .iter()
            .any(|parent| !self.nodes.iter().any(|n| &n.id == parent));
        let alternative = (!self.renamed.contains(&first_id) && !dangling).then(|| {
            (
                format!(
                    "if {} has already run on a shared database (staging), keep both histories with a merge revision instead (`{merge_alembic}` writes the same)",
                    code(&first_id)
                ),
                merge_commands,
            )
        });
        let dirty = if self.written.contains(&path) {
            " --allow-dirty"
        } else {
            ""
        };
        self.steps.push(PlanStep {
            kind: StepKind::Rebase,
            summary: format!(
                "put {} (the first revision of this branch's new chain, in {}) on top of {}, so that the chain has one head again{}",
                code(&first_id),
                code(&path),
                code(onto),
                if self.nodes.iter().any(|n| n.id == onto && n.on_base) {
                    format!(
                        "; {} is {}'s and stays as it is",
                        code(onto),
                        code(&self.base_label)
                    )
                } else {
                    String::new()
                }
            ),
            commands: vec![format!(
                "alembic-doctor fix rebase {first_id} --onto {onto} --base {}{dirty}",
                quote(&self.base_label)
            )],
            alternative,
            rules: vec![Rule::MultipleHeads],
            // `fix rebase` sets `Revises:` with `down_revision`.
            rewrites: vec![path.clone()],
        });
        self.written.insert(path);
        self.nodes[first].parents = vec![onto.to_owned()];
    }

    /// A step that joins `onto` and `mover_id` with a merge revision, and
    /// that revision in the chain the next steps see.
    fn merge_heads(
        &mut self,
        onto: &str,
        mover_id: String,
        summary: String,
        commands: Vec<String>,
    ) {
        self.steps.push(PlanStep {
            kind: StepKind::MergeHeads,
            summary,
            commands,
            alternative: None,
            rules: vec![Rule::MultipleHeads],
            rewrites: Vec::new(),
        });
        self.nodes.push(Node {
            id: format!("merge of {onto} and {mover_id}"),
            parents: vec![onto.to_owned(), mover_id],
            depends_on: Vec::new(),
            labels: Vec::new(),
            path: String::new(),
            on_base: false,
            bytes: Vec::new(),
        });
    }

    /// The first revision not on BASE of the chain that ends at `head`:
    /// what `fix rebase` moves to move the chain. `None` when the chain
    /// holds a merge of new work (it cannot be moved as one piece) or
    /// `head` is on BASE.
    fn first_new(&self, map: &RevisionMap, head: usize) -> Option<usize> {
        let mut current = head;
        for _ in 0..self.nodes.len() {
            if self.nodes[current].on_base {
                return None;
            }
            let parents = &map.revisions()[current].down_revisions;
            let new_parents: Vec<usize> = parents
                .iter()
                .filter_map(|p| map.lookup(p))
                .filter(|&p| !self.nodes[p].on_base)
                .collect();
            match new_parents.as_slice() {
                [] => return Some(current),
                [one] if parents.len() == 1 => current = *one,
                _ => return None,
            }
        }
        None
    }
}

/// Groups of heads that are one unintended fork, as `multiple-heads`
/// reports them, by label: heads without a label together, heads with the
/// same label together; only groups of two or more distinct ids.
fn fork_groups(map: &RevisionMap) -> Vec<(Option<String>, Vec<usize>)> {
    let mut groups: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
    for &head in map.heads() {
        let labels = map.branch_labels(head);
        if labels.is_empty() {
            groups.entry(None).or_default().push(head);
        }
        for label in labels {
            groups.entry(Some(label.as_str())).or_default().push(head);
        }
    }
    groups
        .into_iter()
        .filter(|(_, group)| {
            let ids: BTreeSet<&str> = group
                .iter()
                .map(|&h| map.revisions()[h].id.as_str())
                .collect();
            ids.len() > 1
        })
        .map(|(label, group)| (label.map(str::to_owned), group))
        .collect()
}

/// A migration whose `upgrade()` calls an operation: copies of an empty
/// one are not the same migration in any useful sense.
fn does_something(bytes: &[u8]) -> bool {
    String::from_utf8_lossy(bytes).contains("op.")
}

/// `path` after `fix duplicate-ids` gives its revision `new`: the id in
/// the file name replaced, as the fix renames it.
fn renamed_path(path: &str, old: &str, new: &str) -> String {
    let (dir, name) = match path.rfind('/') {
        Some(slash) => path.split_at(slash + 1),
        None => ("", path),
    };
    match file_name_with_id(name, old, new) {
        Some(name) => format!("{dir}{name}"),
        None => path.to_owned(),
    }
}
