//! Reading nested blocks and attributes of `terraform show -json` values, shared by the
//! resource families.

use serde_json::{Map, Value};

/// The blocks of a nested block list (`rule`, `network_rule_collection`); none when absent.
pub(super) fn blocks<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// An attribute that is set: Terraform writes an unset optional attribute as `null` or an
/// empty string.
pub(super) fn attr<'v>(from: &'v Value, tf: &str) -> Option<&'v Value> {
    match from.get(tf) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(x) => Some(x),
    }
}

/// Copies the set attributes of a block under their Azure names.
pub(super) fn copy(from: &Value, pairs: &[(&str, &str)]) -> Map<String, Value> {
    let mut out = Map::new();
    for (tf, az) in pairs {
        if let Some(x) = attr(from, tf) {
            out.insert((*az).to_string(), x.clone());
        }
    }
    out
}
