//! Virtual hubs: each becomes a managed VNet with its router, each VNet connection a peering,
//! and Azure's rules for hubs are checked (one hub per VNet, no overlap, routing intent needs a
//! firewall and no custom route tables).

use std::net::IpAddr;

use ipnet::IpNet;

use super::{find, overlaps, Resolver};
use crate::model::*;
use crate::scenario::{self as doc, Text};

/// RFC 1918: what a private traffic policy sends to the firewall before any added prefixes.
const RFC1918: [&str; 3] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

impl Resolver {
    pub(super) fn virtual_hubs(&mut self, hubs: &[doc::VirtualHubDoc]) {
        for h in hubs {
            if !self.well_formed_name(&h.name, "virtual hub") {
                continue;
            }
            // Vnets and hubs are in `nic_names` by now, not yet any NIC.
            if let Some(other) = Self::taken(&self.nic_names, &h.name.value) {
                let case = if other == h.name.value {
                    String::new()
                } else {
                    format!(" (`{other}`: Azure names are case-insensitive)")
                };
                self.error(
                    h.name.span,
                    format!(
                        "virtual hub `{}` has the name of another vnet or hub{case}",
                        h.name.value
                    ),
                    Some(
                        "a hub is a managed vnet, so hub and vnet names share one namespace".into(),
                    ),
                );
                continue;
            }
            Self::reserve(&mut self.nic_names, &h.name.value, "virtual hub");
            let Some(prefix) = self.prefix(&h.address_prefix, "hub address prefix") else {
                continue;
            };
            if prefix.prefix_len() > 24 && matches!(prefix, IpNet::V4(_)) {
                self.error(
                    h.address_prefix.span,
                    format!("hub address prefix `{prefix}` is smaller than a /24"),
                    Some("Azure requires at least a /24 for a virtual hub".into()),
                );
                continue;
            }
            let router_ips = self.router_ips(h, prefix);
            let hub_id = VirtualHubId(self.net.virtual_hubs.len());
            let vnet = self.hub_vnet(h, prefix, hub_id, &router_ips);
            let tables = self.hub_tables(h);
            let intent = self.routing_intent(h, &tables);
            let mut hub = VirtualHub {
                name: h.name.value.clone(),
                region: h.region.value.clone(),
                address_prefix: prefix,
                router_ips,
                vnet,
                firewall: None,
                routing_intent: intent,
                tables,
                connections: Vec::new(),
                sites: Vec::new(),
                routing_preference: h.routing_preference.unwrap_or_default(),
                branch_propagate_to: vec![0],
                branch_labels: vec![DEFAULT_LABEL.to_string()],
                span: h.name.span,
            };
            if let Some(list) = &h.branch_propagate_to {
                hub.branch_propagate_to = list
                    .iter()
                    .filter_map(|t| self.hub_table(&hub, t))
                    .collect();
            }
            if let Some(list) = &h.branch_labels {
                hub.branch_labels = list.iter().map(|l| l.value.clone()).collect();
            }
            for c in &h.connections {
                if let Some(conn) = self.connection(&hub, c) {
                    self.hub_connected.insert(conn.vnet);
                    hub.connections.push(conn);
                }
            }
            hub.sites = self.sites(&h.sites);
            self.net.virtual_hubs.push(hub);
            // Static routes name connections, which exist only now.
            self.hub_static_routes(hub_id, h);
        }
        self.as_paths_stated(hubs);
    }

    /// Hub routing preference `AsPath` compares the AS paths of branch routes (Microsoft Learn,
    /// "Virtual hub routing preference": "AS Path … prefer routes with the shortest BGP AS-Path
    /// length"), so every branch a hub of the WAN can compare must state the path the hub sees.
    /// An unstated path would be taken as empty and win every tie: refused instead.
    fn as_paths_stated(&mut self, hubs: &[doc::VirtualHubDoc]) {
        let Some(by_path) = hubs
            .iter()
            .find(|h| matches!(h.routing_preference, Some(HubRoutingPreference::AsPath)))
        else {
            return;
        };
        for s in hubs.iter().flat_map(|h| &h.sites) {
            if s.as_path.is_empty() {
                self.error(
                    s.name.span,
                    format!(
                        "branch `{}` states no `as_path`, but hub `{}` chooses between branch routes by AS path",
                        s.name.value, by_path.name.value
                    ),
                    Some(
                        "give the AS path the hub's effective routes show for this branch (its ASN and any it prepends, without Microsoft's 12076)"
                            .into(),
                    ),
                );
            }
        }
    }

    fn router_ips(&mut self, h: &doc::VirtualHubDoc, prefix: IpNet) -> Vec<IpAddr> {
        if h.router_ips.is_empty() {
            return [68u32, 69]
                .into_iter()
                .filter_map(|offset| match prefix {
                    IpNet::V4(p) => Some(IpAddr::from(std::net::Ipv4Addr::from(
                        u32::from(p.network()).saturating_add(offset),
                    ))),
                    IpNet::V6(_) => None,
                })
                .collect();
        }
        let mut out = Vec::new();
        for t in &h.router_ips {
            let Some(ip) = self.ip(t, "hub router address") else {
                continue;
            };
            if !prefix.contains(&ip) {
                self.error(
                    t.span,
                    format!("hub router address `{ip}` is outside hub prefix `{prefix}`"),
                    Some("the router lives in the hub's address space".into()),
                );
                continue;
            }
            out.push(ip);
        }
        out
    }

    /// The hub's managed VNet, with a subnet for the router and one for a firewall.
    fn hub_vnet(
        &mut self,
        h: &doc::VirtualHubDoc,
        prefix: IpNet,
        hub: VirtualHubId,
        router_ips: &[IpAddr],
    ) -> VnetId {
        let vnet = VnetId(self.net.vnets.len());
        self.vnet_ids.insert(h.name.value.clone(), vnet);
        let mut subnets = Vec::new();
        for name in ["RouterSubnet", "AzureFirewallSubnet"] {
            let id = SubnetId(self.net.subnets.len());
            let full = format!("{}/{name}", h.name.value);
            self.subnet_ids.insert(full.clone(), id);
            self.net.subnets.push(Subnet {
                name: full,
                vnet,
                prefix,
                route_table: None,
                private_endpoint_network_policies: Default::default(),
                delegations: Vec::new(),
                application_gateway: false,
                service_endpoints: Vec::new(),
                nsg: None,
                span: h.name.span,
            });
            subnets.push(id);
        }
        for ip in router_ips {
            self.nic_ips
                .insert((vnet, *ip), format!("router of `{}`", h.name.value));
        }
        self.net.vnets.push(Vnet {
            name: h.name.value.clone(),
            region: h.region.value.clone(),
            address_space: vec![prefix],
            subnets,
            gateways: Vec::new(),
            peerings: Vec::new(),
            hub: Some(hub),
            dns_servers: Vec::new(),
            span: h.name.span,
        });
        vnet
    }

    fn hub_tables(&mut self, h: &doc::VirtualHubDoc) -> Vec<HubRouteTable> {
        let mut tables = vec![HubRouteTable {
            name: DEFAULT_ROUTE_TABLE.into(),
            labels: vec![DEFAULT_LABEL.into()],
            routes: Vec::new(),
        }];
        let mut names = std::collections::BTreeSet::from([DEFAULT_ROUTE_TABLE.to_string()]);
        for t in &h.route_tables {
            if !names.insert(t.name.value.clone()) || t.name.value == NONE_ROUTE_TABLE {
                self.error(
                    t.name.span,
                    format!("hub `{}` has route table `{}` twice", h.name.value, t.name.value),
                    Some("`defaultRouteTable` and `noneRouteTable` exist in every hub; give custom tables other names".into()),
                );
                continue;
            }
            tables.push(HubRouteTable {
                name: t.name.value.clone(),
                labels: t.labels.iter().map(|l| l.value.clone()).collect(),
                routes: Vec::new(),
            });
        }
        tables
    }

    fn routing_intent(
        &mut self,
        h: &doc::VirtualHubDoc,
        tables: &[HubRouteTable],
    ) -> RoutingIntent {
        let Some(ri) = &h.routing_intent else {
            return RoutingIntent::default();
        };
        if (ri.private_traffic || ri.internet_traffic) && tables.len() > 1 {
            self.error(
                h.name.span,
                format!(
                    "hub `{}` has routing intent and custom route tables",
                    h.name.value
                ),
                Some(
                    "Azure requires removing custom route tables before configuring routing intent"
                        .into(),
                ),
            );
        }
        let mut private_prefixes = Vec::new();
        if ri.private_traffic {
            private_prefixes.extend(RFC1918.iter().filter_map(|p| p.parse::<IpNet>().ok()));
        }
        for t in &ri.private_prefixes {
            if let Some(p) = self.prefix(t, "private traffic prefix") {
                private_prefixes.push(p);
            }
        }
        RoutingIntent {
            private: ri.private_traffic,
            internet: ri.internet_traffic,
            private_prefixes,
        }
    }

    fn connection(&mut self, hub: &VirtualHub, c: &doc::HubConnectionDoc) -> Option<HubConnection> {
        let vnet = self.found(find(&self.vnet_ids, &c.vnet, "vnet"))?;
        let span = c.vnet.span;
        if !self.connectable(hub, c, vnet)? {
            return None;
        }
        let associated = match &c.associated {
            Some(t) if t.value == NONE_ROUTE_TABLE => {
                self.error(
                    t.span,
                    "a connection cannot be associated with `noneRouteTable`".into(),
                    Some("associate it with `defaultRouteTable` or a custom table".into()),
                );
                0
            }
            Some(t) => self.hub_table(hub, t).unwrap_or(0),
            None => 0,
        };
        let propagate_to = match &c.propagate_to {
            Some(list) => list.iter().filter_map(|t| self.hub_table(hub, t)).collect(),
            None => vec![0],
        };
        let labels = match &c.labels {
            Some(list) => list.iter().map(|l| l.value.clone()).collect(),
            None => vec![DEFAULT_LABEL.to_string()],
        };
        let static_routes = self.connection_routes(c, vnet);
        let peering = self.connection_peering(vnet, hub.vnet, span);
        Some(HubConnection {
            vnet,
            peering,
            associated,
            propagate_to,
            labels,
            internet_security: c.internet_security,
            static_routes,
        })
    }

    /// Whether Azure accepts connecting `vnet` to `hub`: a vnet, not a hub; connected once; no
    /// gateway of its own; no address space overlapping the hub's. `None` when the vnet is gone.
    fn connectable(
        &mut self,
        hub: &VirtualHub,
        c: &doc::HubConnectionDoc,
        vnet: VnetId,
    ) -> Option<bool> {
        let span = c.vnet.span;
        let v = self.net.vnet(vnet)?;
        if v.hub.is_some() {
            self.error(
                span,
                format!("`{}` is a virtual hub, not a vnet", c.vnet.value),
                Some("hubs connect to each other by themselves".into()),
            );
            return Some(false);
        }
        if self.hub_connected.contains(&vnet) {
            self.error(
                span,
                format!("vnet `{}` is connected to a hub twice", c.vnet.value),
                Some("a vnet connects to one virtual hub".into()),
            );
            return Some(false);
        }
        if !v.gateways.is_empty() {
            self.error(
                span,
                format!(
                    "vnet `{}` has its own gateway and cannot connect to a virtual hub",
                    c.vnet.value
                ),
                Some("remove the gateway, or use the hub's gateway".into()),
            );
            return Some(false);
        }
        if let Some(p) = v
            .address_space
            .iter()
            .find(|p| overlaps(**p, hub.address_prefix))
        {
            self.error(
                span,
                format!(
                    "vnet `{}` prefix `{p}` overlaps hub `{}` (`{}`)",
                    c.vnet.value, hub.name, hub.address_prefix
                ),
                Some("Azure refuses connections whose address space overlaps the hub".into()),
            );
            return Some(false);
        }
        Some(true)
    }

    /// The index of hub route table `t` in `hub`, reported when unknown (`noneRouteTable` is
    /// no table, and not an error).
    fn hub_table(&mut self, hub: &VirtualHub, t: &Text) -> Option<usize> {
        let found = hub.tables.iter().position(|x| x.name == t.value);
        if found.is_none() && t.value != NONE_ROUTE_TABLE {
            let names = hub.tables.iter().map(|x| x.name.as_str());
            let hint = crate::diag::unknown_name_hint(&t.value, names, "hub route table");
            self.diags.push(
                crate::diag::Diagnostic::error(
                    t.span,
                    format!("unknown route table `{}` in hub `{}`", t.value, hub.name),
                )
                .with_hint(hint),
            );
        }
        found
    }

    /// A connection's static routes; a next hop outside the connected vnet is refused.
    fn connection_routes(
        &mut self,
        c: &doc::HubConnectionDoc,
        vnet: VnetId,
    ) -> Vec<ConnectionRoute> {
        let mut static_routes = Vec::new();
        for r in &c.static_routes {
            let prefixes: Vec<IpNet> = r
                .prefixes
                .iter()
                .filter_map(|p| self.prefix(p, "route prefix"))
                .collect();
            let Some(ip) = self.host_ip(&r.next_hop_ip, "next hop address") else {
                continue;
            };
            if !self
                .net
                .vnet(vnet)
                .is_some_and(|v| v.address_space.iter().any(|p| p.contains(&ip)))
            {
                self.error(
                    r.next_hop_ip.span,
                    format!("next hop `{ip}` of connection route `{}` is outside vnet `{}`", r.name.value, c.vnet.value),
                    Some("a connection's static routes point at an appliance inside the connected vnet".into()),
                );
                continue;
            }
            static_routes.push(ConnectionRoute {
                name: r.name.value.clone(),
                prefixes,
                next_hop_ip: ip,
            });
        }
        static_routes
    }

    /// The peering Azure makes between a connected vnet and its hub's vnet.
    fn connection_peering(&mut self, vnet: VnetId, hub_vnet: VnetId, span: Span) -> PeeringId {
        let peering = PeeringId(self.net.peerings.len());
        for id in [vnet, hub_vnet] {
            if let Some(v) = self.net.vnets.get_mut(id) {
                v.peerings.push(peering);
            }
        }
        self.net.peerings.push(Peering {
            vnets: [vnet, hub_vnet],
            allow_virtual_network_access: true,
            allow_forwarded_traffic: true,
            gateway_transit: None,
            state: PeeringState::Connected,
            span,
        });
        peering
    }

    fn sites(&mut self, sites: &[doc::SiteDoc]) -> Vec<Site> {
        let mut out = Vec::new();
        for s in sites {
            // One namespace across hubs.
            let mut names = std::mem::take(&mut self.site_names);
            let unique = self.unique(&mut names, &s.name, "site");
            self.site_names = names;
            if !unique {
                continue;
            }
            let prefixes = s
                .prefixes
                .iter()
                .filter_map(|p| self.prefix(p, "site prefix"))
                .collect();
            let dns_via = s.dns_via.as_ref().and_then(|v| self.dns_via(v));
            out.push(Site {
                name: s.name.value.clone(),
                kind: s.kind,
                prefixes,
                internet_security: s.internet_security,
                as_path: s.as_path.clone(),
                dns_via,
            });
        }
        out
    }

    fn hub_static_routes(&mut self, hub_id: VirtualHubId, h: &doc::VirtualHubDoc) {
        let lists = std::iter::once((0usize, &h.default_routes)).chain(
            h.route_tables.iter().filter_map(|t| {
                let index = self
                    .net
                    .hub(hub_id)?
                    .tables
                    .iter()
                    .position(|x| x.name == t.name.value)?;
                Some((index, &t.routes))
            }),
        );
        let lists: Vec<(usize, &Vec<doc::HubRouteDoc>)> = lists.collect();
        for (index, routes) in lists {
            for r in routes {
                let prefixes: Vec<IpNet> = r
                    .prefixes
                    .iter()
                    .filter_map(|p| self.prefix(p, "route prefix"))
                    .collect();
                let next_hop = match &r.next_hop {
                    doc::HubNextHopDoc::Firewall => HubStaticNextHop::Firewall,
                    doc::HubNextHopDoc::Connection(vnet) => {
                        let Some(id) = self.found(find(&self.vnet_ids, vnet, "vnet")) else {
                            continue;
                        };
                        let intent = self.net.hub(hub_id).is_some_and(|hub| {
                            hub.routing_intent.private || hub.routing_intent.internet
                        });
                        if intent {
                            self.error(
                                r.name.span,
                                format!("static route `{}` of hub `{}` points at a vnet connection while the hub has routing intent", r.name.value, h.name.value),
                                Some("Azure requires removing static routes to connections before configuring routing intent".into()),
                            );
                            continue;
                        }
                        if self
                            .net
                            .hub(hub_id)
                            .and_then(|hub| hub.connection(id))
                            .is_none()
                        {
                            self.error(
                                vnet.span,
                                format!(
                                    "vnet `{}` is not connected to hub `{}`",
                                    vnet.value, h.name.value
                                ),
                                Some(
                                    "a static route's next hop is a connection of the same hub"
                                        .into(),
                                ),
                            );
                            continue;
                        }
                        HubStaticNextHop::Connection(id)
                    }
                };
                if let Some(t) = self
                    .net
                    .virtual_hubs
                    .get_mut(hub_id)
                    .and_then(|hub| hub.tables.get_mut(index))
                {
                    t.routes.push(HubStaticRoute {
                        name: r.name.value.clone(),
                        prefixes,
                        next_hop,
                    });
                }
            }
        }
    }

    /// After the NICs: a branch's name must not be a workload's, since a trace's `from` names
    /// either; and the virtual WAN's own properties.
    pub(super) fn branches(
        &mut self,
        hubs: &[doc::VirtualHubDoc],
        wan: Option<&doc::VirtualWanDoc>,
    ) {
        for s in hubs.iter().flat_map(|h| &h.sites) {
            self.site_name_free(&s.name);
        }
        if let Some(w) = wan {
            self.net.virtual_wan.allow_branch_to_branch = w.allow_branch_to_branch;
        }
    }

    /// After firewalls are placed: each hub's firewall, and the rules that need one.
    pub(super) fn hub_firewalls(&mut self, hubs: &[doc::VirtualHubDoc]) {
        let secured = self
            .net
            .virtual_hubs
            .iter()
            .filter(|h| h.routing_intent.private)
            .count();
        if secured > 0 && secured < self.net.virtual_hubs.len() {
            if let Some(h) = self
                .net
                .virtual_hubs
                .iter()
                .find(|h| !h.routing_intent.private)
            {
                let (span, name) = (h.span, h.name.clone());
                self.warn(
                    span,
                    format!("hub `{name}` has no private traffic policy while other hubs do"),
                    Some(
                        "Azure supports inter-hub inspection only with routing intent on every hub"
                            .into(),
                    ),
                );
            }
        }
        for h in hubs {
            let Some(hub) = self.net.virtual_hubs.position(|x| x.name == h.name.value) else {
                continue;
            };
            let vnet = self.net.virtual_hubs.get(hub).map(|x| x.vnet);
            let firewall = self
                .net
                .firewalls
                .position(|f| self.net.subnet(f.subnet).map(|s| s.vnet) == vnet);
            if let Some(x) = self.net.virtual_hubs.get_mut(hub) {
                x.firewall = firewall;
            }
            if let Some(f) = firewall {
                self.hub_firewall_public_ips(f, &h.name.value);
            }
            let needs = h
                .routing_intent
                .as_ref()
                .is_some_and(|r| r.private_traffic || r.internet_traffic)
                || h.default_routes
                    .iter()
                    .chain(h.route_tables.iter().flat_map(|t| &t.routes))
                    .any(|r| r.next_hop == doc::HubNextHopDoc::Firewall);
            if needs && firewall.is_none() {
                self.error(
                    h.name.span,
                    format!(
                        "hub `{}` sends traffic to its firewall but has none",
                        h.name.value
                    ),
                    Some(format!(
                        "declare a firewall with `subnet: \"{}/AzureFirewallSubnet\"`",
                        h.name.value
                    )),
                );
            }
        }
    }
}
