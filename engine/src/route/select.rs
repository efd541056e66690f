//! Azure's route selection: which offered routes are `Active` and which `Invalid`, and why.
//! One function per precedence rule, applied in order; the first rule that decides a route
//! gives its reason. Longest-prefix match among the `Active` routes happens later, per packet.

use std::collections::BTreeMap;

use ipnet::IpNet;

use super::service_tag::{tag_of, tag_precedence};
use super::types::{Candidate, EffectiveRoute, Origin, Outranked, Why};
use crate::model::{Network, NextHopType, RouteSource, Subnet};

/// Decides the state of every candidate route of `subnet`, keeping the input order.
pub fn select(net: &Network, subnet: &Subnet, candidates: Vec<Candidate>) -> Vec<EffectiveRoute> {
    let mut why: Vec<Option<Why>> = vec![None; candidates.len()];
    let connected_group_over_bgp = !net.assumptions.bgp_more_specific_beats_connected_group;
    system_routes_preferred_over_bgp(&candidates, &mut why, connected_group_over_bgp);
    same_prefix_precedence(
        &candidates,
        &mut why,
        net.assumptions.connected_group_wins_over_peering,
    );
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
/// `ConnectedGroup` routes count as peering routes unless `connected_group` is false (switch
/// `bgp_more_specific_beats_connected_group`: Azure's sentence names peerings only).
pub fn system_routes_preferred_over_bgp(
    candidates: &[Candidate],
    why: &mut [Option<Why>],
    connected_group: bool,
) {
    let preferred: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| {
            c.source == RouteSource::Default
                && (matches!(
                    c.next_hop.next_hop_type,
                    NextHopType::VnetLocal
                        | NextHopType::VNetPeering
                        | NextHopType::VNetGlobalPeering
                        | NextHopType::VirtualNetworkServiceEndpoint
                ) || (connected_group
                    && c.next_hop.next_hop_type == NextHopType::ConnectedGroup))
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
                same_prefix: system.prefix == c.prefix,
            });
        }
    }
}

/// Among routes with the same prefix, User > VirtualNetworkGateway (BGP) > Default; the losers
/// are `Invalid`. Several winners with the same source are equal-cost paths. Two system routes
/// with one prefix only arise from unusual address plans; azpath then prefers the VNet's own
/// route, then peering, service endpoint, private endpoint, `None`, `Internet` (an assumption:
/// Azure documents no order). A VNet both peered and in a connected group has a peering and a
/// `ConnectedGroup` route with one prefix: the peering route wins unless
/// `connected_group_first` (switch `connected_group_wins_over_peering`).
pub fn same_prefix_precedence(
    candidates: &[Candidate],
    why: &mut [Option<Why>],
    connected_group_first: bool,
) {
    let mut groups: BTreeMap<IpNet, Vec<usize>> = BTreeMap::new();
    // Routes an earlier rule already decided (BGP behind a system route) stay out of the
    // ranking but are still named among those the winner was preferred over.
    let mut decided: BTreeMap<IpNet, Vec<Outranked>> = BTreeMap::new();
    for (i, w) in why.iter().enumerate() {
        let Some(c) = candidates.get(i) else { continue };
        if w.is_none() {
            groups.entry(c.prefix).or_default().push(i);
        } else {
            decided.entry(c.prefix).or_default().push(Outranked::of(c));
        }
    }
    for (prefix, members) in &groups {
        let rank = |i: &usize| {
            candidates.get(*i).map_or((0, 0, 0), |c| {
                (
                    c.source.precedence(),
                    tag_precedence(tag_of(c)),
                    u8::MAX - system_rank(c.next_hop.next_hop_type, connected_group_first),
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
        let mut outranked: Vec<Outranked> = decided.get(prefix).cloned().unwrap_or_default();
        for i in members.iter().filter(|i| rank(i) != best) {
            let Some(c) = candidates.get(*i) else {
                continue;
            };
            outranked.push(Outranked::of(c));
            let reason = if c.source == RouteSource::User && first.source == RouteSource::User {
                Why::UserRouteSamePrefix {
                    winner_route: first.origin.route_name().unwrap_or_default().to_string(),
                    winner_tag: tag_of(first).map(str::to_string),
                }
            } else if c.source == first.source {
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

fn system_rank(t: NextHopType, connected_group_first: bool) -> u8 {
    match t {
        NextHopType::VnetLocal => 0,
        NextHopType::ConnectedGroup if connected_group_first => 1,
        NextHopType::VNetPeering | NextHopType::VNetGlobalPeering => 2,
        NextHopType::ConnectedGroup => 3,
        NextHopType::VirtualNetworkServiceEndpoint => 4,
        NextHopType::InterfaceEndpoint => 5,
        NextHopType::None => 6,
        NextHopType::Internet => 7,
        NextHopType::VirtualNetworkGateway | NextHopType::VirtualAppliance => 8,
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
        let Some(pe) = net.private_endpoints.get(*id) else {
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

#[cfg(test)]
mod tests {
    use super::super::testutil::{hop, row, rows, table};
    use super::super::types::{Outranked, Why};
    use crate::model::{NextHopType as H, RouteSource as S, RouteState::*};

    /// Hub with a private endpoint (policies POLICY), spoke with route table UDRS.
    fn hub_spoke(policy: &str, udrs: &str) -> String {
        format!(
            r#"Scenario(
            vnets: [
                (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [
                    (name: "fw", prefix: "10.0.1.0/24"),
                    (name: "pe", prefix: "10.0.2.0/24", private_endpoint_network_policies: {policy})]),
                (name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24", route_table: "rt")]),
            ],
            peerings: [(between: ("hub", "spoke"))],
            route_tables: [(name: "rt", routes: [{udrs}])],
            private_endpoints: [(name: "pe1", subnet: "hub/pe", ip: "10.0.2.4")],
        )"#
        )
    }

    fn udr(name: &str, prefix: &str) -> String {
        format!(r#"(name: "{name}", prefix: "{prefix}", next_hop: VirtualAppliance("10.0.1.4")),"#)
    }

    #[test]
    fn zero_default_udr_does_not_override_pe_host_route() {
        for policy in [
            "Disabled",
            "Enabled",
            "RouteTableEnabled",
            "NetworkSecurityGroupEnabled",
        ] {
            let t = table(&hub_spoke(policy, &udr("d", "0.0.0.0/0")), "spoke/app");
            assert_eq!(row(&t, "10.0.2.4/32", S::Default).state, Active, "{policy}");
            assert_eq!(hop(&t, "10.0.2.4"), H::InterfaceEndpoint, "{policy}");
        }
    }

    #[test]
    fn same_prefix_user_route_invalidates_the_system_route() {
        let t = table(&hub_spoke("Disabled", &udr("d", "0.0.0.0/0")), "spoke/app");
        let system = row(&t, "0.0.0.0/0", S::Default);
        assert_eq!(system.state, Invalid);
        assert!(matches!(
            system.why,
            Why::OutrankedBySamePrefix {
                winner: S::User,
                ..
            }
        ));
        assert!(
            matches!(&row(&t, "0.0.0.0/0", S::User).why, Why::OutranksSamePrefix { outranked } if outranked == &[Outranked { source: S::Default, next_hop: H::Internet }])
        );
    }

    #[test]
    fn udr_can_override_the_vnet_and_peering_system_routes() {
        let t = table(
            &hub_spoke(
                "Disabled",
                &(udr("own", "10.1.0.0/16") + &udr("hub", "10.0.0.0/16")),
            ),
            "spoke/app",
        );
        assert_eq!(row(&t, "10.1.0.0/16", S::Default).state, Invalid);
        assert_eq!(row(&t, "10.0.0.0/16", S::Default).state, Invalid);
        assert_eq!(hop(&t, "10.1.9.9"), H::VirtualAppliance);
        assert_eq!(hop(&t, "10.0.9.9"), H::VirtualAppliance);
    }

    #[test]
    fn vnet_wide_udr_invalidates_pe_host_route_with_route_table_policies() {
        for policy in ["RouteTableEnabled", "Enabled"] {
            let t = table(&hub_spoke(policy, &udr("hub", "10.0.0.0/16")), "spoke/app");
            let pe = row(&t, "10.0.2.4/32", S::Default);
            assert_eq!(pe.state, Invalid, "{policy}");
            assert!(
                matches!(&pe.why, Why::PrivateEndpointNetworkPolicy { route, .. } if route == "hub")
            );
            assert_eq!(hop(&t, "10.0.2.4"), H::VirtualAppliance, "{policy}");
        }
    }

    #[test]
    fn pe_subnet_udr_also_qualifies_being_longer_than_the_vnet_prefix() {
        let t = table(
            &hub_spoke("RouteTableEnabled", &udr("pe-subnet", "10.0.2.0/24")),
            "spoke/app",
        );
        assert_eq!(row(&t, "10.0.2.4/32", S::Default).state, Invalid);
        assert_eq!(hop(&t, "10.0.2.4"), H::VirtualAppliance);
    }

    #[test]
    fn udr_shorter_than_the_pe_vnet_prefix_does_not_invalidate_the_pe_route() {
        let t = table(
            &hub_spoke("Enabled", &udr("ten", "10.0.0.0/8")),
            "spoke/app",
        );
        assert_eq!(row(&t, "10.0.2.4/32", S::Default).state, Active);
        assert_eq!(hop(&t, "10.0.2.4"), H::InterfaceEndpoint);
    }

    #[test]
    fn without_route_table_policies_a_vnet_wide_udr_does_not_invalidate_the_pe_route() {
        for policy in ["Disabled", "NetworkSecurityGroupEnabled"] {
            let t = table(&hub_spoke(policy, &udr("hub", "10.0.0.0/16")), "spoke/app");
            assert_eq!(row(&t, "10.0.2.4/32", S::Default).state, Active, "{policy}");
            assert_eq!(hop(&t, "10.0.2.4"), H::InterfaceEndpoint, "{policy}");
        }
    }

    #[test]
    fn host_udr_beats_the_pe_route_whatever_the_policy() {
        let t = table(
            &hub_spoke("Disabled", &udr("host", "10.0.2.4/32")),
            "spoke/app",
        );
        let pe = row(&t, "10.0.2.4/32", S::Default);
        assert!(matches!(
            pe.why,
            Why::OutrankedBySamePrefix {
                winner: S::User,
                ..
            }
        ));
        assert_eq!(hop(&t, "10.0.2.4"), H::VirtualAppliance);
    }

    #[test]
    fn pe_policy_compares_with_the_pe_vnet_prefix_that_holds_the_endpoint() {
        // The hub has a /16 and a /24; the endpoint lives in the /24, so a /20 UDR is too broad.
        let doc = hub_spoke("RouteTableEnabled", &udr("wide", "172.20.0.0/20"))
            .replace(
                r#"address_space: ["10.0.0.0/16"]"#,
                r#"address_space: ["10.0.0.0/16", "172.20.5.0/24"]"#,
            )
            .replace(
                r#"(name: "pe", prefix: "10.0.2.0/24""#,
                r#"(name: "pe", prefix: "172.20.5.0/24""#,
            )
            .replace(r#"ip: "10.0.2.4""#, r#"ip: "172.20.5.4""#);
        let t = table(&doc, "spoke/app");
        assert_eq!(row(&t, "172.20.5.4/32", S::Default).state, Active);
        let narrow = table(&doc.replace("172.20.0.0/20", "172.20.5.0/24"), "spoke/app");
        assert_eq!(row(&narrow, "172.20.5.4/32", S::Default).state, Invalid);
    }

    const BGP: &str = r#"Scenario(
        vnets: [
            (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "GatewaySubnet", prefix: "10.0.255.0/27"), (name: "app", prefix: "10.0.1.0/24", route_table: "rt")]),
            (name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24")]),
        ],
        peerings: [(between: ("hub", "spoke"))],
        service_endpoint_prefixes: [(service: "Microsoft.Sql", prefixes: ["40.64.0.0/16"])],
        route_tables: [(name: "rt", routes: [(name: "onprem", prefix: "172.30.0.0/16", next_hop: VirtualAppliance("10.0.1.10"))])],
        gateways: [(name: "gw", vnet: "hub", kind: ExpressRoute, instance_ips: ["10.0.255.4"], learned: [
            (prefix: "0.0.0.0/0"), (prefix: "10.0.7.0/24"), (prefix: "10.1.0.0/16"), (prefix: "172.30.0.0/16"), (prefix: "40.64.1.0/24")])],
    )"#;

    #[test]
    fn bgp_outranks_a_system_route_with_the_same_prefix() {
        let t = table(BGP, "hub/app");
        assert_eq!(row(&t, "0.0.0.0/0", S::VirtualNetworkGateway).state, Active);
        assert_eq!(row(&t, "0.0.0.0/0", S::Default).state, Invalid);
        assert_eq!(hop(&t, "8.8.8.8"), H::VirtualNetworkGateway);
    }

    #[test]
    fn user_route_outranks_bgp_with_the_same_prefix() {
        let t = table(BGP, "hub/app");
        assert_eq!(row(&t, "172.30.0.0/16", S::User).state, Active);
        let bgp = row(&t, "172.30.0.0/16", S::VirtualNetworkGateway);
        assert!(matches!(
            bgp.why,
            Why::OutrankedBySamePrefix {
                winner: S::User,
                ..
            }
        ));
    }

    #[test]
    fn vnet_system_route_is_preferred_over_a_more_specific_bgp_route() {
        let t = table(BGP, "hub/app");
        let bgp = row(&t, "10.0.7.0/24", S::VirtualNetworkGateway);
        assert!(matches!(
            bgp.why,
            Why::SystemRoutePreferredOverBgp {
                system_next_hop: H::VnetLocal,
                ..
            }
        ));
        assert_eq!(hop(&t, "10.0.7.1"), H::VnetLocal);
    }

    #[test]
    fn peering_system_route_is_preferred_over_an_equal_bgp_route() {
        let t = table(BGP, "hub/app");
        assert_eq!(
            row(&t, "10.1.0.0/16", S::VirtualNetworkGateway).state,
            Invalid
        );
        assert_eq!(row(&t, "10.1.0.0/16", S::Default).state, Active);
        assert_eq!(hop(&t, "10.1.1.1"), H::VNetPeering);
    }

    #[test]
    fn service_endpoint_route_is_preferred_over_a_more_specific_bgp_route() {
        let t = table(
            &BGP.replace(
                r#"route_table: "rt")"#,
                r#"route_table: "rt", service_endpoints: ["Microsoft.Sql"])"#,
            ),
            "hub/app",
        );
        assert!(matches!(
            row(&t, "40.64.1.0/24", S::VirtualNetworkGateway).why,
            Why::SystemRoutePreferredOverBgp {
                system_next_hop: H::VirtualNetworkServiceEndpoint,
                ..
            }
        ));
        assert_eq!(hop(&t, "40.64.1.1"), H::VirtualNetworkServiceEndpoint);
        // Without the service endpoint the BGP route is an ordinary, Active route.
        let plain = table(BGP, "hub/app");
        assert_eq!(
            row(&plain, "40.64.1.0/24", S::VirtualNetworkGateway).state,
            Active
        );
    }

    #[test]
    fn every_prefix_has_exactly_one_active_source() {
        // BGP offers three sources at 0/0 and two at 172.30/16; BGP routes behind a VNet or
        // peering system route (10.0.7.0/24, 10.1.0.0/16) are decided across prefixes.
        let t = table(BGP, "hub/app");
        let mut prefixes: Vec<_> = t.routes().iter().map(|r| r.prefix).collect();
        prefixes.sort();
        prefixes.dedup();
        assert!(prefixes.len() >= 8, "{prefixes:?}");
        for p in prefixes {
            let at = rows(&t, &p.to_string());
            let contenders: Vec<_> = at
                .iter()
                .filter(|r| !matches!(r.why, Why::SystemRoutePreferredOverBgp { .. }))
                .collect();
            if contenders.is_empty() {
                assert_eq!(
                    p.to_string(),
                    "10.0.7.0/24",
                    "only the BGP /24 inside the VNet"
                );
                continue;
            }
            let sources: std::collections::BTreeSet<_> = contenders
                .iter()
                .filter(|r| r.state == Active)
                .map(|r| r.source)
                .collect();
            assert_eq!(sources.len(), 1, "{p}: {sources:?}");
            let best = contenders.iter().map(|r| r.source.precedence()).max();
            assert_eq!(sources.first().map(|s| s.precedence()), best, "{p}");
        }
    }
}
