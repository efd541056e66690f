//! Longest-prefix match: the engine's trie against the linear-scan reference, on tables of 400
//! (Azure's route-table limit), 4,000 and 100,000 random IPv4 prefixes. One look-up per
//! iteration over 2^20 distinct pre-generated addresses, so neither cache nor branch predictor
//! can learn a short cycle.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use azpath_engine::route::{LinearLpm, Lpm, TrieLpm};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ipnet::{IpNet, Ipv4Net};

/// A small deterministic generator (xorshift64*), so runs compare like with like.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn prefixes(n: usize, rng: &mut Rng) -> Vec<IpNet> {
    (0..n)
        .map(|_| {
            let bits = rng.next();
            let len = 8 + (bits % 25) as u8; // /8 ..= /32
            let addr = Ipv4Addr::from((bits >> 32) as u32);
            IpNet::V4(
                Ipv4Net::new(addr, len)
                    .map(|n| n.trunc())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn addresses(rng: &mut Rng) -> Vec<IpAddr> {
    (0..1 << 20)
        .map(|_| IpAddr::V4(Ipv4Addr::from(rng.next() as u32)))
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let addrs = addresses(&mut rng);
    let mut group = c.benchmark_group("lpm");
    group.throughput(Throughput::Elements(1));
    for n in [400usize, 4_000, 100_000] {
        let table = prefixes(n, &mut rng);
        let mut trie = TrieLpm::default();
        let mut linear = LinearLpm::default();
        for (i, p) in table.iter().enumerate() {
            trie.insert(*p, i);
            linear.insert(*p, i);
        }
        let mut i = 0usize;
        group.bench_with_input(BenchmarkId::new("trie", n), &n, |b, _| {
            b.iter(|| {
                i = (i + 1) & ((1 << 20) - 1);
                black_box(
                    trie.longest_match(black_box(
                        addrs
                            .get(i)
                            .copied()
                            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
                    )),
                )
                .map(|(p, _)| p)
            })
        });
        if n <= 4_000 {
            let mut j = 0usize;
            group.bench_with_input(BenchmarkId::new("linear", n), &n, |b, _| {
                b.iter(|| {
                    j = (j + 1) & ((1 << 20) - 1);
                    black_box(
                        linear.longest_match(black_box(
                            addrs
                                .get(j)
                                .copied()
                                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
                        )),
                    )
                    .map(|(p, _)| p)
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
