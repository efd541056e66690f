//! Stage 4: the compiled data plane of a network: the effective route tables and service-tag
//! scopes, shared by every subnet with the same inputs, every virtual hub's route tables, and
//! every NIC by the address packets are sent to.

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::filter::TagScope;
use crate::model::{Network, NicRef, PeeringId, RouteTableId, SubnetId, VnetId};
use crate::route::hub::{HubTable, HubTableId};
use crate::route::RouteTableView;

mod names;
pub use names::SharedNames;

/// The compiled route tables and tag scopes, each held once however many subnets share it, and
/// the NICs by VNet and address. Compile once, query many.
#[derive(Clone, Debug, Default)]
pub struct DataPlane {
    /// The distinct compiled tables. A table holds no per-subnet data (a private endpoint's
    /// route names the endpoint's subnet, not the subnet looking it up), so subnets with equal
    /// [`TableInputs`] share one.
    tables: Vec<RouteTableView>,
    /// What the NSG service tags cover, one per distinct table: a scope reads the subnet's VNet
    /// and its table's gateway and user routes, all of which the table's inputs fix.
    scopes: Vec<TagScope>,
    /// Per subnet ([`SubnetId`] index): its table and scope in `tables` and `scopes`.
    shared: Vec<Option<usize>>,
    /// Every NIC, sorted by VNet then address, in one block of memory. A firewall in a hub
    /// looks for the destination in each peered VNet in turn, which makes this the hottest
    /// look-up of a trace: a binary search among one VNet's few NICs, in memory that stays in
    /// cache, beats hashing or a tree of all of them.
    nics: Vec<(IpAddr, NicRef)>,
    /// Where each VNet's NICs start in `nics` ([`VnetId`] index; one more entry ends the last).
    nics_from: Vec<usize>,
    /// The addresses of `nics` as integers, position for position (IPv6 addresses, which sort
    /// after every IPv4 address of their VNet, as `u32::MAX`): integer compares for the search.
    nics_v4: Vec<u32>,
    /// Every NIC by address first: which VNets hold an address (one, usually), so that finding
    /// it among a hub's many peers costs one search, not one per peer.
    by_address: Vec<(IpAddr, VnetId, NicRef)>,
    /// The IPv4 addresses that start `by_address`, as integers, for integer compares.
    by_v4: Vec<u32>,
    /// Per virtual hub ([`VirtualHubId`] index): its route tables in order, then its firewall's
    /// forwarding, compiled once rather than on every packet that crosses the hub.
    hub_tables: Vec<Vec<HubTable>>,
    /// Every connected peering by (VNet, remote VNet), sorted: the first in the VNet's own
    /// order where two join the same pair. A hub has hundreds of peers, and a packet leaving it
    /// looks one up per hop. Held as each VNet's remotes, searched by remote alone.
    peers: Vec<(VnetId, PeeringId)>,
    /// Where each VNet's peers start in `peers` ([`VnetId`] index; one more entry ends the last).
    peers_from: Vec<usize>,
    /// The names a trace's evidence repeats at every hop, held once.
    names: SharedNames,
    /// Whether a route table names a service tag declared with no prefixes: a trace that may
    /// be routed by one says so, and a scenario without one skips looking.
    uncovered_tag_routes: bool,
}

/// Everything [`RouteTableView::compile`] reads of a subnet: its VNet (address space, peerings,
/// gateways, the private endpoints it and its peers hold), its route table (UDRs, gateway route
/// propagation, the private-endpoint network policy check) and its service endpoints (in the
/// order written, which is the order of their routes). Its name, prefix, NSG and endpoint
/// policies are not read. Subnets with equal inputs have equal tables.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TableInputs<'a> {
    /// The subnet's VNet.
    pub vnet: VnetId,
    /// Its route table.
    pub route_table: Option<RouteTableId>,
    /// Its service endpoints.
    pub service_endpoints: &'a [String],
}

impl<'a> TableInputs<'a> {
    /// The inputs of `subnet`.
    pub fn of(net: &'a Network, subnet: SubnetId) -> Option<Self> {
        net.subnet(subnet).map(|s| Self {
            vnet: s.vnet,
            route_table: s.route_table,
            service_endpoints: &s.service_endpoints,
        })
    }
}

impl DataPlane {
    /// Compiles every distinct table of `net` once.
    pub fn compile(net: &Network) -> Self {
        let mut index: BTreeMap<TableInputs<'_>, Option<usize>> = BTreeMap::new();
        let mut tables: Vec<RouteTableView> = Vec::new();
        let mut scopes: Vec<TagScope> = Vec::new();
        // Private-endpoint host routes are held once and overlaid on every table that sees them.
        let endpoints = std::sync::Arc::new(crate::route::endpoints::EndpointRoutes::of(net));
        let shared = net
            .subnets
            .ids()
            .map(|subnet| {
                let inputs = TableInputs::of(net, subnet)?;
                *index.entry(inputs).or_insert_with(|| {
                    let table = RouteTableView::compile_with(net, subnet, endpoints.clone())?;
                    scopes.push(TagScope::for_subnet(net, Some(&table), subnet));
                    tables.push(table);
                    Some(tables.len() - 1)
                })
            })
            .collect();
        let vnet = |s: SubnetId| net.subnet(s).map(|s| s.vnet);
        let workloads = net
            .workloads
            .iter_ids()
            .map(|(i, w)| (w.subnet, w.ip, NicRef::Workload(i)));
        let endpoints = net
            .private_endpoints
            .iter_ids()
            .map(|(i, p)| (p.subnet, p.ip, NicRef::PrivateEndpoint(i)));
        let firewalls = net
            .firewalls
            .iter_ids()
            .map(|(i, f)| (f.subnet, f.ip, NicRef::Firewall(i)));
        // An internal load balancer's frontend takes packets sent to its address.
        let frontends = net.load_balancers.iter_ids().filter_map(|(i, l)| {
            l.frontend_subnet
                .map(|s| (s, l.frontend_ip, NicRef::LoadBalancer(i)))
        });
        // A hub router answers on each of its IPs in the hub's managed VNet.
        let routers = net.virtual_hubs.iter_ids().flat_map(|(i, h)| {
            h.router_ips
                .iter()
                .map(move |ip| (h.vnet, *ip, NicRef::HubRouter(i)))
        });
        // Addresses repeat only across VNets that are not peered, so (VNet, address) is a key.
        let mut all: Vec<(VnetId, IpAddr, NicRef)> = workloads
            .chain(endpoints)
            .chain(firewalls)
            .chain(frontends)
            .filter_map(|(subnet, ip, nic)| vnet(subnet).map(|v| (v, ip, nic)))
            .chain(routers)
            .collect();
        all.sort();
        let nics_from = (0..=net.vnets.len())
            .map(|v| all.partition_point(|(n, _, _)| n.index() < v))
            .collect();
        let mut by_address: Vec<(IpAddr, VnetId, NicRef)> =
            all.iter().map(|(v, ip, nic)| (*ip, *v, *nic)).collect();
        by_address.sort();
        let by_v4 = crate::route::endpoints::v4_prefix(&by_address, |(a, _, _)| *a);
        let nics_v4 = all
            .iter()
            .map(|(_, ip, _)| match ip {
                IpAddr::V4(a) => a.to_bits(),
                IpAddr::V6(_) => u32::MAX,
            })
            .collect();
        let nics = all.into_iter().map(|(_, ip, nic)| (ip, nic)).collect();
        let hub_tables = net
            .virtual_hubs
            .ids()
            .map(|h| {
                crate::route::hub::tables_of(net, h)
                    .into_iter()
                    .map(|id| crate::route::hub::compile(net, id))
                    .collect()
            })
            .collect();
        let mut peers: Vec<(VnetId, VnetId, PeeringId)> = net
            .vnets
            .iter_ids()
            .flat_map(|(v, vnet)| {
                vnet.peerings.iter().filter_map(move |id| {
                    let p = net.peerings.get(*id)?;
                    let remote = p.remote_of(v)?;
                    (p.state == crate::model::PeeringState::Connected).then_some((v, remote, *id))
                })
            })
            .collect();
        // Stable: of the peerings joining one pair, the first in the VNet's order stays.
        peers.sort_by_key(|(v, remote, _)| (*v, *remote));
        peers.dedup_by_key(|(v, remote, _)| (*v, *remote));
        let peers_from = (0..=net.vnets.len())
            .map(|v| peers.partition_point(|(n, _, _)| n.index() < v))
            .collect();
        let peers = peers
            .into_iter()
            .map(|(_, remote, p)| (remote, p))
            .collect();
        Self {
            tables,
            scopes,
            shared,
            nics,
            nics_from,
            nics_v4,
            by_address,
            by_v4,
            hub_tables,
            peers,
            peers_from,
            names: SharedNames::of(net),
            uncovered_tag_routes: net
                .route_tables
                .iter()
                .any(|t| !t.uncovered_tag_routes.is_empty()),
        }
    }

    /// Whether a route table names a service tag declared with no prefixes (routes that cover
    /// no address in the model, though in Azure they cover the tag's ranges).
    pub fn has_uncovered_tag_routes(&self) -> bool {
        self.uncovered_tag_routes
    }

    /// The shared names of NICs, subnets, VNets and regions, for answers that repeat them.
    pub fn names(&self) -> &SharedNames {
        &self.names
    }

    /// A virtual hub's compiled route table.
    pub fn hub_table(&self, id: HubTableId) -> Option<&HubTable> {
        let tables = self.hub_tables.get(id.hub().index())?;
        match id {
            HubTableId::Table { index, .. } => tables.get(index),
            // The firewall's forwarding follows the hub's route tables.
            HubTableId::FirewallForwarding { .. } => tables.last(),
        }
        .filter(|t| t.id == id)
    }

    /// What the service tags cover in `subnet`.
    pub fn tag_scope(&self, subnet: SubnetId) -> Option<&TagScope> {
        self.scopes.get(self.shared_table(subnet)?)
    }

    /// The NIC holding `ip` in `vnet`.
    pub fn nic_at(&self, vnet: VnetId, ip: IpAddr) -> Option<NicRef> {
        let (from, to) = (
            *self.nics_from.get(vnet.index())?,
            *self.nics_from.get(vnet.index() + 1)?,
        );
        let list = self.nics.get(from..to)?;
        let at = match ip {
            IpAddr::V4(a) => {
                let a = a.to_bits();
                self.nics_v4.get(from..to)?.partition_point(|k| *k < a)
            }
            IpAddr::V6(_) => list.partition_point(|(a, _)| *a < ip),
        };
        // (VNet, address) is a key: the first entry not below `ip` holds it, if any does.
        list.get(at).filter(|(a, _)| *a == ip).map(|(_, nic)| *nic)
    }

    /// The connected peering between `vnet` and `remote`: the first of [`Network::connected_peers`]
    /// of `vnet` whose remote is `remote`, found by one search.
    pub fn connected_peering(&self, vnet: VnetId, remote: VnetId) -> Option<PeeringId> {
        let (from, to) = (
            *self.peers_from.get(vnet.index())?,
            *self.peers_from.get(vnet.index() + 1)?,
        );
        let list = self.peers.get(from..to)?;
        let at = list.binary_search_by_key(&remote, |(r, _)| *r).ok()?;
        list.get(at).map(|(_, p)| *p)
    }

    /// Every NIC holding `ip`, with its VNet.
    pub fn nics_holding(&self, ip: IpAddr) -> impl Iterator<Item = (VnetId, NicRef)> + '_ {
        let from = match ip {
            IpAddr::V4(a) => self.by_v4.partition_point(|k| *k < a.to_bits()),
            IpAddr::V6(_) => self.by_address.partition_point(|(a, _, _)| *a < ip),
        };
        self.by_address
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(move |(a, _, _)| *a == ip)
            .map(|(_, v, nic)| (*v, *nic))
    }

    /// The effective routes of `subnet`.
    pub fn routes(&self, subnet: SubnetId) -> Option<&RouteTableView> {
        self.tables.get(self.shared_table(subnet)?)
    }

    /// Which distinct table `subnet` uses: subnets with the same number have the same routes and
    /// tag scope.
    pub fn shared_table(&self, subnet: SubnetId) -> Option<usize> {
        self.shared.get(subnet.index()).copied().flatten()
    }

    /// How many distinct tables were compiled.
    pub fn distinct_tables(&self) -> usize {
        self.tables.len()
    }

    /// Every distinct table, in the order of [`shared_table`](Self::shared_table) numbers.
    pub fn tables(&self) -> &[RouteTableView] {
        &self.tables
    }

    /// Every distinct tag scope, in the same order as [`tables`](Self::tables).
    pub fn tag_scopes(&self) -> &[TagScope] {
        &self.scopes
    }
}
