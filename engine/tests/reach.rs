//! The reachability matrix agrees with tracing each pair on its own, and grouping groups; the
//! shared route tables are the tables each subnet would compile alone.

use std::path::Path;

use azpath_engine::analysis::generate::{estate, EstateSize};
use azpath_engine::analysis::reach::{reach, Destinations, ReachAnswer, ReachRequest, ReachRun};
use azpath_engine::dataplane::DataPlane;
use azpath_engine::filter::TagScope;
use azpath_engine::model::{FlowProtocol, Network, NicRef, TraceSource, TraceTarget};
use azpath_engine::route::RouteTableView;
use azpath_engine::trace::{trace_to, Probe, Verdict};
use azpath_engine::{load_file, load_str, Loaded};

fn request(port: u16, destinations: Destinations) -> ReachRequest {
    ReachRequest {
        protocol: FlowProtocol::Tcp,
        port,
        source_port: 50000,
        destinations,
        sites: false,
    }
}

/// The verdict of tracing `source` to `destination`'s address on its own, as `azpath trace`
/// does (no `--host`).
fn alone(net: &Network, dp: &DataPlane, source: &str, to: std::net::IpAddr, port: u16) -> Verdict {
    let Some(NicRef::Workload(w)) = net.nic_by_name(source) else {
        panic!("no workload {source}")
    };
    let request = Probe {
        protocol: FlowProtocol::Tcp,
        port,
        source_port: 50000,
        host: None,
    };
    let target = TraceTarget::Address(to);
    trace_to(net, dp, TraceSource::Workload(w), &target, request)
        .unwrap()
        .verdict
}

/// SplitMix64, for a reproducible sample.
fn mix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Checks `sample` pairs of the matrix (every pair when `None`) against their own traces, and
/// that the matrix holds every pair exactly once.
fn agrees(loaded: &Loaded, answer: &ReachAnswer, sample: Option<usize>, what: &str) {
    let (net, dp) = (&loaded.network, loaded.dataplane());
    let rows: Vec<_> = answer.rows().collect();
    assert_eq!(rows.len() as u64, answer.summary.pairs, "{what}");
    let expected_pairs: usize = answer
        .sources
        .iter()
        .map(|s| {
            answer
                .destinations
                .iter()
                .filter(|d| !s.same_nic(d))
                .count()
        })
        .sum();
    assert_eq!(rows.len(), expected_pairs, "{what}");
    let counted: u64 = answer.summary.verdicts.values().sum();
    assert_eq!(counted, answer.summary.pairs, "{what}");
    let mut seed = 42u64;
    let picks: Vec<usize> = match sample {
        Some(n) if n < rows.len() => (0..n)
            .map(|_| (mix(&mut seed) % rows.len() as u64) as usize)
            .collect(),
        _ => (0..rows.len()).collect(),
    };
    for i in picks {
        let row = &rows[i];
        let own = alone(net, dp, row.source, row.destination_ip, answer.request.port);
        assert_eq!(
            *row.verdict, own,
            "{what}: {} -> {} ({})",
            row.source, row.destination, row.destination_ip
        );
    }
}

fn generated(seed: u64) -> Loaded {
    let text = estate(EstateSize {
        regions: 2,
        spokes_per_region: 4,
        subnets_per_spoke: 4,
        private_endpoints: 20,
        nsg_rules: 12,
        seed,
    })
    .unwrap();
    load_str("estate.ron", &text).unwrap()
}

#[test]
fn the_matrix_agrees_with_tracing_a_sample_of_pairs_on_their_own() {
    for (seed, port) in [(1, 443), (2, 22), (3, 80), (4, 1433)] {
        let loaded = generated(seed);
        let answer = reach(
            &loaded.network,
            loaded.dataplane(),
            &request(port, Destinations::Everything),
        );
        agrees(
            &loaded,
            &answer,
            Some(1000),
            &format!("seed {seed} port {port}"),
        );
    }
}

#[test]
fn grouping_traces_one_pair_per_class_pair() {
    let loaded = generated(1);
    let net = &loaded.network;
    let answer = reach(
        net,
        loaded.dataplane(),
        // HTTPS, which every endpoint's service serves: a port a service does not listen on
        // names the service, and such pairs are traced one by one.
        &request(443, Destinations::PrivateEndpoints),
    );
    let s = &answer.summary;
    // Each spoke's three app subnets share a table and an NSG, so its workloads are alike;
    // each spoke's endpoints are alike too.
    assert_eq!(s.source_classes, 8, "{s:?}");
    assert_eq!(s.destination_classes, 8, "{s:?}");
    assert_eq!(answer.sources.len(), net.workloads.len());
    assert_eq!(answer.destinations.len(), net.private_endpoints.len());
    assert_eq!(
        s.pairs,
        (net.workloads.len() * net.private_endpoints.len()) as u64
    );
    assert!(s.traced <= 64 && s.traced * 5 < s.pairs, "{s:?}");
    assert!(s.verdicts.len() > 1, "a dull matrix proves little: {s:?}");
}

/// Two workloads in one subnet; the subnet's NSG denies HTTPS out from one address only.
const TWINS: &str = r#"Scenario(
    vnets: [
        (name: "hub", region: "r", address_space: ["10.0.0.0/16"], subnets: [(name: "pe", prefix: "10.0.2.0/24")]),
        (name: "spoke", region: "r", address_space: ["10.1.0.0/16"], subnets: [
            (name: "app", prefix: "10.1.1.0/24", nsg: "app"),
            (name: "web", prefix: "10.1.2.0/24", nsg: "web"),
        ]),
    ],
    peerings: [(between: ("hub", "spoke"))],
    nsgs: [
        (name: "app", rules: [(name: "no-https-from-b", priority: 100, direction: Outbound, access: Deny, protocol: Tcp, source: ["10.1.1.5"], destination_ports: ["443"])]),
        (name: "web", rules: [(name: "no-https-in", priority: 100, direction: Inbound, access: Deny, protocol: Tcp, source: ["10.1.1.0/24"], destination_ports: ["443"])]),
    ],
    private_endpoints: [(name: "pe-1", subnet: "hub/pe", ip: "10.0.2.4"), (name: "pe-2", subnet: "hub/pe", ip: "10.0.2.5")],
    workloads: [
        (name: "vm-a", subnet: "spoke/app", ip: "10.1.1.4"),
        (name: "vm-b", subnet: "spoke/app", ip: "10.1.1.5"),
        (name: "vm-c", subnet: "spoke/app", ip: "10.1.1.6"),
        (name: "w1", subnet: "spoke/web", ip: "10.1.2.4"),
        (name: "w2", subnet: "spoke/web", ip: "10.1.2.5"),
    ],
)"#;

#[test]
fn workloads_that_differ_only_by_an_nsg_rule_on_the_source_address_are_told_apart() {
    let loaded = load_str("twins.ron", TWINS).unwrap();
    let answer = reach(
        &loaded.network,
        loaded.dataplane(),
        &request(443, Destinations::Everything),
    );
    agrees(&loaded, &answer, None, "twins");
    let class = |name: &str| {
        answer
            .sources
            .iter()
            .find(|s| s.name == name)
            .unwrap()
            .class
    };
    assert_eq!(class("vm-a"), class("vm-c"));
    assert_ne!(class("vm-a"), class("vm-b"));
    let verdict = |from: &str, to: &str| {
        answer
            .rows()
            .find(|r| r.source == from && r.destination == to)
            .unwrap()
            .verdict
            .into_owned()
    };
    assert_eq!(verdict("vm-a", "pe-1"), Verdict::Delivered);
    assert_eq!(verdict("vm-b", "pe-1").name(), "DroppedByNsg");
    // The web NSG drops at whichever web workload is the destination.
    assert!(matches!(verdict("vm-a", "w2"), Verdict::DroppedByNsg { nic, .. } if nic == "w2"));
    assert!(matches!(verdict("vm-c", "w1"), Verdict::DroppedByNsg { nic, .. } if nic == "w1"));
    assert_eq!(answer.summary.traced_one_by_one, 0, "{:?}", answer.summary);
}

fn scenario_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            scenario_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "ron") {
            out.push(path);
        }
    }
}

fn bundled() -> Vec<Loaded> {
    let mut files = Vec::new();
    scenario_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios"),
        &mut files,
    );
    files.sort();
    files.iter().map(|f| load_file(f).unwrap()).collect()
}

#[test]
fn on_every_bundled_scenario_the_matrix_agrees_with_every_trace() {
    for loaded in bundled() {
        for port in [22, 80, 443] {
            let answer = reach(
                &loaded.network,
                loaded.dataplane(),
                &request(port, Destinations::Everything),
            );
            agrees(
                &loaded,
                &answer,
                None,
                &format!("{} port {port}", &loaded.source.name),
            );
        }
    }
}

#[test]
fn the_matrix_is_the_same_however_the_work_is_scheduled() {
    let loaded = generated(5);
    let run = || {
        let answer = reach(
            &loaded.network,
            loaded.dataplane(),
            &request(22, Destinations::Everything),
        );
        serde_json::to_string(&answer).unwrap()
    };
    let first = run();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    assert_eq!(first, pool.install(run));
    assert_eq!(first, run());
    let back: ReachAnswer = serde_json::from_str(&first).unwrap();
    assert_eq!(serde_json::to_string(&back).unwrap(), first);
}

/// Every subnet's shared table and tag scope, against what it compiles alone.
fn shared_tables_match(loaded: &Loaded, what: &str) {
    let (net, dp) = (&loaded.network, loaded.dataplane());
    for (subnet, named) in net.subnets.iter_ids() {
        let own = RouteTableView::compile(net, subnet).unwrap();
        let shared = dp.routes(subnet).unwrap();
        assert_eq!(
            serde_json::to_string(shared).unwrap(),
            serde_json::to_string(&own).unwrap(),
            "{what}: {}",
            named.name
        );
        let scope = TagScope::for_subnet(net, Some(&own), subnet);
        assert_eq!(
            serde_json::to_string(dp.tag_scope(subnet).unwrap()).unwrap(),
            serde_json::to_string(&scope).unwrap(),
            "{what}: {}",
            named.name
        );
    }
}

#[test]
fn subnets_share_a_table_only_when_it_is_the_table_they_would_compile_alone() {
    for loaded in bundled() {
        shared_tables_match(&loaded, &loaded.source.name);
    }
    let loaded = generated(1);
    shared_tables_match(&loaded, "estate");
    // Per spoke, all four subnets share one table; each hub's two subnets differ.
    assert_eq!(loaded.dataplane().distinct_tables(), 8 + 2 * 2);
}

/// Three private endpoints of one service in one subnet, and two clients.
const ENDPOINTS_OF_ONE_SERVICE: &str = r#"Scenario(
    vnets: [
        (name: "hub", region: "r", address_space: ["10.0.0.0/16"], subnets: [(name: "pe", prefix: "10.0.2.0/24")]),
        (name: "spoke", region: "r", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24")]),
    ],
    peerings: [(between: ("hub", "spoke"))],
    services: [(name: "aoai", kind: OpenAI, fqdn: "contoso-aoai.openai.azure.com", public_ip: "20.42.0.10")],
    private_endpoints: [
        (name: "pe-1", subnet: "hub/pe", ip: "10.0.2.4", target: "aoai"),
        (name: "pe-2", subnet: "hub/pe", ip: "10.0.2.5", target: "aoai"),
        (name: "pe-3", subnet: "hub/pe", ip: "10.0.2.6", target: "aoai"),
    ],
    workloads: [
        (name: "vm-a", subnet: "spoke/app", ip: "10.1.1.4"),
        (name: "vm-b", subnet: "spoke/app", ip: "10.1.1.5"),
    ],
)"#;

/// Azure: "Azure Private Endpoint DNS configuration": the service's certificate names its FQDN,
/// not an endpoint's address. Connecting by address fails the name check with the address the
/// client used, and endpoints alike in all else still share one trace.
#[test]
fn endpoints_of_one_service_reached_by_address_share_one_trace_each_mismatch_naming_its_own_address(
) {
    let loaded = load_str("endpoints.ron", ENDPOINTS_OF_ONE_SERVICE).unwrap();
    let answer = reach(
        &loaded.network,
        loaded.dataplane(),
        &request(443, Destinations::PrivateEndpoints),
    );
    agrees(&loaded, &answer, None, "endpoints of one service");
    let rows: Vec<_> = answer.rows().collect();
    assert_eq!(rows.len(), 6);
    for row in &rows {
        assert_eq!(
            *row.verdict,
            Verdict::TlsNameMismatch {
                name: row.destination_ip.to_string(),
                certificate: vec!["*.openai.azure.com".into()],
            },
            "{} -> {}",
            row.source,
            row.destination
        );
    }
    let s = &answer.summary;
    assert_eq!((s.source_classes, s.destination_classes), (1, 1), "{s:?}");
    assert_eq!((s.traced, s.traced_one_by_one), (1, 0), "{s:?}");
}

/// A row as owned values, to compare rows from two runs.
fn owned(row: &azpath_engine::analysis::reach::ReachRow<'_>) -> (String, String, Verdict) {
    (
        row.source.to_string(),
        row.destination.to_string(),
        row.verdict.clone().into_owned(),
    )
}

/// The rows a streamed run hands over are the rows of the finished answer, in the same order,
/// with the same filter, and the answer is the one `reach` gives.
fn streams_the_expanded_rows(loaded: &Loaded, request: &ReachRequest, what: &str) {
    let (net, dp) = (&loaded.network, loaded.dataplane());
    let whole = reach(net, dp, request);
    let filters: [fn(&Verdict) -> bool; 2] = [|_| true, |v| !v.is_success()];
    for keep in filters {
        let mut streamed = Vec::new();
        let answer = ReachRun::new(net, dp, request)
            .stream(&mut |_| {}, keep, |row| {
                streamed.push(owned(&row));
                Ok::<(), ()>(())
            })
            .unwrap();
        let expanded: Vec<_> = whole.rows_where(keep).map(|r| owned(&r)).collect();
        assert_eq!(streamed, expanded, "{what}");
        assert_eq!(answer.summary, whole.summary, "{what}");
        assert_eq!(answer.cells, whole.cells, "{what}");
        assert_eq!(answer.one_by_one, whole.one_by_one, "{what}");
    }
}

#[test]
fn streamed_rows_are_the_expanded_rows_in_order_on_every_bundled_scenario() {
    for loaded in bundled() {
        for destinations in [Destinations::Everything, Destinations::PrivateEndpoints] {
            let what = format!("{} {destinations:?}", loaded.network.title);
            streams_the_expanded_rows(&loaded, &request(443, destinations), &what);
        }
    }
    let loaded = generated(3);
    streams_the_expanded_rows(
        &loaded,
        &request(443, Destinations::Everything),
        "generated",
    );
}

/// The first rows are handed over after the first chunk of class pairs, long before the last.
#[test]
fn rows_stream_before_the_matrix_is_done() {
    let text = estate(EstateSize {
        regions: 4,
        spokes_per_region: 40,
        subnets_per_spoke: 2,
        private_endpoints: 160,
        nsg_rules: 3,
        seed: 5,
    })
    .unwrap();
    let loaded = load_str("g.ron", &text).unwrap();
    let (net, dp) = (&loaded.network, loaded.dataplane());
    let progress = std::cell::Cell::new(0usize);
    let mut at_first_row = None;
    let answer = ReachRun::new(net, dp, &request(443, Destinations::Everything))
        .stream(
            &mut |_| progress.set(progress.get() + 1),
            |_| true,
            |_| {
                at_first_row.get_or_insert(progress.get());
                Ok::<(), ()>(())
            },
        )
        .unwrap();
    let chunks = progress.get();
    assert!(chunks > 1, "the estate needs several chunks: {chunks}");
    assert_eq!(at_first_row, Some(1), "{} class pairs", answer.cells.len());
}

/// A sink that fails stops the matrix and its error comes back.
#[test]
fn a_failing_sink_stops_the_matrix_with_its_error() {
    let loaded = generated(4);
    let (net, dp) = (&loaded.network, loaded.dataplane());
    let mut rows = 0;
    let out = ReachRun::new(net, dp, &request(443, Destinations::Everything)).stream(
        &mut |_| {},
        |_| true,
        |_| {
            rows += 1;
            if rows == 3 {
                Err("closed")
            } else {
                Ok(())
            }
        },
    );
    assert_eq!(out.err(), Some("closed"));
    assert_eq!(rows, 3);
}
