//! Three properties of Azure's route precedence, for every generated network.

use azpath_engine::build::Policies;
use azpath_engine::model::{NextHopType, RouteSource, RouteState};
use azpath_engine::query;
use azpath_engine::strategy::{network, Knobs};
use proptest::prelude::*;

proptest! {
    /// A 0.0.0.0/0 UDR never takes traffic for a private endpoint whose /32 is active.
    #[test]
    fn a_default_udr_never_overrides_an_active_endpoint_route(net in network(Knobs::default())) {
        let loaded = net.load().unwrap();
        let dp = loaded.dataplane();
        for (subnet, _) in loaded.network.subnets.iter_ids() {
            let routes = query::routes(&loaded.network, &dp, subnet).unwrap().routes;
            for pe in &loaded.network.private_endpoints {
                let active = routes.iter().any(|r| r.state == RouteState::Active
                    && r.next_hop.next_hop_type == NextHopType::InterfaceEndpoint
                    && r.prefix.prefix_len() == 32 && r.prefix.contains(&pe.ip));
                let hop = query::next_hop(&loaded.network, &dp, subnet, pe.ip);
                prop_assert!(!active || hop.next_hop.next_hop_type == NextHopType::InterfaceEndpoint);
            }
        }
    }

    /// The next hop comes from the longest active prefix that covers the address.
    #[test]
    fn the_longest_active_prefix_wins(net in network(Knobs::routing_only()), addr in any::<u32>()) {
        let loaded = net.load().unwrap();
        let dp = loaded.dataplane();
        let to = std::net::IpAddr::from(std::net::Ipv4Addr::from(addr));
        for (subnet, _) in loaded.network.subnets.iter_ids() {
            let routes = query::routes(&loaded.network, &dp, subnet).unwrap().routes;
            let longest = routes.iter().filter(|r| r.state == RouteState::Active && r.prefix.contains(&to))
                .map(|r| r.prefix.prefix_len()).max();
            let hop = query::next_hop(&loaded.network, &dp, subnet, to);
            prop_assert_eq!(hop.route.map(|r| r.prefix.prefix_len()), longest);
        }
    }

    /// Without route-table network policies on its subnet, only a UDR for exactly the
    /// endpoint's /32 takes its traffic away from the endpoint.
    #[test]
    fn without_route_table_policies_only_an_exact_udr_overrides_an_endpoint(net in network(Knobs::default())) {
        let loaded = net.load().unwrap();
        let dp = loaded.dataplane();
        for (pe, built) in loaded.network.private_endpoints.iter().zip(&net.private_endpoints) {
            let policies = net.subnet(&built.subnet).unwrap().policies;
            if matches!(policies, Policies::Enabled | Policies::RouteTableEnabled) { continue; }
            for (subnet, _) in loaded.network.subnets.iter_ids() {
                let routes = query::routes(&loaded.network, &dp, subnet).unwrap().routes;
                let has_endpoint = routes.iter().any(|r| r.next_hop.next_hop_type == NextHopType::InterfaceEndpoint && r.prefix.contains(&pe.ip));
                let exact_udr = routes.iter().any(|r| r.source == RouteSource::User && r.prefix.prefix_len() == 32 && r.prefix.contains(&pe.ip));
                let hop = query::next_hop(&loaded.network, &dp, subnet, pe.ip).next_hop.next_hop_type;
                prop_assert!(!has_endpoint || exact_udr || hop == NextHopType::InterfaceEndpoint, "{}", net.to_ron());
            }
        }
    }
}
