//! AVNM connectivity configurations (Microsoft Learn, "Connectivity configurations in Azure
//! Virtual Network Manager" and "Limitations with Azure Virtual Network Manager"): a hub-and-spoke
//! configuration peers the hub with every spoke (gateway transit when the spokes use the hub as
//! a gateway); a mesh, and each spoke group with direct connectivity, is a connected group.

use std::collections::BTreeMap;

use super::{find, Resolver};
use crate::model::addr::{first_overlap, sorted_by_start};
use crate::model::*;
use crate::scenario::{self as doc, Text};

/// Default (soft) limit of VNets in one connected group.
pub const MAX_CONNECTED_GROUP_MEMBERS: usize = 250;
/// Default (soft) limit of connected groups one VNet is part of.
pub const MAX_CONNECTED_GROUPS_PER_VNET: usize = 2;

impl Resolver {
    /// The connectivity configurations, after the declared peerings (Azure keeps existing
    /// peerings: a hub-and-spoke pair already peered is left as it is).
    pub(super) fn connectivity_configurations(
        &mut self,
        configs: &[doc::ConnectivityConfigurationDoc],
        gateways: &[doc::GatewayDoc],
    ) {
        let mut seen = BTreeMap::new();
        for c in configs {
            if !self.unique(&mut seen, &c.name, "connectivity configuration") {
                continue;
            }
            match &c.topology {
                doc::TopologyDoc::Mesh { members, global } => {
                    let Some(members) = self.group_members(members, None) else {
                        continue;
                    };
                    self.connected_group(c, None, members, *global);
                }
                doc::TopologyDoc::HubAndSpoke { hub, spoke_groups } => {
                    self.hub_and_spoke(c, hub, spoke_groups, gateways);
                }
            }
        }
        self.connected_group_limits(configs);
    }

    fn hub_and_spoke(
        &mut self,
        c: &doc::ConnectivityConfigurationDoc,
        hub: &Text,
        groups: &[doc::SpokeGroupDoc],
        gateways: &[doc::GatewayDoc],
    ) {
        let Some(hub_id) = self.found(find(&self.vnet_ids, hub, "vnet")) else {
            return;
        };
        let hub_has_gateway = gateways.iter().any(|g| g.vnet.value == hub.value);
        let mut names = BTreeMap::new();
        for g in groups {
            if !self.unique(&mut names, &g.name, "spoke network group") {
                continue;
            }
            let Some(members) = self.group_members(&g.members, Some((hub_id, hub))) else {
                continue;
            };
            for spoke in &g.members {
                self.hub_spoke_peering(hub, spoke, g.use_hub_as_gateway, hub_has_gateway);
            }
            if g.direct_connectivity {
                let mut members = members;
                if self.net.assumptions.direct_connectivity_includes_hub {
                    members.push(hub_id);
                    members.sort();
                }
                self.connected_group(c, Some(&g.name.value), members, g.global);
            }
        }
    }

    /// The peering AVNM creates between the hub and one spoke, unless the pair is already
    /// peered. With "use hub as a gateway" and no gateway in the hub, the spoke-to-hub link fails
    /// and the hub-to-spoke link is created unconnected: the peering is `Initiated`.
    fn hub_spoke_peering(
        &mut self,
        hub: &Text,
        spoke: &Text,
        use_hub_as_gateway: bool,
        hub_has_gateway: bool,
    ) {
        let (Some(h), Some(s)) = (
            self.vnet_ids.get(&hub.value).copied(),
            self.vnet_ids.get(&spoke.value).copied(),
        ) else {
            return;
        };
        if self.peers(h).contains(&s) {
            return;
        }
        let failed = use_hub_as_gateway && !hub_has_gateway;
        if failed {
            self.warn(
                spoke.span,
                format!(
                    "spoke `{}` uses the hub as a gateway, but hub `{}` has no gateway: Azure fails the spoke-to-hub peering and leaves hub-to-spoke unconnected",
                    spoke.value, hub.value
                ),
                Some("add a VPN or ExpressRoute gateway to the hub, or turn off `use_hub_as_gateway`".into()),
            );
        }
        let peering = doc::PeeringDoc {
            between: (hub.clone(), spoke.clone()),
            allow_virtual_network_access: true,
            allow_forwarded_traffic: !self.net.assumptions.avnm_peerings_deny_forwarded_traffic,
            gateway_transit: (use_hub_as_gateway && hub_has_gateway).then(|| hub.clone()),
            state: if failed {
                doc::PeeringState::Initiated
            } else {
                doc::PeeringState::Connected
            },
        };
        self.peering(&peering);
    }

    /// The members of a network group, each named once, none the hub.
    fn group_members(
        &mut self,
        names: &[Text],
        hub: Option<(VnetId, &Text)>,
    ) -> Option<Vec<VnetId>> {
        let mut out = Vec::new();
        let mut ok = true;
        for n in names {
            let Some(id) = self.found(find(&self.vnet_ids, n, "vnet")) else {
                ok = false;
                continue;
            };
            if hub.is_some_and(|(h, _)| h == id) {
                self.error(
                    n.span,
                    format!("hub `{}` is listed as its own spoke", n.value),
                    Some("a hub-and-spoke configuration peers the hub with the spokes; leave the hub out of the spoke groups".into()),
                );
                ok = false;
                continue;
            }
            if out.contains(&id) {
                self.error(
                    n.span,
                    format!("vnet `{}` is listed twice in one network group", n.value),
                    Some("name each member once".into()),
                );
                ok = false;
                continue;
            }
            out.push(id);
        }
        out.sort();
        ok.then_some(out)
    }

    fn connected_group(
        &mut self,
        c: &doc::ConnectivityConfigurationDoc,
        spoke_group: Option<&str>,
        members: Vec<VnetId>,
        global: bool,
    ) {
        if c.address_overlap == AddressOverlap::Disallowed {
            if let Some(message) = self.member_overlap(&members) {
                self.error(
                    c.name.span,
                    format!(
                        "connectivity configuration `{}` disallows overlapping address spaces, but {message}",
                        c.name.value
                    ),
                    Some("Azure refuses the member; change its address space or allow overlap".into()),
                );
                return;
            }
        }
        if members.len() > MAX_CONNECTED_GROUP_MEMBERS {
            self.warn(
                c.name.span,
                format!(
                    "connected group of `{}` has {} VNets, over Azure's default limit of {MAX_CONNECTED_GROUP_MEMBERS}",
                    c.name.value,
                    members.len()
                ),
                Some("the limit is raised on request; azpath connects them all".into()),
            );
        }
        self.net.connected_groups.push(ConnectedGroup {
            configuration: c.name.value.clone(),
            spoke_group: spoke_group.map(str::to_string),
            members,
            global,
            span: c.name.span,
        });
    }

    /// The first two members whose address spaces overlap, as a phrase.
    fn member_overlap(&self, members: &[VnetId]) -> Option<String> {
        for (i, a) in members.iter().enumerate() {
            for b in members.iter().skip(i + 1) {
                let (Some(va), Some(vb)) = (self.net.vnet(*a), self.net.vnet(*b)) else {
                    continue;
                };
                let found = first_overlap(
                    &sorted_by_start(&va.address_space),
                    &sorted_by_start(&vb.address_space),
                );
                if let Some((x, y)) = found {
                    return Some(format!(
                        "`{x}` of `{}` overlaps `{y}` of `{}`",
                        va.name, vb.name
                    ));
                }
            }
        }
        None
    }

    /// A VNet may be part of at most two connected groups by default (a soft limit).
    fn connected_group_limits(&mut self, configs: &[doc::ConnectivityConfigurationDoc]) {
        let mut count: BTreeMap<VnetId, usize> = BTreeMap::new();
        for g in &self.net.connected_groups {
            for m in &g.members {
                *count.entry(*m).or_default() += 1;
            }
        }
        let span = configs.first().map(|c| c.name.span);
        for (vnet, n) in count {
            if n <= MAX_CONNECTED_GROUPS_PER_VNET {
                continue;
            }
            let (Some(span), Some(v)) = (span, self.net.vnet(vnet)) else {
                continue;
            };
            let message = format!(
                "vnet `{}` is part of {n} connected groups, over Azure's default limit of {MAX_CONNECTED_GROUPS_PER_VNET}",
                v.name
            );
            self.warn(
                span,
                message,
                Some("the limit is raised on request; azpath connects it in all of them".into()),
            );
        }
    }
}
