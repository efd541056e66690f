//! A question about a virtual hub's route table, in resolved form: which table, and the rows
//! `az network vhub get-effective-routes` must show (Microsoft Learn, "View virtual hub effective
//! routes", <https://learn.microsoft.com/azure/virtual-wan/effective-routes-virtual-hub>).

use ipnet::IpNet;
use serde::Serialize;

use super::{RoutesMode, VirtualHubId};

/// The hub table a question names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum HubTableRef {
    /// Route table `index` of the hub (0 is `defaultRouteTable`).
    Table {
        /// The hub.
        hub: VirtualHubId,
        /// The table's index in the hub.
        index: usize,
    },
    /// The secured hub firewall's own effective routes.
    Firewall {
        /// The hub.
        hub: VirtualHubId,
    },
}

/// The `nextHopType` strings of hub effective routes, as Azure prints them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum HubHopType {
    /// `Virtual Network Connection`.
    VirtualNetworkConnection,
    /// `VPN_S2S_Gateway`.
    VpnS2sGateway,
    /// `ExpressRouteGateway`.
    ExpressRouteGateway,
    /// `Remote Hub`.
    RemoteHub,
    /// `Azure Firewall`.
    AzureFirewall,
    /// `Internet` (a firewall's own table).
    Internet,
}

impl HubHopType {
    /// Every type with the string Azure prints for it.
    pub const ALL: [(&'static str, HubHopType); 6] = [
        (
            "Virtual Network Connection",
            HubHopType::VirtualNetworkConnection,
        ),
        ("VPN_S2S_Gateway", HubHopType::VpnS2sGateway),
        ("ExpressRouteGateway", HubHopType::ExpressRouteGateway),
        ("Remote Hub", HubHopType::RemoteHub),
        ("Azure Firewall", HubHopType::AzureFirewall),
        ("Internet", HubHopType::Internet),
    ];

    /// The type Azure prints as `text`.
    pub fn parse(text: &str) -> Option<HubHopType> {
        Self::ALL
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, t)| *t)
    }
}

/// One expected hub route; a field that is `None` was not written and is not checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct HubRowExpect {
    /// One of the route's address prefixes.
    #[schemars(with = "Option<String>")]
    pub prefix: Option<IpNet>,
    /// The next hop type.
    pub next_hop_type: Option<HubHopType>,
    /// One of the next hops, by name.
    pub next_hop: Option<String>,
    /// The route origin, by name.
    pub origin: Option<String>,
}

/// Expected hub effective routes.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct HubRoutesExpect {
    /// How the rows are compared.
    pub mode: RoutesMode,
    /// The rows.
    pub rows: Vec<HubRowExpect>,
}
