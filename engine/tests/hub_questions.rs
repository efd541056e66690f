//! `Routes(at: "<hub>[/<table>|/<firewall>]")` questions: rows in the columns of
//! `az network vhub get-effective-routes` (Learn, "View virtual hub effective routes",
//! <https://learn.microsoft.com/azure/virtual-wan/effective-routes-virtual-hub>), checked and refused
//! like a subnet's rows.

use azpath_engine::expect::{check, Outcome};
use azpath_engine::{load_str, Loaded};

fn scenario(intent: bool, questions: &str) -> String {
    let intent = if intent {
        "routing_intent: (private_traffic: true, internet_traffic: true),"
    } else {
        ""
    };
    format!(
        r#"Scenario(
    vnets: [(name: "spoke-1", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24")])],
    virtual_hubs: [(name: "hub", region: "eastus", address_prefix: "10.100.0.0/23", {intent}
        connections: [(vnet: "spoke-1")],
        sites: [(name: "branch", kind: Vpn, prefixes: ["192.168.10.0/24"])])],
    firewalls: [(name: "fw", subnet: "hub/AzureFirewallSubnet", private_ip: "10.100.0.132", public_ips: ["198.51.100.21"])],
    questions: [{questions}],
)"#
    )
}

fn load(intent: bool, questions: &str) -> Loaded {
    load_str("case.ron", &scenario(intent, questions)).unwrap_or_else(|e| panic!("{e}"))
}

fn errors(questions: &str) -> Vec<String> {
    match load_str("bad.ron", &scenario(false, questions)) {
        Ok(_) => panic!("accepted: {questions}"),
        Err(e) => e.diagnostics().iter().map(ToString::to_string).collect(),
    }
}

fn has(errors: &[String], needle: &str) {
    assert!(
        errors.iter().any(|e| e.contains(needle)),
        "no `{needle}` in {errors:#?}"
    );
}

/// Each question's problems, in their debug form.
fn problems(loaded: &Loaded) -> Vec<String> {
    check(&loaded.network, loaded.dataplane())
        .results
        .into_iter()
        .map(|r| match r.outcome {
            Outcome::Fail { problems } => format!("{problems:?}"),
            Outcome::Pass => String::new(),
            other => panic!("not checked: {other:?}"),
        })
        .collect()
}

#[test]
fn a_hub_without_routing_intent_shows_each_connected_vnet_as_a_virtual_network_connection() {
    let loaded = load(
        false,
        r#"Routes(at: "hub", expect: Contains([(prefix: "10.1.0.0/16", next_hop_type: "Virtual Network Connection", next_hop_name: "spoke-1", origin: "spoke-1")]))"#,
    );
    assert_eq!(problems(&loaded), vec![String::new()]);
}

#[test]
fn with_routing_intent_the_default_route_table_no_longer_shows_the_vnet_connection() {
    let loaded = load(
        true,
        r#"Routes(at: "hub/defaultRouteTable", expect: Contains([(prefix: "10.1.0.0/16", next_hop_type: "Virtual Network Connection")]))"#,
    );
    let found = problems(&loaded);
    assert!(
        matches!(found.as_slice(), [p] if p.starts_with("[MissingHubRoute")),
        "{found:#?}"
    );
}

#[test]
fn with_routing_intent_exactly_the_policy_routes_point_at_azure_firewall() {
    let loaded = load(
        true,
        r#"Routes(at: "hub", expect: Exactly([
            (prefix: "0.0.0.0/0", next_hop_type: "Azure Firewall"),
            (prefix: "10.0.0.0/8", next_hop_type: "Azure Firewall"),
            (prefix: "172.16.0.0/12", next_hop_type: "Azure Firewall"),
        ]))"#,
    );
    let found = problems(&loaded);
    // 192.168.0.0/16 is a policy route too, so `Exactly` without it fails with that route.
    assert!(
        matches!(found.as_slice(), [p] if p.starts_with("[UnexpectedHubRoute") && p.contains("192.168.0.0/16") && !p.contains("MissingHubRoute")),
        "{found:#?}"
    );
}

#[test]
fn the_firewall_table_of_a_secured_hub_sends_the_default_route_to_the_internet() {
    let loaded = load(
        true,
        r#"Routes(at: "hub/fw", expect: Contains([(prefix: "0.0.0.0/0", next_hop_type: "Internet")])), Routes(at: "hub/fw", expect: Excludes([(next_hop_type: "Azure Firewall")]))"#,
    );
    assert_eq!(problems(&loaded), vec![String::new(), String::new()]);
}

#[test]
fn an_unknown_hub_table_is_refused_with_the_hub_tables_and_firewall_as_hints() {
    let e = errors(
        r#"Routes(at: "hub/defaultRoutetable", expect: Contains([(next_hop_type: "Azure Firewall")]))"#,
    );
    has(
        &e,
        "virtual hub `hub` has no route table or firewall `defaultRoutetable`",
    );
    has(&e, "defaultRouteTable");
}

#[test]
fn an_unknown_hub_next_hop_type_is_refused_with_azures_strings_as_hints() {
    let e = errors(r#"Routes(at: "hub", expect: Contains([(next_hop_type: "AzureFirewall")]))"#);
    has(
        &e,
        "`AzureFirewall` is not a next hop type of hub effective routes",
    );
    has(&e, "Azure Firewall");
}

#[test]
fn subnet_columns_are_refused_in_a_hub_row() {
    let e = errors(
        r#"Routes(at: "hub", expect: Contains([(prefix: "10.1.0.0/16", source: Default)]))"#,
    );
    has(
        &e,
        "`source` is a column of a subnet's effective routes, not of a hub's",
    );
}

#[test]
fn hub_columns_are_refused_in_a_subnet_row() {
    let e = errors(
        r#"Routes(at: "spoke-1/app", expect: Contains([(prefix: "10.1.0.0/16", origin: "spoke-1")]))"#,
    );
    has(
        &e,
        "`origin` is a column of a virtual hub's effective routes, not of a subnet's",
    );
}

// Learn, "Configure Azure Firewall in a Virtual WAN hub" and `New-AzFirewallHubPublicIpAddress`:
// a secured hub's firewall is created with a public IP count of at least one ("Azure Firewall
// requires at least one public static IP address"), so its Internet traffic never leaves from
// its private address.
#[test]
fn a_secured_hub_firewall_always_has_a_public_ip() {
    let text = scenario(true, "").replace(r#", public_ips: ["198.51.100.21"]"#, "");
    let e = match load_str("case.ron", &text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e
            .diagnostics()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
    };
    assert!(
        e.iter().any(
            |d| d.contains("firewall `fw` of secured hub `hub` has no public IP")
                && d.contains("public IP count")
                && d.starts_with("case.ron:")
        ),
        "{e:#?}"
    );
}
