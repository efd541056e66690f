//! What-if answers as text: only what changed, scenario first, variant second.

use std::fmt::Write;

use crate::analysis::whatif::{
    FlowChange, PathFacts, ResolutionChange, RouteKey, RouteRow, RoutesChange, WhatIfAnswer,
};
use crate::dns::DnsOutcome;

/// Renders a what-if answer.
pub fn what_if(a: &WhatIfAnswer) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "What if `{}` became `{}`?", a.base, a.variant);
    let _ = writeln!(
        out,
        "Compared {} flow(s), {} subnet(s)' effective routes and {} changed resolution(s).",
        a.flows_compared,
        a.subnets_compared,
        a.resolutions.len()
    );
    if a.is_empty() {
        out += "\nNothing changed.\n";
        return out;
    }
    for r in &a.routes {
        routes_change(&mut out, r);
    }
    for f in &a.flows {
        flow_change(&mut out, f);
    }
    for r in &a.resolutions {
        resolution_change(&mut out, r);
    }
    out
}

/// A fix's blast radius under its entry: one line per other flow and resolution it changes.
pub fn blast_radius(a: Option<&WhatIfAnswer>) -> String {
    let Some(a) = a else {
        return format!(
            "   blast radius: not computed, the estate has more than {} client/destination pairs\n",
            crate::analysis::whatif::BLAST_RADIUS_LIMIT
        );
    };
    if a.flows.is_empty() && a.resolutions.is_empty() {
        return format!(
            "   blast radius: no other flow or resolution changes ({} flow(s) of every client compared)\n",
            a.flows_compared
        );
    }
    let mut out = format!(
        "   blast radius: {} other flow(s) and {} resolution(s) change:\n",
        a.flows.len(),
        a.resolutions.len()
    );
    let side = |p: &Option<PathFacts>| -> String {
        p.as_ref().map_or("(client not there)".into(), |p| {
            let via = if p.stateful_devices.is_empty() {
                String::new()
            } else {
                format!(" via {}", p.stateful_devices.join(", "))
            };
            format!("{}{via} [{}]", p.verdict.name(), p.regions.join(" -> "))
        })
    };
    for f in &a.flows {
        let _ = writeln!(
            out,
            "     - {}: {} => {}",
            f.flow,
            side(&f.before),
            side(&f.after)
        );
    }
    for r in &a.resolutions {
        let answer = |o: &Option<DnsOutcome>| o.as_ref().map_or("-".into(), outcome);
        let _ = writeln!(
            out,
            "     - resolve `{}` from {}: {} => {}",
            r.name,
            r.from,
            answer(&r.before),
            answer(&r.after)
        );
    }
    out
}

/// A subnet's effective routes: added, removed, and changed in state.
pub fn routes_change(out: &mut String, r: &RoutesChange) {
    let _ = writeln!(out, "\nRoutes of {}:", r.subnet);
    for row in &r.added {
        let _ = writeln!(out, "  + {}", route_row(row));
    }
    for row in &r.removed {
        let _ = writeln!(out, "  - {}", route_row(row));
    }
    for c in &r.state_changed {
        let _ = writeln!(out, "  ~ {}: {} -> {}", route(&c.route), c.before, c.after);
    }
}

/// A flow whose verdict or path changed.
fn flow_change(out: &mut String, f: &FlowChange) {
    let _ = writeln!(out, "\nFlow {}:", f.flow);
    let side = |p: &Option<PathFacts>| -> String {
        p.as_ref()
            .map_or("(client not in this scenario)".into(), |p| {
                p.verdict.describe()
            })
    };
    let mark = if f.verdict_changed {
        "verdict changed"
    } else {
        "path changed"
    };
    let _ = writeln!(out, "  {mark}: {} -> {}", side(&f.before), side(&f.after));
    if let (Some(b), Some(v)) = (&f.before, &f.after) {
        path_facts(out, b, v);
    }
    if !f.hops_gone.is_empty() {
        let _ = writeln!(out, "  hops gone: {}", f.hops_gone.join(", "));
    }
    if !f.hops_added.is_empty() {
        let _ = writeln!(out, "  hops added: {}", f.hops_added.join(", "));
    }
}

/// What differs between a flow's two paths: resolution, hops, regions, hubs and stateful
/// devices (the hops always shown).
fn path_facts(out: &mut String, b: &PathFacts, v: &PathFacts) {
    if b.resolved != v.resolved {
        let _ = writeln!(
            out,
            "  resolves: {} -> {}",
            b.resolved.as_ref().map_or("-".into(), outcome),
            v.resolved.as_ref().map_or("-".into(), outcome)
        );
    }
    let _ = writeln!(
        out,
        "  hops: {} -> {}",
        b.hops.join(" > "),
        v.hops.join(" > ")
    );
    if b.regions != v.regions {
        let _ = writeln!(
            out,
            "  regions: {} -> {}",
            list(&b.regions),
            list(&v.regions)
        );
    }
    if b.hubs != v.hubs {
        let _ = writeln!(out, "  hubs: {} -> {}", list(&b.hubs), list(&v.hubs));
    }
    if b.stateful_devices != v.stateful_devices {
        let _ = writeln!(
            out,
            "  stateful devices: {} -> {}",
            list(&b.stateful_devices),
            list(&v.stateful_devices)
        );
    }
}

/// A name that resolves differently.
fn resolution_change(out: &mut String, r: &ResolutionChange) {
    let answer = |a: &Option<DnsOutcome>| {
        a.as_ref()
            .map_or_else(|| format!("`{}` is not in this scenario", r.from), outcome)
    };
    let _ = writeln!(
        out,
        "\nResolve `{}` from {}: {} -> {}",
        r.name,
        r.from,
        answer(&r.before),
        answer(&r.after)
    );
}

/// A route as `prefix source next-hop`.
fn route(r: &RouteKey) -> String {
    format!("{} {} {}", r.prefix, r.source, r.next_hop)
}

fn route_row(r: &RouteRow) -> String {
    format!("{} {}", route(&r.route), r.state)
}

/// A resolution's answer in one line: the addresses, or how it ended.
pub fn outcome(o: &DnsOutcome) -> String {
    match o {
        DnsOutcome::Resolved { addresses } => {
            let a: Vec<String> = addresses.iter().map(ToString::to_string).collect();
            a.join(", ")
        }
        other => format!("{other:?}"),
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}
