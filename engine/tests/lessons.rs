//! The scenario library as lessons: each one tells a story, cites the Azure documentation it
//! rests on, states its takeaway, is listed in `scenarios/README.md`, and the rendered lesson
//! (every question's answer and narrative) is a reviewed snapshot, so that any change in an
//! explanation shows up in review.

use std::path::Path;

use azpath_engine::{expect, load_file, report};

use super::scenarios::all;

fn relative(file: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    file.strip_prefix(&root)
        .unwrap_or(file)
        .display()
        .to_string()
}

#[test]
fn every_lesson_tells_a_story_cites_azure_and_has_a_takeaway() {
    let files = all();
    assert!(files.len() >= 30, "the library has {} lessons", files.len());
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let loaded = load_file(file).unwrap();
        let name = relative(file);
        assert!(loaded.network.story.is_some(), "{name}: no story");
        assert!(loaded.network.takeaway.is_some(), "{name}: no takeaway");
        assert!(
            text.contains("https://learn.microsoft.com/"),
            "{name}: cites no Microsoft Learn page"
        );
        assert!(!loaded.network.questions.is_empty(), "{name}: asks nothing");
    }
}

#[test]
fn the_index_lists_every_lesson_with_its_title_and_takeaway() {
    let index = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/README.md"),
    )
    .unwrap();
    for file in all() {
        let loaded = load_file(&file).unwrap();
        let name = relative(&file);
        assert!(index.contains(&format!("({name})")), "index misses {name}");
        assert!(
            index.contains(&loaded.network.title),
            "index has a stale title for {name}"
        );
        let takeaway = loaded.network.takeaway.unwrap_or_default();
        assert!(
            index.contains(&takeaway),
            "index has a stale takeaway for {name}"
        );
    }
}

#[test]
fn every_lesson_renders_as_its_reviewed_snapshot() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("../../scenarios/snapshots");
    settings.bind(|| {
        for file in all() {
            let loaded = load_file(&file).unwrap();
            let report = expect::check(&loaded.network, loaded.dataplane());
            let text = report::lesson::lesson(&loaded.network, &report, &loaded.source);
            let name = relative(&file).trim_end_matches(".ron").replace('/', "__");
            insta::assert_snapshot!(name, text);
        }
    });
}
