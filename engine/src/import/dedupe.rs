//! One resource, once: a portal export or several `az` files can hold the same resource twice
//! (a VNet listed in two files, a subnet exported both as a child resource and inside its
//! VNet). Copies of one id are merged into the first: what the first has wins, what only a
//! later copy has is added, and each later copy is listed with where it came from.

use std::collections::BTreeMap;

use serde_json::Value;

use super::resource::Resource;

/// The resources with each id once (ids compared without case, as Azure does), in input
/// order, and `(where the copy was, where the first one is)` for each copy merged.
pub(super) fn merge_duplicates(resources: Vec<Resource>) -> (Vec<Resource>, Vec<(String, String)>) {
    let mut first: BTreeMap<String, usize> = BTreeMap::new();
    let mut out: Vec<Resource> = Vec::with_capacity(resources.len());
    let mut merged = Vec::new();
    for r in resources {
        let key = r.id.to_lowercase();
        match first.get(&key).and_then(|&i| out.get_mut(i)) {
            Some(kept) => {
                fill(&mut kept.json, &r.json);
                merged.push((
                    format!("{} at {}#{}", r.id, r.file, r.pointer),
                    format!("{}#{}", kept.file, kept.pointer),
                ));
            }
            None => {
                first.insert(key, out.len());
                out.push(r);
            }
        }
    }
    (out, merged)
}

/// Adds to `kept` the object members only `other` has, recursively; arrays and values that
/// `kept` has stay as they are.
fn fill(kept: &mut Value, other: &Value) {
    let (Value::Object(kept), Value::Object(other)) = (kept, other) else {
        return;
    };
    for (k, v) in other {
        match kept.get_mut(k) {
            Some(Value::Null) | None => {
                kept.insert(k.clone(), v.clone());
            }
            Some(mine) => fill(mine, v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(id: &str, json: Value, pointer: &str) -> Resource {
        Resource {
            id: id.into(),
            kind: "Microsoft.Network/virtualNetworks".into(),
            name: "v".into(),
            json,
            file: "f.json".into(),
            pointer: pointer.into(),
        }
    }

    #[test]
    fn the_same_id_twice_is_merged_once_and_the_copy_listed() {
        let a = res(
            "/x/VirtualNetworks/v",
            serde_json::json!({"properties": {"a": 1, "s": [1]}}),
            "/0",
        );
        let b = res(
            "/x/virtualnetworks/V",
            serde_json::json!({"properties": {"a": 2, "b": 3, "s": [2]}}),
            "/1",
        );
        let (out, merged) = merge_duplicates(vec![a, b]);
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].json,
            serde_json::json!({"properties": {"a": 1, "b": 3, "s": [1]}})
        );
        assert_eq!(merged[0].1, "f.json#/0");
        assert!(merged[0].0.contains("f.json#/1"));
    }
}
