//! A hub's effective routes as text, in the columns of `az network vhub get-effective-routes`.

use super::reasons::hub_origin;
use crate::query::{HubNextHopType, HubRoutesAnswer};

/// The `nextHopType` string Azure prints.
pub fn next_hop_type(t: HubNextHopType) -> &'static str {
    match t {
        HubNextHopType::VirtualNetworkConnection => "Virtual Network Connection",
        HubNextHopType::VpnS2sGateway => "VPN_S2S_Gateway",
        HubNextHopType::ExpressRouteGateway => "ExpressRouteGateway",
        HubNextHopType::RemoteHub => "Remote Hub",
        HubNextHopType::AzureFirewall => "Azure Firewall",
        HubNextHopType::Internet => "Internet",
    }
}

/// The table, with each route's reason.
pub fn routes(answer: &HubRoutesAnswer) -> String {
    let mut out = format!(
        "Effective routes of virtual hub `{}`, route table `{}`\n",
        answer.hub, answer.table
    );
    if answer.routing_intent {
        out += "Routing intent: the policy routes to the firewall replace what the hub's connections and branches propagate inside their prefixes; the firewall's own routes (`--at HUB/FIREWALL`) show where it sends traffic.\n";
    }
    out += "\n";
    let rows: Vec<Vec<String>> = answer
        .routes
        .iter()
        .map(|r| {
            let prefixes: Vec<String> =
                r.address_prefixes.iter().map(ToString::to_string).collect();
            vec![
                prefixes.join(", "),
                next_hop_type(r.next_hop_type).to_string(),
                r.next_hops.join(", "),
                r.route_origin.clone(),
                r.as_path
                    .clone()
                    .unwrap_or_else(|| "(branch ASN not given)".into()),
                hub_origin(&r.why),
            ]
        })
        .collect();
    out += &super::text::table(
        &[
            "Address Prefixes",
            "Next Hop Type",
            "Next Hop",
            "Origin",
            "AS Path",
            "Why",
        ],
        &rows,
    );
    out
}
