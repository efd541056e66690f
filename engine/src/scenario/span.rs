//! Source positions of scenario values.
//!
//! RON has no spanned values, but `ron` can hand out any value's raw text borrowed from the input.
//! [`Spanned`] captures that text, turns its address into a byte offset within the document being
//! parsed, and then parses the text into the wanted type. Spans never take part in equality, so
//! two documents that differ only in layout compare equal.

use std::cell::Cell;
use std::fmt;

use ron::value::RawValue;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use crate::span::{SourceFile, Span};

/// A name, address or prefix exactly as written, with its position.
pub type Text = Spanned<String>;

thread_local! {
    /// Address and length of the text being parsed on this thread; set by [`with_source`] only for
    /// the duration of one parse, so that [`Spanned`] can compute offsets without any global state
    /// outliving the call.
    static SOURCE: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
}

/// Runs `parse` with `text` registered as the document whose offsets spans are measured against.
pub(crate) fn with_source<R>(text: &str, parse: impl FnOnce() -> R) -> R {
    let previous = SOURCE.with(|s| s.replace(Some((text.as_ptr() as usize, text.len()))));
    let result = parse();
    SOURCE.with(|s| s.set(previous));
    result
}

/// A value with the place in the file it was written. Equality, ordering and serialisation see
/// only the value.
#[derive(Clone, Debug, Default)]
pub struct Spanned<T> {
    /// The parsed value.
    pub value: T,
    /// Where it stood in the file (empty when the value did not come from a file).
    pub span: Span,
}

impl<T> Spanned<T> {
    /// A value with no source position, for documents built in code.
    pub fn new(value: T) -> Self {
        Self {
            value,
            span: Span::default(),
        }
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Spanned<T> {}

impl<T: fmt::Display> fmt::Display for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

/// A spanned value's schema is its value's: the span is not written.
impl<T: schemars::JsonSchema> schemars::JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(deserializer)?.trim();
        let text = raw.get_ron();
        let span = SOURCE
            .with(Cell::get)
            .and_then(|(base, len)| {
                let start = (text.as_ptr() as usize).checked_sub(base)?;
                let end = start.checked_add(text.len())?;
                (end <= len).then_some(Span { start, end })
            })
            .unwrap_or_default();
        let value = super::ron_options().from_str::<T>(text).map_err(|e| {
            let found: String = text.chars().take(40).collect();
            D::Error::custom(format!(
                "{}, found `{found}`",
                e.code.to_string().to_lowercase()
            ))
        })?;
        Ok(Spanned { value, span })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_in_an_old_mac_file_ends_at_its_line_end() {
        let text = "// note\rScenario(title: \"t\")\r";
        let doc = crate::scenario::parse(&SourceFile::new("mac.ron", text));
        assert_eq!(doc.map(|d| d.title).ok().as_deref(), Some("t"));
    }

    #[test]
    fn ron_positions_become_byte_offsets() {
        let text = "ab\n\u{e9}cd\rx";
        assert_eq!(crate::span::offset_of_ron_position(text, 1, 1), 0);
        assert_eq!(crate::span::offset_of_ron_position(text, 2, 2), 5);
        assert_eq!(crate::span::offset_of_ron_position(text, 2, 5), 8);
        assert_eq!(crate::span::offset_of_ron_position(text, 9, 1), text.len());
    }

    #[test]
    fn spanned_values_record_their_offsets() {
        let text = r#"( a: "hub", b: [ "x" ,"yz"] )"#;
        #[derive(Deserialize, schemars::JsonSchema)]
        struct Doc {
            a: Spanned<String>,
            b: Vec<Spanned<String>>,
        }
        let doc: Doc = with_source(text, || crate::scenario::ron_options().from_str(text))
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(doc.a.value, "hub");
        assert_eq!(&text[doc.a.span.start..doc.a.span.end], "\"hub\"");
        assert_eq!(&text[doc.b[1].span.start..doc.b[1].span.end], "\"yz\"");
    }
}
