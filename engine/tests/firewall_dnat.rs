//! Azure Firewall publishing a public load balancer through a DNAT rule, named after the
//! documented behaviour (Learn: "Integrate Azure Firewall with Azure Standard Load Balancer",
//! <https://learn.microsoft.com/azure/firewall/integrate-lb>; "Azure Firewall SNAT private IP
//! address ranges", <https://learn.microsoft.com/azure/firewall/snat-private-range>).

use std::net::IpAddr;
use std::path::Path;

use azpath_engine::import::{import_files, to_ron};
use azpath_engine::model::TraceSource;
use azpath_engine::trace::{
    trace_from, trace_verdict, OneWay, Step, Symptom, TraceAnswer, TraceRequest, Verdict,
};
use azpath_engine::{load_str, Loaded};

/// Learn's example: firewall public IP 20.185.97.136, private IP 10.0.1.4, a NAT rule to the load
/// balancer at 20.42.98.220, the backend subnet's 0.0.0.0/0 to the firewall's private IP.
fn estate(extra_route: &str, firewall_extra: &str) -> String {
    format!(
        r#"Scenario(
    vnets: [
        (name: "hub", region: "r", address_space: ["10.0.0.0/16"], subnets: [(name: "AzureFirewallSubnet", prefix: "10.0.1.0/26")]),
        (name: "spoke", region: "r", address_space: ["10.1.0.0/16"], subnets: [(name: "web", prefix: "10.1.1.0/24", route_table: "rt", nsg: "nsg")]),
    ],
    peerings: [(between: ("hub", "spoke"), allow_forwarded_traffic: true)],
    route_tables: [(name: "rt", routes: [
        (name: "default", prefix: "0.0.0.0/0", next_hop: VirtualAppliance("10.0.1.4")),
        {extra_route}
    ])],
    nsgs: [(name: "nsg", rules: [
        (name: "rdp-from-fw", priority: 100, direction: Inbound, access: Allow, protocol: Tcp, source: ["20.185.97.136"], destination_ports: ["3389"]),
        (name: "deny-else", priority: 4000, direction: Inbound, access: Deny),
    ])],
    {firewall_extra}
    firewalls: [(
        name: "fw", subnet: "hub/AzureFirewallSubnet", private_ip: "10.0.1.4", public_ips: ["20.185.97.136"],
        dnat_rules: [
            (name: "rdp", destination: "20.185.97.136", ports: ["3389"], protocol: Tcp, translated_address: "20.42.98.220", translated_port: 3389),
            (name: "outside", destination: "20.185.97.136", ports: ["8443"], protocol: Tcp, translated_address: "198.51.100.20", translated_port: 443),
        ],
    )],
    load_balancers: [(name: "lb", frontend_ip: "20.42.98.220", rules: [(name: "rdp", frontend_port: 3389, backend_port: 3389)], backends: ["vm"])],
    workloads: [(name: "vm", subnet: "spoke/web", ip: "10.1.1.4")],
)"#
    )
}

fn load(ron: &str) -> Loaded {
    load_str("case.ron", ron).unwrap_or_else(|e| panic!("{e}"))
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn request(port: u16) -> TraceRequest {
    TraceRequest {
        protocol: azpath_engine::model::FlowProtocol::Tcp,
        destination: ip("20.185.97.136"),
        port,
        source_port: 50000,
        host: None,
    }
}

fn from_client(loaded: &Loaded, port: u16) -> TraceAnswer {
    let client = TraceSource::Internet(ip("203.0.113.7"));
    trace_from(&loaded.network, loaded.dataplane(), client, request(port)).unwrap()
}

fn nics(hops: &[azpath_engine::trace::Hop]) -> Vec<&str> {
    hops.iter().map(|h| h.nic.as_str()).collect()
}

#[test]
fn the_firewall_nats_the_packets_to_the_load_balancer_public_ip_and_they_reach_a_backend_from_its_public_ip(
) {
    let l = load(&estate("", ""));
    let a = from_client(&l, 3389);
    assert_eq!(nics(&a.forward), ["Internet", "fw", "Internet", "vm"]);
    // The request re-enters at the load balancer's frontend, translated by the firewall.
    let reentry = &a.forward[2];
    assert_eq!(
        (reentry.packet.src, reentry.packet.dst),
        (ip("20.185.97.136"), ip("20.42.98.220"))
    );
    assert!(reentry
        .steps
        .iter()
        .any(|s| matches!(s, Step::LoadBalancer { load_balancer, .. } if load_balancer == "lb")));
    // The backend's NSG sees the firewall's public IP, and allows it.
    assert_eq!(a.forward[3].packet.src, ip("20.185.97.136"));
    assert_eq!(a.forward[3].packet.dst, ip("10.1.1.4"));
    assert_eq!(
        a.source_seen.as_ref().and_then(|s| s.address),
        Some(ip("20.185.97.136"))
    );
}

#[test]
fn a_reply_to_the_firewall_public_ip_on_the_default_route_to_its_private_ip_is_dropped() {
    let l = load(&estate("", ""));
    let a = from_client(&l, 3389);
    assert_eq!(
        a.verdict,
        Verdict::AsymmetricReturnDropped {
            device: "fw".into(),
            saw: OneWay::ReplyAtPrivateIp,
        }
    );
    assert_eq!(a.symptom, Symptom::ReplyOnlyTimeout);
    // The reply left the backend from the load balancer's frontend, for the firewall's public
    // IP, and reached the firewall's private NIC by the UDR.
    assert_eq!(nics(&a.reply), ["vm", "fw"]);
    let first = &a.reply[0];
    assert_eq!(
        (first.packet.src, first.packet.dst),
        (ip("20.42.98.220"), ip("20.185.97.136"))
    );
    // The verdict-only walk decides the same.
    let client = TraceSource::Internet(ip("203.0.113.7"));
    assert_eq!(
        trace_verdict(&l.network, l.dataplane(), client, request(3389)),
        Some(a.verdict)
    );
}

#[test]
fn a_host_route_for_the_firewall_public_ip_to_the_internet_brings_the_reply_back_through_it() {
    let route = r#"(name: "fw-pip", prefix: "20.185.97.136/32", next_hop: Internet),"#;
    let l = load(&estate(route, ""));
    let a = from_client(&l, 3389);
    assert_eq!(a.verdict, Verdict::Delivered);
    assert_eq!(a.symptom, Symptom::Connected);
    assert_eq!(nics(&a.reply), ["vm", "Internet", "fw"]);
    // Over the Internet from the frontend to the firewall's public IP...
    assert_eq!(
        (a.reply[1].packet.src, a.reply[1].packet.dst),
        (ip("20.42.98.220"), ip("20.185.97.136"))
    );
    // ...which translates it back: to the client, from the address the client called.
    let last = &a.reply[2];
    assert_eq!(
        (
            last.packet.src,
            last.packet.src_port,
            last.packet.dst,
            last.packet.dst_port
        ),
        (ip("20.185.97.136"), 3389, ip("203.0.113.7"), 50000)
    );
    assert!(last.steps.iter().any(|s| matches!(s, Step::UnSnat { .. })));
}

#[test]
fn a_dnat_rule_to_a_public_address_the_scenario_does_not_hold_still_leaves_for_the_internet() {
    let l = load(&estate("", ""));
    let a = from_client(&l, 8443);
    assert_eq!(a.verdict, Verdict::SentToInternet);
    assert_eq!(nics(&a.forward), ["Internet", "fw"]);
}

/// Learn's "Scenario 2: Azure Firewall with NAT Gateway": a NAT gateway (198.51.100.101) on
/// `AzureFirewallSubnet`, the NSG allowing `nsg_source`, and `extra_route` on the backend subnet.
fn with_nat_gateway(nsg_source: &str, extra_route: &str) -> Loaded {
    let nat = r#"nat_gateways: [(name: "ng", public_ips: ["198.51.100.101"])],"#;
    let ron = estate(extra_route, nat)
        .replace(
            r#"(name: "AzureFirewallSubnet", prefix: "10.0.1.0/26")"#,
            r#"(name: "AzureFirewallSubnet", prefix: "10.0.1.0/26", nat_gateway: "ng")"#,
        )
        .replace(
            r#"source: ["20.185.97.136"]"#,
            &format!(r#"source: ["{nsg_source}"]"#),
        );
    load(&ron)
}

#[test]
fn with_a_nat_gateway_on_the_firewall_subnet_the_firewall_snats_dnat_traffic_to_the_nat_gateway_public_ip(
) {
    let l = with_nat_gateway("198.51.100.101", "");
    let a = from_client(&l, 3389);
    assert_eq!(nics(&a.forward), ["Internet", "fw", "Internet", "vm"]);
    // No double NAT: the firewall hands the flow to the NAT gateway from its private address...
    let fw = &a.forward[1];
    assert!(fw
        .steps
        .iter()
        .any(|s| matches!(s, Step::Snat { to, .. } if *to == ip("10.0.1.4"))));
    assert!(fw.steps.iter().any(|s| matches!(
        s,
        Step::Egress { source: Some(src), .. } if *src == ip("198.51.100.101")
    )));
    // ...and the load balancer's backend sees the NAT gateway's public IP.
    assert_eq!(a.forward[2].packet.src, ip("198.51.100.101"));
    assert_eq!(a.forward[3].packet.src, ip("198.51.100.101"));
    assert_eq!(
        a.source_seen.as_ref().and_then(|s| s.address),
        Some(ip("198.51.100.101"))
    );
}

#[test]
fn with_a_nat_gateway_on_the_firewall_subnet_an_nsg_allowing_only_the_firewall_public_ip_drops_the_flow(
) {
    let l = with_nat_gateway("20.185.97.136", "");
    let a = from_client(&l, 3389);
    assert_eq!(
        a.verdict,
        Verdict::DroppedByNsg {
            nsg: "nsg".into(),
            rule: "deny-else".into(),
            nic: "vm".into(),
        }
    );
}

#[test]
fn with_a_nat_gateway_on_the_firewall_subnet_the_reply_to_its_public_ip_on_the_default_route_is_dropped_at_the_firewall_private_ip(
) {
    // The host route for the firewall's public IP does not help: the reply goes to the NAT
    // gateway's address.
    let route = r#"(name: "fw-pip", prefix: "20.185.97.136/32", next_hop: Internet),"#;
    let l = with_nat_gateway("198.51.100.101", route);
    let a = from_client(&l, 3389);
    assert_eq!(
        a.verdict,
        Verdict::AsymmetricReturnDropped {
            device: "fw".into(),
            saw: OneWay::ReplyAtPrivateIp,
        }
    );
    assert_eq!(nics(&a.reply), ["vm", "fw"]);
    assert_eq!(a.reply[0].packet.dst, ip("198.51.100.101"));
    let client = TraceSource::Internet(ip("203.0.113.7"));
    assert_eq!(
        trace_verdict(&l.network, l.dataplane(), client, request(3389)),
        Some(a.verdict)
    );
}

#[test]
fn a_route_for_the_nat_gateway_public_ip_to_the_internet_brings_the_reply_back_through_the_nat_gateway_and_the_firewall(
) {
    let route = r#"(name: "natgw-pip", prefix: "198.51.100.101/32", next_hop: Internet),"#;
    let l = with_nat_gateway("198.51.100.101", route);
    let a = from_client(&l, 3389);
    assert_eq!(a.verdict, Verdict::Delivered);
    assert_eq!(nics(&a.reply), ["vm", "Internet", "fw"]);
    // The NAT gateway translates the reply back to the firewall's private address...
    assert!(a.reply[1].steps.iter().any(|s| matches!(
        s,
        Step::UnSnat { from, to } if *from == ip("198.51.100.101") && *to == ip("10.0.1.4")
    )));
    // ...and the firewall answers the client from the address it called.
    let last = &a.reply[2];
    assert_eq!(
        (last.packet.src, last.packet.dst, last.packet.dst_port),
        (ip("20.185.97.136"), ip("203.0.113.7"), 50000)
    );
}

#[test]
fn a_firewall_policy_dnat_rule_translating_to_a_public_address_imports_and_traces() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import/hub-spoke");
    let mut paths: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let files: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(p).unwrap();
            // The fixture's DNAT rule, translating to a public address instead.
            let text = if name == "firewall.json" {
                let public = text.replace(
                    r#""translatedAddress": "10.1.1.4""#,
                    r#""translatedAddress": "198.51.100.20""#,
                );
                assert_ne!(public, text, "the fixture's DNAT rule moved");
                public
            } else {
                text
            };
            (name, text)
        })
        .collect();
    let imported = import_files(&files).unwrap();
    let fw = imported
        .document
        .firewalls
        .iter()
        .find(|f| f.name.value == "fw-hub")
        .unwrap();
    let rule = fw
        .dnat_rules
        .iter()
        .find(|r| r.name.value == "https-to-app")
        .unwrap();
    assert_eq!(rule.translated_address.value, "198.51.100.20");
    assert!(!imported
        .notes
        .skipped
        .iter()
        .any(|s| s.what.contains("https-to-app")));
    let ron = to_ron(&imported).unwrap();
    let l = load_str("imported.ron", &ron).unwrap_or_else(|e| panic!("{e}\n{ron}"));
    let client = TraceSource::Internet(ip("203.0.113.7"));
    let req = TraceRequest {
        destination: ip("20.40.0.4"),
        port: 8443,
        ..request(8443)
    };
    let a = trace_from(&l.network, l.dataplane(), client, req).unwrap();
    assert_eq!(a.verdict, Verdict::SentToInternet);
}

#[test]
fn a_dnat_rule_to_an_instance_public_ip_reaches_the_nic_and_its_direct_reply_returns_through_the_firewall(
) {
    // No UDR on the VM's subnet: its reply to the firewall's public IP leaves for the Internet
    // from its public IP and comes back to the firewall's public side.
    let ron = estate("", "")
        .replace(r#"route_table: "rt", nsg: "nsg""#, r#"nsg: "nsg""#)
        .replace(
            r#"translated_address: "20.42.98.220""#,
            r#"translated_address: "20.42.98.30""#,
        )
        .replace(
            r#"ip: "10.1.1.4")"#,
            r#"ip: "10.1.1.4", public_ip: "20.42.98.30")"#,
        );
    let l = load(&ron);
    let a = from_client(&l, 3389);
    assert_eq!(a.verdict, Verdict::Delivered);
    assert_eq!(nics(&a.forward), ["Internet", "fw", "Internet", "vm"]);
    assert_eq!(nics(&a.reply), ["vm", "Internet", "fw"]);
    assert_eq!(a.reply[0].packet.src, ip("20.42.98.30"));
}

#[test]
fn a_dnat_rule_to_the_firewall_own_public_ip_ends_as_a_loop() {
    let ron = estate("", "").replace(
        r#"translated_address: "20.42.98.220""#,
        r#"translated_address: "20.185.97.136""#,
    );
    let l = load(&ron);
    let a = from_client(&l, 3389);
    assert!(matches!(a.verdict, Verdict::Loop { .. }), "{:?}", a.verdict);
}
