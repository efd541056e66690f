//! Azure Firewall: the address it SNATs to, and forced tunnelling with the Management NIC.
//! Microsoft Learn: "Azure Firewall SNAT private IP address ranges", "Azure Firewall forced
//! tunneling", "Azure Firewall Management NIC".

use azpath_engine::model::{FlowProtocol, NicRef};
use azpath_engine::trace::{trace, Step, TraceAnswer, TraceRequest, Verdict};
use azpath_engine::Loaded;

use super::support::{errors, has, load};

fn run(loaded: &Loaded, from: &str, to: &str, port: u16) -> TraceAnswer {
    let Some(NicRef::Workload(w)) = loaded.network.nic_by_name(from) else {
        panic!("{from}")
    };
    let request = TraceRequest {
        protocol: FlowProtocol::Tcp,
        destination: to.parse().unwrap(),
        port,
        source_port: 50000,
        host: None,
    };
    trace(&loaded.network, loaded.dataplane(), w, request).unwrap()
}

/// The source address the firewall gave the request, if it SNATed it.
fn snat_to(t: &TraceAnswer) -> Option<String> {
    t.forward
        .iter()
        .flat_map(|h| &h.steps)
        .find_map(|s| match s {
            Step::Snat { to, .. } => Some(to.to_string()),
            _ => None,
        })
}

const ESTATE: &str = r#"Scenario(
    vnets: [
        (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [
            (name: "AzureFirewallSubnet", prefix: "10.0.1.0/26" FWRT),
            (name: "AzureFirewallManagementSubnet", prefix: "10.0.2.0/26" MGMTRT),
            (name: "GatewaySubnet", prefix: "10.0.255.0/27"),
        ]),
        (name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [
            (name: "app", prefix: "10.1.1.0/24", route_table: "rt-spoke"),
        ]),
        (name: "acquired", region: "eastus", address_space: ["52.10.0.0/16"], subnets: [
            (name: "db", prefix: "52.10.3.0/24"),
        ]),
    ],
    peerings: [
        (between: ("hub", "spoke"), allow_forwarded_traffic: true, gateway_transit: "hub"),
        (between: ("hub", "acquired"), allow_forwarded_traffic: true),
    ],
    gateways: [(name: "vpngw", vnet: "hub", kind: Vpn, instance_ips: ["10.0.255.4"],
                learned: [(prefix: "192.168.0.0/16", via: Bgp)])],
    route_tables: [
        (name: "rt-spoke", propagate_gateway_routes: false, routes: [(name: "all-via-fw", prefix: "0.0.0.0/0", next_hop: VirtualAppliance("10.0.1.4"))]),
        (name: "rt-fw", routes: [(name: "forced", prefix: "0.0.0.0/0", next_hop: VirtualNetworkGateway)]),
        (name: "rt-mgmt", propagate_gateway_routes: false, routes: [MGMTROUTE]),
    ],
    firewalls: [(
        name: "fw", subnet: "hub/AzureFirewallSubnet", private_ip: "10.0.1.4", public_ips: ["20.40.0.4"] MGMT,
        snat_private_ranges: RANGES,
        network_rules: [(name: "any", source: ["10.1.0.0/16"], destination: ["*"], ports: ["*"], protocol: Tcp)],
    )],
    workloads: [
        (name: "vm-app", subnet: "spoke/app", ip: "10.1.1.4"),
        (name: "sql", subnet: "acquired/db", ip: "52.10.3.4"),
    ],
)"#;

fn estate(forced: bool, ranges: &str) -> String {
    let (fw_rt, mgmt, mgmt_rt) = if forced {
        (
            r#", route_table: "rt-fw""#,
            r#", management_subnet: "hub/AzureFirewallManagementSubnet""#,
            r#", route_table: "rt-mgmt""#,
        )
    } else {
        ("", "", "")
    };
    ESTATE
        .replace(" FWRT", fw_rt)
        .replace(" MGMTRT", mgmt_rt)
        .replace(" MGMT,", &format!("{mgmt},"))
        .replace(
            "MGMTROUTE",
            r#"(name: "internet", prefix: "0.0.0.0/0", next_hop: Internet)"#,
        )
        .replace("RANGES", ranges)
}

#[test]
fn a_public_range_used_privately_is_snated_to_a_private_firewall_address_not_its_public_ip() {
    let loaded = load(&estate(false, "IanaPrivate"));
    let t = run(&loaded, "vm-app", "52.10.3.4", 1433);
    assert_eq!(t.verdict, Verdict::Delivered);
    assert_eq!(snat_to(&t).as_deref(), Some("10.0.1.4"));
}

#[test]
fn a_public_range_listed_in_the_snat_private_ranges_is_not_snated() {
    let ranges = r#"Ranges(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "52.10.0.0/16"])"#;
    let loaded = load(&estate(false, ranges));
    let t = run(&loaded, "vm-app", "52.10.3.4", 1433);
    assert_eq!(snat_to(&t), None);
}

#[test]
fn toward_the_internet_the_firewall_snats_to_its_public_ip() {
    let loaded = load(&estate(false, "IanaPrivate"));
    let t = run(&loaded, "vm-app", "203.0.113.10", 443);
    assert_eq!(t.verdict, Verdict::SentToInternet);
    assert_eq!(snat_to(&t).as_deref(), Some("20.40.0.4"));
}

#[test]
fn under_forced_tunnelling_internet_traffic_is_snated_to_a_private_firewall_address() {
    let loaded = load(&estate(true, "IanaPrivate"));
    let t = run(&loaded, "vm-app", "203.0.113.10", 443);
    assert!(
        matches!(t.verdict, Verdict::SentToOnPremises { .. }),
        "{:?}",
        t.verdict
    );
    assert_eq!(snat_to(&t).as_deref(), Some("10.0.1.4"));
}

#[test]
fn forced_tunnelling_without_a_management_nic_is_warned_about() {
    let text = estate(false, "IanaPrivate").replace(
        r#"(name: "AzureFirewallSubnet", prefix: "10.0.1.0/26")"#,
        r#"(name: "AzureFirewallSubnet", prefix: "10.0.1.0/26", route_table: "rt-fw")"#,
    );
    let loaded = load(&text);
    let e: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    has(&e, "route `forced` sends `0.0.0.0/0` from the subnet of firewall `fw` elsewhere than the Internet");
}

#[test]
fn the_management_subnet_route_table_may_hold_only_a_default_route_to_the_internet() {
    let text = estate(true, "IanaPrivate").replace(
        r#"(name: "internet", prefix: "0.0.0.0/0", next_hop: Internet)"#,
        r#"(name: "onprem", prefix: "0.0.0.0/0", next_hop: VirtualNetworkGateway)"#,
    );
    let e = errors(&text);
    has(
        &e,
        "route `onprem` of `rt-mgmt` is on the firewall management subnet",
    );
}

#[test]
fn the_management_subnet_must_be_at_least_a_slash_26() {
    let text = estate(true, "IanaPrivate").replace("10.0.2.0/26", "10.0.2.0/27");
    let e = errors(&text);
    has(
        &e,
        "management subnet `hub/AzureFirewallManagementSubnet` is a /27",
    );
}

const GROUPS: &str = r#"Scenario(
    vnets: [
        (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "AzureFirewallSubnet", prefix: "10.0.1.0/26")]),
        (name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [
            (name: "app", prefix: "10.1.1.0/24", route_table: "rt"),
        ]),
    ],
    peerings: [(between: ("hub", "spoke"), allow_forwarded_traffic: true)],
    route_tables: [(name: "rt", routes: [(name: "all-via-fw", prefix: "0.0.0.0/0", next_hop: VirtualAppliance("10.0.1.4"))])],
    ip_groups: [
        (name: "ipg-app", addresses: ["10.1.1.4", "10.1.1.16/28", "10.1.1.40-10.1.1.47"]),
        (name: "ipg-partners", addresses: ["203.0.113.0-203.0.113.15"]),
        (name: "ipg-empty"),
    ],
    firewalls: [(
        name: "fw", subnet: "hub/AzureFirewallSubnet", private_ip: "10.0.1.4", public_ips: ["20.40.0.4"],
        network_rules: [
            (name: "app-to-partners", source_ip_groups: ["ipg-app"], destination_ip_groups: ["ipg-partners"], ports: ["443"], protocol: Tcp),
            (name: "empty", source_ip_groups: ["ipg-empty"], ports: ["*"], protocol: Tcp),
            (name: "range", source: ["10.1.1.100-10.1.1.101"], destination: ["198.51.100.7"], ports: ["22"], protocol: Tcp),
        ],
    )],
    workloads: [
        (name: "vm-in-group", subnet: "spoke/app", ip: "10.1.1.4"),
        (name: "vm-in-range", subnet: "spoke/app", ip: "10.1.1.45"),
        (name: "vm-outside", subnet: "spoke/app", ip: "10.1.1.50"),
        (name: "vm-ssh", subnet: "spoke/app", ip: "10.1.1.101"),
    ],
)"#;

fn allowed(t: &TraceAnswer) -> bool {
    !matches!(t.verdict, Verdict::DroppedByFirewall { .. })
}

#[test]
fn ip_groups_hold_addresses_prefixes_and_ranges_as_rule_sources_and_destinations() {
    let loaded = load(GROUPS);
    assert!(allowed(&run(&loaded, "vm-in-group", "203.0.113.9", 443)));
    assert!(allowed(&run(&loaded, "vm-in-range", "203.0.113.15", 443)));
    assert!(!allowed(&run(&loaded, "vm-in-range", "203.0.113.16", 443)));
    // Outside every entry of the group, and the empty group matches nobody.
    assert!(!allowed(&run(&loaded, "vm-outside", "203.0.113.9", 443)));
}

#[test]
fn an_address_range_in_a_rule_is_inclusive_at_both_ends() {
    let loaded = load(GROUPS);
    assert!(allowed(&run(&loaded, "vm-ssh", "198.51.100.7", 22)));
    assert!(!allowed(&run(&loaded, "vm-outside", "198.51.100.7", 22)));
}

#[test]
fn unknown_ip_groups_bad_ranges_and_platform_tags_are_refused_in_firewall_rules() {
    let e = errors(&GROUPS.replace(
        r#"source_ip_groups: ["ipg-app"]"#,
        r#"source_ip_groups: ["ipg-ap"]"#,
    ));
    has(&e, "unknown IP group `ipg-ap`");
    let e = errors(&GROUPS.replace("10.1.1.100-10.1.1.101", "10.1.1.101-10.1.1.100"));
    has(&e, "address range `10.1.1.101-10.1.1.100` is not valid");
    let e = errors(&GROUPS.replace(
        r#"destination: ["198.51.100.7"]"#,
        r#"destination: ["AzurePlatformDNS"]"#,
    ));
    has(
        &e,
        "Azure Firewall rules cannot use the service tag `AzurePlatformDNS`",
    );
}

/// "Azure Firewall SNAT private IP address ranges": under forced tunnelling the flow leaves for
/// on-premises from the firewall's private address, and that is the source the far end sees
/// (the flow ends at the firewall, so the translated address is only in its SNAT step).
#[test]
fn under_forced_tunnelling_the_far_end_sees_the_firewall_private_address() {
    let loaded = load(&estate(true, "IanaPrivate"));
    let t = run(&loaded, "vm-app", "203.0.113.10", 443);
    let seen = t.source_seen.and_then(|s| s.address).map(|a| a.to_string());
    assert_eq!(seen.as_deref(), Some("10.0.1.4"));
}
