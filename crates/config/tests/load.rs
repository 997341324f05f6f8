//! `load` on temp-dir projects: which files are read, how values resolve,
//! and every error. Each test names the Alembic behaviour it pins down.

use std::fs;
use std::path::PathBuf;

use alembic_doctor_config::{
    ConfigError, ConfigRequest, ConfigWarning, OptionValue, VersionLocationsOrigin, load,
};

struct Project {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Project {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        Self { _dir: dir, root }
    }

    fn write(&self, rel: &str, text: &str) -> &Self {
        let path = self.root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    fn mkdir(&self, rel: &str) -> &Self {
        fs::create_dir_all(self.root.join(rel)).unwrap();
        self
    }

    fn request(&self) -> ConfigRequest {
        ConfigRequest::new(&self.root)
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }
}

fn deprecations(warnings: &[ConfigWarning]) -> Vec<String> {
    warnings
        .iter()
        .filter(|w| matches!(w, ConfigWarning::Deprecated { .. }))
        .map(ToString::to_string)
        .collect()
}

#[test]
fn here_is_the_ini_folder_and_versions_default_under_script_location() {
    let p = Project::new();
    p.write(
        "conf/alembic.ini",
        "[alembic]\nscript_location = %(here)s/../migrations\nsqlalchemy.url = sqlite:///%(here)s/db.sqlite\n",
    )
    .mkdir("migrations");
    let config = load(&p.request().config_file("conf/alembic.ini")).unwrap();
    assert_eq!(
        config.ini_file.as_deref(),
        Some(p.p("conf/alembic.ini").as_path())
    );
    assert_eq!(config.toml_file, None);
    // `..` is kept, as `Path.absolute()` keeps it.
    assert_eq!(config.script_location, Some(p.p("conf/../migrations")));
    assert_eq!(
        config.version_locations,
        [p.p("conf/../migrations/versions")]
    );
    assert_eq!(
        config.version_locations_origin,
        VersionLocationsOrigin::Default
    );
    assert!(!config.recursive_version_locations && !config.sourceless);
    assert!(config.warnings.is_empty());
    assert_eq!(
        config.options.get_main("sqlalchemy.url").unwrap().unwrap(),
        format!("sqlite:///{}/db.sqlite", p.p("conf").display())
    );
    assert_eq!(
        config.options.ini_raw().get("script_location"),
        Some(&"%(here)s/../migrations")
    );
}

/// Alembic resolves a relative `script_location` against the current
/// directory, not the ini file's folder.
#[test]
fn relative_paths_resolve_against_cwd_not_the_ini() {
    let p = Project::new();
    p.write(
        "sub/alembic.ini",
        "[alembic]\nscript_location = migrations\n",
    )
    .mkdir("migrations");
    let config = load(&p.request().config_file("sub/alembic.ini")).unwrap();
    assert_eq!(config.script_location, Some(p.p("migrations")));
}

#[test]
fn each_path_separator_splits_version_locations() {
    let cases = [
        ("os", "%(here)s/a:%(here)s/b"),
        (":", "%(here)s/a:%(here)s/b"),
        (";", "%(here)s/a; %(here)s/b"),
        ("space", "%(here)s/a   %(here)s/b"),
        ("newline", "\n    %(here)s/a\n    %(here)s/b"),
    ];
    for (separator, value) in cases {
        let p = Project::new();
        p.write(
            "alembic.ini",
            &format!(
                "[alembic]\nscript_location = %(here)s/m\npath_separator = {separator}\nversion_locations = {value}\n"
            ),
        )
        .mkdir("m");
        let config = load(&p.request()).unwrap();
        assert_eq!(
            config.version_locations,
            [p.p("a"), p.p("b")],
            "{separator}"
        );
        assert_eq!(
            config.version_locations_origin,
            VersionLocationsOrigin::Configured
        );
        assert!(
            config.warnings.is_empty(),
            "{separator}: {:?}",
            config.warnings
        );
    }
}

/// Without `path_separator` Alembic splits on `, *| +` (not on newlines)
/// and warns.
#[test]
fn legacy_split_warns_and_keeps_its_quirks() {
    let p = Project::new();
    p.write(
        "alembic.ini",
        "[alembic]\nscript_location = m\nversion_locations = a, b  c\n",
    )
    .mkdir("m");
    let config = load(&p.request()).unwrap();
    assert_eq!(config.version_locations, [p.p("a"), p.p("b"), p.p("c")]);
    assert_eq!(
        deprecations(&config.warnings),
        [
            "No path_separator found in configuration; falling back to legacy splitting on spaces/commas \
          for version_locations.  Consider adding path_separator=os to Alembic config."
        ]
    );

    let p = Project::new();
    p.write(
        "alembic.ini",
        "[alembic]\nscript_location = m\nversion_locations = a\n  b\n",
    )
    .mkdir("m");
    assert_eq!(load(&p.request()).unwrap().version_locations, [p.p("a\nb")]);
}

#[test]
fn version_path_separator_is_used_but_deprecated() {
    let p = Project::new();
    p.write(
        "alembic.ini",
        "[alembic]\nscript_location = m\nversion_path_separator = ;\nversion_locations = a;b\n",
    )
    .mkdir("m");
    let config = load(&p.request()).unwrap();
    assert_eq!(config.version_locations, [p.p("a"), p.p("b")]);
    assert_eq!(
        deprecations(&config.warnings),
        [
            "The version_path_separator configuration parameter is deprecated; please use path_separator"
        ]
    );
}

/// `get_alembic_boolean_option`: only the exact text `true` is true.
#[test]
fn booleans_are_true_only_for_exactly_true() {
    for (text, expected) in [
        ("true", true),
        ("True", false),
        ("yes", false),
        ("1", false),
        ("TRUE", false),
    ] {
        let p = Project::new();
        p.write(
            "alembic.ini",
            &format!("[alembic]\nscript_location = m\nrecursive_version_locations = {text}\nsourceless = {text}\n"),
        )
        .mkdir("m");
        let config = load(&p.request()).unwrap();
        assert_eq!(config.recursive_version_locations, expected, "{text}");
        assert_eq!(config.sourceless, expected, "{text}");
    }
}

#[test]
fn a_pyproject_only_project() {
    let p = Project::new();
    p.write(
        "pyproject.toml",
        "[project]\nname = 'x'\n\n[tool.alembic]\nscript_location = \"%(here)s/migrations\"\n\
         version_locations = [\"%(here)s/v1\", \"v2\"]\nrecursive_version_locations = true\n\
         truncate_slug_length = 20\n",
    )
    .mkdir("migrations");
    let config = load(&p.request()).unwrap();
    assert_eq!(config.ini_file, None);
    assert_eq!(
        config.toml_file.as_deref(),
        Some(p.p("pyproject.toml").as_path())
    );
    assert_eq!(config.script_location, Some(p.p("migrations")));
    assert_eq!(config.version_locations, [p.p("v1"), p.p("v2")]);
    assert!(config.recursive_version_locations);
    assert_eq!(
        config.options.get("truncate_slug_length").unwrap(),
        Some(OptionValue::Integer(20))
    );
    assert_eq!(
        config
            .options
            .get_text("truncate_slug_length")
            .unwrap()
            .as_deref(),
        Some("20")
    );
}

/// Any key present in the ini wins over `[tool.alembic]`; keys the ini
/// lacks come from the toml. `-n` only picks the ini section.
#[test]
fn ini_keys_win_over_pyproject() {
    let p = Project::new();
    p.write(
        "alembic.ini",
        "[alembic]\nscript_location = from_ini\n[other]\nscript_location = from_other\n",
    )
    .write(
        "pyproject.toml",
        "[tool.alembic]\nscript_location = \"from_toml\"\nversion_locations = [\"tv\"]\nsourceless = true\n",
    )
    .mkdir("from_ini")
    .mkdir("from_other")
    .mkdir("from_toml");
    let config = load(&p.request()).unwrap();
    assert_eq!(config.script_location, Some(p.p("from_ini")));
    assert_eq!(config.version_locations, [p.p("tv")]);
    assert!(config.sourceless);
    assert!(config.ini_file.is_some() && config.toml_file.is_some());

    let other = load(&p.request().section("other")).unwrap();
    assert_eq!(other.script_location, Some(p.p("from_other")));

    // A section the ini lacks: everything comes from the toml.
    let missing = load(&p.request().section("nope")).unwrap();
    assert_eq!(missing.script_location, Some(p.p("from_toml")));
}

#[test]
fn default_section_values_count_for_the_main_section() {
    let p = Project::new();
    p.write(
        "alembic.ini",
        "[DEFAULT]\nscript_location = %(here)s/m\n[alembic]\n",
    )
    .mkdir("m");
    assert_eq!(load(&p.request()).unwrap().script_location, Some(p.p("m")));
}

#[test]
fn alembic_config_env_names_the_ini_or_the_pyproject() {
    let p = Project::new();
    p.write("alembic.ini", "[alembic]\nscript_location = default\n")
        .write("env/custom.ini", "[alembic]\nscript_location = from_env\n")
        .write(
            "env/pyproject.toml",
            "[tool.alembic]\nversion_locations = [\"%(here)s/tv\"]\n",
        )
        .mkdir("default")
        .mkdir("from_env");
    let config = load(&p.request().alembic_config_env("env/custom.ini")).unwrap();
    assert_eq!(config.script_location, Some(p.p("from_env")));

    // A pyproject.toml in $ALEMBIC_CONFIG replaces only the toml default.
    let config = load(&p.request().alembic_config_env(p.p("env/pyproject.toml"))).unwrap();
    assert_eq!(config.script_location, Some(p.p("default")));
    assert_eq!(config.version_locations, [p.p("env/tv")]);

    // `-c` of the other kind keeps `$ALEMBIC_CONFIG`.
    let config = load(
        &p.request()
            .alembic_config_env("env/custom.ini")
            .config_file("env/pyproject.toml"),
    )
    .unwrap();
    assert_eq!(config.script_location, Some(p.p("from_env")));
    assert_eq!(config.version_locations, [p.p("env/tv")]);
}

#[test]
fn a_missing_named_file_is_a_warning_when_the_other_file_suffices() {
    let p = Project::new();
    p.write(
        "pyproject.toml",
        "[tool.alembic]\nscript_location = \"m\"\n",
    )
    .mkdir("m");
    let config = load(&p.request().config_file("missing.ini")).unwrap();
    assert_eq!(
        config.warnings,
        [ConfigWarning::ConfigFileMissing {
            path: p.p("missing.ini")
        }]
    );
}

/// Flask-Migrate: `migrations/alembic.ini` without `script_location`,
/// beside `env.py` and `versions/`.
#[test]
fn the_flask_migrate_layout_is_found_without_flags() {
    let p = Project::new();
    p.write("migrations/alembic.ini", "# A generic, single database configuration.\n\n[alembic]\n# template used to generate migration files\n# file_template = %%(rev)s_%%(slug)s\n\n[loggers]\nkeys = root\n")
        .write("migrations/env.py", "")
        .mkdir("migrations/versions");
    let config = load(&p.request()).unwrap();
    assert!(config.flask_migrate);
    assert_eq!(
        config.ini_file.as_deref(),
        Some(p.p("migrations/alembic.ini").as_path())
    );
    assert_eq!(config.script_location, Some(p.p("migrations")));
    assert_eq!(config.version_locations, [p.p("migrations/versions")]);

    let explicit = load(&p.request().config_file("migrations/alembic.ini")).unwrap();
    assert!(explicit.flask_migrate);
    assert_eq!(explicit.script_location, Some(p.p("migrations")));
}

#[test]
fn a_package_resource_is_found_under_src() {
    let p = Project::new();
    p.write("alembic.ini", "[alembic]\nscript_location = myapp.db:migrations\nprepend_sys_path = .\npath_separator = os\n")
        .write("src/myapp/__init__.py", "")
        .write("src/myapp/db/__init__.py", "")
        .mkdir("src/myapp/db/migrations");
    let config = load(&p.request()).unwrap();
    assert_eq!(config.script_location, Some(p.p("src/myapp/db/migrations")));
    assert_eq!(config.prepend_sys_path, std::slice::from_ref(&p.root));
}

#[test]
fn versions_flag_bypasses_script_location() {
    let p = Project::new();
    // No config at all: fine, defaults.
    let config = load(&p.request().versions_dir("v1").versions_dir(p.p("v2"))).unwrap();
    assert_eq!(config.version_locations, [p.p("v1"), p.p("v2")]);
    assert_eq!(
        config.version_locations_origin,
        VersionLocationsOrigin::Flag
    );
    assert_eq!(config.script_location, None);
    assert!(config.warnings.is_empty());

    // Options still come from the config, whose script_location need not exist.
    p.write(
        "alembic.ini",
        "[alembic]\nscript_location = gone\nrecursive_version_locations = true\n",
    );
    let config = load(&p.request().versions_dir("v1")).unwrap();
    assert!(config.recursive_version_locations);
    assert_eq!(config.script_location, Some(p.p("gone")));

    // A broken config is only a warning.
    p.write("alembic.ini", "not an ini\n");
    let config = load(&p.request().versions_dir("v1")).unwrap();
    assert!(matches!(
        config.warnings.as_slice(),
        [ConfigWarning::ConfigIgnored { .. }]
    ));
}

// ---- errors ----

#[test]
fn nothing_found_says_where_it_looked_and_what_to_do() {
    let p = Project::new();
    p.write("pyproject.toml", "[project]\nname = 'x'\n");
    let error = load(&p.request()).unwrap_err();
    let ConfigError::NotFound { looked_for, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(looked_for.len(), 3);
    let text = error.to_string();
    assert!(
        text.contains(&format!(
            "{} (does not exist)",
            p.p("alembic.ini").display()
        )),
        "{text}"
    );
    assert!(text.contains("has no [tool.alembic] table"), "{text}");
    assert!(
        text.contains("-c path/to/alembic.ini") && text.contains("--versions DIR"),
        "{text}"
    );
    assert_eq!(
        error.alembic_message().as_deref(),
        Some("No 'script_location' key found in configuration.")
    );
}

#[test]
fn malformed_ini_reports_file_and_line() {
    let p = Project::new();
    p.write(
        "alembic.ini",
        "[alembic]\nscript_location = m\nthis line has no delimiter\n",
    );
    let error = load(&p.request()).unwrap_err();
    assert!(
        matches!(&error, ConfigError::IniSyntax { line: 3, .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with(&format!("{}:3: ", p.p("alembic.ini").display()))
    );

    p.write("alembic.ini", "script_location = m\n");
    assert!(matches!(
        load(&p.request()).unwrap_err(),
        ConfigError::IniSyntax { line: 1, .. }
    ));

    p.write("alembic.ini", "\u{feff}[alembic]\nscript_location = m\n");
    let error = load(&p.request()).unwrap_err();
    assert!(error.to_string().contains("byte-order mark"), "{error}");
}

#[test]
fn missing_section_lists_the_sections_there_are() {
    let p = Project::new();
    p.write(
        "alembic.ini",
        "[alembic_main]\nscript_location = m\n[loggers]\nkeys = root\n",
    );
    let error = load(&p.request()).unwrap_err();
    assert!(matches!(&error, ConfigError::MissingSection { section, .. } if section == "alembic"));
    let text = error.to_string();
    assert!(
        text.contains("has no [alembic] section (it has [alembic_main], [loggers])"),
        "{text}"
    );
    assert!(text.contains("-n NAME"), "{text}");
}

#[test]
fn missing_script_location_uses_alembics_text() {
    let p = Project::new();
    p.write("alembic.ini", "[alembic]\nsqlalchemy.url = x\n");
    let error = load(&p.request()).unwrap_err();
    assert!(matches!(error, ConfigError::MissingScriptLocation { .. }));
    assert!(
        error
            .to_string()
            .starts_with("No 'script_location' key found in configuration.")
    );
}

#[test]
fn script_location_that_does_not_exist_uses_alembics_text() {
    let p = Project::new();
    p.write("alembic.ini", "[alembic]\nscript_location = ./nowhere/\n");
    let error = load(&p.request()).unwrap_err();
    assert_eq!(
        error.alembic_message().unwrap(),
        "Path doesn't exist: nowhere.  Please use the 'init' command to create a new scripts folder."
    );
    assert!(
        error
            .to_string()
            .contains(&p.p("nowhere").display().to_string())
    );
}

#[test]
fn unreadable_config_is_an_error_naming_the_file() {
    let p = Project::new();
    p.mkdir("alembic.ini");
    let error = load(&p.request()).unwrap_err();
    assert!(matches!(&error, ConfigError::Unreadable { path, .. } if path == &p.p("alembic.ini")));

    let p = Project::new();
    fs::write(p.p("alembic.ini"), b"[alembic]\nscript_location = \xff\n").unwrap();
    assert!(matches!(
        load(&p.request()).unwrap_err(),
        ConfigError::NotUtf8 { offset: 28, .. }
    ));
}

#[test]
fn bad_interpolation_names_section_and_key() {
    let p = Project::new();
    p.write("alembic.ini", "[alembic]\nscript_location = 100%/m\n");
    let error = load(&p.request()).unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, ConfigError::Interpolation { .. }));
    assert!(
        text.contains("[alembic] script_location: '%' must be followed by '%' or '('"),
        "{text}"
    );

    // A bad `%` in a key nobody reads is fine, as in Python.
    p.write(
        "alembic.ini",
        "[alembic]\nscript_location = m\nunused = 5%\n",
    )
    .mkdir("m");
    assert!(load(&p.request()).is_ok());
}

#[test]
fn invalid_separator_uses_alembics_text() {
    let p = Project::new();
    p.write(
        "alembic.ini",
        "[alembic]\nscript_location = m\npath_separator = comma\nversion_locations = a,b\n",
    )
    .mkdir("m");
    let error = load(&p.request()).unwrap_err();
    assert_eq!(
        error.alembic_message().unwrap(),
        "'comma' is not a valid value for path_separator; expected 'space', 'newline', 'os', ':', ';'"
    );
}

#[test]
fn toml_errors() {
    let check = |text: &str| -> ConfigError {
        let p = Project::new();
        p.write("pyproject.toml", text).mkdir("m");
        load(&p.request()).unwrap_err()
    };
    let error = check("[tool.alembic\nscript_location = 'm'\n");
    assert!(matches!(error, ConfigError::Toml { .. }), "{error:?}");

    let error =
        check("[tool.alembic]\nscript_location = 'm'\nrecursive_version_locations = 'true'\n");
    assert_eq!(
        error.alembic_message().unwrap(),
        "boolean value expected for TOML parameter 'recursive_version_locations'"
    );

    let error = check("[tool.alembic]\nscript_location = 'm'\nversion_locations = 1.5\n");
    assert_eq!(
        error.alembic_message().unwrap(),
        "unsupported TOML value type for key: 'version_locations'"
    );

    let error = check("[tool]\nalembic = 3\n");
    assert_eq!(error.alembic_message().unwrap(), "Incorrect TOML format");

    let error = check("[tool.alembic]\nscript_location = 'm'\nversion_locations = 'm/versions'\n");
    assert!(
        error.to_string().contains("expected an array of strings"),
        "{error}"
    );
}

#[test]
fn two_ini_files_is_alembics_error() {
    let p = Project::new();
    let error = load(&p.request().config_file("a.ini").config_file("b.ini")).unwrap_err();
    assert_eq!(
        error.alembic_message().unwrap(),
        "only one ini file may be indicated"
    );
}

#[test]
fn errors_name_paths_not_just_kinds() {
    // Sanity: every Display mentions the project folder where a file is involved.
    let p = Project::new();
    p.write("alembic.ini", "[alembic]\nscript_location = m\n[alembic]\n");
    let text = load(&p.request()).unwrap_err().to_string();
    assert!(
        text.contains(&p.root.display().to_string()) && text.contains(":3:"),
        "{text}"
    );
}
