//! `trace --permit-all` in words: the rules that would block the flow, then the path with them
//! lifted.

use std::fmt::Write;

use crate::analysis::permit::{Blocker, PermitAll, PERMIT_RULE};

/// One blocker as a line.
pub fn blocker(b: &Blocker) -> String {
    match b {
        Blocker::Nsg {
            nsg,
            rule,
            direction,
            nic,
        } => format!("NSG `{nsg}` rule `{rule}` ({direction:?}, at `{nic}`)"),
        Blocker::Firewall {
            firewall,
            rule: Some(r),
        } => format!(
            "firewall `{firewall}` rule `{}` (collection `{}`, group `{}`)",
            r.rule, r.collection, r.group
        ),
        Blocker::Firewall {
            firewall,
            rule: None,
        } => format!("firewall `{firewall}` default deny (no rule allows the flow)"),
    }
}

/// The whole answer: blockers, whether routing alone delivers, then the lifted trace.
pub fn permit_all(p: &PermitAll) -> String {
    let mut out = String::new();
    if p.blockers.is_empty() {
        out.push_str("No NSG or firewall rule blocks this flow.\n");
    } else {
        let _ = writeln!(
            out,
            "Rules that block this flow ({}), in path order; each must change:",
            p.blockers.len()
        );
        for (i, b) in p.blockers.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}", i + 1, blocker(b));
        }
    }
    let _ = writeln!(
        out,
        "{}",
        if p.routing_delivers {
            "Routing alone delivers it: with those rules allowing it, the flow gets through."
        } else {
            "Routing alone does not deliver it: with every NSG and firewall allowing it, it still ends as below."
        }
    );
    let _ = writeln!(
        out,
        "\nThe path with every blocking rule lifted (shown as `{PERMIT_RULE}`):"
    );
    out.push_str(&super::narrative::trace(&p.trace));
    out
}
