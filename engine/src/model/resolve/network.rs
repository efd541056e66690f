//! The network sections: route tables, VNets and subnets, peerings, gateways.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;

use super::{find, overlaps, Resolver, MAX_ROUTES_PER_TABLE};
use crate::model::*;
use crate::scenario::{self as doc, NextHopDoc, Span, Text};

/// Ranges Azure refuses in a VNet's address space, with what they are.
const FORBIDDEN_SPACES: [(&str, &str); 5] = [
    ("224.0.0.0/4", "the multicast range"),
    ("255.255.255.255/32", "the broadcast address"),
    ("127.0.0.0/8", "the loopback range"),
    ("169.254.0.0/16", "the link-local range"),
    ("168.63.129.16/32", "Azure's host address"),
];

/// Azure's limit on subnets in one VNet.
pub const MAX_SUBNETS_PER_VNET: usize = 3000;
/// Azure's limit on peerings of one VNet.
pub const MAX_PEERINGS_PER_VNET: usize = 500;

impl Resolver {
    pub(super) fn service_prefixes(&mut self, services: &[doc::ServicePrefixesDoc]) {
        let mut seen = BTreeMap::new();
        for s in services {
            if !self.unique(&mut seen, &s.service, "service") {
                continue;
            }
            let prefixes = s
                .prefixes
                .iter()
                .filter_map(|p| self.prefix(p, "service prefix"))
                .collect();
            self.net
                .service_prefixes
                .push((s.service.value.clone(), prefixes));
        }
    }

    pub(super) fn route_tables(&mut self, tables: &[doc::RouteTableDoc]) {
        let mut seen = BTreeMap::new();
        for t in tables {
            if !self.unique(&mut seen, &t.name, "route table") {
                continue;
            }
            if t.routes.len() > MAX_ROUTES_PER_TABLE {
                self.error(
                    t.name.span,
                    format!(
                        "route table `{}` has {} routes, more than Azure's limit of {MAX_ROUTES_PER_TABLE}",
                        t.name.value,
                        t.routes.len()
                    ),
                    Some("summarise prefixes, or enable route-table network policies and route whole address spaces".into()),
                );
            }
            let mut names = BTreeMap::new();
            let mut prefixes: BTreeMap<IpNet, String> = BTreeMap::new();
            let mut routes = Vec::new();
            for route in &t.routes {
                let name_ok = self.unique(&mut names, &route.name, "route");
                let prefix = self.prefix(&route.prefix, "route prefix");
                let next_hop = self.udr_next_hop(&route.next_hop, &route.name);
                if let Some(p) = prefix {
                    if let Some(other) = prefixes.get(&p) {
                        self.error(
                            route.prefix.span,
                            format!(
                                "routes `{other}` and `{}` in `{}` have the same prefix `{p}`",
                                route.name.value, t.name.value
                            ),
                            Some("a route table holds one route per prefix; remove one".into()),
                        );
                        continue;
                    }
                    prefixes.insert(p, route.name.value.clone());
                }
                if let (true, Some(prefix), Some(next_hop)) = (name_ok, prefix, next_hop) {
                    routes.push(UserRoute {
                        name: route.name.value.clone(),
                        prefix,
                        next_hop,
                        span: route.name.span,
                    });
                }
            }
            self.table_ids.insert(
                t.name.value.clone(),
                RouteTableId(self.net.route_tables.len()),
            );
            self.net.route_tables.push(RouteTable {
                name: t.name.value.clone(),
                propagate_gateway_routes: t.propagate_gateway_routes,
                routes,
                span: t.name.span,
            });
        }
    }

    pub(super) fn udr_next_hop(&mut self, hop: &NextHopDoc, route: &Text) -> Option<NextHop> {
        let (next_hop_type, ip) = self.next_hop_doc(hop)?;
        if !next_hop_type.allowed_in_udr() {
            self.error(
                route.span,
                format!("route `{}` uses next hop `{next_hop_type}`, which a user-defined route cannot use", route.value),
                Some("use VirtualAppliance, VirtualNetworkGateway, VnetLocal, Internet or None".into()),
            );
            return None;
        }
        Some(NextHop { next_hop_type, ip })
    }

    /// A written next hop as a type and optional IP (`VirtualAppliance` carries one).
    pub(super) fn next_hop_doc(
        &mut self,
        hop: &NextHopDoc,
    ) -> Option<(NextHopType, Option<IpAddr>)> {
        Some(match hop {
            NextHopDoc::VirtualAppliance(ip) => (
                NextHopType::VirtualAppliance,
                Some(self.ip(ip, "virtual appliance address")?),
            ),
            NextHopDoc::VirtualNetworkGateway => (NextHopType::VirtualNetworkGateway, None),
            NextHopDoc::VnetLocal => (NextHopType::VnetLocal, None),
            NextHopDoc::Internet => (NextHopType::Internet, None),
            NextHopDoc::None => (NextHopType::None, None),
            NextHopDoc::VNetPeering => (NextHopType::VNetPeering, None),
            NextHopDoc::VNetGlobalPeering => (NextHopType::VNetGlobalPeering, None),
            NextHopDoc::VirtualNetworkServiceEndpoint => {
                (NextHopType::VirtualNetworkServiceEndpoint, None)
            }
            NextHopDoc::InterfaceEndpoint => (NextHopType::InterfaceEndpoint, None),
        })
    }

    pub(super) fn vnets(&mut self, vnets: &[doc::VnetDoc]) {
        let mut seen = BTreeMap::new();
        for v in vnets {
            if !self.unique(&mut seen, &v.name, "vnet") {
                continue;
            }
            if v.address_space.is_empty() {
                self.error(
                    v.name.span,
                    format!("vnet `{}` has no address space", v.name.value),
                    Some("add `address_space: [\"10.0.0.0/16\"]`".into()),
                );
            }
            let mut space: Vec<IpNet> = Vec::new();
            for text in &v.address_space {
                let Some(p) = self.prefix(text, "address prefix") else {
                    continue;
                };
                let forbidden = FORBIDDEN_SPACES
                    .iter()
                    .filter_map(|(f, what)| f.parse::<IpNet>().ok().map(|n| (n, *what)))
                    .find(|(n, _)| overlaps(*n, p));
                if let Some((range, what)) = forbidden {
                    self.error(
                        text.span,
                        format!("address prefix `{p}` of vnet `{}` overlaps `{range}`, {what}", v.name.value),
                        Some("Azure does not allow it in a vnet's address space; use private ranges such as 10.0.0.0/8".into()),
                    );
                    continue;
                }
                if let Some(other) = space.iter().find(|o| overlaps(**o, p)) {
                    self.error(
                        text.span,
                        format!(
                            "address prefix `{p}` of vnet `{}` overlaps `{other}`",
                            v.name.value
                        ),
                        Some("a vnet's address prefixes must not overlap".into()),
                    );
                    continue;
                }
                space.push(p);
            }
            let vnet_id = VnetId(self.net.vnets.len());
            self.vnet_ids.insert(v.name.value.clone(), vnet_id);
            let subnets = self.subnets(v, vnet_id, &space);
            let dns_servers = v
                .dns_servers
                .iter()
                .filter_map(|t| self.ip(t, "DNS server"))
                .collect();
            self.net.vnets.push(Vnet {
                name: v.name.value.clone(),
                region: v.region.value.clone(),
                address_space: space,
                subnets,
                gateways: Vec::new(),
                peerings: Vec::new(),
                hub: None,
                dns_servers,
                span: v.name.span,
            });
        }
    }

    pub(super) fn subnets(
        &mut self,
        v: &doc::VnetDoc,
        vnet: VnetId,
        space: &[IpNet],
    ) -> Vec<SubnetId> {
        let mut seen = BTreeMap::new();
        let mut ids: Vec<SubnetId> = Vec::new();
        if v.subnets.len() > MAX_SUBNETS_PER_VNET {
            self.error(
                v.name.span,
                format!(
                    "vnet `{}` has {} subnets, more than Azure's limit of {MAX_SUBNETS_PER_VNET}",
                    v.name.value,
                    v.subnets.len()
                ),
                Some("split the address space across several vnets".into()),
            );
        }
        for s in &v.subnets {
            if !self.unique(&mut seen, &s.name, "subnet") {
                continue;
            }
            let name = format!("{}/{}", v.name.value, s.name.value);
            let Some(prefix) = self.prefix(&s.prefix, "subnet prefix") else {
                continue;
            };
            if !space.iter().any(|p| p.contains(&prefix)) && !space.is_empty() {
                let spaces: Vec<String> = space.iter().map(|p| format!("`{p}`")).collect();
                self.error(
                    s.prefix.span,
                    format!("subnet `{name}` prefix `{prefix}` is outside the address space of vnet `{}`", v.name.value),
                    Some(format!("the vnet's address space is {}", spaces.join(", "))),
                );
                continue;
            }
            let size_hint = match prefix {
                IpNet::V4(p4) if p4.prefix_len() > 29 => {
                    Some("Azure's smallest IPv4 subnet is a /29")
                }
                IpNet::V6(p6) if p6.prefix_len() != 64 => {
                    Some("Azure's IPv6 subnets are exactly /64")
                }
                _ => None,
            };
            if let Some(hint) = size_hint {
                self.error(
                    s.prefix.span,
                    format!("subnet `{name}` prefix `{prefix}` has a size Azure does not allow"),
                    Some(hint.into()),
                );
                continue;
            }
            if let Some(other) = ids
                .iter()
                .filter_map(|id| self.net.subnets.get(id.0))
                .find(|o| overlaps(o.prefix, prefix))
            {
                let message = format!(
                    "subnet `{name}` prefix `{prefix}` overlaps subnet `{}` (`{}`)",
                    other.name, other.prefix
                );
                self.error(
                    s.prefix.span,
                    message,
                    Some("subnets of a vnet must not overlap".into()),
                );
                continue;
            }
            let nsg = s
                .nsg
                .as_ref()
                .and_then(|t| self.found(find(&self.nsg_ids, t, "nsg")));
            let route_table = s
                .route_table
                .as_ref()
                .and_then(|t| self.found(find(&self.table_ids, t, "route table")));
            for se in &s.service_endpoints {
                if !self
                    .net
                    .service_prefixes
                    .iter()
                    .any(|(svc, _)| *svc == se.value)
                {
                    self.warn(
                        se.span,
                        format!(
                            "service endpoint `{}` has no prefixes declared, so it adds no routes",
                            se.value
                        ),
                        Some(
                            "list the service's public prefixes in `service_endpoint_prefixes`"
                                .into(),
                        ),
                    );
                }
            }
            let id = SubnetId(self.net.subnets.len());
            self.subnet_ids.insert(name.clone(), id);
            self.net.subnets.push(Subnet {
                name,
                vnet,
                prefix,
                route_table,
                private_endpoint_network_policies: s.private_endpoint_network_policies,
                nsg,
                service_endpoints: s
                    .service_endpoints
                    .iter()
                    .map(|t| t.value.clone())
                    .collect(),
                span: s.name.span,
            });
            ids.push(id);
        }
        ids
    }

    pub(super) fn peerings(&mut self, peerings: &[doc::PeeringDoc]) {
        for p in peerings {
            let a = self.found(find(&self.vnet_ids, &p.between.0, "vnet"));
            let b = self.found(find(&self.vnet_ids, &p.between.1, "vnet"));
            let transit = p.gateway_transit.as_ref().and_then(|t| {
                self.found(find(&self.vnet_ids, t, "vnet"))
                    .map(|id| (id, t.span))
            });
            let (Some(a), Some(b)) = (a, b) else { continue };
            let span = p.between.0.span;
            if a == b {
                self.error(
                    span,
                    format!("vnet `{}` is peered with itself", p.between.0.value),
                    Some("name two different vnets".into()),
                );
                continue;
            }
            if self.net.peerings.iter().any(|q| q.remote_of(a) == Some(b)) {
                self.error(
                    span,
                    format!(
                        "vnets `{}` and `{}` are peered twice",
                        p.between.0.value, p.between.1.value
                    ),
                    Some("one entry declares both directions of a peering".into()),
                );
                continue;
            }
            if let Some((x, y)) = self.first_overlap(a, b) {
                self.error(
                    span,
                    format!(
                        "peered vnets `{}` and `{}` overlap: `{x}` and `{y}`",
                        p.between.0.value, p.between.1.value
                    ),
                    Some("Azure refuses to peer vnets whose address spaces overlap".into()),
                );
                continue;
            }
            let clash = [(a, b), (b, a)].into_iter().find_map(|(x, y)| {
                self.net
                    .peerings
                    .iter()
                    .filter_map(|q| q.remote_of(x))
                    .find_map(|other| self.first_overlap(other, y).map(|o| (x, other, y, o)))
            });
            if let Some((x, other, y, (p1, p2))) = clash {
                let name = |id: VnetId| {
                    self.net
                        .vnet(id)
                        .map(|v| v.name.clone())
                        .unwrap_or_default()
                };
                let message = format!(
                    "vnet `{}` is already peered with `{}`, whose `{p1}` overlaps `{p2}` of `{}`",
                    name(x),
                    name(other),
                    name(y)
                );
                self.error(
                    span,
                    message,
                    Some("the vnets peered with one vnet must not overlap each other".into()),
                );
                continue;
            }
            if let Some((t, tspan)) = transit {
                if t != a && t != b {
                    self.error(
                        tspan,
                        "`gateway_transit` must name one of the two peered vnets".into(),
                        Some(format!(
                            "`{}` or `{}`",
                            p.between.0.value, p.between.1.value
                        )),
                    );
                    continue;
                }
            }
            if !p.allow_virtual_network_access {
                self.warn(
                    span,
                    format!("peering of `{}` and `{}` does not allow virtual network access", p.between.0.value, p.between.1.value),
                    Some("azpath keeps the peering routes (how Azure shows them is undocumented) and leaves the peer out of the `VirtualNetwork` tag; traces stop at the peering".into()),
                );
            }
            let id = PeeringId(self.net.peerings.len());
            for v in [a, b] {
                if let Some(vnet) = self.net.vnets.get_mut(v.0) {
                    vnet.peerings.push(id);
                }
            }
            self.net.peerings.push(Peering {
                vnets: [a, b],
                allow_virtual_network_access: p.allow_virtual_network_access,
                allow_forwarded_traffic: p.allow_forwarded_traffic,
                gateway_transit: transit.map(|(t, _)| t),
                state: p.state,
                span,
            });
        }
    }

    /// Azure's limit on peerings per VNet.
    pub(super) fn peering_limits(&mut self) {
        let over: Vec<(Span, String, usize)> = self
            .net
            .vnets
            .iter()
            .filter(|v| v.peerings.len() > MAX_PEERINGS_PER_VNET)
            .map(|v| (v.span, v.name.clone(), v.peerings.len()))
            .collect();
        for (span, name, count) in over {
            self.error(
                span,
                format!("vnet `{name}` has {count} peerings, more than Azure's limit of {MAX_PEERINGS_PER_VNET}"),
                Some("use a virtual WAN hub or fewer, larger spokes".into()),
            );
        }
    }

    pub(super) fn first_overlap(&self, a: VnetId, b: VnetId) -> Option<(IpNet, IpNet)> {
        let (va, vb) = (self.net.vnet(a)?, self.net.vnet(b)?);
        va.address_space.iter().find_map(|x| {
            vb.address_space
                .iter()
                .find(|y| overlaps(*x, **y))
                .map(|y| (*x, *y))
        })
    }

    pub(super) fn gateways(&mut self, gateways: &[doc::GatewayDoc]) {
        let mut seen = BTreeMap::new();
        for g in gateways {
            if !self.unique(&mut seen, &g.name, "gateway") {
                continue;
            }
            let Some(vnet) = self.found(find(&self.vnet_ids, &g.vnet, "vnet")) else {
                continue;
            };
            let vnet_name = g.vnet.value.clone();
            let gateway_subnet = self
                .subnet_ids
                .get(&format!("{vnet_name}/GatewaySubnet"))
                .and_then(|id| self.net.subnet(*id))
                .map(|s| s.prefix);
            let Some(gateway_subnet) = gateway_subnet else {
                self.error(
                    g.vnet.span,
                    format!(
                        "gateway `{}` needs a subnet named `GatewaySubnet` in vnet `{vnet_name}`",
                        g.name.value
                    ),
                    Some("add `(name: \"GatewaySubnet\", prefix: \"…/27\")` to the vnet".into()),
                );
                continue;
            };
            let same_kind = self
                .net
                .gateways
                .iter()
                .find(|o| o.vnet == vnet && o.kind == g.kind);
            if let Some(other) = same_kind {
                let message = format!(
                    "vnet `{vnet_name}` already has a {:?} gateway `{}`",
                    g.kind, other.name
                );
                self.error(
                    g.name.span,
                    message,
                    Some("a vnet has at most one VPN and one ExpressRoute gateway".into()),
                );
                continue;
            }
            let mut instance_ips = Vec::new();
            for text in &g.instance_ips {
                let Some(ip) = self.ip(text, "gateway instance address") else {
                    continue;
                };
                if !gateway_subnet.contains(&ip) {
                    self.error(
                        text.span,
                        format!("gateway instance address `{ip}` is outside `{vnet_name}/GatewaySubnet` (`{gateway_subnet}`)"),
                        Some("gateway instances take addresses from GatewaySubnet".into()),
                    );
                    continue;
                }
                instance_ips.push(ip);
            }
            let mut learned = Vec::new();
            for l in &g.learned {
                let prefix = self.prefix(&l.prefix, "learned prefix");
                let ips: Vec<IpAddr> = l
                    .next_hop_ips
                    .iter()
                    .filter_map(|t| self.ip(t, "next hop address"))
                    .collect();
                if let Some(prefix) = prefix {
                    let next_hop_ips = if l.next_hop_ips.is_empty() {
                        instance_ips.clone()
                    } else {
                        ips
                    };
                    learned.push(LearnedRoute {
                        prefix,
                        via: l.via,
                        next_hop_ips,
                    });
                }
            }
            let id = GatewayId(self.net.gateways.len());
            if let Some(v) = self.net.vnets.get_mut(vnet.0) {
                v.gateways.push(id);
            }
            self.net.gateways.push(Gateway {
                name: g.name.value.clone(),
                vnet,
                kind: g.kind,
                instance_ips,
                learned,
                span: g.name.span,
            });
        }
    }

    /// Gateway transit needs a gateway on the offering side, none on the using side, and at most
    /// one peering per VNet that uses remote gateways (`useRemoteGateways`).
    pub(super) fn gateway_transit(&mut self) {
        let mut users: BTreeMap<VnetId, Span> = BTreeMap::new();
        let peerings = self.net.peerings.clone();
        for p in &peerings {
            let Some(provider) = p.gateway_transit else {
                continue;
            };
            let Some(user) = p.remote_of(provider) else {
                continue;
            };
            let name = |id: VnetId| {
                self.net
                    .vnet(id)
                    .map(|v| v.name.clone())
                    .unwrap_or_default()
            };
            let (provider_name, user_name) = (name(provider), name(user));
            if self
                .net
                .vnet(provider)
                .is_some_and(|v| v.gateways.is_empty())
            {
                self.error(
                    p.span,
                    format!("vnet `{provider_name}` offers gateway transit but has no gateway"),
                    Some("declare a gateway in it, or remove `gateway_transit`".into()),
                );
            }
            if self.net.vnet(user).is_some_and(|v| !v.gateways.is_empty()) {
                self.error(
                    p.span,
                    format!("vnet `{user_name}` cannot use the remote gateways of `{provider_name}`: it has a gateway of its own"),
                    Some("Azure allows `useRemoteGateways` only on a vnet without a gateway".into()),
                );
            }
            if users.insert(user, p.span).is_some() {
                self.error(
                    p.span,
                    format!("vnet `{user_name}` uses remote gateways over more than one peering"),
                    Some("Azure allows `useRemoteGateways` on one peering per vnet".into()),
                );
            }
        }
    }

    /// Checks of each UDR that need the whole network:
    /// - a `VirtualAppliance` address must be private (or inside a declared VNet: Azure accepts
    ///   any NIC or internal load balancer address), of the prefix's family, and not one Azure
    ///   reserves in a subnet;
    /// - a `VirtualNetworkGateway` UDR needs a route-based VPN gateway the subnet can use (its own
    ///   VNet's or through gateway transit), and no ExpressRoute gateway beside it (warning: Azure
    ///   accepts the table, the route just leads nowhere).
    pub(super) fn udr_next_hops(&mut self) {
        let spaces: Vec<IpNet> = self
            .net
            .vnets
            .iter()
            .flat_map(|v| v.address_space.clone())
            .collect();
        let tables = self.net.route_tables.clone();
        for table in &tables {
            for route in &table.routes {
                let (NextHopType::VirtualAppliance, Some(ip)) =
                    (route.next_hop.next_hop_type, route.next_hop.ip)
                else {
                    continue;
                };
                let at = format!("route `{}` in `{}`", route.name, table.name);
                if !is_private(ip) && !spaces.iter().any(|s| s.contains(&ip)) {
                    self.error(
                        route.span,
                        format!("{at} sends traffic to virtual appliance `{ip}`, which is not a private address"),
                        Some("a virtual appliance next hop is the private IP of a NIC or an internal load balancer".into()),
                    );
                } else if ip.is_ipv4() != matches!(route.prefix, IpNet::V4(_)) {
                    self.error(
                        route.span,
                        format!("{at} sends `{}` traffic to virtual appliance `{ip}` of the other IP family", route.prefix),
                        Some("the next hop address must be of the same family as the prefix".into()),
                    );
                } else if let Some(subnet) =
                    self.net.subnets.iter().find(|s| s.prefix.contains(&ip))
                {
                    if reserved_addresses(subnet.prefix).contains(&ip) {
                        self.error(
                            route.span,
                            format!("{at} sends traffic to `{ip}`, an address Azure reserves in subnet `{}`", subnet.name),
                            Some("no NIC can hold it; point the route at the appliance's own address".into()),
                        );
                    }
                }
            }
        }
        for subnet in self.net.subnets.clone() {
            let Some(table) = subnet
                .route_table
                .and_then(|t| self.net.route_table(t))
                .cloned()
            else {
                continue;
            };
            let gateway_subnet = subnet.name.ends_with("/GatewaySubnet");
            if gateway_subnet && !table.propagate_gateway_routes {
                self.warn(
                    table.span,
                    format!(
                        "route table `{}` stops gateway route propagation on `{}`",
                        table.name, subnet.name
                    ),
                    Some("Azure warns never to turn propagation off on GatewaySubnet".into()),
                );
            }
            let gateways = self.usable_gateways(subnet.vnet);
            let has_vpn = gateways.contains(&GatewayKind::Vpn);
            let has_er = gateways.contains(&GatewayKind::ExpressRoute);
            for route in &table.routes {
                if gateway_subnet && route.prefix.prefix_len() == 0 && has_vpn {
                    self.warn(
                        route.span,
                        format!(
                            "route `{}` puts a default route on `{}`",
                            route.name, subnet.name
                        ),
                        Some(
                            "Azure warns against a 0.0.0.0/0 UDR on a VPN gateway's GatewaySubnet"
                                .into(),
                        ),
                    );
                }
                if route.next_hop.next_hop_type == NextHopType::VirtualNetworkGateway
                    && (!has_vpn || has_er)
                {
                    let why = if has_er {
                        "an ExpressRoute gateway cannot be a UDR next hop, nor a VPN gateway beside one"
                    } else {
                        "it has no VPN gateway, in its vnet or through gateway transit"
                    };
                    self.warn(
                        route.span,
                        format!("route `{}` in `{}` sends traffic from `{}` to VirtualNetworkGateway, but {why}", route.name, table.name, subnet.name),
                        Some("only a route-based VPN gateway can be the next hop of a UDR".into()),
                    );
                }
            }
        }
    }

    /// The kinds of the gateways a VNet's subnets use: its own, or the one it reaches through
    /// gateway transit.
    fn usable_gateways(&self, vnet: VnetId) -> Vec<GatewayKind> {
        let own = self
            .net
            .vnet(vnet)
            .map(|v| v.gateways.clone())
            .unwrap_or_default();
        let transit = self
            .net
            .connected_peers(vnet)
            .filter(|(p, remote)| p.gateway_transit == Some(*remote))
            .filter_map(|(_, remote)| self.net.vnet(remote))
            .flat_map(|v| v.gateways.clone());
        own.into_iter()
            .chain(transit)
            .filter_map(|g| self.net.gateways.get(g.0).map(|g| g.kind))
            .collect()
    }
}
