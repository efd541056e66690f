//! Why a route is where it is: the route layer's typed reasons (`Why`, `Origin`, hub origins and
//! next hops) in words, shared by the route tables and the trace narrative.

use crate::route::hub::HubNextHop;
use crate::route::HubRouteOrigin;
use crate::route::{Origin, Why};

/// Why a route is in its state, in one line.
pub fn why(why: &Why) -> String {
    match why {
        Why::SoleRouteForPrefix => "only route for this prefix".into(),
        Why::OutranksSamePrefix { outranked } => {
            let names: Vec<String> = outranked.iter().map(|o| format!("{} {}", o.source, o.next_hop)).collect();
            format!("preferred over the same-prefix route(s): {}", names.join(", "))
        }
        Why::EqualCostPaths { paths } => format!("one of {paths} equal-cost paths (ECMP)"),
        Why::OutrankedBySamePrefix { winner, winner_next_hop } => {
            format!("a {winner} route with the same prefix wins (to {winner_next_hop})")
        }
        Why::UserRouteSamePrefix { winner_route, winner_tag } => match winner_tag {
            Some(tag) => format!("UDR `{winner_route}` (service tag `{tag}`) with the same prefix is preferred: a regional tag over its top-level tag, AzureCloud last"),
            None => format!("UDR `{winner_route}` with the same prefix is preferred: an explicit prefix wins over a service tag"),
        },
        Why::SystemRouteSamePrefix { winner } => {
            format!("a {winner} system route with the same prefix is preferred")
        }
        Why::SystemRoutePreferredOverBgp { system_prefix, system_next_hop, same_prefix } => {
            let which = if *same_prefix { "with the same prefix" } else { "even though this one is more specific" };
            format!("the {system_next_hop} system route {system_prefix} is preferred over BGP routes {which}")
        }
        Why::PrivateEndpointNetworkPolicy { policies, table, route, route_prefix, endpoint_vnet_prefix } => format!(
            "{policies:?} on the endpoint subnet, and UDR `{table}/{route}` ({route_prefix}) is no broader than the endpoint vnet's {endpoint_vnet_prefix}"
        ),
    }
}

/// What created a route, in a few words.
pub fn origin(origin: &Origin) -> String {
    match origin {
        Origin::VnetAddressSpace { vnet } => format!("address space of vnet `{vnet}`"),
        Origin::DefaultInternet => "system default route".into(),
        Origin::ReservedPrefix => "prefix reserved by Azure".into(),
        Origin::Peering {
            remote_vnet,
            global,
        } => {
            let kind = if *global { "global peering" } else { "peering" };
            format!("{kind} with `{remote_vnet}`")
        }
        Origin::ServiceEndpoint { service } => format!("service endpoint `{service}`"),
        Origin::PrivateEndpoint {
            endpoint, subnet, ..
        } => {
            format!("private endpoint `{endpoint}` in `{subnet}`")
        }
        Origin::Gateway {
            gateway,
            via,
            transit_from,
        } => {
            let via = match via {
                crate::model::LearnedVia::Bgp => "BGP",
                crate::model::LearnedVia::LocalNetworkGateway => "local network gateway",
            };
            match transit_from {
                Some(v) => format!("gateway `{gateway}` ({via}), transit from `{v}`"),
                None => format!("gateway `{gateway}` ({via})"),
            }
        }
        Origin::VirtualHub {
            hub,
            table,
            learned,
        } => format!("hub `{hub}` table `{table}`: {}", hub_origin(learned)),
        Origin::UserRoute {
            table,
            route,
            service_tag: None,
        } => format!("UDR `{table}/{route}`"),
        Origin::UserRoute {
            table,
            route,
            service_tag: Some(tag),
        } => format!("UDR `{table}/{route}` (service tag `{tag}`)"),
        Origin::ConnectedGroup { group, remote_vnet } => {
            format!("connected group `{group}`: vnet `{remote_vnet}`")
        }
        Origin::ConnectedGroupOverlap { group, vnets } => format!(
            "connected group `{group}`: address space overlapping between {}, taken out of the group",
            vnets
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(" and ")
        ),
    }
}

/// What put a route into a hub route table, in a few words.
pub fn hub_origin(origin: &HubRouteOrigin) -> String {
    match origin {
        HubRouteOrigin::Static { route } => format!("static route `{route}`"),
        HubRouteOrigin::RoutingIntent { policy } => format!("routing intent `{policy}`"),
        HubRouteOrigin::Propagated {
            from,
            hub,
            connection_route,
        } => match connection_route {
            Some(r) => format!("static route `{r}` of connection `{from}` (hub `{hub}`)"),
            None => format!("propagated by `{from}` (hub `{hub}`)"),
        },
        HubRouteOrigin::FirewallForwarding => "where the destination lives".into(),
    }
}

/// A hub next hop, in a few words.
pub fn hub_next_hop(next_hop: &HubNextHop) -> String {
    match next_hop {
        HubNextHop::Connection { vnet, .. } => format!("connection `{vnet}`"),
        HubNextHop::RemoteHub { hub, .. } => format!("hub `{hub}`"),
        HubNextHop::Firewall { firewall, .. } => format!("firewall `{firewall}`"),
        HubNextHop::Site { site } => format!("site `{site}`"),
        HubNextHop::Internet => "Internet".into(),
    }
}

/// A rule match's note, in one line.
pub fn match_note(note: &crate::filter::MatchNote) -> String {
    match note {
        crate::filter::MatchNote::VirtualNetworkTagWidenedByUdr { address } => format!(
            "`VirtualNetwork` covers {address} only through this subnet's UDR prefixes: Azure documents that, but it is contested in the field (switch: `virtual_network_tag_excludes_udr_prefixes`)"
        ),
    }
}

/// A platform service the host answers, in words.
pub fn platform_service(service: crate::filter::platform::PlatformService) -> &'static str {
    use crate::filter::platform::PlatformService;
    match service {
        PlatformService::AzureDns => "Azure DNS at 168.63.129.16",
        PlatformService::Imds => "the instance metadata service at 169.254.169.254",
        PlatformService::WireServer => "the VM agent's WireServer at 168.63.129.16",
        PlatformService::Kms => "Windows activation (Azure KMS, TCP 1688)",
    }
}
