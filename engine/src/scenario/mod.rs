//! Stage 1: the scenario file format. Reads RON text into a [`Document`] with source spans,
//! and nothing more: names are not resolved and addresses not parsed (that is [`crate::model`]).

mod document;
mod firewall;
mod names;
mod questions;
mod security;
mod span;
mod variant;
mod vwan;

pub use document::*;
pub use firewall::*;
pub use names::*;
pub use questions::*;
pub use security::*;
pub use span::{SourceFile, Span, Spanned};
pub use variant::{merge, object_keys};
pub use vwan::*;

use ron::extensions::Extensions;

use crate::diag::{did_you_mean, Located, Severity};

/// Largest scenario file accepted, so a runaway input fails with a message instead of memory.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

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
        Located {
            file: file.name_at(start).to_string(),
            line: e.span.start.line,
            column: e.span.start.col,
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
        E::ExpectedBoolean => ("expected `true` or `false`".into(), None),
        E::IntegerOutOfBounds => (
            "number out of range for this field".into(),
            Some("ports go up to 65535, priorities up to 4096 (NSG) or 65000 (firewall)".into()),
        ),
        E::ExceededRecursionLimit => (
            "the value is nested too deeply".into(),
            Some("a scenario nests a few levels; this looks like a generated or broken file".into()),
        ),
        E::Message(m) if m.starts_with("expected string") && m.ends_with("found `None`") => (
            m.clone(),
            Some("leave the field out to not check it: `None` is a value only where Azure has one (the next hop type `None`)".into()),
        ),
        E::Message(m) if m.starts_with("expected string") => (
            m.clone(),
            Some("names, addresses and prefixes are written in double quotes".into()),
        ),
        E::Message(m) if m.starts_with("expected integer") => {
            (m.clone(), Some("numbers are written without quotes".into()))
        }
        E::Message(m) => (lower_first(m), None),
        other => (lower_first(&other.to_string()), None),
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

    #[test]
    fn spans_point_into_the_file() {
        let text = "Scenario(vnets: [(name: \"hub\", region: \"eastus\", address_space: [\"10.0.0.0/16\"])])";
        let doc = parse(&SourceFile::new("t.ron", text)).unwrap();
        let span = doc.vnets[0].address_space[0].span;
        assert_eq!(&text[span.start..span.end], "\"10.0.0.0/16\"");
    }
}
