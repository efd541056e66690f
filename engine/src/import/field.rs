//! Reading the fields of Azure's JSON strictly. Each value read knows where it is (its file and
//! JSON pointer); enum-like values are parsed against Azure's own vocabulary; and anything
//! else (a typo, a value of the wrong type, a required field missing) is an [`Invalid`] that
//! the caller turns into a listed skip of the object holding it, never into a default.
//!
//! Case: Azure's network resource provider takes these values in any case and echoes them as
//! written (Network Watcher's security group view example lists a rule created as
//! `"protocol": "TCP"`, which the REST specification spells `Tcp`), so they are compared
//! without case. Nothing else is forgiven: no trimming, no synonyms. The accepted values are
//! those of the REST API specification of `Microsoft.Network` (azure-rest-api-specs), named at
//! each [`Vocabulary`].

use std::fmt;

use serde_json::Value;

use crate::diag::did_you_mean;

/// A JSON value and where it is, as `file#/json/pointer`.
#[derive(Clone, Debug)]
pub(super) struct Node<'v> {
    pub value: &'v Value,
    pub path: String,
}

/// A value import cannot take: where it is and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Invalid {
    /// `file#/json/pointer` of the value (or of where a required one is missing).
    pub path: String,
    /// What is wrong, with the accepted values and a did-you-mean when there is one.
    pub problem: String,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.path, self.problem)
    }
}

/// Whether an address or prefix as written is IPv6 (it holds a colon). azpath models IPv4
/// only, so import lists an IPv6 value as skipped, by its JSON path, instead of writing it into
/// a scenario the loader would refuse.
pub(super) fn is_ipv6(text: &str) -> bool {
    text.contains(':')
}

/// Addresses or prefixes split by family: the IPv4 ones (and anything else, which the loader
/// checks) to import, and the IPv6 ones to list as skipped, each with its JSON path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct ByFamily {
    /// The values to import, in order.
    pub v4: Vec<String>,
    /// `(path, value)` of each IPv6 value.
    pub v6: Vec<(String, String)>,
}

/// An enum-like field: Azure's spelling of each value and what it becomes.
pub(super) trait Vocabulary: Copy + 'static {
    /// The values Azure accepts, spelled as its REST specification spells them.
    const VALUES: &'static [(&'static str, Self)];
}

/// Escapes a key for a JSON pointer (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A value as shown in a message: escaped, and cut when long.
pub(super) fn shown(s: &str) -> String {
    const MAX: usize = 80;
    let escaped: String = s.escape_debug().collect();
    if escaped.chars().count() > MAX {
        let cut: String = escaped.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        escaped
    }
}

/// What kind of JSON value `v` is, for messages.
pub(super) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The accepted values of a vocabulary, for messages: `Allow, Deny`.
fn accepted<T: Vocabulary>() -> String {
    T::VALUES
        .iter()
        .map(|(n, _)| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses one value of a vocabulary, without case.
pub(super) fn parse<T: Vocabulary>(node: &Node<'_>) -> Result<T, Invalid> {
    let Some(s) = node.value.as_str() else {
        return Err(node.invalid(format!(
            "is {}, not one of {}",
            kind_of(node.value),
            accepted::<T>()
        )));
    };
    if let Some((_, v)) = T::VALUES.iter().find(|(n, _)| n.eq_ignore_ascii_case(s)) {
        return Ok(*v);
    }
    let hint = did_you_mean(s.trim(), T::VALUES.iter().map(|(n, _)| *n))
        .map(|best| format!(" (did you mean `{best}`?)"))
        .unwrap_or_default();
    Err(node.invalid(format!(
        "is `{}`, not one of {}{hint}",
        shown(s),
        accepted::<T>()
    )))
}

/// Parses a text that stands for the value at `path` (a segment of a resource type).
pub(super) fn parse_text<T: Vocabulary>(value: &str, path: String) -> Result<T, Invalid> {
    let v = Value::String(value.to_string());
    parse(&Node::new(&v, path))
}

/// Azure's spelling of a vocabulary value.
pub(super) fn spelling<T: Vocabulary + PartialEq>(value: T) -> &'static str {
    T::VALUES
        .iter()
        .find(|(_, v)| *v == value)
        .map_or("", |(n, _)| n)
}

impl<'v> Node<'v> {
    /// A value at `path`.
    pub fn new(value: &'v Value, path: String) -> Self {
        Self { value, path }
    }

    /// What is wrong with this value.
    pub fn invalid(&self, problem: impl Into<String>) -> Invalid {
        Invalid {
            path: self.path.clone(),
            problem: problem.into(),
        }
    }

    /// The member `key` (a JSON `null` counts as missing, as Azure prints unset values so).
    pub fn get(&self, key: &str) -> Option<Node<'v>> {
        self.value
            .get(key)
            .filter(|v| !v.is_null())
            .map(|value| Node {
                value,
                path: format!("{}/{}", self.path, escape(key)),
            })
    }

    /// The value at `pointer` (`/a/b`: member names only).
    pub fn at(&self, pointer: &str) -> Option<Node<'v>> {
        let mut node = self.clone();
        for key in pointer.split('/').filter(|k| !k.is_empty()) {
            node = node.get(key)?;
        }
        Some(node)
    }

    /// A property of an embedded object, which REST output wraps in `properties` and `az`
    /// output does not (`subnets[].properties.addressPrefix` or `subnets[].addressPrefix`).
    pub fn prop(&self, pointer: &str) -> Option<Node<'v>> {
        self.get("properties")
            .and_then(|p| p.at(pointer))
            .or_else(|| self.at(pointer))
    }

    /// Where the property `pointer` would be: under `properties` when the object has them.
    fn would_be(&self, pointer: &str) -> String {
        if self.get("properties").is_some() {
            format!("{}/properties{pointer}", self.path)
        } else {
            format!("{}{pointer}", self.path)
        }
    }

    /// The error for a required property that is missing.
    pub fn missing(&self, pointer: &str, expected: &str) -> Invalid {
        Invalid {
            path: self.would_be(pointer),
            problem: format!("is missing ({expected})"),
        }
    }

    /// A required string property.
    pub fn str(&self, pointer: &str) -> Result<&'v str, Invalid> {
        self.opt_str(pointer)?
            .ok_or_else(|| self.missing(pointer, "a string"))
    }

    /// An optional string property: missing is `None`, another type is invalid.
    pub fn opt_str(&self, pointer: &str) -> Result<Option<&'v str>, Invalid> {
        match self.prop(pointer) {
            None => Ok(None),
            Some(n) => match n.value.as_str() {
                Some(s) => Ok(Some(s)),
                None => Err(n.invalid(format!("is {}, not a string", kind_of(n.value)))),
            },
        }
    }

    /// An optional boolean property: missing is `None`, another type is invalid.
    pub fn opt_bool(&self, pointer: &str) -> Result<Option<bool>, Invalid> {
        match self.prop(pointer) {
            None => Ok(None),
            Some(n) => match n.value.as_bool() {
                Some(b) => Ok(Some(b)),
                None => Err(n.invalid(format!("is {}, not `true` or `false`", kind_of(n.value)))),
            },
        }
    }

    /// A boolean property with Azure's documented default when it is not set.
    pub fn bool_or(&self, pointer: &str, azure_default: bool) -> Result<bool, Invalid> {
        Ok(self.opt_bool(pointer)?.unwrap_or(azure_default))
    }

    /// A required whole number in `range`.
    pub fn number(
        &self,
        pointer: &str,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<u64, Invalid> {
        self.number_of(pointer, range, false)
    }

    /// A required port number in `range`, written as a number or a string of digits: templates
    /// that deploy write ports as text (Azure Verified Modules' load balancer probes
    /// `port: '62000'`, quickstart firewall application rules `"port": "80"`), and Azure reads
    /// them as numbers.
    pub fn port_number(
        &self,
        pointer: &str,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<u64, Invalid> {
        self.number_of(pointer, range, true)
    }

    fn number_of(
        &self,
        pointer: &str,
        range: std::ops::RangeInclusive<u64>,
        digits_too: bool,
    ) -> Result<u64, Invalid> {
        let expected = format!("a whole number from {} to {}", range.start(), range.end());
        let n = self
            .prop(pointer)
            .ok_or_else(|| self.missing(pointer, &expected))?;
        let digits = n
            .value
            .as_str()
            .filter(|s| {
                digits_too
                    && !s.is_empty()
                    && s.len() <= 10
                    && s.bytes().all(|b| b.is_ascii_digit())
            })
            .and_then(|s| s.parse::<u64>().ok());
        match n.value.as_u64().or(digits) {
            Some(v) if range.contains(&v) => Ok(v),
            Some(v) => Err(n.invalid(format!("is {v}, not {expected}"))),
            None => Err(n.invalid(format!(
                "is {}, not {expected}",
                match n.value.as_str() {
                    Some(s) => format!("the string `{}`", shown(s)),
                    None => kind_of(n.value).to_string(),
                }
            ))),
        }
    }

    /// The elements of an optional array property: missing is none, another type is invalid.
    pub fn items(&self, pointer: &str) -> Result<Vec<Node<'v>>, Invalid> {
        match self.prop(pointer) {
            None => Ok(Vec::new()),
            Some(n) => match n.value.as_array() {
                Some(a) => Ok(a
                    .iter()
                    .enumerate()
                    .map(|(i, value)| Node {
                        value,
                        path: format!("{}/{i}", n.path),
                    })
                    .collect()),
                None => Err(n.invalid(format!("is {}, not an array", kind_of(n.value)))),
            },
        }
    }

    /// The strings of an optional array property: missing is none; another type, or an
    /// element that is not a string, is invalid.
    pub fn strings(&self, pointer: &str) -> Result<Vec<String>, Invalid> {
        self.items(pointer)?
            .into_iter()
            .map(|n| match n.value.as_str() {
                Some(s) => Ok(s.to_string()),
                None => Err(n.invalid(format!("is {}, not a string", kind_of(n.value)))),
            })
            .collect()
    }

    /// The strings of an optional array property of addresses or prefixes, split by family
    /// (see [`is_ipv6`]): missing is none; another type, or an element that is not a string,
    /// is invalid.
    pub fn addresses(&self, pointer: &str) -> Result<ByFamily, Invalid> {
        let mut out = ByFamily::default();
        for n in self.items(pointer)? {
            match n.value.as_str() {
                Some(s) if is_ipv6(s) => out.v6.push((n.path.clone(), s.to_string())),
                Some(s) => out.v4.push(s.to_string()),
                None => return Err(n.invalid(format!("is {}, not a string", kind_of(n.value)))),
            }
        }
        Ok(out)
    }

    /// The JSON path of the property `pointer`, where it is or would be.
    pub fn path_of(&self, pointer: &str) -> String {
        self.prop(pointer)
            .map_or_else(|| self.would_be(pointer), |n| n.path)
    }

    /// A required enum-like property.
    pub fn vocab<T: Vocabulary>(&self, pointer: &str) -> Result<T, Invalid> {
        match self.prop(pointer) {
            Some(n) => parse(&n),
            None => Err(self.missing(pointer, &format!("one of {}", accepted::<T>()))),
        }
    }

    /// An optional enum-like property: missing is `None`, anything but a value of the
    /// vocabulary is invalid.
    pub fn opt_vocab<T: Vocabulary>(&self, pointer: &str) -> Result<Option<T>, Invalid> {
        self.prop(pointer).map(|n| parse(&n)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Access;

    fn node(v: &Value) -> Node<'_> {
        Node::new(v, "f.json#".into())
    }

    #[test]
    fn a_vocabulary_value_matches_without_case_and_nothing_else() {
        let v = serde_json::json!({"properties": {"access": "DENY", "b": "Deny ", "c": 3}});
        let n = node(&v);
        assert_eq!(n.vocab::<Access>("/access"), Ok(Access::Deny));
        let e = n.vocab::<Access>("/b").unwrap_err();
        assert_eq!(e.path, "f.json#/properties/b");
        assert!(e.problem.contains("did you mean `Deny`?"), "{e}");
        assert!(n.vocab::<Access>("/c").is_err());
        let missing = n.vocab::<Access>("/d").unwrap_err();
        assert_eq!(missing.path, "f.json#/properties/d");
        assert!(missing.problem.contains("`Allow`, `Deny`"), "{missing}");
    }

    #[test]
    fn ipv6_addresses_and_prefixes_are_set_apart_with_their_json_paths() {
        let v = serde_json::json!({"properties": {"p": ["10.0.0.0/16", "fd00:db8::/48", "10.1.0.0/16", "::1"]}});
        let split = node(&v).addresses("/p").unwrap();
        assert_eq!(split.v4, ["10.0.0.0/16", "10.1.0.0/16"]);
        assert_eq!(
            split.v6,
            [
                (
                    "f.json#/properties/p/1".to_string(),
                    "fd00:db8::/48".to_string()
                ),
                ("f.json#/properties/p/3".to_string(), "::1".to_string())
            ]
        );
        let bad = serde_json::json!({"properties": {"p": ["10.0.0.0/16", 7]}});
        assert_eq!(
            node(&bad).addresses("/p").unwrap_err().path,
            "f.json#/properties/p/1"
        );
    }

    #[test]
    fn a_port_reads_a_string_of_digits_as_azure_does_and_nothing_else_as_text() {
        let v = serde_json::json!({"properties": {"a": "62000", "b": "6e4", "c": " 80", "d": "70000", "e": 443}});
        let n = node(&v);
        assert_eq!(n.port_number("/a", 0..=65535), Ok(62000));
        assert_eq!(n.port_number("/e", 0..=65535), Ok(443));
        for bad in ["/b", "/c", "/d"] {
            let e = n.port_number(bad, 0..=65535).unwrap_err();
            assert!(
                e.problem.contains("not a whole number from 0 to 65535"),
                "{e}"
            );
        }
        // Other numbers (an NSG rule's priority) stay numbers only.
        assert!(n.number("/a", 0..=65535).is_err());
    }

    #[test]
    fn pointer_keys_are_escaped() {
        let v = serde_json::json!({"a/b": {"c~d": 1}});
        let path = node(&v)
            .get("a/b")
            .and_then(|n| n.get("c~d"))
            .map(|n| n.path);
        assert_eq!(path.as_deref(), Some("f.json#/a~1b/c~0d"));
    }
}
