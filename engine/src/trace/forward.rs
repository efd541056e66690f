//! Where a packet goes from a NIC: one route decision (the longest active prefix of the
//! subnet's effective routes, or the hub's tables inside a virtual hub), the evidence of that
//! look-up attached to the hop when the answer is explained, then the NIC it is sent to and any
//! peering it crosses (Microsoft Learn, "Virtual network traffic routing" and "Virtual network
//! peering").

use std::net::IpAddr;

use ipnet::IpNet;

use super::walk::{Leg, Nic, Tracer};
use super::{GatewayPath, Hop, NextHopFault, Packet, PeeringRefusal, ReplyFault, Step, Verdict};
use crate::model::{NextHopType, NicRef, Peering, PeeringState, VnetId};
use crate::query::next_hop_and_route;
use crate::route::{EffectiveRoute, Origin};

/// What the route look-up decided: the winning route's next hop, or none. Borrowed from the
/// compiled table, so deciding allocates nothing (the reachability matrix decides millions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct RouteDecision<'a> {
    /// The next hop type (`None` when no route matches).
    pub(super) kind: NextHopType,
    /// The next hop address, for appliances and gateways.
    pub(super) address: Option<IpAddr>,
    /// The winning prefix.
    pub(super) prefix: Option<IpNet>,
    /// What created the winning route.
    pub(super) origin: Option<&'a Origin>,
}

impl<'a> RouteDecision<'a> {
    /// The decision of `route`, or of no route.
    fn of(route: Option<&'a EffectiveRoute>) -> Self {
        match route {
            Some(r) => RouteDecision {
                kind: r.next_hop.next_hop_type,
                address: r.next_hop.ip,
                prefix: Some(r.prefix),
                origin: Some(&r.origin),
            },
            None => RouteDecision {
                kind: NextHopType::None,
                address: None,
                prefix: None,
                origin: None,
            },
        }
    }

    /// Where the packet is sent: the address of the NIC that takes it, or the verdict that ends
    /// the walk here.
    fn target(self, dst: IpAddr) -> Result<IpAddr, Verdict> {
        let no_route = || Verdict::NoRoute {
            prefix: self.prefix,
        };
        match (self.kind, self.address) {
            (NextHopType::None, _) => Err(no_route()),
            (NextHopType::Internet, _) => Err(Verdict::SentToInternet),
            // Into the virtual hub: to its router, or to its firewall under routing intent.
            (NextHopType::VirtualNetworkGateway, Some(ip))
                if matches!(self.origin, Some(Origin::VirtualHub { .. })) =>
            {
                Ok(ip)
            }
            (NextHopType::VirtualNetworkGateway, _) => Err(Verdict::SentToOnPremises {
                via: gateway_path(self.origin),
            }),
            (NextHopType::VirtualNetworkServiceEndpoint, _) => Err(Verdict::SentToServiceEndpoint),
            (NextHopType::VirtualAppliance, Some(ip)) => Ok(ip),
            (NextHopType::VirtualAppliance, None) => Err(no_route()),
            _ => Ok(dst),
        }
    }
}

/// What sent a packet to a gateway, from the winning route's origin.
fn gateway_path(origin: Option<&Origin>) -> GatewayPath {
    match origin {
        Some(Origin::Gateway { gateway, .. }) => GatewayPath::Gateway {
            gateway: gateway.clone(),
        },
        Some(Origin::UserRoute { table, route, .. }) => GatewayPath::UserRoute {
            table: table.clone(),
            route: route.clone(),
        },
        _ => GatewayPath::Unnamed,
    }
}

impl Tracer<'_> {
    /// Where the packet goes from `at`: the NIC it is sent to, after the route look-up and any
    /// peering it crosses; or the verdict that ends the walk there.
    pub(super) fn forward(
        &self,
        at: &Nic,
        prev: Option<&Hop>,
        packet: Packet,
        leg: Leg,
        hop: &mut Hop,
    ) -> Result<NicRef, Verdict> {
        if let Some(hub) = self.net.vnet(at.vnet).and_then(|v| v.hub) {
            return self.hub_forward(hub, at, prev, packet, leg, hop);
        }
        let best = if self.explain {
            // The decision and its evidence from one look-up: every covering route and why it
            // lost.
            let (best, evidence) = next_hop_and_route(self.net, self.dp, at.subnet, packet.dst);
            hop.steps.push(Step::Route(Box::new(evidence)));
            best
        } else {
            self.dp.routes(at.subnet).and_then(|v| v.best(packet.dst))
        };
        let decision = RouteDecision::of(best);
        let target_ip = match decision.target(packet.dst) {
            // Leaving for the Internet: the way out (NAT gateway, public IP...) decides.
            Err(Verdict::SentToInternet) if leg == Leg::Request => {
                return Err(self.egress(at, hop));
            }
            other => other?,
        };
        let Some((target, peering)) = self.find(at.vnet, target_ip) else {
            return Err(self.unreachable(at.vnet, target_ip, kind_of(best), leg));
        };
        if let Some(p) = peering {
            if let Some(verdict) = self.cross(at, p, packet, hop) {
                return Err(verdict);
            }
        }
        Ok(target)
    }

    /// Why no NIC `vnet` can reach holds `target`: a peering towards it that is not connected,
    /// an appliance next hop nobody holds, a reply routed to nowhere, or no destination.
    fn unreachable(&self, vnet: VnetId, target: IpAddr, kind: NextHopType, leg: Leg) -> Verdict {
        let name = || {
            self.net
                .vnet(vnet)
                .map(|v| v.name.clone())
                .unwrap_or_default()
        };
        let idle = self.net.peerings.iter().find_map(|p| {
            let remote = self.net.vnet(p.remote_of(vnet)?)?;
            let covers = remote.address_space.iter().any(|s| s.contains(&target));
            (covers && p.state != PeeringState::Connected).then(|| (remote.name.clone(), p.state))
        });
        match (idle, kind, leg) {
            (Some((to, state)), _, _) => Verdict::PeeringBlocked {
                from: name(),
                to,
                reason: PeeringRefusal::NotConnected { state },
            },
            (None, NextHopType::VirtualAppliance, _) => Verdict::InvalidNextHop {
                address: target,
                reason: NextHopFault::NotInVnetOrPeers { vnet: name() },
            },
            (None, _, Leg::Reply) => Verdict::ReplyDropped {
                reason: ReplyFault::NoNicHolds { address: target },
            },
            (None, _, Leg::Request) => Verdict::NoDestination { address: target },
        }
    }

    /// Crossing a peering, recorded on `hop`; the verdict if it refuses the packet.
    pub(super) fn cross(
        &self,
        at: &Nic,
        p: &Peering,
        packet: Packet,
        hop: &mut Hop,
    ) -> Option<Verdict> {
        let remote = p.remote_of(at.vnet)?;
        let (from, to) = (self.net.vnet(at.vnet)?, self.net.vnet(remote)?);
        if self.explain {
            let names = self.dp.names();
            let name = |v| names.vnet(v).cloned().unwrap_or_default();
            hop.steps.push(Step::Peering {
                from: name(at.vnet),
                to: name(remote),
                global: from.region != to.region,
            });
        }
        let own_source = from.address_space.iter().any(|s| s.contains(&packet.src))
            || super::onprem::gateway_transit_carries(at, p);
        let reason = refusal(p, own_source, packet.src, &from.name)?;
        Some(Verdict::PeeringBlocked {
            from: from.name.clone(),
            to: to.name.clone(),
            reason,
        })
    }
}

fn kind_of(route: Option<&EffectiveRoute>) -> NextHopType {
    route.map_or(NextHopType::None, |r| r.next_hop.next_hop_type)
}

/// A peering must allow virtual network access, and a packet whose source is outside the
/// sending VNet (forwarded by an appliance) needs `allowForwardedTraffic`.
fn refusal(p: &Peering, own_source: bool, source: IpAddr, vnet: &str) -> Option<PeeringRefusal> {
    if !p.allow_virtual_network_access {
        return Some(PeeringRefusal::AccessDisabled);
    }
    if !own_source && !p.allow_forwarded_traffic {
        return Some(PeeringRefusal::ForwardedTrafficNotAllowed {
            source,
            vnet: vnet.to_string(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peering(access: bool, forwarded: bool) -> Peering {
        Peering {
            vnets: [VnetId::for_test(0), VnetId::for_test(1)],
            allow_virtual_network_access: access,
            allow_forwarded_traffic: forwarded,
            gateway_transit: None,
            state: PeeringState::Connected,
            span: crate::scenario::Span::default(),
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse()
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn a_peering_without_virtual_network_access_refuses_everything() {
        let p = peering(false, true);
        assert_eq!(
            refusal(&p, true, ip("10.0.0.4"), "a"),
            Some(PeeringRefusal::AccessDisabled)
        );
    }

    #[test]
    fn a_peering_refuses_forwarded_traffic_unless_allowed() {
        let source = ip("10.9.0.4");
        assert_eq!(
            refusal(&peering(true, false), false, source, "hub"),
            Some(PeeringRefusal::ForwardedTrafficNotAllowed {
                source,
                vnet: "hub".into()
            })
        );
        assert_eq!(refusal(&peering(true, true), false, source, "hub"), None);
    }

    #[test]
    fn a_peering_carries_its_own_vnets_traffic_without_forwarding_allowed() {
        assert_eq!(
            refusal(&peering(true, false), true, ip("10.0.0.4"), "a"),
            None
        );
    }

    #[test]
    fn a_none_next_hop_drops_the_packet_with_its_prefix() {
        let d = RouteDecision {
            kind: NextHopType::None,
            address: None,
            prefix: "10.0.0.0/8".parse().ok(),
            origin: None,
        };
        assert_eq!(
            d.target(ip("10.1.1.1")),
            Err(Verdict::NoRoute {
                prefix: "10.0.0.0/8".parse().ok()
            })
        );
    }

    #[test]
    fn a_user_route_to_the_gateway_sends_the_packet_on_premises_naming_the_route() {
        let origin = Origin::UserRoute {
            table: "rt".into(),
            route: "default".into(),
            service_tag: None,
        };
        let d = RouteDecision {
            kind: NextHopType::VirtualNetworkGateway,
            address: None,
            prefix: "0.0.0.0/0".parse().ok(),
            origin: Some(&origin),
        };
        assert_eq!(
            d.target(ip("8.8.8.8")),
            Err(Verdict::SentToOnPremises {
                via: GatewayPath::UserRoute {
                    table: "rt".into(),
                    route: "default".into()
                }
            })
        );
    }

    #[test]
    fn a_virtual_network_route_sends_the_packet_to_its_destination() {
        let d = RouteDecision {
            kind: NextHopType::VnetLocal,
            address: None,
            prefix: "10.0.0.0/16".parse().ok(),
            origin: None,
        };
        assert_eq!(d.target(ip("10.0.1.4")), Ok(ip("10.0.1.4")));
    }

    #[test]
    fn the_route_evidence_shows_the_route_the_packet_took() {
        let ron = r#"Scenario(
            vnets: [
                (name: "hub", region: "r", address_space: ["10.0.0.0/16"], subnets: [(name: "nva", prefix: "10.0.1.0/24")]),
                (name: "spoke", region: "r", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24", route_table: "rt")]),
            ],
            peerings: [(between: ("hub", "spoke"))],
            route_tables: [(name: "rt", routes: [
                (name: "out", prefix: "0.0.0.0/0", next_hop: VirtualAppliance("10.0.1.4")),
                (name: "drop", prefix: "10.9.0.0/16", next_hop: None),
            ])],
            workloads: [(name: "nva", kind: Nva, subnet: "hub/nva", ip: "10.0.1.4"), (name: "vm", subnet: "spoke/app", ip: "10.1.1.4")],
        )"#;
        let l = crate::load_str("case.ron", ron).unwrap_or_else(|e| panic!("{e}"));
        let (net, dp) = (&l.network, l.dataplane());
        let subnet = net
            .subnets
            .position(|s| s.name == "spoke/app")
            .unwrap_or_else(|| panic!("no subnet app"));
        for dst in ["10.0.1.4", "10.1.1.9", "10.9.0.1", "8.8.8.8"] {
            let dst = ip(dst);
            let decision = RouteDecision::of(dp.routes(subnet).and_then(|v| v.best(dst)));
            let evidence = crate::query::next_hop(net, dp, subnet, dst);
            let (decided, explained) = next_hop_and_route(net, dp, subnet, dst);
            assert_eq!(decided.map(|r| r.prefix), decision.prefix, "{dst}");
            assert_eq!(explained.route, evidence.route, "{dst}");
            assert_eq!(decision.kind, evidence.next_hop.next_hop_type, "{dst}");
            assert_eq!(decision.address, evidence.next_hop.ip, "{dst}");
            assert_eq!(decision.prefix, evidence.route.map(|r| r.prefix), "{dst}");
        }
    }
}
