//! A reference model of a subnet's effective routes, written separately from the engine for
//! clarity rather than speed: it derives the offered routes straight from the network's public
//! fields and selects among them by plain scans. Property tests (and the `network` fuzz target)
//! compare the engine's table with it row by row.
//!
//! Sources: Microsoft Learn, "Virtual network traffic routing" (default, optional and
//! user-defined routes; how Azure selects a route) and "Manage network policies for private
//! endpoints", as summarised in the design notes (azure-semantics.md §1–§4).
//!
//! Not modelled: virtual WAN hub routes (a hub-connected VNet learns routes from the hub router;
//! the engine's hub rules are not re-derived here). [`supported`] says whether a network is
//! within the model; generators produce no virtual hubs.

use std::net::{IpAddr, Ipv4Addr};

use azpath_engine::model::{
    Network, NextHop, NextHopType, PeeringState, RouteSource, RouteState, SubnetId, VnetId,
};
use azpath_engine::route::EffectiveRoute;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// One row of an effective route table: what `az network nic show-effective-route-table` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Row {
    /// The route's prefix.
    pub prefix: IpNet,
    /// Default, User or VirtualNetworkGateway.
    pub source: RouteSource,
    /// The next hop.
    pub next_hop: NextHop,
    /// Active or Invalid.
    pub state: RouteState,
}

/// Whether the reference models every route `net` offers its subnets (no virtual WAN hubs, no
/// connected groups: `route/connected.rs` tests those rules one by one).
pub fn supported(net: &Network) -> bool {
    net.virtual_hubs.is_empty() && net.connected_groups.is_empty()
}

/// The engine's rows, sorted, for comparison with [`routes`].
pub fn rows(routes: &[EffectiveRoute]) -> Vec<Row> {
    let mut out: Vec<Row> = routes
        .iter()
        .map(|r| Row {
            prefix: r.prefix,
            source: r.source,
            next_hop: r.next_hop,
            state: r.state,
        })
        .collect();
    out.sort();
    out
}

/// The effective routes of `subnet`, sorted: every offered route with its state.
pub fn routes(net: &Network, subnet: SubnetId) -> Vec<Row> {
    let offered = offered(net, subnet);
    let mut out: Vec<Row> = offered
        .iter()
        .map(|o| Row {
            prefix: o.prefix,
            source: o.source,
            next_hop: o.next_hop,
            state: state(net, subnet, &offered, o),
        })
        .collect();
    out.sort();
    out
}

/// Longest-prefix match over the Active rows by a full scan: every next hop of the longest
/// matching prefix (several are equal-cost paths), sorted.
pub fn next_hops(rows: &[Row], dst: IpAddr) -> Vec<NextHop> {
    let active = || {
        rows.iter()
            .filter(|r| r.state == RouteState::Active && r.prefix.contains(&dst))
    };
    let Some(longest) = active().map(|r| r.prefix.prefix_len()).max() else {
        return Vec::new();
    };
    let mut hops: Vec<NextHop> = active()
        .filter(|r| r.prefix.prefix_len() == longest)
        .map(|r| r.next_hop)
        .collect();
    hops.sort();
    hops
}

// ---- the offered routes -----------------------------------------------------------------------

/// An offered route, before selection. `endpoint` is set on a private endpoint's /32.
#[derive(Clone, Debug)]
struct Offered {
    prefix: IpNet,
    source: RouteSource,
    next_hop: NextHop,
    endpoint: Option<usize>,
    /// Among user routes with one prefix: 4 an explicit prefix, 3 a regional service tag, 2 a
    /// top-level tag, 1 `AzureCloud.<region>`, 0 `AzureCloud` ("Service tags for user-defined
    /// routes").
    tag_rank: u8,
}

fn system(prefix: IpNet, t: NextHopType) -> Offered {
    Offered {
        prefix,
        source: RouteSource::Default,
        next_hop: NextHop {
            next_hop_type: t,
            ip: None,
        },
        endpoint: None,
        tag_rank: 4,
    }
}

fn v4(a: u8, b: u8, len: u8) -> IpNet {
    IpNet::V4(Ipv4Net::new(Ipv4Addr::new(a, b, 0, 0), len).unwrap())
}

/// The VNets directly peered with `vnet` by a `Connected` peering (whatever its access and
/// forwarding settings: those filter traffic, they program no routes). Not transitive.
fn connected_peers(net: &Network, vnet: VnetId) -> Vec<VnetId> {
    net.peerings
        .iter()
        .filter(|p| p.state == PeeringState::Connected)
        .filter_map(|p| match p.vnets {
            [a, b] if a == vnet => Some(b),
            [a, b] if b == vnet => Some(a),
            _ => None,
        })
        .collect()
}

/// Everything Azure offers `subnet`: system routes, gateway routes, UDRs.
fn offered(net: &Network, subnet_id: SubnetId) -> Vec<Offered> {
    let subnet = &net.subnets.get(subnet_id).unwrap();
    let vnet_id = subnet.vnet;
    let vnet = &net.vnets.get(vnet_id).unwrap();
    let peers = connected_peers(net, vnet_id);
    let table = subnet.route_table.map(|t| net.route_tables.get(t).unwrap());
    let mut out = Vec::new();

    // Every address prefix of the VNet: VnetLocal.
    for p in &vnet.address_space {
        out.push(system(*p, NextHopType::VnetLocal));
    }
    // Every address prefix of a directly peered VNet: VNetPeering in the same region,
    // VNetGlobalPeering across regions.
    for peer in &peers {
        let remote = &net.vnets.get(*peer).unwrap();
        let t = if remote.region == vnet.region {
            NextHopType::VNetPeering
        } else {
            NextHopType::VNetGlobalPeering
        };
        for p in &remote.address_space {
            out.push(system(*p, t));
        }
    }
    // A /32 InterfaceEndpoint route per private endpoint in the VNet or a directly peered one.
    for (i, pe) in net.private_endpoints.iter().enumerate() {
        let pe_vnet = net.subnets.get(pe.subnet).unwrap().vnet;
        if pe_vnet == vnet_id || peers.contains(&pe_vnet) {
            let mut r = system(IpNet::from(pe.ip), NextHopType::InterfaceEndpoint);
            r.endpoint = Some(i);
            out.push(r);
        }
    }
    // The public prefixes of each service endpoint enabled on the subnet.
    for service in &subnet.service_endpoints {
        for (name, prefixes) in &net.service_prefixes {
            if name == service {
                for p in prefixes {
                    out.push(system(*p, NextHopType::VirtualNetworkServiceEndpoint));
                }
            }
        }
    }
    // 0.0.0.0/0 to the Internet (and ::/0 when the VNet has IPv6 space).
    out.push(system(v4(0, 0, 0), NextHopType::Internet));
    if vnet.address_space.iter().any(|p| matches!(p, IpNet::V6(_))) {
        out.push(system(IpNet::V6(Ipv6Net::default()), NextHopType::Internet));
    }

    // Gateway routes: the VNet's own gateways and the gateway of a peered VNet it uses by
    // gateway transit, one row per next hop IP, unless the route table stops propagation.
    let propagate = table.is_none_or(|t| t.propagate_gateway_routes);
    let mut gateway_routes = Vec::new();
    if propagate {
        let mut gateway_vnets = vec![vnet_id];
        for p in &net.peerings {
            if p.state == PeeringState::Connected && p.vnets.contains(&vnet_id) {
                if let Some(transit) = p.gateway_transit.filter(|t| *t != vnet_id) {
                    gateway_vnets.push(transit);
                }
            }
        }
        for gateway in net
            .gateways
            .iter()
            .filter(|g| gateway_vnets.contains(&g.vnet))
        {
            for learned in &gateway.learned {
                let ips: Vec<Option<IpAddr>> = if learned.next_hop_ips.is_empty() {
                    vec![None]
                } else {
                    learned.next_hop_ips.iter().copied().map(Some).collect()
                };
                for ip in ips {
                    gateway_routes.push(Offered {
                        prefix: learned.prefix,
                        source: RouteSource::VirtualNetworkGateway,
                        next_hop: NextHop {
                            next_hop_type: NextHopType::VirtualNetworkGateway,
                            ip,
                        },
                        endpoint: None,
                        tag_rank: 4,
                    });
                }
            }
        }
    }
    let user_routes: Vec<Offered> = table
        .map(|t| {
            t.routes
                .iter()
                .map(|r| Offered {
                    prefix: r.prefix,
                    source: RouteSource::User,
                    next_hop: r.next_hop,
                    endpoint: None,
                    tag_rank: match r.service_tag.as_deref() {
                        None => 4,
                        Some(t) if t.starts_with("AzureCloud.") => 1,
                        Some("AzureCloud") => 0,
                        Some(t) if t.contains('.') => 3,
                        Some(_) => 2,
                    },
                })
                .collect()
        })
        .unwrap_or_default();

    // The reserved None routes, unless a prefix of the VNet or of a directly peered VNet equals
    // or contains them (the peered part is azpath's documented assumption), or a user 0.0.0.0/0
    // (or, only when assumed, a BGP 0.0.0.0/0) takes their place.
    let is_v4_default = |r: &Offered| matches!(r.prefix, IpNet::V4(n) if n.prefix_len() == 0);
    let default_override = user_routes.iter().any(is_v4_default)
        || (net.assumptions.bgp_default_route_removes_reserved_routes
            && gateway_routes.iter().any(is_v4_default));
    let mut reserved = vec![
        v4(10, 0, 8),
        v4(172, 16, 12),
        v4(192, 168, 16),
        v4(100, 64, 10),
    ];
    if net.assumptions.extra_reserved_prefixes {
        reserved.extend([
            v4(127, 0, 8),
            v4(157, 59, 16),
            v4(104, 146, 17),
            v4(104, 147, 16),
        ]);
    }
    let spaces: Vec<IpNet> = std::iter::once(vnet_id)
        .chain(peers.iter().copied())
        .flat_map(|v| net.vnets.get(v).unwrap().address_space.iter().copied())
        .collect();
    for r in reserved {
        let covered = spaces.iter().any(|s| s.contains(&r));
        if !covered && !default_override {
            out.push(system(r, NextHopType::None));
        }
    }
    out.extend(gateway_routes);
    out.extend(user_routes);
    out
}

// ---- selection ----------------------------------------------------------------------------------

/// Among system routes with one prefix (only unusual address plans produce two), the order
/// azpath assumes: the VNet's own, peering, service endpoint, private endpoint, None, Internet.
fn system_order(t: NextHopType) -> u8 {
    match t {
        NextHopType::VnetLocal => 0,
        NextHopType::VNetPeering | NextHopType::VNetGlobalPeering => 1,
        NextHopType::VirtualNetworkServiceEndpoint => 2,
        NextHopType::InterfaceEndpoint => 3,
        NextHopType::None => 4,
        NextHopType::Internet => 5,
        NextHopType::VirtualAppliance | NextHopType::VirtualNetworkGateway => 6,
        other => panic!("the reference model does not rank next hop type {other:?}"),
    }
}

/// Same prefix: User > VirtualNetworkGateway (BGP) > Default.
fn rank(r: &Offered) -> (u8, u8, u8) {
    let source = match r.source {
        RouteSource::User => 3,
        RouteSource::VirtualNetworkGateway => 2,
        RouteSource::Default => 1,
        other => panic!("the reference model does not rank route source {other:?}"),
    };
    (
        source,
        r.tag_rank,
        u8::MAX - system_order(r.next_hop.next_hop_type),
    )
}

/// "System routes for traffic related to the virtual network, virtual network peerings, or
/// virtual network service endpoints are preferred, even if BGP routes are more specific."
fn bgp_behind_a_system_route(offered: &[Offered], r: &Offered) -> bool {
    r.source == RouteSource::VirtualNetworkGateway
        && offered.iter().any(|s| {
            s.source == RouteSource::Default
                && matches!(
                    s.next_hop.next_hop_type,
                    NextHopType::VnetLocal
                        | NextHopType::VNetPeering
                        | NextHopType::VNetGlobalPeering
                        | NextHopType::VirtualNetworkServiceEndpoint
                )
                && s.prefix.contains(&r.prefix)
        })
}

/// With `RouteTableEnabled` or `Enabled` on the endpoint's subnet, a UDR of the source subnet's
/// table that contains the endpoint's IP and is no broader than the address prefix of the
/// endpoint's VNet holding it invalidates the endpoint's /32.
fn endpoint_route_overridden_by_policy(net: &Network, subnet: SubnetId, endpoint: usize) -> bool {
    let pe = &net.private_endpoints.as_slice()[endpoint];
    let pe_subnet = &net.subnets.get(pe.subnet).unwrap();
    if !pe_subnet
        .private_endpoint_network_policies
        .route_tables_apply()
    {
        return false;
    }
    let Some(vnet_prefix) = net
        .vnets
        .get(pe_subnet.vnet)
        .unwrap()
        .address_space
        .iter()
        .find(|p| p.contains(&pe.ip))
    else {
        return false;
    };
    let Some(table) = net.subnets.get(subnet).unwrap().route_table else {
        return false;
    };
    net.route_tables
        .get(table)
        .unwrap()
        .routes
        .iter()
        .any(|u| u.prefix.contains(&pe.ip) && u.prefix.prefix_len() >= vnet_prefix.prefix_len())
}

fn state(net: &Network, subnet: SubnetId, offered: &[Offered], r: &Offered) -> RouteState {
    if bgp_behind_a_system_route(offered, r) {
        return RouteState::Invalid;
    }
    let outranked = offered.iter().any(|o| {
        o.prefix == r.prefix && !bgp_behind_a_system_route(offered, o) && rank(o) > rank(r)
    });
    if outranked {
        return RouteState::Invalid;
    }
    if r.endpoint
        .is_some_and(|e| endpoint_route_overridden_by_policy(net, subnet, e))
    {
        return RouteState::Invalid;
    }
    RouteState::Active
}
