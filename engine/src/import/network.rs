//! Virtual networks, their subnets and peerings.

use std::collections::BTreeMap;

use serde_json::Value;

use super::context::{inner, items, strings, text, Context, Ns};
use super::resource::id_tail;
use super::Section;
use crate::scenario::{
    PeeringDoc, PeeringState, PrivateEndpointNetworkPolicies, SubnetDoc, VnetDoc,
};

const VNETS: &str = "Microsoft.Network/virtualNetworks";
const SUBNETS: &str = "Microsoft.Network/virtualNetworks/subnets";
const PEERINGS: &str = "Microsoft.Network/virtualNetworks/virtualNetworkPeerings";

pub(super) fn import(cx: &mut Context<'_>) {
    for i in cx.of_kind(VNETS) {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let name = cx.name(Ns::Vnet, &r.id, &r.name);
        cx.comment(Section::Vnet, &name, r.id.clone());
        let mut subnets: Vec<SubnetDoc> = Vec::new();
        let embedded = items(r.prop("/subnets")).iter().cloned();
        let prefix = format!("{}/subnets/", r.id.to_lowercase());
        let mut children = Vec::new();
        for j in cx.of_kind(SUBNETS) {
            if cx
                .res(j)
                .is_some_and(|c| c.id.to_lowercase().starts_with(&prefix))
            {
                cx.take(j);
                children.extend(cx.res(j).map(|c| c.json.clone()));
            }
        }
        for s in embedded.chain(children) {
            let Some(doc) = subnet(cx, &name, &s) else {
                continue;
            };
            if subnets.iter().all(|d| d.name.value != doc.name.value) {
                cx.subnets.insert(format!("{name}/{}", doc.name.value));
                subnets.push(doc);
            }
        }
        cx.doc.vnets.push(VnetDoc {
            name: text(name),
            region: text(r.location()),
            address_space: strings(r.prop("/addressSpace/addressPrefixes"))
                .into_iter()
                .map(text)
                .collect(),
            subnets,
            dns_servers: strings(r.prop("/dhcpOptions/dnsServers"))
                .into_iter()
                .map(text)
                .collect(),
        });
    }
}

fn subnet(cx: &mut Context<'_>, vnet: &str, s: &Value) -> Option<SubnetDoc> {
    // An ARM template names a child resource `vnet/subnet`; the subnet's own name is the last
    // segment.
    let full = s.get("name").and_then(Value::as_str)?;
    let name = full.rsplit('/').next().unwrap_or(full).to_string();
    let get = |p: &str| inner(s, p);
    let mut prefixes: Vec<String> = get("/addressPrefix")
        .and_then(Value::as_str)
        .map(str::to_string)
        .into_iter()
        .collect();
    if prefixes.is_empty() {
        prefixes = strings(get("/addressPrefixes"));
    }
    let Some(prefix) = prefixes.first().cloned() else {
        cx.skip(
            format!("subnet `{vnet}/{name}`"),
            "it has no address prefix",
        );
        return None;
    };
    if let Some(extra) = prefixes.get(1..).filter(|e| !e.is_empty()) {
        cx.comment(
            Section::Vnet,
            vnet,
            format!(
                "subnet `{name}` also has {}: azpath takes one prefix per subnet",
                extra.join(", ")
            ),
        );
        cx.skip(
            format!("prefixes {} of subnet `{vnet}/{name}`", extra.join(", ")),
            "azpath takes one prefix per subnet",
        );
    }
    let reference = |cx: &mut Context<'_>, pointer: &str, ns: Ns, what: &str| {
        let id = get(pointer).and_then(Value::as_str)?;
        let found = cx.name_of(ns, id);
        if found.is_none() {
            cx.comment(
                Section::Vnet,
                vnet,
                format!("subnet `{name}` uses {what} {id}, which is not in the input"),
            );
            cx.skip(
                format!("{what} of subnet `{vnet}/{name}`: {id}"),
                "not in the input: the subnet is imported without it",
            );
        }
        found
    };
    let route_table = reference(cx, "/routeTable/id", Ns::RouteTable, "route table");
    let nsg = reference(cx, "/networkSecurityGroup/id", Ns::Nsg, "NSG");
    for d in items(get("/delegations")) {
        if let Some(service) = inner(d, "/serviceName").and_then(Value::as_str) {
            cx.comment(
                Section::Vnet,
                vnet,
                format!("subnet `{name}` is delegated to {service}"),
            );
        }
    }
    let policies = match get("/privateEndpointNetworkPolicies").and_then(Value::as_str) {
        Some(p) if p.eq_ignore_ascii_case("enabled") => PrivateEndpointNetworkPolicies::Enabled,
        Some(p) if p.eq_ignore_ascii_case("networksecuritygroupenabled") => {
            PrivateEndpointNetworkPolicies::NetworkSecurityGroupEnabled
        }
        Some(p) if p.eq_ignore_ascii_case("routetableenabled") => {
            PrivateEndpointNetworkPolicies::RouteTableEnabled
        }
        _ => PrivateEndpointNetworkPolicies::Disabled,
    };
    let service_endpoints = items(get("/serviceEndpoints"))
        .iter()
        .filter_map(|e| inner(e, "/service").and_then(Value::as_str))
        .map(text)
        .collect();
    Some(SubnetDoc {
        name: text(name),
        prefix: text(prefix),
        route_table: route_table.map(text),
        private_endpoint_network_policies: policies,
        service_endpoints,
        nsg: nsg.map(text),
    })
}

/// One direction of a peering as Azure stores it.
struct Link {
    id: String,
    access: bool,
    forwarded: bool,
    allow_transit: bool,
    use_remote: bool,
    state: PeeringState,
}

/// Peerings: Azure keeps one link per direction; a scenario entry is both.
pub(super) fn peerings(cx: &mut Context<'_>) {
    let hub_connected: Vec<String> = cx
        .of_kind("Microsoft.Network/virtualHubs/hubVirtualNetworkConnections")
        .into_iter()
        .filter_map(|i| cx.res(i)?.prop_str("/remoteVirtualNetwork/id"))
        .map(id_tail)
        .collect();
    let mut links: BTreeMap<(String, String), Link> = BTreeMap::new();
    let mut order = Vec::new();
    for i in cx.of_kind(VNETS) {
        let Some(r) = cx.res(i) else { continue };
        let Some(local) = cx.name_of(Ns::Vnet, &r.id) else {
            continue;
        };
        let mut all: Vec<Value> = items(r.prop("/virtualNetworkPeerings")).to_vec();
        let prefix = format!("{}/virtualnetworkpeerings/", r.id.to_lowercase());
        for j in cx.of_kind(PEERINGS) {
            if cx
                .res(j)
                .is_some_and(|c| c.id.to_lowercase().starts_with(&prefix))
            {
                cx.take(j);
                all.extend(cx.res(j).map(|c| c.json.clone()));
            }
        }
        for p in all {
            let id = p
                .get("id")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| {
                    format!(
                        "{} peering {}",
                        r.id,
                        p.get("name").and_then(Value::as_str).unwrap_or_default()
                    )
                });
            let remote_id = inner(&p, "/remoteVirtualNetwork/id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let Some(remote) = cx.name_of(Ns::Vnet, remote_id) else {
                let reason = if hub_connected.contains(&id_tail(&r.id)) {
                    "the peering of a virtual hub connection (imported as the hub's connection)"
                        .to_string()
                } else {
                    format!("its remote VNet {remote_id} is not in the input")
                };
                cx.skip(id, reason);
                continue;
            };
            let flag = |f: &str| inner(&p, f).and_then(Value::as_bool).unwrap_or(false);
            let state = match inner(&p, "/peeringState").and_then(Value::as_str) {
                Some(s) if s.eq_ignore_ascii_case("initiated") => PeeringState::Initiated,
                Some(s) if s.eq_ignore_ascii_case("disconnected") => PeeringState::Disconnected,
                _ => PeeringState::Connected,
            };
            let link = Link {
                id,
                access: inner(&p, "/allowVirtualNetworkAccess")
                    .and_then(Value::as_bool)
                    .unwrap_or(true),
                forwarded: flag("/allowForwardedTraffic"),
                allow_transit: flag("/allowGatewayTransit"),
                use_remote: flag("/useRemoteGateways"),
                state,
            };
            let pair = if local <= remote {
                (local.clone(), remote.clone())
            } else {
                (remote.clone(), local.clone())
            };
            if !order.contains(&pair) {
                order.push(pair);
            }
            links.insert((local.clone(), remote), link);
        }
    }
    for (a, b) in order {
        let ab = links.remove(&(a.clone(), b.clone()));
        let ba = links.remove(&(b.clone(), a.clone()));
        let doc = merge(cx, &a, &b, ab.as_ref(), ba.as_ref());
        cx.doc.peerings.push(doc);
    }
}

/// One scenario peering from the two links (or the one link the input has).
fn merge(
    cx: &mut Context<'_>,
    a: &str,
    b: &str,
    ab: Option<&Link>,
    ba: Option<&Link>,
) -> PeeringDoc {
    let key = format!("{a}/{b}");
    for l in ab.iter().chain(ba.iter()) {
        cx.comment(Section::Peering, &key, l.id.clone());
    }
    let links: Vec<&Link> = ab.iter().chain(ba.iter()).copied().collect();
    if links.len() == 1 {
        cx.comment(
            Section::Peering,
            &key,
            "only one direction is in the input; its settings are used for both",
        );
    }
    let access = links.iter().all(|l| l.access);
    let forwarded = links.iter().any(|l| l.forwarded);
    if links.iter().any(|l| l.forwarded != forwarded) {
        cx.comment(
            Section::Peering,
            &key,
            "allowForwardedTraffic differs between the two links: azpath writes one value for both, `true`",
        );
    }
    let state = links
        .iter()
        .map(|l| l.state)
        .max_by_key(|s| match s {
            PeeringState::Connected => 0,
            PeeringState::Initiated => 1,
            PeeringState::Disconnected => 2,
        })
        .unwrap_or_default();
    // Transit needs `useRemoteGateways` on the using side and `allowGatewayTransit` on the
    // offering side (when that side's link is in the input).
    let offers = |from: Option<&Link>, to: Option<&Link>| {
        to.is_some_and(|l| l.use_remote) && from.is_none_or(|l| l.allow_transit)
    };
    let gateway_transit = if offers(ab, ba) {
        Some(text(a))
    } else if offers(ba, ab) {
        Some(text(b))
    } else {
        None
    };
    PeeringDoc {
        between: (text(a), text(b)),
        allow_virtual_network_access: access,
        allow_forwarded_traffic: forwarded,
        gateway_transit,
        state,
    }
}
