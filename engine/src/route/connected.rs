//! `ConnectedGroup` routes: what an Azure Virtual Network Manager connected group (a mesh, or
//! spokes with direct connectivity) adds to a member's effective routes (Microsoft Learn,
//! <https://learn.microsoft.com/azure/virtual-network-manager/concept-connectivity-configuration>
//! and <https://learn.microsoft.com/azure/virtual-network-manager/concept-limitations>).
//!
//! - Each address prefix of every member the VNet is connected with (the same region, or any
//!   region in a global mesh) is a system route with next hop type `ConnectedGroup`.
//! - Overlapping address space is allowed in a group, but "communication to an overlapped IP
//!   address is dropped": azpath shows the overlapping range as a `None` route.
//! - When a member is peered with a VNet outside the group whose space overlaps a member's, the
//!   overlap is inaccessible within the group: that member keeps its peering route to the
//!   outside VNet, the other members drop the range.
//! - A VNet's own address space is never taken over: an overlap with the VNet's own space is only
//!   left out of its connected-group routes (an assumption: Azure does not say).

use ipnet::IpNet;

use super::types::{Candidate, Origin};
use crate::model::{Network, NextHop, NextHopType, RouteSource, VnetId};

/// Who holds an address prefix, seen from the VNet whose table is built.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Owner {
    /// The VNet itself.
    Own,
    /// A member it is connected with.
    Member(VnetId),
    /// A VNet outside the group, peered with a member; `direct` when peered with this VNet.
    Outside { vnet: VnetId, direct: bool },
}

/// The `ConnectedGroup` routes of `vnet`, and `None` routes for the overlapped ranges.
pub fn connected_group(net: &Network, vnet: VnetId) -> Vec<Candidate> {
    let members = net.connected_group_peers(vnet);
    if members.is_empty() {
        return Vec::new();
    }
    let owners = owners(net, vnet, &members);
    let mut out = Vec::new();
    let mut dropped: Vec<IpNet> = Vec::new();
    for &m in &members {
        let (Some(remote), Some(group)) = (net.vnet(m), net.connected_group_of(vnet, m)) else {
            continue;
        };
        let group_name = group.name();
        for p in &remote.address_space {
            let conflicts: Vec<&(IpNet, Owner)> = owners
                .iter()
                .filter(|(q, o)| *o != Owner::Member(m) && overlaps(*p, *q))
                .collect();
            // The part of `p` that overlaps: `p` itself when another holder covers it, else
            // each more specific prefix inside it.
            let covered = conflicts.iter().find(|(q, _)| q.contains(p));
            let ranges: Vec<(IpNet, Owner)> = match covered {
                Some((_, o)) => vec![(*p, *o)],
                None => {
                    out.push(route(
                        *p,
                        NextHopType::ConnectedGroup,
                        Origin::ConnectedGroup {
                            group: group_name.clone(),
                            remote_vnet: remote.name.clone(),
                        },
                    ));
                    conflicts.iter().map(|(q, o)| (*q, *o)).collect()
                }
            };
            for (range, other) in ranges {
                // Its own space, or its own peering's: that route carries the range.
                let local = matches!(other, Owner::Own | Owner::Outside { direct: true, .. });
                if local || dropped.contains(&range) {
                    continue;
                }
                dropped.push(range);
                out.push(route(
                    range,
                    NextHopType::None,
                    Origin::ConnectedGroupOverlap {
                        group: group_name.clone(),
                        vnets: vec![remote.name.clone(), owner_name(net, vnet, other)],
                    },
                ));
            }
        }
    }
    out
}

/// Every address prefix that matters to `vnet`'s group routes, with its holder: its own, the
/// connected members', and those of VNets outside the group peered with a member.
fn owners(net: &Network, vnet: VnetId, members: &[VnetId]) -> Vec<(IpNet, Owner)> {
    let space = |v: VnetId| {
        net.vnet(v)
            .map(|x| x.address_space.clone())
            .unwrap_or_default()
    };
    let mut out: Vec<(IpNet, Owner)> = space(vnet).into_iter().map(|p| (p, Owner::Own)).collect();
    for &m in members {
        out.extend(space(m).into_iter().map(|p| (p, Owner::Member(m))));
    }
    let direct: Vec<VnetId> = net.connected_peers(vnet).map(|(_, r)| r).collect();
    for &m in members.iter().chain(std::iter::once(&vnet)) {
        for (_, outside) in net.connected_peers(m) {
            if outside == vnet || members.binary_search(&outside).is_ok() {
                continue;
            }
            let owner = Owner::Outside {
                vnet: outside,
                direct: direct.contains(&outside),
            };
            for p in space(outside) {
                if !out.contains(&(p, owner)) {
                    out.push((p, owner));
                }
            }
        }
    }
    out
}

fn owner_name(net: &Network, vnet: VnetId, owner: Owner) -> String {
    let id = match owner {
        Owner::Own => vnet,
        Owner::Member(v) | Owner::Outside { vnet: v, .. } => v,
    };
    net.vnet(id).map(|v| v.name.clone()).unwrap_or_default()
}

/// Whether two prefixes share an address (one contains the other).
fn overlaps(a: IpNet, b: IpNet) -> bool {
    a.contains(&b) || b.contains(&a)
}

fn route(prefix: IpNet, next_hop_type: NextHopType, origin: Origin) -> Candidate {
    Candidate {
        source: RouteSource::Default,
        prefix,
        next_hop: NextHop::of(next_hop_type),
        origin,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{hop, row, rows, table};
    use super::super::types::{Origin, Why};
    use crate::model::{NextHopType as H, RouteSource as S, RouteState};

    /// VNets `a` (eastus, 10.1/16), `b` (eastus, 10.2/16), `c` (westus, 10.3/16) and `EXTRA`
    /// declarations.
    fn net(extra: &str) -> String {
        format!(
            r#"Scenario(
            vnets: [
                (name: "a", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "s", prefix: "10.1.1.0/24")]),
                (name: "b", region: "eastus", address_space: ["10.2.0.0/16"], subnets: [(name: "s", prefix: "10.2.1.0/24")]),
                (name: "c", region: "westus", address_space: ["10.3.0.0/16"], subnets: [(name: "s", prefix: "10.3.1.0/24")]),
                (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "s", prefix: "10.0.1.0/24")]),
            ],
            {extra}
        )"#
        )
    }

    fn mesh(global: bool) -> String {
        net(&format!(
            r#"connectivity_configurations: [(name: "m", topology: Mesh(members: ["a", "b", "c"], global: {global}))],"#
        ))
    }

    #[test]
    fn mesh_members_show_each_other_with_next_hop_connected_group() {
        let t = table(&mesh(false), "a/s");
        let r = row(&t, "10.2.0.0/16", S::Default);
        assert_eq!(r.next_hop.next_hop_type, H::ConnectedGroup);
        assert_eq!(r.state, RouteState::Active);
        assert!(
            matches!(r.origin, Origin::ConnectedGroup { ref remote_vnet, .. } if remote_vnet == "b")
        );
    }

    #[test]
    fn regional_mesh_connects_only_vnets_in_the_same_region() {
        let t = table(&mesh(false), "a/s");
        assert!(rows(&t, "10.3.0.0/16").is_empty());
        assert_eq!(hop(&t, "10.3.1.4"), H::None);
    }

    #[test]
    fn global_mesh_connects_vnets_across_regions() {
        let t = table(&mesh(true), "a/s");
        assert_eq!(hop(&t, "10.3.1.4"), H::ConnectedGroup);
        let t = table(&mesh(true), "c/s");
        assert_eq!(hop(&t, "10.1.1.4"), H::ConnectedGroup);
    }

    #[test]
    fn connected_group_members_have_no_peering_objects() {
        let loaded = crate::load_str("t.ron", &mesh(false)).unwrap_or_else(|e| panic!("{e}"));
        assert!(loaded.network.peerings.is_empty());
    }

    fn hub_spoke(group: &str) -> String {
        net(&format!(
            r#"connectivity_configurations: [(name: "hs", topology: HubAndSpoke(hub: "hub", spoke_groups: [{group}]))],"#
        ))
    }

    #[test]
    fn hub_and_spoke_routes_show_vnet_peering_and_spokes_with_direct_connectivity_connected_group()
    {
        let t = table(
            &hub_spoke(r#"(name: "prod", members: ["a", "b"], direct_connectivity: true)"#),
            "a/s",
        );
        assert_eq!(hop(&t, "10.0.1.4"), H::VNetPeering);
        assert_eq!(hop(&t, "10.2.1.4"), H::ConnectedGroup);
        // The hub is peered, not in the group.
        assert_eq!(rows(&t, "10.0.0.0/16").len(), 1);
    }

    #[test]
    fn hub_and_spoke_without_direct_connectivity_leaves_spokes_unconnected() {
        let t = table(&hub_spoke(r#"(name: "test", members: ["a", "b"])"#), "a/s");
        assert_eq!(hop(&t, "10.0.1.4"), H::VNetPeering);
        assert_eq!(hop(&t, "10.2.1.4"), H::None);
    }

    #[test]
    fn hub_and_spoke_across_regions_is_global_peering_and_direct_connectivity_needs_global_mesh() {
        let regional = hub_spoke(r#"(name: "g", members: ["a", "c"], direct_connectivity: true)"#);
        let t = table(&regional, "c/s");
        assert_eq!(hop(&t, "10.0.1.4"), H::VNetGlobalPeering);
        assert_eq!(hop(&t, "10.1.1.4"), H::None);
        let global = hub_spoke(
            r#"(name: "g", members: ["a", "c"], direct_connectivity: true, global: true)"#,
        );
        assert_eq!(hop(&table(&global, "c/s"), "10.1.1.4"), H::ConnectedGroup);
    }

    #[test]
    fn direct_connectivity_includes_the_hub_only_when_assumed() {
        let group = r#"(name: "prod", members: ["a", "b"], direct_connectivity: true)"#;
        let with_hub = hub_spoke(group).replace(
            "Scenario(",
            "Scenario(assumptions: (direct_connectivity_includes_hub: true),",
        );
        let t = table(&with_hub, "a/s");
        // Both rows for the hub; the peering row wins.
        let hub_rows = rows(&t, "10.0.0.0/16");
        assert_eq!(hub_rows.len(), 2);
        assert_eq!(hop(&t, "10.0.1.4"), H::VNetPeering);
    }

    #[test]
    fn use_hub_as_gateway_brings_the_hub_gateway_routes_to_the_spokes() {
        let doc = hub_spoke(r#"(name: "prod", members: ["a"], use_hub_as_gateway: true)"#).replace(
            "connectivity_configurations",
            r#"gateways: [(name: "vpn", vnet: "hub", kind: Vpn, instance_ips: ["10.0.255.4"], learned: [(prefix: "192.168.0.0/16")])],
            connectivity_configurations"#,
        );
        let doc = doc.replace(
            r#"subnets: [(name: "s", prefix: "10.0.1.0/24")]"#,
            r#"subnets: [(name: "s", prefix: "10.0.1.0/24"), (name: "GatewaySubnet", prefix: "10.0.255.0/27")]"#,
        );
        let t = table(&doc, "a/s");
        assert_eq!(hop(&t, "192.168.1.1"), H::VirtualNetworkGateway);
    }

    #[test]
    fn use_hub_as_gateway_without_a_hub_gateway_leaves_the_peering_unconnected() {
        let doc = hub_spoke(r#"(name: "prod", members: ["a"], use_hub_as_gateway: true)"#);
        let loaded = crate::load_str("t.ron", &doc).unwrap_or_else(|e| panic!("{e}"));
        assert!(loaded
            .warnings
            .iter()
            .any(|d| d.message.contains("has no gateway")));
        let t = table(&doc, "a/s");
        assert_eq!(hop(&t, "10.0.1.4"), H::None);
    }

    #[test]
    fn same_prefix_udr_overrides_the_connected_group_route() {
        let doc = mesh(false)
            .replace(
                r#"(name: "s", prefix: "10.1.1.0/24")"#,
                r#"(name: "s", prefix: "10.1.1.0/24", route_table: "rt")"#,
            )
            .replace(
                "connectivity_configurations",
                r#"route_tables: [(name: "rt", routes: [(name: "b", prefix: "10.2.0.0/16", next_hop: None)])],
                connectivity_configurations"#,
            );
        let t = table(&doc, "a/s");
        let cg = row(&t, "10.2.0.0/16", S::Default);
        assert_eq!(cg.state, RouteState::Invalid);
        assert_eq!(row(&t, "10.2.0.0/16", S::User).state, RouteState::Active);
    }

    #[test]
    fn more_specific_bgp_route_loses_to_the_connected_group_unless_assumed_otherwise() {
        let doc = |assume: bool| {
            mesh(false)
                .replace(
                    r#"(name: "s", prefix: "10.1.1.0/24")"#,
                    r#"(name: "s", prefix: "10.1.1.0/24"), (name: "GatewaySubnet", prefix: "10.1.255.0/27")"#,
                )
                .replace(
                    "connectivity_configurations",
                    r#"gateways: [(name: "vpn", vnet: "a", kind: Vpn, instance_ips: ["10.1.255.4"], learned: [(prefix: "10.2.5.0/24")])],
                    connectivity_configurations"#,
                )
                .replace(
                    "Scenario(",
                    &format!("Scenario(assumptions: (bgp_more_specific_beats_connected_group: {assume}),"),
                )
        };
        let t = table(&doc(false), "a/s");
        let bgp = row(&t, "10.2.5.0/24", S::VirtualNetworkGateway);
        assert!(matches!(
            bgp.why,
            Why::SystemRoutePreferredOverBgp {
                system_next_hop: H::ConnectedGroup,
                ..
            }
        ));
        assert_eq!(hop(&t, "10.2.5.4"), H::ConnectedGroup);
        let t = table(&doc(true), "a/s");
        assert_eq!(hop(&t, "10.2.5.4"), H::VirtualNetworkGateway);
    }

    #[test]
    fn peering_route_wins_over_the_connected_group_for_a_peered_member_unless_assumed() {
        let doc = |assume: bool| {
            mesh(false).replace(
                "connectivity_configurations",
                &format!(
                    r#"assumptions: (connected_group_wins_over_peering: {assume}),
                    peerings: [(between: ("a", "b"))],
                    connectivity_configurations"#
                ),
            )
        };
        let t = table(&doc(false), "a/s");
        assert_eq!(rows(&t, "10.2.0.0/16").len(), 2);
        assert_eq!(hop(&t, "10.2.1.4"), H::VNetPeering);
        let cg = rows(&t, "10.2.0.0/16")
            .into_iter()
            .find(|r| r.next_hop.next_hop_type == H::ConnectedGroup);
        assert!(cg.is_some_and(|r| r.state == RouteState::Invalid));
        let t = table(&doc(true), "a/s");
        assert_eq!(hop(&t, "10.2.1.4"), H::ConnectedGroup);
    }

    #[test]
    fn overlapping_members_lose_the_overlapped_addresses() {
        // `d` overlaps `b` inside 10.2.5.0/24.
        let doc = net(
            r#"connectivity_configurations: [(name: "m", topology: Mesh(members: ["a", "b", "d"]))],"#,
        )
        .replace(
            r#"(name: "hub","#,
            r#"(name: "d", region: "eastus", address_space: ["10.2.5.0/24"], subnets: [(name: "s", prefix: "10.2.5.0/25")]),
                (name: "hub","#,
        );
        let t = table(&doc, "a/s");
        // The rest of b is reached; the overlapped range is dropped.
        assert_eq!(hop(&t, "10.2.1.4"), H::ConnectedGroup);
        assert_eq!(hop(&t, "10.2.5.4"), H::None);
        let dropped = row(&t, "10.2.5.0/24", S::Default);
        assert!(matches!(
            dropped.origin,
            Origin::ConnectedGroupOverlap { .. }
        ));
        // The overlapping members keep their own space.
        let t = table(&doc, "d/s");
        assert_eq!(hop(&t, "10.2.5.4"), H::VnetLocal);
        assert_eq!(hop(&t, "10.2.1.4"), H::ConnectedGroup);
    }

    #[test]
    fn overlap_with_a_peered_outside_vnet_goes_to_that_vnet_from_its_peer_and_is_dropped_elsewhere()
    {
        // `x` is outside the mesh, peered with `a`, and overlaps member `b`.
        let doc = net(
            r#"peerings: [(between: ("a", "x"))],
            connectivity_configurations: [(name: "m", topology: Mesh(members: ["a", "b", "hub"]))],"#,
        )
        .replace(
            r#"(name: "hub","#,
            r#"(name: "x", region: "eastus", address_space: ["10.2.0.0/16"], subnets: [(name: "s", prefix: "10.2.1.0/24")]),
                (name: "hub","#,
        );
        let t = table(&doc, "a/s");
        assert_eq!(hop(&t, "10.2.1.4"), H::VNetPeering);
        let t = table(&doc, "hub/s");
        assert_eq!(hop(&t, "10.2.1.4"), H::None);
    }

    #[test]
    fn disallowed_address_overlap_refuses_the_configuration() {
        let doc = net(
            r#"connectivity_configurations: [(name: "m", topology: Mesh(members: ["a", "d"]), address_overlap: Disallowed)],"#,
        )
        .replace(
            r#"(name: "hub","#,
            r#"(name: "d", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "s", prefix: "10.1.1.0/24")]),
                (name: "hub","#,
        );
        let err = crate::load_str("t.ron", &doc).err().map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("disallows overlapping address spaces")),
            "{err:?}"
        );
    }

    #[test]
    fn private_endpoints_are_reached_across_the_connected_group() {
        let doc = mesh(false).replace(
            "connectivity_configurations",
            r#"private_endpoints: [(name: "pe", subnet: "b/s", ip: "10.2.1.10")],
            connectivity_configurations"#,
        );
        let t = table(&doc, "a/s");
        assert_eq!(hop(&t, "10.2.1.10"), H::InterfaceEndpoint);
    }
}
