//! Azure Firewalls with their policies: rule collection groups, SNAT private ranges, DNAT
//! rules; classic rule collections become one group.

use super::context::{text, Context, Ns};
use super::field::{Invalid, Node, Vocabulary};
use super::resource::Resource;
use super::Section;
use crate::scenario::{
    Access, ApplicationRuleDoc, DnatRuleDoc, FirewallDoc, NetworkRuleDoc, Protocol,
    RuleCollectionDoc, RuleCollectionGroupDoc, SnatRangesDoc, Spanned, Text,
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
struct FilterAction(Access);

impl Vocabulary for FilterAction {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("Allow", FilterAction(Access::Allow)),
        ("Deny", FilterAction(Access::Deny)),
    ];
}

/// `AzureFirewallNatRCActionType` (classic NAT collections; a policy's is always `DNAT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NatAction {
    Dnat,
    Snat,
}

impl Vocabulary for NatAction {
    const VALUES: &'static [(&'static str, Self)] =
        &[("Dnat", NatAction::Dnat), ("Snat", NatAction::Snat)];
}

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

/// A policy rule's `ruleType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RuleType {
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

/// Azure's range of rule collection group and rule collection priorities.
const PRIORITIES: std::ops::RangeInclusive<u64> = 100..=65000;

pub(super) fn import(cx: &mut Context<'_>) {
    for i in cx.of_kind("Microsoft.Network/azureFirewalls") {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let name = cx.name(Ns::Nic, &r.id, &r.name);
        match firewall(cx, r, &name) {
            Ok(Some(fw)) => cx.doc.firewalls.push(fw),
            Ok(None) => cx.forget(Ns::Nic, &r.id),
            Err(e) => {
                cx.forget(Ns::Nic, &r.id);
                cx.invalid(None, format!("firewall {}", r.id), &e);
            }
        }
    }
}

fn firewall(
    cx: &mut Context<'_>,
    r: &Resource,
    name: &str,
) -> Result<Option<FirewallDoc>, Invalid> {
    let props = r.props();
    let hub = props
        .opt_str("/virtualHub/id")?
        .and_then(|h| cx.name_of(Ns::Vnet, h));
    let configs = props.items("/ipConfigurations")?;
    let (subnet, private_ip) = match &hub {
        Some(hub) => (
            Some(format!("{hub}/AzureFirewallSubnet")),
            props.opt_str("/hubIPAddresses/privateIPAddress")?,
        ),
        None => match configs.first() {
            Some(c) => (
                c.opt_str("/subnet/id")?.and_then(|s| cx.subnet_name(s)),
                c.opt_str("/privateIPAddress")?,
            ),
            None => (None, None),
        },
    };
    let (Some(subnet), Some(private_ip)) = (subnet, private_ip.filter(|ip| !ip.is_empty())) else {
        cx.skip(
            r.id.clone(),
            "no private IP in an imported VNet or virtual hub",
        );
        return Ok(None);
    };
    cx.comment(Section::Firewall, name, r.id.clone());
    let public_ips = public_ips(cx, r, name)?;
    let mut fw = FirewallDoc {
        name: text(name),
        subnet: text(subnet),
        private_ip: text(private_ip),
        public_ips: public_ips.into_iter().map(text).collect(),
        snat_private_ranges: SnatRangesDoc::IanaPrivate,
        dnat_rules: Vec::new(),
        network_rules: Vec::new(),
        application_rules: Vec::new(),
        rule_collection_groups: Vec::new(),
    };
    if let Some(ranges) = props.opt_str("/additionalProperties/Network.SNAT.PrivateRanges")? {
        fw.snat_private_ranges = snat(ranges.split(',').map(|s| s.trim().to_string()).collect());
    }
    classic(cx, r, &mut fw)?;
    if let Some(policy) = props.opt_str("/firewallPolicy/id")? {
        match cx.find(policy) {
            Some(p) => {
                cx.take(p);
                if let Some(p) = cx.res(p) {
                    firewall_policy(cx, p, &mut fw)?;
                }
            }
            None => {
                cx.comment(
                    Section::Firewall,
                    name,
                    format!("its policy {policy} is not in the input: no rules, so it denies everything"),
                );
                cx.skip(
                    format!("policy of firewall `{name}`: {policy}"),
                    "not in the input",
                );
            }
        }
    }
    Ok(Some(fw))
}

/// The firewall's public addresses, from its public IP resources or its hub addresses.
fn public_ips(cx: &mut Context<'_>, r: &Resource, name: &str) -> Result<Vec<String>, Invalid> {
    let props = r.props();
    let mut out = Vec::new();
    for a in props.items("/hubIPAddresses/publicIPs/addresses")? {
        out.push(a.str("/address")?.to_string());
    }
    for c in props.items("/ipConfigurations")? {
        let Some(id) = c.opt_str("/publicIPAddress/id")? else {
            continue;
        };
        let address = cx.find(id).and_then(|p| {
            cx.take(p);
            cx.res(p)?.prop_str("/ipAddress")
        });
        match address {
            Some(a) => out.push(a.to_string()),
            None => {
                let reason = "its address is not in the input (not imported, or allocated on deployment): DNAT to it is not modelled";
                cx.comment(Section::Firewall, name, format!("public IP {id}: {reason}"));
                cx.skip(format!("public IP {id} of firewall `{name}`"), reason);
            }
        }
    }
    Ok(out)
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

fn firewall_policy(
    cx: &mut Context<'_>,
    p: &Resource,
    fw: &mut FirewallDoc,
) -> Result<(), Invalid> {
    let name = fw.name.value.clone();
    cx.comment(Section::Firewall, &name, p.id.clone());
    let props = p.props();
    fw.snat_private_ranges = snat(props.strings("/snat/privateRanges")?);
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
        if props
            .at(pointer)
            .is_some_and(|v| v.value != &serde_json::Value::Bool(false))
        {
            cx.unmodelled(
                Section::Firewall,
                &name,
                format!("`{}` of policy {}", pointer.trim_start_matches('/'), p.id),
                remark,
            );
        }
    }
    if props.opt_vocab::<ThreatIntel>("/threatIntelMode")? == Some(ThreatIntel::Deny) {
        cx.unmodelled(
            Section::Firewall,
            &name,
            format!("threat intelligence of policy {}", p.id),
            "Deny mode is not modelled",
        );
    }
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
                Some((Section::Firewall, &name)),
                format!("rule collection group {}", group.id),
                &e,
            ),
        }
    }
    groups.sort_by_key(|(priority, _)| *priority);
    for (priority, group) in groups {
        cx.comment(Section::Firewall, &name, group.id.clone());
        let mut doc = RuleCollectionGroupDoc {
            name: text(group.name.clone()),
            priority: Spanned::new(u32::try_from(priority).unwrap_or(u32::MAX)),
            collections: Vec::new(),
        };
        let collections = match group.props().items("/ruleCollections") {
            Ok(c) => c,
            Err(e) => {
                cx.invalid(
                    Some((Section::Firewall, &name)),
                    format!("rule collection group {}", group.id),
                    &e,
                );
                continue;
            }
        };
        for c in collections {
            let where_ = format!(
                "{}/{}",
                group.name,
                c.value.get("name").and_then(|n| n.as_str()).unwrap_or("")
            );
            if let Err(e) = collection(cx, fw, &where_, &c, &mut doc) {
                cx.invalid(
                    Some((Section::Firewall, &name)),
                    format!("rule collection `{where_}` of firewall `{name}`"),
                    &e,
                );
            }
        }
        if !doc.collections.is_empty() {
            fw.rule_collection_groups.push(doc);
        }
    }
    Ok(())
}

/// A collection's or group's priority.
fn priority(node: &Node<'_>) -> Result<Spanned<u32>, Invalid> {
    let p = node.number("/priority", PRIORITIES)?;
    Ok(Spanned::new(u32::try_from(p).unwrap_or(u32::MAX)))
}

/// A rule's or collection's name (required).
fn name_of<'v>(node: &Node<'v>, what: &str) -> Result<&'v str, Invalid> {
    match node.value.get("name").and_then(|n| n.as_str()) {
        Some(n) if !n.is_empty() => Ok(n),
        _ => Err(node.missing("/name", what)),
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
        let action = c.str("/action/type")?;
        if !action.eq_ignore_ascii_case("DNAT") {
            return Err(c.prop("/action/type").map_or_else(
                || c.missing("/action/type", "`DNAT`"),
                |n| {
                    n.invalid(format!(
                        "is `{}`, not `DNAT` (the only action of a NAT collection)",
                        super::field::shown(action)
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
        return Ok(());
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

/// A rule left out, noted on the firewall and in the summary.
fn leave_out(cx: &mut Context<'_>, fw: &str, where_: &str, rule: &str, reason: &str) {
    let what = format!("rule `{where_}/{rule}` of firewall `{fw}`");
    cx.comment(Section::Firewall, fw, format!("left out {what}: {reason}"));
    cx.skip(what, reason.to_string());
}

/// A rule left out because a value in it is invalid.
fn invalid_rule(cx: &mut Context<'_>, fw: &str, where_: &str, rule: &Node<'_>, e: &Invalid) {
    let name = rule
        .value
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or("");
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
        let FirewallProtocol(p) = super::field::parse::<FirewallProtocol>(&p)?;
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
            let name = rule
                .value
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or("");
            leave_out(cx, fw, where_, name, reason);
            return Ok(true);
        }
    }
    Ok(false)
}

fn network_rule(
    cx: &mut Context<'_>,
    fw: &str,
    where_: &str,
    rule: &Node<'_>,
) -> Result<Vec<NetworkRuleDoc>, Invalid> {
    let name = name_of(rule, "the rule's name")?;
    let protocols = protocols(rule)?;
    let unmodelled = unmodelled(
        cx,
        fw,
        where_,
        rule,
        &[
            ("/sourceIpGroups", "IP groups are not modelled"),
            ("/destinationIpGroups", "IP groups are not modelled"),
            (
                "/destinationFqdns",
                "FQDNs in network rules need the DNS proxy, which is not modelled",
            ),
        ],
    )?;
    if unmodelled {
        return Ok(Vec::new());
    }
    let source = addresses(cx, rule, "/sourceAddresses")?;
    let destination = addresses(cx, rule, "/destinationAddresses")?;
    let ports = ports(rule, "/destinationPorts")?;
    Ok(protocols
        .into_iter()
        .map(|protocol| NetworkRuleDoc {
            name: text(name),
            source: source.clone(),
            destination: destination.clone(),
            ports: ports.clone(),
            protocol,
        })
        .collect())
}

fn app_rule(
    cx: &mut Context<'_>,
    fw: &str,
    where_: &str,
    rule: &Node<'_>,
) -> Result<Option<ApplicationRuleDoc>, Invalid> {
    let name = name_of(rule, "the rule's name")?;
    let mut ports: Vec<String> = Vec::new();
    for p in rule.items("/protocols")? {
        p.vocab::<AppProtocol>("/protocolType")?;
        let port = p.number("/port", 0..=64000)?.to_string();
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
    if unmodelled(
        cx,
        fw,
        where_,
        rule,
        &[("/sourceIpGroups", "IP groups are not modelled")],
    )? {
        return Ok(None);
    }
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
    Ok(Some(ApplicationRuleDoc {
        name: text(name),
        source: addresses(cx, rule, "/sourceAddresses")?,
        fqdns: fqdns.into_iter().map(text).collect(),
        ports: ports.into_iter().map(text).collect(),
    }))
}

/// One DNAT rule (`rule_type`: the `ruleType` a policy rule must have; classic rules have none).
fn dnat(
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
    let translated_port = match rule.prop("/translatedPort") {
        None => return Err(rule.missing("/translatedPort", "one port")),
        Some(p) => {
            let port = p
                .value
                .as_str()
                .map(str::to_string)
                .or_else(|| p.value.as_u64().map(|n| n.to_string()))
                .and_then(|s| s.parse::<u16>().ok());
            port.ok_or_else(|| p.invalid("is not one port (0–65535)"))?
        }
    };
    if unmodelled(
        cx,
        &fw_name,
        where_,
        rule,
        &[("/sourceIpGroups", "IP groups are not modelled")],
    )? {
        return Ok(());
    }
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

/// Classic rule collections (rules on the firewall itself), as one group `classic-rules`.
fn classic(cx: &mut Context<'_>, r: &Resource, fw: &mut FirewallDoc) -> Result<(), Invalid> {
    let mut group = RuleCollectionGroupDoc {
        name: text("classic-rules"),
        priority: Spanned::new(100),
        collections: Vec::new(),
    };
    let fw_name = fw.name.value.clone();
    let props = r.props();
    for c in props.items("/natRuleCollections")? {
        let where_ = format!(
            "classic/{}",
            c.value.get("name").and_then(|n| n.as_str()).unwrap_or("")
        );
        let read = name_of(&c, "the collection's name")
            .and_then(|_| priority(&c))
            .and_then(|_| c.vocab::<NatAction>("/action/type"))
            .and_then(|action| Ok((action, c.items("/rules")?)));
        match read {
            Ok((NatAction::Dnat, rules)) => {
                for rule in rules {
                    dnat(cx, fw, &where_, &rule, None);
                }
            }
            Ok((NatAction::Snat, _)) => {
                let what = format!("collection `{where_}` of firewall `{fw_name}`");
                cx.comment(
                    Section::Firewall,
                    &fw_name,
                    format!("left out {what}: SNAT collections are not modelled"),
                );
                cx.skip(what, "SNAT collections are not modelled");
            }
            Err(e) => cx.invalid(
                Some((Section::Firewall, &fw_name)),
                format!("collection `{where_}` of firewall `{fw_name}`"),
                &e,
            ),
        }
    }
    for (key, app) in [
        ("/networkRuleCollections", false),
        ("/applicationRuleCollections", true),
    ] {
        for c in props.items(key)? {
            let name = c.value.get("name").and_then(|n| n.as_str()).unwrap_or("");
            let where_ = format!("classic/{name}");
            let read = name_of(&c, "the collection's name").and_then(|name| {
                Ok((
                    name,
                    priority(&c)?,
                    c.vocab::<FilterAction>("/action/type")?,
                    c.items("/rules")?,
                ))
            });
            let (name, priority, FilterAction(action), rules) = match read {
                Ok(x) => x,
                Err(e) => {
                    cx.invalid(
                        Some((Section::Firewall, &fw_name)),
                        format!("collection `{where_}` of firewall `{fw_name}`"),
                        &e,
                    );
                    continue;
                }
            };
            let mut doc = RuleCollectionDoc {
                name: text(name),
                priority,
                action,
                network_rules: Vec::new(),
                application_rules: Vec::new(),
            };
            for rule in rules {
                let read = if app {
                    app_rule(cx, &fw_name, &where_, &rule).map(|a| doc.application_rules.extend(a))
                } else {
                    network_rule(cx, &fw_name, &where_, &rule).map(|n| doc.network_rules.extend(n))
                };
                if let Err(e) = read {
                    invalid_rule(cx, &fw_name, &where_, &rule, &e);
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
    Ok(())
}
