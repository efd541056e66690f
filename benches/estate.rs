//! Queries on a generated estate (4 regions x 250 spokes x 8 subnets, 2,000 private endpoints,
//! 1,000 NSGs of 30 rules): the forwarding look-up, the explained next hop, a trace across two
//! regions' firewalls, and loading the estate. One query per iteration; look-ups walk 2^20
//! pre-generated (subnet, address) pairs so no cache or predictor learns a short cycle.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use azpath_engine::analysis::generate::{estate, EstateSize};
use azpath_engine::model::{FlowProtocol, NicRef, SubnetId};
use azpath_engine::trace::{trace, TraceRequest};
use azpath_engine::{load_str, query};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

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

/// SplitMix64, for reproducible probes.
fn mix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn queries(c: &mut Criterion) {
    let text = estate(size(250)).unwrap_or_default();
    let Ok(loaded) = load_str("estate.ron", &text) else {
        return;
    };
    let net = &loaded.network;
    let dp = loaded.dataplane();
    let mut seed = 7u64;
    let probes: Vec<(SubnetId, IpAddr)> = (0..1 << 20)
        .map(|_| {
            let subnet = SubnetId((mix(&mut seed) % net.subnets.len() as u64) as usize);
            let dst = if mix(&mut seed).is_multiple_of(2) {
                let pe = (mix(&mut seed) % net.private_endpoints.len() as u64) as usize;
                net.private_endpoints
                    .get(pe)
                    .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |p| p.ip)
            } else {
                IpAddr::V4(Ipv4Addr::from(
                    0x0a00_0000 | (mix(&mut seed) as u32 & 0x00ff_ffff),
                ))
            };
            (subnet, dst)
        })
        .collect();
    let mut group = c.benchmark_group("estate");
    group.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    group.bench_function("lookup", |b| {
        b.iter(|| {
            i = (i + 1) & ((1 << 20) - 1);
            let (subnet, dst) = probes
                .get(i)
                .copied()
                .unwrap_or((SubnetId(0), IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
            black_box(
                dp.routes(subnet)
                    .and_then(|t| t.best(dst))
                    .map(|r| r.next_hop),
            )
        })
    });
    let mut j = 0usize;
    group.bench_function("next_hop_explained", |b| {
        b.iter(|| {
            j = (j + 1) & ((1 << 20) - 1);
            let (subnet, dst) = probes
                .get(j)
                .copied()
                .unwrap_or((SubnetId(0), IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
            black_box(query::next_hop(net, dp, subnet, dst))
        })
    });
    // From a workload in region 0 to a private endpoint in region 3: two firewalls, a global
    // peering, and the reply back.
    if let (Some(NicRef::Workload(from)), Some(pe)) =
        (net.nic_by_name("vm-0-0"), net.private_endpoints.last())
    {
        let request = TraceRequest {
            protocol: FlowProtocol::Tcp,
            destination: pe.ip,
            port: 443,
            source_port: 50000,
            host: None,
        };
        group.bench_function("trace_across_two_firewalls", |b| {
            b.iter(|| black_box(trace(net, dp, from, request.clone())))
        });
    }
    group.finish();
}

fn loading(c: &mut Criterion) {
    let mut group = c.benchmark_group("load_validate_compile");
    group.sample_size(10);
    for spokes in [32usize, 63, 125, 250] {
        let text = estate(size(spokes)).unwrap_or_default();
        group.throughput(Throughput::Elements((4 * 2 + 4 * spokes * 8) as u64));
        group.bench_with_input(BenchmarkId::from_parameter(4 * spokes), &text, |b, text| {
            b.iter(|| black_box(load_str("estate.ron", text).map(|l| l.network.subnets.len())))
        });
    }
    group.finish();
}

criterion_group!(benches, queries, loading);
criterion_main!(benches);
