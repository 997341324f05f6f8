//! The fixes' planners on an arbitrary migration file: `fix headers` on the
//! file alone, `fix duplicate-ids` on two copies of it and a child that
//! names its id, `fix merge` on it and a second head. Whatever a plan
//! rewrites must still parse when the original did, bytes outside the
//! spans the fix may touch (the id literals and the header lines) must be
//! unchanged, and a merge revision the plan writes must parse and carry
//! the id it was given.
//!
//! Input: the first byte chooses the fix; the rest is the file.

use std::path::{Path, PathBuf};

use alembic_doctor_fix::{Fix, duplicates, merge, plan_loaded};
use alembic_doctor_project::{LoadRequest, Project, load_in};
use alembic_doctor_script::{Script, ScriptContext, Value, Variable, parse_script};
use alembic_doctor_source::Span;

use super::{Signature, variant};
use crate::memory::{MemoryTree, ROOT};

/// The id `fix merge` is asked to give its revision.
const MERGE_ID: &str = "fuzzmerge0001";

/// The spans of `script` a fix may rewrite: the bytes of the string
/// literals of `revision`, `down_revision` and `depends_on`, and the
/// header lines.
fn rewritable(script: &Script) -> Vec<Span> {
    fn literals(value: &Value, out: &mut Vec<Span>) {
        match value {
            Value::Str(literal) => out.extend(literal.content_span),
            Value::Sequence { items, .. } => items.iter().for_each(|item| literals(item, out)),
            _ => {}
        }
    }
    let mut spans = Vec::new();
    for variable in [&script.revision, &script.down_revision, &script.depends_on] {
        if let Variable::Bound(binding) = variable {
            literals(&binding.value, &mut spans);
        }
    }
    if let Some(doc) = &script.docstring {
        for line in [&doc.header.revision_id, &doc.header.revises]
            .into_iter()
            .flatten()
        {
            spans.push(line.line_span);
        }
    }
    spans
}

/// Whether `after` is `before` with only the bytes of `spans` replaced:
/// the bytes between the spans appear in `after`, whole and in order, with
/// the first at the start and the last at the end.
pub(crate) fn only_spans_changed(before: &[u8], after: &[u8], spans: &[Span]) -> bool {
    if spans.is_empty() {
        return before == after;
    }
    let mut spans = spans.to_vec();
    spans.sort_by_key(|s| (s.start, s.end));
    let mut kept: Vec<&[u8]> = Vec::new();
    let mut at = 0usize;
    for span in &spans {
        let (start, end) = (span.start as usize, span.end as usize);
        if start >= at || kept.is_empty() {
            kept.push(&before[at..start.max(at)]);
        }
        at = at.max(end);
    }
    kept.push(&before[at..]);
    let (first, last) = (kept[0], kept[kept.len() - 1]);
    if first.len() + last.len() > after.len() || !after.starts_with(first) || !after.ends_with(last)
    {
        return false;
    }
    let limit = after.len() - last.len();
    let mut position = first.len();
    for piece in &kept[1..kept.len() - 1] {
        if piece.is_empty() {
            continue;
        }
        match after[position..limit]
            .windows(piece.len())
            .position(|window| window == *piece)
        {
            Some(found) => position += found + piece.len(),
            None => return false,
        }
    }
    true
}

fn parse(bytes: &[u8]) -> Script {
    parse_script(
        bytes,
        &ScriptContext::standalone(Path::new("versions/fuzz.py")),
    )
}

/// A plain id from `script`'s `revision`, safe to write into a generated
/// child's literal.
fn plain_id(script: &Script) -> Option<String> {
    let Variable::Bound(binding) = &script.revision else {
        return None;
    };
    let Value::Str(literal) = &binding.value else {
        return None;
    };
    literal
        .value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
        .then(|| literal.value.clone())
}

fn load(files: Vec<(String, Vec<u8>)>) -> (MemoryTree, Project) {
    let mut all = vec![
        (
            "alembic.ini".to_owned(),
            b"[alembic]\nscript_location = %(here)s/migrations\n".to_vec(),
        ),
        ("migrations/versions/README".to_owned(), Vec::new()),
    ];
    all.extend(files);
    let tree = MemoryTree::new(all);
    let request = LoadRequest {
        cwd: PathBuf::from(ROOT),
        config_files: Vec::new(),
        section: "alembic".to_owned(),
        env_config: None,
        versions: Vec::new(),
        recursive: false,
        display_root: None,
        operations: false,
        keep_bytes: true,
    };
    match load_in(&tree, &request) {
        Ok(project) => (tree, project),
        Err(error) => panic!("the fixed configuration did not load: {error}"),
    }
}

/// Run the target on `bytes`.
pub fn run(bytes: &[u8]) -> Vec<u64> {
    let mut signature = Signature::default();
    let Some((&mode, file)) = bytes.split_first() else {
        return Vec::new();
    };
    // What the reader makes of the file steers the loop towards files of
    // new shapes; what the planner does is added below.
    for feature in super::read_script::run(file) {
        signature.add((mode % 3, feature));
    }
    let name = |n: &str| format!("migrations/versions/{n}.py");
    let (fix, files) = match mode % 3 {
        0 => (Fix::Headers, vec![(name("001_fuzz"), file.to_vec())]),
        1 => {
            let mut files = vec![
                (name("001_fuzz"), file.to_vec()),
                (name("002_copy"), file.to_vec()),
            ];
            if let Some(id) = plain_id(&parse(file)) {
                let child = format!(
                    "\"\"\"child\n\nRevision ID: fuzzchild0001\nRevises: {id}\n\"\"\"\nrevision = 'fuzzchild0001'\ndown_revision = '{id}'\n"
                );
                files.push((name("003_child"), child.into_bytes()));
            }
            (Fix::DuplicateIds(duplicates::Options::default()), files)
        }
        _ => (
            Fix::Merge(merge::Options {
                message: Some("fuzz merge".to_owned()),
                rev_id: Some(MERGE_ID.to_owned()),
                ..merge::Options::default()
            }),
            vec![
                (name("001_fuzz"), file.to_vec()),
                (
                    name("002_other"),
                    b"revision = 'fuzzother0001'\ndown_revision = None\n".to_vec(),
                ),
            ],
        ),
    };
    let (tree, project) = load(files);
    let plan = match plan_loaded(&project, &fix, Path::new(ROOT)) {
        Ok(plan) => plan,
        Err(error) => {
            signature.add(variant(&error));
            assert!(!error.to_string().is_empty(), "an empty error message");
            return signature.finish();
        }
    };
    signature.add("planned");
    signature.count(plan.changes.len());
    signature.count(plan.notes.len());
    for fixed in &plan.fixes {
        signature.add(fixed.kind);
    }
    for change in &plan.changes {
        let Some(index) = project.files.iter().position(|f| f.path == change.path) else {
            panic!(
                "the plan changes {}, which is not a project file",
                change.path.display()
            );
        };
        let original = alembic_doctor_source::Tree::read(&tree, &change.path)
            .unwrap_or_else(|error| panic!("{}: {error}", change.path.display()));
        assert_eq!(
            change.before, original,
            "the plan's `before` is not the file"
        );
        let Some(script) = project.files[index].script() else {
            panic!("the plan changes {}, which was not read", change.display);
        };
        assert!(
            only_spans_changed(&change.before, &change.after, &rewritable(script)),
            "{}: bytes outside the rewritable spans changed:\n{}",
            change.display,
            String::from_utf8_lossy(&change.after)
        );
        if script.syntax_errors.is_empty() {
            let rewritten = parse(&change.after);
            assert!(
                rewritten.syntax_errors.is_empty(),
                "{}: the rewritten file does not parse ({}):\n{}",
                change.display,
                rewritten.syntax_errors[0].message,
                String::from_utf8_lossy(&change.after)
            );
        }
    }
    for created in &plan.created {
        let script = parse(&created.bytes);
        assert!(
            script.syntax_errors.is_empty(),
            "{}: the new file does not parse ({}):\n{}",
            created.display,
            script.syntax_errors[0].message,
            String::from_utf8_lossy(&created.bytes)
        );
        assert_eq!(
            script.revision_id("merge.py").map(|id| id.id),
            Ok(MERGE_ID.to_owned()),
            "{}: the new file's id",
            created.display
        );
    }
    signature.finish()
}

#[cfg(test)]
mod tests {
    use alembic_doctor_source::Span;

    use super::only_spans_changed;

    const BEFORE: &[u8] = b"revision = 'aaa'\ndown_revision = 'bbb'\n";

    #[test]
    fn a_change_inside_the_spans_is_allowed() {
        let spans = [Span::new(12, 15), Span::new(34, 37)];
        let after = b"revision = 'xxxxxx'\ndown_revision = ''\n";
        assert!(only_spans_changed(BEFORE, after, &spans));
        assert!(only_spans_changed(BEFORE, BEFORE, &spans));
    }

    #[test]
    fn a_change_outside_the_spans_is_caught() {
        let spans = [Span::new(12, 15), Span::new(34, 37)];
        for after in [
            &b"revision = 'xxx'\ndown_revision = 'bbb'\r\n"[..],
            b"Revision = 'aaa'\ndown_revision = 'bbb'\n",
            b"revision = 'aaa'\ndown_revisions = 'bbb'\n",
            b"revision = 'aaa'\n",
        ] {
            assert!(
                !only_spans_changed(BEFORE, after, &spans),
                "{}",
                String::from_utf8_lossy(after)
            );
        }
        assert!(!only_spans_changed(BEFORE, b"", &[]));
    }
}
