//! Azure Firewalls with their policies: rule collection groups, SNAT private ranges, DNAT
//! rules; classic rule collections become one group.

use serde_json::Value;

use super::context::{inner, items, strings, text, Context, Ns};
use super::resource::Resource;
use super::security::protocol;
use super::Section;
use crate::scenario::{
    Access, ApplicationRuleDoc, DnatRuleDoc, FirewallDoc, NetworkRuleDoc, Protocol,
    RuleCollectionDoc, RuleCollectionGroupDoc, SnatRangesDoc, Spanned, Text,
};

pub(super) fn import(cx: &mut Context<'_>) {
    for i in cx.of_kind("Microsoft.Network/azureFirewalls") {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let name = cx.name(Ns::Nic, &r.id, &r.name);
        let hub = r
            .prop_str("/virtualHub/id")
            .and_then(|h| cx.name_of(Ns::Vnet, h));
        let first = items(r.prop("/ipConfigurations")).first();
        let (subnet, private_ip) = match &hub {
            Some(hub) => (
                Some(format!("{hub}/AzureFirewallSubnet")),
                r.prop_str("/hubIPAddresses/privateIPAddress"),
            ),
            None => (
                first
                    .and_then(|c| inner(c, "/subnet/id"))
                    .and_then(Value::as_str)
                    .and_then(|s| cx.subnet_name(s)),
                first
                    .and_then(|c| inner(c, "/privateIPAddress"))
                    .and_then(Value::as_str),
            ),
        };
        let (Some(subnet), Some(private_ip)) = (subnet, private_ip) else {
            cx.skip(
                r.id.clone(),
                "no private IP in an imported VNet or virtual hub",
            );
            continue;
        };
        cx.comment(Section::Firewall, &name, r.id.clone());
        let public_ips = public_ips(cx, r, &name);
        let mut fw = FirewallDoc {
            name: text(name.clone()),
            subnet: text(subnet),
            private_ip: text(private_ip),
            public_ips: public_ips.into_iter().map(text).collect(),
            snat_private_ranges: SnatRangesDoc::IanaPrivate,
            dnat_rules: Vec::new(),
            network_rules: Vec::new(),
            application_rules: Vec::new(),
            rule_collection_groups: Vec::new(),
        };
        if let Some(ranges) = r.prop_str("/additionalProperties/Network.SNAT.PrivateRanges") {
            fw.snat_private_ranges =
                snat(ranges.split(',').map(|s| s.trim().to_string()).collect());
        }
        classic(cx, r, &mut fw);
        if let Some(policy) = r.prop_str("/firewallPolicy/id") {
            match cx.find(policy) {
                Some(p) => {
                    cx.take(p);
                    if let Some(p) = cx.res(p) {
                        firewall_policy(cx, p, &mut fw);
                    }
                }
                None => {
                    cx.comment(
                        Section::Firewall,
                        &name,
                        format!("its policy {policy} is not in the input: no rules, so it denies everything"),
                    );
                    cx.skip(
                        format!("policy of firewall `{name}`: {policy}"),
                        "not in the input",
                    );
                }
            }
        }
        cx.doc.firewalls.push(fw);
    }
}

/// The firewall's public addresses, from its public IP resources or its hub addresses.
fn public_ips(cx: &mut Context<'_>, r: &Resource, name: &str) -> Vec<String> {
    let mut out: Vec<String> = items(r.prop("/hubIPAddresses/publicIPs/addresses"))
        .iter()
        .filter_map(|a| a.get("address").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    for c in items(r.prop("/ipConfigurations")) {
        let Some(id) = inner(c, "/publicIPAddress/id").and_then(Value::as_str) else {
            continue;
        };
        match cx.find(id) {
            Some(p) => {
                cx.take(p);
                out.extend(
                    cx.res(p)
                        .and_then(|p| p.prop_str("/ipAddress"))
                        .map(str::to_string),
                );
            }
            None => cx.comment(
                Section::Firewall,
                name,
                format!("public IP {id} is not in the input"),
            ),
        }
    }
    out
}

/// `snat.privateRanges` as azpath writes it.
fn snat(ranges: Vec<String>) -> SnatRangesDoc {
    let iana = |r: &String| r.eq_ignore_ascii_case("IANAPrivateRanges");
    match ranges.as_slice() {
        [] => SnatRangesDoc::IanaPrivate,
        [one] if iana(one) => SnatRangesDoc::IanaPrivate,
        [one] if one == "255.255.255.255/32" => SnatRangesDoc::Always,
        [one] if one == "0.0.0.0/0" => SnatRangesDoc::Never,
        _ => SnatRangesDoc::Ranges(
            ranges
                .iter()
                .flat_map(|r| {
                    if iana(r) {
                        [
                            "10.0.0.0/8",
                            "172.16.0.0/12",
                            "192.168.0.0/16",
                            "100.64.0.0/10",
                        ]
                        .iter()
                        .map(|s| s.to_string())
                        .collect()
                    } else {
                        vec![r.clone()]
                    }
                })
                .map(text)
                .collect(),
        ),
    }
}

fn firewall_policy(cx: &mut Context<'_>, p: &Resource, fw: &mut FirewallDoc) {
    let name = fw.name.value.clone();
    cx.comment(Section::Firewall, &name, p.id.clone());
    let ranges = strings(p.prop("/snat/privateRanges"));
    fw.snat_private_ranges = snat(ranges);
    let notes = [
        (
            "/basePolicy/id",
            "its parent policy is not imported: only this policy's rules apply",
        ),
        ("/dnsSettings/enableProxy", "DNS proxy is not modelled"),
        ("/transportSecurity", "TLS inspection is not modelled"),
        ("/intrusionDetection", "IDPS is not modelled"),
    ];
    for (pointer, remark) in notes {
        if p.prop(pointer).is_some_and(|v| v != &Value::Bool(false)) {
            cx.comment(Section::Firewall, &name, remark);
        }
    }
    if p.prop_str("/threatIntelMode")
        .is_some_and(|m| m.eq_ignore_ascii_case("deny"))
    {
        cx.comment(
            Section::Firewall,
            &name,
            "threat intelligence (Deny) is not modelled",
        );
    }
    let prefix = format!("{}/rulecollectiongroups/", p.id.to_lowercase());
    let mut groups: Vec<usize> = cx
        .of_kind("Microsoft.Network/firewallPolicies/ruleCollectionGroups")
        .into_iter()
        .filter(|&g| {
            cx.res(g)
                .is_some_and(|g| g.id.to_lowercase().starts_with(&prefix))
        })
        .collect();
    groups.sort_by_key(|&g| cx.res(g).and_then(|g| g.prop("/priority")?.as_u64()));
    for g in groups {
        cx.take(g);
        let Some(group) = cx.res(g) else { continue };
        cx.comment(Section::Firewall, &name, group.id.clone());
        let mut doc = RuleCollectionGroupDoc {
            name: text(group.name.clone()),
            priority: priority(group.prop("/priority")),
            collections: Vec::new(),
        };
        for c in items(group.prop("/ruleCollections")) {
            collection(cx, fw, &group.name, c, &mut doc);
        }
        if !doc.collections.is_empty() {
            fw.rule_collection_groups.push(doc);
        }
    }
}

fn priority(v: Option<&Value>) -> Spanned<u32> {
    Spanned::new(
        v.and_then(Value::as_u64)
            .and_then(|p| u32::try_from(p).ok())
            .unwrap_or(65000),
    )
}

/// One rule collection of a policy group: a filter collection, or DNAT rules.
fn collection(
    cx: &mut Context<'_>,
    fw: &mut FirewallDoc,
    group: &str,
    c: &Value,
    doc: &mut RuleCollectionGroupDoc,
) {
    let name = c.get("name").and_then(Value::as_str).unwrap_or_default();
    let where_ = format!("{group}/{name}");
    let kind = c
        .get("ruleCollectionType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if kind.eq_ignore_ascii_case("FirewallPolicyNatRuleCollection") {
        let fw_name = fw.name.value.clone();
        cx.comment(
            Section::Firewall,
            &fw_name,
            format!("DNAT collection `{where_}` is written as `dnat_rules` (processed before network rules)"),
        );
        for rule in items(c.get("rules")) {
            dnat(cx, fw, &where_, rule);
        }
        return;
    }
    let action = match inner(c, "/action/type").and_then(Value::as_str) {
        Some(a) if a.eq_ignore_ascii_case("deny") => Access::Deny,
        _ => Access::Allow,
    };
    let mut network = Vec::new();
    let mut application = Vec::new();
    for rule in items(c.get("rules")) {
        let rule_type = rule
            .get("ruleType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if rule_type.eq_ignore_ascii_case("ApplicationRule") {
            application.extend(app_rule(cx, &fw.name.value, &where_, rule));
        } else {
            network.extend(network_rule(cx, &fw.name.value, &where_, rule));
        }
    }
    let priority = priority(c.get("priority"));
    if !network.is_empty() {
        doc.collections.push(RuleCollectionDoc {
            name: text(name),
            priority: priority.clone(),
            action,
            network_rules: network,
            application_rules: Vec::new(),
        });
    }
    if !application.is_empty() {
        doc.collections.push(RuleCollectionDoc {
            name: text(name),
            priority,
            action,
            network_rules: Vec::new(),
            application_rules: application,
        });
    }
}

/// A rule left out, noted on the firewall and in the summary.
fn leave_out(cx: &mut Context<'_>, fw: &str, where_: &str, rule: &str, reason: &str) {
    let what = format!("rule `{where_}/{rule}` of firewall `{fw}`");
    cx.comment(Section::Firewall, fw, format!("left out {what}: {reason}"));
    cx.skip(what, reason.to_string());
}

fn list(cx: &mut Context<'_>, v: Option<&Value>) -> Vec<Text> {
    let all = strings(v);
    if all.is_empty() {
        return vec![text("*")];
    }
    all.iter().map(|a| text(cx.address(a))).collect()
}

/// Protocols of a network or DNAT rule: one azpath protocol per rule, so TCP and UDP make two.
fn protocols(rule: &Value) -> Vec<Protocol> {
    let names = strings(rule.get("ipProtocols").or_else(|| rule.get("protocols")));
    let mut out: Vec<Protocol> = names.iter().map(|p| protocol(p)).collect();
    out.dedup();
    if out.is_empty() || out.contains(&Protocol::Any) || out.len() >= 3 {
        vec![Protocol::Any]
    } else {
        out
    }
}

fn network_rule(cx: &mut Context<'_>, fw: &str, where_: &str, rule: &Value) -> Vec<NetworkRuleDoc> {
    let name = rule.get("name").and_then(Value::as_str).unwrap_or_default();
    for (key, reason) in [
        ("sourceIpGroups", "IP groups are not modelled"),
        ("destinationIpGroups", "IP groups are not modelled"),
        (
            "destinationFqdns",
            "FQDNs in network rules need the DNS proxy, which is not modelled",
        ),
    ] {
        if !items(rule.get(key)).is_empty() {
            leave_out(cx, fw, where_, name, reason);
            return Vec::new();
        }
    }
    let source = list(cx, rule.get("sourceAddresses"));
    let destination = list(cx, rule.get("destinationAddresses"));
    let ports: Vec<Text> = list(cx, rule.get("destinationPorts"));
    protocols(rule)
        .into_iter()
        .map(|protocol| NetworkRuleDoc {
            name: text(name),
            source: source.clone(),
            destination: destination.clone(),
            ports: ports.clone(),
            protocol,
        })
        .collect()
}

fn app_rule(
    cx: &mut Context<'_>,
    fw: &str,
    where_: &str,
    rule: &Value,
) -> Option<ApplicationRuleDoc> {
    let name = rule.get("name").and_then(Value::as_str).unwrap_or_default();
    if !items(rule.get("sourceIpGroups")).is_empty() {
        leave_out(cx, fw, where_, name, "IP groups are not modelled");
        return None;
    }
    let fqdns = strings(rule.get("targetFqdns"));
    let others = ["fqdnTags", "webCategories", "targetUrls"]
        .iter()
        .any(|k| !items(rule.get(*k)).is_empty());
    if fqdns.is_empty() {
        leave_out(
            cx,
            fw,
            where_,
            name,
            "FQDN tags, web categories and URLs are not modelled, and it names no target FQDN",
        );
        return None;
    }
    if others {
        cx.comment(
            Section::Firewall,
            fw,
            format!("rule `{where_}/{name}`: its FQDN tags, web categories or URLs are left out"),
        );
    }
    let mut ports: Vec<String> = items(rule.get("protocols"))
        .iter()
        .filter_map(|p| p.get("port").and_then(Value::as_u64))
        .map(|p| p.to_string())
        .collect();
    ports.dedup();
    if ports.is_empty() {
        ports = vec!["80".into(), "443".into()];
    }
    Some(ApplicationRuleDoc {
        name: text(name),
        source: list(cx, rule.get("sourceAddresses")),
        fqdns: fqdns.into_iter().map(text).collect(),
        ports: ports.into_iter().map(text).collect(),
    })
}

fn dnat(cx: &mut Context<'_>, fw: &mut FirewallDoc, where_: &str, rule: &Value) {
    let fw_name = fw.name.value.clone();
    let name = rule.get("name").and_then(Value::as_str).unwrap_or_default();
    if rule
        .get("translatedFqdn")
        .and_then(Value::as_str)
        .is_some_and(|f| !f.is_empty())
    {
        leave_out(
            cx,
            &fw_name,
            where_,
            name,
            "DNAT to an FQDN is not modelled",
        );
        return;
    }
    let Some(translated_address) = rule.get("translatedAddress").and_then(Value::as_str) else {
        leave_out(cx, &fw_name, where_, name, "it has no translated address");
        return;
    };
    let translated_port = rule
        .get("translatedPort")
        .and_then(|p| {
            p.as_str()
                .map(str::to_string)
                .or_else(|| p.as_u64().map(|n| n.to_string()))
        })
        .and_then(|p| p.parse::<u16>().ok());
    let Some(translated_port) = translated_port else {
        leave_out(
            cx,
            &fw_name,
            where_,
            name,
            "its translated port is not one port",
        );
        return;
    };
    let source = list(cx, rule.get("sourceAddresses"));
    let ports: Vec<Text> = strings(rule.get("destinationPorts"))
        .into_iter()
        .map(text)
        .collect();
    for destination in strings(rule.get("destinationAddresses")) {
        if !fw.public_ips.iter().any(|p| p.value == destination) {
            leave_out(
                cx,
                &fw_name,
                where_,
                name,
                &format!("{destination} is not a public IP of the firewall in the input (DNAT on a private IP is not modelled)"),
            );
            continue;
        }
        for protocol in protocols(rule) {
            fw.dnat_rules.push(DnatRuleDoc {
                name: text(name),
                source: source.clone(),
                destination: text(destination.clone()),
                ports: ports.clone(),
                protocol,
                translated_address: text(translated_address),
                translated_port: Spanned::new(translated_port),
            });
        }
    }
}

/// Classic rule collections (rules on the firewall itself), as one group `classic-rules`.
fn classic(cx: &mut Context<'_>, r: &Resource, fw: &mut FirewallDoc) {
    let mut group = RuleCollectionGroupDoc {
        name: text("classic-rules"),
        priority: Spanned::new(100),
        collections: Vec::new(),
    };
    let fw_name = fw.name.value.clone();
    for c in items(r.prop("/natRuleCollections")) {
        let where_ = format!(
            "classic/{}",
            c.get("name").and_then(Value::as_str).unwrap_or_default()
        );
        for rule in items(inner(c, "/rules")) {
            dnat(cx, fw, &where_, rule);
        }
    }
    for (key, app) in [
        ("/networkRuleCollections", false),
        ("/applicationRuleCollections", true),
    ] {
        for c in items(r.prop(key)) {
            let name = c.get("name").and_then(Value::as_str).unwrap_or_default();
            let where_ = format!("classic/{name}");
            let action = match inner(c, "/action/type").and_then(Value::as_str) {
                Some(a) if a.eq_ignore_ascii_case("deny") => Access::Deny,
                _ => Access::Allow,
            };
            let mut doc = RuleCollectionDoc {
                name: text(name),
                priority: priority(inner(c, "/priority")),
                action,
                network_rules: Vec::new(),
                application_rules: Vec::new(),
            };
            for rule in items(inner(c, "/rules")) {
                if app {
                    doc.application_rules
                        .extend(app_rule(cx, &fw_name, &where_, rule));
                } else {
                    doc.network_rules
                        .extend(network_rule(cx, &fw_name, &where_, rule));
                }
            }
            if !doc.network_rules.is_empty() || !doc.application_rules.is_empty() {
                group.collections.push(doc);
            }
        }
    }
    if !group.collections.is_empty() {
        cx.comment(
            Section::Firewall,
            &fw_name,
            "classic rule collections are written as the group `classic-rules`",
        );
        fw.rule_collection_groups.push(group);
    }
}
