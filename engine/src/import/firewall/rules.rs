//! The rules classic collections and policy rule collections share: network, application and
//! DNAT rules, and the fields they read alike.

use super::super::context::{text, Context};
use super::super::field::{Invalid, Node, Vocabulary};
use super::super::Section;
use crate::scenario::{
    Access, ApplicationRuleDoc, DnatRuleDoc, FirewallDoc, NetworkRuleDoc, Protocol, Spanned, Text,
};

/// `FirewallPolicyRuleNetworkProtocol` and `AzureFirewallNetworkRuleProtocol`: the protocols
/// of network and DNAT rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FirewallProtocol(Protocol);

impl Vocabulary for FirewallProtocol {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("TCP", FirewallProtocol(Protocol::Tcp)),
        ("UDP", FirewallProtocol(Protocol::Udp)),
        ("ICMP", FirewallProtocol(Protocol::Icmp)),
        ("Any", FirewallProtocol(Protocol::Any)),
    ];
}

/// `FirewallPolicyFilterRuleCollectionActionType` and `AzureFirewallRCActionType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct FilterAction(pub(super) Access);

impl Vocabulary for FilterAction {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("Allow", FilterAction(Access::Allow)),
        ("Deny", FilterAction(Access::Deny)),
    ];
}

/// A policy rule's `ruleType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum RuleType {
    Application,
    Network,
    Nat,
}

impl Vocabulary for RuleType {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("ApplicationRule", RuleType::Application),
        ("NetworkRule", RuleType::Network),
        ("NatRule", RuleType::Nat),
    ];
}

/// `protocolType` of an application rule (`FirewallPolicyRuleApplicationProtocolType`,
/// `AzureFirewallApplicationRuleProtocolType`); azpath matches application rules on the port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct AppProtocol;

impl Vocabulary for AppProtocol {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("Http", AppProtocol),
        ("Https", AppProtocol),
        ("Mssql", AppProtocol),
    ];
}

/// Azure's range of rule collection group and rule collection priorities.
pub(super) const PRIORITIES: std::ops::RangeInclusive<u64> = 100..=65000;

/// A collection's or group's priority.
pub(super) fn priority(node: &Node<'_>) -> Result<Spanned<u32>, Invalid> {
    let p = node.number("/priority", PRIORITIES)?;
    Ok(Spanned::new(u32::try_from(p).unwrap_or(u32::MAX)))
}

/// A rule's or collection's name as written, empty when it has none (for messages).
pub(super) fn written_name<'v>(node: &Node<'v>) -> &'v str {
    node.value
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or("")
}

/// A rule's or collection's name (required).
pub(super) fn name_of<'v>(node: &Node<'v>, what: &str) -> Result<&'v str, Invalid> {
    match node.value.get("name").and_then(|n| n.as_str()) {
        Some(n) if !n.is_empty() => Ok(n),
        _ => Err(node.missing("/name", what)),
    }
}

/// A rule left out, noted on the firewall and in the summary.
/// The names of the IP groups a rule lists under `key`; `None` (the rule left out, with a note)
/// when one is not in the input.
fn ip_groups(
    cx: &mut Context<'_>,
    fw: &str,
    where_: &str,
    rule: &Node<'_>,
    key: &str,
) -> Result<Option<Vec<crate::scenario::Text>>, Invalid> {
    let mut names = Vec::new();
    for id in rule.strings(key)? {
        match cx.name_of(super::Ns::IpGroup, &id) {
            Some(n) => names.push(text(n)),
            None => {
                let reason = format!("its IP group {id} is not in the input");
                leave_out(cx, fw, where_, written_name(rule), &reason);
                return Ok(None);
            }
        }
    }
    Ok(Some(names))
}

fn leave_out(cx: &mut Context<'_>, fw: &str, where_: &str, rule: &str, reason: &str) {
    let what = format!("rule `{where_}/{rule}` of firewall `{fw}`");
    cx.comment(Section::Firewall, fw, format!("left out {what}: {reason}"));
    cx.skip(what, reason.to_string());
}

/// A rule left out because a value in it is invalid.
pub(super) fn invalid_rule(
    cx: &mut Context<'_>,
    fw: &str,
    where_: &str,
    rule: &Node<'_>,
    e: &Invalid,
) {
    let name = written_name(rule);
    cx.invalid(
        Some((Section::Firewall, fw)),
        format!("rule `{where_}/{name}` of firewall `{fw}`"),
        e,
    );
}

/// Addresses of a rule; Azure requires them (or IP groups, checked before).
fn addresses(cx: &mut Context<'_>, rule: &Node<'_>, key: &str) -> Result<Vec<Text>, Invalid> {
    let all = rule.strings(key)?;
    if all.is_empty() {
        return Err(rule.missing(key, "a rule names its addresses, `*` meaning any"));
    }
    Ok(all.iter().map(|a| text(cx.address(a))).collect())
}

/// Addresses of one side of a rule that may name IP groups instead: Azure takes either
/// (`sourceAddresses` or `sourceIpGroups`), so with groups and no addresses the side is the
/// groups alone, written `*` beside them as the scenario reads it.
/// <https://learn.microsoft.com/en-us/azure/firewall/ip-groups>
fn addresses_or_groups(
    cx: &mut Context<'_>,
    rule: &Node<'_>,
    key: &str,
    groups: &[Text],
) -> Result<Vec<Text>, Invalid> {
    if !groups.is_empty() && rule.strings(key)?.is_empty() {
        return Ok(vec![text("*")]);
    }
    addresses(cx, rule, key)
}

/// Azure Firewall takes service tags in a network rule's destination only ("Azure Firewall
/// service tags": "You can use Azure Firewall service tags in the network rules destination
/// field"; "Virtual network service tags", column "Azure Firewall": "as a destination rule
/// only"), so a source naming one is not what Azure holds: the rule is refused at the entry.
/// <https://learn.microsoft.com/azure/firewall/service-tags>
fn no_service_tag_as_source(rule: &Node<'_>) -> Result<(), Invalid> {
    for n in rule.items("/sourceAddresses")? {
        let Some(a) = n.value.as_str().map(str::trim) else {
            continue;
        };
        let tag = a.starts_with(|c: char| c.is_ascii_alphabetic())
            && !a.contains(':')
            && !a.eq_ignore_ascii_case("any");
        if tag {
            return Err(n.invalid(format!(
                "is the service tag `{a}`: Azure Firewall takes service tags as rule destinations only (https://learn.microsoft.com/azure/firewall/service-tags)"
            )));
        }
    }
    Ok(())
}

/// Ports of a rule (required).
fn ports(rule: &Node<'_>, key: &str) -> Result<Vec<Text>, Invalid> {
    let all = rule.strings(key)?;
    if all.is_empty() {
        return Err(rule.missing(key, "a rule names its ports, `*` meaning any"));
    }
    Ok(all.into_iter().map(text).collect())
}

/// Protocols of a network or DNAT rule: one azpath protocol per rule, so TCP and UDP make two.
fn protocols(rule: &Node<'_>) -> Result<Vec<Protocol>, Invalid> {
    let key = if rule.prop("/ipProtocols").is_some() {
        "/ipProtocols"
    } else {
        "/protocols"
    };
    let mut out = Vec::new();
    for p in rule.items(key)? {
        let FirewallProtocol(p) = super::super::field::parse::<FirewallProtocol>(&p)?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    if out.is_empty() {
        return Err(rule.missing("/ipProtocols", "one of `TCP`, `UDP`, `ICMP`, `Any`"));
    }
    Ok(if out.contains(&Protocol::Any) || out.len() >= 3 {
        vec![Protocol::Any]
    } else {
        out
    })
}

/// Whether a rule uses what azpath does not model (noted); `Ok(true)` to leave it out.
fn unmodelled(
    cx: &mut Context<'_>,
    fw: &str,
    where_: &str,
    rule: &Node<'_>,
    keys: &[(&str, &str)],
) -> Result<bool, Invalid> {
    for (key, reason) in keys {
        if !rule.items(key)?.is_empty() {
            let name = written_name(rule);
            leave_out(cx, fw, where_, name, reason);
            return Ok(true);
        }
    }
    Ok(false)
}

pub(super) fn network_rule(
    cx: &mut Context<'_>,
    fw: &str,
    where_: &str,
    rule: &Node<'_>,
) -> Result<Vec<NetworkRuleDoc>, Invalid> {
    let name = name_of(rule, "the rule's name")?;
    let protocols = protocols(rule)?;
    let (Some(source_ip_groups), Some(destination_ip_groups)) = (
        ip_groups(cx, fw, where_, rule, "/sourceIpGroups")?,
        ip_groups(cx, fw, where_, rule, "/destinationIpGroups")?,
    ) else {
        return Ok(Vec::new());
    };
    no_service_tag_as_source(rule)?;
    let source = addresses_or_groups(cx, rule, "/sourceAddresses", &source_ip_groups)?;
    // FQDNs stand instead of destination addresses (the firewall resolves them itself).
    let destination_fqdns: Vec<Text> = rule
        .strings("/destinationFqdns")?
        .into_iter()
        .map(text)
        .collect();
    let destination = match destination_fqdns.is_empty() {
        true => addresses_or_groups(cx, rule, "/destinationAddresses", &destination_ip_groups)?,
        false => vec![text("*")],
    };
    let ports = ports(rule, "/destinationPorts")?;
    Ok(protocols
        .into_iter()
        .map(|protocol| NetworkRuleDoc {
            name: text(name),
            source: source.clone(),
            destination: destination.clone(),
            source_ip_groups: source_ip_groups.clone(),
            destination_ip_groups: destination_ip_groups.clone(),
            destination_fqdns: destination_fqdns.clone(),
            ports: ports.clone(),
            protocol,
        })
        .collect())
}

pub(super) fn app_rule(
    cx: &mut Context<'_>,
    fw: &str,
    where_: &str,
    rule: &Node<'_>,
) -> Result<Option<ApplicationRuleDoc>, Invalid> {
    let name = name_of(rule, "the rule's name")?;
    let mut ports: Vec<String> = Vec::new();
    for p in rule.items("/protocols")? {
        p.vocab::<AppProtocol>("/protocolType")?;
        let port = p.port_number("/port", 0..=64000)?.to_string();
        if !ports.contains(&port) {
            ports.push(port);
        }
    }
    if ports.is_empty() {
        return Err(rule.missing(
            "/protocols",
            "an application rule names its protocols and ports",
        ));
    }
    let Some(source_ip_groups) = ip_groups(cx, fw, where_, rule, "/sourceIpGroups")? else {
        return Ok(None);
    };
    let fqdns = rule.strings("/targetFqdns")?;
    let mut others = false;
    for k in ["/fqdnTags", "/webCategories", "/targetUrls"] {
        others |= !rule.items(k)?.is_empty();
    }
    if fqdns.is_empty() {
        leave_out(
            cx,
            fw,
            where_,
            name,
            "FQDN tags, web categories and URLs are not modelled, and it names no target FQDN",
        );
        return Ok(None);
    }
    if others {
        cx.comment(
            Section::Firewall,
            fw,
            format!("rule `{where_}/{name}`: its FQDN tags, web categories or URLs are left out"),
        );
    }
    no_service_tag_as_source(rule)?;
    Ok(Some(ApplicationRuleDoc {
        name: text(name),
        source: addresses_or_groups(cx, rule, "/sourceAddresses", &source_ip_groups)?,
        source_ip_groups,
        fqdns: fqdns.into_iter().map(text).collect(),
        ports: ports.into_iter().map(text).collect(),
    }))
}

/// One DNAT rule (`rule_type`: the `ruleType` a policy rule must have; classic rules have none).
pub(super) fn dnat(
    cx: &mut Context<'_>,
    fw: &mut FirewallDoc,
    where_: &str,
    rule: &Node<'_>,
    rule_type: Option<RuleType>,
) {
    let fw_name = fw.name.value.clone();
    if let Err(e) = read_dnat(cx, fw, where_, rule, rule_type) {
        invalid_rule(cx, &fw_name, where_, rule, &e);
    }
}

fn read_dnat(
    cx: &mut Context<'_>,
    fw: &mut FirewallDoc,
    where_: &str,
    rule: &Node<'_>,
    rule_type: Option<RuleType>,
) -> Result<(), Invalid> {
    let fw_name = fw.name.value.clone();
    let name = name_of(rule, "the rule's name")?;
    if let Some(wanted) = rule_type {
        if rule.vocab::<RuleType>("/ruleType")? != wanted {
            return Err(rule.prop("/ruleType").map_or_else(
                || rule.missing("/ruleType", "`NatRule`"),
                |n| n.invalid("is not `NatRule`, the only rule type of a NAT collection"),
            ));
        }
    }
    let protocols = protocols(rule)?;
    let ports = ports(rule, "/destinationPorts")?;
    if rule
        .opt_str("/translatedFqdn")?
        .is_some_and(|f| !f.is_empty())
    {
        leave_out(
            cx,
            &fw_name,
            where_,
            name,
            "DNAT to an FQDN is not modelled",
        );
        return Ok(());
    }
    let translated_address = rule.str("/translatedAddress")?;
    let translated_port = translated_port(rule)?;
    if unmodelled(
        cx,
        &fw_name,
        where_,
        rule,
        &[(
            "/sourceIpGroups",
            "IP groups as DNAT rule sources are not modelled",
        )],
    )? {
        return Ok(());
    }
    no_service_tag_as_source(rule)?;
    let source = addresses(cx, rule, "/sourceAddresses")?;
    let destinations = rule.strings("/destinationAddresses")?;
    if destinations.is_empty() {
        return Err(rule.missing("/destinationAddresses", "the firewall's public IP"));
    }
    for destination in destinations {
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
        for protocol in &protocols {
            fw.dnat_rules.push(DnatRuleDoc {
                name: text(name),
                source: source.clone(),
                destination: text(destination.clone()),
                ports: ports.clone(),
                protocol: *protocol,
                translated_address: text(translated_address),
                translated_port: Spanned::new(translated_port),
            });
        }
    }
    Ok(())
}

/// A DNAT rule's `translatedPort`: one port, written as a string or a number.
fn translated_port(rule: &Node<'_>) -> Result<u16, Invalid> {
    let Some(p) = rule.prop("/translatedPort") else {
        return Err(rule.missing("/translatedPort", "one port"));
    };
    let port = p
        .value
        .as_str()
        .map(str::to_string)
        .or_else(|| p.value.as_u64().map(|n| n.to_string()))
        .and_then(|s| s.parse::<u16>().ok());
    port.ok_or_else(|| p.invalid("is not one port (0–65535)"))
}
