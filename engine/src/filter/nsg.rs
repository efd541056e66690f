//! NSG evaluation: Azure's rule order, first match wins, and what a service tag covers at a NIC.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::model::{
    is_private, Access, AddressMatch, Direction, FlowProtocol, Network, Nsg, PortRange, Protocol,
    RouteSource, ServiceTag, SubnetId,
};
use crate::route::RouteTableView;

/// The host address behind `AzureLoadBalancer` (and DNS, DHCP and health probes).
pub const AZURE_HOST_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(168, 63, 129, 16));

/// The instance metadata service's address (link-local, answered by the host).
pub const IMDS_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254));

/// A flow's five-tuple, as the NSG at one NIC sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Flow {
    /// Protocol.
    pub protocol: FlowProtocol,
    /// Source address.
    pub src: IpAddr,
    /// Source port.
    pub src_port: u16,
    /// Destination address.
    pub dst: IpAddr,
    /// Destination port.
    pub dst_port: u16,
}

/// What the service tags cover where an NSG is evaluated.
#[derive(Clone, Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TagScope {
    /// The prefixes of `VirtualNetwork` here.
    #[schemars(with = "Vec<String>")]
    pub virtual_network: Vec<IpNet>,
    /// The part of `VirtualNetwork` that does not come from UDR prefixes, to tell when a match
    /// relies on them.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub virtual_network_without_udrs: Vec<IpNet>,
    /// The declared tags and their prefixes.
    #[schemars(with = "Vec<(String, Vec<String>)>")]
    pub declared: Vec<(String, Vec<IpNet>)>,
    /// The addresses of each application security group's members (indexed as
    /// [`Network::application_security_groups`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub asg_members: Vec<Vec<IpAddr>>,
}

impl TagScope {
    /// The tags as seen from `subnet`. `VirtualNetwork` is, per Azure's service tag
    /// documentation, the VNet's address space, peered VNets (while the peering allows virtual
    /// network access), gateway-learned (on-premises) prefixes, the host address 168.63.129.16
    /// and the prefixes of the subnet's UDRs. Because UDR prefixes count, a 0.0.0.0/0 UDR widens
    /// the tag to every address (switch: `virtual_network_tag_excludes_udr_prefixes`).
    pub fn for_subnet(net: &Network, table: Option<&RouteTableView>, subnet: SubnetId) -> Self {
        let with_udrs = !net.assumptions.virtual_network_tag_excludes_udr_prefixes;
        let vnet = net.subnet(subnet).map(|s| s.vnet);
        let own = vnet
            .and_then(|v| net.vnet(v))
            .map(|v| v.address_space.clone())
            .unwrap_or_default();
        // Peered VNets count only while the peering allows virtual network access.
        let peers = vnet.into_iter().flat_map(|v| {
            net.connected_peers(v)
                .filter(|(p, _)| p.allow_virtual_network_access)
                .filter_map(|(_, remote)| net.vnet(remote))
                .flat_map(|r| r.address_space.clone())
        });
        // Connected-group members count as peered VNets do (switch
        // `virtual_network_tag_excludes_connected_groups`).
        let grouped = vnet
            .filter(|_| {
                !net.assumptions
                    .virtual_network_tag_excludes_connected_groups
            })
            .into_iter()
            .flat_map(|v| net.connected_group_peers(v))
            .filter_map(|m| net.vnet(m))
            .flat_map(|m| m.address_space.clone());
        let peers = peers.chain(grouped);
        let from = |source: RouteSource| {
            table.into_iter().flat_map(move |t| {
                t.own_routes()
                    .iter()
                    .filter(move |r| r.source == source)
                    .map(|r| r.prefix)
            })
        };
        let mut base: Vec<IpNet> = own
            .into_iter()
            .chain(peers)
            .chain(from(RouteSource::VirtualNetworkGateway))
            .collect();
        base.push(IpNet::from(AZURE_HOST_IP));
        base.sort();
        base.dedup();
        let mut virtual_network = base.clone();
        if with_udrs {
            virtual_network.extend(from(RouteSource::User));
            virtual_network.sort();
            virtual_network.dedup();
        }
        Self {
            virtual_network,
            virtual_network_without_udrs: base,
            declared: net.service_tags.clone(),
            asg_members: asg_members(net),
        }
    }

    /// Whether `tag` covers `ip` here.
    pub fn contains(&self, tag: &ServiceTag, ip: IpAddr) -> bool {
        match tag {
            ServiceTag::VirtualNetwork => self.virtual_network.iter().any(|p| p.contains(&ip)),
            ServiceTag::AzureLoadBalancer => ip == AZURE_HOST_IP,
            ServiceTag::Internet => is_public(ip),
            ServiceTag::Declared(i) => self
                .declared
                .get(*i)
                .is_some_and(|(_, prefixes)| prefixes.iter().any(|p| p.contains(&ip))),
            ServiceTag::AzurePlatformDns => ip == AZURE_HOST_IP,
            ServiceTag::AzurePlatformImds => ip == IMDS_IP,
            ServiceTag::AzurePlatformLkm => super::kms::is_kms_address(ip),
        }
    }

    /// Whether `ip` is a member of application security group `asg`. A group matches the
    /// addresses of its member NICs only: a non-member in the same subnet does not match.
    pub fn in_asg(&self, asg: usize, ip: IpAddr) -> bool {
        self.asg_members
            .get(asg)
            .is_some_and(|members| members.contains(&ip))
    }
}

/// Each application security group's member addresses.
fn asg_members(net: &Network) -> Vec<Vec<IpAddr>> {
    net.application_security_groups
        .iter()
        .map(|g| {
            g.members
                .iter()
                .filter_map(|w| net.workloads.get(*w))
                .map(|w| w.ip)
                .collect()
        })
        .collect()
}

/// Public Internet space: not private, loopback, link-local, unspecified or the Azure host
/// address.
fn is_public(ip: IpAddr) -> bool {
    let special = match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback() || v4.is_link_local() || v4.is_unspecified() || v4.is_broadcast()
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.segments().first().is_some_and(|s| s & 0xffc0 == 0xfe80)
        }
    };
    !special && !is_private(ip) && ip != AZURE_HOST_IP
}

/// The rule that decided a flow at one NSG.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RuleMatch {
    /// The NSG (shared with the network).
    pub nsg: crate::model::Name,
    /// The rule (shared with the network).
    pub rule: crate::model::Name,
    /// Its priority.
    pub priority: u16,
    /// Allow or deny.
    pub access: Access,
    /// Whether it is one of Azure's default rules.
    pub default_rule: bool,
    /// Set when the rule matched only because UDR prefixes widen the `VirtualNetwork` tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<MatchNote>,
}

/// Why a rule's match needs a second look.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind")]
pub enum MatchNote {
    /// `VirtualNetwork` covers `address` only through the subnet's UDR prefixes: documented by
    /// Azure, contested in the field (switch `virtual_network_tag_excludes_udr_prefixes`).
    VirtualNetworkTagWidenedByUdr {
        /// The flow's address the tag covers that way.
        address: IpAddr,
    },
}

/// When `rule` matched `flow` through a `VirtualNetwork` tag that covers an address only because
/// of the subnet's UDR prefixes, a note saying so.
fn udr_widened_tag(
    rule: &crate::model::NsgRule,
    flow: &Flow,
    scope: &TagScope,
) -> Option<MatchNote> {
    let relies = |side: &[AddressMatch], ip: IpAddr| {
        side.iter()
            .any(|m| matches!(m, AddressMatch::Tag(ServiceTag::VirtualNetwork)))
            && !side.iter().any(|m| match m {
                AddressMatch::Any => true,
                AddressMatch::Prefix(p) => p.contains(&ip),
                AddressMatch::Tag(ServiceTag::VirtualNetwork) => scope
                    .virtual_network_without_udrs
                    .iter()
                    .any(|p| p.contains(&ip)),
                AddressMatch::Tag(t) => scope.contains(t, ip),
                AddressMatch::Asg(g) => scope.in_asg(*g, ip),
            })
    };
    [
        (rule.source.as_slice(), flow.src),
        (rule.destination.as_slice(), flow.dst),
    ]
    .into_iter()
    .find(|(side, ip)| relies(side, *ip))
    .map(|(_, address)| MatchNote::VirtualNetworkTagWidenedByUdr { address })
}

pub(super) fn protocol_matches(rule: Protocol, flow: FlowProtocol) -> bool {
    matches!(
        (rule, flow),
        (Protocol::Any, _)
            | (Protocol::Tcp, FlowProtocol::Tcp)
            | (Protocol::Udp, FlowProtocol::Udp)
            | (Protocol::Icmp, FlowProtocol::Icmp)
    )
}

pub(super) fn address_matches(m: &AddressMatch, ip: IpAddr, scope: &TagScope) -> bool {
    match m {
        AddressMatch::Any => true,
        AddressMatch::Prefix(p) => p.contains(&ip),
        AddressMatch::Tag(t) => scope.contains(t, ip),
        AddressMatch::Asg(g) => scope.in_asg(*g, ip),
    }
}

pub(super) fn ports_match(ranges: &[PortRange], port: u16, protocol: FlowProtocol) -> bool {
    protocol == FlowProtocol::Icmp || ranges.iter().any(|r| r.contains(port))
}

/// Evaluates `nsg` for a flow in `direction`: rules by priority, first match wins; Azure's
/// default rules come last and the final `DenyAll…` rule matches everything, so there is always
/// an answer.
pub fn evaluate(nsg: &Nsg, direction: Direction, flow: &Flow, scope: &TagScope) -> RuleMatch {
    evaluate_with(nsg, direction, flow, scope, false)
}

/// [`evaluate`], optionally treating every rule's source ports as `*`, as Azure does for the
/// NSG of a private endpoint's subnet.
pub fn evaluate_with(
    nsg: &Nsg,
    direction: Direction,
    flow: &Flow,
    scope: &TagScope,
    any_source_port: bool,
) -> RuleMatch {
    rule_match(
        nsg,
        first_match(nsg, direction, flow, scope, any_source_port),
        flow,
        scope,
    )
}

/// The rule of `nsg` that decides a flow in `direction` (the first match by priority), by
/// reference into the network: what [`evaluate_with`] names, for walks that keep no evidence.
/// `None` only when no rule matches, which Azure's final default deny rules out.
pub fn first_match<'a>(
    nsg: &'a Nsg,
    direction: Direction,
    flow: &Flow,
    scope: &TagScope,
    any_source_port: bool,
) -> Option<&'a crate::model::NsgRule> {
    nsg.rules(direction)
        .find(|r| rule_matches(r, flow, scope, any_source_port))
}

/// The answer for `hit`, the rule [`first_match`] found (`None`: the final deny).
pub fn rule_match(
    nsg: &Nsg,
    hit: Option<&crate::model::NsgRule>,
    flow: &Flow,
    scope: &TagScope,
) -> RuleMatch {
    match hit {
        Some(r) => matched(nsg, r, flow, scope),
        None => RuleMatch {
            nsg: nsg.name.clone(),
            rule: "DenyAll".into(),
            priority: u16::MAX,
            access: Access::Deny,
            default_rule: true,
            note: None,
        },
    }
}

/// Whether `r` matches `flow`: protocol, both ports and both addresses. Every test must hold,
/// so they run cheapest first: most rules name a port the flow does not use, and are passed
/// over before any prefix or service tag is looked at. Inlined into the scan of a whole NSG, so
/// a rule passed over costs its protocol and port tests alone.
#[inline(always)]
pub(super) fn rule_matches(
    r: &crate::model::NsgRule,
    flow: &Flow,
    scope: &TagScope,
    any_source_port: bool,
) -> bool {
    protocol_matches(r.protocol, flow.protocol)
        && ports_match(&r.destination_ports, flow.dst_port, flow.protocol)
        && (any_source_port || ports_match(&r.source_ports, flow.src_port, flow.protocol))
        && r.source.iter().any(|m| address_matches(m, flow.src, scope))
        && r.destination
            .iter()
            .any(|m| address_matches(m, flow.dst, scope))
}

/// The answer when `r` of `nsg` decided `flow`.
pub(super) fn matched(
    nsg: &Nsg,
    r: &crate::model::NsgRule,
    flow: &Flow,
    scope: &TagScope,
) -> RuleMatch {
    RuleMatch {
        nsg: nsg.name.clone(),
        rule: r.name.clone(),
        priority: r.priority.get(),
        access: r.access,
        default_rule: r.default_rule,
        note: udr_widened_tag(r, flow, scope),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{default_rules, NsgPriority, NsgRule};
    use crate::scenario::Span;

    fn rule(
        name: &str,
        priority: u32,
        direction: Direction,
        access: Access,
        dst_port: u16,
    ) -> NsgRule {
        NsgRule {
            name: name.into(),
            priority: NsgPriority::custom(priority).unwrap(),
            direction,
            access,
            protocol: Protocol::Tcp,
            source: vec![AddressMatch::Any],
            source_ports: vec![PortRange::ANY],
            destination: vec![AddressMatch::Any],
            destination_ports: vec![PortRange {
                first: dst_port,
                last: dst_port,
            }],
            default_rule: false,
        }
    }

    fn flow(src: &str, dst: &str, dst_port: u16) -> Flow {
        Flow {
            protocol: FlowProtocol::Tcp,
            src: src.parse().unwrap(),
            src_port: 50000,
            dst: dst.parse().unwrap(),
            dst_port,
        }
    }

    fn scope() -> TagScope {
        let vnet = vec!["10.0.0.0/16".parse().unwrap(), IpNet::from(AZURE_HOST_IP)];
        TagScope {
            virtual_network: vnet.clone(),
            virtual_network_without_udrs: vnet,
            declared: vec![],
            asg_members: vec![],
        }
    }

    #[test]
    fn default_rules_are_the_six_azure_lists_in_its_order() {
        let names: Vec<(String, u16)> = default_rules()
            .iter()
            .map(|r| (r.name.to_string(), r.priority.get()))
            .collect();
        let expected = [
            ("AllowVnetInBound", 65000),
            ("AllowAzureLoadBalancerInBound", 65001),
            ("DenyAllInBound", 65500),
            ("AllowVnetOutBound", 65000),
            ("AllowInternetOutBound", 65001),
            ("DenyAllOutBound", 65500),
        ];
        assert_eq!(names, expected.map(|(n, p)| (n.to_string(), p)));
    }

    #[test]
    fn custom_priorities_are_limited_to_100_through_4096() {
        assert!(NsgPriority::custom(99).is_none() && NsgPriority::custom(4097).is_none());
        assert!(NsgPriority::custom(100).is_some() && NsgPriority::custom(4096).is_some());
    }

    #[test]
    fn lowest_priority_number_is_evaluated_first_and_first_match_stops() {
        let nsg = Nsg::new(
            "n".into(),
            vec![
                rule("allow-late", 300, Direction::Inbound, Access::Allow, 443),
                rule("deny-early", 200, Direction::Inbound, Access::Deny, 443),
            ],
            Span::default(),
        );
        let m = evaluate(
            &nsg,
            Direction::Inbound,
            &flow("10.0.1.4", "10.0.2.4", 443),
            &scope(),
        );
        assert_eq!((m.rule.as_str(), m.access), ("deny-early", Access::Deny));
    }

    #[test]
    fn rules_of_the_other_direction_are_ignored() {
        let nsg = Nsg::new(
            "n".into(),
            vec![rule(
                "deny-out",
                100,
                Direction::Outbound,
                Access::Deny,
                443,
            )],
            Span::default(),
        );
        let m = evaluate(
            &nsg,
            Direction::Inbound,
            &flow("10.0.1.4", "10.0.2.4", 443),
            &scope(),
        );
        assert_eq!(m.rule, "AllowVnetInBound");
    }

    #[test]
    fn default_rules_allow_virtual_network_and_deny_the_rest_inbound() {
        let nsg = Nsg::new("n".into(), vec![], Span::default());
        let inbound = |src: &str| {
            evaluate(
                &nsg,
                Direction::Inbound,
                &flow(src, "10.0.2.4", 22),
                &scope(),
            )
            .rule
        };
        assert_eq!(inbound("10.0.9.9"), "AllowVnetInBound");
        assert_eq!(
            inbound("168.63.129.16"),
            "AllowVnetInBound",
            "the host address is in VirtualNetwork"
        );
        assert_eq!(inbound("203.0.113.1"), "DenyAllInBound");
        let out = |dst: &str| {
            evaluate(
                &nsg,
                Direction::Outbound,
                &flow("10.0.2.4", dst, 443),
                &scope(),
            )
            .rule
        };
        assert_eq!(out("10.0.9.9"), "AllowVnetOutBound");
        assert_eq!(out("203.0.113.1"), "AllowInternetOutBound");
        assert_eq!(
            out("172.16.5.5"),
            "DenyAllOutBound",
            "private space outside VirtualNetwork is not Internet"
        );
    }

    #[test]
    fn tcp_rules_do_not_match_udp_and_icmp_ignores_ports() {
        let nsg = Nsg::new(
            "n".into(),
            vec![rule("deny-53", 100, Direction::Outbound, Access::Deny, 53)],
            Span::default(),
        );
        let mut f = flow("10.0.2.4", "10.0.9.9", 53);
        f.protocol = FlowProtocol::Udp;
        assert_eq!(
            evaluate(&nsg, Direction::Outbound, &f, &scope()).rule,
            "AllowVnetOutBound"
        );
        let mut any = rule("deny-any-icmp", 100, Direction::Outbound, Access::Deny, 1);
        any.protocol = Protocol::Icmp;
        let nsg = Nsg::new("n".into(), vec![any], Span::default());
        f.protocol = FlowProtocol::Icmp;
        f.dst_port = 0;
        assert_eq!(
            evaluate(&nsg, Direction::Outbound, &f, &scope()).rule,
            "deny-any-icmp"
        );
    }

    #[test]
    fn port_ranges_include_both_ends() {
        let r = PortRange {
            first: 1000,
            last: 2000,
        };
        assert!(r.contains(1000) && r.contains(2000) && !r.contains(999) && !r.contains(2001));
    }

    #[test]
    fn internet_tag_is_public_space_only() {
        for ip in ["8.8.8.8", "20.60.1.1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "10.0.0.1",
            "100.64.0.1",
            "168.63.129.16",
            "127.0.0.1",
            "169.254.169.254",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
    }
}
