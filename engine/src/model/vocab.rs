//! Azure's routing vocabulary as closed enums, with the names Azure prints.

use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

pub use crate::scenario::{
    GatewayKind, LearnedVia, PeeringState, PrivateEndpointNetworkPolicies, WorkloadKind,
};

/// Where a route came from, as the `Source` column of effective routes prints it.
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
#[non_exhaustive]
pub enum RouteSource {
    /// A system route.
    Default,
    /// A user-defined route from the subnet's route table.
    User,
    /// Learned from a virtual network gateway (BGP or a local network gateway).
    VirtualNetworkGateway,
}

impl RouteSource {
    /// Rank for same-prefix ties: User > VirtualNetworkGateway (BGP) > Default (system), as in
    /// "How Azure selects a route". Higher wins.
    pub fn precedence(self) -> u8 {
        match self {
            RouteSource::User => 3,
            RouteSource::VirtualNetworkGateway => 2,
            RouteSource::Default => 1,
        }
    }
}

impl fmt::Display for RouteSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RouteSource::Default => "Default",
            RouteSource::User => "User",
            RouteSource::VirtualNetworkGateway => "VirtualNetworkGateway",
        })
    }
}

/// Whether a route is used for forwarding.
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
#[non_exhaustive]
pub enum RouteState {
    /// Used for forwarding (subject to longest-prefix match).
    Active,
    /// Shown, but never used.
    Invalid,
}

impl fmt::Display for RouteState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RouteState::Active => "Active",
            RouteState::Invalid => "Invalid",
        })
    }
}

/// Next hop types, with the names `az network nic show-effective-route-table` prints.
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
#[non_exhaustive]
pub enum NextHopType {
    /// Inside the VNet.
    VnetLocal,
    /// A peered VNet in the same region.
    VNetPeering,
    /// A peered VNet in another region.
    VNetGlobalPeering,
    /// A VPN or ExpressRoute gateway.
    VirtualNetworkGateway,
    /// A network virtual appliance or firewall, by private IP.
    VirtualAppliance,
    /// The Internet.
    Internet,
    /// Dropped.
    None,
    /// A service endpoint on the subnet.
    VirtualNetworkServiceEndpoint,
    /// A private endpoint.
    InterfaceEndpoint,
    /// Another VNet of an Azure Virtual Network Manager connected group (a mesh, or spokes with
    /// direct connectivity).
    ConnectedGroup,
}

impl NextHopType {
    /// Whether a user-defined route may use this next hop type. Azure allows exactly these five.
    pub fn allowed_in_udr(self) -> bool {
        matches!(
            self,
            NextHopType::VirtualAppliance
                | NextHopType::VirtualNetworkGateway
                | NextHopType::VnetLocal
                | NextHopType::Internet
                | NextHopType::None
        )
    }
}

impl fmt::Display for NextHopType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NextHopType::VnetLocal => "VnetLocal",
            NextHopType::VNetPeering => "VNetPeering",
            NextHopType::VNetGlobalPeering => "VNetGlobalPeering",
            NextHopType::VirtualNetworkGateway => "VirtualNetworkGateway",
            NextHopType::VirtualAppliance => "VirtualAppliance",
            NextHopType::Internet => "Internet",
            NextHopType::None => "None",
            NextHopType::VirtualNetworkServiceEndpoint => "VirtualNetworkServiceEndpoint",
            NextHopType::InterfaceEndpoint => "InterfaceEndpoint",
            NextHopType::ConnectedGroup => "ConnectedGroup",
        })
    }
}

/// A next hop: its type and, where Azure shows one, an IP.
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
pub struct NextHop {
    /// The next hop type.
    #[serde(rename = "type")]
    pub next_hop_type: NextHopType,
    /// The next hop IP (virtual appliance address, gateway instance).
    pub ip: Option<IpAddr>,
}

impl NextHop {
    /// A next hop with no IP.
    pub fn of(next_hop_type: NextHopType) -> Self {
        Self {
            next_hop_type,
            ip: None,
        }
    }
}

impl fmt::Display for NextHop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ip {
            Some(ip) => write!(f, "{} {ip}", self.next_hop_type),
            None => write!(f, "{}", self.next_hop_type),
        }
    }
}

impl PrivateEndpointNetworkPolicies {
    /// Whether route tables apply to the subnet's private endpoints (`RouteTableEnabled` or
    /// `Enabled`), which lets a wide enough UDR invalidate their /32 routes.
    pub fn route_tables_apply(self) -> bool {
        matches!(
            self,
            PrivateEndpointNetworkPolicies::RouteTableEnabled
                | PrivateEndpointNetworkPolicies::Enabled
        )
    }

    /// Whether the subnet's NSG applies to its private endpoints.
    pub fn nsgs_apply(self) -> bool {
        matches!(
            self,
            PrivateEndpointNetworkPolicies::NetworkSecurityGroupEnabled
                | PrivateEndpointNetworkPolicies::Enabled
        )
    }
}
