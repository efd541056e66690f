//! The reply of a flow translated on each of two ways out of Azure is translated back at each,
//! last first. Microsoft Learn, "What is Azure NAT Gateway?", outbound connectivity
//! (<https://learn.microsoft.com/azure/nat-gateway/nat-overview#outbound-connectivity>):
//! "Response traffic to an outbound flow also passes through NAT gateway"; "Scale SNAT ports
//! with Azure NAT Gateway" (<https://learn.microsoft.com/azure/firewall/integrate-with-nat-gateway>):
//! a NAT gateway on `AzureFirewallSubnet` takes the firewall's Internet traffic, DNAT traffic to
//! a public load balancer included ("Integrate Azure Firewall with Azure Standard Load
//! Balancer", scenario 2, <https://learn.microsoft.com/azure/firewall/integrate-lb>).

use azpath_engine::model::{FlowProtocol, NicRef};
use azpath_engine::trace::{trace, Step, TraceRequest, Verdict};

use super::support::load;

/// A client subnet with NAT gateway `ng-client` (20.1.1.1) calls the firewall's public IP
/// (20.185.97.136), whose DNAT rule sends HTTPS to a public load balancer (20.42.98.220); a NAT
/// gateway `ng-fw` (198.51.100.101) on `AzureFirewallSubnet` takes that traffic out again. The
/// web subnet's host route sends replies to the NAT gateway's address over the Internet.
const ESTATE: &str = r#"Scenario(
    vnets: [
        (name: "hub", region: "r", address_space: ["10.0.0.0/16"], subnets: [(name: "AzureFirewallSubnet", prefix: "10.0.1.0/26", nat_gateway: "ng-fw")]),
        (name: "web", region: "r", address_space: ["10.1.0.0/16"], subnets: [(name: "web", prefix: "10.1.1.0/24", route_table: "rt-web", nsg: "nsg-web")]),
        (name: "client", region: "r", address_space: ["10.7.0.0/16"], subnets: [(name: "apps", prefix: "10.7.1.0/24", nat_gateway: "ng-client")]),
    ],
    peerings: [(between: ("hub", "web"), allow_forwarded_traffic: true)],
    nat_gateways: [(name: "ng-fw", public_ips: ["198.51.100.101"]), (name: "ng-client", public_ips: ["20.1.1.1"])],
    route_tables: [(name: "rt-web", routes: [
        (name: "default-via-fw", prefix: "0.0.0.0/0", next_hop: VirtualAppliance("10.0.1.4")),
        (name: "natgw-public-ip", prefix: "198.51.100.101/32", next_hop: Internet),
    ])],
    nsgs: [(name: "nsg-web", rules: [
        (name: "https-from-nat-gateway", priority: 100, direction: Inbound, access: Allow, protocol: Tcp, source: ["198.51.100.101"], destination_ports: ["443"]),
        (name: "deny-else", priority: 4000, direction: Inbound, access: Deny),
    ])],
    firewalls: [(
        name: "fw-hub", subnet: "hub/AzureFirewallSubnet", private_ip: "10.0.1.4", public_ips: ["20.185.97.136"],
        dnat_rules: [(name: "https-to-lb", destination: "20.185.97.136", ports: ["443"], protocol: Tcp, translated_address: "20.42.98.220", translated_port: 443)],
    )],
    load_balancers: [(name: "lb-web", frontend_ip: "20.42.98.220", rules: [(name: "https", frontend_port: 443, backend_port: 443)], backends: ["vm-web"])],
    workloads: [
        (name: "vm-web", subnet: "web/web", ip: "10.1.1.4"),
        (name: "vm-client", subnet: "client/apps", ip: "10.7.1.4"),
    ],
)"#;

#[test]
fn a_reply_is_translated_back_at_both_nat_gateways_a_flow_left_azure_by_last_first() {
    let l = load(ESTATE);
    let Some(NicRef::Workload(w)) = l.network.nic_by_name("vm-client") else {
        panic!("vm-client")
    };
    let request = TraceRequest {
        protocol: FlowProtocol::Tcp,
        destination: "20.185.97.136".parse().unwrap(),
        port: 443,
        source_port: 50000,
        host: None,
    };
    let a = trace(&l.network, l.dataplane(), w, request).unwrap();
    assert_eq!(a.verdict, Verdict::Delivered, "{:#?}", a.reply);
    // Back at the firewall's NAT gateway, then at the client's: each un-SNAT in turn.
    let unsnat: Vec<(String, String)> = a
        .reply
        .iter()
        .flat_map(|h| &h.steps)
        .filter_map(|s| match s {
            Step::UnSnat { from, to } => Some((from.to_string(), to.to_string())),
            _ => None,
        })
        .collect();
    let first = unsnat.first().cloned();
    let last = unsnat.last().cloned();
    assert_eq!(
        first,
        Some(("198.51.100.101".to_string(), "10.0.1.4".to_string()))
    );
    assert_eq!(last, Some(("20.1.1.1".to_string(), "10.7.1.4".to_string())));
    assert_eq!(
        a.reply.last().map(|h| h.nic.as_str()),
        Some("vm-client"),
        "{:#?}",
        a.reply
    );
}
