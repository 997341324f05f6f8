//! Random Alembic projects, each a pure function of one seed.
//!
//! A project is an `alembic.ini` (or another ini chosen with `-c` / `-n`), a
//! script directory and one or more version locations full of migration
//! files. The generator first draws a revision graph (chains, forks, merges of
//! two and three parents, several bases, branch labels, `depends_on` on ids
//! and on labels), then a layout (ini spelling, version locations and their
//! separators, recursive sub-directories, decoy files Alembic must ignore),
//! then renders every file with a randomly chosen spelling of each variable
//! and docstring. About a quarter of the projects get one planted defect
//! whose `check` finding is asserted ([`Expectation`]).
//!
//! Everything the comparison needs to know about a project travels in
//! [`Case`]: the files, the commands to run, the labels (for the hash-order
//! canonicalisation) and the expected findings.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::rng::Rng;

/// One file of a generated project.
pub struct GenFile {
    /// Relative to the project directory, `/`-separated.
    pub path: String,
    pub contents: Vec<u8>,
    /// Make `path` a symbolic link to this project-relative path instead
    /// (`contents` is then unused).
    pub symlink_to: Option<String>,
}

impl GenFile {
    fn new(path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        GenFile {
            path: path.into(),
            contents: contents.into(),
            symlink_to: None,
        }
    }
}

/// A finding `check --format json` must report for a planted defect.
pub struct Expectation {
    pub rule: &'static str,
    /// Relative paths of the files the finding must point to. Empty: a
    /// project-level finding (e.g. `multiple-heads`).
    pub files: Vec<String>,
    /// Every file must be pointed to (duplicate ids), not just one of them
    /// (a cycle may be reported at any of its members).
    pub all_files: bool,
    /// The finding must carry a line number (syntax errors).
    pub needs_line: bool,
}

/// A generated project and what to do with it.
pub struct Case {
    pub seed: u64,
    pub name: String,
    pub files: Vec<GenFile>,
    /// Options given before the subcommand (`-c conf/alembic.ini`, `-n db`).
    pub global_args: Vec<String>,
    /// The read-only commands run through both tools.
    pub commands: Vec<Vec<String>>,
    pub expectations: Vec<Expectation>,
    /// Every branch label declared anywhere (for canonicalising label lists).
    pub labels: BTreeSet<String>,
    /// One line describing the shape, layout and defect, for reports.
    pub summary: String,
    /// The generator believes Alembic loads this project without an error
    /// or a warning (no defect, or only a harmless one).
    pub intended_valid: bool,
    /// Rules that may legitimately fire although the project is valid (a
    /// sequence-numbered file name that happens to equal another revision's
    /// id looks like `filename-mismatch`).
    pub allowed_findings: Vec<&'static str>,
    /// An unusual-but-legal spelling was used somewhere (reassignment, a
    /// name bound earlier, tuple unpacking, ...).
    pub exotic: bool,
}

/// Generates the project for one seed.
pub fn generate(seed: u64) -> Case {
    Generator::new(seed).run()
}

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IdStyle {
    Hex12,
    Named,
    Numeric,
    Mixed,
    /// Hex ids sharing long prefixes: partial ids are often ambiguous.
    SharedPrefix,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NameStyle {
    /// `%(rev)s_%(slug)s`, Alembic's default.
    Default,
    /// `%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s`
    DateWithId,
    /// `2024-01-05-1634_slug.py`: no id in the name.
    DateNoId,
    /// `0007_slug.py`: a sequence number, no id.
    Sequence,
    /// A different style per file, hidden `.x.py` files included.
    Mixed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Defect {
    Duplicate,
    MissingParent,
    MissingDependency,
    SelfReference,
    DependencySelfReference,
    Cycle2,
    Cycle3,
    CycleRewire,
    LabelConflict,
    LabelIsId,
    InvalidId,
    StrayHelper,
    MissingDownRevision,
    SyntaxError,
    StaleHeader,
    FilenameMismatch,
    SecondHead,
    /// `depends_on` names one of the revision's own descendants.
    DependencyCycle,
    /// An id equal to `head`, `heads` or `base`.
    ReservedId,
}

impl Defect {
    /// Alembic still loads the project without error or warning.
    fn alembic_accepts(self) -> bool {
        matches!(
            self,
            Defect::StaleHeader | Defect::FilenameMismatch | Defect::SecondHead
        )
    }
}

#[derive(Clone, Debug)]
enum Dep {
    /// `depends_on` names a revision id (by node index).
    Id(usize),
    /// `depends_on` names a branch label (declared by some node).
    Label(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DocStyle {
    Template,
    Plain,
    MultiParagraph,
    MultiLineFirstParagraph,
    Empty,
    Absent,
    HeaderOnly,
    Indented,
    WhitespaceLine,
    Escapes,
    Raw,
    Concatenated,
    NotFirst,
    OddWhitespace,
}

#[derive(Clone, Debug)]
#[allow(clippy::struct_excessive_bools, reason = "independent defect switches")]
struct Node {
    id: String,
    parents: Vec<usize>,
    deps: Vec<Dep>,
    labels: Vec<String>,
    message: String,
    /// Written instead of the parents' ids (defects: missing parent,
    /// self-reference, cycles).
    raw_down: Option<Vec<String>>,
    /// Extra raw `depends_on` entries (missing dependency, self-dependency).
    raw_deps: Vec<String>,
    omit_down_revision: bool,
    /// Legacy file: no `revision` variable, the id is the hex file name.
    legacy_hex_name: bool,
    syntax_error: bool,
    /// A stale `Revises:` header line.
    revises_header: Option<String>,
    /// The id the file name carries, when it differs from `id`.
    name_id: Option<String>,
    /// Force the Alembic template docstring (header lines).
    force_template_doc: bool,
    /// Relative directory and file name, set by the layout.
    dir: String,
    file_name: String,
}

impl Node {
    fn new(id: String, parents: Vec<usize>, message: String) -> Self {
        Node {
            id,
            parents,
            deps: Vec::new(),
            labels: Vec::new(),
            message,
            raw_down: None,
            raw_deps: Vec::new(),
            omit_down_revision: false,
            legacy_hex_name: false,
            syntax_error: false,
            revises_header: None,
            name_id: None,
            force_template_doc: false,
            dir: String::new(),
            file_name: String::new(),
        }
    }

    fn path(&self) -> String {
        format!("{}/{}", self.dir, self.file_name)
    }
}

/// Where files go and how the ini spells it.
struct Layout {
    /// None: no ini at all (`[tool.alembic]` in `pyproject.toml` only).
    ini: Option<(String, String)>,
    pyproject: Option<String>,
    global_args: Vec<String>,
    /// Version locations that exist, in config order (relative dirs).
    locations: Vec<String>,
    /// `recursive_version_locations` is effectively on.
    recursive: bool,
    /// Sub-directories (relative to a location) files may go into when
    /// recursive.
    subdirs: Vec<String>,
    script_dir: String,
    summary: String,
}

const MESSAGES: &[&str] = &[
    "create account table",
    "add display_name to user",
    "create transaction table",
    "add currency column",
    "add index on email",
    "drop legacy sessions table",
    "rename column amount to total",
    "add join_code to block",
    "create audit log",
    "backfill created_at",
    "add foreign key from order to customer",
    "Initial migration",
    "merge heads",
    "empty message",
    "add café menu (naïve pricing)",
    "Ünïcode: café & naïve — long message",
    "add NOT NULL constraint to users.name",
    "widen varchar columns: title, body",
    "add table \u{201c}reports\u{201d}",
    "split address into street / city",
];

const NAMED_IDS: &[&str] = &[
    "kilo",
    "lima",
    "mike",
    "oscar",
    "initial",
    "ocata_contract01",
    "ocata_expand01",
    "pike_expand01",
    "queens_contract01",
    "django_0001",
    "add_users",
    "Rev_A1",
    "base_schema",
    "release_2_0",
    "v1.2",
    "initial schema",
];

const LABELS: &[&str] = &[
    "alpha",
    "beta",
    "expand",
    "contract",
    "billing",
    "reporting",
    "auth",
    "db",
    "plugin_a",
    "feature_x",
    "core",
    "ui",
    "analytics_v2",
];

const INVALID_CHARS: &[&str] = &["-", "+", "@", ":"];

#[allow(clippy::struct_excessive_bools, reason = "independent style switches")]
struct Generator {
    seed: u64,
    rng: Rng,
    id_style: IdStyle,
    name_style: NameStyle,
    used_ids: BTreeSet<String>,
    used_labels: BTreeSet<String>,
    nodes: Vec<Node>,
    extra_files: Vec<GenFile>,
    expectations: Vec<Expectation>,
    defect: Option<Defect>,
    exotic: bool,
    /// A legal-looking spelling Alembic rejects was generated (see
    /// `render`): the project is not expected to load.
    alembic_rejects: bool,
    typed: bool,
    double_quotes: bool,
    /// Python 2 era `u'...'` literals.
    u_prefix: bool,
    /// Per-revision chance (percent) of `depends_on`.
    dep_rate: u32,
    /// Multiplier for the chance of branch labels.
    label_boost: u32,
    summary: Vec<String>,
}

impl Generator {
    fn new(seed: u64) -> Self {
        // Mix the seed so that consecutive seeds give unrelated projects.
        let mut rng = Rng::new(seed ^ 0xA1E3_B1C0_D0C7_0000);
        let id_style = [
            IdStyle::Hex12,
            IdStyle::Named,
            IdStyle::Numeric,
            IdStyle::Mixed,
            IdStyle::SharedPrefix,
        ][rng.weighted(&[50, 14, 9, 19, 8])];
        let name_style = [
            NameStyle::Default,
            NameStyle::DateWithId,
            NameStyle::DateNoId,
            NameStyle::Sequence,
            NameStyle::Mixed,
        ][rng.weighted(&[55, 15, 10, 5, 15])];
        let typed = rng.chance(50);
        let double_quotes = rng.chance(40);
        let u_prefix = rng.chance(5);
        let dep_rate = [0, 12, 30][rng.weighted(&[30, 50, 20])];
        let label_boost = if rng.chance(20) { 3 } else { 1 };
        Generator {
            seed,
            rng,
            id_style,
            name_style,
            used_ids: BTreeSet::new(),
            used_labels: BTreeSet::new(),
            nodes: Vec::new(),
            extra_files: Vec::new(),
            expectations: Vec::new(),
            defect: None,
            exotic: false,
            alembic_rejects: false,
            typed,
            double_quotes,
            u_prefix,
            dep_rate,
            label_boost,
            summary: Vec::new(),
        }
    }

    fn run(mut self) -> Case {
        self.build_graph();
        if self.rng.chance(25) {
            let defect = self.pick_defect();
            self.defect = Some(defect);
        }
        let layout = self.layout();
        self.place_files(&layout);
        if let Some(defect) = self.defect {
            self.plant(defect, &layout);
            self.summary.push(format!("defect {defect:?}"));
        }
        let mut files = Vec::new();
        for i in 0..self.nodes.len() {
            let contents = self.render(i);
            files.push(GenFile::new(self.nodes[i].path(), contents));
        }
        files.append(&mut self.extra_files);
        self.symlinks(&layout, &mut files);
        if let Some((path, text)) = &layout.ini {
            files.push(GenFile::new(path.clone(), text.clone().into_bytes()));
        }
        if let Some(text) = &layout.pyproject {
            files.push(GenFile::new(
                "pyproject.toml".to_string(),
                text.clone().into_bytes(),
            ));
        }
        files.push(GenFile::new(
            format!("{}/env.py", layout.script_dir),
            ENV_PY.as_bytes().to_vec(),
        ));
        files.push(GenFile::new(
            format!("{}/script.py.mako", layout.script_dir),
            b"\"\"\"${message}\"\"\"\n".to_vec(),
        ));
        let commands = self.commands();
        let labels = self.nodes.iter().flat_map(|n| n.labels.clone()).collect();
        let mut allowed_findings = Vec::new();
        let looks_like_other_id = self.nodes.iter().any(|n| {
            let stem = n.file_name.trim_start_matches('.');
            let prefix = stem.split(['_', '-', '.']).next().unwrap_or("");
            prefix != n.id && self.used_ids.contains(prefix)
        });
        if looks_like_other_id {
            allowed_findings.push("filename-mismatch");
        }
        let intended_valid =
            !self.alembic_rejects && self.defect.is_none_or(Defect::alembic_accepts);
        let summary = format!(
            "{} revisions, ids {:?}, names {:?}, {}; {}",
            self.nodes.len(),
            self.id_style,
            self.name_style,
            layout.summary,
            self.summary.join(", ")
        );
        Case {
            seed: self.seed,
            name: format!("case-{}", self.seed),
            files,
            global_args: layout.global_args,
            commands,
            expectations: self.expectations,
            labels,
            summary,
            intended_valid,
            allowed_findings,
            exotic: self.exotic,
        }
    }

    /// Symbolic links: a migration whose file lives outside the versions
    /// directory (Alembic loads it under the link's name and prints the
    /// target's path), and, with recursion, a linked directory Alembic does
    /// not descend into.
    #[cfg(unix)]
    fn symlinks(&mut self, layout: &Layout, files: &mut Vec<GenFile>) {
        if self.defect.is_none() && self.rng.chance(2) {
            let k = self.rng.below(self.nodes.len());
            let path = self.nodes[k].path();
            let target = format!("shared_migrations/{}", self.nodes[k].file_name);
            if let Some(file) = files.iter_mut().find(|f| f.path == path) {
                let contents = std::mem::take(&mut file.contents);
                file.symlink_to = Some(target.clone());
                files.push(GenFile::new(target, contents));
                self.summary.push("symlinked migration".into());
            }
        }
        if layout.recursive && self.rng.chance(8) {
            let loc = self.rng.pick(&layout.locations).clone();
            files.push(GenFile::new(
                "vendor/linked_versions/0000_not_walked.py",
                b"revision = (\n".to_vec(),
            ));
            let mut link = GenFile::new(format!("{loc}/linked_dir"), Vec::new());
            link.symlink_to = Some("vendor/linked_versions".to_string());
            files.push(link);
            self.summary.push("symlinked sub-directory".into());
        }
    }

    #[cfg(not(unix))]
    fn symlinks(&mut self, _layout: &Layout, _files: &mut Vec<GenFile>) {}

    // -- ids, labels, messages ------------------------------------------------

    fn new_id(&mut self) -> String {
        loop {
            let style = match self.id_style {
                IdStyle::Mixed => {
                    [IdStyle::Hex12, IdStyle::Named, IdStyle::Numeric][self.rng.below(3)]
                }
                s => s,
            };
            let id = match style {
                IdStyle::Hex12 => match self.rng.weighted(&[85, 8, 4, 3]) {
                    0 => self.rng.hex(12),
                    1 => {
                        let n = self.rng.range(4, 11);
                        self.rng.hex(n)
                    }
                    2 => self.rng.hex(32),
                    _ => format!(
                        "2024{:02}{:02}{:02}{:02}",
                        self.rng.range(1, 12),
                        self.rng.range(1, 28),
                        self.rng.range(0, 23),
                        self.rng.range(0, 59)
                    ),
                },
                IdStyle::Named => {
                    let word = *self.rng.pick(NAMED_IDS);
                    if self.used_ids.contains(word) || self.rng.chance(40) {
                        format!("{word}{}", self.rng.range(1, 99))
                    } else {
                        word.to_string()
                    }
                }
                IdStyle::SharedPrefix => {
                    let prefix = *self.rng.pick(&["ab12", "ab12cd", "ab12cd34"]);
                    if self.rng.chance(10) {
                        // An id that is a prefix of other ids.
                        prefix.to_string()
                    } else {
                        format!("{prefix}{}", self.rng.hex(12 - prefix.len()))
                    }
                }
                _ => {
                    let width = if self.rng.chance(70) { 3 } else { 4 };
                    format!("{:0width$}", self.used_ids.len() + self.rng.range(1, 3))
                }
            };
            if !self.used_ids.contains(&id)
                && !self.used_labels.contains(&id)
                && !matches!(id.as_str(), "base" | "head" | "heads" | "current")
            {
                self.used_ids.insert(id.clone());
                return id;
            }
        }
    }

    fn new_label(&mut self) -> String {
        loop {
            let word = *self.rng.pick(LABELS);
            let label = if self.used_labels.contains(word) {
                format!("{word}_{}", self.rng.range(2, 9))
            } else {
                word.to_string()
            };
            if !self.used_labels.contains(&label) && !self.used_ids.contains(&label) {
                self.used_labels.insert(label.clone());
                return label;
            }
        }
    }

    fn message(&mut self) -> String {
        (*self.rng.pick(MESSAGES)).to_string()
    }

    // -- graph ----------------------------------------------------------------

    fn build_graph(&mut self) {
        let n = match self.rng.weighted(&[8, 45, 32, 12, 3]) {
            0 => self.rng.range(1, 2),
            1 => self.rng.range(3, 8),
            2 => self.rng.range(9, 16),
            3 => self.rng.range(17, 30),
            _ => self.rng.range(31, 60),
        };
        let want_bases = [1, 2, 3][self.rng.weighted(&[78, 16, 6])].min(n);
        let mut bases = 0;
        let (mut merges, mut forks) = (0, 0);
        for i in 0..n {
            let id = self.new_id();
            let message = self.message();
            let must_base = bases == 0 || (want_bases - bases) >= (n - i);
            let parents = if must_base || (bases < want_bases && self.rng.chance(20)) {
                bases += 1;
                Vec::new()
            } else {
                let heads = self.model_heads();
                let non_heads: Vec<usize> = (0..i).filter(|j| !heads.contains(j)).collect();
                match self.rng.weighted(&[64, 14, 12, 5, 2, 1]) {
                    1 if !non_heads.is_empty() => {
                        forks += 1;
                        vec![*self.rng.pick(&non_heads)]
                    }
                    2 if heads.len() >= 2 => {
                        merges += 1;
                        self.pick_distinct(&heads, 2)
                    }
                    3 if heads.len() >= 3 => {
                        merges += 1;
                        self.pick_distinct(&heads, 3)
                    }
                    4 if i >= 2 => {
                        // Any two revisions, related or not.
                        merges += 1;
                        let all: Vec<usize> = (0..i).collect();
                        self.pick_distinct(&all, 2)
                    }
                    5 if !heads.is_empty() => {
                        // ('a', 'a'): legal, and a merge point for Alembic.
                        self.exotic = true;
                        self.summary.push("repeated parent".into());
                        let h = *self.rng.pick(&heads);
                        vec![h, h]
                    }
                    _ => vec![*self.rng.pick(&heads)],
                }
            };
            self.nodes.push(Node::new(id, parents, message));
        }
        // Branch labels: on bases more often, 1-2 per revision.
        let mut label_count = 0;
        for i in 0..n {
            let p = if self.nodes[i].parents.is_empty() {
                22
            } else {
                7
            } * self.label_boost;
            if self.rng.chance(p) {
                let k = if self.rng.chance(80) { 1 } else { 2 };
                for _ in 0..k {
                    let label = self.new_label();
                    self.nodes[i].labels.push(label);
                    label_count += 1;
                }
            }
        }
        // depends_on: always on an earlier revision, so no cycle can appear.
        let mut dep_count = 0;
        for i in 2..n {
            if !self.rng.chance(self.dep_rate) {
                continue;
            }
            let k = if self.rng.chance(94) { 1 } else { 2 };
            let candidates: Vec<usize> = (0..i)
                .filter(|j| !self.nodes[i].parents.contains(j))
                .collect();
            if candidates.len() < k {
                continue;
            }
            for j in self.pick_distinct(&candidates, k) {
                let dep = if !self.nodes[j].labels.is_empty() && self.rng.chance(50) {
                    Dep::Label(self.rng.pick(&self.nodes[j].labels).clone())
                } else {
                    Dep::Id(j)
                };
                self.nodes[i].deps.push(dep);
                dep_count += 1;
            }
        }
        self.summary.push(format!(
            "{want_bases} bases, {forks} forks, {merges} merges, {label_count} labels, {dep_count} deps"
        ));
    }

    /// Revisions no `down_revision` points to.
    fn model_heads(&self) -> Vec<usize> {
        let mut has_child = vec![false; self.nodes.len()];
        for node in &self.nodes {
            for &p in &node.parents {
                has_child[p] = true;
            }
        }
        (0..self.nodes.len()).filter(|&i| !has_child[i]).collect()
    }

    fn pick_distinct(&mut self, from: &[usize], k: usize) -> Vec<usize> {
        let mut pool = from.to_vec();
        self.rng.shuffle(&mut pool);
        pool.truncate(k);
        pool
    }

    /// Strict ancestors of `i` through parents.
    fn ancestors(&self, i: usize) -> BTreeSet<usize> {
        let mut seen = BTreeSet::new();
        let mut todo = self.nodes[i].parents.clone();
        while let Some(j) = todo.pop() {
            if seen.insert(j) {
                todo.extend(self.nodes[j].parents.iter().copied());
            }
        }
        seen
    }

    // -- defects --------------------------------------------------------------

    fn pick_defect(&mut self) -> Defect {
        let all = [
            Defect::Duplicate,
            Defect::MissingParent,
            Defect::MissingDependency,
            Defect::SelfReference,
            Defect::DependencySelfReference,
            Defect::Cycle2,
            Defect::Cycle3,
            Defect::CycleRewire,
            Defect::LabelConflict,
            Defect::LabelIsId,
            Defect::InvalidId,
            Defect::StrayHelper,
            Defect::MissingDownRevision,
            Defect::SyntaxError,
            Defect::StaleHeader,
            Defect::FilenameMismatch,
            Defect::SecondHead,
            Defect::DependencyCycle,
            Defect::ReservedId,
        ];
        let weights = [10, 7, 6, 4, 2, 4, 3, 3, 5, 3, 5, 6, 5, 7, 8, 5, 6, 4, 2];
        loop {
            let d = all[self.rng.weighted(&weights)];
            let ok = match d {
                Defect::LabelConflict | Defect::LabelIsId => self.nodes.len() >= 2,
                Defect::CycleRewire => self.nodes.iter().any(|n| !n.parents.is_empty()),
                Defect::StaleHeader => self.nodes.iter().any(|n| !n.parents.is_empty()),
                Defect::FilenameMismatch => {
                    self.id_style == IdStyle::Hex12
                        && self.name_style == NameStyle::Default
                        && self.nodes.iter().all(|n| n.id.len() == 12)
                }
                Defect::DependencyCycle => {
                    (0..self.nodes.len()).any(|i| self.nodes.iter().any(|n| n.parents.contains(&i)))
                }
                Defect::SecondHead => {
                    self.model_heads().len() == 1
                        && self.nodes.len() >= 2
                        && self.nodes.iter().all(|n| n.labels.is_empty())
                }
                _ => true,
            };
            if ok {
                return d;
            }
        }
    }

    fn missing_id(&mut self) -> String {
        loop {
            let id = match self.id_style {
                IdStyle::Named => {
                    format!("{}{}", self.rng.pick(NAMED_IDS), self.rng.range(100, 999))
                }
                _ => self.rng.hex(12),
            };
            if !self.used_ids.contains(&id) && !self.used_labels.contains(&id) {
                return id;
            }
        }
    }

    /// Adds a revision created for a defect; it gets a file in the first
    /// location like every other revision.
    fn add_node(&mut self, node: Node, layout: &Layout) -> usize {
        self.nodes.push(node);
        let i = self.nodes.len() - 1;
        self.place_one(i, layout);
        i
    }

    fn plant(&mut self, defect: Defect, layout: &Layout) {
        let n = self.nodes.len();
        let any = self.rng.below(n);
        // The defect is about the `revision` variable or the file name:
        // the legacy "id from the hex file name" spelling would change it.
        if self.nodes[any].legacy_hex_name {
            self.nodes[any].legacy_hex_name = false;
            self.place_one(any, layout);
        }
        match defect {
            Defect::Duplicate => {
                let original = any;
                let id = self.nodes[original].id.clone();
                let parents = self.nodes[original].parents.clone();
                let message = self.message();
                let mut copy = Node::new(id, parents, message);
                copy.deps = Vec::new();
                let j = self.add_node(copy, layout);
                self.expect("duplicate-revision", &[original, j], true, false);
            }
            Defect::MissingParent => {
                let labels: Vec<String> =
                    self.nodes.iter().flat_map(|n| n.labels.clone()).collect();
                let missing = match self.rng.weighted(&[70, 20, 10]) {
                    // A branch label is no parent: Alembic half-wires it,
                    // then fails with KeyError.
                    1 if !labels.is_empty() => self.rng.pick(&labels).clone(),
                    2 => String::new(),
                    _ => self.missing_id(),
                };
                let mut down: Vec<String> = self.nodes[any]
                    .parents
                    .iter()
                    .map(|&p| self.nodes[p].id.clone())
                    .collect();
                if down.is_empty() || self.rng.chance(70) {
                    down = vec![missing];
                } else {
                    let k = self.rng.below(down.len());
                    down[k] = missing;
                }
                self.nodes[any].raw_down = Some(down);
                self.expect("missing-parent", &[any], false, false);
            }
            Defect::MissingDependency => {
                let long: Vec<String> = self
                    .nodes
                    .iter()
                    .filter(|n| n.id.len() >= 6)
                    .map(|n| n.id.clone())
                    .collect();
                let missing = match self.rng.weighted(&[55, 15, 30]) {
                    0 => self.missing_id(),
                    1 => "no_such_branch".to_string(),
                    // depends_on is looked up exactly: a partial id fails.
                    _ if !long.is_empty() => {
                        let id = self.rng.pick(&long).clone();
                        let partial: String = id.chars().take(id.chars().count() - 2).collect();
                        if self.used_ids.contains(&partial) || self.used_labels.contains(&partial) {
                            self.missing_id()
                        } else {
                            partial
                        }
                    }
                    _ => self.missing_id(),
                };
                self.nodes[any].raw_deps.push(missing);
                self.expect("missing-dependency", &[any], false, false);
            }
            Defect::SelfReference => {
                let own = self.nodes[any].id.clone();
                let mut down: Vec<String> = self.nodes[any]
                    .parents
                    .iter()
                    .map(|&p| self.nodes[p].id.clone())
                    .collect();
                if self.rng.chance(60) {
                    down = vec![own];
                } else {
                    down.push(own);
                }
                self.nodes[any].raw_down = Some(down);
                self.expect("self-reference", &[any], false, false);
            }
            Defect::DependencySelfReference => {
                let own = self.nodes[any].id.clone();
                self.nodes[any].raw_deps.push(own);
                self.expect("self-reference", &[any], false, false);
            }
            Defect::Cycle2 | Defect::Cycle3 => {
                let k = if defect == Defect::Cycle2 { 2 } else { 3 };
                let mut members = Vec::new();
                for _ in 0..k {
                    let id = self.new_id();
                    let message = self.message();
                    members.push(self.add_node(Node::new(id, Vec::new(), message), layout));
                }
                for m in 0..k {
                    let parent = self.nodes[members[(m + 1) % k]].id.clone();
                    self.nodes[members[m]].raw_down = Some(vec![parent]);
                }
                self.expect("cycle", &members, false, false);
            }
            Defect::CycleRewire => {
                // The oldest ancestor of a revision (a base, since parents
                // always come earlier) now points at that revision.
                let child = loop {
                    let c = self.rng.below(n);
                    if !self.nodes[c].parents.is_empty() {
                        break c;
                    }
                };
                let mut chain = self.ancestors(child);
                chain.insert(child);
                let oldest = *chain.iter().next().expect("non-empty");
                // The cycle: the chain members that descend from `oldest`.
                let members: Vec<usize> = chain
                    .iter()
                    .copied()
                    .filter(|&m| m == oldest || self.ancestors(m).contains(&oldest))
                    .collect();
                let target = self.nodes[child].id.clone();
                self.nodes[oldest].raw_down = Some(vec![target]);
                self.expect("cycle", &members, false, false);
            }
            Defect::LabelConflict => {
                let j = (any + 1 + self.rng.below(n - 1)) % n;
                let label = if let Some(l) = self.nodes[any].labels.first() {
                    l.clone()
                } else {
                    let l = self.new_label();
                    self.nodes[any].labels.push(l.clone());
                    l
                };
                self.nodes[j].labels.push(label);
                self.expect("branch-label-conflict", &[any, j], false, false);
            }
            Defect::LabelIsId => {
                let j = (any + 1 + self.rng.below(n - 1)) % n;
                let label = self.nodes[any].id.clone();
                self.nodes[j].labels.push(label);
                self.expect("branch-label-conflict", &[j, any], false, false);
            }
            Defect::InvalidId => {
                let c = *self.rng.pick(INVALID_CHARS);
                let old = self.nodes[any].id.clone();
                let new = match self.rng.below(3) {
                    0 => format!("{old}{c}fix"),
                    1 => {
                        let cut = old.len() / 2;
                        format!("{}{c}{}", &old[..cut], &old[cut..])
                    }
                    _ => format!("a{c}b"),
                };
                self.used_ids.insert(new.clone());
                self.nodes[any].id = new;
                self.place_one(any, layout);
                self.expect("invalid-revision-id", &[any], false, false);
            }
            Defect::DependencyCycle => {
                // Some revision with a child depends on one of its
                // descendants.
                let with_child: Vec<usize> = (0..n)
                    .filter(|&i| self.nodes.iter().any(|c| c.parents.contains(&i)))
                    .collect();
                let anc = *self.rng.pick(&with_child);
                let descendants: Vec<usize> = (0..n)
                    .filter(|&d| self.ancestors(d).contains(&anc))
                    .collect();
                let desc = *self.rng.pick(&descendants);
                let id = self.nodes[desc].id.clone();
                self.nodes[anc].raw_deps.push(id);
                self.expect("cycle", &[anc, desc], false, false);
            }
            Defect::ReservedId => {
                // Alembic crashes (AssertionError, KeyError, ...) in some
                // commands and silently answers others.
                let reserved = (*self.rng.pick(&["head", "heads", "base"])).to_string();
                self.nodes[any].id = reserved;
                self.place_one(any, layout);
                self.expect("invalid-revision-id", &[any], false, false);
            }
            Defect::StrayHelper => {
                let name =
                    *self
                        .rng
                        .pick(&["helpers.py", "utils.py", "common_ops.py", "Helper.py"]);
                let dir = layout.locations[0].clone();
                let path = format!("{dir}/{name}");
                self.extra_files.push(GenFile::new(path.clone(), b"\"\"\"Shared helpers for migrations.\"\"\"\nfrom alembic import op\n\n\ndef add_audit_columns(table):\n    op.execute('select 1')\n".to_vec()));
                self.expectations.push(Expectation {
                    rule: "missing-revision",
                    files: vec![path],
                    all_files: false,
                    needs_line: false,
                });
            }
            Defect::MissingDownRevision => {
                self.nodes[any].omit_down_revision = true;
                self.expect("missing-down-revision", &[any], false, false);
            }
            Defect::SyntaxError => {
                self.nodes[any].syntax_error = true;
                self.expect("syntax-error", &[any], false, true);
            }
            Defect::StaleHeader => {
                let child = loop {
                    let c = self.rng.below(n);
                    if !self.nodes[c].parents.is_empty() {
                        break c;
                    }
                };
                let stale = self.missing_id();
                self.nodes[child].force_template_doc = true;
                self.nodes[child].revises_header = Some(stale);
                self.expect("header-mismatch", &[child], false, false);
            }
            Defect::FilenameMismatch => {
                let other = if n >= 2 && self.rng.chance(60) {
                    let j = (any + 1 + self.rng.below(n - 1)) % n;
                    self.nodes[j].id.clone()
                } else {
                    self.rng.hex(12)
                };
                self.nodes[any].name_id = Some(other);
                self.place_one(any, layout);
                self.expect("filename-mismatch", &[any], false, false);
            }
            Defect::SecondHead => {
                let head = self.model_heads()[0];
                let candidates: Vec<usize> = (0..n).filter(|&i| i != head).collect();
                let parent = *self.rng.pick(&candidates);
                let id = self.new_id();
                let message = self.message();
                self.add_node(Node::new(id, vec![parent], message), layout);
                self.expectations.push(Expectation {
                    rule: "multiple-heads",
                    files: Vec::new(),
                    all_files: false,
                    needs_line: false,
                });
            }
        }
    }

    fn expect(&mut self, rule: &'static str, nodes: &[usize], all_files: bool, needs_line: bool) {
        let files = nodes.iter().map(|&i| self.nodes[i].path()).collect();
        self.expectations.push(Expectation {
            rule,
            files,
            all_files,
            needs_line,
        });
    }

    // -- layout ---------------------------------------------------------------

    fn layout(&mut self) -> Layout {
        let script_dir =
            (*self
                .rng
                .pick(&["migrations", "migrations", "alembic", "db/migrations"]))
            .to_string();
        // 0: alembic.ini only; 1: pyproject.toml only; 2: both, the ini
        // holding script_location and pyproject.toml the version settings
        // (ini keys win: a decoy script_location in the toml is ignored).
        let toml_mode = self.rng.weighted(&[90, 5, 5]);
        let in_conf = toml_mode == 0 && self.rng.chance(12);
        let ini_path = if in_conf {
            "conf/alembic.ini"
        } else {
            "alembic.ini"
        }
        .to_string();
        let here = if in_conf { "%(here)s/.." } else { "%(here)s" };
        let section = if toml_mode == 0 && self.rng.chance(10) {
            "tenant_db"
        } else {
            "alembic"
        };
        let mut global_args = Vec::new();
        if in_conf {
            global_args.extend(["-c".to_string(), ini_path.clone()]);
        } else if self.rng.chance(5) {
            global_args.extend(["--config".to_string(), ini_path.clone()]);
        }
        if section != "alembic" {
            global_args.extend(["-n".to_string(), section.to_string()]);
        }
        let mut summary = vec![match toml_mode {
            0 => format!("ini {ini_path} [{section}]"),
            1 => "pyproject.toml only".to_string(),
            _ => "alembic.ini + pyproject.toml".to_string(),
        }];
        let mut toml = String::from("[project]\nname = \"app\"\n\n[tool.alembic]\n");
        if toml_mode == 2 {
            toml.push_str("script_location = \"%(here)s/ignored_because_the_ini_wins\"\n");
        }

        // A path as written in the ini: through %(here)s or relative to the
        // working directory (Alembic resolves relative paths against CWD).
        let spell = |rng: &mut Rng, rel: &str| -> String {
            if rng.chance(75) {
                format!("{here}/{rel}")
            } else {
                rel.to_string()
            }
        };
        let script_location = spell(&mut self.rng, &script_dir);

        let mut ini = String::new();
        ini.push_str("# A generic, single database configuration.\n\n");
        if section != "alembic" {
            // A decoy default section: reading it instead of -n's would fail.
            ini.push_str("[alembic]\nscript_location = %(here)s/does_not_exist\n\n");
        }
        let _ = writeln!(ini, "[{section}]");
        ini.push_str("# path to migration scripts.\n");
        let key = match self.rng.weighted(&[91, 3, 3, 3]) {
            0 => "script_location = ",
            1 => "Script_Location = ", // configparser lower-cases keys
            2 => "script_location: ",  // ':' is a delimiter too
            _ => "script_location=",
        };
        if toml_mode != 1 && self.rng.chance(1) {
            // No inline comments in Alembic's ConfigParser: the comment is
            // part of the path, which then does not exist.
            let _ = writeln!(ini, "{key}{script_location}  # the scripts");
            self.alembic_rejects = true;
            summary.push("inline comment in script_location".into());
        } else {
            let _ = writeln!(ini, "{key}{script_location}");
        }
        if toml_mode == 1 {
            let _ = writeln!(toml, "script_location = \"{script_location}\"");
        }
        ini.push_str("\n# template used to generate migration file names\n");
        ini.push_str("# file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s\n");
        if self.rng.chance(60) {
            ini.push_str("prepend_sys_path = .\n");
        }

        let default_versions = format!("{script_dir}/versions");
        let mut locations = Vec::new();
        if self.rng.chance(62) {
            locations.push(default_versions.clone());
            summary.push("default versions dir".into());
        } else {
            let pool = [
                default_versions.clone(),
                format!("{script_dir}/versions_ext"),
                "plugins/billing/versions".to_string(),
                format!("{script_dir}/releases/r1"),
            ];
            let k = self.rng.range(1, 3);
            let mut chosen: Vec<String> = self
                .pick_distinct(&[0, 1, 2, 3], k)
                .into_iter()
                .map(|i| pool[i].clone())
                .collect();
            let mut written: Vec<String> = chosen.iter().map(|l| spell(&mut self.rng, l)).collect();
            if self.rng.chance(2) {
                // The same directory listed twice (spelled differently):
                // Alembic warns "File ... loaded twice! ignoring." for
                // every file in it.
                let again = chosen[0].clone();
                let spelled = if written[0].starts_with('%') {
                    again
                } else {
                    format!("{here}/{again}")
                };
                written.push(spelled);
                self.alembic_rejects = true;
                self.expectations.push(Expectation {
                    rule: "loaded-twice",
                    files: Vec::new(),
                    all_files: false,
                    needs_line: false,
                });
                summary.push("a version location listed twice".into());
            }
            if self.rng.chance(12) {
                // A location that does not exist is skipped silently.
                let at = self.rng.below(written.len() + 1);
                written.insert(at, spell(&mut self.rng, &format!("{script_dir}/not_there")));
            }
            let sep = if toml_mode == 0 {
                self.rng.weighted(&[25, 10, 12, 12, 14, 7, 12, 8])
            } else {
                usize::MAX
            };
            let (key_lines, sep_name) = match sep {
                usize::MAX => {
                    let items: Vec<String> = written.iter().map(|w| format!("\"{w}\"")).collect();
                    let _ = writeln!(toml, "version_locations = [{}]", items.join(", "));
                    (String::new(), "toml list")
                }
                0 => (
                    format!(
                        "path_separator = os\nversion_locations = {}\n",
                        join_loosely(&mut self.rng, &written, ':')
                    ),
                    "os",
                ),
                1 => (
                    format!(
                        "path_separator = :\nversion_locations = {}\n",
                        written.join(":")
                    ),
                    ":",
                ),
                2 => (
                    format!(
                        "path_separator = ;\nversion_locations = {}\n",
                        join_loosely(&mut self.rng, &written, ';')
                    ),
                    ";",
                ),
                3 => (
                    format!(
                        "path_separator = space\nversion_locations = {}\n",
                        written.join(" ")
                    ),
                    "space",
                ),
                4 => (
                    format!(
                        "path_separator = newline\nversion_locations =\n    {}\n",
                        written.join("\n    ")
                    ),
                    "newline",
                ),
                5 => (
                    format!(
                        "version_path_separator = os\nversion_locations = {}\n",
                        written.join(":")
                    ),
                    "version_path_separator",
                ),
                6 => (
                    format!("version_locations = {}\n", written.join(", ")),
                    "legacy comma",
                ),
                _ => (
                    format!("version_locations = {}\n", written.join(" ")),
                    "legacy space",
                ),
            };
            ini.push_str(&key_lines);
            summary.push(format!("{} version_locations sep {sep_name}", chosen.len()));
            // The default versions dir, when not listed, may hold decoys.
            if !chosen.contains(&default_versions) && self.rng.chance(30) {
                self.extra_files.push(GenFile::new(
                    format!("{default_versions}/zzzz_unlisted_location.py"),
                    b"this is not python: the directory is not a version location\n".to_vec(),
                ));
            }
            locations.append(&mut chosen);
        }

        let recursive = self.rng.chance(25);
        if toml_mode != 0 {
            if recursive {
                toml.push_str("recursive_version_locations = true\n");
                summary.push("recursive".into());
            } else if self.rng.chance(50) {
                toml.push_str("recursive_version_locations = false\n");
            }
        } else if recursive {
            ini.push_str("recursive_version_locations = true\n");
            summary.push("recursive".into());
        } else {
            match self.rng.weighted(&[60, 10, 10, 10, 10]) {
                0 => {}
                1 => ini.push_str("recursive_version_locations = false\n"),
                2 => ini.push_str("recursive_version_locations = True\n"),
                3 => ini.push_str("recursive_version_locations = yes\n"),
                _ => ini.push_str("recursive_version_locations = 1\n"),
            }
        }
        ini.push_str("\nsqlalchemy.url = driver://user:pass@localhost/dbname\n\n");
        ini.push_str(INI_TAIL);
        if section != "alembic" {
            // `alembic` reads only the chosen section; keep [alembic] decoy.
        }

        let subdirs = if recursive {
            let pool = [
                "2023",
                "2024/03",
                "2024/11",
                "feature_x",
                "a/b/c",
                ".hidden_dir",
                "Z_upper",
            ];
            let k = self.rng.range(1, 3);
            let picked = self.pick_distinct(&[0, 1, 2, 3, 4, 5, 6], k);
            let mut dirs: Vec<String> = picked.into_iter().map(|i| pool[i].to_string()).collect();
            if self.rng.chance(6) {
                // __pycache__ contributes no files, but its sub-directories
                // are still walked.
                dirs.push("__pycache__/deep".to_string());
                summary.push("__pycache__/deep".into());
            }
            dirs
        } else {
            if self.rng.chance(30) {
                // Sub-directories are not read without recursion: a broken
                // file there must be ignored.
                let loc = self.rng.pick(&locations).clone();
                self.extra_files.push(GenFile::new(
                    format!("{loc}/archive/0000_ignored_subdir.py"),
                    b"revision = 'broken\ndown_revision = None\n".to_vec(),
                ));
                summary.push("ignored subdir".into());
            }
            Vec::new()
        };
        // __pycache__ itself never contributes files.
        if self.rng.chance(5) {
            let loc = self.rng.pick(&locations).clone();
            self.extra_files.push(GenFile::new(
                format!("{loc}/__pycache__/cached_junk.py"),
                b"revision = (\n".to_vec(),
            ));
        }
        // Files that are never candidates.
        let loc0 = locations[0].clone();
        if self.rng.chance(20) {
            let body: &[u8] = if self.rng.chance(50) {
                b""
            } else {
                b"this is not python\n"
            };
            self.extra_files
                .push(GenFile::new(format!("{loc0}/__init__.py"), body.to_vec()));
        }
        if self.rng.chance(3) {
            self.extra_files.push(GenFile::new(
                format!("{loc0}/__init__helpers.py"),
                b"not python either (\n".to_vec(),
            ));
        }
        if self.rng.chance(4) {
            self.extra_files.push(GenFile::new(
                format!("{loc0}/.#0001_lock.py"),
                b"emacs lock file: not python\n".to_vec(),
            ));
        }
        if self.rng.chance(6) {
            for name in ["README", "notes.txt", "types.pyi", "old_revision.py.bak"] {
                self.extra_files.push(GenFile::new(
                    format!("{loc0}/{name}"),
                    b"revision = 'not loaded'\ndown_revision = (\n".to_vec(),
                ));
            }
        }

        if toml_mode != 1 && self.rng.chance(1) {
            // configparser reads the ini as UTF-8 without stripping a BOM:
            // "\u{feff}# A generic..." is no comment, and Alembic fails with
            // MissingSectionHeaderError.
            ini.insert(0, '\u{feff}');
            self.alembic_rejects = true;
            summary.push("BOM in the ini".into());
        }
        Layout {
            ini: (toml_mode != 1).then_some((ini_path, ini)),
            pyproject: (toml_mode != 0).then_some(toml),
            global_args,
            locations,
            recursive,
            subdirs,
            script_dir,
            summary: summary.join(", "),
        }
    }

    // -- files ----------------------------------------------------------------

    fn place_files(&mut self, layout: &Layout) {
        for i in 0..self.nodes.len() {
            self.place_one(i, layout);
        }
    }

    /// Chooses the directory (first call only) and the file name of node `i`.
    fn place_one(&mut self, i: usize, layout: &Layout) {
        if self.nodes[i].dir.is_empty() {
            let mut dir = self.rng.pick(&layout.locations).clone();
            if layout.recursive && !layout.subdirs.is_empty() && self.rng.chance(45) {
                dir = format!("{dir}/{}", self.rng.pick(&layout.subdirs));
            }
            self.nodes[i].dir = dir;
            // Legacy hex-named files without `revision` (valid Alembic).
            let id = &self.nodes[i].id;
            if self.rng.chance(2)
                && id.len() >= 4
                && id
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            {
                self.nodes[i].legacy_hex_name = true;
                self.summary.push("legacy hex file name".into());
            }
        }
        let node = self.nodes[i].clone();
        let id = node.name_id.clone().unwrap_or_else(|| node.id.clone());
        let slug = slug(&node.message);
        let (year, month, day, hour, minute) = date_of(self.seed, i);
        let style = match self.name_style {
            NameStyle::Mixed => [
                NameStyle::Default,
                NameStyle::DateWithId,
                NameStyle::DateNoId,
                NameStyle::Sequence,
            ][self.rng.below(4)],
            s => s,
        };
        let mut name = if node.legacy_hex_name {
            format!("{}.py", node.id)
        } else {
            match style {
                NameStyle::Default => format!("{id}_{slug}.py"),
                NameStyle::DateWithId => {
                    format!("{year}_{month:02}_{day:02}_{hour:02}{minute:02}-{id}_{slug}.py")
                }
                NameStyle::DateNoId => {
                    format!("{year}-{month:02}-{day:02}-{hour:02}{minute:02}_{slug}.py")
                }
                _ => format!("{:04}_{slug}.py", i + 1),
            }
        };
        if node.name_id.is_none()
            && !node.legacy_hex_name
            && self.name_style == NameStyle::Mixed
            && self.rng.chance(10)
        {
            // Hidden files are loaded too.
            name = format!(".{name}");
        }
        // Unique within the directory.
        let dir = node.dir.clone();
        let taken = |n: &str| {
            self.nodes
                .iter()
                .enumerate()
                .any(|(j, o)| j != i && o.dir == dir && o.file_name == n)
        };
        let mut unique = name.clone();
        let mut k = 2;
        while taken(&unique) {
            unique = name.replacen(".py", &format!("_{k}.py"), 1);
            k += 1;
        }
        self.nodes[i].file_name = unique;
    }

    fn quote(&self, s: &str) -> String {
        let u = if self.u_prefix { "u" } else { "" };
        if self.double_quotes {
            format!("{u}\"{s}\"")
        } else {
            format!("{u}'{s}'")
        }
    }

    /// A Python literal for `down_revision`.
    fn down_literal(&mut self, ids: &[String]) -> String {
        let q: Vec<String> = ids.iter().map(|s| self.quote(s)).collect();
        match q.len() {
            0 => (*self.rng.pick(&["None", "None", "None", "None", "()", "[]"])).to_string(),
            1 => match self.rng.weighted(&[76, 10, 10, 4]) {
                0 => q[0].clone(),
                1 => format!("({},)", q[0]),
                2 => format!("[{}]", q[0]),
                _ => format!("{{{}}}", q[0]),
            },
            _ => match self.rng.weighted(&[60, 25, 15]) {
                0 => format!("({})", q.join(", ")),
                1 => format!("[{}]", q.join(", ")),
                _ => format!("(\n    {},\n)", q.join(",\n    ")),
            },
        }
    }

    fn labels_literal(&mut self, labels: &[String]) -> Option<String> {
        let q: Vec<String> = labels.iter().map(|s| self.quote(s)).collect();
        Some(match q.len() {
            0 => {
                if self.rng.chance(30) {
                    return None;
                }
                "None".to_string()
            }
            1 => match self.rng.weighted(&[50, 30, 15, 5]) {
                0 => format!("({},)", q[0]),
                1 => q[0].clone(),
                2 => format!("[{}]", q[0]),
                _ => format!("{{{}}}", q[0]),
            },
            _ => {
                if self.rng.chance(60) {
                    format!("({})", q.join(", "))
                } else {
                    format!("[{}]", q.join(", "))
                }
            }
        })
    }

    /// A Python literal for `depends_on` (None: the variable is omitted).
    /// `""` is rare on a base, where Alembic rejects it (see `render`).
    fn deps_literal(&mut self, deps: &[String], base: bool) -> Option<String> {
        let q: Vec<String> = deps.iter().map(|s| self.quote(s)).collect();
        let empty_string = if base { 1 } else { 50 };
        Some(match q.len() {
            0 => match self.rng.weighted(&[250, 600, empty_string, 50, 50]) {
                0 => return None,
                1 => "None".to_string(),
                2 => self.quote(""),
                3 => "()".to_string(),
                _ => "[]".to_string(),
            },
            1 => match self.rng.weighted(&[50, 25, 25]) {
                0 => q[0].clone(),
                1 => format!("({},)", q[0]),
                _ => format!("[{}]", q[0]),
            },
            _ => {
                if self.rng.chance(70) {
                    format!("[{}]", q.join(", "))
                } else {
                    format!("({})", q.join(", "))
                }
            }
        })
    }

    fn docstring(&mut self, i: usize, revises: &str) -> (DocStyle, String) {
        let node = &self.nodes[i];
        let msg = node.message.clone();
        let id = node.id.clone();
        let force = node.force_template_doc;
        let (y, mo, d, h, mi) = date_of(self.seed, i);
        let secs = self.rng.below(60);
        let micros = if self.rng.chance(90) {
            format!(".{:06}", self.rng.below(1_000_000))
        } else {
            String::new()
        };
        let date = format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{secs:02}{micros}");
        let header = format!("Revision ID: {id}\nRevises: {revises}\nCreate Date: {date}\n");
        let styles = [
            DocStyle::Template,
            DocStyle::Plain,
            DocStyle::MultiParagraph,
            DocStyle::MultiLineFirstParagraph,
            DocStyle::Empty,
            DocStyle::Absent,
            DocStyle::HeaderOnly,
            DocStyle::Indented,
            DocStyle::WhitespaceLine,
            DocStyle::Escapes,
            DocStyle::Raw,
            DocStyle::Concatenated,
            DocStyle::NotFirst,
            DocStyle::OddWhitespace,
        ];
        let style = if force {
            DocStyle::Template
        } else {
            styles[self
                .rng
                .weighted(&[50, 12, 6, 4, 3, 4, 3, 3, 2, 3, 2, 2, 2, 1])]
        };
        let text = match style {
            DocStyle::Template => format!("\"\"\"{msg}\n\n{header}\n\"\"\"\n"),
            DocStyle::Plain => match self.rng.below(4) {
                0 => format!("\"\"\"{msg}\"\"\"\n"),
                1 => format!("'''{msg}'''\n"),
                2 => format!("\"{msg}\"\n"),
                _ => format!("'{}'\n", msg.replace('\'', "\\'")),
            },
            DocStyle::MultiParagraph => format!(
                "\"\"\"{msg}\n\nA second paragraph that explains\nwhy this was needed.\n\n    indented_example(code)\n\n{header}\"\"\"\n"
            ),
            DocStyle::MultiLineFirstParagraph => {
                format!("\"\"\"{msg}\nand a second line in the same paragraph\n\n{header}\"\"\"\n")
            }
            DocStyle::Empty => {
                (*self
                    .rng
                    .pick(&["\"\"\"\"\"\"\n", "\"\"\n", "\"\"\"   \n\"\"\"\n"]))
                .to_string()
            }
            DocStyle::Absent => String::new(),
            DocStyle::HeaderOnly => format!("\"\"\"\n\n{header}\n\"\"\"\n"),
            DocStyle::Indented => format!(
                "\"\"\"\n    {msg}\n\n    {}\n\"\"\"\n",
                header.replace('\n', "\n    ")
            ),
            DocStyle::WhitespaceLine => {
                format!("\"\"\"{msg}\n   \nnot a new paragraph for Alembic\n\n{header}\"\"\"\n")
            }
            DocStyle::Escapes => match self.rng.below(3) {
                0 => format!(
                    "\"\"\"{msg} caf\\u00e9 \\\"quoted\\\" tab\\tback\\\\slash\n\n{header}\"\"\"\n"
                ),
                // A backslash at the end of a line joins it with the next.
                1 => format!("\"\"\"{msg} \\\ncontinued on the same line\n\n{header}\"\"\"\n"),
                // Octal and named escapes.
                _ => format!(
                    "\"\"\"{msg} \\101\\x42 \\N{{BULLET}} \\N{{EM DASH}}\n\n{header}\"\"\"\n"
                ),
            },
            DocStyle::Raw => format!("r\"\"\"{msg} C:\\new\\table \\d+\n\n{header}\"\"\"\n"),
            DocStyle::Concatenated => format!("\"{msg} \" 'continued'\n"),
            DocStyle::NotFirst => format!("import os\n\"\"\"{msg}: not a docstring\"\"\"\n"),
            DocStyle::OddWhitespace => {
                let ws = *self
                    .rng
                    .pick(&["\\x0c", "\\u00a0", "\\x1c", "\\u2028", "\\x0b", "\\x85"]);
                format!("\"\"\"{ws}{msg}{ws}\nnext{ws}line\n\n{header}{ws}\"\"\"\n")
            }
        };
        (style, text)
    }

    /// The full source of node `i`'s file.
    fn render(&mut self, i: usize) -> Vec<u8> {
        let node = self.nodes[i].clone();
        let down_ids: Vec<String> = node.raw_down.clone().unwrap_or_else(|| {
            node.parents
                .iter()
                .map(|&p| self.nodes[p].id.clone())
                .collect()
        });
        let mut dep_strs: Vec<String> = node
            .deps
            .iter()
            .map(|d| match d {
                Dep::Id(j) => self.nodes[*j].id.clone(),
                Dep::Label(l) => l.clone(),
            })
            .collect();
        dep_strs.extend(node.raw_deps.iter().cloned());
        let revises = node
            .revises_header
            .clone()
            .unwrap_or_else(|| down_ids.join(", "));

        let mut src = String::new();
        // PEP 263 cookies: utf-8 (common), latin-1 (old projects; the file is
        // then written in latin-1).
        let latin1 = self.rng.chance(2);
        if latin1 {
            src.push_str("# -*- coding: latin-1 -*-\n");
            self.summary.push("latin-1 file".into());
        } else if self.rng.chance(5) {
            src.push_str("# -*- coding: utf-8 -*-\n");
        }
        let (doc_style, doc) = self.docstring(i, &revises);
        if doc_style == DocStyle::OddWhitespace {
            self.exotic = true;
        }
        src.push_str(&doc);
        if doc_style != DocStyle::NotFirst && self.rng.chance(10) {
            src.push_str("from __future__ import annotations\n\n");
        }
        if self.typed {
            src.push_str("from typing import Sequence, Union\n\n");
        }
        src.push_str("from alembic import op\nimport sqlalchemy as sa\n\n");
        if node.syntax_error {
            match self.rng.below(3) {
                0 => src.push_str("print \"python 2 was here\"\n"),
                1 => src.push_str("def broken(:\n    pass\n"),
                _ => src.push_str("x = (1,\n"),
            }
        }
        src.push_str("\n# revision identifiers, used by Alembic.\n");

        let down = self.down_literal(&down_ids);
        let labels = self.labels_literal(&node.labels);
        let base = node.parents.is_empty() && node.raw_down.is_none();
        let deps = self.deps_literal(&dep_strs, base);
        if base && matches!(deps.as_deref(), Some("''" | "\"\"" | "u''" | "u\"\"")) {
            // `depends_on = ""` is falsy but not None: Alembic's
            // Revision._is_real_base is `down_revision is None and
            // dependencies is None`, so a base spelled this way is no real
            // base and RevisionMap._detect_cycles raises
            // "Dependency cycle is detected in revisions (...)".
            self.alembic_rejects = true;
            self.summary.push("depends_on = '' on a base".into());
        }
        let rev = self.quote(&node.id);
        let ann = |name: &str| -> &'static str {
            match name {
                "revision" => ": str",
                _ => ": Union[str, Sequence[str], None]",
            }
        };
        let mut lines: Vec<(String, String)> = Vec::new();
        if !node.legacy_hex_name {
            lines.push(("revision".into(), rev.clone()));
        }
        if !node.omit_down_revision {
            lines.push(("down_revision".into(), down.clone()));
        }
        if let Some(l) = labels {
            lines.push(("branch_labels".into(), l));
        }
        if let Some(d) = deps {
            lines.push(("depends_on".into(), d));
        }
        if self.rng.chance(8) {
            let a = self.rng.below(lines.len().max(1));
            let b = self.rng.below(lines.len().max(1));
            if !lines.is_empty() {
                lines.swap(a, b);
            }
        }
        let exotic = if lines.len() >= 2 && self.rng.chance(4) {
            self.rng.below(7) + 1
        } else {
            0
        };
        let has_revision_line = lines.iter().any(|l| l.0 == "revision");
        match exotic {
            1 if !node.omit_down_revision => {
                // Reassignment: the last binding wins.
                self.exotic = true;
                self.summary.push("reassigned down_revision".into());
                src.push_str("down_revision = 'placeholder_overwritten_below'\n");
            }
            2 if !node.omit_down_revision => {
                // A name bound earlier in the module.
                self.exotic = true;
                self.summary
                    .push("down_revision via a module constant".into());
                let _ = writeln!(src, "PARENT = {down}");
                for line in &mut lines {
                    if line.0 == "down_revision" {
                        line.1 = "PARENT".into();
                    }
                }
            }
            3 if has_revision_line && !node.omit_down_revision => {
                // Tuple unpacking.
                self.exotic = true;
                self.summary.push("tuple-unpacking assignment".into());
                let _ = writeln!(src, "revision, down_revision = {rev}, {down}");
                lines.retain(|l| l.0 != "revision" && l.0 != "down_revision");
            }
            4 if has_revision_line => {
                self.exotic = true;
                self.summary.push("parenthesised revision".into());
                for line in &mut lines {
                    if line.0 == "revision" {
                        line.1 = format!("({rev})");
                    }
                }
            }
            5 if has_revision_line => {
                // Chained assignment: both names are bound.
                self.exotic = true;
                self.summary.push("chained assignment".into());
                for line in &mut lines {
                    if line.0 == "revision" {
                        line.0 = "revision = rev_id".into();
                    }
                }
            }
            6 if has_revision_line && node.id.len() >= 2 => {
                // Concatenated literals.
                self.exotic = true;
                self.summary.push("revision built with +".into());
                let cut = node.id.len() / 2;
                let (a, b) = (self.quote(&node.id[..cut]), self.quote(&node.id[cut..]));
                for line in &mut lines {
                    if line.0 == "revision" {
                        line.1 = format!("{a} + {b}");
                    }
                }
            }
            7 if node.labels.is_empty() => {
                // An annotation without a value binds nothing.
                self.exotic = true;
                self.summary.push("annotation-only branch_labels".into());
                lines.retain(|l| l.0 != "branch_labels");
                src.push_str("branch_labels: str\n");
            }
            _ => {}
        }
        let mut body = String::new();
        for (k, (name, value)) in lines.iter().enumerate() {
            let typed = self.typed && !name.contains(' ');
            let stmt = if typed {
                format!("{name}{} = {value}", ann(name))
            } else {
                format!("{name} = {value}")
            };
            body.push_str(&stmt);
            if k + 1 < lines.len() && self.rng.chance(2) {
                body.push_str("; ");
                continue;
            }
            if self.rng.chance(5) {
                body.push_str("  # noqa: E501");
            }
            body.push('\n');
        }
        if !body.ends_with('\n') {
            body.push('\n');
        }
        src.push_str(&body);
        src.push_str(
            "\n\ndef upgrade() -> None:\n    \"\"\"Upgrade schema.\"\"\"\n    op.add_column('account', sa.Column('note', sa.String(50)))\n\n\ndef downgrade() -> None:\n    \"\"\"Downgrade schema.\"\"\"\n    pass\n",
        );

        let src = match self.rng.weighted(&[86, 11, 3]) {
            0 => src,
            1 => src.replace('\n', "\r\n"),
            _ => src.replace('\n', "\r"),
        };
        let mut bytes = Vec::new();
        if latin1 {
            // Characters beyond latin-1 become `?`.
            bytes.extend(
                src.chars()
                    .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')),
            );
            return bytes;
        }
        if self.rng.chance(5) {
            bytes.extend_from_slice(b"\xef\xbb\xbf");
        }
        bytes.extend_from_slice(src.as_bytes());
        bytes
    }

    // -- commands -------------------------------------------------------------

    fn commands(&mut self) -> Vec<Vec<String>> {
        let v = |args: &[&str]| args.iter().map(ToString::to_string).collect::<Vec<_>>();
        let mut cmds = vec![
            v(&["heads"]),
            v(&["heads", "-v"]),
            v(&["heads", "--resolve-dependencies"]),
            v(&["branches"]),
            v(&["branches", "-v"]),
            v(&["history"]),
            v(&["history", "-v"]),
        ];
        let range = self.rev_range();
        cmds.push(range_args(&range, false));
        let rev = self.show_arg();
        cmds.push(v(&["show", &rev]));
        if self.rng.chance(25) {
            cmds.push(v(&["heads", "-v", "--resolve-dependencies"]));
        }
        if self.rng.chance(25) {
            let range = self.rev_range();
            cmds.push(range_args(&range, true));
        }
        if self.rng.chance(25) {
            let rev = self.show_arg();
            cmds.push(v(&["show", &rev]));
        }
        cmds
    }

    fn random_id(&mut self) -> String {
        let i = self.rng.below(self.nodes.len());
        self.nodes[i].id.clone()
    }

    fn partial_id(&mut self) -> String {
        let long: Vec<String> = self
            .nodes
            .iter()
            .filter(|n| n.id.len() >= 5)
            .map(|n| n.id.clone())
            .collect();
        if long.is_empty() {
            return self.random_id();
        }
        let id = self.rng.pick(&long).clone();
        let cut = self.rng.range(4, id.len() - 1);
        id.chars().take(cut).collect()
    }

    fn random_label(&mut self) -> Option<String> {
        let labels: Vec<String> = self.nodes.iter().flat_map(|n| n.labels.clone()).collect();
        if labels.is_empty() {
            None
        } else {
            Some(self.rng.pick(&labels).clone())
        }
    }

    fn rev_range(&mut self) -> String {
        match self
            .rng
            .weighted(&[14, 14, 10, 12, 10, 16, 6, 4, 3, 3, 3, 3, 2, 2, 2, 3])
        {
            0 => format!("base:{}", self.random_id()),
            1 => format!("{}:heads", self.random_id()),
            2 => format!("{}:", self.random_id()),
            3 => format!(":{}", self.random_id()),
            4 => format!("{}:", self.partial_id()),
            5 => {
                // An ancestor and a descendant.
                let i = self.rng.below(self.nodes.len());
                let anc: Vec<usize> = self.ancestors(i).into_iter().collect();
                let lower = if anc.is_empty() {
                    i
                } else {
                    *self.rng.pick(&anc)
                };
                format!("{}:{}", self.nodes[lower].id, self.nodes[i].id)
            }
            6 => match self.random_label() {
                Some(l) => format!(":{l}@head"),
                None => "base:heads".to_string(),
            },
            7 => match self.random_label() {
                Some(l) => format!("{l}:"),
                None => ":head".to_string(),
            },
            8 => ":head".to_string(),
            9 => "-1:".to_string(),
            10 => format!("{}:{}", self.random_id(), self.random_id()),
            11 => self.random_id(), // no colon: a usage error in Alembic
            12 => "abc:".to_string(),
            13 => "heads:heads".to_string(),
            14 => {
                let id = self.random_id();
                format!("{id}:{id}")
            }
            _ => match self.random_label() {
                Some(l) => format!(":{l}@{}", self.random_id()),
                None => "base:base".to_string(),
            },
        }
    }

    fn show_arg(&mut self) -> String {
        match self.rng.weighted(&[30, 15, 10, 10, 8, 8, 8, 4, 3, 2, 2, 4]) {
            0 => self.random_id(),
            1 => self.partial_id(),
            2 => "head".to_string(),
            3 => "heads".to_string(),
            4 => self.random_label().unwrap_or_else(|| "base".to_string()),
            5 => match self.random_label() {
                Some(l) => format!("{l}@head"),
                None => "head".to_string(),
            },
            6 => {
                let id = self.random_id();
                format!("{id}@head")
            }
            7 => "base".to_string(),
            8 => "nonexistent_revision".to_string(),
            9 => {
                let id = self.random_id();
                id.chars().take(3).collect()
            }
            10 => "-1".to_string(),
            _ => match self.random_label() {
                // label@-1, label@<partial id>, label@heads, label@base
                Some(l) => match self.rng.below(4) {
                    0 => format!("{l}@-1"),
                    1 => format!("{l}@{}", self.partial_id()),
                    2 => format!("{l}@heads"),
                    _ => format!("{l}@base"),
                },
                None => "heads".to_string(),
            },
        }
    }
}

/// `history -r RANGE`, spelled `--rev-range=RANGE` when the range starts with
/// `-` (argparse would read `-r -1:` as a missing argument).
fn range_args(range: &str, verbose: bool) -> Vec<String> {
    let mut args = vec!["history".to_string()];
    if verbose {
        args.push("-v".to_string());
    }
    if range.starts_with('-') {
        args.push(format!("--rev-range={range}"));
    } else {
        args.push("-r".to_string());
        args.push(range.to_string());
    }
    args
}

/// `a:b`, `a : b`, or `a:b:`: Alembic strips the items and drops empty
/// ones.
fn join_loosely(rng: &mut Rng, items: &[String], sep: char) -> String {
    match rng.weighted(&[70, 15, 15]) {
        0 => items.join(&sep.to_string()),
        1 => items.join(&format!(" {sep} ")),
        _ => format!("{}{sep}", items.join(&sep.to_string())),
    }
}

/// Alembic's slug: `\w+` runs, lower-cased, joined with `_`, cut at 40.
fn slug(message: &str) -> String {
    let words: Vec<String> = message
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut s = words.join("_");
    if s.chars().count() > 40 {
        s = s.chars().take(40).collect();
        if let Some(cut) = s.rfind('_') {
            s.truncate(cut);
        }
        s.push('_');
    }
    s
}

/// A creation date that grows with the revision's index.
fn date_of(seed: u64, i: usize) -> (usize, usize, usize, usize, usize) {
    let start = usize::try_from(seed % 500).expect("small");
    let day_number = start + i * 3;
    let year = 2019 + day_number / (12 * 28);
    let month = day_number / 28 % 12 + 1;
    let day = day_number % 28 + 1;
    let hour = (i * 7 + 9) % 24;
    let minute = (i * 13 + usize::try_from(seed % 60).expect("small")) % 60;
    (year, month, day, hour, minute)
}

const ENV_PY: &str = "# Not executed by the read-only commands under test.\nfrom alembic import context\n\nraise RuntimeError('env.py must not run for heads/history/branches/show')\n";

const INI_TAIL: &str = "[post_write_hooks]\n\n[loggers]\nkeys = root,sqlalchemy,alembic\n\n[handlers]\nkeys = console\n\n[formatters]\nkeys = generic\n\n[logger_root]\nlevel = WARNING\nhandlers = console\nqualname =\n\n[logger_sqlalchemy]\nlevel = WARNING\nhandlers =\nqualname = sqlalchemy.engine\n\n[logger_alembic]\nlevel = INFO\nhandlers =\nqualname = alembic\n\n[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nlevel = NOTSET\nformatter = generic\n\n[formatter_generic]\nformat = %(levelname)-5.5s [%(name)s] %(message)s\ndatefmt = %H:%M:%S\n";
