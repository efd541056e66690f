//! On-premises sites behind VNet gateways, resolved: which gateway each connects to, the ranges
//! it holds and how it routes to Azure.

use std::net::IpAddr;

use ipnet::IpNet;

use super::{GatewayId, Network, OnPremSiteId, VnetId};
use crate::scenario::Span;

/// An on-premises site connected to a VNet gateway.
#[derive(Clone, Debug)]
pub struct OnPremSite {
    /// Its name.
    pub name: String,
    /// The gateway its connection ends on.
    pub gateway: GatewayId,
    /// Its address ranges.
    pub address_space: Vec<IpNet>,
    /// Whether the connection runs BGP.
    pub bgp: bool,
    /// The prefixes on-premises routes to this connection when set by hand; `None`: what the
    /// gateway advertises over BGP.
    pub routes_to_azure: Option<Vec<IpNet>>,
    /// The VNet whose DNS on-premises resolvers forward to; `None`: public DNS only.
    pub dns_via: Option<VnetId>,
    /// Where it was declared.
    pub span: Span,
}

impl OnPremSite {
    /// The address a trace from the site starts at when none is given: the first host of its
    /// first range (the range's own address when it is a single host).
    pub fn default_address(&self) -> Option<IpAddr> {
        self.address_space.first().map(first_host)
    }

    /// Whether `address` is inside the site's ranges.
    pub fn holds(&self, address: IpAddr) -> bool {
        self.address_space.iter().any(|p| p.contains(&address))
    }
}

/// The first host of an address range: the address after the network's own, or the range's
/// own address when it is a single host or a point-to-point pair.
pub fn first_host(range: &IpNet) -> IpAddr {
    match range {
        IpNet::V4(n) if n.prefix_len() < 31 => IpAddr::V4(std::net::Ipv4Addr::from(
            u32::from(n.network()).saturating_add(1),
        )),
        other => other.network(),
    }
}

impl Network {
    /// The on-premises site named `name`.
    pub fn site_by_name(&self, name: &str) -> Option<OnPremSiteId> {
        self.sites.position(|s| s.name == name)
    }

    /// The on-premises site with id `id`.
    pub fn site(&self, id: OnPremSiteId) -> Option<&OnPremSite> {
        self.sites.get(id)
    }

    /// The sites connected to gateway `gateway`.
    pub fn sites_of(
        &self,
        gateway: GatewayId,
    ) -> impl Iterator<Item = (OnPremSiteId, &OnPremSite)> {
        self.sites
            .iter_ids()
            .filter(move |(_, s)| s.gateway == gateway)
    }
}
