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
///
/// Azure documents the first two for the subnet's own VNet. azpath applies them to directly
/// peered VNets' prefixes too (an assumption): otherwise a peered VNet whose space contains a
/// reserved range would be unreachable there, which peering does not do.
pub fn reserved(
    net: &Network,
    vnet: VnetId,
    default_route_removal: Option<Removal>,
) -> (Vec<Candidate>, Vec<RemovedRoute>) {
    let own = net.vnet(vnet).into_iter().map(|v| (v, false));
    let peers = net
        .connected_peers(vnet)
        .filter_map(|(_, r)| net.vnet(r))
        .map(|v| (v, true));
    let spaces: Vec<(IpNet, &Vnet, bool)> = own
        .chain(peers)
        .flat_map(|(v, peered)| v.address_space.iter().map(move |p| (*p, v, peered)))
        .collect();
    let mut kept = Vec::new();
    let mut removed = Vec::new();
    for prefix in reserved_prefixes(net.assumptions.extra_reserved_prefixes) {
        let route = system(
            prefix,
            NextHop::of(NextHopType::None),
            Origin::ReservedPrefix,
        );
        let covering = spaces
            .iter()
            .filter(|(p, _, _)| p.contains(&prefix))
            .min_by_key(|(p, _, peered)| (*peered, std::cmp::Reverse(p.prefix_len())));
        let why = match covering {
            Some((p, v, peered)) => Some(Removal::CoveredByVnetPrefix {
                vnet: v.name.clone(),
                vnet_prefix: *p,
                equal: *p == prefix,
                peered: *peered,
            }),
            None => default_route_removal.clone(),
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
/// in directly peered VNets, one peering hop only. Tables overlay these from
/// [`super::endpoints`]; this copied form is the reference the overlay is tested against.
#[cfg(test)]
pub fn private_endpoints(net: &Network, vnet: VnetId) -> Vec<Candidate> {
    let peers: Vec<VnetId> = net.connected_peers(vnet).map(|(_, r)| r).collect();
    net.private_endpoints
        .iter_ids()
        .filter(|(_, pe)| {
            net.subnet(pe.subnet)
                .is_some_and(|s| s.vnet == vnet || peers.contains(&s.vnet))
        })
        .filter_map(|(id, _)| private_endpoint(net, id))
        .collect()
}

/// The /32 (or /128) `InterfaceEndpoint` route of one private endpoint.
pub fn private_endpoint(net: &Network, id: PrivateEndpointId) -> Option<Candidate> {
    let pe = net.private_endpoints.get(id)?;
    let subnet = net.subnet(pe.subnet)?;
    Some(system(
        IpNet::from(pe.ip),
        NextHop::of(NextHopType::InterfaceEndpoint),
        Origin::PrivateEndpoint {
            endpoint: pe.name.clone(),
            subnet: subnet.name.clone(),
            id,
        },
    ))
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
        let gateways: Vec<&crate::model::Gateway> = v
            .gateways
            .iter()
            .filter_map(|g| net.gateways.get(*g))
            .collect();
        let er_prefixes: Vec<IpNet> = gateways
            .iter()
            .filter(|g| g.kind == crate::model::GatewayKind::ExpressRoute)
            .flat_map(|g| g.learned.iter().map(|l| l.prefix))
            .collect();
        for gateway in gateways {
            for learned in &gateway.learned {
                if expressroute_preferred(gateway.kind, learned.prefix, &er_prefixes) {
                    continue;
                }
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

/// Whether a prefix a VPN gateway learned gives way to the same prefix learned by the
/// ExpressRoute gateway beside it: longest prefix match runs first across both, and only for
/// identical prefixes is ExpressRoute preferred over site-to-site VPN (Microsoft Learn,
/// "Configure ExpressRoute and Site-to-Site coexisting connections").
fn expressroute_preferred(kind: crate::model::GatewayKind, prefix: IpNet, er: &[IpNet]) -> bool {
    kind == crate::model::GatewayKind::Vpn && er.contains(&prefix)
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
                service_tag: r.service_tag.clone(),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{hop, row, rows, table};
    use super::super::types::{Origin, Removal};
    use crate::model::{NextHopType as H, RouteSource as S, RouteState};

    const ONE_VNET: &str = r#"Scenario(vnets: [(name: "v", region: "eastus", address_space: ["10.11.0.0/16", "10.12.0.0/16"],
        subnets: [(name: "a", prefix: "10.11.1.0/24"), (name: "b", prefix: "10.12.1.0/24")])])"#;

    #[test]
    fn each_vnet_address_prefix_is_vnet_local_and_subnets_get_no_routes_of_their_own() {
        let t = table(ONE_VNET, "v/a");
        assert_eq!(
            row(&t, "10.11.0.0/16", S::Default).next_hop.next_hop_type,
            H::VnetLocal
        );
        assert_eq!(
            row(&t, "10.12.0.0/16", S::Default).next_hop.next_hop_type,
            H::VnetLocal
        );
        assert!(rows(&t, "10.11.1.0/24").is_empty() && rows(&t, "10.12.1.0/24").is_empty());
        assert_eq!(hop(&t, "10.12.1.9"), H::VnetLocal);
    }

    #[test]
    fn every_subnet_has_a_default_route_to_the_internet() {
        let t = table(ONE_VNET, "v/b");
        assert_eq!(
            row(&t, "0.0.0.0/0", S::Default).next_hop.next_hop_type,
            H::Internet
        );
        assert_eq!(hop(&t, "8.8.8.8"), H::Internet);
    }

    #[test]
    fn vnet_prefix_inside_a_reserved_prefix_keeps_both_routes_and_drops_the_rest() {
        let t = table(ONE_VNET, "v/a");
        assert_eq!(
            row(&t, "10.0.0.0/8", S::Default).next_hop.next_hop_type,
            H::None
        );
        assert_eq!(row(&t, "10.0.0.0/8", S::Default).state, RouteState::Active);
        assert_eq!(hop(&t, "10.13.0.1"), H::None);
        for p in ["172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"] {
            assert_eq!(
                row(&t, p, S::Default).next_hop.next_hop_type,
                H::None,
                "{p}"
            );
        }
    }

    #[test]
    fn vnet_prefix_equal_to_a_reserved_prefix_leaves_one_vnet_local_route() {
        let t = table(
            r#"Scenario(vnets: [(name: "v", region: "r", address_space: ["192.168.0.0/16"], subnets: [(name: "a", prefix: "192.168.1.0/24")])])"#,
            "v/a",
        );
        let r = rows(&t, "192.168.0.0/16");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].next_hop.next_hop_type, H::VnetLocal);
        assert!(matches!(
            t.removed[0].why,
            Removal::CoveredByVnetPrefix {
                equal: true,
                peered: false,
                ..
            }
        ));
    }

    #[test]
    fn vnet_prefix_containing_a_reserved_prefix_removes_it() {
        let t = table(
            r#"Scenario(vnets: [(name: "v", region: "r", address_space: ["100.0.0.0/8"], subnets: [(name: "a", prefix: "100.64.1.0/24")])])"#,
            "v/a",
        );
        assert!(rows(&t, "100.64.0.0/10").is_empty());
        assert!(t.removed.iter().any(|r| matches!(
            r.why,
            Removal::CoveredByVnetPrefix {
                equal: false,
                peered: false,
                ..
            }
        )));
        assert_eq!(hop(&t, "100.100.0.1"), H::VnetLocal);
    }

    const FORCED: &str = r#"Scenario(
        vnets: [(name: "v", region: "r", address_space: ["10.11.0.0/16"], subnets: [(name: "a", prefix: "10.11.1.0/24", route_table: "rt")])],
        route_tables: [(name: "rt", routes: [(name: "d", prefix: "0.0.0.0/0", next_hop: VirtualAppliance("10.11.1.10"))])])"#;

    #[test]
    fn user_default_route_removes_the_reserved_none_routes() {
        let t = table(FORCED, "v/a");
        for p in [
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "100.64.0.0/10",
        ] {
            assert!(rows(&t, p).is_empty(), "{p} should be removed");
        }
        assert_eq!(t.removed.len(), 4);
        assert!(t
            .removed
            .iter()
            .all(|r| matches!(r.why, Removal::UserDefaultRoute { .. })));
        assert_eq!(hop(&t, "10.99.0.1"), H::VirtualAppliance);
    }

    const BGP_DEFAULT: &str = r#"Scenario(ASSUME
        vnets: [(name: "v", region: "r", address_space: ["10.11.0.0/16"], subnets: [(name: "GatewaySubnet", prefix: "10.11.255.0/27"), (name: "a", prefix: "10.11.1.0/24")])],
        gateways: [(name: "gw", vnet: "v", kind: ExpressRoute, instance_ips: ["10.11.255.4"], learned: [(prefix: "0.0.0.0/0")])])"#;

    #[test]
    fn bgp_default_route_keeps_reserved_routes_unless_assumed_otherwise() {
        let documented = table(&BGP_DEFAULT.replace("ASSUME", ""), "v/a");
        assert_eq!(hop(&documented, "10.99.0.1"), H::None);
        assert_eq!(hop(&documented, "8.8.8.8"), H::VirtualNetworkGateway);
        let assumed = table(
            &BGP_DEFAULT.replace(
                "ASSUME",
                "assumptions: (bgp_default_route_removes_reserved_routes: true),",
            ),
            "v/a",
        );
        assert!(rows(&assumed, "10.0.0.0/8").is_empty());
        assert!(assumed
            .removed
            .iter()
            .all(|r| matches!(r.why, Removal::BgpDefaultRoute { .. })));
        assert_eq!(hop(&assumed, "10.99.0.1"), H::VirtualNetworkGateway);
    }

    #[test]
    fn extra_reserved_prefixes_appear_only_when_assumed() {
        assert!(rows(&table(ONE_VNET, "v/a"), "127.0.0.0/8").is_empty());
        let with = table(
            &ONE_VNET.replace(
                "Scenario(",
                "Scenario(assumptions: (extra_reserved_prefixes: true),",
            ),
            "v/a",
        );
        assert_eq!(
            row(&with, "157.59.0.0/16", S::Default)
                .next_hop
                .next_hop_type,
            H::None
        );
    }

    const HUB_SPOKES: &str = r#"Scenario(
        vnets: [
            (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "GatewaySubnet", prefix: "10.0.255.0/27"), (name: "pe", prefix: "10.0.2.0/24")]),
            (name: "a", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24"), (name: "off", prefix: "10.1.2.0/24", route_table: "no-prop")]),
            (name: "b", region: "westus", address_space: ["10.2.0.0/16"], subnets: [(name: "app", prefix: "10.2.1.0/24")]),
            (name: "c", region: "eastus", address_space: ["10.3.0.0/16"], subnets: [(name: "app", prefix: "10.3.1.0/24")]),
        ],
        peerings: [(between: ("hub", "a"), gateway_transit: "hub"), (between: ("hub", "b")), (between: ("c", "hub"), state: Disconnected)],
        route_tables: [(name: "no-prop", propagate_gateway_routes: false)],
        gateways: [(name: "gw", vnet: "hub", kind: Vpn, instance_ips: ["10.0.255.4", "10.0.255.5"], learned: [(prefix: "192.168.50.0/24")])],
        private_endpoints: [(name: "pe1", subnet: "hub/pe", ip: "10.0.2.4")],
    )"#;

    #[test]
    fn peering_adds_vnet_peering_in_region_and_vnet_global_peering_across_regions() {
        let hub = table(HUB_SPOKES, "hub/pe");
        assert_eq!(
            row(&hub, "10.1.0.0/16", S::Default).next_hop.next_hop_type,
            H::VNetPeering
        );
        assert_eq!(
            row(&hub, "10.2.0.0/16", S::Default).next_hop.next_hop_type,
            H::VNetGlobalPeering
        );
        assert!(matches!(
            row(&hub, "10.2.0.0/16", S::Default).origin,
            Origin::Peering { global: true, .. }
        ));
    }

    #[test]
    fn peered_vnet_prefix_covering_a_reserved_prefix_removes_it_too() {
        let doc = r#"Scenario(
            vnets: [
                (name: "a", region: "r", address_space: ["10.1.0.0/16"], subnets: [(name: "s", prefix: "10.1.1.0/24")]),
                (name: "b", region: "r", address_space: ["100.0.0.0/8"], subnets: [(name: "s", prefix: "100.64.1.0/24")]),
            ],
            peerings: [(between: ("a", "b"))])"#;
        let t = table(doc, "a/s");
        assert!(rows(&t, "100.64.0.0/10").is_empty());
        assert!(t.removed.iter().any(|r| matches!(&r.why, Removal::CoveredByVnetPrefix { peered: true, vnet, .. } if vnet == "b")));
        assert_eq!(hop(&t, "100.64.1.5"), H::VNetPeering);
        assert_eq!(
            hop(&t, "10.9.0.1"),
            H::None,
            "the 10/8 reserved route stays"
        );
    }

    #[test]
    fn peering_is_not_transitive() {
        let a = table(HUB_SPOKES, "a/app");
        assert!(rows(&a, "10.2.0.0/16").is_empty());
        assert_eq!(hop(&a, "10.2.1.4"), H::None);
    }

    #[test]
    fn disconnected_peering_programs_no_routes() {
        assert!(rows(&table(HUB_SPOKES, "hub/pe"), "10.3.0.0/16").is_empty());
        assert!(rows(&table(HUB_SPOKES, "c/app"), "10.0.0.0/16").is_empty());
    }

    #[test]
    fn private_endpoint_host_route_reaches_its_vnet_and_directly_peered_vnets_only() {
        for subnet in ["hub/pe", "a/app", "b/app"] {
            let t = table(HUB_SPOKES, subnet);
            assert_eq!(
                row(&t, "10.0.2.4/32", S::Default).next_hop.next_hop_type,
                H::InterfaceEndpoint,
                "{subnet}"
            );
        }
        assert!(
            rows(&table(HUB_SPOKES, "c/app"), "10.0.2.4/32").is_empty(),
            "disconnected"
        );
    }

    #[test]
    fn gateway_transit_brings_gateway_routes_to_the_spoke_one_row_per_instance() {
        let a = table(HUB_SPOKES, "a/app");
        let gw = rows(&a, "192.168.50.0/24");
        assert_eq!(gw.len(), 2, "ECMP across both instances");
        assert!(gw
            .iter()
            .all(|r| r.source == S::VirtualNetworkGateway && r.state == RouteState::Active));
        assert!(
            matches!(&gw[0].origin, Origin::Gateway { transit_from: Some(h), .. } if h == "hub")
        );
        assert_eq!(a.lookup("192.168.50.1".parse().unwrap()).len(), 2);
        assert!(
            rows(&table(HUB_SPOKES, "b/app"), "192.168.50.0/24").is_empty(),
            "no transit on this peering"
        );
    }

    #[test]
    fn gateway_route_propagation_off_removes_gateway_routes() {
        let off = table(HUB_SPOKES, "a/off");
        assert!(rows(&off, "192.168.50.0/24").is_empty());
        assert_eq!(hop(&off, "192.168.50.1"), H::None);
    }

    #[test]
    fn service_endpoint_routes_appear_only_in_subnets_that_enable_them() {
        let doc = r#"Scenario(
            service_endpoint_prefixes: [(service: "Microsoft.Storage", prefixes: ["20.60.0.0/16"])],
            vnets: [(name: "v", region: "r", address_space: ["10.0.0.0/16"], subnets: [
                (name: "se", prefix: "10.0.1.0/24", service_endpoints: ["Microsoft.Storage"]),
                (name: "plain", prefix: "10.0.2.0/24")])])"#;
        let se = table(doc, "v/se");
        assert_eq!(
            row(&se, "20.60.0.0/16", S::Default).next_hop.next_hop_type,
            H::VirtualNetworkServiceEndpoint
        );
        assert!(rows(&table(doc, "v/plain"), "20.60.0.0/16").is_empty());
    }
}
