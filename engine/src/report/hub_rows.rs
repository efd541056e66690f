//! Hub route rows in a line each, for check results (expected rows and the routes found).

use crate::model::{HubHopType, HubRowExpect};
use crate::query::{HubEffectiveRoute, HubRoutesAnswer};

/// The `nextHopType` string Azure prints for a type a scenario names.
fn hop_name(t: HubHopType) -> &'static str {
    HubHopType::ALL
        .iter()
        .find(|(_, x)| *x == t)
        .map_or("?", |(n, _)| *n)
}

/// An expected hub row in words (the columns written; others are "any").
pub fn expected_row(row: &HubRowExpect) -> String {
    let mut out = row
        .prefix
        .map_or("any prefix".to_string(), |p| p.to_string());
    if let Some(t) = row.next_hop_type {
        out += &format!(" {}", hop_name(t));
    }
    if let Some(h) = &row.next_hop {
        out += &format!(" via `{h}`");
    }
    if let Some(o) = &row.origin {
        out += &format!(" origin `{o}`");
    }
    out
}

/// One actual hub route in a line.
pub fn actual_row(r: &HubEffectiveRoute) -> String {
    let prefixes: Vec<String> = r.address_prefixes.iter().map(ToString::to_string).collect();
    format!(
        "{} {} via `{}` origin `{}`",
        prefixes.join(", "),
        super::hub_routes::next_hop_type(r.next_hop_type),
        r.next_hops.join(", "),
        r.route_origin
    )
}

/// A hub table's routes, one line each.
pub fn routes(a: &HubRoutesAnswer) -> String {
    let mut out = format!(
        "actual effective routes of hub `{}`, table `{}`:\n",
        a.hub, a.table
    );
    for r in &a.routes {
        out += &format!("  {}\n", actual_row(r));
    }
    out
}
