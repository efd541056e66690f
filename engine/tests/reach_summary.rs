//! `reach --summary` counts what the expanded matrix holds: its counts per verdict and per
//! source and destination group equal counting, pair by pair, the verdicts of traces that keep
//! every decision's evidence.

use std::collections::BTreeMap;
use std::net::IpAddr;

use azpath_engine::analysis::generate::{estate_shaped, EstateShape, EstateSize};
use azpath_engine::analysis::reach::summary::{by_group, GroupBy};
use azpath_engine::analysis::reach::{reach, Destinations, ReachRequest};
use azpath_engine::load_str;
use azpath_engine::model::{FlowProtocol, Network, SubnetId, TraceSource, TraceTarget};
use azpath_engine::scenario::MAX_FILE_BYTES;
use azpath_engine::trace::{trace_to, Probe};

type Counts = BTreeMap<(String, String, String), u64>;

fn group(net: &Network, subnet: SubnetId, by: GroupBy) -> String {
    let vnet = net.subnet(subnet).and_then(|s| net.vnet(s.vnet)).unwrap();
    match by {
        GroupBy::Region => vnet.region.clone(),
        GroupBy::Vnet => vnet.name.clone(),
    }
}

#[test]
fn the_summary_equals_counting_every_pair_traced_with_its_evidence() {
    let text = estate_shaped(
        EstateSize {
            regions: 2,
            spokes_per_region: 3,
            subnets_per_spoke: 3,
            private_endpoints: 12,
            nsg_rules: 10,
            seed: 7,
        },
        EstateShape {
            hub_private_endpoints: 4,
            ..EstateShape::default()
        },
        MAX_FILE_BYTES,
    )
    .unwrap();
    let loaded = load_str("estate.ron", &text).unwrap();
    let (net, dp) = (&loaded.network, loaded.dataplane());
    for (port, destinations) in [
        (443, Destinations::PrivateEndpoints),
        (443, Destinations::Everything),
        (22, Destinations::Everything),
    ] {
        let request = ReachRequest {
            protocol: FlowProtocol::Tcp,
            port,
            source_port: 50000,
            destinations,
            sites: false,
        };
        let answer = reach(net, dp, &request);
        // Every destination: (subnet, address, which NIC).
        let mut targets: Vec<(SubnetId, IpAddr, Option<usize>)> = Vec::new();
        if destinations == Destinations::Everything {
            for (i, w) in net.workloads.iter().enumerate() {
                targets.push((w.subnet, w.ip, Some(i)));
            }
        }
        for p in net.private_endpoints.iter() {
            targets.push((p.subnet, p.ip, None));
        }
        for by in [GroupBy::Region, GroupBy::Vnet] {
            let mut traced = Counts::new();
            let mut per_verdict: BTreeMap<String, u64> = BTreeMap::new();
            for (i, (w, s)) in net.workloads.ids().zip(net.workloads.iter()).enumerate() {
                for &(subnet, ip, nic) in &targets {
                    if nic == Some(i) {
                        continue;
                    }
                    let probe = Probe {
                        protocol: FlowProtocol::Tcp,
                        port,
                        source_port: 50000,
                        host: None,
                    };
                    let full = trace_to(
                        net,
                        dp,
                        TraceSource::Workload(w),
                        &TraceTarget::Address(ip),
                        probe,
                    )
                    .unwrap();
                    let name = full.verdict.name().to_string();
                    *per_verdict.entry(name.clone()).or_default() += 1;
                    let key = (group(net, s.subnet, by), group(net, subnet, by), name);
                    *traced.entry(key).or_default() += 1;
                }
            }
            let mut summed = Counts::new();
            for g in by_group(net, &answer, by) {
                for (verdict, n) in &g.verdicts {
                    let key = (g.source.clone(), g.destination.clone(), verdict.clone());
                    *summed.entry(key).or_default() += n;
                }
                assert_eq!(g.pairs, g.verdicts.values().sum::<u64>());
            }
            let what = format!("port {port}, {destinations:?}, {by:?}");
            assert!(
                per_verdict.len() >= 2,
                "{what}: the estate should give several verdicts"
            );
            assert_eq!(summed, traced, "{what}");
            assert_eq!(answer.summary.verdicts, per_verdict, "{what}");
            assert_eq!(
                answer.summary.pairs,
                per_verdict.values().sum::<u64>(),
                "{what}"
            );
        }
    }
}
