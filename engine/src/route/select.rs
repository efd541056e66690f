//! Azure's route selection: which offered routes are `Active` and which `Invalid`, and why.
//! One function per precedence rule, applied in order; the first rule that decides a route
//! gives its reason. Longest-prefix match among the `Active` routes happens later, per packet.

use std::collections::BTreeMap;

use ipnet::IpNet;

use super::types::{Candidate, EffectiveRoute, Origin, Why};
use crate::model::{Network, NextHopType, RouteSource, Subnet};

/// Decides the state of every candidate route of `subnet`, keeping the input order.
pub fn select(net: &Network, subnet: &Subnet, candidates: Vec<Candidate>) -> Vec<EffectiveRoute> {
    let mut why: Vec<Option<Why>> = vec![None; candidates.len()];
    system_routes_preferred_over_bgp(&candidates, &mut why);
    same_prefix_precedence(&candidates, &mut why);
    private_endpoint_network_policy(net, subnet, &candidates, &mut why);
    candidates
        .into_iter()
        .zip(why)
        .map(|(c, why)| {
            let why = why.unwrap_or(Why::SoleRouteForPrefix);
            EffectiveRoute {
                source: c.source,
                state: why.state(),
                prefix: c.prefix,
                next_hop: c.next_hop,
                origin: c.origin,
                why,
            }
        })
        .collect()
}

/// "System routes for traffic related to the virtual network, virtual network peerings, or
/// virtual network service endpoints are preferred, even if BGP routes are more specific."
/// A BGP route inside (or equal to) such a system route's prefix is therefore `Invalid`.
/// (Whether Azure shows it `Invalid` or hides it is not documented; azpath shows it.)
pub fn system_routes_preferred_over_bgp(candidates: &[Candidate], why: &mut [Option<Why>]) {
    let preferred: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| {
            c.source == RouteSource::Default
                && matches!(
                    c.next_hop.next_hop_type,
                    NextHopType::VnetLocal
                        | NextHopType::VNetPeering
                        | NextHopType::VNetGlobalPeering
                        | NextHopType::VirtualNetworkServiceEndpoint
                )
        })
        .collect();
    for (c, w) in candidates.iter().zip(why.iter_mut()) {
        if c.source != RouteSource::VirtualNetworkGateway || w.is_some() {
            continue;
        }
        if let Some(system) = preferred.iter().find(|s| s.prefix.contains(&c.prefix)) {
            *w = Some(Why::SystemRoutePreferredOverBgp {
                system_prefix: system.prefix,
                system_next_hop: system.next_hop.next_hop_type,
            });
        }
    }
}

/// Among routes with the same prefix, User > VirtualNetworkGateway (BGP) > Default; the losers
/// are `Invalid`. Several winners with the same source are equal-cost paths. Two system routes
/// with one prefix only arise from unusual address plans; azpath then prefers the VNet's own
/// route, then peering, service endpoint, private endpoint, `None`, `Internet` (an assumption:
/// Azure documents no order).
pub fn same_prefix_precedence(candidates: &[Candidate], why: &mut [Option<Why>]) {
    let mut groups: BTreeMap<IpNet, Vec<usize>> = BTreeMap::new();
    for (i, w) in why.iter().enumerate() {
        if w.is_none() {
            if let Some(c) = candidates.get(i) {
                groups.entry(c.prefix).or_default().push(i);
            }
        }
    }
    for members in groups.values() {
        let rank = |i: &usize| {
            candidates.get(*i).map_or((0, 0), |c| {
                (
                    c.source.precedence(),
                    u8::MAX - system_rank(c.next_hop.next_hop_type),
                )
            })
        };
        let Some(best) = members.iter().map(rank).max() else {
            continue;
        };
        let winners: Vec<usize> = members
            .iter()
            .copied()
            .filter(|i| rank(i) == best)
            .collect();
        let Some(first) = winners.first().and_then(|i| candidates.get(*i)) else {
            continue;
        };
        let mut outranked: Vec<RouteSource> = Vec::new();
        for i in members.iter().filter(|i| rank(i) != best) {
            let Some(c) = candidates.get(*i) else {
                continue;
            };
            outranked.push(c.source);
            let reason = if c.source == first.source {
                Why::SystemRouteSamePrefix {
                    winner: first.next_hop.next_hop_type,
                }
            } else {
                Why::OutrankedBySamePrefix {
                    winner: first.source,
                    winner_next_hop: first.next_hop,
                }
            };
            if let Some(w) = why.get_mut(*i) {
                *w = Some(reason);
            }
        }
        outranked.sort();
        outranked.dedup();
        let reason = if winners.len() > 1 {
            Why::EqualCostPaths {
                paths: winners.len(),
            }
        } else if outranked.is_empty() {
            Why::SoleRouteForPrefix
        } else {
            Why::OutranksSamePrefix { outranked }
        };
        for i in winners {
            if let Some(w) = why.get_mut(i) {
                *w = Some(reason.clone());
            }
        }
    }
}

fn system_rank(t: NextHopType) -> u8 {
    match t {
        NextHopType::VnetLocal => 0,
        NextHopType::VNetPeering | NextHopType::VNetGlobalPeering => 1,
        NextHopType::VirtualNetworkServiceEndpoint => 2,
        NextHopType::InterfaceEndpoint => 3,
        NextHopType::None => 4,
        NextHopType::Internet => 5,
        NextHopType::VirtualNetworkGateway | NextHopType::VirtualAppliance => 6,
    }
}

/// With `privateEndpointNetworkPolicies` `RouteTableEnabled` or `Enabled` on the endpoint's
/// subnet, a UDR in the source subnet's table whose prefix covers the endpoint IP and is at least
/// as long as the endpoint VNet's address prefix invalidates the endpoint's /32 (Microsoft Learn,
/// "Manage network policies for private endpoints"). A 0.0.0.0/0 UDR never qualifies; a /32 UDR
/// for the endpoint IP wins anyway by same-prefix precedence. When several UDRs qualify, the most
/// specific is reported.
pub fn private_endpoint_network_policy(
    net: &Network,
    subnet: &Subnet,
    candidates: &[Candidate],
    why: &mut [Option<Why>],
) {
    let table = subnet.route_table.and_then(|t| net.route_table(t));
    let Some(table) = table else { return };
    for (c, w) in candidates.iter().zip(why.iter_mut()) {
        let Origin::PrivateEndpoint { id, .. } = &c.origin else {
            continue;
        };
        if w.as_ref()
            .is_some_and(|w| w.state() == crate::model::RouteState::Invalid)
        {
            continue;
        }
        let Some(pe) = net.private_endpoints.get(id.0) else {
            continue;
        };
        let Some(pe_subnet) = net.subnet(pe.subnet) else {
            continue;
        };
        let policies = pe_subnet.private_endpoint_network_policies;
        if !policies.route_tables_apply() {
            continue;
        }
        let Some(vnet_prefix) = net
            .vnet(pe_subnet.vnet)
            .and_then(|v| v.address_space.iter().find(|p| p.contains(&pe.ip)).copied())
        else {
            continue;
        };
        let udr = table
            .routes
            .iter()
            .filter(|r| {
                r.prefix.contains(&pe.ip) && r.prefix.prefix_len() >= vnet_prefix.prefix_len()
            })
            .max_by_key(|r| r.prefix.prefix_len());
        if let Some(udr) = udr {
            *w = Some(Why::PrivateEndpointNetworkPolicy {
                policies,
                table: table.name.clone(),
                route: udr.name.clone(),
                route_prefix: udr.prefix,
                endpoint_vnet_prefix: vnet_prefix,
            });
        }
    }
}
