//! The fix-suggestion search (diagnosis, every candidate applied, re-resolved, re-compiled,
//! re-traced and the scenario's questions re-checked) on the library's largest scenarios: the
//! cross-region private endpoint (the largest file) and the network-secured AI Foundry layout.
//! One search per iteration; the target is well under a second.

use std::hint::black_box;
use std::path::Path;

use azpath_engine::analysis::flow::FlowSpec;
use azpath_engine::analysis::suggest::suggest;
use azpath_engine::load_file;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn cases() -> Vec<(&'static str, &'static str, FlowSpec)> {
    let flow = |from: &str, to: &str| FlowSpec {
        from: from.into(),
        to: to.into(),
        port: 443,
        host: None,
    };
    vec![
        (
            "cross-region-private-endpoint",
            "virtual-wan/cross-region-private-endpoint.ron",
            flow("app-dev", "aoai-dev.openai.azure.com"),
        ),
        (
            "network-secured-agents",
            "ai-foundry/network-secured-agents.ron",
            flow("vm-app", "contoso-foundry.openai.azure.com"),
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut group = c.benchmark_group("suggest");
    group.throughput(Throughput::Elements(1));
    for (name, file, flow) in cases() {
        let Ok(loaded) = load_file(&root.join(file)) else {
            continue;
        };
        group.bench_function(name, |b| {
            b.iter(|| black_box(suggest(&loaded, black_box(&flow))))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
