//! A packet reaches a NIC: its NSGs (stateful: a reply passes where the request passed), then
//! either it is the destination, or an appliance takes it: a reply to a translation is
//! translated back, a stateful appliance must have seen the request, an Azure Firewall applies
//! its rules (DNAT, then network and application rules), and an SNAT rewrites the source. A
//! packet from the Internet first meets a public load balancer or a firewall's public address.

use std::net::IpAddr;

use super::walk::{stop, Arrival, End, Entry, FlowRecords, Leg, Nic, Tracer};
use super::{FirewallRule, Hop, NextHopFault, OneWay, Packet, Step, Verdict};
use crate::filter::{firewall, TagScope};
use crate::model::{Access, Direction, FirewallId, NicRef, WorkloadId};
use crate::query::{decide_nsgs, nsgs_at};

impl Tracer<'_> {
    /// A packet from the Internet reaches a public address: a load balancer frontend (which
    /// rewrites the destination to a backend, keeping the client's address) or a firewall's
    /// public IP (whose DNAT rules decide); any other address is not in the scenario.
    pub(super) fn enter(&mut self, packet: Packet, records: &mut FlowRecords) -> (Vec<Hop>, End) {
        self.enter_from(Vec::new(), packet, records)
    }

    /// [`Tracer::enter`] after the hops already taken: a request that left Azure for a public
    /// address the scenario models comes back in there ([`super::reenter`]). A load balancer's
    /// backend reached this way replies from the frontend's address, translated at its host.
    pub(super) fn enter_from(
        &mut self,
        mut before: Vec<Hop>,
        packet: Packet,
        records: &mut FlowRecords,
    ) -> (Vec<Hop>, End) {
        let reentered = !before.is_empty();
        let mut hop = internet_hop(packet);
        let nobody = Verdict::NoDestination {
            address: packet.dst,
        };
        if let Some(lb) = self
            .net
            .load_balancers
            .iter()
            .find(|lb| lb.frontend_ip == packet.dst)
        {
            if let Some(nat) = lb
                .inbound_nat_rules
                .iter()
                .find(|r| r.protocol == self.protocol && r.frontend_port == packet.dst_port)
            {
                hop.steps.push(Step::InboundNat {
                    load_balancer: lb.name.clone(),
                    rule: nat.name.clone(),
                });
                before.push(hop);
                return self.inbound(before, nat.backend, nat.backend_port, records);
            }
            let (rule, backend) = match self.pick(lb, packet, &mut hop) {
                Ok(choice) => choice,
                Err(verdict) => return stop(before, hop, verdict),
            };
            let port = if rule.floating_ip {
                packet.dst_port
            } else {
                rule.backend_port
            };
            let mut hops = before;
            hops.push(hop);
            if let Some(gateway) = lb.chain.and_then(|g| self.net.load_balancer(g)) {
                match self.gateway_chain(gateway, packet) {
                    Ok(h) => hops.push(h),
                    Err(verdict) => return (hops, End::Stopped(verdict)),
                }
            }
            if rule.floating_ip {
                // Floating IP: the backend receives the frontend address as destination.
                return self.inbound_to(hops, backend, packet, records);
            }
            if reentered {
                let frontend = (packet.dst, packet.dst_port);
                records.lb_dnat.insert(NicRef::Workload(backend), frontend);
            }
            return self.inbound(hops, backend, port, records);
        }
        // An instance public IP: 1:1 NAT to the NIC's private address.
        if let Some(w) = self.net.workload_with_public_ip(packet.dst) {
            let private = self.net.workloads.get(w).map(|x| x.ip);
            if let Some(private) = private {
                hop.steps.push(Step::InstancePublicIp {
                    public: packet.dst,
                    private,
                });
            }
            if reentered {
                records
                    .lb_dnat
                    .insert(NicRef::Workload(w), (packet.dst, packet.dst_port));
            }
            before.push(hop);
            return self.inbound(before, w, packet.dst_port, records);
        }
        // A PaaS service's public endpoint answers from outside any VNet: how it answers
        // (served, 403 with public access disabled, refused by its firewall) is decided when
        // the trace concludes, as for a request leaving a VNet for it.
        if self.net.services.iter().any(|s| s.public_ip == packet.dst) {
            return stop(before, hop, Verdict::SentToInternet);
        }
        let firewall = self
            .net
            .firewalls
            .position(|f| f.public_ips.contains(&packet.dst));
        match firewall {
            Some(f) => {
                let id = NicRef::Firewall(f);
                let (entry, leg) = (Entry::Arrives, Leg::Request);
                before.push(hop);
                self.walk_from(before, id, packet, entry, leg, records)
            }
            None => stop(before, hop, nobody),
        }
    }

    /// A flow from the Internet handed to workload `w` on `port`, its destination rewritten to
    /// the workload's private address (the client's address is kept).
    fn inbound(
        &mut self,
        hops: Vec<Hop>,
        w: WorkloadId,
        port: u16,
        records: &mut FlowRecords,
    ) -> (Vec<Hop>, End) {
        let Some(entry) = hops.last().map(|h| h.packet) else {
            return (
                hops,
                End::Stopped(Verdict::ReplyDropped {
                    reason: super::ReplyFault::UnknownNic,
                }),
            );
        };
        let Some(ip) = self.net.workloads.get(w).map(|x| x.ip) else {
            let verdict = Verdict::NoDestination { address: entry.dst };
            return (hops, End::Stopped(verdict));
        };
        let inside = Packet {
            dst: ip,
            dst_port: port,
            ..entry
        };
        self.inbound_to(hops, w, inside, records)
    }

    /// A flow from the Internet arrives at workload `w` as `inside`. A Standard public IP is
    /// closed to inbound until an NSG allows it: with no NSG on the NIC or its subnet, it is
    /// dropped (Learn, "Public IP addresses": SKU comparison).
    fn inbound_to(
        &mut self,
        hops: Vec<Hop>,
        w: WorkloadId,
        inside: Packet,
        records: &mut FlowRecords,
    ) -> (Vec<Hop>, End) {
        let address = hops.last().map_or(inside.dst, |h| h.packet.dst);
        let Some(workload) = self.net.workloads.get(w) else {
            return (hops, End::Stopped(Verdict::NoDestination { address }));
        };
        let subnet_nsg = self.net.subnet(workload.subnet).and_then(|s| s.nsg);
        if workload.nsg.is_none() && subnet_nsg.is_none() {
            let verdict = Verdict::PublicIpClosed {
                address,
                nic: workload.name.clone(),
            };
            return (hops, End::Stopped(verdict));
        }
        let (entry, leg) = (Entry::Arrives, Leg::Request);
        self.walk_from(hops, NicRef::Workload(w), inside, entry, leg, records)
    }

    /// The NSGs of `nic` in `direction`, recorded on `hop`; the verdict if they deny. NSGs keep a
    /// flow record per NIC: a reply passes freely where the request passed and meets every other
    /// NIC's NSGs as a new flow.
    pub(super) fn nsgs(
        &self,
        nic: &Nic,
        direction: Direction,
        (packet, leg): (Packet, Leg),
        records: &mut FlowRecords,
        hop: &mut Hop,
    ) -> Option<Verdict> {
        match leg {
            Leg::Request => {
                records.nsg_flows.insert(nic.id);
            }
            Leg::Reply if records.nsg_flows.contains(&nic.id) => {
                if !matches!(
                    hop.steps.last(),
                    Some(Step::StatefulReply | Step::UnSnat { .. } | Step::UnDnat { .. })
                ) {
                    hop.steps.push(Step::StatefulReply);
                }
                return None;
            }
            Leg::Reply => {}
        }
        if !self.explain {
            return self.nsg_verdict(nic, direction, packet);
        }
        let nsgs = nsgs_at(
            self.net,
            self.dp,
            nic.id,
            direction,
            packet.flow(self.protocol),
        )?;
        let admin_deny = match &nsgs.admin {
            Some(crate::filter::admin::AdminDecision::Matched(m))
                if m.access == crate::model::AdminAccess::Deny =>
            {
                Some(Verdict::DroppedBySecurityAdminRule {
                    collection: m.collection.clone(),
                    rule: m.rule.clone(),
                    nic: nic.name.to_string(),
                })
            }
            _ => None,
        };
        let denied = (nsgs.access == Access::Deny)
            .then(|| nsgs.rule.clone())
            .flatten();
        hop.steps.push(match direction {
            Direction::Outbound => Step::OutboundNsgs(nsgs),
            Direction::Inbound => Step::InboundNsgs(nsgs),
        });
        if admin_deny.is_some() {
            return admin_deny;
        }
        denied.map(|rule| Verdict::DroppedByNsg {
            nsg: rule.nsg.into(),
            rule: rule.rule.into(),
            nic: nic.name.to_string(),
        })
    }

    /// [`Tracer::nsgs`] for a walk that keeps no evidence: the same decision, the rules by
    /// reference, names copied only into a deny's verdict.
    fn nsg_verdict(&self, nic: &Nic, direction: Direction, packet: Packet) -> Option<Verdict> {
        let flow = packet.flow(self.protocol);
        let d = decide_nsgs(self.net, self.dp, nic.id, direction, &flow)?;
        if let Some(crate::filter::admin::AdminDecision::Matched(m)) = &d.admin {
            if m.access == crate::model::AdminAccess::Deny {
                return Some(Verdict::DroppedBySecurityAdminRule {
                    collection: m.collection.clone(),
                    rule: m.rule.clone(),
                    nic: nic.name.to_string(),
                });
            }
        }
        let (nsg, rule) = d.denied_by()?;
        Some(Verdict::DroppedByNsg {
            nsg: nsg.name.to_string(),
            rule: rule.map_or_else(|| "DenyAll".to_string(), |r| r.name.to_string()),
            nic: nic.name.to_string(),
        })
    }

    /// The packet reaches `next`: its inbound NSGs (none for a reply of a recorded flow), then
    /// either it is the destination, or an appliance that forwards it (stateful check, firewall
    /// rules, NAT).
    pub(super) fn arrive(
        &mut self,
        next: &Nic,
        packet: &mut Packet,
        leg: Leg,
        records: &mut FlowRecords,
        hop: &mut Hop,
    ) -> Arrival {
        // An internal load balancer's frontend has no NSG: it hands the flow to a backend.
        if let NicRef::LoadBalancer(l) = next.id {
            return self.balance(l, next, packet, leg, records, hop);
        }
        // Arriving: the subnet's NSG then the NIC's.
        let flow = (*packet, leg);
        if let Some(verdict) = self.nsgs(next, Direction::Inbound, flow, records, hop) {
            return Arrival::Stop(verdict);
        }
        // A reply that came back from the Internet to a firewall's public IP has reached it.
        let own_public = leg == Leg::Reply && self.own_public_ip(next.id, packet.dst);
        if packet.dst == next.ip || self.holds_frontend(next.id, packet.dst) || own_public {
            return match leg {
                Leg::Reply if translate_back(next.id, packet, records, hop) => Arrival::Forward,
                _ => Arrival::Arrived,
            };
        }
        let Some(forwarding) = next.forwarding else {
            let verdict = Verdict::InvalidNextHop {
                address: next.ip,
                reason: NextHopFault::IpForwardingDisabled {
                    nic: next.name.to_string(),
                },
            };
            return Arrival::Stop(verdict);
        };
        if forwarding.stateful {
            if let Some(verdict) = stateful(next, leg, records) {
                return Arrival::Stop(verdict);
            }
        }
        let mut snat = forwarding.snat;
        if let (NicRef::Firewall(f), Leg::Request) = (next.id, leg) {
            match self.firewall(next, f, packet, records, hop) {
                Ok(translates) => snat = translates,
                Err(verdict) => return Arrival::Stop(verdict),
            }
        }
        if snat && leg == Leg::Request {
            self.snat(next, packet, records, hop);
        }
        Arrival::Forward
    }

    /// An Azure Firewall's rules for the request: DNAT rules rewrite the destination, then
    /// network and application rules allow or deny. `Ok` with whether the allowed flow is
    /// SNATed.
    fn firewall(
        &self,
        next: &Nic,
        f: FirewallId,
        packet: &mut Packet,
        records: &mut FlowRecords,
        hop: &mut Hop,
    ) -> Result<bool, Verdict> {
        let Some(fw) = self.net.firewalls.get(f) else {
            return Err(Verdict::NoDestination { address: next.ip });
        };
        let fallback = TagScope::default();
        let scope = self.dp.tag_scope(next.subnet).unwrap_or(&fallback);
        let answers = super::firewall_dns::fqdn_answers(self.net, f);
        let flow = packet.flow(self.protocol);
        let decision = firewall::decide(fw, &flow, self.host.as_deref(), scope, &answers);
        let (access, feel, snat, dnat) =
            (decision.access, decision.feel, decision.snat, decision.dnat);
        if self.explain {
            hop.steps.push(Step::Firewall(decision.named(
                fw,
                self.host.as_deref(),
                &answers,
            )));
            for (fqdn, outcome) in super::firewall_dns::fqdn_failures(self.net, f) {
                hop.steps.push(Step::FirewallFqdnUnresolved {
                    firewall: fw.name.clone(),
                    fqdn,
                    outcome,
                });
            }
        }
        if let (Some((to, port)), Access::Allow) = (dnat, access) {
            hop.steps.push(Step::Dnat {
                from: packet.dst,
                to,
            });
            records.dnat.insert(next.id, (packet.dst, packet.dst_port));
            packet.dst = to;
            packet.dst_port = port;
        }
        if access == Access::Deny {
            return Err(Verdict::DroppedByFirewall {
                firewall: next.name.to_string(),
                rule: decision.rule.map(|r| FirewallRule {
                    group: r.group.to_string(),
                    collection: r.collection.to_string(),
                    rule: r.rule.to_string(),
                }),
                feel,
            });
        }
        Ok(snat)
    }

    /// The appliance rewrites the request's source: an Azure Firewall to the address its route
    /// to the destination calls for ([`Tracer::firewall_snat`]), any other appliance to its own.
    fn snat(&self, next: &Nic, packet: &mut Packet, records: &mut FlowRecords, hop: &mut Hop) {
        let to: IpAddr = match next.id {
            NicRef::Firewall(f) => self.firewall_snat(next, f, packet.dst).address(),
            _ => next.ip,
        };
        hop.steps.push(Step::Snat {
            from: packet.src,
            to,
        });
        records.snat.insert(next.id, (packet.src, packet.src_port));
        packet.src = to;
    }
}

/// The hop of a packet crossing the Internet to a public address.
pub(super) fn internet_hop(packet: Packet) -> Hop {
    Hop {
        nic: "Internet".into(),
        subnet: crate::model::Name::default(),
        vnet: crate::model::Name::default(),
        region: crate::model::Name::default(),
        packet,
        steps: Vec::new(),
        at: None,
    }
}

/// A reply addressed to an appliance that translated the request goes on to the original
/// source (un-SNAT), from the public address a DNAT rule had translated (un-DNAT). Whether it
/// goes on.
fn translate_back(at: NicRef, packet: &mut Packet, records: &FlowRecords, hop: &mut Hop) -> bool {
    let Some((src, port)) = records.snat.get(&at).copied() else {
        return false;
    };
    hop.steps.push(Step::UnSnat {
        from: packet.dst,
        to: src,
    });
    packet.dst = src;
    packet.dst_port = port;
    if let Some((public, public_port)) = records.dnat.get(&at).copied() {
        hop.steps.push(Step::UnDnat {
            from: packet.src,
            to: public,
        });
        packet.src = public;
        packet.src_port = public_port;
    }
    hop.packet = *packet;
    true
}

/// A stateful appliance drops a reply to a flow whose request it never saw; the request leaves
/// its record.
fn stateful(next: &Nic, leg: Leg, records: &mut FlowRecords) -> Option<Verdict> {
    match leg {
        Leg::Reply if !records.stateful.contains(&next.id) => {
            Some(Verdict::AsymmetricReturnDropped {
                device: next.name.to_string(),
                saw: OneWay::ReplyOnly,
            })
        }
        _ => {
            records.stateful.insert(next.id);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::WorkloadId;

    fn nic(id: NicRef) -> Nic<'static> {
        Nic {
            id,
            name: "nva".into(),
            subnet: crate::model::SubnetId::for_test(0),
            vnet: crate::model::VnetId::for_test(0),
            ip: IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 3, 4)),
            forwarding: None,
        }
    }

    fn packet() -> Packet {
        Packet {
            src: IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 2, 4)),
            src_port: 443,
            dst: IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 3, 4)),
            dst_port: 50000,
        }
    }

    fn hop() -> Hop {
        Hop {
            nic: "nva".into(),
            subnet: crate::model::Name::default(),
            vnet: crate::model::Name::default(),
            region: crate::model::Name::default(),
            packet: packet(),
            steps: Vec::new(),
            at: None,
        }
    }

    #[test]
    fn a_stateful_appliance_drops_a_reply_whose_request_it_never_saw() {
        let at = nic(NicRef::Workload(WorkloadId::for_test(7)));
        let mut records = FlowRecords::default();
        let verdict = stateful(&at, Leg::Reply, &mut records);
        assert_eq!(
            verdict,
            Some(Verdict::AsymmetricReturnDropped {
                device: "nva".into(),
                saw: OneWay::ReplyOnly,
            })
        );
    }

    #[test]
    fn a_stateful_appliance_lets_the_reply_of_a_request_it_saw_through() {
        let at = nic(NicRef::Workload(WorkloadId::for_test(7)));
        let mut records = FlowRecords::default();
        assert_eq!(stateful(&at, Leg::Request, &mut records), None);
        assert_eq!(stateful(&at, Leg::Reply, &mut records), None);
    }

    #[test]
    fn a_stateful_appliance_is_known_by_its_nic_not_its_name() {
        // Two appliances with the same name: the record of one does not let the other pass.
        let mut records = FlowRecords::default();
        assert_eq!(
            stateful(
                &nic(NicRef::Workload(WorkloadId::for_test(1))),
                Leg::Request,
                &mut records
            ),
            None
        );
        let other = stateful(
            &nic(NicRef::Workload(WorkloadId::for_test(2))),
            Leg::Reply,
            &mut records,
        );
        assert!(matches!(
            other,
            Some(Verdict::AsymmetricReturnDropped {
                saw: OneWay::ReplyOnly,
                ..
            })
        ));
    }

    #[test]
    fn a_reply_to_an_snat_appliance_goes_back_to_the_original_source_and_port() {
        let at = NicRef::Workload(WorkloadId::for_test(3));
        let original = IpAddr::V4(std::net::Ipv4Addr::new(10, 1, 1, 4));
        let mut records = FlowRecords::default();
        records.snat.insert(at, (original, 50001));
        let (mut p, mut h) = (packet(), hop());
        assert!(translate_back(at, &mut p, &records, &mut h));
        assert_eq!((p.dst, p.dst_port), (original, 50001));
        assert!(matches!(h.steps.as_slice(), [Step::UnSnat { to, .. }] if *to == original));
    }

    #[test]
    fn a_reply_to_an_appliance_that_translated_nothing_has_arrived() {
        let (mut p, mut h) = (packet(), hop());
        let records = FlowRecords::default();
        assert!(!translate_back(
            NicRef::Workload(WorkloadId::for_test(3)),
            &mut p,
            &records,
            &mut h
        ));
        assert_eq!(p, packet());
        assert!(h.steps.is_empty());
    }
}
