//! JSON rendering: the answers' own serde form, pretty-printed, each with the
//! [`SCHEMA_VERSION`] of its shape first (see [`crate::report::schema`] for the schemas).

use serde::Serialize;

use crate::expect::CheckReport;

/// The version of the JSON answers' shapes. It goes up when a field is removed, renamed or
/// changes meaning; a field added to an answer keeps it (readers ignore fields they do not
/// know). `azpath schema` prints the schema of each shape.
pub const SCHEMA_VERSION: u32 = 1;

/// An answer with its schema version first.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Versioned<T> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The answer's own fields.
    #[serde(flatten)]
    pub answer: T,
}

/// Any answer as pretty JSON, with `schema_version` first.
pub fn render<T: Serialize>(answer: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&Versioned {
        schema_version: SCHEMA_VERSION,
        answer,
    })
}

/// JSON in a shape another tool defines (what `az` prints), as it is: no `schema_version`, so
/// it stays byte-for-byte comparable with the tool's own output.
pub fn render_foreign<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(value)
}

/// What `azpath test --format json` prints: each file's report and the totals.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct TestRun {
    /// Each scenario that loaded, in the order run.
    pub files: Vec<FileReport>,
    /// Questions whose answer was as expected.
    pub passed: usize,
    /// Questions whose answer differed.
    pub failed: usize,
    /// Questions not checked.
    pub skipped: usize,
    /// Files that could not be loaded (their diagnostics went to standard error).
    pub invalid_files: usize,
}

/// One scenario's report in a [`TestRun`].
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct FileReport {
    /// The file as named on the command line (`<stdin>` for standard input).
    pub file: String,
    /// Every question's outcome.
    pub report: CheckReport,
}
