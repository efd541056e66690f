//! How VNets connect: peerings (no overlap, within Azure's limit), gateways and gateway
//! transit, and the checks of user-defined routes' next hops that need them.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;

use super::network::MAX_PEERINGS_PER_VNET;
use super::{find, Resolver};
use crate::model::addr::{first_overlap, prefixes_holding, sorted_by_start};
use crate::model::*;
use crate::scenario::{self as doc, Span};

impl Resolver {
    pub(super) fn peerings(&mut self, peerings: &[doc::PeeringDoc]) {
        for p in peerings {
            self.peering(p);
        }
    }

    /// One peering, unless Azure refuses it: a vnet with itself, a pair twice, overlapping
    /// spaces, or a transit vnet that is not one of the two.
    pub(super) fn peering(&mut self, p: &doc::PeeringDoc) {
        let a = self.found(find(&self.vnet_ids, &p.between.0, "vnet"));
        let b = self.found(find(&self.vnet_ids, &p.between.1, "vnet"));
        let transit = p.gateway_transit.as_ref().and_then(|t| {
            self.found(find(&self.vnet_ids, t, "vnet"))
                .map(|id| (id, t.span))
        });
        let (Some(a), Some(b)) = (a, b) else { return };
        let span = p.between.0.span;
        if a == b {
            self.error(
                span,
                format!("vnet `{}` is peered with itself", p.between.0.value),
                Some("name two different vnets".into()),
            );
            return;
        }
        if self.peers(a).contains(&b) {
            self.error(
                span,
                format!(
                    "vnets `{}` and `{}` are peered twice",
                    p.between.0.value, p.between.1.value
                ),
                Some("one entry declares both directions of a peering".into()),
            );
            return;
        }
        if [a, b]
            .iter()
            .any(|v| self.peering_count(*v) >= MAX_PEERINGS_PER_VNET)
        {
            // Over Azure's limit: `peering_limits` refuses it; no overlap work on top.
            self.add_peering(p, a, b, transit.map(|(t, _)| t), span);
            return;
        }
        if self.overlap_refused(p, a, b, span) {
            return;
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
                return;
            }
        }
        if !p.allow_virtual_network_access {
            self.warn(
                span,
                format!("peering of `{}` and `{}` does not allow virtual network access", p.between.0.value, p.between.1.value),
                Some("azpath keeps the peering routes (how Azure shows them is undocumented) and leaves the peer out of the `VirtualNetwork` tag; traces stop at the peering".into()),
            );
        }
        self.add_peering(p, a, b, transit.map(|(t, _)| t), span);
    }

    /// Whether Azure refuses peering `a` and `b` for overlapping address spaces: each other's,
    /// or those of a vnet either is already peered with.
    fn overlap_refused(&mut self, p: &doc::PeeringDoc, a: VnetId, b: VnetId, span: Span) -> bool {
        if let Some((x, y)) = self.first_overlap(a, b) {
            self.error(
                span,
                format!(
                    "peered vnets `{}` and `{}` overlap: `{x}` and `{y}`",
                    p.between.0.value, p.between.1.value
                ),
                Some("Azure refuses to peer vnets whose address spaces overlap".into()),
            );
            return true;
        }
        let clash = [(a, b), (b, a)].into_iter().find_map(|(x, y)| {
            self.peers(x)
                .into_iter()
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
            return true;
        }
        false
    }

    fn add_peering(
        &mut self,
        p: &doc::PeeringDoc,
        a: VnetId,
        b: VnetId,
        gateway_transit: Option<VnetId>,
        span: Span,
    ) {
        let id = PeeringId(self.net.peerings.len());
        for v in [a, b] {
            if let Some(vnet) = self.net.vnets.get_mut(v) {
                vnet.peerings.push(id);
            }
        }
        self.net.peerings.push(Peering {
            vnets: [a, b],
            allow_virtual_network_access: p.allow_virtual_network_access,
            allow_forwarded_traffic: p.allow_forwarded_traffic,
            gateway_transit,
            state: p.state,
            span,
        });
    }

    /// The VNets `vnet` is peered with, in any state: from its own peering list, so a check
    /// costs its peerings (at most Azure's limit), not every peering of the file.
    pub(super) fn peers(&self, vnet: VnetId) -> Vec<VnetId> {
        self.net
            .vnet(vnet)
            .into_iter()
            .flat_map(|v| v.peerings.iter())
            .filter_map(|id| self.net.peerings.get(*id))
            .filter_map(|q| q.remote_of(vnet))
            .collect()
    }

    fn peering_count(&self, vnet: VnetId) -> usize {
        self.net.vnet(vnet).map_or(0, |v| v.peerings.len())
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

    /// The first pair of prefixes of `a` and `b` that overlap: a merge of the two sorted
    /// address spaces, O(n log n).
    pub(super) fn first_overlap(&self, a: VnetId, b: VnetId) -> Option<(IpNet, IpNet)> {
        let (va, vb) = (self.net.vnet(a)?, self.net.vnet(b)?);
        first_overlap(
            &sorted_by_start(&va.address_space),
            &sorted_by_start(&vb.address_space),
        )
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
                .and_then(|id| self.net.subnet(*id).map(|s| (*id, s.prefix)));
            let Some((subnet, gateway_subnet)) = gateway_subnet else {
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
            // The VNet's own gateways, not every gateway of the file.
            let same_kind = self
                .net
                .vnet(vnet)
                .into_iter()
                .flat_map(|v| v.gateways.iter())
                .filter_map(|id| self.net.gateways.get(*id))
                .find(|o| o.kind == g.kind);
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
            let instance_ips = self.instance_ips(g, &vnet_name, gateway_subnet);
            let learned = self.learned_routes(g, &instance_ips);
            let summarized_prefixes = g
                .summarized_prefixes
                .iter()
                .filter_map(|t| self.prefix(t, "summarized gateway prefix"))
                .collect();
            let id = GatewayId(self.net.gateways.len());
            if let Some(v) = self.net.vnets.get_mut(vnet) {
                v.gateways.push(id);
            }
            self.net.gateways.push(Gateway {
                name: g.name.value.clone(),
                vnet,
                kind: g.kind,
                instance_ips,
                learned,
                subnet,
                summarized_prefixes,
                span: g.name.span,
            });
        }
    }

    /// A gateway's instance addresses, each inside the vnet's `GatewaySubnet`.
    fn instance_ips(
        &mut self,
        g: &doc::GatewayDoc,
        vnet_name: &str,
        gateway_subnet: IpNet,
    ) -> Vec<IpAddr> {
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
        instance_ips
    }

    /// The prefixes a gateway learned; with no next hop named, its instances are the next hops.
    fn learned_routes(
        &mut self,
        g: &doc::GatewayDoc,
        instance_ips: &[IpAddr],
    ) -> Vec<LearnedRoute> {
        let mut learned = Vec::new();
        for l in &g.learned {
            let prefix = self.prefix(&l.prefix, "learned prefix");
            let ips: Vec<IpAddr> = l
                .next_hop_ips
                .iter()
                .filter_map(|t| self.host_ip(t, "next hop address"))
                .collect();
            if let Some(prefix) = prefix {
                let next_hop_ips = if l.next_hop_ips.is_empty() {
                    instance_ips.to_vec()
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
        learned
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
    ///   any NIC or internal load balancer address) and not one Azure reserves in a subnet (both
    ///   are IPv4: IPv6 is refused when parsed);
    /// - a `VirtualNetworkGateway` UDR needs a route-based VPN gateway the subnet can use (its own
    ///   VNet's or through gateway transit), and no ExpressRoute gateway beside it (warning: Azure
    ///   accepts the table, the route just leads nowhere).
    pub(super) fn udr_next_hops(&mut self) {
        self.appliance_next_hops();
        self.gateway_next_hops();
    }

    /// A virtual appliance next hop is a private address, or one in a vnet, and not one Azure
    /// reserves in a subnet.
    fn appliance_next_hops(&mut self) {
        // Indexed by prefix: the prefixes holding an address are its 33 truncations, so each
        // look-up is O(log n), not a scan of every VNet and subnet.
        let spaces: BTreeSet<IpNet> = self
            .net
            .vnets
            .iter()
            .flat_map(|v| v.address_space.iter().copied())
            .collect();
        let mut first_subnet: BTreeMap<IpNet, SubnetId> = BTreeMap::new();
        for (i, s) in self.net.subnets.iter_ids() {
            first_subnet.entry(s.prefix).or_insert(i);
        }
        let tables = self.net.route_tables.clone();
        for table in &tables {
            for route in &table.routes {
                let (NextHopType::VirtualAppliance, Some(ip)) =
                    (route.next_hop.next_hop_type, route.next_hop.ip)
                else {
                    continue;
                };
                let at = format!("route `{}` in `{}`", route.name, table.name);
                let in_a_vnet = prefixes_holding(ip).any(|p| spaces.contains(&p));
                if !is_private(ip) && !in_a_vnet {
                    self.error(
                        route.span,
                        format!("{at} sends traffic to virtual appliance `{ip}`, which is not a private address"),
                        Some("a virtual appliance next hop is the private IP of a NIC or an internal load balancer".into()),
                    );
                } else if let Some(subnet) = prefixes_holding(ip)
                    .filter_map(|p| first_subnet.get(&p))
                    .min()
                    .and_then(|i| self.net.subnets.get(*i))
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
    }

    /// UDRs on subnets: a
    /// `VirtualNetworkGateway` next hop needs a route-based VPN gateway (and no ExpressRoute).
    fn gateway_next_hops(&mut self) {
        for subnet in self.net.subnets.clone() {
            let Some(table) = subnet
                .route_table
                .and_then(|t| self.net.route_table(t))
                .cloned()
            else {
                continue;
            };
            let gateways = self.usable_gateways(subnet.vnet);
            let has_vpn = gateways.contains(&GatewayKind::Vpn);
            let has_er = gateways.contains(&GatewayKind::ExpressRoute);
            for route in &table.routes {
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
            .filter_map(|g| self.net.gateways.get(g).map(|g| g.kind))
            .collect()
    }
}
