//! Private-endpoint host routes, held once for the whole network and overlaid on every table
//! that sees them.
//!
//! Azure programs a private endpoint's `/32` (or `/128`) `InterfaceEndpoint` route in its own
//! VNet and in every directly peered VNet
//! (<https://learn.microsoft.com/en-us/azure/private-link/private-endpoint-overview#network-security-of-private-endpoints>).
//! A hub holding tens of thousands of endpoints, peered to hundreds of spokes, would otherwise
//! copy each route into every spoke's table. The route is the same in every table unless that
//! table decides it differently, which happens only in two ways:
//! - another route in the table has the same prefix (a host UDR, or a second endpoint with the
//!   same address in another peered VNet): the table then runs Azure's same-prefix rules on it
//!   and holds the result itself ([`RouteTableView`](super::RouteTableView) calls these
//!   addresses *shadowed*);
//! - the endpoint's subnet lets route tables apply (`privateEndpointNetworkPolicies`) and the
//!   table has a UDR covering the endpoint at least as long as the endpoint VNet's prefix
//!   (`select::private_endpoint_network_policy`): decided per look-up from the table's
//!   UDRs, see [`EndpointRoute::policy`].

use std::net::IpAddr;
use std::sync::Arc;

use ipnet::IpNet;

use super::system;
use super::types::EffectiveRoute;
use super::types::Why;
use crate::model::{Network, PrivateEndpointId, PrivateEndpointNetworkPolicies, VnetId};

/// One private endpoint's host route as every table that sees it shows it by default.
#[derive(Clone, Debug)]
pub struct EndpointRoute {
    /// The endpoint.
    pub id: PrivateEndpointId,
    /// The VNet that holds it.
    pub vnet: VnetId,
    /// Its route, `Active` as the sole route for its prefix; shared with the look-ups that
    /// show it, so an explained look-up holds it without copying.
    pub route: Arc<EffectiveRoute>,
    /// When the endpoint's subnet lets route tables apply: its policies and the endpoint VNet's
    /// address prefix holding the endpoint, which a UDR must be at least as long as to
    /// invalidate the route.
    pub policy: Option<(PrivateEndpointNetworkPolicies, IpNet)>,
}

/// Every private endpoint's host route, held once, grouped by VNet and indexed by address.
#[derive(Clone, Debug, Default)]
pub struct EndpointRoutes {
    /// Sorted by VNet, then endpoint id.
    routes: Vec<EndpointRoute>,
    /// Where each VNet's routes start in `routes` ([`VnetId`] index; one more entry ends the last).
    from: Vec<usize>,
    /// `(address, index into routes)`, sorted.
    by_address: Vec<(IpAddr, usize)>,
    /// The IPv4 addresses that start `by_address` (IPv4 sorts first), as integers: searched with
    /// integer compares, which the look-up at every hop of a trace does.
    v4: Vec<u32>,
    /// Addresses held by more than one endpoint (in VNets that are not peered with each other,
    /// but may both be peered with a third), sorted.
    repeated: Vec<IpAddr>,
}

impl EndpointRoutes {
    /// The host routes of every private endpoint of `net`.
    pub fn of(net: &Network) -> Self {
        let mut routes: Vec<EndpointRoute> = net
            .private_endpoints
            .iter_ids()
            .filter_map(|(id, pe)| {
                let subnet = net.subnet(pe.subnet)?;
                let c = system::private_endpoint(net, id)?;
                let why = Why::SoleRouteForPrefix;
                let policies = subnet.private_endpoint_network_policies;
                let policy = policies
                    .route_tables_apply()
                    .then(|| {
                        net.vnet(subnet.vnet)
                            .and_then(|v| v.address_space.iter().find(|p| p.contains(&pe.ip)))
                            .map(|p| (policies, *p))
                    })
                    .flatten();
                Some(EndpointRoute {
                    id,
                    vnet: subnet.vnet,
                    route: Arc::new(EffectiveRoute {
                        source: c.source,
                        state: why.state(),
                        prefix: c.prefix,
                        next_hop: c.next_hop,
                        origin: c.origin,
                        why,
                    }),
                    policy,
                })
            })
            .collect();
        routes.sort_by_key(|r| (r.vnet, r.id));
        let from = (0..=net.vnets.len())
            .map(|v| routes.partition_point(|r| r.vnet.index() < v))
            .collect();
        let mut by_address: Vec<(IpAddr, usize)> = routes
            .iter()
            .enumerate()
            .map(|(i, r)| (r.route.prefix.addr(), i))
            .collect();
        by_address.sort();
        let mut repeated: Vec<IpAddr> = by_address
            .windows(2)
            .filter_map(|w| match w {
                [(a, _), (b, _)] if a == b => Some(*a),
                _ => None,
            })
            .collect();
        repeated.dedup();
        let v4 = v4_prefix(&by_address, |(a, _)| *a);
        Self {
            routes,
            from,
            by_address,
            v4,
            repeated,
        }
    }

    /// The routes of the endpoints in `vnet`, by endpoint id.
    pub fn in_vnet(&self, vnet: VnetId) -> &[EndpointRoute] {
        let from = self.from.get(vnet.index()).copied().unwrap_or_default();
        let to = self.from.get(vnet.index() + 1).copied().unwrap_or(from);
        self.routes.get(from..to).unwrap_or_default()
    }

    /// The routes of the endpoints holding `ip` (one, usually).
    pub fn at(&self, ip: IpAddr) -> impl Iterator<Item = &EndpointRoute> + '_ {
        let from = match ip {
            IpAddr::V4(a) => self.v4.partition_point(|k| *k < a.to_bits()),
            IpAddr::V6(_) => self.by_address.partition_point(|(a, _)| *a < ip),
        };
        self.by_address
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(move |(a, _)| *a == ip)
            .filter_map(|(_, i)| self.routes.get(*i))
    }

    /// Addresses held by more than one endpoint.
    pub fn repeated(&self) -> &[IpAddr] {
        &self.repeated
    }

    /// How many endpoint routes are held.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// Whether no endpoint route is held.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }
}

/// The IPv4 addresses at the start of `sorted` (sorted by address, so IPv4 first), as integers
/// in the same order: position `i` of the result is position `i` of `sorted`.
pub(crate) fn v4_prefix<T>(sorted: &[T], addr: impl Fn(&T) -> IpAddr) -> Vec<u32> {
    sorted
        .iter()
        .map_while(|e| match addr(e) {
            IpAddr::V4(a) => Some(a.to_bits()),
            IpAddr::V6(_) => None,
        })
        .collect()
}
