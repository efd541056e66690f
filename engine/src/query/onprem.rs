//! Both directions of a hybrid connection: what a VNet gateway learned from on-premises and
//! what it advertises there, and per on-premises site which of its ranges Azure learned and
//! which routes it has towards Azure (`azpath routes --at GATEWAY|SITE`).

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::model::{GatewayId, GatewayKind, LearnedVia, Network, OnPremSiteId};
use crate::route::advertise::{self, Advertised, SiteRoute};

/// The routes of a gateway or a site.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "at")]
pub enum OnPremRoutes {
    /// A VNet gateway.
    Gateway(GatewayRoutes),
    /// An on-premises site.
    Site(SiteRoutes),
}

/// A gateway's two directions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GatewayRoutes {
    /// The gateway.
    pub gateway: String,
    /// VPN or ExpressRoute.
    pub kind: GatewayKind,
    /// Its VNet.
    pub vnet: String,
    /// What it learned from on-premises (what subnets get as `VirtualNetworkGateway` routes).
    pub learned: Vec<LearnedRow>,
    /// What it advertises to on-premises over BGP.
    pub advertised: Vec<Advertised>,
}

/// A prefix a gateway learned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LearnedRow {
    /// The prefix.
    #[schemars(with = "String")]
    pub prefix: IpNet,
    /// Over BGP or from a local network gateway.
    pub via: LearnedVia,
    /// The site whose range it is, if a declared site holds it.
    pub site: Option<String>,
    /// The next hop addresses subnets see for it.
    pub next_hop_ips: Vec<IpAddr>,
}

/// A site's two directions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SiteRoutes {
    /// The site.
    pub site: String,
    /// Its gateway.
    pub gateway: String,
    /// Whether its connection runs BGP.
    pub bgp: bool,
    /// Its ranges the gateway learned.
    #[schemars(with = "Vec<String>")]
    pub learned_by_azure: Vec<IpNet>,
    /// Its ranges the gateway filtered (inside the gateway VNet's address space).
    #[schemars(with = "Vec<String>")]
    pub filtered: Vec<IpNet>,
    /// Its routes towards Azure.
    pub to_azure: Vec<SiteRoute>,
}

/// The routes at the gateway or site named `name`; `None` when neither has that name.
pub fn onprem_routes(net: &Network, name: &str) -> Option<OnPremRoutes> {
    if let Some(g) = net.gateways.position(|g| g.name == name) {
        return gateway_routes(net, g).map(OnPremRoutes::Gateway);
    }
    let site = net.site_by_name(name)?;
    site_routes(net, site).map(OnPremRoutes::Site)
}

/// A gateway's learned and advertised routes.
pub fn gateway_routes(net: &Network, gateway: GatewayId) -> Option<GatewayRoutes> {
    let g = net.gateways.get(gateway)?;
    let learned = g
        .learned
        .iter()
        .map(|l| LearnedRow {
            prefix: l.prefix,
            via: l.via,
            site: net
                .sites_of(gateway)
                .find(|(_, s)| s.address_space.contains(&l.prefix))
                .map(|(_, s)| s.name.clone()),
            next_hop_ips: l.next_hop_ips.clone(),
        })
        .collect();
    Some(GatewayRoutes {
        gateway: g.name.clone(),
        kind: g.kind,
        vnet: net.vnet(g.vnet)?.name.clone(),
        learned,
        advertised: advertise::advertised(net, gateway),
    })
}

/// A site's ranges as Azure learned them, and its routes towards Azure.
pub fn site_routes(net: &Network, site: OnPremSiteId) -> Option<SiteRoutes> {
    let s = net.site(site)?;
    let g = net.gateways.get(s.gateway)?;
    let (learned_by_azure, filtered) = s
        .address_space
        .iter()
        .copied()
        .partition(|p| g.learned.iter().any(|l| l.prefix == *p));
    Some(SiteRoutes {
        site: s.name.clone(),
        gateway: g.name.clone(),
        bgp: s.bgp,
        learned_by_azure,
        filtered,
        to_azure: advertise::site_routes(net, site),
    })
}
