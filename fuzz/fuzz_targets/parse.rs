//! The scenario parser and resolver never panic, and any accepted document survives a round trip:
//! written back as RON, it parses to an equal document.
#![no_main]

use azpath_engine::scenario::{parse, to_ron, SourceFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(document) = parse(&SourceFile::new("fuzz.ron", text)) else { return };
    let _ = azpath_engine::model::resolve(&document);
    let written = to_ron(&document).expect("an accepted document can be written");
    let again = parse(&SourceFile::new("again.ron", written.clone()))
        .unwrap_or_else(|e| panic!("round trip failed: {e}\n{written}"));
    assert_eq!(again, document, "round trip changed the document");
});
