//! The catalogue of bad inputs: each row is a project, a command, the exit
//! code it must give and a piece of the message it must print. None may
//! panic, hang or pass silently. The same table is in `docs/bad-inputs.md`;
//! this test fails when they differ, and rewrites the document's table when
//! run with `UPDATE_DOCS=1`.

use std::fmt::Write as _;
use std::fs;
use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One bad input.
struct Case {
    /// What is wrong, in a few words; the row's name in the document.
    name: &'static str,
    /// Builds the project in an empty directory (the working directory of
    /// the command).
    setup: fn(&Path),
    /// The command line.
    args: &'static [&'static str],
    /// The exit code wanted: 0 ok, 1 findings, 2 error.
    exit: i32,
    /// A piece of stdout or stderr that must be there.
    says: &'static str,
}

/// How long a command may take before it counts as a hang.
const TIMEOUT: Duration = Duration::from_secs(30);

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

/// `versions/a.py`, a healthy base revision `a`.
fn base(dir: &Path) {
    write(
        dir,
        "versions/a.py",
        b"\"\"\"a\n\nRevision ID: a\nRevises:\n\"\"\"\nrevision = 'a'\ndown_revision = None\n",
    );
}

const CASES: &[Case] = &[
    Case {
        name: "coding declaration and multi-byte text (code frame)",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                "#coding:latin\n\"\"\"\"\"\"😀".as_bytes(),
            );
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "syntax-error",
    },
    Case {
        name: "coding declaration and multi-byte text, in `heads`",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                "#coding:latin\n\"\"\"\"\"\"😀".as_bytes(),
            );
        },
        args: &["heads", "--versions", "versions"],
        exit: 1,
        says: "versions/a.py:2:7",
    },
    Case {
        name: "18,000 nested brackets as an assignment target",
        setup: |dir| deep(dir, "{open} = 1\n", 18_000),
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "too many nested parentheses",
    },
    Case {
        name: "18,000 nested brackets as a `for` target",
        setup: |dir| deep(dir, "for {open} in x:\n    pass\n", 18_000),
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "too many nested parentheses",
    },
    Case {
        name: "18,000 nested brackets in `del`",
        setup: |dir| deep(dir, "del {open}\n", 18_000),
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "too many nested parentheses",
    },
    Case {
        name: "18,000 nested parentheses as a tuple target",
        setup: |dir| {
            let body = format!("{}a, b{} = 1, 2\n", "(".repeat(18_000), ")".repeat(18_000));
            write(dir, "versions/a.py", body.as_bytes());
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "too many nested parentheses",
    },
    Case {
        name: "`depends_on = [[[…` unclosed, 38 KB",
        setup: |dir| {
            let body = format!(
                "revision = 'a'\ndown_revision = None\ndepends_on = {}\n",
                "[".repeat(38_000)
            );
            write(dir, "versions/a.py", body.as_bytes());
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "versions/a.py:3:214",
    },
    Case {
        name: "201 nested brackets: what CPython refuses",
        setup: |dir| deep(dir, "x = {open}\n", 201),
        args: &["heads", "--versions", "versions"],
        exit: 1,
        says: "too many nested parentheses",
    },
    Case {
        name: "a NUL byte in a migration",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                b"revision = 'a'\ndown_revision = None\x00\n",
            );
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "source code cannot contain null bytes",
    },
    Case {
        name: "1 MB of random bytes as a migration",
        setup: |dir| write(dir, "versions/a.py", &random_bytes(1 << 20)),
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "source code cannot contain null bytes",
    },
    Case {
        name: "a FIFO named `x.py` in the version directory",
        setup: |dir| {
            base(dir);
            fifo(&dir.join("versions/x.py"));
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "is not a regular file",
    },
    Case {
        name: "a FIFO in place of the parse cache file",
        setup: |dir| {
            base(dir);
            let (code, said) = run(dir, &["check", "--versions", "versions"]);
            assert_eq!(code, Some(0), "{said}");
            for entry in fs::read_dir(dir.join(".cache")).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "bin") {
                    fs::remove_file(&path).unwrap();
                    fifo(&path);
                }
            }
        },
        args: &["check", "--versions", "versions"],
        exit: 0,
        says: "1 revision",
    },
    Case {
        name: "a FIFO as the project module a migration imports from",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                b"from constants import REV\nrevision = REV\ndown_revision = None\n",
            );
            fifo(&dir.join("constants.py"));
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "constants",
    },
    Case {
        name: "a FIFO as `alembic.ini`",
        setup: |dir| {
            base(dir);
            fifo(&dir.join("alembic.ini"));
        },
        args: &["check"],
        exit: 2,
        says: "alembic.ini",
    },
    Case {
        name: "a FIFO as `env.py`",
        setup: |dir| {
            write(
                dir,
                "alembic.ini",
                b"[alembic]\nscript_location = migrations\n",
            );
            write(
                dir,
                "migrations/versions/a.py",
                b"revision = 'a'\ndown_revision = None\n",
            );
            fifo(&dir.join("migrations/env.py"));
        },
        args: &["check"],
        exit: 0,
        says: "1 revision",
    },
    Case {
        name: "`--versions` naming a directory that does not exist",
        setup: |_| {},
        args: &["check", "--versions", "/nonexistent"],
        exit: 1,
        says: "version location /nonexistent does not exist",
    },
    Case {
        name: "`--versions` naming a file",
        setup: |dir| write(dir, "afile", b""),
        args: &["check", "--versions", "afile"],
        exit: 1,
        says: "afile is not a directory",
    },
    Case {
        name: "`--versions` naming a symbolic link loop",
        setup: |dir| std::os::unix::fs::symlink("loop", dir.join("loop")).unwrap(),
        args: &["check", "--versions", "loop"],
        exit: 1,
        says: "missing-version-location",
    },
    Case {
        name: "relative `script_location` with no `versions/` under it",
        setup: |dir| {
            write(
                dir,
                "alembic.ini",
                b"[alembic]\nscript_location = migrations\n",
            );
            fs::create_dir_all(dir.join("migrations")).unwrap();
        },
        args: &["check"],
        exit: 1,
        says: "resolved against the current directory",
    },
    Case {
        name: "an existing empty version directory (a new project) is no error",
        setup: |dir| fs::create_dir_all(dir.join("versions")).unwrap(),
        args: &["check", "--versions", "versions"],
        exit: 0,
        says: "versions holds no migration files yet",
    },
    Case {
        name: "`show \"\"`",
        setup: two_revisions,
        args: &["show", "", "--versions", "versions"],
        exit: 2,
        says: "the revision argument '' is empty",
    },
    Case {
        name: "`history -r ::::`",
        setup: two_revisions,
        args: &["history", "-r", "::::", "--versions", "versions"],
        exit: 2,
        says: "has 4 `:`; a range has one",
    },
    Case {
        name: "`history -r 1:2:3`",
        setup: two_revisions,
        args: &["history", "-r", "1:2:3", "--versions", "versions"],
        exit: 2,
        says: "has 2 `:`",
    },
    Case {
        name: "`history -r base:head-18446744073709551616`",
        setup: two_revisions,
        args: &[
            "history",
            "-r",
            "base:head-18446744073709551616",
            "--versions",
            "versions",
        ],
        exit: 2,
        says: "relative step, 18446744073709551616, larger than any chain",
    },
    Case {
        name: "`show abc1` matching two ids",
        setup: two_revisions,
        args: &["show", "abc1", "--versions", "versions"],
        exit: 2,
        says: "'abc1' is ambiguous: 2 revision ids start with it (abc1000, abc1999)",
    },
    Case {
        name: "git: the blob of the branch's new migration is missing",
        setup: |dir| {
            let blob = branch_with_new_migration(dir);
            fs::remove_file(loose(dir, &blob)).unwrap();
        },
        args: &["compare", "main", "feature"],
        exit: 2,
        says: "migrations/versions/bbb.py at feature",
    },
    Case {
        name: "git: a loose object truncated",
        setup: |dir| {
            let blob = branch_with_new_migration(dir);
            let path = loose(dir, &blob);
            let bytes = fs::read(&path).unwrap();
            fs::remove_file(&path).unwrap();
            fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        },
        args: &["compare", "main", "feature"],
        exit: 2,
        says: "bbb.py",
    },
    Case {
        name: "git: the branch's version directory tree is missing",
        setup: |dir| {
            branch_with_new_migration(dir);
            let tree =
                alembic_doctor_testkit::git(dir, &["rev-parse", "feature:migrations/versions"]);
            fs::remove_file(loose(dir, &tree)).unwrap();
        },
        args: &["compare", "main", "feature"],
        exit: 2,
        says: "is damaged",
    },
    Case {
        name: "git: a corrupt pack",
        setup: |dir| {
            branch_with_new_migration(dir);
            alembic_doctor_testkit::git(dir, &["gc", "-q"]);
            for entry in fs::read_dir(dir.join(".git/objects/pack")).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "pack") {
                    let mut bytes = fs::read(&path).unwrap();
                    let end = bytes.len() - 30;
                    for byte in &mut bytes[40..end] {
                        *byte ^= 0x55;
                    }
                    fs::remove_file(&path).unwrap();
                    fs::write(&path, bytes).unwrap();
                }
            }
        },
        args: &["compare", "main", "feature"],
        exit: 2,
        says: "is corrupt",
    },
    Case {
        name: "git: a migration larger than the 256 MiB limit",
        setup: |dir| {
            branch_with_new_migration(dir);
            let mut big = b"revision = 'big'\ndown_revision = 'bbb'\n".to_vec();
            big.resize(257 << 20, b'#');
            write(dir, "migrations/versions/big.py", &big);
            alembic_doctor_testkit::git(dir, &["add", "-A"]);
            alembic_doctor_testkit::git(dir, &["commit", "-qm", "big"]);
            fs::remove_file(dir.join("migrations/versions/big.py")).unwrap();
        },
        args: &["compare", "main", "feature"],
        exit: 1,
        says: "unreadable-file",
    },
    Case {
        name: "an empty migration file",
        setup: |dir| write(dir, "versions/a.py", b""),
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "missing-down-revision",
    },
    Case {
        name: "invalid UTF-8 and no coding declaration",
        setup: |dir| write(dir, "versions/a.py", b"\xff\xfe revision"),
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "'utf-8' codec can't decode byte 0xff",
    },
    Case {
        name: "an unknown coding declaration",
        setup: |dir| write(dir, "versions/a.py", b"# coding: foobar\nrevision = 'a'\n"),
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "unknown encoding: foobar",
    },
    Case {
        name: "a UTF-8 BOM with a Latin-1 declaration",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                b"\xef\xbb\xbf# coding: latin-1\nrevision = 'a'\n",
            );
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "encoding problem: iso-8859-1 with BOM",
    },
    Case {
        name: "a relative import in a migration",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                b"from . import x\nrevision = 'a'\ndown_revision = None\n",
            );
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "import-error",
    },
    Case {
        name: "a parent no revision defines",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                b"revision = 'a'\ndown_revision = 'zzz'\n",
            );
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "which no revision defines",
    },
    Case {
        name: "a revision that is its own parent",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                b"revision = 'a'\ndown_revision = 'a'\n",
            );
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "self-reference",
    },
    Case {
        name: "a broken section header in `alembic.ini`",
        setup: |dir| write(dir, "alembic.ini", b"[alembic\nscript_location = x\n"),
        args: &["check"],
        exit: 2,
        says: "expected a section header",
    },
    Case {
        name: "`alembic.ini` without `script_location`",
        setup: |dir| write(dir, "alembic.ini", b"[alembic]\nfoo = 1\n"),
        args: &["check"],
        exit: 2,
        says: "No 'script_location' key found",
    },
    Case {
        name: "`alembic.ini` without an `[alembic]` section",
        setup: |dir| write(dir, "alembic.ini", b"[other]\nscript_location = x\n"),
        args: &["check"],
        exit: 2,
        says: "has no [alembic] section",
    },
    Case {
        name: "invalid TOML in `pyproject.toml`",
        setup: |dir| {
            write(
                dir,
                "pyproject.toml",
                b"[tool.alembic]\nscript_location = [\n",
            );
        },
        args: &["check"],
        exit: 2,
        says: "is not valid TOML",
    },
    Case {
        name: "`show` of an id no revision has",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                b"revision = 'a'\ndown_revision = None\n",
            );
        },
        args: &["show", "zzzz", "--versions", "versions"],
        exit: 2,
        says: "Can't locate revision identified by 'zzzz'",
    },
    Case {
        name: "`explain` of an unknown rule",
        setup: |dir| write(dir, "versions/a.py", b""),
        args: &["explain", "nope-rule"],
        exit: 2,
        says: "unknown rule `nope-rule`",
    },
    Case {
        name: "an unknown output format",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                b"revision = 'a'\ndown_revision = None\n",
            );
        },
        args: &["check", "--format", "nope", "--versions", "versions"],
        exit: 2,
        says: "invalid value 'nope'",
    },
    Case {
        name: "`compare` outside any git repository",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                b"revision = 'a'\ndown_revision = None\n",
            );
        },
        args: &["compare", "main", "--versions", "versions"],
        exit: 2,
        says: "is not inside a git repository",
    },
    Case {
        name: "no configuration at all",
        setup: |_| {},
        args: &["check"],
        exit: 2,
        says: "no Alembic configuration found",
    },
    Case {
        name: "`-c` naming a file that does not exist",
        setup: |_| {},
        args: &["check", "-c", "nope.ini"],
        exit: 2,
        says: "nope.ini (does not exist)",
    },
    Case {
        name: "two files defining one revision id",
        setup: |dir| {
            base(dir);
            write(
                dir,
                "versions/b.py",
                b"revision = 'a'\ndown_revision = None\n",
            );
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "is defined by 2 files",
    },
    Case {
        name: "an escape sequence in a revision id, in `heads`",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                b"revision = 'a\x1b[31m'\ndown_revision = None\n",
            );
        },
        args: &["heads", "--versions", "versions"],
        exit: 0,
        says: "a\\x1b[31m (head)",
    },
    Case {
        name: "a right-to-left override (U+202E) in a revision id, in `history`",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                "revision = 'a\u{202e}b'\ndown_revision = None\n".as_bytes(),
            );
        },
        args: &["history", "--versions", "versions"],
        exit: 0,
        says: "a\\u202eb (head)",
    },
    Case {
        name: "an escape sequence in a migration's file name, in `heads -v`",
        setup: |dir| {
            write(
                dir,
                "versions/a\x1b[31m.py",
                b"revision = 'a'\ndown_revision = None\n",
            );
        },
        args: &["heads", "-v", "--versions", "versions"],
        exit: 0,
        says: "a\\x1b[31m.py",
    },
    Case {
        name: "`history -r` from an id no revision has",
        setup: base,
        args: &["history", "-r", "zzz:", "--versions", "versions"],
        exit: 2,
        says: "Can't locate revision identified by 'zzz'",
    },
    Case {
        name: "`history -r head:base` (a range backwards)",
        setup: base,
        args: &["history", "-r", "head:base", "--versions", "versions"],
        exit: 2,
        says: "does not refer to ancestor/descendant revisions",
    },
    Case {
        name: "`revision = None`",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                b"revision = None\ndown_revision = None\n",
            );
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "`revision` is None",
    },
    Case {
        name: "`down_revision = ('a', None)`",
        setup: |dir| {
            base(dir);
            write(
                dir,
                "versions/b.py",
                b"revision = 'b'\ndown_revision = ('a', None)\n",
            );
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "`down_revision` contains None, which is not a revision id",
    },
    Case {
        name: "`down_revision = 0x10`",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                b"revision = 'a'\ndown_revision = 0x10\n",
            );
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "contains `0x10` (an int)",
    },
    Case {
        name: "`fix headers` next to `down_revision = ('a', None)`",
        setup: |dir| {
            base(dir);
            write(
                dir,
                "versions/b.py",
                b"\"\"\"b\n\nRevision ID: b\nRevises: a\n\"\"\"\nrevision = 'b'\ndown_revision = ('a', None)\n",
            );
        },
        args: &["fix", "headers", "--versions", "versions"],
        exit: 0,
        says: "the `Revises:` line was left as it is",
    },
    Case {
        name: "`down_revision` from a function call",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                b"revision = 'a'\ndown_revision = get()\n",
            );
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "cannot be read without running the file",
    },
    Case {
        name: "two revisions that are each other's parent",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                b"revision = 'a'\ndown_revision = 'b'\n",
            );
            write(
                dir,
                "versions/b.py",
                b"revision = 'b'\ndown_revision = 'a'\n",
            );
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "are their own ancestors",
    },
    Case {
        name: "`depends_on` naming nothing",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                b"revision = 'a'\ndown_revision = None\ndepends_on = 'zzz'\n",
            );
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "which is neither a revision id nor a branch label",
    },
    Case {
        name: "one branch label on two revisions",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                b"revision = 'a'\ndown_revision = None\nbranch_labels = ('x',)\n",
            );
            write(
                dir,
                "versions/b.py",
                b"revision = 'b'\ndown_revision = None\nbranch_labels = ('x',)\n",
            );
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "branch label `x` of `b` is already used by `a`",
    },
    Case {
        name: "`version_locations` in `alembic.ini` naming a missing directory",
        setup: |dir| {
            write(
                dir,
                "alembic.ini",
                b"[alembic]\nscript_location = .\nversion_locations = %(here)s/nowhere\npath_separator = os\n",
            );
        },
        args: &["check"],
        exit: 1,
        says: "nowhere does not exist",
    },
    Case {
        name: "`-c` naming a directory",
        setup: |dir| fs::create_dir(dir.join("conf")).unwrap(),
        args: &["check", "-c", "conf"],
        exit: 2,
        says: "The configuration is a file",
    },
    Case {
        name: "an interpolation of an unknown key in `alembic.ini`",
        setup: |dir| {
            write(
                dir,
                "alembic.ini",
                b"[alembic]\nscript_location = %(nope)s/migrations\n",
            );
        },
        args: &["check"],
        exit: 2,
        says: "interpolation key 'nope'",
    },
    Case {
        name: "a directory named `x.py` in the version directory",
        setup: |dir| {
            base(dir);
            fs::create_dir(dir.join("versions/x.py")).unwrap();
        },
        args: &["check", "--versions", "versions"],
        exit: 0,
        says: "1 revision",
    },
    Case {
        name: "a dangling symbolic link `x.py` to a name not ending in `.py` (skipped, as Alembic does)",
        setup: |dir| {
            base(dir);
            std::os::unix::fs::symlink("/nonexistent", dir.join("versions/x.py")).unwrap();
        },
        args: &["check", "--versions", "versions"],
        exit: 0,
        says: "1 revision",
    },
    Case {
        name: "a dangling symbolic link `x.py` to a missing `.py` file",
        setup: |dir| {
            base(dir);
            std::os::unix::fs::symlink("gone.py", dir.join("versions/x.py")).unwrap();
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "versions/x.py cannot be read",
    },
    Case {
        name: "a syntax error in a file with old Mac (CR) line endings",
        setup: |dir| {
            write(
                dir,
                "versions/a.py",
                b"revision = 'a'\rdown_revision = None\rdef (:\r",
            );
        },
        args: &["check", "--versions", "versions"],
        exit: 1,
        says: "versions/a.py:3:",
    },
];

/// A repository with `main` (revision `aaa`) and `feature` adding `bbb`;
/// returns the id of `bbb`'s blob (a loose object).
fn branch_with_new_migration(dir: &Path) -> String {
    let git = |args: &[&str]| alembic_doctor_testkit::git(dir, args);
    git(&["init", "-q"]);
    write(
        dir,
        "alembic.ini",
        b"[alembic]\nscript_location = migrations\n",
    );
    write(
        dir,
        "migrations/versions/aaa.py",
        b"revision = 'aaa'\ndown_revision = None\n",
    );
    git(&["add", "-A"]);
    git(&["commit", "-qm", "init"]);
    git(&["checkout", "-qb", "feature"]);
    write(
        dir,
        "migrations/versions/bbb.py",
        b"revision = 'bbb'\ndown_revision = 'aaa'\n",
    );
    git(&["add", "-A"]);
    git(&["commit", "-qm", "bbb"]);
    git(&["rev-parse", "feature:migrations/versions/bbb.py"])
}

/// The file of loose object `id`.
fn loose(dir: &Path, id: &str) -> std::path::PathBuf {
    dir.join(".git/objects").join(&id[..2]).join(&id[2..])
}

/// `down_revision = 0x10` is no revision id Alembic can look up, not a
/// base; the header check called it "None (a base)".
#[test]
fn an_unreadable_down_revision_is_not_called_a_base() {
    let dir = tempfile::tempdir().unwrap();
    two_revisions(dir.path());
    write(
        dir.path(),
        "versions/b.py",
        b"\"\"\"b\n\nRevision ID: abc1999\nRevises: abc1000\n\"\"\"\nrevision = 'abc1999'\ndown_revision = 0x10\n",
    );
    let (code, said) = run(dir.path(), &["check", "--versions", "versions"]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("non-literal-value"), "{said}");
    assert!(!said.contains("None (a base)"), "{said}");
}

/// An id holding `\x1b[31m` or a U+202E override was printed raw by
/// `heads`, `history`, `show` and `check`, recolouring or reordering a
/// terminal or CI log. Human outputs escape it as `repr()` does; JSON keeps
/// the real string.
#[test]
fn control_and_bidi_characters_are_escaped_in_human_output_only() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "versions/a.py",
        "revision = 'a\x1b[31mred\u{202e}lmth'\ndown_revision = None\n".as_bytes(),
    );
    write(
        dir.path(),
        "versions/b.py",
        "revision = 'b'\ndown_revision = None\nx = '\u{202e}'\n".as_bytes(),
    );
    for args in [
        &["heads", "--versions", "versions"][..],
        &["history", "--versions", "versions"],
        &["show", "heads", "--versions", "versions"],
        &["check", "--versions", "versions"],
        &["check", "--format", "github", "--versions", "versions"],
        &["show", "\u{202e}x\x1b[0m", "--versions", "versions"],
    ] {
        let (_, said) = run(dir.path(), args);
        assert!(!said.contains('\x1b'), "{args:?}: {said}");
        assert!(!said.contains('\u{202e}'), "{args:?}: {said}");
        if args[0] != "show" || args[1] == "heads" {
            assert!(
                said.contains("a\\x1b[31mred\\u202elmth"),
                "{args:?}: {said}"
            );
        }
    }
    let (_, json) = run(
        dir.path(),
        &["check", "--format", "json", "--versions", "versions"],
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        value.to_string().contains("a\\u001b[31mred\u{202e}lmth"),
        "{value}"
    );
}

/// Outside any git repository, run where `alembic.ini` is (`services/api`),
/// `from services.api.constants import REV` was not found: the look-up
/// stopped at the guessed project root. It now also goes up the ancestors
/// of the version location.
#[test]
fn imported_constants_are_found_above_the_config_without_git() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    write(&root, "services/__init__.py", b"");
    write(&root, "services/api/__init__.py", b"");
    write(&root, "services/api/constants.py", b"REV = 'c0ffee'\n");
    write(
        &root,
        "services/api/alembic.ini",
        b"[alembic]\nscript_location = alembic\n",
    );
    write(
        &root,
        "services/api/alembic/versions/a.py",
        b"from services.api.constants import REV\nrevision = REV\ndown_revision = None\n",
    );
    let (code, said) = run(&root.join("services/api"), &["heads"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("c0ffee"), "{said}");
}

/// `abc1000` and its child `abc1999`.
fn two_revisions(dir: &Path) {
    write(
        dir,
        "versions/a.py",
        b"revision = 'abc1000'\ndown_revision = None\n",
    );
    write(
        dir,
        "versions/b.py",
        b"revision = 'abc1999'\ndown_revision = 'abc1000'\n",
    );
}

/// A FIFO at `path`: opening it for reading blocks until a writer comes.
fn fifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// `len` pseudo-random bytes (xorshift; the same on every run).
fn random_bytes(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[3]
        })
        .collect()
}

/// 100 MB of random bytes took 19 s and 5.5 GB. Python refuses a file
/// holding a NUL byte before it tokenizes anything, and so must we: 32 MB
/// of random bytes are read in an address space of the binary's own needs
/// plus twice the file (with a shell's `ulimit -v`, so a run that needs
/// more fails to allocate and aborts).
#[test]
fn random_bytes_are_refused_in_memory_bounded_by_the_file_size() {
    const SIZE: usize = 32 << 20;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "versions/a.py", &random_bytes(SIZE));
    let limit_kib = (160 << 10) + 2 * SIZE / 1024;
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {limit_kib} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_alembic-doctor"))
        .args([
            "check",
            "--no-cache",
            "--format",
            "json",
            "--versions",
            "versions",
        ])
        .current_dir(dir.path())
        .env("RAYON_NUM_THREADS", "2")
        .env_remove("ALEMBIC_CONFIG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("source code cannot contain null bytes"),
        "{stdout}\n{stderr}"
    );
}

/// `versions/a.py` with `template`'s `{open}` replaced by `n` nested lists.
fn deep(dir: &Path, template: &str, n: usize) {
    let nested = format!("{}{}", "[".repeat(n), "]".repeat(n));
    let body = format!(
        "revision = 'a'\ndown_revision = None\n{}",
        template.replace("{open}", &nested)
    );
    write(dir, "versions/a.py", body.as_bytes());
}

/// Runs `args` in `dir` with a private cache, killing it after [`TIMEOUT`]:
/// (exit code, stdout and stderr together).
fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_alembic-doctor"))
        .current_dir(dir)
        .args(args)
        .env_remove("ALEMBIC_CONFIG")
        .env_remove("ALEMBIC_DOCTOR_NO_CACHE")
        .env("ALEMBIC_DOCTOR_CACHE_DIR", dir.join(".cache"))
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CEILING_DIRECTORIES", dir.parent().unwrap())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut text = String::from_utf8_lossy(&out.join().unwrap()).into_owned();
    text.push_str(&String::from_utf8_lossy(&err.join().unwrap()));
    match status {
        Some(status) => (status.code(), text),
        None => (None, format!("hung for {TIMEOUT:?}; said:\n{text}")),
    }
}

#[test]
fn every_bad_input_gives_its_exit_code_and_message() {
    let mut failures = Vec::new();
    for case in CASES {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap().join("project");
        fs::create_dir(&root).unwrap();
        (case.setup)(&root);
        let (code, said) = run(&root, case.args);
        if code != Some(case.exit)
            || !said.contains(case.says)
            || said.contains("panicked")
            || said.contains("RUST_BACKTRACE")
        {
            failures.push(format!(
                "{}: `alembic-doctor {}` exited {code:?} (wanted {}, saying {:?}):\n{said}",
                case.name,
                case.args.join(" "),
                case.exit,
                case.says,
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

const START: &str = "<!-- cases:start -->\n";
const END: &str = "<!-- cases:end -->";

fn table() -> String {
    let mut out = String::from("| bad input | command | exit | says |\n|---|---|---|---|\n");
    for case in CASES {
        let _ = writeln!(
            out,
            "| {} | `alembic-doctor {}` | {} | `{}` |",
            case.name,
            case.args.join(" "),
            case.exit,
            case.says.replace('|', "\\|"),
        );
    }
    out
}

#[test]
fn the_document_lists_every_case() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/bad-inputs.md");
    let doc = fs::read_to_string(&path).expect("docs/bad-inputs.md is readable");
    let start = doc.find(START).expect("the cases:start marker") + START.len();
    let end = doc.find(END).expect("the cases:end marker");
    let wanted = table();
    if doc[start..end] == wanted {
        return;
    }
    if std::env::var_os("UPDATE_DOCS").is_some() {
        fs::write(&path, format!("{}{wanted}{}", &doc[..start], &doc[end..])).unwrap();
        return;
    }
    panic!(
        "docs/bad-inputs.md is out of date; run `UPDATE_DOCS=1 cargo test -p alembic-doctor --test bad_inputs`"
    );
}
