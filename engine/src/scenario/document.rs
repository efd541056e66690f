//! The scenario file as written: serde types, strings and spans, nothing resolved.
//!
//! Names and addresses stay strings here so that the resolver can report every bad one at once,
//! each with its position; see [`crate::model`] for the validated form.

use serde::{Deserialize, Serialize};

use super::questions::QuestionDoc;
use super::security::{FlowProtocol, NsgDoc, ServiceTagDoc};
use super::span::Text;
use super::vocab::NextHopDoc;

/// A whole scenario file: the network, the questions about it and the answers Azure gives.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename = "Scenario", deny_unknown_fields)]
pub struct Document {
    /// The scenario this one is a variant of (a path relative to this file): its objects are
    /// taken over, then this file's `remove` list and declarations apply (see [`super::merge`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<Text>,
    /// Names of objects of the extended scenario to leave out: any object's name (`pe-aoai`), a
    /// subnet as `vnet/subnet`, a peering as `a<->b`, a zone by its name, a DNS forwarder by
    /// its workload.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<Text>,
    /// One line saying what the scenario shows.
    #[serde(default)]
    pub title: String,
    /// The story: what people saw, what they assumed, what was really happening.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story: Option<String>,
    /// The lesson in one line, for the scenario library's index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub takeaway: Option<String>,
    /// Switches for behaviour Azure does not document, as written; see [`Assumptions`].
    #[serde(default)]
    pub assumptions: AssumptionsDoc,
    /// Virtual networks with their subnets.
    #[serde(default)]
    pub vnets: Vec<VnetDoc>,
    /// VNet peerings; one entry declares both directions.
    #[serde(default)]
    pub peerings: Vec<PeeringDoc>,
    /// Route tables (UDRs) that subnets refer to by name.
    #[serde(default)]
    pub route_tables: Vec<RouteTableDoc>,
    /// VPN and ExpressRoute virtual network gateways with the prefixes they learn.
    #[serde(default)]
    pub gateways: Vec<GatewayDoc>,
    /// Public prefixes of the services named in subnets' `service_endpoints`.
    #[serde(default)]
    pub service_endpoint_prefixes: Vec<ServicePrefixesDoc>,
    /// Private endpoints: a NIC with one private IP in a subnet.
    #[serde(default)]
    pub private_endpoints: Vec<PrivateEndpointDoc>,
    /// Workloads: a named NIC with an IP in a subnet.
    #[serde(default)]
    pub workloads: Vec<WorkloadDoc>,
    /// Network security groups, attached to subnets and workloads by name.
    #[serde(default)]
    pub nsgs: Vec<NsgDoc>,
    /// Prefixes of the service tags NSG rules use beyond `VirtualNetwork`, `Internet` and
    /// `AzureLoadBalancer`.
    #[serde(default)]
    pub service_tags: Vec<ServiceTagDoc>,
    /// Azure Virtual Network Manager security admin rule collections, evaluated before NSGs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_admin_rules: Vec<super::AdminRuleCollectionDoc>,
    /// Application security groups NSG rules can name (`source_asgs`, `destination_asgs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub application_security_groups: Vec<super::ApplicationSecurityGroupDoc>,
    /// IP groups firewall rules name (`source_ip_groups`, `destination_ip_groups`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_groups: Vec<super::IpGroupDoc>,
    /// Azure Firewalls.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub firewalls: Vec<super::FirewallDoc>,
    /// Load balancers: public ones in front of workloads, internal ones with a frontend in a
    /// subnet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_balancers: Vec<LoadBalancerDoc>,
    /// Virtual WAN hubs with their connections, route tables and sites.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub virtual_hubs: Vec<super::VirtualHubDoc>,
    /// PaaS services with their public endpoints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<super::ServiceDoc>,
    /// Private DNS zones, DNS servers, resolvers and rulesets.
    #[serde(default)]
    pub dns: super::DnsDoc,
    /// App Service apps with regional VNet integration.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub app_services: Vec<super::AppServiceDoc>,
    /// API Management instances in VNets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_managements: Vec<super::ApiManagementDoc>,
    /// Questions with the answers Azure gives.
    #[serde(default)]
    pub questions: Vec<QuestionDoc>,
    /// On-premises sites behind the VPN and ExpressRoute gateways of VNets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sites: Vec<super::OnPremSiteDoc>,
    /// NAT gateways that subnets name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nat_gateways: Vec<super::NatGatewayDoc>,
    /// The virtual WAN the hubs belong to: its branch-to-branch switch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_wan: Option<super::VirtualWanDoc>,
    /// Azure Virtual Network Manager connectivity configurations: meshes and hub-and-spoke
    /// topologies (connected groups and the peerings they create).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connectivity_configurations: Vec<super::ConnectivityConfigurationDoc>,
}

/// Behaviour that Microsoft's documentation leaves open, modelled as explicit switches so that a
/// scenario states which reading it relies on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Assumptions {
    /// Whether a 0.0.0.0/0 learned by BGP removes the reserved `None` routes the way a user
    /// 0.0.0.0/0 does. Azure documents the removal only for a UDR; default `false`.
    pub bgp_default_route_removes_reserved_routes: bool,
    /// Whether to add the further `None` routes seen in some effective-route dumps
    /// (127.0.0.0/8, 157.59.0.0/16, 104.146.0.0/17, 104.147.0.0/16) but not in the route table
    /// Azure documents; default `false`.
    pub extra_reserved_prefixes: bool,
    /// Whether the `VirtualNetwork` service tag leaves out the prefixes of the subnet's UDRs.
    /// Azure documents that the tag includes "address prefixes used on UDRs" (so a 0.0.0.0/0 UDR
    /// widens it to everything); default `false` follows the documentation.
    pub virtual_network_tag_excludes_udr_prefixes: bool,
    /// Whether, for a pair of VNets both peered and in one connected group, the `ConnectedGroup`
    /// route wins over the peering route with the same prefix. Azure documents neither row's
    /// precedence; default `false`: the peering row is active (AVNM respects existing peerings).
    pub connected_group_wins_over_peering: bool,
    /// Whether a BGP route more specific than a `ConnectedGroup` route stays active. Azure prefers
    /// system routes for the VNet, peerings and service endpoints over more specific BGP routes
    /// and does not say whether connected-group routes count; default `false`: they do.
    pub bgp_more_specific_beats_connected_group: bool,
    /// Whether direct connectivity in a hub-and-spoke configuration puts the hub in the spokes'
    /// connected group too, as the 2021 text of "Connectivity configuration" said (the current
    /// text no longer says so); default `false`.
    pub direct_connectivity_includes_hub: bool,
    /// Whether the hub-and-spoke peerings Azure Virtual Network Manager creates refuse forwarded
    /// traffic. Azure documents no `allowForwardedTraffic` value for them; default `false`:
    /// they allow it.
    pub avnm_peerings_deny_forwarded_traffic: bool,
    /// Whether the `VirtualNetwork` service tag leaves out the address spaces of the VNets a
    /// connected group links the subnet's VNet with. Azure lists peered VNets in the tag and says
    /// connected-group members communicate "just like" manually connected VNets, but does not name
    /// connected groups; default `false`: they are in the tag.
    pub virtual_network_tag_excludes_connected_groups: bool,
    /// Whether a service refuses (TCP reset) a connection to a port it does not listen on,
    /// rather than letting it time out. Microsoft documents neither answer for private or
    /// public endpoints; default `false`: the SYN goes unanswered and the connect times out.
    pub unserved_port_refused: bool,
}

/// The `assumptions` block as written: a switch the file does not mention is `None`, so that a
/// variant can change one switch and keep the others its base sets (see [`super::merge`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AssumptionsDoc {
    /// See [`Assumptions::bgp_default_route_removes_reserved_routes`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bgp_default_route_removes_reserved_routes: Option<bool>,
    /// See [`Assumptions::extra_reserved_prefixes`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_reserved_prefixes: Option<bool>,
    /// See [`Assumptions::virtual_network_tag_excludes_udr_prefixes`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub virtual_network_tag_excludes_udr_prefixes: Option<bool>,
    /// See [`Assumptions::connected_group_wins_over_peering`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connected_group_wins_over_peering: Option<bool>,
    /// See [`Assumptions::bgp_more_specific_beats_connected_group`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bgp_more_specific_beats_connected_group: Option<bool>,
    /// See [`Assumptions::direct_connectivity_includes_hub`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct_connectivity_includes_hub: Option<bool>,
    /// See [`Assumptions::avnm_peerings_deny_forwarded_traffic`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avnm_peerings_deny_forwarded_traffic: Option<bool>,
    /// See [`Assumptions::virtual_network_tag_excludes_connected_groups`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub virtual_network_tag_excludes_connected_groups: Option<bool>,
    /// See [`Assumptions::unserved_port_refused`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unserved_port_refused: Option<bool>,
}

impl AssumptionsDoc {
    /// The switches in force: each one as written, or its documented default (`false`).
    pub fn resolved(&self) -> Assumptions {
        Assumptions {
            bgp_default_route_removes_reserved_routes: self
                .bgp_default_route_removes_reserved_routes
                .unwrap_or_default(),
            extra_reserved_prefixes: self.extra_reserved_prefixes.unwrap_or_default(),
            virtual_network_tag_excludes_udr_prefixes: self
                .virtual_network_tag_excludes_udr_prefixes
                .unwrap_or_default(),
            connected_group_wins_over_peering: self
                .connected_group_wins_over_peering
                .unwrap_or_default(),
            bgp_more_specific_beats_connected_group: self
                .bgp_more_specific_beats_connected_group
                .unwrap_or_default(),
            direct_connectivity_includes_hub: self
                .direct_connectivity_includes_hub
                .unwrap_or_default(),
            avnm_peerings_deny_forwarded_traffic: self
                .avnm_peerings_deny_forwarded_traffic
                .unwrap_or_default(),
            virtual_network_tag_excludes_connected_groups: self
                .virtual_network_tag_excludes_connected_groups
                .unwrap_or_default(),
            unserved_port_refused: self.unserved_port_refused.unwrap_or_default(),
        }
    }

    /// `over` laid on these switches, switch by switch: a switch `over` states (`true` or
    /// `false`) wins; one it does not mention keeps this value.
    pub fn overlay(&mut self, over: &AssumptionsDoc) {
        let AssumptionsDoc {
            bgp_default_route_removes_reserved_routes,
            extra_reserved_prefixes,
            virtual_network_tag_excludes_udr_prefixes,
            connected_group_wins_over_peering,
            bgp_more_specific_beats_connected_group,
            direct_connectivity_includes_hub,
            avnm_peerings_deny_forwarded_traffic,
            virtual_network_tag_excludes_connected_groups,
            unserved_port_refused,
        } = over;
        let keep = |mine: &mut Option<bool>, theirs: &Option<bool>| {
            if theirs.is_some() {
                *mine = *theirs;
            }
        };
        keep(
            &mut self.bgp_default_route_removes_reserved_routes,
            bgp_default_route_removes_reserved_routes,
        );
        keep(&mut self.extra_reserved_prefixes, extra_reserved_prefixes);
        keep(
            &mut self.virtual_network_tag_excludes_udr_prefixes,
            virtual_network_tag_excludes_udr_prefixes,
        );
        keep(
            &mut self.connected_group_wins_over_peering,
            connected_group_wins_over_peering,
        );
        keep(
            &mut self.bgp_more_specific_beats_connected_group,
            bgp_more_specific_beats_connected_group,
        );
        keep(
            &mut self.direct_connectivity_includes_hub,
            direct_connectivity_includes_hub,
        );
        keep(
            &mut self.avnm_peerings_deny_forwarded_traffic,
            avnm_peerings_deny_forwarded_traffic,
        );
        keep(
            &mut self.virtual_network_tag_excludes_connected_groups,
            virtual_network_tag_excludes_connected_groups,
        );
        keep(&mut self.unserved_port_refused, unserved_port_refused);
    }
}

/// A virtual network.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VnetDoc {
    /// Unique VNet name.
    pub name: Text,
    /// Azure region, e.g. `eastus`; peering between regions is global peering.
    pub region: Text,
    /// One or more address prefixes.
    pub address_space: Vec<Text>,
    /// Subnets, named `vnet/subnet` elsewhere in the file.
    #[serde(default)]
    pub subnets: Vec<SubnetDoc>,
    /// Custom DNS servers (`dhcpOptions.dnsServers`); none: Azure-provided DNS (168.63.129.16).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_servers: Vec<Text>,
}

/// A subnet of a VNet.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubnetDoc {
    /// Name unique within the VNet.
    pub name: Text,
    /// Address prefix inside the VNet's address space.
    pub prefix: Text,
    /// Route table associated with the subnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_table: Option<Text>,
    /// Which network policies apply to the private endpoints in this subnet.
    #[serde(default)]
    pub private_endpoint_network_policies: PrivateEndpointNetworkPolicies,
    /// Service endpoints enabled on the subnet, e.g. `Microsoft.Storage`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_endpoints: Vec<Text>,
    /// The subnet's network security group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nsg: Option<Text>,
    /// The NAT gateway the subnet's Internet-bound flows leave through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nat_gateway: Option<Text>,
    /// `defaultOutboundAccess`: `false` makes a private subnet, whose VMs have no way to the
    /// Internet without an explicit method. Left out: `true`, as Azure shows it for subnets of
    /// VNets created before API version 2025-07-01.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_outbound_access: Option<bool>,
    /// Services the subnet is delegated to (`serviceName`, e.g. `Microsoft.Web/serverFarms`):
    /// a delegated subnet holds only that service's resources, never a private endpoint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delegations: Vec<Text>,
    /// Whether the subnet holds an Application Gateway (security admin rules leave such a
    /// subnet out unless the gateway is network-isolated, i.e. the subnet is delegated to
    /// `Microsoft.Network/applicationGateways`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub application_gateway: bool,
}

/// The subnet property `privateEndpointNetworkPolicies`, with Azure's values.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema,
)]
pub enum PrivateEndpointNetworkPolicies {
    /// Azure's default: neither NSGs nor UDRs apply to the subnet's private endpoints.
    #[default]
    Disabled,
    /// Both NSGs and route tables apply.
    Enabled,
    /// Only the subnet's NSG applies.
    NetworkSecurityGroupEnabled,
    /// Only route tables apply (the /32 rule of §3.3).
    RouteTableEnabled,
}

/// A peering between two VNets: both links, with their flags.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeeringDoc {
    /// The two VNets.
    pub between: (Text, Text),
    /// `allowVirtualNetworkAccess` on both links (Azure's default `true`).
    #[serde(default = "yes")]
    pub allow_virtual_network_access: bool,
    /// `allowForwardedTraffic` on both links.
    #[serde(default)]
    pub allow_forwarded_traffic: bool,
    /// The VNet that offers its gateway (`allowGatewayTransit`); the other side then uses it
    /// (`useRemoteGateways`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_transit: Option<Text>,
    /// `Connected` (both links exist), `Initiated` (only one created yet) or `Disconnected` (one
    /// side was deleted); only `Connected` peerings program routes.
    #[serde(default)]
    pub state: PeeringState,
}

fn yes() -> bool {
    true
}

/// The peering state Azure reports.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema,
)]
pub enum PeeringState {
    /// Both links exist; traffic and routes flow.
    #[default]
    Connected,
    /// Only one link has been created so far: nothing flows yet.
    Initiated,
    /// One link was deleted; the other stays but carries nothing.
    Disconnected,
}

/// A route table with its user-defined routes.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteTableDoc {
    /// Unique route table name.
    pub name: Text,
    /// "Propagate gateway routes" (`disableBgpRoutePropagation` = false); Azure's default `true`.
    #[serde(default = "yes")]
    pub propagate_gateway_routes: bool,
    /// User-defined routes.
    #[serde(default)]
    pub routes: Vec<RouteDoc>,
    /// Its Azure resource id, when known (an import sets it): `--format az-json` prints it
    /// where Azure prints the table's id (`routeTableId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Text>,
}

/// A user-defined route.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteDoc {
    /// Route name, unique in its table.
    pub name: Text,
    /// Destination prefix.
    pub prefix: Text,
    /// Where matching traffic goes.
    pub next_hop: NextHopDoc,
}

/// A VPN or ExpressRoute gateway in a VNet's `GatewaySubnet`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GatewayDoc {
    /// Unique gateway name.
    pub name: Text,
    /// The VNet whose `GatewaySubnet` holds it.
    pub vnet: Text,
    /// `Vpn` or `ExpressRoute`.
    pub kind: GatewayKind,
    /// Private IPs of the gateway instances in `GatewaySubnet`; the next hop IPs of its routes.
    #[serde(default)]
    pub instance_ips: Vec<Text>,
    /// Prefixes the gateway learns from on-premises.
    #[serde(default)]
    pub learned: Vec<LearnedRouteDoc>,
    /// The gateway VNet's `summarizedGatewayPrefixes`: advertised to on-premises instead of
    /// the VNet's own address space and of every peered VNet they cover.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub summarized_prefixes: Vec<Text>,
}

/// The kind of a virtual network gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema)]
pub enum GatewayKind {
    /// Route-based VPN gateway (may be a UDR next hop).
    Vpn,
    /// ExpressRoute gateway (may not be a UDR next hop).
    ExpressRoute,
}

/// A prefix a gateway learned.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LearnedRouteDoc {
    /// The learned prefix.
    pub prefix: Text,
    /// How it was learned.
    #[serde(default)]
    pub via: LearnedVia,
    /// Next hop IPs shown for it; default: the gateway's instance IPs (one row each, ECMP).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub next_hop_ips: Vec<Text>,
}

/// How a gateway learned a prefix.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema,
)]
pub enum LearnedVia {
    /// Advertised over BGP by on-premises.
    #[default]
    Bgp,
    /// Configured in a local network gateway.
    LocalNetworkGateway,
}

/// The public prefixes of one service, for service-endpoint routes.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePrefixesDoc {
    /// The service as named in `service_endpoints`, e.g. `Microsoft.Storage`.
    pub service: Text,
    /// Its public prefixes in the scenario's regions.
    pub prefixes: Vec<Text>,
}

/// A private endpoint.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivateEndpointDoc {
    /// Unique name.
    pub name: Text,
    /// Its subnet, as `vnet/subnet`.
    pub subnet: Text,
    /// Its private IP.
    pub ip: Text,
    /// The service it connects to (free text until services are modelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Text>,
}

/// A workload: one NIC with one private IP.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkloadDoc {
    /// Unique name.
    pub name: Text,
    /// What runs there.
    #[serde(default)]
    pub kind: WorkloadKind,
    /// Its subnet, as `vnet/subnet`.
    pub subnet: Text,
    /// Its private IP.
    pub ip: Text,
    /// The NIC's network security group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nsg: Option<Text>,
    /// For an `Nva`: whether it tracks connections and drops packets of flows it did not see
    /// start (default `true`, like a firewall).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stateful: Option<bool>,
    /// For an `Nva`: whether it rewrites the source of forwarded packets to its own address
    /// (default `false`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub snat: bool,
    /// The NIC's instance-level (Standard) public IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<Text>,
}

/// A Standard load balancer: a frontend IP (public; or private in `subnet` for an internal
/// one), rules, and workloads in its backend pool.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancerDoc {
    /// Unique name.
    pub name: Text,
    /// The frontend's IP: public, or for an internal load balancer private in `subnet`.
    pub frontend_ip: Text,
    /// For an internal load balancer: the subnet (`vnet/subnet`) its frontend is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<Text>,
    /// Load-balancing rules.
    pub rules: Vec<LoadBalancerRuleDoc>,
    /// The backend pool: workload names, all in one VNet.
    pub backends: Vec<Text>,
    /// Health probes that rules name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<super::ProbeDoc>,
    /// Backends whose probe fails in the guest (stopped, or nothing answering): Azure sends
    /// them no new flows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unhealthy: Vec<Text>,
    /// Inbound NAT rules (public load balancer).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inbound_nat_rules: Vec<super::InboundNatRuleDoc>,
    /// Outbound rules (public load balancer).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outbound_rules: Vec<super::OutboundRuleDoc>,
    /// A Gateway Load Balancer: internal frontend, HA-ports rules, NVAs as backends; public
    /// load balancers chain to it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gateway: bool,
    /// For a public load balancer: the Gateway Load Balancer its frontend is chained to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<Text>,
}

/// A load-balancing rule: frontend port to backend port, or HA ports (every port).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancerRuleDoc {
    /// Its name.
    pub name: Text,
    /// `Tcp` (default) or `Udp`; an HA-ports rule carries both.
    #[serde(default)]
    pub protocol: FlowProtocol,
    /// The frontend port; `0` (or left out) only on an HA-ports rule.
    #[serde(default)]
    pub frontend_port: u16,
    /// The backend port; `0` (or left out) only on an HA-ports rule.
    #[serde(default)]
    pub backend_port: u16,
    /// An HA-ports rule (protocol All, ports 0): every TCP and UDP flow, internal load
    /// balancers only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ha_ports: bool,
    /// Floating IP (direct server return): the backend receives the packet addressed to the
    /// frontend IP.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub floating_ip: bool,
    /// The health probe that decides which backends take new flows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<Text>,
    /// `disableOutboundSnat`: the rule gives its backends no outbound SNAT.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disable_outbound_snat: bool,
}

/// What a workload is.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema,
)]
pub enum WorkloadKind {
    /// A virtual machine.
    #[default]
    Vm,
    /// A network virtual appliance: IP forwarding on, so it forwards packets not addressed to
    /// it.
    Nva,
}
