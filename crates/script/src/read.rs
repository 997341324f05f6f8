//! [`parse_script`]: one migration file, from bytes to [`Script`].

use std::path::PathBuf;

use alembic_doctor_source::{LineIndex, Span};

use crate::bindings::{self, FileKind, Tracked};
use crate::docstring::docstring;
use crate::encoding;
use crate::project::ScriptContext;
use crate::recipe::Lowering;
use crate::resolve::Evaluator;
use crate::syntax;
use crate::{Binding, Operations, Script, SyntaxError, Variable};

/// Read one migration file without running it.
///
/// Never panics and never fails: whatever the bytes (empty, binary, another
/// encoding, Python 2, deeply nested), the result says what could be read
/// and lists every syntax error. Names imported from the project's own
/// modules are looked up through `context`'s [`crate::Project`].
///
/// ```
/// use std::path::Path;
/// use alembic_doctor_script::{Project, ScriptContext, parse_script};
///
/// // One `Project` per run, shared by every file (and thread).
/// let project = Project::on_disk("/repo");
/// let path = Path::new("/repo/migrations/versions/ab12_add_users.py");
/// let source = b"revision = 'ab12'\ndown_revision = ('f00d', 'beef')\n";
/// let script = parse_script(source, &ScriptContext::new(path, &project));
///
/// assert_eq!(script.revision_id("ab12_add_users.py").map(|id| id.id), Ok("ab12".to_owned()));
/// assert_eq!(script.down_revisions(), Ok(vec!["f00d".to_owned(), "beef".to_owned()]));
/// assert_eq!(script.dependencies(), Ok(vec![]));
/// assert!(script.syntax_errors.is_empty());
/// ```
pub fn parse_script(bytes: &[u8], context: &ScriptContext<'_>) -> Script {
    parse_script_tracked(bytes, context).0
}

/// [`parse_script`], and what the script depends on besides `bytes`:
/// `None` when no value was looked up in the project's modules, else every
/// module path the look-ups looked at, found or not (sorted, each once).
/// The script may change when one of those files appears, changes or goes
/// although its own bytes did not; a cache must check them too (and the
/// project root, which decides how far up absolute imports are looked
/// for).
pub fn parse_script_tracked(
    bytes: &[u8],
    context: &ScriptContext<'_>,
) -> (Script, Option<Vec<PathBuf>>) {
    let line_index = LineIndex::new(bytes);
    let (mut script, dependencies) = read(bytes, context, &line_index, false).map_or_else(
        |message| (empty(message, bytes), None),
        |(script, _)| script,
    );
    script.line_index = line_index;
    (script, dependencies)
}

/// A script and the module paths its values were looked up in.
type ScriptAndDependencies = (Script, Option<Vec<PathBuf>>);

/// [`parse_script_tracked`] and [`crate::read_operations`] from one parse
/// of the file: what loading a project for the safety lints reads, so that
/// no file is parsed twice.
pub fn parse_script_with_operations(
    bytes: &[u8],
    context: &ScriptContext<'_>,
) -> (Script, Option<Vec<PathBuf>>, Operations) {
    let line_index = LineIndex::new(bytes);
    let (mut script, dependencies, operations) = match read(bytes, context, &line_index, true) {
        Ok(((script, dependencies), operations)) => (
            script,
            dependencies,
            operations.unwrap_or_else(Operations::unreadable),
        ),
        Err(message) => (empty(message, bytes), None, Operations::unreadable()),
    };
    script.line_index = line_index;
    (script, dependencies, operations)
}

/// Everything but the line index, which the caller moves in; the
/// operations too when `with_operations`.
fn read(
    bytes: &[u8],
    context: &ScriptContext<'_>,
    line_index: &LineIndex,
    with_operations: bool,
) -> Result<(ScriptAndDependencies, Option<Operations>), String> {
    let decoded = encoding::decode(bytes);
    let parsed = syntax::parse_module(&decoded.text)?;
    syntax::with_module(parsed, |parsed| {
        let script = from_module(bytes, &decoded, parsed, context, line_index);
        let operations = with_operations.then(|| crate::ops::of_module(bytes, &decoded, parsed));
        (script, operations)
    })
}

/// The script of a parsed file.
fn from_module(
    bytes: &[u8],
    decoded: &encoding::Decoded<'_>,
    parsed: &syntax::ParsedModule,
    context: &ScriptContext<'_>,
    line_index: &LineIndex,
) -> (Script, Option<Vec<PathBuf>>) {
    let lowering = Lowering {
        text: &decoded.text,
        original: bytes,
        map: &decoded.map,
    };

    let walked = bindings::walk(&parsed.body, &lowering, context.dir(), FileKind::Migration);

    let syntax_errors = syntax_errors(decoded, parsed, &lowering, walked.compile_errors);

    let mut evaluator = Evaluator::new(context.project());
    let [revision, down_revision, branch_labels, depends_on] = walked.tracked.map(|tracked| {
        let mut variable = variable(tracked, &mut evaluator);
        if let Variable::Bound(binding) = &mut variable {
            escape_undecodable(binding, &decoded.invalid_utf8, bytes);
        }
        variable
    });

    let script = Script {
        revision,
        down_revision,
        branch_labels,
        depends_on,
        docstring: docstring(&parsed.body, &lowering, line_index),
        syntax_errors,
        import_errors: walked.import_errors,
        line_index: LineIndex::default(),
    };
    (script, evaluator.dependencies())
}

/// Every error Python would raise before running the module, in file
/// order: decoding, grammar, and the compile-time checks of the walk.
pub(crate) fn syntax_errors(
    decoded: &encoding::Decoded<'_>,
    parsed: &syntax::ParsedModule,
    lowering: &Lowering<'_>,
    compile_errors: Vec<SyntaxError>,
) -> Vec<SyntaxError> {
    let mut errors = decoded.errors.clone();
    // CPython rejects undecodable bytes everywhere but in comments, and
    // stops at the first one.
    if let Some(invalid) = decoded
        .invalid_utf8
        .iter()
        .find(|invalid| !parsed.in_comment(invalid.text_offset))
    {
        errors.push(invalid.to_error());
    }
    errors.extend(parsed.errors.iter().map(|(message, range)| SyntaxError {
        message: message.clone(),
        span: lowering.span(*range),
    }));
    errors.extend(compile_errors);
    errors.sort_by_key(|error| (error.span.start, error.span.end));
    errors
}

fn variable(tracked: Option<Tracked>, evaluator: &mut Evaluator<'_>) -> Variable {
    match tracked {
        None => Variable::Missing,
        Some(tracked) => Variable::Bound(Binding {
            value: evaluator.value(&tracked.recipe),
            statement: tracked.statement,
            value_span: tracked.value_span,
            conditional: tracked.conditional,
        }),
    }
}

/// Undecodable bytes in the strings of `binding`'s value (each U+FFFD in
/// the decoded text) as `\xNN` escapes of the bytes, so that an id reads
/// the same everywhere it is shown and ids differing only there stay
/// different. Only when the value's U+FFFD characters are exactly the
/// invalid sequences inside its expression, in order (a U+FFFD written as
/// such, or a value from elsewhere, is left alone).
fn escape_undecodable(binding: &mut Binding, invalid: &[encoding::InvalidUtf8], bytes: &[u8]) {
    fn replacements(value: &crate::Value) -> usize {
        match value {
            crate::Value::Str(literal) => {
                literal.value.matches(char::REPLACEMENT_CHARACTER).count()
            }
            crate::Value::Sequence { items, .. } => items.iter().map(replacements).sum(),
            _ => 0,
        }
    }
    fn rewrite<'a>(value: &mut crate::Value, escapes: &mut impl Iterator<Item = &'a [u8]>) {
        match value {
            crate::Value::Str(literal) if literal.value.contains(char::REPLACEMENT_CHARACTER) => {
                let mut out = String::with_capacity(literal.value.len() + 8);
                for c in literal.value.chars() {
                    if c == char::REPLACEMENT_CHARACTER
                        && let Some(bad) = escapes.next()
                    {
                        for byte in bad {
                            out.push_str(&format!("\\x{byte:02x}"));
                        }
                    } else {
                        out.push(c);
                    }
                }
                literal.value = out;
                literal.content_span = None;
            }
            crate::Value::Sequence { items, .. } => {
                for item in items {
                    rewrite(item, escapes);
                }
            }
            _ => {}
        }
    }
    let span = binding.value_span;
    let inside: Vec<&[u8]> = invalid
        .iter()
        .filter(|bad| bad.span.start >= span.start && bad.span.end <= span.end)
        .filter_map(|bad| bytes.get(bad.span.range()))
        .collect();
    if inside.is_empty() || replacements(&binding.value) != inside.len() {
        return;
    }
    rewrite(&mut binding.value, &mut inside.into_iter());
}

/// The script of a file that could not be read at all.
fn empty(message: String, bytes: &[u8]) -> Script {
    let end = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    Script {
        revision: Variable::Missing,
        down_revision: Variable::Missing,
        branch_labels: Variable::Missing,
        depends_on: Variable::Missing,
        docstring: None,
        syntax_errors: vec![SyntaxError {
            message,
            span: Span::new(0, end),
        }],
        import_errors: Vec::new(),
        line_index: LineIndex::default(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::Project;

    /// A parse cache keys a script by its own file; a value taken from
    /// another module must be flagged, or editing that module would leave
    /// a stale id in the cache.
    #[test]
    fn a_value_looked_up_in_the_project_is_flagged() {
        let dir = tempfile::tempdir().unwrap();
        let project = Project::on_disk(dir.path());
        let path = dir.path().join("versions/a.py");
        let context = ScriptContext::new(&path, &project);
        let plain = b"import os\nrevision = 'a'\ndown_revision = None\n";
        assert_eq!(parse_script_tracked(plain, &context).1, None);
        // Flagged whether or not the module exists: creating it later
        // changes the answer too. Every place it could be is listed.
        let imported = b"from app.constants import REV\nrevision = REV\ndown_revision = None\n";
        let probed = parse_script_tracked(imported, &context).1.unwrap();
        for place in [
            "versions/app/constants.py",
            "app/constants/__init__.py",
            "src/app/constants.py",
        ] {
            assert!(
                probed.contains(&dir.path().join(place)),
                "{place} in {probed:?}"
            );
        }
        assert!(probed.is_sorted());
        std::fs::create_dir_all(dir.path().join("app")).unwrap();
        std::fs::write(dir.path().join("app/constants.py"), "REV = 'a'\n").unwrap();
        let project = Project::on_disk(dir.path());
        let context = ScriptContext::new(&path, &project);
        let (script, probed) = parse_script_tracked(imported, &context);
        assert_eq!(
            script.revision_id("a.py").map(|id| id.id),
            Ok("a".to_owned())
        );
        // Found at the root: the places after it are not looked at.
        let probed = probed.unwrap();
        assert!(probed.contains(&dir.path().join("app/constants.py")));
        assert!(!probed.contains(&dir.path().join("src/app/constants.py")));
        let standalone = ScriptContext::standalone(Path::new("a.py"));
        assert_eq!(parse_script_tracked(imported, &standalone).1, None);
    }
}
