//! What text output needs before it reaches a terminal: names escaped so that none can move the
//! cursor, hide itself or reorder the line, and columns padded by hand (a width argument to
//! `format!` panics past 65,535).

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every character that could rewrite or disguise a terminal line shown as an
/// escape `\u{…}`: control characters (C0 except newline and tab, DEL, C1), line and paragraph
/// separators, zero-width, bidirectional and other invisible format characters. Everything else,
/// non-ASCII letters included, is kept as it is. Borrows when nothing needs escaping.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` as one table cell or one line: like [`escape`], and a newline or tab inside it is
/// shown as an escape too, so a name cannot break a row or a column.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| needs_escape(c) || c == '\n' || c == '\t')
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Whether `c` must not reach a terminal raw.
pub fn needs_escape(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        c if c.is_control() => true,
        _ => is_invisible_format(c),
    }
}

/// Unicode's invisible format characters (general category Cf, line and paragraph separators,
/// and the Hangul fillers that render as nothing): zero-width spaces and joiners, bidirectional
/// marks, embeddings, overrides and isolates, the byte-order mark, tag characters.
fn is_invisible_format(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

/// `cell` followed by spaces up to `width` characters (nothing when it is already as wide).
pub fn pad_end(cell: &str, width: usize) -> String {
    let len = cell.chars().count();
    let mut out = String::with_capacity(cell.len() + width.saturating_sub(len));
    out.push_str(cell);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(len)));
    out
}

/// Spaces before `cell` up to `width` characters.
pub fn pad_start(cell: &str, width: usize) -> String {
    let len = cell.chars().count();
    let mut out: String = std::iter::repeat_n(' ', width.saturating_sub(len)).collect();
    out.push_str(cell);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_right_to_left_override_is_shown_as_an_escape() {
        assert_eq!(escape("vm-\u{202e}gpj.exe"), "vm-\\u{202e}gpj.exe");
    }

    #[test]
    fn escape_sequences_and_carriage_returns_cannot_reach_the_terminal() {
        assert_eq!(escape("a\u{1b}[2Jb\rc"), "a\\u{1b}[2Jb\\u{d}c");
        assert_eq!(escape("x\u{7f}\u{9b}y"), "x\\u{7f}\\u{9b}y");
    }

    #[test]
    fn zero_width_and_isolate_characters_are_shown_as_escapes() {
        for c in [
            '\u{200b}',
            '\u{200d}',
            '\u{2066}',
            '\u{2069}',
            '\u{feff}',
            '\u{e0041}',
        ] {
            let s = format!("a{c}b");
            assert_eq!(escape(&s), format!("a\\u{{{:x}}}b", u32::from(c)));
        }
    }

    #[test]
    fn layout_and_ordinary_letters_are_kept() {
        let s = "hub/spoke\tZürich 東京 —\n";
        assert!(matches!(escape(s), Cow::Borrowed(_)));
    }

    #[test]
    fn a_line_break_inside_a_cell_is_shown_as_an_escape() {
        assert_eq!(one_line("a\nb\tc\u{202e}"), "a\\nb\\tc\\u{202e}");
        assert!(matches!(one_line("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn padding_a_cell_wider_than_a_format_width_does_not_panic() {
        let cell = "x".repeat(70_000);
        assert_eq!(pad_end(&cell, 70_005).len(), 70_005);
        assert_eq!(pad_start("7", 3), "  7");
        assert_eq!(pad_end("long", 2), "long");
    }
}
