//! Positions in source text: byte spans, and files that turn them into `file:line:column`.
//!
//! A leaf of the engine: diagnostics, input reading and the scenario format all place what they
//! say with these, and none of them is needed to count lines.

use serde::Serialize;

/// A half-open byte range `start..end` in a scenario file.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    schemars::JsonSchema,
)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

/// A file's text with a line index, to turn byte offsets into 1-based line and column numbers.
///
/// A variant and the files it extends share one offset space: their texts are laid end to end
/// (the base first), each a *part* that keeps its own name, so that a span taken from any of
/// them is located in the file it was written in and lines count from that file's start.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The name used in messages (the path as given); for a variant, the variant's.
    pub name: String,
    /// The whole text (for a variant: every file of the chain, base first).
    pub text: String,
    line_starts: Vec<usize>,
    /// Where each part starts, with its file name; one part for a plain file.
    parts: Vec<(usize, String)>,
}

impl SourceFile {
    /// Indexes `text` for position look-ups.
    /// A lone `\r` (an old Mac line end) becomes `\n`, as long, so that the parser too sees
    /// line ends (a `//` comment ends at one) and every offset stays the same.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = normalise_line_ends(text.into());
        let name = name.into();
        let mut line_starts = vec![0];
        index_lines(&text, 0, &mut line_starts);
        Self {
            parts: vec![(0, name.clone())],
            name,
            text,
            line_starts,
        }
    }

    /// Lays another file's text after this source's, in the same offset space, keeping
    /// `name` for it; the whole keeps its own name. Returns the offset where `text` starts.
    /// The text is appended in place, so a chain of files costs the sum of their sizes.
    pub fn push_part(&mut self, name: impl Into<String>, text: &str) -> usize {
        // A newline between the parts, so that no line runs from one file into the next.
        self.text.push('\n');
        let start = self.text.len();
        self.line_starts.push(start);
        self.text.push_str(&normalise_line_ends(text.to_string()));
        index_lines(text, start, &mut self.line_starts);
        self.parts.push((start, name.into()));
        start
    }

    /// This source followed by another file's text, as one offset space; the new part gives
    /// the whole its name. Returns the offset where `text` starts.
    pub fn append(&self, name: impl Into<String>, text: &str) -> (Self, usize) {
        let mut whole = self.clone();
        whole.name = name.into();
        let start = whole.push_part(whole.name.clone(), text);
        (whole, start)
    }

    /// The text of the last part: the file this source was last extended with.
    pub fn last_part(&self) -> &str {
        let start = self.parts.last().map_or(0, |p| p.0);
        self.text.get(start..).unwrap_or_default()
    }

    /// The part holding byte `offset`: its start and its file name.
    fn part(&self, offset: usize) -> (usize, &str) {
        let i = self.parts.partition_point(|p| p.0 <= offset).max(1);
        self.parts
            .get(i - 1)
            .map_or((0, self.name.as_str()), |(s, n)| (*s, n.as_str()))
    }

    /// The file byte `offset` was written in.
    pub fn name_at(&self, offset: usize) -> &str {
        self.part(offset.min(self.text.len())).1
    }

    /// The 1-based line and column (in characters) of byte `offset`, in the file it belongs to.
    /// Lines end at `\n`, `\r\n` or a lone `\r` (old Mac files), as editors count them.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let (part_start, _) = self.part(offset);
        let first = self
            .line_starts
            .partition_point(|&s| s <= part_start)
            .max(1);
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(1, |prefix| prefix.chars().count() + 1);
        (line + 1 - first, column)
    }
}

/// `text` with every lone `\r` replaced by `\n` (same length, so offsets do not move).
fn normalise_line_ends(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut bytes = text.into_bytes();
    for i in 0..bytes.len() {
        if bytes.get(i) == Some(&b'\r') && bytes.get(i + 1) != Some(&b'\n') {
            if let Some(b) = bytes.get_mut(i) {
                *b = b'\n';
            }
        }
    }
    // Only ASCII bytes were replaced by ASCII bytes, so the text is still UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Records, for `text` laid at `base`, the offset after every line end: `\n`, `\r\n` (one
/// line end) and a lone `\r`.
fn index_lines(text: &str, base: usize, line_starts: &mut Vec<usize>) {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let ends = match b {
            b'\n' => true,
            b'\r' => bytes.get(i + 1) != Some(&b'\n'),
            _ => false,
        };
        if ends {
            line_starts.push(base + i + 1);
        }
    }
}

/// The largest char boundary of `text` at or before `offset`.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    (0..=offset)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0)
}

/// The byte offset in `text` of a position as `ron` counts it: 1-based lines ended by `\n`
/// alone and 1-based columns in characters. A position past the end gives the text's length.
pub(crate) fn offset_of_ron_position(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for _ in 1..line {
        match text.get(offset..).and_then(|rest| rest.find('\n')) {
            Some(i) => offset += i + 1,
            None => return text.len(),
        }
    }
    let rest = text.get(offset..).unwrap_or_default();
    offset
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_and_in_characters() {
        let file = SourceFile::new("x.ron", "ab\n\u{e9}cd\n");
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(1), (1, 2));
        assert_eq!(file.line_col(3), (2, 1));
        assert_eq!(file.line_col(5), (2, 2)); // after the two-byte é
        assert_eq!(file.line_col(999), (3, 1));
    }

    #[test]
    fn appended_parts_keep_their_own_names_and_lines() {
        let base = SourceFile::new("base.ron", "a\nb");
        let (whole, start) = base.append("variant.ron", "x\ny\nz");
        assert_eq!(start, 4);
        assert_eq!(whole.last_part(), "x\ny\nz");
        assert_eq!((whole.name_at(2), whole.line_col(2)), ("base.ron", (2, 1)));
        assert_eq!(
            (whole.name_at(4), whole.line_col(4)),
            ("variant.ron", (1, 1))
        );
        assert_eq!(
            (whole.name_at(8), whole.line_col(8)),
            ("variant.ron", (3, 1))
        );
    }

    #[test]
    fn lone_carriage_returns_and_crlf_end_lines_as_editors_show_them() {
        let old_mac = SourceFile::new("mac.ron", "a\rbc\rd");
        assert_eq!(old_mac.line_col(2), (2, 1));
        assert_eq!(old_mac.line_col(3), (2, 2));
        assert_eq!(old_mac.line_col(5), (3, 1));
        let windows = SourceFile::new("win.ron", "a\r\nbc\r\nd");
        assert_eq!(windows.line_col(3), (2, 1));
        assert_eq!(windows.line_col(7), (3, 1));
    }
}
