//! A virtual hub's route table as `az network vhub get-effective-routes` shows it (Microsoft
//! Learn, "View virtual hub effective routes"): per route its address prefixes, next hop type
//! (`Virtual Network Connection`, `VPN_S2S_Gateway`, `ExpressRouteGateway`, `Remote Hub`,
//! `Azure Firewall`; `Internet` on a firewall's own table), next hop, origin and AS path, with
//! the reason the route is there. Under routing intent `defaultRouteTable` shows the policy
//! routes to the firewall, as Azure shows it; the firewall's own table is where the rest lives.

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::model::{GatewayKind, Network, VirtualHubId};
use crate::route::hub::{self, HubNextHop, HubRoute, HubTableId};
use crate::route::HubRouteOrigin;

/// The `nextHopType` strings of hub effective routes.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub enum HubNextHopType {
    /// A hub virtual network connection.
    #[serde(rename = "Virtual Network Connection")]
    VirtualNetworkConnection,
    /// The hub's site-to-site VPN gateway.
    #[serde(rename = "VPN_S2S_Gateway")]
    VpnS2sGateway,
    /// The hub's ExpressRoute gateway.
    #[serde(rename = "ExpressRouteGateway")]
    ExpressRouteGateway,
    /// Another hub of the virtual WAN.
    #[serde(rename = "Remote Hub")]
    RemoteHub,
    /// The hub's Azure Firewall.
    #[serde(rename = "Azure Firewall")]
    AzureFirewall,
    /// Out to the Internet (a firewall's own table).
    Internet,
}

/// One row of a hub's effective routes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HubEffectiveRoute {
    /// `addressPrefixes`.
    #[schemars(with = "Vec<String>")]
    pub address_prefixes: Vec<IpNet>,
    /// `nextHopType`.
    pub next_hop_type: HubNextHopType,
    /// `nextHops`, by name (Azure gives resource ids or instance addresses).
    pub next_hops: Vec<String>,
    /// `routeOrigin`, by name: the connection, site, hub, route table or policy.
    pub route_origin: String,
    /// `asPath`: `65520-65520` for routes from another hub, empty for VNet connections and
    /// static routes; `None` where it depends on an ASN the scenario does not give (a branch's).
    pub as_path: Option<String>,
    /// Why the route is there.
    pub why: HubRouteOrigin,
}

/// A hub route table's effective routes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HubRoutesAnswer {
    /// The hub.
    pub hub: String,
    /// The table (`defaultRouteTable`, a custom table, or the firewall's own).
    pub table: String,
    /// Whether routing intent rewrote the table (its policy routes replace what the hub's
    /// connections would propagate inside the policies' prefixes).
    pub routing_intent: bool,
    /// The routes, best per prefix, longest prefix first.
    pub routes: Vec<HubEffectiveRoute>,
}

/// The hub table `at` names: `hub` (its `defaultRouteTable`), `hub/<table>`, or
/// `hub/<firewall>` (the secured hub firewall's own routes). `None` when no hub has that name.
pub fn hub_table_by_name(net: &Network, at: &str) -> Option<HubTableId> {
    let (hub_name, table) = match at.split_once('/') {
        Some((h, t)) => (h, Some(t)),
        None => (at, None),
    };
    let hub = net.virtual_hubs.position(|h| h.name == hub_name)?;
    let h = net.hub(hub)?;
    match table {
        None => Some(HubTableId::Table { hub, index: 0 }),
        Some(t) => {
            if let Some(index) = h.tables.iter().position(|x| x.name == t) {
                return Some(HubTableId::Table { hub, index });
            }
            let firewall = h.firewall.and_then(|f| net.firewalls.get(f));
            firewall
                .filter(|f| f.name == t)
                .map(|_| HubTableId::FirewallForwarding { hub })
        }
    }
}

/// The effective routes of hub table `id`.
pub fn hub_routes(net: &Network, id: HubTableId) -> Option<HubRoutesAnswer> {
    let h = net.hub(id.hub())?;
    let table = hub::compile(net, id);
    let name = match id {
        HubTableId::FirewallForwarding { .. } => h
            .firewall
            .and_then(|f| net.firewalls.get(f))
            .map_or_else(|| table.name.clone(), |f| f.name.to_string()),
        HubTableId::Table { .. } => table.name.clone(),
    };
    let mut routes: Vec<HubEffectiveRoute> = Vec::new();
    let mut seen: Vec<IpNet> = Vec::new();
    for r in &table.routes {
        // Best first within each prefix: Azure shows the route it installed.
        if seen.contains(&r.prefix) {
            continue;
        }
        seen.push(r.prefix);
        routes.push(row(net, id.hub(), r));
    }
    let intent = &h.routing_intent;
    Some(HubRoutesAnswer {
        hub: h.name.clone(),
        table: name,
        routing_intent: matches!(id, HubTableId::Table { index: 0, .. })
            && (intent.private || intent.internet)
            && h.firewall.is_some(),
        routes,
    })
}

fn row(net: &Network, hub: VirtualHubId, r: &HubRoute) -> HubEffectiveRoute {
    let (next_hop_type, next_hop, as_path) = match &r.next_hop {
        HubNextHop::Connection { vnet, .. } => (
            HubNextHopType::VirtualNetworkConnection,
            vnet.clone(),
            Some(String::new()),
        ),
        HubNextHop::RemoteHub { hub: remote, .. } => (
            HubNextHopType::RemoteHub,
            remote.clone(),
            Some(remote_as_path(&r.origin, net)),
        ),
        HubNextHop::Firewall { firewall, .. } => (
            HubNextHopType::AzureFirewall,
            firewall.clone(),
            Some(String::new()),
        ),
        HubNextHop::Site { site } => {
            let found = net
                .hub(hub)
                .and_then(|h| h.sites.iter().find(|s| &s.name == site));
            let t = match found.map(|s| s.kind) {
                Some(GatewayKind::ExpressRoute) => HubNextHopType::ExpressRouteGateway,
                _ => HubNextHopType::VpnS2sGateway,
            };
            (t, site.clone(), found.and_then(branch_as_path))
        }
        HubNextHop::Internet => (HubNextHopType::Internet, String::new(), Some(String::new())),
    };
    let as_path = match r.origin {
        HubRouteOrigin::Static { .. } | HubRouteOrigin::RoutingIntent { .. } => Some(String::new()),
        _ => as_path,
    };
    HubEffectiveRoute {
        address_prefixes: vec![r.prefix],
        next_hop_type,
        next_hops: if next_hop.is_empty() {
            Vec::new()
        } else {
            vec![next_hop.clone()]
        },
        // The firewall's own routes lead where each destination lives: name that place.
        route_origin: match r.origin {
            HubRouteOrigin::FirewallForwarding => next_hop.clone(),
            _ => origin_name(&r.origin),
        },
        as_path,
        why: r.origin.clone(),
    }
}

/// The AS path of a branch's routes as its hub shows them: Microsoft's `12076-12076` before an
/// ExpressRoute circuit's own path ("View virtual hub effective routes"); `None` when the
/// scenario does not give the branch's path.
fn branch_as_path(site: &crate::model::Site) -> Option<String> {
    if site.as_path.is_empty() {
        return None;
    }
    let own = site.as_path.iter().map(u32::to_string);
    let path: Vec<String> = match site.kind {
        GatewayKind::ExpressRoute => ["12076".to_string(), "12076".to_string()]
            .into_iter()
            .chain(own)
            .collect(),
        GatewayKind::Vpn => own.collect(),
    };
    Some(path.join("-"))
}

/// The AS path of a route learned from another hub: the hub routers' ASN twice (Microsoft's
/// examples and field outputs show `65520-65520`), then the path the route had there, which is
/// empty for a VNet connection of that hub.
fn remote_as_path(origin: &HubRouteOrigin, net: &Network) -> String {
    let from_branch = match origin {
        HubRouteOrigin::Propagated { from, hub, .. } => net
            .virtual_hubs
            .iter()
            .find(|h| &h.name == hub)
            .is_some_and(|h| h.sites.iter().any(|s| &s.name == from)),
        _ => false,
    };
    if from_branch {
        // The branch's own path follows, when the scenario gives it.
        let branch = match origin {
            HubRouteOrigin::Propagated { from, .. } => net
                .branch_by_name(from)
                .and_then(|b| net.branch(b))
                .and_then(|(_, s)| branch_as_path(s)),
            _ => None,
        };
        format!("65520-65520-{}", branch.as_deref().unwrap_or("…"))
    } else {
        "65520-65520".to_string()
    }
}

/// The `routeOrigin` by name: the connection or site that propagated the route, the static
/// route, or the routing policy.
fn origin_name(origin: &HubRouteOrigin) -> String {
    match origin {
        HubRouteOrigin::Static { route } => route.clone(),
        HubRouteOrigin::RoutingIntent { policy } => policy.clone(),
        HubRouteOrigin::Propagated { from, .. } => from.clone(),
        HubRouteOrigin::FirewallForwarding => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAN: &str = r#"Scenario(
        vnets: [
            (name: "s1", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "a", prefix: "10.1.1.0/24")]),
            (name: "s2", region: "westus", address_space: ["10.2.0.0/16"], subnets: [(name: "a", prefix: "10.2.1.0/24")]),
        ],
        virtual_hubs: [
            (name: "hub1", region: "eastus", address_prefix: "10.100.0.0/24", connections: [(vnet: "s1")],
             sites: [(name: "branch", kind: Vpn, prefixes: ["192.168.1.0/24"])] INTENT),
            (name: "hub2", region: "westus", address_prefix: "10.101.0.0/24", connections: [(vnet: "s2")]),
        ],
        FIREWALL
    )"#;

    fn load(intent: bool) -> crate::Loaded {
        let (i, f) = if intent {
            (
                ", routing_intent: (private_traffic: true, internet_traffic: true)",
                r#"firewalls: [(name: "fw1", subnet: "hub1/AzureFirewallSubnet", private_ip: "10.100.0.132", public_ips: ["198.51.100.28"])],"#,
            )
        } else {
            ("", "")
        };
        let text = WAN.replace("INTENT", i).replace("FIREWALL", f);
        crate::load_str("wan.ron", &text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn rows(l: &crate::Loaded, at: &str) -> Vec<(String, HubNextHopType, Option<String>)> {
        let id = hub_table_by_name(&l.network, at).unwrap_or_else(|| panic!("no table {at}"));
        let a = hub_routes(&l.network, id).unwrap_or_else(|| panic!("no answer"));
        a.routes
            .iter()
            .map(|r| {
                let p = r.address_prefixes.first().map(ToString::to_string);
                (p.unwrap_or_default(), r.next_hop_type, r.as_path.clone())
            })
            .collect()
    }

    // View virtual hub effective routes: an ExpressRoute branch's rows carry 12076-12076 and
    // the on-premises ASN, a VPN branch's its own ASN, and another hub's 65520-65520 in front.
    #[test]
    fn a_branch_route_shows_its_as_path_with_microsofts_asns_and_the_inter_hub_prefix() {
        let text = WAN
            .replace(
                r#"sites: [(name: "branch", kind: Vpn, prefixes: ["192.168.1.0/24"])] INTENT"#,
                r#"sites: [(name: "branch", kind: Vpn, prefixes: ["192.168.1.0/24"], as_path: [65001]), (name: "er", kind: ExpressRoute, prefixes: ["192.168.2.0/24"], as_path: [65002])]"#,
            )
            .replace("FIREWALL", "");
        let l = crate::load_str("wan.ron", &text).unwrap_or_else(|e| panic!("{e}"));
        let local = rows(&l, "hub1");
        assert!(local.contains(&(
            "192.168.1.0/24".into(),
            HubNextHopType::VpnS2sGateway,
            Some("65001".into())
        )));
        assert!(local.contains(&(
            "192.168.2.0/24".into(),
            HubNextHopType::ExpressRouteGateway,
            Some("12076-12076-65002".into())
        )));
        let remote = rows(&l, "hub2");
        assert!(remote.contains(&(
            "192.168.2.0/24".into(),
            HubNextHopType::RemoteHub,
            Some("65520-65520-12076-12076-65002".into())
        )));
    }

    #[test]
    fn a_default_route_table_shows_connections_branches_and_remote_hubs_with_their_as_paths() {
        let l = load(false);
        let r = rows(&l, "hub1");
        assert!(r.contains(&(
            "10.1.0.0/16".into(),
            HubNextHopType::VirtualNetworkConnection,
            Some(String::new())
        )));
        assert!(r.contains(&("192.168.1.0/24".into(), HubNextHopType::VpnS2sGateway, None)));
        assert!(r.contains(&(
            "10.2.0.0/16".into(),
            HubNextHopType::RemoteHub,
            Some("65520-65520".into())
        )));
    }

    #[test]
    fn routing_intent_collapses_the_default_route_table_to_the_policy_routes_to_the_firewall() {
        let l = load(true);
        let r = rows(&l, "hub1");
        let firewall: Vec<&String> = r
            .iter()
            .filter(|x| x.1 == HubNextHopType::AzureFirewall)
            .map(|x| &x.0)
            .collect();
        for p in ["0.0.0.0/0", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] {
            assert!(firewall.iter().any(|f| f.as_str() == p), "{p}: {r:?}");
        }
        // The spoke and the branch are inside the private prefixes: no longer shown here.
        assert!(!r.iter().any(|x| x.0 == "10.1.0.0/16"), "{r:?}");
        assert!(!r.iter().any(|x| x.0 == "192.168.1.0/24"), "{r:?}");
        // The firewall's own table holds them, and the Internet.
        let fw = rows(&l, "hub1/fw1");
        assert!(fw.iter().any(|x| x.0 == "10.1.0.0/16"));
        assert!(fw
            .iter()
            .any(|x| x.0 == "0.0.0.0/0" && x.1 == HubNextHopType::Internet));
    }

    #[test]
    fn an_unknown_hub_or_table_names_nothing() {
        let l = load(false);
        assert!(hub_table_by_name(&l.network, "nohub").is_none());
        assert!(hub_table_by_name(&l.network, "hub1/nosuchtable").is_none());
    }
}
