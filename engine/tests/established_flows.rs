//! Established flows at a load balancer whose backends' probes went down, named after Learn's
//! probe down behavior ("Azure Load Balancer health probes",
//! <https://learn.microsoft.com/azure/load-balancer/load-balancer-custom-probe-overview#probe-down-behavior>).

use azpath_engine::model::{FlowProtocol, NicRef, TraceSource};
use azpath_engine::scenario::FlowState;
use azpath_engine::trace::established::EstablishedFlow;
use azpath_engine::trace::{trace_from_flow, Step, TraceAnswer, TraceRequest, Verdict};
use azpath_engine::Loaded;

use super::support::{errors, has, load};

/// Two web servers behind an internal load balancer with an HA-ports rule (TCP and UDP) and a
/// probe; `DOWN` lists the backends whose probe fails.
const WEB: &str = r#"Scenario(
    vnets: [(name: "app", region: "r", address_space: ["10.5.0.0/16"], subnets: [
        (name: "web", prefix: "10.5.1.0/24"), (name: "client", prefix: "10.5.2.0/24"),
    ])],
    load_balancers: [(name: "ilb-web", frontend_ip: "10.5.1.100", subnet: "app/web",
        rules: [(name: "all", ha_ports: true, probe: "health")],
        probes: [(name: "health", protocol: Tcp, port: 8080)],
        backends: [POOL], unhealthy: [DOWN])],
    workloads: [
        (name: "web1", subnet: "app/web", ip: "10.5.1.4"),
        (name: "web2", subnet: "app/web", ip: "10.5.1.5"),
        (name: "client", subnet: "app/client", ip: "10.5.2.4"),
    ],
)"#;

fn web(pool: &str, down: &str) -> Loaded {
    load(&WEB.replace("POOL", pool).replace("DOWN", down))
}

const BOTH: &str = r#""web1", "web2""#;

fn go(l: &Loaded, sport: u16, protocol: FlowProtocol, flow: FlowState) -> TraceAnswer {
    let Some(NicRef::Workload(w)) = l.network.nic_by_name("client") else {
        panic!("client")
    };
    let request = TraceRequest {
        protocol,
        destination: "10.5.1.100".parse().unwrap(),
        port: 443,
        source_port: sport,
        host: None,
    };
    trace_from_flow(
        &l.network,
        l.dataplane(),
        TraceSource::Workload(w),
        request,
        flow,
    )
    .unwrap()
}

fn outcome(a: &TraceAnswer) -> Option<(String, EstablishedFlow)> {
    a.forward
        .iter()
        .flat_map(|h| &h.steps)
        .find_map(|s| match s {
            Step::EstablishedFlow {
                backend, outcome, ..
            } => Some((backend.clone(), outcome.clone())),
            _ => None,
        })
}

/// The flows (by source port) that were set up on `backend`.
fn set_up_on(l: &Loaded, protocol: FlowProtocol, backend: &str) -> Vec<u16> {
    (50000..50032)
        .filter(|sport| {
            outcome(&go(l, *sport, protocol, FlowState::Established))
                .is_some_and(|(b, _)| b == backend)
        })
        .collect()
}

#[test]
fn a_new_flow_is_not_sent_to_a_backend_whose_probe_is_down() {
    let l = web(BOTH, r#""web2""#);
    for sport in 50000..50032 {
        let a = go(&l, sport, FlowProtocol::Tcp, FlowState::New);
        assert_eq!(a.verdict, Verdict::Delivered);
        assert!(a.passes("web1") && !a.passes("web2"), "{sport}");
        assert_eq!(outcome(&a), None);
        assert_eq!(a.flow, FlowState::New);
    }
}

#[test]
fn established_tcp_connections_to_a_backend_whose_probe_is_down_continue() {
    let l = web(BOTH, r#""web2""#);
    let on_web2 = set_up_on(&l, FlowProtocol::Tcp, "web2");
    assert!(!on_web2.is_empty());
    for sport in on_web2 {
        let a = go(&l, sport, FlowProtocol::Tcp, FlowState::Established);
        assert_eq!(a.verdict, Verdict::Delivered, "{sport}");
        assert!(a.passes("web2") && !a.passes("web1"), "{sport}");
        assert_eq!(
            outcome(&a),
            Some(("web2".into(), EstablishedFlow::TcpContinuesOnDownBackend))
        );
        assert_eq!(a.flow, FlowState::Established);
    }
}

#[test]
fn an_established_flow_stays_on_its_healthy_backend() {
    // web1 is healthy: flows set up on it stay there, whatever the hash over the healthy
    // backends alone would pick.
    let l = web(BOTH, r#""web2""#);
    for sport in set_up_on(&l, FlowProtocol::Tcp, "web1") {
        let a = go(&l, sport, FlowProtocol::Tcp, FlowState::Established);
        assert!(a.passes("web1"), "{sport}");
        assert_eq!(
            outcome(&a),
            Some(("web1".into(), EstablishedFlow::StaysOnHealthyBackend))
        );
    }
}

#[test]
fn existing_udp_flows_move_to_another_healthy_instance() {
    let l = web(BOTH, r#""web2""#);
    let on_web2 = set_up_on(&l, FlowProtocol::Udp, "web2");
    assert!(!on_web2.is_empty());
    for sport in on_web2 {
        let a = go(&l, sport, FlowProtocol::Udp, FlowState::Established);
        assert_eq!(a.verdict, Verdict::Delivered, "{sport}");
        assert!(a.passes("web1") && !a.passes("web2"), "{sport}");
        assert_eq!(
            outcome(&a),
            Some(("web2".into(), EstablishedFlow::UdpMovesToHealthyBackend))
        );
    }
}

#[test]
fn with_every_probe_down_no_new_flows_are_sent_but_established_tcp_flows_continue() {
    let l = web(BOTH, BOTH);
    let none = Verdict::NoHealthyBackend {
        load_balancer: "ilb-web".into(),
    };
    for sport in 50000..50008 {
        assert_eq!(
            go(&l, sport, FlowProtocol::Tcp, FlowState::New).verdict,
            none
        );
        let a = go(&l, sport, FlowProtocol::Tcp, FlowState::Established);
        assert_eq!(a.verdict, Verdict::Delivered, "{sport}");
        assert!(matches!(
            outcome(&a),
            Some((_, EstablishedFlow::TcpContinuesOnDownBackend))
        ));
    }
}

#[test]
fn with_every_probe_down_all_existing_udp_flows_terminate() {
    let l = web(BOTH, BOTH);
    let a = go(&l, 50000, FlowProtocol::Udp, FlowState::Established);
    assert_eq!(
        a.verdict,
        Verdict::NoHealthyBackend {
            load_balancer: "ilb-web".into()
        }
    );
    assert!(matches!(
        outcome(&a),
        Some((_, EstablishedFlow::UdpEndsAllBackendsDown))
    ));
}

#[test]
fn standard_keeps_established_tcp_flows_with_every_probe_down_only_in_a_pool_of_several() {
    let l = web(r#""web1""#, r#""web1""#);
    let a = go(&l, 50000, FlowProtocol::Tcp, FlowState::Established);
    assert_eq!(
        a.verdict,
        Verdict::NoHealthyBackend {
            load_balancer: "ilb-web".into()
        }
    );
    assert!(matches!(
        outcome(&a),
        Some((_, EstablishedFlow::TcpEndsSingleBackendDown))
    ));
}

#[test]
fn both_directions_of_an_established_flow_take_its_backend() {
    let l = web(BOTH, r#""web2""#);
    for sport in set_up_on(&l, FlowProtocol::Tcp, "web2") {
        let a = go(&l, sport, FlowProtocol::Tcp, FlowState::Established);
        assert!(a.reply.iter().any(|h| h.nic == "web2"), "{sport}");
    }
}

#[test]
fn a_question_says_its_flow_is_established_and_a_misspelt_state_is_refused() {
    let scenario = WEB.replace("POOL", BOTH).replace("DOWN", r#""web2""#);
    let head = scenario.trim_end().strip_suffix(')').unwrap();
    let ask = |flow: &str| {
        format!(
            "{head}    questions: [Trace(from: \"client\", to: \"10.5.1.100\", flow: {flow}, expect: (verdict: Delivered))],\n)"
        )
    };
    let l = load(&ask("Established"));
    let report = azpath_engine::expect::check(&l.network, l.dataplane());
    assert_eq!((report.passed(), report.failed()), (1, 0), "{report:?}");
    let found = errors(&ask("Establshed"));
    has(&found, "Establshed");
}
