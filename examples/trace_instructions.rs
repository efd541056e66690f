//! The two flows of the `estate` bench's trace groups (full estate, 1,000 spokes), run a given
//! number of times, for counting instructions per trace under callgrind:
//!
//! ```sh
//! cargo build --release --example trace_instructions
//! valgrind --tool=callgrind --toggle-collect='trace_instructions::by_name' \
//!     target/release/examples/trace_instructions by-name 100
//! ```
//!
//! `by-name` traces by FQDN with every decision's evidence, `verdict` walks for the verdict
//! alone; the instruction count of the toggled function divided by the count is one trace.

use std::hint::black_box;

use azpath_engine::analysis::generate::{estate, EstateSize};
use azpath_engine::model::{FlowProtocol, NicRef, TraceSource};
use azpath_engine::trace::{trace_name, trace_verdict, Probe, TraceRequest};
use azpath_engine::{load_str, Loaded};

#[inline(never)]
fn by_name(loaded: &Loaded, source: TraceSource, fqdn: &str, probe: &Probe, n: usize) -> usize {
    let (net, dp) = (&loaded.network, loaded.dataplane());
    (0..n)
        .filter(|_| black_box(trace_name(net, dp, source, fqdn, probe.clone())).is_some())
        .count()
}

#[inline(never)]
fn verdict(loaded: &Loaded, source: TraceSource, request: &TraceRequest, n: usize) -> usize {
    let (net, dp) = (&loaded.network, loaded.dataplane());
    (0..n)
        .filter(|_| black_box(trace_verdict(net, dp, source, request.clone())).is_some())
        .count()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_default();
    let n: usize = args.next().as_deref().unwrap_or("100").parse()?;
    let text = estate(EstateSize {
        regions: 4,
        spokes_per_region: 250,
        subnets_per_spoke: 8,
        private_endpoints: 2000,
        nsg_rules: 30,
        seed: 1,
    })?;
    let loaded = load_str("estate.ron", &text).map_err(|e| format!("{e:?}"))?;
    let net = &loaded.network;
    let (Some(NicRef::Workload(from)), Some(pe), Some(fqdn)) = (
        net.nic_by_name("vm-0-0"),
        net.private_endpoints.last(),
        net.services.last().map(|s| s.fqdn.clone()),
    ) else {
        return Err("the estate has no vm-0-0 or no private endpoint".into());
    };
    let source = TraceSource::Workload(from);
    let probe = Probe {
        protocol: FlowProtocol::Tcp,
        port: 443,
        source_port: 50000,
        host: None,
    };
    let done = match which.as_str() {
        "by-name" => by_name(&loaded, source, &fqdn, &probe, n),
        "verdict" => {
            let host = pe
                .service
                .and_then(|s| net.services.get(s))
                .map(|s| s.fqdn.clone());
            let request = TraceRequest {
                protocol: FlowProtocol::Tcp,
                destination: pe.ip,
                port: 443,
                source_port: 50000,
                host,
            };
            verdict(&loaded, source, &request, n)
        }
        _ => return Err("usage: trace_instructions by-name|verdict [count]".into()),
    };
    println!("{done} traces");
    Ok(())
}
