//! Bad input is refused with file:line:column, the offending value and a hint.

use azpath_engine::{load_str, LoadError};

const BASE: &str = r#"Scenario(
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
fn errors(from: &str, to: &str) -> Vec<String> {
    let text = BASE.replacen(from, to, 1);
    assert_ne!(text, BASE, "replacement `{from}` did not apply");
    match load_str("bad.ron", &text) {
        Ok(_) => panic!("`{to}` was accepted"),
        Err(e) => e.diagnostics().iter().map(ToString::to_string).collect(),
    }
}

fn has(errors: &[String], needle: &str) {
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

// The same FAQ: a subnet lies in its VNet's address space, so a refused range is refused in a
// subnet too, even when the VNet declares no usable space to compare it with.
#[test]
fn a_subnet_in_a_range_azure_forbids_is_refused() {
    let e = errors(
        r#"address_space: ["10.1.0.0/16"], subnets: [
            (name: "app", prefix: "10.1.1.0/24""#,
        r#"address_space: ["169.254.0.0/16"], subnets: [
            (name: "app", prefix: "169.254.1.0/24""#,
    );
    has(
        &e,
        "subnet `spoke/app` prefix `169.254.1.0/24` overlaps `169.254.0.0/16`, the link-local range",
    );
}

// "Add, change, or delete a virtual network subnet": the smallest IPv4 subnet is a /29.
#[test]
fn subnet_sizes_azure_does_not_allow_are_refused() {
    let e = errors(r#""10.1.1.0/24""#, r#""10.1.1.0/30""#);
    has(&e, "(hint: Azure's smallest IPv4 subnet is a /29)");
}

// azpath models IPv4 only. Rather than model half of dual stack (system routes but not every
// hop), every IPv6 value is refused where it is written.
#[test]
fn ipv6_is_refused_everywhere_as_not_modelled() {
    for (from, to, at) in [
        (
            r#"address_space: ["10.1.0.0/16"]"#,
            r#"address_space: ["10.1.0.0/16", "::/0"]"#,
            "address prefix `::/0`",
        ),
        (
            r#"address_space: ["10.1.0.0/16"]"#,
            r#"address_space: ["10.1.0.0/16", "fd00:1::/48"]"#,
            "address prefix `fd00:1::/48`",
        ),
        (
            r#"prefix: "0.0.0.0/0", next_hop"#,
            r#"prefix: "::/0", next_hop"#,
            "route prefix `::/0`",
        ),
        (
            r#"VirtualAppliance("10.0.1.4")"#,
            r#"VirtualAppliance("fd00::4")"#,
            "virtual appliance address `fd00::4`",
        ),
        (
            r#"region: "eastus", address_space: ["10.1.0.0/16"]"#,
            r#"region: "eastus", dns_servers: ["fd00::53"], address_space: ["10.1.0.0/16"]"#,
            "DNS server `fd00::53`",
        ),
        (
            r#"ip: "10.1.1.4""#,
            r#"ip: "fd00:1::4""#,
            "workload address `fd00:1::4`",
        ),
    ] {
        let e = errors(from, to);
        has(&e, &format!("{at} is IPv6, which azpath does not model"));
    }
    for question in [
        r#"Trace(from: "vm", to: "::1", port: 443, expect: (verdict: Delivered))"#,
        r#"Trace(from: "2001:db8::1", to: "vm", port: 443, expect: (verdict: Delivered))"#,
        r#"NextHop(from: "vm", to: "2001:db8::1", expect: (next_hop: Internet))"#,
    ] {
        let e = with_question(question);
        has(&e, "is IPv6, which azpath does not model");
    }
}

// A virtual hub's address prefix is an IPv4 /24 or larger ("Virtual WAN FAQ": the hub address
// space); an IPv6 one is refused as not modelled.
#[test]
fn an_ipv6_virtual_hub_prefix_is_refused() {
    let text = r#"Scenario(
    vnets: [(name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24")])],
    virtual_hubs: [(name: "vhub", region: "eastus", address_prefix: "fd00:100::/48")],
)"#;
    let Err(e) = load_str("hub.ron", text) else {
        panic!("accepted")
    };
    assert!(
        e.to_string()
            .contains("hub address prefix `fd00:100::/48` is IPv6, which azpath does not model"),
        "{e}"
    );
}

// Service endpoint routes carry the service's published prefixes ("Virtual network service
// endpoints"); a default route is no service's range and would capture all Internet traffic.
#[test]
fn a_service_endpoint_prefix_of_every_address_is_refused() {
    let text = BASE.replacen(
        "Scenario(",
        r#"Scenario(service_endpoint_prefixes: [(service: "Microsoft.Storage", prefixes: ["0.0.0.0/0"])],"#,
        1,
    );
    let Err(e) = load_str("se.ron", &text) else {
        panic!("accepted")
    };
    assert!(
        e.to_string()
            .contains("se.ron:1:80: error: service `Microsoft.Storage` is given the prefix `0.0.0.0/0`, every address"),
        "{e}"
    );
}

// An A record is the unicast address of a host: 0.0.0.0/8, loopback and broadcast are not
// (RFC 1122 §3.2.1.3); a custom DNS server is a host too.
#[test]
fn a_records_and_dns_servers_no_host_holds_are_refused() {
    for (ip, what) in [
        ("0.0.0.0", "\"this network\""),
        ("127.0.0.1", "loopback"),
        ("255.255.255.255", "broadcast"),
        ("224.0.0.251", "multicast"),
    ] {
        let text = BASE.replacen(
            "Scenario(",
            &format!(
                r#"Scenario(dns: (zones: [(name: "privatelink.openai.azure.com", links: ["spoke"], records: [(name: "x", a: ["{ip}"])])]),"#
            ),
            1,
        );
        let Err(e) = load_str("a.ron", &text) else {
            panic!("{ip} accepted")
        };
        let e = e.to_string();
        assert!(e.contains(&format!("record address `{ip}` is in")), "{e}");
        assert!(e.contains(what), "{e}");
        let e = errors(
            r#"region: "eastus", address_space: ["10.1.0.0/16"]"#,
            &format!(r#"region: "eastus", dns_servers: ["{ip}"], address_space: ["10.1.0.0/16"]"#),
        );
        has(&e, &format!("DNS server `{ip}` is in"));
    }
}

// Azure DNS: "you can't create a CNAME record set at the zone apex" (a CNAME cannot share its
// name with the apex's SOA and NS records, RFC 1034 §3.6.2).
#[test]
fn a_cname_at_a_zone_apex_is_refused() {
    let text = BASE.replacen(
        "Scenario(",
        r#"Scenario(dns: (zones: [(name: "contoso.internal", links: ["spoke"], records: [(name: "@", cname: "www.contoso.com")])]),"#,
        1,
    );
    let Err(e) = load_str("cname.ron", &text) else {
        panic!("accepted")
    };
    assert!(
        e.to_string()
            .contains("record `@` of zone `contoso.internal` is a CNAME"),
        "{e}"
    );
}

/// Loads `BASE` with an NSG on `spoke/app` holding `rule`; returns the errors.
fn with_rule(rule: &str) -> Vec<String> {
    let text = BASE
        .replacen(
            r#"route_table: "rt-spoke"),"#,
            r#"route_table: "rt-spoke", nsg: "nsg-app"),"#,
            1,
        )
        .replacen(
            "Scenario(",
            &format!(r#"Scenario(nsgs: [(name: "nsg-app", rules: [{rule}])],"#),
            1,
        );
    match load_str("nsg.ron", &text) {
        Ok(_) => panic!("`{rule}` was accepted"),
        Err(e) => e.diagnostics().iter().map(ToString::to_string).collect(),
    }
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

// Security rules take `*`, a port or a range low-high, 0-65535 ("Network security groups:
// security rules"). A sign, leading zeros, spaces or a reversed range are refused, not read.
#[test]
fn nsg_ports_that_are_not_plain_decimal_ranges_are_refused() {
    for port in [
        "+443",
        "0443",
        " 443",
        "443 ",
        "2000-1000",
        "65536",
        "80 - 90",
    ] {
        let e = with_rule(&format!(
            r#"(name: "r", priority: 100, direction: Inbound, access: Allow, destination_ports: ["{port}"])"#
        ));
        has(&e, &format!("port range `{port}` is not valid"));
    }
}

// A security rule needs its addresses and ports ("any" is written `*`): an empty list is
// refused instead of being read as any.
#[test]
fn empty_nsg_address_and_port_lists_are_refused_not_read_as_any() {
    for field in ["source", "destination", "source_ports", "destination_ports"] {
        let e = with_rule(&format!(
            r#"(name: "r", priority: 100, direction: Inbound, access: Deny, {field}: [])"#
        ));
        has(&e, &format!("rule `r` has an empty `{field}`"));
    }
}

/// Loads `BASE` with one question; returns the errors.
fn with_question(question: &str) -> Vec<String> {
    let text = BASE.replacen(
        "Scenario(",
        &format!("Scenario(questions: [{question}],"),
        1,
    );
    match load_str("q.ron", &text) {
        Ok(_) => panic!("`{question}` was accepted"),
        Err(e) => e.diagnostics().iter().map(ToString::to_string).collect(),
    }
}

// A connection to 127.0.0.1 never leaves the client, multicast and broadcast are not carried by
// a VNet (virtual network FAQ), and 0.0.0.0 is no host (RFC 1122 §3.2.1.3): none is a
// destination or a source a trace can answer for.
#[test]
fn questions_to_or_from_addresses_no_host_holds_are_refused() {
    for ip in ["127.0.0.1", "224.0.0.1", "255.255.255.255", "0.0.0.0"] {
        let e = with_question(&format!(
            r#"Trace(from: "vm", to: "{ip}", port: 443, expect: (verdict: Delivered))"#
        ));
        has(&e, &format!("destination `{ip}` is in"));
        let e = with_question(&format!(
            r#"NextHop(from: "vm", to: "{ip}", expect: (next_hop: Internet))"#
        ));
        has(&e, &format!("destination `{ip}` is in"));
        let e = with_question(&format!(
            r#"Trace(from: "{ip}", to: "vm", port: 443, expect: (verdict: Delivered))"#
        ));
        has(&e, &format!("trace source `{ip}` is in"));
    }
}

// "Naming rules and restrictions for Azure resources": resource names are case-insensitive, so
// `Spoke` and `spoke` name one VNet.
#[test]
fn names_differing_only_in_case_name_one_resource() {
    let e = errors(r#"(name: "hub", region"#, r#"(name: "Spoke", region"#);
    has(&e, "duplicate vnet name `spoke`");
    has(
        &e,
        "Azure names are case-insensitive: `Spoke` and `spoke` name the same vnet",
    );
    let e = errors(r#"(name: "pe1""#, r#"(name: "VM""#);
    has(
        &e,
        "duplicate workload, private endpoint or firewall name `vm`",
    );
}

// Names are printed in every report and compared as written: control, zero-width and bidi
// characters would make two different names look alike, so they are refused by code point.
#[test]
fn names_with_control_zero_width_or_bidi_characters_are_refused() {
    for (c, code) in [
        ('\u{200B}', "U+200B"),
        ('\u{202E}', "U+202E"),
        ('\u{7}', "U+0007"),
        ('\u{FEFF}', "U+FEFF"),
    ] {
        let e = errors(r#"(name: "vm""#, &format!(r#"(name: "v{c}m""#));
        has(&e, &format!("contains {code}"));
    }
}

// A name is one segment of an Azure resource ID, so it holds no `/`; azpath writes subnets
// `vnet/subnet`, and a workload named so would make `next-hop` (which looks up subnets first)
// and `trace` (workloads) answer for different things.
#[test]
fn a_workload_named_like_a_subnet_is_refused() {
    let e = errors(r#"(name: "vm""#, r#"(name: "spoke/app""#);
    has(
        &e,
        "workload, private endpoint or firewall name `spoke/app` contains `/`",
    );
}

// Resolve questions and `via` take a workload or a VNet by name, so the two share a namespace.
#[test]
fn a_workload_named_like_a_vnet_is_refused() {
    let e = errors(r#"(name: "vm""#, r#"(name: "Hub""#);
    has(
        &e,
        "workload, private endpoint or firewall name `Hub` is already the name of vnet `hub`",
    );
}

// Overlap checks sort the prefixes and sweep (O(n log n)); 40,000 prefixes in one VNet and
// 20,000 on each side of a peering validate. No timing is asserted: quadratic checks took
// 12 s here, this takes well under one.
#[test]
fn forty_thousand_vnet_prefixes_validate() {
    let prefixes = |base: u32, n: u32| -> String {
        (0..n)
            .map(|i| {
                let a = base + i * 256;
                format!(
                    r#""{}.{}.{}.0/24""#,
                    a >> 24,
                    (a >> 16) & 255,
                    (a >> 8) & 255
                )
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    // Reversed, so that file order is not address order.
    let mut big: Vec<String> = prefixes(10 << 24, 40_000)
        .split(',')
        .map(str::to_string)
        .collect();
    big.reverse();
    let text = format!(
        r#"Scenario(vnets: [
            (name: "big", region: "eastus", address_space: [{}], subnets: [(name: "a", prefix: "10.0.0.0/24")]),
            (name: "left", region: "eastus", address_space: [{}]),
            (name: "right", region: "eastus", address_space: [{}]),
        ], peerings: [(between: ("left", "right"))])"#,
        big.join(","),
        prefixes(20 << 24, 20_000),
        prefixes((20 << 24) + 20_000 * 256, 20_000),
    );
    load_str("big.ron", &text).unwrap();
    // One overlapping prefix among them is still found; of the two, the one written later (the
    // list is reversed: `10.0.0.0/24` comes last) is refused, naming the other.
    let text = text.replacen(r#""10.0.1.0/24""#, r#""10.0.0.0/23""#, 1);
    let Err(e) = load_str("big.ron", &text) else {
        panic!("accepted")
    };
    assert!(
        e.to_string()
            .contains("address prefix `10.0.0.0/24` of vnet `big` overlaps `10.0.0.0/23`"),
        "{e}"
    );
}

// Past Azure's limit of 3,000 subnets per VNet the input is refused for that, and no overlap
// check runs on it.
#[test]
fn past_the_subnet_limit_no_overlap_check_runs() {
    let subnets: Vec<String> = (0..3001)
        .map(|i| format!(r#"(name: "s{i}", prefix: "10.0.0.0/24")"#))
        .collect();
    let text = format!(
        r#"Scenario(vnets: [(name: "v", region: "eastus", address_space: ["10.0.0.0/8"], subnets: [{}])])"#,
        subnets.join(",")
    );
    let Err(e) = load_str("many.ron", &text) else {
        panic!("accepted")
    };
    let e = e.to_string();
    assert!(e.contains("more than Azure's limit of 3000"), "{e}");
    assert!(!e.contains("overlaps"), "{e}");
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
