//! Which files may be served: `.ron` scenarios under the folders (or the files) given, named in
//! URLs as `ROOT/RELATIVE/PATH.ron` where `ROOT` is the folder's index on the command line.

use std::path::{Component, Path, PathBuf};

/// The folders and files given on the command line, canonical.
#[derive(Debug, Clone)]
pub struct Roots {
    roots: Vec<PathBuf>,
}

/// A scenario file found under a root.
#[derive(Debug, Clone)]
pub struct Entry {
    /// `ROOT/relative/path.ron`, as URLs name it.
    pub key: String,
    /// The topic: the first folder under the root (`""` for a file at the top).
    pub topic: String,
    /// The file.
    pub path: PathBuf,
}

impl Roots {
    /// Canonical roots; a path that does not exist is refused.
    pub fn new(paths: &[PathBuf]) -> Result<Roots, String> {
        let mut roots = Vec::new();
        for p in paths {
            let c = p
                .canonicalize()
                .map_err(|e| format!("{}: cannot serve: {e}", p.display()))?;
            roots.push(c);
        }
        if roots.is_empty() {
            return Err("no scenario folder given (hint: `azpath serve scenarios`)".into());
        }
        Ok(Roots { roots })
    }

    /// Every scenario under every root, in a stable order.
    pub fn entries(&self) -> Vec<Entry> {
        let mut out = Vec::new();
        for (i, root) in self.roots.iter().enumerate() {
            for f in azpath_engine::input::scan(root, "ron").files {
                let rel = if root.is_dir() {
                    f.strip_prefix(root).map(Path::to_path_buf).ok()
                } else {
                    f.file_name().map(PathBuf::from)
                };
                let Some(rel) = rel else { continue };
                let parts: Vec<String> = rel
                    .components()
                    .filter_map(|c| match c {
                        Component::Normal(s) => s.to_str().map(str::to_string),
                        _ => None,
                    })
                    .collect();
                if parts.len() != rel.components().count() {
                    continue;
                }
                let topic = if parts.len() > 1 {
                    parts.first().cloned().unwrap_or_default()
                } else {
                    String::new()
                };
                out.push(Entry {
                    key: format!("{i}/{}", parts.join("/")),
                    topic,
                    path: f,
                });
            }
        }
        out
    }

    /// The file a URL names, if it is a `.ron` regular file under its root: no `..`, no
    /// absolute part, and no symbolic link that leads out of the root.
    pub fn resolve(&self, key: &str) -> Option<PathBuf> {
        let (index, rel) = key.split_once('/')?;
        let root = self.roots.get(index.parse::<usize>().ok()?)?;
        let rel = Path::new(rel);
        if rel.as_os_str().is_empty()
            || !rel.components().all(|c| matches!(c, Component::Normal(_)))
            || rel.extension().is_none_or(|e| e != "ron")
        {
            return None;
        }
        let candidate = if root.is_dir() {
            root.join(rel)
        } else if root.file_name() == Some(rel.as_os_str()) {
            root.clone()
        } else {
            return None;
        };
        let real = candidate.canonicalize().ok()?;
        let inside = if root.is_dir() {
            real.starts_with(root)
        } else {
            &real == root
        };
        (inside && real.is_file()).then_some(real)
    }

    /// Whether `path` (canonical) lies under a root: a variant's base must, to be read.
    pub fn contains(&self, path: &Path) -> bool {
        let Ok(real) = path.canonicalize() else {
            return false;
        };
        self.roots.iter().any(|r| {
            if r.is_dir() {
                real.starts_with(r)
            } else {
                &real == r
            }
        })
    }

    /// The URL key of a canonical file under a root.
    pub fn key_of(&self, path: &Path) -> Option<String> {
        let real = path.canonicalize().ok()?;
        self.entries()
            .into_iter()
            .find(|e| e.path.canonicalize().ok().as_ref() == Some(&real))
            .map(|e| e.key)
    }
}
