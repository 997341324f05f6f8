//! Names imported from the project's own modules, resolved by reading those
//! modules (never running them), in temporary project trees.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use alembic_doctor_script::{
    DiskFiles, Project, ProjectFiles, Script, ScriptContext, StrLiteral, Value, Variable,
    parse_script,
};

/// A project tree in a temporary directory.
struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        for (path, content) in files {
            let path = dir.path().join(path);
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            fs::write(path, content).expect("write");
        }
        Self { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn read(&self, project: &Project, migration: &str) -> Script {
        let path = self.root().join(migration);
        let bytes = fs::read(&path).expect("migration");
        parse_script(&bytes, &ScriptContext::new(&path, project))
    }
}

fn value(variable: &Variable) -> &Value {
    match variable {
        Variable::Bound(binding) => &binding.value,
        Variable::Missing => panic!("missing"),
    }
}

fn literal(variable: &Variable) -> &StrLiteral {
    match value(variable) {
        Value::Str(literal) => literal,
        other => panic!("not a string: {other:?}"),
    }
}

fn reason(variable: &Variable) -> &str {
    match value(variable) {
        Value::Unknown { reason, .. } => reason,
        other => panic!("not unknown: {other:?}"),
    }
}

#[test]
fn constant_imported_by_name() {
    let tree = Tree::new(&[
        ("app/__init__.py", ""),
        (
            "app/constants.py",
            "import os\nREV_X = 'abc123'\nREV_X = 'final'\nOTHER = os.getenv('X')\n",
        ),
        (
            "migrations/versions/m.py",
            "from app.constants import REV_X\nfrom app.constants import OTHER as O\nrevision = REV_X\ndown_revision = O\n",
        ),
    ]);
    let project = Project::on_disk(tree.root());
    let script = tree.read(&project, "migrations/versions/m.py");
    let revision = literal(&script.revision);
    // The module's last binding wins, as after executing it.
    assert_eq!(revision.value, "final");
    assert_eq!(revision.content_span, None);
    assert_eq!(revision.origin.as_deref(), Some("app/constants.py: REV_X"));
    // Unknowns from the other module point at the use in this file.
    let Value::Unknown { reason, span } = value(&script.down_revision) else {
        panic!("expected unknown");
    };
    assert!(
        reason.contains("function call") && reason.contains("app/constants.py"),
        "{reason}"
    );
    let source = fs::read(tree.root().join("migrations/versions/m.py")).expect("read");
    assert_eq!(&source[span.range()], b"O");
}

#[test]
fn attribute_of_an_imported_module_openstack_style() {
    let tree = Tree::new(&[
        ("neutron/__init__.py", ""),
        ("neutron/db/__init__.py", ""),
        (
            "neutron/db/migration/__init__.py",
            "from neutron._i18n import _\n",
        ),
        (
            "neutron/db/migration/cli.py",
            "import os\nfrom oslo_config import cfg\n\nCONF = cfg.CONF\nEXPAND_BRANCH = 'expand'\nCONTRACT_BRANCH = 'contract'\nMIGRATION_BRANCHES = (CONTRACT_BRANCH, EXPAND_BRANCH)\n\ndef main():\n    pass\n",
        ),
        (
            "neutron/db/migration/alembic_migrations/versions/2023_1/expand/abc_x.py",
            "from neutron.db.migration import cli\n\nrevision = 'abc'\ndown_revision = 'base'\nbranch_labels = (cli.EXPAND_BRANCH,)\ndepends_on = cli.MIGRATION_BRANCHES\n",
        ),
    ]);
    let project = Project::on_disk(tree.root());
    let script = tree.read(
        &project,
        "neutron/db/migration/alembic_migrations/versions/2023_1/expand/abc_x.py",
    );
    assert_eq!(script.branch_labels(), Ok(vec!["expand".to_owned()]));
    assert_eq!(
        script.dependencies(),
        Ok(vec!["contract".to_owned(), "expand".to_owned()])
    );
}

#[test]
fn import_as_and_dotted_attribute_chains() {
    let tree = Tree::new(&[
        ("pkg/__init__.py", ""),
        ("pkg/consts.py", "X = 'from_consts'\n"),
        ("versions/a.py", "import pkg.consts as c\nrevision = c.X\n"),
        (
            "versions/b.py",
            "import pkg.consts\nrevision = pkg.consts.X\n",
        ),
    ]);
    let project = Project::on_disk(tree.root());
    assert_eq!(
        literal(&tree.read(&project, "versions/a.py").revision).value,
        "from_consts"
    );
    assert_eq!(
        literal(&tree.read(&project, "versions/b.py").revision).value,
        "from_consts"
    );
}

#[test]
fn src_layout_and_namespace_packages() {
    let tree = Tree::new(&[
        // No `__init__.py` anywhere: namespace packages.
        ("src/myapp/db/revisions.py", "HEAD = 'h1'\n"),
        (
            "alembic/versions/m.py",
            "from myapp.db import revisions\nrevision = revisions.HEAD\n",
        ),
    ]);
    let project = Project::on_disk(tree.root());
    assert_eq!(
        literal(&tree.read(&project, "alembic/versions/m.py").revision).value,
        "h1"
    );
}

#[test]
fn relative_imports_inside_project_modules() {
    let tree = Tree::new(&[
        ("app/__init__.py", ""),
        (
            "app/ids/__init__.py",
            "from .base import BASE\nfrom . import extra\n",
        ),
        ("app/ids/base.py", "BASE = 'b'\n"),
        (
            "app/ids/extra.py",
            "from ..common import SUFFIX\nEXTRA = 'e' + SUFFIX\n",
        ),
        ("app/common.py", "SUFFIX = '_s'\n"),
        (
            "versions/m.py",
            "from app.ids import BASE, extra\nrevision = BASE + '1'\ndown_revision = extra.EXTRA\n",
        ),
    ]);
    let project = Project::on_disk(tree.root());
    let script = tree.read(&project, "versions/m.py");
    assert_eq!(literal(&script.revision).value, "b1");
    assert_eq!(literal(&script.down_revision).value, "e_s");
    assert!(script.import_errors.is_empty());
}

#[test]
fn relative_import_in_the_migration_resolves_but_is_reported() {
    let tree = Tree::new(&[
        ("migrations/constants.py", "REV = 'r1'\n"),
        (
            "migrations/versions/m.py",
            "from ..constants import REV\nrevision = REV\n",
        ),
    ]);
    let project = Project::on_disk(tree.root());
    let script = tree.read(&project, "migrations/versions/m.py");
    assert_eq!(literal(&script.revision).value, "r1");
    assert_eq!(script.import_errors.len(), 1);
}

#[test]
fn module_not_found_says_where_it_looked() {
    let tree = Tree::new(&[(
        "versions/m.py",
        "from neutron.db.migration import cli\nbranch_labels = (cli.EXPAND_BRANCH,)\n",
    )]);
    let project = Project::on_disk(tree.root());
    let script = tree.read(&project, "versions/m.py");
    let Value::Sequence { items, .. } = value(&script.branch_labels) else {
        panic!("expected a tuple");
    };
    let Value::Unknown { reason, .. } = &items[0] else {
        panic!("expected unknown");
    };
    assert!(
        reason.contains("from neutron.db.migration import cli"),
        "{reason}"
    );
    assert!(reason.contains("neutron.db.migration.cli"), "{reason}");
    assert!(
        reason.contains(&tree.root().display().to_string()),
        "{reason}"
    );
}

#[test]
fn name_missing_from_the_module() {
    let tree = Tree::new(&[
        ("app/constants.py", "OTHER = 'x'\n"),
        (
            "versions/m.py",
            "from app.constants import REV\nrevision = REV\n",
        ),
    ]);
    let project = Project::on_disk(tree.root());
    let why = reason(&tree.read(&project, "versions/m.py").revision).to_owned();
    assert!(why.contains("does not define `REV`"), "{why}");
}

#[test]
fn module_with_a_syntax_error_cannot_be_imported() {
    let tree = Tree::new(&[
        ("app/constants.py", "REV = 'x'\nprint 'py2'\n"),
        (
            "versions/m.py",
            "from app.constants import REV\nrevision = REV\n",
        ),
    ]);
    let project = Project::on_disk(tree.root());
    let why = reason(&tree.read(&project, "versions/m.py").revision).to_owned();
    assert!(
        why.contains("does not parse") && why.contains("line 2"),
        "{why}"
    );
}

#[test]
fn import_cycles_end() {
    let tree = Tree::new(&[
        ("a.py", "from b import X\n"),
        ("b.py", "from a import X\n"),
        ("versions/m.py", "from a import X\nrevision = X\n"),
    ]);
    let project = Project::on_disk(tree.root());
    let why = reason(&tree.read(&project, "versions/m.py").revision).to_owned();
    assert!(why.contains("cycle"), "{why}");
}

#[test]
fn star_imports() {
    let tree = Tree::new(&[
        ("app/constants.py", "REV = 'starred'\n"),
        (
            "versions/m.py",
            "from app.constants import *\nrevision = REV\ndown_revision = NOPE\n",
        ),
    ]);
    let project = Project::on_disk(tree.root());
    let script = tree.read(&project, "versions/m.py");
    assert_eq!(literal(&script.revision).value, "starred");
    assert!(reason(&script.down_revision).contains("import *"));
}

#[test]
fn imported_name_bound_directly_to_a_variable() {
    let tree = Tree::new(&[
        ("app/ids.py", "revision = 'from_module'\n"),
        ("versions/m.py", "from app.ids import revision\n"),
    ]);
    let project = Project::on_disk(tree.root());
    assert_eq!(
        literal(&tree.read(&project, "versions/m.py").revision).value,
        "from_module"
    );
}

#[test]
fn search_stays_inside_the_root() {
    // `consts.py` sits above the project root: not found.
    let outer = Tree::new(&[
        ("consts.py", "REV = 'outside'\n"),
        (
            "project/versions/m.py",
            "from consts import REV\nrevision = REV\n",
        ),
    ]);
    let project = Project::on_disk(outer.root().join("project"));
    let script = outer.read(&project, "project/versions/m.py");
    let why = reason(&script.revision);
    assert!(why.contains("neither module `consts`"), "{why}");
}

/// Counts reads, to check that a module is parsed once for many migrations.
struct CountingFiles {
    disk: DiskFiles,
    reads: AtomicUsize,
    root: PathBuf,
}

impl ProjectFiles for &'static CountingFiles {
    fn root(&self) -> &Path {
        &self.root
    }

    fn read(&self, path: &Path) -> io::Result<Option<Vec<u8>>> {
        let found = self.disk.read(path)?;
        if found.is_some() {
            self.reads.fetch_add(1, Ordering::SeqCst);
        }
        Ok(found)
    }
}

#[test]
fn each_module_is_parsed_once_across_threads() {
    let mut files = vec![("app/constants.py".to_owned(), "REV = 'shared'\n".to_owned())];
    for i in 0..40 {
        files.push((
            format!("versions/m{i}.py"),
            format!("from app.constants import REV\nrevision = 'r{i}'\ndown_revision = REV\n"),
        ));
    }
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    let tree = Tree::new(&borrowed);
    let counting: &'static CountingFiles = Box::leak(Box::new(CountingFiles {
        disk: DiskFiles::new(tree.root()),
        reads: AtomicUsize::new(0),
        root: tree.root().to_path_buf(),
    }));
    let project = Project::new(counting);
    let numbers: Vec<usize> = (0..40).collect();
    std::thread::scope(|scope| {
        for chunk in numbers.chunks(10) {
            let project = &project;
            let tree = &tree;
            scope.spawn(move || {
                for i in chunk {
                    let script = tree.read(project, &format!("versions/m{i}.py"));
                    assert_eq!(literal(&script.down_revision).value, "shared");
                }
            });
        }
    });
    assert_eq!(counting.reads.load(Ordering::SeqCst), 1);
}

#[test]
fn dotted_import_through_namespace_packages() {
    let tree = Tree::new(&[
        ("a/b/c.py", "X = 'deep'\n"),
        (
            "versions/m.py",
            "import a.b.c\nrevision = a.b.c.X\ndown_revision = a.b.missing.Y\n",
        ),
    ]);
    let project = Project::on_disk(tree.root());
    let script = tree.read(&project, "versions/m.py");
    assert_eq!(literal(&script.revision).value, "deep");
    let why = reason(&script.down_revision);
    assert!(
        why.contains("`a.b.missing`") && why.contains("import a.b.c"),
        "{why}"
    );
}
