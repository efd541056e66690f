//! JSON rendering: the answers' own serde form, pretty-printed.

use serde::Serialize;

/// Any answer as pretty JSON.
pub fn render<T: Serialize>(answer: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(answer)
}
