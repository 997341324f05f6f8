//! The health checks `alembic-doctor check` runs over a loaded project, and
//! the one finding model every renderer prints.

mod registry;
mod rules;

pub use registry::{Rule, Severity};
