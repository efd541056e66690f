//! Several public IPs as the SNAT source. Microsoft Learn, "Deploy an Azure Firewall with
//! multiple public IP addresses"
//! (<https://learn.microsoft.com/azure/firewall/deploy-multi-public-ip-powershell>): "Azure
//! Firewall randomly selects the source public IP address to use for a connection. If you have
//! any downstream filtering on your network, you need to allow all public IP addresses
//! associated with your firewall." "Source Network Address Translation (SNAT) with Azure NAT
//! Gateway" (<https://learn.microsoft.com/azure/nat-gateway/nat-gateway-snat>): the port
//! inventory is that of every public IP and prefix on the NAT gateway. A destination that allows
//! only some of the addresses answers some connections and refuses the others.

use std::net::IpAddr;

use azpath_engine::model::{FlowProtocol, NicRef, TraceSource};
use azpath_engine::trace::{trace, trace_verdict, TraceAnswer, TraceRequest, Verdict};
use azpath_engine::Loaded;

use super::support::load;

/// A spoke routed through firewall `fw` (public IPs 20.40.0.4 and 20.40.0.5); a subnet `natted`
/// with NAT gateway `ng` (20.1.1.1, 20.1.1.2); a web VNet, not peered, with a public load
/// balancer (20.42.98.220) whose backend's NSG allows HTTPS from `allowed` only; a key vault
/// whose firewall allows `vault`.
fn estate(allowed: &str, vault: &str) -> String {
    format!(
        r#"Scenario(
    vnets: [
        (name: "hub", region: "r", address_space: ["10.0.0.0/16"], subnets: [(name: "AzureFirewallSubnet", prefix: "10.0.1.0/26")]),
        (name: "spoke", region: "r", address_space: ["10.1.0.0/16"], subnets: [
            (name: "app", prefix: "10.1.1.0/24", route_table: "rt-spoke"),
            (name: "natted", prefix: "10.1.2.0/24", nat_gateway: "ng"),
        ]),
        (name: "web", region: "r", address_space: ["10.9.0.0/16"], subnets: [(name: "web", prefix: "10.9.1.0/24", nsg: "nsg-web")]),
    ],
    peerings: [(between: ("hub", "spoke"), allow_forwarded_traffic: true)],
    route_tables: [(name: "rt-spoke", routes: [(name: "all-via-fw", prefix: "0.0.0.0/0", next_hop: VirtualAppliance("10.0.1.4"))])],
    nat_gateways: [(name: "ng", public_ips: ["20.1.1.1", "20.1.1.2"])],
    firewalls: [(
        name: "fw", subnet: "hub/AzureFirewallSubnet", private_ip: "10.0.1.4", public_ips: ["20.40.0.4", "20.40.0.5"],
        network_rules: [(name: "any", source: ["10.1.0.0/16"], destination: ["*"], ports: ["*"], protocol: Tcp)],
    )],
    nsgs: [(name: "nsg-web", rules: [
        (name: "https-from-partner", priority: 100, direction: Inbound, access: Allow, protocol: Tcp, source: [{allowed}], destination_ports: ["443"]),
        (name: "deny-else", priority: 4000, direction: Inbound, access: Deny),
    ])],
    load_balancers: [(name: "lb-web", frontend_ip: "20.42.98.220", rules: [(name: "https", frontend_port: 443, backend_port: 443)], backends: ["vm-web"])],
    services: [(name: "kv", kind: KeyVault, fqdn: "contoso-kv.vault.azure.net", public_ip: "20.50.0.10", public_network_access: SelectedNetworks([{vault}]))],
    workloads: [
        (name: "vm-app", subnet: "spoke/app", ip: "10.1.1.4"),
        (name: "vm-natted", subnet: "spoke/natted", ip: "10.1.2.4"),
        (name: "vm-web", subnet: "web/web", ip: "10.9.1.4"),
    ],
)"#
    )
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn run(l: &Loaded, from: &str, to: &str) -> TraceAnswer {
    let Some(NicRef::Workload(w)) = l.network.nic_by_name(from) else {
        panic!("{from}")
    };
    let request = || TraceRequest {
        protocol: FlowProtocol::Tcp,
        destination: ip(to),
        port: 443,
        source_port: 50000,
        // The vault's name, as a client connecting to it asks for it.
        host: (to == "20.50.0.10").then(|| "contoso-kv.vault.azure.net".to_string()),
    };
    let a = trace(&l.network, l.dataplane(), w, request()).unwrap();
    // The verdict-only walk (the reachability matrix) decides the same.
    let only = trace_verdict(
        &l.network,
        l.dataplane(),
        TraceSource::Workload(w),
        request(),
    );
    assert_eq!(only, Some(a.verdict.clone()), "verdict-only walk");
    a
}

#[test]
fn the_firewall_picks_its_public_ip_at_random_so_an_nsg_allowing_only_one_fails_intermittently() {
    let l = load(&estate(r#""20.40.0.4""#, r#""0.0.0.0/0""#));
    let t = run(&l, "vm-app", "20.42.98.220");
    let Verdict::SnatAddressDecides {
        device,
        allowed,
        refused,
        refusal,
    } = &t.verdict
    else {
        panic!("{:?}", t.verdict)
    };
    assert_eq!(device, "fw");
    assert_eq!(allowed, &vec![ip("20.40.0.4")]);
    assert_eq!(refused, &vec![ip("20.40.0.5")]);
    assert!(
        matches!(&**refusal, Verdict::DroppedByNsg { rule, .. } if rule == "deny-else"),
        "{refusal:?}"
    );
    assert!(!t.verdict.is_success());
    assert_eq!(t.symptom, refusal.symptom());
}

#[test]
fn an_nsg_allowing_every_public_ip_of_the_firewall_delivers_and_the_answer_names_the_candidates() {
    let l = load(&estate(r#""20.40.0.4", "20.40.0.5""#, r#""0.0.0.0/0""#));
    let t = run(&l, "vm-app", "20.42.98.220");
    assert_eq!(t.verdict, Verdict::Delivered);
    let seen = t.source_seen.unwrap();
    assert_eq!(seen.candidates, vec![ip("20.40.0.4"), ip("20.40.0.5")]);
}

#[test]
fn an_nsg_allowing_none_of_the_firewall_public_ips_is_a_plain_refusal() {
    let l = load(&estate(r#""203.0.113.9""#, r#""0.0.0.0/0""#));
    let t = run(&l, "vm-app", "20.42.98.220");
    assert!(
        matches!(t.verdict, Verdict::DroppedByNsg { .. }),
        "{:?}",
        t.verdict
    );
}

#[test]
fn a_nat_gateway_uses_any_of_its_public_ips_so_a_frontend_allowing_only_one_fails_intermittently() {
    let l = load(&estate(r#""20.1.1.2""#, r#""0.0.0.0/0""#));
    let t = run(&l, "vm-natted", "20.42.98.220");
    let Verdict::SnatAddressDecides {
        device,
        allowed,
        refused,
        ..
    } = &t.verdict
    else {
        panic!("{:?}", t.verdict)
    };
    assert_eq!(device, "ng");
    assert_eq!(allowed, &vec![ip("20.1.1.2")]);
    assert_eq!(refused, &vec![ip("20.1.1.1")]);
}

#[test]
fn a_service_firewall_allowing_one_of_the_firewall_public_ips_answers_some_connections_only() {
    let l = load(&estate(r#""0.0.0.0/0""#, r#""20.40.0.5/32""#));
    let t = run(&l, "vm-app", "20.50.0.10");
    let Verdict::SnatAddressDecides {
        allowed,
        refused,
        refusal,
        ..
    } = &t.verdict
    else {
        panic!("{:?}", t.verdict)
    };
    assert_eq!(allowed, &vec![ip("20.40.0.5")]);
    assert_eq!(refused, &vec![ip("20.40.0.4")]);
    assert!(
        matches!(&**refusal, Verdict::ServiceFirewallDenied { caller: Some(c), .. } if *c == ip("20.40.0.4")),
        "{refusal:?}"
    );
}

#[test]
fn a_destination_that_does_not_filter_by_source_answers_as_one_whichever_address_is_picked() {
    let l = load(&estate(r#""0.0.0.0/0""#, r#""0.0.0.0/0""#));
    let t = run(&l, "vm-app", "203.0.113.10");
    assert_eq!(t.verdict, Verdict::SentToInternet);
    assert_eq!(
        t.source_seen.unwrap().candidates,
        vec![ip("20.40.0.4"), ip("20.40.0.5")]
    );
}
