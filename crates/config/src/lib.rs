//! Finding and reading an Alembic project's configuration exactly as
//! Alembic 1.20 does (`alembic-semantics.md` §1.1 and §4.4).
//!
//! [`load`] takes a [`ConfigRequest`] (the `-c`, `-n`, `--versions` flags,
//! the working directory and `$ALEMBIC_CONFIG`) and returns an
//! [`AlembicConfig`]: the files used, `script_location`, the ordered,
//! absolute version locations, `recursive_version_locations`, `sourceless`,
//! every other option ([`Options`]) and Alembic's warnings.
//!
//! ```no_run
//! use alembic_doctor_config::{ConfigRequest, load};
//!
//! let config = load(&ConfigRequest::new("/project").config_file("alembic.ini"))?;
//! for location in &config.version_locations {
//!     println!("{}", location.display());
//! }
//! let url = config.options.get_main("sqlalchemy.url")?;
//! # Ok::<(), alembic_doctor_config::ConfigError>(())
//! ```
//!
//! Faithfulness notes: the ini reader is a port of Python's `ConfigParser`
//! (see `ini.rs`), booleans are true only for the exact text `true`, ini
//! keys win over `[tool.alembic]`, `%(here)s` is the config file's folder,
//! and relative paths resolve against the working directory.

mod discover;
mod error;
mod ini;
mod load;
mod locations;
mod options;
mod paths;
mod pyproject;
mod pytext;
mod request;
#[cfg(test)]
mod robustness;

pub use error::{ConfigError, ConfigWarning, LookedFor};
pub use load::{AlembicConfig, VersionLocationsOrigin, load};
pub use options::{OptionValue, Options};
pub use request::ConfigRequest;
