//! What VNet gateways advertise to on-premises, and so what each on-premises site routes to
//! Azure (Microsoft Learn, "Advertised gateway prefixes", VPN Gateway FAQ "BGP and routing",
//! "Configure VPN gateway transit for virtual network peering").
//!
//! A gateway advertises its VNet's address space and that of every peered VNet that uses it
//! through gateway transit; `summarizedGatewayPrefixes` replaces the VNet's own space and every
//! peered space it covers. Route-table (UDR) prefixes are never advertised: no advertisement
//! source includes route tables. A BGP site on a VPN gateway also learns the ranges of the
//! gateway's other connections (VPN-to-VPN transit over BGP), never a default route; an
//! ExpressRoute gateway passes nothing from one circuit to another (that needs Global Reach).

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::model::{GatewayId, GatewayKind, Network, OnPremSiteId};

/// Why a gateway advertises a prefix to on-premises.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "reason")]
pub enum AdvertisedWhy {
    /// An address prefix of the gateway's own VNet.
    OwnAddressSpace {
        /// The VNet.
        vnet: String,
    },
    /// An address prefix of a peered VNet that uses this gateway (`useRemoteGateways`).
    GatewayTransit {
        /// The peered VNet.
        vnet: String,
    },
    /// A `summarizedGatewayPrefixes` entry of the gateway's VNet.
    Summarized,
    /// A range of another site of the same VPN gateway, passed on over BGP.
    OtherConnection {
        /// Where the gateway learned it: a site's name, or `None` for a route declared on the
        /// gateway itself.
        site: Option<String>,
    },
}

/// A prefix a gateway advertises.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Advertised {
    /// The prefix.
    #[schemars(with = "String")]
    pub prefix: IpNet,
    /// Why.
    pub why: AdvertisedWhy,
}

/// How an on-premises site routes a prefix to Azure.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "kind")]
pub enum SiteRouteWhy {
    /// A static route (or traffic selector) written on the site (`routes_to_azure`).
    Static,
    /// Learned over BGP from the gateway, which advertises it for this reason.
    Learned {
        /// Why the gateway advertises it.
        why: AdvertisedWhy,
    },
}

/// A route an on-premises site has towards Azure.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct SiteRoute {
    /// The prefix.
    #[schemars(with = "String")]
    pub prefix: IpNet,
    /// The gateway it points at.
    pub gateway: String,
    /// How the site has it.
    pub why: SiteRouteWhy,
}

/// Everything `gateway` advertises to its BGP peers on-premises, before the per-site additions
/// of [`site_routes`], sorted by prefix.
pub fn advertised(net: &Network, gateway: GatewayId) -> Vec<Advertised> {
    let Some(g) = net.gateways.get(gateway) else {
        return Vec::new();
    };
    let Some(vnet) = net.vnet(g.vnet) else {
        return Vec::new();
    };
    let mut out: Vec<Advertised> = Vec::new();
    let summaries = &g.summarized_prefixes;
    let covered = |p: &IpNet| summaries.iter().any(|s| s.contains(p));
    for s in summaries {
        out.push(Advertised {
            prefix: *s,
            why: AdvertisedWhy::Summarized,
        });
    }
    if summaries.is_empty() {
        for p in &vnet.address_space {
            out.push(Advertised {
                prefix: *p,
                why: AdvertisedWhy::OwnAddressSpace {
                    vnet: vnet.name.clone(),
                },
            });
        }
    }
    for (peering, remote) in net.connected_peers(g.vnet) {
        // The peer uses this VNet's gateway: `allowGatewayTransit` here, `useRemoteGateways`
        // there.
        if peering.gateway_transit != Some(g.vnet) {
            continue;
        }
        let Some(spoke) = net.vnet(remote) else {
            continue;
        };
        for p in spoke.address_space.iter().filter(|p| !covered(p)) {
            out.push(Advertised {
                prefix: *p,
                why: AdvertisedWhy::GatewayTransit {
                    vnet: spoke.name.clone(),
                },
            });
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.prefix == b.prefix);
    out
}

/// The routes on-premises site `site` has towards Azure: its static routes when it declares
/// them, else what its gateway advertises over BGP plus, on a VPN gateway, the ranges of the
/// gateway's other connections (never a default route, never the site's own ranges).
pub fn site_routes(net: &Network, site: OnPremSiteId) -> Vec<SiteRoute> {
    let Some(s) = net.site(site) else {
        return Vec::new();
    };
    let Some(g) = net.gateways.get(s.gateway) else {
        return Vec::new();
    };
    let gateway = g.name.clone();
    if let Some(routes) = &s.routes_to_azure {
        let mut out: Vec<SiteRoute> = routes
            .iter()
            .map(|p| SiteRoute {
                prefix: *p,
                gateway: gateway.clone(),
                why: SiteRouteWhy::Static,
            })
            .collect();
        out.sort();
        return out;
    }
    let mut out: Vec<SiteRoute> = advertised(net, s.gateway)
        .into_iter()
        .map(|a| SiteRoute {
            prefix: a.prefix,
            gateway: gateway.clone(),
            why: SiteRouteWhy::Learned { why: a.why },
        })
        .collect();
    if g.kind == GatewayKind::Vpn {
        for l in &g.learned {
            if !passed_on_over_bgp(l.prefix, &s.address_space) {
                continue;
            }
            let from = net
                .sites_of(s.gateway)
                .find(|(_, o)| o.address_space.contains(&l.prefix))
                .map(|(_, o)| o.name.clone());
            out.push(SiteRoute {
                prefix: l.prefix,
                gateway: gateway.clone(),
                why: SiteRouteWhy::Learned {
                    why: AdvertisedWhy::OtherConnection { site: from },
                },
            });
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.prefix == b.prefix);
    out
}

/// Whether a VPN gateway passes a prefix it learned on to a site over BGP: never a default
/// route, never the site's own ranges back to it.
fn passed_on_over_bgp(prefix: IpNet, own: &[IpNet]) -> bool {
    prefix.prefix_len() > 0 && !own.iter().any(|o| o.contains(&prefix))
}

/// The route site `site` sends `destination` by: the longest of its routes towards Azure
/// that holds it, or `None` when it has none (the packet never leaves on-premises).
pub fn site_route_for(net: &Network, site: OnPremSiteId, destination: IpAddr) -> Option<SiteRoute> {
    site_routes(net, site)
        .into_iter()
        .filter(|r| r.prefix.contains(&destination))
        .max_by_key(|r| r.prefix.prefix_len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HUB: &str = r#"Scenario(
        vnets: [
            (name: "hub", region: "r", address_space: ["10.0.0.0/16"], subnets: [(name: "GatewaySubnet", prefix: "10.0.255.0/27")]),
            (name: "spoke1", region: "r", address_space: ["10.1.0.0/16"]),
            (name: "spoke2", region: "r", address_space: ["172.20.0.0/16"]),
            (name: "lonely", region: "r", address_space: ["10.9.0.0/16"]),
        ],
        peerings: [
            (between: ("hub", "spoke1"), gateway_transit: "hub"),
            (between: ("hub", "spoke2"), gateway_transit: "hub"),
            (between: ("hub", "lonely")),
        ],
        route_tables: [(name: "rt", routes: [(name: "udr", prefix: "10.50.0.0/16", next_hop: VirtualAppliance("10.0.1.4"))])],
        gateways: [(name: "vpngw", vnet: "hub", kind: Vpn, instance_ips: ["10.0.255.4"]SUMMARY)],
        sites: [
            (name: "branch1", gateway: "vpngw", address_space: ["192.168.1.0/24"]),
            (name: "branch2", gateway: "vpngw", address_space: ["192.168.2.0/24"]),
            (name: "static", gateway: "vpngw", address_space: ["192.168.3.0/24"], bgp: false, routes_to_azure: ["10.0.0.0/16"]),
        ],
    )"#;

    fn load(summary: &str) -> crate::Loaded {
        let text = HUB.replace("SUMMARY", summary);
        crate::load_str("adv.ron", &text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn prefixes(routes: &[Advertised]) -> Vec<String> {
        routes.iter().map(|a| a.prefix.to_string()).collect()
    }

    fn gateway(net: &Network) -> GatewayId {
        net.gateways
            .position(|g| g.name == "vpngw")
            .unwrap_or_else(|| panic!("no gateway"))
    }

    fn site(net: &Network, name: &str) -> OnPremSiteId {
        net.site_by_name(name)
            .unwrap_or_else(|| panic!("no site {name}"))
    }

    #[test]
    fn a_gateway_advertises_its_vnet_and_the_peered_vnets_that_use_it_but_no_udr_prefix() {
        let l = load("");
        let adv = advertised(&l.network, gateway(&l.network));
        assert_eq!(
            prefixes(&adv),
            ["10.0.0.0/16", "10.1.0.0/16", "172.20.0.0/16"]
        );
    }

    #[test]
    fn summarized_gateway_prefixes_replace_the_hub_space_and_the_spokes_they_cover() {
        // Microsoft Learn, "Advertised gateway prefixes": summary [10.0.0.0/8] -> on-premises
        // learns 10.0.0.0/8 and 172.20.0.0/16 only.
        let l = load(r#", summarized_prefixes: ["10.0.0.0/8"]"#);
        let adv = advertised(&l.network, gateway(&l.network));
        assert_eq!(prefixes(&adv), ["10.0.0.0/8", "172.20.0.0/16"]);
    }

    #[test]
    fn a_bgp_site_on_a_vpn_gateway_learns_the_other_sites_but_not_itself() {
        let l = load("");
        let net = &l.network;
        let routes: Vec<String> = site_routes(net, site(net, "branch1"))
            .iter()
            .map(|r| r.prefix.to_string())
            .collect();
        assert!(routes.contains(&"192.168.2.0/24".to_string()), "{routes:?}");
        assert!(
            !routes.contains(&"192.168.1.0/24".to_string()),
            "{routes:?}"
        );
    }

    #[test]
    fn a_site_without_bgp_routes_only_its_static_routes_to_azure() {
        let l = load("");
        let net = &l.network;
        let s = site(net, "static");
        let routes = site_routes(net, s);
        assert_eq!(routes.len(), 1);
        assert!(routes.iter().all(|r| r.why == SiteRouteWhy::Static));
        let dst: IpAddr = "10.1.0.4".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(site_route_for(net, s, dst), None);
    }

    #[test]
    fn a_vpn_gateway_never_passes_a_default_route_on() {
        let own: [IpNet; 0] = [];
        let default: IpNet = "0.0.0.0/0".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(!passed_on_over_bgp(default, &own));
    }
}
