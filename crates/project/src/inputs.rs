//! From listed files to parsed scripts to the revision map's inputs.
//!
//! Files are parsed in parallel; the map is then built from every file that
//! yields a revision id, in load order. A value that cannot be known
//! statically does not drop the revision: it takes part with what is known
//! (an unknown `down_revision` makes it a base) and is marked `uncertain`,
//! so that the rules report the unknown value instead of a false fork.

use std::path::{Path, PathBuf};

use alembic_doctor_graph::{RevIdx, RevisionInput, RevisionMap};
use alembic_doctor_script::{ScriptContext, ValueProblem};
use alembic_doctor_source::{LineIndex, SourceFile};
use rayon::prelude::*;

use crate::ProjectFile;
use crate::load::display_path;

/// Why a file gives no usable revision id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdProblem {
    /// The file could not be read.
    Unreadable,
    /// `revision` is missing, unknown or not a string.
    Revision(ValueProblem),
}

/// A problem with one of a revision's other variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableProblem {
    /// `down_revision`, `depends_on` or `branch_labels`.
    pub variable: &'static str,
    pub problem: ValueProblem,
}

pub(crate) fn build(
    sources: Vec<SourceFile>,
    cwd: &Path,
    modules: &alembic_doctor_script::Project,
) -> (Vec<ProjectFile>, RevisionMap, Vec<usize>) {
    let parsed: Vec<(ProjectFile, Option<RevisionInput>)> = sources
        .into_par_iter()
        .map(|source| read_one(source, cwd, modules))
        .collect();
    let mut files = Vec::with_capacity(parsed.len());
    let mut inputs = Vec::with_capacity(parsed.len());
    let mut revision_files = Vec::with_capacity(parsed.len());
    for (index, (mut file, input)) in parsed.into_iter().enumerate() {
        if let Some(input) = input {
            file.revision = Some(inputs.len() as RevIdx);
            revision_files.push(index);
            inputs.push(input);
        }
        files.push(file);
    }
    (files, RevisionMap::build(inputs), revision_files)
}

fn read_one(
    source: SourceFile,
    cwd: &Path,
    modules: &alembic_doctor_script::Project,
) -> (ProjectFile, Option<RevisionInput>) {
    let display_path = display_path(&source.listed_path, cwd);
    let (bytes, read_error) = match source.bytes {
        Ok(bytes) => (bytes, None),
        Err(error) => (Vec::new(), Some(error.to_string())),
    };
    let mut file = ProjectFile {
        path: source.path,
        display_path,
        // Filled from the parsed script below, which indexes the lines
        // anyway; an unreadable file has no lines.
        line_index: LineIndex::default(),
        read_error,
        script: None,
        revision: None,
        id_problem: None,
        variable_problems: Vec::new(),
        uncertain: false,
        bytes,
    };
    if file.read_error.is_some() {
        file.id_problem = Some(IdProblem::Unreadable);
        return (file, None);
    }
    let script =
        alembic_doctor_script::parse_script(&file.bytes, &ScriptContext::new(&file.path, modules));
    file.line_index = script.line_index.clone();
    let file_name = file_name(&file.path);
    let input = match script.revision_id(&file_name) {
        Ok(id) => {
            let mut take =
                |variable: &'static str, value: Result<Vec<String>, ValueProblem>| match value {
                    Ok(values) => values,
                    Err(problem) => {
                        file.uncertain = true;
                        file.variable_problems
                            .push(VariableProblem { variable, problem });
                        Vec::new()
                    }
                };
            let down_revisions = take("down_revision", script.down_revisions());
            let mut depends_on = take("depends_on", script.dependencies());
            if depends_on.is_empty() && script.has_empty_dependencies() {
                // The graph's spelling of "set, but to nothing Alembic looks up".
                depends_on.push(String::new());
            }
            let branch_labels = take("branch_labels", script.branch_labels());
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
            Some(RevisionInput {
                id: id.id,
                down_revisions,
                depends_on,
                branch_labels,
                hash_ordered,
            })
        }
        Err(problem) => {
            file.id_problem = Some(IdProblem::Revision(problem));
            None
        }
    };
    file.script = Some(script);
    (file, input)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The folder project modules (constants imported by migrations) are looked
/// for under: the enclosing git work tree of the first version location, or
/// else the nearest of the working directory and the configuration's folder
/// that contains it.
pub(crate) fn module_root(locations: &[PathBuf], config_dir: Option<&Path>, cwd: &Path) -> PathBuf {
    let Some(start) = locations.first() else {
        return cwd.to_path_buf();
    };
    if let Some(git_root) = start.ancestors().find(|dir| dir.join(".git").exists()) {
        return git_root.to_path_buf();
    }
    [Some(cwd), config_dir]
        .into_iter()
        .flatten()
        .find(|dir| start.starts_with(dir))
        .map_or_else(
            || start.parent().unwrap_or(start).to_path_buf(),
            Path::to_path_buf,
        )
}
