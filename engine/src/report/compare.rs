//! The comparison of azpath's effective routes with Azure's, as text: one line per difference.

use std::fmt::Write as _;

use crate::query::{RouteComparison, RouteDifference, RouteRow};

fn describe(r: &RouteRow) -> String {
    let mut s = format!(
        "{} {} {} {}",
        r.source,
        r.state,
        r.prefixes.join(","),
        r.next_hop_type
    );
    if !r.next_hop_ips.is_empty() {
        s.push(' ');
        s.push_str(&r.next_hop_ips.join(","));
    }
    s
}

/// Every difference on its own line, then a count.
pub fn text(c: &RouteComparison, actual_name: &str) -> String {
    let mut out = format!(
        "Effective routes of `{}` compared with {actual_name}:\n",
        c.subnet
    );
    for d in &c.differences {
        let _ = match d {
            RouteDifference::Missing { expected } => writeln!(
                out,
                "missing  {}: azpath computes this row, Azure does not show it",
                describe(expected)
            ),
            RouteDifference::Extra { actual } => writeln!(
                out,
                "extra    {}: Azure shows this row, azpath does not compute it",
                describe(actual)
            ),
            RouteDifference::Differs {
                expected,
                actual,
                fields,
            } => writeln!(
                out,
                "differs  {} {}: azpath {} / Azure {} ({} differ)",
                expected.source,
                expected.prefixes.join(","),
                describe(expected),
                describe(actual),
                fields.join(", ")
            ),
        };
    }
    let _ = writeln!(
        out,
        "{} row(s) match, {} difference(s)",
        c.matched,
        c.differences.len()
    );
    out
}
