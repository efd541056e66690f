//! Each question asked and its answer compared with the expectation.

use std::net::IpAddr;

use super::answer::{Asked, Evidence, Outcome, Problem, QuestionResult, SkipReason};
use super::verdict::verdict_name;
use crate::dns::{DnsOutcome, Resolution};
use crate::model::{
    DnsPoint, FlowVerifyExpect, Network, NextHopExpect, NicRef, PathPoint, Place, ResolveExpect,
    RouteRowExpect, RouteTableRef, RoutesExpect, RoutesMode, TraceExpect, VnetId,
};
use crate::query::{FlowVerifyAnswer, NextHopAnswer};
use crate::route::EffectiveRoute;
use crate::scenario::{ResolveOutcomeName, Span};
use crate::trace::TraceAnswer;

/// A result from the differences found; `None` when there was no answer to compare (a place
/// that resolved but has no compiled table, which validation rules out).
pub(super) fn result(
    question: Asked,
    span: Span,
    problems: Option<Vec<Problem>>,
    evidence: Option<Evidence>,
) -> QuestionResult {
    let outcome = match problems {
        Some(p) if p.is_empty() => Outcome::Pass,
        Some(problems) => Outcome::Fail { problems },
        None => Outcome::Skipped {
            reason: SkipReason::NoAnswerForPlace,
        },
    };
    QuestionResult {
        question,
        span,
        outcome,
        evidence,
    }
}

/// The kind of a resolution's outcome, in the scenario's vocabulary, with its addresses.
pub(super) fn resolve_outcome(outcome: &DnsOutcome) -> (ResolveOutcomeName, Vec<IpAddr>) {
    match outcome {
        DnsOutcome::Resolved { addresses } => (ResolveOutcomeName::Resolved, addresses.clone()),
        DnsOutcome::NxDomain => (ResolveOutcomeName::NxDomain, Vec::new()),
        DnsOutcome::Loop => (ResolveOutcomeName::Loop, Vec::new()),
        DnsOutcome::NoServer { .. } => (ResolveOutcomeName::NoServer, Vec::new()),
        DnsOutcome::DnsProxyDisabled { .. } => (ResolveOutcomeName::DnsProxyDisabled, Vec::new()),
    }
}

pub(super) fn resolve_problems(
    net: &Network,
    expect: &ResolveExpect,
    actual: &Resolution,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let (outcome, addresses) = resolve_outcome(&actual.outcome);
    if outcome != expect.outcome {
        problems.push(Problem::ResolveOutcome {
            expected: expect.outcome,
            actual: outcome,
        });
    }
    if let Some(expected) = expect.addresses.as_ref().filter(|e| **e != addresses) {
        problems.push(Problem::Addresses {
            expected: expected.clone(),
            actual: addresses,
        });
    }
    for via in expect.via.iter().filter(|v| !actual.passed.contains(v)) {
        problems.push(Problem::MissesDnsVia {
            name: dns_point_name(net, *via),
        });
    }
    problems
}

pub(super) fn dns_point_name(net: &Network, point: DnsPoint) -> String {
    let dns = &net.dns;
    match point {
        DnsPoint::Zone(z) => dns.zones.get(z).map(|x| x.label()),
        DnsPoint::Forwarder(f) => dns.forwarders.get(f.0).map(|x| x.name.clone()),
        DnsPoint::InboundEndpoint(e) => dns.inbound_endpoints.get(e.0).map(|x| x.name.clone()),
        DnsPoint::Ruleset(r) => dns.rulesets.get(r.0).map(|x| x.name.clone()),
        DnsPoint::Firewall(f) => net.firewalls.get(f).map(|x| x.name.to_string()),
    }
    .unwrap_or_default()
}

/// The VNet a NIC is in (a hub router: its hub's VNet).
pub(super) fn vnet_of(net: &Network, nic: NicRef) -> Option<VnetId> {
    let subnet = match nic {
        NicRef::Workload(w) => net.workloads.get(w)?.subnet,
        NicRef::PrivateEndpoint(p) => net.private_endpoints.get(p)?.subnet,
        NicRef::Firewall(f) => net.firewalls.get(f)?.subnet,
        NicRef::HubRouter(h) => return net.hub(h).map(|h| h.vnet),
        NicRef::Gateway(g) => return net.gateways.get(g).map(|g| g.vnet),
        NicRef::LoadBalancer(l) => net.load_balancer(l)?.frontend_subnet?,
    };
    net.subnet(subnet).map(|s| s.vnet)
}

/// Whether the request or the reply passes `point`: a hop at that NIC, or at a NIC in that
/// VNet or hub.
pub(super) fn passes(net: &Network, answer: &TraceAnswer, point: PathPoint) -> bool {
    answer
        .forward
        .iter()
        .chain(&answer.reply)
        .filter_map(|h| h.at)
        .any(|nic| match point {
            PathPoint::Nic(n) => nic == n,
            PathPoint::Vnet(v) => vnet_of(net, nic) == Some(v),
        })
}

pub(super) fn path_point_name(net: &Network, point: PathPoint) -> String {
    match point {
        PathPoint::Nic(n) => net.nic_name(n).map(str::to_string),
        PathPoint::Vnet(v) => net.vnet(v).map(|v| v.name.clone()),
    }
    .unwrap_or_default()
}

pub(super) fn trace_problems(
    net: &Network,
    expect: &TraceExpect,
    actual: &TraceAnswer,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let verdict = verdict_name(&actual.verdict);
    if verdict != expect.verdict {
        problems.push(Problem::Verdict {
            expected: expect.verdict,
            actual: verdict,
        });
    }
    for point in expect.via.iter().filter(|p| !passes(net, actual, **p)) {
        problems.push(Problem::MissesVia {
            name: path_point_name(net, *point),
        });
    }
    for point in expect.not_via.iter().filter(|p| passes(net, actual, **p)) {
        problems.push(Problem::PassesNotVia {
            name: path_point_name(net, *point),
        });
    }
    if let Some(expected) = expect.symptom {
        let kind = actual.symptom.kind();
        if kind != expected {
            problems.push(Problem::Symptom {
                expected,
                actual: kind,
            });
        }
    }
    if let Some(regions) = expect.regions.as_ref().filter(|r| {
        !r.iter()
            .map(String::as_str)
            .eq(actual.quality.regions.iter().map(|n| n.as_str()))
    }) {
        problems.push(Problem::Regions {
            expected: regions.clone(),
            actual: actual
                .quality
                .regions
                .iter()
                .map(ToString::to_string)
                .collect(),
        });
    }
    if let Some(expected) = expect.source_seen {
        let seen = actual.source_seen.as_ref().and_then(|s| s.address);
        if seen != Some(expected) {
            problems.push(Problem::SourceSeen {
                expected,
                actual: seen,
            });
        }
    }
    problems
}

pub(super) fn nic_name(net: &Network, nic: NicRef) -> String {
    net.nic_name(nic).unwrap_or_default().to_string()
}

pub(super) fn flow_problems(
    net: &Network,
    expect: &FlowVerifyExpect,
    actual: &FlowVerifyAnswer,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    if expect.access != actual.access {
        problems.push(Problem::Access {
            expected: expect.access,
            actual: actual.access,
        });
    }
    let rule = actual.rule.as_ref();
    let nsg = expect.nsg.and_then(|n| net.nsg(n)).map(|n| n.name.as_str());
    if let Some(n) = nsg.filter(|n| rule.map(|r| r.nsg.as_str()) != Some(*n)) {
        problems.push(Problem::DecidingNsg {
            expected: n.to_string(),
            actual: rule.map(|r| r.nsg.to_string()),
        });
    }
    if let Some(n) = expect
        .rule
        .as_ref()
        .filter(|n| rule.map(|r| r.rule.as_str()) != Some(n.as_str()))
    {
        problems.push(Problem::DecidingRule {
            expected: n.clone(),
            actual: rule.map(|r| r.rule.to_string()),
        });
    }
    problems
}

pub(super) fn place_name(net: &Network, place: Place) -> String {
    match place {
        Place::Subnet(s) => net.subnet(s).map(|s| s.name.clone()),
        Place::Workload(w) => net.workloads.get(w).map(|w| w.name.clone()),
    }
    .unwrap_or_default()
}

/// Whether an effective route fits an expected row (fields not written are not checked).
pub fn row_matches(row: &RouteRowExpect, route: &EffectiveRoute) -> bool {
    row.prefix.is_none_or(|p| p == route.prefix)
        && row.source.is_none_or(|s| s == route.source)
        && row.state.is_none_or(|s| s == route.state)
        && row
            .next_hop
            .is_none_or(|h| h.matches(route.next_hop.next_hop_type, route.next_hop.ip))
}

/// How expected rows and listed routes disagree, whatever the table.
pub(super) enum RowMismatch<'a, R, A> {
    /// `Excludes`: the row matches this route.
    Present(&'a R, &'a A),
    /// No route is left for the row.
    Missing(&'a R),
    /// `Exactly`: no row took this route.
    Unexpected(&'a A),
}

/// Compares rows with routes. For `Contains` and `Exactly` each expected row takes its own
/// route (so two rows can assert two equal-cost paths), greedily in file order; with `Exactly`
/// any route left over is unexpected. With `Excludes` no row may match any route. Subnet and
/// hub tables share it, each with its own row match.
pub(super) fn compare_rows<'a, R, A>(
    mode: RoutesMode,
    rows: &'a [R],
    actual: &'a [A],
    matches: impl Fn(&R, &A) -> bool,
) -> Vec<RowMismatch<'a, R, A>> {
    let mut out = Vec::new();
    let mut used = vec![false; actual.len()];
    for row in rows {
        if mode == RoutesMode::Excludes {
            if let Some(r) = actual.iter().find(|r| matches(row, r)) {
                out.push(RowMismatch::Present(row, r));
            }
            continue;
        }
        let free = actual
            .iter()
            .zip(used.iter_mut())
            .find(|(r, taken)| !**taken && matches(row, r));
        match free {
            Some((_, taken)) => *taken = true,
            None => out.push(RowMismatch::Missing(row)),
        }
    }
    if mode == RoutesMode::Exactly {
        for (r, taken) in actual.iter().zip(&used) {
            if !taken {
                out.push(RowMismatch::Unexpected(r));
            }
        }
    }
    out
}

/// A subnet's rows compared with its effective routes ([`compare_rows`]).
pub(super) fn routes_problems(expect: &RoutesExpect, actual: &[EffectiveRoute]) -> Vec<Problem> {
    compare_rows(expect.mode, &expect.rows, actual, row_matches)
        .into_iter()
        .map(|m| match m {
            RowMismatch::Present(row, r) => Problem::ExcludedRoutePresent {
                expected: row.clone(),
                actual: r.clone(),
            },
            RowMismatch::Missing(row) => Problem::MissingRoute {
                expected: row.clone(),
            },
            RowMismatch::Unexpected(r) => Problem::UnexpectedRoute { actual: r.clone() },
        })
        .collect()
}

/// The name Azure prints for a winning route's table.
pub(super) fn route_table_name(net: &Network, table: RouteTableRef) -> String {
    match table {
        RouteTableRef::System => crate::model::SYSTEM_ROUTE.to_string(),
        RouteTableRef::Table(t) => net
            .route_table(t)
            .map(|t| t.name.clone())
            .unwrap_or_default(),
    }
}

pub(super) fn next_hop_problems(
    net: &Network,
    expect: &NextHopExpect,
    actual: &NextHopAnswer,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let hop = actual.next_hop;
    let ip_ok = expect
        .next_hop
        .ip
        .is_none_or(|ip| actual.next_hop_ips.contains(&ip) || hop.ip == Some(ip));
    if expect.next_hop.next_hop_type != hop.next_hop_type || !ip_ok {
        problems.push(Problem::NextHop {
            expected: expect.next_hop,
            actual: hop,
        });
    }
    let route = actual.route.as_ref();
    if let Some(p) = expect
        .prefix
        .filter(|p| route.map(|r| r.prefix) != Some(*p))
    {
        problems.push(Problem::RoutePrefix {
            expected: p,
            actual: route.map(|r| r.prefix),
        });
    }
    if let Some(s) = expect
        .source
        .filter(|s| route.map(|r| r.source) != Some(*s))
    {
        problems.push(Problem::RouteSource {
            expected: s,
            actual: route.map(|r| r.source),
        });
    }
    if let Some(t) = expect.route_table {
        let expected = route_table_name(net, t);
        if actual.route_table != expected {
            problems.push(Problem::RouteTable {
                expected,
                actual: actual.route_table.to_string(),
            });
        }
    }
    problems
}
