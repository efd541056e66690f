//! The front door: file → document → validated network, with every diagnostic located.

use std::path::Path;

use crate::dataplane::DataPlane;
use crate::diag::{Located, Severity};
use crate::model::{self, Network};
use crate::scenario::{self, Document, SourceFile};

/// A scenario that parsed and validated.
#[derive(Debug)]
pub struct Loaded {
    /// The file, for locating later diagnostics.
    pub source: SourceFile,
    /// The document as written.
    pub document: Document,
    /// The validated network.
    pub network: Network,
    /// Warnings: accepted but worth knowing.
    pub warnings: Vec<Located>,
    /// The compiled data plane (compiled once, at load).
    dataplane: DataPlane,
}

impl Loaded {
    /// The network's compiled data plane.
    pub fn dataplane(&self) -> &DataPlane {
        &self.dataplane
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("{path}: error: cannot read the file: {message}")]
    Io {
        /// The path as given.
        path: String,
        /// What the system said.
        message: String,
    },
    /// The file is not a valid scenario; every problem found is listed.
    #[error("{}", render(.0))]
    Invalid(Vec<Located>),
}

impl LoadError {
    /// The located diagnostics (empty for I/O errors).
    pub fn diagnostics(&self) -> &[Located] {
        match self {
            LoadError::Io { .. } => &[],
            LoadError::Invalid(d) => d,
        }
    }
}

fn render(diags: &[Located]) -> String {
    let lines: Vec<String> = diags.iter().map(ToString::to_string).collect();
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    format!("{}\n{errors} error(s)", lines.join("\n"))
}

/// Reads and loads the scenario at `path`.
pub fn load_file(path: &Path) -> Result<Loaded, LoadError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| LoadError::Io {
        path: name.clone(),
        message: e.to_string().to_lowercase(),
    })?;
    if meta.len() > scenario::MAX_FILE_BYTES as u64 {
        return Err(LoadError::Invalid(vec![Located {
            file: name,
            line: 1,
            column: 1,
            severity: Severity::Error,
            message: format!(
                "file is {} bytes, more than the {} bytes a scenario may have",
                meta.len(),
                scenario::MAX_FILE_BYTES
            ),
            hint: Some("split the estate into several scenarios".into()),
        }]));
    }
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::Io {
        path: name.clone(),
        message: e.to_string().to_lowercase(),
    })?;
    load_str(&name, &text)
}

/// Loads a scenario from text; `name` is used in messages.
pub fn load_str(name: &str, text: &str) -> Result<Loaded, LoadError> {
    let source = SourceFile::new(name, text);
    let document = scenario::parse(&source).map_err(|d| LoadError::Invalid(vec![d]))?;
    match model::resolve(&document) {
        Ok((network, mut warnings)) => {
            let dataplane = DataPlane::compile(&network);
            warnings.extend(crate::analysis::lint::appliance_loops(&network, &dataplane));
            warnings.sort_by_key(|d| d.span.start);
            Ok(Loaded {
                warnings: warnings.iter().map(|d| d.locate(&source)).collect(),
                dataplane,
                source,
                document,
                network,
            })
        }
        Err(diags) => Err(LoadError::Invalid(
            diags.iter().map(|d| d.locate(&source)).collect(),
        )),
    }
}
