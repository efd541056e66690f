//! Virtual WAN routing: the effective routes of a hub route table, the look-up a hub router
//! makes, and the routes a connected VNet learns from its hub (Microsoft Learn, "About virtual
//! hub routing" and "How to configure Virtual WAN Hub routing intent and routing policies").
//!
//! - A connection is associated with one table (traffic from it is routed by that table) and
//!   propagates its prefixes, and its static routes, to tables of its own hub and to every
//!   table, in any hub, that carries one of its labels (`default` = each hub's
//!   `defaultRouteTable`). Branch sites propagate to `default`.
//! - Static routes beat learned routes with the same prefix; static routes stay in their hub.
//! - Routing intent puts `_policy_PrivateTraffic` (RFC 1918 and added prefixes) and
//!   `_policy_PublicTraffic` (0.0.0.0/0) into `defaultRouteTable`, next hop the hub firewall;
//!   the hub's connections then propagate nowhere, and learned routes inside the private
//!   prefixes are not installed.
//! - A spoke learns the routes of its associated table as `VirtualNetworkGateway` routes, only
//!   those less specific than its own address space, and 0.0.0.0/0 only with
//!   `internet_security`; gateway route propagation must be on in its route table.

use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net};
use serde::{Deserialize, Serialize};

use super::types::{Candidate, HubRouteOrigin, Origin};
use crate::model::{
    FirewallId, HubConnection, HubStaticNextHop, Network, NextHop, NextHopType, RouteSource, Site,
    Subnet, VirtualHub, VirtualHubId, VnetId,
};

/// Where a hub sends a packet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind")]
pub enum HubNextHop {
    /// Into a VNet connection of this hub.
    Connection {
        /// The connected VNet.
        vnet: String,
        /// Its id.
        id: VnetId,
    },
    /// To another hub of the virtual WAN.
    RemoteHub {
        /// The hub.
        hub: String,
        /// Its id.
        id: VirtualHubId,
    },
    /// The hub's Azure Firewall.
    Firewall {
        /// The firewall.
        firewall: String,
        /// Its id.
        id: FirewallId,
    },
    /// An on-premises site behind the hub's gateway.
    Site {
        /// The site.
        site: String,
    },
    /// Out to the Internet (a secured hub's firewall only).
    Internet,
}

/// One route of a hub route table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HubRoute {
    /// Destination prefix.
    #[schemars(with = "String")]
    pub prefix: IpNet,
    /// Where it sends traffic.
    pub next_hop: HubNextHop,
    /// What created it.
    pub origin: HubRouteOrigin,
}

/// Which traffic a hub router is routing: where the packet came from decides the table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "from")]
pub enum Ingress {
    /// From a connected VNet: its associated table.
    Connection {
        /// The VNet.
        vnet: String,
        /// Its id.
        id: VnetId,
    },
    /// From another hub: `defaultRouteTable`.
    RemoteHub {
        /// The hub.
        hub: String,
        /// Its id.
        id: VirtualHubId,
    },
    /// From the hub's firewall, after it allowed the packet.
    Firewall,
    /// From a branch (VPN site or ExpressRoute circuit) of the hub: `defaultRouteTable`,
    /// which every branch connection is associated with.
    Branch {
        /// The branch.
        site: String,
    },
}

/// A hub's routing decision, with every route that covered the destination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HubLookup {
    /// The hub.
    pub hub: String,
    /// The route table used (`defaultRouteTable`, a custom one, or the firewall's forwarding).
    pub table: String,
    /// Where the packet came from.
    pub ingress: Ingress,
    /// The destination.
    pub destination: IpAddr,
    /// The chosen route: longest prefix, then static over learned; `None` drops the packet.
    pub chosen: Option<HubRoute>,
    /// Every route covering the destination, best first.
    pub covering: Vec<HubRoute>,
}

/// Which routes a hub router uses: one of its route tables, or how its firewall forwards what it
/// allowed.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub enum HubTableId {
    /// Route table `index` of the hub (0 is `defaultRouteTable`).
    Table {
        /// The hub.
        hub: VirtualHubId,
        /// The table's index in the hub.
        index: usize,
    },
    /// The hub firewall's forwarding.
    FirewallForwarding {
        /// The hub.
        hub: VirtualHubId,
    },
}

impl HubTableId {
    /// The hub the table belongs to.
    pub fn hub(self) -> VirtualHubId {
        match self {
            HubTableId::Table { hub, .. } | HubTableId::FirewallForwarding { hub } => hub,
        }
    }
}

/// A compiled hub route table: its routes, best first within each prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubTable {
    /// Which table.
    pub id: HubTableId,
    /// Its hub's name.
    pub hub: String,
    /// Its name (`defaultRouteTable`, a custom one, or the firewall's forwarding).
    pub name: String,
    /// Its routes.
    pub routes: Vec<HubRoute>,
}

/// The table hub `hub` routes traffic from `ingress` by: a connection's associated table,
/// `defaultRouteTable` for traffic from another hub, the forwarding of the firewall after it.
pub fn table_for(net: &Network, hub: VirtualHubId, ingress: &Ingress) -> HubTableId {
    match ingress {
        Ingress::Connection { id, .. } => HubTableId::Table {
            hub,
            index: net
                .hub(hub)
                .and_then(|h| h.connection(*id))
                .map_or(0, |c| c.associated),
        },
        Ingress::RemoteHub { .. } | Ingress::Branch { .. } => HubTableId::Table { hub, index: 0 },
        Ingress::Firewall => HubTableId::FirewallForwarding { hub },
    }
}

/// Compiles one table.
pub fn compile(net: &Network, id: HubTableId) -> HubTable {
    let hub = net.hub(id.hub());
    let (name, routes) = match id {
        HubTableId::FirewallForwarding { hub } => (
            "firewall forwarding".to_string(),
            firewall_forwarding(net, hub),
        ),
        HubTableId::Table { hub: h, index } => (
            hub.and_then(|h| h.tables.get(index))
                .map(|t| t.name.clone())
                .unwrap_or_default(),
            hub_table(net, h, index),
        ),
    };
    HubTable {
        id,
        hub: hub.map(|h| h.name.clone()).unwrap_or_default(),
        name,
        routes,
    }
}

/// Every table of `hub`: its route tables in order, then its firewall forwarding.
pub fn tables_of(net: &Network, hub: VirtualHubId) -> Vec<HubTableId> {
    let count = net.hub(hub).map_or(0, |h| h.tables.len());
    (0..count)
        .map(|index| HubTableId::Table { hub, index })
        .chain([HubTableId::FirewallForwarding { hub }])
        .collect()
}

fn firewall_hop(net: &Network, hub: &VirtualHub) -> Option<HubNextHop> {
    let id = hub.firewall?;
    let firewall = net.firewalls.get(id)?.name.to_string();
    Some(HubNextHop::Firewall { firewall, id })
}

fn vnet_name(net: &Network, id: VnetId) -> String {
    net.vnet(id).map(|v| v.name.clone()).unwrap_or_default()
}

/// Whether connection `c` of hub `from` propagates into table `table` of hub `at`.
pub(super) fn propagates(
    net: &Network,
    from: VirtualHubId,
    labels: &[String],
    propagate_to: &[usize],
    at: VirtualHubId,
    table: usize,
) -> bool {
    let (Some(src), Some(dst)) = (net.hub(from), net.hub(at)) else {
        return false;
    };
    if src.routing_intent.private {
        // Intent makes the hub's connections propagate to `noneRouteTable`; the platform still
        // tells other hubs where they are (their traffic then meets this hub's firewall).
        return from != at && table == 0;
    }
    let by_table = from == at && propagate_to.contains(&table);
    let by_label = dst
        .tables
        .get(table)
        .is_some_and(|t| t.labels.iter().any(|l| labels.contains(l)));
    by_table || by_label
}

/// A connection or branch site of some hub of the virtual WAN.
#[derive(Clone, Copy)]
pub(super) enum Announcer<'a> {
    Connection(&'a HubConnection),
    Site(&'a Site),
}

/// What a hub can learn of one connection or site, and the next hop it would use to reach it.
pub(super) struct Announcement<'a> {
    /// The hub the connection or site belongs to.
    pub(super) from: VirtualHubId,
    /// That hub.
    pub(super) src: &'a VirtualHub,
    /// The connection or site.
    pub(super) what: Announcer<'a>,
    /// Where hub `at` sends traffic to it: the connection or site when local, else the hub
    /// holding it.
    pub(super) next_hop: HubNextHop,
}

impl Announcement<'_> {
    /// The prefixes it announces: a VNet's address space, or a site's prefixes.
    pub(super) fn prefixes(&self, net: &Network) -> Vec<IpNet> {
        match self.what {
            Announcer::Connection(c) => net
                .vnet(c.vnet)
                .map(|v| v.address_space.clone())
                .unwrap_or_default(),
            Announcer::Site(s) => s.prefixes.clone(),
        }
    }

    /// Its name: the VNet's or the site's.
    pub(super) fn name(&self, net: &Network) -> String {
        match self.what {
            Announcer::Connection(c) => vnet_name(net, c.vnet),
            Announcer::Site(s) => s.name.clone(),
        }
    }
}

/// Every connection and site of every hub, as hub `at` would reach it. The loop that both a
/// hub's route tables and its firewall's forwarding are built from.
pub(super) fn announcements(
    net: &Network,
    at: VirtualHubId,
) -> impl Iterator<Item = Announcement<'_>> {
    net.virtual_hubs.iter_ids().flat_map(move |(g, src)| {
        let from = g;
        let local = from == at;
        let remote = HubNextHop::RemoteHub {
            hub: src.name.clone(),
            id: from,
        };
        let connections = src.connections.iter().map(Announcer::Connection);
        let sites = src.sites.iter().map(Announcer::Site);
        connections.chain(sites).map(move |what| {
            let next_hop = match (local, what) {
                (true, Announcer::Connection(c)) => HubNextHop::Connection {
                    vnet: vnet_name(net, c.vnet),
                    id: c.vnet,
                },
                (true, Announcer::Site(s)) => HubNextHop::Site {
                    site: s.name.clone(),
                },
                (false, _) => remote.clone(),
            };
            Announcement {
                from,
                src,
                what,
                next_hop,
            }
        })
    })
}

/// The routes of table `table` of hub `hub`, best first within each prefix.
pub fn hub_table(net: &Network, hub: VirtualHubId, table: usize) -> Vec<HubRoute> {
    let Some(h) = net.hub(hub) else {
        return Vec::new();
    };
    let mut out = static_routes(net, h, table);
    if table == 0 {
        out.extend(intent_routes(net, h));
    }
    for a in announcements(net, hub) {
        let (labels, propagate_to, connection_routes): (&[String], &[usize], _) = match a.what {
            Announcer::Connection(c) => (&c.labels, &c.propagate_to, c.static_routes.as_slice()),
            Announcer::Site(_) => (
                &a.src.branch_labels,
                &a.src.branch_propagate_to,
                [].as_slice(),
            ),
        };
        if !propagates(net, a.from, labels, propagate_to, hub, table) {
            continue;
        }
        let learned = |route: Option<&str>| HubRouteOrigin::Propagated {
            from: a.name(net),
            hub: a.src.name.clone(),
            connection_route: route.map(str::to_string),
        };
        out.extend(a.prefixes(net).into_iter().map(|p| HubRoute {
            prefix: p,
            next_hop: a.next_hop.clone(),
            origin: learned(None),
        }));
        // A connection's static routes travel with it, but only within its hub.
        if a.from == hub {
            for r in connection_routes {
                out.extend(r.prefixes.iter().map(|p| HubRoute {
                    prefix: *p,
                    next_hop: a.next_hop.clone(),
                    origin: learned(Some(&r.name)),
                }));
            }
        }
    }
    // Under a private traffic policy, learned routes inside the private prefixes give way to it.
    if table == 0 && h.routing_intent.private && h.firewall.is_some() {
        let private = &h.routing_intent.private_prefixes;
        out.retain(|r| {
            !matches!(r.origin, HubRouteOrigin::Propagated { .. })
                || !private.iter().any(|p| p.contains(&r.prefix))
        });
    }
    sort(net, h, &mut out);
    out
}

/// The static routes of table `table` of hub `h`.
fn static_routes(net: &Network, h: &VirtualHub, table: usize) -> Vec<HubRoute> {
    let mut out = Vec::new();
    let Some(t) = h.tables.get(table) else {
        return out;
    };
    for r in &t.routes {
        let next_hop = match r.next_hop {
            HubStaticNextHop::Firewall => firewall_hop(net, h),
            HubStaticNextHop::Connection(v) => Some(HubNextHop::Connection {
                vnet: vnet_name(net, v),
                id: v,
            }),
        };
        let Some(next_hop) = next_hop else { continue };
        out.extend(r.prefixes.iter().map(|p| HubRoute {
            prefix: *p,
            next_hop: next_hop.clone(),
            origin: HubRouteOrigin::Static {
                route: r.name.clone(),
            },
        }));
    }
    out
}

/// Routing intent's policy routes in `defaultRouteTable`, next hop the hub firewall.
pub(super) fn intent_routes(net: &Network, h: &VirtualHub) -> Vec<HubRoute> {
    let mut out = Vec::new();
    let Some(fw) = firewall_hop(net, h) else {
        return out;
    };
    if h.routing_intent.private {
        out.extend(h.routing_intent.private_prefixes.iter().map(|p| HubRoute {
            prefix: *p,
            next_hop: fw.clone(),
            origin: HubRouteOrigin::RoutingIntent {
                policy: "_policy_PrivateTraffic".into(),
            },
        }));
    }
    if h.routing_intent.internet {
        out.push(HubRoute {
            prefix: IpNet::V4(Ipv4Net::default()),
            next_hop: fw,
            origin: HubRouteOrigin::RoutingIntent {
                policy: "_policy_PublicTraffic".into(),
            },
        });
    }
    out
}

/// Longest prefix first, then static over learned, then the hub's routing preference
/// ([`preference::key`]); stable otherwise (equal routes share the traffic, ECMP).
pub(super) fn sort(net: &Network, hub: &VirtualHub, routes: &mut [HubRoute]) {
    routes.sort_by_key(|r| {
        (
            std::cmp::Reverse(r.prefix.prefix_len()),
            std::cmp::Reverse(r.origin.rank()),
            preference::key(net, hub.routing_preference, r),
        )
    });
}

/// The hub router's decision for a packet to `dst` arriving from `ingress`, by the compiled
/// `table` ([`table_for`] says which).
pub fn lookup(table: &HubTable, ingress: Ingress, dst: IpAddr) -> HubLookup {
    let covering: Vec<HubRoute> = table
        .routes
        .iter()
        .filter(|r| r.prefix.contains(&dst))
        .cloned()
        .collect();
    HubLookup {
        hub: table.hub.clone(),
        table: table.name.clone(),
        ingress,
        destination: dst,
        chosen: covering.first().cloned(),
        covering,
    }
}

/// Where a secured hub's firewall sends what it allowed: the connection or site holding the
/// destination, the hub holding it, or else the Internet. Azure programs this itself (routing
/// intent traffic does not go back through the hub router); azpath models it as the owner of
/// the destination.
fn firewall_forwarding(net: &Network, hub: VirtualHubId) -> Vec<HubRoute> {
    let mut out = Vec::new();
    let Some(h) = net.hub(hub) else {
        return out;
    };
    for a in announcements(net, hub) {
        out.extend(a.prefixes(net).into_iter().map(|p| HubRoute {
            prefix: p,
            next_hop: a.next_hop.clone(),
            origin: HubRouteOrigin::FirewallForwarding,
        }));
    }
    out.push(HubRoute {
        prefix: IpNet::V4(Ipv4Net::default()),
        next_hop: HubNextHop::Internet,
        origin: HubRouteOrigin::FirewallForwarding,
    });
    sort(net, h, &mut out);
    out
}

/// The routes a subnet of a connected VNet learns from its hub, as `VirtualNetworkGateway`
/// routes: next hop the firewall for routes to it, else the hub router (one row per router IP).
pub fn spoke_routes(net: &Network, subnet: &Subnet) -> Vec<Candidate> {
    let Some((hub_id, c)) = net.hub_connection(subnet.vnet) else {
        return Vec::new();
    };
    let propagate = subnet
        .route_table
        .and_then(|t| net.route_table(t))
        .is_none_or(|t| t.propagate_gateway_routes);
    let (Some(hub), Some(vnet)) = (net.hub(hub_id), net.vnet(subnet.vnet)) else {
        return Vec::new();
    };
    if !propagate {
        return Vec::new();
    }
    let table = hub.tables.get(c.associated).map(|t| t.name.clone());
    let mut seen: Vec<IpNet> = Vec::new();
    let mut out = Vec::new();
    for r in hub_table(net, hub_id, c.associated) {
        // The best route per prefix is programmed; the rest stay in the hub.
        if seen.contains(&r.prefix) {
            continue;
        }
        seen.push(r.prefix);
        if !learnable(hub, c, vnet.address_space.as_slice(), &r) {
            continue;
        }
        let ips: Vec<IpAddr> = match &r.next_hop {
            HubNextHop::Firewall { id, .. } => {
                net.firewalls.get(*id).map(|f| f.ip).into_iter().collect()
            }
            _ => hub.router_ips.clone(),
        };
        for ip in ips {
            out.push(Candidate {
                source: RouteSource::VirtualNetworkGateway,
                prefix: r.prefix,
                next_hop: NextHop {
                    next_hop_type: NextHopType::VirtualNetworkGateway,
                    ip: Some(ip),
                },
                origin: Origin::VirtualHub {
                    hub: hub.name.clone(),
                    table: table.clone().unwrap_or_default(),
                    learned: r.origin.clone(),
                },
            });
        }
    }
    out
}

/// Whether a hub route reaches the spoke: not a route back to itself, 0.0.0.0/0 only with
/// internet security, and only prefixes less specific than (or apart from) the spoke's space.
fn learnable(hub: &VirtualHub, c: &HubConnection, space: &[IpNet], r: &HubRoute) -> bool {
    if matches!(&r.next_hop, HubNextHop::Connection { id, .. } if *id == c.vnet) {
        return false;
    }
    if r.prefix.prefix_len() == 0 && !c.internet_security {
        return false;
    }
    if r.prefix == hub.address_prefix {
        return false;
    }
    !space.iter().any(|s| s.contains(&r.prefix))
}

mod branch;
mod preference;

pub use branch::{branch_route_for, branch_routes, branch_to_branch, BranchRoute};
pub use preference::{preferred_branch, BranchCandidate};

#[cfg(test)]
mod tests;
