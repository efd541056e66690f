//! The front door: file → document → validated network, with every diagnostic located.

use std::path::Path;

use crate::dataplane::DataPlane;
use crate::diag::{Diagnostic, Located, Severity};
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

/// Reads and loads the scenario at `path`; a variant (`extends: "base.ron"`) is merged onto the
/// scenario it extends, which must load on its own first (its errors name its own file).
pub fn load_file(path: &Path) -> Result<Loaded, LoadError> {
    load_chain(path, &mut Vec::new())
}

/// Loads `path`, following `extends`; `seen` holds the files on the way, to refuse cycles.
fn load_chain(path: &Path, seen: &mut Vec<std::path::PathBuf>) -> Result<Loaded, LoadError> {
    let name = path.display().to_string();
    let text = read(path, &name)?;
    let single = SourceFile::new(name.as_str(), text.as_str());
    let document = scenario::parse(&single).map_err(|d| LoadError::Invalid(vec![d]))?;
    let Some(extends) = document.extends.clone() else {
        return finish(single, document);
    };
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if seen.contains(&canonical) {
        let d = Diagnostic::error(
            extends.span,
            "`extends` makes a cycle: this file extends itself through its bases",
        )
        .with_hint("a variant extends a scenario that does not extend it back");
        return Err(LoadError::Invalid(vec![d.locate(&single)]));
    }
    seen.push(canonical);
    let base_path = path
        .parent()
        .unwrap_or_else(|| Path::new(""))
        .join(&extends.value);
    if !base_path.is_file() {
        let d = Diagnostic::error(
            extends.span,
            format!("`extends`: no scenario at `{}`", base_path.display()),
        )
        .with_hint("the path is relative to this file");
        return Err(LoadError::Invalid(vec![d.locate(&single)]));
    }
    let base = load_chain(&base_path, seen)?;
    // The variant's spans are measured after the base's text, so every span of the merged
    // document names the file it was written in.
    let (source, start) = base.source.append(name.as_str(), &text);
    let variant = scenario::parse_part(&source, start).map_err(|d| LoadError::Invalid(vec![d]))?;
    let merged = scenario::merge(base.document, variant)
        .map_err(|diags| LoadError::Invalid(diags.iter().map(|d| d.locate(&source)).collect()))?;
    finish(source, merged)
}

fn read(path: &Path, name: &str) -> Result<String, LoadError> {
    let name = name.to_string();
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
    std::fs::read_to_string(path).map_err(|e| LoadError::Io {
        path: name.clone(),
        message: e.to_string().to_lowercase(),
    })
}

/// Loads a scenario from text; `name` is used in messages. A variant cannot be loaded from
/// text: its base is found relative to its file (use [`load_file`]).
pub fn load_str(name: &str, text: &str) -> Result<Loaded, LoadError> {
    let source = SourceFile::new(name, text);
    let document = scenario::parse(&source).map_err(|d| LoadError::Invalid(vec![d]))?;
    if let Some(extends) = &document.extends {
        let d = Diagnostic::error(
            extends.span,
            "`extends` needs a file: this scenario was given as text",
        )
        .with_hint("load the variant from its file, next to the scenario it extends");
        return Err(LoadError::Invalid(vec![d.locate(&source)]));
    }
    finish(source, document)
}

/// Loads an already merged document (a variant built in memory, e.g. a suggested fix).
pub fn load_document(source: SourceFile, document: Document) -> Result<Loaded, LoadError> {
    finish(source, document)
}

fn finish(source: SourceFile, document: Document) -> Result<Loaded, LoadError> {
    match model::resolve(&document) {
        Ok((network, mut warnings)) => {
            let dataplane = DataPlane::compile(&network);
            warnings.extend(model::lint::appliance_loops(&network, |s, d| {
                Some(dataplane.routes(s)?.best(d)?.next_hop)
            }));
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
