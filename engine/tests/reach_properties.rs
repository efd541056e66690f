//! `reach` and `trace` answer the same pair the same way: every row of the reachability matrix
//! is the verdict `azpath trace FILE --from SOURCE --to ADDRESS` gives for it (the trace built
//! here as the command line builds it, not through the matrix's own code), on every bundled
//! scenario and on random networks.
//!
//! Random networks: the route-table networks of `properties`, the DNS set-ups of
//! `dns_properties`, the virtual WAN estates of `wan_properties`, and, here, hubs of private
//! endpoints of services with random certificates, endpoint targets and firewall application
//! rules (what decides the name a client is checked against).

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use azpath_engine::analysis::reach::{reach, Destinations, ReachRequest};
use azpath_engine::model::{FlowProtocol, NicRef, TraceSource, TraceTarget};
use azpath_engine::trace::{trace_to, Probe, Verdict};
use azpath_engine::{load_file, load_str, Loaded};
use proptest::prelude::*;

/// The flows checked: what `reach` offers on its command line.
const FLOWS: [(FlowProtocol, u16); 5] = [
    (FlowProtocol::Tcp, 443),
    (FlowProtocol::Tcp, 80),
    (FlowProtocol::Tcp, 22),
    (FlowProtocol::Udp, 53),
    (FlowProtocol::Icmp, 0),
];

/// The verdict `azpath trace --from SOURCE --to ADDRESS --protocol P --port N` gives: the
/// command line's request (no `--host`), its target parsed from the address as typed.
fn cli_trace(
    loaded: &Loaded,
    source: &str,
    to: IpAddr,
    protocol: FlowProtocol,
    port: u16,
) -> Verdict {
    let net = &loaded.network;
    let Some(NicRef::Workload(w)) = net.nic_by_name(source) else {
        panic!("no workload {source}")
    };
    let request = Probe {
        protocol,
        port,
        source_port: 50000,
        host: None,
    };
    let target = TraceTarget::parse(&to.to_string());
    trace_to(
        net,
        loaded.dataplane(),
        TraceSource::Workload(w),
        &target,
        request,
    )
    .unwrap()
    .verdict
}

/// Checks every row of the matrix against its trace; returns the first disagreement.
fn disagreement(loaded: &Loaded, protocol: FlowProtocol, port: u16) -> Option<String> {
    let request = ReachRequest {
        protocol,
        port,
        source_port: 50000,
        destinations: Destinations::Everything,
        sites: false,
    };
    let answer = reach(&loaded.network, loaded.dataplane(), &request);
    let rows: Vec<_> = answer.rows().collect();
    let workloads = loaded.network.workloads.len();
    let nics = workloads + loaded.network.private_endpoints.len();
    if rows.len() != workloads * nics.saturating_sub(1) {
        return Some(format!(
            "{} rows for {workloads} sources and {nics} destinations",
            rows.len()
        ));
    }
    rows.iter().find_map(|row| {
        let own = cli_trace(loaded, row.source, row.destination_ip, protocol, port);
        (*row.verdict != own).then(|| {
            format!(
                "{protocol:?} {port}: {} -> {} ({}): reach says {}, trace says {}",
                row.source,
                row.destination,
                row.destination_ip,
                row.verdict.describe(),
                own.describe()
            )
        })
    })
}

fn scenario_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            scenario_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "ron") {
            out.push(path);
        }
    }
}

#[test]
fn reach_and_trace_agree_on_every_pair_of_every_bundled_scenario() {
    let mut files = Vec::new();
    scenario_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios"),
        &mut files,
    );
    files.sort();
    assert!(files.len() >= 30, "{} scenario files", files.len());
    for f in &files {
        let loaded = load_file(f).unwrap();
        for (protocol, port) in FLOWS {
            if let Some(d) = disagreement(&loaded, protocol, port) {
                panic!("{}: {d}", f.display());
            }
        }
    }
}

/// Azure: "Azure Private Endpoint DNS configuration" — clients keep using the service's own FQDN;
/// the endpoint's address is not in the service's certificate. A client that connects to the
/// address fails the name check, in the matrix as in a trace.
#[test]
fn a_private_endpoint_of_a_service_reached_by_address_fails_the_certificate_check_in_reach_as_in_trace(
) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/private-endpoint/client-uses-the-wrong-name.ron");
    let loaded = load_file(&file).unwrap();
    let request = ReachRequest {
        protocol: FlowProtocol::Tcp,
        port: 443,
        source_port: 50000,
        destinations: Destinations::PrivateEndpoints,
        sites: false,
    };
    let answer = reach(&loaded.network, loaded.dataplane(), &request);
    let row = answer
        .rows()
        .find(|r| r.source == "vm-app" && r.destination == "pe-aoai")
        .unwrap();
    assert_eq!(
        *row.verdict,
        Verdict::TlsNameMismatch {
            name: "10.0.2.4".into(),
            certificate: vec!["*.openai.azure.com".into()],
        }
    );
    assert_eq!(
        *row.verdict,
        cli_trace(
            &loaded,
            "vm-app",
            row.destination_ip,
            FlowProtocol::Tcp,
            443
        )
    );
}

// ---- random networks ------------------------------------------------------------------------

/// Certificate names a service may carry (Azure's wildcard, an exact name, an address).
const CERTIFICATES: [&str; 4] = [
    "*.openai.azure.com",
    "svc.example.com",
    "10.0.2.4",
    "*.example.com",
];
/// Private endpoint targets: a service of the scenario, or a host name.
const TARGETS: [&str; 4] = ["s0", "s1", "s2.privatelink.example.com", "svc.example.com"];
/// Application rule patterns.
const PATTERNS: [&str; 5] = [
    "*",
    "*.example.com",
    "svc.example.com",
    "10.0.2.5",
    "*.openai.azure.com",
];

prop_compose! {
    /// A hub of private endpoints (one subnet, so alike endpoints are grouped), a spoke of two
    /// clients forced through a firewall with random application rules.
    fn services()(
        certs in prop::collection::vec(prop::sample::subsequence(CERTIFICATES.to_vec(), 1..3), 2),
        targets in prop::collection::vec(prop::option::of(prop::sample::select(TARGETS.to_vec())), 2..6),
        patterns in prop::collection::vec(prop::sample::select(PATTERNS.to_vec()), 0..3),
        through_firewall in any::<bool>(),
        network_rule in any::<bool>(),
    ) -> String {
        let services: String = certs.iter().enumerate().map(|(i, c)| {
            let names = c.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ");
            format!(r#"(name: "s{i}", kind: OpenAI, fqdn: "s{i}.openai.azure.com", public_ip: "20.1.1.{}", certificate_names: [{names}]),"#, i + 1)
        }).collect();
        let pes: String = targets.iter().enumerate().map(|(i, t)| {
            let target = t.map(|t| format!(r#", target: "{t}""#)).unwrap_or_default();
            format!(r#"(name: "pe{i}", subnet: "hub/pe", ip: "10.0.2.{}"{target}),"#, i + 4)
        }).collect();
        let app_rules: String = patterns.iter().enumerate().map(|(i, p)| format!(
            r#"(name: "a{i}", source: ["10.1.0.0/16"], fqdns: ["{p}"], ports: ["443", "80"]),"#
        )).collect();
        let network_rules = if network_rule {
            r#"(name: "ssh", source: ["10.1.0.0/16"], destination: ["10.0.2.0/24"], ports: ["22"], protocol: Tcp),"#
        } else {
            ""
        };
        let (rt, tables) = if through_firewall {
            (r#", route_table: "rt""#, r#"route_tables: [(name: "rt", routes: [(name: "hub", prefix: "10.0.0.0/16", next_hop: VirtualAppliance("10.0.1.4"))])],"#)
        } else {
            ("", "")
        };
        format!(r#"Scenario(
            vnets: [
                (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [
                    (name: "AzureFirewallSubnet", prefix: "10.0.1.0/26"),
                    (name: "pe", prefix: "10.0.2.0/24")]),
                (name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [
                    (name: "app", prefix: "10.1.1.0/24"{rt})]),
            ],
            peerings: [(between: ("hub", "spoke"))],
            {tables}
            firewalls: [(name: "fw", subnet: "hub/AzureFirewallSubnet", private_ip: "10.0.1.4",
                network_rules: [{network_rules}], application_rules: [{app_rules}])],
            services: [{services}],
            private_endpoints: [{pes}],
            workloads: [
                (name: "vm1", subnet: "spoke/app", ip: "10.1.1.4"),
                (name: "vm2", subnet: "spoke/app", ip: "10.1.1.5"),
            ],
        )"#)
    }
}

fn load(ron: &str) -> Loaded {
    load_str("random.ron", ron).unwrap_or_else(|e| panic!("{e}\n{ron}"))
}

fn check(ron: &str) -> Result<(), TestCaseError> {
    let loaded = load(ron);
    for (protocol, port) in FLOWS {
        if let Some(d) = disagreement(&loaded, protocol, port) {
            return Err(TestCaseError::fail(format!("{d}\n{ron}")));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn reach_and_trace_agree_on_random_networks_of_services_certificates_and_application_rules(ron in services()) {
        check(&ron)?;
    }

    #[test]
    fn reach_and_trace_agree_on_random_route_tables_and_endpoint_policies(net in super::properties::network()) {
        check(&net.ron)?;
    }

    #[test]
    fn reach_and_trace_agree_on_random_dns_set_ups(ron in super::dns_properties::setup()) {
        check(&ron)?;
    }

    #[test]
    fn reach_and_trace_agree_on_random_virtual_wan_estates(wan in super::wan_properties::wan()) {
        check(&wan.ron)?;
    }
}
