//! The configuration reader on arbitrary `alembic.ini` and `pyproject.toml`
//! files: it must answer with a configuration or an error that can be
//! printed, never panic or hang, and the version locations it answers with
//! are absolute paths.
//!
//! Input layout: the first byte chooses which files exist and how the
//! reader is asked (`-c`, `-n`, `$ALEMBIC_CONFIG`); the rest is the ini
//! text, then [`SEPARATOR`], then the `pyproject.toml` text.

use alembic_doctor_config::{ConfigRequest, load_in};

use super::{Signature, variant};
use crate::memory::{MemoryTree, ROOT};

/// Between the ini text and the `pyproject.toml` text.
pub const SEPARATOR: &[u8] = b"\n%%pyproject.toml%%\n";

/// The ini text and the toml text of an input, and its mode byte.
pub(crate) fn split(bytes: &[u8]) -> (u8, &[u8], &[u8]) {
    let Some((&mode, rest)) = bytes.split_first() else {
        return (0, &[], &[]);
    };
    match rest
        .windows(SEPARATOR.len())
        .position(|window| window == SEPARATOR)
    {
        Some(at) => (mode, &rest[..at], &rest[at + SEPARATOR.len()..]),
        None => (mode, rest, &[]),
    }
}

/// Run the target on `bytes`.
pub fn run(bytes: &[u8]) -> Vec<u64> {
    let mut signature = Signature::default();
    let (mode, ini, toml) = split(bytes);
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    if mode & 1 == 0 {
        files.push(("alembic.ini", ini.to_vec()));
    }
    if mode & 2 == 0 {
        files.push(("pyproject.toml", toml.to_vec()));
    }
    if mode & 4 == 0 {
        files.push((
            "migrations/versions/0001_first.py",
            b"revision = 'a'\n".to_vec(),
        ));
    }
    if mode & 64 != 0 {
        files.push(("migrations/alembic.ini", ini.to_vec()));
    }
    let tree = MemoryTree::new(files);
    let mut request = ConfigRequest::new(ROOT);
    if mode & 8 != 0 {
        request = request.section("custom");
    }
    if mode & 16 != 0 {
        request = request.config_file("alembic.ini");
    }
    if mode & 32 != 0 {
        request = request.alembic_config_env("migrations/alembic.ini");
    }
    if mode & 128 != 0 {
        request = request.config_file("pyproject.toml");
    }
    match load_in(&tree, &request) {
        Ok(config) => {
            signature.add("ok");
            signature.add(config.script_location.is_some());
            signature.count(config.version_locations.len());
            signature.add(variant(&config.version_locations_origin));
            signature.add(config.recursive_version_locations);
            signature.add(config.sourceless);
            signature.add(config.flask_migrate);
            signature.count(config.prepend_sys_path.len());
            for location in &config.version_locations {
                assert!(
                    location.is_absolute(),
                    "version location {} is not absolute",
                    location.display()
                );
                signature.add(location.starts_with(ROOT));
            }
            for warning in &config.warnings {
                signature.add(variant(warning));
                let _ = warning.to_string();
            }
            for name in [
                "sqlalchemy.url",
                "script_location",
                "version_locations",
                "file_template",
                "timezone",
            ] {
                signature.add(variant(&config.options.get_main(name)));
                signature.add(variant(&config.options.get_text(name)));
            }
            signature.add(variant(&config.options.get_bool("sourceless")));
            signature.count(config.options.ini_raw().len());
            signature.add(variant(&config.options.ini_section("loggers")));
            let _ = config.options.section();
        }
        Err(error) => {
            signature.add(variant(&error));
            assert!(!error.to_string().is_empty(), "an empty error message");
            let _ = error.alembic_message();
        }
    }
    signature.finish()
}
