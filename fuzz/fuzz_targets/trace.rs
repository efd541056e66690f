//! The tracer on networks built from valid scenarios: every trace ends with a verdict within
//! the hop limit, gives the same answer twice, and a delivered flow's reply passes every stateful
//! appliance the request passed and ends at the source; traces to every service name and from an
//! Internet client end too, and every name resolution ends within its step bound.
#![no_main]

use std::net::{IpAddr, Ipv4Addr};

use azpath_engine::load_str;
use azpath_engine::dns::{resolve, Resolver, STEP_LIMIT};
use azpath_engine::model::{FlowProtocol, TraceSource};
use azpath_engine::trace::{trace, trace_from, trace_name, Source, TraceRequest, Verdict, HOP_LIMIT};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((head, text)) = data.split_first_chunk::<7>() else { return };
    let Ok(text) = std::str::from_utf8(text) else { return };
    let Ok(loaded) = load_str("fuzz.ron", text) else { return };
    let dp = loaded.dataplane();
    let [a, b, c, d, p1, p2, proto] = *head;
    let request = TraceRequest {
        protocol: match proto % 3 {
            0 => FlowProtocol::Tcp,
            1 => FlowProtocol::Udp,
            _ => FlowProtocol::Icmp,
        },
        destination: IpAddr::V4(Ipv4Addr::new(a, b, c, d)),
        port: u16::from_be_bytes([p1, p2]),
        source_port: 50000,
        host: None,
    };
    for i in loaded.network.workloads.ids().take(8) {
        let Some(answer) = trace(&loaded.network, &dp, i, request.clone()) else { continue };
        assert!(answer.forward.len() <= HOP_LIMIT + 1 && answer.reply.len() <= HOP_LIMIT + 1);
        let again = trace(&loaded.network, &dp, i, request.clone()).expect("answers twice");
        assert_eq!(format!("{answer:?}"), format!("{again:?}"), "not deterministic");
        if answer.verdict == Verdict::Delivered {
            for device in &answer.quality.stateful_devices {
                assert!(answer.reply.iter().any(|h| &h.nic == device), "reply skipped {device}");
            }
            if let Source::Workload { name } = &answer.source {
                assert_eq!(answer.reply.last().map(|h| h.nic.as_str()), Some(name.as_str()));
            }
        }
    }
    let names: Vec<String> = loaded.network.services.iter().map(|s| s.fqdn.clone()).collect();
    for name in names.iter().take(4) {
        for v in loaded.network.vnets.ids().take(4) {
            let r = resolve(&loaded.network, Resolver::Vnet(v), name);
            assert!(r.steps.len() <= STEP_LIMIT * 4 + 2, "resolution of {name} too long");
        }
        for i in loaded.network.workloads.ids().take(4) {
            let from = TraceSource::Workload(i);
            let Some(answer) = trace_name(&loaded.network, &dp, from, name, request.clone().probe()) else { continue };
            assert!(answer.forward.len() <= HOP_LIMIT + 1 && answer.reply.len() <= HOP_LIMIT + 1);
        }
    }
    let client = TraceSource::Internet(IpAddr::V4(Ipv4Addr::new(203, 0, 113, a)));
    if let Some(answer) = trace_from(&loaded.network, &dp, client, request) {
        assert!(answer.forward.len() <= HOP_LIMIT + 2 && answer.reply.len() <= HOP_LIMIT + 1);
    }
});
