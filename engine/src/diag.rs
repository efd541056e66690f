//! Diagnostics: what is wrong with an input, where, and what to do about it.
//!
//! One style for every message: lower case, one line, names in backticks, a hint when there is
//! something useful to suggest. Positions are byte spans until a [`SourceFile`] turns them into
//! `file:line:column`.

use std::fmt;

use serde::Serialize;

use crate::span::{SourceFile, Span};

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input is refused.
    Error,
    /// The input is accepted; something in it is ignored or suspicious.
    Warning,
}

/// A problem found in a scenario, located by byte span.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where in the file.
    pub span: Span,
    /// What is wrong, naming the offending value.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            span,
            message: message.into(),
            hint: None,
        }
    }

    /// A warning at `span`.
    pub fn warning(span: Span, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(span, message)
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a hint when there is one.
    pub fn with_hint_opt(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    /// Places the diagnostic in `file`.
    pub fn locate(&self, file: &SourceFile) -> Located {
        let (line, column) = file.line_col(self.span.start);
        Located {
            file: file.name_at(self.span.start).to_string(),
            line,
            column,
            severity: self.severity,
            message: self.message.clone(),
            hint: self.hint.clone(),
        }
    }
}

/// A diagnostic placed at `file:line:column`, ready to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Located {
    /// The file as named on the command line.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {severity}: {}",
            self.file, self.line, self.column, self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// The candidate closest to `wanted`, when one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wanted_lower = wanted.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&wanted_lower, &c.to_lowercase()),
                c,
            )
        })
        .filter(|(distance, c)| *distance <= (c.chars().count().max(wanted.len()) / 3).max(2))
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// A hint for an unknown name: the likely intended one, or the list of what exists.
pub fn unknown_name_hint<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
    kind: &str,
) -> String {
    match did_you_mean(wanted, candidates.clone()) {
        Some(best) => format!("did you mean `{best}`?"),
        None => {
            let mut all: Vec<&str> = candidates.into_iter().collect();
            all.sort_unstable();
            if all.is_empty() {
                format!("no {kind} is declared")
            } else {
                let shown: Vec<String> = all.iter().take(8).map(|c| format!("`{c}`")).collect();
                let more = if all.len() > 8 { ", …" } else { "" };
                format!("known {kind} names: {}{more}", shown.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_a_close_typo_only() {
        let names = ["rt-spoke", "rt-hub", "rt-firewall"];
        assert_eq!(did_you_mean("rt-spok", names), Some("rt-spoke"));
        assert_eq!(did_you_mean("RT-HUB", names), Some("rt-hub"));
        assert_eq!(did_you_mean("completely-different", names), None);
    }

    #[test]
    fn unknown_name_hint_lists_names_when_nothing_is_close() {
        let hint = unknown_name_hint("zzz", ["b", "a"], "route table");
        assert_eq!(hint, "known route table names: `a`, `b`");
        assert_eq!(unknown_name_hint("zzz", [], "vnet"), "no vnet is declared");
    }

    #[test]
    fn located_renders_on_one_line_with_file_line_column() {
        let file = SourceFile::new("s.ron", "(\n  x: 1)\n");
        let d = Diagnostic::error(Span { start: 4, end: 5 }, "unknown thing `x`").with_hint("h");
        assert_eq!(
            d.locate(&file).to_string(),
            "s.ron:2:3: error: unknown thing `x` (hint: h)"
        );
    }
}
