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
