//! How a scenario's expectations are read and checked: one reading per field, every name
//! resolved at load, every difference a typed problem.

use std::path::Path;

use azpath_engine::expect::{check, Outcome, Problem};
use azpath_engine::model::{QuestionKind, MAX_FORALL_CASES};
use azpath_engine::scenario::{
    ResolveOutcomeName, SymptomName, VerdictName, DEFAULT_PORT, DEFAULT_SOURCE_PORT,
};
use azpath_engine::{load_str, LoadError, Loaded};

/// A hub with a private endpoint and a spoke whose app may only reach port 443 outbound.
fn scenario(questions: &str) -> String {
    format!(
        r#"Scenario(
    title: "t",
    vnets: [
        (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "pe", prefix: "10.0.2.0/24")]),
        (name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24", nsg: "nsg-app")]),
    ],
    peerings: [(between: ("hub", "spoke"))],
    nsgs: [(name: "nsg-app", rules: [
        (name: "allow-https", priority: 100, direction: Outbound, access: Allow, protocol: Tcp, destination_ports: ["443"]),
        (name: "deny-rest", priority: 200, direction: Outbound, access: Deny, protocol: Any),
    ])],
    private_endpoints: [(name: "pe1", subnet: "hub/pe", ip: "10.0.2.4")],
    workloads: [(name: "vm", subnet: "spoke/app", ip: "10.1.1.4")],
    questions: [
        {questions}
    ],
)"#
    )
}

fn load(questions: &str) -> Loaded {
    load_str("t.ron", &scenario(questions)).unwrap_or_else(|e| panic!("{e}"))
}

fn refused(questions: &str) -> LoadError {
    match load_str("t.ron", &scenario(questions)) {
        Ok(_) => panic!("accepted: {questions}"),
        Err(e) => e,
    }
}

/// The problems of the only question, or `[]` when it passes.
fn problems(loaded: &Loaded) -> Vec<Problem> {
    let report = check(&loaded.network, loaded.dataplane());
    assert_eq!(report.results.len(), 1);
    match &report.results[0].outcome {
        Outcome::Pass => Vec::new(),
        Outcome::Fail { problems } => problems.clone(),
        Outcome::Skipped { reason } => panic!("skipped: {reason:?}"),
    }
}

#[test]
fn an_unknown_field_is_refused_in_every_question_kind_and_pattern() {
    let questions = [
        r#"Routes(at: "spoke/app", expect: Contains([]), mode: 1)"#,
        r#"NextHop(from: "vm", to: "10.0.2.4", expect: (next_hop: InterfaceEndpoint), mode: 1)"#,
        r#"FlowVerify(at: "vm", direction: Outbound, remote: "10.0.2.4", prot: 22, expect: (access: Deny))"#,
        r#"Resolve(from: "vm", name: "x.example.com", hots: "y", expect: (outcome: NxDomain))"#,
        r#"Trace(from: "vm", to: "10.0.2.4", source_port: 1, expect: (verdict: Delivered))"#,
        r#"ForAllTraces(from: Workloads(), to: PrivateEndpoints(), mode: 1, expect: (verdict: Delivered))"#,
        r#"ForAllRoutes(at: Subnets(), mode: 1, expect: Contains([]))"#,
        r#"ForAllTraces(from: Workloads(vnett: "spoke"), to: PrivateEndpoints(), expect: (verdict: Delivered))"#,
        r#"ForAllTraces(from: Workloads(), to: PrivateEndpoints(nmae: "pe1"), expect: (verdict: Delivered))"#,
        r#"ForAllTraces(from: Workloads(), to: Services(vnet: "hub"), expect: (verdict: Delivered))"#,
        r#"ForAllRoutes(at: Subnets(nam: "spoke/app"), expect: Contains([]))"#,
        r#"Trace(from: "vm", to: "10.0.2.4", expect: (verdict: Delivered, via_: ["pe1"]))"#,
    ];
    for q in questions {
        let err = refused(q);
        let [d] = err.diagnostics() else {
            panic!("{q}: {err}")
        };
        assert!(d.message.starts_with("unknown field"), "{q}: {d}");
        // Located on the question's line, not at the top of the file.
        assert_eq!(d.line, 15, "{q}: {d}");
    }
}

#[test]
fn next_hop_none_in_a_route_row_is_the_next_hop_type_none() {
    // The reserved 10.0.0.0/8 route drops: next hop type None.
    let drop = load(
        r#"Routes(at: "spoke/app", expect: Contains([(prefix: "10.0.0.0/8", next_hop: None)]))"#,
    );
    assert!(problems(&drop).is_empty());
    // 0.0.0.0/0 goes to the Internet, so a row saying it drops must fail.
    let wrong = load(
        r#"Routes(at: "spoke/app", expect: Contains([(prefix: "0.0.0.0/0", next_hop: None)]))"#,
    );
    assert!(
        matches!(problems(&wrong).as_slice(), [Problem::MissingRoute { expected }] if expected.next_hop.is_some()),
        "{:?}",
        problems(&wrong)
    );
}

#[test]
fn an_empty_contains_or_excludes_is_refused_and_an_empty_exactly_is_an_empty_table() {
    for q in [
        r#"Routes(at: "spoke/app", expect: Contains([]))"#,
        r#"Routes(at: "vm", expect: Excludes([]))"#,
    ] {
        let err = refused(q);
        assert!(err.diagnostics().iter().all(|d| d.line == 15), "{q}: {err}");
    }
    let empty = load(r#"Routes(at: "spoke/app", expect: Exactly([]))"#);
    assert!(
        problems(&empty)
            .iter()
            .all(|p| matches!(p, Problem::UnexpectedRoute { .. })),
        "{:?}",
        problems(&empty)
    );
    assert!(!problems(&empty).is_empty());
}

#[test]
fn a_route_row_without_next_hop_does_not_check_it() {
    let any = load(r#"Routes(at: "spoke/app", expect: Contains([(prefix: "0.0.0.0/0")]))"#);
    assert!(problems(&any).is_empty());
}

#[test]
fn none_for_an_optional_expectation_field_is_refused() {
    for q in [
        r#"Routes(at: "spoke/app", expect: Contains([(prefix: None)]))"#,
        r#"NextHop(from: "vm", to: "10.0.2.4", expect: (next_hop: InterfaceEndpoint, prefix: None))"#,
        r#"FlowVerify(at: "vm", direction: Outbound, remote: "10.0.2.4", expect: (access: Allow, nsg: None))"#,
        r#"Resolve(from: "vm", name: "x.example.com", expect: (addresses: None))"#,
        r#"Trace(from: "vm", to: "10.0.2.4", expect: (verdict: Delivered, symptom: None))"#,
        r#"ForAllRoutes(at: Subnets(vnet: None), expect: Contains([]))"#,
    ] {
        let err = refused(q);
        assert!(err.diagnostics().iter().all(|d| d.line == 15), "{q}: {err}");
    }
}

#[test]
fn a_flow_without_a_port_is_on_the_default_port_443_from_port_50000() {
    let loaded = load(
        r#"FlowVerify(at: "vm", direction: Outbound, remote: "10.0.2.4", expect: (access: Allow, rule: "allow-https"))"#,
    );
    let QuestionKind::FlowVerify { remote, .. } = &loaded.network.questions[0].kind else {
        panic!()
    };
    assert_eq!((remote.port, remote.source_port), (443, 50000));
    assert_eq!((DEFAULT_PORT, DEFAULT_SOURCE_PORT), (443, 50000));
    assert!(problems(&loaded).is_empty());
    let trace = load(r#"Trace(from: "vm", to: "10.0.2.4", expect: (verdict: Delivered))"#);
    let QuestionKind::Trace { port, .. } = &trace.network.questions[0].kind else {
        panic!()
    };
    assert_eq!(*port, DEFAULT_PORT);
}

#[test]
fn a_deciding_nsg_or_rule_naming_nothing_is_refused_with_did_you_mean() {
    for (q, hint) in [
        (
            r#"FlowVerify(at: "vm", direction: Outbound, remote: "10.0.2.4", expect: (access: Allow, rule: "allow-http"))"#,
            "did you mean `allow-https`?",
        ),
        (
            r#"FlowVerify(at: "vm", direction: Outbound, remote: "10.0.2.4", expect: (access: Allow, nsg: "nsg-app", rule: "DenyAllOutbound"))"#,
            "did you mean `DenyAllOutBound`?",
        ),
        (
            r#"FlowVerify(at: "vm", direction: Outbound, remote: "10.0.2.4", expect: (access: Allow, nsg: "nsg-ap"))"#,
            "did you mean `nsg-app`?",
        ),
    ] {
        let err = refused(q);
        let [d] = err.diagnostics() else {
            panic!("{q}: {err}")
        };
        assert_eq!(d.hint.as_deref(), Some(hint), "{q}");
    }
}

#[test]
fn a_via_or_not_via_naming_nothing_is_refused_with_did_you_mean() {
    for q in [
        r#"Trace(from: "vm", to: "10.0.2.4", expect: (verdict: Delivered, via: ["pe2"]))"#,
        r#"Trace(from: "vm", to: "10.0.2.4", expect: (verdict: Delivered, not_via: ["pe2"]))"#,
        r#"ForAllTraces(from: Workloads(), to: PrivateEndpoints(), expect: (verdict: Delivered, not_via: ["pe2"]))"#,
    ] {
        let err = refused(q);
        let [d] = err.diagnostics() else {
            panic!("{q}: {err}")
        };
        assert_eq!(d.hint.as_deref(), Some("did you mean `pe1`?"), "{q}");
    }
}

#[test]
fn via_and_not_via_name_nics_and_vnets() {
    let passes = load(
        r#"Trace(from: "vm", to: "10.0.2.4", expect: (verdict: Delivered, via: ["pe1", "hub", "spoke"]))"#,
    );
    assert!(problems(&passes).is_empty());
    let avoids = load(
        r#"Trace(from: "vm", to: "10.0.2.4", expect: (verdict: Delivered, not_via: ["hub"]))"#,
    );
    assert!(
        matches!(problems(&avoids).as_slice(), [Problem::PassesNotVia { name }] if name == "hub"),
        "{:?}",
        problems(&avoids)
    );
}

#[test]
fn a_verdict_expectation_compares_the_verdict_kind() {
    let loaded =
        load(r#"Trace(from: "vm", to: "10.0.2.4", port: 22, expect: (verdict: Delivered))"#);
    assert!(
        matches!(
            problems(&loaded).as_slice(),
            [Problem::Verdict {
                expected: VerdictName::Delivered,
                actual: VerdictName::DroppedByNsg
            }]
        ),
        "{:?}",
        problems(&loaded)
    );
}

// An NSG drop is silent: the client's connect times out (README, "Trace verdicts").
#[test]
fn a_symptom_expectation_compares_the_symptom_kind_not_its_wording() {
    let holds = load(
        r#"Trace(from: "vm", to: "10.0.2.4", port: 22, expect: (verdict: DroppedByNsg, symptom: ConnectTimeout))"#,
    );
    assert!(problems(&holds).is_empty(), "{:?}", problems(&holds));
    let differs = load(
        r#"Trace(from: "vm", to: "10.0.2.4", port: 22, expect: (verdict: DroppedByNsg, symptom: Connected))"#,
    );
    assert!(
        matches!(
            problems(&differs).as_slice(),
            [Problem::Symptom {
                expected: SymptomName::Connected,
                actual: SymptomName::ConnectTimeout
            }]
        ),
        "{:?}",
        problems(&differs)
    );
    // Text is no symptom kind: a word of the rendered sentence no longer passes.
    let err = refused(
        r#"Trace(from: "vm", to: "10.0.2.4", port: 22, expect: (verdict: DroppedByNsg, symptom: "timeout"))"#,
    );
    assert!(err.diagnostics().iter().all(|d| d.line == 15), "{err}");
    let err = refused(
        r#"Trace(from: "vm", to: "10.0.2.4", port: 22, expect: (verdict: DroppedByNsg, symptom: ConnectTimout))"#,
    );
    assert!(err.to_string().contains("ConnectTimeout"), "{err}");
}

#[test]
fn a_resolve_via_holds_only_when_the_resolution_passes_that_zone() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/dns/zone-linked-to-the-hub-only.ron");
    let text = std::fs::read_to_string(path).unwrap();
    // The spoke is not linked to the zone: its answer is public, though the public CNAME names
    // the privatelink zone in its text.
    let wrong = text.replacen(
        r#"Resolve(from: "spoke-app", name: "contoso-aoai.openai.azure.com", expect: (addresses: ["20.42.0.10"]))"#,
        r#"Resolve(from: "spoke-app", name: "contoso-aoai.openai.azure.com", expect: (addresses: ["20.42.0.10"], via: ["privatelink.openai.azure.com"]))"#,
        1,
    );
    assert_ne!(text, wrong);
    let loaded = load_str("wrong.ron", &wrong).unwrap();
    let report = check(&loaded.network, loaded.dataplane());
    let failed: Vec<&[Problem]> = report
        .results
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Fail { problems } => Some(problems.as_slice()),
            _ => None,
        })
        .collect();
    assert!(
        matches!(failed.as_slice(), [[Problem::MissesDnsVia { name }]] if name == "privatelink.openai.azure.com"),
        "{failed:?}"
    );
}

#[test]
fn a_resolve_expectation_compares_outcome_and_exact_addresses() {
    let loaded =
        load(r#"Resolve(from: "vm", name: "nowhere.example.com", expect: (addresses: []))"#);
    let found = problems(&loaded);
    assert!(
        found.iter().any(|p| matches!(
            p,
            Problem::ResolveOutcome {
                expected: ResolveOutcomeName::Resolved,
                ..
            }
        )),
        "{found:?}"
    );
}

#[test]
fn estate_wide_questions_past_the_case_bound_are_refused_at_load() {
    // n × n pairs just over the bound.
    let n = (1..).find(|n| n * n > MAX_FORALL_CASES).unwrap();
    let workloads: String = (0..n)
        .map(|i| {
            format!(
                r#"(name: "w{i}", subnet: "v/s", ip: "10.0.{}.{}"),"#,
                1 + i / 200,
                4 + i % 200
            )
        })
        .collect();
    let text = format!(
        r#"Scenario(
    vnets: [(name: "v", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "s", prefix: "10.0.0.0/16")])],
    workloads: [{workloads}],
    questions: [
        ForAllTraces(from: Workloads(), to: Workloads(), expect: (verdict: Delivered, not_via: ["v"])),
    ],
)"#
    );
    let Err(err) = load_str("big.ron", &text) else {
        panic!("accepted {n} x {n} cases")
    };
    let [d] = err.diagnostics() else {
        panic!("{err}")
    };
    assert_eq!(d.line, 5, "{d}");
    // Under the bound, the same shape loads.
    let smaller = text.replacen("to: Workloads()", r#"to: Workloads(name: "w1")"#, 1);
    assert!(load_str("small.ron", &smaller).is_ok());
}

#[test]
fn a_checked_question_is_typed_data_with_names_resolved() {
    use azpath_engine::expect::{Asked, Client};
    use azpath_engine::model::FlowProtocol;
    let loaded = load(r#"Trace(from: "vm", to: "10.0.2.4", expect: (verdict: Delivered))"#);
    let report = check(&loaded.network, loaded.dataplane());
    assert_eq!(
        report.results[0].question,
        Asked::Trace {
            from: Client::Workload { name: "vm".into() },
            to: "10.0.2.4".into(),
            protocol: FlowProtocol::Tcp,
            port: DEFAULT_PORT,
            flow: azpath_engine::scenario::FlowState::New,
            verdict: VerdictName::Delivered,
        }
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["results"][0]["question"]["question"], "Trace");
    assert_eq!(json["results"][0]["question"]["from"]["name"], "vm");
}
