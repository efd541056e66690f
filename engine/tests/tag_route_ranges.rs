//! A route naming a service tag declared with no prefixes covers nothing in the model, while in
//! Azure it covers the tag's ranges: a trace routed by that table states so.

use azpath_engine::model::{FlowProtocol, NicRef};
use azpath_engine::trace::{trace, Assumption, TraceRequest, Verdict};

use crate::support::load;

const TAGGED: &str = r#"Scenario(
    vnets: [(name: "v", region: "r", address_space: ["10.0.0.0/16"], subnets: [
        (name: "app", prefix: "10.0.1.0/24", route_table: "rt"),
        (name: "other", prefix: "10.0.2.0/24"),
    ])],
    service_tags: [(name: "Storage", prefixes: [PREFIXES])],
    route_tables: [(name: "rt", routes: [(name: "storage-direct", prefix: "Storage", next_hop: Internet)])],
    workloads: [(name: "vm", subnet: "v/app", ip: "10.0.1.4"), (name: "vm2", subnet: "v/other", ip: "10.0.2.4")],
)"#;

fn assumptions(prefixes: &str, from: &str) -> Vec<Assumption> {
    let loaded = load(&TAGGED.replace("PREFIXES", prefixes));
    let Some(NicRef::Workload(w)) = loaded.network.nic_by_name(from) else {
        panic!("{from}")
    };
    let request = TraceRequest {
        protocol: FlowProtocol::Tcp,
        destination: "20.60.0.10".parse().unwrap(),
        port: 443,
        source_port: 50000,
        host: None,
    };
    let t = trace(&loaded.network, loaded.dataplane(), w, request).unwrap();
    assert_eq!(t.verdict, Verdict::SentToInternet);
    t.assumptions.into_iter().map(|a| a.assumption).collect()
}

#[test]
fn a_route_naming_a_tag_declared_empty_makes_traces_from_its_subnets_state_it() {
    let stated = Assumption::ServiceTagRangesUnknown {
        tag: "Storage".into(),
        route: "storage-direct".into(),
    };
    assert!(assumptions("", "vm").contains(&stated));
    // A subnet without the table, and a tag whose ranges are declared, state nothing.
    assert!(!assumptions("", "vm2").contains(&stated));
    assert!(!assumptions(r#""20.60.0.0/16""#, "vm").contains(&stated));
}
