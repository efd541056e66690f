//! VPN and ExpressRoute virtual network gateways, and the prefixes of the local network gateways
//! their connections lead to.

use serde_json::Value;

use super::context::{inner, items, strings, text, Context, Ns};
use super::Section;
use crate::scenario::{GatewayDoc, GatewayKind, LearnedRouteDoc, LearnedVia};

pub(super) fn import(cx: &mut Context<'_>) {
    for i in cx.of_kind("Microsoft.Network/virtualNetworkGateways") {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let name = cx.name(Ns::Gateway, &r.id, &r.name);
        let subnet_id = items(r.prop("/ipConfigurations"))
            .iter()
            .find_map(|c| inner(c, "/subnet/id").and_then(Value::as_str))
            .unwrap_or_default();
        let Some(vnet) = cx.vnet_of_subnet(subnet_id) else {
            cx.skip(
                r.id.clone(),
                format!("its subnet {subnet_id} is not in an imported VNet"),
            );
            continue;
        };
        cx.comment(Section::Gateway, &name, r.id.clone());
        let kind = match r.prop_str("/gatewayType") {
            Some(k) if k.eq_ignore_ascii_case("expressroute") => GatewayKind::ExpressRoute,
            _ => GatewayKind::Vpn,
        };
        // The instances' addresses in GatewaySubnet are the next hops of the routes they learn.
        let mut instance_ips: Vec<String> = items(r.prop("/bgpSettings/bgpPeeringAddresses"))
            .iter()
            .flat_map(|a| strings(a.get("defaultBgpIpAddresses")))
            .collect();
        if instance_ips.is_empty() {
            instance_ips = r
                .prop_str("/bgpSettings/bgpPeeringAddress")
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect();
        }
        if instance_ips.is_empty() {
            cx.comment(
                Section::Gateway,
                &name,
                "instance addresses not in the input: add `instance_ips` for next hop IPs",
            );
        }
        let learned = local_prefixes(cx, &r.id, &name);
        cx.comment(
            Section::Gateway,
            &name,
            "BGP-learned prefixes are not in the resource: add them to `learned`",
        );
        cx.doc.gateways.push(GatewayDoc {
            name: text(name),
            vnet: text(vnet),
            kind,
            instance_ips: instance_ips.into_iter().map(text).collect(),
            learned,
        });
    }
}

/// The address spaces of the local network gateways that connections of gateway `id` lead to.
fn local_prefixes(cx: &mut Context<'_>, id: &str, name: &str) -> Vec<LearnedRouteDoc> {
    let mut learned = Vec::new();
    for c in cx.of_kind("Microsoft.Network/connections") {
        let Some(conn) = cx.res(c) else { continue };
        let gw = conn
            .prop_str("/virtualNetworkGateway1/id")
            .unwrap_or_default();
        if cx.find(gw) != cx.find(id) || cx.find(gw).is_none() {
            continue;
        }
        cx.take(c);
        cx.comment(Section::Gateway, name, conn.id.clone());
        let Some(lng) = conn
            .prop_str("/localNetworkGateway2/id")
            .and_then(|l| cx.find(l))
        else {
            continue;
        };
        cx.take(lng);
        let Some(lng) = cx.res(lng) else { continue };
        cx.comment(Section::Gateway, name, lng.id.clone());
        for p in strings(lng.prop("/localNetworkAddressSpace/addressPrefixes")) {
            learned.push(LearnedRouteDoc {
                prefix: text(p),
                via: LearnedVia::LocalNetworkGateway,
                next_hop_ips: Vec::new(),
            });
        }
    }
    learned
}
