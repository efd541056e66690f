//! A reference model of Azure's route selection, written separately from the engine for clarity
//! rather than speed: every rule is a plain scan over the offered routes. Property tests compare
//! the engine with it.

use std::net::IpAddr;

use azpath_engine::model::{NextHop, NextHopType, RouteSource, RouteState};
use azpath_engine::route::EffectiveRoute;
use ipnet::IpNet;

/// What the reference needs to know about a private endpoint's /32.
#[derive(Debug)]
pub struct PeFacts {
    /// The endpoint's address.
    pub ip: IpAddr,
    /// Whether route tables apply to it (`RouteTableEnabled` or `Enabled`).
    pub route_tables_apply: bool,
    /// The address prefix of the endpoint's VNet that contains it.
    pub vnet_prefix: IpNet,
}

fn rank(source: RouteSource) -> u8 {
    match source {
        RouteSource::User => 3,
        RouteSource::VirtualNetworkGateway => 2,
        RouteSource::Default => 1,
    }
}

fn preferred_over_bgp(t: NextHopType) -> bool {
    matches!(
        t,
        NextHopType::VnetLocal
            | NextHopType::VNetPeering
            | NextHopType::VNetGlobalPeering
            | NextHopType::VirtualNetworkServiceEndpoint
    )
}

/// Among system routes with one prefix (a peered VNet whose address space equals a reserved
/// prefix, say), the order azpath assumes: the VNet's own, peering, service endpoint, private
/// endpoint, None, Internet.
fn system_order(t: NextHopType) -> u8 {
    match t {
        NextHopType::VnetLocal => 0,
        NextHopType::VNetPeering | NextHopType::VNetGlobalPeering => 1,
        NextHopType::VirtualNetworkServiceEndpoint => 2,
        NextHopType::InterfaceEndpoint => 3,
        NextHopType::None => 4,
        NextHopType::Internet => 5,
        NextHopType::VirtualAppliance | NextHopType::VirtualNetworkGateway => 6,
    }
}

/// The state each offered route should have. `pe` gives the facts for InterfaceEndpoint routes.
pub fn states(
    routes: &[EffectiveRoute],
    pe: impl Fn(&EffectiveRoute) -> Option<PeFacts>,
) -> Vec<RouteState> {
    let bgp_shadowed = |r: &EffectiveRoute| {
        r.source == RouteSource::VirtualNetworkGateway
            && routes.iter().any(|s| {
                s.source == RouteSource::Default
                    && preferred_over_bgp(s.next_hop.next_hop_type)
                    && s.prefix.contains(&r.prefix)
            })
    };
    routes
        .iter()
        .map(|r| {
            if bgp_shadowed(r) {
                return RouteState::Invalid;
            }
            let outranked = routes.iter().any(|o| {
                o.prefix == r.prefix
                    && !bgp_shadowed(o)
                    && (rank(o.source) > rank(r.source)
                        || (o.source == r.source
                            && system_order(o.next_hop.next_hop_type)
                                < system_order(r.next_hop.next_hop_type)))
            });
            if outranked {
                return RouteState::Invalid;
            }
            if let Some(f) = pe(r) {
                let udr_qualifies = routes.iter().any(|u| {
                    u.source == RouteSource::User
                        && u.prefix.contains(&f.ip)
                        && u.prefix.prefix_len() >= f.vnet_prefix.prefix_len()
                });
                if f.route_tables_apply && udr_qualifies {
                    return RouteState::Invalid;
                }
            }
            RouteState::Active
        })
        .collect()
}

/// Longest-prefix match over the Active routes by a full scan: every next hop of the longest
/// matching prefix (several are equal-cost paths).
pub fn next_hops(routes: &[EffectiveRoute], states: &[RouteState], dst: IpAddr) -> Vec<NextHop> {
    let active = || {
        routes
            .iter()
            .zip(states)
            .filter(|(r, s)| **s == RouteState::Active && r.prefix.contains(&dst))
    };
    let Some(longest) = active().map(|(r, _)| r.prefix.prefix_len()).max() else {
        return Vec::new();
    };
    let mut hops: Vec<NextHop> = active()
        .filter(|(r, _)| r.prefix.prefix_len() == longest)
        .map(|(r, _)| r.next_hop)
        .collect();
    hops.sort();
    hops
}
