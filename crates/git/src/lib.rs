//! Reading an Alembic project at any git revision, straight from git
//! objects, without a checkout.
//!
//! [`GitRepo`] finds the repository (from any directory of a checkout, a
//! linked worktree or a bare repository) and turns revisions into commits;
//! [`GitRepo::tree_at`] gives a [`GitTree`], which implements the source
//! stage's [`alembic_doctor_source::Tree`], the script stage's
//! [`alembic_doctor_script::ProjectFiles`] and the configuration reader's
//! [`alembic_doctor_config::ConfigFiles`] (so
//! [`alembic_doctor_config::load_in`] reads `alembic.ini` and
//! `pyproject.toml` at a revision). The configuration rules, load order,
//! symlink handling and import resolution are therefore the same code as on
//! disk:
//!
//! ```no_run
//! use alembic_doctor_git::GitRepo;
//! use alembic_doctor_source::{ListingSpec, list_versions_in};
//!
//! let repo = GitRepo::discover(".")?;
//! let base = repo.default_base()?;
//! let tree = repo.tree_at(&base)?;
//! let listing = list_versions_in(&tree, &ListingSpec {
//!     locations: vec![tree.root().join("migrations/versions")],
//!     recursive: false,
//!     sourceless: false,
//! });
//! println!("{} files at {base}", listing.files.len());
//! # Ok::<(), alembic_doctor_git::GitError>(())
//! ```
//!
//! A tree's paths are under [`GitRepo::root`], the working tree's real
//! (canonical) root, so the same file has the same path on disk and in every
//! revision's tree, and two revisions' listings compare by path.
//!
//! gix reads the objects; an object gix does not have (a partial clone made
//! with `--filter=blob:none`) is asked of `git cat-file --batch`, which
//! fetches it. A revision or merge base missing from a shallow clone is an
//! error that names the `git fetch` to run. The working tree itself is read
//! by [`alembic_doctor_source::DiskTree`], not here.

mod cli_fallback;
mod error;
mod objects;
mod pickaxe;
mod repo;
mod tree;

pub use error::GitError;
pub use pickaxe::{Mention, MentionChange, Mentions};
pub use repo::{GitRepo, PendingChanges, ResolvedRev};
pub use tree::{EntryKind, GitTree, MAX_LINKS};
