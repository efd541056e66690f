//! What a virtual WAN branch (a VPN site or ExpressRoute circuit connected to a hub) learns
//! from its hub, and so which destinations it sends into Azure at all.
//!
//! - Branch connections are always associated with `defaultRouteTable` and propagate to it
//!   and the `default` label (Microsoft Learn, "About virtual hub routing",
//!   <https://learn.microsoft.com/azure/virtual-wan/about-virtual-hub-routing>): a branch
//!   learns the routes of its hub's `defaultRouteTable`.
//! - Under a private routing policy the hub advertises to its branches the prefixes of its own
//!   connections and branches, of remote hubs that also have a private policy, and of remote
//!   hubs without routing intent whose connections propagate to this hub's
//!   `defaultRouteTable` ("How to configure Virtual WAN Hub routing intent and routing
//!   policies", prefix advertisement to on-premises,
//!   <https://learn.microsoft.com/azure/virtual-wan/how-to-routing-policies>).
//! - 0.0.0.0/0 reaches a branch only when its connection propagates the default route
//!   (`enableInternetSecurity`, off by default for VPN and ExpressRoute connections).
//! - Routes of other branches reach it only when the virtual WAN allows branch-to-branch
//!   traffic, and never from one ExpressRoute circuit to another, which needs Global Reach
//!   ("Global transit network architecture and Virtual WAN",
//!   <https://learn.microsoft.com/azure/virtual-wan/virtual-wan-global-transit-network-architecture>).

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::{announcements, hub_table, intent_routes, propagates, HubRoute};
use crate::model::{BranchId, GatewayKind, Network, VirtualWan};
use crate::route::types::HubRouteOrigin;

/// A route a branch has towards Azure: a prefix its hub advertises to it over BGP.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BranchRoute {
    /// The prefix.
    #[schemars(with = "String")]
    pub prefix: IpNet,
    /// The hub that advertises it.
    pub hub: String,
    /// Why the hub has it: a route of its `defaultRouteTable`, or what routing intent
    /// advertises.
    pub origin: HubRouteOrigin,
}

/// Whether a branch of kind `to` learns the routes of a branch of kind `from` through the
/// virtual WAN: only when branch-to-branch is allowed, and never between two ExpressRoute
/// circuits (that transit needs ExpressRoute Global Reach and bypasses the hub).
pub fn branch_to_branch(wan: VirtualWan, from: GatewayKind, to: GatewayKind) -> bool {
    if from == GatewayKind::ExpressRoute && to == GatewayKind::ExpressRoute {
        return false;
    }
    wan.allow_branch_to_branch
}

/// The routes branch `id` has towards Azure, best first within each prefix, one per prefix.
pub fn branch_routes(net: &Network, id: BranchId) -> Vec<BranchRoute> {
    let Some((h, _)) = net.branch(id) else {
        return Vec::new();
    };
    let offered = if h.routing_intent.private && h.firewall.is_some() {
        let mut routes = intent_advertised(net, id);
        super::sort(net, h, &mut routes);
        routes
    } else {
        hub_table(net, id.hub, 0)
    };
    let mut out: Vec<BranchRoute> = Vec::new();
    for r in offered {
        if out.iter().any(|o| o.prefix == r.prefix) || !learns(net, id, &r) {
            continue;
        }
        out.push(BranchRoute {
            prefix: r.prefix,
            hub: h.name.clone(),
            origin: r.origin,
        });
    }
    out
}

/// The route branch `id` sends `destination` by: its longest route holding it; `None` when it
/// has none (the packet never leaves the branch towards Azure).
pub fn branch_route_for(net: &Network, id: BranchId, destination: IpAddr) -> Option<BranchRoute> {
    branch_routes(net, id)
        .into_iter()
        .filter(|r| r.prefix.contains(&destination))
        .max_by_key(|r| r.prefix.prefix_len())
}

/// Whether branch `id` learns hub route `r`: not its own prefixes, 0.0.0.0/0 only with
/// internet security on its connection, another branch's prefixes only as
/// [`branch_to_branch`] allows.
fn learns(net: &Network, id: BranchId, r: &HubRoute) -> bool {
    let Some((_, site)) = net.branch(id) else {
        return false;
    };
    if site.prefixes.iter().any(|p| p.contains(&r.prefix)) {
        return false;
    }
    if r.prefix.prefix_len() == 0 {
        return site.internet_security;
    }
    let from = match &r.origin {
        HubRouteOrigin::Propagated { from, .. } => net.branch_by_name(from),
        _ => None,
    };
    match from.and_then(|b| net.branch(b)) {
        Some((_, other)) => branch_to_branch(net.virtual_wan, other.kind, site.kind),
        None => true,
    }
}

/// What a hub with a private routing policy advertises to its branches (before the
/// per-branch filter of [`learns`]): its own connections and branches, those of remote hubs
/// with a private policy, those of other remote hubs that propagate to this hub's
/// `defaultRouteTable`; and 0.0.0.0/0 under an internet policy.
fn intent_advertised(net: &Network, id: BranchId) -> Vec<HubRoute> {
    let Some(h) = net.hub(id.hub) else {
        return Vec::new();
    };
    let mut out: Vec<HubRoute> = intent_routes(net, h)
        .into_iter()
        .filter(|r| r.prefix.prefix_len() == 0)
        .collect();
    for a in announcements(net, id.hub) {
        let (labels, propagate_to): (&[String], &[usize]) = match a.what {
            super::Announcer::Connection(c) => (&c.labels, &c.propagate_to),
            super::Announcer::Site(_) => (&a.src.branch_labels, &a.src.branch_propagate_to),
        };
        let advertised = a.from == id.hub
            || a.src.routing_intent.private
            || propagates(net, a.from, labels, propagate_to, id.hub, 0);
        if !advertised {
            continue;
        }
        let origin = HubRouteOrigin::Propagated {
            from: a.name(net),
            hub: a.src.name.clone(),
            connection_route: None,
        };
        out.extend(a.prefixes(net).into_iter().map(|p| HubRoute {
            prefix: p,
            next_hop: a.next_hop.clone(),
            origin: origin.clone(),
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ER: GatewayKind = GatewayKind::ExpressRoute;
    const VPN: GatewayKind = GatewayKind::Vpn;

    // Global transit network architecture: disabling branch-to-branch blocks propagation
    // between VPN and ExpressRoute sites; ExpressRoute circuits need Global Reach.
    #[test]
    fn branch_to_branch_follows_the_virtual_wan_switch_and_never_joins_two_expressroute_circuits() {
        let on = VirtualWan {
            allow_branch_to_branch: true,
        };
        let off = VirtualWan {
            allow_branch_to_branch: false,
        };
        assert!(branch_to_branch(on, VPN, VPN));
        assert!(branch_to_branch(on, VPN, ER));
        assert!(branch_to_branch(on, ER, VPN));
        assert!(!branch_to_branch(on, ER, ER));
        for (a, b) in [(VPN, VPN), (VPN, ER), (ER, VPN), (ER, ER)] {
            assert!(!branch_to_branch(off, a, b));
        }
    }
}
