//! A packet a network virtual appliance forwards without SNAT to a public address the scenario
//! models leaves by the appliance's own way out, in Azure's order (NAT gateway on its subnet >
//! its instance public IP > load balancer outbound rule > default outbound access), and comes
//! back into Azure there with that address as its source. Microsoft Learn, "Tutorial: Use a NAT
//! gateway with a hub and spoke network"
//! (<https://learn.microsoft.com/azure/nat-gateway/tutorial-hub-spoke-route-nat>); "Default
//! outbound access"
//! (<https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access>).

use std::net::IpAddr;

use azpath_engine::model::{FlowProtocol, NicRef, TraceSource};
use azpath_engine::trace::{
    trace, trace_verdict, Assumption, Step, TraceAnswer, TraceRequest, Verdict,
};
use azpath_engine::Loaded;

use super::support::load;

/// A spoke routed through appliance `nva` (forwarding, no SNAT) in the hub's `nva` subnet
/// (`nva_subnet` and `nva_extra` adjust them); a web VNet, not peered, with a public load
/// balancer (20.42.98.220) whose backend's NSG allows HTTPS from 20.1.1.9 (the NAT gateway) and
/// 20.2.2.9 (the appliance's public IP) only.
fn estate(nva_subnet: &str, nva_extra: &str) -> String {
    format!(
        r#"Scenario(
    vnets: [
        (name: "hub", region: "r", address_space: ["10.0.0.0/16"], subnets: [(name: "nva", prefix: "10.0.3.0/24"{nva_subnet})]),
        (name: "spoke", region: "r", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24", route_table: "rt-spoke")]),
        (name: "web", region: "r", address_space: ["10.9.0.0/16"], subnets: [(name: "web", prefix: "10.9.1.0/24", nsg: "nsg-web")]),
    ],
    peerings: [(between: ("hub", "spoke"), allow_forwarded_traffic: true)],
    route_tables: [(name: "rt-spoke", routes: [(name: "all-via-nva", prefix: "0.0.0.0/0", next_hop: VirtualAppliance("10.0.3.4"))])],
    nat_gateways: [(name: "ng-nva", public_ips: ["20.1.1.9"])],
    nsgs: [(name: "nsg-web", rules: [
        (name: "https-from-egress", priority: 100, direction: Inbound, access: Allow, protocol: Tcp, source: ["20.1.1.9", "20.2.2.9"], destination_ports: ["443"]),
        (name: "deny-else", priority: 4000, direction: Inbound, access: Deny),
    ])],
    load_balancers: [(name: "lb-web", frontend_ip: "20.42.98.220", rules: [(name: "https", frontend_port: 443, backend_port: 443)], backends: ["vm-web"])],
    workloads: [
        (name: "nva", kind: Nva, subnet: "hub/nva", ip: "10.0.3.4"{nva_extra}),
        (name: "vm-app", subnet: "spoke/app", ip: "10.1.1.4"),
        (name: "vm-web", subnet: "web/web", ip: "10.9.1.4"),
    ],
)"#
    )
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn run(l: &Loaded) -> TraceAnswer {
    let Some(NicRef::Workload(w)) = l.network.nic_by_name("vm-app") else {
        panic!("vm-app")
    };
    let request = || TraceRequest {
        protocol: FlowProtocol::Tcp,
        destination: ip("20.42.98.220"),
        port: 443,
        source_port: 50000,
        host: None,
    };
    let a = trace(&l.network, l.dataplane(), w, request()).unwrap();
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
fn a_packet_an_appliance_forwards_without_snat_leaves_by_the_nat_gateway_on_its_subnet_and_comes_back_in(
) {
    let l = load(&estate(r#", nat_gateway: "ng-nva""#, ""));
    let a = run(&l);
    assert_eq!(a.verdict, Verdict::Delivered, "{:#?}", a.forward);
    // The backend sees the NAT gateway's address.
    let backend = a.forward.last().unwrap();
    assert_eq!(backend.nic.as_str(), "vm-web");
    assert_eq!(backend.packet.src, ip("20.1.1.9"));
    // The reply comes back to the NAT gateway, is translated back to the client there, and
    // the appliance (stateful) sees it.
    let unsnat = a.reply.iter().flat_map(|h| &h.steps).any(|s| {
        matches!(s, Step::UnSnat { from, to } if *from == ip("20.1.1.9") && *to == ip("10.1.1.4"))
    });
    assert!(unsnat, "{:#?}", a.reply);
    let nics: Vec<&str> = a.reply.iter().map(|h| h.nic.as_str()).collect();
    assert_eq!(nics, ["vm-web", "Internet", "nva", "vm-app"]);
}

#[test]
fn an_instance_public_ip_does_not_translate_a_packet_the_appliance_forwards_with_another_source() {
    // Learn, "Virtual network traffic routing": the appliance must NAT the source to its own
    // private address; Azure translates only that address to the instance public IP.
    let l = load(&estate("", r#", public_ip: "20.2.2.9""#));
    let a = run(&l);
    assert_ne!(a.verdict, Verdict::Delivered, "{:#?}", a.forward);
    assert!(a.forward.iter().all(|h| h.packet.src != ip("20.2.2.9")));
}

#[test]
fn a_packet_forwarded_with_another_source_under_default_outbound_access_is_not_given_the_appliance_way_out(
) {
    let l = load(&estate("", ""));
    let a = run(&l);
    assert_ne!(a.verdict, Verdict::Delivered);
    assert!(
        !a.assumptions.iter().any(|x| matches!(
            x.assumption,
            Assumption::DefaultOutboundSourceUnknown { .. }
        )),
        "{:?}",
        a.assumptions
    );
}
