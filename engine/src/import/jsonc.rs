//! Reading a JSON file as Azure Resource Manager does: JSON with `//` and `/* */` comments,
//! trailing commas and strings that run over several lines, all of which ARM accepts in a
//! template or a parameter file ("You can add comments… and multi-line strings", Learn: ARM
//! template syntax, <https://learn.microsoft.com/azure/azure-resource-manager/templates/syntax#comments-and-metadata>
//! and <https://learn.microsoft.com/azure/azure-resource-manager/templates/syntax#multi-line-strings>).
//! The parser is `jsonc-parser`; nothing else JSON5 allows (single quotes, hexadecimal,
//! unquoted keys, missing commas) is accepted, since ARM refuses it too.

use serde_json::Value;

/// A file that is not JSON, located where the parser stopped, as an editor counts lines.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: error: {message}")]
pub struct ReadError {
    /// The file.
    pub file: String,
    /// The line (1-based).
    pub line: usize,
    /// The column (1-based, in characters).
    pub column: usize,
    /// What is wrong, on one line.
    pub message: String,
}

/// The options ARM's reader matches.
fn options() -> jsonc_parser::ParseOptions {
    jsonc_parser::ParseOptions {
        allow_comments: true,
        allow_loose_object_property_names: false,
        allow_trailing_commas: true,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Parses one file's text, an error located at its line and column (1-based, in characters).
pub(super) fn parse(file: &str, text: &str) -> Result<Value, ReadError> {
    match jsonc_parser::parse_to_serde_value::<Value>(text, &options()) {
        Ok(v) => Ok(v),
        Err(e) => {
            // The serde path reports some errors (an early end) without a place; the syntax
            // tree parser locates them.
            let e = match jsonc_parser::parse_to_value(text, &options()) {
                Err(located) => located,
                Ok(_) => e,
            };
            let (line, column) =
                crate::scenario::SourceFile::new(file, text).line_col(e.range().start);
            Err(ReadError {
                file: file.to_string(),
                line,
                column,
                message: format!("not JSON: {}", e.kind()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_trailing_commas_are_accepted_as_arm_accepts_them() {
        let text =
            "{\n  // a line comment\n  \"a\": [1, 2,], /* block */\n  \"b\": {\"c\": true,},\n}";
        let v = parse("t.json", text).unwrap();
        assert_eq!(v, serde_json::json!({"a": [1, 2], "b": {"c": true}}));
    }

    #[test]
    fn a_string_over_several_lines_keeps_its_line_breaks() {
        let text = "{\"e\": \"[concat(\n  'a',\n  'b')]\"}";
        let v = parse("t.json", text).unwrap();
        assert_eq!(v["e"], "[concat(\n  'a',\n  'b')]");
    }

    #[test]
    fn what_arm_refuses_is_refused_with_its_line_and_column() {
        for (text, at) in [
            ("{\n  'a': 1}", (2, 3)),
            ("{\"a\": 0x10}", (1, 7)),
            ("{\n\"a\": 1\n\"b\": 2}", (2, 7)),
            ("{\"a\": ", (1, 7)),
        ] {
            let e = parse("t.json", text).unwrap_err();
            assert!(e.message.starts_with("not JSON: "), "{e}");
            assert_eq!((e.line, e.column), at, "{text:?}: {e}");
        }
    }
}
