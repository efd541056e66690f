//! The walker: the entry points, and the loop that carries a packet from NIC to NIC. What
//! happens at each NIC lives beside it, one module per kind of hop: [`arrive`](super::arrive)
//! (NSGs, stateful appliances, NAT, firewalls), [`forward`](super::forward) (routes and
//! peerings), [`hub`](super::hub) (virtual hubs) and [`reply`](super::reply). The request and
//! its reply take the same code; the [`Leg`] says which one is walking.

use std::borrow::Cow;
use std::net::IpAddr;

use super::{
    Assumed, Assumption, Hop, Packet, PathQuality, Probe, Source, Step, TraceAnswer, TraceRequest,
    Verdict, HOP_LIMIT,
};
use crate::dataplane::DataPlane;
use crate::model::{
    Direction, FlowProtocol, Forwarding, Name, Network, NicRef, Peering, SubnetId, TraceSource,
    TraceTarget, VnetId, WorkloadId,
};
use crate::scenario::FlowState;

/// Which half of the flow is walking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Leg {
    /// The request: it leaves flow records behind (NSGs, stateful appliances, translations).
    Request,
    /// The reply: it meets the records the request left.
    Reply,
}

/// Where a walk starts at its first NIC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Entry {
    /// The packet leaves the NIC that sends it.
    Departs,
    /// The packet arrives at the NIC from outside Azure (from the Internet), so its arrival is
    /// processed first.
    Arrives,
}

/// A NIC's facts, looked up once.
#[derive(Clone, Debug)]
pub(super) struct Nic<'a> {
    pub(super) id: NicRef,
    /// Borrowed from the model: a NIC is looked up at every hop, and only the answer's
    /// evidence keeps its name.
    pub(super) name: Cow<'a, str>,
    pub(super) subnet: SubnetId,
    pub(super) vnet: VnetId,
    pub(super) ip: IpAddr,
    pub(super) forwarding: Option<Forwarding>,
}

/// What the request leaves behind for its reply.
#[derive(Clone, Debug, Default)]
pub(super) struct FlowRecords {
    /// Appliances that translated the request's source, with the address they replaced.
    pub(super) snat: NicMap<(IpAddr, u16)>,
    /// Stateful appliances the request passed.
    pub(super) stateful: NicMap<()>,
    /// NICs the request passed: their NSGs hold a flow record that lets the reply through.
    pub(super) nsg_flows: NicMap<()>,
    /// Firewalls that translated the request's destination, with the public address and port.
    pub(super) dnat: NicMap<(IpAddr, u16)>,
    /// Backends an internal load balancer handed the request to with its destination
    /// rewritten, with the frontend address and port their reply leaves from (also backends
    /// and instance public IPs a request re-entering from the Internet reached).
    pub(super) lb_dnat: NicMap<(IpAddr, u16)>,
    /// Each NIC whose way out to the Internet rewrote the request's source before it came back
    /// into Azure at a modelled public address, in the order the request left: the public
    /// address it left from, and the address and port it replaced (the reply to that public
    /// address is translated back there, the last translation first).
    pub(super) egress: Vec<(NicRef, IpAddr, (IpAddr, u16))>,
}

/// A record per NIC, in NIC order: a flow passes a handful of NICs (at most [`HOP_LIMIT`] per
/// leg), so a sorted list allocates once where a tree allocates per node, and a search of a
/// few entries costs less than a tree's. Iterates in the order of a `BTreeMap` with the same
/// keys; an insert replaces the record of a NIC already recorded.
#[derive(Clone, Debug)]
pub(super) struct NicMap<V>(Vec<(NicRef, V)>);

impl<V> Default for NicMap<V> {
    fn default() -> Self {
        NicMap(Vec::new())
    }
}

impl<V> NicMap<V> {
    fn position(&self, nic: NicRef) -> Result<usize, usize> {
        self.0.binary_search_by(|(n, _)| n.cmp(&nic))
    }

    /// Records `value` for `nic`, replacing any record it had.
    pub(super) fn insert(&mut self, nic: NicRef, value: V) {
        match self.position(nic) {
            Ok(i) => {
                if let Some(slot) = self.0.get_mut(i) {
                    slot.1 = value;
                }
            }
            Err(i) => self.0.insert(i, (nic, value)),
        }
    }

    /// The record of `nic`.
    pub(super) fn get(&self, nic: NicRef) -> Option<&V> {
        let i = self.position(nic).ok()?;
        self.0.get(i).map(|(_, v)| v)
    }

    /// Whether `nic` has a record.
    pub(super) fn contains(&self, nic: NicRef) -> bool {
        self.position(nic).is_ok()
    }

    /// The NICs recorded, in order.
    pub(super) fn nics(&self) -> impl Iterator<Item = NicRef> + '_ {
        self.0.iter().map(|(n, _)| *n)
    }
}

/// How a walk ends.
pub(super) enum End {
    /// The packet reached the NIC that holds its destination address.
    Arrived(NicRef),
    /// It ended otherwise.
    Stopped(Verdict),
}

/// What happened when a packet reached a NIC.
pub(super) enum Arrival {
    /// It is the destination.
    Arrived,
    /// The NIC forwards it on.
    Forward,
    /// It ends here.
    Stop(Verdict),
    /// A load balancer's frontend hands it to this backend, which it arrives at next.
    Handoff(NicRef),
}

pub(super) struct Tracer<'a> {
    pub(super) net: &'a Network,
    pub(super) dp: &'a DataPlane,
    pub(super) protocol: FlowProtocol,
    /// The name the client asks for, for firewall application rules; borrowed from the request
    /// or the network where it can be.
    pub(super) host: Option<Cow<'a, str>>,
    pub(super) assumptions: Vec<Assumption>,
    /// The Internet client that started the flow, if it did not start at a workload.
    pub(super) client: Option<IpAddr>,
    /// Whether to attach the evidence of every route look-up (off when only verdicts matter).
    pub(super) explain: bool,
    /// The on-premises client that started the flow, if it started at a site.
    pub(super) site_client: Option<IpAddr>,
    /// The virtual WAN branch that started the flow, if it started at one.
    pub(super) branch: Option<crate::model::BranchId>,
    /// The SNAT source to take from a pool of several public IPs that holds it
    /// ([`super::snat_pool`]); `None`: each pool's first.
    pub(super) snat_choice: Option<IpAddr>,
    /// The pools of several public IPs the walk took an SNAT source from.
    pub(super) snat_pools: std::cell::Cell<Vec<super::snat_pool::SnatPool>>,
    /// Whether the flow is new or already established (load balancers keep established flows
    /// where Azure keeps them, [`super::established`]).
    pub(super) flow: FlowState,
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
    trace_from_flow(net, dp, from, request, FlowState::New)
}

/// [`trace_from`] for a flow that is new or already established.
pub fn trace_from_flow(
    net: &Network,
    dp: &DataPlane,
    from: TraceSource,
    request: TraceRequest,
    flow: FlowState,
) -> Option<TraceAnswer> {
    walk_request(net, dp, from, request, true, flow)
}

/// The verdict of [`trace_from`], decided the same way but without attaching the evidence of
/// each route look-up: for answering many pairs at once (the reachability matrix).
pub fn trace_verdict(
    net: &Network,
    dp: &DataPlane,
    from: TraceSource,
    request: TraceRequest,
) -> Option<Verdict> {
    // The answer names its source: a source the network does not hold has no answer.
    let known = match from {
        TraceSource::Workload(w) => net.workloads.get(w).is_some(),
        TraceSource::Internet(_) => true,
        TraceSource::Site(s, _) => net.site(s).is_some(),
        TraceSource::Branch(b, _) => net.branch(b).is_some(),
    };
    if !known {
        return None;
    }
    walk_parts(net, dp, from, &request, false, FlowState::New).map(|w| w.verdict)
}

/// Traces to an address, or resolves a name first ([`trace_name`]).
pub fn trace_to(
    net: &Network,
    dp: &DataPlane,
    from: TraceSource,
    to: &TraceTarget,
    probe: Probe,
) -> Option<TraceAnswer> {
    trace_to_flow(net, dp, from, to, probe, FlowState::New)
}

/// [`trace_to`] for a flow that is new or already established.
pub fn trace_to_flow(
    net: &Network,
    dp: &DataPlane,
    from: TraceSource,
    to: &TraceTarget,
    probe: Probe,
    flow: FlowState,
) -> Option<TraceAnswer> {
    match to {
        TraceTarget::Address(destination) => {
            trace_from_flow(net, dp, from, probe.to(*destination), flow)
        }
        TraceTarget::Name(name) => trace_name_flow(net, dp, from, name, probe, flow),
    }
}

/// Resolves `name` as the source does, then traces to the first address with `name` as the
/// host asked for; a name that does not resolve ends the trace before the first packet.
pub fn trace_name(
    net: &Network,
    dp: &DataPlane,
    from: TraceSource,
    name: &str,
    probe: Probe,
) -> Option<TraceAnswer> {
    trace_name_flow(net, dp, from, name, probe, FlowState::New)
}

/// [`trace_name`] for a flow that is new or already established.
pub fn trace_name_flow(
    net: &Network,
    dp: &DataPlane,
    from: TraceSource,
    name: &str,
    mut probe: Probe,
    flow: FlowState,
) -> Option<TraceAnswer> {
    let client = match from {
        TraceSource::Workload(w) => crate::dns::Resolver::Workload(w),
        TraceSource::Internet(_) => crate::dns::Resolver::Internet,
        // On-premises resolvers forward to a VNet's DNS when the site says so, else they
        // resolve in public DNS.
        TraceSource::Site(s, _) => net
            .site(s)
            .and_then(|s| s.dns_via)
            .map_or(crate::dns::Resolver::Internet, crate::dns::Resolver::Vnet),
        // A virtual WAN branch likewise.
        TraceSource::Branch(b, _) => net
            .branch(b)
            .and_then(|(_, s)| s.dns_via)
            .map_or(crate::dns::Resolver::Internet, crate::dns::Resolver::Vnet),
    };
    let resolution = crate::dns::resolve(net, client, name);
    // The client asks for the name it resolved, unless it says otherwise (SNI set by hand).
    probe.host = probe.host.or_else(|| Some(resolution.name.clone()));
    let Some(address) = resolution.address() else {
        let verdict = Verdict::NameNotResolved {
            name: resolution.name.clone(),
            outcome: resolution.outcome.clone(),
        };
        return unsent(net, from, probe, None, verdict, resolution, flow);
    };
    // A name that resolves to an address no host holds (loopback, multicast, broadcast, this
    // network) is refused at load wherever a record or public IP is written; should one get
    // here all the same, no packet is sent: nobody in Azure holds that address.
    if crate::model::flow_addr::unroutable(address).is_some() {
        let verdict = Verdict::NoDestination { address };
        return unsent(net, from, probe, Some(address), verdict, resolution, flow);
    }
    let mut answer = trace_from_flow(net, dp, from, probe.to(address), flow)?;
    answer.resolution = Some(resolution);
    Some(answer)
}

/// The answer of a trace that ends before the first packet: the name did not resolve, or
/// resolved to an address nobody holds.
fn unsent(
    net: &Network,
    from: TraceSource,
    probe: Probe,
    destination: Option<IpAddr>,
    verdict: Verdict,
    resolution: crate::dns::Resolution,
    flow: FlowState,
) -> Option<TraceAnswer> {
    Some(TraceAnswer {
        source: source_name(net, from)?,
        request: probe,
        destination,
        symptom: verdict.symptom(),
        verdict,
        forward: Vec::new(),
        reply: Vec::new(),
        quality: PathQuality::default(),
        assumptions: Vec::new(),
        resolution: Some(resolution),
        source_seen: None,
        flow,
    })
}

/// The source as the answer names it.
fn source_name(net: &Network, from: TraceSource) -> Option<Source> {
    match from {
        TraceSource::Workload(w) => net.workloads.get(w).map(|w| Source::Workload {
            name: w.name.clone(),
        }),
        TraceSource::Internet(client) => Some(Source::Internet { client }),
        TraceSource::Site(s, client) => net.site(s).map(|s| Source::Site {
            site: s.name.clone(),
            client,
        }),
        TraceSource::Branch(b, client) => net.branch(b).map(|(_, s)| Source::Site {
            site: s.name.clone(),
            client,
        }),
    }
}

/// The name a client asks for (TLS SNI or HTTP `Host`) when it connects to `destination` on
/// `port`: the name it gives (`host`), else the target of the private endpoint at that address
/// when the target is a host name (an assumption, returned with it), else for plain HTTP
/// (port 80) the address itself in the `Host` header, else none. One definition for every
/// command: `trace`, `reach` and the estate-wide questions all ask for the name this gives.
pub fn host_asked(
    net: &Network,
    dp: &DataPlane,
    destination: IpAddr,
    port: u16,
    host: Option<&str>,
) -> (Option<String>, Option<Assumption>) {
    let (host, assumed) = host_borrowed(net, dp, destination, port, host);
    (host.map(Cow::into_owned), assumed)
}

/// [`host_asked`], the name borrowed from the request or the network where it can be: the
/// walker asks it once per trace.
fn host_borrowed<'a>(
    net: &'a Network,
    dp: &DataPlane,
    destination: IpAddr,
    port: u16,
    host: Option<&'a str>,
) -> (Option<Cow<'a, str>>, Option<Assumption>) {
    if let Some(h) = host {
        return (Some(Cow::Borrowed(h)), None);
    }
    let target = dp
        .nics_holding(destination)
        .find_map(|(_, nic)| match nic {
            NicRef::PrivateEndpoint(p) => net.private_endpoints.get(p),
            _ => None,
        })
        .and_then(|p| p.target.as_deref())
        .filter(|t| t.contains('.'));
    match target {
        Some(target) => (
            Some(Cow::Borrowed(target)),
            Some(Assumption::ClientAsksForEndpointTarget {
                target: target.to_string(),
            }),
        ),
        None if port == 80 => (Some(Cow::Owned(destination.to_string())), None),
        None => (None, None),
    }
}

fn walk_request(
    net: &Network,
    dp: &DataPlane,
    from: TraceSource,
    request: TraceRequest,
    explain: bool,
    flow: FlowState,
) -> Option<TraceAnswer> {
    let w = walk_parts(net, dp, from, &request, explain, flow)?;
    Some(TraceAnswer {
        source: source_name(net, from)?,
        request: request.probe(),
        destination: Some(w.destination),
        symptom: w.verdict.symptom(),
        verdict: w.verdict,
        forward: w.forward,
        reply: w.reply,
        quality: w.quality,
        assumptions: w.assumptions.into_iter().map(Assumed::from).collect(),
        resolution: None,
        source_seen: w.source_seen,
        flow,
    })
}

/// What a walk found, before the answer names its source and request.
struct Walked {
    destination: IpAddr,
    verdict: Verdict,
    forward: Vec<Hop>,
    reply: Vec<Hop>,
    quality: PathQuality,
    assumptions: Vec<Assumption>,
    source_seen: Option<super::egress::SourceSeen>,
}

fn walk_parts(
    net: &Network,
    dp: &DataPlane,
    from: TraceSource,
    request: &TraceRequest,
    explain: bool,
    flow: FlowState,
) -> Option<Walked> {
    let (mut walked, pools) = walk_taking(net, dp, from, request, explain, flow, None)?;
    // Azure picks among a device's public IPs per connection: the flow is walked again with
    // each other candidate, and the answer says whether the pick decides it.
    let rerun =
        |c| walk_taking(net, dp, from, request, false, flow, Some(c)).map(|(w, _)| w.verdict);
    match super::snat_pool::weigh(&pools, &walked.verdict, rerun) {
        Some(super::snat_pool::Weighed::Differ(verdict)) => walked.verdict = verdict,
        Some(super::snat_pool::Weighed::Agree(candidates)) => {
            if let Some(seen) = walked.source_seen.as_mut() {
                seen.candidates = candidates;
            }
        }
        None => {}
    }
    Some(walked)
}

/// One walk of the flow, taking `snat_choice` from any pool of several public IPs that holds
/// it; with the pools it took a source from.
fn walk_taking(
    net: &Network,
    dp: &DataPlane,
    from: TraceSource,
    request: &TraceRequest,
    explain: bool,
    flow: FlowState,
    snat_choice: Option<IpAddr>,
) -> Option<(Walked, Vec<super::snat_pool::SnatPool>)> {
    let (host, assumed) = host_borrowed(
        net,
        dp,
        request.destination,
        request.port,
        request.host.as_deref(),
    );
    let mut t = Tracer {
        net,
        dp,
        protocol: request.protocol,
        host,
        assumptions: assumed.into_iter().collect(),
        client: None,
        explain,
        site_client: None,
        branch: None,
        snat_choice,
        snat_pools: std::cell::Cell::default(),
        flow,
    };
    let mut records = FlowRecords::default();
    let destination = request.destination;
    let packet = |src| Packet {
        src,
        src_port: request.source_port,
        dst: request.destination,
        dst_port: request.port,
    };
    let (forward, end) = match from {
        TraceSource::Workload(w) => {
            let source = t.nic(NicRef::Workload(w))?;
            t.depart(&source, packet(source.ip), &mut records)
        }
        TraceSource::Internet(client) => {
            t.client = Some(client);
            t.enter(packet(client), &mut records)
        }
        TraceSource::Site(site, client) => {
            t.site_client = Some(client);
            t.leave_site(site, packet(client), &mut records)
        }
        TraceSource::Branch(branch, client) => {
            t.site_client = Some(client);
            t.branch = Some(branch);
            t.leave_branch(branch, packet(client), &mut records)
        }
    };
    // The path's summary and the source the destination sees are evidence: a verdict-only
    // walk leaves them out.
    let quality = if explain {
        t.quality(&forward, &records)
    } else {
        PathQuality::default()
    };
    let got_there = matches!(
        end,
        End::Arrived(_)
            | End::Stopped(
                Verdict::SentToInternet
                    | Verdict::SentToOnPremises { .. }
                    | Verdict::SentToServiceEndpoint
            )
    );
    let source_seen = if explain {
        super::egress::source_seen(&forward, got_there)
    } else {
        None
    };
    let (reply, verdict) = match end {
        End::Stopped(v) => (Vec::new(), v),
        End::Arrived(target) => t.reply(&forward, target, &mut records),
    };
    let verdict = t.conclude(verdict, &forward, request, from);
    t.note_uncovered_tag_routes(&forward);
    t.note_uncovered_tag_routes(&reply);
    let pools = t.snat_pools.take();
    let walked = Walked {
        destination,
        verdict,
        forward,
        reply,
        quality,
        assumptions: t.assumptions,
        source_seen,
    };
    Some((walked, pools))
}

impl<'a> Tracer<'a> {
    /// The request leaves a workload: an App Service app first decides whether it enters the
    /// VNet at all.
    fn depart(
        &mut self,
        source: &Nic,
        packet: Packet,
        records: &mut FlowRecords,
    ) -> (Vec<Hop>, End) {
        match self.app_service_egress(source, packet) {
            Some((hop, false)) => (vec![hop], End::Stopped(Verdict::SentToInternet)),
            Some((hop, true)) => {
                let (mut forward, end) = self.walk(source.id, packet, Leg::Request, records);
                if let (Some(first), Some(step)) = (forward.first_mut(), hop.steps.first()) {
                    first.steps.insert(0, step.clone());
                }
                (forward, end)
            }
            None => self.walk(source.id, packet, Leg::Request, records),
        }
    }

    pub(super) fn nic(&self, id: NicRef) -> Option<Nic<'a>> {
        let (name, subnet, ip, forwarding) = match id {
            NicRef::Workload(w) => {
                let w = self.net.workloads.get(w)?;
                (Cow::Borrowed(w.name.as_str()), w.subnet, w.ip, w.forwarding)
            }
            NicRef::PrivateEndpoint(p) => {
                let p = self.net.private_endpoints.get(p)?;
                (Cow::Borrowed(p.name.as_str()), p.subnet, p.ip, None)
            }
            // An Azure Firewall is stateful; whether it SNATs depends on the rule that allows.
            NicRef::Firewall(f) => {
                let f = self.net.firewalls.get(f)?;
                let forwarding = Forwarding {
                    stateful: true,
                    snat: false,
                };
                (
                    Cow::Borrowed(f.name.as_str()),
                    f.subnet,
                    f.ip,
                    Some(forwarding),
                )
            }
            // A VNet gateway forwards without state, by its GatewaySubnet's routes.
            NicRef::Gateway(g) => {
                let g = self.net.gateways.get(g)?;
                let forwarding = Forwarding {
                    stateful: false,
                    snat: false,
                };
                (
                    Cow::Borrowed(g.name.as_str()),
                    g.subnet,
                    *g.instance_ips.first()?,
                    Some(forwarding),
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
                (
                    Cow::Owned(format!("{} router", hub.name)),
                    subnet,
                    ip,
                    Some(forwarding),
                )
            }
            // An internal load balancer's frontend hands the flow to a backend, keeping no
            // state of its own beyond the hash (see `balance`).
            NicRef::LoadBalancer(l) => {
                let lb = self.net.load_balancer(l)?;
                let forwarding = Forwarding {
                    stateful: false,
                    snat: false,
                };
                (
                    Cow::Borrowed(lb.name.as_str()),
                    lb.frontend_subnet?,
                    lb.frontend_ip,
                    Some(forwarding),
                )
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

    /// The record of the packet at `nic`. When only the verdict matters the names are left
    /// empty: no decision reads them, and copying four names per hop dominated the cost of a
    /// verdict-only walk.
    pub(super) fn hop(&self, nic: &Nic, packet: Packet) -> Hop {
        if !self.explain {
            return Hop {
                nic: Name::default(),
                subnet: Name::default(),
                vnet: Name::default(),
                region: Name::default(),
                packet,
                steps: Vec::new(),
                at: Some(nic.id),
            };
        }
        let names = self.dp.names();
        let name = |n: Option<&Name>| n.cloned().unwrap_or_default();
        Hop {
            nic: self.nic_name(nic),
            subnet: name(names.subnet(nic.subnet)),
            vnet: name(names.vnet(nic.vnet)),
            region: name(names.region(nic.vnet)),
            packet,
            // A firewall's hop takes five steps or six (NSGs both ways, the firewall, the route,
            // the peering, an SNAT): one allocation instead of growing.
            steps: Vec::with_capacity(6),
            at: Some(nic.id),
        }
    }

    /// The name of `nic`, shared with the compiled data plane where it holds it.
    fn nic_name(&self, nic: &Nic) -> Name {
        self.dp
            .names()
            .nic(nic.id)
            .cloned()
            .unwrap_or_else(|| Name::from(&*nic.name))
    }

    /// The NIC holding `ip` that `vnet` can reach directly: in `vnet` itself or in a VNet
    /// peered with it (then with that peering).
    pub(super) fn find(&self, vnet: VnetId, ip: IpAddr) -> Option<(NicRef, Option<&Peering>)> {
        if let Some(n) = self.dp.nic_at(vnet, ip) {
            return Some((n, None));
        }
        // The VNets holding the address (one, usually), then whether one is a direct peer: a
        // hub has hundreds of peers, so this is cheaper than searching each of them.
        let peered = self.dp.nics_holding(ip).find_map(|(holder, nic)| {
            let p = self.dp.connected_peering(vnet, holder)?;
            self.net.peerings.get(p).map(|p| (nic, Some(p)))
        });
        if peered.is_some() || self.net.connected_groups.is_empty() {
            return peered;
        }
        // A VNet of a connected group: reached without a peering object.
        self.dp
            .nics_holding(ip)
            .find(|(holder, _)| self.net.connected_group_links(vnet, *holder))
            .map(|(_, nic)| (nic, None))
    }

    /// Walks `packet` from `start` until it arrives or stops. For the reply, `records` holds
    /// what the request left behind (translations, stateful devices); the request fills it.
    pub(super) fn walk(
        &mut self,
        start: NicRef,
        packet: Packet,
        leg: Leg,
        records: &mut FlowRecords,
    ) -> (Vec<Hop>, End) {
        // A path of up to six hops takes one allocation instead of growing.
        let hops = Vec::with_capacity(6);
        self.walk_from(hops, start, packet, Entry::Departs, leg, records)
    }

    /// Walks from `start`, after the hops already taken.
    pub(super) fn walk_from(
        &mut self,
        mut hops: Vec<Hop>,
        start: NicRef,
        mut packet: Packet,
        entry: Entry,
        leg: Leg,
        records: &mut FlowRecords,
    ) -> (Vec<Hop>, End) {
        // At most HOP_LIMIT entries: a short list searched in order allocates once, where a
        // tree allocates per node.
        let mut seen: Vec<(NicRef, Packet)> = Vec::with_capacity(8);
        let Some(mut at) = self.nic(start) else {
            let verdict = Verdict::ReplyDropped {
                reason: super::ReplyFault::UnknownNic,
            };
            return (hops, End::Stopped(verdict));
        };
        let mut hop = self.hop(&at, packet);
        let mut arriving = entry == Entry::Arrives;
        // The first arrival of a walk entering from the Internet comes from outside Azure.
        let mut outside = arriving;
        loop {
            if arriving {
                let inside = !std::mem::take(&mut outside);
                if let Some(v) = self.reply_at_private_ip(&at, packet, leg, inside) {
                    return stop(hops, hop, v);
                }
                match self.arrive(&at, &mut packet, leg, records, &mut hop) {
                    Arrival::Forward => {}
                    Arrival::Arrived => {
                        hops.push(hop);
                        return (hops, End::Arrived(at.id));
                    }
                    Arrival::Stop(verdict) => return stop(hops, hop, verdict),
                    Arrival::Handoff(backend) => {
                        hops.push(hop);
                        let Some(next) = self.nic(backend) else {
                            let verdict = Verdict::NoDestination {
                                address: packet.dst,
                            };
                            return (hops, End::Stopped(verdict));
                        };
                        hop = self.hop(&next, packet);
                        at = next;
                        continue;
                    }
                }
            }
            arriving = true;
            if hops.len() >= HOP_LIMIT || seen.contains(&(at.id, packet)) {
                let verdict = Verdict::Loop {
                    at: at.name.to_string(),
                };
                return stop(hops, hop, verdict);
            }
            seen.push((at.id, packet));
            // Leaving the NIC: its NSGs (NIC then subnet).
            let flow = (packet, leg);
            if let Some(verdict) = self.nsgs(&at, Direction::Outbound, flow, records, &mut hop) {
                return stop(hops, hop, verdict);
            }
            // The host's own addresses are answered by the host, past any route.
            if let Some(verdict) = self.platform(packet).filter(|_| leg == Leg::Request) {
                return stop(hops, hop, verdict);
            }
            let target = match self.forward(&at, hops.last(), packet, leg, &mut hop) {
                Ok(target) => target,
                // Sent to a public address the scenario models: back into Azure there.
                Err(Verdict::SentToInternet) if self.reenters(&at, packet, leg, records) => {
                    hops.push(hop);
                    return self.reenter(&at, hops, packet, leg, records);
                }
                Err(Verdict::SentToInternet) => {
                    self.note_unknown_source(&at, packet, leg);
                    return stop(hops, hop, Verdict::SentToInternet);
                }
                Err(verdict) => return stop(hops, hop, verdict),
            };
            hops.push(hop);
            let Some(next) = self.nic(target) else {
                let verdict = Verdict::NoDestination {
                    address: packet.dst,
                };
                return (hops, End::Stopped(verdict));
            };
            hop = self.hop(&next, packet);
            at = next;
        }
    }

    /// The path's summary. Its names are the hops' shared ones: it copies no text.
    fn quality(&self, forward: &[Hop], records: &FlowRecords) -> PathQuality {
        let mut regions: Vec<Name> = Vec::new();
        for h in forward.iter().filter(|h| !h.region.is_empty()) {
            if regions.last() != Some(&h.region) {
                regions.push(h.region.clone());
            }
        }
        let (mut peerings, mut global_peerings) = (0, 0);
        for step in forward.iter().flat_map(|h| h.steps.iter()) {
            if let Step::Peering { global, .. } = step {
                peerings += 1;
                global_peerings += usize::from(*global);
            }
        }
        let mut hubs: Vec<Name> = Vec::new();
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
            peerings,
            global_peerings,
            stateful_devices: records
                .stateful
                .nics()
                .filter_map(|id| self.nic(id))
                .map(|n| self.nic_name(&n))
                .collect(),
        }
    }
}

/// The walk ends at `hop` with `verdict`.
pub(super) fn stop(mut hops: Vec<Hop>, hop: Hop, verdict: Verdict) -> (Vec<Hop>, End) {
    hops.push(hop);
    (hops, End::Stopped(verdict))
}
