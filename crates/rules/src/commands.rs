//! The commands the tool tells a user to run, with the options the user
//! gave.
//!
//! Advice is written as if the project were found by default
//! (`alembic-doctor fix merge ...`, `alembic merge ...`); a user who ran
//! `alembic-doctor -c db/alembic.ini report` must get commands that find
//! the same project, or the advice fails (or, worse, fixes another
//! project). [`CommandOptions::apply`] adds them to every command in a
//! text, so that no rule or renderer has to thread them through.

/// The project options of the run, as words to repeat in advice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandOptions {
    /// For `alembic-doctor`: `-c`, `-n`, `--versions`, `--recursive`.
    doctor: Vec<String>,
    /// For `alembic`: `-c` (an ini file) and `-n`.
    alembic: Vec<String>,
    /// `-C DIR`: where the commands must run (paths in the advice are
    /// relative to it). `alembic-doctor` and `git` take `-C DIR`; `alembic`
    /// has no such option, so its commands start with `cd DIR &&`.
    directory: Option<String>,
    /// A Flask-Migrate project: its `alembic.ini` has no `script_location`
    /// (Flask-Migrate passes it), so `alembic` cannot run it and its
    /// commands are `flask db ...`, with `-d DIR` when the migration folder
    /// is not `./migrations`.
    flask_db: Option<Vec<String>>,
}

/// `alembic-doctor`'s subcommands that read a project.
const DOCTOR_COMMANDS: &[&str] = &[
    "check", "compare", "report", "fix", "heads", "history", "show", "current", "branches",
    "status",
];

/// `alembic`'s commands the advice names.
const ALEMBIC_COMMANDS: &[&str] = &[
    "merge",
    "upgrade",
    "downgrade",
    "stamp",
    "heads",
    "history",
    "current",
    "revision",
    "show",
    "branches",
    "check",
];

impl CommandOptions {
    /// The options of a run: its configuration files (as typed), the ini
    /// section, the version directories and `--recursive`.
    pub fn new(
        config_files: &[std::path::PathBuf],
        section: &str,
        versions: &[std::path::PathBuf],
        recursive: bool,
    ) -> Self {
        let mut options = CommandOptions::default();
        for config in config_files {
            let path = shell_word(&config.to_string_lossy());
            options.doctor.extend(["-c".to_owned(), path.clone()]);
            // Alembic's `-c` takes the ini file; it finds pyproject.toml
            // itself.
            let is_pyproject = config
                .file_name()
                .is_some_and(|name| name == "pyproject.toml");
            if !is_pyproject && !options.alembic.contains(&"-c".to_owned()) {
                options.alembic.extend(["-c".to_owned(), path]);
            }
        }
        if section != "alembic" {
            let section = shell_word(section);
            options.doctor.extend(["-n".to_owned(), section.clone()]);
            options.alembic.extend(["-n".to_owned(), section]);
        }
        for dir in versions {
            options
                .doctor
                .extend(["--versions".to_owned(), shell_word(&dir.to_string_lossy())]);
        }
        if recursive {
            options.doctor.push("--recursive".to_owned());
        }
        options
    }

    /// These options, for commands run from the directory the user ran
    /// the tool in while it worked in `dir` (`-C DIR`).
    #[must_use]
    pub fn in_directory(mut self, dir: &std::path::Path) -> Self {
        self.directory = Some(shell_word(&dir.to_string_lossy()));
        self
    }

    /// These options for the project `config` describes: a Flask-Migrate
    /// project's `alembic` commands become `flask db` commands (`cwd` is
    /// where they run, to name its migration folder relative to it).
    #[must_use]
    pub fn for_project(
        self,
        config: &alembic_doctor_config::AlembicConfig,
        cwd: &std::path::Path,
    ) -> Self {
        match &config.script_location {
            Some(folder) if config.flask_migrate => self.for_flask_migrate(folder, cwd),
            _ => self,
        }
    }

    /// These options for a Flask-Migrate project whose migration folder is
    /// `folder`: `alembic` commands become `flask db` commands.
    #[must_use]
    pub fn for_flask_migrate(mut self, folder: &std::path::Path, cwd: &std::path::Path) -> Self {
        let relative = folder.strip_prefix(cwd).unwrap_or(folder);
        self.flask_db = Some(if relative == std::path::Path::new("migrations") {
            Vec::new()
        } else {
            vec!["-d".to_owned(), shell_word(&relative.to_string_lossy())]
        });
        self
    }

    /// No option was given: advice is printed as written.
    pub fn is_empty(&self) -> bool {
        self.doctor.is_empty()
            && self.alembic.is_empty()
            && self.directory.is_none()
            && self.flask_db.is_none()
    }

    /// `text` (a command, or Markdown with commands in code spans) with
    /// the options after every `alembic-doctor` and `alembic` that starts
    /// a command: at the start of the text or of a code span, and followed
    /// by one of their subcommands.
    pub fn apply(&self, text: &str) -> String {
        self.applied(text).into_owned()
    }

    /// [`CommandOptions::apply`], borrowing `text` when no command in it
    /// takes an option (most help text: it names no command at all).
    pub fn applied<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        // Most help names no command at all: two quick searches settle it.
        static PROGRAMS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 2]> =
            std::sync::LazyLock::new(|| {
                [
                    memchr::memmem::Finder::new("alembic"),
                    memchr::memmem::Finder::new("git "),
                ]
            });
        let names_a_program = || {
            PROGRAMS
                .iter()
                .any(|program| program.find(text.as_bytes()).is_some())
        };
        if self.is_empty() || !names_a_program() {
            return std::borrow::Cow::Borrowed(text);
        }
        // A command starts the text or a code span: only those places are
        // looked at, and the text between them is copied as it is.
        let starts = std::iter::once(0).chain(text.match_indices('`').map(|(at, _)| at + 1));
        let mut out = String::new();
        let mut copied = 0;
        for start in starts {
            let Some((program, options, len)) = self.command_at(&text[start..]) else {
                continue;
            };
            if out.is_empty() {
                out.reserve(text.len() + 64);
            }
            out.push_str(&text[copied..start]);
            let name = match (&self.flask_db, program) {
                (Some(_), Program::Alembic) => "flask db",
                _ => &text[start..start + len],
            };
            match (&self.directory, program) {
                (Some(dir), Program::Alembic) => {
                    out.push_str(&format!("cd {dir} && {name}"));
                }
                (Some(dir), _) => out.push_str(&format!("{name} -C {dir}")),
                (None, _) => out.push_str(name),
            }
            if !options.is_empty() {
                out.push(' ');
                out.push_str(&options.join(" "));
            }
            copied = start + len;
        }
        if copied == 0 {
            return std::borrow::Cow::Borrowed(text);
        }
        out.push_str(&text[copied..]);
        std::borrow::Cow::Owned(out)
    }

    /// [`CommandOptions::apply`] on Markdown, leaving fenced code blocks
    /// (SQL, file excerpts) as they are.
    pub fn apply_markdown(&self, markdown: &str) -> String {
        if self.is_empty() {
            return markdown.to_owned();
        }
        let mut out = String::with_capacity(markdown.len() + 256);
        let mut fenced = false;
        for line in markdown.split_inclusive('\n') {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                out.push_str(line);
            } else if fenced {
                out.push_str(line);
            } else {
                out.push_str(&self.apply(line));
            }
        }
        out
    }

    /// `alembic` with the options it needs to find the project, as a
    /// command starts (after `cd DIR &&` under `-C DIR`).
    pub fn alembic_program(&self) -> String {
        let (name, options) = match &self.flask_db {
            Some(options) => ("flask db", options),
            None => ("alembic", &self.alembic),
        };
        let program = std::iter::once(name)
            .chain(options.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        match &self.directory {
            Some(dir) => format!("cd {dir} && {program}"),
            None => program,
        }
    }

    /// The program `text` starts with when it starts a command the
    /// options apply to, the options to insert after its name, and the
    /// length of the name.
    fn command_at(&self, text: &str) -> Option<(Program, &[String], usize)> {
        const NONE: &[String] = &[];
        for (name, program, options, commands) in [
            (
                "alembic-doctor ",
                Program::Doctor,
                &self.doctor[..],
                DOCTOR_COMMANDS,
            ),
            (
                "alembic ",
                Program::Alembic,
                self.flask_db.as_deref().unwrap_or(&self.alembic[..]),
                ALEMBIC_COMMANDS,
            ),
            ("git ", Program::Git, NONE, GIT_COMMANDS),
        ] {
            let Some(after) = text.strip_prefix(name) else {
                continue;
            };
            let word = after
                .split(|c: char| c.is_whitespace() || c == '`')
                .next()
                .unwrap_or("");
            let applies = !options.is_empty()
                || self.directory.is_some()
                || (program == Program::Alembic && self.flask_db.is_some());
            if applies && commands.contains(&word) {
                return Some((program, options, name.len() - 1));
            }
        }
        None
    }
}

/// The programs whose commands the advice names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Program {
    Doctor,
    Alembic,
    Git,
}

/// `git`'s commands the advice names (with paths, or on the repository).
const GIT_COMMANDS: &[&str] = &["checkout", "merge", "diff", "log", "rm", "add"];

/// A word as a POSIX shell reads it back: as is when it is plain, else
/// in single quotes.
pub fn shell_word(arg: &str) -> String {
    if !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:@%+,".contains(&b))
    {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::CommandOptions;

    fn options() -> CommandOptions {
        CommandOptions::new(&[PathBuf::from("db/alembic.ini")], "tenant", &[], false)
    }

    #[test]
    fn commands_run_from_where_the_user_is_under_dash_big_c() {
        let options = CommandOptions::new(&[PathBuf::from("alembic.ini")], "alembic", &[], false)
            .in_directory(&PathBuf::from("ckan/migration"));
        assert_eq!(
            options.apply(
                "run `alembic-doctor fix rebase a --onto b`, `alembic merge -m x a b` and `git checkout main -- versions/a.py`"
            ),
            "run `alembic-doctor -C ckan/migration -c alembic.ini fix rebase a --onto b`, `cd ckan/migration && alembic -c alembic.ini merge -m x a b` and `git -C ckan/migration checkout main -- versions/a.py`"
        );
        assert_eq!(
            options.alembic_program(),
            "cd ckan/migration && alembic -c alembic.ini"
        );
        // Without options, only the directory.
        let bare = CommandOptions::default().in_directory(&PathBuf::from("sub dir"));
        assert_eq!(
            bare.apply("alembic-doctor check"),
            "alembic-doctor -C 'sub dir' check"
        );
    }

    #[test]
    fn a_flask_migrate_project_gets_flask_db_commands() {
        let app = PathBuf::from("/app");
        let options = CommandOptions::new(
            &[PathBuf::from("migrations/alembic.ini")],
            "alembic",
            &[],
            false,
        )
        .for_flask_migrate(&app.join("migrations"), &app);
        assert_eq!(
            options.apply("`alembic merge -m x a b`, then `alembic-doctor check`"),
            "`flask db merge -m x a b`, then `alembic-doctor -c migrations/alembic.ini check`"
        );
        assert_eq!(options.alembic_program(), "flask db");
        let options = CommandOptions::default().for_flask_migrate(&app.join("db/migrations"), &app);
        assert_eq!(
            options.apply("alembic upgrade head"),
            "flask db -d db/migrations upgrade head"
        );
    }

    #[test]
    fn commands_get_the_options_of_the_run() {
        let options = options();
        assert_eq!(
            options.apply("alembic-doctor fix merge -m 'x' a b"),
            "alembic-doctor -c db/alembic.ini -n tenant fix merge -m 'x' a b"
        );
        assert_eq!(
            options.apply(
                "join them (`alembic merge -m x a b` writes the same); run `alembic-doctor check`"
            ),
            "join them (`alembic -c db/alembic.ini -n tenant merge -m x a b` writes the same); run `alembic-doctor -c db/alembic.ini -n tenant check`"
        );
    }

    #[test]
    fn fenced_code_is_left_alone() {
        let markdown = "run `alembic upgrade heads`\n```\nalembic upgrade heads\n```\n";
        assert_eq!(
            options().apply_markdown(markdown),
            "run `alembic -c db/alembic.ini -n tenant upgrade heads`\n```\nalembic upgrade heads\n```\n"
        );
    }

    #[test]
    fn prose_and_other_programs_are_left_alone() {
        let options = options();
        for text in [
            "alembic merges heads",
            "the alembic-doctor report says",
            "`git checkout main -- a.py`",
            "alembic-doctorate check",
            "`alembic --version`",
        ] {
            assert_eq!(options.apply(text), text);
        }
    }

    #[test]
    fn without_options_nothing_changes_and_paths_are_quoted() {
        let none = CommandOptions::new(&[], "alembic", &[], false);
        assert_eq!(none.apply("alembic-doctor check"), "alembic-doctor check");
        let spaced = CommandOptions::new(
            &[PathBuf::from("my dir/pyproject.toml")],
            "alembic",
            &[PathBuf::from("migrations/versions")],
            true,
        );
        assert_eq!(
            spaced.apply("`alembic-doctor check` then `alembic upgrade heads`"),
            "`alembic-doctor -c 'my dir/pyproject.toml' --versions migrations/versions --recursive check` then `alembic upgrade heads`"
        );
    }
}
