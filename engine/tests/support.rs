//! Helpers the test modules share: loading a scenario that must load, the errors of one that
//! must not, and finding a message among them.

use azpath_engine::{load_str, Loaded};

/// The scenario `text`, which must load.
pub fn load(text: &str) -> Loaded {
    load_str("case.ron", text).unwrap_or_else(|e| panic!("{e}"))
}

/// The diagnostics of scenario `text`, which must be refused.
pub fn errors(text: &str) -> Vec<String> {
    match load_str("bad.ron", text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.diagnostics().iter().map(ToString::to_string).collect(),
    }
}

/// Asserts that one of `found` contains `needle`.
pub fn has(found: &[String], needle: &str) {
    assert!(
        found.iter().any(|e| e.contains(needle)),
        "no `{needle}` in {found:#?}"
    );
}
