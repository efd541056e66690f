//! Route tables and their user-defined routes.

use serde_json::Value;

use super::context::{inner, items, text, Context, Ns};
use super::Section;
use crate::scenario::{NextHopDoc, RouteDoc, RouteTableDoc};

pub(super) fn import(cx: &mut Context<'_>) {
    for i in cx.of_kind("Microsoft.Network/routeTables") {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let name = cx.name(Ns::RouteTable, &r.id, &r.name);
        cx.comment(Section::RouteTable, &name, r.id.clone());
        let mut routes = Vec::new();
        for route in items(r.prop("/routes")) {
            routes.extend(route_doc(cx, &name, route));
        }
        let prefix = format!("{}/routes/", r.id.to_lowercase());
        for j in cx.of_kind("Microsoft.Network/routeTables/routes") {
            let Some(child) = cx.res(j) else { continue };
            if child.id.to_lowercase().starts_with(&prefix) {
                cx.take(j);
                routes.extend(route_doc(cx, &name, &child.json));
            }
        }
        cx.doc.route_tables.push(RouteTableDoc {
            name: text(name),
            propagate_gateway_routes: !r.prop_bool("/disableBgpRoutePropagation").unwrap_or(false),
            routes,
        });
    }
}

fn route_doc(cx: &mut Context<'_>, table: &str, route: &Value) -> Option<RouteDoc> {
    let name = route
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let what = format!("route `{name}` of route table `{table}`");
    let prefix = inner(route, "/addressPrefix")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !prefix.contains('/') {
        let reason =
            format!("its prefix `{prefix}` is a service tag, which azpath does not take in UDRs");
        cx.comment(
            Section::RouteTable,
            table,
            format!("left out {what}: {reason}"),
        );
        cx.skip(what, reason);
        return None;
    }
    if inner(route, "/hasBgpOverride").and_then(Value::as_bool) == Some(true) {
        cx.comment(
            Section::RouteTable,
            table,
            format!("{what} has `hasBgpOverride`, which azpath does not model"),
        );
    }
    let ip = inner(route, "/nextHopIpAddress")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let kind = inner(route, "/nextHopType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let next_hop = match kind.to_lowercase().as_str() {
        "virtualappliance" => NextHopDoc::VirtualAppliance(text(ip)),
        "virtualnetworkgateway" => NextHopDoc::VirtualNetworkGateway,
        "vnetlocal" => NextHopDoc::VnetLocal,
        "internet" => NextHopDoc::Internet,
        "none" => NextHopDoc::None,
        other => {
            let reason = format!("next hop type `{other}` is not one a UDR may use");
            cx.comment(
                Section::RouteTable,
                table,
                format!("left out {what}: {reason}"),
            );
            cx.skip(what, reason);
            return None;
        }
    };
    Some(RouteDoc {
        name: text(name),
        prefix: text(prefix),
        next_hop,
    })
}
