//! Stage 4: the compiled data plane of a network: one effective route table per subnet, and
//! every NIC by the address packets are sent to.

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::filter::TagScope;
use crate::model::{
    FirewallId, Network, NicRef, PrivateEndpointId, SubnetId, VirtualHubId, VnetId, WorkloadId,
};
use crate::route::RouteTableView;

/// Every subnet's compiled route table, indexed by [`SubnetId`], and the NICs by VNet and
/// address. Compile once, query many.
#[derive(Clone, Debug, Default)]
pub struct DataPlane {
    tables: Vec<RouteTableView>,
    /// What the NSG service tags cover in each subnet, derived from its routes and peerings.
    scopes: Vec<TagScope>,
    nics: BTreeMap<(VnetId, IpAddr), NicRef>,
}

impl DataPlane {
    /// Compiles every subnet of `net`.
    pub fn compile(net: &Network) -> Self {
        let tables: Vec<RouteTableView> = (0..net.subnets.len())
            .filter_map(|i| RouteTableView::compile(net, SubnetId(i)))
            .collect();
        let vnet = |s: SubnetId| net.subnet(s).map(|s| s.vnet);
        let workloads = net
            .workloads
            .iter()
            .enumerate()
            .map(|(i, w)| (w.subnet, w.ip, NicRef::Workload(WorkloadId(i))));
        let endpoints = net.private_endpoints.iter().enumerate().map(|(i, p)| {
            (
                p.subnet,
                p.ip,
                NicRef::PrivateEndpoint(PrivateEndpointId(i)),
            )
        });
        let firewalls = net
            .firewalls
            .iter()
            .enumerate()
            .map(|(i, f)| (f.subnet, f.ip, NicRef::Firewall(FirewallId(i))));
        // A hub router answers on each of its IPs in the hub's managed VNet.
        let routers = net.virtual_hubs.iter().enumerate().flat_map(|(i, h)| {
            h.router_ips
                .iter()
                .map(move |ip| ((h.vnet, *ip), NicRef::HubRouter(VirtualHubId(i))))
        });
        // Addresses repeat only across VNets that are not peered, so (VNet, address) is a key.
        let nics = workloads
            .chain(endpoints)
            .chain(firewalls)
            .filter_map(|(subnet, ip, nic)| vnet(subnet).map(|v| ((v, ip), nic)))
            .chain(routers)
            .collect();
        let scopes = (0..net.subnets.len())
            .map(|i| TagScope::for_subnet(net, tables.get(i), SubnetId(i)))
            .collect();
        Self {
            tables,
            scopes,
            nics,
        }
    }

    /// What the service tags cover in `subnet`.
    pub fn tag_scope(&self, subnet: SubnetId) -> Option<&TagScope> {
        self.scopes.get(subnet.0)
    }

    /// The NIC holding `ip` in `vnet`.
    pub fn nic_at(&self, vnet: VnetId, ip: IpAddr) -> Option<NicRef> {
        self.nics.get(&(vnet, ip)).copied()
    }

    /// The effective routes of `subnet`.
    pub fn routes(&self, subnet: SubnetId) -> Option<&RouteTableView> {
        self.tables.get(subnet.0)
    }
}
