//! Stage 2: the validated network. Names are resolved to typed ids and addresses parsed; after
//! this stage no code looks anything up by string. Built by [`resolve`], which reports every
//! problem of a document at once.

mod addr;
mod admin;
mod balance;
mod connectivity;
mod firewall;
pub mod flow_addr;
mod hub_question;
mod ids;
pub mod lint;
mod names;
mod onprem;
mod questions;
mod resolve;
mod resolver;
mod scm_site;
mod security;
mod service_ports;
mod shared_name;
pub mod subnet_use;
pub mod target_url;
mod vocab;
mod vwan;

use std::net::IpAddr;

use ipnet::IpNet;

pub use addr::{is_private, reserved_addresses, Refused};
pub use admin::*;
pub use balance::*;
pub use connectivity::*;
pub use firewall::*;
pub use hub_question::*;
pub use ids::{
    FirewallId, GatewayId, Id, IdVec, LoadBalancerId, Mint, NatGatewayId, NsgId, OnPremSiteId,
    PeeringId, PrivateEndpointId, RouteTableId, ServiceId, SubnetId, VirtualHubId, VnetId,
    WorkloadId, ZoneId,
};
pub use names::*;
pub use onprem::*;
pub use questions::{
    DnsPoint, FlowVerifyExpect, ForAllTarget, ForwarderId, InboundEndpointId, NextHopExpect,
    NextHopSpec, PathPoint, Question, QuestionKind, RemoteEnd, ResolveExpect, RouteRowExpect,
    RouteTableRef, RoutesExpect, RoutesMode, RulesetId, SetKind, SetPattern, TraceExpect,
    TraceTarget, SYSTEM_ROUTE,
};
pub use resolve::{resolve, MAX_FORALL_CASES};
pub use resolver::Resolver;
pub use scm_site::*;
pub use security::*;
pub use service_ports::*;
pub use shared_name::Name;
pub use vocab::*;
pub use vwan::*;

use crate::scenario::{Assumptions, Span};

/// A validated network: every reference resolved, every address parsed and checked.
#[derive(Clone, Debug, Default)]
pub struct Network {
    /// The scenario's title.
    pub title: String,
    /// The scenario's story, if it tells one.
    pub story: Option<String>,
    /// The lesson in one line.
    pub takeaway: Option<String>,
    /// The switches for undocumented behaviour this scenario relies on.
    pub assumptions: Assumptions,
    /// VNets, indexed by [`VnetId`].
    pub vnets: IdVec<VnetId, Vnet>,
    /// Subnets, indexed by [`SubnetId`].
    pub subnets: IdVec<SubnetId, Subnet>,
    /// Route tables, indexed by [`RouteTableId`].
    pub route_tables: IdVec<RouteTableId, RouteTable>,
    /// Peerings, indexed by [`PeeringId`].
    pub peerings: IdVec<PeeringId, Peering>,
    /// Gateways, indexed by [`GatewayId`].
    pub gateways: IdVec<GatewayId, Gateway>,
    /// Public prefixes per service, for service-endpoint routes.
    pub service_prefixes: Vec<(String, Vec<IpNet>)>,
    /// Azure Firewalls, indexed by [`FirewallId`].
    pub firewalls: IdVec<FirewallId, Firewall>,
    /// Network security groups, indexed by [`NsgId`].
    pub nsgs: IdVec<NsgId, Nsg>,
    /// Load balancers, indexed by [`LoadBalancerId`].
    pub load_balancers: IdVec<LoadBalancerId, LoadBalancer>,
    /// PaaS services, indexed by [`ServiceId`].
    pub services: IdVec<ServiceId, Service>,
    /// Private DNS, DNS servers and resolvers.
    pub dns: Dns,
    /// App Service apps integrated with VNets.
    pub app_services: Vec<AppService>,
    /// API Management instances in VNets.
    pub api_managements: Vec<ApiManagement>,
    /// Virtual WAN hubs, indexed by [`VirtualHubId`].
    pub virtual_hubs: IdVec<VirtualHubId, VirtualHub>,
    /// Declared service tags and their prefixes ([`ServiceTag::Declared`] indexes this).
    pub service_tags: Vec<(String, Vec<IpNet>)>,
    /// AVNM security admin rules, sorted by priority within each direction.
    pub security_admin_rules: Vec<AdminRule>,
    /// Application security groups ([`AddressMatch::Asg`] indexes this).
    pub application_security_groups: Vec<ApplicationSecurityGroup>,
    /// Private endpoints, indexed by [`PrivateEndpointId`].
    pub private_endpoints: IdVec<PrivateEndpointId, PrivateEndpoint>,
    /// Workloads, indexed by [`WorkloadId`].
    pub workloads: IdVec<WorkloadId, Workload>,
    /// The scenario's questions with their expected answers.
    pub questions: Vec<Question>,
    /// On-premises sites behind VNet gateways, indexed by [`OnPremSiteId`].
    pub sites: IdVec<OnPremSiteId, OnPremSite>,
    /// NAT gateways, indexed by [`NatGatewayId`].
    pub nat_gateways: IdVec<NatGatewayId, NatGateway>,
    /// NAT gateways of subnets, private subnets and instance public IPs.
    pub egress: Egress,
    /// The virtual WAN the hubs belong to.
    pub virtual_wan: VirtualWan,
    /// Azure Virtual Network Manager connected groups (meshes, direct connectivity).
    pub connected_groups: Vec<ConnectedGroup>,
}

/// A virtual network.
#[derive(Clone, Debug)]
pub struct Vnet {
    /// Its name.
    pub name: String,
    /// Its region; peerings across regions are global.
    pub region: String,
    /// Its address prefixes.
    pub address_space: Vec<IpNet>,
    /// Its subnets.
    pub subnets: Vec<SubnetId>,
    /// Its gateways (at most one VPN and one ExpressRoute).
    pub gateways: Vec<GatewayId>,
    /// Its peerings, in declaration order.
    pub peerings: Vec<PeeringId>,
    /// The virtual hub this VNet is the managed VNet of.
    pub hub: Option<VirtualHubId>,
    /// Custom DNS servers; empty: Azure-provided DNS.
    pub dns_servers: Vec<IpAddr>,
    /// Where it was declared.
    pub span: Span,
}

/// A subnet.
#[derive(Clone, Debug)]
pub struct Subnet {
    /// Its full name, `vnet/subnet`.
    pub name: String,
    /// Its VNet.
    pub vnet: VnetId,
    /// Its address prefix.
    pub prefix: IpNet,
    /// Its route table.
    pub route_table: Option<RouteTableId>,
    /// `privateEndpointNetworkPolicies` for the private endpoints in it.
    pub private_endpoint_network_policies: PrivateEndpointNetworkPolicies,
    /// Service endpoints enabled on it.
    pub service_endpoints: Vec<String>,
    /// Its network security group.
    pub nsg: Option<NsgId>,
    /// Services the subnet is delegated to (`Microsoft.Web/serverFarms`, ...).
    pub delegations: Vec<String>,
    /// Whether it holds an Application Gateway.
    pub application_gateway: bool,
    /// Where it was declared.
    pub span: Span,
}

/// A route table.
#[derive(Clone, Debug)]
pub struct RouteTable {
    /// Its name.
    pub name: String,
    /// Whether gateway (BGP and local network gateway) routes reach its subnets.
    pub propagate_gateway_routes: bool,
    /// Its user-defined routes.
    pub routes: Vec<UserRoute>,
    /// Where it was declared.
    pub span: Span,
    /// Its Azure resource id, when the scenario gives it.
    pub id: Option<String>,
    /// Its routes naming a service tag declared with no prefixes, as (route, tag): they cover
    /// no address here, though in Azure they cover the tag's ranges.
    pub uncovered_tag_routes: Vec<(String, String)>,
}

/// A user-defined route.
#[derive(Clone, Debug)]
pub struct UserRoute {
    /// Its name in the table.
    pub name: String,
    /// Destination prefix.
    pub prefix: IpNet,
    /// Next hop: one of the five types Azure allows in a UDR.
    pub next_hop: NextHop,
    /// The service tag its `addressPrefix` names, when it names one: the route is then one of
    /// several rows, one per prefix of the tag.
    pub service_tag: Option<String>,
    /// Where it was declared.
    pub span: Span,
}

/// A peering: two links declared together.
#[derive(Clone, Debug)]
pub struct Peering {
    /// The two VNets.
    pub vnets: [VnetId; 2],
    /// `allowVirtualNetworkAccess` on both links.
    pub allow_virtual_network_access: bool,
    /// `allowForwardedTraffic` on both links.
    pub allow_forwarded_traffic: bool,
    /// The VNet with `allowGatewayTransit` whose gateway the other side uses.
    pub gateway_transit: Option<VnetId>,
    /// Connected or Disconnected.
    pub state: PeeringState,
    /// Where it was declared.
    pub span: Span,
}

impl Peering {
    /// The other VNet, when `vnet` is one side.
    pub fn remote_of(&self, vnet: VnetId) -> Option<VnetId> {
        match self.vnets {
            [a, b] if a == vnet => Some(b),
            [a, b] if b == vnet => Some(a),
            _ => None,
        }
    }
}

/// A virtual network gateway.
#[derive(Clone, Debug)]
pub struct Gateway {
    /// Its name.
    pub name: String,
    /// Its VNet.
    pub vnet: VnetId,
    /// VPN or ExpressRoute.
    pub kind: GatewayKind,
    /// Its instance IPs in `GatewaySubnet`.
    pub instance_ips: Vec<IpAddr>,
    /// What it learned from on-premises.
    pub learned: Vec<LearnedRoute>,
    /// Its VNet's `GatewaySubnet`, whose effective routes forward what it receives.
    pub subnet: SubnetId,
    /// The VNet's `summarizedGatewayPrefixes`, advertised instead of the address spaces they
    /// cover.
    pub summarized_prefixes: Vec<IpNet>,
    /// Where it was declared.
    pub span: Span,
}

/// A prefix learned by a gateway.
#[derive(Clone, Debug)]
pub struct LearnedRoute {
    /// The prefix.
    pub prefix: IpNet,
    /// BGP or local network gateway.
    pub via: LearnedVia,
    /// The next hop IPs Azure lists for it (one effective route row each).
    pub next_hop_ips: Vec<IpAddr>,
}

/// A private endpoint.
#[derive(Clone, Debug)]
pub struct PrivateEndpoint {
    /// Its name.
    pub name: String,
    /// Its subnet.
    pub subnet: SubnetId,
    /// Its private IP.
    pub ip: IpAddr,
    /// The service it connects to, as written.
    pub target: Option<String>,
    /// The service, when `target` names one of the scenario's.
    pub service: Option<ServiceId>,
    /// Where it was declared.
    pub span: Span,
}

/// A workload NIC.
#[derive(Clone, Debug)]
pub struct Workload {
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: WorkloadKind,
    /// Its subnet.
    pub subnet: SubnetId,
    /// Its private IP.
    pub ip: IpAddr,
    /// Its NIC's network security group.
    pub nsg: Option<NsgId>,
    /// How it forwards packets not addressed to it (only an NVA does).
    pub forwarding: Option<Forwarding>,
    /// Where it was declared.
    pub span: Span,
}

/// Where a trace starts: a workload, or a client on the Internet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceSource {
    /// A workload's NIC.
    Workload(WorkloadId),
    /// A client on the Internet with this public address.
    Internet(IpAddr),
    /// A client at an on-premises site with this address, inside the site's ranges.
    Site(OnPremSiteId, IpAddr),
    /// A client at a branch of a virtual hub (a VPN site or ExpressRoute circuit) with this
    /// address, inside the branch's prefixes.
    Branch(BranchId, IpAddr),
}

/// How a network virtual appliance forwards.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Forwarding {
    /// Drops packets of flows it did not see start.
    pub stateful: bool,
    /// Rewrites the source of forwarded packets to its own address.
    pub snat: bool,
}

/// A NIC: a workload's, a private endpoint's or an Azure Firewall's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NicRef {
    /// A workload's NIC.
    Workload(WorkloadId),
    /// A private endpoint's NIC.
    PrivateEndpoint(PrivateEndpointId),
    /// An Azure Firewall's private address.
    Firewall(FirewallId),
    /// A virtual hub's router.
    HubRouter(VirtualHubId),
    /// A VPN or ExpressRoute gateway's instance in `GatewaySubnet`.
    Gateway(GatewayId),
    /// An internal load balancer's frontend.
    LoadBalancer(LoadBalancerId),
}

/// A place a question starts from: a subnet, or a workload (which means its subnet).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A subnet.
    Subnet(SubnetId),
    /// A workload's NIC.
    Workload(WorkloadId),
}

impl Network {
    /// The VNet with id `id`.
    pub fn vnet(&self, id: VnetId) -> Option<&Vnet> {
        self.vnets.get(id)
    }

    /// The subnet with id `id`.
    pub fn subnet(&self, id: SubnetId) -> Option<&Subnet> {
        self.subnets.get(id)
    }

    /// The NSG with id `id`.
    pub fn nsg(&self, id: NsgId) -> Option<&Nsg> {
        self.nsgs.get(id)
    }

    /// The route table with id `id`.
    pub fn route_table(&self, id: RouteTableId) -> Option<&RouteTable> {
        self.route_tables.get(id)
    }

    /// The subnet named `vnet/subnet`.
    pub fn subnet_by_name(&self, name: &str) -> Option<SubnetId> {
        self.subnets
            .iter()
            .position(|s| s.name == name)
            .map(SubnetId)
    }

    /// The subnet or workload named `name`.
    pub fn place_by_name(&self, name: &str) -> Option<Place> {
        self.subnet_by_name(name).map(Place::Subnet).or_else(|| {
            self.workloads
                .iter()
                .position(|w| w.name == name)
                .map(|i| Place::Workload(WorkloadId(i)))
        })
    }

    /// The workload or private endpoint named `name`.
    pub fn nic_by_name(&self, name: &str) -> Option<NicRef> {
        let workload = self.workloads.iter().position(|w| w.name == name);
        let endpoint = || self.private_endpoints.iter().position(|p| p.name == name);
        let firewall = || self.firewalls.iter().position(|f| f.name == name);
        let balancer = || {
            self.load_balancers
                .position(|l| l.is_internal() && l.name == name)
        };
        workload
            .map(|i| NicRef::Workload(WorkloadId(i)))
            .or_else(|| endpoint().map(|i| NicRef::PrivateEndpoint(PrivateEndpointId(i))))
            .or_else(|| firewall().map(|i| NicRef::Firewall(FirewallId(i))))
            .or_else(|| balancer().map(NicRef::LoadBalancer))
    }

    /// Every name a NIC can be given by, for did-you-mean hints.
    pub fn nic_names(&self) -> impl Iterator<Item = &str> + Clone {
        self.workloads
            .iter()
            .map(|w| w.name.as_str())
            .chain(self.private_endpoints.iter().map(|p| p.name.as_str()))
            .chain(self.firewalls.iter().map(|f| f.name.as_str()))
            .chain(
                self.load_balancers
                    .iter()
                    .filter(|l| l.is_internal())
                    .map(|l| l.name.as_str()),
            )
    }

    /// A NIC's name.
    pub fn nic_name(&self, nic: NicRef) -> Option<&str> {
        match nic {
            NicRef::Workload(w) => self.workloads.get(w).map(|w| w.name.as_str()),
            NicRef::PrivateEndpoint(p) => self.private_endpoints.get(p).map(|p| p.name.as_str()),
            NicRef::Firewall(f) => self.firewalls.get(f).map(|f| f.name.as_str()),
            NicRef::HubRouter(h) => self.virtual_hubs.get(h).map(|h| h.name.as_str()),
            NicRef::Gateway(g) => self.gateways.get(g).map(|g| g.name.as_str()),
            NicRef::LoadBalancer(l) => self.load_balancers.get(l).map(|l| l.name.as_str()),
        }
    }

    /// Every name a place can be given by, for did-you-mean hints.
    pub fn place_names(&self) -> impl Iterator<Item = &str> + Clone {
        self.subnets
            .iter()
            .map(|s| s.name.as_str())
            .chain(self.workloads.iter().map(|w| w.name.as_str()))
    }

    /// The subnet a place routes from.
    pub fn subnet_of(&self, place: Place) -> Option<SubnetId> {
        match place {
            Place::Subnet(s) => Some(s),
            Place::Workload(w) => self.workloads.get(w).map(|w| w.subnet),
        }
    }

    /// The virtual hub with id `id`.
    pub fn hub(&self, id: VirtualHubId) -> Option<&VirtualHub> {
        self.virtual_hubs.get(id)
    }

    /// The hub `vnet` is connected to, with the connection.
    pub fn hub_connection(&self, vnet: VnetId) -> Option<(VirtualHubId, &HubConnection)> {
        self.virtual_hubs
            .iter()
            .enumerate()
            .find_map(|(i, h)| h.connection(vnet).map(|c| (VirtualHubId(i), c)))
    }

    /// The peerings of `vnet` that carry routes (state `Connected`), with the remote VNet.
    pub fn connected_peers(&self, vnet: VnetId) -> impl Iterator<Item = (&Peering, VnetId)> {
        self.vnet(vnet)
            .into_iter()
            .flat_map(|v| v.peerings.iter())
            .filter_map(|id| self.peerings.get(*id))
            .filter(|p| p.state == PeeringState::Connected)
            .filter_map(move |p| p.remote_of(vnet).map(|remote| (p, remote)))
    }
}
