//! The field write-ups azpath exists for, each retold as a lesson: `diagnose` names the
//! author's root cause first and the author's fix (or a better one Azure accepts) among its
//! verified fixes, with the flows and resolutions that fix changes.

use std::path::Path;

use azpath_engine::analysis::diagnose::{CheckStep, Evidence, Status};
use azpath_engine::analysis::firewall_deny::Mismatch;
use azpath_engine::analysis::flow::FlowSpec;
use azpath_engine::analysis::suggest::{suggest, Fix, Suggestions};
use azpath_engine::load_file;

fn diagnose(lesson: &str, from: &str, to: &str) -> Suggestions {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(lesson);
    let loaded = load_file(&path).unwrap();
    let flow = FlowSpec {
        from: from.into(),
        to: to.into(),
        port: 443,
        host: None,
    };
    suggest(&loaded, &flow).unwrap()
}

/// Seed 1: the dev app's calls fail at the second hub firewall, which sees the first one's
/// SNATed address; the author's fix is the endpoint in the app's own VNet, not a rule.
#[test]
fn seed_dev_app_denied_by_the_second_hub_firewall_is_fixed_by_co_locating_the_endpoint() {
    let s = diagnose(
        "virtual-wan/second-hub-firewall-denies-the-snated-source.ron",
        "app-dev",
        "aoai-dev.openai.azure.com",
    );
    let cause = s.diagnosis.root_cause.as_ref().unwrap();
    assert_eq!(
        (cause.step, cause.status),
        (CheckStep::Firewall, Status::Fail)
    );
    let Evidence::FirewallDenies { explanation, .. } = &cause.evidence else {
        panic!("{:?}", cause.evidence)
    };
    assert_eq!(explanation.firewall, "fw-eus");
    // The rule allows the app's own address: the path, not the rule, is wrong.
    assert!(explanation
        .near_misses
        .iter()
        .any(|m| m.failed.iter().any(|f| matches!(
            f,
            Mismatch::Source { snat: Some(x), .. } if x.rule_matches_client && x.by == "fw-wus"
        ))));
    let first = s.kept.first().expect("a verified fix");
    let Fix::ColocateEndpoint(f) = &first.fix else {
        panic!("the first fix is {:?}", first.fix)
    };
    assert!(
        f.subnet.name.starts_with("spoke-dev-wus/"),
        "{}",
        f.subnet.name
    );
    assert_eq!(first.verdict, azpath_engine::trace::Verdict::Delivered);
}

/// Seed 2, gotcha 1: the privatelink zone is linked to the hub only, so the spoke's App
/// Service app resolves the public address and the account (public access disabled) answers
/// 403; the author's fix is a link to every VNet that needs access, hub AND spoke. The fix also
/// moves the spoke's other clients (the sandbox account's public traffic, the locked app's
/// timeout), and its blast radius says so.
#[test]
fn seed_zone_linked_to_the_hub_only_is_fixed_by_linking_the_spoke() {
    let s = diagnose(
        "private-endpoint/openai-zone-linked-to-the-hub-three-faces.ron",
        "your-app-service",
        "yourresource.openai.azure.com",
    );
    let cause = s.diagnosis.root_cause.as_ref().unwrap();
    assert_eq!(
        (cause.step, cause.status),
        (CheckStep::NameResolution, Status::Fail)
    );
    let first = s.kept.first().expect("a verified fix");
    let Fix::LinkZone(f) = &first.fix else {
        panic!("the first fix is {:?}", first.fix)
    };
    assert_eq!(
        (f.zone.name.as_str(), f.vnet.name.as_str()),
        ("privatelink.openai.azure.com", "spoke")
    );
    assert_eq!(first.verdict, azpath_engine::trace::Verdict::Delivered);
    // Route-all was on already: the fix is DNS, not routing.
    assert!(s.kept.iter().all(|k| !matches!(k.fix, Fix::RouteAll(_))));
    let radius = first.blast_radius.as_ref().expect("computed");
    for (from, to) in [
        ("your-app-service", "sandbox-aoai.openai.azure.com"),
        ("locked-app", "yourresource.openai.azure.com"),
    ] {
        assert!(
            radius
                .flows
                .iter()
                .any(|c| c.flow.from == from && c.flow.to == to),
            "the blast radius names {from} -> {to}: {:?}",
            radius.flows
        );
    }
}

/// Seed 2, the same mistake's other faces: where public access is on, the call works over the
/// Internet (no error at all), and the diagnosis still names DNS, not the service.
#[test]
fn seed_works_but_public_is_a_failing_flow_whose_root_cause_is_the_zone_link() {
    let s = diagnose(
        "private-endpoint/openai-zone-linked-to-the-hub-three-faces.ron",
        "your-app-service",
        "sandbox-aoai.openai.azure.com",
    );
    let cause = s.diagnosis.root_cause.as_ref().expect("a root cause");
    assert_eq!(cause.step, CheckStep::NameResolution);
    assert!(s
        .kept
        .iter()
        .any(|k| matches!(&k.fix, Fix::LinkZone(f) if f.vnet.name == "spoke")));
}

/// Seed 3: API Management in internal mode in front of a network-secured Foundry, its NSG
/// allowing only VirtualNetwork to VirtualNetwork ("not sufficient"). The author's fix is the
/// two required inbound rules, ApiManagement → 3443 and AzureLoadBalancer → 6390, keeping
/// every other rule; it changes the gateway's flows only, never the agents' direct path.
#[test]
fn seed_apim_cut_off_by_its_nsg_is_fixed_by_its_two_required_inbound_rules() {
    let s = diagnose(
        "ai-foundry/apim-internal-mode-in-front-of-foundry.ron",
        "vm-test",
        "contoso-apim.developer.azure-api.net",
    );
    let cause = s.diagnosis.root_cause.as_ref().unwrap();
    assert_eq!((cause.step, cause.status), (CheckStep::Nsgs, Status::Fail));
    assert!(matches!(cause.evidence, Evidence::ApimCutOff { .. }));
    let first = s.kept.first().expect("a verified fix");
    let Fix::ApimRules(f) = &first.fix else {
        panic!("the first fix is {:?}", first.fix)
    };
    assert_eq!(f.nsg.name, "nsg-apim");
    assert_eq!(f.rules.len(), 2);
    let radius = first.blast_radius.as_ref().expect("computed");
    assert!(
        radius
            .flows
            .iter()
            .all(|c| c.flow.to.contains("contoso-apim") || c.flow.to == "192.168.2.4"),
        "only the gateway's own flows change: {:?}",
        radius.flows
    );
}

/// Seed 3, "configure DNS private zone for the API Management endpoints, otherwise you won't
/// be able to launch the developer portal": with the NSG fixed but no `azure-api.net` zone, the
/// verified fix creates the zone with the instance's host names at its VIP.
#[test]
fn seed_apim_without_its_azure_api_net_zone_is_fixed_by_creating_the_zone() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/ai-foundry/fixes/apim-required-inbound-rules.ron");
    let fixed = load_file(&path).unwrap();
    let mut doc = fixed.document.clone();
    doc.dns.zones.retain(|z| z.name.value != "azure-api.net");
    let loaded = azpath_engine::load_document(fixed.source.clone(), doc).unwrap();
    let flow = FlowSpec {
        from: "vm-test".into(),
        to: "contoso-apim.developer.azure-api.net".into(),
        port: 443,
        host: None,
    };
    let s = suggest(&loaded, &flow).unwrap();
    let cause = s.diagnosis.root_cause.as_ref().expect("a root cause");
    assert_eq!(cause.step, CheckStep::NameResolution);
    let first = s.kept.first().expect("a verified fix");
    let Fix::CreateZone(f) = &first.fix else {
        panic!("the first fix is {:?}", first.fix)
    };
    assert_eq!(f.zone, "azure-api.net");
    assert!(f
        .records
        .iter()
        .any(|r| r.name == "contoso-apim.developer" && r.ip.to_string() == "192.168.2.4"));
    assert!(first.blast_radius.is_some());
}
