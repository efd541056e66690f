//! An established flow at a load balancer whose backends' health changed after it was set up
//! (Microsoft Learn, "Azure Load Balancer health probes", probe down behavior,
//! <https://learn.microsoft.com/azure/load-balancer/load-balancer-custom-probe-overview#probe-down-behavior>):
//!
//! | | TCP connections | UDP datagrams |
//! |---|---|---|
//! | its backend's probe down | established TCP connections to it continue | existing UDP flows move to another healthy backend |
//! | every backend's probe down | Standard keeps established TCP flows when the pool has more than one backend | all existing UDP flows end |
//!
//! **Where the flow was set up is a model.** A question that says `flow: Established` asks
//! about a flow set up while every backend was healthy: azpath places it on the backend its
//! hash picks over the whole pool, the same rule it uses for a new flow
//! ([`super::balance`]), and then applies the table above.

use serde::{Deserialize, Serialize};

use super::backend_pick::choose;
use super::walk::Tracer;
use super::{Hop, Step, Verdict};
use crate::model::{FlowProtocol, LoadBalancer, WorkloadId};

/// What Azure does with an established flow at a load balancer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "outcome")]
pub enum EstablishedFlow {
    /// Its backend is healthy: the flow stays on it.
    StaysOnHealthyBackend,
    /// Its backend's probe is down and the flow is TCP: "established TCP connections to this
    /// backend endpoint continue" (and, with every backend down, Standard keeps them when the
    /// pool has more than one backend).
    TcpContinuesOnDownBackend,
    /// Its backend's probe is down and the flow is UDP: "existing UDP flows move to another
    /// healthy instance in the backend pool".
    UdpMovesToHealthyBackend,
    /// Every backend's probe is down and the flow is UDP: "all existing UDP flows terminate".
    UdpEndsAllBackendsDown,
    /// Every backend's probe is down and the pool has a single backend: Standard keeps
    /// established TCP flows only when the pool has more than one.
    TcpEndsSingleBackendDown,
}

/// What happens to an established flow of `protocol` whose backend is `healthy` (or not), with
/// `others_up` other backends healthy in a pool of `pool` backends. Learn's probe-down table.
pub fn established_flow(
    protocol: FlowProtocol,
    healthy: bool,
    others_up: bool,
    pool: usize,
) -> EstablishedFlow {
    match (healthy, protocol) {
        (true, _) => EstablishedFlow::StaysOnHealthyBackend,
        (false, FlowProtocol::Udp) if others_up => EstablishedFlow::UdpMovesToHealthyBackend,
        (false, FlowProtocol::Udp) => EstablishedFlow::UdpEndsAllBackendsDown,
        (false, _) if others_up || pool > 1 => EstablishedFlow::TcpContinuesOnDownBackend,
        (false, _) => EstablishedFlow::TcpEndsSingleBackendDown,
    }
}

impl Tracer<'_> {
    /// The backend an established flow with hash `hash` reaches at `lb`, given the backends
    /// `up` that take new flows now; records the outcome and the choice on `hop`.
    pub(super) fn pick_established(
        &self,
        lb: &LoadBalancer,
        rule: &str,
        up: &[WorkloadId],
        hash: u64,
        hop: &mut Hop,
    ) -> Result<WorkloadId, Verdict> {
        let no_backend = || Verdict::NoHealthyBackend {
            load_balancer: lb.name.clone(),
        };
        // Set up while every backend was healthy: the hash over the whole pool.
        let pool: Vec<WorkloadId> = lb
            .backends
            .iter()
            .copied()
            .filter(|w| self.net.workloads.get(*w).is_some())
            .collect();
        let original = choose(&pool, hash).ok_or_else(no_backend)?;
        let healthy = up.contains(&original);
        let others_up = up.iter().any(|w| *w != original);
        let outcome = established_flow(self.protocol, healthy, others_up, pool.len());
        let name = |w: WorkloadId| {
            self.net
                .workloads
                .get(w)
                .map(|w| w.name.clone())
                .unwrap_or_default()
        };
        let moved = outcome == EstablishedFlow::UdpMovesToHealthyBackend;
        let backend =
            match outcome {
                EstablishedFlow::StaysOnHealthyBackend
                | EstablishedFlow::TcpContinuesOnDownBackend => Some(original),
                EstablishedFlow::UdpMovesToHealthyBackend => choose(up, hash),
                EstablishedFlow::UdpEndsAllBackendsDown
                | EstablishedFlow::TcpEndsSingleBackendDown => None,
            };
        hop.steps.push(Step::EstablishedFlow {
            load_balancer: lb.name.clone(),
            rule: rule.to_string(),
            backend: name(original),
            outcome,
        });
        let backend = backend.ok_or_else(no_backend)?;
        // A flow that moves is placed afresh among the healthy backends, by its hash.
        if moved {
            hop.steps.push(Step::LoadBalancer {
                load_balancer: lb.name.clone(),
                rule: rule.to_string(),
                backend: name(backend),
                pool: up.len(),
            });
        }
        Ok(backend)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn established_tcp_connections_to_a_backend_whose_probe_is_down_continue() {
        assert_eq!(
            established_flow(FlowProtocol::Tcp, false, true, 2),
            EstablishedFlow::TcpContinuesOnDownBackend
        );
    }

    #[test]
    fn existing_udp_flows_move_to_another_healthy_instance() {
        assert_eq!(
            established_flow(FlowProtocol::Udp, false, true, 2),
            EstablishedFlow::UdpMovesToHealthyBackend
        );
    }

    #[test]
    fn all_instances_down_standard_keeps_established_tcp_flows_of_a_pool_of_several() {
        assert_eq!(
            established_flow(FlowProtocol::Tcp, false, false, 2),
            EstablishedFlow::TcpContinuesOnDownBackend
        );
        assert_eq!(
            established_flow(FlowProtocol::Tcp, false, false, 1),
            EstablishedFlow::TcpEndsSingleBackendDown
        );
    }

    #[test]
    fn all_instances_down_all_existing_udp_flows_terminate() {
        assert_eq!(
            established_flow(FlowProtocol::Udp, false, false, 2),
            EstablishedFlow::UdpEndsAllBackendsDown
        );
    }

    #[test]
    fn an_established_flow_on_a_healthy_backend_stays_there() {
        for p in [FlowProtocol::Tcp, FlowProtocol::Udp] {
            assert_eq!(
                established_flow(p, true, false, 3),
                EstablishedFlow::StaysOnHealthyBackend
            );
        }
    }
}
