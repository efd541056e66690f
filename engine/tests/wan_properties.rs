//! Property tests on random virtual WAN estates: every trace ends with a verdict, and routing
//! intent's promise holds (Microsoft Learn, "How to configure Virtual WAN Hub routing intent and
//! routing policies": with a private traffic policy, VNet-to-VNet and inter-hub traffic goes
//! through the hub's firewall; inter-hub traffic between two secured hubs through both).
//!
//! The estate: two hubs in two regions, each with an Azure Firewall and random routing intent;
//! hub 1 has two spokes (random internet security, the second possibly isolated from the
//! default table) and a branch site; hub 2 one spoke; random firewall rules and an optional
//! static route in hub 1.

use std::net::IpAddr;

use azpath_engine::model::{FlowProtocol, NicRef, TraceSource};
use azpath_engine::trace::{trace_from, TraceRequest, Verdict, HOP_LIMIT};
use azpath_engine::{load_str, Loaded};
use proptest::prelude::*;

#[derive(Clone, Debug)]
pub struct Wan {
    pub ron: String,
    /// Private routing intent on hub 1 and hub 2.
    private: [bool; 2],
}

prop_compose! {
    pub fn wan()(
        private in any::<[bool; 2]>(),
        internet in any::<[bool; 2]>(),
        security in any::<[bool; 3]>(),
        isolate_s2 in any::<bool>(),
        allow in any::<[bool; 2]>(),
        static_route in prop::option::of(prop::sample::select(vec![
            r#"(name: "via-fw", prefixes: ["10.3.0.0/16"], next_hop: Firewall)"#,
            r#"(name: "via-s1", prefixes: ["10.3.0.0/16"], next_hop: Connection("s1"))"#,
            r#"(name: "wide", prefixes: ["10.0.0.0/8"], next_hop: Connection("s1"))"#,
        ])),
    ) -> Wan {
        let intent = |i: usize| format!(
            "routing_intent: (private_traffic: {}, internet_traffic: {}),",
            private[i], internet[i]
        );
        let rules = |i: usize| if allow[i] {
            r#"network_rules: [(name: "private", source: ["10.0.0.0/8", "192.168.0.0/16"], destination: ["10.0.0.0/8", "192.168.0.0/16"], ports: ["*"], protocol: Any)],
               application_rules: [(name: "web", source: ["10.0.0.0/8"], fqdns: ["*"], ports: ["443"])],"#
        } else {
            ""
        };
        let isolate = if isolate_s2 { r#", propagate_to: ["noneRouteTable"], labels: []"# } else { "" };
        // Azure refuses static routes to connections in a hub with routing intent.
        let statics = static_route
            .filter(|r| !(private[0] || internet[0]) || r.contains("Firewall"))
            .map(|r| format!("default_routes: [{r}],"))
            .unwrap_or_default();
        let ron = format!(r#"Scenario(
            vnets: [
                (name: "s1", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24")]),
                (name: "s2", region: "eastus", address_space: ["10.2.0.0/16"], subnets: [(name: "app", prefix: "10.2.1.0/24")]),
                (name: "s3", region: "westus", address_space: ["10.3.0.0/16"], subnets: [(name: "app", prefix: "10.3.1.0/24")]),
            ],
            virtual_hubs: [
                (name: "h1", region: "eastus", address_prefix: "10.100.0.0/23", {i1} {statics}
                 connections: [(vnet: "s1", internet_security: {c1}), (vnet: "s2", internet_security: {c2}{isolate})],
                 sites: [(name: "branch", kind: Vpn, prefixes: ["192.168.10.0/24"])]),
                (name: "h2", region: "westus", address_prefix: "10.200.0.0/23", {i2}
                 connections: [(vnet: "s3", internet_security: {c3})]),
            ],
            firewalls: [
                (name: "fw1", subnet: "h1/AzureFirewallSubnet", private_ip: "10.100.0.132", public_ips: ["198.51.100.22"], {r1}),
                (name: "fw2", subnet: "h2/AzureFirewallSubnet", private_ip: "10.200.0.132", public_ips: ["198.51.100.23"], {r2}),
            ],
            workloads: [
                (name: "vm1", subnet: "s1/app", ip: "10.1.1.4"),
                (name: "vm2", subnet: "s2/app", ip: "10.2.1.4"),
                (name: "vm3", subnet: "s3/app", ip: "10.3.1.4"),
            ],
        )"#,
            i1 = intent(0), i2 = intent(1), c1 = security[0], c2 = security[1], c3 = security[2],
            r1 = rules(0), r2 = rules(1));
        Wan { ron, private }
    }
}

fn load(w: &Wan) -> Loaded {
    load_str("wan.ron", &w.ron).unwrap_or_else(|e| panic!("{e}\n{}", w.ron))
}

const SOURCES: [(&str, usize); 3] = [("vm1", 0), ("vm2", 0), ("vm3", 1)];
const DESTINATIONS: [(&str, Option<usize>); 5] = [
    ("10.1.1.4", Some(0)),
    ("10.2.1.4", Some(0)),
    ("10.3.1.4", Some(1)),
    ("192.168.10.5", None),
    ("20.70.0.10", None),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn every_trace_in_a_virtual_wan_ends_with_a_verdict(w in wan(), port in prop::sample::select(vec![22u16, 443])) {
        let loaded = load(&w);
        let dp = loaded.dataplane();
        for (from, _) in SOURCES {
            let Some(NicRef::Workload(id)) = loaded.network.nic_by_name(from) else { panic!("{from}") };
            for (dst, _) in DESTINATIONS {
                let destination: IpAddr = dst.parse().unwrap();
                let request = TraceRequest { protocol: FlowProtocol::Tcp, destination, port, source_port: 50000, host: None };
                let a = trace_from(&loaded.network, dp, TraceSource::Workload(id), request).unwrap();
                prop_assert!(a.forward.len() <= HOP_LIMIT + 1 && a.reply.len() <= HOP_LIMIT + 1);
                prop_assert!(!matches!(a.verdict, Verdict::Loop { .. }), "{from} -> {dst}: {:?}\n{}", a.verdict, w.ron);
            }
        }
    }

    #[test]
    fn private_traffic_policies_send_vnet_to_vnet_requests_through_their_firewalls(w in wan()) {
        let loaded = load(&w);
        let dp = loaded.dataplane();
        for (from, from_hub) in SOURCES {
            let Some(NicRef::Workload(id)) = loaded.network.nic_by_name(from) else { panic!("{from}") };
            for (dst, dst_hub) in DESTINATIONS {
                let Some(dst_hub) = dst_hub else { continue };
                let destination: IpAddr = dst.parse().unwrap();
                let Some(target) = loaded.network.workloads.iter().find(|v| v.ip == destination) else { continue };
                if target.name == from {
                    continue;
                }
                let request = TraceRequest { protocol: FlowProtocol::Tcp, destination, port: 22, source_port: 50000, host: None };
                let a = trace_from(&loaded.network, dp, TraceSource::Workload(id), request).unwrap();
                let firewall = |hub: usize| if hub == 0 { "fw1" } else { "fw2" };
                // Private traffic leaves the spoke for the local hub's firewall, nowhere else.
                if w.private[from_hub] && a.forward.len() > 1 {
                    prop_assert_eq!(a.forward[1].nic.as_str(), firewall(from_hub), "{} -> {}\n{}", from, dst, w.ron);
                }
                // Arriving in a secured hub's spoke, it came through that hub's firewall.
                let arrived = a.forward.last().is_some_and(|h| h.nic == target.name);
                if arrived && w.private[dst_hub] && (dst_hub != from_hub || w.private[from_hub]) {
                    prop_assert!(a.forward.iter().any(|h| h.nic == firewall(dst_hub)), "{} -> {} skipped {}\n{}", from, dst, firewall(dst_hub), w.ron);
                }
            }
        }
    }
}
