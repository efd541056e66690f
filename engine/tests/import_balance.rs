//! Importing load balancers from Azure's JSON (`az network lb show`, REST "Load Balancers -
//! Get", <https://learn.microsoft.com/rest/api/load-balancer/load-balancers/get>): the fixture
//! under `tests/import/load-balancers/` is the lesson
//! `load-balancer/ha-nva-pair-behind-an-internal-load-balancer.ron` as Azure prints it, plus a
//! public load balancer with an outbound rule and a Basic one.

use std::path::Path;

use azpath_engine::expect;
use azpath_engine::import::{import_files, to_ron, Imported, SkipKind};
use azpath_engine::model::{FlowProtocol, NicRef, TraceSource};
use azpath_engine::scenario::{parse, ProbeProtocol, SourceFile};
use azpath_engine::trace::egress::{EgressMethod, Translation};
use azpath_engine::trace::{trace_from, TraceRequest, Verdict};
use azpath_engine::{load_str, Loaded};

fn fixture() -> Imported {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import/load-balancers");
    let mut paths: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
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

fn lb<'a>(i: &'a Imported, name: &str) -> &'a azpath_engine::scenario::LoadBalancerDoc {
    i.document
        .load_balancers
        .iter()
        .find(|b| b.name.value == name)
        .unwrap_or_else(|| panic!("{name}: {:#?}", i.notes.skipped))
}

fn names(v: &[azpath_engine::scenario::Text]) -> Vec<&str> {
    v.iter().map(|t| t.value.as_str()).collect()
}

#[test]
fn an_internal_ha_ports_load_balancer_is_imported_with_its_nva_pool_and_probe() {
    let i = fixture();
    let b = lb(&i, "ilb-nva");
    assert_eq!(b.frontend_ip.value, "10.0.1.100");
    assert_eq!(b.subnet.as_ref().map(|s| s.value.as_str()), Some("hub/nva"));
    assert_eq!(names(&b.backends), ["nva1", "nva2"]);
    assert_eq!(b.rules.len(), 1);
    let rule = &b.rules[0];
    assert!(
        rule.ha_ports,
        "protocol All with ports 0 is an HA-ports rule"
    );
    assert_eq!((rule.frontend_port, rule.backend_port), (0, 0));
    assert_eq!(rule.probe.as_ref().map(|p| p.value.as_str()), Some("ssh"));
    assert_eq!(b.probes.len(), 1);
    assert_eq!(b.probes[0].protocol, ProbeProtocol::Tcp);
    assert_eq!(b.probes[0].port, 22);
    assert!(!b.gateway);
    assert_eq!(b.chain, None);
}

/// The lesson's questions that concern the NVA pair, asked of the imported estate.
const LESSON_QUESTIONS: &str = r#"Scenario(
    questions: [
        Trace(from: "vm-app", to: "10.2.1.4", port: 443, expect: (verdict: Delivered, via: ["ilb-nva"])),
        Trace(from: "vm-web", to: "10.1.1.4", port: 443, expect: (verdict: Delivered, via: ["ilb-nva"])),
        Trace(from: "vm-app", to: "10.2.1.4", protocol: Icmp, expect: (verdict: NoLoadBalancingRule)),
    ],
)"#;

#[test]
fn the_imported_nva_pair_traces_as_the_lesson_answers() {
    let mut i = fixture();
    let hand = parse(&SourceFile::new("lesson.ron", LESSON_QUESTIONS)).unwrap();
    i.document.questions = hand.questions;
    let loaded = load(&i);
    let report = expect::check(&loaded.network, loaded.dataplane());
    assert_eq!(report.failed(), 0, "{report:?}");
    assert_eq!(report.passed(), 3);
}

#[test]
fn a_public_load_balancer_takes_its_frontend_public_ip_nat_rule_and_outbound_rule() {
    let i = fixture();
    let b = lb(&i, "lb-public");
    assert_eq!(b.frontend_ip.value, "20.50.1.10");
    assert_eq!(b.subnet, None);
    assert_eq!(names(&b.backends), ["vm-web"]);
    let rule = &b.rules[0];
    assert_eq!((rule.frontend_port, rule.backend_port), (443, 443));
    assert!(rule.disable_outbound_snat);
    assert!(!rule.ha_ports);
    assert_eq!(b.probes[0].protocol, ProbeProtocol::Https);
    assert_eq!(b.inbound_nat_rules.len(), 1);
    let nat = &b.inbound_nat_rules[0];
    assert_eq!(
        (
            nat.frontend_port,
            nat.backend.value.as_str(),
            nat.backend_port
        ),
        (2201, "vm-web", 22)
    );
    assert_eq!(b.outbound_rules.len(), 1);
    assert_eq!(names(&b.outbound_rules[0].frontend_ips), ["20.50.1.11"]);
    // Both public IPs are used: neither is listed as left out.
    assert!(
        i.notes.skipped.iter().all(|s| !s.what.contains("pip-")),
        "{:#?}",
        i.notes.skipped
    );
}

#[test]
fn a_backend_of_an_imported_outbound_rule_leaves_from_its_frontend_address() {
    let i = fixture();
    let loaded = load(&i);
    let Some(NicRef::Workload(w)) = loaded.network.nic_by_name("vm-web") else {
        panic!("vm-web")
    };
    let request = TraceRequest {
        protocol: FlowProtocol::Tcp,
        destination: "93.184.216.34".parse().unwrap(),
        port: 443,
        source_port: 50000,
        host: None,
    };
    let a = trace_from(
        &loaded.network,
        loaded.dataplane(),
        TraceSource::Workload(w),
        request,
    )
    .unwrap();
    assert_eq!(a.verdict, Verdict::SentToInternet);
    let seen = a.source_seen.unwrap();
    assert_eq!(seen.address, Some("20.50.1.11".parse().unwrap()));
    assert_eq!(
        seen.translated_by,
        Some(Translation::Egress {
            method: EgressMethod::LoadBalancerOutboundRule {
                load_balancer: "lb-public".into(),
                rule: "out".into()
            }
        })
    );
}

#[test]
fn a_basic_load_balancer_is_listed_as_not_modelled_with_its_id() {
    let i = fixture();
    assert!(i
        .document
        .load_balancers
        .iter()
        .all(|b| b.name.value != "lb-basic"));
    let skipped = i
        .notes
        .skipped
        .iter()
        .find(|s| s.what.ends_with("/loadBalancers/lb-basic"))
        .unwrap_or_else(|| panic!("{:#?}", i.notes.skipped));
    assert_eq!(skipped.kind, SkipKind::Unsupported);
    assert!(skipped.reason.contains("Basic SKU"), "{}", skipped.reason);
}

fn one_lb(lb: serde_json::Value) -> Imported {
    let sub = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network";
    let json = serde_json::json!([
        {"id": format!("{sub}/virtualNetworks/v"), "name": "v", "type": "Microsoft.Network/virtualNetworks",
         "location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.7.0.0/16"]},
           "subnets": [{"id": format!("{sub}/virtualNetworks/v/subnets/app"), "name": "app",
             "properties": {"addressPrefix": "10.7.1.0/24"}}]}},
        lb,
    ]);
    import_files(&[("estate.json".into(), json.to_string())]).unwrap()
}

fn ilb(props: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"id": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb",
        "name": "lb", "type": "Microsoft.Network/loadBalancers", "location": "westeurope",
        "sku": {"name": "Standard"}, "properties": props})
}

#[test]
fn inbound_rules_on_two_frontends_are_listed_as_not_modelled_not_guessed() {
    let lbid = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
    let subnet = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/app";
    let rule = |n: &str, fe: &str, port: u16| {
        serde_json::json!({"name": n, "properties": {
        "frontendIPConfiguration": {"id": format!("{lbid}/frontendIPConfigurations/{fe}")},
        "protocol": "Tcp", "frontendPort": port, "backendPort": port}})
    };
    let i = one_lb(ilb(serde_json::json!({
        "frontendIPConfigurations": [
            {"id": format!("{lbid}/frontendIPConfigurations/a"), "name": "a", "properties": {"privateIPAddress": "10.7.1.10", "subnet": {"id": subnet}}},
            {"id": format!("{lbid}/frontendIPConfigurations/b"), "name": "b", "properties": {"privateIPAddress": "10.7.1.11", "subnet": {"id": subnet}}},
        ],
        "loadBalancingRules": [rule("r1", "a", 80), rule("r2", "b", 443)],
    })));
    assert!(i.document.load_balancers.is_empty());
    let s = i.notes.skipped.iter().find(|s| s.what == lbid).unwrap();
    assert!(s.reason.contains("2 frontends"), "{}", s.reason);
}

#[test]
fn source_ip_distribution_and_backends_by_ip_address_are_listed_as_not_modelled() {
    let lbid = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
    let subnet = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/app";
    let i = one_lb(ilb(serde_json::json!({
        "frontendIPConfigurations": [
            {"id": format!("{lbid}/frontendIPConfigurations/a"), "name": "a", "properties": {"privateIPAddress": "10.7.1.10", "subnet": {"id": subnet}}},
        ],
        "backendAddressPools": [{"id": format!("{lbid}/backendAddressPools/p"), "name": "p", "properties": {
            "loadBalancerBackendAddresses": [{"name": "x", "properties": {"ipAddress": "10.7.1.20"}}]}}],
        "loadBalancingRules": [{"name": "r", "properties": {
            "frontendIPConfiguration": {"id": format!("{lbid}/frontendIPConfigurations/a")},
            "backendAddressPool": {"id": format!("{lbid}/backendAddressPools/p")},
            "protocol": "Tcp", "frontendPort": 80, "backendPort": 80, "loadDistribution": "SourceIP"}}],
    })));
    assert_eq!(i.document.load_balancers.len(), 1);
    let whats: Vec<&str> = i.notes.skipped.iter().map(|s| s.what.as_str()).collect();
    assert!(
        whats
            .iter()
            .any(|w| w.contains("distribution `SourceIP`") && w.contains(lbid)),
        "{whats:#?}"
    );
    assert!(
        whats
            .iter()
            .any(|w| w.contains("backend address `10.7.1.20`")),
        "{whats:#?}"
    );
}

#[test]
fn an_invalid_rule_protocol_leaves_the_load_balancer_out_as_invalid_with_its_json_path() {
    let lbid = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
    let subnet = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/app";
    let i = one_lb(ilb(serde_json::json!({
        "frontendIPConfigurations": [
            {"id": format!("{lbid}/frontendIPConfigurations/a"), "name": "a", "properties": {"privateIPAddress": "10.7.1.10", "subnet": {"id": subnet}}},
        ],
        "loadBalancingRules": [{"name": "r", "properties": {
            "frontendIPConfiguration": {"id": format!("{lbid}/frontendIPConfigurations/a")},
            "protocol": "Tpc", "frontendPort": 80, "backendPort": 80}}],
    })));
    assert!(i.document.load_balancers.is_empty());
    let s = i
        .notes
        .skipped
        .iter()
        .find(|s| s.kind == SkipKind::Invalid)
        .unwrap_or_else(|| panic!("{:#?}", i.notes.skipped));
    assert!(
        s.reason
            .contains("loadBalancingRules/0/properties/protocol"),
        "{}",
        s.reason
    );
    assert!(s.reason.contains("Tpc"), "{}", s.reason);
}

#[test]
fn a_public_frontend_chained_to_a_gateway_load_balancer_names_it_as_its_chain() {
    let sub = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network";
    let subnet = format!("{sub}/virtualNetworks/v/subnets/app");
    let gw = format!("{sub}/loadBalancers/gwlb");
    let pub_lb = format!("{sub}/loadBalancers/lb-pub");
    let json = serde_json::json!([
        {"id": format!("{sub}/virtualNetworks/v"), "name": "v", "type": "Microsoft.Network/virtualNetworks",
         "location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.7.0.0/16"]},
           "subnets": [{"id": subnet, "name": "app", "properties": {"addressPrefix": "10.7.1.0/24"}}]}},
        {"id": format!("{sub}/publicIPAddresses/pip"), "name": "pip", "type": "Microsoft.Network/publicIPAddresses",
         "location": "westeurope", "properties": {"ipAddress": "20.9.9.9"}},
        {"id": gw, "name": "gwlb", "type": "Microsoft.Network/loadBalancers", "location": "westeurope",
         "sku": {"name": "Gateway"}, "properties": {
           "frontendIPConfigurations": [{"id": format!("{gw}/frontendIPConfigurations/fe"), "name": "fe",
             "properties": {"privateIPAddress": "10.7.1.50", "subnet": {"id": subnet}}}],
           "loadBalancingRules": [{"name": "all", "properties": {
             "frontendIPConfiguration": {"id": format!("{gw}/frontendIPConfigurations/fe")},
             "protocol": "All", "frontendPort": 0, "backendPort": 0}}]}},
        {"id": pub_lb, "name": "lb-pub", "type": "Microsoft.Network/loadBalancers", "location": "westeurope",
         "sku": {"name": "Standard"}, "properties": {
           "frontendIPConfigurations": [{"id": format!("{pub_lb}/frontendIPConfigurations/fe"), "name": "fe",
             "properties": {"publicIPAddress": {"id": format!("{sub}/publicIPAddresses/pip")},
               "gatewayLoadBalancer": {"id": format!("{gw}/frontendIPConfigurations/fe")}}}],
           "loadBalancingRules": [{"name": "web", "properties": {
             "frontendIPConfiguration": {"id": format!("{pub_lb}/frontendIPConfigurations/fe")},
             "protocol": "Tcp", "frontendPort": 443, "backendPort": 443}}]}},
    ]);
    let i = import_files(&[("estate.json".into(), json.to_string())]).unwrap();
    let g = lb(&i, "gwlb");
    assert!(g.gateway);
    assert!(g.rules[0].ha_ports);
    let p = lb(&i, "lb-pub");
    assert_eq!(p.frontend_ip.value, "20.9.9.9");
    assert_eq!(p.chain.as_ref().map(|c| c.value.as_str()), Some("gwlb"));
    load(&i);
}
