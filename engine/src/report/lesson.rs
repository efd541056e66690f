//! A scenario as a lesson for a classroom screen: the title, the story, the takeaway, then each
//! question with its answer and the narrative that explains it. Plain text, no colour, wrapped
//! to 96 columns so it reads on a projector and in a terminal alike.

use std::fmt::Write as _;

use crate::expect::{CheckReport, Outcome};
use crate::model::Network;
use crate::scenario::SourceFile;

const WIDTH: usize = 96;

/// Wraps `text` to [`WIDTH`] columns.
fn wrap(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > WIDTH {
            out += &line;
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line += word;
    }
    out += &line;
    out.push('\n');
    out
}

/// The whole lesson.
pub fn lesson(net: &Network, report: &CheckReport, file: &SourceFile) -> String {
    let mut out = String::new();
    let title = if net.title.is_empty() {
        file.name.clone()
    } else {
        net.title.clone()
    };
    out += &wrap(&title);
    let _ = writeln!(out, "{}\n", "=".repeat(title.len().min(WIDTH)));
    if let Some(story) = &net.story {
        out += &wrap(story);
        out.push('\n');
    }
    if let Some(takeaway) = &net.takeaway {
        out += &wrap(&format!("Takeaway: {takeaway}"));
        out.push('\n');
    }
    let sources = super::lesson_notes::sources(&file.text);
    if !sources.is_empty() {
        out += "Sources:\n";
        for s in &sources {
            match &s.title {
                Some(t) => {
                    let _ = writeln!(out, "  - {t}: {}", s.url);
                }
                None => {
                    let _ = writeln!(out, "  - {}", s.url);
                }
            }
        }
        out.push('\n');
    }
    for (i, r) in report.results.iter().enumerate() {
        let (line, _) = file.line_col(r.span.start);
        let asked = super::text::asked(&r.question);
        let _ = writeln!(out, "Question {} (line {line}): {asked}", i + 1);
        if let Some(note) = super::lesson_notes::comment_above(&file.text, r.span.start) {
            out += &wrap(&format!("Note: {note}"));
        }
        let verdict = match &r.outcome {
            Outcome::Pass => "as the scenario expects".to_string(),
            Outcome::Fail { problems } => {
                format!(
                    "NOT as the scenario expects ({} difference(s))",
                    problems.len()
                )
            }
            Outcome::Skipped { reason } => {
                format!("not evaluated: {}", super::text::skip_reason(*reason))
            }
        };
        let _ = writeln!(out, "Answer: {verdict}");
        if let Some(e) = &r.evidence {
            out += &super::text::evidence(e);
        }
        out.push('\n');
    }
    out
}
