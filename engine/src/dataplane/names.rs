//! The names a trace's evidence repeats at every hop (NICs, subnets, VNets, regions), each held
//! once as a shared [`Name`]: an answer clones a reference count, not the text.

use crate::model::{Name, Network, NicRef, SubnetId, VnetId};
use std::collections::BTreeMap;

/// Shared names, indexed like the network's vectors.
#[derive(Clone, Debug, Default)]
pub struct SharedNames {
    workloads: Vec<Name>,
    private_endpoints: Vec<Name>,
    firewalls: Vec<Name>,
    gateways: Vec<Name>,
    load_balancers: Vec<Name>,
    /// A virtual hub's router, named `"<hub> router"` in a trace.
    hub_routers: Vec<Name>,
    subnets: Vec<Name>,
    vnets: Vec<Name>,
    /// Per VNet, its region (one string per distinct region).
    regions: Vec<Name>,
}

fn shared<'a>(names: impl Iterator<Item = &'a str>) -> Vec<Name> {
    names.map(Name::from).collect()
}

impl SharedNames {
    /// The names of `net`.
    pub fn of(net: &Network) -> Self {
        let mut regions: BTreeMap<&str, Name> = BTreeMap::new();
        let regions = net
            .vnets
            .iter()
            .map(|v| {
                regions
                    .entry(v.region.as_str())
                    .or_insert_with(|| Name::from(v.region.as_str()))
                    .clone()
            })
            .collect();
        Self {
            workloads: shared(net.workloads.iter().map(|w| w.name.as_str())),
            private_endpoints: shared(net.private_endpoints.iter().map(|p| p.name.as_str())),
            firewalls: shared(net.firewalls.iter().map(|f| f.name.as_str())),
            gateways: shared(net.gateways.iter().map(|g| g.name.as_str())),
            load_balancers: shared(net.load_balancers.iter().map(|l| l.name.as_str())),
            hub_routers: net
                .virtual_hubs
                .iter()
                .map(|h| Name::from(format!("{} router", h.name)))
                .collect(),
            subnets: shared(net.subnets.iter().map(|s| s.name.as_str())),
            vnets: shared(net.vnets.iter().map(|v| v.name.as_str())),
            regions,
        }
    }

    /// A NIC's name as a trace gives it (a virtual hub's router is `"<hub> router"`).
    pub fn nic(&self, nic: NicRef) -> Option<&Name> {
        match nic {
            NicRef::Workload(w) => self.workloads.get(w.index()),
            NicRef::PrivateEndpoint(p) => self.private_endpoints.get(p.index()),
            NicRef::Firewall(f) => self.firewalls.get(f.index()),
            NicRef::Gateway(g) => self.gateways.get(g.index()),
            NicRef::LoadBalancer(l) => self.load_balancers.get(l.index()),
            NicRef::HubRouter(h) => self.hub_routers.get(h.index()),
        }
    }

    /// A subnet's name.
    pub fn subnet(&self, subnet: SubnetId) -> Option<&Name> {
        self.subnets.get(subnet.index())
    }

    /// A VNet's name.
    pub fn vnet(&self, vnet: VnetId) -> Option<&Name> {
        self.vnets.get(vnet.index())
    }

    /// A VNet's region.
    pub fn region(&self, vnet: VnetId) -> Option<&Name> {
        self.regions.get(vnet.index())
    }
}
