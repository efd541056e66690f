//! Property tests: the trie against the linear scan, the engine against the reference model, and
//! the private-endpoint precedence invariants, on random networks.
//!
//! The network strategy (`network()`) is reusable: a hub with a gateway, a firewall subnet and
//! private endpoints (random network policies), a spoke whose `app` subnet has a random route
//! table (random UDRs biased towards prefixes around the endpoints, random gateway propagation),
//! random gateway transit, and a third VNet peered only with the hub.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};

use azpath_engine::model::{NextHopType, RouteSource, RouteState};
use azpath_engine::route::{LinearLpm, Lpm, Origin, RouteTableView, TrieLpm};
use azpath_engine::{load_str, Loaded};
use ipnet::{IpNet, Ipv4Net};
use proptest::prelude::*;

use super::reference::{self, PeFacts};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 1000,
        ..ProptestConfig::default()
    }
}

// ---- LPM ------------------------------------------------------------------------------------

fn any_v4_prefix() -> impl Strategy<Value = IpNet> {
    (any::<u32>(), 0u8..=32)
        .prop_map(|(a, l)| IpNet::V4(Ipv4Net::new(Ipv4Addr::from(a), l).unwrap().trunc()))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn trie_agrees_with_the_linear_scan(
        prefixes in prop::collection::vec(any_v4_prefix(), 0..200),
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

fn pe_facts(
    loaded: &Loaded,
) -> impl Fn(&azpath_engine::route::EffectiveRoute) -> Option<PeFacts> + '_ {
    move |r| {
        let Origin::PrivateEndpoint { endpoint, .. } = &r.origin else {
            return None;
        };
        let net = &loaded.network;
        let pe = net.private_endpoints.iter().find(|p| &p.name == endpoint)?;
        let subnet = net.subnet(pe.subnet)?;
        let vnet = net.vnet(subnet.vnet)?;
        Some(PeFacts {
            ip: pe.ip,
            route_tables_apply: subnet
                .private_endpoint_network_policies
                .route_tables_apply(),
            vnet_prefix: *vnet.address_space.iter().find(|p| p.contains(&pe.ip))?,
        })
    }
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

proptest! {
    #![proptest_config(config())]

    #[test]
    fn engine_selection_agrees_with_the_reference_model(net in network(), extra in prop::collection::vec(any::<u32>(), 0..20)) {
        let loaded = load(&net);
        for subnet in ["spoke/app", "hub/fw", "far/pe"] {
            let t = table(&loaded, subnet);
            let expected = reference::states(&t.routes, pe_facts(&loaded));
            let actual: Vec<RouteState> = t.routes.iter().map(|r| r.state).collect();
            prop_assert_eq!(&actual, &expected, "{}: {:#?}", subnet, t.routes);
            for dst in probes(&net, &extra) {
                let mut engine: Vec<_> = t.lookup(dst).iter().map(|r| r.next_hop).collect();
                engine.sort();
                prop_assert_eq!(engine, reference::next_hops(&t.routes, &expected, dst), "{} -> {}", subnet, dst);
            }
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
            let user_default = t.routes.iter().any(|r| r.source == RouteSource::User && r.prefix.prefix_len() == 0);
            for reserved in ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"] {
                let p: IpNet = reserved.parse().unwrap();
                let shown = t.routes.iter().any(|r| r.prefix == p && r.next_hop.next_hop_type == NextHopType::None && r.source == RouteSource::Default);
                let covered = spaces.iter().any(|s| s.contains(&p));
                prop_assert_eq!(shown, !user_default && !covered, "{} at {}", reserved, subnet);
            }
        }
    }

    #[test]
    fn every_prefix_has_one_active_source_and_ties_follow_user_bgp_system(net in network()) {
        let loaded = load(&net);
        let t = table(&loaded, "spoke/app");
        let prefixes: BTreeSet<IpNet> = t.routes.iter().map(|r| r.prefix).collect();
        for p in prefixes {
            let at: Vec<_> = t.routes.iter().filter(|r| r.prefix == p).collect();
            let active: BTreeSet<RouteSource> = at.iter().filter(|r| r.state == RouteState::Active).map(|r| r.source).collect();
            prop_assert!(active.len() <= 1, "{}: {:?}", p, active);
            if let Some(a) = active.first() {
                let best = at.iter().filter(|r| !matches!(r.why, azpath_engine::route::Why::SystemRoutePreferredOverBgp { .. })).map(|r| r.source.precedence()).max().unwrap();
                prop_assert_eq!(a.precedence(), best, "{}", p);
            }
        }
    }

    #[test]
    fn a_longer_active_prefix_always_wins(net in network(), extra in prop::collection::vec(any::<u32>(), 0..20)) {
        let loaded = load(&net);
        let t = table(&loaded, "spoke/app");
        for dst in probes(&net, &extra) {
            let longest_active = t.routes.iter().filter(|r| r.state == RouteState::Active && r.prefix.contains(&dst)).map(|r| r.prefix.prefix_len()).max();
            prop_assert_eq!(t.lookup(dst).first().map(|r| r.prefix.prefix_len()), longest_active);
        }
    }

    #[test]
    fn zero_default_udr_never_wins_for_an_address_with_an_active_pe_route(net in network()) {
        let loaded = load(&net);
        let t = table(&loaded, "spoke/app");
        for pe in t.routes.iter().filter(|r| r.next_hop.next_hop_type == NextHopType::InterfaceEndpoint && r.state == RouteState::Active) {
            let winner = t.lookup(pe.prefix.network());
            prop_assert!(winner.iter().all(|w| w.prefix.prefix_len() == 32), "{} won by {:?}", pe.prefix, winner);
            prop_assert_eq!(winner.first().map(|w| w.next_hop.next_hop_type), Some(NextHopType::InterfaceEndpoint));
        }
    }

    #[test]
    fn with_route_table_policies_a_udr_at_least_as_long_as_the_pe_vnet_prefix_takes_the_traffic(net in network()) {
        let loaded = load(&net);
        let t = table(&loaded, "spoke/app");
        let policies_on = matches!(net.hub_policy, "Enabled" | "RouteTableEnabled");
        let udrs: Vec<_> = t.routes.iter().filter(|r| r.source == RouteSource::User).collect();
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

    #[test]
    fn pe_routes_reach_directly_peered_vnets_only(net in network()) {
        let loaded = load(&net);
        let spoke = table(&loaded, "spoke/app");
        let far_pe: IpNet = "10.2.2.4/32".parse().unwrap();
        prop_assert!(!spoke.routes.iter().any(|r| r.prefix == far_pe), "far is two peering hops from the spoke");
        prop_assert!(table(&loaded, "hub/fw").routes.iter().any(|r| r.prefix == far_pe));
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
