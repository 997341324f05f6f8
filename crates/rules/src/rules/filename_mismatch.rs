//! `filename-mismatch`: the file name carries a different id than the file defines.

pub(crate) const EXPLANATION: &str = r"# filename-mismatch

## What it does
Reports a migration whose file name starts with a revision id (Alembic's
default `%(rev)s_%(slug)s` template) that differs from the `revision` the file
declares, typically after a copy or a hand rename.

## Why is this bad?
People and scripts find migrations by file name; a wrong id in the name sends
them to the wrong file and hides duplicate ids.

## How to fix
Rename the file so that it starts with its revision id.
";

use rustc_hash::FxHashSet as HashSet;

use alembic_doctor_project::Project;

use crate::{Finding, Rule};

pub(crate) fn check(project: &Project, out: &mut Vec<Finding>) {
    // Only a name that does not look generated asks for the set.
    let ids: std::cell::OnceCell<HashSet<&str>> = std::cell::OnceCell::new();
    let is_id = |word: &str| {
        ids.get_or_init(|| {
            project
                .map
                .revisions()
                .iter()
                .map(|r| r.id.as_str())
                .collect()
        })
        .contains(word)
    };
    for (rev, input) in project.map.revisions().iter().enumerate() {
        let file_index = project.revision_files[rev];
        let file = &project.files[file_index];
        let Some(name) = file.path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let stem = name.strip_suffix(".py").unwrap_or(name);
        if input.id.is_empty() || stem.contains(input.id.as_str()) {
            continue;
        }
        let Some(claimed) = claimed_id(stem, is_id) else {
            continue;
        };
        let span = file
            .script()
            .and_then(|s| match &s.revision {
                alembic_doctor_script::Variable::Bound(b) => Some(b.value_span),
                alembic_doctor_script::Variable::Missing => None,
            })
            .unwrap_or_default();
        out.push(
            Finding::new(
                Rule::FilenameMismatch,
                format!(
                    "{} is named after revision `{claimed}` but defines revision `{}`",
                    file.display_path, input.id
                ),
            )
            .at(file_index, span, format!("the file defines `{}`", input.id))
            .revision(&input.id)
            .help(format!(
                "rename the file to `{}{}.py`",
                input.id,
                stem.strip_prefix(claimed).unwrap_or(stem)
            )),
        );
    }
}

/// The id a file name claims: its first `_`-separated word when that looks
/// like an Alembic id (12 lowercase hex characters) or is another revision's
/// id. Date-prefixed and descriptive names claim nothing.
fn claimed_id(stem: &str, is_id: impl Fn(&str) -> bool) -> Option<&str> {
    let first = stem.split('_').next().filter(|w| !w.is_empty())?;
    let generated = first.len() == 12
        && first
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    (generated || (first.len() >= 3 && is_id(first))).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_id_like_prefixes_are_claims() {
        let ids: HashSet<&str> = ["kilo", "ae1027a6acf"].into_iter().collect();
        assert_eq!(
            claimed_id("1975ea83b712_add_x", |word| ids.contains(word)),
            Some("1975ea83b712")
        );
        assert_eq!(
            claimed_id("kilo_initial", |word| ids.contains(word)),
            Some("kilo")
        );
        assert_eq!(
            claimed_id("2025_12_24_1634_add_x", |word| ids.contains(word)),
            None
        );
        assert_eq!(claimed_id("add_users", |word| ids.contains(word)), None);
    }
}
