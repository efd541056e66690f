//! Proptest strategies that generate valid Azure networks and their parts, for property tests
//! written against this crate (enable the `proptest` feature). Every strategy yields the plain
//! values of [`crate::build`], so a failing case prints as readable Rust and loads with
//! [`Network::load`]; generated networks shrink towards one VNet with one subnet and nothing
//! else.
//!
//! The address plan keeps every network valid: VNet `i` is `vnet{i}` with `10.i.0.0/16`; its
//! subnet `j` is `sub{j}` with `10.i.j.0/24` and holds the VM `vm-{i}-{j}` at `10.i.j.10`
//! and, if generated, the private endpoint `pe-{i}-{j}` at `10.i.j.5`; the first VNet holds the
//! appliance `nva` at `10.0.1.20` and, with gateways, a `GatewaySubnet` `10.0.255.0/27` with
//! the gateway `gw` at `10.0.255.4`. Route tables are `rt-{i}-{j}`, NSGs `nsg-{i}-{j}`.
//!
//! ```
//! use azpath_engine::strategy::{network, Knobs};
//! use proptest::prelude::*;
//!
//! proptest!(|(net in network(Knobs::default()))| {
//!     prop_assert!(net.load().is_ok());
//! });
//! ```

use std::net::Ipv4Addr;
use std::ops::RangeInclusive;

use proptest::prelude::*;

use crate::build::{
    Access, Appliance, Direction, Endpoint, Gateway, GatewayKind, Network, NextHop, Nsg, NsgRule,
    Peering, PeeringState, Policies, Protocol, RouteTable, Subnet, Udr, Vnet, Workload,
};

/// What a generated network may hold, and how much of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Knobs {
    /// How many VNets (at most 200).
    pub vnets: RangeInclusive<usize>,
    /// How many subnets in each VNet (1 to 200).
    pub subnets: RangeInclusive<usize>,
    /// How many UDRs in each route table.
    pub udrs: RangeInclusive<usize>,
    /// Private endpoints, under random network policies.
    pub private_endpoints: bool,
    /// Route tables on subnets.
    pub route_tables: bool,
    /// Peerings with random flags and states.
    pub peerings: bool,
    /// A VPN or ExpressRoute gateway in the first VNet, with BGP-learned routes and transit.
    pub gateways: bool,
    /// NSGs on subnets and NICs.
    pub nsgs: bool,
}

impl Default for Knobs {
    /// Everything, small: 1 to 4 VNets of 1 to 3 subnets, 0 to 4 UDRs a table.
    fn default() -> Self {
        Knobs {
            vnets: 1..=4,
            subnets: 1..=3,
            udrs: 0..=4,
            private_endpoints: true,
            route_tables: true,
            peerings: true,
            gateways: true,
            nsgs: true,
        }
    }
}

impl Knobs {
    /// Only VNets, subnets, peerings and route tables: the parts that decide effective routes
    /// without gateways, endpoints or NSGs.
    pub fn routing_only() -> Self {
        Knobs {
            private_endpoints: false,
            gateways: false,
            nsgs: false,
            ..Knobs::default()
        }
    }
}

/// Every private endpoint network policy setting.
pub fn policies() -> impl Strategy<Value = Policies> {
    prop::sample::select(vec![
        Policies::Disabled,
        Policies::Enabled,
        Policies::NetworkSecurityGroupEnabled,
        Policies::RouteTableEnabled,
    ])
}

/// Where a generated UDR's prefix lies, relative to the address plan (indices are taken
/// modulo the network's size, so a plan stays valid while the network shrinks).
#[derive(Clone, Copy, Debug)]
enum PrefixPlan {
    Default,
    Private8,
    Vnet(usize),
    Subnet(usize, usize),
    Endpoint(usize, usize, u8),
    Random(u32, u8),
}

fn prefix_plan() -> impl Strategy<Value = PrefixPlan> {
    prop_oneof![
        Just(PrefixPlan::Default),
        Just(PrefixPlan::Private8),
        any::<usize>().prop_map(PrefixPlan::Vnet),
        (any::<usize>(), any::<usize>()).prop_map(|(v, s)| PrefixPlan::Subnet(v, s)),
        (any::<usize>(), any::<usize>(), 24u8..=32)
            .prop_map(|(v, s, l)| PrefixPlan::Endpoint(v, s, l)),
        (any::<u32>(), 0u8..=32).prop_map(|(a, l)| PrefixPlan::Random(a, l)),
    ]
}

/// A UDR's next hop, of every type.
#[derive(Clone, Copy, Debug)]
enum HopPlan {
    /// The appliance `nva`.
    Appliance,
    /// An address in the first VNet that no NIC holds.
    Nowhere,
    Gateway,
    VnetLocal,
    Internet,
    Drop,
}

fn hop_plan() -> impl Strategy<Value = HopPlan> {
    prop::sample::select(vec![
        HopPlan::Appliance,
        HopPlan::Nowhere,
        HopPlan::Gateway,
        HopPlan::VnetLocal,
        HopPlan::Internet,
        HopPlan::Drop,
    ])
}

#[derive(Clone, Debug)]
struct SubnetPlan {
    policies: Policies,
    endpoint: bool,
    table: Option<(bool, Vec<(PrefixPlan, HopPlan)>)>,
    nsg: Option<Vec<RulePlan>>,
    nic_nsg: bool,
}

#[derive(Clone, Copy, Debug)]
struct RulePlan {
    inbound: bool,
    allow: bool,
    port: Option<u16>,
    from_internet: bool,
}

#[derive(Clone, Debug)]
struct VnetPlan {
    west: bool,
    subnets: Vec<SubnetPlan>,
}

#[derive(Clone, Copy, Debug)]
struct PeeringPlan {
    a: usize,
    b: usize,
    access: bool,
    forwarded: bool,
    transit: bool,
    state: PeeringState,
}

#[derive(Clone, Debug)]
struct GatewayPlan {
    express_route: bool,
    learned: Vec<(u8, u8, u8)>,
}

fn rule_plan() -> impl Strategy<Value = RulePlan> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec![22u16, 443, 1433])),
        any::<bool>(),
    )
        .prop_map(|(inbound, allow, port, from_internet)| RulePlan {
            inbound,
            allow,
            port,
            from_internet,
        })
}

fn subnet_plan(knobs: &Knobs) -> impl Strategy<Value = SubnetPlan> {
    let udrs = knobs.udrs.clone();
    let tables = knobs.route_tables;
    let endpoints = knobs.private_endpoints;
    let nsgs = knobs.nsgs;
    (
        policies(),
        any::<bool>(),
        prop::option::of((
            any::<bool>(),
            prop::collection::vec((prefix_plan(), hop_plan()), udrs),
        )),
        prop::option::of(prop::collection::vec(rule_plan(), 0..=3)),
        any::<bool>(),
    )
        .prop_map(
            move |(policies, endpoint, table, nsg, nic_nsg)| SubnetPlan {
                policies,
                endpoint: endpoint && endpoints,
                table: table.filter(|_| tables),
                nsg: nsg.filter(|_| nsgs),
                nic_nsg: nic_nsg && nsgs,
            },
        )
}

fn peering_plan() -> impl Strategy<Value = PeeringPlan> {
    (
        any::<usize>(),
        any::<usize>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec![
            PeeringState::Connected,
            PeeringState::Connected,
            PeeringState::Initiated,
            PeeringState::Disconnected,
        ]),
    )
        .prop_map(|(a, b, access, forwarded, transit, state)| PeeringPlan {
            a,
            b,
            access,
            forwarded,
            transit,
            state,
        })
}

fn gateway_plan() -> impl Strategy<Value = GatewayPlan> {
    (
        any::<bool>(),
        prop::collection::vec((0u8..=3, any::<u8>(), any::<u8>()), 0..=3),
    )
        .prop_map(|(express_route, learned)| GatewayPlan {
            express_route,
            learned,
        })
}

/// A valid network as `knobs` allow; see the module documentation for its address plan.
pub fn network(knobs: Knobs) -> impl Strategy<Value = Network> {
    let vnets = (*knobs.vnets.start()).clamp(1, 200)..=(*knobs.vnets.end()).clamp(1, 200);
    let subnets = (*knobs.subnets.start()).clamp(1, 200)..=(*knobs.subnets.end()).clamp(1, 200);
    let vnet = (
        any::<bool>(),
        prop::collection::vec(subnet_plan(&knobs), subnets),
    )
        .prop_map(|(west, subnets)| VnetPlan { west, subnets });
    let peerings = if knobs.peerings { 0..=6usize } else { 0..=0 };
    let gateway = if knobs.gateways {
        prop::option::of(gateway_plan()).boxed()
    } else {
        Just(None).boxed()
    };
    (
        prop::collection::vec(vnet, vnets),
        prop::collection::vec(peering_plan(), peerings),
        gateway,
    )
        .prop_map(|(vnets, peerings, gateway)| assemble(&vnets, &peerings, gateway.as_ref()))
}

fn v4(a: u8, b: u8, c: u8, d: u8) -> String {
    Ipv4Addr::new(a, b, c, d).to_string()
}

/// The `i`th VNet's number in the address plan.
fn octet(i: usize) -> u8 {
    u8::try_from(i).unwrap_or(u8::MAX)
}

fn prefix(plan: PrefixPlan, vnets: &[VnetPlan]) -> String {
    let n = vnets.len().max(1);
    let subnet_of = |v: usize, s: usize| {
        let v = v % n;
        let count = vnets.get(v).map_or(1, |p| p.subnets.len().max(1));
        (octet(v), octet(s % count + 1))
    };
    match plan {
        PrefixPlan::Default => "0.0.0.0/0".into(),
        PrefixPlan::Private8 => "10.0.0.0/8".into(),
        PrefixPlan::Vnet(v) => format!("10.{}.0.0/16", octet(v % n)),
        PrefixPlan::Subnet(v, s) => {
            let (v, s) = subnet_of(v, s);
            format!("10.{v}.{s}.0/24")
        }
        PrefixPlan::Endpoint(v, s, len) => {
            let (v, s) = subnet_of(v, s);
            let net = ipnet::Ipv4Net::new(Ipv4Addr::new(10, v, s, 5), len.min(32))
                .map(|p| p.trunc().to_string());
            net.unwrap_or_else(|_| format!("10.{v}.{s}.5/32"))
        }
        PrefixPlan::Random(a, len) => ipnet::Ipv4Net::new(Ipv4Addr::from(a), len.min(32))
            .map(|p| p.trunc().to_string())
            .unwrap_or_else(|_| "0.0.0.0/0".into()),
    }
}

fn assemble(
    vnets: &[VnetPlan],
    peerings: &[PeeringPlan],
    gateway: Option<&GatewayPlan>,
) -> Network {
    let mut net = Network::new();
    for (i, plan) in vnets.iter().enumerate() {
        let v = octet(i);
        let region = if plan.west { "westeurope" } else { "eastus" };
        let mut vnet = Vnet::new(format!("vnet{i}"), region, format!("10.{v}.0.0/16"));
        if i == 0 && gateway.is_some() {
            vnet = vnet.subnet(Subnet::new("GatewaySubnet", "10.0.255.0/27"));
        }
        for (j, sub) in plan.subnets.iter().enumerate() {
            let s = octet(j + 1);
            let name = format!("{i}-{j}");
            let mut subnet =
                Subnet::new(format!("sub{j}"), format!("10.{v}.{s}.0/24")).policies(sub.policies);
            if let Some((propagate, udrs)) = &sub.table {
                subnet = subnet.route_table(format!("rt-{name}"));
                let mut table = RouteTable::new(format!("rt-{name}")).propagate(*propagate);
                let mut seen = std::collections::BTreeSet::new();
                for (k, (p, hop)) in udrs.iter().enumerate() {
                    let prefix = prefix(*p, vnets);
                    // A route table holds one route per prefix.
                    if !seen.insert(prefix.clone()) {
                        continue;
                    }
                    let next_hop = match hop {
                        HopPlan::Appliance => NextHop::appliance("10.0.1.20"),
                        HopPlan::Nowhere => NextHop::appliance("10.0.1.99"),
                        HopPlan::Gateway => NextHop::VirtualNetworkGateway,
                        HopPlan::VnetLocal => NextHop::VnetLocal,
                        HopPlan::Internet => NextHop::Internet,
                        HopPlan::Drop => NextHop::None,
                    };
                    table.routes.push(Udr {
                        name: format!("u{k}"),
                        prefix,
                        next_hop,
                    });
                }
                net = net.route_table(table);
            }
            let nsg_name = format!("nsg-{name}");
            if sub.nsg.is_some() {
                subnet = subnet.nsg(nsg_name.clone());
            }
            if sub.nsg.is_some() || sub.nic_nsg {
                net = net.nsg(nsg(&nsg_name, sub.nsg.as_deref().unwrap_or_default()));
            }
            vnet = vnet.subnet(subnet);
            let mut vm = Workload::vm(
                format!("vm-{name}"),
                format!("vnet{i}/sub{j}"),
                v4(10, v, s, 10),
            );
            if sub.nic_nsg {
                vm = vm.nsg(nsg_name);
            }
            net = net.with_workload(vm);
            if sub.endpoint {
                net.private_endpoints.push(Endpoint {
                    name: format!("pe-{name}"),
                    subnet: format!("vnet{i}/sub{j}"),
                    ip: v4(10, v, s, 5),
                });
            }
        }
        net = net.vnet(vnet);
    }
    if !vnets.is_empty() {
        net = net.with_workload(Workload::vm("nva", "vnet0/sub0", "10.0.1.20").forwarding(
            Appliance {
                stateful: false,
                snat: false,
            },
        ));
    }
    if let Some(g) = gateway {
        net = net.gateway(Gateway {
            name: "gw".into(),
            vnet: "vnet0".into(),
            kind: if g.express_route {
                GatewayKind::ExpressRoute
            } else {
                GatewayKind::Vpn
            },
            instance_ips: vec!["10.0.255.4".into()],
            learned: g
                .learned
                .iter()
                .map(|(kind, a, b)| match kind {
                    0 => "0.0.0.0/0".to_string(),
                    1 => format!("192.168.{a}.0/24"),
                    2 => format!("10.{a}.0.0/16"),
                    _ => format!("172.{}.{b}.0/24", 16 + a % 16),
                })
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect(),
        });
    }
    let n = vnets.len();
    let mut pairs = std::collections::BTreeSet::new();
    for p in peerings {
        if n < 2 {
            break;
        }
        let (a, b) = (p.a % n, p.b % n);
        let (a, b) = (a.min(b), a.max(b));
        if a == b || !pairs.insert((a, b)) {
            continue;
        }
        net = net.peering(Peering {
            between: (format!("vnet{a}"), format!("vnet{b}")),
            allow_virtual_network_access: p.access,
            allow_forwarded_traffic: p.forwarded,
            // Only the first VNet has a gateway to share.
            gateway_transit: (p.transit && a == 0 && gateway.is_some()).then(|| "vnet0".into()),
            state: p.state,
        });
    }
    net
}

fn nsg(name: &str, rules: &[RulePlan]) -> Nsg {
    Nsg {
        name: name.into(),
        rules: rules
            .iter()
            .enumerate()
            .map(|(k, r)| NsgRule {
                name: format!("r{k}"),
                priority: 100 + 10 * u32::try_from(k).unwrap_or(0),
                direction: if r.inbound {
                    Direction::Inbound
                } else {
                    Direction::Outbound
                },
                access: if r.allow { Access::Allow } else { Access::Deny },
                protocol: if r.port.is_some() {
                    Protocol::Tcp
                } else {
                    Protocol::Any
                },
                source: vec![if r.from_internet {
                    "Internet"
                } else {
                    "VirtualNetwork"
                }
                .into()],
                destination: vec!["*".into()],
                destination_ports: vec![r.port.map_or("*".into(), |p| p.to_string())],
            })
            .collect(),
    }
}

/// A flow a property can trace: from a workload to an address, on a TCP port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// The workload that starts it.
    pub from: String,
    /// The destination address.
    pub to: std::net::IpAddr,
    /// The TCP port.
    pub port: u16,
}

/// A flow in `net`: from one of its workloads to a workload, a private endpoint, or an
/// address outside the plan (the Internet, on-premises), on a common port.
pub fn flow(net: &Network) -> impl Strategy<Value = Flow> {
    let sources: Vec<String> = net.workloads.iter().map(|w| w.name.clone()).collect();
    let mut targets: Vec<std::net::IpAddr> = net
        .workloads
        .iter()
        .map(|w| w.ip.as_str())
        .chain(net.private_endpoints.iter().map(|e| e.ip.as_str()))
        .filter_map(|ip| ip.parse().ok())
        .collect();
    targets.push(std::net::IpAddr::V4(Ipv4Addr::new(93, 184, 216, 34)));
    targets.push(std::net::IpAddr::V4(Ipv4Addr::new(192, 168, 1, 10)));
    let sources = if sources.is_empty() {
        vec!["vm-0-0".to_string()]
    } else {
        sources
    };
    (
        prop::sample::select(sources),
        prop::sample::select(targets),
        prop::sample::select(vec![22u16, 443, 1433]),
    )
        .prop_map(|(from, to, port)| Flow { from, to, port })
}

/// A network and a flow in it.
pub fn network_and_flow(knobs: Knobs) -> impl Strategy<Value = (Network, Flow)> {
    network(knobs).prop_flat_map(|net| {
        let flow = flow(&net);
        (Just(net), flow)
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;

    use super::{network, network_and_flow, Knobs};

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn every_generated_network_is_valid(net in network(Knobs::default())) {
            let loaded = net.load();
            prop_assert!(loaded.is_ok(), "{}\n{}", loaded.err().map(|e| e.to_string()).unwrap_or_default(), net.to_ron());
        }

        #[test]
        fn every_generated_flow_starts_at_a_workload_of_its_network((net, flow) in network_and_flow(Knobs::routing_only())) {
            prop_assert!(net.workloads.iter().any(|w| w.name == flow.from));
        }
    }

    #[test]
    fn the_default_knobs_generate_every_part_and_every_next_hop_type() {
        use crate::build::NextHop;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let (mut hops, mut parts) = (std::collections::BTreeSet::new(), [0usize; 6]);
        for _ in 0..64 {
            let net = network(Knobs::default())
                .new_tree(&mut runner)
                .map(|t| t.current())
                .unwrap_or_default();
            for r in net.route_tables.iter().flat_map(|t| &t.routes) {
                hops.insert(match r.next_hop {
                    NextHop::VirtualAppliance(_) => 0,
                    NextHop::VirtualNetworkGateway => 1,
                    NextHop::VnetLocal => 2,
                    NextHop::Internet => 3,
                    NextHop::None => 4,
                });
            }
            let counts = [
                net.peerings.len(),
                net.gateways.len(),
                net.gateways.iter().map(|g| g.learned.len()).sum(),
                net.private_endpoints.len(),
                net.nsgs.len(),
                net.peerings
                    .iter()
                    .filter(|p| p.gateway_transit.is_some())
                    .count(),
            ];
            for (total, n) in parts.iter_mut().zip(counts) {
                *total += n;
            }
            assert!(net.load().is_ok(), "{}", net.to_ron());
        }
        assert_eq!(hops.len(), 5, "{hops:?}");
        assert!(parts.iter().all(|n| *n > 0), "{parts:?}");
    }

    #[test]
    fn knobs_turn_parts_off() {
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let knobs = Knobs {
            private_endpoints: false,
            route_tables: false,
            peerings: false,
            gateways: false,
            nsgs: false,
            ..Knobs::default()
        };
        for _ in 0..32 {
            let net = network(knobs.clone())
                .new_tree(&mut runner)
                .map(|t| t.current())
                .unwrap_or_default();
            assert!(net.private_endpoints.is_empty() && net.route_tables.is_empty());
            assert!(net.peerings.is_empty() && net.gateways.is_empty() && net.nsgs.is_empty());
            assert!(!net.vnets.is_empty());
        }
    }
}
