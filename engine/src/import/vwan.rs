//! Virtual WAN: virtual hubs, their route tables, VNet connections and routing intent.

use serde_json::Value;

use super::context::{inner, items, strings, text, Context, Ns};
use super::resource::{last_segment, Resource};
use super::Section;
use crate::scenario::{
    ConnectionRouteDoc, HubConnectionDoc, HubNextHopDoc, HubRouteDoc, HubRouteTableDoc,
    RoutingIntentDoc, VirtualHubDoc,
};

const TABLES: &str = "Microsoft.Network/virtualHubs/hubRouteTables";
const CONNECTIONS: &str = "Microsoft.Network/virtualHubs/hubVirtualNetworkConnections";
const INTENT: &str = "Microsoft.Network/virtualHubs/routingIntent";

pub(super) fn import(cx: &mut Context<'_>) {
    let mut wans = std::collections::BTreeSet::new();
    for i in cx.of_kind("Microsoft.Network/virtualHubs") {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let name = cx.name(Ns::Vnet, &r.id, &r.name);
        cx.comment(Section::VirtualHub, &name, r.id.clone());
        wans.extend(r.prop_str("/virtualWan/id").map(str::to_lowercase));
        let mut hub = VirtualHubDoc {
            name: text(name.clone()),
            region: text(r.location()),
            address_prefix: text(r.prop_str("/addressPrefix").unwrap_or_default()),
            router_ips: strings(r.prop("/virtualRouterIps"))
                .into_iter()
                .map(text)
                .collect(),
            routing_intent: None,
            route_tables: Vec::new(),
            default_routes: Vec::new(),
            connections: Vec::new(),
            sites: Vec::new(),
        };
        for j in children(cx, r, INTENT) {
            hub.routing_intent = Some(intent(cx, &name, j));
        }
        for j in children(cx, r, CONNECTIONS) {
            if let Some(c) = connection(cx, &name, j) {
                hub.connections.push(c);
            }
        }
        for j in children(cx, r, TABLES) {
            let Some(t) = cx.res(j) else { continue };
            cx.comment(Section::VirtualHub, &name, t.id.clone());
            let routes: Vec<HubRouteDoc> = items(t.prop("/routes"))
                .iter()
                .filter_map(|route| hub_route(cx, &name, &t.name, route))
                .collect();
            match t.name.as_str() {
                "defaultRouteTable" => hub.default_routes = routes,
                "noneRouteTable" => {}
                _ => hub.route_tables.push(HubRouteTableDoc {
                    name: text(t.name.clone()),
                    labels: strings(t.prop("/labels")).into_iter().map(text).collect(),
                    routes,
                }),
            }
        }
        if r.prop("/vpnGateway/id").is_some() || r.prop("/expressRouteGateway/id").is_some() {
            cx.comment(
                Section::VirtualHub,
                &name,
                "the hub's VPN/ExpressRoute gateway and its branches are not imported: declare them as `sites`",
            );
        }
        cx.doc.virtual_hubs.push(hub);
    }
    if wans.len() > 1 {
        cx.skip(
            "virtual WANs",
            "the hubs belong to several virtual WANs; azpath connects all hubs of a scenario",
        );
    }
}

/// The child resources of `kind` under hub `r`, taken.
fn children(cx: &mut Context<'_>, r: &Resource, kind: &str) -> Vec<usize> {
    let prefix = format!("{}/", r.id.to_lowercase());
    let found: Vec<usize> = cx
        .of_kind(kind)
        .into_iter()
        .filter(|&j| {
            cx.res(j)
                .is_some_and(|c| c.id.to_lowercase().starts_with(&prefix))
        })
        .collect();
    for &j in &found {
        cx.take(j);
    }
    found
}

fn intent(cx: &mut Context<'_>, hub: &str, j: usize) -> RoutingIntentDoc {
    let mut doc = RoutingIntentDoc::default();
    let Some(r) = cx.res(j) else { return doc };
    cx.comment(Section::VirtualHub, hub, r.id.clone());
    for policy in items(r.prop("/routingPolicies")) {
        for d in strings(inner(policy, "/destinations")) {
            match d.to_lowercase().as_str() {
                "privatetraffic" => doc.private_traffic = true,
                "internet" => doc.internet_traffic = true,
                other => cx.skip(
                    format!("routing policy destination `{other}` of hub `{hub}`"),
                    "not a destination azpath knows",
                ),
            }
        }
    }
    if doc.private_traffic {
        cx.comment(
            Section::VirtualHub,
            hub,
            "additional private traffic prefixes are not imported: add them to `private_prefixes`",
        );
    }
    doc
}

fn connection(cx: &mut Context<'_>, hub: &str, j: usize) -> Option<HubConnectionDoc> {
    let r = cx.res(j)?;
    let remote = r.prop_str("/remoteVirtualNetwork/id").unwrap_or_default();
    let Some(vnet) = cx.name_of(Ns::Vnet, remote) else {
        cx.skip(
            r.id.clone(),
            format!("its VNet {remote} is not in the input"),
        );
        return None;
    };
    cx.comment(Section::VirtualHub, hub, r.id.clone());
    let config = |p: &str| r.prop(&format!("/routingConfiguration{p}"));
    let associated = config("/associatedRouteTable/id")
        .and_then(Value::as_str)
        .map(last_segment)
        .filter(|t| *t != "defaultRouteTable")
        .map(text);
    let propagate: Option<Vec<String>> = config("/propagatedRouteTables/ids")
        .and_then(Value::as_array)
        .map(|ids| {
            ids.iter()
                .filter_map(|i| i.get("id").and_then(Value::as_str))
                .map(|i| last_segment(i).to_string())
                .collect()
        });
    let propagate_to = propagate
        .filter(|p| p != &["defaultRouteTable"])
        .map(|p| p.into_iter().map(text).collect());
    let labels = config("/propagatedRouteTables/labels")
        .and_then(Value::as_array)
        .map(|_| strings(config("/propagatedRouteTables/labels")))
        .filter(|l| l != &["default"])
        .map(|l| l.into_iter().map(text).collect());
    let static_routes = items(config("/vnetRoutes/staticRoutes"))
        .iter()
        .map(|s| ConnectionRouteDoc {
            name: text(s.get("name").and_then(Value::as_str).unwrap_or_default()),
            prefixes: strings(s.get("addressPrefixes"))
                .into_iter()
                .map(text)
                .collect(),
            next_hop_ip: text(
                s.get("nextHopIpAddress")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            ),
        })
        .collect();
    Some(HubConnectionDoc {
        vnet: text(vnet),
        associated,
        propagate_to,
        labels,
        internet_security: r.prop_bool("/enableInternetSecurity").unwrap_or(true),
        static_routes,
    })
}

fn hub_route(cx: &mut Context<'_>, hub: &str, table: &str, route: &Value) -> Option<HubRouteDoc> {
    let name = route
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let what = format!("route `{name}` of `{hub}/{table}`");
    if name.starts_with("_policy_") {
        // Azure programs these itself from routing intent, which is imported as such.
        return None;
    }
    let destination_type = route
        .get("destinationType")
        .and_then(Value::as_str)
        .unwrap_or("CIDR");
    if !destination_type.eq_ignore_ascii_case("cidr") {
        cx.skip(
            what,
            format!("destination type `{destination_type}` is not modelled"),
        );
        return None;
    }
    let next = route
        .get("nextHop")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let next_hop_type = route
        .get("nextHopType")
        .and_then(Value::as_str)
        .unwrap_or("ResourceId")
        .replace(' ', "")
        .to_lowercase();
    let lower = next.to_lowercase();
    let next_hop = if next_hop_type != "resourceid" {
        None
    } else if lower.contains("/azurefirewalls/") {
        Some(HubNextHopDoc::Firewall)
    } else if lower.contains("/hubvirtualnetworkconnections/") {
        cx.find(next)
            .and_then(|i| cx.res(i))
            .and_then(|c| c.prop_str("/remoteVirtualNetwork/id"))
            .and_then(|v| cx.name_of(Ns::Vnet, v))
            .map(|v| HubNextHopDoc::Connection(text(v)))
    } else {
        None
    };
    let Some(next_hop) = next_hop else {
        cx.skip(
            what,
            format!(
                "its next hop ({next_hop_type} {next}) is not a firewall or an imported connection"
            ),
        );
        return None;
    };
    Some(HubRouteDoc {
        name: text(name),
        prefixes: strings(route.get("destinations"))
            .into_iter()
            .map(text)
            .collect(),
        next_hop,
    })
}
