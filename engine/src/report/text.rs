//! Text rendering for people: az-like tables and one-line reasons. No colour, no terminal
//! assumptions.

use super::reasons::{origin, why};
use crate::diag::Located;
use crate::expect::{Asked, Case, CheckReport, Client, Evidence, Outcome, Problem, SkipReason};
use crate::model::{Direction, RoutesMode, SetKind, SetPattern};
use crate::query::{
    FlowVerifyAnswer, NextHopAnswer, NsgLevel, RoutesAnswer, StageDecision, Verdict,
};
use crate::route::{EffectiveRoute, Removal};
use crate::scenario::SourceFile;

/// Lays out rows under headers with aligned columns and no trailing spaces.
/// Cells are escaped first (see [`super::terminal::one_line`]), so widths are those shown.
pub(super) fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| super::terminal::one_line(c).into_owned())
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| super::terminal::pad_end(c, *w))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let mut out = vec![
        line(headers.iter().map(|h| h.to_string()).collect()),
        line(widths.iter().map(|w| "-".repeat(*w)).collect()),
    ];
    out.extend(rows.into_iter().map(line));
    out.join("\n") + "\n"
}

fn removal(removal: &Removal) -> String {
    match removal {
        Removal::CoveredByVnetPrefix { vnet, vnet_prefix, equal, peered } => {
            let whose = if *peered { "peered vnet" } else { "vnet" };
            let how = if *equal { "equals" } else { "contains" };
            format!("the {whose} `{vnet}` prefix {vnet_prefix} {how} it")
        }
        Removal::UserDefaultRoute { table, route } => {
            format!("the user 0.0.0.0/0 `{table}/{route}` removes the reserved routes")
        }
        Removal::BgpDefaultRoute { gateway } => format!(
            "a BGP 0.0.0.0/0 from `{gateway}` removes them (assumption `bgp_default_route_removes_reserved_routes`)"
        ),
    }
}

/// Effective routes as an az-like table with the UDR name and the reason for each state.
fn route_table(routes: &[EffectiveRoute]) -> String {
    let rows: Vec<Vec<String>> = routes.iter().map(row).collect();
    let headers = [
        "Source",
        "State",
        "Address Prefix",
        "Next Hop Type",
        "Next Hop IP",
        "UDR",
        "Why",
    ];
    table(&headers, &rows)
}

fn row(r: &EffectiveRoute) -> Vec<String> {
    vec![
        r.source.to_string(),
        r.state.to_string(),
        r.prefix.to_string(),
        r.next_hop.next_hop_type.to_string(),
        r.next_hop.ip.map(|i| i.to_string()).unwrap_or_default(),
        r.route_name().unwrap_or("").to_string(),
        why(&r.why),
    ]
}

/// A subnet's effective routes as an az-like table, with each route's reason and the routes
/// Azure removed.
pub fn routes(answer: &RoutesAnswer) -> String {
    let table_name = answer.route_table.as_deref().map_or_else(
        || "no route table".to_string(),
        |t| format!("route table `{t}`"),
    );
    let mut out = format!(
        "Effective routes of subnet `{}` ({table_name})\n\n",
        answer.subnet
    );
    out += &route_table(&answer.routes);
    if !answer.removed.is_empty() {
        out += "\nRemoved by Azure (not shown in the table):\n";
        for r in &answer.removed {
            out += &format!(
                "  {} {}: {}\n",
                r.route.prefix,
                r.route.next_hop.next_hop_type,
                removal(&r.why)
            );
        }
    }
    out
}

/// A next-hop answer: the decision, then every covering route and its fate.
pub fn next_hop(answer: &NextHopAnswer) -> String {
    let mut out = format!(
        "Next hop from `{}` to {}: {}\n",
        answer.subnet, answer.destination, answer.next_hop
    );
    match &answer.route {
        Some(r) => {
            out += &format!(
                "  by route {} ({}, {}) from {}\n",
                r.prefix,
                r.source,
                answer.route_table,
                origin(&r.origin)
            );
            if answer.next_hop_ips.len() > 1 {
                let ips: Vec<String> = answer
                    .next_hop_ips
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                out += &format!("  equal-cost next hops: {}\n", ips.join(", "));
            }
        }
        None => out += "  no Active route matches: the packet is dropped\n",
    }
    out += &format!(
        "\nRoutes covering {}, longest prefix first:\n",
        answer.destination
    );
    let rows: Vec<Vec<String>> = answer
        .candidates
        .iter()
        .map(|c| {
            let r = &c.route;
            let (verdict, reason) = match &c.verdict {
                Verdict::Selected => ("selected", why(&r.why)),
                Verdict::ShorterPrefix { than } => (
                    "lost",
                    format!(
                        "/{} loses to the longer {than} (longest prefix match)",
                        r.prefix.prefix_len()
                    ),
                ),
                Verdict::Invalid => ("invalid", why(&r.why)),
            };
            vec![
                verdict.to_string(),
                r.prefix.to_string(),
                r.source.to_string(),
                r.next_hop.to_string(),
                origin(&r.origin),
                reason,
            ]
        })
        .collect();
    out += &table(
        &["Verdict", "Prefix", "Source", "Next Hop", "From", "Why"],
        &rows,
    );
    out
}

/// A flow-verify answer: the outcome, then each NSG level in evaluation order.
pub fn flow_verify(answer: &FlowVerifyAnswer) -> String {
    let f = &answer.flow;
    let mut out = format!(
        "{} {:?} {}:{} -> {}:{} at `{}` ({}): {}\n",
        answer.direction,
        f.protocol,
        f.src,
        f.src_port,
        f.dst,
        f.dst_port,
        answer.nic,
        answer.subnet,
        answer.access
    );
    if let Some(admin) = &answer.admin {
        out.push_str(&format!("  {}\n", super::admin::admin_decision(admin)));
    }
    for (i, stage) in answer.stages.iter().enumerate() {
        let level = match stage.level {
            NsgLevel::Nic => "NIC",
            NsgLevel::Subnet => "subnet",
        };
        let what = match &stage.decision {
            StageDecision::NoNsg => format!("{level}: no NSG, allowed at this level"),
            StageDecision::Matched(m) => {
                let default = if m.default_rule { " (default rule)" } else { "" };
                let note = m
                    .note
                    .as_ref()
                    .map(|n| format!(" ({})", super::reasons::match_note(n)))
                    .unwrap_or_default();
                format!("{level} NSG `{}`: rule `{}` priority {}{default}: {}{note}", m.nsg, m.rule, m.priority, m.access)
            }
            StageDecision::NotEvaluated { nsg } => {
                let why = match &answer.admin {
                    Some(a) if !a.consults_nsgs() => "a security admin rule decided",
                    _ => "the flow was already denied",
                };
                format!("{level} NSG `{nsg}`: not evaluated, {why}")
            }
            StageDecision::IgnoredForPrivateEndpoint { nsg, policies } => format!(
                "{level} NSG `{nsg}`: does not apply to the private endpoint (network policies {policies:?} leave NSGs out)"
            ),
            StageDecision::PlatformExempt { nsg, service } => format!(
                "{level} NSG `{nsg}`: does not apply to platform traffic to {} (no rule names its AzurePlatform tag)",
                super::reasons::platform_service(*service)
            ),
        };
        out += &format!("  {}. {what}\n", i + 1);
    }
    out
}

/// A check report: one line per question, the differences under a failure, no summary (the
/// caller adds it across files).
pub fn check(report: &CheckReport, file: &SourceFile) -> String {
    let mut out = String::new();
    for r in &report.results {
        let (line, _) = file.line_col(r.span.start);
        let at = format!("{}:{line}", file.name_at(r.span.start));
        match &r.outcome {
            Outcome::Pass => out += &format!("pass  {at}: {}\n", asked(&r.question)),
            Outcome::Skipped { reason } => {
                out += &format!(
                    "skip  {at}: {} ({})\n",
                    asked(&r.question),
                    skip_reason(*reason)
                )
            }
            Outcome::Fail { problems } => {
                out += &format!("FAIL  {at}: {}\n", asked(&r.question));
                for p in problems {
                    out += &format!("        {}\n", problem(p));
                }
                if let Some(e) = &r.evidence {
                    out += &evidence(e);
                }
            }
        }
    }
    out
}

/// A question in one line: what is asked and the answer it expects.
pub fn asked(q: &Asked) -> String {
    match q {
        Asked::Routes { at, mode, rows } => {
            format!("routes at `{at}` {}", rows_expected(*mode, *rows))
        }
        Asked::NextHop { from, to, next_hop } => {
            format!("next hop from `{from}` to {to} is {next_hop}")
        }
        Asked::FlowVerify {
            at,
            direction,
            protocol,
            remote,
            port,
            access,
        } => {
            let way = match direction {
                Direction::Inbound => "from",
                Direction::Outbound => "to",
            };
            format!("{direction} {protocol:?} {way} {remote} port {port} at `{at}` is {access}")
        }
        Asked::Resolve {
            client,
            name,
            outcome,
        } => format!("`{client}` resolves `{name}`: {outcome:?}"),
        Asked::Trace {
            from,
            to,
            protocol,
            port,
            flow,
            verdict,
        } => {
            let from = match from {
                Client::Workload { name } => name.clone(),
                Client::Internet { address } => format!("Internet client {address}"),
                Client::Site { name, address } => format!("{name}:{address}"),
            };
            let flow = super::established::flow_state(*flow);
            format!("trace {protocol:?}{flow} from `{from}` to {to} port {port} is {verdict:?}")
        }
        Asked::ForAllTraces {
            from,
            to,
            protocol,
            port,
            verdict,
            cases,
        } => format!(
            "for all traces {protocol:?} port {port} from {} to {}: {verdict:?} ({cases} case(s))",
            set(from),
            set(to)
        ),
        Asked::ForAllRoutes {
            at,
            mode,
            rows,
            cases,
        } => format!(
            "for {}, routes {} ({cases} case(s))",
            set(at),
            rows_expected(*mode, *rows)
        ),
    }
}

/// A question as a quiz asks it: what is asked, without the answer the scenario expects (which
/// [`asked`] includes).
pub fn asked_open(q: &Asked) -> String {
    match q {
        Asked::Routes { at, .. } => format!("Which effective routes does `{at}` have?"),
        Asked::NextHop { from, to, .. } => format!("What is the next hop from `{from}` to {to}?"),
        Asked::FlowVerify {
            at,
            direction,
            protocol,
            remote,
            port,
            ..
        } => {
            let way = match direction {
                Direction::Inbound => "from",
                Direction::Outbound => "to",
            };
            format!(
                "Do the NSGs at `{at}` allow {direction} {protocol:?} {way} {remote} port {port}?"
            )
        }
        Asked::Resolve { client, name, .. } => {
            format!("What does `{client}` get when it resolves `{name}`?")
        }
        Asked::Trace {
            from,
            to,
            protocol,
            port,
            flow,
            ..
        } => {
            let flow = super::established::flow_state(*flow);
            let from = match from {
                Client::Workload { name } => format!("`{name}`"),
                Client::Internet { address } => format!("an Internet client at {address}"),
                Client::Site { name, address } => {
                    format!("on-premises site `{name}` at {address}")
                }
            };
            format!("{protocol:?}{flow} from {from} to {to} port {port}: how does it end?")
        }
        Asked::ForAllTraces {
            from,
            to,
            protocol,
            port,
            cases,
            ..
        } => format!(
            "{protocol:?} port {port} from {} to {} ({cases} case(s)): how does every one end?",
            set(from),
            set(to)
        ),
        Asked::ForAllRoutes { at, cases, .. } => {
            format!("Which routes do {} have ({cases} case(s))?", set(at))
        }
    }
}

fn rows_expected(mode: RoutesMode, rows: usize) -> String {
    let verb = match mode {
        RoutesMode::Contains => "contain",
        RoutesMode::Excludes => "exclude",
        RoutesMode::Exactly => "are exactly",
    };
    format!("{verb} {rows} row(s)")
}

/// A set of an estate-wide question in words: `every workload in vnet `spoke``.
fn set(pattern: &SetPattern) -> String {
    let what = match pattern.kind {
        SetKind::Workloads => "every workload",
        SetKind::Subnets => "every subnet",
        SetKind::PrivateEndpoints => "every private endpoint",
        SetKind::Services => "every service",
    };
    let mut out = what.to_string();
    if let Some(v) = &pattern.vnet {
        out += &format!(" in vnet `{v}`");
    }
    if let Some(n) = &pattern.name {
        out += &format!(" named `{n}`");
    }
    out
}

/// Why a question was not evaluated, in words.
pub(crate) fn skip_reason(reason: SkipReason) -> &'static str {
    match reason {
        SkipReason::NoAnswerForPlace => "no answer for this place",
    }
}

/// One case of an estate-wide question: `a` -> `b`, or a subnet.
fn case_name(case: &Case) -> String {
    match case {
        Case::Pair { from, to } => format!("`{from}` -> `{to}`"),
        Case::Subnet { subnet } => format!("`{subnet}`"),
    }
}

/// `field: expected …, got …`.
fn differs(
    field: &str,
    expected: impl std::fmt::Display,
    actual: impl std::fmt::Display,
) -> String {
    format!("{field}: expected {expected}, got {actual}")
}

fn or_none(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "none".into())
}

fn addresses(list: &[std::net::IpAddr]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn problem(p: &Problem) -> String {
    let hop =
        |h: &Option<crate::model::NextHopSpec>| h.map(|h| format!(" {h}")).unwrap_or_default();
    let opt = |s: Option<String>| s.map(|s| format!(" {s}")).unwrap_or_default();
    match p {
        Problem::MissingRoute { expected: e } => format!(
            "missing route: {}{}{}{}",
            e.prefix.map_or("any prefix".to_string(), |p| p.to_string()),
            opt(e.source.map(|s| s.to_string())),
            opt(e.state.map(|s| s.to_string())),
            hop(&e.next_hop)
        ),
        Problem::ExcludedRoutePresent { expected, actual } => format!(
            "route {} should be absent, found {} {} {} {}",
            expected
                .prefix
                .map_or("(any prefix)".to_string(), |p| p.to_string()),
            actual.prefix,
            actual.source,
            actual.state,
            actual.next_hop
        ),
        Problem::UnexpectedRoute { actual } => format!(
            "unexpected route: {} {} {} {}",
            actual.prefix, actual.source, actual.state, actual.next_hop
        ),
        Problem::MissingHubRoute { expected } => {
            format!(
                "missing hub route: {}",
                super::hub_rows::expected_row(expected)
            )
        }
        Problem::ExcludedHubRoutePresent { expected, actual } => format!(
            "hub route {} should be absent, found {}",
            super::hub_rows::expected_row(expected),
            super::hub_rows::actual_row(actual)
        ),
        Problem::UnexpectedHubRoute { actual } => format!(
            "unexpected hub route: {}",
            super::hub_rows::actual_row(actual)
        ),
        Problem::Verdict { expected, actual } => {
            differs("verdict", format!("{expected:?}"), format!("{actual:?}"))
        }
        Problem::MissesVia { name } => differs("via", format!("passes `{name}`"), "does not"),
        Problem::PassesNotVia { name } => {
            differs("not_via", format!("avoids `{name}`"), "passes it")
        }
        Problem::Symptom { expected, actual } => {
            differs("symptom", format!("{expected:?}"), format!("{actual:?}"))
        }
        Problem::SourceSeen { expected, actual } => differs(
            "source_seen",
            expected.to_string(),
            actual.map_or("an unknown address".to_string(), |a| a.to_string()),
        ),
        Problem::Regions { expected, actual } => {
            differs("regions", expected.join(" -> "), actual.join(" -> "))
        }
        Problem::ResolveOutcome { expected, actual } => {
            differs("outcome", format!("{expected:?}"), format!("{actual:?}"))
        }
        Problem::Addresses { expected, actual } => {
            differs("addresses", addresses(expected), addresses(actual))
        }
        Problem::MissesDnsVia { name } => differs("via", format!("involves `{name}`"), "does not"),
        Problem::Access { expected, actual } => differs("access", expected, actual),
        Problem::DecidingNsg { expected, actual } => differs("nsg", expected, or_none(actual)),
        Problem::DecidingRule { expected, actual } => differs("rule", expected, or_none(actual)),
        Problem::NextHop { expected, actual } => differs("next_hop", expected, actual),
        Problem::RoutePrefix { expected, actual } => {
            differs("prefix", expected, or_none(&actual.map(|p| p.to_string())))
        }
        Problem::RouteSource { expected, actual } => {
            differs("source", expected, or_none(&actual.map(|s| s.to_string())))
        }
        Problem::RouteTable { expected, actual } => differs("route_table", expected, actual),
        Problem::Counterexample { case, problems } => {
            let each: Vec<String> = problems.iter().map(problem).collect();
            format!("counterexample {}: {}", case_name(case), each.join("; "))
        }
    }
}

/// The answer a question was checked against, as text (indented under its question).
pub fn evidence(e: &Evidence) -> String {
    let indent = |s: String| {
        s.lines()
            .map(|l| format!("        {l}\n"))
            .collect::<String>()
    };
    match e {
        Evidence::Routes(a) => indent(format!(
            "actual effective routes of `{}`:\n{}",
            a.subnet,
            route_table(&a.routes)
        )),
        Evidence::HubRoutes(a) => indent(super::hub_rows::routes(a)),
        Evidence::NextHop(a) => indent(next_hop(a)),
        Evidence::FlowVerify(a) => indent(flow_verify(a)),
        Evidence::Trace(a) => indent(super::narrative::trace(a)),
        Evidence::Resolve(a) => indent(resolution(a)),
        Evidence::Counterexamples {
            checked,
            failed,
            shown,
        } => {
            let mut out = indent(format!(
                "{failed} of {checked} case(s) fail; the first {}:",
                shown.len()
            ));
            for (case, e) in shown {
                out += &indent(format!("{}:", case_name(case)));
                out += &indent(evidence(e));
            }
            out
        }
    }
}

/// A resolution: who asked, each step, the outcome.
pub fn resolution(r: &crate::dns::Resolution) -> String {
    let mut out = format!("`{}` resolves `{}`:\n", r.client, r.name);
    super::narrative::resolution_steps(&mut out, r);
    out
}

/// Diagnostics, one per line.
pub fn diagnostics(diags: &[Located]) -> String {
    diags.iter().map(|d| format!("{d}\n")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_line_break_in_a_cell_cannot_start_a_new_row() {
        let rows = vec![vec!["a\nUser  Active".to_string(), "x".into()]];
        let out = super::table(&["NAME", "V"], &rows);
        assert_eq!(out.lines().count(), 3, "{out}");
        assert!(out.contains("a\\nUser  Active  x"), "{out}");
    }

    #[test]
    fn a_cell_of_seventy_thousand_characters_is_laid_out_without_panicking() {
        let long = "n".repeat(70_000);
        let rows = vec![vec![long.clone(), "x".into()], vec!["a".into(), "y".into()]];
        let out = super::table(&["NAME", "V"], &rows);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.first().map(|l| l.len()), Some(70_000 + 2 + 1));
        assert_eq!(lines.get(2), Some(&format!("{long}  x").as_str()));
        assert_eq!(lines.get(3).map(|l| l.len()), Some(70_000 + 2 + 1));
    }
}
