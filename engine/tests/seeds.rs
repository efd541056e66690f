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

/// Seed 2, gotcha 1: the privatelink zone is linked to the hub only, so the spoke resolves the
/// public address and the service (public access disabled) answers 403; the author's fix is a
/// link to every VNet that resolves with Azure DNS.
#[test]
fn seed_zone_linked_to_the_hub_only_is_fixed_by_linking_the_spoke() {
    let s = diagnose(
        "dns/zone-linked-to-the-hub-only.ron",
        "vm-app",
        "contoso-aoai.openai.azure.com",
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
    assert_eq!(f.zone.name, "privatelink.openai.azure.com");
    assert!(first.blast_radius.is_some(), "its blast radius is computed");
}

/// Seed 3: API Management in internal mode whose subnet NSG does not let ApiManagement → 3443
/// and AzureLoadBalancer → 6390 in; "VirtualNetwork to VirtualNetwork is not sufficient". The
/// fix is the two rules, keeping every other rule of the security team's NSG.
#[test]
fn seed_apim_cut_off_by_its_nsg_is_fixed_by_its_two_required_inbound_rules() {
    let s = diagnose(
        "apim/internal-mode-nsg-rules.ron",
        "vm-app",
        "contoso-apim-old.azure-api.net",
    );
    let cause = s.diagnosis.root_cause.as_ref().unwrap();
    assert_eq!((cause.step, cause.status), (CheckStep::Nsgs, Status::Fail));
    assert!(matches!(cause.evidence, Evidence::ApimCutOff { .. }));
    let first = s.kept.first().expect("a verified fix");
    let Fix::ApimRules(f) = &first.fix else {
        panic!("the first fix is {:?}", first.fix)
    };
    assert_eq!(f.nsg.name, "nsg-locked");
    assert_eq!(f.rules.len(), 2);
    let radius = first.blast_radius.as_ref().expect("computed");
    assert!(
        radius
            .flows
            .iter()
            .all(|c| c.flow.to.contains("apim-old") || c.flow.to == "10.0.6.4"),
        "only the instance's own flows change: {:?}",
        radius.flows
    );
}
