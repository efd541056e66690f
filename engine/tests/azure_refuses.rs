//! Values Azure never accepts are refused, not modelled: each test is named after the Azure
//! rule and cites the document it comes from. Names as Azure compares them, and overlap checks
//! that stay O(n log n) within the limits.

use azpath_engine::load_str;

use crate::validation::{errors, has, BASE};

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

// `Trace(from: "10.1.1.4")` starts on the Internet at that address, and `to: "10.1.1.4"` goes
// to the address: a workload named like an address could never be named in a question.
#[test]
fn a_workload_named_like_an_address_is_refused() {
    let e = errors(r#"(name: "vm""#, r#"(name: "10.1.1.4""#);
    has(
        &e,
        "workload, private endpoint or firewall name `10.1.1.4` is an IP address",
    );
}

// A reference holding an invisible character matches nothing declared (declared names cannot
// hold one): the error shows the character escaped and says so, instead of a did-you-mean that
// prints the same name twice.
#[test]
fn a_reference_with_an_invisible_character_is_shown_escaped() {
    let e = errors(r#"subnet: "spoke/app""#, "subnet: \"spoke/a\u{200B}pp\"");
    has(
        &e,
        "unknown subnet `spoke/a\\u{200b}pp` (hint: it contains U+200B, an invisible (zero-width) character, which no declared name holds)",
    );
}

// Past Azure's limit of 400 routes per table the table is refused for that alone: no duplicate
// prefix check runs on it.
#[test]
fn past_the_route_limit_no_duplicate_check_runs() {
    let routes: String = (0..401)
        .map(|i| format!(r#"(name: "r{i}", prefix: "172.16.0.0/24", next_hop: None),"#))
        .collect();
    let e = errors(
        r#"routes: [(name: "d""#,
        &format!(r#"routes: [{routes}(name: "d""#),
    );
    has(&e, "more than Azure's limit of 400");
    assert!(
        !e.iter().any(|m| m.contains("have the same prefix")),
        "{e:#?}"
    );
}

// A route learned from a gateway is forwarded to a gateway instance or BGP peer, which is a
// host: 0.0.0.0 or a loopback address as its next hop is no address a packet can be sent to.
#[test]
fn a_learned_route_to_a_next_hop_no_host_holds_is_refused() {
    let text = BASE
        .replacen(
            r#"(name: "pe", prefix: "10.0.2.0/24"),"#,
            r#"(name: "pe", prefix: "10.0.2.0/24"), (name: "GatewaySubnet", prefix: "10.0.255.0/27"),"#,
            1,
        )
        .replacen(
            "Scenario(",
            r#"Scenario(gateways: [(name: "gw", vnet: "hub", kind: Vpn, instance_ips: ["10.0.255.4"], learned: [(prefix: "192.168.10.0/24", next_hop_ips: ["127.0.0.1"])])],"#,
            1,
        );
    let Err(e) = load_str("learned.ron", &text) else {
        panic!("accepted")
    };
    assert!(
        e.to_string()
            .contains("next hop address `127.0.0.1` is in `127.0.0.0/8`, the loopback range"),
        "{e}"
    );
}

// "Add or remove a subnet delegation": a delegated subnet holds only the delegated service's
// resources, so a private endpoint cannot go into it.
#[test]
fn a_private_endpoint_in_a_delegated_subnet_is_refused() {
    let e = errors(
        r#"(name: "pe", prefix: "10.0.2.0/24"),"#,
        r#"(name: "pe", prefix: "10.0.2.0/24", delegations: ["Microsoft.Web/serverFarms"]),"#,
    );
    has(
        &e,
        "private endpoint `pe1` cannot be placed in `hub/pe`: the subnet is delegated to `Microsoft.Web/serverFarms`",
    );
}

// "Integrate your app with an Azure virtual network": the integration subnet is delegated to
// Microsoft.Web/serverFarms whether or not the scenario writes the delegation.
#[test]
fn a_private_endpoint_in_an_app_service_integration_subnet_is_refused() {
    let e = errors(
        r#"    workloads: ["#,
        r#"    app_services: [(name: "web", integration_subnet: "hub/pe", instance_ip: "10.0.2.9")],
    workloads: ["#,
    );
    has(
        &e,
        "private endpoint `pe1` cannot be placed in `hub/pe`: it is an App Service integration subnet, delegated to `Microsoft.Web/serverFarms`",
    );
}

// Azure Route Server lives alone in `RouteServerSubnet`.
#[test]
fn a_private_endpoint_in_the_route_server_subnet_is_refused() {
    let text = BASE
        .replacen(
            r#"(name: "pe", prefix: "10.0.2.0/24"),"#,
            r#"(name: "pe", prefix: "10.0.2.0/24"), (name: "RouteServerSubnet", prefix: "10.0.3.0/27"),"#,
            1,
        )
        .replacen(
            r#"subnet: "hub/pe", ip: "10.0.2.4""#,
            r#"subnet: "hub/RouteServerSubnet", ip: "10.0.3.4""#,
            1,
        );
    let e: Vec<String> = match load_str("bad.ron", &text) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.diagnostics().iter().map(ToString::to_string).collect(),
    };
    has(
        &e,
        "private endpoint `pe1` cannot be placed in `hub/RouteServerSubnet`: Azure keeps `RouteServerSubnet` for its own resource",
    );
}
