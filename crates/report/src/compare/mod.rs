//! `compare`'s own outputs: the text summary and the JSON contract.

mod json;
mod text;

pub use json::comparison_json;
pub use text::comparison_text;
