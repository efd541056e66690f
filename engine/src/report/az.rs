//! Answers in the JSON shapes Azure's own tools print, so azpath's answer and Azure's can be
//! put side by side: `az network nic show-effective-route-table` (`effectiveRouteListResult`)
//! and `az network watcher show-next-hop` (`NextHopResult`).

use serde::Serialize;

use crate::model::{Network, SubnetId};
use crate::query::{AzEffectiveRoute, AzEffectiveRouteList, NextHopAnswer, RoutesAnswer};
use crate::route::EffectiveRoute;

/// `az network watcher show-next-hop` output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AzNextHop {
    /// The next hop address, if the type has one.
    pub next_hop_ip_address: Option<String>,
    /// The next hop type.
    pub next_hop_type: String,
    /// `System Route`, or the route table of the winning UDR: its resource id when the
    /// scenario gives one (an imported estate), else its name.
    pub route_table_id: String,
}

/// The effective routes of `subnet` as `az network nic show-effective-route-table` prints
/// them for a NIC there. Equal-cost rows (same source, state, prefix and next hop type) are
/// one row with several next hop addresses, as Azure lists them.
pub fn routes(net: &Network, subnet: SubnetId, answer: &RoutesAnswer) -> AzEffectiveRouteList {
    let disable_bgp = net
        .subnet(subnet)
        .and_then(|s| s.route_table)
        .and_then(|t| net.route_table(t))
        .is_some_and(|t| !t.propagate_gateway_routes);
    let mut value: Vec<AzEffectiveRoute> = Vec::new();
    for r in &answer.routes {
        let row = row(r, disable_bgp);
        let same = value.iter_mut().find(|v| {
            v.source == row.source
                && v.state == row.state
                && v.address_prefix == row.address_prefix
                && v.next_hop_type == row.next_hop_type
                && v.name == row.name
        });
        match same {
            Some(v) => v.next_hop_ip_address.extend(row.next_hop_ip_address),
            None => value.push(row),
        }
    }
    AzEffectiveRouteList { value }
}

fn row(r: &EffectiveRoute, disable_bgp: bool) -> AzEffectiveRoute {
    AzEffectiveRoute {
        address_prefix: vec![r.prefix.to_string()],
        disable_bgp_route_propagation: disable_bgp,
        name: r.route_name().map(str::to_string),
        next_hop_ip_address: r.next_hop.ip.iter().map(ToString::to_string).collect(),
        next_hop_type: r.next_hop.next_hop_type.to_string(),
        source: r.source.to_string(),
        state: r.state.to_string(),
    }
}

/// The next hop as `az network watcher show-next-hop` prints it: the winning UDR's table by
/// its resource id when `net` knows it, as Azure prints it.
pub fn next_hop(net: &Network, answer: &NextHopAnswer) -> AzNextHop {
    let table_id = net
        .route_tables
        .iter()
        .find(|t| t.name == answer.route_table)
        .and_then(|t| t.id.clone());
    AzNextHop {
        next_hop_ip_address: answer.next_hop.ip.map(|ip| ip.to_string()),
        next_hop_type: answer.next_hop.next_hop_type.to_string(),
        route_table_id: if answer.route_table.is_empty() {
            "System Route".to_string()
        } else {
            table_id.unwrap_or_else(|| answer.route_table.to_string())
        },
    }
}
