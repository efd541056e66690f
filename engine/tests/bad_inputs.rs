//! The bad-input corpus. Every file in `tests/bad_inputs/` is refused, without a panic, with every
//! diagnostic located, and with the error its first line names
//! (`// expect: LINE:COLUMN: message (hint: …)`). Files in `tests/bad_inputs/warnings/` describe
//! designs Azure accepts but that cannot work: they load, with the warning their first line names.

use std::path::Path;

use azpath_engine::diag::{Located, Severity};
use azpath_engine::LoadError;
use azpath_engine::{load_bytes, load_file, load_file_within, MAX_EXTENDS_DEPTH};

/// Every file of a corpus folder: its name, bytes and expected diagnostic. Files are read as
/// bytes: some are not UTF-8, start with a byte order mark or end lines with `\r` alone, and
/// the header is the text before the first line end of any kind.
fn corpus(folder: &str) -> Vec<(String, Vec<u8>, String)> {
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
            let bytes = std::fs::read(&file).unwrap();
            let name = file.file_name().unwrap().to_string_lossy().to_string();
            let expected = header(&bytes).unwrap_or_else(|| panic!("{name}: no header"));
            (name, bytes, expected)
        })
        .collect()
}

/// The `// expect: …` first line of a corpus file.
fn header(bytes: &[u8]) -> Option<String> {
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(bytes);
    let end = bytes
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(bytes.len());
    let line = std::str::from_utf8(&bytes[..end]).ok()?;
    Some(line.strip_prefix("// expect: ")?.to_string())
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
    for (name, bytes, expected) in files {
        let outcome = std::panic::catch_unwind(|| load_bytes(&name, bytes.clone()))
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
    for (name, bytes, expected) in files {
        let loaded = load_bytes(&name, bytes).unwrap_or_else(|e| panic!("{name}: refused: {e}"));
        let rendered: Vec<String> = loaded.warnings.iter().map(as_header).collect();
        assert!(
            rendered.contains(&expected),
            "{name}: expected `{expected}`, got {rendered:#?}"
        );
    }
}

/// Every case folder of `tests/bad_inputs/variants/`: its `variant.ron` (which extends the
/// other files of the folder) is refused with the error its header names, as
/// `FILE:LINE:COLUMN: message`, `DIR` standing for the folder.
#[test]
fn every_bad_variant_is_refused_in_the_file_its_header_names() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs/variants");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 7, "only {} cases", cases.len());
    for dir in cases {
        let variant = dir.join("variant.ron");
        let expected = header(&std::fs::read(&variant).unwrap())
            .unwrap()
            .replace("DIR", &dir.display().to_string());
        let Err(err) = load_file(&variant) else {
            panic!("{}: accepted", dir.display())
        };
        let rendered: Vec<String> = err
            .diagnostics()
            .iter()
            .map(|d| {
                let file = Path::new(&d.file).file_name().unwrap().to_string_lossy();
                format!("{file}:{}", as_header(d))
            })
            .collect();
        assert!(
            rendered.contains(&expected),
            "{}: expected `{expected}`, got {rendered:#?}",
            dir.display()
        );
    }
}

/// A scratch folder holding a chain of `n` files: `v{n-1}.ron` extends … `v1.ron` extends the
/// base `v0.ron`. Returns the top file.
fn chain(name: &str, n: usize) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("azpath-chain-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("v0.ron"),
        r#"Scenario(title: "v0", vnets: [(name: "hub", region: "eastus", address_space: ["10.0.0.0/16"])])"#,
    )
    .unwrap();
    for i in 1..n {
        let text = format!(
            "Scenario(extends: \"v{}.ron\", title: \"v{i}\",\n  vnets: [(name: \"hub\", region: \"eastus\", address_space: [\"10.0.0.0/16\"], subnets: [(name: \"s{i}\", prefix: \"10.0.{i}.0/24\")])])",
            i - 1
        );
        std::fs::write(dir.join(format!("v{i}.ron")), text).unwrap();
    }
    dir.join(format!("v{}.ron", n - 1))
}

#[test]
fn an_extends_chain_of_the_documented_depth_loads() {
    let top = chain("deepest", MAX_EXTENDS_DEPTH);
    let loaded = load_file(&top).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.network.title, format!("v{}", MAX_EXTENDS_DEPTH - 1));
    assert_eq!(loaded.network.subnets.len(), MAX_EXTENDS_DEPTH - 1);
}

#[test]
fn an_extends_chain_deeper_than_the_limit_is_refused_naming_the_chain() {
    let top = chain("too-deep", MAX_EXTENDS_DEPTH + 1);
    let Err(LoadError::Invalid(d)) = load_file(&top) else {
        panic!("a chain of {} files loaded", MAX_EXTENDS_DEPTH + 1)
    };
    assert_eq!(d.len(), 1);
    let d = &d[0];
    assert!(d.file.ends_with("v1.ron"), "{d}");
    assert_eq!((d.line, d.column), (1, 19), "{d}");
    assert!(
        d.message.starts_with(&format!(
            "`extends` chain longer than {MAX_EXTENDS_DEPTH} files"
        )),
        "{d}"
    );
    assert!(
        d.message.contains("v32.ron` extends") && d.message.ends_with("v0.ron`"),
        "{d}"
    );
}

#[test]
fn a_chain_of_1400_files_is_refused_without_overflowing_the_stack() {
    let top = chain("huge", 1400);
    let started = std::time::Instant::now();
    let Err(LoadError::Invalid(d)) = load_file(&top) else {
        panic!("a chain of 1400 files loaded")
    };
    assert!(d[0].message.contains("longer than"), "{}", d[0]);
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
}

#[test]
fn a_variant_switch_set_to_false_wins_and_unmentioned_switches_keep_the_base() {
    let dir = std::env::temp_dir().join(format!("azpath-switches-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("base.ron"),
        "Scenario(assumptions: (extra_reserved_prefixes: true, bgp_default_route_removes_reserved_routes: true))",
    )
    .unwrap();
    std::fs::write(
        dir.join("variant.ron"),
        "Scenario(extends: \"base.ron\", assumptions: (bgp_default_route_removes_reserved_routes: false))",
    )
    .unwrap();
    let net = load_file(&dir.join("variant.ron")).unwrap().network;
    assert!(net.assumptions.extra_reserved_prefixes);
    assert!(!net.assumptions.bgp_default_route_removes_reserved_routes);
}

#[cfg(unix)]
#[test]
fn a_scenario_that_never_ends_is_refused_as_too_large() {
    let started = std::time::Instant::now();
    let Err(LoadError::Invalid(d)) = load_file(Path::new("/dev/zero")) else {
        panic!("/dev/zero loaded")
    };
    assert_eq!(
        (d[0].file.as_str(), d[0].line, d[0].column),
        ("/dev/zero", 1, 1)
    );
    assert!(
        d[0].message.contains(&format!(
            "larger than {} bytes",
            azpath_engine::scenario::MAX_FILE_BYTES
        )),
        "{}",
        d[0]
    );
    assert!(started.elapsed().as_secs() < 10);
}

#[test]
fn a_variant_and_its_bases_share_one_size_limit() {
    let dir = std::env::temp_dir().join(format!("azpath-chain-size-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Two files of 9 MiB: each under a 16 MiB limit, together over it.
    let limit = 16 * 1024 * 1024;
    let pad = " ".repeat(9 * 1024 * 1024);
    std::fs::write(dir.join("base.ron"), format!("Scenario(){pad}")).unwrap();
    std::fs::write(
        dir.join("variant.ron"),
        format!("Scenario(extends: \"base.ron\"){pad}"),
    )
    .unwrap();
    assert!(load_file_within(&dir.join("base.ron"), limit).is_ok());
    let Err(LoadError::Invalid(d)) = load_file_within(&dir.join("variant.ron"), limit) else {
        panic!("18 MiB loaded")
    };
    assert!(
        load_file(&dir.join("variant.ron")).is_ok(),
        "the default bound is larger"
    );
    assert!(d[0].file.ends_with("base.ron"), "{}", d[0]);
    assert!(
        d[0].message.contains("with the files it extends"),
        "{}",
        d[0]
    );
}

#[test]
fn a_scenario_over_the_given_bound_is_refused_and_a_larger_bound_admits_it() {
    let dir = std::env::temp_dir().join(format!("azpath-bound-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("padded.ron");
    std::fs::write(&path, format!("Scenario(){}", " ".repeat(4000))).unwrap();
    let Err(LoadError::Invalid(d)) = load_file_within(&path, 1000) else {
        panic!("4 kB loaded within 1,000 bytes")
    };
    assert!(d[0].message.contains("larger than 1000 bytes"), "{}", d[0]);
    assert!(load_file_within(&path, 5000).is_ok());
}

#[cfg(unix)]
#[test]
fn a_variant_never_reads_a_device_as_its_base() {
    let dir = std::env::temp_dir().join(format!("azpath-device-base-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let _ = std::fs::remove_file(dir.join("zero.ron"));
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.ron")).unwrap();
    std::fs::write(dir.join("variant.ron"), "Scenario(extends: \"zero.ron\")").unwrap();
    let Err(LoadError::Invalid(d)) = load_file(&dir.join("variant.ron")) else {
        panic!("loaded")
    };
    assert_eq!((d[0].line, d[0].column), (1, 19), "{}", d[0]);
    assert!(
        d[0].message.ends_with("zero.ron` is not a regular file"),
        "{}",
        d[0]
    );
}
