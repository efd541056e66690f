//! Property tests: the trie against the linear scan, the engine against the reference model, and
//! the route-selection invariants (one active source per prefix, the private-endpoint network
//! policy rule, peering routes), on random networks and on every bundled scenario.
//!
//! Two network strategies:
//! - `network()`: a hub with a gateway, a firewall subnet and private endpoints (random network
//!   policies), a spoke whose `app` subnet has a random route table (random UDRs biased towards
//!   prefixes around the endpoints, random gateway propagation), random gateway transit, and a
//!   third VNet peered only with the hub;
//! - `topology()`: 2–5 VNets in random regions, each with one or two address prefixes of
//!   random length, a private endpoint under random network policies, random peerings (random
//!   `allowVirtualNetworkAccess`, `allowForwardedTraffic`, state and gateway transit) and random
//!   UDRs, many of them around the endpoints' addresses.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

use azpath_engine::model::{
    NextHopType, PeeringState, PrivateEndpointId, RouteSource, RouteState, SubnetId,
};
use azpath_engine::route::{EffectiveRoute, LinearLpm, Lpm, RouteTableView, TrieLpm};
use azpath_engine::{load_file, load_str, Loaded};
use ipnet::{IpNet, Ipv4Net};
use proptest::prelude::*;

use super::reference;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        ..ProptestConfig::default()
    }
}

// ---- LPM ------------------------------------------------------------------------------------

fn any_v4_prefix() -> impl Strategy<Value = IpNet> {
    (any::<u32>(), 0u8..=32)
        .prop_map(|(a, l)| IpNet::V4(Ipv4Net::new(Ipv4Addr::from(a), l).unwrap().trunc()))
}

/// Prefixes of every length over a few neighbouring addresses: deeply nested chains, inserted
/// in random order, so a prefix often arrives after prefixes inside it.
fn nested_v4_prefix() -> impl Strategy<Value = IpNet> {
    (0u8..=32, 0u8..4)
        .prop_map(|(l, b)| IpNet::V4(Ipv4Net::new(Ipv4Addr::new(10, 1, b, 4), l).unwrap().trunc()))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn trie_agrees_with_the_linear_scan(
        prefixes in prop::collection::vec(prop_oneof![any_v4_prefix(), nested_v4_prefix()], 0..200),
        addrs in prop::collection::vec(any::<u32>(), 1..50),
    ) {
        let mut trie = TrieLpm::default();
        let mut linear = LinearLpm::default();
        for (i, p) in prefixes.iter().enumerate() {
            trie.insert(*p, i);
            linear.insert(*p, i);
        }
        prop_assert_eq!(trie.len(), linear.len());
        // Probe random addresses and the first address of every prefix.
        let probes = addrs.iter().map(|a| IpAddr::V4(Ipv4Addr::from(*a))).chain(prefixes.iter().map(|p| p.network()));
        for a in probes {
            prop_assert_eq!(trie.longest_match(a), linear.longest_match(a));
            prop_assert_eq!(trie.covering(a), linear.covering(a));
            prop_assert_eq!(trie.covering_longest_first(a), linear.covering_longest_first(a));
        }
    }
}

// ---- random networks ------------------------------------------------------------------------

const POLICIES: [&str; 4] = [
    "Disabled",
    "Enabled",
    "NetworkSecurityGroupEnabled",
    "RouteTableEnabled",
];

/// A random hub-and-spoke network as scenario text.
#[derive(Clone, Debug)]
pub struct RandomNet {
    /// The scenario.
    pub ron: String,
    /// The hub's private endpoint addresses.
    pub hub_pes: Vec<Ipv4Addr>,
    /// The hub endpoint subnet's policies.
    pub hub_policy: &'static str,
}

fn interesting_prefix(pes: Vec<u8>) -> impl Strategy<Value = Ipv4Net> {
    let pe = pes.first().copied().unwrap_or(4);
    prop_oneof![
        Just(Ipv4Net::new(Ipv4Addr::UNSPECIFIED, 0).unwrap()),
        Just("10.0.0.0/8".parse().unwrap()),
        Just("10.0.0.0/16".parse().unwrap()),
        Just("10.0.2.0/24".parse().unwrap()),
        Just("10.1.0.0/16".parse().unwrap()),
        Just("10.2.0.0/16".parse().unwrap()),
        Just("192.168.0.0/16".parse().unwrap()),
        (0u8..=32).prop_map(move |l| Ipv4Net::new(Ipv4Addr::new(10, 0, 2, pe), l)
            .unwrap()
            .trunc()),
        (any::<u32>(), 0u8..=32)
            .prop_map(|(a, l)| Ipv4Net::new(Ipv4Addr::from(a), l).unwrap().trunc()),
    ]
}

prop_compose! {
    fn pe_hosts()(hosts in prop::collection::btree_set(4u8..=250, 1..4)) -> Vec<u8> {
        hosts.into_iter().collect()
    }
}

prop_compose! {
    /// A random network; see the module documentation.
    pub fn network()(hosts in pe_hosts())(
        udrs in prop::collection::vec(interesting_prefix(hosts.clone()), 0..8),
        learned in prop::collection::vec(interesting_prefix(hosts.clone()), 0..5),
        hub_policy in prop::sample::select(POLICIES.to_vec()),
        far_policy in prop::sample::select(POLICIES.to_vec()),
        propagate in any::<bool>(),
        nva_stateful in any::<bool>(),
        nva_snat in any::<bool>(),
        nsg_deny_port in prop::option::of(prop::sample::select(vec![22u16, 443, 1433])),
        transit in any::<bool>(),
        spoke_192 in any::<bool>(),
        hosts in Just(hosts),
    ) -> RandomNet {
        let udrs: BTreeSet<Ipv4Net> = udrs.into_iter().collect();
        let learned: BTreeSet<Ipv4Net> = learned.into_iter().collect();
        let routes: String = udrs.iter().enumerate().map(|(i, p)| format!(
            r#"(name: "u{i}", prefix: "{p}", next_hop: VirtualAppliance("10.0.1.4")),"#
        )).collect();
        let learned: String = learned.iter().map(|p| format!(r#"(prefix: "{p}"),"#)).collect();
        let pes: String = hosts.iter().map(|h| format!(
            r#"(name: "pe{h}", subnet: "hub/pe", ip: "10.0.2.{h}"),"#
        )).collect();
        let nsg_rules = nsg_deny_port.map(|p| format!(
            r#"(name: "deny", priority: 100, direction: Inbound, access: Deny, protocol: Tcp, destination_ports: ["{p}"])"#
        )).unwrap_or_default();
        let spoke_space = if spoke_192 { r#""10.1.0.0/16", "192.168.0.0/16""# } else { r#""10.1.0.0/16""# };
        let transit = if transit { r#", gateway_transit: "hub""# } else { "" };
        let ron = format!(r#"Scenario(
            vnets: [
                (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [
                    (name: "GatewaySubnet", prefix: "10.0.255.0/27"),
                    (name: "fw", prefix: "10.0.1.0/24"),
                    (name: "pe", prefix: "10.0.2.0/24", private_endpoint_network_policies: {hub_policy})]),
                (name: "spoke", region: "eastus", address_space: [{spoke_space}], subnets: [
                    (name: "app", prefix: "10.1.1.0/24", route_table: "rt")]),
                (name: "far", region: "westus", address_space: ["10.2.0.0/16"], subnets: [
                    (name: "pe", prefix: "10.2.2.0/24", private_endpoint_network_policies: {far_policy})]),
            ],
            peerings: [(between: ("hub", "spoke"){transit}), (between: ("hub", "far"))],
            route_tables: [(name: "rt", propagate_gateway_routes: {propagate}, routes: [{routes}])],
            gateways: [(name: "gw", vnet: "hub", kind: Vpn, instance_ips: ["10.0.255.4", "10.0.255.5"], learned: [{learned}])],
            private_endpoints: [{pes} (name: "pe-far", subnet: "far/pe", ip: "10.2.2.4")],
            workloads: [
                (name: "nva", kind: Nva, subnet: "hub/fw", ip: "10.0.1.4", stateful: {nva_stateful}, snat: {nva_snat}, nsg: "nsg-nva"),
                (name: "vm", subnet: "spoke/app", ip: "10.1.1.4"),
                (name: "vm-hub", subnet: "hub/fw", ip: "10.0.1.9"),
            ],
            nsgs: [(name: "nsg-nva", rules: [{nsg_rules}])],
        )"#);
        RandomNet {
            ron,
            hub_pes: hosts.iter().map(|h| Ipv4Addr::new(10, 0, 2, *h)).collect(),
            hub_policy,
        }
    }
}

fn load(net: &RandomNet) -> Loaded {
    load_str("random.ron", &net.ron).unwrap_or_else(|e| panic!("{e}\n{}", net.ron))
}

fn table(loaded: &Loaded, subnet: &str) -> RouteTableView {
    let id = loaded.network.subnet_by_name(subnet).unwrap();
    RouteTableView::compile(&loaded.network, id).unwrap()
}

/// Every subnet's name and compiled table.
fn tables(loaded: &Loaded) -> Vec<(String, RouteTableView)> {
    (loaded.network.subnets.iter_ids())
        .map(|(i, subnet)| {
            let t = RouteTableView::compile(&loaded.network, i).unwrap();
            (subnet.name.clone(), t)
        })
        .collect()
}

fn probes(net: &RandomNet, extra: &[u32]) -> Vec<IpAddr> {
    let fixed = [
        "10.0.2.4",
        "10.0.1.4",
        "10.1.1.9",
        "10.2.2.4",
        "10.3.0.1",
        "192.168.1.1",
        "172.16.0.1",
        "100.64.0.1",
        "8.8.8.8",
    ];
    fixed
        .iter()
        .map(|a| a.parse().unwrap())
        .chain(net.hub_pes.iter().map(|a| IpAddr::V4(*a)))
        .chain(extra.iter().map(|a| IpAddr::V4(Ipv4Addr::from(*a))))
        .collect()
}

/// The addresses of a loaded network worth probing: every endpoint, workload, gateway instance
/// and subnet's first host, and a few outside any VNet.
fn network_probes(loaded: &Loaded, extra: &[u32]) -> Vec<IpAddr> {
    let n = &loaded.network;
    let fixed = [
        "8.8.8.8",
        "10.99.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",
    ];
    fixed
        .iter()
        .map(|a| a.parse().unwrap())
        .chain(n.private_endpoints.iter().map(|p| p.ip))
        .chain(n.workloads.iter().map(|w| w.ip))
        .chain(
            n.gateways
                .iter()
                .flat_map(|g| g.instance_ips.iter().copied()),
        )
        .chain(n.subnets.iter().map(|s| s.prefix.network()))
        .chain(extra.iter().map(|a| IpAddr::V4(Ipv4Addr::from(*a))))
        .collect()
}

// ---- checks shared by the properties and the scenario sweep ----------------------------------

/// Every subnet's table equals the reference model's, row for row, and forwards every probe to
/// the same next hops.
fn agrees_with_the_reference(loaded: &Loaded, probes: &[IpAddr]) -> Result<(), String> {
    let net = &loaded.network;
    for (i, subnet) in net.subnets.iter_ids() {
        let t = RouteTableView::compile(net, i).unwrap();
        let expected = reference::routes(net, i);
        let actual = reference::rows(&listed(&t));
        if actual != expected {
            let missing: Vec<_> = expected.iter().filter(|r| !actual.contains(r)).collect();
            let extra: Vec<_> = actual.iter().filter(|r| !expected.contains(r)).collect();
            return Err(format!(
                "{}: the reference has {missing:#?} the engine has not; the engine has {extra:#?}",
                subnet.name
            ));
        }
        for dst in probes {
            let mut engine: Vec<_> = t.lookup(*dst).iter().map(|r| r.next_hop).collect();
            engine.sort();
            let want = reference::next_hops(&expected, *dst);
            if engine != want {
                return Err(format!(
                    "{} -> {dst}: engine {engine:?}, reference {want:?}",
                    subnet.name
                ));
            }
        }
    }
    Ok(())
}

/// Whether a BGP route sits inside a VNet, peering or service-endpoint system route of the same
/// table: "system routes for the virtual network, peerings and service endpoints are preferred
/// even if BGP routes are more specific", a rule that looks across prefixes.
fn bgp_behind_a_system_route(routes: &[EffectiveRoute], r: &EffectiveRoute) -> bool {
    r.source == RouteSource::VirtualNetworkGateway
        && routes.iter().any(|s| {
            s.source == RouteSource::Default
                && matches!(
                    s.next_hop.next_hop_type,
                    NextHopType::VnetLocal
                        | NextHopType::VNetPeering
                        | NextHopType::VNetGlobalPeering
                        | NextHopType::VirtualNetworkServiceEndpoint
                )
                && s.prefix.contains(&r.prefix)
        })
}

/// Azure's same-prefix rule: at every prefix exactly one route is Active (several only as
/// equal-cost paths: one source, one next hop type, different next hop IPs), and it comes from
/// the best source present, User > VirtualNetworkGateway > Default. Two cross-prefix rules may
/// leave a prefix with no Active route, and only they: a BGP route behind a VNet, peering or
/// service-endpoint system route, and a private endpoint's /32 under its network policy (the
/// only route at its prefix; the policy has its own property below).
/// Every route a table lists, owned.
fn listed(t: &RouteTableView) -> Vec<EffectiveRoute> {
    t.routes()
        .into_iter()
        .map(std::borrow::Cow::into_owned)
        .collect()
}

fn one_active_route_per_prefix(routes: &[EffectiveRoute]) -> Result<(), String> {
    let mut by_prefix: BTreeMap<IpNet, Vec<&EffectiveRoute>> = BTreeMap::new();
    for r in routes {
        by_prefix.entry(r.prefix).or_default().push(r);
    }
    for (prefix, at) in by_prefix {
        let contenders: Vec<&EffectiveRoute> = at
            .iter()
            .copied()
            .filter(|r| !bgp_behind_a_system_route(routes, r))
            .collect();
        let lone_endpoint = matches!(contenders.as_slice(), [r] if r.next_hop.next_hop_type == NextHopType::InterfaceEndpoint);
        if contenders.is_empty() || lone_endpoint {
            continue;
        }
        let active: BTreeSet<(RouteSource, NextHopType)> = contenders
            .iter()
            .filter(|r| r.state == RouteState::Active)
            .map(|r| (r.source, r.next_hop.next_hop_type))
            .collect();
        let [(source, _)] = active.iter().copied().collect::<Vec<_>>()[..] else {
            return Err(format!("{prefix}: active {active:?} among {at:#?}"));
        };
        let best = contenders
            .iter()
            .map(|r| r.source.precedence())
            .max()
            .unwrap();
        if source.precedence() != best {
            return Err(format!(
                "{prefix}: {source} is active but a better source is offered: {at:#?}"
            ));
        }
    }
    Ok(())
}

// ---- random topologies ------------------------------------------------------------------------

const REGIONS: [&str; 2] = ["eastus", "westus"];
const STATES: [&str; 3] = ["Connected", "Initiated", "Disconnected"];
const MAX_VNETS: u8 = 5;
/// Address prefixes a VNet may add that meet a reserved `None` prefix: equal to one, containing
/// one, inside one (by VNet index; they overlap nothing else).
const RESERVED_SPACES: [Option<&str>; MAX_VNETS as usize] = [
    None,
    Some("192.168.0.0/16"),
    Some("100.0.0.0/8"),
    Some("172.16.0.0/16"),
    None,
];

/// The address a VNet's private endpoint takes: in its first prefix, or in its second.
fn endpoint_ip(vnet: u8, second: bool) -> Ipv4Addr {
    if second {
        Ipv4Addr::new(172, 20, vnet * 16, 4)
    } else {
        Ipv4Addr::new(10, vnet, 2, 4)
    }
}

fn v4net(a: Ipv4Addr, len: u8) -> Ipv4Net {
    Ipv4Net::new(a, len).unwrap().trunc()
}

/// A UDR or learned prefix, mostly around where the endpoints and VNets are.
fn topology_prefix() -> impl Strategy<Value = Ipv4Net> {
    prop_oneof![
        1 => Just(v4net(Ipv4Addr::UNSPECIFIED, 0)),
        1 => Just(v4net(Ipv4Addr::new(10, 0, 0, 0), 8)),
        1 => Just(v4net(Ipv4Addr::new(172, 16, 0, 0), 12)),
        2 => (0..MAX_VNETS, 14u8..=20).prop_map(|(v, l)| v4net(Ipv4Addr::new(10, v, 0, 0), l)),
        5 => (0..MAX_VNETS, any::<bool>(), 8u8..=32).prop_map(|(v, s, l)| v4net(endpoint_ip(v, s), l)),
        2 => (0..MAX_VNETS, any::<bool>()).prop_map(|(v, s)| v4net(endpoint_ip(v, s), 32)),
        1 => (any::<u32>(), 0u8..=32).prop_map(|(a, l)| v4net(Ipv4Addr::from(a), l)),
    ]
}

#[derive(Clone, Debug)]
struct VnetPlan {
    region: &'static str,
    /// Length of `10.i.0.0/len` (VNet 0 always /16, for its GatewaySubnet).
    first_len: u8,
    /// Length of an optional second prefix `172.20.16i.0/len`.
    second_len: Option<u8>,
    /// Whether the VNet also takes the prefix of [`RESERVED_SPACES`] at its index, if any.
    reserved_space: bool,
    /// Whether the endpoint lives in the second prefix (when there is one).
    endpoint_in_second: bool,
    endpoint: bool,
    policy: &'static str,
    /// The `a` subnet's route table: propagate gateway routes, UDRs.
    table: Option<(bool, BTreeSet<Ipv4Net>)>,
}

fn vnet_plan() -> impl Strategy<Value = VnetPlan> {
    (
        prop::sample::select(REGIONS.to_vec()),
        prop::sample::select(vec![16u8, 17, 18, 20]),
        prop::option::of(prop::sample::select(vec![20u8, 22, 24])),
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.8),
        prop::sample::select(POLICIES.to_vec()),
        prop::option::weighted(
            0.8,
            (
                any::<bool>(),
                prop::collection::btree_set(topology_prefix(), 0..6),
            ),
        ),
    )
        .prop_map(
            |(
                region,
                first_len,
                second_len,
                endpoint_in_second,
                reserved_space,
                endpoint,
                policy,
                table,
            )| {
                VnetPlan {
                    region,
                    first_len,
                    second_len,
                    reserved_space,
                    endpoint_in_second,
                    endpoint,
                    policy,
                    table,
                }
            },
        )
}

#[derive(Clone, Debug)]
struct PeeringPlan {
    access: bool,
    forwarded: bool,
    state: &'static str,
    /// The non-hub side uses VNet 0's gateway (only on peerings with VNet 0).
    transit: bool,
}

fn peering_plan() -> impl Strategy<Value = PeeringPlan> {
    (
        prop::bool::weighted(0.8),
        any::<bool>(),
        prop::sample::select(STATES.to_vec()),
        any::<bool>(),
    )
        .prop_map(|(access, forwarded, state, transit)| PeeringPlan {
            access,
            forwarded,
            state,
            transit,
        })
}

/// A random topology as scenario text; see the module documentation.
#[derive(Clone, Debug)]
pub struct Topology {
    /// The scenario.
    pub ron: String,
}

prop_compose! {
    fn topology()(
        vnets in prop::collection::vec(vnet_plan(), 2..=MAX_VNETS as usize),
        pairs in prop::collection::vec(prop::option::weighted(0.6, peering_plan()), 10),
        gateway in prop::option::of(prop::collection::btree_set(topology_prefix(), 0..4)),
    ) -> Topology {
        let n = vnets.len() as u8;
        let mut ron = String::from("Scenario(\n vnets: [\n");
        let mut endpoints = String::new();
        let mut tables = String::new();
        for (i, v) in vnets.iter().enumerate() {
            let i = i as u8;
            let first_len = if i == 0 { 16 } else { v.first_len };
            let mut space = format!(r#""10.{i}.0.0/{first_len}""#);
            let mut subnets = format!(r#"(name: "pe", prefix: "10.{i}.2.0/24", private_endpoint_network_policies: {}),"#, v.policy);
            if let Some(len) = v.second_len {
                let base = Ipv4Addr::new(172, 20, i * 16, 0);
                space += &format!(r#", "{base}/{len}""#);
                subnets += &format!(r#"(name: "pe2", prefix: "{base}/26", private_endpoint_network_policies: {}),"#, v.policy);
            }
            if let Some(extra) = RESERVED_SPACES[usize::from(i)].filter(|_| v.reserved_space) {
                space += &format!(r#", "{extra}""#);
            }
            if i == 0 {
                subnets += r#"(name: "GatewaySubnet", prefix: "10.0.255.0/27"),"#;
            }
            match &v.table {
                Some((propagate, udrs)) => {
                    subnets += &format!(r#"(name: "a", prefix: "10.{i}.1.0/24", route_table: "rt{i}"),"#);
                    let routes: String = udrs.iter().enumerate().map(|(k, p)| {
                        let hop = match k % 3 {
                            0 => r#"VirtualAppliance("10.0.1.4")"#,
                            1 => "None",
                            _ => "Internet",
                        };
                        format!(r#"(name: "u{k}", prefix: "{p}", next_hop: {hop}),"#)
                    }).collect();
                    tables += &format!(r#"(name: "rt{i}", propagate_gateway_routes: {propagate}, routes: [{routes}]),"#);
                }
                None => subnets += &format!(r#"(name: "a", prefix: "10.{i}.1.0/24"),"#),
            }
            if v.endpoint {
                let second = v.second_len.is_some() && v.endpoint_in_second;
                let subnet = if second { "pe2" } else { "pe" };
                endpoints += &format!(r#"(name: "pe{i}", subnet: "v{i}/{subnet}", ip: "{}"),"#, endpoint_ip(i, second));
            }
            ron += &format!(r#"  (name: "v{i}", region: "{}", address_space: [{space}], subnets: [{subnets}]),"#, v.region);
            ron += "\n";
        }
        ron += " ],\n peerings: [";
        let mut k = 0;
        for a in 0..n {
            for b in a + 1..n {
                if let Some(Some(p)) = pairs.get(k) {
                    let transit = if a == 0 && gateway.is_some() && p.transit { r#", gateway_transit: "v0""# } else { "" };
                    ron += &format!(
                        r#"(between: ("v{a}", "v{b}"), allow_virtual_network_access: {}, allow_forwarded_traffic: {}, state: {}{transit}),"#,
                        p.access, p.forwarded, p.state
                    );
                }
                k += 1;
            }
        }
        ron += "],\n";
        ron += &format!(" route_tables: [{tables}],\n");
        if let Some(learned) = &gateway {
            let learned: String = learned.iter().map(|p| format!(r#"(prefix: "{p}"),"#)).collect();
            ron += &format!(r#" gateways: [(name: "gw", vnet: "v0", kind: Vpn, instance_ips: ["10.0.255.4", "10.0.255.5"], learned: [{learned}])],"#);
            ron += "\n";
        }
        ron += &format!(" private_endpoints: [{endpoints}],\n");
        ron += r#" workloads: [(name: "nva", kind: Nva, subnet: "v0/a", ip: "10.0.1.4"), (name: "vm", subnet: "v1/a", ip: "10.1.1.9")],"#;
        ron += "\n)";
        Topology { ron }
    }
}

fn load_topology(t: &Topology) -> Loaded {
    load_str("topology.ron", &t.ron).unwrap_or_else(|e| panic!("{e}\n{}", t.ron))
}

/// Whether a `Connected` peering joins the two VNets directly.
fn directly_connected(loaded: &Loaded, a: usize, b: usize) -> bool {
    loaded.network.peerings.iter().any(|p| {
        p.state == PeeringState::Connected
            && (p.vnets.map(|v| v.index()) == [a, b] || p.vnets.map(|v| v.index()) == [b, a])
    })
}

/// The route Azure selects from `subnet` for the address of private endpoint `pe`, as
/// (source, prefix), when the endpoint's /32 is programmed there (its VNet is the subnet's own
/// or directly peered); `None` otherwise. An independent statement of the documented rule
/// (design notes, azure-semantics.md §2 rule 5 and §3.3, after Microsoft Learn "Manage network
/// policies for private endpoints"):
/// - a /32 UDR for the endpoint's IP always wins (same prefix: User > Default);
/// - otherwise the /32 InterfaceEndpoint route wins by longest prefix, unless the endpoint's
///   subnet has `RouteTableEnabled` or `Enabled` policies and the source subnet's route table
///   has a UDR containing the endpoint's IP whose prefix is no broader than the address prefix
///   of the endpoint's VNet holding the IP; then the /32 is invalidated and the longest such
///   UDR takes the traffic (nothing in these networks is more specific: the VNet's own prefix is
///   no longer, and BGP inside a VNet's prefix loses to its system route).
fn azure_route_to_endpoint(
    loaded: &Loaded,
    subnet: SubnetId,
    pe: PrivateEndpointId,
) -> Option<(RouteSource, IpNet)> {
    let n = &loaded.network;
    let pe = n.private_endpoints.get(pe).unwrap();
    let pe_subnet = &n.subnets.get(pe.subnet).unwrap();
    let (here, there) = (
        n.subnets.get(subnet).unwrap().vnet.index(),
        pe_subnet.vnet.index(),
    );
    if here != there && !directly_connected(loaded, here, there) {
        return None;
    }
    let host = IpNet::from(pe.ip);
    let udrs: Vec<IpNet> = n
        .subnets
        .get(subnet)
        .unwrap()
        .route_table
        .map(|t| {
            n.route_tables
                .get(t)
                .unwrap()
                .routes
                .iter()
                .map(|r| r.prefix)
                .filter(|p| p.contains(&pe.ip))
                .collect()
        })
        .unwrap_or_default();
    if udrs.contains(&host) {
        return Some((RouteSource::User, host));
    }
    let policies = pe_subnet.private_endpoint_network_policies;
    let route_tables_apply = matches!(
        policies,
        azpath_engine::model::PrivateEndpointNetworkPolicies::RouteTableEnabled
            | azpath_engine::model::PrivateEndpointNetworkPolicies::Enabled
    );
    let vnet_prefix = n.vnets.as_slice()[there]
        .address_space
        .iter()
        .find(|p| p.contains(&pe.ip))
        .unwrap();
    let longest_qualifying = udrs
        .iter()
        .filter(|u| u.prefix_len() >= vnet_prefix.prefix_len())
        .max_by_key(|u| u.prefix_len());
    match longest_qualifying {
        Some(udr) if route_tables_apply => Some((RouteSource::User, *udr)),
        _ => Some((RouteSource::Default, host)),
    }
}

// ---- properties -------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn engine_routes_agree_with_the_reference_model(net in network(), extra in prop::collection::vec(any::<u32>(), 0..20)) {
        let loaded = load(&net);
        prop_assert!(reference::supported(&loaded.network));
        let probes = probes(&net, &extra);
        if let Err(e) = agrees_with_the_reference(&loaded, &probes) {
            return Err(TestCaseError::fail(format!("{e}\n{}", net.ron)));
        }
    }

    #[test]
    fn engine_routes_agree_with_the_reference_model_on_random_topologies(topo in topology(), extra in prop::collection::vec(any::<u32>(), 0..10)) {
        let loaded = load_topology(&topo);
        let probes = network_probes(&loaded, &extra);
        if let Err(e) = agrees_with_the_reference(&loaded, &probes) {
            return Err(TestCaseError::fail(format!("{e}\n{}", topo.ron)));
        }
    }

    #[test]
    fn reserved_routes_are_removed_exactly_when_azure_removes_them(net in network()) {
        let loaded = load(&net);
        for subnet in ["spoke/app", "hub/fw"] {
            let t = table(&loaded, subnet);
            let n = &loaded.network;
            let id = n.subnet_by_name(subnet).unwrap();
            let vnet = n.subnet(id).unwrap().vnet;
            // The subnet's own VNet and its directly peered VNets (the peered part is azpath's
            // documented assumption).
            let mut spaces: Vec<IpNet> = n.vnet(vnet).unwrap().address_space.clone();
            for (_, peer) in n.connected_peers(vnet) {
                spaces.extend(n.vnet(peer).unwrap().address_space.iter().copied());
            }
            let user_default = listed(&t).into_iter().any(|r| r.source == RouteSource::User && r.prefix.prefix_len() == 0);
            for reserved in ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"] {
                let p: IpNet = reserved.parse().unwrap();
                let shown = listed(&t).into_iter().any(|r| r.prefix == p && r.next_hop.next_hop_type == NextHopType::None && r.source == RouteSource::Default);
                let covered = spaces.iter().any(|s| s.contains(&p));
                prop_assert_eq!(shown, !user_default && !covered, "{} at {}", reserved, subnet);
            }
        }
    }

    #[test]
    fn every_prefix_has_exactly_one_active_route_source_in_every_subnet(net in network(), topo in topology()) {
        for loaded in [load(&net), load_topology(&topo)] {
            for (name, t) in tables(&loaded) {
                if let Err(e) = one_active_route_per_prefix(&listed(&t)) {
                    return Err(TestCaseError::fail(format!("{name}: {e}\n{}\n{}", net.ron, topo.ron)));
                }
            }
        }
    }

    #[test]
    fn a_longer_active_prefix_always_wins(net in network(), extra in prop::collection::vec(any::<u32>(), 0..20)) {
        let loaded = load(&net);
        let t = table(&loaded, "spoke/app");
        for dst in probes(&net, &extra) {
            let longest_active = listed(&t).into_iter().filter(|r| r.state == RouteState::Active && r.prefix.contains(&dst)).map(|r| r.prefix.prefix_len()).max();
            prop_assert_eq!(t.lookup(dst).first().map(|r| r.prefix.prefix_len()), longest_active);
        }
    }

    #[test]
    fn a_private_endpoint_address_follows_azures_network_policy_rule(net in network(), topo in topology()) {
        for (loaded, ron) in [(load(&net), &net.ron), (load_topology(&topo), &topo.ron)] {
            for subnet in loaded.network.subnets.ids() {
                let t = RouteTableView::compile(&loaded.network, subnet).unwrap();
                for (i, pe) in loaded.network.private_endpoints.iter_ids() {
                    let Some((source, prefix)) = azure_route_to_endpoint(&loaded, subnet, i) else {
                        continue;
                    };
                    let selected = t.lookup(pe.ip);
                    let w = selected.first().unwrap();
                    let name = &loaded.network.subnets.get(subnet).unwrap().name;
                    prop_assert_eq!((w.source, w.prefix), (source, prefix), "{} -> {}: {:#?}\n{}", name, pe.ip, t.covering(pe.ip), ron);
                    if source == RouteSource::Default {
                        prop_assert_eq!(w.next_hop.next_hop_type, NextHopType::InterfaceEndpoint);
                    }
                }
            }
        }
    }

    #[test]
    fn with_route_table_policies_a_udr_at_least_as_long_as_the_pe_vnet_prefix_takes_the_traffic(net in network()) {
        let loaded = load(&net);
        let t = table(&loaded, "spoke/app");
        let policies_on = matches!(net.hub_policy, "Enabled" | "RouteTableEnabled");
        let udrs: Vec<_> = listed(&t).into_iter().filter(|r| r.source == RouteSource::User).collect();
        for pe in &net.hub_pes {
            let ip = IpAddr::V4(*pe);
            let covering: Vec<_> = udrs.iter().filter(|u| u.prefix.contains(&ip)).collect();
            let qualifying = covering.iter().filter(|u| u.prefix.prefix_len() >= 16 && (policies_on || u.prefix.prefix_len() == 32)).count();
            let winner = t.lookup(ip);
            let w = winner.first().unwrap();
            if qualifying > 0 {
                prop_assert_eq!(w.source, RouteSource::User, "{} should follow a UDR", ip);
                let longest = covering.iter().map(|u| u.prefix.prefix_len()).max().unwrap();
                prop_assert_eq!(w.prefix.prefix_len(), longest);
            } else {
                prop_assert_eq!(w.next_hop.next_hop_type, NextHopType::InterfaceEndpoint, "{}: only shorter UDRs {:?}", ip, covering);
            }
        }
    }

    /// Peering adds, in every subnet of each side, one route per address prefix of the remote
    /// VNet (`VNetPeering` in one region, `VNetGlobalPeering` across regions) and the remote
    /// endpoints' /32s, only while it is `Connected`, whatever `allowVirtualNetworkAccess` and
    /// `allowForwardedTraffic` say (they filter traffic; routes are not theirs: azpath's reading
    /// of "it creates no routes by itself"), and never across two peering hops.
    #[test]
    fn peering_routes_exist_for_connected_direct_peers_only(topo in topology()) {
        let loaded = load_topology(&topo);
        let n = &loaded.network;
        for (name, t) in tables(&loaded) {
            let here = n.subnets.get(n.subnet_by_name(&name).unwrap()).unwrap().vnet.index();
            for (there, remote) in n.vnets.iter().enumerate().filter(|(v, _)| *v != here) {
                let peered = directly_connected(&loaded, here, there);
                let expected = if remote.region == n.vnets.as_slice()[here].region { NextHopType::VNetPeering } else { NextHopType::VNetGlobalPeering };
                for p in &remote.address_space {
                    let rows: Vec<_> = listed(&t).into_iter()
                        .filter(|r| r.prefix == *p && matches!(r.next_hop.next_hop_type, NextHopType::VNetPeering | NextHopType::VNetGlobalPeering))
                        .map(|r| (r.source, r.next_hop.next_hop_type)).collect();
                    let want = if peered { vec![(RouteSource::Default, expected)] } else { vec![] };
                    prop_assert_eq!(rows, want, "{} for {} ({}peered)\n{}", name, p, if peered { "" } else { "not " }, topo.ron);
                }
                for pe in n.private_endpoints.iter().filter(|pe| n.subnets.get(pe.subnet).unwrap().vnet.index() == there) {
                    let shown = listed(&t).into_iter().any(|r| r.prefix == IpNet::from(pe.ip) && r.next_hop.next_hop_type == NextHopType::InterfaceEndpoint);
                    prop_assert_eq!(shown, peered, "{}'s /32 at {}\n{}", pe.name, name, topo.ron);
                }
            }
        }
    }

    #[test]
    fn a_trace_always_ends_with_a_verdict_within_the_hop_limit(
        net in network(),
        extra in prop::collection::vec(any::<u32>(), 0..6),
        port in prop::sample::select(vec![22u16, 443, 1433]),
    ) {
        use azpath_engine::trace::{trace, trace_verdict, TraceRequest, Verdict, HOP_LIMIT};
        use azpath_engine::model::{FlowProtocol, NicRef, TraceSource};
        let loaded = load(&net);
        let dp = loaded.dataplane();
        for from in ["vm", "vm-hub"] {
            let Some(NicRef::Workload(w)) = loaded.network.nic_by_name(from) else { panic!("{from}") };
            for dst in probes(&net, &extra) {
                let request = TraceRequest { protocol: FlowProtocol::Tcp, destination: dst, port, source_port: 50000, host: None };
                let a = trace(&loaded.network, dp, w, request.clone()).unwrap();
                prop_assert!(a.forward.len() <= HOP_LIMIT + 1 && a.reply.len() <= HOP_LIMIT + 1);
                // The evidence-free walk decides the same.
                let lean = trace_verdict(&loaded.network, dp, TraceSource::Workload(w), request.clone());
                prop_assert_eq!(lean.as_ref(), Some(&a.verdict));
                // Deterministic: the same question gives the same answer.
                let again = trace(&loaded.network, dp, w, request).unwrap();
                prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&again).unwrap());
                // A delivered flow's reply passed every stateful appliance the request passed.
                if a.verdict == Verdict::Delivered {
                    for device in &a.quality.stateful_devices {
                        prop_assert!(a.reply.iter().any(|h| &h.nic == device), "{} skipped by the reply", device);
                    }
                    prop_assert_eq!(a.reply.last().map(|h| h.nic.as_str()), Some(from));
                }
            }
        }
    }

    #[test]
    fn compilation_is_deterministic(net in network()) {
        let a = serde_json::to_string(&table(&load(&net), "spoke/app")).unwrap();
        let b = serde_json::to_string(&table(&load(&net), "spoke/app")).unwrap();
        prop_assert_eq!(a, b);
    }
}

// ---- the bundled scenarios --------------------------------------------------------------------

#[test]
fn every_prefix_has_exactly_one_active_route_source_in_every_bundled_scenario() {
    for file in super::scenarios::all() {
        let loaded = load_file(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for (name, t) in tables(&loaded) {
            if let Err(e) = one_active_route_per_prefix(&listed(&t)) {
                panic!("{} {name}: {e}", file.display());
            }
        }
    }
}

/// Every bundled scenario without a virtual WAN hub (whose routes the reference does not model)
/// gets, at every subnet, the routes the reference model derives from its network.
#[test]
fn bundled_scenarios_agree_with_the_reference_model() {
    let mut compared = 0;
    for file in super::scenarios::all() {
        let loaded = load_file(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        if !reference::supported(&loaded.network) {
            continue;
        }
        let probes = network_probes(&loaded, &[]);
        if let Err(e) = agrees_with_the_reference(&loaded, &probes) {
            panic!("{}: {e}", file.display());
        }
        compared += 1;
    }
    assert!(compared >= 10, "only {compared} scenarios compared");
}

// ---- networks from the public strategies (`azpath_engine::strategy`) --------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn generated_networks_agree_with_the_reference_model(
        net in azpath_engine::strategy::network(azpath_engine::strategy::Knobs::default()),
        extra in prop::collection::vec(any::<u32>(), 0..10),
    ) {
        let loaded = net.load().unwrap_or_else(|e| panic!("{e}\n{}", net.to_ron()));
        let probes = network_probes(&loaded, &extra);
        if let Err(e) = agrees_with_the_reference(&loaded, &probes) {
            return Err(TestCaseError::fail(format!("{e}\n{}", net.to_ron())));
        }
        for (name, t) in tables(&loaded) {
            if let Err(e) = one_active_route_per_prefix(&listed(&t)) {
                return Err(TestCaseError::fail(format!("{name}: {e}\n{}", net.to_ron())));
            }
        }
    }

    #[test]
    fn a_generated_flow_always_ends_with_a_verdict_within_the_hop_limit(
        (net, flow) in azpath_engine::strategy::network_and_flow(azpath_engine::strategy::Knobs::default()),
    ) {
        use azpath_engine::model::NicRef;
        use azpath_engine::trace::{trace, TraceRequest, HOP_LIMIT};
        let loaded = net.load().unwrap_or_else(|e| panic!("{e}\n{}", net.to_ron()));
        let Some(NicRef::Workload(w)) = loaded.network.nic_by_name(&flow.from) else {
            return Err(TestCaseError::fail(format!("no workload {}", flow.from)));
        };
        let request = TraceRequest {
            protocol: azpath_engine::model::FlowProtocol::Tcp,
            destination: flow.to,
            port: flow.port,
            source_port: 50000,
            host: None,
        };
        let a = trace(&loaded.network, loaded.dataplane(), w, request).unwrap();
        prop_assert!(a.forward.len() <= HOP_LIMIT + 1 && a.reply.len() <= HOP_LIMIT + 1);
    }
}
