//! Paths the way Alembic's `pathlib` calls make them, and `package:path`
//! resources found without importing Python.
//!
//! `Path(value).absolute()` joins a relative value to the *current
//! directory* (not to the config file) and drops `.` components and
//! repeated or trailing slashes, but keeps `..`: so does [`absolute`].

use std::path::{Component, Path, PathBuf};

use crate::error::ConfigError;
use crate::files::ConfigFiles;

/// `pathlib` normalisation: drop `.` components, keep `..`.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

/// `Path(value).absolute()` with `cwd` as the current directory.
pub(crate) fn absolute(cwd: &Path, value: &Path) -> PathBuf {
    if value.is_absolute() {
        normalize(value)
    } else {
        normalize(&cwd.join(value))
    }
}

/// `str(Path(value))`: how Alembic prints a path it was given.
pub(crate) fn shown(value: &str) -> String {
    let normalized = normalize(Path::new(value));
    if normalized.as_os_str().is_empty() {
        ".".to_owned()
    } else {
        normalized.display().to_string()
    }
}

/// `Path.as_posix()`.
pub(crate) fn posix_string(path: &Path) -> String {
    let text = path.to_string_lossy();
    if cfg!(windows) {
        text.replace('\\', "/")
    } else {
        text.into_owned()
    }
}

/// `util.coerce_resource_to_filename(value)` followed by `.absolute()`.
///
/// A relative value containing `:` is a package resource `pkg.sub:dir/x`.
/// Python imports `pkg.sub` and uses its directory; we look for a directory
/// `pkg/sub` under each of `roots` (what would be on `sys.path`) in order.
pub(crate) fn locate(
    files: &dyn ConfigFiles,
    value: &str,
    cwd: &Path,
    roots: &[PathBuf],
) -> Result<PathBuf, ConfigError> {
    if Path::new(value).is_absolute() || !value.contains(':') {
        return Ok(absolute(cwd, Path::new(value)));
    }
    let mut tokens = value.split(':');
    let package = tokens.next().unwrap_or_default();
    let not_found = || ConfigError::PackageNotFound {
        resource: value.to_owned(),
        package: package.to_owned(),
        searched: roots.to_vec(),
    };
    if package.is_empty() || package.split('.').any(str::is_empty) {
        return Err(not_found());
    }
    let package_dir: PathBuf = package.split('.').collect();
    let root = roots
        .iter()
        .find(|root| files.is_dir(&root.join(&package_dir)))
        .ok_or_else(not_found)?;
    let mut path = root.join(&package_dir);
    for token in tokens {
        path.push(token);
    }
    Ok(absolute(cwd, &path))
}

/// Where a package could live: `prepend_sys_path` entries first (Alembic
/// puts them at the front of `sys.path`), then the current directory, the
/// config files' directories and every ancestor of those, each also with a
/// `src/` layout. Duplicates are dropped, order kept.
pub(crate) fn package_roots(
    cwd: &Path,
    prepend: &[PathBuf],
    config_dirs: &[&Path],
) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = Vec::new();
    let mut add = |path: PathBuf| {
        if !roots.contains(&path) {
            roots.push(path);
        }
    };
    for entry in prepend {
        add(entry.clone());
    }
    for start in std::iter::once(cwd).chain(config_dirs.iter().copied()) {
        for dir in start.ancestors() {
            add(dir.to_path_buf());
            add(dir.join("src"));
        }
    }
    roots
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::DiskConfigFiles;

    #[test]
    fn absolute_is_pathlib_absolute() {
        let cwd = Path::new("/work/proj");
        assert_eq!(
            absolute(cwd, Path::new("./a//b/")),
            Path::new("/work/proj/a/b")
        );
        assert_eq!(
            absolute(cwd, Path::new("../x")),
            Path::new("/work/proj/../x")
        );
        assert_eq!(absolute(cwd, Path::new("")), Path::new("/work/proj"));
        assert_eq!(absolute(cwd, Path::new("/abs/./y")), Path::new("/abs/y"));
    }

    #[test]
    fn shown_is_str_of_path() {
        assert_eq!(shown("migrations/"), "migrations");
        assert_eq!(shown("./migrations"), "migrations");
        assert_eq!(shown(""), ".");
    }

    #[test]
    fn finds_a_package_resource_under_a_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src/myapp/db/migrations")).unwrap();
        let roots = package_roots(root, &[], &[]);
        assert_eq!(
            locate(&DiskConfigFiles, "myapp.db:migrations", root, &roots).unwrap(),
            normalize(&root.join("src/myapp/db/migrations"))
        );
        assert!(matches!(
            locate(&DiskConfigFiles, "nosuchpkg:migrations", root, &roots),
            Err(ConfigError::PackageNotFound { .. })
        ));
        assert_eq!(
            locate(&DiskConfigFiles, "plain/dir", root, &roots).unwrap(),
            root.join("plain/dir")
        );
    }
}
