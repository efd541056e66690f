//! Established flows in words: the question's flow state and what a load balancer does with an
//! established flow (Learn, "Azure Load Balancer health probes", probe down behavior).

use std::fmt::Write as _;

use crate::scenario::FlowState;
use crate::trace::established::EstablishedFlow;

/// The flow state as a question's title shows it: nothing for a new flow.
pub fn flow_state(flow: FlowState) -> &'static str {
    match flow {
        FlowState::New => "",
        FlowState::Established => " (established flow)",
    }
}

/// An established flow at a load balancer.
pub(super) fn established(
    out: &mut String,
    load_balancer: &str,
    rule: &str,
    backend: &str,
    outcome: &EstablishedFlow,
) {
    let what = match outcome {
        EstablishedFlow::StaysOnHealthyBackend => {
            "it is healthy, so the flow stays on it (the client's address is kept)"
        }
        EstablishedFlow::TcpContinuesOnDownBackend => {
            "its health probe is down, but established TCP connections to it continue (the client's address is kept)"
        }
        EstablishedFlow::UdpMovesToHealthyBackend => {
            "its health probe is down, so the UDP flow moves to another healthy backend"
        }
        EstablishedFlow::UdpEndsAllBackendsDown => {
            "every backend's health probe is down, so existing UDP flows end"
        }
        EstablishedFlow::TcpEndsSingleBackendDown => {
            "its health probe is down and it is the pool's only backend, so the TCP flow is not kept"
        }
    };
    let _ = writeln!(
        out,
        "    load balancer `{load_balancer}` rule `{rule}`: the established flow was set up on `{backend}`; {what}"
    );
}
