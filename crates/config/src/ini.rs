//! A faithful reader for Python's `configparser.ConfigParser` with the
//! defaults Alembic uses, and its `BasicInterpolation`.
//!
//! Why not a crate: the parts that decide what `version_locations` contains
//! are `ConfigParser`'s own rules, and the ini crates differ on them:
//! * `=` or `:` delimit a key, whichever comes first; keys are lower-cased,
//!   section names are not.
//! * Only *full-line* comments (`#` or `;` after leading whitespace); a `#`
//!   inside a value is part of the value.
//! * A line indented deeper than its key's line continues the value, even
//!   after blank lines (which become empty lines in the value); comment lines
//!   inside a value are dropped. The joined value is right-stripped.
//! * A section header is `[` … the *last* `]` on the line; trailing text after
//!   it is ignored.
//! * `strict`: a section or a key repeated in one file is an error;
//!   `[DEFAULT]` may repeat, its keys may not.
//! * A line without a delimiter, or with an empty key, is a parsing error
//!   (Python reports them all at the end of the file; we report the first).
//! * `%(name)s` interpolation happens on *read*, not parse, so a bad `%` in
//!   a key Alembic never reads is harmless. `%%` is a literal `%`.
//!
//! Line breaks are `\n`, `\r\n` and `\r` (Python's universal newlines).

use std::collections::{BTreeMap, HashSet};

use crate::pytext;

/// `ConfigParser`'s `default_section`.
pub(crate) const DEFAULT_SECTION: &str = "DEFAULT";

/// Python's `configparser.MAX_INTERPOLATION_DEPTH`.
const MAX_INTERPOLATION_DEPTH: usize = 10;

/// A parsed ini file: raw (uninterpolated) values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Ini {
    /// `[DEFAULT]` plus the parser's constructor defaults (`here`).
    pub(crate) defaults: BTreeMap<String, String>,
    /// Other sections in file order.
    pub(crate) sections: Vec<(String, BTreeMap<String, String>)>,
}

/// Why a file is not valid `ConfigParser` input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// 1-based line.
    pub(crate) line: usize,
    /// What is wrong, in words.
    pub(crate) message: String,
}

/// Why a value could not be interpolated (Python's `Interpolation*Error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InterpolationError {
    /// Python's message.
    pub(crate) message: String,
}

/// Where a line's text goes while parsing: `None` is `[DEFAULT]`.
type SectionIndex = Option<usize>;

/// Parse `text` with `defaults` pre-loaded into `[DEFAULT]`, as
/// `ConfigParser(defaults).read(file)` does.
pub(crate) fn parse(text: &str, defaults: &[(&str, &str)]) -> Result<Ini, SyntaxError> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }

    // Values are collected as lists of lines and joined at the end.
    let mut default_lines: BTreeMap<String, Vec<String>> = defaults
        .iter()
        .map(|(k, v)| (k.to_lowercase(), vec![(*v).to_owned()]))
        .collect();
    let mut sections: Vec<(String, BTreeMap<String, Vec<String>>)> = Vec::new();
    let mut added_sections: HashSet<String> = HashSet::new();
    let mut added_options: HashSet<(String, String)> = HashSet::new();
    let mut current: Option<(SectionIndex, String)> = None;
    let mut option: Option<String> = None;
    let mut indent_level = 0usize;
    let mut first_error: Option<SyntaxError> = None;

    for (index, line) in lines.iter().enumerate() {
        let line_no = index + 1;
        let stripped = pytext::strip(line);
        let is_comment = stripped.starts_with('#') || stripped.starts_with(';');
        let value = if is_comment { "" } else { stripped };
        if value.is_empty() {
            // A blank (not comment) line inside a value is part of it.
            if !is_comment && let (Some((section, _)), Some(name)) = (&current, &option) {
                let target = match section {
                    None => &mut default_lines,
                    Some(i) => &mut sections[*i].1,
                };
                if let Some(value_lines) = target.get_mut(name) {
                    value_lines.push(String::new());
                }
            }
            continue;
        }
        let indent = line.chars().position(|c| !pytext::is_space(c)).unwrap_or(0);
        if let (Some((section, _)), Some(name)) = (&current, &option)
            && indent > indent_level
        {
            let target = match section {
                None => &mut default_lines,
                Some(i) => &mut sections[*i].1,
            };
            if let Some(value_lines) = target.get_mut(name) {
                value_lines.push(value.to_owned());
            }
            continue;
        }
        indent_level = indent;
        if let Some(header) = section_header(value) {
            if header == DEFAULT_SECTION {
                current = Some((None, header.to_owned()));
            } else if added_sections.contains(header) {
                return Err(SyntaxError {
                    line: line_no,
                    message: format!("section [{header}] appears twice in this file"),
                });
            } else {
                added_sections.insert(header.to_owned());
                sections.push((header.to_owned(), BTreeMap::new()));
                current = Some((Some(sections.len() - 1), header.to_owned()));
            }
            option = None;
            continue;
        }
        let Some((section, section_name)) = &current else {
            return Err(SyntaxError {
                line: line_no,
                message: format!(
                    "expected a section header such as [alembic] before {}",
                    quote(line)
                ),
            });
        };
        let Some((raw_name, raw_value)) = option_line(value) else {
            first_error.get_or_insert(SyntaxError {
                line: line_no,
                message: format!(
                    "{} is neither `key = value` nor a [section] header",
                    quote(line)
                ),
            });
            continue;
        };
        if raw_name.is_empty() {
            first_error.get_or_insert(SyntaxError {
                line: line_no,
                message: format!("{} has no key before the `=`/`:`", quote(line)),
            });
        }
        let name = pytext::rstrip(raw_name).to_lowercase();
        if !added_options.insert((section_name.clone(), name.clone())) {
            return Err(SyntaxError {
                line: line_no,
                message: format!("key `{name}` appears twice in section [{section_name}]"),
            });
        }
        let target = match section {
            None => &mut default_lines,
            Some(i) => &mut sections[*i].1,
        };
        target.insert(name.clone(), vec![pytext::strip(raw_value).to_owned()]);
        // Python tests `optname` for truth: an empty key takes no
        // continuation lines.
        option = (!name.is_empty()).then_some(name);
    }
    if let Some(error) = first_error {
        return Err(error);
    }
    let join = |options: BTreeMap<String, Vec<String>>| -> BTreeMap<String, String> {
        options
            .into_iter()
            .map(|(k, v)| (k, pytext::rstrip(&v.join("\n")).to_owned()))
            .collect()
    };
    Ok(Ini {
        defaults: join(default_lines),
        sections: sections.into_iter().map(|(n, o)| (n, join(o))).collect(),
    })
}

/// `SECTCRE = \[(?P<header>.+)\]` with `re.match`: from a leading `[` to the
/// last `]`, with at least one character between.
fn section_header(value: &str) -> Option<&str> {
    let rest = value.strip_prefix('[')?;
    let end = rest.rfind(']')?;
    (end > 0).then(|| &rest[..end])
}

/// `OPTCRE`: the key is the text before the first `=` or `:`.
fn option_line(value: &str) -> Option<(&str, &str)> {
    let at = value.find(['=', ':'])?;
    Some((&value[..at], &value[at + 1..]))
}

fn quote(line: &str) -> String {
    format!("`{}`", pytext::strip(line))
}

impl Ini {
    /// `ConfigParser.has_section` (never true for `DEFAULT`).
    pub(crate) fn has_section(&self, section: &str) -> bool {
        self.sections.iter().any(|(name, _)| name == section)
    }

    /// Section names in file order.
    pub(crate) fn section_names(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().map(|(name, _)| name.as_str())
    }

    fn section(&self, section: &str) -> Option<&BTreeMap<String, String>> {
        self.sections
            .iter()
            .find(|(name, _)| name == section)
            .map(|(_, options)| options)
    }

    /// The raw value of `option` as `ConfigParser.get(raw=True)` sees it:
    /// the section's own key, else `[DEFAULT]`'s. `None` when the section
    /// does not exist (and is not `DEFAULT`) or neither has the key.
    pub(crate) fn raw(&self, section: &str, option: &str) -> Option<&str> {
        let option = option.to_lowercase();
        // `has_option("")` and `get("")` mean `[DEFAULT]` in Python.
        let own = if section.is_empty() || section == DEFAULT_SECTION {
            None
        } else {
            Some(self.section(section)?)
        };
        own.and_then(|o| o.get(&option))
            .or_else(|| self.defaults.get(&option))
            .map(String::as_str)
    }

    /// Every raw key of `section`, `[DEFAULT]` keys included, as
    /// `ConfigParser.items(section, raw=True)` lists them.
    pub(crate) fn raw_items(&self, section: &str) -> BTreeMap<&str, &str> {
        let mut items: BTreeMap<&str, &str> = self
            .defaults
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if let Some(own) = self.section(section) {
            items.extend(own.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        items
    }

    /// `ConfigParser.get(section, option)`: the interpolated value.
    pub(crate) fn get(
        &self,
        section: &str,
        option: &str,
    ) -> Option<Result<String, InterpolationError>> {
        let raw = self.raw(section, option)?;
        let mut out = String::new();
        Some(
            self.interpolate(section, option, raw, raw, 1, &mut out)
                .map(|()| out),
        )
    }

    /// `BasicInterpolation._interpolate_some`.
    fn interpolate(
        &self,
        section: &str,
        option: &str,
        raw: &str,
        mut rest: &str,
        depth: usize,
        out: &mut String,
    ) -> Result<(), InterpolationError> {
        if depth > MAX_INTERPOLATION_DEPTH {
            return Err(InterpolationError {
                message: format!(
                    "Recursion limit exceeded in value substitution: option {} in section {} \
                     contains an interpolation key which cannot be substituted in {MAX_INTERPOLATION_DEPTH} steps. \
                     Raw value: {}",
                    py_repr(option),
                    py_repr(section),
                    py_repr(raw)
                ),
            });
        }
        while let Some(at) = rest.find('%') {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            if let Some(after) = rest.strip_prefix("%%") {
                out.push('%');
                rest = after;
            } else if rest.starts_with("%(") {
                let Some((key, after)) = interpolation_key(rest) else {
                    return Err(InterpolationError {
                        message: format!(
                            "bad interpolation variable reference {} in option {} of section {}",
                            py_repr(rest),
                            py_repr(option),
                            py_repr(section)
                        ),
                    });
                };
                let key = key.to_lowercase();
                let Some(value) = self.raw(section, &key) else {
                    return Err(InterpolationError {
                        message: format!(
                            "Bad value substitution: option {} in section {} contains an \
                             interpolation key {} which is not a valid option name. Raw value: {}",
                            py_repr(option),
                            py_repr(section),
                            py_repr(&key),
                            py_repr(raw)
                        ),
                    });
                };
                rest = after;
                if value.contains('%') {
                    self.interpolate(section, option, raw, value, depth + 1, out)?;
                } else {
                    out.push_str(value);
                }
            } else {
                return Err(InterpolationError {
                    message: format!(
                        "'%' must be followed by '%' or '(', found: {} in option {} of section {}",
                        py_repr(rest),
                        py_repr(option),
                        py_repr(section)
                    ),
                });
            }
        }
        out.push_str(rest);
        Ok(())
    }
}

/// `_KEYCRE = %\(([^)]+)\)s` matched at the start of `rest`.
fn interpolation_key(rest: &str) -> Option<(&str, &str)> {
    let inner = rest.strip_prefix("%(")?;
    let close = inner.find(')')?;
    if close == 0 {
        return None;
    }
    let after = inner[close + 1..].strip_prefix('s')?;
    Some((&inner[..close], after))
}

/// `BasicInterpolation.before_set`: what `ConfigParser(defaults)` checks for
/// each constructor default (Alembic's `here`). Returns Python's message.
pub(crate) fn check_settable(value: &str) -> Result<(), String> {
    let without_escapes = value.replace("%%", "");
    let mut rest = without_escapes.as_str();
    let mut remaining = String::new();
    while let Some(at) = rest.find('%') {
        remaining.push_str(&rest[..at]);
        if let Some((_, after)) = interpolation_key(&rest[at..]) {
            rest = after;
        } else {
            remaining.push_str(&rest[at..]);
            rest = "";
        }
    }
    remaining.push_str(rest);
    match remaining.find('%') {
        Some(at) => Err(format!(
            "invalid interpolation syntax in {} at position {at}",
            py_repr(value)
        )),
        None => Ok(()),
    }
}

pub(crate) use alembic_doctor_pystr::repr_str as py_repr;

#[cfg(test)]
mod tests {
    use super::*;

    fn ini(text: &str) -> Ini {
        parse(text, &[("here", "/proj")]).unwrap()
    }

    fn get(ini: &Ini, option: &str) -> String {
        ini.get("alembic", option).unwrap().unwrap()
    }

    #[test]
    fn reads_keys_values_and_both_delimiters() {
        let ini = ini(
            "[alembic]\nScript_Location = %(here)s/migrations\nsqlalchemy.url: driver://u:p@h/db\n",
        );
        assert_eq!(get(&ini, "script_location"), "/proj/migrations");
        assert_eq!(get(&ini, "sqlalchemy.url"), "driver://u:p@h/db");
    }

    #[test]
    fn continuation_lines_blank_lines_and_comments() {
        let text = "[alembic]\nversion_locations =\n    %(here)s/a\n\n    # a comment\n    %(here)s/b\n\n\nnext = x # not a comment\n";
        let ini = ini(text);
        assert_eq!(get(&ini, "version_locations"), "\n/proj/a\n\n/proj/b");
        assert_eq!(get(&ini, "next"), "x # not a comment");
    }

    #[test]
    fn crlf_and_cr_line_breaks() {
        let ini = ini("[alembic]\r\na = 1\r\n  2\rb = 3");
        assert_eq!(get(&ini, "a"), "1\n2");
        assert_eq!(get(&ini, "b"), "3");
    }

    #[test]
    fn header_runs_to_the_last_bracket() {
        let ini = ini("[alembic] trailing\na = 1\n[x]y]\n");
        assert_eq!(get(&ini, "a"), "1");
        assert!(ini.has_section("x]y"));
    }

    #[test]
    fn default_section_feeds_every_section_and_interpolation() {
        let ini = ini("[DEFAULT]\nbase = %(here)s/db\n[alembic]\nscript_location = %(base)s/m\n");
        assert_eq!(get(&ini, "script_location"), "/proj/db/m");
        assert_eq!(get(&ini, "base"), "/proj/db");
    }

    #[test]
    fn percent_escapes_and_errors() {
        let ini = ini(
            "[alembic]\nok = 100%%\nbad = 5%\nmissing = %(nope)s\nself = %(self)s\nref = %(x\n",
        );
        assert_eq!(get(&ini, "ok"), "100%");
        let err = |o: &str| ini.get("alembic", o).unwrap().unwrap_err().message;
        assert!(err("bad").starts_with("'%' must be followed by '%' or '(', found: '%'"));
        assert!(
            err("missing").contains("interpolation key 'nope' which is not a valid option name")
        );
        assert!(err("self").starts_with("Recursion limit exceeded"));
        assert!(err("ref").starts_with("bad interpolation variable reference '%(x'"));
    }

    #[test]
    fn syntax_errors_carry_their_line() {
        let err = |text: &str| parse(text, &[]).unwrap_err();
        assert_eq!(err("# c\nkey = v\n").line, 2);
        assert_eq!(err("[a]\nx = 1\njunk\n").line, 3);
        assert_eq!(err("[a]\n= 1\n").line, 2);
        assert_eq!(err("[a]\n[a]\n").line, 2);
        assert_eq!(err("[a]\nx = 1\nX = 2\n").line, 3);
        assert!(parse("[DEFAULT]\na=1\n[DEFAULT]\nb=2\n", &[]).is_ok());
    }

    #[test]
    fn settable_check_matches_before_set() {
        assert!(check_settable("/a/b").is_ok());
        assert!(check_settable("/a%%b/%(x)s").is_ok());
        assert_eq!(
            check_settable("/a%b").unwrap_err(),
            "invalid interpolation syntax in '/a%b' at position 2"
        );
    }
}

/// Differential check against Python's `ConfigParser` on generated files.
/// Runs only when `ALEMBIC_DOCTOR_PYTHON` is set (any Python 3 will do).
#[cfg(test)]
mod against_python {
    use super::*;
    use std::fmt::Write as _;
    use std::process::Command;

    const PROBE: &str = r#"
import configparser, json, os, sys, tempfile
out = []
path = os.path.join(tempfile.mkdtemp(), "alembic.ini")
for text in json.load(sys.stdin):
    parser = configparser.ConfigParser({"here": "/h"})
    # Through a real file: universal newlines, like Alembic's read.
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.MissingSectionHeaderError as e:
        out.append({"error": e.lineno}); continue
    except configparser.ParsingError as e:
        out.append({"error": e.errors[0][0]}); continue
    except configparser.Error as e:
        out.append({"error": getattr(e, "lineno", -1)}); continue
    result = {}
    for section in ["DEFAULT"] + parser.sections():
        items = {}
        for key in (parser.defaults() if section == "DEFAULT" else parser[section]):
            try:
                items[key] = parser.get(section, key)
            except configparser.Error as e:
                items[key] = None
        result[section] = items
    out.append({"ok": result})
for item in out:
    print(json.dumps(item, sort_keys=True, ensure_ascii=False))
"#;

    const FRAGMENTS: &[&str] = &[
        "[alembic]",
        "[DEFAULT]",
        "[other]",
        " [alembic] x",
        "[a]b]",
        "[]",
        "key = v",
        "Key: v",
        "k=v=w",
        "k : a:b",
        "= v",
        "novalue",
        "  cont",
        "\tcont2",
        "",
        "   ",
        "# c",
        "  ; c",
        "x = 100%%",
        "y = %(here)s/m",
        "z = %(key)s!",
        "bad = 5%",
        "k2 =",
        "\u{c}feed = 1",
        "u = \u{3000}wide\u{3000}",
        "  deeper",
        "    # in value",
        "dup = 1",
        "dup = 2",
        "k3 = a # b",
    ];

    /// A tiny deterministic generator (xorshift), so failures reproduce.
    fn files() -> Vec<String> {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..1000)
            .map(|_| {
                let lines = 1 + next() % 9;
                // Most real files start with a header; so do most of these.
                let mut text = String::from(if next() % 5 == 0 { "" } else { "[alembic]\n" });
                for _ in 0..lines {
                    let index = usize::try_from(next() % FRAGMENTS.len() as u64).unwrap_or(0);
                    text.push_str(FRAGMENTS[index]);
                    text.push_str(match next() % 5 {
                        0 => "\r\n",
                        1 => "\r",
                        _ => "\n",
                    });
                }
                text
            })
            .collect()
    }

    fn json_string(s: &str) -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                // `json.dumps(ensure_ascii=False)`'s escapes.
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                c if (c as u32) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    fn ours(text: &str) -> String {
        match parse(text, &[("here", "/h")]) {
            Err(error) => format!("{{\"error\": {}}}", error.line),
            Ok(ini) => {
                let mut sections = vec![(DEFAULT_SECTION.to_owned(), ini.defaults.clone())];
                sections.extend(ini.sections.iter().cloned());
                sections.sort_by(|a, b| a.0.cmp(&b.0));
                let rendered: Vec<String> = sections
                    .iter()
                    .map(|(name, own)| {
                        let keys: Vec<&String> = if name == DEFAULT_SECTION {
                            own.keys().collect()
                        } else {
                            let mut keys: Vec<&String> =
                                own.keys().chain(ini.defaults.keys()).collect();
                            keys.sort();
                            keys.dedup();
                            keys
                        };
                        let items: Vec<String> = keys
                            .iter()
                            .map(|key| {
                                let value = match ini.get(name, key) {
                                    Some(Ok(v)) => json_string(&v),
                                    _ => "null".to_owned(),
                                };
                                format!("{}: {value}", json_string(key))
                            })
                            .collect();
                        format!("{}: {{{}}}", json_string(name), items.join(", "))
                    })
                    .collect();
                format!("{{\"ok\": {{{}}}}}", rendered.join(", "))
            }
        }
    }

    #[test]
    fn generated_files_parse_like_python() {
        let Some(python) = std::env::var_os("ALEMBIC_DOCTOR_PYTHON") else {
            return;
        };
        let files = files();
        let input = format!(
            "[{}]",
            files
                .iter()
                .map(|f| json_string(f))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut child = Command::new(python)
            .args(["-c", PROBE])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        let expected = String::from_utf8(output.stdout).unwrap();
        let expected: Vec<&str> = expected.lines().collect();
        assert_eq!(expected.len(), files.len(), "python failed");
        for (file, python) in files.iter().zip(expected) {
            assert_eq!(ours(file), python, "file: {file:?}");
        }
    }
}
