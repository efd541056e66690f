//! Two scenarios side by side (before and after, production and design), or two flows of one
//! scenario (the dev app to its endpoint and the production app to its own): every flow's
//! verdict, resolution, path, regions and stateful devices in both, differences first.
//!
//! Where what-if answers "what does this change move" with only the differences, a comparison
//! shows every flow in both, so the ones that agree are seen to agree. It reads the same facts
//! ([`PathFacts`]) from the same traces, and compares the same flows (every question's flow,
//! and every client to every private endpoint and service).

use std::collections::BTreeSet;

use serde::Serialize;

use super::flow::{self, FlowSpec};
use super::whatif::{
    every_flow, every_resolution, question_flows, question_resolutions, resolution, routes_change,
    PathFacts, RoutesChange,
};
use crate::dns::DnsOutcome;
use crate::Loaded;

/// One aspect of a flow in which the two sides differ, in the order they are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub enum Aspect {
    /// The client is on one side only.
    Client,
    /// How the flow ends.
    Verdict,
    /// What the destination name resolves to.
    Resolution,
    /// The NICs and hubs the request passes.
    Path,
    /// The regions it crosses.
    Regions,
    /// The virtual hubs it crosses.
    Hubs,
    /// The stateful devices (firewalls, appliances) on the request path.
    StatefulDevices,
}

/// One flow on both sides.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct FlowRow {
    /// The flow on side A.
    pub a_flow: FlowSpec,
    /// The flow on side B (the same flow when two scenarios are compared).
    pub b_flow: FlowSpec,
    /// Its facts on side A (`None`: the client is not there).
    pub a: Option<PathFacts>,
    /// Its facts on side B (`None`: the client is not there).
    pub b: Option<PathFacts>,
    /// What differs (empty: the two sides agree).
    pub differences: Vec<Aspect>,
}

/// One resolution on both sides.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ResolutionRow {
    /// The workload or VNet that resolves.
    pub from: String,
    /// The name.
    pub name: String,
    /// The answer on side A (`None`: `from` is not there).
    pub a: Option<DnsOutcome>,
    /// The answer on side B (`None`: `from` is not there).
    pub b: Option<DnsOutcome>,
    /// Whether the answers differ.
    pub differs: bool,
}

/// What `azpath compare` answers.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct Comparison {
    /// Side A's scenario.
    pub a: String,
    /// Side B's scenario (the same file when two flows of one scenario are compared).
    pub b: String,
    /// Every flow compared, those that differ first.
    pub flows: Vec<FlowRow>,
    /// Every resolution compared, those that differ first.
    pub resolutions: Vec<ResolutionRow>,
    /// Subnets whose effective routes differ (two scenarios only).
    pub routes: Vec<RoutesChange>,
    /// How many flows differ.
    pub flows_differing: usize,
    /// How many resolutions differ.
    pub resolutions_differing: usize,
    /// Whether the every-client-to-every-endpoint flows were left out (more than
    /// [`BLAST_RADIUS_LIMIT`](super::whatif::BLAST_RADIUS_LIMIT) traces a side), so only the questions' flows were compared.
    pub estate_left_out: bool,
}

impl Comparison {
    /// Whether the two sides agree on everything compared.
    pub fn agrees(&self) -> bool {
        self.flows_differing == 0 && self.resolutions_differing == 0 && self.routes.is_empty()
    }
}

/// The aspects in which `a` and `b` differ.
pub fn differences(a: Option<&PathFacts>, b: Option<&PathFacts>) -> Vec<Aspect> {
    let (Some(a), Some(b)) = (a, b) else {
        return if a.is_none() && b.is_none() {
            Vec::new()
        } else {
            vec![Aspect::Client]
        };
    };
    let mut out = Vec::new();
    if a.verdict != b.verdict {
        out.push(Aspect::Verdict);
    }
    if a.resolved != b.resolved {
        out.push(Aspect::Resolution);
    }
    if a.hops != b.hops {
        out.push(Aspect::Path);
    }
    if a.regions != b.regions {
        out.push(Aspect::Regions);
    }
    if a.hubs != b.hubs {
        out.push(Aspect::Hubs);
    }
    if a.stateful_devices != b.stateful_devices {
        out.push(Aspect::StatefulDevices);
    }
    out
}

fn facts(loaded: &Loaded, f: &FlowSpec) -> Option<PathFacts> {
    flow::trace(&loaded.network, loaded.dataplane(), f).map(|t| PathFacts::of(&t))
}

fn row(a: &Loaded, a_flow: &FlowSpec, b: &Loaded, b_flow: &FlowSpec) -> FlowRow {
    let (fa, fb) = (facts(a, a_flow), facts(b, b_flow));
    FlowRow {
        differences: differences(fa.as_ref(), fb.as_ref()),
        a_flow: a_flow.clone(),
        b_flow: b_flow.clone(),
        a: fa,
        b: fb,
    }
}

fn too_large(l: &Loaded) -> bool {
    super::whatif::too_many_flows(&l.network)
}

/// Compares two scenarios: over `flows` when given, else every question's flow and resolution
/// of both and every client to every private endpoint and service of both; and every subnet's
/// effective routes.
pub fn compare_scenarios(a: &Loaded, b: &Loaded, flows: &[FlowSpec]) -> Comparison {
    let estate_left_out = flows.is_empty() && (too_large(a) || too_large(b));
    let (flows, resolutions): (BTreeSet<FlowSpec>, BTreeSet<(String, String)>) = if flows.is_empty()
    {
        let mut f = question_flows(&a.document);
        f.extend(question_flows(&b.document));
        let mut r = question_resolutions(&a.document);
        r.extend(question_resolutions(&b.document));
        if !estate_left_out {
            f.extend(every_flow(&a.network));
            f.extend(every_flow(&b.network));
        }
        r.extend(every_resolution(&a.network));
        r.extend(every_resolution(&b.network));
        (f, r)
    } else {
        (flows.iter().cloned().collect(), BTreeSet::new())
    };
    let rows = flows.iter().map(|f| row(a, f, b, f)).collect();
    let resolutions = resolutions
        .into_iter()
        .map(|(from, name)| {
            let ra = resolution(&a.network, &from, &name);
            let rb = resolution(&b.network, &from, &name);
            ResolutionRow {
                differs: ra != rb,
                from,
                name,
                a: ra,
                b: rb,
            }
        })
        .collect();
    let mut subnets: BTreeSet<&str> = a.network.subnets.iter().map(|s| s.name.as_str()).collect();
    subnets.extend(b.network.subnets.iter().map(|s| s.name.as_str()));
    let routes = subnets
        .into_iter()
        .filter_map(|s| routes_change(s, (&a.network, a.dataplane()), (&b.network, b.dataplane())))
        .collect();
    finish(
        a.source.name.clone(),
        b.source.name.clone(),
        rows,
        resolutions,
        routes,
        estate_left_out,
    )
}

/// Compares flow `fa` in `a` with flow `fb` in `b` (usually one scenario: the dev app to its
/// endpoint and the production app to its own); what each name resolves to is one of the
/// flow's facts.
pub fn compare_flows(a: &Loaded, fa: &FlowSpec, b: &Loaded, fb: &FlowSpec) -> Comparison {
    let rows = vec![row(a, fa, b, fb)];
    finish(
        a.source.name.clone(),
        b.source.name.clone(),
        rows,
        Vec::new(),
        Vec::new(),
        false,
    )
}

fn finish(
    a: String,
    b: String,
    mut flows: Vec<FlowRow>,
    mut resolutions: Vec<ResolutionRow>,
    routes: Vec<RoutesChange>,
    estate_left_out: bool,
) -> Comparison {
    // Differences first (stable: within each, the order compared).
    flows.sort_by_key(|r| r.differences.is_empty());
    resolutions.sort_by_key(|r| !r.differs);
    Comparison {
        flows_differing: flows.iter().filter(|r| !r.differences.is_empty()).count(),
        resolutions_differing: resolutions.iter().filter(|r| r.differs).count(),
        a,
        b,
        flows,
        resolutions,
        routes,
        estate_left_out,
    }
}
