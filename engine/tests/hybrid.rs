//! Traffic from on-premises sites behind VNet gateways: Azure's limits on GatewaySubnet, what a
//! site routes to Azure, how the gateway forwards by GatewaySubnet's routes, and the reply.
//! Each test is named after the documented behaviour and cites it.

use azpath_engine::model::flow_addr::parse_source;
use azpath_engine::model::TraceSource;
use azpath_engine::trace::{trace_from, Probe, Verdict};
use azpath_engine::{load_str, Loaded};

/// Hub with a VPN gateway and an Azure Firewall, one spoke using the hub's gateway, and an
/// on-premises site; `GWRT`, `GWNSG` and `SITE` are replaced by each test.
const HYBRID: &str = r#"Scenario(
    vnets: [
        (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [
            (name: "AzureFirewallSubnet", prefix: "10.0.1.0/26"),
            (name: "GatewaySubnet", prefix: "10.0.255.0/27" GWRT GWNSG),
        ]),
        (name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24", route_table: "rt-spoke")]),
    ],
    peerings: [(between: ("hub", "spoke"), allow_forwarded_traffic: true, gateway_transit: "hub")],
    route_tables: [
        (name: "rt-spoke", propagate_gateway_routes: SPOKEPROP, routes: [(name: "all", prefix: "0.0.0.0/0", next_hop: VirtualAppliance("10.0.1.4"))]),
        (name: "rt-gw", routes: [(name: "spoke", prefix: "10.1.0.0/16", next_hop: VirtualAppliance("10.0.1.4"))]),
        (name: "rt-gw-default", routes: [(name: "all", prefix: "0.0.0.0/0", next_hop: VirtualAppliance("10.0.1.4"))]),
        (name: "rt-gw-no-propagation", propagate_gateway_routes: false, routes: []),
    ],
    nsgs: [(name: "nsg-gw", rules: [])],
    gateways: [(name: "vpngw", vnet: "hub", kind: Vpn, instance_ips: ["10.0.255.4"])],
    sites: [SITE],
    firewalls: [(name: "fw", subnet: "hub/AzureFirewallSubnet", private_ip: "10.0.1.4", network_rules: [(name: "onprem", source: ["192.168.0.0/16"], destination: ["10.1.0.0/16"], ports: ["443"], protocol: Tcp)])],
    workloads: [(name: "vm", subnet: "spoke/app", ip: "10.1.1.4")],
)"#;

const SITE: &str = r#"(name: "dc", gateway: "vpngw", address_space: ["192.168.0.0/16"])"#;

fn text(gw_route_table: &str, gw_nsg: bool, site: &str) -> String {
    let rt = if gw_route_table.is_empty() {
        String::new()
    } else {
        format!(r#", route_table: "{gw_route_table}""#)
    };
    let nsg = if gw_nsg { r#", nsg: "nsg-gw""# } else { "" };
    HYBRID
        .replace("GWRT", &rt)
        .replace("GWNSG", nsg)
        .replace("SITE", site)
        .replace("SPOKEPROP", "false")
}

fn load(gw_route_table: &str, site: &str) -> Loaded {
    load_str("hybrid.ron", &text(gw_route_table, false, site)).unwrap_or_else(|e| panic!("{e}"))
}

fn refused(gw_route_table: &str, gw_nsg: bool, site: &str) -> String {
    match load_str("hybrid.ron", &text(gw_route_table, gw_nsg, site)) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    }
}

fn trace(l: &Loaded, from: &str, to: &str, port: u16) -> Verdict {
    let source = parse_source(&l.network, from).unwrap_or_else(|e| panic!("{e:?}"));
    let probe = Probe {
        protocol: azpath_engine::model::FlowProtocol::Tcp,
        port,
        source_port: 50000,
        host: None,
    };
    let to = to.parse().unwrap_or_else(|e| panic!("{e}"));
    trace_from(&l.network, l.dataplane(), source, probe.to(to))
        .unwrap_or_else(|| panic!("no answer"))
        .verdict
}

// About VPN Gateway configuration settings, gateway subnet: a 0.0.0.0/0 UDR on GatewaySubnet
// is not supported and blocks the gateway's creation.
#[test]
fn a_default_route_on_gateway_subnet_is_refused() {
    let e = refused("rt-gw-default", false, SITE);
    assert!(
        e.contains("route `all` puts a default route on `hub/GatewaySubnet`"),
        "{e}"
    );
}

// The same page: network security groups are not supported on GatewaySubnet.
#[test]
fn an_nsg_on_gateway_subnet_is_refused() {
    let e = refused("", true, SITE);
    assert!(
        e.contains("`hub/GatewaySubnet` has a network security group"),
        "{e}"
    );
}

// Virtual network traffic routing, border gateway protocol: gateway route propagation must stay
// on for GatewaySubnet, or the gateway stops working.
#[test]
fn gateway_route_propagation_off_on_gateway_subnet_is_refused() {
    let e = refused("rt-gw-no-propagation", false, SITE);
    assert!(
        e.contains("stops gateway route propagation on `hub/GatewaySubnet`"),
        "{e}"
    );
}

#[test]
fn a_site_without_bgp_must_list_its_routes_to_azure() {
    let site = r#"(name: "dc", gateway: "vpngw", address_space: ["192.168.0.0/16"], bgp: false)"#;
    let e = refused("rt-gw", false, site);
    assert!(
        e.contains("site `dc` runs no BGP and lists no routes to Azure"),
        "{e}"
    );
}

#[test]
fn a_site_on_an_unknown_gateway_gets_a_did_you_mean() {
    let site = r#"(name: "dc", gateway: "vpngv", address_space: ["192.168.0.0/16"])"#;
    let e = refused("rt-gw", false, site);
    assert!(e.contains("unknown gateway `vpngv`"), "{e}");
    assert!(e.contains("vpngw"), "{e}");
}

// VPN Gateway FAQ, BGP and routing: on-premises advertisements equal to or more specific than
// a VNet prefix are filtered; the site's other ranges are learned.
#[test]
fn a_site_range_inside_the_gateway_vnet_is_not_learned() {
    let site =
        r#"(name: "dc", gateway: "vpngw", address_space: ["192.168.0.0/16", "10.0.128.0/24"])"#;
    let l = load("rt-gw", site);
    let gw = l
        .network
        .gateways
        .iter()
        .next()
        .unwrap_or_else(|| panic!("no gateway"));
    let learned: Vec<String> = gw.learned.iter().map(|r| r.prefix.to_string()).collect();
    assert_eq!(learned, ["192.168.0.0/16"]);
    assert!(l
        .warnings
        .iter()
        .any(|d| d.message.contains("site range `10.0.128.0/24` is inside")));
}

// Tutorial: Azure Firewall in a hybrid network: with a GatewaySubnet UDR for the spoke's range
// to the firewall, on-premises reaches the spoke through the firewall and back.
#[test]
fn traffic_from_on_premises_follows_the_gateway_subnet_udr_to_the_firewall() {
    let l = load("rt-gw", SITE);
    assert_eq!(
        trace(&l, "dc:192.168.1.10", "10.1.1.4", 443),
        Verdict::Delivered
    );
    assert!(matches!(
        trace(&l, "dc:192.168.1.10", "10.1.1.4", 22),
        Verdict::DroppedByFirewall { .. }
    ));
}

// Without the GatewaySubnet UDR the gateway uses the peering route straight to the spoke, and
// the spoke's 0.0.0.0/0 sends the reply to a firewall that never saw the request.
#[test]
fn without_a_gateway_subnet_udr_the_firewall_sees_only_the_reply() {
    let l = load("", SITE);
    assert_eq!(
        trace(&l, "dc:192.168.1.10", "10.1.1.4", 443),
        Verdict::AsymmetricReturnDropped {
            device: "fw".into(),
            saw: azpath_engine::trace::OneWay::ReplyOnly
        }
    );
}

// Advertised gateway prefixes: on-premises learns the gateway VNet and the peered VNets using
// the gateway; a prefix it never learned stays on-premises.
#[test]
fn a_destination_the_gateway_never_advertised_is_not_routed_from_the_site() {
    let l = load("rt-gw", SITE);
    assert_eq!(
        trace(&l, "dc", "10.9.0.4", 443),
        Verdict::NotRoutedFromSite {
            site: "dc".into(),
            destination: "10.9.0.4".parse().unwrap_or_else(|e| panic!("{e}")),
        }
    );
}

#[test]
fn a_site_source_takes_its_first_host_or_an_address_inside_it() {
    let l = load("rt-gw", SITE);
    let net = &l.network;
    let site = net.site_by_name("dc").unwrap_or_else(|| panic!("no site"));
    let first = "192.168.0.1".parse().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parse_source(net, "dc"), Ok(TraceSource::Site(site, first)));
    assert!(parse_source(net, "dc:10.1.1.9").is_err());
    assert!(parse_source(net, "dc:nonsense").is_err());
}

// Configure ExpressRoute and Site-to-Site coexisting connections: longest prefix first, and
// for the same prefix ExpressRoute over the VPN.
#[test]
fn expressroute_wins_over_vpn_only_for_the_same_prefix() {
    let text = HYBRID
        .replace("SPOKEPROP", "false")
        .replace("GWRT", "")
        .replace("GWNSG", "")
        .replace("SITE", r#"(name: "er-dc", gateway: "ergw", address_space: ["192.168.0.0/16"]), (name: "vpn-dc", gateway: "vpngw", address_space: ["192.168.0.0/16", "192.168.10.0/24"])"#)
        .replace(
            r#"gateways: [(name: "vpngw", vnet: "hub", kind: Vpn, instance_ips: ["10.0.255.4"])]"#,
            r#"gateways: [(name: "vpngw", vnet: "hub", kind: Vpn, instance_ips: ["10.0.255.4"]), (name: "ergw", vnet: "hub", kind: ExpressRoute, instance_ips: ["10.0.255.12"])]"#,
        );
    let l = load_str("coexist.ron", &text).unwrap_or_else(|e| panic!("{e}"));
    let net = &l.network;
    let subnet = net
        .subnet_by_name("hub/AzureFirewallSubnet")
        .unwrap_or_else(|| panic!("no subnet"));
    let hop = |dst: &str| {
        let a = azpath_engine::query::next_hop(
            net,
            l.dataplane(),
            subnet,
            dst.parse().unwrap_or_else(|e| panic!("{e}")),
        );
        (
            a.route.map(|r| r.prefix.to_string()),
            a.next_hop.ip.map(|i| i.to_string()),
        )
    };
    assert_eq!(
        hop("192.168.10.5"),
        (Some("192.168.10.0/24".into()), Some("10.0.255.4".into()))
    );
    assert_eq!(
        hop("192.168.20.5"),
        (Some("192.168.0.0/16".into()), Some("10.0.255.12".into()))
    );
}

// The tutorial's prerequisites: with gateway route propagation left on in the spoke, the
// on-premises prefix learned through gateway transit is more specific than the spoke's
// 0.0.0.0/0 to the firewall, so the reply goes straight to the gateway and the firewall sees
// only the request.
#[test]
fn with_gateway_propagation_on_in_the_spoke_the_reply_bypasses_the_firewall() {
    let text = text("rt-gw", false, SITE).replace(
        "propagate_gateway_routes: false, routes: [(name: \"all\"",
        "propagate_gateway_routes: true, routes: [(name: \"all\"",
    );
    let l = load_str("hybrid.ron", &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        trace(&l, "dc:192.168.1.10", "10.1.1.4", 443),
        Verdict::AsymmetricReturnDropped {
            device: "fw".into(),
            saw: azpath_engine::trace::OneWay::RequestOnly
        }
    );
}

// ExpressRoute FAQ: a default route advertised from on-premises forces Internet-bound traffic
// to on-premises; the VPN gateway never passes a default route on to other BGP peers.
#[test]
fn a_default_route_from_a_site_forces_internet_traffic_on_premises() {
    let site = r#"(name: "dc", gateway: "vpngw", address_space: ["192.168.0.0/16", "0.0.0.0/0"])"#;
    let l = load("rt-gw", site);
    let subnet = l
        .network
        .subnet_by_name("hub/AzureFirewallSubnet")
        .unwrap_or_else(|| panic!("no subnet"));
    let dst = "8.8.8.8".parse().unwrap_or_else(|e| panic!("{e}"));
    let hop = azpath_engine::query::next_hop(&l.network, l.dataplane(), subnet, dst);
    assert_eq!(
        hop.next_hop.next_hop_type,
        azpath_engine::model::NextHopType::VirtualNetworkGateway
    );
    assert_eq!(
        hop.route.map(|r| r.prefix.to_string()),
        Some("0.0.0.0/0".into())
    );
    // A trace from the site starts at a host of its first range, not at 0.0.0.1.
    let from = parse_source(&l.network, "dc").unwrap_or_else(|e| panic!("{e:?}"));
    let first: std::net::IpAddr = "192.168.0.1".parse().unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(from, TraceSource::Site(_, a) if a == first));
}
