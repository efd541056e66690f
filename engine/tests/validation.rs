//! Bad input is refused with file:line:column, the offending value and a hint.

use azpath_engine::{load_str, LoadError};

pub(crate) const BASE: &str = r#"Scenario(
    vnets: [
        (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [
            (name: "pe", prefix: "10.0.2.0/24"),
        ]),
        (name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [
            (name: "app", prefix: "10.1.1.0/24", route_table: "rt-spoke"),
        ]),
    ],
    peerings: [(between: ("hub", "spoke"))],
    route_tables: [(name: "rt-spoke", routes: [(name: "d", prefix: "0.0.0.0/0", next_hop: VirtualAppliance("10.0.1.4"))])],
    private_endpoints: [(name: "pe1", subnet: "hub/pe", ip: "10.0.2.4")],
    workloads: [(name: "vm", subnet: "spoke/app", ip: "10.1.1.4")],
)"#;

/// Loads `BASE` with `from` replaced by `to`, expecting failure; returns the rendered errors.
pub(crate) fn errors(from: &str, to: &str) -> Vec<String> {
    let text = BASE.replacen(from, to, 1);
    assert_ne!(text, BASE, "replacement `{from}` did not apply");
    match load_str("bad.ron", &text) {
        Ok(_) => panic!("`{to}` was accepted"),
        Err(e) => e.diagnostics().iter().map(ToString::to_string).collect(),
    }
}

pub(crate) fn has(errors: &[String], needle: &str) {
    assert!(
        errors.iter().any(|e| e.contains(needle)),
        "no `{needle}` in {errors:#?}"
    );
}

#[test]
fn the_base_is_valid() {
    load_str("base.ron", BASE).unwrap();
}

#[test]
fn unknown_route_table_suggests_the_close_name_at_its_position() {
    let e = errors(r#"route_table: "rt-spoke""#, r#"route_table: "rt-spok""#);
    has(
        &e,
        "bad.ron:7:63: error: unknown route table `rt-spok` (hint: did you mean `rt-spoke`?)",
    );
}

#[test]
fn unknown_subnet_of_a_private_endpoint_suggests_the_close_name() {
    let e = errors(r#"subnet: "hub/pe""#, r#"subnet: "hub/pes""#);
    has(
        &e,
        "unknown subnet `hub/pes` (hint: did you mean `hub/pe`?)",
    );
}

#[test]
fn prefix_with_host_bits_names_the_value_and_the_fix() {
    let e = errors(r#""10.1.1.0/24""#, r#""10.1.1.7/24""#);
    has(&e, "bad.ron:7:35: error: subnet prefix `10.1.1.7/24` has host bits set (hint: did you mean `10.1.1.0/24`?)");
}

#[test]
fn prefix_that_does_not_parse_is_refused() {
    let e = errors(r#""10.1.0.0/16""#, r#""10.1.0.0/33""#);
    has(&e, "address prefix `10.1.0.0/33` is not an IP prefix");
}

#[test]
fn subnet_outside_its_vnet_is_refused() {
    let e = errors(r#""10.1.1.0/24""#, r#""10.9.1.0/24""#);
    has(
        &e,
        "subnet `spoke/app` prefix `10.9.1.0/24` is outside the address space of vnet `spoke`",
    );
}

#[test]
fn overlapping_subnets_are_refused() {
    let e = errors(
        r#"(name: "pe", prefix: "10.0.2.0/24"),"#,
        r#"(name: "pe", prefix: "10.0.2.0/24"), (name: "pe2", prefix: "10.0.2.128/25"),"#,
    );
    has(
        &e,
        "subnet `hub/pe2` prefix `10.0.2.128/25` overlaps subnet `hub/pe` (`10.0.2.0/24`)",
    );
}

#[test]
fn overlapping_peered_vnets_are_refused() {
    let e = errors(
        r#"address_space: ["10.1.0.0/16"]"#,
        r#"address_space: ["10.0.128.0/17"]"#,
    );
    has(
        &e,
        "peered vnets `hub` and `spoke` overlap: `10.0.0.0/16` and `10.0.128.0/17`",
    );
}

#[test]
fn private_endpoint_outside_its_subnet_is_refused() {
    let e = errors(r#"ip: "10.0.2.4""#, r#"ip: "10.0.3.4""#);
    has(
        &e,
        "private endpoint `pe1` address `10.0.3.4` is outside subnet `hub/pe` (`10.0.2.0/24`)",
    );
}

#[test]
fn private_endpoint_on_an_azure_reserved_address_is_refused() {
    for ip in ["10.0.2.0", "10.0.2.1", "10.0.2.2", "10.0.2.3", "10.0.2.255"] {
        let e = errors(r#"ip: "10.0.2.4""#, &format!(r#"ip: "{ip}""#));
        has(
            &e,
            &format!("address `{ip}` is reserved by Azure in subnet `hub/pe`"),
        );
    }
}

#[test]
fn duplicate_names_are_refused() {
    let e = errors(r#"(name: "spoke","#, r#"(name: "hub","#);
    has(&e, "duplicate vnet name `hub`");
    let e = errors(r#"workloads: [(name: "vm""#, r#"workloads: [(name: "pe1""#);
    has(
        &e,
        "duplicate workload, private endpoint or firewall name `pe1`",
    );
}

#[test]
fn a_route_table_over_azure_s_limit_is_refused() {
    let routes: String = (0..401)
        .map(|i| {
            format!(
                r#"(name: "r{i}", prefix: "172.{}.{}.0/24", next_hop: None),"#,
                16 + i / 256,
                i % 256
            )
        })
        .collect();
    let e = errors(
        r#"routes: [(name: "d""#,
        &format!(r#"routes: [{routes}(name: "d""#),
    );
    has(
        &e,
        "route table `rt-spoke` has 402 routes, more than Azure's limit of 400",
    );
}

#[test]
fn a_public_virtual_appliance_address_is_refused() {
    let e = errors(
        r#"VirtualAppliance("10.0.1.4")"#,
        r#"VirtualAppliance("52.1.2.3")"#,
    );
    has(
        &e,
        "sends traffic to virtual appliance `52.1.2.3`, which is not a private address",
    );
}

#[test]
fn a_next_hop_type_reserved_for_system_routes_is_refused_in_a_udr() {
    let e = errors(r#"VirtualAppliance("10.0.1.4")"#, "InterfaceEndpoint");
    has(
        &e,
        "uses next hop `InterfaceEndpoint`, which a user-defined route cannot use",
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = BASE
        .replacen(r#"route_table: "rt-spoke""#, r#"route_table: "nope""#, 1)
        .replacen(r#"ip: "10.0.2.4""#, r#"ip: "10.0.2.1""#, 1)
        .replacen(r#""10.1.1.4""#, r#""10.1.1.400""#, 1);
    let Err(LoadError::Invalid(d)) = load_str("many.ron", &text) else {
        panic!("accepted")
    };
    assert_eq!(d.len(), 3, "{d:#?}");
    assert!(
        d.windows(2)
            .all(|w| (w[0].line, w[0].column) <= (w[1].line, w[1].column)),
        "in file order"
    );
}

#[test]
fn syntax_errors_are_located_with_a_hint() {
    let e = errors(r#"region: "eastus","#, r#"region: "eastus""#);
    has(
        &e,
        "bad.ron:3:40: error: expected a comma (hint: separate fields and list items with `,`; or a string or bracket before this point is not closed)",
    );
    let e = errors("peerings:", "peering:");
    has(&e, "unknown field `peering`");
    has(&e, "did you mean `peerings`?");
}

#[test]
fn gateway_without_gateway_subnet_is_refused_with_the_fix() {
    let text = BASE.replacen(
        "peerings:",
        r#"gateways: [(name: "gw", vnet: "hub", kind: Vpn)], peerings:"#,
        1,
    );
    let Err(e) = load_str("gw.ron", &text) else {
        panic!("accepted")
    };
    let msg = e.to_string();
    assert!(
        msg.contains("gateway `gw` needs a subnet named `GatewaySubnet` in vnet `hub`"),
        "{msg}"
    );
}

#[test]
fn gateway_transit_without_a_gateway_is_refused() {
    let e = errors(
        r#"(between: ("hub", "spoke"))"#,
        r#"(between: ("hub", "spoke"), gateway_transit: "hub")"#,
    );
    has(&e, "vnet `hub` offers gateway transit but has no gateway");
}

#[test]
fn unknown_question_place_suggests_a_name() {
    let e = errors(
        "workloads:",
        r#"questions: [NextHop(from: "vm-ap", to: "10.0.2.4", expect: (next_hop: InterfaceEndpoint))], workloads:"#,
    );
    has(&e, "unknown subnet or workload `vm-ap`");
}

#[test]
fn the_same_address_may_repeat_in_unpeered_vnets_but_not_within_one() {
    let text = BASE.replacen(
        r#"        (name: "spoke","#,
        r#"        (name: "island", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "pe", prefix: "10.0.2.0/24")]),
        (name: "spoke","#,
        1,
    )
    .replacen(
        r#"workloads: [(name: "vm""#,
        r#"workloads: [(name: "twin", subnet: "island/pe", ip: "10.0.2.4"), (name: "vm""#,
        1,
    );
    load_str("twin.ron", &text).unwrap();
    let e = errors(
        r#"ip: "10.1.1.4""#,
        r#"ip: "10.1.1.4"), (name: "vm2", subnet: "spoke/app", ip: "10.1.1.4""#,
    );
    has(
        &e,
        "workload `vm2` address `10.1.1.4` is already used by `vm`",
    );
}

#[test]
fn a_vnet_cannot_be_peered_with_two_overlapping_vnets() {
    let e = errors(
        r#"peerings: [(between: ("hub", "spoke"))],"#,
        r#"peerings: [(between: ("hub", "spoke")), (between: ("hub", "spoke2"))],"#,
    );
    has(&e, "unknown vnet `spoke2`");
    let text = BASE
        .replacen(
            r#"        (name: "spoke","#,
            r#"        (name: "spoke2", region: "westus", address_space: ["10.1.0.0/16"]),
        (name: "spoke","#,
            1,
        )
        .replacen(
            r#"(between: ("hub", "spoke"))"#,
            r#"(between: ("hub", "spoke")), (between: ("hub", "spoke2"))"#,
            1,
        );
    let Err(e) = load_str("overlap.ron", &text) else {
        panic!("accepted")
    };
    assert!(
        e.to_string().contains("vnet `hub` is already peered with `spoke`, whose `10.1.0.0/16` overlaps `10.1.0.0/16` of `spoke2`"),
        "{e}"
    );
}

// Azure's virtual network FAQ ("What address ranges can I use in my virtual networks?"):
// 224.0.0.0/4, 255.255.255.255/32, 127.0.0.0/8, 169.254.0.0/16 and 168.63.129.16/32 cannot be
// added; 0.0.0.0/8 is RFC 1122's "this network", which no host holds.
#[test]
fn ranges_azure_forbids_in_a_vnet_are_refused() {
    for (range, what) in [
        ("224.0.0.0/8", "multicast"),
        ("127.0.0.0/16", "loopback"),
        ("0.0.0.0/0", "\"this network\""),
        ("0.0.0.0/8", "\"this network\""),
        ("0.1.0.0/16", "\"this network\""),
        ("169.254.0.0/16", "link-local"),
        ("255.255.255.255/32", "broadcast"),
        ("168.63.129.16/32", "Azure's host address"),
    ] {
        let e = errors(
            r#"address_space: ["10.1.0.0/16"]"#,
            &format!(r#"address_space: ["10.1.0.0/16", "{range}"]"#),
        );
        has(
            &e,
            &format!("address prefix `{range}` of vnet `spoke` overlaps"),
        );
        has(&e, what);
    }
}

// "Add, change, or delete a virtual network subnet": the smallest IPv4 subnet is a /29.
#[test]
fn subnet_sizes_azure_does_not_allow_are_refused() {
    let e = errors(r#""10.1.1.0/24""#, r#""10.1.1.0/30""#);
    has(&e, "(hint: Azure's smallest IPv4 subnet is a /29)");
}

// Azure reserves the first four addresses and the last of every subnet ("What address ranges
// can I use in my virtual networks?"): no appliance holds one.
#[test]
fn appliance_addresses_azure_reserves_are_refused() {
    let e = errors(
        r#"VirtualAppliance("10.0.1.4")"#,
        r#"VirtualAppliance("10.0.2.1")"#,
    );
    has(
        &e,
        "sends traffic to `10.0.2.1`, an address Azure reserves in subnet `hub/pe`",
    );
}

#[test]
fn a_gateway_udr_without_a_vpn_gateway_is_flagged() {
    let text = BASE.replacen(
        r#"next_hop: VirtualAppliance("10.0.1.4")"#,
        "next_hop: VirtualNetworkGateway",
        1,
    );
    let loaded = load_str("vng.ron", &text).unwrap();
    let w: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    assert!(
        w.iter()
            .any(|w| w.contains("to VirtualNetworkGateway, but it has no VPN gateway")),
        "{w:?}"
    );
}

#[test]
fn nsg_mistakes_are_refused_with_hints() {
    let with_nsg = |rules: &str| {
        BASE.replacen(
            "peerings:",
            &format!(r#"nsgs: [(name: "nsg", rules: [{rules}])], peerings:"#),
            1,
        )
    };
    let fails = |rules: &str, needle: &str| {
        let Err(e) = load_str("nsg.ron", &with_nsg(rules)) else {
            panic!("accepted {rules}")
        };
        assert!(e.to_string().contains(needle), "no `{needle}` in {e}");
    };
    fails(
        r#"(name: "a", priority: 50, direction: Inbound, access: Allow)"#,
        "priority `50` of rule `a` is outside 100–4096",
    );
    fails(
        r#"(name: "a", priority: 100, direction: Inbound, access: Allow), (name: "b", priority: 100, direction: Inbound, access: Deny)"#,
        "rules `a` and `b` in nsg `nsg` share Inbound priority 100",
    );
    fails(
        r#"(name: "a", priority: 100, direction: Inbound, access: Allow, source: ["VirtualNetwrk"])"#,
        "unknown service tag `VirtualNetwrk` (hint: did you mean `VirtualNetwork`?",
    );
    fails(
        r#"(name: "a", priority: 100, direction: Inbound, access: Allow, destination_ports: ["90-80"])"#,
        "port range `90-80` is not valid",
    );
    // Two rules with one priority in different directions are fine.
    load_str(
        "ok.ron",
        &with_nsg(r#"(name: "a", priority: 100, direction: Inbound, access: Allow), (name: "b", priority: 100, direction: Outbound, access: Deny)"#),
    )
    .unwrap();
    let e = errors(
        r#"route_table: "rt-spoke")"#,
        r#"route_table: "rt-spoke", nsg: "nsg-app")"#,
    );
    has(&e, "unknown nsg `nsg-app`");
}

#[test]
fn firewall_mistakes_are_refused_with_hints() {
    let with_fw = |subnet: &str, extra: &str| {
        BASE.replacen(r#"(name: "pe", prefix: "10.0.2.0/24"),"#, r#"(name: "pe", prefix: "10.0.2.0/24"), (name: "AzureFirewallSubnet", prefix: "10.0.1.0/26"),"#, 1)
            .replacen("peerings:", &format!(r#"firewalls: [(name: "fw", subnet: "{subnet}", private_ip: "10.0.1.4"{extra})], peerings:"#), 1)
    };
    load_str("ok.ron", &with_fw("hub/AzureFirewallSubnet", "")).unwrap();
    let fails = |text: String, needle: &str| {
        let Err(e) = load_str("fw.ron", &text) else {
            panic!("accepted")
        };
        assert!(e.to_string().contains(needle), "no `{needle}` in {e}");
    };
    fails(
        with_fw("hub/pe", "").replacen(r#"private_ip: "10.0.1.4""#, r#"private_ip: "10.0.2.9""#, 1),
        "firewall `fw` is in `hub/pe`, not in an `AzureFirewallSubnet`",
    );
    fails(
        with_fw(
            "hub/AzureFirewallSubnet",
            r#", rule_collection_groups: [(name: "g", priority: 70000, collections: [])]"#,
        ),
        "priority `70000` of rule collection group `g` is outside 100–65000",
    );
    fails(
        with_fw(
            "hub/AzureFirewallSubnet",
            r#", rule_collection_groups: [(name: "g", priority: 100, collections: [(name: "c", priority: 100, action: Allow)])]"#,
        ),
        "rule collection `c` must hold either network rules or application rules",
    );
    fails(
        with_fw("hub/AzureFirewallSubnet", "")
            .replacen(
                r#"prefix: "10.0.1.0/26")"#,
                r#"prefix: "10.0.1.0/26", nsg: "n")"#,
                1,
            )
            .replacen("peerings:", r#"nsgs: [(name: "n")], peerings:"#, 1),
        "has an NSG",
    );
    fails(
        with_fw("hub/AzureFirewallSubnet", "").replacen(
            r#"private_ip: "10.0.1.4""#,
            r#"private_ip: "10.0.2.4""#,
            1,
        ),
        "is outside subnet",
    );
}
