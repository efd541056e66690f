//! Route tables and their user-defined routes.

use super::context::{text, Context, Ns};
use super::field::{is_ipv6, Invalid, Node, Vocabulary};
use super::Section;
use crate::scenario::{NextHopDoc, RouteDoc, RouteTableDoc};

/// `RouteNextHopType`, the next hop types a UDR may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NextHopType {
    VirtualNetworkGateway,
    VnetLocal,
    Internet,
    VirtualAppliance,
    None,
}

impl Vocabulary for NextHopType {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("VirtualNetworkGateway", NextHopType::VirtualNetworkGateway),
        ("VnetLocal", NextHopType::VnetLocal),
        ("Internet", NextHopType::Internet),
        ("VirtualAppliance", NextHopType::VirtualAppliance),
        ("None", NextHopType::None),
    ];
}

const ROUTES: &str = "Microsoft.Network/routeTables/routes";

pub(super) fn import(cx: &mut Context<'_>) {
    for i in cx.of_kind("Microsoft.Network/routeTables") {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let props = r.props();
        let read = props.items("/routes").and_then(|routes| {
            // Azure's default: gateway routes are propagated.
            let disabled = props.bool_or("/disableBgpRoutePropagation", false)?;
            Ok((routes, disabled))
        });
        let (embedded, disabled) = match read {
            Ok(x) => x,
            Err(e) => {
                cx.forget(Ns::RouteTable, &r.id);
                cx.invalid(None, format!("route table {}", r.id), &e);
                continue;
            }
        };
        let name = cx.name(Ns::RouteTable, &r.id, &r.name);
        cx.comment(Section::RouteTable, &name, r.id.clone());
        let mut routes: Vec<RouteDoc> = Vec::new();
        let mut all = embedded;
        for j in cx.children_of(&r.id, ROUTES) {
            let Some(child) = cx.res(j) else { continue };
            cx.take(j);
            all.push(child.node());
        }
        for route in all {
            // A portal export holds each route twice: inside the table and as a child
            // resource. The first copy is kept.
            if let Some(doc) = route_doc(cx, &name, &route) {
                if !routes
                    .iter()
                    .any(|d| d.name.value.eq_ignore_ascii_case(&doc.name.value))
                {
                    routes.push(doc);
                }
            }
        }
        cx.doc.route_tables.push(RouteTableDoc {
            name: text(name),
            propagate_gateway_routes: !disabled,
            routes,
            id: Some(text(r.id.clone())),
        });
    }
}

fn route_doc(cx: &mut Context<'_>, table: &str, route: &Node<'_>) -> Option<RouteDoc> {
    let name = route
        .value
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or("");
    // A child resource at the top of a template is named `parent/child`.
    let name = name.rsplit('/').next().unwrap_or(name);
    let what = format!("route `{name}` of route table `{table}`");
    match read_route(cx, table, &what, route, name) {
        Ok(doc) => doc,
        Err(e) => {
            cx.invalid(Some((Section::RouteTable, table)), what, &e);
            None
        }
    }
}

/// The route, `Ok(None)` (with a note) when it uses what azpath does not model.
fn read_route(
    cx: &mut Context<'_>,
    table: &str,
    what: &str,
    route: &Node<'_>,
    name: &str,
) -> Result<Option<RouteDoc>, Invalid> {
    if name.is_empty() {
        return Err(route.missing("/name", "the route's name"));
    }
    let prefix = route.str("/addressPrefix")?;
    let kind = route.vocab::<NextHopType>("/nextHopType")?;
    let ip = route.opt_str("/nextHopIpAddress")?.unwrap_or("");
    let bgp_override = route.opt_bool("/hasBgpOverride")?;
    let next_hop = match kind {
        NextHopType::VirtualAppliance if ip.is_empty() => {
            return Err(route.missing(
                "/nextHopIpAddress",
                "a route to a virtual appliance names its address",
            ))
        }
        NextHopType::VirtualAppliance => NextHopDoc::VirtualAppliance(text(ip)),
        NextHopType::VirtualNetworkGateway => NextHopDoc::VirtualNetworkGateway,
        NextHopType::VnetLocal => NextHopDoc::VnetLocal,
        NextHopType::Internet => NextHopDoc::Internet,
        NextHopType::None => NextHopDoc::None,
    };
    if is_ipv6(prefix) || is_ipv6(ip) {
        let path = route.path_of(if is_ipv6(prefix) {
            "/addressPrefix"
        } else {
            "/nextHopIpAddress"
        });
        let reason = format!("it is IPv6 (`{path}`), which azpath does not model (IPv4 only)");
        cx.comment(
            Section::RouteTable,
            table,
            format!("left out {what}: {reason}"),
        );
        cx.skip(what, reason);
        return Ok(None);
    }
    // A service tag as the prefix (`Storage`, `Storage.WestEurope`): the route is kept naming
    // the tag, and the tag is declared like one an NSG rule names, its ranges filled from a
    // Service Tags download or listed as missing.
    // <https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#service-tags-for-user-defined-routes>
    if is_service_tag(prefix) {
        cx.route_tag(prefix);
    }
    if bgp_override == Some(true) {
        cx.unmodelled(
            Section::RouteTable,
            table,
            format!("`hasBgpOverride` of {what}"),
            "not modelled",
        );
    }
    Ok(Some(RouteDoc {
        name: text(name),
        prefix: text(prefix),
        next_hop,
    }))
}

/// Whether a route's `addressPrefix` names a service tag rather than an address prefix: a tag
/// starts with a letter and holds letters, digits, `.`, `-` and `_` (an IPv6 prefix, which may
/// start with a letter, has colons and a slash).
pub(super) fn is_service_tag(prefix: &str) -> bool {
    let p = prefix.trim();
    p.starts_with(|c: char| c.is_ascii_alphabetic())
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}
