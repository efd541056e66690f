//! The address plan: service endpoint prefixes, route tables, VNets and their subnets. Overlap
//! checks sort and sweep (O(n log n)) and do not run on input a count limit has refused.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;

use super::naming::Seen;
use super::{find, Resolver, MAX_ROUTES_PER_TABLE};
use crate::model::addr::{inside_any, overlapping, refused_in_vnet_address_space, sorted_by_start};
use crate::model::*;
use crate::scenario::{self as doc, NextHopDoc, Text};

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
                .filter_map(|p| self.service_prefix(p, &s.service.value))
                .collect();
            self.endpoint_services.insert(s.service.value.clone());
            self.net
                .service_prefixes
                .push((s.service.value.clone(), prefixes));
        }
    }

    /// A service's public prefix: a default route (`0.0.0.0/0`) is no service's address range,
    /// and as a service endpoint route it would capture all Internet traffic of the subnet.
    fn service_prefix(&mut self, text: &Text, service: &str) -> Option<IpNet> {
        let p = self.prefix(text, "service prefix")?;
        if p.prefix_len() == 0 {
            self.error(
                text.span,
                format!("service `{service}` is given the prefix `{p}`, every address"),
                Some("list the service's published prefixes (its service tag's ranges), never a default route".into()),
            );
            return None;
        }
        Some(p)
    }

    pub(super) fn route_tables(&mut self, tables: &[doc::RouteTableDoc]) {
        let mut seen = BTreeMap::new();
        for t in tables {
            if !self.unique(&mut seen, &t.name, "route table") {
                continue;
            }
            let over_limit = t.routes.len() > MAX_ROUTES_PER_TABLE;
            if over_limit {
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
            let mut tags: BTreeMap<String, String> = BTreeMap::new();
            let mut uncovered_tag_routes = Vec::new();
            for route in &t.routes {
                if let Some(tag) = self.route_service_tag(&route.prefix) {
                    if self.tag_declared_empty(&tag) {
                        uncovered_tag_routes.push((route.name.value.clone(), tag.clone()));
                    }
                    self.tag_route(t, route, tag, &mut names, &mut tags, &mut routes);
                    continue;
                }
                let name_ok = self.unique(&mut names, &route.name, "route");
                let prefix = self.prefix(&route.prefix, "route prefix");
                let next_hop = self.udr_next_hop(&route.next_hop, &route.name);
                // Past Azure's limit the table is refused already: no duplicate check on top.
                if let Some(p) = prefix.filter(|_| !over_limit) {
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
                        service_tag: None,
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
                id: t.id.as_ref().map(|i| i.value.clone()),
                uncovered_tag_routes,
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
            NextHopDoc::ConnectedGroup => (NextHopType::ConnectedGroup, None),
        })
    }

    pub(super) fn vnets(&mut self, vnets: &[doc::VnetDoc]) {
        let mut seen = Seen::new();
        for v in vnets {
            if !self.unique(&mut seen, &v.name, "vnet") {
                continue;
            }
            // Resolve questions and `via` take a vnet or a workload by name.
            Self::reserve(&mut self.nic_names, &v.name.value, "vnet");
            if v.address_space.is_empty() {
                self.error(
                    v.name.span,
                    format!("vnet `{}` has no address space", v.name.value),
                    Some("add `address_space: [\"10.0.0.0/16\"]`".into()),
                );
            }
            let space = self.address_space(v);
            let vnet_id = VnetId(self.net.vnets.len());
            self.vnet_ids.insert(v.name.value.clone(), vnet_id);
            let subnets = self.subnets(v, vnet_id, &space);
            let dns_servers = v
                .dns_servers
                .iter()
                .filter_map(|t| self.host_ip(t, "DNS server"))
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

    /// A VNet's address space: IPv4 prefixes Azure allows in one
    /// ([`refused_in_vnet_address_space`]) that do not overlap each other.
    fn address_space(&mut self, v: &doc::VnetDoc) -> Vec<IpNet> {
        let mut parsed: Vec<(&Text, IpNet)> = Vec::new();
        for text in &v.address_space {
            let Some(p) = self.prefix(text, "address prefix") else {
                continue;
            };
            if let Some(refused) = refused_in_vnet_address_space(p) {
                self.error(
                    text.span,
                    format!(
                        "address prefix `{p}` of vnet `{}` overlaps `{}`, {}",
                        v.name.value, refused.range, refused.what
                    ),
                    Some("Azure does not allow it in a vnet's address space; use private ranges such as 10.0.0.0/8".into()),
                );
                continue;
            }
            parsed.push((text, p));
        }
        let prefixes: Vec<IpNet> = parsed.iter().map(|(_, p)| *p).collect();
        let refused: BTreeMap<usize, usize> = overlapping(&prefixes).into_iter().collect();
        let mut space = Vec::new();
        for (i, (text, p)) in parsed.iter().enumerate() {
            match refused.get(&i).and_then(|k| prefixes.get(*k)) {
                Some(other) => self.error(
                    text.span,
                    format!(
                        "address prefix `{p}` of vnet `{}` overlaps `{other}`",
                        v.name.value
                    ),
                    Some("a vnet's address prefixes must not overlap".into()),
                ),
                None => space.push(*p),
            }
        }
        space
    }

    pub(super) fn subnets(
        &mut self,
        v: &doc::VnetDoc,
        vnet: VnetId,
        space: &[IpNet],
    ) -> Vec<SubnetId> {
        let over_limit = v.subnets.len() > MAX_SUBNETS_PER_VNET;
        if over_limit {
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
        let sorted_space = sorted_by_start(space);
        let mut seen = Seen::new();
        let mut placed: Vec<(&doc::SubnetDoc, String, IpNet)> = Vec::new();
        for s in &v.subnets {
            if !self.unique(&mut seen, &s.name, "subnet") {
                continue;
            }
            let name = format!("{}/{}", v.name.value, s.name.value);
            let Some(prefix) = self.subnet_prefix(s, &name, v, space, &sorted_space) else {
                continue;
            };
            placed.push((s, name, prefix));
        }
        // Past Azure's limit the input is refused already: no overlap work on top of it.
        let prefixes: Vec<IpNet> = placed.iter().map(|(_, _, p)| *p).collect();
        let refused: BTreeMap<usize, usize> = if over_limit {
            BTreeMap::new()
        } else {
            overlapping(&prefixes).into_iter().collect()
        };
        let mut ids: Vec<SubnetId> = Vec::new();
        for (i, (s, name, prefix)) in placed.iter().enumerate() {
            if let Some((other, other_prefix)) = refused
                .get(&i)
                .and_then(|k| placed.get(*k))
                .map(|(_, n, p)| (n, p))
            {
                self.error(
                    s.prefix.span,
                    format!("subnet `{name}` prefix `{prefix}` overlaps subnet `{other}` (`{other_prefix}`)"),
                    Some("subnets of a vnet must not overlap".into()),
                );
                continue;
            }
            ids.push(self.add_subnet(s, name.clone(), vnet, *prefix));
        }
        ids
    }

    /// A subnet's prefix, unless Azure refuses it: in a range no vnet may hold, outside the
    /// vnet's address space (`sorted_space` is `space` sorted by start), or smaller than a /29.
    fn subnet_prefix(
        &mut self,
        s: &doc::SubnetDoc,
        name: &str,
        v: &doc::VnetDoc,
        space: &[IpNet],
        sorted_space: &[IpNet],
    ) -> Option<IpNet> {
        let prefix = self.prefix(&s.prefix, "subnet prefix")?;
        if let Some(refused) = refused_in_vnet_address_space(prefix) {
            self.error(
                s.prefix.span,
                format!(
                    "subnet `{name}` prefix `{prefix}` overlaps `{}`, {}",
                    refused.range, refused.what
                ),
                Some("Azure does not allow it in a vnet's address space, so in no subnet".into()),
            );
            return None;
        }
        if !space.is_empty() && !inside_any(sorted_space, prefix) {
            let spaces: Vec<String> = space.iter().map(|p| format!("`{p}`")).collect();
            self.error(
                s.prefix.span,
                format!(
                    "subnet `{name}` prefix `{prefix}` is outside the address space of vnet `{}`",
                    v.name.value
                ),
                Some(format!("the vnet's address space is {}", spaces.join(", "))),
            );
            return None;
        }
        if prefix.prefix_len() > 29 {
            self.error(
                s.prefix.span,
                format!("subnet `{name}` prefix `{prefix}` has a size Azure does not allow"),
                Some("Azure's smallest IPv4 subnet is a /29".into()),
            );
            return None;
        }
        Some(prefix)
    }

    fn add_subnet(
        &mut self,
        s: &doc::SubnetDoc,
        name: String,
        vnet: VnetId,
        prefix: IpNet,
    ) -> SubnetId {
        let nsg = s
            .nsg
            .as_ref()
            .and_then(|t| self.found(find(&self.nsg_ids, t, "nsg")));
        let route_table = s
            .route_table
            .as_ref()
            .and_then(|t| self.found(find(&self.table_ids, t, "route table")));
        for se in &s.service_endpoints {
            if !self.endpoint_services.contains(&se.value) {
                self.warn(
                    se.span,
                    format!(
                        "service endpoint `{}` has no prefixes declared, so it adds no routes",
                        se.value
                    ),
                    Some(
                        "list the service's public prefixes in `service_endpoint_prefixes`".into(),
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
            delegations: s.delegations.iter().map(|t| t.value.clone()).collect(),
            application_gateway: s.application_gateway,
            span: s.name.span,
        });
        id
    }
}
