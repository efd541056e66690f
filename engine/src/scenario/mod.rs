//! Stage 1: the scenario file format. Reads RON text into a [`Document`] with source spans,
//! and nothing more: names are not resolved and addresses not parsed (that is [`crate::model`]).

mod admin;
mod connectivity;
mod document;
mod firewall;
mod flow_state;
mod load_balancer;
mod names;
mod onprem;
mod questions;
mod security;
mod span;
mod variant;
mod vocab;
mod vwan;

pub use admin::*;
pub use connectivity::*;
pub use document::*;
pub use firewall::*;
pub use flow_state::FlowState;
pub use load_balancer::*;
pub use names::*;
pub use onprem::*;
pub use questions::*;
pub use security::*;
pub use span::{SourceFile, Span, Spanned, Text};
pub use variant::{merge, object_keys};
pub use vocab::NextHopDoc;
pub use vwan::*;

use ron::extensions::Extensions;

use crate::diag::{did_you_mean, Located, Severity};

/// Largest scenario accepted by default, so a runaway input fails with a message instead of
/// memory. It admits a tenant-size estate (16 regions of 250 spokes with 8 subnets each and
/// 8,000 private endpoints is about 15 MB) with room to spare; loading takes time and memory in
/// proportion to the bytes (about 10 bytes of memory per byte of scenario), and
/// [`crate::load_file_within`] takes a larger bound.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// The RON dialect of scenario files: `Some(..)` may be left out around optional values.
pub(crate) fn ron_options() -> ron::Options {
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME)
        .with_recursion_limit(128)
}

/// Parses a scenario file. A syntax or type error is reported at its `file:line:column`.
pub fn parse(file: &SourceFile) -> Result<Document, Located> {
    if file.text.len() > MAX_FILE_BYTES {
        return Err(Located {
            file: file.name.clone(),
            line: 1,
            column: 1,
            severity: Severity::Error,
            message: format!(
                "file is {} bytes, more than the {MAX_FILE_BYTES} bytes a scenario may have",
                file.text.len()
            ),
            hint: Some("split the estate into several scenarios".into()),
        });
    }
    parse_part(file, 0)
}

/// Parses the part of `file` that starts at byte `start` (a variant laid after the files it
/// extends), with spans measured in the whole source so that each locates in its own file.
pub fn parse_part(file: &SourceFile, start: usize) -> Result<Document, Located> {
    let part = file.text.get(start..).unwrap_or_default();
    span::with_source(&file.text, || ron_options().from_str::<Document>(part)).map_err(|e| {
        let (message, hint) = describe(&e.code);
        // `ron` counts lines by `\n` alone; the source's index also knows `\r\n` and `\r`.
        let offset = crate::span::offset_of_ron_position(part, e.span.start.line, e.span.start.col);
        let (line, column) = file.line_col(start + offset);
        Located {
            file: file.name_at(start).to_string(),
            line,
            column,
            severity: Severity::Error,
            message,
            hint,
        }
    })
}

/// Writes a document back as RON text that [`parse`] reads to an equal document.
pub fn to_ron(document: &Document) -> Result<String, ron::Error> {
    let pretty = ron::ser::PrettyConfig::default()
        .struct_names(true)
        .extensions(Extensions::IMPLICIT_SOME);
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME)
        .to_string_pretty(document, pretty)
}

/// Turns a RON error into a one-line, lower-case message and a hint.
fn describe(code: &ron::Error) -> (String, Option<String>) {
    use ron::Error as E;
    let within = |outer: &Option<String>| {
        outer
            .as_deref()
            .map(|o| format!(" in `{o}`"))
            .unwrap_or_default()
    };
    let choices = |found: &str, expected: &[&str], what: &str| {
        did_you_mean(found, expected.iter().copied())
            .map(|best| format!("did you mean `{best}`?"))
            .or_else(|| {
                (!expected.is_empty()).then(|| {
                    let all: Vec<String> = expected.iter().map(|e| format!("`{e}`")).collect();
                    format!("expected {what} {}", all.join(", "))
                })
            })
    };
    // One arm per RON error kind with its message and hint: a table, clearest read whole.
    match code {
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => (
            format!("unknown field `{found}`{}", within(outer)),
            choices(found, expected, "one of"),
        ),
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => (
            format!("unknown value `{found}`{}", within(outer)),
            choices(found, expected, "one of"),
        ),
        E::MissingStructField { field, outer } => (
            format!("missing field `{field}`{}", within(outer)),
            Some(format!("add `{field}: …`")),
        ),
        E::DuplicateStructField { field, outer } => (
            format!("field `{field}` given twice{}", within(outer)),
            Some("keep one of them".into()),
        ),
        E::ExpectedDifferentStructName { expected, found } => (
            format!("expected `{expected}(…)`, found `{found}(…)`"),
            Some(format!("a scenario file starts with `{expected}(`")),
        ),
        E::ExpectedNamedStructLike(name) if *name == "Scenario" => (
            format!("expected `{name}(`"),
            Some(format!("a scenario file starts with `{name}(` and ends with `)`")),
        ),
        E::ExpectedNamedStructLike(_) => (
            "expected a structure `(…)` here".to_string(),
            Some("this value is written `(field: …, …)`".into()),
        ),
        E::ExpectedStructLike => (
            "expected `(`".into(),
            Some("fields go in parentheses, and so does the address of `VirtualAppliance(\"10.0.1.4\")`".into()),
        ),
        E::ExpectedArray => (
            "expected a list".into(),
            Some("a list is written in brackets: `[\"10.0.0.0/16\"]`".into()),
        ),
        E::ExpectedDifferentLength { expected, found } => (
            format!("expected {expected}, found {found} item(s)"),
            Some("a peering names two vnets: `between: (\"hub\", \"spoke\")`".into()),
        ),
        E::ExpectedString | E::ExpectedStringEnd => (
            "expected a string".into(),
            Some("names, addresses and prefixes are written in double quotes".into()),
        ),
        E::ExpectedComma => (
            "expected a comma".into(),
            Some("separate fields and list items with `,`; or a string or bracket before this point is not closed".into()),
        ),
        E::Eof => (
            "the file ends in the middle of the scenario".into(),
            Some("a `(`, `[` or string is left open; close it".into()),
        ),
        E::TrailingCharacters => (
            "text after the scenario's closing `)`".into(),
            Some("remove it, or close the scenario later".into()),
        ),
        E::ExpectedBoolean => (
            "expected `true` or `false`".into(),
            Some(BOOLEAN_HINT.into()),
        ),
        E::IntegerOutOfBounds => (
            "number out of range for this field".into(),
            Some(RANGE_HINT.into()),
        ),
        E::ExceededRecursionLimit => (
            "the value is nested too deeply".into(),
            Some("a scenario nests a few levels; this looks like a generated or broken file".into()),
        ),
        E::Message(m) if m.starts_with("expected string") && m.ends_with("found `None`") => (
            m.clone(),
            Some("leave the field out to not check it: `None` is a value only where Azure has one (the next hop type `None`)".into()),
        ),
        E::ExpectedInteger
        | E::ExpectedFloat
        | E::FloatUnderscore
        | E::UnderscoreAtBeginning
        | E::InvalidIntegerDigit { .. } => (
            lower_first(&code.to_string()),
            Some(NUMBER_HINT.into()),
        ),
        E::InvalidEscape(what) => (
            format!("bad escape in a string: {}", lower_first(what)),
            Some("inside a string, `\\` starts an escape: write `\\\\` for a backslash and `\\\"` for a quote".into()),
        ),
        E::ExpectedChar | E::ExpectedByteLiteral | E::ExpectedByteString => (
            "expected a string".into(),
            Some("names, addresses and prefixes are written in double quotes".into()),
        ),
        E::ExpectedArrayEnd
        | E::ExpectedStructLikeEnd
        | E::ExpectedOptionEnd
        | E::ExpectedMapEnd
        | E::ExpectedAttributeEnd => (
            lower_first(&code.to_string()),
            Some("a bracket opened before this point is closed by another kind, or the value has one item too many".into()),
        ),
        E::ExpectedMap | E::ExpectedMapColon => (
            "expected `:`".into(),
            Some("fields are written `name: value`".into()),
        ),
        E::ExpectedIdentifier | E::InvalidIdentifier(_) | E::ExpectedStructName(_) => (
            "expected a field name or a choice here".into(),
            Some(WORD_HINT.into()),
        ),
        E::SuggestRawIdentifier(word) => (
            format!("`{word}` is not a field name or a choice"),
            Some(WORD_HINT.into()),
        ),
        E::UnexpectedChar(c) => (
            format!("unexpected `{}`", c.escape_debug()),
            Some("remove it: fields and list items are separated by one comma".into()),
        ),
        E::UnclosedBlockComment => (
            "unclosed block comment".into(),
            Some("a comment that starts with `/*` ends with `*/`".into()),
        ),
        E::UnclosedLineComment => (
            "unclosed line comment".into(),
            Some("end the `//` comment with a new line".into()),
        ),
        E::NoSuchExtension(_) | E::ExpectedAttribute => (
            lower_first(&code.to_string()),
            Some("scenario files need no `#![enable(…)]` line (leaving out `Some(…)` is already allowed); remove it".into()),
        ),
        E::Utf8Error(_) => (
            "the text is not UTF-8".into(),
            Some("save the file as UTF-8".into()),
        ),
        E::Message(m) if m == questions::PORT_ZERO => (
            m.clone(),
            Some(format!("a port is 1 to 65535; leave the field out for the flow default ({DEFAULT_PORT}, or {DEFAULT_SOURCE_PORT} for `source_port`)")),
        ),
        E::Message(m) => (lower_first(m), Some(message_hint(m).into())),
        other => (lower_first(&other.to_string()), Some(SYNTAX_HINT.into())),
    }
}

const BOOLEAN_HINT: &str = "write `true` or `false`, without quotes";
const RANGE_HINT: &str = "ports go up to 65535, priorities up to 4096 (NSG) or 65000 (firewall)";
const NUMBER_HINT: &str = "numbers are whole and written in digits, without quotes";
const WORD_HINT: &str =
    "field names and choices such as `VnetLocal` are letters, digits and `_`, without quotes";
const SYNTAX_HINT: &str =
    "fields are written `name: value` and separated by commas; strings go in double quotes, lists in `[…]`";

/// The hint for an error a value's own parser gave (`…, found `text``).
fn message_hint(message: &str) -> &'static str {
    let m = message.to_lowercase();
    if m.starts_with("expected string") {
        "names, addresses and prefixes are written in double quotes"
    } else if m.starts_with("expected boolean") {
        BOOLEAN_HINT
    } else if m.starts_with("integer is out of bounds") || m.starts_with("integer out of") {
        RANGE_HINT
    } else if m.starts_with("expected integer") {
        "numbers are written without quotes"
    } else if m.contains("trailing characters")
        || m.contains("underscore")
        || m.contains("digit")
        || m.contains("float")
    {
        NUMBER_HINT
    } else {
        SYNTAX_HINT
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_names_the_field_with_did_you_mean() {
        let file = SourceFile::new("t.ron", "Scenario(\n  vnetz: [],\n)");
        let err = parse(&file).unwrap_err();
        assert_eq!((err.line, err.column), (2, 3));
        assert!(err.message.contains("unknown field `vnetz`"), "{err}");
        assert_eq!(err.hint.as_deref(), Some("did you mean `vnets`?"));
    }

    #[test]
    fn unknown_enum_value_suggests_the_closest_variant() {
        let text = r#"Scenario(vnets: [(name: "a", region: "r", address_space: ["10.0.0.0/16"],
            subnets: [(name: "s", prefix: "10.0.0.0/24", private_endpoint_network_policies: RouteTableEnable)])])"#;
        let err = parse(&SourceFile::new("t.ron", text)).unwrap_err();
        assert!(err.message.contains("`RouteTableEnable`"), "{err}");
        assert_eq!(
            err.hint.as_deref(),
            Some("did you mean `RouteTableEnabled`?")
        );
    }

    /// Breakages of every kind the RON parser reports; each error gets a hint and none speaks
    /// of the parser's internals.
    const BROKEN: &[&str] = &[
        "Scenario(title: 'x')",
        "Scenario(title: \"a\\q\")",
        "Scenario(title: \"\\u{zz}\")",
        "Scenario(vnets: {})",
        "Scenario(vnets: [(name: \"a\" region: \"b\")])",
        "Scenario(vnets: [(name: \"a\", region: \"b\", address_space: [\"x\"], subnets: [)])",
        "Scenario(title: 12)",
        "Scenario(assumptions: (extra_reserved_prefixes: 1))",
        "Scenario(assumptions: (extra_reserved_prefixes: tru))",
        "Scenario(nsgs: [(name: \"n\", rules: [(name: \"r\", priority: 1.5, direction: Inbound, access: Allow)])])",
        "Scenario(nsgs: [(name: \"n\", rules: [(name: \"r\", priority: -1, direction: Inbound, access: Allow)])])",
        "Scenario(nsgs: [(name: \"n\", rules: [(name: \"r\", priority: _1, direction: Inbound, access: Allow)])])",
        "Scenario(title: \"x\", // c",
        "#![enable(foo)] Scenario()",
        "#![enable(implicit_some) Scenario()",
        "#[x] Scenario()",
        "Scenario(title: \"x\", %)",
        "Scenario(story: Some(\"x\"]",
        "Scenario(ti-tle: \"x\")",
        "Scenario(9: \"x\")",
        "Scenario(peerings: [(between: (\"a\", \"b\", \"c\"))])",
        "Scenario(vnets: [(name: \"a\", region: \"b\", address_space: [\"x\",, ])])",
        "Scenario(route_tables: [(name: \"x\", routes: [(name: \"r\", prefix: \"p\", next_hop: \"VnetLocal\")])])",
        "Scenario(title: \"x\" /* */ /*)",
        "Scenario(questions: [NextHop(from: \"a\", to: \"b\", expect: (next_hop: VirtualAppliance(1)))])",
        "Scenario(",
        "[]",
    ];

    #[test]
    fn every_ron_error_comes_with_a_hint_and_no_parser_jargon() {
        for text in BROKEN {
            let err = parse(&SourceFile::new("t.ron", *text)).unwrap_err();
            assert!(err.hint.is_some(), "no hint for {text}: {err}");
            for jargon in ["raw identifier", "std identifier", "untagged", "RawValue"] {
                assert!(!err.to_string().contains(jargon), "{text}: {err}");
            }
        }
    }

    #[test]
    fn ron_errors_in_old_mac_and_windows_files_are_on_their_lines() {
        for end in ["\r", "\r\n"] {
            let text = ["Scenario(", "  title: \"t\",", "  vnetz: [],", ")"].join(end);
            let err = parse(&SourceFile::new("t.ron", text.as_str())).unwrap_err();
            assert_eq!((err.line, err.column), (3, 3), "{end:?}: {err}");
        }
    }

    #[test]
    fn spans_point_into_the_file() {
        let text = "Scenario(vnets: [(name: \"hub\", region: \"eastus\", address_space: [\"10.0.0.0/16\"])])";
        let doc = parse(&SourceFile::new("t.ron", text)).unwrap();
        let span = doc.vnets[0].address_space[0].span;
        assert_eq!(&text[span.start..span.end], "\"10.0.0.0/16\"");
    }
}
