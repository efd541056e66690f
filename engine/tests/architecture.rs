//! The one-way flow, checked: every `crate::` path in the engine's code names a module of its own
//! stage or an earlier one, and no two files import each other.
//!
//! The stages, in order (README, "Architecture"): leaves (`span`, `diag`, `input`: positions,
//! diagnostics, bounded reading) → `scenario`
//! (and `import`, which only writes scenarios) → `model` → `route` → `filter` → `dns` →
//! `dataplane` → `load` → `query` → `trace` → `expect` → `analysis` → `report`. A stage may use
//! its own modules and any earlier stage; a use of a later stage is a loop in the flow.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The stage rank of a top-level module; `None` for a module the test does not know, which fails
/// the test so that a new module is placed on purpose.
fn rank(module: &str) -> Option<u32> {
    Some(match module {
        "span" | "diag" | "input" => 0,
        "scenario" | "import" => 1,
        "model" => 2,
        "route" => 3,
        "filter" => 4,
        "dns" => 5,
        "dataplane" => 6,
        "load" | "load_str" | "load_file" | "load_document" | "LoadError" | "Loaded" => 7,
        "build" | "strategy" => 7,
        "query" => 8,
        "trace" => 9,
        "expect" => 10,
        "analysis" => 11,
        "report" => 12,
        _ => return None,
    })
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `src/route/hub.rs` → `["route", "hub"]`, `src/model/mod.rs` →
/// `["model"]`.
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src_dir()).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// Is this file test code only (`tests.rs`, `tests/…`)? Tests may reach forward, to build
/// inputs with the loader, say.
fn is_test_file(module: &[String]) -> bool {
    module.iter().any(|m| m == "tests")
}

/// The code of a file without comments, string literals and `#[cfg(test)]` modules (whose
/// contents start at the attribute and run to the end of the file, as the engine writes them).
fn code_of(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        let mut in_string = false;
        let mut prev = ' ';
        for c in line.chars() {
            if c == '"' && prev != '\\' {
                in_string = !in_string;
            } else if !in_string {
                out.push(c);
            }
            prev = c;
        }
        out.push('\n');
    }
    out
}

/// Every module path a file names: `crate::a::b` in paths and `use crate::{a::x, b}` groups,
/// as (first segment, second segment if any).
fn crate_paths(code: &str) -> BTreeSet<(String, Option<String>)> {
    paths_after(code, "crate::")
}

/// Every path after `prefix` (`crate::` or `super::`) in the code, as in [`crate_paths`].
fn paths_after(code: &str, prefix: &str) -> BTreeSet<(String, Option<String>)> {
    let mut found = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let after = &rest[at + prefix.len()..];
        if let Some(group) = after.strip_prefix('{') {
            // A `use crate::{…}` group: every top-level item in it.
            let mut depth = 0;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        item.push(c);
                    }
                    '}' if depth == 0 => break,
                    '}' => {
                        depth -= 1;
                        item.push(c);
                    }
                    ',' if depth == 0 => items.push(std::mem::take(&mut item)),
                    _ => item.push(c),
                }
            }
            items.push(item);
            for item in items {
                let item = item.trim();
                let first = ident(item);
                let second = item
                    .strip_prefix(first.as_str())
                    .and_then(|r| r.strip_prefix("::"))
                    .map(ident)
                    .filter(|s| !s.is_empty());
                if !first.is_empty() {
                    found.insert((first, second));
                }
            }
        } else {
            let first = ident(after);
            let second = after
                .strip_prefix(first.as_str())
                .and_then(|r| r.strip_prefix("::"))
                .map(ident)
                .filter(|s| !s.is_empty());
            found.insert((first, second));
        }
        rest = after;
    }
    found
}

/// What one file names.
type Uses = BTreeSet<(String, Option<String>)>;

struct Engine {
    /// File → its module path, the module paths it names from the crate root, and (for a
    /// module of a stage, `a::x`) its siblings named through `super::`.
    files: BTreeMap<PathBuf, (Vec<String>, Uses)>,
}

fn engine() -> Engine {
    let mut paths = Vec::new();
    rust_files(&src_dir(), &mut paths);
    let files = paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let module = module_of(&p);
            let code = code_of(&text);
            let mut uses = crate_paths(&code);
            if let [stage, _] = module.as_slice() {
                // In `a/x.rs` or `a/x/mod.rs`, `super::y` is `crate::a::y`.
                for (first, _) in paths_after(&code, "super::") {
                    uses.insert((stage.clone(), Some(first)));
                }
            }
            (p, (module, uses))
        })
        .collect();
    Engine { files }
}

#[test]
fn every_stage_uses_only_itself_and_earlier_stages() {
    let mut problems = Vec::new();
    for (path, (module, uses)) in &engine().files {
        let Some(own) = module.first() else {
            continue; // lib.rs declares the modules.
        };
        if is_test_file(module) {
            continue;
        }
        let Some(own_rank) = rank(own) else {
            problems.push(format!("{}: module `{own}` has no stage", path.display()));
            continue;
        };
        for (first, _) in uses {
            match rank(first) {
                None => problems.push(format!(
                    "{}: `crate::{first}` names a module with no stage",
                    path.display()
                )),
                Some(r) if r > own_rank => problems.push(format!(
                    "{}: stage `{own}` uses the later stage `{first}`",
                    path.display()
                )),
                Some(_) => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_two_modules_of_a_stage_use_each_other() {
    // Within a stage, module `a::x` using `a::y` and `a::y` using `a::x` is a cycle; a parent
    // (`a`, which declares its children) and its child are one unit and not checked.
    let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
    for (module, uses) in engine().files.values() {
        if module.len() < 2 || is_test_file(module) {
            continue;
        }
        let from = format!("{}::{}", module[0], module[1]);
        for (first, second) in uses {
            if *first == module[0] {
                if let Some(second) = second {
                    let to = format!("{first}::{second}");
                    if to != from {
                        edges.insert((from.clone(), to));
                    }
                }
            }
        }
    }
    let cycles: Vec<String> = edges
        .iter()
        .filter(|(a, b)| a < b && edges.contains(&(b.clone(), a.clone())))
        .map(|(a, b)| format!("`{a}` and `{b}` use each other"))
        .collect();
    assert!(cycles.is_empty(), "{}", cycles.join("\n"));
}

#[test]
fn the_checker_sees_a_use_of_a_later_stage() {
    // The parser itself: a grouped use, a path in code, and a path in a comment (ignored).
    let code = code_of(
        "use crate::{model::Network, trace::{Hop, Leg}};\n// crate::report\nlet x = crate::query::next_hop();\n",
    );
    let uses = crate_paths(&code);
    let firsts: BTreeSet<&str> = uses.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        firsts,
        BTreeSet::from(["model", "trace", "query"]),
        "{uses:?}"
    );
    assert!(rank("trace") > rank("query"));
}
