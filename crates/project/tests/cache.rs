//! The parse cache never changes an answer: a warm load equals a cold one,
//! an edited file is parsed again, a damaged cache file is ignored, and a
//! migration that takes its id from another module is never cached.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use alembic_doctor_project::{LoadRequest, ParseCache, Project, load, load_with_cache};

/// A project whose files look old enough to be cached (the cache does not
/// store a file changed in the last seconds: a second edit in the same
/// time-stamp tick would go unnoticed).
struct Fixture {
    dir: tempfile::TempDir,
    cache: ParseCache,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("migrations/versions")).unwrap();
        fs::write(
            root.join("alembic.ini"),
            "[alembic]\nscript_location = %(here)s/migrations\n",
        )
        .unwrap();
        let cache = ParseCache::in_dir(root.join("cache")).unwrap();
        Self { dir, cache }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Write a file and date it an hour back.
    fn write(&self, relative: &str, text: &str) {
        let path = self.root().join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        age(&path);
    }

    fn migration(&self, rev: &str, down: Option<&str>) {
        let down = down.map_or("None".to_owned(), |d| format!("{d:?}"));
        self.write(
            &format!("migrations/versions/{rev}_change.py"),
            &format!("\"\"\"change {rev}\n\nRevision ID: {rev}\n\"\"\"\nrevision = {rev:?}\ndown_revision = {down}\n"),
        );
    }

    fn request(&self) -> LoadRequest {
        LoadRequest {
            cwd: self.root().to_path_buf(),
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

    fn load_cached(&self) -> Project {
        load_with_cache(&self.request(), Some(&self.cache)).unwrap()
    }

    fn load_cold(&self) -> Project {
        load(&self.request()).unwrap()
    }

    fn cache_files(&self) -> Vec<PathBuf> {
        fs::read_dir(self.cache.dir())
            .map(|entries| entries.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default()
    }
}

fn age(path: &Path) {
    let hour_ago = SystemTime::now() - Duration::from_hours(1);
    // A directory cannot be opened for writing; its times can be set
    // through a read-only handle all the same.
    let file = if path.is_dir() {
        fs::File::open(path)
    } else {
        fs::File::options().write(true).open(path)
    };
    file.unwrap().set_modified(hour_ago).unwrap();
}

fn heads(project: &Project) -> Vec<String> {
    project
        .map
        .heads()
        .iter()
        .map(|&rev| project.map.revisions()[rev].id.clone())
        .collect()
}

/// Everything a later stage reads from the files, for comparing loads.
fn digest(project: &Project) -> String {
    let mut digest = String::new();
    for file in &project.files {
        digest.push_str(&format!(
            "{} {:?} {:?} {:?} {:?} {:?} {:?} {}\n",
            file.display_path,
            file.script(),
            file.marks,
            file.revision,
            file.id_problem,
            file.variable_problems,
            file.read_error,
            file.uncertain
        ));
    }
    digest
}

fn loaded_from_cache(project: &Project) -> usize {
    project.files.iter().filter(|file| file.from_cache).count()
}

#[test]
fn a_warm_load_equals_a_cold_one_without_opening_the_files() {
    let fixture = Fixture::new();
    fixture.migration("aaa", None);
    fixture.migration("bbb", Some("aaa"));
    fixture.write(
        "migrations/versions/broken.py",
        "revision = 'ccc'\ndown_revision = 'bbb'\ndef oops(:\n",
    );
    let cold = fixture.load_cold();
    let first = fixture.load_cached();
    assert_eq!(loaded_from_cache(&first), 0);
    // Parsed and kept: never read again, where they could be another
    // version by then.
    assert!(first.files.iter().all(|file| file.bytes.is_loaded()));
    assert_eq!(fixture.cache_files().len(), 1);
    let warm = fixture.load_cached();
    assert_eq!(loaded_from_cache(&warm), 3);
    assert_eq!(digest(&warm), digest(&cold));
    assert_eq!(heads(&warm), vec!["ccc"]);
    // Not opened on a warm run, yet there when something prints them.
    assert!(warm.files.iter().all(|file| !file.bytes.is_loaded()));
    assert_eq!(
        &*warm.files[2].bytes,
        fs::read(&warm.files[2].path).unwrap()
    );
}

#[test]
fn operations_come_from_the_cache_once_a_load_has_read_them() {
    let fixture = Fixture::new();
    fixture.write(
        "migrations/versions/aaa_add.py",
        "revision = 'aaa'\ndown_revision = None\n\ndef upgrade():\n    op.add_column('user', sa.Column('age', sa.Integer()))\n\ndef downgrade():\n    op.drop_column('user', 'age')\n",
    );
    let with_operations = LoadRequest {
        operations: true,
        keep_bytes: true,
        ..fixture.request()
    };
    let warm_load = || load_with_cache(&with_operations, Some(&fixture.cache)).unwrap();
    let expected = alembic_doctor_script::read_operations(
        &fs::read(fixture.root().join("migrations/versions/aaa_add.py")).unwrap(),
    );
    assert!(!expected.upgrade.as_ref().unwrap().operations.is_empty());

    // A load that did not ask for operations stores none: the next one
    // that asks parses the file again and stores them.
    let without = fixture.load_cached();
    assert_eq!(without.files[0].operations(), expected);
    let asked = warm_load();
    assert_eq!(loaded_from_cache(&asked), 0);
    assert_eq!(asked.files[0].operations(), expected);

    // From then on they come from the cache, the file never opened (its
    // bytes are not even read for them).
    let warm = warm_load();
    assert_eq!(loaded_from_cache(&warm), 1);
    assert_eq!(warm.files[0].operations(), expected);
    assert!(!warm.files[0].bytes.is_loaded());
    // A load that does not ask keeps them for the next one that does.
    assert_eq!(loaded_from_cache(&fixture.load_cached()), 1);
    assert_eq!(loaded_from_cache(&warm_load()), 1);
    // And without the cache, one parse gives the same.
    let cold = load(&with_operations).unwrap();
    assert_eq!(cold.files[0].operations(), expected);
}

#[test]
fn an_edited_file_is_parsed_again() {
    let fixture = Fixture::new();
    fixture.migration("aaa", None);
    fixture.migration("bbb", Some("aaa"));
    fixture.load_cached();
    assert_eq!(heads(&fixture.load_cached()), vec!["bbb"]);
    // Same size, same (old) modification time: only the change time and
    // the content differ.
    fixture.migration("bbb", Some("xxx"));
    let edited = fixture.load_cached();
    assert_eq!(loaded_from_cache(&edited), 1);
    assert_eq!(heads(&edited), vec!["aaa", "bbb"]);
    assert_eq!(digest(&edited), digest(&fixture.load_cold()));
}

/// The files a warm load keeps when another changed are renumbered with
/// the map: here the first file stops yielding a revision, so every later
/// one moves down a place.
#[test]
fn files_kept_beside_a_changed_one_take_their_new_places_in_the_map() {
    let fixture = Fixture::new();
    fixture.migration("aaa", None);
    fixture.migration("bbb", Some("aaa"));
    fixture.migration("ccc", Some("bbb"));
    fixture.load_cached();
    fixture.write(
        "migrations/versions/aaa_change.py",
        "down_revision = None\n",
    );
    let edited = fixture.load_cached();
    assert_eq!(loaded_from_cache(&edited), 2);
    assert_eq!(edited.files[1].revision, Some(0));
    assert_eq!(edited.files[2].revision, Some(1));
    assert_eq!(heads(&edited), ["ccc"]);
    assert_eq!(digest(&edited), digest(&fixture.load_cold()));
}

#[test]
fn a_freshly_written_file_is_not_trusted_to_the_cache() {
    let fixture = Fixture::new();
    fixture.migration("aaa", None);
    let fresh = fixture.root().join("migrations/versions/bbb_change.py");
    fs::write(&fresh, "revision = 'bbb'\ndown_revision = 'aaa'\n").unwrap();
    fixture.load_cached();
    let again = fixture.load_cached();
    assert_eq!(loaded_from_cache(&again), 1, "only the old file is cached");
    assert_eq!(heads(&again), vec!["bbb"]);
}

#[test]
fn a_damaged_cache_file_is_ignored_and_rewritten() {
    let fixture = Fixture::new();
    fixture.migration("aaa", None);
    fixture.migration("bbb", Some("aaa"));
    fixture.load_cached();
    let [cache_file] = fixture.cache_files().try_into().unwrap();
    let good = fs::read(&cache_file).unwrap();
    let cold = digest(&fixture.load_cold());
    let damaged: Vec<Vec<u8>> = vec![
        Vec::new(),
        good[..good.len() / 2].to_vec(),
        good.iter().map(|b| b ^ 0x55).collect(),
        b"not a cache at all".to_vec(),
    ];
    for bad in damaged {
        fs::write(&cache_file, &bad).unwrap();
        let project = fixture.load_cached();
        assert_eq!(loaded_from_cache(&project), 0);
        assert_eq!(digest(&project), cold);
        // Rewritten whole: the next load is warm again.
        assert_eq!(loaded_from_cache(&fixture.load_cached()), 2);
    }
    // Damage in the scripts' blob (its checksum is the file's last eight
    // bytes) leaves the index usable: the files' ids come from the cache,
    // and each script, when read, is parsed again from its file.
    let mut flipped = good.clone();
    let last = flipped.len() - 3;
    flipped[last] ^= 1;
    fs::write(&cache_file, &flipped).unwrap();
    let project = fixture.load_cached();
    assert_eq!(loaded_from_cache(&project), 2);
    assert_eq!(digest(&project), cold);
}

/// A warm load takes the files from the cache's last walk while the
/// directories are unchanged; any file added, removed or renamed changes
/// its directory's stamp and is seen.
#[test]
fn a_reused_listing_still_sees_every_file_added_removed_or_renamed() {
    let fixture = Fixture::new();
    let versions = fixture.root().join("migrations/versions");
    fixture.migration("aaa", None);
    fixture.migration("bbb", Some("aaa"));
    let settle = || {
        age(&versions);
        fixture.load_cached();
        let warm = fixture.load_cached();
        assert_eq!(loaded_from_cache(&warm), warm.files.len());
        assert_eq!(digest(&warm), digest(&fixture.load_cold()));
        warm
    };
    assert_eq!(heads(&settle()), ["bbb"]);

    fixture.migration("ccc", Some("bbb"));
    let project = fixture.load_cached();
    assert_eq!(heads(&project), ["ccc"]);
    assert_eq!(digest(&project), digest(&fixture.load_cold()));
    assert_eq!(heads(&settle()), ["ccc"]);

    fs::remove_file(versions.join("ccc_change.py")).unwrap();
    assert_eq!(heads(&fixture.load_cached()), ["bbb"]);
    assert_eq!(heads(&settle()), ["bbb"]);

    fs::rename(
        versions.join("bbb_change.py"),
        versions.join("bbb_renamed.py"),
    )
    .unwrap();
    let project = fixture.load_cached();
    assert_eq!(digest(&project), digest(&fixture.load_cold()));
    assert!(project.files[1].display_path.ends_with("bbb_renamed.py"));
}

/// A migration that takes its id from another module is cached with that
/// module and every place the look-up tried before finding it: editing the
/// module, shadowing it with one found earlier, or removing it is seen.
#[test]
fn an_id_imported_from_a_module_is_cached_until_the_module_changes() {
    let fixture = Fixture::new();
    fixture.write("migrations/constants.py", "REV = 'aaa'\n");
    fixture.write(
        "migrations/versions/aaa_change.py",
        "from constants import REV\nrevision = REV\ndown_revision = None\n",
    );
    let warm = |expected: &[&str], from_cache: usize| {
        let project = fixture.load_cached();
        assert_eq!(heads(&project), expected);
        assert_eq!(loaded_from_cache(&project), from_cache);
        assert_eq!(digest(&project), digest(&fixture.load_cold()));
    };
    fixture.load_cached();
    warm(&["aaa"], 1);

    fixture.write("migrations/constants.py", "REV = 'zzz'\n");
    warm(&["zzz"], 0);
    warm(&["zzz"], 1);

    // Looked for in the migration's own directory (and its `src/`) first.
    fixture.write("migrations/versions/src/constants.py", "REV = 'yyy'\n");
    warm(&["yyy"], 0);
    warm(&["yyy"], 1);
    fs::remove_file(fixture.root().join("migrations/versions/src/constants.py")).unwrap();
    warm(&["zzz"], 0);

    fs::remove_file(fixture.root().join("migrations/constants.py")).unwrap();
    let project = fixture.load_cached();
    assert_eq!(
        project.files[0].revision, None,
        "the id can no longer be known"
    );
    assert_eq!(digest(&project), digest(&fixture.load_cold()));
}

#[test]
fn an_unwritable_cache_directory_only_costs_speed() {
    let fixture = Fixture::new();
    fixture.migration("aaa", None);
    // A file where the cache directory should be.
    let blocked = fixture.root().join("blocked");
    fs::write(&blocked, "").unwrap();
    let cache = ParseCache::in_dir(blocked.join("cache")).unwrap();
    let project = load_with_cache(&fixture.request(), Some(&cache)).unwrap();
    assert_eq!(heads(&project), vec!["aaa"]);
}

/// The bytes a warm run prints (a column, a code frame) are those its parse
/// came from, even when the file changes between the load and the printing:
/// a column counted in one version of a file at a position found in another
/// is an answer no state of the files could give. The cache keeps each
/// file's bytes beside its parse for this.
#[test]
fn a_file_changed_after_a_warm_load_does_not_change_what_is_printed() {
    let fixture = Fixture::new();
    let parsed = "revision = 'aaa'\ndown_revision = get()\n";
    fixture.write("migrations/versions/aaa_change.py", parsed);
    drop(fixture.load_cached());
    let warm = fixture.load_cached();
    assert_eq!(loaded_from_cache(&warm), 1);
    let path = fixture.root().join("migrations/versions/aaa_change.py");
    fs::write(&path, "revision = 'aaa'\ndown_revision =      get()  # é\n").unwrap();
    assert_eq!(&*warm.files[0].bytes, parsed.as_bytes());
    // And a fresh parse keeps what it parsed.
    let fixture = Fixture::new();
    fixture.write("migrations/versions/aaa_change.py", parsed);
    let cold = fixture.load_cached();
    assert_eq!(loaded_from_cache(&cold), 0);
    let path = fixture.root().join("migrations/versions/aaa_change.py");
    fs::write(&path, "x").unwrap();
    assert_eq!(&*cold.files[0].bytes, parsed.as_bytes());
}
