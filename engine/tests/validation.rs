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
    has(&e, "duplicate workload or private endpoint name `pe1`");
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
        "bad.ron:3:40: error: expected a comma (hint: separate fields and list items with `,`)",
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
