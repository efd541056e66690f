//! What a lesson says in its comments: the sources its header cites (Microsoft Learn pages and
//! field write-ups, as `"Title" (https://…)`), and the comment written above each question.
//! Comments are part of the lesson as written, so `explain` shows them beside the answers.

/// A source a lesson cites.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// The page's title, as quoted before the address (`None`: none quoted).
    pub title: Option<String>,
    /// The address.
    pub url: String,
}

/// A comment line's text (`// text` → `text`), or `None` for any other line.
fn comment(line: &str) -> Option<&str> {
    line.trim_start().strip_prefix("//").map(str::trim)
}

/// The comment lines at the top of `text`, before its first other line (blank lines end
/// nothing; they are skipped).
pub fn header(text: &str) -> Vec<String> {
    text.lines()
        .take_while(|l| l.trim().is_empty() || comment(l).is_some())
        .filter_map(comment)
        .map(str::to_string)
        .collect()
}

/// Every `https://` address cited in the header, once each in order, with the quoted title
/// written before it in the same header, if any.
pub fn sources(text: &str) -> Vec<Source> {
    let joined = header(text).join(" ");
    let mut out: Vec<Source> = Vec::new();
    let mut from = 0;
    while let Some(at) = joined.get(from..).and_then(|rest| rest.find("https://")) {
        let start = from + at;
        let rest = joined.get(start..).unwrap_or_default();
        let len = rest
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '"' | '>' | ','))
            .unwrap_or(rest.len());
        let url = rest
            .get(..len)
            .unwrap_or_default()
            .trim_end_matches('.')
            .to_string();
        let before = joined.get(from..start).unwrap_or_default();
        let title = quoted_last(before);
        if !out.iter().any(|s| s.url == url) {
            out.push(Source { title, url });
        }
        from = start + len.max(1);
    }
    out
}

/// The last `"…"` quoted in `text`.
fn quoted_last(text: &str) -> Option<String> {
    let end = text.rfind('"')?;
    let start = text.get(..end)?.rfind('"')?;
    let inner = text.get(start + 1..end)?.trim();
    (!inner.is_empty()).then(|| inner.to_string())
}

/// The comment written directly above the line holding `offset` (consecutive `//` lines, in
/// order), joined into one text; `None` when the line above is not a comment.
pub fn comment_above(text: &str, offset: usize) -> Option<String> {
    let before = text.get(..offset)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let above = text.get(..line_start)?;
    let mut lines: Vec<&str> = above
        .lines()
        .rev()
        .map_while(comment)
        .filter(|c| !c.is_empty())
        .collect();
    lines.reverse();
    (!lines.is_empty()).then(|| lines.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LESSON: &str = "// A lesson.\n// Azure: \"Private endpoint DNS\"\n// (https://learn.microsoft.com/azure/private-link/private-endpoint-dns) and\n// https://example.org/x.\nScenario(\n    questions: [\n        // From the hub it works,\n        // which is why.\n        Trace(from: \"a\", to: \"b\"),\n        Trace(from: \"c\", to: \"d\"),\n    ],\n)\n";

    #[test]
    fn the_header_cites_each_source_once_with_its_quoted_title() {
        let s = sources(LESSON);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].title.as_deref(), Some("Private endpoint DNS"));
        assert_eq!(
            s[0].url,
            "https://learn.microsoft.com/azure/private-link/private-endpoint-dns"
        );
        assert_eq!(s[1].title, None);
        assert_eq!(s[1].url, "https://example.org/x");
    }

    #[test]
    fn a_questions_comment_is_the_comment_lines_right_above_it() {
        let first = LESSON.find("Trace(from: \"a\"").unwrap();
        assert_eq!(
            comment_above(LESSON, first).as_deref(),
            Some("From the hub it works, which is why.")
        );
        let second = LESSON.find("Trace(from: \"c\"").unwrap();
        assert_eq!(comment_above(LESSON, second), None);
    }
}
