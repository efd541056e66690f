//! What a plan's `configuration` says an attribute refers to, for values Terraform knows only
//! after apply: `subnet_id = azurerm_subnet.app.id` names the subnet whose id it will be. A
//! module's `var.subnet_id` is followed to the expression its call passes
//! (<https://developer.hashicorp.com/terraform/internals/json-format#configuration-representation>).
//! Addresses here are configuration addresses: no instance keys (`azurerm_subnet.app`,
//! `module.vm.azurerm_network_interface.nic`).

use std::collections::BTreeMap;

use serde_json::Value;

/// The dot-separated segments of an address, dots inside instance keys (`["a.b"]`) kept.
pub(super) fn segments(address: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in address.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            '.' if !quoted && depth == 0 => {
                out.push(address.get(start..i).unwrap_or_default());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(address.get(start..).unwrap_or_default());
    out
}

/// A segment without its instance key: `app[0]` → `app`.
fn without_key(segment: &str) -> &str {
    segment.split('[').next().unwrap_or(segment)
}

/// The configuration address of an instance address:
/// `module.vm[0].azurerm_network_interface.nic` → `module.vm.azurerm_network_interface.nic`.
pub(super) fn config_address(address: &str) -> String {
    segments(address)
        .into_iter()
        .map(without_key)
        .collect::<Vec<_>>()
        .join(".")
}

/// The module instance an instance address is in, with a trailing dot (`module.vm[0].`), or
/// the empty string at the root.
pub(super) fn module_prefix(address: &str) -> String {
    let s = segments(address);
    let keep = s.len().saturating_sub(2);
    s.iter()
        .take(keep)
        .map(|x| format!("{x}."))
        .collect::<String>()
}

/// The instance key of an address's last segment, as a name may carry it: `nic[1]` → `-1`,
/// `this["a/b"]` → `-a-b`.
pub(super) fn key_suffix(address: &str) -> String {
    let s = segments(address);
    let last = s.last().copied().unwrap_or_default();
    match last.split_once('[') {
        Some((_, key)) => {
            let key: String = key
                .trim_end_matches(']')
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            let key = key.trim_matches('-');
            if key.is_empty() {
                String::new()
            } else {
                format!("-{key}")
            }
        }
        None => String::new(),
    }
}

/// A module call: the module it is called from and the expressions of its arguments.
struct Call<'v> {
    parent: String,
    expressions: Option<&'v serde_json::Map<String, Value>>,
}

/// For each `(resource, attribute)` of the configuration, the configuration addresses of the
/// resources its expression refers to, `var.` followed through module calls. Nested blocks
/// are `block.attribute` (`ip_configuration.subnet_id`).
pub(super) fn references(json: &Value) -> BTreeMap<(String, String), Vec<String>> {
    let mut calls = BTreeMap::new();
    let mut modules = Vec::new();
    if let Some(root) = json.pointer("/configuration/root_module") {
        collect(root, "", &mut calls, &mut modules);
    }
    let mut out = BTreeMap::new();
    for (prefix, module) in &modules {
        for r in module
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let address = format!("{prefix}{}", str_of(r, "address"));
            for (attr, e) in r
                .get("expressions")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let refs = resolve(&raw_refs(e), prefix, &calls, 0);
                if !refs.is_empty() {
                    out.insert((address.clone(), attr.clone()), refs);
                }
                for block in e.as_array().into_iter().flatten() {
                    for (inner, x) in block.as_object().into_iter().flatten() {
                        let refs = resolve(&raw_refs(x), prefix, &calls, 0);
                        if !refs.is_empty() {
                            out.insert((address.clone(), format!("{attr}.{inner}")), refs);
                        }
                    }
                }
            }
        }
    }
    out
}

fn str_of<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn raw_refs(e: &Value) -> Vec<String> {
    e.get("references")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

fn collect<'v>(
    module: &'v Value,
    prefix: &str,
    calls: &mut BTreeMap<String, Call<'v>>,
    modules: &mut Vec<(String, &'v Value)>,
) {
    modules.push((prefix.to_string(), module));
    for (name, call) in module
        .get("module_calls")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let inner = format!("{prefix}module.{name}.");
        calls.insert(
            inner.clone(),
            Call {
                parent: prefix.to_string(),
                expressions: call.get("expressions").and_then(Value::as_object),
            },
        );
        if let Some(m) = call.get("module") {
            collect(m, &inner, calls, modules);
        }
    }
}

/// Module nesting deeper than this is not followed.
const MAX_DEPTH: usize = 16;

/// The resources a list of references names, in module `prefix`: `type.name…` gives the
/// resource, `var.x` what the module's call passes as `x`; locals, data sources, module
/// outputs, `count`/`each` are not followed.
fn resolve(
    refs: &[String],
    prefix: &str,
    calls: &BTreeMap<String, Call<'_>>,
    depth: usize,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in refs {
        let s = segments(r);
        let found = match s.as_slice() {
            ["var", name, ..] => {
                let name = without_key(name);
                match calls.get(prefix) {
                    Some(call) if depth < MAX_DEPTH => {
                        let passed = call
                            .expressions
                            .and_then(|e| e.get(name))
                            .map(raw_refs)
                            .unwrap_or_default();
                        resolve(&passed, &call.parent, calls, depth + 1)
                    }
                    _ => Vec::new(),
                }
            }
            [first, ..]
                if matches!(
                    *first,
                    "module" | "data" | "local" | "count" | "each" | "path" | "self" | "terraform"
                ) =>
            {
                Vec::new()
            }
            [kind, name, ..] => vec![format!("{prefix}{kind}.{}", without_key(name))],
            _ => Vec::new(),
        };
        for f in found {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_keys_are_dropped_and_dots_inside_keys_kept() {
        assert_eq!(
            config_address(r#"module.vm[0].azurerm_storage_share_file.this["templates/a.txt"]"#),
            "module.vm.azurerm_storage_share_file.this"
        );
        assert_eq!(
            module_prefix("module.vm[0].azurerm_network_interface.nic"),
            "module.vm[0]."
        );
        assert_eq!(module_prefix("azurerm_subnet.app"), "");
        assert_eq!(key_suffix(r#"azurerm_subnet.app["a/b"]"#), "-a-b");
        assert_eq!(key_suffix("azurerm_subnet.app[1]"), "-1");
        assert_eq!(key_suffix("azurerm_subnet.app"), "");
    }

    #[test]
    fn a_module_variable_is_followed_to_the_resource_its_call_passes() {
        let plan = serde_json::json!({"configuration": {"root_module": {
            "resources": [{"address": "azurerm_subnet.fw", "expressions": {}}],
            "module_calls": {"azfw": {
                "expressions": {"subnet_id": {"references": ["azurerm_subnet.fw.id", "azurerm_subnet.fw"]}},
                "module": {"resources": [{"address": "azurerm_firewall.this", "expressions": {
                    "ip_configuration": [{"subnet_id": {"references": ["var.subnet_id"]}}],
                    "firewall_policy_id": {"references": ["azurerm_firewall_policy.p.id", "azurerm_firewall_policy.p"]}
                }}]}
            }}
        }}});
        let refs = references(&plan);
        assert_eq!(
            refs[&(
                "module.azfw.azurerm_firewall.this".to_string(),
                "ip_configuration.subnet_id".to_string()
            )],
            ["azurerm_subnet.fw"]
        );
        assert_eq!(
            refs[&(
                "module.azfw.azurerm_firewall.this".to_string(),
                "firewall_policy_id".to_string()
            )],
            ["module.azfw.azurerm_firewall_policy.p"]
        );
    }
}
