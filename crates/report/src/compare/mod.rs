//! `compare`'s own outputs: the text summary, the plan and the JSON
//! contract.

mod json;
mod plan;
mod text;

pub use json::{comparison_json, plan_json};
pub use plan::{findings_with_plan, plan_text};
pub use text::comparison_text;
