//! The tracer on networks built from valid scenarios: every trace ends with a verdict within
//! the hop limit, gives the same answer twice, and a delivered flow's reply passes every stateful
//! appliance the request passed and ends at the source.
#![no_main]

use std::net::{IpAddr, Ipv4Addr};

use azpath_engine::load_str;
use azpath_engine::model::{FlowProtocol, WorkloadId};
use azpath_engine::trace::{trace, TraceRequest, Verdict, HOP_LIMIT};
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
    for i in 0..loaded.network.workloads.len().min(8) {
        let Some(answer) = trace(&loaded.network, &dp, WorkloadId(i), request.clone()) else { continue };
        assert!(answer.forward.len() <= HOP_LIMIT + 1 && answer.reply.len() <= HOP_LIMIT + 1);
        let again = trace(&loaded.network, &dp, WorkloadId(i), request.clone()).expect("answers twice");
        assert_eq!(format!("{answer:?}"), format!("{again:?}"), "not deterministic");
        if answer.verdict == Verdict::Delivered {
            for device in &answer.quality.stateful_devices {
                assert!(answer.reply.iter().any(|h| &h.nic == device), "reply skipped {device}");
            }
            assert_eq!(answer.reply.last().map(|h| &h.nic), Some(&answer.source));
        }
    }
});
