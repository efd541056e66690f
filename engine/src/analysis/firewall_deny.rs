//! An Azure Firewall deny explained as data: the rules that nearly matched and the field each
//! one failed on (the source after an earlier SNAT, the destination, the port, the protocol, the
//! FQDN, or an earlier rule that decided first), and the row Azure Firewall would write to its
//! structured logs (`AZFWNetworkRule` or `AZFWApplicationRule`), so the user can match it to the
//! row their KQL query returns.
//!
//! Azure: rule processing ("Configure Azure Firewall rules",
//! <https://learn.microsoft.com/azure/firewall/rule-processing>: DNAT, then network, then
//! application rules; within each, by rule collection group priority, then collection priority);
//! the log tables ("AZFWNetworkRule", <https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwnetworkrule>,
//! and "AZFWApplicationRule", <https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwapplicationrule>:
//! `ActionReason` is `Default Action` when no rule matched).

use std::net::IpAddr;

use serde::Serialize;

use crate::dataplane::DataPlane;
use crate::filter::firewall::{fqdn_matches, FirewallDecision, FirewallStage};
use crate::filter::nsg::TagScope;
use crate::model::{
    Access, AddressMatch, Firewall, FlowProtocol, Network, PortRange, Protocol, RulePlace,
    ServiceTag,
};
use crate::trace::{Step, TraceAnswer};

/// The kind of rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum RuleKind {
    /// A network rule.
    Network,
    /// An application rule.
    Application,
}

/// Why a rule did not decide the flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "field")]
pub enum Mismatch {
    /// The packet's source is not among the rule's sources.
    Source {
        /// The rule's sources.
        rule: Vec<String>,
        /// The source the firewall sees.
        seen: IpAddr,
        /// When an earlier firewall SNATed the flow: the client's own address and that
        /// firewall, and whether the rule would have matched the client's address.
        snat: Option<EarlierSnat>,
    },
    /// The destination is not among the rule's destinations.
    Destination {
        /// The rule's destinations.
        rule: Vec<String>,
        /// The destination the firewall sees.
        seen: IpAddr,
    },
    /// The destination port is not among the rule's ports.
    Port {
        /// The rule's ports.
        rule: Vec<String>,
        /// The flow's port.
        seen: u16,
    },
    /// The protocol differs.
    Protocol {
        /// The rule's protocol.
        rule: String,
        /// The flow's.
        seen: FlowProtocol,
    },
    /// The name the client asks for (TLS SNI or HTTP host) is not among the rule's FQDNs.
    Fqdn {
        /// The rule's FQDNs.
        rule: Vec<String>,
        /// The name asked for (`None`: no SNI, the client connected by address).
        seen: Option<String>,
    },
    /// The rule matches, but an earlier rule (by collection group and collection priority, or a
    /// network rule before any application rule) decided first.
    DecidedEarlier {
        /// The rule that decided.
        by: String,
    },
}

/// An earlier firewall's SNAT of the flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct EarlierSnat {
    /// The client's address before translation.
    pub client: IpAddr,
    /// The firewall that translated it.
    pub by: String,
    /// Whether the rule's sources include the client's address.
    pub rule_matches_client: bool,
}

/// A rule that nearly matched: the fields it failed on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct NearMiss {
    /// The rule's kind.
    pub kind: RuleKind,
    /// Its group, collection and name.
    pub place: RulePlace,
    /// The fields that did not match, in the order Azure compares them.
    pub failed: Vec<Mismatch>,
}

/// The row Azure Firewall writes for the decision, with the tables' column names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "Table")]
pub enum LogRow {
    /// `AZFWNetworkRule`.
    #[serde(rename = "AZFWNetworkRule", rename_all = "PascalCase")]
    Network {
        /// `SourceIp`.
        source_ip: IpAddr,
        /// `SourcePort`.
        source_port: u16,
        /// `DestinationIp`.
        destination_ip: IpAddr,
        /// `DestinationPort`.
        destination_port: u16,
        /// `Protocol` (`TCP`, `UDP`, `ICMP`).
        protocol: String,
        /// `Action`.
        action: String,
        /// `RuleCollectionGroup` (empty for the default action).
        rule_collection_group: String,
        /// `RuleCollection`.
        rule_collection: String,
        /// `Rule`.
        rule: String,
        /// `ActionReason` (`Default Action` when no rule matched).
        action_reason: String,
    },
    /// `AZFWApplicationRule`.
    #[serde(rename = "AZFWApplicationRule", rename_all = "PascalCase")]
    Application {
        /// `SourceIp`.
        source_ip: IpAddr,
        /// `SourcePort`.
        source_port: u16,
        /// `DestinationPort`.
        destination_port: u16,
        /// `Protocol` (`HTTP` or `HTTPS`).
        protocol: String,
        /// `Fqdn` (empty when the client sent no name).
        fqdn: String,
        /// `Action`.
        action: String,
        /// `RuleCollectionGroup`.
        rule_collection_group: String,
        /// `RuleCollection`.
        rule_collection: String,
        /// `Rule`.
        rule: String,
        /// `ActionReason`.
        action_reason: String,
    },
}

/// A firewall's deny of a flow, explained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DenyExplanation {
    /// The firewall.
    pub firewall: String,
    /// The source it saw.
    pub source: IpAddr,
    /// The client's address and the firewall that SNATed it, when they differ.
    pub snat: Option<(IpAddr, String)>,
    /// The rules that nearly matched, fewest failed fields first (ties in processing order).
    pub near_misses: Vec<NearMiss>,
    /// The log row.
    pub log: LogRow,
}

/// How many near misses are kept.
const NEAR_MISSES: usize = 5;

/// The explanation of the deny at the last firewall of `t`'s request path; `None` when no
/// firewall denied it.
pub fn explain(net: &Network, dp: &DataPlane, t: &TraceAnswer) -> Option<DenyExplanation> {
    let (index, hop, decision) = t.forward.iter().enumerate().rev().find_map(|(i, h)| {
        h.steps.iter().find_map(|s| match s {
            Step::Firewall(d) if d.access == Access::Deny => Some((i, h, d)),
            _ => None,
        })
    })?;
    let fw = net.firewalls.iter().find(|f| f.name == decision.firewall)?;
    let client = t.forward.first().map(|h| h.packet.src);
    let snat = t.forward.iter().take(index).find_map(|h| {
        h.steps.iter().find_map(|s| match s {
            Step::Snat { from, .. } => Some((*from, h.nic.to_string())),
            _ => None,
        })
    });
    let snat = snat.filter(|(from, _)| Some(*from) == client && *from != hop.packet.src);
    let fallback = TagScope::default();
    let scope = dp.tag_scope(fw.subnet).unwrap_or(&fallback);
    let seen = Seen {
        src: hop.packet.src,
        dst: hop.packet.dst,
        port: hop.packet.dst_port,
        protocol: t.request.protocol,
        host: decision.host.clone(),
        snat: snat.clone(),
    };
    let mut near: Vec<NearMiss> = near_misses(net, fw, &seen, decision, scope);
    near.sort_by_key(|n| n.failed.len());
    near.truncate(NEAR_MISSES);
    Some(DenyExplanation {
        firewall: fw.name.clone(),
        source: hop.packet.src,
        snat,
        near_misses: near,
        log: log_row(decision, &seen, hop.packet.src_port),
    })
}

/// The flow as the firewall sees it.
struct Seen {
    src: IpAddr,
    dst: IpAddr,
    port: u16,
    protocol: FlowProtocol,
    host: Option<String>,
    snat: Option<(IpAddr, String)>,
}

/// Every allow rule of `fw`, with the fields that fail for the flow; a rule that matches
/// entirely lost to the deny that decided (or, for the default deny, cannot exist).
fn near_misses(
    net: &Network,
    fw: &Firewall,
    seen: &Seen,
    decision: &FirewallDecision,
    scope: &TagScope,
) -> Vec<NearMiss> {
    let decided_by = decision.rule.as_ref().map(written);
    let mut out = Vec::new();
    for r in fw
        .network
        .iter()
        .filter(|r| r.place.action == Access::Allow)
    {
        let mut failed = Vec::new();
        if !protocol_matches(r.protocol, seen.protocol) {
            failed.push(Mismatch::Protocol {
                rule: r.protocol.to_string(),
                seen: seen.protocol,
            });
        }
        source(net, &r.source, seen, scope, &mut failed);
        if !addresses(&r.destination, seen.dst, scope) {
            failed.push(Mismatch::Destination {
                rule: shown(net, &r.destination),
                seen: seen.dst,
            });
        }
        if seen.protocol != FlowProtocol::Icmp && !r.ports.iter().any(|p| p.contains(seen.port)) {
            failed.push(port(&r.ports, seen.port));
        }
        push(&mut out, RuleKind::Network, &r.place, failed, &decided_by);
    }
    for r in fw
        .application
        .iter()
        .filter(|r| r.place.action == Access::Allow)
    {
        let mut failed = Vec::new();
        if seen.protocol != FlowProtocol::Tcp {
            failed.push(Mismatch::Protocol {
                rule: "Http/Https".into(),
                seen: seen.protocol,
            });
        }
        source(net, &r.source, seen, scope, &mut failed);
        if !r.ports.iter().any(|p| p.contains(seen.port)) {
            failed.push(port(&r.ports, seen.port));
        }
        let named = r.fqdns.iter().any(|f| match &seen.host {
            Some(h) => fqdn_matches(f, h),
            None => f == "*",
        });
        if !named {
            failed.push(Mismatch::Fqdn {
                rule: r.fqdns.clone(),
                seen: seen.host.clone(),
            });
        }
        push(
            &mut out,
            RuleKind::Application,
            &r.place,
            failed,
            &decided_by,
        );
    }
    out
}

fn push(
    out: &mut Vec<NearMiss>,
    kind: RuleKind,
    place: &RulePlace,
    mut failed: Vec<Mismatch>,
    decided_by: &Option<String>,
) {
    if failed.is_empty() {
        match decided_by {
            Some(by) => failed.push(Mismatch::DecidedEarlier { by: by.clone() }),
            None => return,
        }
    }
    out.push(NearMiss {
        kind,
        place: place.clone(),
        failed,
    });
}

/// The source field: fails when the seen source is not a rule source; after an earlier SNAT,
/// says whether the client's own address would have matched.
fn source(
    net: &Network,
    rule: &[AddressMatch],
    seen: &Seen,
    scope: &TagScope,
    failed: &mut Vec<Mismatch>,
) {
    if addresses(rule, seen.src, scope) {
        return;
    }
    failed.push(Mismatch::Source {
        rule: shown(net, rule),
        seen: seen.src,
        snat: seen.snat.as_ref().map(|(client, by)| EarlierSnat {
            client: *client,
            by: by.clone(),
            rule_matches_client: addresses(rule, *client, scope),
        }),
    });
}

fn port(ports: &[PortRange], seen: u16) -> Mismatch {
    Mismatch::Port {
        rule: ports
            .iter()
            .map(|p| {
                if *p == PortRange::ANY {
                    "*".to_string()
                } else if p.first == p.last {
                    p.first.to_string()
                } else {
                    format!("{}-{}", p.first, p.last)
                }
            })
            .collect(),
        seen,
    }
}

fn protocol_matches(rule: Protocol, flow: FlowProtocol) -> bool {
    match rule {
        Protocol::Any => true,
        Protocol::Tcp => flow == FlowProtocol::Tcp,
        Protocol::Udp => flow == FlowProtocol::Udp,
        Protocol::Icmp => flow == FlowProtocol::Icmp,
        Protocol::Esp | Protocol::Ah => false,
    }
}

fn addresses(ms: &[AddressMatch], ip: IpAddr, scope: &TagScope) -> bool {
    ms.iter().any(|m| match m {
        AddressMatch::Any => true,
        AddressMatch::Prefix(p) => p.contains(&ip),
        AddressMatch::Tag(t) => scope.contains(t, ip),
        // Firewall rules cannot name an application security group (validation refuses one).
        AddressMatch::Asg(_) => false,
    })
}

/// A rule's addresses as the policy writes them.
fn shown(net: &Network, ms: &[AddressMatch]) -> Vec<String> {
    ms.iter()
        .map(|m| match m {
            AddressMatch::Any => "*".to_string(),
            AddressMatch::Prefix(p) => p.to_string(),
            AddressMatch::Tag(ServiceTag::VirtualNetwork) => "VirtualNetwork".into(),
            AddressMatch::Tag(ServiceTag::Internet) => "Internet".into(),
            AddressMatch::Tag(ServiceTag::AzureLoadBalancer) => "AzureLoadBalancer".into(),
            AddressMatch::Tag(ServiceTag::Declared(i)) => net
                .service_tags
                .get(*i)
                .map_or_else(|| format!("<service tag {i}>"), |(n, _)| n.clone()),
            AddressMatch::Tag(ServiceTag::AzurePlatformDns) => "AzurePlatformDNS".into(),
            AddressMatch::Tag(ServiceTag::AzurePlatformImds) => "AzurePlatformIMDS".into(),
            AddressMatch::Tag(ServiceTag::AzurePlatformLkm) => "AzurePlatformLKM".into(),
            AddressMatch::Asg(i) => net.application_security_groups.get(*i).map_or_else(
                || format!("<application security group {i}>"),
                |a| a.name.clone(),
            ),
        })
        .collect()
}

/// `group/collection/rule`.
fn written(p: &RulePlace) -> String {
    format!("{}/{}/{}", p.group, p.collection, p.rule)
}

/// The row Azure writes: application rule log for web traffic an application rule or the
/// default action decided with an HTTP 470 or cut TLS (what the client feels decides which
/// engine answered), network rule log otherwise.
fn log_row(d: &FirewallDecision, seen: &Seen, source_port: u16) -> LogRow {
    let action = match d.access {
        Access::Allow => "Allow",
        Access::Deny => "Deny",
    }
    .to_string();
    let (group, collection, rule) = d.rule.as_ref().map_or_else(
        || (String::new(), String::new(), String::new()),
        |r| {
            (
                r.group.to_string(),
                r.collection.to_string(),
                r.rule.to_string(),
            )
        },
    );
    let reason = if d.rule.is_none() {
        "Default Action".to_string()
    } else {
        String::new()
    };
    let web = seen.protocol == FlowProtocol::Tcp && matches!(seen.port, 80 | 443);
    let application = match d.stage {
        FirewallStage::Application => true,
        FirewallStage::DefaultDeny => web,
        FirewallStage::Network | FirewallStage::Dnat => false,
    };
    if application {
        return LogRow::Application {
            source_ip: seen.src,
            source_port,
            destination_port: seen.port,
            protocol: if seen.port == 80 { "HTTP" } else { "HTTPS" }.into(),
            // Azure writes an empty `Fqdn` when the client sent no name (no SNI).
            fqdn: seen.host.clone().unwrap_or_default(),
            action,
            rule_collection_group: group,
            rule_collection: collection,
            rule,
            action_reason: reason,
        };
    }
    LogRow::Network {
        source_ip: seen.src,
        source_port,
        destination_ip: seen.dst,
        destination_port: seen.port,
        protocol: match seen.protocol {
            FlowProtocol::Tcp => "TCP",
            FlowProtocol::Udp => "UDP",
            FlowProtocol::Icmp => "ICMP",
        }
        .into(),
        action,
        rule_collection_group: group,
        rule_collection: collection,
        rule,
        action_reason: reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::suggest::testing::{diagnosis, flow, lesson, load};

    fn explained(loaded: &crate::Loaded, from: &str, to: &str) -> DenyExplanation {
        let d = diagnosis(loaded, &flow(from, to));
        explain(&loaded.network, loaded.dataplane(), &d.trace).expect("a firewall deny")
    }

    #[test]
    fn the_second_firewall_sees_the_first_firewalls_snat_and_the_rule_for_the_client_nearly_matched(
    ) {
        let loaded = lesson("virtual-wan/second-hub-firewall-denies-the-snated-source.ron");
        let e = explained(&loaded, "app-dev", "aoai-dev.openai.azure.com");
        assert_eq!(e.firewall, "fw-eus");
        assert_eq!(e.source.to_string(), "10.100.0.132");
        assert_eq!(
            e.snat,
            Some(("10.1.1.4".parse().unwrap(), "fw-wus".to_string()))
        );
        let [miss] = e.near_misses.as_slice() else {
            panic!("{:?}", e.near_misses)
        };
        assert_eq!(miss.place.rule, "dev-spoke-to-ai");
        assert_eq!(
            miss.failed,
            [Mismatch::Source {
                rule: vec!["10.1.0.0/16".into()],
                seen: "10.100.0.132".parse().unwrap(),
                snat: Some(EarlierSnat {
                    client: "10.1.1.4".parse().unwrap(),
                    by: "fw-wus".into(),
                    rule_matches_client: true,
                }),
            }]
        );
    }

    #[test]
    fn a_default_deny_of_https_is_logged_in_azfwapplicationrule_with_default_action() {
        let loaded = lesson("virtual-wan/second-hub-firewall-denies-the-snated-source.ron");
        let e = explained(&loaded, "app-dev", "aoai-dev.openai.azure.com");
        let LogRow::Application {
            source_ip,
            fqdn,
            action,
            rule,
            action_reason,
            ..
        } = &e.log
        else {
            panic!("{:?}", e.log)
        };
        assert_eq!(source_ip.to_string(), "10.100.0.132", "the SNATed source");
        assert_eq!(fqdn, "aoai-dev.openai.azure.com");
        assert_eq!((action.as_str(), rule.as_str()), ("Deny", ""));
        assert_eq!(action_reason, "Default Action");
        let json = serde_json::to_value(&e.log).unwrap();
        assert_eq!(json["Table"], "AZFWApplicationRule");
        assert_eq!(json["SourceIp"], "10.100.0.132");
        assert_eq!(json["ActionReason"], "Default Action");
    }

    const ONE_FIREWALL: &str = r#"Scenario(
        vnets: [
            (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "AzureFirewallSubnet", prefix: "10.0.1.0/26")]),
            (name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "a", prefix: "10.1.1.0/24", route_table: "rt"), (name: "b", prefix: "10.1.2.0/24", route_table: "rt")]),
        ],
        peerings: [(between: ("hub", "spoke"))],
        route_tables: [(name: "rt", routes: [(name: "fw", prefix: "10.1.0.0/16", next_hop: VirtualAppliance("10.0.1.4"))])],
        firewalls: [(name: "fw", subnet: "hub/AzureFirewallSubnet", private_ip: "10.0.1.4", rule_collection_groups: [
            (name: "g", priority: 100, collections: [
                (name: "deny-first", priority: 100, action: Deny, network_rules: [(name: "block-b", source: ["10.1.1.0/24"], destination: ["10.1.2.0/24"], ports: ["22"], protocol: Tcp)]),
                (name: "allow", priority: 200, action: Allow, network_rules: [
                    (name: "wrong-port", source: ["10.1.1.0/24"], destination: ["10.1.2.0/24"], ports: ["8443"], protocol: Tcp),
                    (name: "ssh", source: ["10.1.1.0/24"], destination: ["10.1.2.0/24"], ports: ["22"], protocol: Tcp),
                ]),
            ]),
        ])],
        workloads: [(name: "vm-a", subnet: "spoke/a", ip: "10.1.1.4"), (name: "vm-b", subnet: "spoke/b", ip: "10.1.2.4")],
    )"#;

    #[test]
    fn a_rule_on_another_port_nearly_matches_on_every_field_but_the_port() {
        let loaded = load(ONE_FIREWALL);
        let e = explained(&loaded, "vm-a", "10.1.2.4");
        let miss = e
            .near_misses
            .iter()
            .find(|m| m.place.rule == "wrong-port")
            .unwrap();
        assert_eq!(
            miss.failed,
            [Mismatch::Port {
                rule: vec!["8443".into()],
                seen: 443
            }]
        );
        assert!(
            matches!(e.log, LogRow::Application { .. }),
            "HTTPS default deny"
        );
    }

    #[test]
    fn an_allow_rule_after_a_deny_collection_lost_on_processing_order() {
        let loaded = load(ONE_FIREWALL);
        let d = diagnosis(&loaded, &{
            let mut f = flow("vm-a", "10.1.2.4");
            f.port = 22;
            f
        });
        let e = explain(&loaded.network, loaded.dataplane(), &d.trace).unwrap();
        let miss = e
            .near_misses
            .iter()
            .find(|m| m.place.rule == "ssh")
            .unwrap();
        assert_eq!(
            miss.failed,
            [Mismatch::DecidedEarlier {
                by: "g/deny-first/block-b".into()
            }]
        );
        let LogRow::Network {
            rule,
            rule_collection,
            action_reason,
            ..
        } = &e.log
        else {
            panic!("{:?}", e.log)
        };
        assert_eq!(
            (rule.as_str(), rule_collection.as_str()),
            ("block-b", "deny-first")
        );
        assert_eq!(action_reason, "", "a rule decided: no default action");
    }
}
