//! On-premises sites behind a VNet gateway, as written: the networks on the far side of a
//! site-to-site VPN or an ExpressRoute circuit, which a trace can start from.

use serde::{Deserialize, Serialize};

use super::span::Text;

/// An on-premises site connected to a VPN or ExpressRoute gateway of a VNet (a local network
/// gateway and its connection, or an ExpressRoute circuit and its connection).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnPremSiteDoc {
    /// Unique site name; a trace starts at it as `site` or `site:address`.
    pub name: Text,
    /// The VNet gateway its connection ends on.
    pub gateway: Text,
    /// Its address ranges: what the gateway learns from it (the local network gateway's
    /// address space, or what it advertises over BGP).
    pub address_space: Vec<Text>,
    /// Whether the connection runs BGP (Azure's default for ExpressRoute, which always does).
    /// Without BGP the gateway learns `address_space` from the local network gateway, and
    /// on-premises must route to Azure by static routes (`routes_to_azure`).
    #[serde(default = "yes")]
    pub bgp: bool,
    /// The prefixes the on-premises router sends to this connection, when set by hand (static
    /// routes, VPN traffic selectors). Left out: the routes the gateway advertises over BGP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes_to_azure: Option<Vec<Text>>,
    /// The VNet whose DNS on-premises resolvers forward to (a conditional forwarder to a DNS
    /// server or resolver inbound endpoint there). Left out: on-premises clients resolve names
    /// in public DNS only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_via: Option<Text>,
}

fn yes() -> bool {
    true
}
