//! The routes Azure offers a subnet before selection: system routes, gateway routes and the
//! subnet's UDRs. One function per kind of route, each citing the behaviour it models
//! (Microsoft Learn, "Virtual network traffic routing", unless noted).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::types::{Candidate, Origin, Removal, RemovedRoute};
use crate::model::{
    Network, NextHop, NextHopType, PrivateEndpointId, RouteSource, Subnet, Vnet, VnetId,
};

fn system(prefix: IpNet, next_hop: NextHop, origin: Origin) -> Candidate {
    Candidate {
        source: RouteSource::Default,
        prefix,
        next_hop,
        origin,
    }
}

fn v4(a: u8, b: u8, len: u8) -> IpNet {
    Ipv4Net::new(Ipv4Addr::new(a, b, 0, 0), len)
        .map_or_else(|_| IpNet::V4(Ipv4Net::default()), IpNet::V4)
}

/// Every address prefix of the subnet's VNet is `VnetLocal`; there are no per-subnet routes.
pub fn vnet_local(vnet: &Vnet) -> Vec<Candidate> {
    vnet.address_space
        .iter()
        .map(|p| {
            system(
                *p,
                NextHop::of(NextHopType::VnetLocal),
                Origin::VnetAddressSpace {
                    vnet: vnet.name.clone(),
                },
            )
        })
        .collect()
}

/// 0.0.0.0/0 to the Internet in every subnet (and ::/0 when the VNet has IPv6 space).
pub fn default_internet(vnet: &Vnet) -> Vec<Candidate> {
    let mut out = vec![system(
        IpNet::V4(Ipv4Net::default()),
        NextHop::of(NextHopType::Internet),
        Origin::DefaultInternet,
    )];
    if vnet.address_space.iter().any(|p| matches!(p, IpNet::V6(_))) {
        out.push(system(
            IpNet::V6(Ipv6Net::new(Ipv6Addr::UNSPECIFIED, 0).unwrap_or_default()),
            NextHop::of(NextHopType::Internet),
            Origin::DefaultInternet,
        ));
    }
    out
}

/// The prefixes Azure reserves with next hop `None`: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16
/// and 100.64.0.0/10, plus (only when assumed) the further ones some dumps show.
pub fn reserved_prefixes(extra: bool) -> Vec<IpNet> {
    let mut out = vec![
        v4(10, 0, 8),
        v4(172, 16, 12),
        v4(192, 168, 16),
        v4(100, 64, 10),
    ];
    if extra {
        out.extend([
            v4(127, 0, 8),
            v4(157, 59, 16),
            v4(104, 146, 17),
            v4(104, 147, 16),
        ]);
    }
    out
}

/// The reserved `None` routes a subnet keeps, and those Azure removes:
/// - a VNet prefix equal to a reserved prefix replaces it (one `VnetLocal` route, not two);
/// - a VNet prefix that contains a reserved prefix removes it;
/// - a VNet prefix inside a reserved prefix changes nothing: both routes stay, and the rest of
///   the reserved range is dropped;
/// - a user 0.0.0.0/0 in the subnet's route table removes all of them.
pub fn reserved(
    vnet: &Vnet,
    extra: bool,
    default_route_removal: Option<Removal>,
) -> (Vec<Candidate>, Vec<RemovedRoute>) {
    let mut kept = Vec::new();
    let mut removed = Vec::new();
    for prefix in reserved_prefixes(extra) {
        let route = system(
            prefix,
            NextHop::of(NextHopType::None),
            Origin::ReservedPrefix,
        );
        let equal = vnet.address_space.iter().find(|p| **p == prefix);
        let containing = vnet
            .address_space
            .iter()
            .find(|p| p.contains(&prefix) && **p != prefix);
        let why = if let Some(p) = equal {
            Some(Removal::VnetPrefixEqualsReserved { vnet_prefix: *p })
        } else if let Some(p) = containing {
            Some(Removal::VnetPrefixContainsReserved { vnet_prefix: *p })
        } else {
            default_route_removal.clone()
        };
        match why {
            Some(why) => removed.push(RemovedRoute { route, why }),
            None => kept.push(route),
        }
    }
    (kept, removed)
}

/// Each address prefix of every directly peered VNet, `VNetPeering` in the same region and
/// `VNetGlobalPeering` across regions. Peering is not transitive, and a `Disconnected` peering
/// programs nothing.
pub fn peering(net: &Network, vnet: VnetId) -> Vec<Candidate> {
    let Some(local) = net.vnet(vnet) else {
        return Vec::new();
    };
    net.connected_peers(vnet)
        .filter_map(|(_, remote)| net.vnet(remote))
        .flat_map(|remote| {
            let global = remote.region != local.region;
            let next_hop_type = if global {
                NextHopType::VNetGlobalPeering
            } else {
                NextHopType::VNetPeering
            };
            remote.address_space.iter().map(move |p| {
                system(
                    *p,
                    NextHop::of(next_hop_type),
                    Origin::Peering {
                        remote_vnet: remote.name.clone(),
                        global,
                    },
                )
            })
        })
        .collect()
}

/// The public prefixes of each service endpoint enabled on the subnet.
pub fn service_endpoints(net: &Network, subnet: &Subnet) -> Vec<Candidate> {
    subnet
        .service_endpoints
        .iter()
        .flat_map(|service| {
            net.service_prefixes
                .iter()
                .filter(move |(s, _)| s == service)
                .flat_map(|(s, prefixes)| {
                    prefixes.iter().map(move |p| {
                        system(
                            *p,
                            NextHop::of(NextHopType::VirtualNetworkServiceEndpoint),
                            Origin::ServiceEndpoint { service: s.clone() },
                        )
                    })
                })
        })
        .collect()
}

/// A /32 (or /128) `InterfaceEndpoint` route for every private endpoint in the subnet's VNet and
/// in directly peered VNets, one peering hop only.
pub fn private_endpoints(net: &Network, vnet: VnetId) -> Vec<Candidate> {
    let peers: Vec<VnetId> = net.connected_peers(vnet).map(|(_, r)| r).collect();
    net.private_endpoints
        .iter()
        .enumerate()
        .filter_map(|(id, pe)| {
            let subnet = net.subnet(pe.subnet)?;
            (subnet.vnet == vnet || peers.contains(&subnet.vnet)).then(|| {
                system(
                    IpNet::from(pe.ip),
                    NextHop::of(NextHopType::InterfaceEndpoint),
                    Origin::PrivateEndpoint {
                        endpoint: pe.name.clone(),
                        subnet: subnet.name.clone(),
                        id: PrivateEndpointId(id),
                    },
                )
            })
        })
        .collect()
}

/// Routes learned by the VNet's own gateways, or by the gateways of the peered VNet whose
/// gateway it uses (gateway transit), unless the subnet's route table stops gateway route
/// propagation. One row per next hop IP: several are equal-cost paths.
pub fn gateway(net: &Network, subnet: &Subnet) -> Vec<Candidate> {
    let propagate = subnet
        .route_table
        .and_then(|t| net.route_table(t))
        .is_none_or(|t| t.propagate_gateway_routes);
    if !propagate {
        return Vec::new();
    }
    let mut sources: Vec<(VnetId, Option<String>)> = vec![(subnet.vnet, None)];
    for (peering, remote) in net.connected_peers(subnet.vnet) {
        if peering.gateway_transit == Some(remote) {
            sources.push((remote, net.vnet(remote).map(|v| v.name.clone())));
        }
    }
    let mut out = Vec::new();
    for (vnet, transit_from) in sources {
        let Some(v) = net.vnet(vnet) else { continue };
        for gateway in v.gateways.iter().filter_map(|g| net.gateways.get(g.0)) {
            for learned in &gateway.learned {
                let ips: Vec<Option<IpAddr>> = if learned.next_hop_ips.is_empty() {
                    vec![None]
                } else {
                    learned.next_hop_ips.iter().copied().map(Some).collect()
                };
                for ip in ips {
                    out.push(Candidate {
                        source: RouteSource::VirtualNetworkGateway,
                        prefix: learned.prefix,
                        next_hop: NextHop {
                            next_hop_type: NextHopType::VirtualNetworkGateway,
                            ip,
                        },
                        origin: Origin::Gateway {
                            gateway: gateway.name.clone(),
                            via: learned.via,
                            transit_from: transit_from.clone(),
                        },
                    });
                }
            }
        }
    }
    out
}

/// The UDRs of the subnet's route table.
pub fn user(net: &Network, subnet: &Subnet) -> Vec<Candidate> {
    let Some(table) = subnet.route_table.and_then(|t| net.route_table(t)) else {
        return Vec::new();
    };
    table
        .routes
        .iter()
        .map(|r| Candidate {
            source: RouteSource::User,
            prefix: r.prefix,
            next_hop: r.next_hop,
            origin: Origin::UserRoute {
                table: table.name.clone(),
                route: r.name.clone(),
            },
        })
        .collect()
}
