//! VPN and ExpressRoute virtual network gateways, and the prefixes of the local network gateways
//! their connections lead to.

use std::collections::BTreeMap;

use super::context::{text, Context, Ns};
use super::field::{Invalid, Vocabulary};
use super::resource::Resource;
use super::Section;
use crate::scenario::{GatewayDoc, GatewayKind, LearnedRouteDoc, LearnedVia};

/// `VirtualNetworkGatewayType`; `None` for the kinds azpath does not model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct GatewayType(Option<GatewayKind>);

impl Vocabulary for GatewayType {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("Vpn", GatewayType(Some(GatewayKind::Vpn))),
        ("ExpressRoute", GatewayType(Some(GatewayKind::ExpressRoute))),
        ("LocalGateway", GatewayType(None)),
    ];
}

/// `VpnType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum VpnType {
    RouteBased,
    PolicyBased,
}

impl Vocabulary for VpnType {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("RouteBased", VpnType::RouteBased),
        ("PolicyBased", VpnType::PolicyBased),
    ];
}

pub(super) fn import(cx: &mut Context<'_>) {
    // Connections by the gateway they start from, found once.
    let mut connections: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for c in cx.of_kind("Microsoft.Network/connections") {
        let gw = cx
            .res(c)
            .and_then(|conn| conn.prop_str("/virtualNetworkGateway1/id"))
            .and_then(|id| cx.find(id));
        if let Some(gw) = gw {
            connections.entry(gw).or_default().push(c);
        }
    }
    for i in cx.of_kind("Microsoft.Network/virtualNetworkGateways") {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let name = cx.name(Ns::Gateway, &r.id, &r.name);
        let conns = connections.remove(&i).unwrap_or_default();
        match gateway(cx, r, &name, &conns) {
            Ok(Some(doc)) => cx.doc.gateways.push(doc),
            Ok(None) => cx.forget(Ns::Gateway, &r.id),
            Err(e) => {
                cx.forget(Ns::Gateway, &r.id);
                cx.invalid(None, format!("gateway {}", r.id), &e);
            }
        }
    }
}

fn gateway(
    cx: &mut Context<'_>,
    r: &Resource,
    name: &str,
    connections: &[usize],
) -> Result<Option<GatewayDoc>, Invalid> {
    let props = r.props();
    let GatewayType(kind) = props.vocab::<GatewayType>("/gatewayType")?;
    let vpn_type = props.opt_vocab::<VpnType>("/vpnType")?;
    let mut subnet_id = None;
    for c in props.items("/ipConfigurations")? {
        if let Some(id) = c.opt_str("/subnet/id")? {
            subnet_id.get_or_insert(id);
        }
    }
    let mut instance_ips: Vec<String> = Vec::new();
    for a in props.items("/bgpSettings/bgpPeeringAddresses")? {
        instance_ips.extend(a.strings("/defaultBgpIpAddresses")?);
    }
    if instance_ips.is_empty() {
        instance_ips = props
            .opt_str("/bgpSettings/bgpPeeringAddress")?
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect();
    }
    let Some(kind) = kind else {
        cx.skip(
            r.id.clone(),
            "local gateways (Azure Extended Zones) are not modelled",
        );
        return Ok(None);
    };
    let Some(subnet_id) = subnet_id else {
        return Err(props.missing(
            "/ipConfigurations/0/properties/subnet/id",
            "a gateway sits in its VNet's GatewaySubnet",
        ));
    };
    let Some(vnet) = cx.vnet_of_subnet(subnet_id) else {
        cx.skip(
            r.id.clone(),
            format!("its subnet {subnet_id} is not in an imported VNet"),
        );
        return Ok(None);
    };
    cx.comment(Section::Gateway, name, r.id.clone());
    if kind == GatewayKind::Vpn && vpn_type == Some(VpnType::PolicyBased) {
        cx.unmodelled(
            Section::Gateway,
            name,
            format!("VPN type of gateway `{name}`"),
            "policy-based: azpath models route-based gateways (BGP, transit, UDR next hop)",
        );
    }
    if instance_ips.is_empty() {
        cx.unmodelled(
            Section::Gateway,
            name,
            format!("instance addresses of gateway `{name}`"),
            "not in the input: routes it learns show no next hop IP until `instance_ips` are added",
        );
    }
    let learned = local_prefixes(cx, name, connections)?;
    cx.comment(
        Section::Gateway,
        name,
        "BGP-learned prefixes are not in the resource: add them to `learned`",
    );
    Ok(Some(GatewayDoc {
        name: text(name),
        vnet: text(vnet),
        kind,
        instance_ips: instance_ips.into_iter().map(text).collect(),
        learned,
        summarized_prefixes: Vec::new(),
    }))
}

/// The address spaces of the local network gateways that the gateway's connections lead to.
fn local_prefixes(
    cx: &mut Context<'_>,
    name: &str,
    connections: &[usize],
) -> Result<Vec<LearnedRouteDoc>, Invalid> {
    let mut learned = Vec::new();
    for &c in connections {
        let Some(conn) = cx.res(c) else { continue };
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
        let space = lng
            .props()
            .addresses("/localNetworkAddressSpace/addressPrefixes")?;
        cx.skip_ipv6(
            &space.v6,
            &format!("the address space of local network gateway {}", lng.id),
        );
        for p in space.v4 {
            learned.push(LearnedRouteDoc {
                prefix: text(p),
                via: LearnedVia::LocalNetworkGateway,
                next_hop_ips: Vec::new(),
            });
        }
    }
    Ok(learned)
}
