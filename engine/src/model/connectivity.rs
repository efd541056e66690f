//! Azure Virtual Network Manager connected groups in resolved form
//! (<https://learn.microsoft.com/azure/virtual-network-manager/concept-connectivity-configuration>).
//!
//! A mesh, and the spokes of a hub-and-spoke spoke group with direct connectivity, form a
//! *connected group*: its VNets reach each other without peering objects, and their effective
//! routes show the other members' prefixes with next hop type `ConnectedGroup`. The hub-and-spoke
//! peerings themselves are ordinary [`super::Peering`]s, made by the resolver.

pub use crate::scenario::AddressOverlap;

use super::{Network, VnetId};
use crate::scenario::Span;

/// A connected group: a mesh, or a spoke group with direct connectivity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectedGroup {
    /// The connectivity configuration that creates it.
    pub configuration: String,
    /// The spoke network group, for hub-and-spoke direct connectivity.
    pub spoke_group: Option<String>,
    /// Its member VNets, sorted.
    pub members: Vec<VnetId>,
    /// Global mesh: members in different regions connect; otherwise only same-region ones do.
    pub global: bool,
    /// Where it was declared.
    pub span: Span,
}

impl ConnectedGroup {
    /// The group's display name: `configuration` or `configuration/spoke group`.
    pub fn name(&self) -> String {
        match &self.spoke_group {
            Some(g) => format!("{}/{g}", self.configuration),
            None => self.configuration.clone(),
        }
    }
}

impl Network {
    /// Whether `a` and `b` (two different VNets) share a connected group that connects them:
    /// the same region, or a global mesh.
    pub fn connected_group_links(&self, a: VnetId, b: VnetId) -> bool {
        self.connected_group_of(a, b).is_some()
    }

    /// The first connected group that connects `a` with `b`.
    pub fn connected_group_of(&self, a: VnetId, b: VnetId) -> Option<&ConnectedGroup> {
        if a == b {
            return None;
        }
        let same_region = || match (self.vnet(a), self.vnet(b)) {
            (Some(x), Some(y)) => x.region == y.region,
            _ => false,
        };
        self.connected_groups.iter().find(|g| {
            g.members.binary_search(&a).is_ok()
                && g.members.binary_search(&b).is_ok()
                && (g.global || same_region())
        })
    }

    /// The VNets `vnet` reaches through its connected groups, sorted, without repeats.
    pub fn connected_group_peers(&self, vnet: VnetId) -> Vec<VnetId> {
        if self.connected_groups.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<VnetId> = self
            .connected_groups
            .iter()
            .filter(|g| g.members.binary_search(&vnet).is_ok())
            .flat_map(|g| g.members.iter().copied())
            .filter(|m| self.connected_group_links(vnet, *m))
            .collect();
        out.sort();
        out.dedup();
        out
    }
}
