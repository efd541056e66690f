//! `diagnose --symptom`: what the client saw, read into the modelled symptoms, and the flows of
//! a lesson that produce it (or the disagreement, when the flow asked about does not).

use std::path::Path;

use azpath_engine::analysis::diagnose::CheckStep;
use azpath_engine::analysis::flow::FlowSpec;
use azpath_engine::analysis::symptom::{diagnose_symptom, read, Fit, Mismatch, Through};
use azpath_engine::scenario::VerdictName;
use azpath_engine::{load_file, Loaded};

fn lesson(name: &str) -> Loaded {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(name);
    load_file(&path).unwrap()
}

fn flow(from: &str, to: &str) -> FlowSpec {
    FlowSpec {
        from: from.into(),
        to: to.into(),
        port: 443,
        host: None,
    }
}

/// Seed 1: `APIConnectionError` is any failure before an HTTP answer; of the lesson's flows, the
/// one the second hub firewall denies (it sees the first one's SNATed address) produces it.
#[test]
fn api_connection_error_finds_the_flow_the_second_hub_firewall_denies() {
    let loaded = lesson("virtual-wan/cross-region-private-endpoint.ron");
    let reported = read("openai.APIConnectionError: Connection error.").unwrap();
    let d = diagnose_symptom(&loaded, reported, None).unwrap();
    assert!(d.flows_examined > 1);
    let first = d.causes.first().expect("a cause");
    assert_eq!(first.fit, Fit::Exact);
    assert_eq!(first.step, Some(CheckStep::Firewall));
    assert_eq!(first.verdict, VerdictName::DroppedByFirewall);
    assert!(d.mismatch.is_none());
    assert!(d.needs_fix());
}

/// Seed 1: "intermittent" with `SSL_ERROR_SYSCALL`: the author's root cause was the path, not a
/// rule; the dev app's delivered flow across two regions and two firewalls fits as the shape of
/// path the field reports as intermittent.
#[test]
fn intermittent_ranks_the_cross_region_firewall_path_first() {
    let loaded = lesson("virtual-wan/cross-region-private-endpoint.ron");
    let d = diagnose_symptom(&loaded, read("intermittent").unwrap(), None).unwrap();
    let first = d.causes.first().expect("a cause");
    assert_eq!(first.step, Some(CheckStep::PathQuality));
    assert!(first
        .flows
        .contains(&flow("app-dev", "aoai-dev.openai.azure.com")));
    let f = flow("app-dev", "aoai-dev.openai.azure.com");
    let one = diagnose_symptom(&loaded, read("SSL_ERROR_SYSCALL").unwrap(), Some(&f)).unwrap();
    assert!(one.mismatch.is_none(), "{:?}", one.mismatch);
    let p = one.producing.first().expect("the flow produces it");
    assert_eq!((p.fit, p.through), (Fit::Possible, Through::FragilePath));
}

/// Seed 2: a zone linked to the hub only: the spoke's client resolves the public address and the
/// service refuses it with 403; the cause is name resolution.
#[test]
fn a_403_is_the_spoke_client_resolving_the_public_address() {
    let loaded = lesson("dns/zone-linked-to-the-hub-only.ron");
    let d = diagnose_symptom(&loaded, read("403").unwrap(), None).unwrap();
    let first = d.causes.first().expect("a cause");
    assert_eq!(first.verdict, VerdictName::PublicAccessDisabled);
    assert_eq!(first.step, Some(CheckStep::NameResolution));
    assert!(first
        .flows
        .contains(&flow("vm-app", "contoso-aoai.openai.azure.com")));
}

/// A flow the model delivers cleanly cannot be what the client reports as NXDOMAIN: the
/// disagreement is the finding (and a failure), not a pass.
#[test]
fn a_reported_symptom_the_flow_does_not_produce_is_a_mismatch() {
    let loaded = lesson("dns/zone-linked-to-the-hub-only.ron");
    let f = flow("vm-ops", "contoso-aoai.openai.azure.com");
    let d = diagnose_symptom(&loaded, read("nxdomain").unwrap(), Some(&f)).unwrap();
    assert!(d.producing.is_empty());
    match &d.mismatch {
        Some(Mismatch::FlowDisagrees { verdict, .. }) => {
            assert_eq!(*verdict, VerdictName::Delivered)
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
    assert!(d.needs_fix());
}

/// No flow of the lesson produces HTTP 470 (no firewall on any path): said, not ignored.
#[test]
fn a_symptom_no_flow_produces_is_said_to_be_unexplained() {
    let loaded = lesson("dns/zone-linked-to-the-hub-only.ron");
    let d = diagnose_symptom(&loaded, read("470").unwrap(), None).unwrap();
    assert!(d.causes.is_empty());
    assert!(matches!(
        d.mismatch,
        Some(Mismatch::NoFlowProduces { examined }) if examined == d.flows_examined
    ));
}

/// A 401 means the service answered: only flows that connect fit it.
#[test]
fn a_401_fits_only_flows_that_connect() {
    let loaded = lesson("dns/zone-linked-to-the-hub-only.ron");
    let d = diagnose_symptom(&loaded, read("401").unwrap(), None).unwrap();
    assert!(!d.producing.is_empty());
    assert!(d.producing.iter().all(|p| matches!(
        p.verdict,
        VerdictName::Delivered | VerdictName::DeliveredPublicly
    )));
}
