//! Differential check of the load order against the real Alembic
//! (`ScriptDirectory._load_revisions` with module execution stubbed out).
//! Runs only when `ALEMBIC_DOCTOR_PYTHON` names a Python with Alembic
//! installed; otherwise it passes without checking.
//!
//! The trees avoid the one place Python's order is the file system's (more
//! than one entry in a `__pycache__` read in sourceless mode).

use std::fs;
use std::path::Path;
use std::process::Command;

use alembic_doctor_source::{ListingSpec, list_versions};

const PROBE: &str = r#"
import itertools, json, sys, types, warnings
from alembic.script import base
counter = itertools.count()
def fake_load(dir_, filename):
    module = types.ModuleType("m")
    module.revision = "r%d" % next(counter)
    module.down_revision = None
    return module
base.util.load_python_file = fake_load
spec = json.loads(sys.argv[1])
sd = base.ScriptDirectory(spec["locations"][0], version_locations=spec["locations"],
                          recursive_version_locations=spec["recursive"], sourceless=spec["sourceless"])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    paths = [s.path for s in sd._load_revisions()]
print(json.dumps({"paths": paths, "warnings": [str(w.message) for w in caught]}))
"#;

/// Python 3.12+ walks with `Path.walk`, which lists a symlinked directory
/// among the files (a documented divergence): leave that link out there.
fn walks_with_os_walk(python: &std::ffi::OsStr) -> bool {
    let output = Command::new(python)
        .args(["-c", "import sys; print(sys.version_info < (3, 12))"])
        .output()
        .expect("run python");
    String::from_utf8_lossy(&output.stdout).trim() == "True"
}

fn build(root: &Path, with_dir_link: bool) {
    let files = [
        "v/.hidden.py",
        "v/1_a.py",
        "v/A.py",
        "v/_u.py",
        "v/a.py",
        "v/.#lock.py",
        "v/__init__.py",
        "v/__init__x.py",
        "v/README",
        "v/x.pyi",
        "v/c.pyc",
        "v/d.py",
        "v/d.pyc",
        "v/é.py",
        "v/z.py",
        "v/sub/b.py",
        "v/sub/B.py",
        "v/sub/deeper/q.py",
        "v/.git/h.py",
        "v/__pycache__/deep/p.py",
        "v/__pycache__/n.cpython-311.pyc",
        "v/Sub2/s.py",
        "w/w.py",
        "w/__pycache__/only.cpython-311.pyc",
        "target/t.py",
    ];
    for rel in files {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, "#\n").unwrap();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink("../target/t.py", root.join("v/link_to_t.py")).unwrap();
        symlink("../target/t.py", root.join("w/again_t.py")).unwrap();
        if with_dir_link {
            symlink("../target", root.join("v/dirlink")).unwrap();
        }
        symlink("a.py", root.join("v/zz_alias.py")).unwrap();
    }
}

#[test]
fn load_order_matches_real_alembic() {
    let Some(python) = std::env::var_os("ALEMBIC_DOCTOR_PYTHON") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = fs::canonicalize(dir.path()).unwrap();
    build(&root, walks_with_os_walk(&python));
    for recursive in [false, true] {
        for sourceless in [false, true] {
            let locations = vec![
                root.join("v"),
                root.join("missing"),
                root.join("w"),
                root.join("v"),
            ];
            let spec_json = format!(
                "{{\"locations\": [{}], \"recursive\": {recursive}, \"sourceless\": {sourceless}}}",
                locations
                    .iter()
                    .map(|l| format!("\"{}\"", l.display()))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let output = Command::new(&python)
                .arg("-c")
                .arg(PROBE)
                .arg(&spec_json)
                .output()
                .expect("run python");
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let expected = String::from_utf8(output.stdout).unwrap();

            let listing = list_versions(&ListingSpec {
                locations,
                recursive,
                sourceless,
            });
            let quote = |s: String| format!("\"{s}\"");
            let paths: Vec<String> = listing
                .files
                .iter()
                .map(|f| quote(f.path.display().to_string()))
                .collect();
            let warnings: Vec<String> = listing
                .notes
                .iter()
                .filter(|n| n.to_string().contains("loaded twice"))
                .map(|n| quote(n.to_string()))
                .collect();
            let actual = format!(
                "{{\"paths\": [{}], \"warnings\": [{}]}}",
                paths.join(", "),
                warnings.join(", ")
            );
            // Python's json escapes non-ASCII; compare after decoding it.
            let expected = expected.trim().replace("\\u00e9", "é");
            assert_eq!(
                actual, expected,
                "recursive={recursive} sourceless={sourceless}"
            );
            assert!(listing.files.len() > 5 && !warnings.is_empty());
        }
    }
}
