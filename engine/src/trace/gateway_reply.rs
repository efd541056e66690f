//! The reply of a flow to a public frontend chained to a Gateway Load Balancer: it crosses the
//! same appliance as the request. Microsoft Learn, "Gateway Load Balancer"
//! (<https://learn.microsoft.com/azure/load-balancer/gateway-overview>): once chained, "traffic
//! to and from the application endpoint is sent to the Gateway Load Balancer"; it "maintains
//! flow stickiness to a specific instance in the backend pool along with flow symmetry", so
//! "packets traverse the same network path in both directions" (over VXLAN, with the
//! appliance's external and internal tunnel interfaces).

use super::walk::Tracer;
use super::{Hop, Step, Verdict};
use crate::model::NicRef;

impl Tracer<'_> {
    /// Puts the appliance a reply crosses on its way out of a chained public frontend into
    /// `reply`, right after the hop where the frontend's translation is undone: the Gateway
    /// Load Balancer picks it for the reply's packet (the frontend's address and port back to
    /// the client, the request's packet at the appliance reversed), which its symmetric hash
    /// maps to the request's appliance. Nothing when the request crossed no chain; the verdict
    /// when no appliance takes the reply.
    pub(super) fn gateway_reply(&self, forward: &[Hop], reply: &mut Vec<Hop>) -> Option<Verdict> {
        let (chained, gateway) = forward.iter().find_map(|h| {
            h.steps.iter().find_map(|s| match s {
                Step::GatewayChain { gateway } => Some((h, gateway.as_str())),
                _ => None,
            })
        })?;
        let lb = self
            .net
            .load_balancers
            .iter()
            .find(|lb| lb.name == gateway)?;
        let packet = chained.packet.reply();
        let after = reply.iter().position(|h| {
            h.steps
                .iter()
                .any(|s| matches!(s, Step::UnDnat { to, .. } if *to == packet.src))
        })?;
        let mut scratch = chained.clone();
        let appliance = match self.pick(lb, packet, &mut scratch) {
            Ok((_, appliance)) => appliance,
            Err(verdict) => return Some(verdict),
        };
        let nic = self.nic(NicRef::Workload(appliance))?;
        let mut hop = self.hop(&nic, packet);
        hop.steps.push(Step::GatewayChainReply {
            gateway: gateway.to_string(),
        });
        reply.insert(after + 1, hop);
        None
    }
}
