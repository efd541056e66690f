//! Azure Firewalls: placement, SNAT ranges, and rules sorted into Azure's processing order.

use std::net::IpAddr;

use ipnet::IpNet;

use super::Resolver;
use crate::model::*;
use crate::scenario::{self as doc, SnatRangesDoc, Text};

/// Azure's allowed priorities for rule collection groups and collections.
const PRIORITIES: std::ops::RangeInclusive<u32> = 100..=65000;

/// Where a rule is and what it says, before sorting.
struct Collection<'a> {
    group: &'a str,
    group_priority: u32,
    name: &'a str,
    priority: u32,
    action: Access,
    network: &'a [doc::NetworkRuleDoc],
    application: &'a [doc::ApplicationRuleDoc],
}

impl Collection<'_> {
    /// Where `rule` of this collection stands in Azure's processing order.
    fn place(&self, rule: &Text) -> RulePlace {
        RulePlace {
            group: self.group.into(),
            group_priority: self.group_priority,
            collection: self.name.into(),
            collection_priority: self.priority,
            rule: rule.value.as_str().into(),
            action: self.action,
        }
    }
}

/// Azure Firewall's limit of public IPs.
pub const MAX_FIREWALL_PUBLIC_IPS: usize = 250;

impl Resolver {
    pub(super) fn firewalls(&mut self, firewalls: &[doc::FirewallDoc]) {
        for f in firewalls {
            self.firewall(f);
        }
    }

    /// One firewall: placed in its subnet, its rules resolved in Azure's processing order.
    fn firewall(&mut self, f: &doc::FirewallDoc) {
        let placed = self.nic(&f.name, &f.subnet, &f.private_ip, "firewall");
        self.firewall_subnet(f, placed.map(|(s, _)| s));
        let snat_private_ranges = self.snat_ranges(&f.snat_private_ranges);
        let collections = self.collections(f);
        let mut network = Vec::new();
        let mut application = Vec::new();
        for c in &collections {
            network.extend(self.network_rules(f, c));
            application.extend(self.application_rules(c));
        }
        let public_ips = self.public_ips(&f.public_ips, "firewall public IP");
        self.firewall_public_ip_limit(f);
        let dnat = self.dnat_rules(&f.dnat_rules, &public_ips);
        let management_subnet = self.forced_tunnelling(f, placed.map(|(s, _)| s));
        let dns = self.firewall_dns(f);
        if let (Some((subnet, ip)), Some(snat_private_ranges)) = (placed, snat_private_ranges) {
            self.net.firewalls.push(Firewall {
                name: f.name.value.clone(),
                subnet,
                ip,
                public_ips,
                management_subnet,
                dnat,
                snat_private_ranges,
                network,
                application,
                dns,
                span: f.name.span,
            });
        }
    }

    /// Azure Firewall lives in a subnet named `AzureFirewallSubnet`, which takes no NSG.
    fn firewall_subnet(&mut self, f: &doc::FirewallDoc, placed: Option<SubnetId>) {
        if !f.subnet.value.ends_with("/AzureFirewallSubnet") {
            self.error(
                f.subnet.span,
                format!(
                    "firewall `{}` is in `{}`, not in an `AzureFirewallSubnet`",
                    f.name.value, f.subnet.value
                ),
                Some(
                    "Azure Firewall lives in a subnet named `AzureFirewallSubnet` (at least /26)"
                        .into(),
                ),
            );
        }
        if let Some(subnet) = placed.and_then(|s| self.net.subnet(s)) {
            if subnet.nsg.is_some() {
                self.error(
                    f.subnet.span,
                    format!(
                        "subnet `{}` of firewall `{}` has an NSG",
                        subnet.name, f.name.value
                    ),
                    Some("Azure does not support an NSG on AzureFirewallSubnet; remove it".into()),
                );
            }
        }
    }

    /// The firewall's rule collections in Azure's processing order (group priority, then
    /// collection priority); the top-level `network_rules` and `application_rules` stand in
    /// Azure's default groups (priorities 200 and 300).
    fn collections<'a>(&mut self, f: &'a doc::FirewallDoc) -> Vec<Collection<'a>> {
        let mut collections = vec![
            Collection {
                group: "DefaultNetworkRuleCollectionGroup",
                group_priority: 200,
                name: "network_rules",
                priority: 100,
                action: Access::Allow,
                network: &f.network_rules,
                application: &[],
            },
            Collection {
                group: "DefaultApplicationRuleCollectionGroup",
                group_priority: 300,
                name: "application_rules",
                priority: 100,
                action: Access::Allow,
                network: &[],
                application: &f.application_rules,
            },
        ];
        for g in &f.rule_collection_groups {
            self.priority(&g.priority, "rule collection group", &g.name);
            if !self.well_formed_name(&g.name, "rule collection group") {
                continue;
            }
            for c in &g.collections {
                self.priority(&c.priority, "rule collection", &c.name);
                if !self.well_formed_name(&c.name, "rule collection") {
                    continue;
                }
                if c.network_rules.is_empty() == c.application_rules.is_empty() {
                    self.error(
                        c.name.span,
                        format!("rule collection `{}` must hold either network rules or application rules", c.name.value),
                        Some("Azure rule collections hold one kind of rule; split it in two".into()),
                    );
                    continue;
                }
                collections.push(Collection {
                    group: &g.name.value,
                    group_priority: g.priority.value,
                    name: &c.name.value,
                    priority: c.priority.value,
                    action: c.action,
                    network: &c.network_rules,
                    application: &c.application_rules,
                });
            }
        }
        collections.sort_by_key(|c| (c.group_priority, c.priority));
        collections
    }

    /// A collection's network rules; a rule with an invalid part is reported and left out.
    fn network_rules(&mut self, f: &doc::FirewallDoc, c: &Collection<'_>) -> Vec<NetworkRule> {
        let mut network = Vec::new();
        for r in c.network {
            if !self.well_formed_name(&r.name, "network rule") {
                continue;
            }
            let tag_free = self.service_tags_are_destinations_only(&r.source, &r.name);
            let (source, destination, ports) = (
                tag_free
                    .then(|| self.fw_side(&r.source, &r.source_ip_groups, ("source", &r.name)))
                    .flatten(),
                self.fw_side(
                    &r.destination,
                    &r.destination_ip_groups,
                    ("destination", &r.name),
                ),
                self.ports(&r.ports, ("ports", &r.name)),
            );
            let Some(destination_fqdns) = self.network_rule_fqdns(f, r) else {
                continue;
            };
            // FQDNs stand instead of addresses: the rule's destinations are their answers.
            let destination = match destination_fqdns.is_empty() {
                true => destination,
                false => destination.map(|_| Vec::new()),
            };
            if let (Some(source), Some(destination), Some(ports)) = (source, destination, ports) {
                network.push(NetworkRule {
                    place: c.place(&r.name),
                    protocol: r.protocol,
                    source,
                    destination,
                    ports,
                    destination_fqdns,
                });
            }
        }
        network
    }

    /// A collection's application rules, FQDNs compared without case or a trailing dot.
    fn application_rules(&mut self, c: &Collection<'_>) -> Vec<ApplicationRule> {
        let mut application = Vec::new();
        for r in c.application {
            if !self.well_formed_name(&r.name, "application rule") {
                continue;
            }
            if r.fqdns.is_empty() {
                self.error(
                    r.name.span,
                    format!("application rule `{}` names no FQDN", r.name.value),
                    Some("add `fqdns: [\"*.example.com\"]`".into()),
                );
            }
            let fqdns = r
                .fqdns
                .iter()
                .map(|t| t.value.trim().trim_end_matches('.').to_lowercase())
                .collect();
            let tag_free = self.service_tags_are_destinations_only(&r.source, &r.name);
            if let (Some(source), Some(ports)) = (
                tag_free
                    .then(|| self.fw_side(&r.source, &r.source_ip_groups, ("source", &r.name)))
                    .flatten(),
                self.ports(&r.ports, ("ports", &r.name)),
            ) {
                application.push(ApplicationRule {
                    place: c.place(&r.name),
                    source,
                    fqdns,
                    ports,
                });
            }
        }
        application
    }

    /// Public addresses: parsed, and refused when private or when no host can hold them
    /// (loopback, multicast, broadcast, this network: a name resolving to one has no answer).
    pub(super) fn public_ips(&mut self, texts: &[Text], what: &str) -> Vec<IpAddr> {
        let mut out = Vec::new();
        for t in texts {
            let Some(ip) = self.host_ip(t, what) else {
                continue;
            };
            if is_private(ip) {
                self.error(
                    t.span,
                    format!("{what} `{ip}` is a private address"),
                    Some("a public IP is reachable from the Internet; use a public address".into()),
                );
                continue;
            }
            out.push(ip);
        }
        out
    }

    /// At most 250 public IPs per firewall (Microsoft Learn, "Azure Firewall limits"; each is
    /// a candidate SNAT source a trace weighs, so the limit also bounds a trace's work).
    fn firewall_public_ip_limit(&mut self, f: &doc::FirewallDoc) {
        if let Some(extra) = f.public_ips.get(MAX_FIREWALL_PUBLIC_IPS) {
            self.error(
                extra.span,
                format!(
                    "firewall `{}` has {} public IPs; Azure allows at most {MAX_FIREWALL_PUBLIC_IPS}",
                    f.name.value,
                    f.public_ips.len()
                ),
                Some("keep 250 public IPs or fewer, or use a NAT gateway for more SNAT ports".into()),
            );
        }
    }

    /// DNAT rules, in `DefaultDnatRuleCollectionGroup` (priority 100), in declaration order.
    fn dnat_rules(&mut self, rules: &[doc::DnatRuleDoc], public_ips: &[IpAddr]) -> Vec<DnatRule> {
        let mut out = Vec::new();
        for r in rules {
            if !self.well_formed_name(&r.name, "DNAT rule") {
                continue;
            }
            let destination = self.ip(&r.destination, "DNAT destination");
            if let Some(d) = destination.filter(|d| !public_ips.contains(d)) {
                let known: Vec<String> = public_ips.iter().map(|p| format!("`{p}`")).collect();
                self.error(
                    r.destination.span,
                    format!(
                        "DNAT rule `{}` listens on `{d}`, which is not a public IP of the firewall",
                        r.name.value
                    ),
                    Some(if known.is_empty() {
                        "list the firewall's `public_ips`".into()
                    } else {
                        format!("the firewall's public IPs are {}", known.join(", "))
                    }),
                );
                continue;
            }
            if matches!(r.protocol, Protocol::Icmp | Protocol::Esp | Protocol::Ah) {
                self.error(
                    r.name.span,
                    format!("DNAT rule `{}` has protocol {:?}", r.name.value, r.protocol),
                    Some("DNAT rules translate TCP or UDP (`Any` for both)".into()),
                );
                continue;
            }
            let translated = self.ip(&r.translated_address, "DNAT translated address");
            let tag_free = self.service_tags_are_destinations_only(&r.source, &r.name);
            let (source, ports) = (
                tag_free
                    .then(|| self.fw_addresses(&r.source, ("source", &r.name)))
                    .flatten(),
                self.ports(&r.ports, ("ports", &r.name)),
            );
            if let (Some(destination), Some(translated_address), Some(source), Some(ports)) =
                (destination, translated, source, ports)
            {
                out.push(DnatRule {
                    place: RulePlace {
                        group: "DefaultDnatRuleCollectionGroup".into(),
                        group_priority: 100,
                        collection: "dnat_rules".into(),
                        collection_priority: 100,
                        rule: r.name.value.as_str().into(),
                        action: Access::Allow,
                    },
                    protocol: r.protocol,
                    source,
                    destination,
                    ports,
                    translated_address,
                    translated_port: r.translated_port.value,
                });
            }
        }
        out
    }

    fn priority(&mut self, p: &crate::scenario::Spanned<u32>, what: &str, name: &Text) {
        if !PRIORITIES.contains(&p.value) {
            self.error(
                p.span,
                format!(
                    "priority `{}` of {what} `{}` is outside 100–65000",
                    p.value, name.value
                ),
                Some("100 is processed first, 65000 last".into()),
            );
        }
    }

    /// The SNAT private ranges: Azure's IANA default (RFC 1918 and 100.64.0.0/10), always SNAT
    /// (255.255.255.255/32), never SNAT (0.0.0.0/0), or a list.
    fn snat_ranges(&mut self, ranges: &SnatRangesDoc) -> Option<Vec<IpNet>> {
        let parse = |s: &[&str]| s.iter().filter_map(|p| p.parse::<IpNet>().ok()).collect();
        Some(match ranges {
            SnatRangesDoc::IanaPrivate => parse(&[
                "10.0.0.0/8",
                "172.16.0.0/12",
                "192.168.0.0/16",
                "100.64.0.0/10",
            ]),
            SnatRangesDoc::Always => parse(&["255.255.255.255/32"]),
            SnatRangesDoc::Never => parse(&["0.0.0.0/0"]),
            SnatRangesDoc::Ranges(list) => {
                let parsed: Vec<Option<IpNet>> = list
                    .iter()
                    .map(|t| self.prefix(t, "SNAT private range"))
                    .collect();
                parsed.into_iter().collect::<Option<Vec<_>>>()?
            }
        })
    }
}
