//! The front door: file → document → validated network, with every diagnostic located.

use std::path::{Path, PathBuf};

use crate::dataplane::DataPlane;
use crate::diag::{Diagnostic, Located, Severity};
use crate::input::{self, Limit, ReadError};
use crate::model::{self, Network};
use crate::scenario::{self, Document, SourceFile, Text};

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

impl From<ReadError> for LoadError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io { path, message } => LoadError::Io { path, message },
            ReadError::Invalid(d) => LoadError::Invalid(vec![d]),
        }
    }
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

/// The most files an `extends` chain may have: a variant, its base, that base's base, ….
pub const MAX_EXTENDS_DEPTH: usize = 32;

/// The bound on one scenario file, and on a variant with every file it extends, together.
fn scenario_limit(bytes: u64) -> Limit {
    Limit {
        bytes,
        what: "a scenario (a variant and the files it extends, together)",
        hint: "split the estate into several scenarios, or raise the bound (`--max-input-bytes`)",
    }
}

/// Reads and loads the scenario at `path`. A variant (`extends: "base.ron"`) is merged onto the
/// scenario it extends, which may itself be a variant: every file of the chain is read and
/// parsed once, the documents are merged from the root down, and the result is validated once.
/// Every diagnostic names the file (and line) it was written in, so a base's errors name the
/// base. A chain is at most [`MAX_EXTENDS_DEPTH`] files and, together, at most
/// [`scenario::MAX_FILE_BYTES`]; a cycle is refused.
pub fn load_file(path: &Path) -> Result<Loaded, LoadError> {
    load_file_within(path, scenario::MAX_FILE_BYTES as u64)
}

/// [`load_file`], with the chain's files together bounded by `max_bytes` instead of
/// [`scenario::MAX_FILE_BYTES`].
pub fn load_file_within(path: &Path, max_bytes: u64) -> Result<Loaded, LoadError> {
    let limit = scenario_limit(max_bytes);
    let invalid = |d: Located| LoadError::Invalid(vec![d]);
    let mut source: Option<SourceFile> = None;
    // The documents of the chain, the variant first and the root last.
    let mut documents: Vec<Document> = Vec::new();
    // The files on the way, canonical (to refuse cycles) and as named (for messages).
    let mut seen: Vec<(PathBuf, String)> = Vec::new();
    let mut current = path.to_path_buf();
    loop {
        let name = current.display().to_string();
        let start = read_part(&current, &name, &mut source, limit)?;
        let Some(src) = source.as_ref() else {
            return Err(LoadError::Io {
                path: name,
                message: "the file was read but not kept".into(),
            });
        };
        let document = scenario::parse_part(src, start).map_err(invalid)?;
        let Some(extends) = document.extends.clone() else {
            documents.push(document);
            break;
        };
        documents.push(document);
        current =
            extended(&current, &name, &extends, &mut seen).map_err(|d| invalid(d.locate(src)))?;
    }
    let Some(source) = source else {
        return Err(LoadError::Io {
            path: path.display().to_string(),
            message: "nothing was read".into(),
        });
    };
    // Merge from the root down: each variant onto everything it extends.
    let mut documents = documents.into_iter().rev();
    let Some(mut merged) = documents.next() else {
        return Err(LoadError::Invalid(Vec::new()));
    };
    for variant in documents {
        merged = scenario::merge(merged, variant).map_err(|diags| {
            LoadError::Invalid(diags.iter().map(|d| d.locate(&source)).collect())
        })?;
    }
    finish(source, merged)
}

/// Reads the file `current` (named `name`) of a chain into `source`, within what the files
/// before it left of the scenario size limit; the offset where its text starts.
fn read_part(
    current: &Path,
    name: &str,
    source: &mut Option<SourceFile>,
    whole: Limit,
) -> Result<usize, LoadError> {
    let used = source.as_ref().map_or(0, |s| s.text.len() as u64);
    let limit = Limit {
        bytes: whole.bytes.saturating_sub(used),
        ..whole
    };
    let text = match input::read_text(current, limit) {
        Ok(text) => text,
        Err(ReadError::Invalid(mut d)) => {
            if used > 0 && d.line == 1 && d.column == 1 {
                d.message = format!(
                    "with the files it extends, this file makes more than {} bytes, the most a scenario may have",
                    whole.bytes
                );
            }
            return Err(LoadError::Invalid(vec![d]));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(match source {
        Some(s) => s.push_part(name, &text),
        None => {
            *source = Some(SourceFile::new(name, text));
            0
        }
    })
}

/// The path of the scenario that `current` (named `name`) extends, recorded in `seen`; refused
/// when it makes a cycle, makes the chain too long, or is not a regular file.
fn extended(
    current: &Path,
    name: &str,
    extends: &Text,
    seen: &mut Vec<(PathBuf, String)>,
) -> Result<PathBuf, Diagnostic> {
    let canonical = std::fs::canonicalize(current).unwrap_or_else(|_| current.to_path_buf());
    if seen.iter().any(|(c, _)| *c == canonical) {
        return Err(Diagnostic::error(
            extends.span,
            format!("`extends` makes a cycle: {}", chain(seen, name)),
        )
        .with_hint("a variant extends a scenario that does not extend it back"));
    }
    seen.push((canonical, name.to_string()));
    let base_path = current
        .parent()
        .unwrap_or_else(|| Path::new(""))
        .join(&extends.value);
    if seen.len() >= MAX_EXTENDS_DEPTH {
        return Err(Diagnostic::error(
            extends.span,
            format!(
                "`extends` chain longer than {MAX_EXTENDS_DEPTH} files: {}",
                chain(seen, &base_path.display().to_string())
            ),
        )
        .with_hint("merge some of the variants into one file"));
    }
    if !base_path.is_file() {
        // A FIFO or a device is never read: it could block or never end.
        return Err(if base_path.exists() && !base_path.is_dir() {
            Diagnostic::error(
                extends.span,
                format!("`extends`: `{}` is not a regular file", base_path.display()),
            )
            .with_hint("a variant extends a scenario file, not a FIFO, socket or device")
        } else {
            Diagnostic::error(
                extends.span,
                format!("`extends`: no scenario at `{}`", base_path.display()),
            )
            .with_hint("the path is relative to this file")
        });
    }
    Ok(base_path)
}

/// The files of an `extends` chain, in the order they extend each other, for a message.
fn chain(seen: &[(PathBuf, String)], last: &str) -> String {
    let names: Vec<String> = seen
        .iter()
        .map(|(_, n)| format!("`{n}`"))
        .chain(std::iter::once(format!("`{last}`")))
        .collect();
    names.join(" extends ")
}

/// Loads a scenario from a file's bytes; `name` is used in messages. The bytes must be UTF-8
/// (a leading byte order mark is dropped); see [`load_str`].
pub fn load_bytes(name: &str, bytes: Vec<u8>) -> Result<Loaded, LoadError> {
    let text = input::decode(name, bytes).map_err(|d| LoadError::Invalid(vec![d]))?;
    load_str(name, &text)
}

/// Loads a scenario from text; `name` is used in messages. A variant cannot be loaded from
/// text: its base is found relative to its file (use [`load_file`]).
pub fn load_str(name: &str, text: &str) -> Result<Loaded, LoadError> {
    let source = SourceFile::new(name, input::strip_bom(text));
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
