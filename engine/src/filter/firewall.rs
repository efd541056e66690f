//! Azure Firewall rule processing: network rules, then application rules, first match wins,
//! default deny; and whether the allowed flow is SNATed.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::nsg::{Flow, TagScope};
use crate::model::{
    Access, AddressMatch, Firewall, FlowProtocol, Name, PortRange, Protocol, RulePlace,
};

/// Which stage of the firewall decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum FirewallStage {
    /// A DNAT rule matched (traffic to a public IP of the firewall).
    Dnat,
    /// A network rule matched.
    Network,
    /// An application rule matched (on the FQDN).
    Application,
    /// Nothing matched: Azure Firewall denies by default.
    DefaultDeny,
}

/// How the client learns of a firewall deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum DenyFeel {
    /// Packets vanish: connect timeout.
    Silent,
    /// Plain HTTP through the application layer: the firewall answers HTTP 470.
    Http470,
    /// HTTPS through the application layer: the TLS handshake is cut off.
    TlsReset,
}

/// The firewall's decision on one flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FirewallDecision {
    /// The firewall.
    #[schemars(with = "String")]
    pub firewall: Name,
    /// Which stage decided.
    pub stage: FirewallStage,
    /// The matching rule (none for the default deny).
    pub rule: Option<RulePlace>,
    /// Allow or deny.
    pub access: Access,
    /// Whether the allowed flow leaves with the firewall's address as its source.
    pub snat: bool,
    /// The name the application rules were matched against (TLS SNI or HTTP host).
    pub host: Option<String>,
    /// How a deny shows.
    pub feel: DenyFeel,
    /// For a DNAT rule: the translated address and port.
    pub dnat: Option<(std::net::IpAddr, u16)>,
    /// The FQDNs of its network rules, with the addresses the firewall resolved for them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub resolved: FqdnAnswers,
}

/// The addresses an Azure Firewall resolved, with its own DNS, for the FQDNs of its network
/// rules: a rule with FQDNs matches a destination among them
/// (<https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules>: "Azure Firewall
/// translates the FQDN to an IP address(es) based on the selected DNS server").
pub type FqdnAnswers = BTreeMap<String, Vec<IpAddr>>;

/// Whether a network rule's FQDN destinations hold `dst`: the address is among the answers the
/// firewall got for one of them. A client that resolved the name differently (another DNS
/// server, a private zone the firewall's VNet does not link) connects to an address the rule
/// does not hold ("Azure Firewall DNS details", <https://learn.microsoft.com/azure/firewall/dns-details>).
pub fn fqdn_destination_matches(fqdns: &[String], dst: IpAddr, answers: &FqdnAnswers) -> bool {
    fqdns
        .iter()
        .any(|n| answers.get(n).is_some_and(|a| a.contains(&dst)))
}

fn addresses_match(ms: &[AddressMatch], ip: std::net::IpAddr, scope: &TagScope) -> bool {
    ms.iter().any(|m| match m {
        AddressMatch::Any => true,
        AddressMatch::Prefix(p) => p.contains(&ip),
        AddressMatch::Tag(t) => scope.contains(t, ip),
        // Azure Firewall rules take no application security groups (refused at load).
        AddressMatch::Asg(_) => false,
    })
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

fn port_match(ports: &[PortRange], port: u16) -> bool {
    ports.iter().any(|r| r.contains(port))
}

/// Whether an application rule's FQDN pattern matches `host`: `*` matches any name, `*.x`
/// any name under `x` (not `x` itself), anything else the name exactly (case-insensitive).
pub fn fqdn_matches(pattern: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.');
    if pattern == "*" {
        return true;
    }
    // An ASCII host (every DNS name on the wire) is compared in lower case without a copy.
    if host.is_ascii() {
        return match pattern.strip_prefix("*.") {
            Some(suffix) => {
                host.len() > suffix.len() + 1
                    && crate::model::strip_suffix_lowered(host, suffix)
                        .is_some_and(|h| h.ends_with('.'))
            }
            None => crate::model::lowered_eq(host, pattern),
        };
    }
    let host = host.to_lowercase();
    match pattern.strip_prefix("*.") {
        _ if pattern == "*" => true,
        Some(suffix) => host.len() > suffix.len() + 1 && host.ends_with(&format!(".{suffix}")),
        None => host == pattern,
    }
}

/// Evaluates `fw` for a flow. DNAT rules for traffic to its public IPs; otherwise network rules first (in group, collection and rule order), then,
/// for TCP, application rules on `host`; the first match decides and nothing matching is a
/// deny. Application rules always SNAT; network rules SNAT unless the destination is inside the
/// SNAT private ranges.
pub fn evaluate(
    fw: &Firewall,
    flow: &Flow,
    host: Option<&str>,
    scope: &TagScope,
    answers: &FqdnAnswers,
) -> FirewallDecision {
    decide(fw, flow, host, scope, answers).named(fw, host, answers)
}

/// What [`evaluate`] decides, the rule by reference into the firewall's policy: for walks that
/// keep no evidence, so deciding copies no name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FirewallVerdict<'a> {
    /// Which stage decided.
    pub stage: FirewallStage,
    /// The matching rule (none for the default deny).
    pub rule: Option<&'a RulePlace>,
    /// Allow or deny.
    pub access: Access,
    /// Whether the allowed flow leaves with the firewall's address as its source.
    pub snat: bool,
    /// How a deny shows.
    pub feel: DenyFeel,
    /// For a DNAT rule: the translated address and port.
    pub dnat: Option<(std::net::IpAddr, u16)>,
}

impl FirewallVerdict<'_> {
    /// The decision as evidence, with the firewall's name and the name matched.
    pub fn named(
        self,
        fw: &Firewall,
        host: Option<&str>,
        answers: &FqdnAnswers,
    ) -> FirewallDecision {
        FirewallDecision {
            firewall: fw.name.clone(),
            stage: self.stage,
            rule: self.rule.cloned(),
            access: self.access,
            snat: self.snat,
            host: host.map(str::to_string),
            feel: self.feel,
            dnat: self.dnat,
            resolved: answers.clone(),
        }
    }
}

/// [`evaluate`]'s decision by reference ([`FirewallVerdict`]).
pub fn decide<'a>(
    fw: &'a Firewall,
    flow: &Flow,
    host: Option<&str>,
    scope: &TagScope,
    answers: &FqdnAnswers,
) -> FirewallVerdict<'a> {
    let web = flow.protocol == FlowProtocol::Tcp;
    let feel = match (web, flow.dst_port) {
        (true, 80) => DenyFeel::Http470,
        (true, 443) => DenyFeel::TlsReset,
        _ => DenyFeel::Silent,
    };
    let decision = |stage, rule: Option<&'a RulePlace>, snat: bool, feel| {
        let access = rule.map_or(Access::Deny, |r| r.action);
        FirewallVerdict {
            stage,
            rule,
            access,
            snat: snat && access == Access::Allow,
            feel,
            dnat: None,
        }
    };
    // Traffic to a public IP meets the DNAT rules only: a match translates it (and SNATs it to
    // the firewall's private address, so the reply comes back), else the default deny.
    if fw.public_ips.contains(&flow.dst) {
        let rule = fw.dnat.iter().find(|r| {
            protocol_matches(r.protocol, flow.protocol)
                && r.destination == flow.dst
                && addresses_match(&r.source, flow.src, scope)
                && port_match(&r.ports, flow.dst_port)
        });
        return match rule {
            Some(r) => FirewallVerdict {
                dnat: Some((r.translated_address, r.translated_port)),
                ..decision(FirewallStage::Dnat, Some(&r.place), true, DenyFeel::Silent)
            },
            None => decision(FirewallStage::DefaultDeny, None, false, DenyFeel::Silent),
        };
    }
    let network = fw.network.iter().find(|r| {
        protocol_matches(r.protocol, flow.protocol)
            && addresses_match(&r.source, flow.src, scope)
            && (addresses_match(&r.destination, flow.dst, scope)
                || fqdn_destination_matches(&r.destination_fqdns, flow.dst, answers))
            && (flow.protocol == FlowProtocol::Icmp || port_match(&r.ports, flow.dst_port))
    });
    if let Some(r) = network {
        let private = fw.snat_private_ranges.iter().any(|p| p.contains(&flow.dst));
        return decision(
            FirewallStage::Network,
            Some(&r.place),
            !private,
            DenyFeel::Silent,
        );
    }
    if web {
        // Without a name (HTTPS to a bare address sends no SNI) only a `*` target can match: an
        // assumption, since Azure does not document SNI-less matching.
        let app = fw.application.iter().find(|r| {
            addresses_match(&r.source, flow.src, scope)
                && port_match(&r.ports, flow.dst_port)
                && r.fqdns.iter().any(|f| match host {
                    Some(h) => fqdn_matches(f, h),
                    None => f == "*",
                })
        });
        if let Some(r) = app {
            return decision(FirewallStage::Application, Some(&r.place), true, feel);
        }
        return decision(FirewallStage::DefaultDeny, None, false, feel);
    }
    decision(FirewallStage::DefaultDeny, None, false, DenyFeel::Silent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_fqdns_match_names_below_the_suffix_only() {
        assert!(fqdn_matches("*.openai.azure.com", "aoai.openai.azure.com"));
        assert!(fqdn_matches("*.openai.azure.com", "AOAI.OpenAI.azure.com."));
        assert!(!fqdn_matches("*.openai.azure.com", "openai.azure.com"));
        assert!(!fqdn_matches("*.openai.azure.com", "evilopenai.azure.com"));
        assert!(fqdn_matches("*", "anything.example"));
        assert!(fqdn_matches(
            "aoai.openai.azure.com",
            "aoai.openai.azure.com"
        ));
        assert!(!fqdn_matches(
            "aoai.openai.azure.com",
            "x.aoai.openai.azure.com"
        ));
    }

    #[test]
    fn fqdn_network_rules_match_only_the_addresses_the_firewall_resolved() {
        let answers = FqdnAnswers::from([(
            "db.contoso.com".to_string(),
            vec!["10.0.2.5".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))],
        )]);
        let names = ["db.contoso.com".to_string()];
        let private: IpAddr = "10.0.2.5".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let public: IpAddr = "20.44.0.10".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        assert!(fqdn_destination_matches(&names, private, &answers));
        // The client resolved the name elsewhere: its address is not the firewall's answer.
        assert!(!fqdn_destination_matches(&names, public, &answers));
        // A name the firewall could not resolve matches nothing.
        assert!(!fqdn_destination_matches(
            &names,
            private,
            &FqdnAnswers::new()
        ));
    }
}
