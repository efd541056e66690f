//! Forwarding inside a virtual hub (Microsoft Learn, "About virtual hub routing"): the router
//! routes by the table of the connection the packet came from (`defaultRouteTable` for traffic
//! from another hub); the hub's firewall sends what it allowed to where the destination lives.
//! The tables are compiled once, in the data plane.

use std::borrow::Cow;

use super::walk::{Leg, Nic, Tracer};
use super::{GatewayPath, Hop, NextHopFault, Packet, ReplyFault, Step, Verdict};
use crate::model::{Network, NicRef, VirtualHubId};
use crate::route::hub::{self, HubNextHop, Ingress};

/// Where a packet arriving at `at` (a NIC of the hub's managed VNet) came from: the hub's
/// firewall, a connected VNet, or another hub, by the NIC of the hop before.
fn ingress(net: &Network, at: NicRef, came_from: Option<crate::model::VnetId>) -> Ingress {
    if let NicRef::Firewall(_) = at {
        return Ingress::Firewall;
    }
    let Some((id, vnet)) = came_from.and_then(|id| net.vnet(id).map(|v| (id, v))) else {
        return Ingress::Firewall;
    };
    match vnet.hub {
        None => Ingress::Connection {
            vnet: vnet.name.clone(),
            id,
        },
        Some(hub) => Ingress::RemoteHub {
            hub: vnet.name.clone(),
            id: hub,
        },
    }
}

impl Tracer<'_> {
    /// Forwarding inside hub `hub` from `at`: the hub's routing decision recorded on `hop`, then
    /// the NIC it sends the packet to, or the verdict that ends the walk there.
    pub(super) fn hub_forward(
        &self,
        hub: VirtualHubId,
        at: &Nic,
        prev: Option<&Hop>,
        packet: Packet,
        leg: Leg,
        hop: &mut Hop,
    ) -> Result<NicRef, Verdict> {
        let came_from = prev
            .and_then(|h| h.at)
            .and_then(|n| self.nic(n))
            .map(|n| n.vnet);
        let ingress = self
            .branch_ingress(prev)
            .unwrap_or_else(|| ingress(self.net, at.id, came_from));
        let id = hub::table_for(self.net, hub, &ingress);
        let table = match self.dp.hub_table(id) {
            Some(t) => Cow::Borrowed(t),
            None => Cow::Owned(hub::compile(self.net, id)),
        };
        let lookup = hub::lookup(&table, ingress, packet.dst);
        let chosen = lookup.chosen.clone();
        hop.steps.push(Step::HubRoute(Box::new(lookup)));
        let Some(route) = chosen else {
            return Err(Verdict::NoRoute { prefix: None });
        };
        match route.next_hop {
            HubNextHop::Connection { id, .. } => {
                self.enter_connection(hub, id, at, packet, leg, hop)
            }
            HubNextHop::RemoteHub { id, hub: to } => {
                let region = |h: VirtualHubId| self.net.hub(h).map(|h| h.region.clone());
                hop.steps.push(Step::HubToHub {
                    from: table.hub.clone(),
                    to,
                    global: region(hub) != region(id),
                });
                Ok(NicRef::HubRouter(id))
            }
            HubNextHop::Firewall { id, .. } => Ok(NicRef::Firewall(id)),
            HubNextHop::Site { site } => Err(Verdict::SentToOnPremises {
                via: GatewayPath::Site { site },
            }),
            HubNextHop::Internet => Err(Verdict::SentToInternet),
        }
    }

    /// Into connected VNet `vnet`: to the appliance a static route of the connection names, or
    /// to the destination, across the connection's peering.
    fn enter_connection(
        &self,
        hub: VirtualHubId,
        vnet: crate::model::VnetId,
        at: &Nic,
        packet: Packet,
        leg: Leg,
        hop: &mut Hop,
    ) -> Result<NicRef, Verdict> {
        let connection = self.net.hub(hub).and_then(|h| h.connection(vnet));
        // The connection's own static routes send the packet to an appliance in the VNet.
        let appliance = connection.and_then(|c| {
            c.static_routes
                .iter()
                .flat_map(|r| r.prefixes.iter().map(move |p| (*p, r.next_hop_ip)))
                .filter(|(p, _)| p.contains(&packet.dst))
                .max_by_key(|(p, _)| p.prefix_len())
                .map(|(_, ip)| ip)
        });
        let ip = appliance.unwrap_or(packet.dst);
        let Some(target) = self.dp.nic_at(vnet, ip) else {
            return Err(match (appliance, leg) {
                (Some(_), _) => Verdict::InvalidNextHop {
                    address: ip,
                    reason: NextHopFault::ConnectionStaticRouteUnheld {
                        vnet: self
                            .net
                            .vnet(vnet)
                            .map(|v| v.name.clone())
                            .unwrap_or_default(),
                    },
                },
                (None, Leg::Reply) => Verdict::ReplyDropped {
                    reason: ReplyFault::NoNicHolds { address: ip },
                },
                (None, Leg::Request) => Verdict::NoDestination { address: ip },
            });
        };
        if let Some(p) = connection.and_then(|c| self.net.peerings.get(c.peering)) {
            if let Some(verdict) = self.cross(at, p, packet, hop) {
                return Err(verdict);
            }
        }
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAN: &str = r#"Scenario(
        vnets: [
            (name: "s1", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "a", prefix: "10.1.1.0/24")]),
        ],
        virtual_hubs: [
            (name: "h1", region: "eastus", address_prefix: "10.100.0.0/23", connections: [(vnet: "s1")]),
            (name: "h2", region: "westus", address_prefix: "10.200.0.0/23"),
        ],
    )"#;

    fn load() -> crate::Loaded {
        crate::load_str("wan.ron", WAN).unwrap_or_else(|e| panic!("{e}"))
    }

    fn vnet(net: &Network, name: &str) -> crate::model::VnetId {
        net.vnets
            .position(|v| v.name == name)
            .unwrap_or_else(|| panic!("no vnet {name}"))
    }

    #[test]
    fn traffic_from_a_connected_vnet_enters_by_that_connection() {
        let l = load();
        let s1 = vnet(&l.network, "s1");
        let at = NicRef::HubRouter(VirtualHubId::for_test(0));
        assert_eq!(
            ingress(&l.network, at, Some(s1)),
            Ingress::Connection {
                vnet: "s1".into(),
                id: s1
            }
        );
    }

    #[test]
    fn traffic_from_another_hubs_router_enters_from_that_hub() {
        let l = load();
        let h2 = l.network.virtual_hubs.iter().nth(1).map(|h| h.vnet);
        let at = NicRef::HubRouter(VirtualHubId::for_test(0));
        assert!(matches!(
            ingress(&l.network, at, h2),
            Ingress::RemoteHub { id, .. } if id == VirtualHubId::for_test(1)
        ));
    }

    #[test]
    fn a_packet_at_the_hub_firewall_is_forwarded_by_the_firewall() {
        let l = load();
        let s1 = vnet(&l.network, "s1");
        let at = NicRef::Firewall(crate::model::FirewallId::for_test(0));
        assert_eq!(ingress(&l.network, at, Some(s1)), Ingress::Firewall);
    }
}
