//! What if? The same questions asked of a scenario and of a variant of it, and what changed:
//! effective routes per subnet, each flow's verdict and path (hops, regions, hubs, stateful
//! devices), and name resolutions. Only differences are reported, so an empty answer means the
//! change moves nothing that was asked.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use serde::Serialize;

use super::flow::{self, FlowSpec};
use crate::dataplane::DataPlane;
use crate::dns::{resolve, DnsOutcome, Resolver};
use crate::model::{Network, NicRef};
use crate::scenario::{Document, QuestionDoc};
use crate::trace::TraceAnswer;
use crate::Loaded;

/// Everything that differs between a scenario and its variant.
#[derive(Clone, Debug, Default, Serialize)]
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

/// One subnet's effective routes before and after; a row is `prefix source next-hop`.
#[derive(Clone, Debug, Serialize)]
pub struct RoutesChange {
    /// `vnet/subnet`.
    pub subnet: String,
    /// Rows only the variant has (with their state).
    pub added: Vec<String>,
    /// Rows only the scenario has (with their state).
    pub removed: Vec<String>,
    /// Rows in both whose state changed: `row: Active -> Invalid`.
    pub state_changed: Vec<String>,
}

/// A flow's path in a few facts, enough to see what a change did to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PathFacts {
    /// The verdict in a few words.
    pub verdict: String,
    /// What the destination name resolved to, if the flow starts from a name.
    pub resolved: Option<String>,
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
            if hops.last() != Some(&h.nic) {
                hops.push(h.nic.clone());
            }
        }
        PathFacts {
            verdict: answer.verdict.describe(),
            resolved: answer.resolution.as_ref().map(|r| match &r.outcome {
                DnsOutcome::Resolved { addresses } => {
                    let a: Vec<String> = addresses.iter().map(IpAddr::to_string).collect();
                    a.join(", ")
                }
                other => format!("{other:?}"),
            }),
            hops,
            regions: answer.quality.regions.clone(),
            hubs: answer.quality.hubs.clone(),
            stateful_devices: answer.quality.stateful_devices.clone(),
        }
    }
}

/// A flow whose verdict or path changed.
#[derive(Clone, Debug, Serialize)]
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
#[derive(Clone, Debug, Serialize)]
pub struct ResolutionChange {
    /// The workload or VNet that resolves.
    pub from: String,
    /// The name.
    pub name: String,
    /// The answer in the scenario.
    pub before: String,
    /// The answer in the variant.
    pub after: String,
}

/// Compares `base` and `variant`: over `flows` when given, else over the flows and resolutions
/// of both files' questions, else over every workload to every private endpoint and service.
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
        if f.is_empty() && r.is_empty() {
            f = every_flow(bn);
            f.extend(every_flow(vn));
        }
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

fn routes_change(
    subnet: &str,
    (bn, bd): (&Network, &DataPlane),
    (vn, vd): (&Network, &DataPlane),
) -> Option<RoutesChange> {
    let rows = |net: &Network, dp: &DataPlane| -> BTreeMap<String, String> {
        net.subnet_by_name(subnet)
            .and_then(|id| crate::query::routes(net, dp, id))
            .map(|a| {
                a.routes
                    .iter()
                    .map(|r| {
                        let key = format!("{} {} {}", r.prefix, r.source, r.next_hop);
                        (key, r.state.to_string())
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
    for (row, state) in &after {
        match before.get(row) {
            None => change.added.push(format!("{row} {state}")),
            Some(old) if old != state => change
                .state_changed
                .push(format!("{row}: {old} -> {state}")),
            Some(_) => {}
        }
    }
    for (row, state) in &before {
        if !after.contains_key(row) {
            change.removed.push(format!("{row} {state}"));
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

fn question_resolutions(doc: &Document) -> BTreeSet<(String, String)> {
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
fn every_flow(net: &Network) -> BTreeSet<FlowSpec> {
    let targets: Vec<String> = net
        .private_endpoints
        .iter()
        .map(|p| p.ip.to_string())
        .chain(net.services.iter().map(|s| s.fqdn.clone()))
        .collect();
    net.workloads
        .iter()
        .flat_map(|w| {
            targets.iter().map(|t| FlowSpec {
                from: w.name.clone(),
                to: t.clone(),
                port: 443,
                host: None,
            })
        })
        .collect()
}

/// A resolution's answer in one line, from a workload or a VNet.
fn resolution(net: &Network, from: &str, name: &str) -> String {
    let client = match net.nic_by_name(from) {
        Some(NicRef::Workload(w)) => Resolver::Workload(w),
        _ => match net.vnets.iter().position(|v| v.name == from) {
            Some(i) => Resolver::Vnet(crate::model::VnetId(i)),
            None => return format!("`{from}` is not in this scenario"),
        },
    };
    let r = resolve(net, client, name);
    match r.outcome {
        DnsOutcome::Resolved { addresses } => {
            let a: Vec<String> = addresses.iter().map(IpAddr::to_string).collect();
            a.join(", ")
        }
        other => format!("{other:?}"),
    }
}
