//! Network security groups: custom `securityRules`; `defaultSecurityRules` are Azure's six
//! defaults, which azpath builds in, so they are counted and left out.

use serde_json::Value;

use super::context::{inner, items, strings, text, Context, Ns};
use super::Section;
use crate::scenario::{Access, Direction, NsgDoc, NsgRuleDoc, Protocol, Spanned, Text};

pub(super) fn import(cx: &mut Context<'_>) {
    for i in cx.of_kind("Microsoft.Network/networkSecurityGroups") {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let name = cx.name(Ns::Nsg, &r.id, &r.name);
        cx.comment(Section::Nsg, &name, r.id.clone());
        cx.notes.default_rules += items(r.prop("/defaultSecurityRules")).len();
        let mut rules = Vec::new();
        for rule in items(r.prop("/securityRules")) {
            if let Some(doc) = security_rule(cx, &name, rule) {
                rules.push(doc);
            }
        }
        // Rules exported as child resources (ARM templates) belong here too.
        let prefix = format!("{}/securityrules/", r.id.to_lowercase());
        for j in cx.of_kind("Microsoft.Network/networkSecurityGroups/securityRules") {
            let Some(child) = cx.res(j) else { continue };
            if child.id.to_lowercase().starts_with(&prefix) {
                cx.take(j);
                if let Some(doc) = security_rule(cx, &name, &child.json) {
                    rules.push(doc);
                }
            }
        }
        cx.doc.nsgs.push(NsgDoc {
            name: text(name),
            rules,
        });
    }
}

/// One custom rule, or `None` (with a note) when it uses what azpath does not model.
fn security_rule(cx: &mut Context<'_>, nsg: &str, rule: &Value) -> Option<NsgRuleDoc> {
    let name = rule.get("name").and_then(Value::as_str).unwrap_or_default();
    let what = format!("rule `{name}` of NSG `{nsg}`");
    let get = |p: &str| inner(rule, p);
    let asgs = [
        "/sourceApplicationSecurityGroups",
        "/destinationApplicationSecurityGroups",
    ]
    .iter()
    .any(|p| !items(get(p)).is_empty());
    if asgs {
        cx.comment(
            Section::Nsg,
            nsg,
            format!("left out {what}: application security groups are not modelled"),
        );
        cx.skip(what, "application security groups are not modelled");
        return None;
    }
    let priority = get("/priority").and_then(Value::as_u64).unwrap_or(0);
    let direction = match get("/direction").and_then(Value::as_str) {
        Some(d) if d.eq_ignore_ascii_case("outbound") => Direction::Outbound,
        _ => Direction::Inbound,
    };
    let access = match get("/access").and_then(Value::as_str) {
        Some(a) if a.eq_ignore_ascii_case("deny") => Access::Deny,
        _ => Access::Allow,
    };
    let protocol = protocol(get("/protocol").and_then(Value::as_str).unwrap_or("*"));
    let mut list = |single: &str, plural: &str, address: bool| -> Vec<Text> {
        let mut all = strings(get(plural));
        if all.is_empty() {
            all.extend(get(single).and_then(Value::as_str).map(str::to_string));
        }
        if all.is_empty() {
            all.push("*".into());
        }
        all.into_iter()
            .map(|a| text(if address { cx.address(&a) } else { a }))
            .collect()
    };
    let source = list("/sourceAddressPrefix", "/sourceAddressPrefixes", true);
    let source_ports = list("/sourcePortRange", "/sourcePortRanges", false);
    let destination = list(
        "/destinationAddressPrefix",
        "/destinationAddressPrefixes",
        true,
    );
    let destination_ports = list("/destinationPortRange", "/destinationPortRanges", false);
    Some(NsgRuleDoc {
        name: text(name),
        priority: Spanned::new(u32::try_from(priority).unwrap_or(u32::MAX)),
        direction,
        access,
        protocol,
        source,
        source_ports,
        destination,
        destination_ports,
    })
}

/// An NSG or firewall protocol name (`*`, `Tcp`, `TCP`, `Any`…).
pub(super) fn protocol(p: &str) -> Protocol {
    match p.to_lowercase().as_str() {
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        "icmp" => Protocol::Icmp,
        "esp" => Protocol::Esp,
        "ah" => Protocol::Ah,
        _ => Protocol::Any,
    }
}
