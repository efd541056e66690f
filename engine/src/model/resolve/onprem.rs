//! On-premises sites behind VNet gateways: each names its gateway, its ranges (which the
//! gateway learns, less what Azure filters) and how it routes to Azure; and Azure's limits on
//! `GatewaySubnet`, which decide how traffic from a gateway is forwarded.

use ipnet::IpNet;

use super::Resolver;
use crate::diag::unknown_name_hint;
use crate::model::*;
use crate::scenario::{self as doc, Text};

impl Resolver {
    /// The on-premises sites, after the gateways and NICs (a site's name must not be a
    /// workload's: a trace's `from` names either).
    pub(super) fn onprem_sites(&mut self, sites: &[doc::OnPremSiteDoc]) {
        for s in sites {
            let mut names = std::mem::take(&mut self.site_names);
            let unique = self.unique(&mut names, &s.name, "site");
            self.site_names = names;
            if !unique {
                continue;
            }
            if !self.site_name_free(&s.name) {
                continue;
            }
            let Some(gateway) = self.site_gateway(&s.gateway) else {
                continue;
            };
            let Some(site) = self.onprem_site(s, gateway) else {
                continue;
            };
            self.learn_site_ranges(&site, s);
            self.net.sites.push(site);
        }
    }

    /// The VNet an on-premises network's resolvers forward to (`dns_via` of a VNet-gateway site
    /// or a virtual WAN branch): on-premises DNS servers reach a VNet's DNS through a
    /// conditional forwarder to a DNS server or resolver inbound endpoint there (Microsoft
    /// Learn, "Azure Private Endpoint DNS integration", on-premises workloads using a DNS
    /// forwarder, <https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration>).
    pub(super) fn dns_via(&mut self, vnet: &Text) -> Option<VnetId> {
        self.found(super::find(&self.vnet_ids, vnet, "vnet"))
    }

    fn site_gateway(&mut self, name: &Text) -> Option<GatewayId> {
        let found = self.net.gateways.position(|g| g.name == name.value);
        if found.is_none() {
            let names: Vec<&str> = self.net.gateways.iter().map(|g| g.name.as_str()).collect();
            let hint = unknown_name_hint(&name.value, names.iter().copied(), "gateway");
            self.error(
                name.span,
                format!("unknown gateway `{}`", name.value),
                Some(hint),
            );
        }
        found
    }

    /// A site's own fields, checked: ranges given, BGP on ExpressRoute, static routes when
    /// there is no BGP.
    fn onprem_site(&mut self, s: &doc::OnPremSiteDoc, gateway: GatewayId) -> Option<OnPremSite> {
        let g = self.net.gateways.get(gateway)?;
        let (kind, no_instances) = (g.kind, g.instance_ips.is_empty());
        if no_instances {
            self.error(
                s.gateway.span,
                format!(
                    "site `{}` connects to gateway `{}`, which lists no instance addresses",
                    s.name.value, s.gateway.value
                ),
                Some("traffic from on-premises leaves the gateway from its instances: add `instance_ips` (GatewaySubnet addresses)".into()),
            );
            return None;
        }
        if s.address_space.is_empty() {
            self.error(
                s.name.span,
                format!("site `{}` has no address ranges", s.name.value),
                Some("list its on-premises prefixes in `address_space`".into()),
            );
            return None;
        }
        let address_space: Vec<IpNet> = s
            .address_space
            .iter()
            .filter_map(|t| self.prefix(t, "site address range"))
            .collect();
        if kind == GatewayKind::ExpressRoute && !s.bgp {
            self.error(
                s.name.span,
                format!(
                    "site `{}` connects to ExpressRoute gateway `{}` without BGP",
                    s.name.value, s.gateway.value
                ),
                Some("ExpressRoute private peering always runs BGP; remove `bgp: false`".into()),
            );
            return None;
        }
        if !s.bgp && s.routes_to_azure.is_none() {
            self.error(
                s.name.span,
                format!(
                    "site `{}` runs no BGP and lists no routes to Azure",
                    s.name.value
                ),
                Some("without BGP on-premises learns nothing: list its static routes (traffic selectors) in `routes_to_azure`".into()),
            );
            return None;
        }
        let routes_to_azure = s.routes_to_azure.as_ref().map(|routes| {
            routes
                .iter()
                .filter_map(|t| self.prefix(t, "route to Azure"))
                .collect()
        });
        let dns_via = s.dns_via.as_ref().and_then(|v| self.dns_via(v));
        Some(OnPremSite {
            name: s.name.value.clone(),
            gateway,
            address_space,
            bgp: s.bgp,
            routes_to_azure,
            dns_via,
            span: s.name.span,
        })
    }

    /// The gateway learns the site's ranges (over BGP, or from the local network gateway),
    /// one row per instance. A range equal to or inside an address prefix of the gateway's
    /// VNet is filtered by Azure and learned by nobody; a located warning says so.
    fn learn_site_ranges(&mut self, site: &OnPremSite, s: &doc::OnPremSiteDoc) {
        let Some(g) = self.net.gateways.get(site.gateway) else {
            return;
        };
        let vnet_space = self
            .net
            .vnet(g.vnet)
            .map(|v| v.address_space.clone())
            .unwrap_or_default();
        let instance_ips = g.instance_ips.clone();
        let via = if site.bgp {
            LearnedVia::Bgp
        } else {
            LearnedVia::LocalNetworkGateway
        };
        let mut learned = Vec::new();
        for (prefix, text) in site.address_space.iter().zip(&s.address_space) {
            if let Some(vnet) = filtered_by_vnet(*prefix, &vnet_space) {
                self.warn(
                    text.span,
                    format!("site range `{prefix}` is inside the gateway vnet's prefix `{vnet}`, so the gateway ignores it"),
                    Some("Azure filters on-premises routes equal to or more specific than a VNet prefix; advertise a shorter prefix or renumber".into()),
                );
                continue;
            }
            learned.push(LearnedRoute {
                prefix: *prefix,
                via,
                next_hop_ips: instance_ips.clone(),
            });
        }
        if let Some(g) = self.net.gateways.get_mut(site.gateway) {
            for l in learned {
                if !g
                    .learned
                    .iter()
                    .any(|o| o.prefix == l.prefix && o.via == l.via)
                {
                    g.learned.push(l);
                }
            }
        }
    }

    /// Azure's limits on `GatewaySubnet` in a VNet with a gateway, which would block the
    /// gateway's creation or stop it working (Microsoft Learn, "About VPN Gateway settings",
    /// gateway subnet: no 0.0.0.0/0 user-defined route and no NSG; "Virtual network traffic
    /// routing": gateway route propagation must stay on).
    pub(super) fn gateway_subnet_limits(&mut self) {
        for gateway in self.net.gateways.iter().cloned().collect::<Vec<_>>() {
            let Some(subnet) = self.net.subnet(gateway.subnet).cloned() else {
                continue;
            };
            if subnet.nsg.is_some() {
                self.error(
                    subnet.span,
                    format!("`{}` has a network security group", subnet.name),
                    Some(format!("Azure does not support an NSG on GatewaySubnet (gateway `{}` would not be created); remove `nsg`", gateway.name)),
                );
            }
            let Some(table) = subnet
                .route_table
                .and_then(|t| self.net.route_table(t))
                .cloned()
            else {
                continue;
            };
            if !table.propagate_gateway_routes {
                self.error(
                    table.span,
                    format!(
                        "route table `{}` stops gateway route propagation on `{}`",
                        table.name, subnet.name
                    ),
                    Some("Azure requires gateway route propagation on GatewaySubnet; set `propagate_gateway_routes: true`".into()),
                );
            }
            for route in table.routes.iter().filter(|r| r.prefix.prefix_len() == 0) {
                self.error(
                    route.span,
                    format!(
                        "route `{}` puts a default route on `{}`",
                        route.name, subnet.name
                    ),
                    Some(format!("Azure does not support a 0.0.0.0/0 UDR on GatewaySubnet (gateway `{}` would not be created); route each spoke's prefix instead", gateway.name)),
                );
            }
        }
    }
}

/// The prefix of the VNet's address space that filters an on-premises route: Azure drops
/// advertisements equal to or more specific than a VNet prefix and keeps supersets (Microsoft
/// Learn, VPN Gateway FAQ, "BGP and routing").
pub(super) fn filtered_by_vnet(route: IpNet, vnet_space: &[IpNet]) -> Option<IpNet> {
    vnet_space.iter().copied().find(|v| v.contains(&route))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn an_on_premises_route_equal_to_or_inside_a_vnet_prefix_is_filtered_and_a_superset_kept() {
        let space = [net("10.0.0.0/16")];
        assert_eq!(
            filtered_by_vnet(net("10.0.0.0/16"), &space),
            Some(net("10.0.0.0/16"))
        );
        assert_eq!(
            filtered_by_vnet(net("10.0.0.0/24"), &space),
            Some(net("10.0.0.0/16"))
        );
        assert_eq!(filtered_by_vnet(net("10.0.0.0/8"), &space), None);
        assert_eq!(filtered_by_vnet(net("192.168.0.0/16"), &space), None);
    }
}
