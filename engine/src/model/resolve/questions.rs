//! The questions of a scenario: every name they use resolved to an id (a place, a NIC, a VNet,
//! an NSG, a route table, a DNS zone, server or ruleset), every address parsed. A name that
//! matches nothing is an error with a did-you-mean hint, so no expectation holds vacuously.

use std::net::IpAddr;

use super::{find, source, Resolver};
use crate::diag::unknown_name_hint;
use crate::model::*;
use crate::scenario::{self as doc, NextHopDoc, Span, Text};

impl Resolver {
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
                    let address = self
                        .ip(remote, "remote address")
                        .filter(|ip| self.question_address(remote, *ip, "remote address"));
                    let nsg = match &expect.nsg {
                        Some(t) => self.found(find(&self.nsg_ids, t, "nsg")).map(Some),
                        None => Some(None),
                    };
                    let rule_known = match (&expect.rule, nsg) {
                        (Some(rule), Some(nsg)) => self.nsg_rule_known(rule, nsg),
                        _ => true,
                    };
                    match (nic, address, nsg) {
                        (Some(nic), Some(address), Some(nsg)) if rule_known => Some(Question {
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
                                    nsg,
                                    rule: expect.rule.as_ref().map(|t| t.value.clone()),
                                },
                            },
                            span: at.span,
                        }),
                        _ => None,
                    }
                }
                doc::QuestionDoc::Resolve { from, name, expect } => {
                    let client = self.resolver(from);
                    let addresses = expect.addresses.as_ref().map(|list| {
                        list.iter()
                            .filter_map(|t| self.ip(t, "expected address"))
                            .collect::<Vec<IpAddr>>()
                    });
                    let via: Vec<Option<DnsPoint>> =
                        expect.via.iter().map(|t| self.dns_point(t)).collect();
                    let via = via.into_iter().collect::<Option<Vec<_>>>();
                    let span = from.span;
                    match (client, via) {
                        (Some(from), Some(via)) => Some(Question {
                            kind: QuestionKind::Resolve {
                                from,
                                name: name.value.clone(),
                                expect: ResolveExpect {
                                    outcome: expect.outcome,
                                    addresses,
                                    via,
                                },
                            },
                            span,
                        }),
                        _ => None,
                    }
                }
                doc::QuestionDoc::ForAllTraces { .. } | doc::QuestionDoc::ForAllRoutes { .. } => {
                    self.for_all(q, at_span(q))
                }
                doc::QuestionDoc::Routes { at, expect } if self.names_hub(at) => self
                    .question_hub_table(at)
                    .flatten()
                    .and_then(|hub| self.hub_routes_question(hub, expect, at_span(q))),
                doc::QuestionDoc::Routes { at, expect } => {
                    let place = self.place(at);
                    let expect = self.routes_expect(expect, at.span);
                    place.zip(expect).map(|(at, expect)| Question {
                        kind: QuestionKind::Routes { at, expect },
                        span: at_span(q),
                    })
                }
                doc::QuestionDoc::NextHop { from, to, expect } => {
                    self.next_hop_question(from, to, expect, at_span(q))
                }
                doc::QuestionDoc::Trace {
                    from,
                    to,
                    port,
                    protocol,
                    host,
                    flow,
                    expect,
                } => {
                    let source = self.trace_start(from);
                    let target = TraceTarget::parse(&to.value);
                    let target_ok = match target {
                        TraceTarget::Address(ip) => self.question_address(to, ip, "destination"),
                        TraceTarget::Name(_) => true,
                    };
                    let expect = self.trace_expect(expect);
                    match (source, expect) {
                        (Some(from), Some(expect)) if target_ok => Some(Question {
                            kind: QuestionKind::Trace {
                                from,
                                to: target,
                                protocol: *protocol,
                                port: *port,
                                host: host.as_ref().map(|h| h.value.clone()),
                                flow: *flow,
                                expect,
                            },
                            span: at_span(q),
                        }),
                        _ => None,
                    }
                }
            };
            if let Some(q) = resolved {
                self.net.questions.push(q);
            }
        }
    }

    fn next_hop_question(
        &mut self,
        from: &Text,
        to: &Text,
        expect: &doc::NextHopExpectDoc,
        span: Span,
    ) -> Option<Question> {
        let place = self.place(from);
        let to = self.host_ip(to, "destination");
        let hop = self.expected_hop(&expect.next_hop, expect.next_hop_ip.as_ref());
        let prefix = match &expect.prefix {
            Some(p) => self.prefix(p, "expected prefix").map(Some),
            None => Some(None),
        };
        let route_table = match &expect.route_table {
            Some(t) => self.route_table_ref(t).map(Some),
            None => Some(None),
        };
        Some(Question {
            kind: QuestionKind::NextHop {
                from: place?,
                to: to?,
                expect: NextHopExpect {
                    next_hop: hop?,
                    prefix: prefix?,
                    source: expect.source.map(source),
                    route_table: route_table?,
                },
            },
            span,
        })
    }

    /// Whether `rule` is a rule of `nsg` (when given) or of any NSG, Azure's default rules
    /// included; an unknown rule is an error with did-you-mean.
    fn nsg_rule_known(&mut self, rule: &Text, nsg: Option<NsgId>) -> bool {
        let defaults = default_rules();
        let names: Vec<&str> = match nsg.and_then(|n| self.net.nsg(n)) {
            Some(n) => n.rules.iter().map(|r| r.name.as_str()).collect(),
            None => (self.net.nsgs.iter().flat_map(|n| &n.rules))
                .chain(&defaults)
                .map(|r| r.name.as_str())
                .collect(),
        };
        if names.contains(&rule.value.as_str()) {
            return true;
        }
        let hint = unknown_name_hint(&rule.value, names.iter().copied(), "NSG rule");
        let message = format!("unknown NSG rule `{}`", rule.value);
        self.error(rule.span, message, Some(hint));
        false
    }

    /// `System Route`, or a declared route table.
    fn route_table_ref(&mut self, text: &Text) -> Option<RouteTableRef> {
        if text.value == SYSTEM_ROUTE {
            return Some(RouteTableRef::System);
        }
        if let Some(id) = self.table_ids.get(&text.value) {
            return Some(RouteTableRef::Table(*id));
        }
        let names = self
            .table_ids
            .keys()
            .map(String::as_str)
            .chain([SYSTEM_ROUTE]);
        let hint = unknown_name_hint(&text.value, names, "route table");
        self.error(
            text.span,
            format!("unknown route table `{}`", text.value),
            Some(hint),
        );
        None
    }

    /// Who resolves a name: a workload, or any machine in a VNet.
    fn resolver(&mut self, from: &Text) -> Option<crate::model::Resolver> {
        if let Some(v) = self.vnet_ids.get(&from.value) {
            return Some(crate::model::Resolver::Vnet(*v));
        }
        if let Some(NicRef::Workload(w)) = self.net.nic_by_name(&from.value) {
            return Some(crate::model::Resolver::Workload(w));
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

    /// Where a trace starts: a public address (an Internet client) or a workload.
    fn trace_start(&mut self, from: &Text) -> Option<TraceSource> {
        let client = from.value.parse::<IpAddr>().ok();
        match (client, client.map(is_private)) {
            (Some(ip), _) if !self.question_address(from, ip, "trace source") => None,
            (Some(ip), Some(false)) => Some(TraceSource::Internet(ip)),
            (Some(ip), _) => {
                self.error(
                    from.span,
                    format!(
                        "a trace from an address starts on the Internet, and `{ip}` is private"
                    ),
                    Some(
                        "name a workload to start inside Azure, or give a public client address"
                            .into(),
                    ),
                );
                None
            }
            (None, _) => match crate::model::flow_addr::site_source(&self.net, &from.value) {
                Some(Ok(source)) => Some(source),
                Some(Err(_)) => {
                    self.error(
                        from.span,
                        format!("`{}` is not an address of that site", from.value),
                        Some("write `site:address` with an address inside the site's `address_space`, or the site alone".into()),
                    );
                    None
                }
                None => self.trace_source(from),
            },
        }
    }

    /// The workload a trace question starts from; other NICs never start a connection.
    fn trace_source(&mut self, from: &Text) -> Option<TraceSource> {
        match self.nic_ref(from) {
            Some(NicRef::Workload(w)) => Some(TraceSource::Workload(w)),
            Some(
                NicRef::PrivateEndpoint(_)
                | NicRef::Firewall(_)
                | NicRef::HubRouter(_)
                | NicRef::Gateway(_)
                | NicRef::LoadBalancer(_),
            ) => {
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

    fn place(&mut self, text: &Text) -> Option<Place> {
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

    fn nic_ref(&mut self, text: &Text) -> Option<NicRef> {
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

    /// A point of a trace's path named in `via`/`not_via`: a NIC, or a VNet or virtual hub.
    fn path_point(&mut self, text: &Text) -> Option<PathPoint> {
        if let Some(nic) = self.net.nic_by_name(&text.value) {
            return Some(PathPoint::Nic(nic));
        }
        if let Some(v) = self.vnet_ids.get(&text.value) {
            return Some(PathPoint::Vnet(*v));
        }
        let names = self
            .net
            .nic_names()
            .chain(self.net.vnets.iter().map(|v| v.name.as_str()));
        let hint = unknown_name_hint(
            &text.value,
            names,
            "workload, private endpoint, firewall, vnet or hub",
        );
        self.error(
            text.span,
            format!(
                "`{}` names no workload, private endpoint, firewall, vnet or hub, so no path can pass it",
                text.value
            ),
            Some(hint),
        );
        None
    }

    /// A DNS object named in a resolution's `via`: a private zone, a DNS server (by its
    /// workload), a resolver inbound endpoint or a forwarding ruleset.
    fn dns_point(&mut self, text: &Text) -> Option<DnsPoint> {
        let dns = &self.net.dns;
        let wanted = text.value.trim_end_matches('.').to_lowercase();
        // A zone by its `resource-group/name` label, or by its name when no other zone has it.
        let by_label = dns
            .zones
            .iter()
            .position(|z| z.label().to_lowercase() == wanted);
        let by_name: Vec<&Zone> = dns.zones.iter().filter(|z| z.name == wanted).collect();
        if by_label.is_none() && by_name.len() > 1 {
            let labels: Vec<String> = by_name.iter().map(|z| format!("`{}`", z.label())).collect();
            self.error(
                text.span,
                format!(
                    "`{}` names {} zones, one per resource group",
                    text.value,
                    by_name.len()
                ),
                Some(format!(
                    "name one as `resource-group/zone-name`: {}",
                    labels.join(", ")
                )),
            );
            return None;
        }
        let zone = by_label.or_else(|| dns.zones.iter().position(|z| z.name == wanted));
        let found = zone
            .map(|i| DnsPoint::Zone(ZoneId(i)))
            .or_else(|| {
                let i = dns.forwarders.iter().position(|f| f.name == text.value)?;
                Some(DnsPoint::Forwarder(ForwarderId(i)))
            })
            .or_else(|| {
                let i = dns
                    .inbound_endpoints
                    .iter()
                    .position(|e| e.name == text.value)?;
                Some(DnsPoint::InboundEndpoint(InboundEndpointId(i)))
            })
            .or_else(|| {
                let i = dns.rulesets.iter().position(|r| r.name == text.value)?;
                Some(DnsPoint::Ruleset(RulesetId(i)))
            })
            .or_else(|| {
                let f = self.net.firewalls.position(|f| f.name == text.value)?;
                Some(DnsPoint::Firewall(f))
            });
        if found.is_none() {
            let names = (dns.zones.iter().map(|z| z.name.as_str()))
                .chain(dns.forwarders.iter().map(|f| f.name.as_str()))
                .chain(dns.inbound_endpoints.iter().map(|e| e.name.as_str()))
                .chain(dns.rulesets.iter().map(|r| r.name.as_str()));
            let hint = unknown_name_hint(
                &text.value,
                names,
                "private zone, DNS server, inbound endpoint or ruleset",
            );
            self.error(
                text.span,
                format!(
                    "`{}` names no private zone, DNS server, inbound endpoint or ruleset, so no resolution can pass it",
                    text.value
                ),
                Some(hint),
            );
        }
        found
    }

    /// The mode and rows of a routes expectation, for subnets and hubs alike. An empty
    /// `Contains` or `Excludes` checks nothing and is refused (an empty `Exactly` is an empty
    /// table).
    pub(super) fn routes_mode<'d>(
        &mut self,
        expect: &'d doc::RoutesExpectDoc,
        span: Span,
    ) -> Option<(RoutesMode, &'d [doc::RouteRowDoc])> {
        let (mode, rows) = match expect {
            doc::RoutesExpectDoc::Contains(r) => (RoutesMode::Contains, r),
            doc::RoutesExpectDoc::Excludes(r) => (RoutesMode::Excludes, r),
            doc::RoutesExpectDoc::Exactly(r) => (RoutesMode::Exactly, r),
        };
        if rows.is_empty() && mode != RoutesMode::Exactly {
            self.error(
                span,
                format!("`{mode:?}([])` checks nothing"),
                Some("list the rows to check, or write `Exactly([])` for an empty table".into()),
            );
            return None;
        }
        Some((mode, rows))
    }

    /// A routes expectation, every row checked ([`Self::routes_mode`]).
    pub(super) fn routes_expect(
        &mut self,
        expect: &doc::RoutesExpectDoc,
        span: Span,
    ) -> Option<RoutesExpect> {
        let (mode, rows) = self.routes_mode(expect, span)?;
        let rows: Vec<Option<RouteRowExpect>> = rows.iter().map(|r| self.row(r)).collect();
        let rows = rows.into_iter().collect::<Option<Vec<_>>>()?;
        Some(RoutesExpect { mode, rows })
    }

    /// A trace expectation, every `via`/`not_via` name resolved.
    pub(super) fn trace_expect(&mut self, expect: &doc::TraceExpectDoc) -> Option<TraceExpect> {
        let via: Vec<Option<PathPoint>> = expect.via.iter().map(|t| self.path_point(t)).collect();
        let not_via: Vec<Option<PathPoint>> =
            expect.not_via.iter().map(|t| self.path_point(t)).collect();
        let source_seen = match &expect.source_seen {
            Some(t) => Some(self.ip(t, "expected source")?),
            None => None,
        };
        Some(TraceExpect {
            source_seen,
            verdict: expect.verdict,
            via: via.into_iter().collect::<Option<Vec<_>>>()?,
            not_via: not_via.into_iter().collect::<Option<Vec<_>>>()?,
            symptom: expect.symptom,
            regions: expect
                .regions
                .as_ref()
                .map(|r| r.iter().map(|t| t.value.clone()).collect()),
        })
    }

    fn row(&mut self, row: &doc::RouteRowDoc) -> Option<RouteRowExpect> {
        if !self.no_hub_columns(row) {
            return None;
        }
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
    fn expected_hop(&mut self, hop: &NextHopDoc, ip: Option<&Text>) -> Option<NextHopSpec> {
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
        doc::QuestionDoc::ForAllTraces { .. } | doc::QuestionDoc::ForAllRoutes { .. } => {
            super::forall::question_span(q)
        }
    }
}
