//! `azpath compare` as text: each flow's verdict, resolution, path, regions and stateful
//! devices on both sides, the ones that differ first and in full, then the ones that agree in a
//! line each.

use std::fmt::Write;

use super::whatif::{outcome, routes_change};
use crate::analysis::side_by_side::{Aspect, Comparison, FlowRow};
use crate::analysis::whatif::PathFacts;
use crate::dns::DnsOutcome;

fn list(items: &[String], sep: &str) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(sep)
    }
}

fn resolved(r: Option<&DnsOutcome>) -> String {
    r.map_or("(an address)".into(), outcome)
}

fn aspect(a: Aspect) -> &'static str {
    match a {
        Aspect::Client => "client",
        Aspect::Verdict => "verdict",
        Aspect::Resolution => "resolution",
        Aspect::Path => "path",
        Aspect::Regions => "regions",
        Aspect::Hubs => "hubs",
        Aspect::StatefulDevices => "stateful devices",
    }
}

/// One line of a side's facts, for a row where the sides agree.
fn summary(p: &PathFacts) -> String {
    let via = if p.stateful_devices.is_empty() {
        String::new()
    } else {
        format!(" via {}", p.stateful_devices.join(", "))
    };
    format!(
        "{}{via} [{}], {} hop(s)",
        p.verdict.name(),
        list(&p.regions, " -> "),
        p.hops.len()
    )
}

fn differing(out: &mut String, r: &FlowRow) {
    if r.a_flow == r.b_flow {
        let _ = writeln!(out, "\n{}", r.a_flow);
    } else {
        let _ = writeln!(out, "\nA: {}\nB: {}", r.a_flow, r.b_flow);
    }
    let names: Vec<&str> = r.differences.iter().map(|a| aspect(*a)).collect();
    let _ = writeln!(out, "  differs in: {}", names.join(", "));
    let (Some(a), Some(b)) = (&r.a, &r.b) else {
        let side = |p: &Option<PathFacts>| {
            p.as_ref()
                .map_or("(client not in this scenario)".into(), summary)
        };
        let _ = writeln!(out, "  A: {}\n  B: {}", side(&r.a), side(&r.b));
        return;
    };
    let lines = [
        ("verdict", a.verdict.describe(), b.verdict.describe()),
        (
            "resolves",
            resolved(a.resolved.as_ref()),
            resolved(b.resolved.as_ref()),
        ),
        ("path", list(&a.hops, " > "), list(&b.hops, " > ")),
        (
            "regions",
            list(&a.regions, " -> "),
            list(&b.regions, " -> "),
        ),
        ("hubs", list(&a.hubs, ", "), list(&b.hubs, ", ")),
        (
            "stateful",
            list(&a.stateful_devices, ", "),
            list(&b.stateful_devices, ", "),
        ),
    ];
    for (what, x, y) in lines {
        let mark = if x == y { " " } else { "*" };
        let _ = writeln!(out, "  {mark} {what:<9} A: {x}");
        let _ = writeln!(out, "    {:<9} B: {y}", "");
    }
}

/// Renders a comparison.
pub fn comparison(c: &Comparison) -> String {
    let mut out = String::new();
    if c.a == c.b {
        let _ = writeln!(out, "Compare two flows of `{}`", c.a);
    } else {
        let _ = writeln!(out, "Compare A `{}` with B `{}`", c.a, c.b);
    }
    let _ = writeln!(
        out,
        "{} of {} flow(s) differ, {} of {} resolution(s) differ, {} subnet(s)' effective routes differ{}.",
        c.flows_differing,
        c.flows.len(),
        c.resolutions_differing,
        c.resolutions.len(),
        c.routes.len(),
        if c.estate_left_out {
            " (the estate is too large: only the questions' flows were compared)"
        } else {
            ""
        }
    );
    for r in c.flows.iter().filter(|r| !r.differences.is_empty()) {
        differing(&mut out, r);
    }
    for r in c.resolutions.iter().filter(|r| r.differs) {
        let side = |o: &Option<DnsOutcome>| {
            o.as_ref()
                .map_or_else(|| format!("`{}` is not in this scenario", r.from), outcome)
        };
        let _ = writeln!(
            out,
            "\nResolve `{}` from {}:\n  A: {}\n  B: {}",
            r.name,
            r.from,
            side(&r.a),
            side(&r.b)
        );
    }
    for r in &c.routes {
        routes_change(&mut out, r);
    }
    let same: Vec<&FlowRow> = c
        .flows
        .iter()
        .filter(|r| r.differences.is_empty())
        .collect();
    if !same.is_empty() {
        let _ = writeln!(out, "\nThe same on both sides ({}):", same.len());
        for r in same {
            let facts = r.a.as_ref().map_or("(client in neither)".into(), summary);
            let _ = writeln!(out, "  {}: {facts}", r.a_flow);
        }
    }
    if c.agrees() {
        out += "\nThe two sides agree on everything compared.\n";
    }
    out
}
