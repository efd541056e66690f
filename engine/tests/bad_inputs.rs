//! The bad-input corpus. Every file in `tests/bad_inputs/` is refused, without a panic, with every
//! diagnostic located, and with the error its first line names
//! (`// expect: LINE:COLUMN: message (hint: …)`). Files in `tests/bad_inputs/warnings/` describe
//! designs Azure accepts but that cannot work: they load, with the warning their first line names.

use std::path::Path;

use azpath_engine::diag::{Located, Severity};
use azpath_engine::load_str;

/// Every file of a corpus folder: its name, text and expected diagnostic.
fn corpus(folder: &str) -> Vec<(String, String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).unwrap();
            let name = file.file_name().unwrap().to_string_lossy().to_string();
            let expected = text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("// expect: "))
                .unwrap_or_else(|| panic!("{name}: no header"));
            let expected = expected.to_string();
            (name, text, expected)
        })
        .collect()
}

/// A diagnostic as the headers write it: `LINE:COLUMN: message (hint: …)`.
fn as_header(d: &Located) -> String {
    let s = d.to_string();
    let rest = s
        .split_once(": error: ")
        .or_else(|| s.split_once(": warning: "))
        .map_or("", |(_, r)| r);
    format!("{}:{}: {rest}", d.line, d.column)
}

#[test]
fn every_bad_input_is_refused_where_and_how_its_header_says() {
    let files = corpus("tests/bad_inputs");
    assert!(
        files.len() >= 60,
        "the corpus has only {} files",
        files.len()
    );
    for (name, text, expected) in files {
        let outcome = std::panic::catch_unwind(|| load_str(&name, &text))
            .unwrap_or_else(|_| panic!("{name}: panicked"));
        let Err(err) = outcome else {
            panic!("{name}: accepted")
        };
        let diags = err.diagnostics();
        assert!(
            diags.iter().any(|d| d.severity == Severity::Error),
            "{name}: no error"
        );
        for d in diags {
            assert!(
                d.file == name && d.line >= 1 && d.column >= 1 && !d.message.is_empty(),
                "{name}: unlocated {d:?}"
            );
        }
        let rendered: Vec<String> = diags.iter().map(as_header).collect();
        assert!(
            rendered.contains(&expected),
            "{name}: expected `{expected}`, got {rendered:#?}"
        );
    }
}

#[test]
fn inconsistent_designs_load_with_the_located_warning_their_header_names() {
    let files = corpus("tests/bad_inputs/warnings");
    assert!(!files.is_empty());
    for (name, text, expected) in files {
        let loaded = load_str(&name, &text).unwrap_or_else(|e| panic!("{name}: refused: {e}"));
        let rendered: Vec<String> = loaded.warnings.iter().map(as_header).collect();
        assert!(
            rendered.contains(&expected),
            "{name}: expected `{expected}`, got {rendered:#?}"
        );
    }
}
