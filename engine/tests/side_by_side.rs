//! `azpath compare`: two scenarios flow by flow, or two flows of one scenario, side by side.

use std::path::Path;

use azpath_engine::analysis::flow::FlowSpec;
use azpath_engine::analysis::side_by_side::{compare_flows, compare_scenarios, Aspect};
use azpath_engine::analysis::whatif::what_if;
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

const BASE: &str = "virtual-wan/cross-region-private-endpoint.ron";
const FIX: &str = "virtual-wan/fixes/co-located-private-endpoint.ron";

/// Seed 1 before and after the co-located endpoint: the dev app's flow keeps its verdict but
/// resolves to the West US endpoint, leaves both firewalls and East US behind; every flow is
/// listed, differences first, and they are the flows what-if reports as changed.
#[test]
fn before_and_after_the_co_located_endpoint_differ_in_resolution_path_and_devices() {
    let (a, b) = (lesson(BASE), lesson(FIX));
    let c = compare_scenarios(&a, &b, &[]);
    assert!(!c.agrees());
    let dev = c
        .flows
        .iter()
        .find(|r| r.a_flow == flow("app-dev", "aoai-dev.openai.azure.com"))
        .expect("the dev app's flow is compared");
    assert_eq!(
        dev.differences,
        [
            Aspect::Resolution,
            Aspect::Path,
            Aspect::Regions,
            Aspect::Hubs,
            Aspect::StatefulDevices
        ]
    );
    let after = dev.b.as_ref().unwrap();
    assert!(after.stateful_devices.is_empty());
    assert_eq!(after.regions, ["westus"]);
    // Differences first, then the flows that agree.
    let first_same = c.flows.iter().position(|r| r.differences.is_empty());
    let last_diff = c.flows.iter().rposition(|r| !r.differences.is_empty());
    assert!(first_same.is_none_or(|s| last_diff.is_none_or(|d| d < s)));
    // The differing flows are exactly what-if's changed flows.
    let w = what_if(&a, &b, &[]);
    assert_eq!(c.flows_differing, w.flows.len());
    assert_eq!(c.resolutions_differing, w.resolutions.len());
    assert_eq!(c.routes.len(), w.routes.len());
}

#[test]
fn a_scenario_compared_with_itself_agrees_on_every_flow() {
    let (a, b) = (lesson(BASE), lesson(BASE));
    let c = compare_scenarios(&a, &b, &[]);
    assert!(c.agrees());
    assert!(!c.flows.is_empty());
    assert!(c.flows.iter().all(|r| r.differences.is_empty()));
}

/// Seed 1's dev and production apps, to the same name, in one scenario: the dev app crosses two
/// firewalls and two regions to the East US endpoint; the production app resolves the public
/// address and is refused.
#[test]
fn dev_and_prod_flows_of_one_scenario_side_by_side() {
    let a = lesson(BASE);
    let dev = flow("app-dev", "aoai-dev.openai.azure.com");
    let prod = flow("app-prod", "aoai-dev.openai.azure.com");
    let c = compare_flows(&a, &dev, &a, &prod);
    let row = c.flows.first().unwrap();
    assert!(row.differences.contains(&Aspect::Verdict));
    assert!(row.differences.contains(&Aspect::Resolution));
    assert!(row.differences.contains(&Aspect::StatefulDevices));
    assert_eq!(
        row.a.as_ref().unwrap().stateful_devices,
        ["fw-wus", "fw-eus"]
    );
}
