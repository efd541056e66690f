//! Virtual WAN branches (VPN sites and ExpressRoute circuits connected to a virtual hub) as the
//! start of a trace: what a branch learns from its hub, how the hub routes what it sends,
//! branch-to-branch transit and hub routing preference. Each test is named after the
//! documented behaviour and cites it.

use azpath_engine::model::flow_addr::parse_source;
use azpath_engine::model::TraceSource;
use azpath_engine::trace::{trace_from, GatewayPath, OneWay, Probe, TraceAnswer, Verdict};
use azpath_engine::{load_str, Loaded};

/// Two hubs; `HUB1` and `HUB2` are the rest of each hub, `REST` the rest of the scenario.
const WAN: &str = r#"Scenario(
    vnets: [
        (name: "s1", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24")]),
        (name: "s2", region: "westus", address_space: ["10.2.0.0/16"], subnets: [(name: "app", prefix: "10.2.1.0/24")]),
    ],
    virtual_hubs: [
        (name: "h1", region: "eastus", address_prefix: "10.100.0.0/23", connections: [(vnet: "s1")], HUB1),
        (name: "h2", region: "westus", address_prefix: "10.200.0.0/23", connections: [(vnet: "s2")], HUB2),
    ],
    workloads: [
        (name: "vm1", subnet: "s1/app", ip: "10.1.1.4"),
        (name: "vm2", subnet: "s2/app", ip: "10.2.1.4"),
    ],
    REST
)"#;

const ALLOW_ALL: &str = r#"network_rules: [(name: "all", source: ["0.0.0.0/0"], destination: ["0.0.0.0/0"], ports: ["1-65535"], protocol: Any)]"#;

fn wan(hub1: &str, hub2: &str, rest: &str) -> String {
    WAN.replace("HUB1", hub1)
        .replace("HUB2", hub2)
        .replace("REST", rest)
}

fn load(text: &str) -> Loaded {
    load_str("wan.ron", text).unwrap_or_else(|e| panic!("{e}"))
}

fn refused(text: &str) -> String {
    match load_str("wan.ron", text) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    }
}

fn answer(l: &Loaded, from: &str, to: &str) -> TraceAnswer {
    let source = parse_source(&l.network, from).unwrap_or_else(|e| panic!("{e:?}"));
    let probe = Probe {
        protocol: azpath_engine::model::FlowProtocol::Tcp,
        port: 443,
        source_port: 50000,
        host: None,
    };
    let to = to.parse().unwrap_or_else(|e| panic!("{e}"));
    trace_from(&l.network, l.dataplane(), source, probe.to(to))
        .unwrap_or_else(|| panic!("no answer"))
}

fn verdict(l: &Loaded, from: &str, to: &str) -> Verdict {
    answer(l, from, to).verdict
}

fn to_site(site: &str) -> Verdict {
    Verdict::SentToOnPremises {
        via: GatewayPath::Site { site: site.into() },
    }
}

fn not_routed(site: &str, to: &str) -> Verdict {
    Verdict::NotRoutedFromSite {
        site: site.into(),
        destination: to.parse().unwrap_or_else(|e| panic!("{e}")),
    }
}

const NYC: &str = r#"sites: [(name: "nyc", kind: Vpn, prefixes: ["192.168.10.0/24"])]"#;

// About virtual hub routing: branch connections are associated with defaultRouteTable, which
// the VNet connections propagate to, in every hub through the `default` label.
#[test]
fn a_branch_is_routed_by_default_route_table_to_local_and_remote_vnets() {
    let l = load(&wan(NYC, "", ""));
    let a = answer(&l, "nyc", "10.1.1.4");
    assert_eq!(a.verdict, Verdict::Delivered);
    assert!(a.passes("h1") && !a.passes("h2"));
    let a = answer(&l, "nyc", "10.2.1.4");
    assert_eq!(a.verdict, Verdict::Delivered);
    assert!(a.passes("h1") && a.passes("h2"));
    assert_eq!(a.quality.hubs, ["h1", "h2"]);
}

#[test]
fn a_branch_source_takes_its_first_host_or_an_address_inside_it() {
    let l = load(&wan(NYC, "", ""));
    let net = &l.network;
    let b = net
        .branch_by_name("nyc")
        .unwrap_or_else(|| panic!("no branch"));
    let first = "192.168.10.1".parse().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parse_source(net, "nyc"), Ok(TraceSource::Branch(b, first)));
    let given = "192.168.10.77".parse().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        parse_source(net, "nyc:192.168.10.77"),
        Ok(TraceSource::Branch(b, given))
    );
    assert!(parse_source(net, "nyc:10.1.1.9").is_err());
}

#[test]
fn branch_names_share_one_namespace_with_sites_and_workloads() {
    let twice = wan(
        NYC,
        r#"sites: [(name: "nyc", kind: Vpn, prefixes: ["192.168.20.0/24"])]"#,
        "",
    );
    assert!(refused(&twice).contains("nyc"));
    let workload = wan(
        r#"sites: [(name: "vm1", kind: Vpn, prefixes: ["192.168.10.0/24"])]"#,
        "",
        "",
    );
    let e = refused(&workload);
    assert!(e.contains("site name `vm1` is already the name of"), "{e}");
}

// Global transit network architecture, force tunnelling and default route: a hub propagates
// its default route to a VPN or ExpressRoute connection only when "enable default route" is on,
// which it is not by default for sites and circuits.
#[test]
fn a_branch_learns_the_hubs_default_route_only_with_internet_security() {
    let fw = format!(
        r#"firewalls: [(name: "fw1", subnet: "h1/AzureFirewallSubnet", private_ip: "10.100.0.132", public_ips: ["198.51.100.24"], {ALLOW_ALL})]"#
    );
    let intent = r#"routing_intent: (internet_traffic: true), sites: [(name: "nyc", kind: Vpn, prefixes: ["192.168.10.0/24"]), (name: "bos", kind: Vpn, prefixes: ["192.168.20.0/24"], internet_security: true)]"#;
    let l = load(&wan(intent, "", &fw));
    assert_eq!(
        verdict(&l, "nyc", "20.1.1.1"),
        not_routed("nyc", "20.1.1.1")
    );
    let a = answer(&l, "bos", "20.1.1.1");
    assert_eq!(a.verdict, Verdict::SentToInternet);
    assert!(a.passes("fw1"));
}

// Global transit network architecture: disabling branch-to-branch blocks route propagation
// between VPN and ExpressRoute sites, and leaves branch-to-VNet alone.
#[test]
fn branches_reach_each_other_only_while_the_virtual_wan_allows_branch_to_branch() {
    let two = r#"sites: [(name: "nyc", kind: Vpn, prefixes: ["192.168.10.0/24"]), (name: "bos", kind: ExpressRoute, prefixes: ["192.168.20.0/24"])]"#;
    let l = load(&wan(two, "", ""));
    assert_eq!(verdict(&l, "nyc", "192.168.20.5"), to_site("bos"));
    assert_eq!(verdict(&l, "bos", "192.168.10.5"), to_site("nyc"));
    let l = load(&wan(
        two,
        "",
        "virtual_wan: (allow_branch_to_branch: false),",
    ));
    assert_eq!(
        verdict(&l, "nyc", "192.168.20.5"),
        not_routed("nyc", "192.168.20.5")
    );
    assert_eq!(verdict(&l, "nyc", "10.2.1.4"), Verdict::Delivered);
}

// Global transit network architecture, ExpressRoute Global Reach: branches connected by
// ExpressRoute need Global Reach to reach each other; that traffic does not transit the hub.
// Routing intent: prefixes learned from one circuit are not advertised to another.
#[test]
fn two_expressroute_circuits_do_not_transit_the_hubs_without_global_reach() {
    let er1 = r#"sites: [(name: "er1", kind: ExpressRoute, prefixes: ["192.168.10.0/24"]), (name: "vpn1", kind: Vpn, prefixes: ["192.168.30.0/24"])]"#;
    let er2 = r#"sites: [(name: "er2", kind: ExpressRoute, prefixes: ["192.168.20.0/24"])]"#;
    let l = load(&wan(er1, er2, ""));
    assert_eq!(
        verdict(&l, "er1", "192.168.20.5"),
        not_routed("er1", "192.168.20.5")
    );
    // A VPN branch reaches the remote circuit across the hubs.
    let a = answer(&l, "vpn1", "192.168.20.5");
    assert_eq!(a.verdict, to_site("er2"));
    assert!(a.passes("h2"));
}

// Routing intent: a private policy sends branch-to-VNet traffic through the hub firewall; its
// reply meets the same firewall.
#[test]
fn a_private_routing_policy_inspects_branch_to_vnet_traffic_in_the_hub_firewall() {
    let fw = format!(
        r#"firewalls: [(name: "fw1", subnet: "h1/AzureFirewallSubnet", private_ip: "10.100.0.132", public_ips: ["198.51.100.25"], {ALLOW_ALL})]"#
    );
    let l = load(&wan(
        &format!("routing_intent: (private_traffic: true), {NYC}"),
        "",
        &fw,
    ));
    let a = answer(&l, "nyc", "10.1.1.4");
    assert_eq!(a.verdict, Verdict::Delivered);
    assert!(a.forward.iter().any(|h| h.nic == "fw1"));
    assert!(a.reply.iter().any(|h| h.nic == "fw1"));
}

// A secured hub without routing intent, with a static route of defaultRouteTable sending the
// spoke's prefix to the firewall: branch traffic is inspected on the way in, but the spoke's
// reply follows the branch route the hub learned and skips the firewall, which drops it.
#[test]
fn a_reply_that_skips_the_firewall_that_inspected_the_branch_request_is_dropped() {
    let fw = format!(
        r#"firewalls: [(name: "fw1", subnet: "h1/AzureFirewallSubnet", private_ip: "10.100.0.132", public_ips: ["198.51.100.26"], {ALLOW_ALL})]"#
    );
    let hub = format!(
        r#"default_routes: [(name: "to-fw", prefixes: ["10.1.0.0/16"], next_hop: Firewall)], {NYC}"#
    );
    let l = load(&wan(&hub, "", &fw));
    let a = answer(&l, "nyc", "10.1.1.4");
    assert_eq!(
        a.verdict,
        Verdict::AsymmetricReturnDropped {
            device: "fw1".into(),
            saw: OneWay::RequestOnly
        }
    );
}

/// Two branches of hub 1 advertising the same prefix.
fn same_prefix(preference: &str, vpn_path: &str) -> Loaded {
    let hub = format!(
        r#"{preference} sites: [(name: "er-dc", kind: ExpressRoute, prefixes: ["192.168.50.0/24"], as_path: [65010]), (name: "vpn-dc", kind: Vpn, prefixes: ["192.168.50.0/24"], as_path: {vpn_path})]"#
    );
    load(&wan(&hub, "", ""))
}

// About virtual hub routing preference: ExpressRoute (the default) prefers ExpressRoute over
// VPN for routes learned in the same hub; VPN prefers VPN; ASPath the shortest AS path.
#[test]
fn hub_routing_preference_decides_between_an_expressroute_and_a_vpn_branch_with_one_prefix() {
    let dst = "192.168.50.5";
    let l = same_prefix("", "[65020]");
    assert_eq!(verdict(&l, "vm1", dst), to_site("er-dc"));
    let l = same_prefix("routing_preference: VpnGateway,", "[65020]");
    assert_eq!(verdict(&l, "vm1", dst), to_site("vpn-dc"));
    // ER's path is 12076-12076-65010 (3): a one-ASN VPN path wins, a four-ASN one loses.
    let l = same_prefix("routing_preference: AsPath,", "[65020]");
    assert_eq!(verdict(&l, "vm1", dst), to_site("vpn-dc"));
    let l = same_prefix(
        "routing_preference: AsPath,",
        "[65020, 65020, 65020, 65020]",
    );
    assert_eq!(verdict(&l, "vm1", dst), to_site("er-dc"));
}

// About virtual hub routing preference: with ExpressRoute or VPN preference a route learned
// in the local hub beats one through a remote hub; with ASPath the remote route's
// 65520-65520 counts and the shorter path wins.
#[test]
fn hub_routing_preference_weighs_local_branches_against_branches_of_remote_hubs() {
    let local = |pref: &str, path: &str| {
        format!(
            r#"{pref} sites: [(name: "vpn-local", kind: Vpn, prefixes: ["192.168.50.0/24"], as_path: {path})]"#
        )
    };
    let remote = r#"sites: [(name: "er-remote", kind: ExpressRoute, prefixes: ["192.168.50.0/24"], as_path: [65010])]"#;
    let dst = "192.168.50.5";
    let l = load(&wan(&local("", "[1, 2, 3, 4, 5, 6]"), remote, ""));
    assert_eq!(verdict(&l, "vm1", dst), to_site("vpn-local"));
    // Remote ER: 65520-65520-12076-12076-65010 (5) beats a six-ASN local VPN path.
    let l = load(&wan(
        &local("routing_preference: AsPath,", "[1, 2, 3, 4, 5, 6]"),
        remote,
        "",
    ));
    let a = answer(&l, "vm1", dst);
    assert_eq!(a.verdict, to_site("er-remote"));
    assert!(a.passes("h2"));
}

// About virtual hub routing: all branch connections propagate to the same set of route tables,
// defaultRouteTable unless set otherwise; a VNet associated with a custom table learns the
// branches only when the branches propagate to that table.
#[test]
fn a_vnet_on_a_custom_route_table_reaches_branches_only_when_they_propagate_to_it() {
    let isolated =
        |branches: &str| format!(r#"route_tables: [(name: "rt-isolated")], {branches} {NYC}"#);
    let text = |branches: &str| {
        wan(&isolated(branches), "", "").replace(
            r#"connections: [(vnet: "s1")], route_tables"#,
            r#"connections: [(vnet: "s1", associated: "rt-isolated")], route_tables"#,
        )
    };
    let l = load(&text(""));
    assert!(matches!(
        verdict(&l, "vm1", "192.168.10.5"),
        Verdict::NoRoute { .. }
    ));
    assert!(matches!(
        verdict(&l, "nyc", "10.1.1.4"),
        Verdict::ReplyDropped { .. }
    ));
    let l = load(&text(
        r#"branch_propagate_to: ["defaultRouteTable", "rt-isolated"],"#,
    ));
    assert_eq!(verdict(&l, "vm1", "192.168.10.5"), to_site("nyc"));
    assert_eq!(verdict(&l, "nyc", "10.1.1.4"), Verdict::Delivered);
}

// A branch's DNS servers forward to a VNet's DNS (a conditional forwarder to a resolver inbound
// endpoint) as a VNet-gateway site's do, so a private zone linked there answers for the branch
// (Microsoft Learn, "Azure Private Endpoint DNS integration", on-premises workloads using a DNS
// forwarder); without `dns_via` it resolves in public DNS.
#[test]
fn a_branch_with_dns_via_resolves_names_in_that_vnets_dns_and_without_it_in_public_dns() {
    let rest = r#"dns: (zones: [(name: "corp.example", links: ["s1"], records: [(name: "app", a: ["10.1.1.4"])])],
        public_records: [(name: "app.corp.example", a: ["203.0.113.7"])])"#;
    let site = |dns_via: &str| {
        format!(r#"sites: [(name: "nyc", kind: Vpn, prefixes: ["192.168.10.0/24"]{dns_via})]"#)
    };
    let resolved = |dns_via: &str| {
        let l = load(&wan(&site(dns_via), "", rest));
        let source = parse_source(&l.network, "nyc").unwrap_or_else(|e| panic!("{e:?}"));
        let probe = Probe {
            protocol: azpath_engine::model::FlowProtocol::Tcp,
            port: 443,
            source_port: 50000,
            host: None,
        };
        let a = azpath_engine::trace::trace_name(
            &l.network,
            l.dataplane(),
            source,
            "app.corp.example",
            probe,
        )
        .unwrap_or_else(|| panic!("no answer"));
        a.destination
    };
    assert_eq!(
        resolved(r#", dns_via: "s1""#),
        Some("10.1.1.4".parse().unwrap_or_else(|e| panic!("{e}")))
    );
    assert_eq!(
        resolved(""),
        Some("203.0.113.7".parse().unwrap_or_else(|e| panic!("{e}")))
    );
}

#[test]
fn a_branch_dns_via_an_unknown_vnet_is_refused_where_it_is_written() {
    let e = refused(&wan(
        r#"sites: [(name: "nyc", kind: Vpn, prefixes: ["192.168.10.0/24"], dns_via: "s3")]"#,
        "",
        "",
    ));
    assert!(e.contains("unknown vnet `s3`"), "{e}");
    assert!(e.contains("wan.ron:"), "{e}");
}

// About virtual hub routing preference: ASPath prefers the shortest BGP AS path, so a branch
// whose path is not stated cannot be compared; azpath refuses it rather than take it as empty
// (which would win every comparison).
#[test]
fn as_path_routing_preference_requires_every_branch_to_state_its_as_path() {
    let hub = r#"routing_preference: AsPath, sites: [(name: "vpn-dc", kind: Vpn, prefixes: ["192.168.50.0/24"])]"#;
    let found = crate::support::errors(&wan(hub, "", ""));
    crate::support::has(&found, "branch `vpn-dc` states no `as_path`");
    let remote =
        r#"sites: [(name: "er-remote", kind: ExpressRoute, prefixes: ["192.168.50.0/24"])]"#;
    let local = r#"routing_preference: AsPath, sites: [(name: "vpn-local", kind: Vpn, prefixes: ["192.168.50.0/24"], as_path: [1])]"#;
    let found = crate::support::errors(&wan(local, remote, ""));
    crate::support::has(&found, "branch `er-remote` states no `as_path`");
    // Without AsPath preference the path is not compared and may be left out.
    load(&wan(
        r#"sites: [(name: "vpn-dc", kind: Vpn, prefixes: ["192.168.50.0/24"])]"#,
        "",
        "",
    ));
}
