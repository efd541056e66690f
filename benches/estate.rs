//! Queries on generated estates (4 regions x N spokes x 8 subnets, 2 private endpoints and 30
//! NSG rules per spoke) at 1/8, 1/4, 1/2 and the full size of 1,000 spokes: the forwarding
//! look-up, the explained next hop, a trace across two regions' firewalls, loading the estate,
//! and the reachability matrix to every private endpoint. One query per iteration; look-ups
//! walk 2^20 pre-generated (subnet, address) pairs so no cache or predictor learns a short
//! cycle. Each group is named after the query, each bench after the number of spokes.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use azpath_engine::analysis::generate::{estate, estate_shaped, EstateShape, EstateSize};
use azpath_engine::analysis::reach::{reach, Destinations, ReachRequest};
use azpath_engine::model::{FlowProtocol, NicRef, SubnetId, TraceSource};
use azpath_engine::trace::{trace, trace_name, trace_verdict, Probe, TraceRequest};
use azpath_engine::{load_str, query, Loaded};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// Spokes per region at 1/8, 1/4, 1/2 and full size.
const SIZES: [usize; 4] = [32, 63, 125, 250];

fn size(spokes_per_region: usize) -> EstateSize {
    EstateSize {
        regions: 4,
        spokes_per_region,
        subnets_per_spoke: 8,
        private_endpoints: 4 * spokes_per_region * 2,
        nsg_rules: 30,
        seed: 1,
    }
}

/// Each size's scenario text and loaded estate.
fn estates() -> Vec<(usize, String, Loaded)> {
    SIZES
        .iter()
        .filter_map(|&spokes| {
            let text = estate(size(spokes)).ok()?;
            let loaded = load_str("estate.ron", &text).ok()?;
            Some((4 * spokes, text, loaded))
        })
        .collect()
}

/// SplitMix64, for reproducible probes.
fn mix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// 2^20 (subnet, destination) pairs: half to private endpoints, half anywhere in 10.0.0.0/8.
fn probes(loaded: &Loaded) -> Vec<(SubnetId, IpAddr)> {
    let net = &loaded.network;
    let subnets: Vec<SubnetId> = net.subnets.ids().collect();
    let mut seed = 7u64;
    (0..1 << 20)
        .filter_map(|_| {
            let subnet = *subnets.get((mix(&mut seed) % subnets.len() as u64) as usize)?;
            let dst = if mix(&mut seed).is_multiple_of(2) {
                let pe = (mix(&mut seed) % net.private_endpoints.len() as u64) as usize;
                net.private_endpoints
                    .iter()
                    .nth(pe)
                    .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |p| p.ip)
            } else {
                IpAddr::V4(Ipv4Addr::from(
                    0x0a00_0000 | (mix(&mut seed) as u32 & 0x00ff_ffff),
                ))
            };
            Some((subnet, dst))
        })
        .collect()
}

fn probe(probes: &[(SubnetId, IpAddr)], i: &mut usize) -> Option<(SubnetId, IpAddr)> {
    *i = (*i + 1) & ((1 << 20) - 1);
    probes.get(*i).copied()
}

fn queries(c: &mut Criterion) {
    let estates = estates();
    let mut lookup = c.benchmark_group("lookup");
    lookup.throughput(Throughput::Elements(1));
    for (spokes, _, loaded) in &estates {
        let (dp, probes) = (loaded.dataplane(), probes(loaded));
        let mut i = 0usize;
        lookup.bench_function(BenchmarkId::from_parameter(spokes), |b| {
            b.iter(|| {
                black_box(probe(&probes, &mut i).and_then(|(subnet, dst)| {
                    dp.routes(subnet)
                        .and_then(|t| t.best(dst))
                        .map(|r| r.next_hop)
                }))
            })
        });
    }
    lookup.finish();
    let mut explained = c.benchmark_group("next_hop_explained");
    explained.throughput(Throughput::Elements(1));
    for (spokes, _, loaded) in &estates {
        let (net, dp, probes) = (&loaded.network, loaded.dataplane(), probes(loaded));
        let mut i = 0usize;
        explained.bench_function(BenchmarkId::from_parameter(spokes), |b| {
            b.iter(|| {
                black_box(
                    probe(&probes, &mut i)
                        .map(|(subnet, dst)| query::next_hop(net, dp, subnet, dst)),
                )
            })
        });
    }
    explained.finish();
    // From a workload in region 0 to a private endpoint in region 3: two firewalls, a global
    // peering, and the reply back.
    let mut traces = c.benchmark_group("trace_across_two_firewalls");
    traces.throughput(Throughput::Elements(1));
    for (spokes, _, loaded) in &estates {
        let (net, dp) = (&loaded.network, loaded.dataplane());
        let (Some(NicRef::Workload(from)), Some(pe)) =
            (net.nic_by_name("vm-0-0"), net.private_endpoints.last())
        else {
            continue;
        };
        let fqdn = pe
            .service
            .and_then(|s| net.services.get(s))
            .map(|s| s.fqdn.clone());
        let request = TraceRequest {
            protocol: FlowProtocol::Tcp,
            destination: pe.ip,
            port: 443,
            source_port: 50000,
            host: fqdn.clone(),
        };
        traces.bench_function(BenchmarkId::from_parameter(spokes), |b| {
            b.iter(|| black_box(trace(net, dp, from, request.clone())))
        });
    }
    traces.finish();
    // The same flow by name: resolution (the public CNAME into the privatelink zone linked to
    // the spoke), then the trace; and the evidence-free walk the matrix uses.
    let mut named = c.benchmark_group("trace_by_name_across_two_firewalls");
    named.throughput(Throughput::Elements(1));
    for (spokes, _, loaded) in &estates {
        let (net, dp) = (&loaded.network, loaded.dataplane());
        let (Some(NicRef::Workload(from)), Some(fqdn)) = (
            net.nic_by_name("vm-0-0"),
            net.services.last().map(|s| s.fqdn.clone()),
        ) else {
            continue;
        };
        let request = Probe {
            protocol: FlowProtocol::Tcp,
            port: 443,
            source_port: 50000,
            host: None,
        };
        let source = TraceSource::Workload(from);
        named.bench_function(BenchmarkId::from_parameter(spokes), |b| {
            b.iter(|| black_box(trace_name(net, dp, source, &fqdn, request.clone())))
        });
    }
    named.finish();
    let mut lean = c.benchmark_group("trace_verdict_across_two_firewalls");
    lean.throughput(Throughput::Elements(1));
    for (spokes, _, loaded) in &estates {
        let (net, dp) = (&loaded.network, loaded.dataplane());
        let (Some(NicRef::Workload(from)), Some(pe)) =
            (net.nic_by_name("vm-0-0"), net.private_endpoints.last())
        else {
            continue;
        };
        let request = TraceRequest {
            protocol: FlowProtocol::Tcp,
            destination: pe.ip,
            port: 443,
            source_port: 50000,
            host: pe
                .service
                .and_then(|s| net.services.get(s))
                .map(|s| s.fqdn.clone()),
        };
        let source = TraceSource::Workload(from);
        lean.bench_function(BenchmarkId::from_parameter(spokes), |b| {
            b.iter(|| black_box(trace_verdict(net, dp, source, request.clone())))
        });
    }
    lean.finish();
}

fn loading(c: &mut Criterion) {
    let mut group = c.benchmark_group("load_validate_compile");
    group.sample_size(10);
    for (spokes, text, _) in estates() {
        group.throughput(Throughput::Elements((4 * 2 + spokes * 8) as u64));
        group.bench_with_input(BenchmarkId::from_parameter(spokes), &text, |b, text| {
            b.iter(|| black_box(load_str("estate.ron", text).map(|l| l.network.subnets.len())))
        });
    }
    group.finish();
}

/// Tenant-scale estates: 2, 4, 8 and 16 regions of 250 spokes with 8 subnets each and 500
/// private endpoints per region, a quarter of them centralised in the hubs (the largest is the
/// tenant estate: 32,008 subnets and 8,000 endpoints, 2,000 in the hubs). Throughput in subnets.
fn tenant(c: &mut Criterion) {
    let mut group = c.benchmark_group("tenant_load_validate_compile");
    group.sample_size(10);
    for regions in [2, 4, 8, 16] {
        let size = EstateSize {
            regions,
            spokes_per_region: 250,
            subnets_per_spoke: 8,
            private_endpoints: regions * 500,
            nsg_rules: 10,
            seed: 1,
        };
        let shape = EstateShape {
            hub_private_endpoints: regions * 125,
            ..EstateShape::default()
        };
        let Ok(text) = estate_shaped(size, shape, usize::MAX) else {
            continue;
        };
        group.throughput(Throughput::Elements((regions * (2 + 250 * 8)) as u64));
        group.bench_with_input(BenchmarkId::from_parameter(regions), &text, |b, text| {
            b.iter(|| black_box(load_str("tenant.ron", text).map(|l| l.network.subnets.len())))
        });
    }
    group.finish();
}

/// Every workload to every private endpoint on port 443; throughput in pairs.
fn matrix(c: &mut Criterion) {
    let mut group = c.benchmark_group("reach_to_private_endpoints");
    group.sample_size(10);
    let request = ReachRequest {
        protocol: FlowProtocol::Tcp,
        port: 443,
        source_port: 50000,
        destinations: Destinations::PrivateEndpoints,
        sites: false,
    };
    for (spokes, _, loaded) in estates() {
        let (net, dp) = (&loaded.network, loaded.dataplane());
        let pairs = (net.workloads.len() * net.private_endpoints.len()) as u64;
        group.throughput(Throughput::Elements(pairs));
        group.bench_function(BenchmarkId::from_parameter(spokes), |b| {
            b.iter(|| black_box(reach(net, dp, &request).summary.traced))
        });
    }
    group.finish();
}

criterion_group!(benches, queries, loading, matrix, tenant);
criterion_main!(benches);
