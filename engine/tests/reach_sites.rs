//! On-premises sites in the reachability matrix: each site is a source (a client at its default
//! address, as `trace --from SITE`) and a destination (that address); every pair's verdict is the
//! one tracing it on its own gives, and the summary groups sites as `on-premises`.

use std::collections::BTreeMap;
use std::path::Path;

use azpath_engine::analysis::reach::summary::{by_group, GroupBy};
use azpath_engine::analysis::reach::{reach, Destinations, ReachRequest};
use azpath_engine::model::{FlowProtocol, NicRef, TraceSource, TraceTarget};
use azpath_engine::trace::{trace_to, Probe};
use azpath_engine::{load_file, Loaded};

fn request(destinations: Destinations, sites: bool) -> ReachRequest {
    ReachRequest {
        protocol: FlowProtocol::Tcp,
        port: 443,
        source_port: 50000,
        destinations,
        sites,
    }
}

fn lesson() -> Loaded {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    load_file(&root.join("scenarios/hybrid/gateway-transit-and-what-is-advertised.ron")).unwrap()
}

fn source_of(loaded: &Loaded, name: &str, ip: std::net::IpAddr) -> TraceSource {
    let net = &loaded.network;
    if let Some(site) = net.site_by_name(name) {
        return TraceSource::Site(site, ip);
    }
    match net.nic_by_name(name) {
        Some(NicRef::Workload(w)) => TraceSource::Workload(w),
        other => panic!("no source {name}: {other:?}"),
    }
}

#[test]
fn sites_are_sources_and_destinations_and_each_pair_answers_as_its_own_trace() {
    let loaded = lesson();
    let (net, dp) = (&loaded.network, loaded.dataplane());
    let answer = reach(net, dp, &request(Destinations::Everything, true));
    let site_names: Vec<&str> = net.sites.iter().map(|s| s.name.as_str()).collect();
    assert!(site_names.len() >= 2);
    for name in &site_names {
        assert!(answer.sources.iter().any(|e| e.site && e.name == *name));
        assert!(answer
            .destinations
            .iter()
            .any(|e| e.site && e.name == *name));
    }
    let probe = Probe {
        protocol: FlowProtocol::Tcp,
        port: 443,
        source_port: 50000,
        host: None,
    };
    let mut from_sites = 0;
    for row in answer.rows() {
        assert_ne!(
            row.source, row.destination,
            "a site is never its own destination"
        );
        let source_ip = answer
            .sources
            .iter()
            .find(|e| e.name == row.source)
            .map(|e| e.ip)
            .unwrap();
        let from = source_of(&loaded, row.source, source_ip);
        from_sites += usize::from(matches!(from, TraceSource::Site(..)));
        let target = TraceTarget::Address(row.destination_ip);
        let alone = trace_to(net, dp, from, &target, probe.clone())
            .unwrap()
            .verdict;
        assert_eq!(*row.verdict, alone, "{} -> {}", row.source, row.destination);
    }
    assert!(from_sites > 0);
    // The site's ranges the gateway never advertises (spoke B) are refused at the site.
    assert!(answer
        .rows()
        .any(|r| site_names.contains(&r.source) && r.verdict.name() == "NotRoutedFromSite"));
}

#[test]
fn without_sites_the_matrix_is_the_workloads_alone() {
    let loaded = lesson();
    let (net, dp) = (&loaded.network, loaded.dataplane());
    let with = reach(net, dp, &request(Destinations::Everything, true));
    let without = reach(net, dp, &request(Destinations::Everything, false));
    assert!(without
        .sources
        .iter()
        .chain(&without.destinations)
        .all(|e| !e.site));
    let kept: Vec<_> = with
        .rows()
        .filter(|r| {
            !net.sites
                .iter()
                .any(|s| s.name == r.source || s.name == r.destination)
        })
        .map(|r| {
            (
                r.source.to_string(),
                r.destination.to_string(),
                r.verdict.into_owned(),
            )
        })
        .collect();
    let plain: Vec<_> = without
        .rows()
        .map(|r| {
            (
                r.source.to_string(),
                r.destination.to_string(),
                r.verdict.into_owned(),
            )
        })
        .collect();
    assert_eq!(kept, plain);
}

#[test]
fn towards_private_endpoints_sites_are_sources_only() {
    let loaded = lesson();
    let (net, dp) = (&loaded.network, loaded.dataplane());
    let answer = reach(net, dp, &request(Destinations::PrivateEndpoints, true));
    assert!(answer.sources.iter().any(|e| e.site));
    assert!(answer.destinations.iter().all(|e| !e.site));
}

#[test]
fn summary_groups_sites_as_on_premises_and_counts_every_pair() {
    let loaded = lesson();
    let (net, dp) = (&loaded.network, loaded.dataplane());
    let answer = reach(net, dp, &request(Destinations::Everything, true));
    for by in [GroupBy::Region, GroupBy::Vnet] {
        let groups = by_group(net, &answer, by);
        let total: u64 = groups.iter().map(|g| g.pairs).sum();
        assert_eq!(total, answer.summary.pairs, "{by:?} {groups:#?}");
        let mut seen: BTreeMap<String, u64> = BTreeMap::new();
        for g in &groups {
            *seen.entry(g.source.clone()).or_default() += g.pairs;
        }
        let site_group = |name: &str| match by {
            GroupBy::Region => "on-premises".to_string(),
            _ => format!("on-premises/{name}"),
        };
        for site in net.sites.iter() {
            let from_site = answer.rows().filter(|r| r.source == site.name).count() as u64;
            let key = site_group(&site.name);
            assert!(
                seen.get(&key).copied().unwrap_or(0) >= from_site,
                "{by:?} {key}"
            );
        }
    }
    // By region, the sites' pairs all fall in the on-premises group.
    let region = by_group(net, &answer, GroupBy::Region);
    let from_sites = answer
        .rows()
        .filter(|r| net.sites.iter().any(|s| s.name == r.source))
        .count() as u64;
    let counted: u64 = region
        .iter()
        .filter(|g| g.source == "on-premises")
        .map(|g| g.pairs)
        .sum();
    assert_eq!(counted, from_sites);
}
