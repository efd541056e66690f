//! Every bundled scenario loads and every expectation it states holds; and an expectation that
//! contradicts Azure's behaviour is caught.

use std::path::{Path, PathBuf};

use azpath_engine::expect::{check, Outcome};
use azpath_engine::{load_file, load_str};

fn scenario_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            scenario_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "ron") {
            out.push(path);
        }
    }
}

pub(crate) fn all() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut files = Vec::new();
    scenario_files(&root, &mut files);
    files.sort();
    files
}

#[test]
fn every_bundled_scenario_holds() {
    let files = all();
    assert!(
        files.len() >= 7,
        "expected the scenario library, found {files:?}"
    );
    for file in files {
        let loaded = load_file(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        // Only lessons about a design Azure accepts but cannot work may warn, about that design.
        let unexpected: Vec<_> = loaded
            .warnings
            .iter()
            .filter(|w| {
                let intended = (file.ends_with("udr-loop-and-dead-ends.ron")
                    && w.message.contains("loops between appliances"))
                    || (file.ends_with("peering-states-and-access.ron")
                        && w.message.contains("does not allow virtual network access"))
                    || (file.ends_with("routing-intent-flow-matrix-secured-and-regular-hub.ron")
                        && w.message
                            .contains("no private traffic policy while other hubs do"))
                    || (file.ends_with("service-endpoint-and-front-door-access-restrictions.ron")
                        && w.message.contains("no `Microsoft.Web` service endpoint"));
                !intended
            })
            .collect();
        assert!(unexpected.is_empty(), "{}: {unexpected:?}", file.display());
        let report = check(&loaded.network, loaded.dataplane());
        assert!(
            !report.results.is_empty(),
            "{} asks nothing",
            file.display()
        );
        for r in &report.results {
            assert!(
                matches!(r.outcome, Outcome::Pass),
                "{}: {:?} -> {:#?}",
                file.display(),
                r.question,
                r.outcome
            );
        }
        assert!(
            loaded.network.story.is_some(),
            "{} tells no story",
            file.display()
        );
    }
}

#[test]
fn the_design_example_loads_cleanly_and_its_answers_hold() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/design/scenario-example.ron");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return; // the design folder is not part of every checkout
    };
    let loaded = load_str("scenario-example.ron", &text).unwrap();
    let warned: Vec<&str> = loaded.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(warned.is_empty(), "{warned:?}");
    let report = check(&loaded.network, loaded.dataplane());
    assert_eq!(report.passed(), 2, "the routes and the trace by name");
    assert_eq!(report.skipped(), 0);
}

#[test]
fn a_wrong_expectation_fails_with_the_difference() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/private-endpoint/zero-default-udr-vs-pe.ron");
    let text = std::fs::read_to_string(path).unwrap();
    let wrong = text.replacen(
        "expect: (next_hop: InterfaceEndpoint, prefix: \"10.0.2.4/32\"",
        "expect: (next_hop: VirtualAppliance(\"10.0.1.4\"), prefix: \"10.0.2.4/32\"",
        1,
    );
    assert_ne!(text, wrong);
    let loaded = load_str("wrong.ron", &wrong).unwrap();
    let report = check(&loaded.network, loaded.dataplane());
    assert_eq!(report.failed(), 1);
    let failed = report
        .results
        .iter()
        .find(|r| matches!(r.outcome, Outcome::Fail { .. }))
        .unwrap();
    use azpath_engine::expect::Problem;
    use azpath_engine::model::NextHopType;
    let Outcome::Fail { problems } = &failed.outcome else {
        unreachable!()
    };
    assert!(
        matches!(
            problems.as_slice(),
            [Problem::NextHop { expected, actual }]
                if expected.next_hop_type == NextHopType::VirtualAppliance
                    && expected.ip == Some("10.0.1.4".parse().unwrap())
                    && actual.next_hop_type == NextHopType::InterfaceEndpoint
        ),
        "{problems:?}"
    );
}

#[test]
fn every_bundled_scenario_survives_a_round_trip_through_ron() {
    use azpath_engine::scenario::{parse, to_ron, SourceFile};
    for file in all() {
        let loaded = load_file(&file).unwrap();
        let text = to_ron(&loaded.document).unwrap();
        let again = parse(&SourceFile::new("again.ron", text.clone()))
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(again, loaded.document, "{}", file.display());
    }
}

#[test]
fn each_expected_row_needs_a_route_of_its_own() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios/routing/gateway-transit-propagation-off.ron"),
    )
    .unwrap();
    // Two ECMP rows exist for 192.168.10.0/24 in spoke A: three expected rows cannot all match.
    let three = text.replacen(
        r#"(prefix: "192.168.10.0/24", next_hop: VirtualNetworkGateway, next_hop_ip: "10.0.255.5"),"#,
        r#"(prefix: "192.168.10.0/24", next_hop: VirtualNetworkGateway, next_hop_ip: "10.0.255.5"),
           (prefix: "192.168.10.0/24", next_hop: VirtualNetworkGateway),"#,
        1,
    );
    assert_ne!(three, text);
    let loaded = load_str("three.ron", &three).unwrap();
    let report = check(&loaded.network, loaded.dataplane());
    assert_eq!(report.failed(), 1);
}

#[test]
fn every_trace_verdict_is_reached_by_some_scenario() {
    use azpath_engine::expect::{verdict_name, Evidence};
    use azpath_engine::scenario::VerdictName;
    use std::collections::BTreeSet;
    let mut reached = BTreeSet::new();
    for file in all() {
        let loaded = load_file(&file).unwrap();
        for r in check(&loaded.network, loaded.dataplane()).results {
            if let (Outcome::Pass, Some(Evidence::Trace(t))) = (&r.outcome, &r.evidence) {
                reached.insert(verdict_name(&t.verdict));
            }
        }
    }
    let missing: Vec<_> = VerdictName::ALL
        .iter()
        .filter(|v| !reached.contains(*v))
        .collect();
    assert!(missing.is_empty(), "no scenario reaches {missing:?}");
    // The README's verdict table lists exactly these, by the name scenarios write.
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let table = readme
        .split("## Trace verdicts")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap();
    let listed: BTreeSet<VerdictName> = table
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(|name| {
            ron::from_str::<VerdictName>(name)
                .unwrap_or_else(|e| panic!("README lists `{name}`, which is no verdict: {e}"))
        })
        .collect();
    let expected: BTreeSet<VerdictName> = VerdictName::ALL.into_iter().collect();
    assert_eq!(listed, expected, "README verdict table");
}

#[test]
fn trace_answers_round_trip_through_json() {
    use azpath_engine::expect::Evidence;
    use azpath_engine::trace::TraceAnswer;
    let mut checked = 0;
    for file in all() {
        let loaded = load_file(&file).unwrap();
        for r in check(&loaded.network, loaded.dataplane()).results {
            if let Some(Evidence::Trace(t)) = r.evidence {
                let json = serde_json::to_string(&t).unwrap();
                let back: TraceAnswer = serde_json::from_str(&json).unwrap();
                assert_eq!(
                    serde_json::to_string(&back).unwrap(),
                    json,
                    "{}",
                    file.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 20, "only {checked} traces");
}

#[test]
fn a_wrong_estate_wide_expectation_lists_its_counterexamples() {
    use azpath_engine::expect::{Case, Evidence, Problem};
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/firewall/hub-inspects-every-private-endpoint-flow.ron");
    let text = std::fs::read_to_string(path).unwrap();
    // Claim the firewall inspects every workload's traffic, the legacy spoke's included.
    let wrong = text.replacen(
        r#"ForAllTraces(from: Workloads(vnet: "legacy"), to: PrivateEndpoints(), expect: (verdict: Delivered, not_via: ["fw-hub"]))"#,
        r#"ForAllTraces(from: Workloads(), to: PrivateEndpoints(), expect: (verdict: Delivered, via: ["fw-hub"]))"#,
        1,
    );
    assert_ne!(text, wrong);
    let loaded = load_str("wrong.ron", &wrong).unwrap();
    let report = check(&loaded.network, loaded.dataplane());
    assert_eq!(report.failed(), 1);
    let failed = report
        .results
        .iter()
        .find(|r| matches!(r.outcome, Outcome::Fail { .. }))
        .unwrap();
    let Outcome::Fail { problems } = &failed.outcome else {
        unreachable!()
    };
    let cases: Vec<Case> = problems
        .iter()
        .map(|p| match p {
            Problem::Counterexample { case, .. } => case.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    let pair = |from: &str, to: &str| Case::Pair {
        from: from.into(),
        to: to.into(),
    };
    assert_eq!(
        cases,
        [pair("legacy-app", "pe-blob"), pair("legacy-app", "pe-kv")]
    );
    assert!(matches!(
        failed.evidence,
        Some(Evidence::Counterexamples {
            checked: 8,
            failed: 2,
            ..
        })
    ));
}
