//! Networks built in Rust, without writing RON: a [`Network`] of plain values (VNets with
//! their subnets, route tables with UDRs, peerings, gateways with learned routes, private
//! endpoints, workloads, NSGs) that [`Network::load`] writes as a scenario and loads exactly as
//! a scenario file is loaded, so a built network is validated by the same rules and refused
//! with the same located diagnostics (located in the text [`Network::to_ron`] returns).
//!
//! ```
//! use azpath_engine::build::{Network, NextHop, Policies, RouteTable, Subnet, Vnet};
//! use azpath_engine::query;
//!
//! let net = Network::new()
//!     .vnet(Vnet::new("hub", "eastus", "10.0.0.0/16")
//!         .subnet(Subnet::new("pe", "10.0.2.0/24").policies(Policies::Disabled)))
//!     .vnet(Vnet::new("spoke", "eastus", "10.1.0.0/16")
//!         .subnet(Subnet::new("app", "10.1.1.0/24").route_table("rt")))
//!     .peer("hub", "spoke")
//!     .route_table(RouteTable::new("rt").route("default", "0.0.0.0/0", NextHop::appliance("10.0.1.4")))
//!     .private_endpoint("pe-blob", "hub/pe", "10.0.2.4")
//!     .workload("vm-app", "spoke/app", "10.1.1.4");
//! let loaded = net.load().unwrap();
//! let app = loaded.network.subnet_by_name("spoke/app").unwrap();
//! let hop = query::next_hop(&loaded.network, &loaded.dataplane(), app, "10.0.2.4".parse().unwrap());
//! // The endpoint's /32 beats the 0.0.0.0/0 UDR: its subnet's route-table policies are off.
//! assert_eq!(hop.next_hop.next_hop_type.to_string(), "InterfaceEndpoint");
//! ```

use std::fmt::Write as _;

use crate::{load_str, LoadError, Loaded};

pub use crate::scenario::{
    Access, Direction, GatewayKind, PeeringState, PrivateEndpointNetworkPolicies as Policies,
    Protocol,
};

/// A network to build: every part is a plain value, so a test can make, change and print it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Network {
    /// The VNets.
    pub vnets: Vec<Vnet>,
    /// The peerings (each is both links).
    pub peerings: Vec<Peering>,
    /// The route tables.
    pub route_tables: Vec<RouteTable>,
    /// The VPN and ExpressRoute gateways.
    pub gateways: Vec<Gateway>,
    /// The private endpoints.
    pub private_endpoints: Vec<Endpoint>,
    /// The workloads (VMs and appliances).
    pub workloads: Vec<Workload>,
    /// The NSGs.
    pub nsgs: Vec<Nsg>,
}

/// A VNet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vnet {
    /// Its name.
    pub name: String,
    /// Its region (peering across regions is global peering).
    pub region: String,
    /// Its address prefixes.
    pub address_space: Vec<String>,
    /// Its subnets.
    pub subnets: Vec<Subnet>,
}

/// A subnet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subnet {
    /// Its name (the scenario names it `vnet/name`).
    pub name: String,
    /// Its prefix.
    pub prefix: String,
    /// The route table associated with it.
    pub route_table: Option<String>,
    /// Its private endpoint network policies.
    pub policies: Policies,
    /// The NSG associated with it.
    pub nsg: Option<String>,
}

/// A route table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteTable {
    /// Its name.
    pub name: String,
    /// "Propagate gateway routes".
    pub propagate_gateway_routes: bool,
    /// Its routes (UDRs).
    pub routes: Vec<Udr>,
}

/// A user-defined route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Udr {
    /// Its name.
    pub name: String,
    /// Its address prefix.
    pub prefix: String,
    /// Its next hop.
    pub next_hop: NextHop,
}

/// A UDR's next hop type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NextHop {
    /// A network virtual appliance (or firewall) at this address.
    VirtualAppliance(String),
    /// The VNet's VPN or ExpressRoute gateway.
    VirtualNetworkGateway,
    /// The VNet itself.
    VnetLocal,
    /// The Internet.
    Internet,
    /// Drop the traffic.
    None,
}

impl NextHop {
    /// A virtual appliance at `ip`.
    pub fn appliance(ip: impl Into<String>) -> Self {
        NextHop::VirtualAppliance(ip.into())
    }
}

/// A peering between two VNets: both links.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peering {
    /// The two VNets.
    pub between: (String, String),
    /// `allowVirtualNetworkAccess` on both links.
    pub allow_virtual_network_access: bool,
    /// `allowForwardedTraffic` on both links.
    pub allow_forwarded_traffic: bool,
    /// The VNet whose gateway the other uses (`allowGatewayTransit` / `useRemoteGateways`).
    pub gateway_transit: Option<String>,
    /// The peering state (only `Connected` programs routes).
    pub state: PeeringState,
}

/// A VPN or ExpressRoute gateway in a VNet's `GatewaySubnet`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gateway {
    /// Its name.
    pub name: String,
    /// Its VNet (which needs a `GatewaySubnet`).
    pub vnet: String,
    /// VPN or ExpressRoute.
    pub kind: GatewayKind,
    /// The next hop addresses of its routes (one row each).
    pub instance_ips: Vec<String>,
    /// Prefixes it learned over BGP.
    pub learned: Vec<String>,
}

/// A private endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Its name.
    pub name: String,
    /// Its subnet, `vnet/subnet`.
    pub subnet: String,
    /// Its address.
    pub ip: String,
}

/// A workload: a VM, or an appliance that forwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workload {
    /// Its name.
    pub name: String,
    /// Its subnet, `vnet/subnet`.
    pub subnet: String,
    /// Its NIC's address.
    pub ip: String,
    /// The NSG on its NIC.
    pub nsg: Option<String>,
    /// Whether it forwards packets not addressed to it (an NVA), and if so whether it is stateful.
    pub appliance: Option<Appliance>,
}

/// How an appliance forwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Appliance {
    /// It drops flows it saw only one direction of.
    pub stateful: bool,
    /// It translates the source address to its own.
    pub snat: bool,
}

/// An NSG.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nsg {
    /// Its name.
    pub name: String,
    /// Its custom rules (Azure's default rules are built in).
    pub rules: Vec<NsgRule>,
}

/// An NSG rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NsgRule {
    /// Its name.
    pub name: String,
    /// 100 to 4096, unique per direction.
    pub priority: u32,
    /// Inbound or outbound.
    pub direction: Direction,
    /// Allow or deny.
    pub access: Access,
    /// The protocol.
    pub protocol: Protocol,
    /// Source addresses: `*`, an address, a prefix or a service tag.
    pub source: Vec<String>,
    /// Destination addresses.
    pub destination: Vec<String>,
    /// Destination ports: `*`, `443` or `1000-2000`.
    pub destination_ports: Vec<String>,
}

impl Network {
    /// An empty network.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a VNet.
    pub fn vnet(mut self, vnet: Vnet) -> Self {
        self.vnets.push(vnet);
        self
    }

    /// Adds a route table.
    pub fn route_table(mut self, table: RouteTable) -> Self {
        self.route_tables.push(table);
        self
    }

    /// Adds a peering with Azure's defaults (access allowed, forwarded traffic not, no gateway
    /// transit, connected).
    pub fn peer(self, a: impl Into<String>, b: impl Into<String>) -> Self {
        self.peering(Peering::new(a, b))
    }

    /// Adds a peering.
    pub fn peering(mut self, peering: Peering) -> Self {
        self.peerings.push(peering);
        self
    }

    /// Adds a gateway.
    pub fn gateway(mut self, gateway: Gateway) -> Self {
        self.gateways.push(gateway);
        self
    }

    /// Adds a private endpoint.
    pub fn private_endpoint(
        mut self,
        name: impl Into<String>,
        subnet: impl Into<String>,
        ip: impl Into<String>,
    ) -> Self {
        self.private_endpoints.push(Endpoint {
            name: name.into(),
            subnet: subnet.into(),
            ip: ip.into(),
        });
        self
    }

    /// Adds a VM.
    pub fn workload(
        mut self,
        name: impl Into<String>,
        subnet: impl Into<String>,
        ip: impl Into<String>,
    ) -> Self {
        self.workloads.push(Workload::vm(name, subnet, ip));
        self
    }

    /// Adds a workload built with [`Workload`]'s methods.
    pub fn with_workload(mut self, workload: Workload) -> Self {
        self.workloads.push(workload);
        self
    }

    /// Adds an NSG.
    pub fn nsg(mut self, nsg: Nsg) -> Self {
        self.nsgs.push(nsg);
        self
    }

    /// The subnet named `vnet/subnet`, if the network has it.
    pub fn subnet(&self, path: &str) -> Option<&Subnet> {
        let (vnet, subnet) = path.split_once('/')?;
        let v = self.vnets.iter().find(|v| v.name == vnet)?;
        v.subnets.iter().find(|s| s.name == subnet)
    }

    /// The network as scenario text.
    pub fn to_ron(&self) -> String {
        let mut s = String::from("Scenario(\n    title: \"Built network\",\n    vnets: [\n");
        for v in &self.vnets {
            let _ = writeln!(
                s,
                "        (name: {}, region: {}, address_space: {}, subnets: [",
                q(&v.name),
                q(&v.region),
                list(&v.address_space)
            );
            for sub in &v.subnets {
                let _ = write!(
                    s,
                    "            (name: {}, prefix: {}, private_endpoint_network_policies: {:?}",
                    q(&sub.name),
                    q(&sub.prefix),
                    sub.policies
                );
                if let Some(rt) = &sub.route_table {
                    let _ = write!(s, ", route_table: {}", q(rt));
                }
                if let Some(nsg) = &sub.nsg {
                    let _ = write!(s, ", nsg: {}", q(nsg));
                }
                s.push_str("),\n");
            }
            s.push_str("        ]),\n");
        }
        s.push_str("    ],\n    peerings: [\n");
        for p in &self.peerings {
            let _ = write!(
                s,
                "        (between: ({}, {}), allow_virtual_network_access: {}, allow_forwarded_traffic: {}, state: {:?}",
                q(&p.between.0),
                q(&p.between.1),
                p.allow_virtual_network_access,
                p.allow_forwarded_traffic,
                p.state
            );
            if let Some(hub) = &p.gateway_transit {
                let _ = write!(s, ", gateway_transit: {}", q(hub));
            }
            s.push_str("),\n");
        }
        s.push_str("    ],\n    route_tables: [\n");
        for t in &self.route_tables {
            let _ = writeln!(
                s,
                "        (name: {}, propagate_gateway_routes: {}, routes: [",
                q(&t.name),
                t.propagate_gateway_routes
            );
            for r in &t.routes {
                let hop = match &r.next_hop {
                    NextHop::VirtualAppliance(ip) => format!("VirtualAppliance({})", q(ip)),
                    NextHop::VirtualNetworkGateway => "VirtualNetworkGateway".into(),
                    NextHop::VnetLocal => "VnetLocal".into(),
                    NextHop::Internet => "Internet".into(),
                    NextHop::None => "None".into(),
                };
                let _ = writeln!(
                    s,
                    "            (name: {}, prefix: {}, next_hop: {hop}),",
                    q(&r.name),
                    q(&r.prefix)
                );
            }
            s.push_str("        ]),\n");
        }
        s.push_str("    ],\n    gateways: [\n");
        for g in &self.gateways {
            let learned: Vec<String> = g
                .learned
                .iter()
                .map(|p| format!("(prefix: {}, via: Bgp)", q(p)))
                .collect();
            let _ = writeln!(
                s,
                "        (name: {}, vnet: {}, kind: {:?}, instance_ips: {}, learned: [{}]),",
                q(&g.name),
                q(&g.vnet),
                g.kind,
                list(&g.instance_ips),
                learned.join(", ")
            );
        }
        s.push_str("    ],\n    private_endpoints: [\n");
        for e in &self.private_endpoints {
            let _ = writeln!(
                s,
                "        (name: {}, subnet: {}, ip: {}),",
                q(&e.name),
                q(&e.subnet),
                q(&e.ip)
            );
        }
        s.push_str("    ],\n    workloads: [\n");
        for w in &self.workloads {
            let _ = write!(
                s,
                "        (name: {}, subnet: {}, ip: {}",
                q(&w.name),
                q(&w.subnet),
                q(&w.ip)
            );
            if let Some(nsg) = &w.nsg {
                let _ = write!(s, ", nsg: {}", q(nsg));
            }
            match w.appliance {
                Some(a) => {
                    let _ = write!(s, ", kind: Nva, stateful: {}, snat: {}", a.stateful, a.snat);
                }
                None => s.push_str(", kind: Vm"),
            }
            s.push_str("),\n");
        }
        s.push_str("    ],\n    nsgs: [\n");
        for n in &self.nsgs {
            let _ = writeln!(s, "        (name: {}, rules: [", q(&n.name));
            for r in &n.rules {
                let _ = writeln!(
                    s,
                    "            (name: {}, priority: {}, direction: {:?}, access: {:?}, protocol: {:?}, source: {}, destination: {}, destination_ports: {}),",
                    q(&r.name),
                    r.priority,
                    r.direction,
                    r.access,
                    r.protocol,
                    list(&r.source),
                    list(&r.destination),
                    list(&r.destination_ports)
                );
            }
            s.push_str("        ]),\n");
        }
        s.push_str("    ],\n)\n");
        s
    }

    /// Writes the network as a scenario and loads it as a scenario file is loaded: every rule
    /// azpath checks applies, and a refusal is located in [`Network::to_ron`]'s text (named
    /// `built.ron`).
    pub fn load(&self) -> Result<Loaded, LoadError> {
        load_str("built.ron", &self.to_ron())
    }
}

/// A RON string literal.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A RON list of strings.
fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| q(i)).collect();
    format!("[{}]", quoted.join(", "))
}

impl Vnet {
    /// A VNet with one address prefix and no subnets.
    pub fn new(
        name: impl Into<String>,
        region: impl Into<String>,
        address_space: impl Into<String>,
    ) -> Self {
        Vnet {
            name: name.into(),
            region: region.into(),
            address_space: vec![address_space.into()],
            subnets: Vec::new(),
        }
    }

    /// Adds an address prefix.
    pub fn address(mut self, prefix: impl Into<String>) -> Self {
        self.address_space.push(prefix.into());
        self
    }

    /// Adds a subnet.
    pub fn subnet(mut self, subnet: Subnet) -> Self {
        self.subnets.push(subnet);
        self
    }
}

impl Subnet {
    /// A subnet with no route table, no NSG, and private endpoint network policies disabled
    /// (Azure's default).
    pub fn new(name: impl Into<String>, prefix: impl Into<String>) -> Self {
        Subnet {
            name: name.into(),
            prefix: prefix.into(),
            route_table: None,
            policies: Policies::Disabled,
            nsg: None,
        }
    }

    /// Associates a route table.
    pub fn route_table(mut self, name: impl Into<String>) -> Self {
        self.route_table = Some(name.into());
        self
    }

    /// Sets the private endpoint network policies.
    pub fn policies(mut self, policies: Policies) -> Self {
        self.policies = policies;
        self
    }

    /// Associates an NSG.
    pub fn nsg(mut self, name: impl Into<String>) -> Self {
        self.nsg = Some(name.into());
        self
    }
}

impl RouteTable {
    /// A route table with no routes that propagates gateway routes (Azure's default).
    pub fn new(name: impl Into<String>) -> Self {
        RouteTable {
            name: name.into(),
            propagate_gateway_routes: true,
            routes: Vec::new(),
        }
    }

    /// Adds a UDR.
    pub fn route(
        mut self,
        name: impl Into<String>,
        prefix: impl Into<String>,
        next_hop: NextHop,
    ) -> Self {
        self.routes.push(Udr {
            name: name.into(),
            prefix: prefix.into(),
            next_hop,
        });
        self
    }

    /// Sets "Propagate gateway routes".
    pub fn propagate(mut self, on: bool) -> Self {
        self.propagate_gateway_routes = on;
        self
    }
}

impl Peering {
    /// A peering with Azure's defaults: access allowed, forwarded traffic not, no gateway
    /// transit, connected.
    pub fn new(a: impl Into<String>, b: impl Into<String>) -> Self {
        Peering {
            between: (a.into(), b.into()),
            allow_virtual_network_access: true,
            allow_forwarded_traffic: false,
            gateway_transit: None,
            state: PeeringState::Connected,
        }
    }
}

impl Workload {
    /// A VM with no NSG on its NIC.
    pub fn vm(name: impl Into<String>, subnet: impl Into<String>, ip: impl Into<String>) -> Self {
        Workload {
            name: name.into(),
            subnet: subnet.into(),
            ip: ip.into(),
            nsg: None,
            appliance: None,
        }
    }

    /// Makes it an appliance that forwards.
    pub fn forwarding(mut self, appliance: Appliance) -> Self {
        self.appliance = Some(appliance);
        self
    }

    /// Puts an NSG on its NIC.
    pub fn nsg(mut self, name: impl Into<String>) -> Self {
        self.nsg = Some(name.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_built_network_loads_as_its_scenario_text_does() {
        let net = Network::new()
            .vnet(
                Vnet::new("hub", "eastus", "10.0.0.0/16")
                    .subnet(Subnet::new("GatewaySubnet", "10.0.255.0/27"))
                    .subnet(Subnet::new("pe", "10.0.2.0/24").policies(Policies::RouteTableEnabled)),
            )
            .gateway(Gateway {
                name: "gw".into(),
                vnet: "hub".into(),
                kind: GatewayKind::Vpn,
                instance_ips: vec!["10.0.255.4".into()],
                learned: vec!["192.168.0.0/16".into()],
            })
            .nsg(Nsg {
                name: "n\"1".into(),
                rules: vec![NsgRule {
                    name: "deny".into(),
                    priority: 100,
                    direction: Direction::Inbound,
                    access: Access::Deny,
                    protocol: Protocol::Tcp,
                    source: vec!["*".into()],
                    destination: vec!["*".into()],
                    destination_ports: vec!["22".into()],
                }],
            })
            .private_endpoint("pe1", "hub/pe", "10.0.2.4");
        let built = net.load().map_err(|e| e.to_string());
        let from_text = load_str("built.ron", &net.to_ron()).map_err(|e| e.to_string());
        assert!(built.is_ok(), "{built:?}\n{}", net.to_ron());
        assert_eq!(
            built.map(|l| l.network.subnets.len()),
            from_text.map(|l| l.network.subnets.len())
        );
    }

    #[test]
    fn a_built_network_azure_refuses_is_refused_with_a_located_error() {
        // Two subnets that overlap: Azure refuses the second.
        let net = Network::new().vnet(
            Vnet::new("hub", "eastus", "10.0.0.0/16")
                .subnet(Subnet::new("a", "10.0.1.0/24"))
                .subnet(Subnet::new("b", "10.0.1.0/25")),
        );
        let refused = net.load().map(|_| ()).map_err(|e| e.to_string());
        assert!(
            refused.as_ref().is_err_and(|e| e.contains("built.ron:")),
            "{refused:?}"
        );
    }
}
