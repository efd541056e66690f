//! What if? The same questions asked of a scenario and of a variant of it, and what changed:
//! effective routes per subnet, each flow's verdict and path (hops, regions, hubs, stateful
//! devices), and name resolutions. Only differences are reported, so an empty answer means the
//! change moves nothing that was asked.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;
use serde::Serialize;

use super::flow::{self, FlowSpec};
use crate::dataplane::DataPlane;
use crate::dns::{resolve, DnsOutcome, Resolver};
use crate::model::{Network, NextHop, NicRef, RouteSource, RouteState};
use crate::scenario::{Document, QuestionDoc, DEFAULT_PORT};
use crate::trace::{TraceAnswer, Verdict};
use crate::Loaded;

/// Everything that differs between a scenario and its variant.
#[derive(Clone, Debug, Default, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct WhatIfAnswer {
    /// The scenario.
    pub base: String,
    /// The variant.
    pub variant: String,
    /// Subnets whose effective routes differ.
    pub routes: Vec<RoutesChange>,
    /// Flows whose verdict or path differs.
    pub flows: Vec<FlowChange>,
    /// Resolutions whose answer differs.
    pub resolutions: Vec<ResolutionChange>,
    /// Flows compared.
    pub flows_compared: usize,
    /// Subnets compared.
    pub subnets_compared: usize,
}

impl WhatIfAnswer {
    /// Whether nothing that was compared changed.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty() && self.flows.is_empty() && self.resolutions.is_empty()
    }
}

/// An effective route as both networks can name it (their ids differ).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct RouteKey {
    /// Destination prefix.
    #[schemars(with = "String")]
    pub prefix: IpNet,
    /// Who offers it.
    pub source: RouteSource,
    /// Where it sends traffic.
    pub next_hop: NextHop,
}

/// A route with its state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RouteRow {
    /// The route.
    pub route: RouteKey,
    /// Active or Invalid.
    pub state: RouteState,
}

/// A route in both whose state changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StateChange {
    /// The route.
    pub route: RouteKey,
    /// In the scenario.
    pub before: RouteState,
    /// In the variant.
    pub after: RouteState,
}

/// One subnet's effective routes before and after.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct RoutesChange {
    /// `vnet/subnet` (the name both networks know it by).
    pub subnet: String,
    /// Routes only the variant has.
    pub added: Vec<RouteRow>,
    /// Routes only the scenario has.
    pub removed: Vec<RouteRow>,
    /// Routes in both whose state changed.
    pub state_changed: Vec<StateChange>,
}

/// A flow's path in a few facts, enough to see what a change did to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PathFacts {
    /// The verdict.
    pub verdict: Verdict,
    /// How the destination name resolved, if the flow starts from a name.
    pub resolved: Option<DnsOutcome>,
    /// NICs and hubs the request passed, in order.
    pub hops: Vec<String>,
    /// Regions, in order.
    pub regions: Vec<String>,
    /// Virtual hubs.
    pub hubs: Vec<String>,
    /// Stateful devices on the request path.
    pub stateful_devices: Vec<String>,
}

impl PathFacts {
    /// The facts of a trace.
    pub fn of(answer: &TraceAnswer) -> Self {
        let mut hops: Vec<String> = Vec::new();
        for h in &answer.forward {
            if hops.last().map(String::as_str) != Some(&*h.nic) {
                hops.push(h.nic.to_string());
            }
        }
        PathFacts {
            verdict: answer.verdict.clone(),
            resolved: answer.resolution.as_ref().map(|r| r.outcome.clone()),
            hops,
            regions: texts(&answer.quality.regions),
            hubs: texts(&answer.quality.hubs),
            stateful_devices: texts(&answer.quality.stateful_devices),
        }
    }
}

/// A flow whose verdict or path changed.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct FlowChange {
    /// The flow.
    pub flow: FlowSpec,
    /// In the scenario (`None`: its client is not there).
    pub before: Option<PathFacts>,
    /// In the variant (`None`: its client is not there).
    pub after: Option<PathFacts>,
    /// Whether the verdict itself changed (not only the path).
    pub verdict_changed: bool,
    /// Hops the variant's path no longer passes.
    pub hops_gone: Vec<String>,
    /// Hops only the variant's path passes.
    pub hops_added: Vec<String>,
}

/// A resolution whose answer changed.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ResolutionChange {
    /// The workload or VNet that resolves.
    pub from: String,
    /// The name.
    pub name: String,
    /// The answer in the scenario (`None`: `from` is not in it).
    pub before: Option<DnsOutcome>,
    /// The answer in the variant (`None`: `from` is not in it).
    pub after: Option<DnsOutcome>,
}

/// Compares `base` and `variant`: over `flows` when given, else over the flows and resolutions
/// of both files' questions and every workload to every private endpoint and service (by
/// name, resolved as it resolves it), so a change to a shared zone or route shows for every
/// client it moves, asked about or not.
pub fn what_if(base: &Loaded, variant: &Loaded, flows: &[FlowSpec]) -> WhatIfAnswer {
    let (bn, bd) = (&base.network, base.dataplane());
    let (vn, vd) = (&variant.network, variant.dataplane());
    let mut answer = WhatIfAnswer {
        base: base.source.name.clone(),
        variant: variant.source.name.clone(),
        ..WhatIfAnswer::default()
    };
    let mut subnets: BTreeSet<&str> = bn.subnets.iter().map(|s| s.name.as_str()).collect();
    subnets.extend(vn.subnets.iter().map(|s| s.name.as_str()));
    answer.subnets_compared = subnets.len();
    answer.routes = subnets
        .into_iter()
        .filter_map(|s| routes_change(s, (bn, bd), (vn, vd)))
        .collect();

    let (flows, resolutions) = if flows.is_empty() {
        let mut f = question_flows(&base.document);
        f.extend(question_flows(&variant.document));
        let mut r = question_resolutions(&base.document);
        r.extend(question_resolutions(&variant.document));
        f.extend(every_flow(bn));
        f.extend(every_flow(vn));
        r.extend(every_resolution(bn));
        r.extend(every_resolution(vn));
        (f, r)
    } else {
        (flows.iter().cloned().collect(), BTreeSet::new())
    };
    answer.flows_compared = flows.len();
    answer.flows = flows
        .into_iter()
        .filter_map(|f| flow_change(f, (bn, bd), (vn, vd)))
        .collect();
    answer.resolutions = resolutions
        .into_iter()
        .filter_map(|(from, name)| {
            let before = resolution(bn, &from, &name);
            let after = resolution(vn, &from, &name);
            (before != after).then_some(ResolutionChange {
                from,
                name,
                before,
                after,
            })
        })
        .collect();
    answer
}

/// One subnet's effective routes in `base` and `variant`, when they differ.
pub fn routes_change(
    subnet: &str,
    (bn, bd): (&Network, &DataPlane),
    (vn, vd): (&Network, &DataPlane),
) -> Option<RoutesChange> {
    let rows = |net: &Network, dp: &DataPlane| -> BTreeMap<RouteKey, RouteState> {
        net.subnet_by_name(subnet)
            .and_then(|id| crate::query::routes(net, dp, id))
            .map(|a| {
                a.routes
                    .iter()
                    .map(|r| {
                        let key = RouteKey {
                            prefix: r.prefix,
                            source: r.source,
                            next_hop: r.next_hop,
                        };
                        (key, r.state)
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (before, after) = (rows(bn, bd), rows(vn, vd));
    let mut change = RoutesChange {
        subnet: subnet.to_string(),
        added: Vec::new(),
        removed: Vec::new(),
        state_changed: Vec::new(),
    };
    for (route, state) in &after {
        match before.get(route) {
            None => change.added.push(RouteRow {
                route: *route,
                state: *state,
            }),
            Some(old) if old != state => change.state_changed.push(StateChange {
                route: *route,
                before: *old,
                after: *state,
            }),
            Some(_) => {}
        }
    }
    for (route, state) in &before {
        if !after.contains_key(route) {
            change.removed.push(RouteRow {
                route: *route,
                state: *state,
            });
        }
    }
    let empty =
        change.added.is_empty() && change.removed.is_empty() && change.state_changed.is_empty();
    (!empty).then_some(change)
}

fn flow_change(
    flow: FlowSpec,
    (bn, bd): (&Network, &DataPlane),
    (vn, vd): (&Network, &DataPlane),
) -> Option<FlowChange> {
    let before = flow::trace(bn, bd, &flow).map(|a| PathFacts::of(&a));
    let after = flow::trace(vn, vd, &flow).map(|a| PathFacts::of(&a));
    if before == after {
        return None;
    }
    let hops = |p: &Option<PathFacts>| -> Vec<String> {
        p.as_ref().map(|p| p.hops.clone()).unwrap_or_default()
    };
    let (b, a) = (hops(&before), hops(&after));
    Some(FlowChange {
        verdict_changed: before.as_ref().map(|p| &p.verdict) != after.as_ref().map(|p| &p.verdict),
        hops_gone: b.iter().filter(|h| !a.contains(h)).cloned().collect(),
        hops_added: a.iter().filter(|h| !b.contains(h)).cloned().collect(),
        flow,
        before,
        after,
    })
}

/// The trace questions of a document, as flows.
pub fn question_flows(doc: &Document) -> BTreeSet<FlowSpec> {
    doc.questions
        .iter()
        .filter_map(|q| match q {
            QuestionDoc::Trace {
                from,
                to,
                port,
                host,
                ..
            } => Some(FlowSpec {
                from: from.value.clone(),
                to: to.value.clone(),
                port: *port,
                host: host.as_ref().map(|h| h.value.clone()),
            }),
            _ => None,
        })
        .collect()
}

/// The resolve questions of a document, as `(from, name)`.
pub fn question_resolutions(doc: &Document) -> BTreeSet<(String, String)> {
    doc.questions
        .iter()
        .filter_map(|q| match q {
            QuestionDoc::Resolve { from, name, .. } => {
                Some((from.value.clone(), name.value.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Every workload to every private endpoint (by address) and every service (by name), on 443.
pub fn every_flow(net: &Network) -> BTreeSet<FlowSpec> {
    let targets: Vec<String> = net
        .private_endpoints
        .iter()
        .map(|p| p.ip.to_string())
        .chain(net.services.iter().flat_map(|s| s.fqdns.iter().cloned()))
        .collect();
    net.workloads
        .iter()
        .flat_map(|w| {
            targets.iter().map(|t| FlowSpec {
                from: w.name.clone(),
                to: t.clone(),
                port: DEFAULT_PORT,
                host: None,
            })
        })
        .collect()
}

/// Every workload resolving every service's name.
pub fn every_resolution(net: &Network) -> BTreeSet<(String, String)> {
    net.workloads
        .iter()
        .flat_map(|w| {
            net.services
                .iter()
                .flat_map(|s| s.fqdns.iter().map(|f| (w.name.clone(), f.clone())))
        })
        .collect()
}

/// How many traces a blast radius may take before it is left out (and said to be).
pub const BLAST_RADIUS_LIMIT: usize = 20_000;

/// Whether tracing every client to every endpoint and service of `net` (each flow [`every_flow`]
/// lists) would take more than [`BLAST_RADIUS_LIMIT`] traces.
pub fn too_many_flows(net: &Network) -> bool {
    net.workloads.len() * (net.private_endpoints.len() + net.services.len()) > BLAST_RADIUS_LIMIT
}

/// What a change moves besides `except` (the flow it was made for): every flow and resolution
/// of every client, as [`what_if`] compares them with no flow given; `None` when that is more
/// than [`BLAST_RADIUS_LIMIT`] traces.
pub fn blast_radius(base: &Loaded, variant: &Loaded, except: &FlowSpec) -> Option<WhatIfAnswer> {
    if too_many_flows(&base.network) || too_many_flows(&variant.network) {
        return None;
    }
    let mut answer = what_if(base, variant, &[]);
    let same = |a: &str, b: &str| {
        a.trim_end_matches('.')
            .eq_ignore_ascii_case(b.trim_end_matches('.'))
    };
    answer
        .flows
        .retain(|c| !(c.flow.from == except.from && same(&c.flow.to, &except.to)));
    answer
        .resolutions
        .retain(|r| !(r.from == except.from && same(&r.name, &except.to)));
    Some(answer)
}

/// A resolution's answer from a workload or a VNet; `None` when `from` is not in `net`.
pub fn resolution(net: &Network, from: &str, name: &str) -> Option<DnsOutcome> {
    let client = match net.nic_by_name(from) {
        Some(NicRef::Workload(w)) => Resolver::Workload(w),
        _ => Resolver::Vnet(net.vnets.position(|v| v.name == from)?),
    };
    Some(resolve(net, client, name).outcome)
}

/// Names as text, for facts compared and printed as strings.
fn texts(names: &[crate::model::Name]) -> Vec<String> {
    names.iter().map(ToString::to_string).collect()
}
