//! The README's verdict table and trace-assumption table name every variant the engine has, so
//! a verdict or an assumption added without its row fails here.

use std::path::Path;

fn read(relative: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)).unwrap()
}

/// The variant names of `pub enum <name>` in `source`: the lines indented by exactly four
/// spaces that start with an upper-case letter, up to the enum's closing brace.
fn variants(source: &str, name: &str) -> Vec<String> {
    let start = source
        .find(&format!("pub enum {name} {{"))
        .unwrap_or_else(|| panic!("no enum {name}"));
    let body = &source[start..];
    let end = body.find("\n}").unwrap_or(body.len());
    body[..end]
        .lines()
        .filter(|l| l.starts_with("    ") && !l.starts_with("     "))
        .map(str::trim)
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
        .map(|l| {
            l.chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .collect()
}

#[test]
fn the_readme_verdict_table_has_a_row_for_every_verdict() {
    let names = variants(&read("src/trace/verdict.rs"), "Verdict");
    assert!(names.len() >= 20, "{names:?}");
    let readme = read("../README.md");
    let missing: Vec<_> = names
        .iter()
        .filter(|v| !readme.contains(&format!("\n| `{v}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "README verdict table misses {missing:?}"
    );
}

#[test]
fn the_readme_lists_every_assumption_a_trace_can_name() {
    let names = variants(&read("src/trace/verdict.rs"), "Assumption");
    assert!(names.len() >= 6, "{names:?}");
    let readme = read("../README.md");
    let missing: Vec<_> = names
        .iter()
        .filter(|a| !readme.contains(&format!("\n| `{a}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "README assumption table misses {missing:?}"
    );
}
