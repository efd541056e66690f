//! A diagnosis as text: the checklist step by step, the root cause, and the verified fixes.

use std::fmt::Write;

use super::fix::{az, one_line, summary};
use crate::analysis::diagnose::{Diagnosis, Status};
use crate::analysis::suggest::{variant, Suggestion, Suggestions};
use crate::scenario::{self, Document};

/// Renders the checklist and its root cause.
pub fn diagnosis(d: &Diagnosis) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Diagnosis of {}", d.flow);
    let _ = writeln!(out, "Verdict: {}", d.verdict);
    let _ = writeln!(out, "Symptom: {}\n", d.symptom);
    for (i, f) in d.findings.iter().enumerate() {
        let mark = match f.status {
            Status::Pass => "ok  ",
            Status::Fail => "FAIL",
            Status::Warn => "warn",
            Status::NotApplicable => "n/a ",
        };
        let _ = writeln!(
            out,
            "{:>2}. [{mark}] {}: {}",
            i + 1,
            f.step.title(),
            f.evidence
        );
    }
    match &d.root_cause {
        Some(f) => {
            let _ = writeln!(out, "\nRoot cause ({}): {}", f.step.title(), f.evidence);
        }
        None => out += "\nNo step fails: the flow works.\n",
    }
    out
}

/// Renders the diagnosis followed by the fixes that were verified.
pub fn suggestions(s: &Suggestions) -> String {
    let mut out = diagnosis(&s.diagnosis);
    if !s.diagnosis.needs_fix() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nFixes: {} candidate change(s) tried, {} make the flow work without breaking another question{}",
        s.tried,
        s.kept.len(),
        if s.kept.is_empty() { "." } else { ":" }
    );
    for (i, k) in s.kept.iter().enumerate() {
        let _ = writeln!(out, "\n{}. {}", i + 1, summary(&k.fix));
        let _ = writeln!(out, "   after: {} -> {}", k.flow, k.verdict.describe());
        for cmd in az(&k.fix) {
            let _ = writeln!(out, "   $ {cmd}");
        }
        if !k.also_changes.is_empty() {
            let _ = writeln!(out, "   also changes (questions that state this flow's failure, or the same client's failures it now delivers):");
            for q in &k.also_changes {
                let _ = writeln!(out, "     - {q}");
            }
        }
    }
    for r in &s.rejected_for_regressions {
        let _ = writeln!(out, "\nRefused: {} (breaks: {})", summary(&r.fix), r.breaks);
    }
    out
}

/// A kept suggestion as the text of a variant file extending `base`: a one-line comment saying
/// what the fix is, then the variant (its title and takeaway the fix's sentence). Every name is
/// written by the RON serializer or, in the comment, with its control characters escaped, so
/// no name can break the file.
pub fn variant_file(base: &str, original: &Document, s: &Suggestion) -> Result<String, ron::Error> {
    let sentence = summary(&s.fix);
    let mut doc = variant(base, original, s);
    doc.title = format!("Fix: {sentence}");
    doc.takeaway = Some(sentence.clone());
    let text = scenario::to_ron(&doc)?;
    Ok(format!(
        "// A fix azpath verified by re-simulation: {}.\n{text}\n",
        one_line(&sentence)
    ))
}
