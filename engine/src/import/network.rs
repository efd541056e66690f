//! Virtual networks, their subnets and peerings.

use std::collections::{BTreeMap, BTreeSet};

use super::context::{text, Context, Ns};
use super::field::{is_ipv6, ByFamily, Invalid, Node, Vocabulary};
use super::resource::id_tail;
use super::Section;
use crate::scenario::{
    PeeringDoc, PeeringState, PrivateEndpointNetworkPolicies, SubnetDoc, VnetDoc,
};

const VNETS: &str = "Microsoft.Network/virtualNetworks";
const SUBNETS: &str = "Microsoft.Network/virtualNetworks/subnets";
const PEERINGS: &str = "Microsoft.Network/virtualNetworks/virtualNetworkPeerings";

/// `VirtualNetworkPrivateEndpointNetworkPolicies`.
impl Vocabulary for PrivateEndpointNetworkPolicies {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("Enabled", PrivateEndpointNetworkPolicies::Enabled),
        ("Disabled", PrivateEndpointNetworkPolicies::Disabled),
        (
            "NetworkSecurityGroupEnabled",
            PrivateEndpointNetworkPolicies::NetworkSecurityGroupEnabled,
        ),
        (
            "RouteTableEnabled",
            PrivateEndpointNetworkPolicies::RouteTableEnabled,
        ),
    ];
}

/// `VirtualNetworkPeeringState`.
impl Vocabulary for PeeringState {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("Initiated", PeeringState::Initiated),
        ("Connected", PeeringState::Connected),
        ("Disconnected", PeeringState::Disconnected),
    ];
}

pub(super) fn import(cx: &mut Context<'_>) {
    for i in cx.of_kind(VNETS) {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let props = r.props();
        let read = (|| {
            Ok::<_, Invalid>((
                r.location()?,
                props.addresses("/addressSpace/addressPrefixes")?,
                props.addresses("/dhcpOptions/dnsServers")?,
                props.items("/subnets")?,
            ))
        })();
        let (region, address_space, dns_servers, embedded) = match read {
            Ok(x) => x,
            Err(e) => {
                cx.forget(Ns::Vnet, &r.id);
                cx.invalid(None, format!("VNet {}", r.id), &e);
                continue;
            }
        };
        let name = cx.name(Ns::Vnet, &r.id, &r.name);
        cx.comment(Section::Vnet, &name, r.id.clone());
        cx.skip_ipv6(
            &address_space.v6,
            &format!("the address space of VNet `{name}`"),
        );
        cx.skip_ipv6(
            &dns_servers.v6,
            &format!("the DNS servers of VNet `{name}`"),
        );
        let mut subnets: Vec<SubnetDoc> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut children: Vec<Node<'_>> = Vec::new();
        for j in cx.children_of(&r.id, SUBNETS) {
            cx.take(j);
            children.extend(cx.res(j).map(|c| c.node()));
        }
        for s in embedded.iter().chain(children.iter()) {
            let Some(doc) = subnet(cx, &name, s) else {
                continue;
            };
            if seen.insert(doc.name.value.to_lowercase()) {
                cx.subnets.insert(format!("{name}/{}", doc.name.value));
                subnets.push(doc);
            }
        }
        cx.doc.vnets.push(VnetDoc {
            name: text(name),
            region: text(region),
            address_space: address_space.v4.into_iter().map(text).collect(),
            subnets,
            dns_servers: dns_servers.v4.into_iter().map(text).collect(),
        });
    }
}

fn subnet(cx: &mut Context<'_>, vnet: &str, s: &Node<'_>) -> Option<SubnetDoc> {
    // An ARM template names a child resource `vnet/subnet`; the subnet's own name is the last
    // segment.
    let full = s.value.get("name").and_then(|n| n.as_str()).unwrap_or("");
    let name = full.rsplit('/').next().unwrap_or(full);
    match read_subnet(cx, vnet, s, name) {
        Ok(doc) => doc,
        Err(e) => {
            cx.invalid(
                Some((Section::Vnet, vnet)),
                format!("subnet `{vnet}/{name}`"),
                &e,
            );
            None
        }
    }
}

fn read_subnet(
    cx: &mut Context<'_>,
    vnet: &str,
    s: &Node<'_>,
    name: &str,
) -> Result<Option<SubnetDoc>, Invalid> {
    if name.is_empty() {
        return Err(s.missing("/name", "the subnet's name"));
    }
    let mut prefixes = ByFamily::default();
    match s.opt_str("/addressPrefix")? {
        Some(p) if is_ipv6(p) => prefixes
            .v6
            .push((s.path_of("/addressPrefix"), p.to_string())),
        Some(p) => prefixes.v4.push(p.to_string()),
        None => prefixes = s.addresses("/addressPrefixes")?,
    }
    cx.skip_ipv6(&prefixes.v6, &format!("subnet `{vnet}/{name}`"));
    if prefixes.v4.is_empty() && !prefixes.v6.is_empty() {
        cx.skip(
            format!("subnet `{vnet}/{name}`"),
            "its prefixes are all IPv6, which azpath does not model (IPv4 only)",
        );
        return Ok(None);
    }
    let prefixes = prefixes.v4;
    // Azure's default when the subnet does not say.
    let policies = s
        .opt_vocab::<PrivateEndpointNetworkPolicies>("/privateEndpointNetworkPolicies")?
        .unwrap_or(PrivateEndpointNetworkPolicies::Disabled);
    let mut service_endpoints = Vec::new();
    for e in s.items("/serviceEndpoints")? {
        service_endpoints.push(text(e.str("/service")?));
    }
    let mut delegations = Vec::new();
    for d in s.items("/delegations")? {
        delegations.push(d.str("/serviceName")?.to_string());
    }
    // Azure lists the Application Gateway IP configurations a subnet holds on the subnet.
    let application_gateway = !s.items("/applicationGatewayIPConfigurations")?.is_empty();
    let route_table_id = s.opt_str("/routeTable/id")?;
    let nat_gateway = s.opt_str("/natGateway/id")?;
    let default_outbound = s.opt_bool("/defaultOutboundAccess")?;
    let nsg_id = s.opt_str("/networkSecurityGroup/id")?;
    let Some(prefix) = prefixes.first().cloned() else {
        return Err(s.missing(
            "/addressPrefix",
            "or `addressPrefixes`: a subnet has a prefix",
        ));
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
    let reference = |cx: &mut Context<'_>, id: Option<&str>, ns: Ns, what: &str| {
        let id = id?;
        let found = cx.name_of(ns, id);
        if found.is_none() {
            cx.comment(
                Section::Vnet,
                vnet,
                format!(
                    "subnet `{name}` uses {what} {id}, which is not in the input or was left out"
                ),
            );
            cx.skip(
                format!("{what} of subnet `{vnet}/{name}`: {id}"),
                "not in the input or left out: the subnet is imported without it",
            );
        }
        found
    };
    let route_table = reference(cx, route_table_id, Ns::RouteTable, "route table");
    let nsg = reference(cx, nsg_id, Ns::Nsg, "NSG");
    let nat_gateway = reference(cx, nat_gateway, Ns::NatGateway, "NAT gateway");
    for service in &delegations {
        cx.comment(
            Section::Vnet,
            vnet,
            format!("subnet `{name}` is delegated to {service}"),
        );
    }
    Ok(Some(SubnetDoc {
        name: text(name),
        prefix: text(prefix),
        route_table: route_table.map(text),
        private_endpoint_network_policies: policies,
        service_endpoints,
        nsg: nsg.map(text),
        nat_gateway: nat_gateway.map(text),
        default_outbound_access: default_outbound,
        delegations: delegations.iter().map(text).collect(),
        application_gateway,
    }))
}

/// One direction of a peering as Azure stores it.
struct Link {
    id: String,
    access: bool,
    forwarded: bool,
    allow_transit: bool,
    use_remote: bool,
    /// `None` when the input does not say (templates: Azure sets it on deployment).
    state: Option<PeeringState>,
}

/// Peerings: Azure keeps one link per direction; a scenario entry is both.
pub(super) fn peerings(cx: &mut Context<'_>) {
    let hub_connected: BTreeSet<String> = cx
        .of_kind("Microsoft.Network/virtualHubs/hubVirtualNetworkConnections")
        .into_iter()
        .filter_map(|i| cx.res(i)?.prop_str("/remoteVirtualNetwork/id"))
        .map(id_tail)
        .collect();
    let mut links: BTreeMap<(String, String), Link> = BTreeMap::new();
    let mut order = Vec::new();
    let mut ordered = BTreeSet::new();
    for i in cx.of_kind(VNETS) {
        let Some(r) = cx.res(i) else { continue };
        let Some(local) = cx.name_of(Ns::Vnet, &r.id) else {
            continue;
        };
        let mut all: Vec<Node<'_>> = match r.props().items("/virtualNetworkPeerings") {
            Ok(all) => all,
            Err(e) => {
                cx.invalid(
                    Some((Section::Vnet, &local)),
                    format!("peerings of VNet `{local}`"),
                    &e,
                );
                Vec::new()
            }
        };
        for j in cx.children_of(&r.id, PEERINGS) {
            cx.take(j);
            all.extend(cx.res(j).map(|c| c.node()));
        }
        for p in all {
            let id = p
                .value
                .get("id")
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .unwrap_or_else(|| {
                    format!(
                        "{} peering {}",
                        r.id,
                        p.value.get("name").and_then(|v| v.as_str()).unwrap_or("")
                    )
                });
            let link = match read_link(&p, id.clone()) {
                Ok(l) => l,
                Err(e) => {
                    cx.invalid(None, format!("peering {id}"), &e);
                    continue;
                }
            };
            let remote_id = p.str("/remoteVirtualNetwork/id").unwrap_or("");
            let Some(remote) = cx.name_of(Ns::Vnet, remote_id) else {
                let reason = if hub_connected.contains(&id_tail(&r.id)) {
                    "the peering of a virtual hub connection (imported as the hub's connection)"
                        .to_string()
                } else {
                    format!("its remote VNet {remote_id} is not in the input or was left out")
                };
                cx.skip(id, reason);
                continue;
            };
            let pair = if local <= remote {
                (local.clone(), remote.clone())
            } else {
                (remote.clone(), local.clone())
            };
            if ordered.insert(pair.clone()) {
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

/// One peering link, with Azure's documented defaults for the flags it leaves unset.
fn read_link(p: &Node<'_>, id: String) -> Result<Link, Invalid> {
    p.str("/remoteVirtualNetwork/id")?;
    Ok(Link {
        id,
        access: p.bool_or("/allowVirtualNetworkAccess", true)?,
        forwarded: p.bool_or("/allowForwardedTraffic", false)?,
        allow_transit: p.bool_or("/allowGatewayTransit", false)?,
        use_remote: p.bool_or("/useRemoteGateways", false)?,
        state: p.opt_vocab::<PeeringState>("/peeringState")?,
    })
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
        cx.unmodelled(
            Section::Peering,
            &key,
            format!("allowForwardedTraffic of peering `{key}`"),
            "differs between the two links: azpath writes one value for both, `true`",
        );
    }
    if links.iter().any(|l| l.state.is_none()) {
        cx.comment(
            Section::Peering,
            &key,
            "peeringState is not in the input (Azure sets it on deployment): taken as Connected",
        );
    }
    let state = links
        .iter()
        .map(|l| l.state.unwrap_or(PeeringState::Connected))
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
