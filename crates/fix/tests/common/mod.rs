//! Shared by the fix tests: projects on disk, loading them, and the real
//! `alembic` package as the oracle.

#![allow(dead_code, reason = "each test binary uses a different part")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use alembic_doctor_project::LoadRequest;

/// The request that loads the project in `dir` the way `alembic` run
/// there would.
pub fn request(dir: &Path) -> LoadRequest {
    LoadRequest {
        cwd: dir.to_path_buf(),
        config_files: Vec::new(),
        section: "alembic".to_owned(),
        env_config: None,
        versions: Vec::new(),
        recursive: false,
        display_root: None,
        operations: false,
        keep_bytes: true,
    }
}

/// Write `files` (relative path → bytes) under `dir`.
pub fn write_files(dir: &Path, files: &[(&str, &[u8])]) {
    for (rel, bytes) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// A project directory outside any git repository: `alembic.ini` and an
/// empty `migrations/versions`.
pub fn plain_project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    write_files(
        &root,
        &[(
            "alembic.ini",
            b"[alembic]\nscript_location = %(here)s/migrations\n",
        )],
    );
    std::fs::create_dir_all(root.join("migrations/versions")).unwrap();
    (dir, root)
}

/// Every file under `dir` with its bytes (to compare whole trees).
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                out.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// The graph as each file declares it: file name → (id, parents,
/// dependencies).
pub fn declared(dir: &Path) -> BTreeMap<String, (String, Vec<String>, Vec<String>)> {
    let project = alembic_doctor_project::load(&request(dir)).unwrap();
    project
        .map
        .revisions()
        .iter()
        .enumerate()
        .map(|(rev, input)| {
            let name = project
                .file_of(rev)
                .path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (
                name,
                (
                    input.id.clone(),
                    input.down_revisions.clone(),
                    input.depends_on.clone(),
                ),
            )
        })
        .collect()
}

/// The Python with `alembic` installed: `ALEMBIC_DOCTOR_PYTHON`, else the
/// workspace's `.venv` (made by `scripts/setup-python`). A missing one fails
/// the test with the setup instructions; it never passes silently.
pub fn python() -> PathBuf {
    let python = std::env::var_os("ALEMBIC_DOCTOR_PYTHON")
        .filter(|p| !p.is_empty())
        .map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python"),
            PathBuf::from,
        );
    assert!(
        python.exists(),
        "{} does not exist: run scripts/setup-python (or set ALEMBIC_DOCTOR_PYTHON to a python with alembic)",
        python.display()
    );
    python
}

/// `alembic args` run in `dir` with every warning an error: (success,
/// stdout, stderr).
pub fn alembic(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(python())
        .args(["-W", "error", "-m", "alembic"])
        .args(args)
        .current_dir(dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("ALEMBIC_CONFIG")
        .output()
        .expect("python runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Alembic's own default `script.py.mako`, from the installed package.
pub fn alembic_default_template() -> Vec<u8> {
    let output = Command::new(python())
        .args([
            "-c",
            "import alembic, os, sys; sys.stdout.write(os.path.join(os.path.dirname(alembic.__file__), 'templates', 'generic', 'script.py.mako'))",
        ])
        .output()
        .expect("python runs");
    assert!(output.status.success());
    std::fs::read(String::from_utf8(output.stdout).unwrap()).unwrap()
}
