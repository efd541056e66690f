//! "Does Azure answer as the scenario says?" Evaluates every question's expectation.

use serde::Serialize;

use super::{flow_verify, next_hop, routes, FlowVerifyAnswer, NextHopAnswer, RoutesAnswer};
use crate::dataplane::DataPlane;
use crate::dns::{resolve, DnsOutcome, Resolution};
use crate::model::{
    Direction, FlowVerifyExpect, Network, NextHopExpect, NicRef, Place, QuestionKind,
    ResolveExpect, RouteRowExpect, RoutesExpect, RoutesMode, TraceExpect, TraceSource, TraceTarget,
};
use crate::route::EffectiveRoute;
use crate::scenario::ResolveOutcomeName;
use crate::scenario::Span;
use crate::trace::{trace_to, Probe, TraceAnswer};

/// The outcome of every question of a scenario.
#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    /// One result per question, in file order.
    pub results: Vec<QuestionResult>,
}

impl CheckReport {
    /// How many questions held.
    pub fn passed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Pass))
    }

    /// How many did not.
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Fail { .. }))
    }

    /// How many could not be evaluated yet.
    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skipped { .. }))
    }

    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.results.iter().filter(|r| f(&r.outcome)).count()
    }
}

/// One question's result, with the answer it was checked against.
#[derive(Clone, Debug, Serialize)]
pub struct QuestionResult {
    /// The question in one line.
    pub question: String,
    /// Where it was written.
    pub span: Span,
    /// Pass, fail (with every difference) or skipped.
    pub outcome: Outcome,
    /// The answer azpath computed.
    pub evidence: Option<Evidence>,
}

/// Whether an expectation held.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "outcome")]
pub enum Outcome {
    /// The answer matches the expectation.
    Pass,
    /// It does not; every difference is listed.
    Fail {
        /// The differences.
        problems: Vec<Problem>,
    },
    /// Not evaluated.
    Skipped {
        /// Why.
        reason: String,
    },
}

/// One difference between expectation and answer.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "problem")]
pub enum Problem {
    /// An expected route is not in the table.
    MissingRoute {
        /// The expected row.
        expected: RouteRowExpect,
    },
    /// A route that should be absent is present.
    ExcludedRoutePresent {
        /// The row that should match nothing.
        expected: RouteRowExpect,
        /// The route that matched it.
        actual: EffectiveRoute,
    },
    /// A route no expected row accounts for (with `Exactly`).
    UnexpectedRoute {
        /// The route.
        actual: EffectiveRoute,
    },
    /// One case of an estate-wide question does not hold.
    Counterexample {
        /// The case (a pair, or a subnet).
        case: String,
        /// Its differences.
        problems: Vec<Problem>,
    },
    /// A field of the answer differs.
    Differs {
        /// Which field.
        field: String,
        /// What the scenario expects.
        expected: String,
        /// What azpath computed.
        actual: String,
    },
}

impl Problem {
    /// A field of the answer that differs from the expectation.
    pub fn differs(field: &str, expected: impl Into<String>, actual: impl Into<String>) -> Self {
        Problem::Differs {
            field: field.into(),
            expected: expected.into(),
            actual: actual.into(),
        }
    }
}

/// The answer a question was checked against.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind")]
pub enum Evidence {
    /// Effective routes.
    Routes(RoutesAnswer),
    /// A next hop.
    NextHop(Box<NextHopAnswer>),
    /// NSG decisions at a NIC.
    FlowVerify(FlowVerifyAnswer),
    /// A trace.
    Trace(Box<TraceAnswer>),
    /// A name resolution.
    Resolve(Box<Resolution>),
    /// The first counterexamples of an estate-wide question, each with its own evidence.
    Counterexamples {
        /// Cases checked.
        checked: usize,
        /// Cases that failed.
        failed: usize,
        /// The first few, with their answers.
        shown: Vec<(String, Evidence)>,
    },
}

/// Evaluates every question of `net`.
pub fn check(net: &Network, dp: &DataPlane) -> CheckReport {
    let results = net
        .questions
        .iter()
        .map(|q| match &q.kind {
            QuestionKind::Routes { at, expect } => {
                let question = format!(
                    "routes at `{}` {}",
                    place_name(net, *at),
                    describe_routes(expect)
                );
                let answer = net.subnet_of(*at).and_then(|s| routes(net, dp, s));
                let problems = answer.as_ref().map(|a| routes_problems(expect, &a.routes));
                result(question, q.span, problems, answer.map(Evidence::Routes))
            }
            QuestionKind::NextHop { from, to, expect } => {
                let question = format!(
                    "next hop from `{}` to {to} is {}",
                    place_name(net, *from),
                    expect.next_hop
                );
                let answer = net.subnet_of(*from).map(|s| next_hop(net, dp, s, *to));
                let problems = answer.as_ref().map(|a| next_hop_problems(expect, a));
                result(
                    question,
                    q.span,
                    problems,
                    answer.map(|a| Evidence::NextHop(Box::new(a))),
                )
            }
            QuestionKind::ForAllTraces { .. } | QuestionKind::ForAllRoutes { .. } => {
                super::forall::check(net, dp, q)
            }
            QuestionKind::Resolve { from, name, expect } => {
                let answer = resolve(net, *from, name);
                let question = format!(
                    "`{}` resolves `{}`: {:?}",
                    answer.client, answer.name, expect.outcome
                );
                let problems = resolve_problems(expect, &answer);
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
                let name = nic_name(net, *nic);
                let way = match direction {
                    Direction::Inbound => "from",
                    Direction::Outbound => "to",
                };
                let question = format!(
                    "{direction} {:?} {way} {} port {} at `{name}` is {}",
                    remote.protocol, remote.address, remote.port, expect.access
                );
                let answer = flow_verify(net, dp, *nic, *direction, *remote);
                let problems = answer.as_ref().map(|a| flow_problems(expect, a));
                result(question, q.span, problems, answer.map(Evidence::FlowVerify))
            }
            QuestionKind::Trace {
                from,
                to,
                protocol,
                port,
                host,
                expect,
            } => {
                let source = match from {
                    TraceSource::Workload(w) => net
                        .workloads
                        .get(w.0)
                        .map(|w| w.name.clone())
                        .unwrap_or_default(),
                    TraceSource::Internet(ip) => format!("Internet client {ip}"),
                };
                let target = match to {
                    TraceTarget::Address(ip) => ip.to_string(),
                    TraceTarget::Name(n) => n.clone(),
                };
                let question = format!(
                    "trace {protocol:?} from `{source}` to {target} port {port} is {:?}",
                    expect.verdict
                );
                let request = Probe {
                    host: host.clone(),
                    protocol: *protocol,
                    port: *port,
                    source_port: 50000,
                };
                let answer = trace_to(net, dp, *from, to, request);
                let problems = answer.as_ref().map(|a| trace_problems(expect, a));
                result(
                    question,
                    q.span,
                    problems,
                    answer.map(|a| Evidence::Trace(Box::new(a))),
                )
            }
        })
        .collect();
    CheckReport { results }
}

/// A result from the differences found; `None` when there was no answer to compare (a place
/// that resolved but has no compiled table, which validation rules out).
pub(super) fn result(
    question: String,
    span: Span,
    problems: Option<Vec<Problem>>,
    evidence: Option<Evidence>,
) -> QuestionResult {
    let outcome = match problems {
        Some(p) if p.is_empty() => Outcome::Pass,
        Some(problems) => Outcome::Fail { problems },
        None => Outcome::Skipped {
            reason: "no answer for this place".into(),
        },
    };
    QuestionResult {
        question,
        span,
        outcome,
        evidence,
    }
}

fn resolve_problems(expect: &ResolveExpect, actual: &Resolution) -> Vec<Problem> {
    let mut problems = Vec::new();
    let (outcome, addresses) = match &actual.outcome {
        DnsOutcome::Resolved { addresses } => (ResolveOutcomeName::Resolved, addresses.clone()),
        DnsOutcome::NxDomain => (ResolveOutcomeName::NxDomain, Vec::new()),
        DnsOutcome::Loop => (ResolveOutcomeName::Loop, Vec::new()),
        DnsOutcome::NoServer { .. } => (ResolveOutcomeName::NoServer, Vec::new()),
    };
    if outcome != expect.outcome {
        problems.push(Problem::differs(
            "outcome",
            format!("{:?}", expect.outcome),
            format!("{outcome:?}"),
        ));
    }
    let list = |a: &[std::net::IpAddr]| {
        a.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !expect.addresses.is_empty() && expect.addresses != addresses {
        problems.push(Problem::differs(
            "addresses",
            list(&expect.addresses),
            list(&addresses),
        ));
    }
    let text = serde_json::to_string(&actual.steps).unwrap_or_default();
    for via in expect.via.iter().filter(|v| !text.contains(v.as_str())) {
        problems.push(Problem::differs(
            "via",
            format!("involves `{via}`"),
            "does not",
        ));
    }
    problems
}

pub(super) fn trace_problems(expect: &TraceExpect, actual: &TraceAnswer) -> Vec<Problem> {
    let mut problems = Vec::new();
    let wanted = format!("{:?}", expect.verdict);
    if wanted != actual.verdict.name() {
        problems.push(Problem::differs("verdict", wanted, actual.verdict.name()));
    }
    for name in expect.via.iter().filter(|n| !actual.passes(n)) {
        problems.push(Problem::differs(
            "via",
            format!("passes `{name}`"),
            "does not",
        ));
    }
    for name in expect.not_via.iter().filter(|n| actual.passes(n)) {
        problems.push(Problem::differs(
            "not_via",
            format!("avoids `{name}`"),
            "passes it",
        ));
    }
    if let Some(symptom) = expect
        .symptom
        .as_ref()
        .filter(|s| !actual.symptom.to_string().contains(s.as_str()))
    {
        problems.push(Problem::differs(
            "symptom",
            format!("contains `{symptom}`"),
            actual.symptom.to_string(),
        ));
    }
    if let Some(regions) = expect
        .regions
        .as_ref()
        .filter(|r| **r != actual.quality.regions)
    {
        problems.push(Problem::differs(
            "regions",
            regions.join(" -> "),
            actual.quality.regions.join(" -> "),
        ));
    }
    problems
}

fn nic_name(net: &Network, nic: NicRef) -> String {
    net.nic_name(nic).unwrap_or_default().to_string()
}

fn flow_problems(expect: &FlowVerifyExpect, actual: &FlowVerifyAnswer) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut differs = |field: &str, expected: String, actual: String| {
        problems.push(Problem::differs(field, expected, actual))
    };
    if expect.access != actual.access {
        differs(
            "access",
            expect.access.to_string(),
            actual.access.to_string(),
        );
    }
    let rule = actual.rule.as_ref();
    if let Some(n) = &expect.nsg {
        if rule.map(|r| &r.nsg) != Some(n) {
            differs(
                "nsg",
                n.clone(),
                rule.map_or("none".into(), |r| r.nsg.clone()),
            );
        }
    }
    if let Some(n) = &expect.rule {
        if rule.map(|r| &r.rule) != Some(n) {
            differs(
                "rule",
                n.clone(),
                rule.map_or("none".into(), |r| r.rule.clone()),
            );
        }
    }
    problems
}

fn place_name(net: &Network, place: Place) -> String {
    match place {
        Place::Subnet(s) => net.subnet(s).map(|s| s.name.clone()),
        Place::Workload(w) => net.workloads.get(w.0).map(|w| w.name.clone()),
    }
    .unwrap_or_default()
}

pub(super) fn describe_routes(expect: &RoutesExpect) -> String {
    let verb = match expect.mode {
        RoutesMode::Contains => "contain",
        RoutesMode::Excludes => "exclude",
        RoutesMode::Exactly => "are exactly",
    };
    format!("{verb} {} row(s)", expect.rows.len())
}

/// Whether an effective route fits an expected row (absent fields match anything).
pub fn row_matches(row: &RouteRowExpect, route: &EffectiveRoute) -> bool {
    row.prefix.is_none_or(|p| p == route.prefix)
        && row.source.is_none_or(|s| s == route.source)
        && row.state.is_none_or(|s| s == route.state)
        && row
            .next_hop
            .is_none_or(|h| h.matches(route.next_hop.next_hop_type, route.next_hop.ip))
}

/// Compares rows with routes. For `Contains` and `Exactly` each expected row takes its own
/// route (so two rows can assert two equal-cost paths), greedily in file order; with `Exactly`
/// any route left over is unexpected. With `Excludes` no row may match any route.
pub(super) fn routes_problems(expect: &RoutesExpect, actual: &[EffectiveRoute]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut used = vec![false; actual.len()];
    for row in &expect.rows {
        if expect.mode == RoutesMode::Excludes {
            if let Some(r) = actual.iter().find(|r| row_matches(row, r)) {
                problems.push(Problem::ExcludedRoutePresent {
                    expected: row.clone(),
                    actual: r.clone(),
                });
            }
            continue;
        }
        let free = actual
            .iter()
            .zip(used.iter_mut())
            .find(|(r, taken)| !**taken && row_matches(row, r));
        match free {
            Some((_, taken)) => *taken = true,
            None => problems.push(Problem::MissingRoute {
                expected: row.clone(),
            }),
        }
    }
    if expect.mode == RoutesMode::Exactly {
        for (r, taken) in actual.iter().zip(&used) {
            if !taken {
                problems.push(Problem::UnexpectedRoute { actual: r.clone() });
            }
        }
    }
    problems
}

fn next_hop_problems(expect: &NextHopExpect, actual: &NextHopAnswer) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut differs = |field: &str, expected: String, actual: String| {
        problems.push(Problem::differs(field, expected, actual))
    };
    let hop = actual.next_hop;
    let ip_ok = expect
        .next_hop
        .ip
        .is_none_or(|ip| actual.next_hop_ips.contains(&ip) || hop.ip == Some(ip));
    if expect.next_hop.next_hop_type != hop.next_hop_type || !ip_ok {
        differs("next_hop", expect.next_hop.to_string(), hop.to_string());
    }
    let route = actual.route.as_ref();
    if let Some(p) = expect.prefix {
        if route.map(|r| r.prefix) != Some(p) {
            differs(
                "prefix",
                p.to_string(),
                route.map_or("none".into(), |r| r.prefix.to_string()),
            );
        }
    }
    if let Some(s) = expect.source {
        if route.map(|r| r.source) != Some(s) {
            differs(
                "source",
                s.to_string(),
                route.map_or("none".into(), |r| r.source.to_string()),
            );
        }
    }
    if let Some(t) = &expect.route_table {
        if actual.route_table != *t {
            differs("route_table", t.clone(), actual.route_table.clone());
        }
    }
    problems
}
