//! Importing real estates: the fixtures under `tests/import/` are Azure's JSON as `az … list`
//! and `show` print it; the imported scenario must load, keep every resource or say why not,
//! and trace like a scenario written by hand for the same estate.

use std::path::Path;

use azpath_engine::import::{import_files, to_ron, Imported};
use azpath_engine::model::{FlowProtocol, NicRef, TraceSource};
use azpath_engine::query::{self, RouteDifference};
use azpath_engine::report;
use azpath_engine::scenario::{parse, SourceFile};
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
    service_tags: [(name: "Storage.EastUS", prefixes: [])],
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
    let report = query::check(&loaded.network, loaded.dataplane());
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
        "applicationSecurityGroups/asg-web",
        "natGateways/nat-spoke",
        "TXT/verify",
        "route `storage-direct`",
        "rule `allow-web-asg`",
        "rcg-platform/spokes/from-ipgroup",
        "rcg-platform/web/windows-update",
    ] {
        assert!(listed(needle), "{needle} not listed: {:#?}", notes.skipped);
    }
    // Every resource read was either imported or listed: nothing vanishes.
    let ron = to_ron(&imported).unwrap();
    assert!(ron.contains("// Not imported (7):"), "{ron}");
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
