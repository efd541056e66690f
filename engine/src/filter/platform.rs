//! Platform traffic and NSGs. Azure DNS, the instance metadata service (IMDS) and the VM
//! agent's WireServer are served by the host at 168.63.129.16 and 169.254.169.254, and this
//! traffic is not subject to NSGs unless a rule targets it with the service's own tag
//! (`AzurePlatformDNS`, `AzurePlatformIMDS`): a deny-all outbound rule does not block it.
//! Microsoft Learn: "Network security groups" (Azure platform considerations,
//! <https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#azure-platform-considerations>)
//! and "What is IP address 168.63.129.16?"
//! (<https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16>).
//!
//! Health probes from 168.63.129.16 are the documented exception: they are filtered (the
//! `AzureLoadBalancer` tag), and are inbound, so nothing here touches them.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

pub use super::nsg::IMDS_IP;
use super::nsg::{matched, rule_matches, AZURE_HOST_IP};
use super::{Flow, RuleMatch, TagScope};
use crate::model::{AddressMatch, Direction, FlowProtocol, Nsg, ServiceTag};

/// A service the host answers for the VM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub enum PlatformService {
    /// Azure DNS at 168.63.129.16, port 53 (UDP and TCP).
    AzureDns,
    /// The instance metadata service at 169.254.169.254, HTTP port 80.
    Imds,
    /// The VM agent's WireServer at 168.63.129.16, TCP 80 and 32526: never subject to NSGs.
    WireServer,
    /// Windows activation: Azure's KMS hosts on TCP 1688 ([`super::kms`]), exempt while the
    /// platform rule holds (no `0.0.0.0/0` route on the subnet).
    Kms,
}

impl PlatformService {
    /// The tag an NSG rule names to filter this service's traffic; none for WireServer, which
    /// is never subject to NSGs.
    pub fn tag(self) -> Option<ServiceTag> {
        match self {
            PlatformService::AzureDns => Some(ServiceTag::AzurePlatformDns),
            PlatformService::Imds => Some(ServiceTag::AzurePlatformImds),
            PlatformService::WireServer => None,
            PlatformService::Kms => Some(ServiceTag::AzurePlatformLkm),
        }
    }
}

/// Whether `ip` is one of the host's addresses (168.63.129.16, 169.254.169.254): traffic to
/// them is answered by the host and is not subject to UDRs.
pub fn is_platform_address(ip: IpAddr) -> bool {
    ip == AZURE_HOST_IP || ip == IMDS_IP
}

/// The platform service a flow leaving a NIC reaches, if it reaches one: DNS on port 53 and
/// WireServer on TCP 80 and 32526 at 168.63.129.16, IMDS on TCP 80 at 169.254.169.254, KMS on
/// TCP 1688 at Azure's KMS hosts.
pub fn platform_service(flow: &Flow) -> Option<PlatformService> {
    let tcp_or_udp = matches!(flow.protocol, FlowProtocol::Tcp | FlowProtocol::Udp);
    let tcp = flow.protocol == FlowProtocol::Tcp;
    match (flow.dst, flow.dst_port) {
        (AZURE_HOST_IP, 53) if tcp_or_udp => Some(PlatformService::AzureDns),
        (AZURE_HOST_IP, 80 | 32526) if tcp => Some(PlatformService::WireServer),
        (IMDS_IP, 80) if tcp => Some(PlatformService::Imds),
        (ip, super::kms::KMS_PORT) if tcp && super::kms::is_kms_address(ip) => {
            Some(PlatformService::Kms)
        }
        _ => None,
    }
}

/// How one NSG treats a flow to a platform service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlatformDecision {
    /// The NSG does not filter it: no rule of this direction names the service's tag.
    Exempt,
    /// A rule naming the service's tag decided.
    Filtered(RuleMatch),
}

/// The NSG's decision on platform traffic (outbound, to `service`): only the rules that name
/// the service's tag take part, in priority order, first match wins; when none matches, the
/// traffic stays exempt. Other rules (a deny-all, the default rules) never see it. Which
/// rules decide once a tag rule exists is azpath's reading of "not subject to NSGs unless
/// targeted by service tags specific to each service": the rules that target it.
pub fn platform_decision(
    nsg: &Nsg,
    direction: Direction,
    flow: &Flow,
    scope: &TagScope,
    service: PlatformService,
) -> PlatformDecision {
    platform_rule(nsg, direction, flow, scope, service).map_or(PlatformDecision::Exempt, |r| {
        PlatformDecision::Filtered(matched(nsg, r, flow, scope))
    })
}

/// The rule [`platform_decision`] names, by reference into the network; `None`: exempt.
pub fn platform_rule<'a>(
    nsg: &'a Nsg,
    direction: Direction,
    flow: &Flow,
    scope: &TagScope,
    service: PlatformService,
) -> Option<&'a crate::model::NsgRule> {
    let tag = service.tag().filter(|_| direction == Direction::Outbound)?;
    let names_tag = |r: &&crate::model::NsgRule| {
        r.source
            .iter()
            .chain(&r.destination)
            .any(|m| *m == AddressMatch::Tag(tag.clone()))
    };
    nsg.rules(direction)
        .filter(names_tag)
        .find(|r| rule_matches(r, flow, scope, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Access, NsgPriority, NsgRule, PortRange, Protocol};
    use crate::scenario::Span;

    fn flow(dst: &str, protocol: FlowProtocol, port: u16) -> Flow {
        Flow {
            protocol,
            src: "10.0.1.4".parse().unwrap(),
            src_port: 50000,
            dst: dst.parse().unwrap(),
            dst_port: port,
        }
    }

    fn rule(name: &str, priority: u32, access: Access, dst: AddressMatch) -> NsgRule {
        NsgRule {
            name: name.into(),
            priority: NsgPriority::custom(priority).unwrap(),
            direction: Direction::Outbound,
            access,
            protocol: Protocol::Any,
            source: vec![AddressMatch::Any],
            source_ports: vec![PortRange::ANY],
            destination: vec![dst],
            destination_ports: vec![PortRange::ANY],
            default_rule: false,
        }
    }

    fn deny_all() -> NsgRule {
        rule("deny-all", 100, Access::Deny, AddressMatch::Any)
    }

    fn decide(nsg: &Nsg, f: &Flow) -> PlatformDecision {
        let service = platform_service(f).unwrap();
        platform_decision(nsg, Direction::Outbound, f, &TagScope::default(), service)
    }

    #[test]
    fn azure_dns_and_imds_are_not_subject_to_a_deny_all_outbound_nsg() {
        let nsg = Nsg::new("n".into(), vec![deny_all()], Span::default());
        let dns = flow("168.63.129.16", FlowProtocol::Udp, 53);
        let imds = flow("169.254.169.254", FlowProtocol::Tcp, 80);
        assert_eq!(decide(&nsg, &dns), PlatformDecision::Exempt);
        assert_eq!(decide(&nsg, &imds), PlatformDecision::Exempt);
    }

    #[test]
    fn an_outbound_rule_denying_azure_platform_dns_blocks_azure_dns() {
        let tag = AddressMatch::Tag(ServiceTag::AzurePlatformDns);
        let nsg = Nsg::new(
            "n".into(),
            vec![deny_all(), rule("deny-dns", 200, Access::Deny, tag)],
            Span::default(),
        );
        let dns = flow("168.63.129.16", FlowProtocol::Udp, 53);
        match decide(&nsg, &dns) {
            PlatformDecision::Filtered(m) => {
                assert_eq!((m.rule.as_str(), m.access), ("deny-dns", Access::Deny))
            }
            other => panic!("{other:?}"),
        }
        // The DNS tag does not reach IMDS, which stays exempt.
        let imds = flow("169.254.169.254", FlowProtocol::Tcp, 80);
        assert_eq!(decide(&nsg, &imds), PlatformDecision::Exempt);
    }

    #[test]
    fn an_outbound_rule_denying_azure_platform_imds_blocks_the_metadata_service() {
        let tag = AddressMatch::Tag(ServiceTag::AzurePlatformImds);
        let nsg = Nsg::new(
            "n".into(),
            vec![rule("deny-imds", 300, Access::Deny, tag)],
            Span::default(),
        );
        let imds = flow("169.254.169.254", FlowProtocol::Tcp, 80);
        assert!(
            matches!(decide(&nsg, &imds), PlatformDecision::Filtered(m) if m.access == Access::Deny)
        );
    }

    #[test]
    fn windows_activation_on_port_1688_is_exempt_unless_a_rule_names_azure_platform_lkm() {
        let kms = flow("20.118.99.224", FlowProtocol::Tcp, 1688);
        assert_eq!(platform_service(&kms), Some(PlatformService::Kms));
        let nsg = Nsg::new("n".into(), vec![deny_all()], Span::default());
        assert_eq!(decide(&nsg, &kms), PlatformDecision::Exempt);
        let tag = AddressMatch::Tag(ServiceTag::AzurePlatformLkm);
        let nsg = Nsg::new(
            "n".into(),
            vec![rule("deny-lkm", 300, Access::Deny, tag)],
            Span::default(),
        );
        assert!(
            matches!(decide(&nsg, &kms), PlatformDecision::Filtered(m) if m.rule == "deny-lkm")
        );
        // UDP, or another port of the host, is not activation traffic.
        assert_eq!(
            platform_service(&flow("20.118.99.224", FlowProtocol::Udp, 1688)),
            None
        );
        assert_eq!(
            platform_service(&flow("20.118.99.224", FlowProtocol::Tcp, 443)),
            None
        );
    }

    #[test]
    fn the_vm_agent_wireserver_is_never_subject_to_nsgs() {
        let nsg = Nsg::new("n".into(), vec![deny_all()], Span::default());
        let wire = flow("168.63.129.16", FlowProtocol::Tcp, 32526);
        assert_eq!(platform_service(&wire), Some(PlatformService::WireServer));
        assert_eq!(decide(&nsg, &wire), PlatformDecision::Exempt);
    }

    #[test]
    fn other_ports_of_the_host_address_are_not_platform_services() {
        assert_eq!(
            platform_service(&flow("168.63.129.16", FlowProtocol::Icmp, 0)),
            None
        );
        assert_eq!(
            platform_service(&flow("169.254.169.254", FlowProtocol::Udp, 80)),
            None
        );
        assert_eq!(
            platform_service(&flow("10.0.0.4", FlowProtocol::Udp, 53)),
            None
        );
    }
}
