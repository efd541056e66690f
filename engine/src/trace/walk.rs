//! The walker: one handler per next hop kind, the same code for the request and its reply.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use super::{Hop, Packet, PathQuality, Step, TraceAnswer, TraceRequest, Verdict, HOP_LIMIT};
use crate::dataplane::DataPlane;
use crate::filter::{firewall, TagScope};
use crate::model::{
    Access, Direction, FlowProtocol, Forwarding, Network, NextHopType, NicRef, Peering,
    PrivateEndpointId, SubnetId, TraceSource, TraceTarget, VirtualHubId, VnetId, WorkloadId,
};
use crate::query::{next_hop, nsgs_at};
use crate::route::hub::{HubNextHop, Ingress};
use crate::route::Origin;

/// A NIC's facts, looked up once.
#[derive(Clone, Debug)]
pub(super) struct Nic {
    pub(super) id: NicRef,
    pub(super) name: String,
    pub(super) subnet: SubnetId,
    pub(super) vnet: VnetId,
    pub(super) ip: IpAddr,
    pub(super) forwarding: Option<Forwarding>,
}

/// Whether the packet is the request or its reply.
#[derive(Clone, Debug, Default)]
struct ReplyState {
    /// Appliances that translated the request's source, with the address they replaced.
    snat: BTreeMap<NicRef, (IpAddr, u16)>,
    /// Stateful appliances the request passed.
    stateful: BTreeSet<NicRef>,
    /// NICs the request passed: their NSGs hold a flow record that lets the reply through.
    nsg_flows: BTreeSet<NicRef>,
    /// Firewalls that translated the request's destination, with the public address and port.
    dnat: BTreeMap<NicRef, (IpAddr, u16)>,
}

/// What happened when a packet reached a NIC.
enum Arrival {
    /// It is the destination.
    Arrived,
    /// The NIC forwards it on.
    Forward,
    /// It ends here.
    Stop(Verdict),
}

/// How a walk ends.
enum End {
    /// The packet reached the NIC that holds its destination address.
    Arrived(NicRef),
    /// It ended otherwise.
    Stopped(Verdict),
}

pub(super) struct Tracer<'a> {
    pub(super) net: &'a Network,
    pub(super) dp: &'a DataPlane,
    pub(super) protocol: FlowProtocol,
    /// The name the client asks for, for firewall application rules.
    pub(super) host: Option<String>,
    pub(super) assumptions: Vec<String>,
    /// The Internet client that started the flow, if it did not start at a workload.
    pub(super) client: Option<IpAddr>,
    /// Whether to keep the evidence of every route look-up (off when only verdicts matter).
    pub(super) explain: bool,
}

/// Traces a packet from workload `from` to the request's destination and its reply back.
pub fn trace(
    net: &Network,
    dp: &DataPlane,
    from: WorkloadId,
    request: TraceRequest,
) -> Option<TraceAnswer> {
    trace_from(net, dp, TraceSource::Workload(from), request)
}

/// Traces a packet from a workload or an Internet client to the request's destination and its
/// reply back.
pub fn trace_from(
    net: &Network,
    dp: &DataPlane,
    from: TraceSource,
    request: TraceRequest,
) -> Option<TraceAnswer> {
    walk_request(net, dp, from, request, true)
}

/// The verdict of [`trace_from`], decided the same way but without keeping the evidence of each
/// route look-up: for answering many pairs at once (the reachability matrix).
pub fn trace_verdict(
    net: &Network,
    dp: &DataPlane,
    from: TraceSource,
    request: TraceRequest,
) -> Option<Verdict> {
    walk_request(net, dp, from, request, false).map(|a| a.verdict)
}

fn walk_request(
    net: &Network,
    dp: &DataPlane,
    from: TraceSource,
    request: TraceRequest,
    explain: bool,
) -> Option<TraceAnswer> {
    // The name the client asks for: one definition for every command (see `name_asked`).
    let asked = crate::analysis::flow::name_asked(
        net,
        dp,
        request.destination,
        request.port,
        request.host.as_deref(),
    );
    let host = asked.name;
    let assumptions: Vec<String> = asked.assumption.into_iter().collect();
    let mut t = Tracer {
        net,
        dp,
        protocol: request.protocol,
        host,
        assumptions,
        client: None,
        explain,
    };
    let mut state = ReplyState::default();
    let (name, forward, end) = match from {
        TraceSource::Workload(w) => {
            let source = t.nic(NicRef::Workload(w))?;
            let packet = Packet {
                src: source.ip,
                src_port: request.source_port,
                dst: request.destination,
                dst_port: request.port,
            };
            let (forward, end) = match t.app_service_egress(&source, packet) {
                Some((hop, false)) => (vec![hop], End::Stopped(Verdict::SentToInternet)),
                Some((hop, true)) => {
                    let (mut forward, end) = t.walk(source.id, packet, false, &mut state);
                    if let (Some(first), Some(step)) = (forward.first_mut(), hop.steps.first()) {
                        first.steps.insert(0, step.clone());
                    }
                    (forward, end)
                }
                None => t.walk(source.id, packet, false, &mut state),
            };
            (source.name, forward, end)
        }
        TraceSource::Internet(client) => {
            t.client = Some(client);
            let packet = Packet {
                src: client,
                src_port: request.source_port,
                dst: request.destination,
                dst_port: request.port,
            };
            let (forward, end) = t.enter(packet, &mut state);
            (format!("Internet client {client}"), forward, end)
        }
    };
    let quality = t.quality(&forward, &state);
    let (reply, verdict) = match end {
        End::Stopped(v) => (Vec::new(), v),
        End::Arrived(target) => t.reply(&forward, target, &mut state),
    };
    let verdict = t.conclude(verdict, &forward, &request, from);
    Some(TraceAnswer {
        source: name,
        request,
        symptom: verdict.symptom(),
        verdict,
        forward,
        reply,
        quality,
        assumptions: t.assumptions,
        resolution: None,
    })
}

/// Traces to an address, or resolves a name first ([`trace_name`]); `request.destination` is
/// ignored.
pub fn trace_to(
    net: &Network,
    dp: &DataPlane,
    from: TraceSource,
    to: &TraceTarget,
    request: TraceRequest,
) -> Option<TraceAnswer> {
    match to {
        TraceTarget::Address(destination) => trace_from(
            net,
            dp,
            from,
            TraceRequest {
                destination: *destination,
                ..request
            },
        ),
        TraceTarget::Name(name) => trace_name(net, dp, from, name, request),
    }
}

/// Resolves `name` as the source does, then traces to the first address with `name` as the
/// host asked for; a name that does not resolve ends the trace before the first packet.
pub fn trace_name(
    net: &Network,
    dp: &DataPlane,
    from: TraceSource,
    name: &str,
    mut request: TraceRequest,
) -> Option<TraceAnswer> {
    let client = match from {
        TraceSource::Workload(w) => crate::dns::Resolver::Workload(w),
        TraceSource::Internet(_) => crate::dns::Resolver::Internet,
    };
    let resolution = crate::dns::resolve(net, client, name);
    let Some(address) = resolution.address() else {
        let source = match from {
            TraceSource::Workload(w) => net.workloads.get(w.0)?.name.clone(),
            TraceSource::Internet(ip) => format!("Internet client {ip}"),
        };
        let verdict = Verdict::NameNotResolved {
            name: resolution.name.clone(),
            outcome: resolution.outcome.clone(),
        };
        request.host = Some(resolution.name.clone());
        return Some(TraceAnswer {
            source,
            request,
            symptom: verdict.symptom(),
            verdict,
            forward: Vec::new(),
            reply: Vec::new(),
            quality: PathQuality::default(),
            assumptions: Vec::new(),
            resolution: Some(resolution),
        });
    };
    request.destination = address;
    // The client asks for the name it resolved, unless it says otherwise (SNI set by hand).
    request.host = request.host.or_else(|| Some(resolution.name.clone()));
    let mut answer = trace_from(net, dp, from, request)?;
    answer.resolution = Some(resolution);
    Some(answer)
}

impl Tracer<'_> {
    /// A packet from the Internet reaches a public address: a load balancer frontend (which
    /// rewrites the destination to a backend, keeping the client's address) or a firewall's
    /// public IP (whose DNAT rules decide); any other address is not in the scenario.
    fn enter(&mut self, packet: Packet, state: &mut ReplyState) -> (Vec<Hop>, End) {
        let mut hop = Hop {
            nic: "Internet".into(),
            subnet: String::new(),
            vnet: String::new(),
            region: String::new(),
            packet,
            steps: Vec::new(),
            at: None,
        };
        let lb = self
            .net
            .load_balancers
            .iter()
            .find(|lb| lb.frontend_ip == packet.dst);
        if let Some(lb) = lb {
            let rule = lb
                .rules
                .iter()
                .find(|r| r.protocol == self.protocol && r.frontend_port == packet.dst_port);
            let backend = lb
                .backends
                .first()
                .and_then(|w| self.nic(NicRef::Workload(*w)));
            let (Some(rule), Some(backend)) = (rule, backend) else {
                let verdict = Verdict::NoDestination {
                    address: packet.dst,
                };
                return (vec![hop], End::Stopped(verdict));
            };
            hop.steps.push(Step::LoadBalancer {
                load_balancer: lb.name.clone(),
                rule: rule.name.clone(),
                backend: backend.name.clone(),
                pool: lb.backends.len(),
            });
            let inside = Packet {
                dst: backend.ip,
                dst_port: rule.backend_port,
                ..packet
            };
            return self.walk_from(vec![hop], backend.id, inside, true, false, state);
        }
        let firewall = self
            .net
            .firewalls
            .iter()
            .position(|f| f.public_ips.contains(&packet.dst));
        match firewall {
            Some(f) => {
                let id = NicRef::Firewall(crate::model::FirewallId(f));
                self.walk_from(vec![hop], id, packet, true, false, state)
            }
            None => (
                vec![hop],
                End::Stopped(Verdict::NoDestination {
                    address: packet.dst,
                }),
            ),
        }
    }

    pub(super) fn nic(&self, id: NicRef) -> Option<Nic> {
        let (name, subnet, ip, forwarding) = match id {
            NicRef::Workload(w) => {
                let w = self.net.workloads.get(w.0)?;
                (w.name.clone(), w.subnet, w.ip, w.forwarding)
            }
            NicRef::PrivateEndpoint(p) => {
                let p = self.net.private_endpoints.get(p.0)?;
                (p.name.clone(), p.subnet, p.ip, None)
            }
            // An Azure Firewall is stateful; whether it SNATs depends on the rule that allows.
            NicRef::Firewall(f) => {
                let f = self.net.firewalls.get(f.0)?;
                (
                    f.name.clone(),
                    f.subnet,
                    f.ip,
                    Some(Forwarding {
                        stateful: true,
                        snat: false,
                    }),
                )
            }
            // A hub router forwards without state.
            NicRef::HubRouter(h) => {
                let hub = self.net.hub(h)?;
                let subnet = *self.net.vnet(hub.vnet)?.subnets.first()?;
                let ip = *hub.router_ips.first()?;
                let forwarding = Forwarding {
                    stateful: false,
                    snat: false,
                };
                (format!("{} router", hub.name), subnet, ip, Some(forwarding))
            }
        };
        let vnet = self.net.subnet(subnet)?.vnet;
        Some(Nic {
            id,
            name,
            subnet,
            vnet,
            ip,
            forwarding,
        })
    }

    fn hop(&self, nic: &Nic, packet: Packet) -> Hop {
        let subnet = self.net.subnet(nic.subnet);
        let vnet = self.net.vnet(nic.vnet);
        Hop {
            nic: nic.name.clone(),
            subnet: subnet.map(|s| s.name.clone()).unwrap_or_default(),
            vnet: vnet.map(|v| v.name.clone()).unwrap_or_default(),
            region: vnet.map(|v| v.region.clone()).unwrap_or_default(),
            packet,
            steps: Vec::new(),
            at: Some(nic.id),
        }
    }

    /// The NIC holding `ip` that `vnet` can reach directly: in `vnet` itself or in a VNet
    /// peered with it (then with that peering).
    fn find(&self, vnet: VnetId, ip: IpAddr) -> Option<(NicRef, Option<&Peering>)> {
        if let Some(n) = self.dp.nic_at(vnet, ip) {
            return Some((n, None));
        }
        // The VNets holding the address (one, usually), then whether one is a direct peer: a
        // hub has hundreds of peers, so this is cheaper than searching each of them.
        self.dp.nics_holding(ip).find_map(|(holder, nic)| {
            self.net
                .connected_peers(vnet)
                .find(|(_, remote)| *remote == holder)
                .map(|(p, _)| (nic, Some(p)))
        })
    }

    /// Walks `packet` from `start` until it arrives or stops. For a reply, `state` holds what
    /// the request left behind (translations, stateful devices); for the request it collects it.
    fn walk(
        &mut self,
        start: NicRef,
        packet: Packet,
        is_reply: bool,
        state: &mut ReplyState,
    ) -> (Vec<Hop>, End) {
        self.walk_from(Vec::new(), start, packet, false, is_reply, state)
    }

    /// Walks from `start`, after the hops already taken. With `arriving`, the packet is only
    /// now reaching `start` (from the Internet), so its arrival is processed first.
    fn walk_from(
        &mut self,
        mut hops: Vec<Hop>,
        start: NicRef,
        mut packet: Packet,
        mut arriving: bool,
        is_reply: bool,
        state: &mut ReplyState,
    ) -> (Vec<Hop>, End) {
        let mut seen: BTreeSet<(NicRef, Packet)> = BTreeSet::new();
        let Some(mut at) = self.nic(start) else {
            return (
                hops,
                End::Stopped(Verdict::ReplyDropped {
                    reason: "unknown NIC".into(),
                }),
            );
        };
        let mut hop = self.hop(&at, packet);
        loop {
            if arriving {
                match self.arrive(&at, &mut packet, is_reply, state, &mut hop) {
                    Arrival::Forward => {}
                    Arrival::Arrived => {
                        hops.push(hop);
                        return (hops, End::Arrived(at.id));
                    }
                    Arrival::Stop(verdict) => return self.stop(hops, hop, verdict),
                }
            }
            arriving = true;
            if hops.len() >= HOP_LIMIT || !seen.insert((at.id, packet)) {
                let verdict = Verdict::Loop {
                    at: at.name.clone(),
                };
                hops.push(hop);
                return (hops, End::Stopped(verdict));
            }
            // Leaving the NIC: its NSGs (NIC then subnet), unless this is the reply of a flow
            // they already allowed.
            // Leaving the NIC: its NSGs (NIC then subnet).
            let flow = (packet, is_reply);
            if let Some(verdict) = self.nsgs(&at, Direction::Outbound, flow, state, &mut hop) {
                return self.stop(hops, hop, verdict);
            }
            let target = match self.forward(&at, hops.last(), packet, is_reply, &mut hop) {
                Ok(target) => target,
                Err(verdict) => return self.stop(hops, hop, verdict),
            };
            hops.push(hop);
            let Some(next) = self.nic(target) else {
                return (
                    hops,
                    End::Stopped(Verdict::NoDestination {
                        address: packet.dst,
                    }),
                );
            };
            hop = self.hop(&next, packet);
            at = next;
        }
    }

    /// The NSGs of `nic` in `direction`, recorded on `hop`; the verdict if they deny. NSGs keep a
    /// flow record per NIC: a reply passes freely where the request passed and meets every other
    /// NIC's NSGs as a new flow.
    fn nsgs(
        &self,
        nic: &Nic,
        direction: Direction,
        (packet, is_reply): (Packet, bool),
        state: &mut ReplyState,
        hop: &mut Hop,
    ) -> Option<Verdict> {
        let known = is_reply && state.nsg_flows.contains(&nic.id);
        if !is_reply {
            state.nsg_flows.insert(nic.id);
        }
        if known {
            if !matches!(
                hop.steps.last(),
                Some(Step::StatefulReply | Step::UnSnat { .. } | Step::UnDnat { .. })
            ) {
                hop.steps.push(Step::StatefulReply);
            }
            return None;
        }
        let nsgs = nsgs_at(
            self.net,
            self.dp,
            nic.id,
            direction,
            packet.flow(self.protocol),
        )?;
        let denied = (nsgs.access == Access::Deny)
            .then(|| nsgs.rule.clone())
            .flatten();
        hop.steps.push(match direction {
            Direction::Outbound => Step::OutboundNsgs(nsgs),
            Direction::Inbound => Step::InboundNsgs(nsgs),
        });
        denied.map(|rule| Verdict::DroppedByNsg {
            nsg: rule.nsg,
            rule: rule.rule,
            nic: nic.name.clone(),
        })
    }

    /// The packet reaches `next`: its inbound NSGs (none for a reply), then either it is the
    /// destination, or an appliance that forwards it (stateful check, firewall rules, NAT).
    fn arrive(
        &mut self,
        next: &Nic,
        packet: &mut Packet,
        is_reply: bool,
        state: &mut ReplyState,
        hop: &mut Hop,
    ) -> Arrival {
        // Arriving: the subnet's NSG then the NIC's.
        if let Some(verdict) = self.nsgs(next, Direction::Inbound, (*packet, is_reply), state, hop)
        {
            return Arrival::Stop(verdict);
        }
        if packet.dst == next.ip {
            // A reply addressed to an appliance that translated the request goes on to the
            // original source.
            match state.snat.get(&next.id).copied().filter(|_| is_reply) {
                Some((src, port)) => {
                    hop.steps.push(Step::UnSnat {
                        from: packet.dst,
                        to: src,
                    });
                    packet.dst = src;
                    packet.dst_port = port;
                    if let Some((public, public_port)) = state.dnat.get(&next.id).copied() {
                        hop.steps.push(Step::UnDnat {
                            from: packet.src,
                            to: public,
                        });
                        packet.src = public;
                        packet.src_port = public_port;
                    }
                    hop.packet = *packet;
                    return Arrival::Forward;
                }
                None => return Arrival::Arrived,
            }
        }
        let Some(forwarding) = next.forwarding else {
            let verdict = Verdict::InvalidNextHop {
                address: next.ip,
                reason: format!(
                    "`{}` does not forward packets (IP forwarding is off)",
                    next.name
                ),
            };
            return Arrival::Stop(verdict);
        };
        if forwarding.stateful {
            if is_reply && !state.stateful.contains(&next.id) {
                let verdict = Verdict::AsymmetricReturnDropped {
                    device: next.name.clone(),
                    reason: "the reply reached a stateful appliance that never saw the request"
                        .into(),
                    reply_only: true,
                };
                return Arrival::Stop(verdict);
            }
            state.stateful.insert(next.id);
        }
        let mut snat = forwarding.snat;
        if let (NicRef::Firewall(f), false) = (next.id, is_reply) {
            let Some(fw) = self.net.firewalls.get(f.0) else {
                return Arrival::Stop(Verdict::NoDestination { address: next.ip });
            };
            let fallback = TagScope::default();
            let scope = self.dp.tag_scope(next.subnet).unwrap_or(&fallback);
            let decision =
                firewall::evaluate(fw, &packet.flow(self.protocol), self.host.as_deref(), scope);
            let (access, rule, feel) = (decision.access, decision.rule.clone(), decision.feel);
            snat = decision.snat;
            let dnat = decision.dnat;
            hop.steps.push(Step::Firewall(decision));
            if let (Some((to, port)), Access::Allow) = (dnat, access) {
                hop.steps.push(Step::Dnat {
                    from: packet.dst,
                    to,
                });
                state.dnat.insert(next.id, (packet.dst, packet.dst_port));
                packet.dst = to;
                packet.dst_port = port;
            }
            if access == Access::Deny {
                let verdict = Verdict::DroppedByFirewall {
                    firewall: next.name.clone(),
                    rule: rule.map(|r| format!("{}/{}/{}", r.group, r.collection, r.rule)),
                    feel,
                };
                return Arrival::Stop(verdict);
            }
        }
        if snat && !is_reply {
            // Towards the Internet an Azure Firewall uses its public address; elsewhere a
            // private one (azpath shows the firewall's own).
            let public = match next.id {
                NicRef::Firewall(f) if !crate::model::is_private(packet.dst) => self
                    .net
                    .firewalls
                    .get(f.0)
                    .and_then(|fw| fw.public_ips.first().copied()),
                _ => None,
            };
            let to = public.unwrap_or(next.ip);
            hop.steps.push(Step::Snat {
                from: packet.src,
                to,
            });
            state.snat.insert(next.id, (packet.src, packet.src_port));
            packet.src = to;
        }
        Arrival::Forward
    }

    /// Where the packet goes from `at`: the NIC it is sent to, after the route look-up (the
    /// subnet's effective routes, or the hub's tables inside a virtual hub) and any peering it
    /// crosses; or the verdict that ends the walk there.
    fn forward(
        &self,
        at: &Nic,
        prev: Option<&Hop>,
        packet: Packet,
        is_reply: bool,
        hop: &mut Hop,
    ) -> Result<NicRef, Verdict> {
        if let Some(hub) = self.net.vnet(at.vnet).and_then(|v| v.hub) {
            return self.hub_forward(hub, at, prev, packet, is_reply, hop);
        }
        let (kind, appliance, route_prefix, origin) = if self.explain {
            let answer = next_hop(self.net, self.dp, at.subnet, packet.dst);
            let decided = (
                answer.next_hop.next_hop_type,
                answer.next_hop.ip,
                answer.route.as_ref().map(|r| r.prefix.to_string()),
                answer.route.as_ref().map(|r| r.origin.clone()),
            );
            hop.steps.push(Step::Route(Box::new(answer)));
            decided
        } else {
            // The same decision without the evidence: the first of the longest active routes.
            let best = self.dp.routes(at.subnet).and_then(|v| v.best(packet.dst));
            match best {
                Some(r) => (
                    r.next_hop.next_hop_type,
                    r.next_hop.ip,
                    Some(r.prefix.to_string()),
                    (r.next_hop.next_hop_type == NextHopType::VirtualNetworkGateway)
                        .then(|| r.origin.clone()),
                ),
                None => (NextHopType::None, None, None, None),
            }
        };
        let target_ip = match (kind, appliance) {
            (NextHopType::None, _) => {
                return Err(Verdict::NoRoute {
                    prefix: route_prefix,
                })
            }
            (NextHopType::Internet, _) => return Err(Verdict::SentToInternet),
            // Into the virtual hub: to its router, or to its firewall under routing intent.
            (NextHopType::VirtualNetworkGateway, Some(ip))
                if matches!(origin, Some(Origin::VirtualHub { .. })) =>
            {
                ip
            }
            (NextHopType::VirtualNetworkGateway, _) => {
                let via = match origin {
                    Some(Origin::Gateway { gateway, .. }) => gateway,
                    Some(Origin::UserRoute { table, route }) => format!("{table}/{route}"),
                    _ => "gateway".into(),
                };
                return Err(Verdict::SentToOnPremises { via });
            }
            (NextHopType::VirtualNetworkServiceEndpoint, _) => {
                return Err(Verdict::SentToServiceEndpoint)
            }
            (NextHopType::VirtualAppliance, Some(ip)) => ip,
            (NextHopType::VirtualAppliance, None) => {
                return Err(Verdict::NoRoute {
                    prefix: route_prefix,
                });
            }
            _ => packet.dst,
        };
        let Some((target, peering)) = self.find(at.vnet, target_ip) else {
            let vnet = self
                .net
                .vnet(at.vnet)
                .map(|v| v.name.clone())
                .unwrap_or_default();
            let idle = self.net.peerings.iter().find_map(|p| {
                let remote = self.net.vnet(p.remote_of(at.vnet)?)?;
                let covers = remote.address_space.iter().any(|s| s.contains(&target_ip));
                (covers && p.state != crate::model::PeeringState::Connected).then(|| {
                    let reason = format!("the peering is {:?}, so it carries nothing", p.state);
                    (remote.name.clone(), reason)
                })
            });
            let verdict = if let Some((to, reason)) = idle {
                Verdict::PeeringBlocked {
                    from: vnet,
                    to,
                    reason,
                }
            } else if kind == NextHopType::VirtualAppliance {
                Verdict::InvalidNextHop {
                    address: target_ip,
                    reason: format!(
                        "no NIC in `{vnet}` or a vnet peered with it holds this address"
                    ),
                }
            } else if is_reply {
                Verdict::ReplyDropped {
                    reason: format!("no NIC holds {target_ip} where the reply is routed"),
                }
            } else {
                Verdict::NoDestination { address: target_ip }
            };
            return Err(verdict);
        };
        if let Some(p) = peering {
            if let Some(verdict) = self.cross(at, p, packet, hop) {
                return Err(verdict);
            }
        }
        Ok(target)
    }

    /// Forwarding inside a virtual hub. The router routes by the table of the connection the
    /// packet came from (`defaultRouteTable` for traffic from another hub); the hub's firewall
    /// sends what it allowed to where the destination lives.
    fn hub_forward(
        &self,
        hub: VirtualHubId,
        at: &Nic,
        prev: Option<&Hop>,
        packet: Packet,
        is_reply: bool,
        hop: &mut Hop,
    ) -> Result<NicRef, Verdict> {
        let ingress = match at.id {
            NicRef::Firewall(_) => Ingress::Firewall,
            _ => {
                let came_from = prev
                    .and_then(|h| h.at)
                    .and_then(|n| self.nic(n))
                    .and_then(|n| self.net.vnet(n.vnet));
                match came_from {
                    Some(v) if v.hub.is_none() => Ingress::Connection {
                        vnet: v.name.clone(),
                    },
                    Some(v) => Ingress::RemoteHub {
                        hub: v.name.clone(),
                    },
                    None => Ingress::Firewall,
                }
            }
        };
        let lookup = crate::route::hub::lookup(self.net, hub, ingress, packet.dst);
        let chosen = lookup.chosen.clone();
        hop.steps.push(Step::HubRoute(Box::new(lookup)));
        let Some(route) = chosen else {
            return Err(Verdict::NoRoute { prefix: None });
        };
        match route.next_hop {
            HubNextHop::Connection { id, vnet } => {
                let connection = self.net.hub(hub).and_then(|h| h.connection(id));
                // The connection's own static routes send the packet to an appliance in the VNet.
                let appliance = connection.and_then(|c| {
                    c.static_routes
                        .iter()
                        .flat_map(|r| r.prefixes.iter().map(move |p| (*p, r.next_hop_ip)))
                        .filter(|(p, _)| p.contains(&packet.dst))
                        .max_by_key(|(p, _)| p.prefix_len())
                        .map(|(_, ip)| ip)
                });
                let ip = appliance.unwrap_or(packet.dst);
                let Some(target) = self.dp.nic_at(id, ip) else {
                    return Err(match (appliance, is_reply) {
                        (Some(_), _) => Verdict::InvalidNextHop {
                            address: ip,
                            reason: format!(
                                "no NIC in `{vnet}` holds the next hop of the connection's static route"
                            ),
                        },
                        (None, true) => Verdict::ReplyDropped {
                            reason: format!("no NIC holds {ip} where the reply is routed"),
                        },
                        (None, false) => Verdict::NoDestination { address: ip },
                    });
                };
                if let Some(p) = connection.and_then(|c| self.net.peerings.get(c.peering.0)) {
                    if let Some(verdict) = self.cross(at, p, packet, hop) {
                        return Err(verdict);
                    }
                }
                Ok(target)
            }
            HubNextHop::RemoteHub { id, hub: to } => {
                let region = |h: VirtualHubId| self.net.hub(h).map(|h| h.region.clone());
                hop.steps.push(Step::HubToHub {
                    from: self
                        .net
                        .hub(hub)
                        .map(|h| h.name.clone())
                        .unwrap_or_default(),
                    to,
                    global: region(hub) != region(id),
                });
                Ok(NicRef::HubRouter(id))
            }
            HubNextHop::Firewall { id, .. } => Ok(NicRef::Firewall(id)),
            HubNextHop::Site { site } => Err(Verdict::SentToOnPremises { via: site }),
            HubNextHop::Internet => Err(Verdict::SentToInternet),
        }
    }

    fn stop(&self, mut hops: Vec<Hop>, hop: Hop, verdict: Verdict) -> (Vec<Hop>, End) {
        hops.push(hop);
        (hops, End::Stopped(verdict))
    }

    /// Crossing a peering: it must allow virtual network access, and a packet whose source is
    /// outside the sending VNet (forwarded by an appliance) needs `allowForwardedTraffic`.
    fn cross(&self, at: &Nic, p: &Peering, packet: Packet, hop: &mut Hop) -> Option<Verdict> {
        let remote = p.remote_of(at.vnet)?;
        let (from, to) = (self.net.vnet(at.vnet)?, self.net.vnet(remote)?);
        let global = from.region != to.region;
        hop.steps.push(Step::Peering {
            from: from.name.clone(),
            to: to.name.clone(),
            global,
        });
        let blocked = |reason: String| Verdict::PeeringBlocked {
            from: from.name.clone(),
            to: to.name.clone(),
            reason,
        };
        if !p.allow_virtual_network_access {
            return Some(blocked(
                "the peering does not allow virtual network access".into(),
            ));
        }
        let own_source = from.address_space.iter().any(|s| s.contains(&packet.src));
        if !own_source && !p.allow_forwarded_traffic {
            return Some(blocked(format!(
                "the source {} is outside `{}`, so this is forwarded traffic, which the peering does not allow",
                packet.src, from.name
            )));
        }
        None
    }

    /// The reply, from the NIC the request reached back to the source, then the check that
    /// every stateful appliance saw both directions.
    fn reply(
        &mut self,
        forward: &[Hop],
        target: NicRef,
        state: &mut ReplyState,
    ) -> (Vec<Hop>, Verdict) {
        let Some(arrived) = forward.last() else {
            return (
                Vec::new(),
                Verdict::ReplyDropped {
                    reason: "empty path".into(),
                },
            );
        };
        let packet = arrived.packet.reply();
        let reply_hops = match target {
            NicRef::PrivateEndpoint(pe) if !self.pe_routes_replies(pe) => {
                self.assumptions.push(
                    "UNCONFIRMED: a private endpoint whose subnet has no route-table network policies answers along the path the request came".into(),
                );
                if forward.iter().all(|h| h.vnet == arrived.vnet) && forward.len() > 2 {
                    self.assumptions.push(
                        "UNCONFIRMED: community labs saw client, appliance and private endpoint in one VNet fail; azpath does not model that failure".into(),
                    );
                }
                return self.retrace(forward);
            }
            _ => {
                if let NicRef::PrivateEndpoint(_) = target {
                    self.assumptions.push(
                        "UNCONFIRMED: a private endpoint whose subnet has route-table network policies answers by its subnet's effective routes".into(),
                    );
                }
                let (hops, end) = self.walk(target, packet, true, state);
                match end {
                    // A reply to an Internet client is home once it leaves for the Internet
                    // addressed to that client.
                    End::Stopped(Verdict::SentToInternet)
                        if self.client.is_some()
                            && hops.last().map(|h| h.packet.dst) == self.client =>
                    {
                        let mut hops = hops;
                        self.undo_load_balancer(forward, &mut hops);
                        hops
                    }
                    End::Stopped(v) => {
                        let verdict = match v {
                            Verdict::AsymmetricReturnDropped { .. }
                            | Verdict::ReplyDropped { .. } => v,
                            other => Verdict::ReplyDropped {
                                reason: format!("the reply ended with {}", other.describe()),
                            },
                        };
                        return (hops, verdict);
                    }
                    End::Arrived(at) if Some(at) != forward.first().and_then(|h| h.at) => {
                        let name = self.nic(at).map(|n| n.name).unwrap_or_default();
                        let reason = format!(
                            "the reply reached `{name}`, not the source: its routes lead elsewhere"
                        );
                        return (hops, Verdict::ReplyDropped { reason });
                    }
                    End::Arrived(_) => hops,
                }
            }
        };
        let names: BTreeSet<&str> = reply_hops.iter().map(|h| h.nic.as_str()).collect();
        let missed = state
            .stateful
            .iter()
            .filter_map(|id| self.nic(*id))
            .find(|n| !names.contains(n.name.as_str()));
        let verdict = match missed {
            Some(device) => Verdict::AsymmetricReturnDropped {
                device: device.name,
                reason:
                    "the reply bypassed this stateful appliance, so it drops the rest of the flow"
                        .into(),
                reply_only: false,
            },
            None => Verdict::Delivered,
        };
        (reply_hops, verdict)
    }

    /// A reply to a flow that came in through a public load balancer leaves with the frontend's
    /// address as its source: the load balancer undoes its translation.
    fn undo_load_balancer(&self, forward: &[Hop], reply: &mut [Hop]) {
        let Some(entry) = forward.first() else { return };
        if !entry
            .steps
            .iter()
            .any(|s| matches!(s, Step::LoadBalancer { .. }))
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

    /// The reply along the request's path in reverse (a flow-symmetric private endpoint). The
    /// peerings on the way must still let it through: replayed from a forwarding appliance, the
    /// endpoint's address is a forwarded source.
    fn retrace(&self, forward: &[Hop]) -> (Vec<Hop>, Verdict) {
        let mut hops: Vec<Hop> = forward.iter().rev().cloned().collect();
        for h in &mut hops {
            h.packet = h.packet.reply();
            h.steps = vec![Step::FlowSymmetricReply];
        }
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
                let reason = format!("the reply ended with {}", blocked.describe());
                return (hops, Verdict::ReplyDropped { reason });
            }
        }
        (hops, Verdict::Delivered)
    }

    /// Whether a private endpoint's replies follow its subnet's routes (route-table network
    /// policies on) rather than the request's path.
    fn pe_routes_replies(&self, pe: PrivateEndpointId) -> bool {
        self.net
            .private_endpoints
            .get(pe.0)
            .and_then(|p| self.net.subnet(p.subnet))
            .is_some_and(|s| s.private_endpoint_network_policies.route_tables_apply())
    }

    fn quality(&self, forward: &[Hop], state: &ReplyState) -> PathQuality {
        let mut regions: Vec<String> = Vec::new();
        for h in forward.iter().filter(|h| !h.region.is_empty()) {
            if regions.last() != Some(&h.region) {
                regions.push(h.region.clone());
            }
        }
        let crossings: Vec<bool> = forward
            .iter()
            .flat_map(|h| h.steps.iter())
            .filter_map(|s| match s {
                Step::Peering { global, .. } => Some(*global),
                _ => None,
            })
            .collect();
        let mut hubs: Vec<String> = Vec::new();
        for h in forward {
            let is_hub =
                h.at.and_then(|n| self.nic(n))
                    .and_then(|n| self.net.vnet(n.vnet))
                    .is_some_and(|v| v.hub.is_some());
            if is_hub && hubs.last() != Some(&h.vnet) {
                hubs.push(h.vnet.clone());
            }
        }
        PathQuality {
            hubs,
            hops: forward.len(),
            regions,
            peerings: crossings.len(),
            global_peerings: crossings.iter().filter(|g| **g).count(),
            stateful_devices: state
                .stateful
                .iter()
                .filter_map(|id| self.nic(*id))
                .map(|n| n.name)
                .collect(),
        }
    }
}
