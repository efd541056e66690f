//! A packet sent to the Internet for a public address the scenario models comes back into Azure
//! there, and an Azure Firewall's public-IP sessions seen from its private side.
//!
//! Microsoft Learn, "Integrate Azure Firewall with Azure Standard Load Balancer"
//! (<https://learn.microsoft.com/azure/firewall/integrate-lb>), public load balancer: Internet
//! traffic comes in through the firewall's public IP, "the firewall applies its firewall rules
//! and NATs the packets to your load balancer's public IP address"; the backend subnet's default
//! route to the firewall's private IP then takes the reply there, and "since the firewall is
//! stateful, it drops the returning packet because the firewall isn't aware of such an
//! established session". The fix: "an additional host route for the firewall's public IP
//! address. Packets going to the firewall's public IP address are routed via the Internet."
//! "Azure Firewall SNAT private IP address ranges"
//! (<https://learn.microsoft.com/azure/firewall/snat-private-range>): "Azure Firewall provides
//! SNAT capability for all outbound traffic to public IP addresses", so the translated request
//! reaches the load balancer from the firewall's public IP, the address the reply goes to.
//!
//! The same page, "Scenario 2: Azure Firewall with NAT Gateway": with a NAT gateway on
//! `AzureFirewallSubnet` "the Azure Firewall then changes (SNAT) the source IP to the NAT
//! Gateway's public IP address before forwarding the traffic to the load balancer's public IP
//! address"; the NSG must allow the NAT gateway's address, and the return path needs "a route
//! for the return path to use the NAT Gateway public IP address instead of the Azure Firewall
//! public IP address with Internet as the next hop". "Scale SNAT ports with Azure NAT Gateway"
//! (<https://learn.microsoft.com/azure/firewall/integrate-with-nat-gateway>): "all outbound
//! Internet traffic automatically uses the public IP address of the NAT gateway", "Response
//! traffic to an outbound flow also passes through NAT gateway".
//!
//! A workload's own flow comes back in the same way, from the address its way out gives it
//! ([`super::egress`]: NAT gateway > instance public IP > load balancer outbound rules; Learn,
//! "Default outbound access",
//! <https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access>, and
//! "What is Azure NAT Gateway?", outbound connectivity,
//! <https://learn.microsoft.com/azure/nat-gateway/nat-overview#outbound-connectivity>), and its
//! reply returns to that address, translated back there. Under default outbound access the
//! address is Microsoft-owned and unknown to azpath: the flow is not followed in, and the trace
//! says so ([`Assumption::DefaultOutboundSourceUnknown`]) rather than inventing an address.

use std::net::IpAddr;

use super::arrive::internet_hop;
use super::egress::{explicit_method, EgressMethod};
use super::walk::{End, Entry, FlowRecords, Leg, Nic, Tracer};
use super::{Assumption, Hop, OneWay, Packet, Step, Verdict};
use crate::model::{FirewallId, Network, NicRef};

/// A public address the scenario models, where a packet from the Internet enters Azure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PublicFrontend {
    /// A public load balancer's frontend.
    LoadBalancer,
    /// A NIC's instance-level public IP.
    InstancePublicIp,
    /// An Azure Firewall's public IP.
    Firewall(FirewallId),
}

/// The modelled public frontend at `address`: a public load balancer's frontend, an instance
/// public IP or a firewall's public IP. A PaaS service's public endpoint is not one (how it
/// answers is decided when the trace concludes), nor is any address the scenario does not hold.
pub(super) fn public_frontend(net: &Network, address: IpAddr) -> Option<PublicFrontend> {
    if net
        .load_balancers
        .iter()
        .any(|lb| !lb.is_internal() && lb.frontend_ip == address)
    {
        return Some(PublicFrontend::LoadBalancer);
    }
    if net.workload_with_public_ip(address).is_some() {
        return Some(PublicFrontend::InstancePublicIp);
    }
    net.firewalls
        .position(|f| f.public_ips.contains(&address))
        .map(PublicFrontend::Firewall)
}

/// The public address a request that `at` sends to the Internet leaves from, when azpath knows
/// it: an Azure Firewall's own public IP it SNATed the flow to; or, for a packet leaving with
/// the NIC's own address, the address of the NIC's way out (its subnet's NAT gateway, its
/// instance public IP, a public load balancer's outbound rule or rule SNAT), which a packet a
/// VM appliance forwards with another host's address leaves by too
/// ([`super::appliance_egress`]). `None` under default outbound access (a Microsoft-owned
/// address).
///
/// `way_out` is the NIC's outbound method with the address the trace picked
/// ([`Tracer::way_out`]); a firewall's SNAT may have picked any of its public IPs.
fn leaves_from(
    net: &Network,
    way_out: Option<(EgressMethod, Option<IpAddr>)>,
    at: &Nic,
    source: IpAddr,
) -> Option<IpAddr> {
    match way_out? {
        (EgressMethod::FirewallPublicIp, Some(_)) => match at.id {
            NicRef::Firewall(f) => net
                .firewalls
                .get(f)
                .filter(|fw| fw.public_ips.contains(&source))
                .map(|_| source),
            _ => None,
        },
        (method, Some(ip)) => {
            super::appliance_egress::leaves_by_own_way_out(at, source, Some(&method)).then_some(ip)
        }
        (_, None) => None,
    }
}

/// Whether a request from `at` leaves for the Internet under default outbound access, with the
/// NIC's own address: its source on the Internet is a Microsoft-owned address azpath does not
/// know.
fn leaves_from_unknown_address(net: &Network, at: &Nic, source: IpAddr) -> bool {
    matches!(at.id, NicRef::Workload(_))
        && super::appliance_egress::leaves_by_own_way_out(at, source, None)
        && explicit_method(net, at.id).is_none()
        && !net.egress.private_subnets.contains(&at.subnet)
}

/// Whether `address` is a public IP of the firewall at `nic`, or of the NAT gateway on its
/// subnet (the address its Internet traffic leaves from, Learn: "Scale SNAT ports with Azure
/// NAT Gateway").
fn own_public_ip(net: &Network, nic: NicRef, address: IpAddr) -> bool {
    let NicRef::Firewall(f) = nic else {
        return false;
    };
    let Some(fw) = net.firewalls.get(f) else {
        return false;
    };
    fw.public_ips.contains(&address)
        || net
            .egress
            .nat_gateway
            .get(&fw.subnet)
            .and_then(|g| net.nat_gateway(*g))
            .is_some_and(|g| g.public_ips.contains(&address))
}

/// The firewall whose public IP is `address` and that translated this flow's source to it: the
/// reply to that address is the firewall's to translate back.
fn translating_firewall(
    net: &Network,
    address: IpAddr,
    records: &FlowRecords,
) -> Option<FirewallId> {
    let f = net
        .firewalls
        .position(|f| f.public_ips.contains(&address))?;
    records.snat.contains(NicRef::Firewall(f)).then_some(f)
}

/// The latest way out that translated the request to `public`, taken from the records: a
/// reply is translated back at each way out the request left Azure by, the last first.
fn take_egress(
    records: &mut FlowRecords,
    public: IpAddr,
) -> Option<(NicRef, IpAddr, (IpAddr, u16))> {
    let i = records.egress.iter().rposition(|(_, p, _)| *p == public)?;
    Some(records.egress.remove(i))
}

/// A reply addressed to a firewall's public IP that reaches the firewall by a route (at its
/// private IP, `inside`) rather than from the Internet: the firewall's session is on its public
/// IP, so it drops the reply (Learn, "Integrate Azure Firewall with Azure Standard Load
/// Balancer": asymmetric routing).
fn reply_at_private_ip(
    net: &Network,
    at: &Nic,
    packet: Packet,
    leg: Leg,
    inside: bool,
) -> Option<Verdict> {
    let dropped = leg == Leg::Reply && inside && own_public_ip(net, at.id, packet.dst);
    dropped.then(|| Verdict::AsymmetricReturnDropped {
        device: at.name.to_string(),
        saw: OneWay::ReplyAtPrivateIp,
    })
}

impl Tracer<'_> {
    /// Whether `address` is a public IP of the firewall at `nic` ([`own_public_ip`]).
    pub(super) fn own_public_ip(&self, nic: NicRef, address: IpAddr) -> bool {
        own_public_ip(self.net, nic, address)
    }

    /// The verdict of a reply addressed to a firewall's public IP that reached it by a route
    /// ([`reply_at_private_ip`]).
    pub(super) fn reply_at_private_ip(
        &self,
        at: &Nic,
        packet: Packet,
        leg: Leg,
        inside: bool,
    ) -> Option<Verdict> {
        reply_at_private_ip(self.net, at, packet, leg, inside)
    }

    /// Whether a packet `at` sends to the Internet comes back into Azure: a request to a
    /// modelled public frontend from an address azpath knows ([`leaves_from`]), or a reply to
    /// the public address the request left from (a way out that translated it, or the public
    /// IP of the firewall that translated the request).
    pub(super) fn reenters(
        &self,
        at: &Nic,
        packet: Packet,
        leg: Leg,
        records: &FlowRecords,
    ) -> bool {
        match leg {
            Leg::Request => {
                public_frontend(self.net, packet.dst).is_some()
                    && leaves_from(self.net, self.way_out(at.id), at, packet.src).is_some()
            }
            Leg::Reply => {
                records
                    .egress
                    .iter()
                    .any(|(_, public, _)| *public == packet.dst)
                    || translating_firewall(self.net, packet.dst, records).is_some()
            }
        }
    }

    /// A request from `at` to a modelled public frontend that leaves under default outbound
    /// access: the trace ends there, and says why it is not followed in.
    pub(super) fn note_unknown_source(&mut self, at: &Nic, packet: Packet, leg: Leg) {
        if leg == Leg::Request
            && public_frontend(self.net, packet.dst).is_some()
            && leaves_from_unknown_address(self.net, at, packet.src)
        {
            self.assumptions
                .push(Assumption::DefaultOutboundSourceUnknown {
                    frontend: packet.dst,
                });
        }
    }

    /// The packet `at` sent comes back into Azure at the public address it was sent to, after
    /// `hops`: a request with the source its way out gave it, a reply translated back where
    /// the request was translated.
    pub(super) fn reenter(
        &mut self,
        at: &Nic,
        mut hops: Vec<Hop>,
        mut packet: Packet,
        leg: Leg,
        records: &mut FlowRecords,
    ) -> (Vec<Hop>, End) {
        match leg {
            Leg::Request => {
                let way_out = self.way_out(at.id);
                if let Some(public) = leaves_from(self.net, way_out, at, packet.src) {
                    if public != packet.src {
                        records
                            .egress
                            .push((at.id, public, (packet.src, packet.src_port)));
                        packet.src = public;
                    }
                }
                self.enter_from(hops, packet, records)
            }
            Leg::Reply => {
                if let Some((nic, public, (src, port))) = take_egress(records, packet.dst) {
                    // The way out translates the reply back to the address it replaced.
                    let mut hop = internet_hop(packet);
                    hop.steps.push(Step::UnSnat {
                        from: public,
                        to: src,
                    });
                    hops.push(hop);
                    let back = Packet {
                        dst: src,
                        dst_port: port,
                        ..packet
                    };
                    return self.walk_from(hops, nic, back, Entry::Arrives, Leg::Reply, records);
                }
                match translating_firewall(self.net, packet.dst, records) {
                    Some(f) => {
                        hops.push(internet_hop(packet));
                        let id = NicRef::Firewall(f);
                        self.walk_from(hops, id, packet, Entry::Arrives, Leg::Reply, records)
                    }
                    None => (hops, End::Stopped(Verdict::SentToInternet)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Symptom;

    fn loaded(ron: &str) -> crate::Loaded {
        crate::load_str("case.ron", ron).unwrap_or_else(|e| panic!("{e}"))
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// The estate's firewall `fw`.
    fn fw(net: &crate::model::Network) -> crate::model::FirewallId {
        net.firewalls
            .position(|f| f.name == "fw")
            .unwrap_or_else(|| panic!("no firewall"))
    }

    const ESTATE: &str = r#"Scenario(
        vnets: [
            (name: "hub", region: "r", address_space: ["10.0.0.0/16"], subnets: [(name: "AzureFirewallSubnet", prefix: "10.0.1.0/26")]),
            (name: "spoke", region: "r", address_space: ["10.1.0.0/16"], subnets: [(name: "web", prefix: "10.1.1.0/24", nsg: "nsg")]),
        ],
        peerings: [(between: ("hub", "spoke"), allow_forwarded_traffic: true)],
        nsgs: [(name: "nsg")],
        firewalls: [(name: "fw", subnet: "hub/AzureFirewallSubnet", private_ip: "10.0.1.4", public_ips: ["20.40.0.4"])],
        load_balancers: [
            (name: "lb", frontend_ip: "20.40.0.10", rules: [(name: "https", frontend_port: 443, backend_port: 443)], backends: ["vm"]),
            (name: "ilb", frontend_ip: "10.1.1.100", subnet: "spoke/web", rules: [(name: "https", frontend_port: 443, backend_port: 443)], backends: ["vm"]),
        ],
        workloads: [(name: "vm", subnet: "spoke/web", ip: "10.1.1.4", public_ip: "20.40.0.20")],
    )"#;

    #[test]
    fn a_public_load_balancer_frontend_an_instance_public_ip_and_a_firewall_public_ip_are_where_the_internet_enters_azure(
    ) {
        let l = loaded(ESTATE);
        let net = &l.network;
        assert_eq!(
            public_frontend(net, ip("20.40.0.10")),
            Some(PublicFrontend::LoadBalancer)
        );
        assert_eq!(
            public_frontend(net, ip("20.40.0.20")),
            Some(PublicFrontend::InstancePublicIp)
        );
        assert!(matches!(
            public_frontend(net, ip("20.40.0.4")),
            Some(PublicFrontend::Firewall(_))
        ));
        // An internal frontend, and a public address nobody in the scenario holds, are not.
        assert_eq!(public_frontend(net, ip("10.1.1.100")), None);
        assert_eq!(public_frontend(net, ip("52.1.2.3")), None);
    }

    /// The firewall's NIC as a trace holds it.
    fn fw_nic(net: &Network) -> Nic<'_> {
        Nic {
            id: NicRef::Firewall(fw(net)),
            name: "fw".into(),
            subnet: crate::model::SubnetId::for_test(0),
            vnet: crate::model::VnetId::for_test(0),
            ip: ip("10.0.1.4"),
            forwarding: None,
        }
    }

    #[test]
    fn the_firewall_snats_traffic_to_a_public_address_to_its_own_public_ip() {
        let l = loaded(ESTATE);
        let net = &l.network;
        let at = fw_nic(net);
        let way_out = || explicit_method(net, at.id);
        assert_eq!(
            leaves_from(net, way_out(), &at, ip("20.40.0.4")),
            Some(ip("20.40.0.4"))
        );
        // A packet it did not translate, with its private address, is not one it sends out.
        assert_eq!(leaves_from(net, way_out(), &at, ip("10.0.1.4")), None);
    }

    #[test]
    fn a_firewall_drops_a_reply_to_its_public_ip_that_reaches_its_private_ip() {
        let l = loaded(ESTATE);
        let net = &l.network;
        let at = fw_nic(net);
        let reply = Packet {
            src: ip("20.40.0.10"),
            src_port: 443,
            dst: ip("20.40.0.4"),
            dst_port: 50000,
        };
        let dropped = reply_at_private_ip(net, &at, reply, Leg::Reply, true);
        assert_eq!(
            dropped,
            Some(Verdict::AsymmetricReturnDropped {
                device: "fw".into(),
                saw: OneWay::ReplyAtPrivateIp,
            })
        );
        // Back from the Internet to the public IP, it is the firewall's to translate back.
        assert_eq!(
            reply_at_private_ip(net, &at, reply, Leg::Reply, false),
            None
        );
        // A request to its public IP is the DNAT rules' to decide.
        assert_eq!(
            reply_at_private_ip(net, &at, reply, Leg::Request, true),
            None
        );
    }

    #[test]
    fn a_reply_dropped_for_reaching_the_firewall_private_ip_times_the_connection_out() {
        let v = Verdict::AsymmetricReturnDropped {
            device: "fw".into(),
            saw: OneWay::ReplyAtPrivateIp,
        };
        assert_eq!(v.symptom(), Symptom::ReplyOnlyTimeout);
    }
}
