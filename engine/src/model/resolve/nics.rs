//! NICs (workloads and private endpoints) and the questions that refer to them.

use std::net::IpAddr;

use super::{find, source, Resolver};
use crate::diag::unknown_name_hint;
use crate::model::*;
use crate::scenario::{self as doc, NextHopDoc, Span, Text};

impl Resolver {
    pub(super) fn nics(
        &mut self,
        endpoints: &[doc::PrivateEndpointDoc],
        workloads: &[doc::WorkloadDoc],
    ) {
        for pe in endpoints {
            if let Some((subnet, ip)) = self.nic(&pe.name, &pe.subnet, &pe.ip, "private endpoint") {
                self.net.private_endpoints.push(PrivateEndpoint {
                    name: pe.name.value.clone(),
                    subnet,
                    ip,
                    target: pe.target.as_ref().map(|t| t.value.clone()),
                    service: pe.target.as_ref().and_then(|t| {
                        self.net
                            .services
                            .iter()
                            .position(|s| s.name == t.value)
                            .map(ServiceId)
                    }),
                    span: pe.name.span,
                });
            }
        }
        for w in workloads {
            let nsg = w
                .nsg
                .as_ref()
                .and_then(|t| self.found(find(&self.nsg_ids, t, "nsg")));
            let forwarding = self.forwarding(w);
            if let Some((subnet, ip)) = self.nic(&w.name, &w.subnet, &w.ip, "workload") {
                self.net.workloads.push(Workload {
                    name: w.name.value.clone(),
                    kind: w.kind,
                    subnet,
                    ip,
                    nsg,
                    forwarding,
                    span: w.name.span,
                });
            }
        }
    }

    /// An NVA forwards (stateful unless told otherwise); a VM does not, and NVA settings on it
    /// are refused.
    fn forwarding(&mut self, w: &doc::WorkloadDoc) -> Option<Forwarding> {
        match w.kind {
            WorkloadKind::Nva => Some(Forwarding {
                stateful: w.stateful.unwrap_or(true),
                snat: w.snat,
            }),
            WorkloadKind::Vm => {
                if w.stateful.is_some() || w.snat {
                    self.error(
                        w.name.span,
                        format!(
                            "workload `{}` sets `stateful` or `snat`, which only an `Nva` has",
                            w.name.value
                        ),
                        Some("add `kind: Nva` (IP forwarding on), or remove the setting".into()),
                    );
                }
                None
            }
        }
    }

    /// Checks a NIC (workload or private endpoint): unique name, known subnet, an address inside
    /// it that Azure does not reserve and no other NIC uses.
    /// Who resolves a name: a workload, or any machine in a VNet.
    fn resolver(&mut self, from: &Text) -> Option<crate::dns::Resolver> {
        if let Some(v) = self.vnet_ids.get(&from.value) {
            return Some(crate::dns::Resolver::Vnet(*v));
        }
        if let Some(NicRef::Workload(w)) = self.net.nic_by_name(&from.value) {
            return Some(crate::dns::Resolver::Workload(w));
        }
        let names: Vec<String> = self
            .net
            .workloads
            .iter()
            .map(|w| w.name.clone())
            .chain(self.vnet_ids.keys().cloned())
            .collect();
        let hint = unknown_name_hint(
            &from.value,
            names.iter().map(String::as_str),
            "workload or vnet",
        );
        self.error(
            from.span,
            format!("unknown workload or vnet `{}`", from.value),
            Some(hint),
        );
        None
    }

    /// The workload a trace question starts from; other NICs never start a connection.
    fn trace_source(&mut self, from: &Text) -> Option<TraceSource> {
        match self.nic_ref(from) {
            Some(NicRef::Workload(w)) => Some(TraceSource::Workload(w)),
            Some(NicRef::PrivateEndpoint(_) | NicRef::Firewall(_) | NicRef::HubRouter(_)) => {
                self.error(
                    from.span,
                    format!("`{}` cannot start a trace", from.value),
                    Some("private endpoints and firewalls only accept or forward connections; trace from a workload".into()),
                );
                None
            }
            None => None,
        }
    }

    pub(super) fn nic(
        &mut self,
        name: &Text,
        subnet: &Text,
        ip: &Text,
        kind: &str,
    ) -> Option<(SubnetId, IpAddr)> {
        let mut names = std::mem::take(&mut self.nic_names);
        let unique = self.unique(&mut names, name, "workload, private endpoint or firewall");
        self.nic_names = names;
        let subnet_id = self.found(find(&self.subnet_ids, subnet, "subnet"));
        let addr = self.ip(ip, &format!("{kind} address"));
        let (subnet_id, addr) = (subnet_id?, addr?);
        let prefix = self.net.subnet(subnet_id)?.prefix;
        for reserved in ["GatewaySubnet", "AzureFirewallSubnet"] {
            let only = if reserved == "GatewaySubnet" {
                "gateways"
            } else {
                "an Azure Firewall"
            };
            if subnet.value.ends_with(&format!("/{reserved}")) && kind != "firewall" {
                self.error(
                    subnet.span,
                    format!(
                        "{kind} `{}` cannot be placed in `{}`",
                        name.value, subnet.value
                    ),
                    Some(format!(
                        "Azure keeps `{reserved}` for {only}; use another subnet"
                    )),
                );
                return None;
            }
        }
        if !prefix.contains(&addr) {
            self.error(
                ip.span,
                format!(
                    "{kind} `{}` address `{addr}` is outside subnet `{}` (`{prefix}`)",
                    name.value, subnet.value
                ),
                Some(format!("pick an address in `{prefix}`")),
            );
            return None;
        }
        if let Some(hint) = reserved_hint(prefix, addr) {
            self.error(
                ip.span,
                format!(
                    "{kind} `{}` address `{addr}` is reserved by Azure in subnet `{}`",
                    name.value, subnet.value
                ),
                Some(hint),
            );
            return None;
        }
        // Addresses repeat across unpeered VNets that share a range; within a VNet (and so
        // across peered VNets, which cannot overlap) each NIC needs its own.
        let vnet = self.net.subnet(subnet_id)?.vnet;
        if let Some(other) = self.nic_ips.get(&(vnet, addr)) {
            let message = format!(
                "{kind} `{}` address `{addr}` is already used by `{other}`",
                name.value
            );
            self.error(
                ip.span,
                message,
                Some("each NIC needs its own address".into()),
            );
            return None;
        }
        self.nic_ips.insert((vnet, addr), name.value.clone());
        unique.then_some((subnet_id, addr))
    }

    pub(super) fn place(&mut self, text: &Text) -> Option<Place> {
        let found = self.net.place_by_name(&text.value);
        if found.is_none() {
            let hint = unknown_name_hint(&text.value, self.net.place_names(), "subnet or workload");
            self.error(
                text.span,
                format!("unknown subnet or workload `{}`", text.value),
                Some(hint),
            );
        }
        found
    }

    pub(super) fn nic_ref(&mut self, text: &Text) -> Option<NicRef> {
        let found = self.net.nic_by_name(&text.value);
        if found.is_none() {
            let hint = unknown_name_hint(
                &text.value,
                self.net.nic_names(),
                "workload, private endpoint or firewall",
            );
            self.error(
                text.span,
                format!(
                    "unknown workload, private endpoint or firewall `{}`",
                    text.value
                ),
                Some(hint),
            );
        }
        found
    }

    pub(super) fn questions(&mut self, questions: &[doc::QuestionDoc]) {
        for q in questions {
            let resolved = match q {
                doc::QuestionDoc::FlowVerify {
                    at,
                    direction,
                    protocol,
                    remote,
                    port,
                    source_port,
                    expect,
                } => {
                    let nic = self.nic_ref(at);
                    let address = self.ip(remote, "remote address");
                    nic.zip(address).map(|(nic, address)| Question {
                        kind: QuestionKind::FlowVerify {
                            nic,
                            direction: *direction,
                            remote: RemoteEnd {
                                protocol: *protocol,
                                address,
                                port: *port,
                                source_port: *source_port,
                            },
                            expect: FlowVerifyExpect {
                                access: expect.access,
                                nsg: expect.nsg.as_ref().map(|t| t.value.clone()),
                                rule: expect.rule.as_ref().map(|t| t.value.clone()),
                            },
                        },
                        span: at.span,
                    })
                }
                doc::QuestionDoc::Resolve { from, name, expect } => {
                    let client = self.resolver(from);
                    let addresses: Vec<IpAddr> = expect
                        .addresses
                        .iter()
                        .filter_map(|t| self.ip(t, "expected address"))
                        .collect();
                    let span = from.span;
                    client.map(|from| Question {
                        kind: QuestionKind::Resolve {
                            from,
                            name: name.value.clone(),
                            expect: ResolveExpect {
                                outcome: expect.outcome,
                                addresses,
                                via: expect.via.iter().map(|t| t.value.clone()).collect(),
                            },
                        },
                        span,
                    })
                }
                doc::QuestionDoc::ForAllTraces { .. } | doc::QuestionDoc::ForAllRoutes { .. } => {
                    self.for_all(q, at_span(q))
                }
                doc::QuestionDoc::Routes { at, expect } => {
                    let place = self.place(at);
                    let expect = self.routes_expect(expect);
                    place.zip(expect).map(|(at, expect)| Question {
                        kind: QuestionKind::Routes { at, expect },
                        span: at_span(q),
                    })
                }
                doc::QuestionDoc::NextHop { from, to, expect } => {
                    let place = self.place(from);
                    let to = self.host_ip(to, "destination");
                    let hop = self.expected_hop(&expect.next_hop, expect.next_hop_ip.as_ref());
                    let prefix = expect
                        .prefix
                        .as_ref()
                        .map(|p| self.prefix(p, "expected prefix"));
                    let (Some(from), Some(to), Some(next_hop)) = (place, to, hop) else {
                        continue;
                    };
                    let Some(prefix) = prefix.map_or(Some(None), |p| p.map(Some)) else {
                        continue;
                    };
                    Some(Question {
                        kind: QuestionKind::NextHop {
                            from,
                            to,
                            expect: NextHopExpect {
                                next_hop,
                                prefix,
                                source: expect.source.map(source),
                                route_table: expect.route_table.as_ref().map(|t| t.value.clone()),
                            },
                        },
                        span: at_span(q),
                    })
                }
                doc::QuestionDoc::Trace {
                    from,
                    to,
                    port,
                    protocol,
                    host,
                    expect,
                } => {
                    let client = from.value.parse::<std::net::IpAddr>().ok();
                    let source = match (client, client.map(is_private)) {
                        (Some(ip), _) if !self.question_address(from, ip, "trace source") => None,
                        (Some(ip), Some(false)) => Some(TraceSource::Internet(ip)),
                        (Some(ip), _) => {
                            self.error(
                                from.span,
                                format!("a trace from an address starts on the Internet, and `{ip}` is private"),
                                Some("name a workload to start inside Azure, or give a public client address".into()),
                            );
                            None
                        }
                        (None, _) => self.trace_source(from),
                    };
                    let target = TraceTarget::parse(&to.value);
                    let target_ok = match target {
                        TraceTarget::Address(ip) => self.question_address(to, ip, "destination"),
                        TraceTarget::Name(_) => true,
                    };
                    let expect = self.trace_expect(expect);
                    source.filter(|_| target_ok).map(|from| Question {
                        kind: QuestionKind::Trace {
                            from,
                            to: target,
                            protocol: *protocol,
                            port: *port,
                            host: host.as_ref().map(|h| h.value.clone()),
                            expect,
                        },
                        span: at_span(q),
                    })
                }
            };
            if let Some(q) = resolved {
                self.net.questions.push(q);
            }
        }
    }

    /// A routes expectation, every row checked.
    pub(super) fn routes_expect(&mut self, expect: &doc::RoutesExpectDoc) -> Option<RoutesExpect> {
        let (mode, rows) = match expect {
            doc::RoutesExpectDoc::Contains(r) => (RoutesMode::Contains, r),
            doc::RoutesExpectDoc::Excludes(r) => (RoutesMode::Excludes, r),
            doc::RoutesExpectDoc::Exactly(r) => (RoutesMode::Exactly, r),
        };
        let rows: Vec<Option<RouteRowExpect>> = rows.iter().map(|r| self.row(r)).collect();
        let rows = rows.into_iter().collect::<Option<Vec<_>>>()?;
        Some(RoutesExpect { mode, rows })
    }

    /// A trace expectation; `via`/`not_via` names nothing has are warned about.
    pub(super) fn trace_expect(&mut self, expect: &doc::TraceExpectDoc) -> TraceExpect {
        for name in expect.via.iter().chain(&expect.not_via) {
            let vnet = self.net.vnets.iter().any(|v| v.name == name.value);
            if self.net.nic_by_name(&name.value).is_none() && !vnet {
                let names = self
                    .net
                    .nic_names()
                    .chain(self.net.vnets.iter().map(|v| v.name.as_str()));
                let hint = unknown_name_hint(
                    &name.value,
                    names,
                    "workload, private endpoint, firewall, vnet or hub",
                );
                self.warn(
                        name.span,
                        format!("`{}` names no workload, private endpoint, firewall, vnet or hub, so the path can never pass it", name.value),
                        Some(hint),
                    );
            }
        }
        TraceExpect {
            verdict: expect.verdict,
            via: expect.via.iter().map(|t| t.value.clone()).collect(),
            not_via: expect.not_via.iter().map(|t| t.value.clone()).collect(),
            symptom: expect.symptom.as_ref().map(|t| t.value.clone()),
            regions: expect
                .regions
                .as_ref()
                .map(|r| r.iter().map(|t| t.value.clone()).collect()),
        }
    }

    pub(super) fn row(&mut self, row: &doc::RouteRowDoc) -> Option<RouteRowExpect> {
        let prefix = match &row.prefix {
            Some(p) => Some(Some(self.prefix(p, "expected prefix")?)),
            None => Some(None),
        };
        let next_hop = match &row.next_hop {
            Some(h) => Some(self.expected_hop(h, row.next_hop_ip.as_ref())?),
            None => {
                if let Some(ip) = &row.next_hop_ip {
                    self.error(
                        ip.span,
                        "`next_hop_ip` needs a `next_hop`".into(),
                        Some("add `next_hop: VirtualNetworkGateway`".into()),
                    );
                    return None;
                }
                None
            }
        };
        Some(RouteRowExpect {
            prefix: prefix?,
            source: row.source.map(source),
            state: row.state.map(|s| match s {
                doc::RouteStateDoc::Active => RouteState::Active,
                doc::RouteStateDoc::Invalid => RouteState::Invalid,
            }),
            next_hop,
        })
    }

    /// An expected next hop: the written type, with its IP from the variant or from
    /// `next_hop_ip` (not both).
    pub(super) fn expected_hop(
        &mut self,
        hop: &NextHopDoc,
        ip: Option<&Text>,
    ) -> Option<NextHopSpec> {
        let (next_hop_type, inner) = self.next_hop_doc(hop)?;
        let ip = match (inner, ip) {
            (Some(_), Some(extra)) => {
                self.error(
                    extra.span,
                    "next hop IP given twice".into(),
                    Some("drop `next_hop_ip`; the IP is already in the next hop".into()),
                );
                return None;
            }
            (Some(inner), None) => Some(inner),
            (None, Some(extra)) => Some(self.ip(extra, "next hop address")?),
            (None, None) => None,
        };
        Some(NextHopSpec { next_hop_type, ip })
    }
}

/// Where a question is reported: the place it starts from.
fn at_span(q: &doc::QuestionDoc) -> Span {
    match q {
        doc::QuestionDoc::Routes { at, .. } | doc::QuestionDoc::FlowVerify { at, .. } => at.span,
        doc::QuestionDoc::NextHop { from, .. }
        | doc::QuestionDoc::Trace { from, .. }
        | doc::QuestionDoc::Resolve { from, .. } => from.span,
        doc::QuestionDoc::ForAllTraces { from: set, .. }
        | doc::QuestionDoc::ForAllRoutes { at: set, .. } => super::forall::set_span(set),
    }
}

/// When `addr` is one of the addresses Azure reserves in `subnet`, a hint naming them.
pub(super) fn reserved_hint(subnet: ipnet::IpNet, addr: std::net::IpAddr) -> Option<String> {
    let reserved = reserved_addresses(subnet);
    if !reserved.contains(&addr) {
        return None;
    }
    let first = reserved.get(3).map(ToString::to_string).unwrap_or_default();
    Some(match subnet {
        ipnet::IpNet::V4(_) => {
            format!("Azure reserves the first four addresses and the last; use one after `{first}`")
        }
        ipnet::IpNet::V6(_) => {
            format!("Azure reserves the first four addresses; use one after `{first}`")
        }
    })
}
