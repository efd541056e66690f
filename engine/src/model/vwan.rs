//! Virtual WAN in resolved form: hubs, their route tables, connections, sites and routing intent.
//!
//! A virtual hub is a Microsoft-managed VNet: azpath gives each hub a VNet of its own (its
//! router and, in a secured hub, its Azure Firewall live there) and models each VNet connection
//! as the peering it is, which is why spokes show the hub prefix as `VNetPeering`.

use std::net::IpAddr;

use ipnet::IpNet;

use super::{FirewallId, GatewayKind, Network, PeeringId, VirtualHubId, VnetId};
pub use crate::scenario::HubRoutingPreference;
use crate::scenario::Span;

/// The name of the route table every hub has, carrying the label `default`.
pub const DEFAULT_ROUTE_TABLE: &str = "defaultRouteTable";
/// The name of the route table that stands for "propagate nowhere".
pub const NONE_ROUTE_TABLE: &str = "noneRouteTable";
/// The label of every hub's `defaultRouteTable`.
pub const DEFAULT_LABEL: &str = "default";

/// A virtual hub.
#[derive(Clone, Debug)]
pub struct VirtualHub {
    /// Its name.
    pub name: String,
    /// Its region.
    pub region: String,
    /// The hub address prefix.
    pub address_prefix: IpNet,
    /// The router's IPs: the next hop spokes show for routes learned from the hub.
    pub router_ips: Vec<IpAddr>,
    /// The hub's managed VNet.
    pub vnet: VnetId,
    /// The Azure Firewall in the hub (a secured hub).
    pub firewall: Option<FirewallId>,
    /// Routing intent.
    pub routing_intent: RoutingIntent,
    /// Route tables; index 0 is `defaultRouteTable`.
    pub tables: Vec<HubRouteTable>,
    /// VNet connections.
    pub connections: Vec<HubConnection>,
    /// Branch sites.
    pub sites: Vec<Site>,
    /// How it chooses among routes to the same branch prefix.
    pub routing_preference: HubRoutingPreference,
    /// Indexes of its route tables its branches propagate to (all branches alike).
    pub branch_propagate_to: Vec<usize>,
    /// Labels its branches propagate to.
    pub branch_labels: Vec<String>,
    /// Where it was declared.
    pub span: Span,
}

impl VirtualHub {
    /// The connection of `vnet` to this hub.
    pub fn connection(&self, vnet: VnetId) -> Option<&HubConnection> {
        self.connections.iter().find(|c| c.vnet == vnet)
    }
}

/// Which traffic a hub sends to its firewall by policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoutingIntent {
    /// Private traffic policy.
    pub private: bool,
    /// Internet traffic policy.
    pub internet: bool,
    /// RFC 1918 plus the declared extra private prefixes (empty without a private policy).
    pub private_prefixes: Vec<IpNet>,
}

/// A hub route table.
#[derive(Clone, Debug)]
pub struct HubRouteTable {
    /// Its name.
    pub name: String,
    /// Its labels (`default` for `defaultRouteTable`).
    pub labels: Vec<String>,
    /// Static routes.
    pub routes: Vec<HubStaticRoute>,
}

/// A static hub route.
#[derive(Clone, Debug)]
pub struct HubStaticRoute {
    /// Its name.
    pub name: String,
    /// Destination prefixes.
    pub prefixes: Vec<IpNet>,
    /// Where it sends traffic.
    pub next_hop: HubStaticNextHop,
}

/// The next hop of a static hub route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HubStaticNextHop {
    /// The hub's Azure Firewall.
    Firewall,
    /// A VNet connection of the hub.
    Connection(VnetId),
}

/// A hub virtual network connection.
#[derive(Clone, Debug)]
pub struct HubConnection {
    /// The connected VNet.
    pub vnet: VnetId,
    /// The peering that carries it.
    pub peering: PeeringId,
    /// Index of the associated route table.
    pub associated: usize,
    /// Indexes of the hub's route tables it propagates to.
    pub propagate_to: Vec<usize>,
    /// Labels it propagates to.
    pub labels: Vec<String>,
    /// Whether the VNet learns the hub's 0.0.0.0/0.
    pub internet_security: bool,
    /// Static routes to appliances inside the VNet.
    pub static_routes: Vec<ConnectionRoute>,
}

/// A static route on a connection.
#[derive(Clone, Debug)]
pub struct ConnectionRoute {
    /// Its name.
    pub name: String,
    /// Destination prefixes.
    pub prefixes: Vec<IpNet>,
    /// The appliance in the connected VNet.
    pub next_hop_ip: IpAddr,
}

/// An on-premises site behind a hub gateway.
#[derive(Clone, Debug)]
pub struct Site {
    /// Its name.
    pub name: String,
    /// VPN or ExpressRoute.
    pub kind: GatewayKind,
    /// The prefixes it advertises.
    pub prefixes: Vec<IpNet>,
    /// Whether its connection propagates the hub's default route to it.
    pub internet_security: bool,
    /// The AS path of its routes as the hub receives them (without Microsoft's ASNs).
    pub as_path: Vec<u32>,
    /// The VNet whose DNS the branch's resolvers forward to; `None`: public DNS only.
    pub dns_via: Option<super::VnetId>,
}

impl Site {
    /// The length of the AS path a hub compares for this branch's routes: Microsoft's
    /// `12076-12076` in front of an ExpressRoute circuit's own path (Microsoft Learn,
    /// "View virtual hub effective routes": ExpressRoute rows show AS path
    /// `12076-12076-<on-premises ASN>`).
    pub fn as_path_length(&self) -> usize {
        let microsoft = match self.kind {
            GatewayKind::ExpressRoute => 2,
            GatewayKind::Vpn => 0,
        };
        self.as_path.len() + microsoft
    }
}

/// A branch of a virtual hub: a VPN site or ExpressRoute circuit connected to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BranchId {
    /// The hub.
    pub hub: VirtualHubId,
    /// The site's index in the hub's `sites`.
    pub index: usize,
}

/// The virtual WAN every hub of the network belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VirtualWan {
    /// `allowBranchToBranchTraffic`: routes propagate between VPN and ExpressRoute branches.
    pub allow_branch_to_branch: bool,
}

impl Default for VirtualWan {
    /// The portal's default: branch-to-branch on.
    fn default() -> Self {
        VirtualWan {
            allow_branch_to_branch: true,
        }
    }
}

impl Network {
    /// The hub branch named `name`.
    pub fn branch_by_name(&self, name: &str) -> Option<BranchId> {
        self.virtual_hubs.iter_ids().find_map(|(hub, h)| {
            let index = h.sites.iter().position(|s| s.name == name)?;
            Some(BranchId { hub, index })
        })
    }

    /// The hub and site of branch `id`.
    pub fn branch(&self, id: BranchId) -> Option<(&VirtualHub, &Site)> {
        let hub = self.hub(id.hub)?;
        Some((hub, hub.sites.get(id.index)?))
    }
}
