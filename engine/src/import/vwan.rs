//! Virtual WAN: virtual hubs, their route tables, VNet connections and routing intent.

use std::collections::BTreeSet;

use super::context::{text, Context, Ns};
use super::field::{shown, Invalid, Node, Vocabulary};
use super::resource::{last_segment, Resource};
use super::Section;
use crate::scenario::{
    ConnectionRouteDoc, HubConnectionDoc, HubNextHopDoc, HubRouteDoc, HubRouteTableDoc,
    HubRoutingPreference, RoutingIntentDoc, VirtualHubDoc,
};

const TABLES: &str = "Microsoft.Network/virtualHubs/hubRouteTables";
const CONNECTIONS: &str = "Microsoft.Network/virtualHubs/hubVirtualNetworkConnections";
const INTENT: &str = "Microsoft.Network/virtualHubs/routingIntent";

/// A routing policy's destinations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Destination {
    PrivateTraffic,
    Internet,
}

impl Vocabulary for Destination {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("PrivateTraffic", Destination::PrivateTraffic),
        ("Internet", Destination::Internet),
    ];
}

/// A hub route's `destinationType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DestinationType {
    Cidr,
    ResourceId,
    Service,
}

impl Vocabulary for DestinationType {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("CIDR", DestinationType::Cidr),
        ("ResourceId", DestinationType::ResourceId),
        ("Service", DestinationType::Service),
    ];
}

/// A hub route's `nextHopType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ResourceIdHop;

impl Vocabulary for ResourceIdHop {
    const VALUES: &'static [(&'static str, Self)] = &[("ResourceId", ResourceIdHop)];
}

pub(super) fn import(cx: &mut Context<'_>) {
    let mut wans = BTreeSet::new();
    for i in cx.of_kind("Microsoft.Network/virtualHubs") {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let name = cx.name(Ns::Vnet, &r.id, &r.name);
        match hub(cx, r, &name) {
            Ok((hub, wan)) => {
                wans.extend(wan);
                cx.doc.virtual_hubs.push(hub);
            }
            Err(e) => {
                cx.forget(Ns::Vnet, &r.id);
                cx.invalid(None, format!("virtual hub {}", r.id), &e);
            }
        }
    }
    if wans.len() > 1 {
        cx.skip(
            "virtual WANs",
            "the hubs belong to several virtual WANs; azpath connects all hubs of a scenario",
        );
    }
}

/// The hub, and the id of its virtual WAN.
fn hub(
    cx: &mut Context<'_>,
    r: &Resource,
    name: &str,
) -> Result<(VirtualHubDoc, Option<String>), Invalid> {
    let props = r.props();
    let mut hub = VirtualHubDoc {
        name: text(name),
        region: text(r.location()?),
        address_prefix: text(props.str("/addressPrefix")?),
        router_ips: props
            .strings("/virtualRouterIps")?
            .into_iter()
            .map(text)
            .collect(),
        routing_intent: None,
        route_tables: Vec::new(),
        default_routes: Vec::new(),
        connections: Vec::new(),
        sites: Vec::new(),
        routing_preference: match props.prop("/hubRoutingPreference") {
            Some(n) => Some(super::field::parse::<HubRoutingPreference>(&n)?),
            None => None,
        },
        branch_propagate_to: None,
        branch_labels: None,
    };
    let wan = props.opt_str("/virtualWan/id")?.map(str::to_lowercase);
    let gateways =
        props.at("/vpnGateway/id").is_some() || props.at("/expressRouteGateway/id").is_some();
    cx.comment(Section::VirtualHub, name, r.id.clone());
    for j in children(cx, r, INTENT) {
        let Some(c) = cx.res(j) else { continue };
        match intent(cx, name, c) {
            Ok(doc) => hub.routing_intent = Some(doc),
            Err(e) => cx.invalid(
                Some((Section::VirtualHub, name)),
                format!("routing intent {}", c.id),
                &e,
            ),
        }
    }
    for j in children(cx, r, CONNECTIONS) {
        let Some(c) = cx.res(j) else { continue };
        match connection(cx, name, c) {
            Ok(doc) => hub.connections.extend(doc),
            Err(e) => cx.invalid(
                Some((Section::VirtualHub, name)),
                format!("connection {}", c.id),
                &e,
            ),
        }
    }
    for j in children(cx, r, TABLES) {
        let Some(t) = cx.res(j) else { continue };
        cx.comment(Section::VirtualHub, name, t.id.clone());
        let (routes, labels) = match t
            .props()
            .items("/routes")
            .and_then(|routes| Ok((routes, t.props().strings("/labels")?)))
        {
            Ok(x) => x,
            Err(e) => {
                cx.invalid(
                    Some((Section::VirtualHub, name)),
                    format!("route table {}", t.id),
                    &e,
                );
                continue;
            }
        };
        let routes: Vec<HubRouteDoc> = routes
            .iter()
            .filter_map(|route| hub_route(cx, name, &t.name, route))
            .collect();
        if t.name.eq_ignore_ascii_case("defaultRouteTable") {
            hub.default_routes = routes;
        } else if !t.name.eq_ignore_ascii_case("noneRouteTable") {
            hub.route_tables.push(HubRouteTableDoc {
                name: text(t.name.clone()),
                labels: labels.into_iter().map(text).collect(),
                routes,
            });
        }
    }
    if gateways {
        let reason = "the hub's VPN/ExpressRoute gateway and its branches are not imported: declare them as `sites`";
        cx.comment(Section::VirtualHub, name, reason);
        cx.skip(format!("gateways of virtual hub `{name}`"), reason);
    }
    Ok((hub, wan))
}

/// The child resources of `kind` under hub `r`, taken.
fn children(cx: &mut Context<'_>, r: &Resource, kind: &str) -> Vec<usize> {
    let found = cx.children_of(&r.id, kind);
    for &j in &found {
        cx.take(j);
    }
    found
}

fn intent(cx: &mut Context<'_>, hub: &str, r: &Resource) -> Result<RoutingIntentDoc, Invalid> {
    let mut doc = RoutingIntentDoc::default();
    cx.comment(Section::VirtualHub, hub, r.id.clone());
    for policy in r.props().items("/routingPolicies")? {
        let next_hop = policy.str("/nextHop")?;
        if !next_hop.to_lowercase().contains("/azurefirewalls/") {
            let what = format!(
                "routing policy `{}` of hub `{hub}`",
                policy
                    .value
                    .get("name")
                    .and_then(|n| n.as_str())
                    .unwrap_or("")
            );
            let reason = format!(
                "its next hop {} is not the hub's Azure Firewall (other security appliances are not modelled)",
                shown(next_hop)
            );
            cx.comment(
                Section::VirtualHub,
                hub,
                format!("left out {what}: {reason}"),
            );
            cx.skip(what, reason);
            continue;
        }
        let destinations = policy.items("/destinations")?;
        if destinations.is_empty() {
            return Err(policy.missing("/destinations", "`PrivateTraffic` or `Internet`"));
        }
        for d in destinations {
            match super::field::parse::<Destination>(&d)? {
                Destination::PrivateTraffic => doc.private_traffic = true,
                Destination::Internet => doc.internet_traffic = true,
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
    Ok(doc)
}

fn connection(
    cx: &mut Context<'_>,
    hub: &str,
    r: &Resource,
) -> Result<Option<HubConnectionDoc>, Invalid> {
    let props = r.props();
    let remote = props.str("/remoteVirtualNetwork/id")?;
    let config = props.at("/routingConfiguration");
    let empty = serde_json::Value::Null;
    let config =
        config.unwrap_or_else(|| Node::new(&empty, format!("{}/routingConfiguration", props.path)));
    let associated = config
        .opt_str("/associatedRouteTable/id")?
        .map(last_segment)
        .filter(|t| !t.eq_ignore_ascii_case("defaultRouteTable"))
        .map(text);
    let propagate_to = match config.at("/propagatedRouteTables/ids") {
        None => None,
        Some(_) => {
            let mut ids = Vec::new();
            for i in config.items("/propagatedRouteTables/ids")? {
                ids.push(last_segment(i.str("/id")?).to_string());
            }
            let default = ids.len() == 1
                && ids
                    .iter()
                    .all(|i| i.eq_ignore_ascii_case("defaultRouteTable"));
            (!default).then(|| ids.into_iter().map(text).collect())
        }
    };
    let labels = match config.at("/propagatedRouteTables/labels") {
        None => None,
        Some(_) => {
            let l = config.strings("/propagatedRouteTables/labels")?;
            (l != ["default"]).then(|| l.into_iter().map(text).collect())
        }
    };
    let mut static_routes = Vec::new();
    for s in config.items("/vnetRoutes/staticRoutes")? {
        let name = s.str("/name")?;
        let prefixes = s.addresses("/addressPrefixes")?;
        cx.skip_ipv6(&prefixes.v6, &format!("static route `{name}`"));
        if prefixes.v4.is_empty() && !prefixes.v6.is_empty() {
            cx.skip(
                format!("static route `{name}` of {}", r.id),
                "its prefixes are all IPv6, which azpath does not model (IPv4 only)",
            );
            continue;
        }
        let prefixes = prefixes.v4;
        if prefixes.is_empty() {
            return Err(s.missing("/addressPrefixes", "a static route names its prefixes"));
        }
        static_routes.push(ConnectionRouteDoc {
            name: text(name),
            prefixes: prefixes.into_iter().map(text).collect(),
            next_hop_ip: text(s.str("/nextHopIpAddress")?),
        });
    }
    let internet_security = props.opt_bool("/enableInternetSecurity")?;
    let Some(vnet) = cx.name_of(Ns::Vnet, remote) else {
        cx.skip(
            r.id.clone(),
            format!("its VNet {remote} is not in the input or was left out"),
        );
        return Ok(None);
    };
    cx.comment(Section::VirtualHub, hub, r.id.clone());
    if internet_security.is_none() {
        cx.comment(
            Section::VirtualHub,
            hub,
            format!("connection of `{vnet}`: enableInternetSecurity not in the input, taken as true (the portal's and CLI's default)"),
        );
    }
    Ok(Some(HubConnectionDoc {
        vnet: text(vnet),
        associated,
        propagate_to,
        labels,
        internet_security: internet_security.unwrap_or(true),
        static_routes,
    }))
}

fn hub_route(
    cx: &mut Context<'_>,
    hub: &str,
    table: &str,
    route: &Node<'_>,
) -> Option<HubRouteDoc> {
    let name = route
        .value
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or("");
    let what = format!("route `{name}` of `{hub}/{table}`");
    match read_hub_route(cx, &what, route, name) {
        Ok(doc) => doc,
        Err(e) => {
            cx.invalid(Some((Section::VirtualHub, hub)), what, &e);
            None
        }
    }
}

fn read_hub_route(
    cx: &mut Context<'_>,
    what: &str,
    route: &Node<'_>,
    name: &str,
) -> Result<Option<HubRouteDoc>, Invalid> {
    if name.starts_with("_policy_") {
        // Azure programs these itself from routing intent, which is imported as such.
        return Ok(None);
    }
    if name.is_empty() {
        return Err(route.missing("/name", "the route's name"));
    }
    let destination_type = route.vocab::<DestinationType>("/destinationType")?;
    route.vocab::<ResourceIdHop>("/nextHopType")?;
    let next = route.str("/nextHop")?;
    let prefixes = route.strings("/destinations")?;
    if destination_type != DestinationType::Cidr {
        cx.skip(
            what,
            format!(
                "destination type `{}` is not modelled",
                super::field::spelling(destination_type)
            ),
        );
        return Ok(None);
    }
    if prefixes.is_empty() {
        return Err(route.missing("/destinations", "a route names its prefixes"));
    }
    let lower = next.to_lowercase();
    let next_hop = if lower.contains("/azurefirewalls/") {
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
            format!("its next hop {next} is not a firewall or an imported connection"),
        );
        return Ok(None);
    };
    Ok(Some(HubRouteDoc {
        name: text(name),
        prefixes: prefixes.into_iter().map(text).collect(),
        next_hop,
    }))
}

impl Vocabulary for HubRoutingPreference {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("ExpressRoute", HubRoutingPreference::ExpressRoute),
        ("VpnGateway", HubRoutingPreference::VpnGateway),
        ("ASPath", HubRoutingPreference::AsPath),
    ];
}
