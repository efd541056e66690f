//! Effective routes and the reasons for their state, as plain serialisable data.

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::model::{
    LearnedVia, NextHop, NextHopType, PrivateEndpointId, PrivateEndpointNetworkPolicies,
    RouteSource, RouteState,
};

/// What put a route into a subnet's table: the evidence behind its `Source` column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind")]
#[non_exhaustive]
pub enum Origin {
    /// An address prefix of the subnet's own VNet.
    VnetAddressSpace {
        /// The VNet.
        vnet: String,
    },
    /// The system default route to the Internet, present in every subnet.
    DefaultInternet,
    /// A prefix Azure reserves and drops unless something more specific matches.
    ReservedPrefix,
    /// An address prefix of a directly peered VNet (peering is not transitive).
    Peering {
        /// The peered VNet.
        remote_vnet: String,
        /// Whether the VNets are in different regions (global peering).
        global: bool,
    },
    /// A service endpoint enabled on the subnet.
    ServiceEndpoint {
        /// The service, e.g. `Microsoft.Storage`.
        service: String,
    },
    /// A private endpoint's /32, programmed in its own VNet and in directly peered VNets.
    PrivateEndpoint {
        /// The private endpoint.
        endpoint: String,
        /// Its subnet, `vnet/subnet`.
        subnet: String,
        /// Its id, for the network-policy rule.
        id: PrivateEndpointId,
    },
    /// A prefix learned by a virtual network gateway.
    Gateway {
        /// The gateway.
        gateway: String,
        /// BGP or a local network gateway.
        via: LearnedVia,
        /// The VNet offering gateway transit, when the gateway is not in this subnet's VNet.
        transit_from: Option<String>,
    },
    /// A route learned from the virtual WAN hub the VNet is connected to.
    VirtualHub {
        /// The hub.
        hub: String,
        /// The hub route table the VNet's connection is associated with.
        table: String,
        /// How the route got into that table.
        learned: HubRouteOrigin,
    },
    /// An address prefix of another VNet of an Azure Virtual Network Manager connected group.
    ConnectedGroup {
        /// The connected group (`configuration` or `configuration/spoke group`).
        group: String,
        /// The member VNet holding the prefix.
        remote_vnet: String,
    },
    /// Address space that overlaps between members of a connected group (or a member's peered
    /// VNet): Azure takes it out of the group and drops traffic to it.
    ConnectedGroupOverlap {
        /// The connected group.
        group: String,
        /// The VNets whose address spaces overlap there.
        vnets: Vec<String>,
    },
    /// A user-defined route.
    UserRoute {
        /// The route table.
        table: String,
        /// The route's name.
        route: String,
        /// The service tag its address prefix names (the route is then one row per tag prefix).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        service_tag: Option<String>,
    },
}

/// A route offered to a subnet before Azure's selection rules run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Candidate {
    /// Who offers it.
    pub source: RouteSource,
    /// Destination prefix.
    #[schemars(with = "String")]
    pub prefix: IpNet,
    /// Where it sends traffic.
    pub next_hop: NextHop,
    /// What created it.
    pub origin: Origin,
}

/// A route that lost to another with the same prefix.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Outranked {
    /// Its source.
    pub source: RouteSource,
    /// Its next hop type.
    pub next_hop: NextHopType,
}

impl Outranked {
    /// The loser's identity.
    pub fn of(c: &Candidate) -> Self {
        Self {
            source: c.source,
            next_hop: c.next_hop.next_hop_type,
        }
    }
}

/// Why a route is `Active` or `Invalid`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "rule")]
#[non_exhaustive]
pub enum Why {
    /// Active: no other route has this prefix.
    SoleRouteForPrefix,
    /// Active: it is preferred over every other route with this prefix (User >
    /// VirtualNetworkGateway > Default; system routes for the VNet, peerings and service
    /// endpoints over BGP).
    OutranksSamePrefix {
        /// The routes it was preferred over.
        outranked: Vec<Outranked>,
    },
    /// Active: one of several routes with the same prefix and source; Azure spreads flows across
    /// them (ECMP).
    EqualCostPaths {
        /// How many paths share the prefix.
        paths: usize,
    },
    /// Invalid: a route with the same prefix from a higher-precedence source exists.
    OutrankedBySamePrefix {
        /// The winning route's source.
        winner: RouteSource,
        /// The winning route's next hop.
        winner_next_hop: NextHop,
    },
    /// Invalid: another user route with the same prefix is preferred: an explicit prefix over a
    /// service tag, a regional tag over its top-level tag, `AzureCloud` tags last.
    UserRouteSamePrefix {
        /// The preferred route's name.
        winner_route: String,
        /// The service tag the preferred route names (`None`: an explicit prefix).
        winner_tag: Option<String>,
    },
    /// Invalid: another system route with the same prefix is preferred.
    SystemRouteSamePrefix {
        /// The preferred route's next hop type.
        winner: NextHopType,
    },
    /// Invalid: Azure prefers system routes for the VNet, its peerings and service endpoints over
    /// BGP routes, even more specific ones.
    SystemRoutePreferredOverBgp {
        /// The system route's prefix that contains this route.
        #[schemars(with = "String")]
        system_prefix: IpNet,
        /// The system route's next hop type.
        system_next_hop: NextHopType,
        /// Whether the BGP route has the same prefix (else it is more specific).
        same_prefix: bool,
    },
    /// Invalid: the private endpoint's subnet has route-table network policies, and this subnet's
    /// route table has a UDR that covers the endpoint with a prefix at least as long as the
    /// endpoint VNet's address prefix.
    PrivateEndpointNetworkPolicy {
        /// The endpoint subnet's `privateEndpointNetworkPolicies`.
        policies: PrivateEndpointNetworkPolicies,
        /// The route table holding the UDR.
        table: String,
        /// The UDR.
        route: String,
        /// The UDR's prefix.
        #[schemars(with = "String")]
        route_prefix: IpNet,
        /// The endpoint VNet's address prefix the UDR was compared with.
        #[schemars(with = "String")]
        endpoint_vnet_prefix: IpNet,
    },
}

impl Why {
    /// The state this reason gives a route.
    pub fn state(&self) -> RouteState {
        match self {
            Why::SoleRouteForPrefix
            | Why::OutranksSamePrefix { .. }
            | Why::EqualCostPaths { .. } => RouteState::Active,
            _ => RouteState::Invalid,
        }
    }
}

/// One row of a subnet's effective route table, with the reason for its state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct EffectiveRoute {
    /// Default, User or VirtualNetworkGateway.
    pub source: RouteSource,
    /// Active or Invalid (derived from `why`).
    pub state: RouteState,
    /// Destination prefix.
    #[schemars(with = "String")]
    pub prefix: IpNet,
    /// Next hop type and IP.
    pub next_hop: NextHop,
    /// What created the route.
    pub origin: Origin,
    /// Why it is in this state.
    pub why: Why,
}

impl Origin {
    /// The UDR's name, for user routes.
    pub fn route_name(&self) -> Option<&str> {
        match self {
            Origin::UserRoute { route, .. } => Some(route),
            _ => None,
        }
    }
}

/// The table name Network Watcher gives every route not from a route table.
pub(crate) const SYSTEM_ROUTE: &str = "System Route";

impl EffectiveRoute {
    /// The route table a route came from, or `System Route`, as Network Watcher names it.
    pub fn table_name(&self) -> &str {
        match &self.origin {
            Origin::UserRoute { table, .. } => table,
            _ => SYSTEM_ROUTE,
        }
    }

    /// The UDR's name, for user routes.
    pub fn route_name(&self) -> Option<&str> {
        match &self.origin {
            Origin::UserRoute { route, .. } => Some(route),
            _ => None,
        }
    }
}

/// A system route that Azure removes from the table (it is not shown at all), and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RemovedRoute {
    /// The route that would have been there.
    pub route: Candidate,
    /// Why Azure removes it.
    pub why: Removal,
}

/// Why Azure removes a reserved-prefix route.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "rule")]
pub enum Removal {
    /// A VNet address prefix equals or contains the reserved prefix: the VNet's own route
    /// replaces it (for a peered VNet's prefix, an assumption).
    CoveredByVnetPrefix {
        /// The VNet.
        vnet: String,
        /// Its prefix.
        #[schemars(with = "String")]
        vnet_prefix: IpNet,
        /// Whether the prefixes are equal (else the VNet's contains the reserved one).
        equal: bool,
        /// Whether the VNet is a peer of the subnet's VNet.
        peered: bool,
    },
    /// A user 0.0.0.0/0 in the subnet's route table removes the reserved routes.
    UserDefaultRoute {
        /// The route table.
        table: String,
        /// The UDR.
        route: String,
    },
    /// A BGP 0.0.0.0/0 removes them (only under the assumption
    /// `bgp_default_route_removes_reserved_routes`).
    BgpDefaultRoute {
        /// The gateway that learned it.
        gateway: String,
    },
}

/// What put a route into a hub route table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind")]
pub enum HubRouteOrigin {
    /// A static route of the table.
    Static {
        /// The route's name.
        route: String,
    },
    /// A routing-intent policy route (`_policy_PrivateTraffic` or `_policy_PublicTraffic`).
    RoutingIntent {
        /// The policy route's name.
        policy: String,
    },
    /// Learned from a connection or site that propagates to this table.
    Propagated {
        /// The VNet or site.
        from: String,
        /// Its hub.
        hub: String,
        /// A static route of the connection, when the prefix comes from one.
        connection_route: Option<String>,
    },
    /// How a secured hub's firewall forwards what it allowed: to where the destination lives
    /// (an assumption, see the README).
    FirewallForwarding,
}

impl HubRouteOrigin {
    /// Static and policy routes beat learned ones with the same prefix.
    pub(super) fn rank(&self) -> u8 {
        match self {
            HubRouteOrigin::Static { .. } | HubRouteOrigin::RoutingIntent { .. } => 2,
            HubRouteOrigin::Propagated { .. } | HubRouteOrigin::FirewallForwarding => 1,
        }
    }
}
