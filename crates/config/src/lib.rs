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
//! Every file is read through [`ConfigFiles`]: [`load`] reads the disk
//! ([`DiskConfigFiles`]); [`load_in`] reads whatever it is given, so that a
//! project's configuration can be read at any git revision (the git crate's
//! tree implements [`ConfigFiles`]) by the same rules, without a checkout.
//!
//! Faithfulness notes: the ini reader is a port of Python's `ConfigParser`
//! (see `ini.rs`; checked against Python on generated files), booleans are
//! true only for the exact text `true`, ini keys win over `[tool.alembic]`,
//! `%(here)s` is the config file's folder, and relative paths resolve
//! against the working directory, all as in Alembic 1.20.
//!
//! Where alembic-doctor knowingly differs from Alembic:
//! * conveniences: the Flask-Migrate layout and `package:path` resources
//!   found on disk instead of by import (see [`load`]);
//! * an ini file that exists but cannot be read, or is not UTF-8, is an
//!   error (Python skips an unreadable one silently and crashes on bad UTF-8);
//! * a directory name containing `%` that is not a valid interpolation is
//!   only an error when an ini file is actually read;
//! * in `[tool.alembic]`, only `%(here)s` and `%%` are substituted; other
//!   `%` forms are errors (Python would format them, e.g. `%s` prints the
//!   whole argument dict), and a string `version_locations` is an error
//!   (Alembic would treat each character as a folder);
//! * paths that are not valid UTF-8 are converted lossily in `%(here)s`.

mod discover;
mod error;
mod files;
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
pub use files::{ConfigFileKind, ConfigFiles, DiskConfigFiles};
pub use load::{AlembicConfig, VersionLocationsOrigin, load, load_in};
pub use options::{OptionValue, Options};
pub use request::ConfigRequest;
