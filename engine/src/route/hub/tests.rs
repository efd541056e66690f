//! Virtual WAN routing rules, each test naming the behaviour Microsoft documents.

use super::*;
use crate::model::{NextHopType as H, RouteSource as S, RouteState};
use crate::route::testutil::{rows, table};

/// Two hubs; `extra_hub1` goes inside hub 1, `extra` at the end of the scenario.
fn wan(extra_hub1: &str, extra: &str) -> String {
    format!(
        r#"Scenario(
        vnets: [
            (name: "s1", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "a", prefix: "10.1.1.0/24")]),
            (name: "s2", region: "eastus", address_space: ["10.2.0.0/16"], subnets: [(name: "a", prefix: "10.2.1.0/24")]),
            (name: "s3", region: "westus", address_space: ["10.3.0.0/16"], subnets: [(name: "a", prefix: "10.3.1.0/24")]),
        ],
        virtual_hubs: [
            (name: "h1", region: "eastus", address_prefix: "10.100.0.0/23", {extra_hub1}),
            (name: "h2", region: "westus", address_prefix: "10.200.0.0/23", connections: [(vnet: "s3")]),
        ],
        {extra}
    )"#
    )
}

fn load(ron: &str) -> crate::Loaded {
    crate::load_str("wan.ron", ron).unwrap_or_else(|e| panic!("{e}"))
}

fn hub(net: &Network, name: &str) -> VirtualHubId {
    net.virtual_hubs
        .position(|h| h.name == name)
        .unwrap_or_else(|| panic!("no hub {name}"))
}

fn routes_for<'a>(routes: &'a [HubRoute], prefix: &str) -> Vec<&'a HubRoute> {
    let p: IpNet = prefix.parse().unwrap_or_else(|e| panic!("{e}"));
    routes.iter().filter(|r| r.prefix == p).collect()
}

/// The hub router's decision for a packet from connected VNet `from`, by the compiled table.
fn route(net: &Network, hub: VirtualHubId, from: &str, dst: IpAddr) -> HubLookup {
    let id = net
        .vnets
        .position(|v| v.name == from)
        .unwrap_or_else(|| panic!("no vnet {from}"));
    let ingress = Ingress::Connection {
        vnet: from.into(),
        id,
    };
    let dp = crate::dataplane::DataPlane::compile(net);
    let table = dp
        .hub_table(table_for(net, hub, &ingress))
        .unwrap_or_else(|| panic!("no compiled table"));
    lookup(table, ingress, dst)
}

const TWO_SPOKES: &str = r#"connections: [(vnet: "s1"), (vnet: "s2")]"#;

#[test]
fn a_connection_propagates_to_its_own_hub_and_through_the_default_label_to_every_hub() {
    let l = load(&wan(TWO_SPOKES, ""));
    let h1 = hub_table(&l.network, hub(&l.network, "h1"), 0);
    assert!(matches!(
        routes_for(&h1, "10.2.0.0/16")[0].next_hop,
        HubNextHop::Connection { .. }
    ));
    assert!(matches!(
        &routes_for(&h1, "10.3.0.0/16")[0].next_hop,
        HubNextHop::RemoteHub { hub, .. } if hub == "h2"
    ));
    let h2 = hub_table(&l.network, hub(&l.network, "h2"), 0);
    assert!(matches!(
        &routes_for(&h2, "10.1.0.0/16")[0].next_hop,
        HubNextHop::RemoteHub { hub, .. } if hub == "h1"
    ));
}

#[test]
fn a_spoke_learns_its_associated_table_as_virtual_network_gateway_routes_via_the_router() {
    let t = table(&wan(TWO_SPOKES, ""), "s1/a");
    let r = rows(&t, "10.2.0.0/16");
    assert_eq!(r.len(), 2, "one row per router IP: {r:#?}");
    assert!(r.iter().all(|r| r.source == S::VirtualNetworkGateway
        && r.next_hop.next_hop_type == H::VirtualNetworkGateway
        && r.state == RouteState::Active));
    let ips: Vec<String> = r
        .iter()
        .filter_map(|r| r.next_hop.ip.map(|i| i.to_string()))
        .collect();
    assert_eq!(ips, ["10.100.0.68", "10.100.0.69"]);
    // The hub's own prefix comes over the connection, which is a peering.
    assert_eq!(
        rows(&t, "10.100.0.0/23")[0].next_hop.next_hop_type,
        H::VNetPeering
    );
    // Its own prefix never comes back from the hub.
    assert!(rows(&t, "10.1.0.0/16")
        .iter()
        .all(|r| r.source == S::Default));
}

#[test]
fn a_connection_propagating_to_none_route_table_and_no_label_is_isolated() {
    let hub1 = r#"connections: [(vnet: "s1"), (vnet: "s2", propagate_to: ["noneRouteTable"], labels: [])]"#;
    let l = load(&wan(hub1, ""));
    let h1 = hub_table(&l.network, hub(&l.network, "h1"), 0);
    assert!(routes_for(&h1, "10.2.0.0/16").is_empty());
    let t = table(&wan(hub1, ""), "s1/a");
    assert!(rows(&t, "10.2.0.0/16").is_empty());
}

#[test]
fn traffic_from_a_connection_is_routed_by_its_associated_table() {
    let hub1 = r#"route_tables: [(name: "rt-iso", labels: ["iso"])],
        connections: [(vnet: "s1", associated: "rt-iso", propagate_to: ["defaultRouteTable"]), (vnet: "s2")]"#;
    let l = load(&wan(hub1, ""));
    let lookup = route(
        &l.network,
        hub(&l.network, "h1"),
        "s1",
        "10.2.1.4".parse().unwrap_or_else(|e| panic!("{e}")),
    );
    assert_eq!(lookup.table, "rt-iso");
    assert_eq!(lookup.chosen, None, "rt-iso learned nothing: {lookup:#?}");
    // The other direction uses defaultRouteTable, which learned s1.
    let back = route(
        &l.network,
        hub(&l.network, "h1"),
        "s2",
        "10.1.1.4".parse().unwrap_or_else(|e| panic!("{e}")),
    );
    assert!(back.chosen.is_some());
}

#[test]
fn a_static_route_beats_a_learned_route_with_the_same_prefix() {
    let hub1 = r#"connections: [(vnet: "s1"), (vnet: "s2")],
        default_routes: [(name: "s2-via-s1", prefixes: ["10.2.0.0/16"], next_hop: Connection("s1"))]"#;
    let l = load(&wan(hub1, ""));
    let h1 = hub_table(&l.network, hub(&l.network, "h1"), 0);
    let r = routes_for(&h1, "10.2.0.0/16");
    assert_eq!(r.len(), 2);
    assert!(matches!(r[0].origin, HubRouteOrigin::Static { .. }));
}

#[test]
fn static_routes_stay_in_their_hub() {
    let hub1 = r#"connections: [(vnet: "s1"), (vnet: "s2")],
        default_routes: [(name: "far", prefixes: ["10.50.0.0/16"], next_hop: Connection("s1"))]"#;
    let l = load(&wan(hub1, ""));
    let h2 = hub_table(&l.network, hub(&l.network, "h2"), 0);
    assert!(routes_for(&h2, "10.50.0.0/16").is_empty());
}

#[test]
fn a_spoke_learns_only_routes_less_specific_than_its_own_space() {
    let hub1 = r#"connections: [(vnet: "s1"), (vnet: "s2")],
        default_routes: [
            (name: "inside-s1", prefixes: ["10.1.128.0/17"], next_hop: Connection("s2")),
            (name: "around-s1", prefixes: ["10.0.0.0/8"], next_hop: Connection("s2")),
        ]"#;
    let t = table(&wan(hub1, ""), "s1/a");
    assert!(rows(&t, "10.1.128.0/17").is_empty());
    assert!(!rows(&t, "10.0.0.0/8")
        .iter()
        .all(|r| r.source == S::Default));
}

const SECURED: &str = r#"routing_intent: (private_traffic: true, internet_traffic: true),
    connections: [(vnet: "s1"), (vnet: "s2", internet_security: false)]"#;
const FIREWALL: &str = r#"firewalls: [(name: "fw1", subnet: "h1/AzureFirewallSubnet", private_ip: "10.100.0.132", public_ips: ["198.51.100.27"])],"#;

#[test]
fn routing_intent_sends_private_and_internet_traffic_to_the_hub_firewall() {
    let l = load(&wan(SECURED, FIREWALL));
    let h1 = hub_table(&l.network, hub(&l.network, "h1"), 0);
    for p in ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "0.0.0.0/0"] {
        let r = routes_for(&h1, p);
        assert!(
            matches!(r[0].next_hop, HubNextHop::Firewall { .. }),
            "{p}: {r:#?}"
        );
    }
    // Learned routes inside the private prefixes are not installed: the policy decides.
    assert!(routes_for(&h1, "10.2.0.0/16").is_empty());
    assert!(routes_for(&h1, "10.3.0.0/16").is_empty());
    // The spoke's next hop is the firewall's private IP.
    let t = table(&wan(SECURED, FIREWALL), "s1/a");
    let r = rows(&t, "10.0.0.0/8");
    assert!(r
        .iter()
        .any(|r| r.next_hop.ip.map(|i| i.to_string()).as_deref() == Some("10.100.0.132")));
}

#[test]
fn a_hub_with_private_intent_still_tells_other_hubs_where_its_spokes_are() {
    let l = load(&wan(SECURED, FIREWALL));
    let h2 = hub_table(&l.network, hub(&l.network, "h2"), 0);
    assert!(matches!(
        &routes_for(&h2, "10.1.0.0/16")[0].next_hop,
        HubNextHop::RemoteHub { hub, .. } if hub == "h1"
    ));
}

#[test]
fn the_hub_default_route_reaches_only_connections_with_internet_security() {
    let with = table(&wan(SECURED, FIREWALL), "s1/a");
    assert!(rows(&with, "0.0.0.0/0")
        .iter()
        .any(|r| r.source == S::VirtualNetworkGateway && r.state == RouteState::Active));
    let without = table(&wan(SECURED, FIREWALL), "s2/a");
    assert!(rows(&without, "0.0.0.0/0")
        .iter()
        .all(|r| r.source == S::Default && r.next_hop.next_hop_type == H::Internet));
}

#[test]
fn the_internet_policy_stays_in_its_hub() {
    let l = load(&wan(SECURED, FIREWALL));
    let h2 = hub_table(&l.network, hub(&l.network, "h2"), 0);
    assert!(routes_for(&h2, "0.0.0.0/0").is_empty());
}

#[test]
fn gateway_route_propagation_off_keeps_hub_routes_out_of_the_subnet() {
    let ron = format!(
        r#"Scenario(
        vnets: [
            (name: "s1", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "a", prefix: "10.1.1.0/24", route_table: "rt")]),
            (name: "s2", region: "eastus", address_space: ["10.2.0.0/16"], subnets: [(name: "a", prefix: "10.2.1.0/24")]),
        ],
        route_tables: [(name: "rt", propagate_gateway_routes: false)],
        virtual_hubs: [(name: "h1", region: "eastus", address_prefix: "10.100.0.0/23", {TWO_SPOKES})],
    )"#
    );
    let t = table(&ron, "s1/a");
    assert!(rows(&t, "10.2.0.0/16").is_empty());
}

#[test]
fn branches_propagate_to_the_default_label() {
    let hub1 = r#"connections: [(vnet: "s1")], sites: [(name: "nyc", kind: Vpn, prefixes: ["192.168.10.0/24"])]"#;
    let l = load(&wan(hub1, ""));
    let h1 = hub_table(&l.network, hub(&l.network, "h1"), 0);
    assert!(matches!(
        routes_for(&h1, "192.168.10.0/24")[0].next_hop,
        HubNextHop::Site { .. }
    ));
    let h2 = hub_table(&l.network, hub(&l.network, "h2"), 0);
    assert!(matches!(
        routes_for(&h2, "192.168.10.0/24")[0].next_hop,
        HubNextHop::RemoteHub { .. }
    ));
}

#[test]
fn a_secured_hub_firewall_forwards_to_whoever_holds_the_destination_else_the_internet() {
    let hub1 = r#"connections: [(vnet: "s1")], sites: [(name: "nyc", kind: Vpn, prefixes: ["192.168.10.0/24"])],
        routing_intent: (private_traffic: true, internet_traffic: true)"#;
    let l = load(&wan(hub1, FIREWALL));
    let h1 = hub(&l.network, "h1");
    let fw = compile(&l.network, HubTableId::FirewallForwarding { hub: h1 });
    assert_eq!(fw.name, "firewall forwarding");
    let first = |p: &str| {
        routes_for(&fw.routes, p)
            .first()
            .map(|r| r.next_hop.clone())
    };
    assert!(matches!(
        first("10.1.0.0/16"),
        Some(HubNextHop::Connection { .. })
    ));
    assert!(matches!(
        first("192.168.10.0/24"),
        Some(HubNextHop::Site { .. })
    ));
    assert!(matches!(
        first("10.3.0.0/16"),
        Some(HubNextHop::RemoteHub { .. })
    ));
    assert_eq!(first("0.0.0.0/0"), Some(HubNextHop::Internet));
    assert!(fw
        .routes
        .iter()
        .all(|r| r.origin == HubRouteOrigin::FirewallForwarding));
}

#[test]
fn every_hub_table_is_compiled_once_into_the_data_plane_as_it_would_be_on_demand() {
    let hub1 = r#"route_tables: [(name: "rt-iso", labels: ["iso"])],
        connections: [(vnet: "s1", associated: "rt-iso", propagate_to: ["defaultRouteTable"]), (vnet: "s2")]"#;
    let l = load(&wan(hub1, ""));
    let dp = crate::dataplane::DataPlane::compile(&l.network);
    let mut seen = 0;
    for h in l.network.virtual_hubs.ids() {
        for id in tables_of(&l.network, h) {
            assert_eq!(dp.hub_table(id), Some(&compile(&l.network, id)), "{id:?}");
            seen += 1;
        }
    }
    // h1: defaultRouteTable, rt-iso, firewall forwarding; h2: defaultRouteTable, forwarding.
    assert_eq!(seen, 5);
    let missing = HubTableId::Table {
        hub: hub(&l.network, "h2"),
        index: 7,
    };
    assert_eq!(dp.hub_table(missing), None);
}
