//! Property tests of name resolution on random DNS set-ups: it always ends (CNAME and
//! forwarding loops are reported as loops), it is deterministic, and every address it returns
//! comes from a record or a service's public endpoint.
//!
//! The set-up: three VNets with random DNS servers (Azure DNS, one of three forwarder VMs, a
//! resolver inbound endpoint, or an address nobody holds); forwarders with random conditional
//! rules and fallbacks that may point at each other; a random ruleset; a private zone with random
//! links, fallback policy and records, CNAMEs among them included.

use std::net::IpAddr;

use azpath_engine::dns::{resolve, DnsOutcome, Resolver, STEP_LIMIT};
use azpath_engine::load_str;
use proptest::prelude::*;

const SERVERS: [&str; 6] = [
    "168.63.129.16",
    "10.0.5.4",
    "10.0.5.5",
    "10.0.5.6",
    "10.0.6.4",
    "10.0.5.99",
];
const DOMAINS: [&str; 4] = [
    ".",
    "azure.com",
    "openai.azure.com",
    "privatelink.openai.azure.com",
];
const NAMES: [&str; 4] = ["a", "b", "c", "d"];

fn server() -> impl Strategy<Value = &'static str> {
    prop::sample::select(SERVERS.to_vec())
}

fn rule() -> impl Strategy<Value = String> {
    (prop::sample::select(DOMAINS.to_vec()), server())
        .prop_map(|(d, s)| format!(r#"(domain: "{d}", forward_to: ["{s}"])"#))
}

fn record(name: &str, alias: Option<&str>) -> String {
    match alias {
        Some(to) => format!(r#"(name: "{name}", cname: "{to}.privatelink.openai.azure.com")"#),
        None => format!(r#"(name: "{name}", a: ["10.0.2.4"])"#),
    }
}

prop_compose! {
    pub fn setup()(
        vnet_servers in prop::collection::vec(prop::option::of(server()), 3),
        rules in prop::collection::vec(prop::collection::vec(rule(), 0..3), 3),
        otherwise in prop::collection::vec(prop::option::of(server()), 3),
        ruleset in prop::collection::vec(rule(), 0..3),
        ruleset_links in prop::collection::vec(any::<bool>(), 3),
        links in prop::collection::vec(any::<bool>(), 3),
        redirect in prop::collection::vec(any::<bool>(), 3),
        records in prop::collection::btree_map(
            prop::sample::select(NAMES.to_vec()),
            prop::option::of(prop::sample::select(NAMES.to_vec())),
            0..4,
        ),
    ) -> String {
        let vnets = ["hub", "s1", "s2"];
        let dns = |i: usize| vnet_servers[i].map(|s| format!(r#"dns_servers: ["{s}"],"#)).unwrap_or_default();
        let forwarders: String = (0..3).map(|i| {
            let otherwise = otherwise[i].map(|s| format!(r#"otherwise: Forward(["{s}"])"#)).unwrap_or_else(|| "otherwise: Recursive".into());
            format!(r#"(workload: "dns{i}", rules: [{}], {otherwise}),"#, rules[i].join(", "))
        }).collect();
        let linked: Vec<&str> = vnets.iter().zip(&links).filter(|(_, l)| **l).map(|(v, _)| *v).collect();
        let redirected: Vec<&str> = vnets.iter().zip(&links).zip(&redirect)
            .filter(|((_, l), r)| **l && **r).map(|((v, _), _)| *v).collect();
        let quote = |v: &[&str]| v.iter().map(|x| format!(r#""{x}""#)).collect::<Vec<_>>().join(", ");
        let rs_links: Vec<&str> = vnets.iter().zip(&ruleset_links).filter(|(_, l)| **l).map(|(v, _)| *v).collect();
        let records: Vec<String> = records.iter().map(|(n, alias)| record(n, *alias)).collect();
        format!(r#"Scenario(
            vnets: [
                (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], {d0} subnets: [
                    (name: "pe", prefix: "10.0.2.0/24"), (name: "dns", prefix: "10.0.5.0/24"), (name: "in", prefix: "10.0.6.0/28")]),
                (name: "s1", region: "eastus", address_space: ["10.1.0.0/16"], {d1} subnets: [(name: "app", prefix: "10.1.1.0/24")]),
                (name: "s2", region: "eastus", address_space: ["10.2.0.0/16"], {d2} subnets: [(name: "app", prefix: "10.2.1.0/24")]),
            ],
            peerings: [(between: ("hub", "s1")), (between: ("hub", "s2"))],
            services: [
                (name: "a", kind: OpenAI, fqdn: "a.openai.azure.com", public_ip: "20.1.1.1"),
                (name: "b", kind: OpenAI, fqdn: "b.openai.azure.com", public_ip: "20.1.1.2", private_endpoints_elsewhere: true),
                (name: "c", kind: OpenAI, fqdn: "c.openai.azure.com", public_ip: "20.1.1.3"),
            ],
            private_endpoints: [(name: "pe-a", subnet: "hub/pe", ip: "10.0.2.4", target: "a")],
            workloads: [
                (name: "dns0", subnet: "hub/dns", ip: "10.0.5.4"),
                (name: "dns1", subnet: "hub/dns", ip: "10.0.5.5"),
                (name: "dns2", subnet: "hub/dns", ip: "10.0.5.6"),
            ],
            dns: (
                zones: [(name: "privatelink.openai.azure.com", links: [{links}], nx_domain_redirect: [{redirected}], records: [{records}])],
                forwarders: [{forwarders}],
                inbound_endpoints: [(name: "in", subnet: "hub/in", ip: "10.0.6.4")],
                rulesets: [(name: "rs", links: [{rs_links}], rules: [{ruleset}])],
            ),
        )"#,
            d0 = dns(0), d1 = dns(1), d2 = dns(2),
            links = quote(&linked), redirected = quote(&redirected), records = records.join(", "),
            rs_links = quote(&rs_links), ruleset = ruleset.join(", "))
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn resolution_always_ends_and_every_address_has_a_source(ron in setup()) {
        let loaded = load_str("dns.ron", &ron).unwrap_or_else(|e| panic!("{e}\n{ron}"));
        let net = &loaded.network;
        let public: Vec<IpAddr> = net.services.iter().map(|s| s.public_ip).collect();
        for v in net.vnets.ids() {
            for name in ["a.openai.azure.com", "b.openai.azure.com", "c.openai.azure.com", "d.privatelink.openai.azure.com", "nothing.example"] {
                let r = resolve(net, Resolver::Vnet(v), name);
                // Ends, within a bounded number of steps.
                prop_assert!(r.steps.len() <= STEP_LIMIT * 4 + 2, "{} steps\n{ron}", r.steps.len());
                // Deterministic.
                prop_assert_eq!(&r, &resolve(net, Resolver::Vnet(v), name));
                if let DnsOutcome::Resolved { addresses } = &r.outcome {
                    for a in addresses {
                        let from_zone = a.to_string() == "10.0.2.4";
                        prop_assert!(from_zone || public.contains(a), "{a} from nowhere\n{ron}");
                    }
                }
                // A name nobody publishes never resolves.
                if name == "nothing.example" {
                    let resolved = matches!(r.outcome, DnsOutcome::Resolved { .. });
                    prop_assert!(!resolved, "resolved\n{}", ron);
                }
            }
        }
    }
}
