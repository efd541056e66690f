//! Importing real estates: the fixtures under `tests/import/` are Azure's JSON as `az … list`
//! and `show` print it; the imported scenario must load, keep every resource or say why not,
//! and trace like a scenario written by hand for the same estate.

use std::path::Path;

use azpath_engine::expect;
use azpath_engine::import::{import_files, to_ron, Imported, SkipKind, Skipped};
use azpath_engine::model::{FlowProtocol, NicRef, TraceSource};
use azpath_engine::query::{self, RouteDifference};
use azpath_engine::report;
use azpath_engine::scenario::{
    parse, Access, Direction, FirewallDoc, NsgRuleDoc, PrivateEndpointNetworkPolicies, Protocol,
    SourceFile,
};
use azpath_engine::trace::{trace_from, trace_name, Probe, TraceAnswer};
use azpath_engine::{load_str, Loaded};

fn fixture(dir: &str) -> Imported {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import")
        .join(dir);
    let mut paths: Vec<_> = if root.is_dir() {
        std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect()
    } else {
        vec![root]
    };
    paths.sort();
    let files: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(p).unwrap(),
            )
        })
        .collect();
    import_files(&files).unwrap()
}

fn load(imported: &Imported) -> Loaded {
    let ron = to_ron(imported).unwrap();
    load_str("imported.ron", &ron).unwrap_or_else(|e| panic!("{e}\n{ron}"))
}

/// The same hub-and-spoke estate as `tests/import/hub-spoke/`, written by hand.
const HAND_WRITTEN: &str = r#"Scenario(
    vnets: [
        (name: "vnet-hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [
            (name: "AzureFirewallSubnet", prefix: "10.0.1.0/26"),
            (name: "GatewaySubnet", prefix: "10.0.255.0/27"),
            (name: "snet-pe", prefix: "10.0.2.0/24"),
        ]),
        (name: "vnet-spoke", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [
            (name: "snet-app", prefix: "10.1.1.0/24", route_table: "rt-spoke", nsg: "nsg-app",
             service_endpoints: ["Microsoft.KeyVault"]),
            (name: "snet-integration", prefix: "10.1.5.0/26", route_table: "rt-spoke"),
            (name: "snet-pe", prefix: "10.1.2.0/24", private_endpoint_network_policies: Enabled, nsg: "nsg-pe"),
        ]),
        (name: "vnet-data", region: "eastus", address_space: ["10.2.0.0/16"], subnets: [
            (name: "snet-db", prefix: "10.2.1.0/24", route_table: "rt-data"),
        ]),
    ],
    peerings: [
        (between: ("vnet-hub", "vnet-spoke"), allow_forwarded_traffic: true, gateway_transit: "vnet-hub"),
        (between: ("vnet-hub", "vnet-data"), allow_forwarded_traffic: true, gateway_transit: "vnet-hub"),
    ],
    route_tables: [
        (name: "rt-spoke", propagate_gateway_routes: false, routes: [
            (name: "default-via-fw", prefix: "0.0.0.0/0", next_hop: VirtualAppliance("10.0.1.4")),
            (name: "storage-direct", prefix: "Storage", next_hop: Internet),
        ]),
        (name: "rt-data", routes: [
            (name: "default-via-fw", prefix: "0.0.0.0/0", next_hop: VirtualAppliance("10.0.1.4")),
            (name: "spoke-via-fw", prefix: "10.1.0.0/16", next_hop: VirtualAppliance("10.0.1.4")),
        ]),
    ],
    gateways: [(name: "vpngw-hub", vnet: "vnet-hub", kind: Vpn, instance_ips: ["10.0.255.4", "10.0.255.5"],
                learned: [(prefix: "192.168.10.0/24", via: LocalNetworkGateway)])],
    private_endpoints: [
        (name: "pe-blob", subnet: "vnet-hub/snet-pe", ip: "10.0.2.4", target: "stappdata"),
        (name: "pe-aoai", subnet: "vnet-spoke/snet-pe", ip: "10.1.2.4", target: "aoai-dev"),
        (name: "pe-kv", subnet: "vnet-hub/snet-pe", ip: "10.0.2.5", target: "kv-app"),
    ],
    services: [
        (name: "stappdata", kind: StorageBlob, fqdn: "stappdata.blob.core.windows.net", public_network_access: Disabled),
        (name: "aoai-dev", kind: OpenAI, fqdn: "aoai-dev.openai.azure.com", public_network_access: Disabled),
        (name: "kv-app", kind: KeyVault, fqdn: "kv-app.vault.azure.net"),
    ],
    workloads: [
        (name: "vm-app", subnet: "vnet-spoke/snet-app", ip: "10.1.1.4"),
        (name: "vm-db", subnet: "vnet-data/snet-db", ip: "10.2.1.4", nsg: "nsg-db"),
    ],
    nsgs: [
        (name: "nsg-app", rules: [
            (name: "allow-https-in", priority: 100, direction: Inbound, access: Allow, protocol: Tcp,
             source: ["10.0.0.0/8"], destination_ports: ["443"]),
            (name: "deny-ssh-internet", priority: 200, direction: Inbound, access: Deny, protocol: Tcp,
             source: ["Internet"], destination_ports: ["22", "3389"]),
            (name: "allow-storage-out", priority: 100, direction: Outbound, access: Allow, protocol: Tcp,
             destination: ["Storage.EastUS"], destination_ports: ["443"]),
            (name: "allow-web-asg", priority: 300, direction: Inbound, access: Allow, protocol: Tcp,
             source_asgs: ["asg-web"], destination_ports: ["8080"]),
        ]),
        (name: "nsg-pe", rules: [
            (name: "allow-app-subnet", priority: 100, direction: Inbound, access: Allow, protocol: Tcp,
             source: ["10.1.1.0/24"], destination_ports: ["443"]),
            (name: "deny-all-in", priority: 4000, direction: Inbound, access: Deny),
        ]),
        (name: "nsg-db", rules: [
            (name: "allow-sql-from-spoke", priority: 100, direction: Inbound, access: Allow, protocol: Tcp,
             source: ["10.1.1.0/24", "10.0.1.0/26"], destination_ports: ["1433"]),
            (name: "deny-vnet-in", priority: 200, direction: Inbound, access: Deny, source: ["VirtualNetwork"]),
        ]),
    ],
    service_tags: [(name: "Storage", prefixes: []), (name: "Storage.EastUS", prefixes: [])],
    application_security_groups: [(name: "asg-web")],
    firewalls: [(
        name: "fw-hub", subnet: "vnet-hub/AzureFirewallSubnet", private_ip: "10.0.1.4", public_ips: ["20.40.0.4"],
        dnat_rules: [(name: "https-to-app", destination: "20.40.0.4", ports: ["8443"], protocol: Tcp,
                      translated_address: "10.1.1.4", translated_port: 443)],
        rule_collection_groups: [(name: "rcg-platform", priority: 200, collections: [
            (name: "deny-ssh", priority: 100, action: Deny,
             network_rules: [(name: "ssh-anywhere", ports: ["22"], protocol: Tcp)]),
            (name: "spokes", priority: 200, action: Allow, network_rules: [
                (name: "spoke-to-db", source: ["10.1.0.0/16"], destination: ["10.2.1.0/24"], ports: ["1433"], protocol: Tcp),
                (name: "dns-out", source: ["10.0.0.0/8"], destination: ["168.63.129.16"], ports: ["53"], protocol: Tcp),
                (name: "dns-out", source: ["10.0.0.0/8"], destination: ["168.63.129.16"], ports: ["53"], protocol: Udp),
            ]),
            (name: "web", priority: 300, action: Allow, application_rules: [
                (name: "allow-blob", source: ["10.1.0.0/16"], fqdns: ["stappdata.blob.core.windows.net"], ports: ["443"]),
            ]),
        ])],
    )],
    dns: (zones: [
        (name: "privatelink.blob.core.windows.net", links: ["vnet-hub", "vnet-spoke", "vnet-data"],
         records: [(name: "stappdata", a: ["10.0.2.4"])]),
        (name: "privatelink.openai.azure.com", links: ["vnet-spoke"], nx_domain_redirect: ["vnet-spoke"],
         records: [(name: "aoai-dev", a: ["10.1.2.4"]), (name: "chat", cname: "aoai-dev.privatelink.openai.azure.com")]),
        (name: "privatelink.vaultcore.azure.net", links: ["vnet-hub", "vnet-spoke"],
         records: [(name: "kv-app", a: ["10.0.2.5"])]),
    ]),
    app_services: [(name: "web-app", integration_subnet: "vnet-spoke/snet-integration", route_all: true,
                    outbound_ip: "52.1.2.3")],
    questions: [
        Trace(from: "vm-app", to: "stappdata.blob.core.windows.net", expect: (verdict: Delivered, via: ["pe-blob"])),
        Trace(from: "vm-app", to: "10.2.1.4", port: 1433, expect: (verdict: Delivered, via: ["fw-hub"])),
        Trace(from: "vm-app", to: "10.2.1.4", port: 22, expect: (verdict: DroppedByFirewall)),
        Trace(from: "web-app", to: "aoai-dev.openai.azure.com", expect: (verdict: DroppedByNsg)),
        NextHop(from: "vm-db", to: "10.1.1.4", expect: (next_hop: VirtualAppliance("10.0.1.4"), route_table: "rt-data")),
        Routes(at: "vnet-hub/snet-pe", expect: Contains([
            (prefix: "192.168.10.0/24", source: VirtualNetworkGateway, next_hop: VirtualNetworkGateway, next_hop_ip: "10.0.255.4"),
        ])),
    ],
)"#;

/// Sources and destinations traced in both scenarios: names resolve first.
const PAIRS: &[(&str, &str, u16)] = &[
    ("vm-app", "stappdata.blob.core.windows.net", 443),
    ("vm-app", "aoai-dev.openai.azure.com", 443),
    ("vm-app", "kv-app.vault.azure.net", 443),
    ("vm-app", "10.2.1.4", 1433),
    ("vm-app", "10.2.1.4", 22),
    ("vm-app", "192.168.10.5", 443),
    ("vm-db", "10.1.1.4", 443),
    ("vm-db", "stappdata.blob.core.windows.net", 443),
    ("vm-db", "kv-app.vault.azure.net", 443),
    ("web-app", "aoai-dev.openai.azure.com", 443),
    ("web-app", "chat.privatelink.openai.azure.com", 443),
    ("web-app", "10.2.1.4", 1433),
    ("203.0.113.7", "20.40.0.4", 8443),
];

fn run(loaded: &Loaded, from: &str, to: &str, port: u16) -> TraceAnswer {
    let net = &loaded.network;
    let source = match net.nic_by_name(from) {
        Some(NicRef::Workload(w)) => TraceSource::Workload(w),
        _ => TraceSource::Internet(from.parse().unwrap()),
    };
    let probe = Probe {
        protocol: FlowProtocol::Tcp,
        port,
        source_port: 50000,
        host: None,
    };
    match to.parse() {
        Ok(ip) => trace_from(net, loaded.dataplane(), source, probe.to(ip)),
        Err(_) => trace_name(net, loaded.dataplane(), source, to, probe),
    }
    .unwrap()
}

fn path(t: &TraceAnswer) -> Vec<String> {
    t.forward
        .iter()
        .chain(&t.reply)
        .map(|h| format!("{} in {}", h.nic, h.subnet))
        .collect()
}

#[test]
fn the_imported_hub_and_spoke_estate_traces_like_the_hand_written_one() {
    let imported = load(&fixture("hub-spoke"));
    let hand = load_str("hand.ron", HAND_WRITTEN).unwrap_or_else(|e| panic!("{e}"));
    let mut verdicts = std::collections::BTreeSet::new();
    for (from, to, port) in PAIRS {
        let a = run(&imported, from, to, *port);
        let b = run(&hand, from, to, *port);
        assert_eq!(
            a.verdict.name(),
            b.verdict.name(),
            "{from} -> {to}:{port}: {} vs {}",
            a.verdict.describe(),
            b.verdict.describe()
        );
        assert_eq!(path(&a), path(&b), "{from} -> {to}:{port}");
        verdicts.insert(a.verdict.name());
    }
    // The pairs are worth comparing: they end in several different ways.
    assert!(verdicts.len() >= 3, "{verdicts:?}");
}

#[test]
fn the_hand_written_expectations_hold_in_the_imported_estate() {
    let mut imported = fixture("hub-spoke");
    let hand = parse(&SourceFile::new("hand.ron", HAND_WRITTEN)).unwrap();
    imported.document.questions = hand.questions;
    let loaded = load(&imported);
    let report = expect::check(&loaded.network, loaded.dataplane());
    assert_eq!(report.failed(), 0, "{report:?}");
    assert_eq!(report.passed(), 6);
}

#[test]
fn the_commented_ron_reads_back_to_the_imported_document() {
    for dir in ["hub-spoke", "vwan", "template.json"] {
        let imported = fixture(dir);
        let ron = to_ron(&imported).unwrap();
        let doc = parse(&SourceFile::new("imported.ron", ron.as_str()))
            .unwrap_or_else(|e| panic!("{dir}: {e}\n{ron}"));
        assert_eq!(doc, imported.document, "{dir}");
        load(&imported);
    }
}

#[test]
fn every_left_out_part_is_listed_with_its_reason() {
    let imported = fixture("hub-spoke");
    let notes = &imported.notes;
    assert_eq!(
        notes.default_rules, 18,
        "six default rules in each of three NSGs"
    );
    let listed = |needle: &str| notes.skipped.iter().any(|s| s.what.contains(needle));
    for needle in [
        "natGateways/nat-spoke",
        "TXT/verify",
        "rcg-platform/spokes/from-ipgroup",
        "rcg-platform/web/windows-update",
        // Parts that change answers are listed too, not only commented.
        "auto-registration of the link of zone `privatelink.vaultcore.azure.net`",
        "prefixes of service tag `Storage.EastUS`",
        // The tag a UDR names, declared like an NSG rule's.
        "prefixes of service tag `Storage`",
    ] {
        assert!(listed(needle), "{needle} not listed: {:#?}", notes.skipped);
    }
    // Every resource read was either imported or listed: nothing vanishes.
    let ron = to_ron(&imported).unwrap();
    assert!(ron.contains("// Not imported (9):"), "{ron}");
    // Application security groups and the rules naming them are imported.
    assert!(ron.contains("application_security_groups"), "{ron}");
    assert!(ron.contains("source_asgs: [\n"), "{ron}");
    assert!(ron.contains(
        "// /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub"
    ));
    // A private endpoint without addresses of its own takes its NIC's.
    let pe_kv = imported
        .document
        .private_endpoints
        .iter()
        .find(|p| p.name.value == "pe-kv")
        .unwrap();
    assert_eq!(pe_kv.ip.value, "10.0.2.5");
}

#[test]
fn a_virtual_wan_imports_with_its_routing_intent_and_hub_firewall() {
    let imported = fixture("vwan");
    let hub = &imported.document.virtual_hubs[0];
    let intent = hub.routing_intent.as_ref().unwrap();
    assert!(intent.private_traffic && intent.internet_traffic);
    assert!(
        hub.default_routes.is_empty(),
        "policy routes come from the intent"
    );
    assert_eq!(hub.connections.len(), 2);
    assert_eq!(
        imported.document.firewalls[0].subnet.value,
        "vhub-eus/AzureFirewallSubnet"
    );
    let loaded = load(&imported);
    let t = run(&loaded, "vm-app", "10.61.1.4", 1433);
    assert_eq!(t.verdict.name(), "Delivered", "{}", t.verdict.describe());
    assert!(t.passes("fw-vhub-eus"));
}

#[test]
fn compare_routes_finds_no_difference_in_azpaths_own_rows() {
    let loaded = load(&fixture("hub-spoke"));
    let net = &loaded.network;
    for name in [
        "vnet-hub/snet-pe",
        "vnet-hub/GatewaySubnet",
        "vnet-spoke/snet-app",
        "vnet-data/snet-db",
    ] {
        let subnet = net.subnet_by_name(name).unwrap();
        let answer = query::routes(net, loaded.dataplane(), subnet).unwrap();
        let az = report::az::routes(net, subnet, &answer);
        let text = serde_json::to_string(&az).unwrap();
        let actual = query::parse_az_routes(&text).unwrap();
        let c = query::compare_routes(name, &az.value, &actual);
        assert!(c.differences.is_empty(), "{name}: {c:?}");
        assert_eq!(c.matched, az.value.len());
    }
}

#[test]
fn compare_routes_names_each_altered_row() {
    let loaded = load(&fixture("hub-spoke"));
    let net = &loaded.network;
    let subnet = net.subnet_by_name("vnet-spoke/snet-app").unwrap();
    let answer = query::routes(net, loaded.dataplane(), subnet).unwrap();
    let az = report::az::routes(net, subnet, &answer);
    let mut json: serde_json::Value = serde_json::to_value(&az).unwrap();
    let rows = json["value"].as_array_mut().unwrap();
    // Azure shows the UDR to another appliance, drops the endpoint /32, and adds a route.
    let udr = rows.iter_mut().find(|r| r["source"] == "User").unwrap();
    udr["nextHopIpAddress"] = serde_json::json!(["10.0.1.5"]);
    rows.retain(|r| r["addressPrefix"][0] != "10.0.2.4/32");
    rows.push(
        serde_json::json!({"addressPrefix": ["10.9.0.0/16"], "nextHopIpAddress": [],
        "nextHopType": "VNetPeering", "source": "Default", "state": "Active"}),
    );
    let actual = query::parse_az_routes(&json.to_string()).unwrap();
    let c = query::compare_routes("vnet-spoke/snet-app", &az.value, &actual);
    assert_eq!(c.differences.len(), 3, "{c:#?}");
    assert!(c.differences.iter().any(|d| matches!(d,
        RouteDifference::Differs { expected, fields, .. }
            if expected.prefixes == ["0.0.0.0/0"] && fields == &["next_hop_ips"])));
    assert!(c.differences.iter().any(|d| matches!(d,
        RouteDifference::Missing { expected } if expected.prefixes == ["10.0.2.4/32"])));
    assert!(c.differences.iter().any(|d| matches!(d,
        RouteDifference::Extra { actual } if actual.prefixes == ["10.9.0.0/16"])));
    let text = report::compare::text(&c, "az.json");
    assert!(
        text.contains("missing  Default Active 10.0.2.4/32 InterfaceEndpoint"),
        "{text}"
    );
}

// Strict vocabularies: a value Azure does not accept is refused, with its JSON path, the value
// and the values Azure accepts, and the object holding it is left out; it never becomes a
// default. Fixtures: `tests/import/invalid/`.

fn estate_with_invalid_values() -> Imported {
    fixture("invalid")
}

/// The refusal of the object described by `what`, which must be listed as invalid.
fn refusal<'a>(imported: &'a Imported, what: &str) -> &'a Skipped {
    imported
        .notes
        .skipped
        .iter()
        .find(|s| s.what.contains(what))
        .unwrap_or_else(|| panic!("{what} not listed: {:#?}", imported.notes.skipped))
}

fn assert_refused(imported: &Imported, what: &str, needles: &[&str]) {
    let s = refusal(imported, what);
    assert_eq!(s.kind, SkipKind::Invalid, "{s:?}");
    for needle in needles {
        assert!(
            s.reason.contains(needle),
            "{needle:?} not in {:?}",
            s.reason
        );
    }
}

fn nsg_rules(imported: &Imported) -> Vec<&NsgRuleDoc> {
    imported
        .document
        .nsgs
        .iter()
        .find(|n| n.name.value == "nsg-bad")
        .unwrap()
        .rules
        .iter()
        .collect()
}

fn has_rule(imported: &Imported, name: &str) -> bool {
    nsg_rules(imported).iter().any(|r| r.name.value == name)
}

#[test]
fn nsg_access_typo_is_refused_not_allowed() {
    let i = estate_with_invalid_values();
    assert!(!has_rule(&i, "access-typo"));
    assert_refused(
        &i,
        "rule `access-typo` of NSG `nsg-bad`",
        &[
            "nsgs.json#/0/properties/securityRules/0/properties/access",
            "`Alow`",
            "`Allow`, `Deny`",
            "did you mean `Allow`?",
        ],
    );
}

#[test]
fn nsg_access_with_a_trailing_space_is_refused_not_allowed() {
    let i = estate_with_invalid_values();
    assert!(!has_rule(&i, "access-trailing-space"));
    assert_refused(
        &i,
        "rule `access-trailing-space`",
        &["`Allow `", "did you mean `Allow`?"],
    );
}

#[test]
fn nsg_rule_without_access_is_refused_not_allowed() {
    let i = estate_with_invalid_values();
    assert!(!has_rule(&i, "access-missing"));
    assert_refused(
        &i,
        "rule `access-missing`",
        &["securityRules/2/properties/access", "is missing"],
    );
}

#[test]
fn nsg_direction_typo_is_refused_not_inbound() {
    let i = estate_with_invalid_values();
    assert!(!has_rule(&i, "direction-typo"));
    assert_refused(
        &i,
        "rule `direction-typo`",
        &["/direction", "`Outbund`", "did you mean `Outbound`?"],
    );
}

#[test]
fn nsg_protocol_typo_is_refused_not_any() {
    let i = estate_with_invalid_values();
    assert!(!has_rule(&i, "protocol-typo"));
    assert_refused(&i, "rule `protocol-typo`", &["/protocol", "`Tpc`", "`*`"]);
}

#[test]
fn nsg_rule_with_no_source_is_refused_not_any() {
    let i = estate_with_invalid_values();
    assert!(!has_rule(&i, "no-source"));
    assert_refused(
        &i,
        "rule `no-source`",
        &["/sourceAddressPrefix", "is missing"],
    );
}

#[test]
fn nsg_priority_that_is_not_a_number_is_refused() {
    let i = estate_with_invalid_values();
    assert!(!has_rule(&i, "priority-as-text"));
    assert_refused(
        &i,
        "rule `priority-as-text`",
        &["/priority", "`160`", "100 to 4096"],
    );
}

#[test]
fn nsg_values_match_azures_vocabulary_without_case() {
    let i = estate_with_invalid_values();
    let rules = nsg_rules(&i);
    assert_eq!(
        rules.len(),
        1,
        "only the valid rule is imported: {rules:#?}"
    );
    let r = rules[0];
    assert_eq!(r.name.value, "any-case");
    assert_eq!(
        (r.access, r.direction, r.protocol),
        (Access::Deny, Direction::Outbound, Protocol::Tcp)
    );
}

#[test]
fn route_next_hop_type_typo_is_refused_not_dropped_or_defaulted() {
    let i = estate_with_invalid_values();
    let table = i
        .document
        .route_tables
        .iter()
        .find(|t| t.name.value == "rt-bad")
        .unwrap();
    let names: Vec<&str> = table.routes.iter().map(|r| r.name.value.as_str()).collect();
    assert_eq!(names, ["drop"], "`none` is Azure's `None` in any case");
    assert_refused(
        &i,
        "route `hop-typo`",
        &[
            "/nextHopType",
            "`VirtualAplliance`",
            "did you mean `VirtualAppliance`?",
        ],
    );
    assert_refused(
        &i,
        "route `appliance-without-ip`",
        &["/nextHopIpAddress", "is missing"],
    );
    assert_refused(
        &i,
        "route `hop-missing`",
        &["/nextHopType", "is missing", "`VnetLocal`"],
    );
}

#[test]
fn private_endpoint_network_policies_typo_is_refused_not_disabled() {
    let i = estate_with_invalid_values();
    let vnet = i
        .document
        .vnets
        .iter()
        .find(|v| v.name.value == "vnet-bad")
        .unwrap();
    let subnets: Vec<&str> = vnet.subnets.iter().map(|s| s.name.value.as_str()).collect();
    assert_eq!(subnets, ["good"]);
    assert_eq!(
        vnet.subnets[0].private_endpoint_network_policies,
        PrivateEndpointNetworkPolicies::RouteTableEnabled
    );
    assert_refused(
        &i,
        "subnet `vnet-bad/policies-typo`",
        &[
            "/privateEndpointNetworkPolicies",
            "`Enabeld`",
            "did you mean `Enabled`?",
        ],
    );
}

#[test]
fn peering_state_typo_is_refused_not_connected() {
    let i = estate_with_invalid_values();
    assert!(
        !i.document
            .peerings
            .iter()
            .any(|p| p.between.1.value == "vnet-other" || p.between.0.value == "vnet-other"),
        "{:#?}",
        i.document.peerings
    );
    assert_refused(
        &i,
        "to-other",
        &["/peeringState", "`Conected`", "did you mean `Connected`?"],
    );
}

#[test]
fn peering_flag_of_the_wrong_type_is_refused_not_false() {
    let i = estate_with_invalid_values();
    assert!(!i
        .document
        .peerings
        .iter()
        .any(|p| p.between.0.value == "vnet-third" || p.between.1.value == "vnet-third"));
    assert_refused(
        &i,
        "to-third",
        &["/allowForwardedTraffic", "a string", "`true` or `false`"],
    );
}

#[test]
fn a_vnet_without_a_region_is_refused() {
    let i = estate_with_invalid_values();
    assert!(!i
        .document
        .vnets
        .iter()
        .any(|v| v.name.value == "vnet-nowhere"));
    assert_refused(
        &i,
        "vnet-nowhere",
        &["network.json#/4/location", "is missing"],
    );
}

#[test]
fn gateway_type_typo_is_refused_not_vpn() {
    let i = estate_with_invalid_values();
    assert!(i.document.gateways.is_empty());
    assert_refused(
        &i,
        "gw-bad",
        &["/gatewayType", "`VPN `", "did you mean `Vpn`?"],
    );
}

#[test]
fn dns_record_type_azure_does_not_have_is_refused() {
    let i = estate_with_invalid_values();
    assert_refused(
        &i,
        "/AA/st1",
        &["dns.json#/2/type", "`AA`", "`AAAA`", "`CNAME`"],
    );
    let zone = &i.document.dns.zones[0];
    assert!(
        zone.records.iter().all(|r| r.name.value != "st1"),
        "{zone:#?}"
    );
}

#[test]
fn dns_record_without_its_address_is_refused_not_shortened() {
    let i = estate_with_invalid_values();
    let zone = &i.document.dns.zones[0];
    assert!(
        zone.records.iter().all(|r| r.name.value != "st2"),
        "{zone:#?}"
    );
    assert_refused(
        &i,
        "/A/st2",
        &["/properties/aRecords/1/ipv4Address", "is missing"],
    );
}

#[test]
fn dns_link_resolution_policy_typo_is_refused() {
    let i = estate_with_invalid_values();
    let zone = &i.document.dns.zones[0];
    assert!(
        zone.links.is_empty() && zone.nx_domain_redirect.is_empty(),
        "{zone:#?}"
    );
    assert_refused(
        &i,
        "link-bad",
        &[
            "/resolutionPolicy",
            "`NxDomainRedirekt`",
            "did you mean `NxDomainRedirect`?",
        ],
    );
}

fn firewall(i: &Imported) -> &FirewallDoc {
    i.document
        .firewalls
        .iter()
        .find(|f| f.name.value == "fw-bad")
        .unwrap()
}

fn collections(i: &Imported) -> Vec<(String, Access, Vec<String>)> {
    firewall(i)
        .rule_collection_groups
        .iter()
        .flat_map(|g| &g.collections)
        .map(|c| {
            (
                c.name.value.clone(),
                c.action,
                c.network_rules
                    .iter()
                    .map(|r| r.name.value.clone())
                    .chain(c.application_rules.iter().map(|r| r.name.value.clone()))
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn firewall_collection_action_typo_is_refused_not_allowed() {
    let i = estate_with_invalid_values();
    assert!(collections(&i).iter().all(|(n, _, _)| n != "action-typo"));
    assert_refused(
        &i,
        "rule collection `rcg/action-typo`",
        &[
            "firewall.json#/3/properties/ruleCollections/0/action/type",
            "`Alow`",
            "did you mean `Allow`?",
        ],
    );
}

#[test]
fn classic_collection_action_typo_is_refused_not_allowed() {
    let i = estate_with_invalid_values();
    assert!(collections(&i).iter().all(|(n, _, _)| n != "classic-typo"));
    assert_refused(
        &i,
        "collection `classic/classic-typo`",
        &["`Denny`", "did you mean `Deny`?"],
    );
}

#[test]
fn firewall_collection_type_typo_is_refused() {
    let i = estate_with_invalid_values();
    assert!(collections(&i).iter().all(|(n, _, _)| n != "type-typo"));
    assert_refused(
        &i,
        "rule collection `rcg/type-typo`",
        &[
            "/ruleCollectionType",
            "did you mean `FirewallPolicyFilterRuleCollection`?",
        ],
    );
}

#[test]
fn firewall_collection_without_priority_is_refused_not_last() {
    let i = estate_with_invalid_values();
    assert!(collections(&i).iter().all(|(n, _, _)| n != "no-priority"));
    assert_refused(
        &i,
        "rule collection `rcg/no-priority`",
        &["/priority", "is missing", "100 to 65000"],
    );
}

#[test]
fn firewall_rule_type_typo_is_refused_not_network() {
    let i = estate_with_invalid_values();
    assert_refused(
        &i,
        "rule `rcg/rules/rule-type-typo`",
        &["/ruleType", "`NetworkRul`", "did you mean `NetworkRule`?"],
    );
}

#[test]
fn firewall_protocol_typo_is_refused_not_any() {
    let i = estate_with_invalid_values();
    assert_refused(
        &i,
        "rule `rcg/rules/protocol-typo`",
        &["/ipProtocols/0", "`TPC`", "`TCP`, `UDP`, `ICMP`, `Any`"],
    );
}

#[test]
fn firewall_rule_without_protocols_or_destination_is_refused_not_any() {
    let i = estate_with_invalid_values();
    assert_refused(
        &i,
        "rule `rcg/rules/no-protocols`",
        &["/ipProtocols", "is missing"],
    );
    assert_refused(
        &i,
        "rule `rcg/rules/no-destination`",
        &["/destinationAddresses", "is missing"],
    );
}

#[test]
fn application_rule_without_protocols_is_refused_not_80_and_443() {
    let i = estate_with_invalid_values();
    assert_refused(
        &i,
        "rule `rcg/rules/app-no-protocols`",
        &["/protocols", "is missing"],
    );
}

#[test]
fn firewall_values_match_azures_vocabulary_without_case() {
    let i = estate_with_invalid_values();
    let found = collections(&i);
    assert_eq!(
        found,
        [
            (
                "classic-good".to_string(),
                Access::Deny,
                vec!["c2".to_string(), "c2".to_string()]
            ),
            ("rules".to_string(), Access::Allow, vec!["good".to_string()]),
        ]
    );
    let classic = &firewall(&i).rule_collection_groups[0].collections[0].network_rules;
    assert_eq!(
        classic.iter().map(|r| r.protocol).collect::<Vec<_>>(),
        [Protocol::Tcp, Protocol::Udp]
    );
}

#[test]
fn hub_route_without_destination_type_is_refused_not_cidr() {
    let i = estate_with_invalid_values();
    let hub = &i.document.virtual_hubs[0];
    let routes: Vec<&str> = hub.route_tables[0]
        .routes
        .iter()
        .map(|r| r.name.value.as_str())
        .collect();
    assert_eq!(routes, ["good"]);
    assert_refused(
        &i,
        "route `no-destination-type`",
        &["/destinationType", "is missing", "`CIDR`"],
    );
}

#[test]
fn routing_intent_destination_typo_is_refused() {
    let i = estate_with_invalid_values();
    assert!(i.document.virtual_hubs[0].routing_intent.is_none());
    assert_refused(
        &i,
        "routing intent",
        &[
            "vwan.json#/1/properties/routingPolicies/0/destinations/0",
            "`Internet Traffic`",
        ],
    );
}

#[test]
fn public_network_access_typo_is_refused_not_enabled() {
    let i = estate_with_invalid_values();
    assert!(i.document.services.is_empty(), "{:#?}", i.document.services);
    assert_refused(
        &i,
        "service ",
        &[
            "/publicNetworkAccess",
            "`Disbled`",
            "did you mean `Disabled`?",
        ],
    );
    // The endpoint stays, aimed at its name, which resolves publicly without the service.
    let pe = &i.document.private_endpoints[0];
    assert_eq!(
        pe.target.as_ref().map(|t| t.value.as_str()),
        Some("stbad.blob.core.windows.net")
    );
}

#[test]
fn a_json_file_with_no_resources_is_listed_not_silent() {
    let i = estate_with_invalid_values();
    assert_refused(&i, "not-resources.json#", &["neither a resource"]);
}

#[test]
fn refusals_are_listed_in_the_scenario_which_reads_back() {
    let i = estate_with_invalid_values();
    let ron = to_ron(&i).unwrap();
    assert!(
        ron.contains("// Refused: values Azure does not accept"),
        "{ron}"
    );
    assert!(ron.contains("did you mean `Allow`?"), "{ron}");
    let doc = parse(&SourceFile::new("imported.ron", ron.as_str()))
        .unwrap_or_else(|e| panic!("{e}\n{ron}"));
    assert_eq!(doc, i.document);
    assert!(i.notes.invalid() >= 25, "{:#?}", i.notes.skipped);
}

/// Renaming same-named resources is linear in their number (each suffix is tried once, from
/// where the last renaming of that name stopped), so 20,000 of them import in one pass.
#[test]
fn twenty_thousand_same_named_vnets_are_renamed_in_one_pass() {
    let n = 20_000;
    let resources: Vec<serde_json::Value> = (0..n)
        .map(|k| {
            serde_json::json!({
                "id": format!("/subscriptions/s/resourceGroups/rg-{k}/providers/Microsoft.Network/virtualNetworks/vnet"),
                "name": "vnet",
                "type": "Microsoft.Network/virtualNetworks",
                "location": "eastus",
                "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                               "subnets": [{"name": "app", "properties": {"addressPrefix": "10.0.1.0/24"}}]}
            })
        })
        .collect();
    let text = serde_json::Value::Array(resources).to_string();
    let imported = import_files(&[("many.json".to_string(), text)]).unwrap();
    let names: std::collections::BTreeSet<&str> = imported
        .document
        .vnets
        .iter()
        .map(|v| v.name.value.as_str())
        .collect();
    assert_eq!(names.len(), n);
    assert!(names.contains("vnet") && names.contains("vnet-2") && names.contains("vnet-20000"));
    assert_eq!(
        imported
            .notes
            .skipped
            .iter()
            .filter(|s| s.reason.starts_with("renamed to"))
            .count(),
        n - 1
    );
}

#[test]
fn answer_changing_parts_that_are_not_modelled_are_listed_not_dropped() {
    let i = estate_with_invalid_values();
    // A NAT gateway and a public IP referenced but absent from the input are listed.
    for needle in ["NAT gateway", "public IP"] {
        let s = refusal(&i, needle);
        assert_eq!(s.kind, SkipKind::Unsupported, "{s:?}");
    }
    let vm = i
        .document
        .workloads
        .iter()
        .find(|w| w.name.value == "vm1")
        .unwrap();
    assert_eq!(vm.ip.value, "10.90.2.10");
    assert_eq!(vm.public_ip, None);
    let ron = to_ron(&i).unwrap();
    assert!(ron.contains("public IP /subscriptions/00000000-0000-0000-0000-000000000003/resourceGroups/rg-bad/providers/Microsoft.Network/publicIPAddresses/pip-vm1 of workload `vm1`: its address is not in the input"), "{ron}");
}

#[test]
fn a_private_subnet_is_imported_with_default_outbound_access_off() {
    let i = estate_with_invalid_values();
    let good = i
        .document
        .vnets
        .iter()
        .flat_map(|v| v.subnets.iter().map(move |s| (v, s)))
        .find(|(v, s)| v.name.value == "vnet-bad" && s.name.value == "good")
        .map(|(_, s)| s)
        .unwrap();
    assert_eq!(good.default_outbound_access, Some(false));
    // Its NAT gateway is not in the input: the subnet is imported without it.
    assert_eq!(good.nat_gateway, None);
}

#[test]
fn nat_gateways_and_instance_public_ips_are_imported_with_their_addresses() {
    let sub = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network";
    let json = serde_json::json!([
        {"id": format!("{sub}/publicIPAddresses/pip-nat"), "name": "pip-nat", "type": "Microsoft.Network/publicIPAddresses",
         "location": "westeurope", "properties": {"ipAddress": "20.1.1.1"}},
        {"id": format!("{sub}/publicIPAddresses/pip-vm"), "name": "pip-vm", "type": "Microsoft.Network/publicIPAddresses",
         "location": "westeurope", "properties": {"ipAddress": "20.2.2.2"}},
        {"id": format!("{sub}/natGateways/ng"), "name": "ng", "type": "Microsoft.Network/natGateways",
         "location": "westeurope", "properties": {"publicIpAddresses": [{"id": format!("{sub}/publicIPAddresses/pip-nat")}]}},
        {"id": format!("{sub}/virtualNetworks/v"), "name": "v", "type": "Microsoft.Network/virtualNetworks",
         "location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.7.0.0/16"]},
           "subnets": [{"id": format!("{sub}/virtualNetworks/v/subnets/app"), "name": "app",
             "properties": {"addressPrefix": "10.7.1.0/24", "natGateway": {"id": format!("{sub}/natGateways/ng")}}}]}},
        {"id": format!("{sub}/networkInterfaces/nic-vm"), "name": "nic-vm", "type": "Microsoft.Network/networkInterfaces",
         "location": "westeurope", "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {
           "privateIPAddress": "10.7.1.4", "subnet": {"id": format!("{sub}/virtualNetworks/v/subnets/app")},
           "publicIPAddress": {"id": format!("{sub}/publicIPAddresses/pip-vm")}}}]}},
    ]);
    let imported =
        azpath_engine::import::import_files(&[("estate.json".into(), json.to_string())]).unwrap();
    let doc = &imported.document;
    assert_eq!(doc.nat_gateways.len(), 1, "{:#?}", imported.notes.skipped);
    assert_eq!(doc.nat_gateways[0].public_ips[0].value, "20.1.1.1");
    let subnet = &doc.vnets[0].subnets[0];
    assert_eq!(
        subnet.nat_gateway.as_ref().map(|t| t.value.as_str()),
        Some("ng")
    );
    assert_eq!(
        doc.workloads[0]
            .public_ip
            .as_ref()
            .map(|t| t.value.as_str()),
        Some("20.2.2.2")
    );
    // The scenario it writes loads, and the VM leaves by the NAT gateway.
    let ron = to_ron(&imported).unwrap();
    let loaded =
        azpath_engine::load_str("imported.ron", &ron).unwrap_or_else(|e| panic!("{e}\n{ron}"));
    assert_eq!(loaded.network.nat_gateways.len(), 1);
    assert!(
        imported
            .notes
            .skipped
            .iter()
            .all(|s| !s.what.contains("pip-")),
        "{:#?}",
        imported.notes.skipped
    );
}

// IPv6: azpath models IPv4 only. Import lists every IPv6 address or prefix as left out, by its
// JSON path, and keeps the IPv4 part of a dual-stack object, so the scenario it writes loads.

/// The listed skip whose `what` contains `needle`.
fn skipped_with<'a>(imported: &'a Imported, needle: &str) -> &'a Skipped {
    imported
        .notes
        .skipped
        .iter()
        .find(|s| s.what.contains(needle) || s.reason.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not listed: {:#?}", imported.notes.skipped))
}

#[test]
fn ipv6_prefixes_and_addresses_are_listed_as_skipped_and_the_scenario_loads() {
    let i = fixture("ipv6");
    let loaded = load(&i);
    let vnet = &i.document.vnets[0];
    let space: Vec<&str> = vnet
        .address_space
        .iter()
        .map(|t| t.value.as_str())
        .collect();
    assert_eq!(space, ["10.60.0.0/16"]);
    let dns: Vec<&str> = vnet.dns_servers.iter().map(|t| t.value.as_str()).collect();
    assert_eq!(dns, ["10.60.1.4"]);
    let subnets: Vec<(&str, &str)> = vnet
        .subnets
        .iter()
        .map(|s| (s.name.value.as_str(), s.prefix.value.as_str()))
        .collect();
    assert_eq!(subnets, [("dual", "10.60.1.0/24")]);
    for (value, path) in [
        (
            "fd00:db8:60::/48",
            "network.json#/0/properties/addressSpace/addressPrefixes/1",
        ),
        (
            "fd00:db8:60:1::4",
            "network.json#/0/properties/dhcpOptions/dnsServers/1",
        ),
        (
            "fd00:db8:60:1::/64",
            "network.json#/0/properties/subnets/0/properties/addressPrefixes/1",
        ),
        (
            "fd00:db8:60:2::/64",
            "network.json#/0/properties/subnets/1/properties/addressPrefix",
        ),
        (
            "fd00:db8:1::/48",
            "network.json#/1/properties/securityRules/0/properties/sourceAddressPrefixes",
        ),
        (
            "fd00:db8:60:1::5",
            "network.json#/3/properties/ipConfigurations/0/properties/privateIPAddress",
        ),
        (
            "fd00:db8:60:1::5",
            "network.json#/5/properties/aaaaRecords/0/ipv6Address",
        ),
    ] {
        let s = skipped_with(&i, path);
        assert!(s.what.contains(value), "{s:?}");
        assert!(s.reason.contains("IPv6"), "{s:?}");
    }
    assert!(i
        .notes
        .skipped
        .iter()
        .any(|s| s.what == "subnet `vnet-dual/v6only`" && s.reason.contains("all IPv6")));
    // A rule with IPv4 and IPv6 sources keeps the IPv4 ones; one whose destination is IPv6
    // only never matches an IPv4 flow and is left out, not widened to "any".
    let rules = &i.document.nsgs[0].rules;
    let names: Vec<&str> = rules.iter().map(|r| r.name.value.as_str()).collect();
    assert_eq!(names, ["mixed"]);
    let sources: Vec<&str> = rules[0].source.iter().map(|t| t.value.as_str()).collect();
    assert_eq!(sources, ["10.1.0.0/16"]);
    assert!(skipped_with(&i, "rule `v6-only` of NSG `nsg-dual`")
        .reason
        .contains("destinationAddressPrefix"));
    let routes: Vec<&str> = i.document.route_tables[0]
        .routes
        .iter()
        .map(|r| r.name.value.as_str())
        .collect();
    assert_eq!(routes, ["v4-default"]);
    assert!(skipped_with(&i, "route `v6-default`")
        .reason
        .contains("IPv6"));
    assert!(skipped_with(&i, "route `v6-appliance`")
        .reason
        .contains("nextHopIpAddress"));
    assert!(i.document.workloads.is_empty());
    assert!(i.document.dns.zones[0].records.is_empty());
    assert!(loaded.network.vnets.len() == 1);
}

/// A private DNS zone is identified by resource group and name: the same privatelink zone in
/// two resource groups ("Azure Private Endpoint DNS integration": one zone copy per region)
/// imports as two zones, each keeping its resource group, links and records.
#[test]
fn a_zone_name_in_two_resource_groups_imports_as_two_zones() {
    let sub = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups";
    let vnet = |rg: &str, name: &str, region: &str, prefix: &str| {
        format!(
            r#"{{"id": "{sub}/{rg}/providers/Microsoft.Network/virtualNetworks/{name}", "name": "{name}", "type": "Microsoft.Network/virtualNetworks", "location": "{region}",
               "properties": {{"addressSpace": {{"addressPrefixes": ["{prefix}"]}}, "subnets": []}}}}"#
        )
    };
    let zone = "privatelink.openai.azure.com";
    let copy = |rg: &str, vnet_rg: &str, vnet: &str, ip: &str| {
        let z = format!("{sub}/{rg}/providers/Microsoft.Network/privateDnsZones/{zone}");
        format!(
            r#"{{"id": "{z}", "name": "{zone}", "type": "Microsoft.Network/privateDnsZones", "location": "global", "properties": {{}}}},
               {{"id": "{z}/virtualNetworkLinks/{vnet}", "name": "{vnet}", "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "location": "global",
                 "properties": {{"virtualNetwork": {{"id": "{sub}/{vnet_rg}/providers/Microsoft.Network/virtualNetworks/{vnet}"}}, "registrationEnabled": false}}}},
               {{"id": "{z}/A/aoai", "name": "aoai", "type": "Microsoft.Network/privateDnsZones/A", "properties": {{"aRecords": [{{"ipv4Address": "{ip}"}}]}}}}"#
        )
    };
    let json = format!(
        "[{}, {}, {}, {}]",
        vnet("rg-net", "vnet-west", "westus", "10.1.0.0/16"),
        vnet("rg-net", "vnet-east", "eastus", "10.2.0.0/16"),
        copy("rg-dns-westus", "rg-net", "vnet-west", "10.1.2.4"),
        copy("rg-dns-eastus", "rg-net", "vnet-east", "10.2.2.4"),
    );
    let imported = import_files(&[("estate.json".to_string(), json)]).unwrap();
    let zones = &imported.document.dns.zones;
    assert_eq!(zones.len(), 2, "{zones:?}");
    let rgs: Vec<&str> = zones
        .iter()
        .filter_map(|z| z.resource_group.as_ref().map(|r| r.value.as_str()))
        .collect();
    assert_eq!(rgs, ["rg-dns-westus", "rg-dns-eastus"]);
    assert!(
        imported
            .notes
            .skipped
            .iter()
            .all(|s| !s.what.contains(zone)),
        "{:?}",
        imported.notes.skipped
    );
    let loaded = load(&imported);
    assert_eq!(loaded.network.dns.zones.len(), 2);
    let ron = to_ron(&imported).unwrap();
    assert!(ron.contains(r#"resource_group: "rg-dns-eastus""#), "{ron}");
}

// Learn, `New-AzFirewallHubPublicIpAddress`: a hub firewall is deployed with a public IP count
// and Azure allocates the addresses, so a template states the count only; each address gets a
// stated documentation stand-in, as a secured hub's firewall always has public IPs.
#[test]
fn a_hub_firewall_stating_only_its_public_ip_count_gets_that_many_stand_in_addresses() {
    let i = estate_with_invalid_values();
    let fw = i
        .document
        .firewalls
        .iter()
        .find(|f| f.name.value == "fw-hub")
        .unwrap_or_else(|| panic!("{:#?}", i.document.firewalls));
    assert_eq!(fw.public_ips.len(), 1, "{:?}", fw.public_ips);
    assert!(
        i.notes
            .assumptions
            .iter()
            .any(|a| a.contains("fw-hub") && a.contains("hub public IP 1")),
        "{:#?}",
        i.notes.assumptions
    );
}
