//! Differential check against the real Alembic: the same projects through
//! `alembic.config.CommandLine` + `ScriptDirectory.from_config` and through
//! [`load`]. Runs only when `ALEMBIC_DOCTOR_PYTHON` names a Python with
//! Alembic installed (`scripts/test` sets it); otherwise it passes without
//! checking, so `cargo test` never needs Python.

use std::fs;
use std::path::Path;
use std::process::Command;

use alembic_doctor_config::{ConfigRequest, ConfigWarning, load};

const PROBE: &str = r#"
import json, os, sys, warnings
from pathlib import Path
from alembic.config import CommandLine, Config
from alembic.script import ScriptDirectory
args = json.loads(sys.argv[1])
cl = CommandLine()
opts = cl.parser.parse_args(args + ["heads"])
toml, ini = cl._inis_from_config(opts)
cfg = Config(file_=ini, toml_file=toml, ini_section=opts.name, cmd_opts=opts)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        sd = ScriptDirectory.from_config(cfg)
        out = {
            "script": str(Path(sd.dir).absolute()),
            "locations": [str(p) for p in sd._version_locations],
            "recursive": sd.recursive_version_locations,
            "sourceless": sd.sourceless,
        }
    except Exception as e:
        out = {"error": str(e)}
out["warnings"] = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
print(json.dumps(out, sort_keys=True))
"#;

/// A JSON rendering of our result in the probe's shape.
fn ours(root: &Path, args: &[&str], env: Option<&str>) -> String {
    let mut request = ConfigRequest::new(root);
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match *arg {
            "-c" => request = request.config_file(iter.next().unwrap()),
            "-n" => request = request.section(*iter.next().unwrap()),
            other => panic!("unexpected {other}"),
        }
    }
    if let Some(env) = env {
        request = request.alembic_config_env(env);
    }
    let quote = |s: &str| {
        format!(
            "\"{}\"",
            s.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
        )
    };
    match load(&request) {
        Ok(config) => {
            let locations: Vec<String> = config
                .version_locations
                .iter()
                .map(|p| quote(&p.display().to_string()))
                .collect();
            let warnings: Vec<String> = config
                .warnings
                .iter()
                .filter(|w| matches!(w, ConfigWarning::Deprecated { .. }))
                .map(|w| quote(&w.to_string()))
                .collect();
            format!(
                "{{\"locations\": [{}], \"recursive\": {}, \"script\": {}, \"sourceless\": {}, \"warnings\": [{}]}}",
                locations.join(", "),
                config.recursive_version_locations,
                quote(&config.script_location.unwrap().display().to_string()),
                config.sourceless,
                warnings.join(", ")
            )
        }
        Err(error) => format!(
            "{{\"error\": {}, \"warnings\": []}}",
            quote(&error.alembic_message().unwrap_or_else(|| error.to_string()))
        ),
    }
}

fn theirs(python: &str, root: &Path, args: &[&str], env: Option<&str>) -> String {
    let mut command = Command::new(python);
    command
        .arg("-c")
        .arg(PROBE)
        .arg(format!(
            "[{}]",
            args.iter()
                .map(|a| format!("\"{a}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .current_dir(root)
        .env_remove("ALEMBIC_CONFIG");
    if let Some(env) = env {
        command.env("ALEMBIC_CONFIG", env);
    }
    let output = command.output().expect("run python");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

struct Case {
    files: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    env: Option<&'static str>,
}

const CASES: &[Case] = &[
    Case {
        files: &[
            ("alembic.ini", "[alembic]\nscript_location = %(here)s/m\n"),
            ("m/", ""),
        ],
        args: &[],
        env: None,
    },
    Case {
        files: &[
            (
                "alembic.ini",
                "[alembic]\nscript_location = m\nversion_locations = a, b  c ,d\n",
            ),
            ("m/", ""),
        ],
        args: &[],
        env: None,
    },
    Case {
        files: &[
            (
                "alembic.ini",
                "[alembic]\nscript_location = m\npath_separator = newline\nversion_locations =\n  %(here)s/a\n\n  # c\n  b/../c\n  ./d/\n",
            ),
            ("m/", ""),
        ],
        args: &[],
        env: None,
    },
    Case {
        files: &[
            (
                "alembic.ini",
                "[alembic]\nscript_location = m\nversion_path_separator = ;\nversion_locations = a; ;b\nrecursive_version_locations = True\nsourceless = true\n",
            ),
            ("m/", ""),
        ],
        args: &[],
        env: None,
    },
    Case {
        files: &[
            (
                "alembic.ini",
                "[alembic]\nscript_location = m\nprepend_sys_path = . src\nversion_locations = x\n",
            ),
            ("m/", ""),
        ],
        args: &[],
        env: None,
    },
    Case {
        files: &[
            (
                "pyproject.toml",
                "[tool.alembic]\nscript_location = \"%(here)s/m\"\nversion_locations = [\"%(here)s/v\", \"w\"]\nrecursive_version_locations = true\n",
            ),
            (
                "alembic.ini",
                "[alembic]\nsqlalchemy.url = x\nsourceless = true\n",
            ),
            ("m/", ""),
        ],
        args: &[],
        env: None,
    },
    Case {
        files: &[
            (
                "conf/main.ini",
                "[main]\nscript_location = ../m\n[alembic]\nscript_location = nope\n",
            ),
            ("m/", ""),
        ],
        args: &["-c", "conf/main.ini", "-n", "main"],
        env: None,
    },
    Case {
        files: &[
            ("env.ini", "[alembic]\nscript_location = from_env\n"),
            (
                "sub/pyproject.toml",
                "[tool.alembic]\nversion_locations = [\"%(here)s/v\"]\n",
            ),
            ("from_env/", ""),
        ],
        args: &["-c", "sub/pyproject.toml"],
        env: Some("env.ini"),
    },
    Case {
        files: &[("alembic.ini", "[alembic]\nscript_location = ./missing/\n")],
        args: &[],
        env: None,
    },
    Case {
        files: &[("alembic.ini", "[alembic]\nsqlalchemy.url = x\n")],
        args: &[],
        env: None,
    },
    Case {
        files: &[
            (
                "alembic.ini",
                "[alembic]\nscript_location = m\npath_separator = comma\nversion_locations = a\n",
            ),
            ("m/", ""),
        ],
        args: &[],
        env: None,
    },
    Case {
        files: &[
            (
                "pyproject.toml",
                "[tool.alembic]\nscript_location = \"m\"\nsourceless = 1\n",
            ),
            ("m/", ""),
        ],
        args: &[],
        env: None,
    },
    Case {
        files: &[
            (
                "pyproject.toml",
                "[tool.alembic]\nscript_location = \"m\"\nversion_locations = 1.5\n",
            ),
            ("m/", ""),
        ],
        args: &[],
        env: None,
    },
];

#[test]
fn matches_real_alembic() {
    let Some(python) = std::env::var_os("ALEMBIC_DOCTOR_PYTHON") else {
        return;
    };
    let python = python.to_string_lossy().into_owned();
    for (index, case) in CASES.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        for (rel, text) in case.files {
            let path = root.join(rel);
            if rel.ends_with('/') {
                fs::create_dir_all(&path).unwrap();
            } else {
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(&path, text).unwrap();
            }
        }
        let expected = theirs(&python, &root, case.args, case.env);
        let actual = ours(&root, case.args, case.env);
        assert_eq!(actual, expected, "case {index}: {:?}", case.files);
    }
}
