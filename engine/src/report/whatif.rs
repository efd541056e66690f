//! What-if answers as text: only what changed, scenario first, variant second.

use std::fmt::Write;

use crate::analysis::whatif::{PathFacts, WhatIfAnswer};

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
        let _ = writeln!(out, "\nRoutes of {}:", r.subnet);
        for row in &r.added {
            let _ = writeln!(out, "  + {row}");
        }
        for row in &r.removed {
            let _ = writeln!(out, "  - {row}");
        }
        for row in &r.state_changed {
            let _ = writeln!(out, "  ~ {row}");
        }
    }
    for f in &a.flows {
        let _ = writeln!(out, "\nFlow {}:", f.flow);
        let side = |p: &Option<PathFacts>| -> String {
            p.as_ref()
                .map_or("(client not in this scenario)".into(), |p| {
                    p.verdict.clone()
                })
        };
        let mark = if f.verdict_changed {
            "verdict changed"
        } else {
            "path changed"
        };
        let _ = writeln!(out, "  {mark}: {} -> {}", side(&f.before), side(&f.after));
        if let (Some(b), Some(v)) = (&f.before, &f.after) {
            if b.resolved != v.resolved {
                let _ = writeln!(
                    out,
                    "  resolves: {} -> {}",
                    b.resolved.as_deref().unwrap_or("-"),
                    v.resolved.as_deref().unwrap_or("-")
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
        if !f.hops_gone.is_empty() {
            let _ = writeln!(out, "  hops gone: {}", f.hops_gone.join(", "));
        }
        if !f.hops_added.is_empty() {
            let _ = writeln!(out, "  hops added: {}", f.hops_added.join(", "));
        }
    }
    for r in &a.resolutions {
        let _ = writeln!(
            out,
            "\nResolve `{}` from {}: {} -> {}",
            r.name, r.from, r.before, r.after
        );
    }
    out
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}
