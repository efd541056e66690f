//! Runs every question of a scenario against the network and compares each answer with what
//! the scenario expects (the comparisons are [`super::check`]'s and [`super::forall`]'s).

use super::answer::{Asked, CheckReport, Client, Evidence, QuestionResult};
use super::check::{
    flow_problems, next_hop_problems, nic_name, place_name, resolve_problems, result,
    routes_problems, trace_problems,
};
use super::forall;
use crate::dataplane::DataPlane;
use crate::dns::resolve;
use crate::model::{Network, QuestionKind, TraceSource, TraceTarget};
use crate::query::{flow_verify, next_hop, routes};
use crate::scenario::DEFAULT_SOURCE_PORT;
use crate::trace::{trace_to_flow, Probe};

/// Evaluates every question of `net`.
pub fn check(net: &Network, dp: &DataPlane) -> CheckReport {
    let results = net
        .questions
        .iter()
        .filter_map(|q| -> Option<QuestionResult> {
            Some(match &q.kind {
                QuestionKind::Routes { at, expect } => {
                    let question = Asked::Routes {
                        at: place_name(net, *at),
                        mode: expect.mode,
                        rows: expect.rows.len(),
                    };
                    let answer = net.subnet_of(*at).and_then(|s| routes(net, dp, s));
                    let problems = answer.as_ref().map(|a| routes_problems(expect, &a.routes));
                    result(question, q.span, problems, answer.map(Evidence::Routes))
                }
                QuestionKind::HubRoutes { at, expect } => super::hub::check(net, q, *at, expect),
                QuestionKind::NextHop { from, to, expect } => {
                    let question = Asked::NextHop {
                        from: place_name(net, *from),
                        to: *to,
                        next_hop: expect.next_hop,
                    };
                    let answer = net.subnet_of(*from).map(|s| next_hop(net, dp, s, *to));
                    let problems = answer.as_ref().map(|a| next_hop_problems(net, expect, a));
                    result(
                        question,
                        q.span,
                        problems,
                        answer.map(|a| Evidence::NextHop(Box::new(a))),
                    )
                }
                QuestionKind::ForAllTraces { .. } | QuestionKind::ForAllRoutes { .. } => {
                    return forall::check(net, dp, q);
                }
                QuestionKind::Resolve { from, name, expect } => {
                    let answer = resolve(net, *from, name);
                    let question = Asked::Resolve {
                        client: answer.client.clone(),
                        name: answer.name.clone(),
                        outcome: expect.outcome,
                    };
                    let problems = resolve_problems(net, expect, &answer);
                    result(
                        question,
                        q.span,
                        Some(problems),
                        Some(Evidence::Resolve(Box::new(answer))),
                    )
                }
                QuestionKind::FlowVerify {
                    nic,
                    direction,
                    remote,
                    expect,
                } => {
                    let question = Asked::FlowVerify {
                        at: nic_name(net, *nic),
                        direction: *direction,
                        protocol: remote.protocol,
                        remote: remote.address,
                        port: remote.port,
                        access: expect.access,
                    };
                    let answer = flow_verify(net, dp, *nic, *direction, *remote);
                    let problems = answer.as_ref().map(|a| flow_problems(net, expect, a));
                    result(question, q.span, problems, answer.map(Evidence::FlowVerify))
                }
                QuestionKind::Trace {
                    from,
                    to,
                    protocol,
                    port,
                    host,
                    flow,
                    expect,
                } => {
                    let client = match from {
                        TraceSource::Workload(w) => Client::Workload {
                            name: (net.workloads.get(*w))
                                .map(|w| w.name.clone())
                                .unwrap_or_default(),
                        },
                        TraceSource::Internet(ip) => Client::Internet { address: *ip },
                        TraceSource::Site(s, ip) => Client::Site {
                            name: (net.site(*s)).map(|s| s.name.clone()).unwrap_or_default(),
                            address: *ip,
                        },
                        TraceSource::Branch(b, ip) => Client::Site {
                            name: (net.branch(*b))
                                .map(|(_, s)| s.name.clone())
                                .unwrap_or_default(),
                            address: *ip,
                        },
                    };
                    let question = Asked::Trace {
                        from: client,
                        to: match to {
                            TraceTarget::Address(ip) => ip.to_string(),
                            TraceTarget::Name(n) => n.clone(),
                        },
                        protocol: *protocol,
                        port: *port,
                        flow: *flow,
                        verdict: expect.verdict,
                    };
                    let request = Probe {
                        host: host.clone(),
                        protocol: *protocol,
                        port: *port,
                        source_port: DEFAULT_SOURCE_PORT,
                    };
                    let answer = trace_to_flow(net, dp, *from, to, request, *flow);
                    let problems = answer.as_ref().map(|a| trace_problems(net, expect, a));
                    result(
                        question,
                        q.span,
                        problems,
                        answer.map(|a| Evidence::Trace(Box::new(a))),
                    )
                }
            })
        })
        .collect();
    CheckReport { results }
}
