//! Virtual WAN as written: virtual hubs with their route tables, VNet connections, branch sites
//! and routing intent.

use serde::{Deserialize, Serialize};

use super::document::GatewayKind;
use super::span::Text;

/// A virtual hub: a Microsoft-managed VNet with a router, in one region of a virtual WAN. All
/// hubs of a scenario belong to one virtual WAN and are connected to each other (hub-to-hub).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VirtualHubDoc {
    /// Unique name, shared with VNets: a secured hub's firewall sits in `name/AzureFirewallSubnet`.
    pub name: Text,
    /// Azure region.
    pub region: Text,
    /// The hub address prefix (at least a /24).
    pub address_prefix: Text,
    /// The hub router's two IPs; default the 69th and 70th address of the hub prefix (`.68`
    /// and `.69` of a /24), where Azure places them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub router_ips: Vec<Text>,
    /// Routing intent: which traffic the hub sends through its firewall.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_intent: Option<RoutingIntentDoc>,
    /// Custom route tables; every hub also has `defaultRouteTable` (label `default`) and
    /// `noneRouteTable`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub route_tables: Vec<HubRouteTableDoc>,
    /// Static routes of `defaultRouteTable`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub default_routes: Vec<HubRouteDoc>,
    /// Hub virtual network connections.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connections: Vec<HubConnectionDoc>,
    /// On-premises sites behind the hub's VPN or ExpressRoute gateway (branches).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sites: Vec<SiteDoc>,
    /// Hub routing preference: how the hub chooses among routes to the same on-premises
    /// prefix; Azure's default `ExpressRoute`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_preference: Option<HubRoutingPreference>,
    /// Route tables of this hub its branches' prefixes propagate to (every branch connection
    /// propagates alike); default `defaultRouteTable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch_propagate_to: Option<Vec<Text>>,
    /// Labels its branches' prefixes propagate to, in every hub; default `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch_labels: Option<Vec<Text>>,
}

/// Hub routing preference (`hubRoutingPreference`), which decides among routes to the same
/// prefix learned from branches, local or through other hubs (Microsoft Learn, "About virtual
/// hub routing preference",
/// <https://learn.microsoft.com/azure/virtual-wan/about-virtual-hub-routing-preference>).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema,
)]
pub enum HubRoutingPreference {
    /// Local over remote, then ExpressRoute over VPN (VPN over ExpressRoute when every route
    /// comes through other hubs), then the shortest AS path. Azure's default.
    #[default]
    ExpressRoute,
    /// Local over remote, then VPN over ExpressRoute, then the shortest AS path.
    VpnGateway,
    /// The shortest AS path first, then local over remote, then ExpressRoute over VPN for
    /// local routes and VPN over ExpressRoute for remote ones.
    AsPath,
}

/// Properties of the virtual WAN all hubs of the scenario belong to.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VirtualWanDoc {
    /// `allowBranchToBranchTraffic` (portal: "Branch-to-branch"): whether routes propagate
    /// between VPN and ExpressRoute branches, so branches reach each other through the hubs.
    /// Azure documents no API default; azpath's default `true` is the portal's.
    #[serde(default = "yes")]
    pub allow_branch_to_branch: bool,
}

/// Routing intent (routing policies) of a hub; both send traffic to the hub's Azure Firewall.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingIntentDoc {
    /// Private traffic policy: RFC 1918 and `private_prefixes` go through the firewall.
    pub private_traffic: bool,
    /// Internet traffic policy: the hub advertises 0.0.0.0/0 to the firewall.
    pub internet_traffic: bool,
    /// Further private traffic prefixes (needed for non-RFC 1918 VNet or branch space).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub private_prefixes: Vec<Text>,
}

/// A custom hub route table.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HubRouteTableDoc {
    /// Name, unique in the hub.
    pub name: Text,
    /// Labels; a connection propagating to a label reaches every table carrying it, in any hub.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Text>,
    /// Static routes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<HubRouteDoc>,
}

/// A static route in a hub route table.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HubRouteDoc {
    /// Route name.
    pub name: Text,
    /// Destination prefixes.
    pub prefixes: Vec<Text>,
    /// Where matching traffic goes.
    pub next_hop: HubNextHopDoc,
}

/// The next hop of a static hub route.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
pub enum HubNextHopDoc {
    /// The hub's Azure Firewall.
    Firewall,
    /// A VNet connection of the hub, by VNet name; the connection's own static routes then
    /// choose an appliance inside that VNet.
    Connection(Text),
}

/// A hub virtual network connection.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HubConnectionDoc {
    /// The connected VNet (a VNet connects to one hub).
    pub vnet: Text,
    /// The route table traffic from the VNet is routed by; default `defaultRouteTable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associated: Option<Text>,
    /// Route tables of this hub that learn the VNet's prefixes; default `defaultRouteTable`.
    /// `noneRouteTable` alone propagates nowhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propagate_to: Option<Vec<Text>>,
    /// Labels the VNet's prefixes propagate to, in every hub; default `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<Text>>,
    /// "Propagate default route" (`enableInternetSecurity`): whether the VNet learns the hub's
    /// 0.0.0.0/0; Azure's default `true`.
    #[serde(default = "yes")]
    pub internet_security: bool,
    /// Static routes of the connection: prefixes sent to an appliance inside the VNet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub static_routes: Vec<ConnectionRouteDoc>,
}

fn yes() -> bool {
    true
}

/// A static route on a VNet connection.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectionRouteDoc {
    /// Route name.
    pub name: Text,
    /// Destination prefixes.
    pub prefixes: Vec<Text>,
    /// The appliance's private IP in the connected VNet.
    pub next_hop_ip: Text,
}

/// An on-premises site connected to a hub.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteDoc {
    /// Unique site name.
    pub name: Text,
    /// VPN site or ExpressRoute circuit.
    pub kind: GatewayKind,
    /// The prefixes it advertises.
    pub prefixes: Vec<Text>,
    /// "Propagate default route" (`enableInternetSecurity`) on the branch's connection: whether
    /// the branch learns the hub's 0.0.0.0/0; Azure's default `false` for VPN and ExpressRoute
    /// connections.
    #[serde(default)]
    pub internet_security: bool,
    /// The AS path of its routes as the hub receives them (the branch's ASN, and any it
    /// prepends); for an ExpressRoute circuit leave out Microsoft's `12076 12076`, which azpath
    /// adds. Used by hub routing preference `AsPath`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub as_path: Vec<u32>,
    /// The VNet whose DNS the branch's resolvers forward to (a conditional forwarder to a DNS
    /// server or resolver inbound endpoint there), as a VNet-gateway site's `dns_via`. Left
    /// out: the branch resolves names in public DNS only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_via: Option<Text>,
}
