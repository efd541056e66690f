//! The reply: from the NIC the request reached back to the source, by the destination's own
//! routes (or, for a private endpoint without route-table network policies, along the path the
//! request came), then the check that every stateful appliance the request passed saw the reply
//! too.

use super::walk::{End, FlowRecords, Leg, NicMap, Tracer};
use super::{Assumption, Hop, OneWay, ReplyFault, Step, Verdict};
use crate::model::{NicRef, PrivateEndpointId};

impl Tracer<'_> {
    /// The reply of a request that arrived at `target`, and the verdict of the whole flow.
    pub(super) fn reply(
        &mut self,
        forward: &[Hop],
        target: NicRef,
        records: &mut FlowRecords,
    ) -> (Vec<Hop>, Verdict) {
        let Some(arrived) = forward.last() else {
            let verdict = Verdict::ReplyDropped {
                reason: ReplyFault::UnknownNic,
            };
            return (Vec::new(), verdict);
        };
        if let NicRef::PrivateEndpoint(pe) = target {
            if !self.pe_routes_replies(pe) {
                self.assumptions
                    .push(Assumption::EndpointRepliesAlongRequestPath);
                // By VNet id, not name: a verdict-only walk leaves its hops unnamed.
                let vnet_of = |h: &Hop| h.at.and_then(|n| self.nic(n)).map(|n| n.vnet);
                let one_vnet = forward.iter().all(|h| vnet_of(h) == vnet_of(arrived));
                if one_vnet && forward.len() > 2 {
                    self.assumptions
                        .push(Assumption::SameVnetApplianceFailureNotModelled);
                }
                return self.retrace(forward);
            }
            self.assumptions
                .push(Assumption::EndpointRepliesByItsRoutes);
        }
        let source = forward.first().and_then(|h| h.at);
        // A backend's reply to a flow an internal load balancer rewrote leaves with the
        // frontend's address: the load balancer's translation is undone at the backend's host.
        let mut start = arrived.packet.reply();
        let undo = records.lb_dnat.get(target).copied();
        if let Some((frontend, port)) = undo {
            start.src = frontend;
            start.src_port = port;
        }
        let (mut hops, end) = self.walk(target, start, Leg::Reply, records);
        if let (Some((frontend, _)), Some(first)) = (undo, hops.first_mut()) {
            first.steps.insert(
                0,
                Step::UnDnat {
                    from: arrived.packet.dst,
                    to: frontend,
                },
            );
        }
        match end {
            // A reply to an Internet client is home once it leaves for the Internet addressed
            // to that client.
            End::Stopped(Verdict::SentToInternet)
                if self.client.is_some() && hops.last().map(|h| h.packet.dst) == self.client =>
            {
                undo_load_balancer(forward, &mut hops);
            }
            // A reply to an on-premises client is home once a gateway takes it.
            End::Stopped(Verdict::SentToOnPremises { .. })
                if self.reply_home_on_premises(&hops) => {}
            End::Stopped(v) => return (hops, reply_verdict(v)),
            End::Arrived(at) if Some(at) != source => {
                let nic = self
                    .nic(at)
                    .map(|n| n.name.into_owned())
                    .unwrap_or_default();
                let verdict = Verdict::ReplyDropped {
                    reason: ReplyFault::ReachedOther { nic },
                };
                return (hops, verdict);
            }
            End::Arrived(_) => {}
        }
        if let Some(v) = self.gateway_reply(forward, &mut hops) {
            return (hops, reply_verdict(v));
        }
        let verdict = match self.missed(records, &hops) {
            Some(device) => Verdict::AsymmetricReturnDropped {
                device,
                saw: OneWay::RequestOnly,
            },
            None => Verdict::Delivered,
        };
        (hops, verdict)
    }

    /// The first stateful appliance of the request that the reply did not pass, by its NIC.
    fn missed(&self, records: &FlowRecords, reply: &[Hop]) -> Option<String> {
        let passed = |id| reply.iter().any(|h| h.at == Some(id));
        let device = first_missed(&records.stateful, passed)?;
        self.nic(device).map(|n| n.name.into_owned())
    }

    /// The reply along the request's path in reverse (a flow-symmetric private endpoint). The
    /// peerings on the way must still let it through: replayed from a forwarding appliance, the
    /// endpoint's address is a forwarded source.
    fn retrace(&self, forward: &[Hop]) -> (Vec<Hop>, Verdict) {
        // The request's hops reversed, their steps not copied: the reply replaces them.
        let mut hops: Vec<Hop> = forward
            .iter()
            .rev()
            .map(|h| Hop {
                nic: h.nic.clone(),
                subnet: h.subnet.clone(),
                vnet: h.vnet.clone(),
                region: h.region.clone(),
                packet: h.packet.reply(),
                steps: vec![Step::FlowSymmetricReply],
                at: h.at,
            })
            .collect();
        for i in 0..hops.len().saturating_sub(1) {
            let (Some(here), Some(next)) = (
                hops.get(i).and_then(|h| h.at),
                hops.get(i + 1).and_then(|h| h.at),
            ) else {
                continue;
            };
            let (Some(a), Some(b)) = (self.nic(here), self.nic(next)) else {
                continue;
            };
            if a.vnet == b.vnet {
                continue;
            }
            let Some(peering) = self
                .net
                .connected_peers(a.vnet)
                .find(|(_, r)| *r == b.vnet)
                .map(|(p, _)| p)
            else {
                continue;
            };
            let Some(hop) = hops.get_mut(i) else { continue };
            let packet = hop.packet;
            if let Some(blocked) = self.cross(&a, peering, packet, hop) {
                hops.truncate(i + 1);
                return (hops, reply_verdict(blocked));
            }
        }
        (hops, Verdict::Delivered)
    }

    /// Whether a private endpoint's replies follow its subnet's routes (route-table network
    /// policies on) rather than the request's path.
    fn pe_routes_replies(&self, pe: PrivateEndpointId) -> bool {
        self.net
            .private_endpoints
            .get(pe)
            .and_then(|p| self.net.subnet(p.subnet))
            .is_some_and(|s| s.private_endpoint_network_policies.route_tables_apply())
    }
}

/// How a reply that stopped on the way ends the flow: an appliance's or reply's own verdict as
/// it is, any other stop as the reply ending with it.
fn reply_verdict(v: Verdict) -> Verdict {
    match v {
        Verdict::AsymmetricReturnDropped { .. } | Verdict::ReplyDropped { .. } => v,
        other => Verdict::ReplyDropped {
            reason: ReplyFault::Ended {
                verdict: Box::new(other),
            },
        },
    }
}

/// The first stateful appliance the request passed and the reply did not.
fn first_missed(stateful: &NicMap<()>, passed: impl Fn(NicRef) -> bool) -> Option<NicRef> {
    stateful.nics().find(|id| !passed(*id))
}

/// A reply to a flow that came in through a public load balancer leaves with the frontend's
/// address as its source: the load balancer undoes its translation.
fn undo_load_balancer(forward: &[Hop], reply: &mut [Hop]) {
    let Some(entry) = forward.first() else { return };
    if !entry
        .steps
        .iter()
        .any(|s| matches!(s, Step::LoadBalancer { .. } | Step::EstablishedFlow { .. }))
    {
        return;
    }
    if let Some(last) = reply.last_mut() {
        last.steps.push(Step::UnDnat {
            from: last.packet.src,
            to: entry.packet.dst,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FirewallId, WorkloadId};

    #[test]
    fn a_reply_that_bypasses_a_stateful_appliance_is_found_by_its_nic() {
        let fw = NicRef::Firewall(FirewallId::for_test(0));
        let mut stateful = NicMap::default();
        stateful.insert(fw, ());
        let vm = NicRef::Workload(WorkloadId::for_test(1));
        assert_eq!(first_missed(&stateful, |id| id == vm), Some(fw));
        assert_eq!(first_missed(&stateful, |id| id == vm || id == fw), None);
    }

    #[test]
    fn a_reply_that_ends_elsewhere_is_a_dropped_reply_carrying_how_it_ended() {
        let v = reply_verdict(Verdict::NoRoute { prefix: None });
        assert_eq!(
            v,
            Verdict::ReplyDropped {
                reason: ReplyFault::Ended {
                    verdict: Box::new(Verdict::NoRoute { prefix: None })
                }
            }
        );
    }

    #[test]
    fn an_appliance_that_drops_the_reply_keeps_its_own_verdict() {
        let v = Verdict::AsymmetricReturnDropped {
            device: "nva".into(),
            saw: OneWay::ReplyOnly,
        };
        assert_eq!(reply_verdict(v.clone()), v);
    }
}
