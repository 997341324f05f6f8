//! What loading derives from a file's script: its revision as the map takes
//! it, the problems with its variables, and the marks the always-run checks
//! read. Computed once from a freshly parsed script and kept in the parse
//! cache beside it, so that a warm run builds the map without decoding any
//! script.

use std::path::Path;

use alembic_doctor_graph::RevisionInput;
use alembic_doctor_script::{Script, ValueProblem, Variable};
use serde::{Deserialize, Serialize};

use crate::inputs::{IdProblem, VariableProblem};

/// What the checks that every command runs (those that decide whether
/// Alembic could load the project) need to know about a file's script, so
/// that they only decode the scripts that have something to report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[allow(clippy::struct_excessive_bools)]
pub struct ScriptMarks {
    /// The script has syntax errors (`Script::syntax_errors`).
    pub syntax_errors: bool,
    /// The script has import errors (`Script::import_errors`).
    pub import_errors: bool,
    /// One of the four revision variables is assigned inside a conditional
    /// block (`Binding::conditional`).
    pub conditional_assignment: bool,
}

impl ScriptMarks {
    fn of(script: &Script) -> Self {
        Self {
            syntax_errors: !script.syntax_errors.is_empty(),
            import_errors: !script.import_errors.is_empty(),
            conditional_assignment: [
                &script.revision,
                &script.down_revision,
                &script.branch_labels,
                &script.depends_on,
            ]
            .into_iter()
            .any(|variable| matches!(variable, Variable::Bound(b) if b.conditional)),
        }
    }
}

/// Everything [`crate::ProjectFile`] and the map take from a script.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Derived {
    /// The revision as the map takes it, when the file yields an id.
    pub(crate) input: Option<Input>,
    /// Why the file yields no usable id, when it does not.
    pub(crate) id_problem: Option<ValueProblem>,
    /// Problems with the other variables.
    pub(crate) variable_problems: Vec<(OtherVariable, ValueProblem)>,
    /// Some variable could not be known statically.
    pub(crate) uncertain: bool,
    pub(crate) marks: ScriptMarks,
}

/// [`RevisionInput`], which the graph crate keeps free of serde.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Input {
    id: String,
    down_revisions: Vec<String>,
    depends_on: Vec<String>,
    branch_labels: Vec<String>,
    hash_ordered: bool,
}

impl From<Input> for RevisionInput {
    fn from(input: Input) -> Self {
        Self {
            id: input.id,
            down_revisions: input.down_revisions,
            depends_on: input.depends_on,
            branch_labels: input.branch_labels,
            hash_ordered: input.hash_ordered,
        }
    }
}

/// The variables besides `revision`, which [`VariableProblem`] names.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) enum OtherVariable {
    DownRevision,
    DependsOn,
    BranchLabels,
}

impl OtherVariable {
    fn name(self) -> &'static str {
        match self {
            Self::DownRevision => "down_revision",
            Self::DependsOn => "depends_on",
            Self::BranchLabels => "branch_labels",
        }
    }
}

impl Derived {
    /// What the script at `path` gives the map and the checks.
    pub(crate) fn of(script: &Script, path: &Path) -> Self {
        let file_name = path
            .file_name()
            .map_or(std::borrow::Cow::Borrowed(""), |n| n.to_string_lossy());
        let mut derived = Derived {
            input: None,
            id_problem: None,
            variable_problems: Vec::new(),
            uncertain: false,
            marks: ScriptMarks::of(script),
        };
        let id = match script.revision_id(&file_name) {
            Ok(id) => id.id,
            Err(problem) => {
                derived.id_problem = Some(problem);
                return derived;
            }
        };
        let mut take = |variable, value: Result<Vec<String>, ValueProblem>| match value {
            Ok(values) => values,
            Err(problem) => {
                derived.uncertain = true;
                derived.variable_problems.push((variable, problem));
                Vec::new()
            }
        };
        let down_revisions = take(OtherVariable::DownRevision, script.down_revisions());
        let mut depends_on = take(OtherVariable::DependsOn, script.dependencies());
        if depends_on.is_empty() && script.has_empty_dependencies() {
            // The graph's spelling of "set, but to nothing Alembic looks up".
            depends_on.push(String::new());
        }
        let branch_labels = take(OtherVariable::BranchLabels, script.branch_labels());
        let hash_ordered = [
            &script.down_revision,
            &script.depends_on,
            &script.branch_labels,
        ]
        .iter()
        .any(|v| {
            v.value()
                .is_some_and(alembic_doctor_script::Value::order_depends_on_hashing)
        });
        derived.input = Some(Input {
            id,
            down_revisions,
            depends_on,
            branch_labels,
            hash_ordered,
        });
        derived
    }

    /// The id problem as the project reports it.
    pub(crate) fn take_id_problem(&mut self) -> Option<IdProblem> {
        self.id_problem.take().map(IdProblem::Revision)
    }

    /// The variable problems as the project reports them.
    pub(crate) fn take_variable_problems(&mut self) -> Vec<VariableProblem> {
        std::mem::take(&mut self.variable_problems)
            .into_iter()
            .map(|(variable, problem)| VariableProblem {
                variable: variable.name(),
                problem,
            })
            .collect()
    }
}
