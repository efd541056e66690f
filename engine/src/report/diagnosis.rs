//! A diagnosis as text: the checklist step by step, the root cause, and the verified fixes.

use std::fmt::Write;

use crate::analysis::diagnose::{Diagnosis, Status};
use crate::analysis::suggest::Suggestions;

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
            "{}. [{mark}] {}: {}",
            super::terminal::pad_start(&(i + 1).to_string(), 2),
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
        let _ = writeln!(out, "\n{}. {}", i + 1, k.summary);
        let _ = writeln!(out, "   after: {} -> {}", k.flow, k.verdict);
        for cmd in &k.az {
            let _ = writeln!(out, "   $ {cmd}");
        }
        if !k.also_changes.is_empty() {
            let _ = writeln!(out, "   also changes (questions that state this flow's failure, or the same client's failures it now delivers):");
            for q in &k.also_changes {
                let _ = writeln!(out, "     - {}", super::text::asked(q));
            }
        }
    }
    for (fix, q) in &s.rejected_for_regressions {
        let _ = writeln!(out, "\nRefused: {fix} (breaks: {})", super::text::asked(q));
    }
    out
}
