//! A workload's own flow to a public address the scenario models: it leaves by the way out the
//! documented egress order chooses, comes back into Azure at that public frontend with that
//! address as its source, and the reply returns to that address. Microsoft Learn, "Default
//! outbound access" (<https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access>),
//! "What is Azure NAT Gateway?", outbound connectivity
//! (<https://learn.microsoft.com/azure/nat-gateway/nat-overview#outbound-connectivity>): NAT
//! gateway > instance public IP > load balancer outbound rules > default outbound access.

use std::net::IpAddr;

use azpath_engine::model::{FlowProtocol, NicRef, TraceSource};
use azpath_engine::trace::egress::{EgressMethod, Translation};
use azpath_engine::trace::{
    trace, trace_verdict, Assumption, Step, TraceAnswer, TraceRequest, Verdict,
};
use azpath_engine::{load_str, Loaded};

/// A client VNet whose subnet `apps` has a NAT gateway (20.1.1.1) and a VM with an instance
/// public IP (20.2.2.2); a web VNet, not peered, with a public load balancer (20.42.98.220)
/// whose backend's NSG allows HTTPS from `allowed` only. `client_subnet` and `extra` adjust it.
fn estate(allowed: &str, client_subnet: &str, extra: &str) -> String {
    format!(
        r#"Scenario(
    vnets: [
        (name: "client", region: "r", address_space: ["10.7.0.0/16"], subnets: [
            (name: "apps", prefix: "10.7.1.0/24", {client_subnet}),
            (name: "legacy", prefix: "10.7.2.0/24"),
            (name: "private", prefix: "10.7.3.0/24", default_outbound_access: false),
            (name: "batch", prefix: "10.7.4.0/24"),
        ]),
        (name: "web", region: "r", address_space: ["10.1.0.0/16"], subnets: [(name: "web", prefix: "10.1.1.0/24", nsg: "nsg-web")]),
    ],
    nat_gateways: [(name: "ng", public_ips: ["20.1.1.1"])],
    nsgs: [(name: "nsg-web", rules: [
        (name: "https-from-partner", priority: 100, direction: Inbound, access: Allow, protocol: Tcp, source: ["{allowed}"], destination_ports: ["443"]),
        (name: "deny-else", priority: 4000, direction: Inbound, access: Deny),
    ])],
    load_balancers: [
        (name: "lb-web", frontend_ip: "20.42.98.220", rules: [(name: "https", frontend_port: 443, backend_port: 443)], backends: ["vm-web"]),
        (name: "lb-batch", frontend_ip: "20.3.3.3", rules: [(name: "https", frontend_port: 443, backend_port: 443, disable_outbound_snat: true)],
         backends: ["vm-batch"], outbound_rules: [(name: "batch-out", frontend_ips: ["20.3.3.4"])]),
    ],
    workloads: [
        (name: "vm-client", subnet: "client/apps", ip: "10.7.1.4", public_ip: "20.2.2.2"),
        (name: "vm-legacy", subnet: "client/legacy", ip: "10.7.2.4"),
        (name: "vm-private", subnet: "client/private", ip: "10.7.3.4"),
        (name: "vm-batch", subnet: "client/batch", ip: "10.7.4.4"),
        (name: "vm-web", subnet: "web/web", ip: "10.1.1.4"),
    ],
    {extra}
)"#
    )
}

const NAT: &str = r#"nat_gateway: "ng""#;

fn load(text: &str) -> Loaded {
    load_str("case.ron", text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn request(to: &str) -> TraceRequest {
    TraceRequest {
        protocol: FlowProtocol::Tcp,
        destination: ip(to),
        port: 443,
        source_port: 50000,
        host: None,
    }
}

fn run(l: &Loaded, from: &str, to: &str) -> TraceAnswer {
    let Some(NicRef::Workload(w)) = l.network.nic_by_name(from) else {
        panic!("{from}")
    };
    let a = trace(&l.network, l.dataplane(), w, request(to)).unwrap();
    // The verdict-only walk decides the same.
    assert_eq!(
        trace_verdict(
            &l.network,
            l.dataplane(),
            TraceSource::Workload(w),
            request(to)
        ),
        Some(a.verdict.clone()),
        "verdict-only walk from {from} to {to}"
    );
    a
}

fn nics(hops: &[azpath_engine::trace::Hop]) -> Vec<&str> {
    hops.iter().map(|h| h.nic.as_str()).collect()
}

#[test]
fn a_workload_behind_a_nat_gateway_reaches_a_modelled_public_load_balancer_from_the_nat_gateway_address(
) {
    let l = load(&estate("20.1.1.1", NAT, ""));
    let a = run(&l, "vm-client", "20.42.98.220");
    assert_eq!(a.verdict, Verdict::Delivered);
    assert_eq!(nics(&a.forward), ["vm-client", "Internet", "vm-web"]);
    // It leaves by the NAT gateway, which wins over the instance public IP...
    assert!(a.forward[0].steps.iter().any(|s| matches!(
        s,
        Step::Egress { method: EgressMethod::NatGateway { name }, source: Some(src) }
            if name == "ng" && *src == ip("20.1.1.1")
    )));
    // ...and comes back in at the load balancer's frontend from the NAT gateway's address.
    assert_eq!(
        (a.forward[1].packet.src, a.forward[1].packet.dst),
        (ip("20.1.1.1"), ip("20.42.98.220"))
    );
    assert!(a.forward[1].steps.iter().any(
        |s| matches!(s, Step::LoadBalancer { load_balancer, .. } if load_balancer == "lb-web")
    ));
    // The backend's NSG meets that address.
    assert_eq!(a.forward[2].packet.src, ip("20.1.1.1"));
    assert_eq!(a.forward[2].packet.dst, ip("10.1.1.4"));
    let seen = a.source_seen.as_ref().unwrap();
    assert_eq!(seen.address, Some(ip("20.1.1.1")));
    assert!(matches!(
        &seen.translated_by,
        Some(Translation::Egress {
            method: EgressMethod::NatGateway { .. }
        })
    ));
}

#[test]
fn the_reply_returns_to_the_nat_gateway_address_from_the_frontend_and_is_translated_back_to_the_workload(
) {
    let l = load(&estate("20.1.1.1", NAT, ""));
    let a = run(&l, "vm-client", "20.42.98.220");
    assert_eq!(nics(&a.reply), ["vm-web", "Internet", "vm-client"]);
    assert_eq!(
        (a.reply[0].packet.src, a.reply[0].packet.dst),
        (ip("20.42.98.220"), ip("20.1.1.1"))
    );
    assert!(a.reply[1].steps.iter().any(|s| matches!(
        s,
        Step::UnSnat { from, to } if *from == ip("20.1.1.1") && *to == ip("10.7.1.4")
    )));
    let last = &a.reply[2];
    assert_eq!(
        (last.packet.dst, last.packet.dst_port),
        (ip("10.7.1.4"), 50000)
    );
}

#[test]
fn an_nsg_that_allows_the_instance_public_ip_does_not_match_a_flow_leaving_by_the_nat_gateway() {
    let l = load(&estate("20.2.2.2", NAT, ""));
    let a = run(&l, "vm-client", "20.42.98.220");
    assert_eq!(
        a.verdict,
        Verdict::DroppedByNsg {
            nsg: "nsg-web".into(),
            rule: "deny-else".into(),
            nic: "vm-web".into(),
        }
    );
}

#[test]
fn without_a_nat_gateway_the_instance_public_ip_is_the_source_the_frontend_sees() {
    let l = load(&estate("20.2.2.2", "", ""));
    let a = run(&l, "vm-client", "20.42.98.220");
    assert_eq!(a.verdict, Verdict::Delivered);
    assert_eq!(a.forward[2].packet.src, ip("20.2.2.2"));
    assert_eq!(a.reply[0].packet.dst, ip("20.2.2.2"));
}

#[test]
fn a_backend_without_a_public_ip_reaches_the_frontend_from_its_load_balancer_outbound_rule_address()
{
    let l = load(&estate("20.3.3.4", "", ""));
    let a = run(&l, "vm-batch", "20.42.98.220");
    assert_eq!(a.verdict, Verdict::Delivered);
    assert_eq!(a.forward[2].packet.src, ip("20.3.3.4"));
    // An NSG that allows the load-balancing frontend instead does not match it.
    let l = load(&estate("20.3.3.3", "", ""));
    let a = run(&l, "vm-batch", "20.42.98.220");
    assert!(
        matches!(a.verdict, Verdict::DroppedByNsg { .. }),
        "{:?}",
        a.verdict
    );
}

#[test]
fn a_workload_reaches_another_workload_instance_public_ip_and_the_reply_leaves_from_it() {
    let l = load(&estate("20.1.1.1", NAT, "").replace(
        r#"ip: "10.1.1.4")"#,
        r#"ip: "10.1.1.4", public_ip: "20.42.98.30")"#,
    ));
    let a = run(&l, "vm-client", "20.42.98.30");
    assert_eq!(a.verdict, Verdict::Delivered);
    assert_eq!(nics(&a.forward), ["vm-client", "Internet", "vm-web"]);
    assert_eq!(a.forward[2].packet.src, ip("20.1.1.1"));
    assert_eq!(
        (a.reply[0].packet.src, a.reply[0].packet.dst),
        (ip("20.42.98.30"), ip("20.1.1.1"))
    );
}

#[test]
fn under_default_outbound_access_the_source_is_a_microsoft_owned_address_and_the_flow_is_not_followed_in(
) {
    let l = load(&estate("20.1.1.1", NAT, ""));
    let a = run(&l, "vm-legacy", "20.42.98.220");
    assert_eq!(a.verdict, Verdict::SentToInternet);
    assert_eq!(nics(&a.forward), ["vm-legacy"]);
    assert!(a.assumptions.iter().any(|x| x.assumption
        == Assumption::DefaultOutboundSourceUnknown {
            frontend: ip("20.42.98.220")
        }));
    // No address is invented: the source seen is unknown.
    assert_eq!(a.source_seen.as_ref().and_then(|s| s.address), None);
    // An address the scenario does not hold carries no such note.
    let a = run(&l, "vm-legacy", "198.51.100.10");
    assert!(a.assumptions.is_empty(), "{:?}", a.assumptions);
}

#[test]
fn a_private_subnet_with_no_way_out_does_not_reach_a_modelled_public_frontend() {
    let l = load(&estate("20.1.1.1", NAT, ""));
    let a = run(&l, "vm-private", "20.42.98.220");
    assert!(
        matches!(a.verdict, Verdict::NoOutboundAccess { .. }),
        "{:?}",
        a.verdict
    );
}
