//! `fix merge [REV...]`: write a merge revision exactly as `alembic merge`
//! does (`command.merge` → `ScriptDirectory.generate_revision`).
//!
//! * The parents are the arguments resolved the way Alembic resolves them
//!   (default `heads`: the real heads, in load order; explicit revisions in
//!   the order given, partial ids expanded), written as a string for one
//!   and a tuple for several. The same refusals: `Duplicate head revisions
//!   specified`, `Revision X is not a head revision`.
//! * The id is 12 random hex characters; the message defaults to `empty
//!   message`; the `Create Date:` is `str(datetime.now())` (or the
//!   configured `timezone`).
//! * The file goes where Alembic puts it: the single version location, or
//!   with several, the directory of the first parent; its name is the
//!   project's `file_template` (`%(rev)s_%(slug)s` by default) with the
//!   slug of the message truncated at `truncate_slug_length`.
//! * The text is the project's `script.py.mako` rendered by [`template`]
//!   (`crate::template`), or Alembic's default template when the project's
//!   uses Mako this tool cannot render safely (said in a note).

use std::path::{Path, PathBuf};

use alembic_doctor_config::OptionValue;
use alembic_doctor_project::Project;

use crate::FixError;
use crate::base::collect_ids;
use crate::ids::TakenIds;
use crate::plan::{AppliedFix, FixKind, NewFile, Plan, Target};
use crate::template::{self, PyValue};

/// What `fix merge` was asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The revisions to merge (ids, partial ids, `heads`, `label@head`);
    /// empty means `heads`.
    pub revisions: Vec<String>,
    /// `-m`: the message (docstring and slug).
    pub message: Option<String>,
    /// `--rev-id`: use this id instead of a random one.
    pub rev_id: Option<String>,
}

/// The plan that writes the merge revision.
pub fn plan(project: &Project, options: &Options) -> Result<Plan, FixError> {
    crate::refuse_unloadable(project, "writing a merge revision")?;
    if let Some(failure) = project.map.alembic_would_fail() {
        return Err(FixError::refused(format!(
            "Alembic cannot load this chain ({}); run `alembic-doctor check` and fix that first",
            failure.exception.message
        )));
    }
    let parents = resolve_parents(project, options)?;
    let mut plan = Plan::default();
    if parents.len() < 2 && options.revisions.is_empty() {
        plan.notes
            .push("nothing to merge: the chain has a single head".to_owned());
        return Ok(plan);
    }
    let map = &project.map;
    let parent_ids: Vec<String> = parents
        .iter()
        .map(|&p| map.revisions()[p].id.clone())
        .collect();
    // The template writes the parents into the docstring's `Revises:`
    // line as they are (so does `alembic merge`): an id that line cannot
    // hold would give a file that does not parse.
    for parent in &parent_ids {
        if let Some(reason) = crate::headers::unwritable_in_header(parent) {
            return Err(FixError::refused(format!(
                "cannot write a merge revision: the parent id {parent:?} {reason}, which the new file's `Revises:` line cannot hold; give that revision a plain id first"
            )));
        }
    }
    let id = if let Some(id) = &options.rev_id {
        if id.contains(['@', '-', '+', ':']) || id.is_empty() {
            return Err(FixError::Usage {
                message: format!("`{id}` cannot be a revision id (no `@ - + :`, not empty)"),
            });
        }
        if let Some(taken) = id_in_use(project, id) {
            return Err(FixError::Usage {
                message: format!(
                    "--rev-id `{id}` is already {taken}; a merge revision needs an id of its own \
                     (leave out --rev-id for a fresh one)"
                ),
            });
        }
        id.clone()
    } else {
        let mut taken = TakenIds::default();
        let mut known = Vec::new();
        collect_ids(project, &mut known);
        for id in known {
            taken.insert(id);
        }
        taken.fresh()?
    };
    let options_of = &project.config.options;
    let text_option = |name: &str| -> Result<Option<String>, FixError> {
        options_of.get_text(name).map_err(|error| FixError::Usage {
            message: error.to_string(),
        })
    };
    let now = CreateDate::now(text_option("timezone")?.as_deref())?;
    let message = options.message.clone();
    let down_revision = match parent_ids.as_slice() {
        [one] => PyValue::Str(one.clone()),
        many => PyValue::Tuple(many.to_vec()),
    };
    let args = [
        ("up_revision", PyValue::Str(id.clone())),
        ("down_revision", down_revision),
        ("branch_labels", PyValue::None),
        ("depends_on", PyValue::None),
        ("create_date", PyValue::Str(now.text.clone())),
        (
            "message",
            PyValue::Str(
                message
                    .clone()
                    .unwrap_or_else(|| "empty message".to_owned()),
            ),
        ),
    ];
    let text = render_script(project, &args, &mut plan.notes)?;
    let bytes = encode(&text, text_option("output_encoding")?.as_deref())?;
    let directory = version_path(project, parents[0])?;
    let template = text_option("file_template")?.unwrap_or_else(|| "%(rev)s_%(slug)s".to_owned());
    let truncate = match text_option("truncate_slug_length")? {
        None => 40,
        Some(text) => match text.trim().parse::<usize>() {
            Ok(0) => 40,
            Ok(n) => n,
            Err(_) => {
                return Err(FixError::Usage {
                    message: format!("truncate_slug_length = {text} is not a number"),
                });
            }
        },
    };
    let name = file_name(&template, &id, message.as_deref(), truncate, &now)?;
    let path = directory.join(format!("{name}.py"));
    if has_post_write_hooks(project) {
        plan.notes.push(
            "the project configures post_write_hooks, which `alembic merge` runs on the new file; run them yourself".to_owned(),
        );
    }
    let display = shown(&path);
    plan.created.push(NewFile {
        path: path.clone(),
        display: display.clone(),
        bytes,
    });
    let mut distinct = parent_ids.clone();
    distinct.dedup();
    for parent in &distinct {
        plan.targets.push(Target::NotAHead { id: parent.clone() });
    }
    plan.targets.push(Target::Parents {
        id: id.clone(),
        parents: parent_ids.clone(),
    });
    plan.fixes.push(AppliedFix {
        kind: FixKind::Merge,
        file: path,
        old_id: None,
        new_id: Some(id.clone()),
        description: format!(
            "{display}: merge revision `{id}` of {}",
            parent_ids
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    });
    Ok(plan)
}

/// The revisions to merge, as Alembic resolves `merge` arguments.
fn resolve_parents(project: &Project, options: &Options) -> Result<Vec<usize>, FixError> {
    let map = &project.map;
    let arguments = if options.revisions.is_empty() {
        vec!["heads".to_owned()]
    } else {
        options.revisions.clone()
    };
    let mut parents = Vec::new();
    for argument in &arguments {
        let found = map.resolve(argument).map_err(|error| FixError::Usage {
            message: format!("{error}"),
        })?;
        parents.extend(found);
    }
    let mut ids: Vec<&str> = parents
        .iter()
        .map(|&p| map.revisions()[p].id.as_str())
        .collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return Err(FixError::refused(
            "Duplicate head revisions specified (Alembic's words): two of the revisions to merge \
             share an id; give the duplicates new ids first with `alembic-doctor fix duplicate-ids`",
        ));
    }
    if parents.is_empty() {
        return Err(FixError::refused("there is no revision to merge"));
    }
    for &parent in &parents {
        if !map.is_head(parent) {
            return Err(FixError::refused(format!(
                "Revision {} is not a head revision; merging it would create a new branch point \
                 (`alembic merge --splice` does that on purpose)",
                map.revisions()[parent].id
            )));
        }
    }
    Ok(parents)
}

/// What already answers to `id` in `project`: a revision (and its file)
/// or a branch label.
fn id_in_use(project: &Project, id: &str) -> Option<String> {
    let map = &project.map;
    if let Some(rev) = map.lookup(id) {
        return Some(format!("the id of {}", project.file_of(rev).display_path));
    }
    (0..map.revisions().len())
        .find(|&rev| {
            map.revisions()[rev].branch_labels.iter().any(|l| l == id)
                || map.branch_labels(rev).iter().any(|l| l == id)
        })
        .map(|rev| {
            format!(
                "a branch label of `{}` ({})",
                map.revisions()[rev].id,
                project.file_of(rev).display_path
            )
        })
}

/// Where the new file goes: the single version location, or the directory
/// of the first parent's file when there are several (Alembic's
/// `generate_revision`).
fn version_path(project: &Project, first_parent: usize) -> Result<PathBuf, FixError> {
    let locations = &project.version_locations;
    match locations.as_slice() {
        [only] => Ok(only.clone()),
        [] => Err(FixError::refused("the project has no version location")),
        _ => {
            let file = &project.file_of(first_parent).path;
            let directory = file.parent().unwrap_or(Path::new("")).to_path_buf();
            let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            if locations
                .iter()
                .any(|l| canonical(l) == canonical(&directory))
            {
                Ok(directory)
            } else {
                Err(FixError::refused(format!(
                    "Path {} is not represented in current version locations (Alembic's words): \
                     the first revision to merge lives in a sub-directory",
                    directory.display()
                )))
            }
        }
    }
}

/// The project's `script.py.mako` rendered, or Alembic's default template
/// with a note when the project's cannot be rendered here.
fn render_script(
    project: &Project,
    args: &[(&str, PyValue)],
    notes: &mut Vec<String>,
) -> Result<String, FixError> {
    let path = project
        .config
        .script_location
        .as_ref()
        .map(|dir| dir.join("script.py.mako"));
    let own = path.as_ref().map(|p| (p, std::fs::read(p)));
    let why_not = match own {
        Some((path, Ok(bytes))) => match String::from_utf8(bytes) {
            Ok(text) => match template::render(&text, args) {
                Ok(rendered) => return Ok(rendered),
                Err(construct) => format!(
                    "{} uses {construct}, which alembic-doctor does not render",
                    shown(path)
                ),
            },
            Err(_) => format!("{} is not UTF-8", shown(path)),
        },
        Some((path, Err(error))) => format!("cannot read {}: {error}", shown(path)),
        None => "the project has no script_location".to_owned(),
    };
    notes.push(format!(
        "{why_not}; the merge revision was written from Alembic's default template instead: compare it with what your template would produce"
    ));
    template::render(template::ALEMBIC_DEFAULT, args).map_err(|message| FixError::Internal {
        message: format!("Alembic's default template did not render: {message}"),
    })
}

/// The rendered text in the configured `output_encoding` (UTF-8 unless
/// set; ASCII-compatible encodings are accepted for ASCII text).
fn encode(text: &str, encoding: Option<&str>) -> Result<Vec<u8>, FixError> {
    let encoding = encoding
        .unwrap_or("utf-8")
        .to_ascii_lowercase()
        .replace('_', "-");
    if matches!(encoding.as_str(), "utf-8" | "utf8") || text.is_ascii() {
        Ok(text.as_bytes().to_vec())
    } else {
        Err(FixError::refused(format!(
            "output_encoding = {encoding} with a non-ASCII message is not supported; use an ASCII message"
        )))
    }
}

fn has_post_write_hooks(project: &Project) -> bool {
    match project.config.options.get("post_write_hooks") {
        Ok(Some(OptionValue::Text(text))) => !text.trim().is_empty(),
        Ok(Some(OptionValue::List(items))) => !items.is_empty(),
        Ok(Some(OptionValue::Tables(items))) => !items.is_empty(),
        _ => false,
    }
}

fn shown(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

/// The moment of the merge, as Alembic writes and uses it.
#[derive(Debug, Clone)]
pub(crate) struct CreateDate {
    /// `str(create_date)`.
    pub(crate) text: String,
    pub(crate) epoch: i64,
    pub(crate) year: i64,
    pub(crate) month: i64,
    pub(crate) day: i64,
    pub(crate) hour: i64,
    pub(crate) minute: i64,
    pub(crate) second: i64,
}

impl CreateDate {
    /// Now: naive local time, or in `timezone` (tried as given, then
    /// upper-cased, as Alembic does).
    pub(crate) fn now(timezone: Option<&str>) -> Result<Self, FixError> {
        let now = jiff::Timestamp::now();
        let (zoned, aware) = match timezone {
            None => (now.to_zoned(jiff::tz::TimeZone::system()), false),
            Some(name) => {
                let zone = jiff::tz::TimeZone::get(name)
                    .or_else(|_| jiff::tz::TimeZone::get(&name.to_uppercase()))
                    .map_err(|_| FixError::Usage {
                        message: format!("Can't locate timezone: {name}"),
                    })?;
                (now.to_zoned(zone), true)
            }
        };
        let dt = zoned.datetime();
        let micros = dt.subsec_nanosecond() / 1000;
        let mut text = format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        );
        if micros != 0 {
            text.push_str(&format!(".{micros:06}"));
        }
        if aware {
            let seconds = zoned.offset().seconds();
            let sign = if seconds < 0 { '-' } else { '+' };
            let seconds = seconds.abs();
            text.push_str(&format!(
                "{sign}{:02}:{:02}",
                seconds / 3600,
                seconds % 3600 / 60
            ));
            if seconds % 60 != 0 {
                text.push_str(&format!(":{:02}", seconds % 60));
            }
        }
        Ok(Self {
            text,
            epoch: now.as_second(),
            year: i64::from(dt.year()),
            month: i64::from(dt.month()),
            day: i64::from(dt.day()),
            hour: i64::from(dt.hour()),
            minute: i64::from(dt.minute()),
            second: i64::from(dt.second()),
        })
    }
}

/// Alembic's slug: the `\w+` runs of the message joined with `_`,
/// lower-cased, cut at `truncate` characters back to the last `_` with a
/// `_` appended.
pub(crate) fn slug(message: Option<&str>, truncate: usize) -> String {
    let message = message.unwrap_or_default();
    let words: Vec<&str> = message
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let slug = words.join("_").to_lowercase();
    if slug.chars().count() <= truncate {
        return slug;
    }
    let cut: String = slug.chars().take(truncate).collect();
    let kept = cut.rsplit_once('_').map_or(cut.as_str(), |(head, _)| head);
    format!("{kept}_")
}

/// The file name (without `.py`): `file_template % tokens`, with Python's
/// `%` formatting.
pub(crate) fn file_name(
    template: &str,
    rev: &str,
    message: Option<&str>,
    truncate: usize,
    date: &CreateDate,
) -> Result<String, FixError> {
    let slug = slug(message, truncate);
    let lookup = |name: &str| -> Option<Token> {
        Some(match name {
            "rev" => Token::Str(rev.to_owned()),
            "slug" => Token::Str(slug.clone()),
            "epoch" => Token::Int(date.epoch),
            "year" => Token::Int(date.year),
            "month" => Token::Int(date.month),
            "day" => Token::Int(date.day),
            "hour" => Token::Int(date.hour),
            "minute" => Token::Int(date.minute),
            "second" => Token::Int(date.second),
            _ => return None,
        })
    };
    percent_format(template, &lookup).map_err(|message| FixError::Usage {
        message: format!("file_template = {template}: {message}"),
    })
}

/// A value for `%` formatting.
#[derive(Debug, Clone)]
pub(crate) enum Token {
    Str(String),
    Int(i64),
}

/// Python's `template % mapping` for the conversions file templates use
/// (`s`, `r` of a str, `d`/`i`/`u`, `x`/`X`/`o`, with flags, width and
/// precision).
pub(crate) fn percent_format(
    template: &str,
    lookup: &dyn Fn(&str) -> Option<Token>,
) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        if chars.next() != Some('(') {
            return Err("every `%` must be `%(name)...` or `%%`".to_owned());
        }
        let mut name = String::new();
        loop {
            match chars.next() {
                Some(')') => break,
                Some(c) => name.push(c),
                None => return Err("a `%(` without `)`".to_owned()),
            }
        }
        let mut flags = String::new();
        while let Some(&c) = chars.peek().filter(|c| "#0- +".contains(**c)) {
            flags.push(c);
            chars.next();
        }
        let mut width = String::new();
        while let Some(&c) = chars.peek().filter(|c| c.is_ascii_digit()) {
            width.push(c);
            chars.next();
        }
        let mut precision = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut digits = String::new();
            while let Some(&c) = chars.peek().filter(|c| c.is_ascii_digit()) {
                digits.push(c);
                chars.next();
            }
            precision = Some(digits.parse::<usize>().unwrap_or(0));
        }
        while chars.peek().is_some_and(|c| "hlL".contains(*c)) {
            chars.next();
        }
        let conversion = chars.next().ok_or("a `%(name)` without a conversion")?;
        let value = lookup(&name).ok_or_else(|| format!("unknown key `{name}`"))?;
        let width: usize = width.parse().unwrap_or(0);
        let body = match (conversion, &value) {
            ('s', Token::Str(s)) => {
                precision.map_or_else(|| s.clone(), |p| s.chars().take(p).collect())
            }
            ('s', Token::Int(n)) => {
                let s = n.to_string();
                precision.map_or(s.clone(), |p| s.chars().take(p).collect())
            }
            ('r' | 'a', Token::Str(s)) => template::py_repr_str(s),
            ('d' | 'i' | 'u' | 'x' | 'X' | 'o', Token::Int(n)) => {
                let digits = match conversion {
                    'x' => format!("{:x}", n.unsigned_abs()),
                    'X' => format!("{:X}", n.unsigned_abs()),
                    'o' => format!("{:o}", n.unsigned_abs()),
                    _ => n.unsigned_abs().to_string(),
                };
                let digits = match precision {
                    Some(p) if digits.len() < p => {
                        format!("{}{digits}", "0".repeat(p - digits.len()))
                    }
                    _ => digits,
                };
                let sign = if *n < 0 {
                    "-"
                } else if flags.contains('+') {
                    "+"
                } else if flags.contains(' ') {
                    " "
                } else {
                    ""
                };
                if flags.contains('0') && !flags.contains('-') && precision.is_none() {
                    let pad = width.saturating_sub(sign.len() + digits.len());
                    format!("{sign}{}{digits}", "0".repeat(pad))
                } else {
                    format!("{sign}{digits}")
                }
            }
            (c, Token::Str(_)) if "diuxXo".contains(c) => {
                return Err(format!("%{c} needs a number, and `{name}` is text"));
            }
            (c, _) => return Err(format!("the conversion `%{c}` is not supported")),
        };
        let pad = width.saturating_sub(body.chars().count());
        if flags.contains('-') {
            out.push_str(&body);
            out.push_str(&" ".repeat(pad));
        } else {
            out.push_str(&" ".repeat(pad));
            out.push_str(&body);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date() -> CreateDate {
        CreateDate {
            text: String::new(),
            epoch: 1_700_000_000,
            year: 2024,
            month: 1,
            day: 5,
            hour: 16,
            minute: 4,
            second: 9,
        }
    }

    #[test]
    fn slugs_match_alembic() {
        assert_eq!(slug(Some("merge heads"), 40), "merge_heads");
        assert_eq!(slug(None, 40), "");
        // The documented example (alembic-semantics.md §4.1).
        assert_eq!(
            slug(
                Some("Ünïcode: café & naïve — long message that goes on"),
                40
            ),
            "ünïcode_café_naïve_long_message_that_"
        );
    }

    #[test]
    fn file_templates_format_like_python() {
        let d = date();
        assert_eq!(
            file_name("%(rev)s_%(slug)s", "abc", Some("Merge it"), 40, &d).unwrap(),
            "abc_merge_it"
        );
        assert_eq!(
            file_name(
                "%(year)d_%(month).2d_%(day).2d_%(hour).2d%(minute).2d-%(rev)s_%(slug)s",
                "abc",
                None,
                40,
                &d
            )
            .unwrap(),
            "2024_01_05_1604-abc_"
        );
        assert_eq!(
            file_name("%(epoch)s_%(second)02d", "x", None, 40, &d).unwrap(),
            "1700000000_09"
        );
        assert!(file_name("%(nope)s", "x", None, 40, &d).is_err());
        assert!(file_name("%(rev)d", "x", None, 40, &d).is_err());
    }
}
