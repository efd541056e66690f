//! A firewall policy: its settings azpath notes as not modelled, and its rule collection
//! groups in priority order.

use super::super::context::{text, Context};
use super::super::field::{Invalid, Node, Vocabulary};
use super::super::resource::Resource;
use super::super::Section;
use super::rules::{
    app_rule, dnat, invalid_rule, name_of, network_rule, priority, written_name, FilterAction,
    RuleType, PRIORITIES,
};
use crate::scenario::{
    FirewallDnsDoc, FirewallDoc, RuleCollectionDoc, RuleCollectionGroupDoc, Spanned,
};

/// A policy rule collection's `ruleCollectionType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CollectionType {
    Nat,
    Filter,
}

impl Vocabulary for CollectionType {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("FirewallPolicyNatRuleCollection", CollectionType::Nat),
        ("FirewallPolicyFilterRuleCollection", CollectionType::Filter),
    ];
}

/// `AzureFirewallThreatIntelMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ThreatIntel {
    Alert,
    Deny,
    Off,
}

impl Vocabulary for ThreatIntel {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("Alert", ThreatIntel::Alert),
        ("Deny", ThreatIntel::Deny),
        ("Off", ThreatIntel::Off),
    ];
}

pub(super) fn firewall_policy(
    cx: &mut Context<'_>,
    p: &Resource,
    fw: &mut FirewallDoc,
) -> Result<(), Invalid> {
    let name = fw.name.value.clone();
    cx.comment(Section::Firewall, &name, p.id.clone());
    let props = p.props();
    fw.snat_private_ranges = super::snat(props.strings("/snat/privateRanges")?);
    note_unmodelled(cx, &name, p)?;
    fw.dns = dns_settings(&props)?;
    for (priority, group) in groups_by_priority(cx, &name, p) {
        rule_collection_group(cx, fw, &name, priority, group);
    }
    Ok(())
}

/// The policy settings that change answers but azpath does not model, listed on the firewall.
fn note_unmodelled(cx: &mut Context<'_>, name: &str, p: &Resource) -> Result<(), Invalid> {
    let props = p.props();
    let notes = [
        (
            "/basePolicy/id",
            "its parent policy is not imported: only this policy's rules apply",
        ),
        ("/transportSecurity", "TLS inspection is not modelled"),
        ("/intrusionDetection", "IDPS is not modelled"),
    ];
    for (pointer, remark) in notes {
        if props
            .at(pointer)
            .is_some_and(|v| v.value != &serde_json::Value::Bool(false))
        {
            cx.unmodelled(
                Section::Firewall,
                name,
                format!("`{}` of policy {}", pointer.trim_start_matches('/'), p.id),
                remark,
            );
        }
    }
    if props.opt_vocab::<ThreatIntel>("/threatIntelMode")? == Some(ThreatIntel::Deny) {
        cx.unmodelled(
            Section::Firewall,
            name,
            format!("threat intelligence of policy {}", p.id),
            "Deny mode is not modelled",
        );
    }
    Ok(())
}

/// The policy's rule collection groups in Azure's processing order, lowest priority first; a
/// group with an invalid priority is reported and left out.
fn groups_by_priority<'a>(
    cx: &mut Context<'a>,
    name: &str,
    p: &Resource,
) -> Vec<(u64, &'a Resource)> {
    let mut groups = Vec::new();
    for g in cx.children_of(
        &p.id,
        "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
    ) {
        cx.take(g);
        let Some(group) = cx.res(g) else { continue };
        match group.props().number("/priority", PRIORITIES) {
            Ok(priority) => groups.push((priority, group)),
            Err(e) => cx.invalid(
                Some((Section::Firewall, name)),
                format!("rule collection group {}", group.id),
                &e,
            ),
        }
    }
    groups.sort_by_key(|(priority, _)| *priority);
    groups
}

/// One rule collection group: its collections onto the firewall, DNAT rules into `dnat_rules`;
/// a group left with no collection is not written.
fn rule_collection_group(
    cx: &mut Context<'_>,
    fw: &mut FirewallDoc,
    name: &str,
    priority: u64,
    group: &Resource,
) {
    cx.comment(Section::Firewall, name, group.id.clone());
    let mut doc = RuleCollectionGroupDoc {
        name: text(group.name.clone()),
        priority: Spanned::new(u32::try_from(priority).unwrap_or(u32::MAX)),
        collections: Vec::new(),
    };
    let collections = match group.props().items("/ruleCollections") {
        Ok(c) => c,
        Err(e) => {
            cx.invalid(
                Some((Section::Firewall, name)),
                format!("rule collection group {}", group.id),
                &e,
            );
            return;
        }
    };
    for c in collections {
        let where_ = format!("{}/{}", group.name, written_name(&c));
        if let Err(e) = collection(cx, fw, &where_, &c, &mut doc) {
            cx.invalid(
                Some((Section::Firewall, name)),
                format!("rule collection `{where_}` of firewall `{name}`"),
                &e,
            );
        }
    }
    if !doc.collections.is_empty() {
        fw.rule_collection_groups.push(doc);
    }
}

/// One rule collection of a policy group: a filter collection, or DNAT rules.
fn collection(
    cx: &mut Context<'_>,
    fw: &mut FirewallDoc,
    where_: &str,
    c: &Node<'_>,
    doc: &mut RuleCollectionGroupDoc,
) -> Result<(), Invalid> {
    let name = name_of(c, "the collection's name")?;
    let kind = c.vocab::<CollectionType>("/ruleCollectionType")?;
    let priority = priority(c)?;
    let rules = c.items("/rules")?;
    if kind == CollectionType::Nat {
        return nat_collection(cx, fw, where_, c, rules);
    }
    let FilterAction(action) = c.vocab::<FilterAction>("/action/type")?;
    let mut network = Vec::new();
    let mut application = Vec::new();
    let fw_name = fw.name.value.clone();
    for rule in rules {
        let read = rule.vocab::<RuleType>("/ruleType").and_then(|t| match t {
            RuleType::Application => Ok(app_rule(cx, &fw_name, where_, &rule)?.map(Err)),
            RuleType::Network => Ok(Some(Ok(network_rule(cx, &fw_name, where_, &rule)?))),
            RuleType::Nat => Err(rule.prop("/ruleType").map_or_else(
                || rule.missing("/ruleType", "`ApplicationRule` or `NetworkRule`"),
                |n| {
                    n.invalid(
                        "is `NatRule`, which belongs in a NAT collection, not a filter collection",
                    )
                },
            )),
        });
        match read {
            Ok(Some(Ok(rules))) => network.extend(rules),
            Ok(Some(Err(app))) => application.push(app),
            Ok(None) => {}
            Err(e) => invalid_rule(cx, &fw_name, where_, &rule, &e),
        }
    }
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
    Ok(())
}

/// A policy NAT collection: its action must be `DNAT`, and its rules go to `dnat_rules`.
fn nat_collection(
    cx: &mut Context<'_>,
    fw: &mut FirewallDoc,
    where_: &str,
    c: &Node<'_>,
    rules: Vec<Node<'_>>,
) -> Result<(), Invalid> {
    let action = c.str("/action/type")?;
    if !action.eq_ignore_ascii_case("DNAT") {
        return Err(c.prop("/action/type").map_or_else(
            || c.missing("/action/type", "`DNAT`"),
            |n| {
                n.invalid(format!(
                    "is `{}`, not `DNAT` (the only action of a NAT collection)",
                    super::super::field::shown(action)
                ))
            },
        ));
    }
    let fw_name = fw.name.value.clone();
    cx.comment(
        Section::Firewall,
        &fw_name,
        format!("DNAT collection `{where_}` is written as `dnat_rules` (processed before network rules)"),
    );
    for rule in rules {
        dnat(cx, fw, where_, &rule, Some(RuleType::Nat));
    }
    Ok(())
}

/// The policy's `dnsSettings`: the DNS proxy and the firewall's own DNS servers
/// (<https://learn.microsoft.com/azure/firewall/dns-settings>); absent: proxy off, Azure DNS.
fn dns_settings(props: &Node<'_>) -> Result<Option<FirewallDnsDoc>, Invalid> {
    if props.prop("/dnsSettings").is_none() {
        return Ok(None);
    }
    Ok(Some(FirewallDnsDoc {
        proxy: props.bool_or("/dnsSettings/enableProxy", false)?,
        servers: props
            .strings("/dnsSettings/servers")?
            .into_iter()
            .map(text)
            .collect(),
    }))
}
