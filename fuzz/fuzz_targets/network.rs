//! Structure-aware: the fuzzer's bytes choose a valid network (VNets and subnets, peerings, route
//! tables and their UDRs, NSGs, workloads and appliances, services and their private endpoints,
//! an Azure Firewall, a private DNS zone and its links), rendered to scenario text and loaded, so
//! the resolver and the tracer always see a real network. Laws:
//!
//! - the document is valid: it loads (a refusal is a validation bug or a generator bug);
//! - the route engine agrees with the reference model (`engine/tests/reference.rs`, which derives
//!   the offered routes from the network itself) at every subnet, row for row, and on next hops
//!   for the addresses of the network and a chosen one;
//! - `reach` agrees with `trace`: every pair of the matrix has the verdict the command line's
//!   trace to the destination's address gives;
//! - what-if of the file against itself changes nothing (routes, flows to every endpoint address
//!   and service name, resolutions).
#![no_main]

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};

use arbitrary::{Result, Unstructured};
use azpath_engine::analysis::flow::FlowSpec;
use azpath_engine::analysis::reach::{reach, Destinations, ReachRequest};
use azpath_engine::analysis::whatif::what_if;
use azpath_engine::model::{FlowProtocol, NicRef, TraceSource, TraceTarget};
use azpath_engine::route::RouteTableView;
use azpath_engine::trace::{trace_to, Probe};
use azpath_engine::load_str;
use libfuzzer_sys::fuzz_target;

/// The reference model of route selection, shared with the engine's property tests.
#[allow(dead_code, clippy::all)]
#[path = "../../engine/tests/reference.rs"]
mod reference;

const POLICIES: [&str; 4] = ["Disabled", "Enabled", "NetworkSecurityGroupEnabled", "RouteTableEnabled"];
const REGIONS: [&str; 2] = ["eastus", "westus"];
const PORTS: [&str; 5] = ["443", "80", "22", "1-1024", "*"];
const PATTERNS: [&str; 4] = ["*", "*.openai.azure.com", "svc0.openai.azure.com", "*.example.com"];
/// The firewall's address, in the first VNet's `AzureFirewallSubnet`.
const FIREWALL_IP: &str = "10.0.0.4";

/// One subnet: its VNet, its third octet, its table and NSG (indexes), its policies.
struct Subnet {
    vnet: u8,
    octet: u8,
    table: Option<usize>,
    nsg: Option<usize>,
    policy: &'static str,
}

/// A generated network: its text and the addresses worth asking about.
struct Generated {
    ron: String,
    addresses: Vec<Ipv4Addr>,
}

fn prefix(u: &mut Unstructured, vnets: u8, hosts: &[Ipv4Addr]) -> Result<String> {
    let v = u.int_in_range(0..=vnets.saturating_sub(1))?;
    Ok(match u.int_in_range(0..=6)? {
        0 => "0.0.0.0/0".into(),
        1 => "10.0.0.0/8".into(),
        2 => format!("10.{v}.0.0/16"),
        3 => format!("10.{v}.{}.0/24", u.int_in_range(0..=3)?),
        4 => match u.choose(hosts).ok() {
            Some(h) => {
                let len = u.int_in_range(16..=32)?;
                ipnet::Ipv4Net::new(*h, len).map_or_else(|_| format!("{h}/32"), |n| n.trunc().to_string())
            }
            None => "10.0.0.0/16".into(),
        },
        5 => "192.168.0.0/16".into(),
        _ => {
            let len = u.int_in_range(0..=32)?;
            let a = Ipv4Addr::from(u.arbitrary::<u32>()?);
            ipnet::Ipv4Net::new(a, len).map_or_else(|_| "0.0.0.0/0".into(), |n| n.trunc().to_string())
        }
    })
}

fn generate(u: &mut Unstructured) -> Result<Generated> {
    let vnets: u8 = u.int_in_range(1..=4)?;
    let firewall = u.arbitrary::<bool>()?;
    let tables: usize = u.int_in_range(0..=2)?;
    let nsgs: usize = u.int_in_range(0..=2)?;
    let services: usize = u.int_in_range(0..=2)?;
    // Subnets: octet 1.. of each VNet (octet 0 of the first is the firewall's).
    let mut subnets: Vec<Subnet> = Vec::new();
    for v in 0..vnets {
        for octet in 1..=u.int_in_range(1..=3u8)? {
            subnets.push(Subnet {
                vnet: v,
                octet,
                table: if tables > 0 && u.ratio(2, 3)? { Some(u.int_in_range(0..=tables - 1)?) } else { None },
                nsg: if nsgs > 0 && u.ratio(1, 2)? { Some(u.int_in_range(0..=nsgs - 1)?) } else { None },
                policy: *u.choose(&POLICIES)?,
            });
        }
    }
    // Workloads (the first NVA-capable ones may forward) and private endpoints.
    let mut addresses: Vec<Ipv4Addr> = Vec::new();
    let mut workloads = String::new();
    let mut appliances: Vec<Ipv4Addr> = Vec::new();
    for i in 0..u.int_in_range(1..=6u8)? {
        let s = u.choose(&subnets)?;
        let ip = Ipv4Addr::new(10, s.vnet, s.octet, 4 + i);
        let nva = u.ratio(1, 4)?;
        let kind = if nva {
            appliances.push(ip);
            format!(", kind: Nva, stateful: {}, snat: {}", u.arbitrary::<bool>()?, u.arbitrary::<bool>()?)
        } else {
            String::new()
        };
        let _ = write!(workloads, r#"(name: "vm{i}", subnet: "v{}/s{}", ip: "{ip}"{kind}),"#, s.vnet, s.octet);
        addresses.push(ip);
    }
    let mut endpoints = String::new();
    let mut records = String::new();
    for i in 0..u.int_in_range(0..=3u8)? {
        let s = u.choose(&subnets)?;
        let ip = Ipv4Addr::new(10, s.vnet, s.octet, 100 + i);
        let target = if services > 0 {
            let t = u.int_in_range(0..=services - 1)?;
            if !records.contains(&format!("\"svc{t}\"")) && u.ratio(3, 4)? {
                let _ = write!(records, r#"(name: "svc{t}", a: ["{ip}"]),"#);
            }
            format!(r#", target: "svc{t}""#)
        } else {
            String::new()
        };
        let _ = write!(endpoints, r#"(name: "pe{i}", subnet: "v{}/s{}", ip: "{ip}"{target}),"#, s.vnet, s.octet);
        addresses.push(ip);
    }
    if firewall {
        appliances.push(Ipv4Addr::new(10, 0, 0, 4));
    }
    // VNets.
    let mut text = String::from("Scenario(\n    vnets: [\n");
    for v in 0..vnets {
        let region = u.choose(&REGIONS)?;
        let _ = write!(text, r#"        (name: "v{v}", region: "{region}", address_space: ["10.{v}.0.0/16"], subnets: ["#);
        if v == 0 && firewall {
            text.push_str(r#"(name: "AzureFirewallSubnet", prefix: "10.0.0.0/26"), "#);
        }
        for s in subnets.iter().filter(|s| s.vnet == v) {
            let table = s.table.map(|t| format!(r#", route_table: "rt{t}""#)).unwrap_or_default();
            let nsg = s.nsg.map(|n| format!(r#", nsg: "nsg{n}""#)).unwrap_or_default();
            let _ = write!(
                text,
                r#"(name: "s{}", prefix: "10.{v}.{}.0/24"{table}{nsg}, private_endpoint_network_policies: {}), "#,
                s.octet, s.octet, s.policy
            );
        }
        text.push_str("]),\n");
    }
    text.push_str("    ],\n    peerings: [");
    for a in 0..vnets {
        for b in a + 1..vnets {
            if u.ratio(2, 3)? {
                let _ = write!(
                    text,
                    r#"(between: ("v{a}", "v{b}"), allow_forwarded_traffic: {}, allow_virtual_network_access: {}), "#,
                    u.arbitrary::<bool>()?,
                    u.ratio(7, 8)?
                );
            }
        }
    }
    text.push_str("],\n    route_tables: [");
    for t in 0..tables {
        let _ = write!(text, r#"(name: "rt{t}", routes: ["#);
        let mut seen: Vec<String> = Vec::new();
        for r in 0..u.int_in_range(0..=4u8)? {
            let p = prefix(u, vnets, &addresses)?;
            if seen.contains(&p) {
                continue;
            }
            let hop = match u.int_in_range(0..=3)? {
                0 => "None".to_string(),
                1 => "Internet".to_string(),
                2 => "VnetLocal".to_string(),
                _ => match u.choose(&appliances).ok() {
                    Some(a) => format!(r#"VirtualAppliance("{a}")"#),
                    None => "None".to_string(),
                },
            };
            let _ = write!(text, r#"(name: "u{r}", prefix: "{p}", next_hop: {hop}), "#);
            seen.push(p);
        }
        text.push_str("]), ");
    }
    text.push_str("],\n    nsgs: [");
    for n in 0..nsgs {
        let _ = write!(text, r#"(name: "nsg{n}", rules: ["#);
        for r in 0..u.int_in_range(0..=4u32)? {
            let direction = if u.arbitrary()? { "Inbound" } else { "Outbound" };
            let access = if u.arbitrary()? { "Allow" } else { "Deny" };
            let protocol = u.choose(&["Tcp", "Udp", "Any", "Icmp"])?;
            let remote = match u.int_in_range(0..=3)? {
                0 => String::new(),
                1 => r#"source: ["VirtualNetwork"], "#.to_string(),
                2 => format!(r#"destination: ["{}"], "#, prefix(u, vnets, &addresses)?),
                _ => format!(r#"source: ["{}"], "#, prefix(u, vnets, &addresses)?),
            };
            let ports = u.choose(&PORTS)?;
            let _ = write!(
                text,
                r#"(name: "r{r}", priority: {}, direction: {direction}, access: {access}, protocol: {protocol}, {remote}destination_ports: ["{ports}"]), "#,
                100 + r * 10
            );
        }
        text.push_str("]), ");
    }
    text.push_str("],\n");
    if firewall {
        let mut network = String::new();
        for r in 0..u.int_in_range(0..=2u8)? {
            let _ = write!(
                network,
                r#"(name: "n{r}", source: ["10.0.0.0/8"], destination: ["{}"], ports: ["{}"], protocol: {}), "#,
                prefix(u, vnets, &addresses)?,
                u.choose(&PORTS)?,
                u.choose(&["Tcp", "Udp", "Any"])?
            );
        }
        let mut application = String::new();
        for r in 0..u.int_in_range(0..=2u8)? {
            let _ = write!(
                application,
                r#"(name: "a{r}", source: ["10.0.0.0/8"], fqdns: ["{}"], ports: ["443", "80"]), "#,
                u.choose(&PATTERNS)?
            );
        }
        let _ = write!(
            text,
            r#"    firewalls: [(name: "fw", subnet: "v0/AzureFirewallSubnet", private_ip: "{FIREWALL_IP}", network_rules: [{network}], application_rules: [{application}])],
"#
        );
    }
    text.push_str("    services: [");
    for s in 0..services {
        let access = if u.arbitrary()? { "Enabled" } else { "Disabled" };
        let _ = write!(
            text,
            r#"(name: "svc{s}", kind: OpenAI, fqdn: "svc{s}.openai.azure.com", public_ip: "20.0.0.{}", public_network_access: {access}), "#,
            s + 1
        );
    }
    let mut links = String::new();
    for v in 0..vnets {
        if u.arbitrary()? {
            let _ = write!(links, r#""v{v}", "#);
        }
    }
    let _ = write!(
        text,
        r#"],
    private_endpoints: [{endpoints}],
    dns: (zones: [(name: "privatelink.openai.azure.com", links: [{links}], records: [{records}])]),
    workloads: [{workloads}],
)
"#
    );
    Ok(Generated { ron: text, addresses })
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(generated) = generate(&mut u) else { return };
    let probe = Ipv4Addr::from(u.arbitrary::<u32>().unwrap_or(0x0a00_0204));
    let port = *u.choose(&[443u16, 80, 22]).unwrap_or(&443);
    let text = &generated.ron;
    let loaded = match load_str("network.ron", text) {
        Ok(l) => l,
        Err(e) => panic!("a valid network was refused: {e}\n{text}"),
    };
    let (net, dp) = (&loaded.network, loaded.dataplane());
    // To see what an input builds: `AZPATH_FUZZ_SHOW=1 cargo fuzz run … network INPUT`.
    let show = std::env::var_os("AZPATH_FUZZ_SHOW").is_some();
    if show {
        eprintln!("{text}");
    }

    // The route engine against the reference model.
    let probes: Vec<IpAddr> = generated
        .addresses
        .iter()
        .copied()
        .chain([probe, Ipv4Addr::new(10, 0, 0, 4), Ipv4Addr::new(8, 8, 8, 8)])
        .map(IpAddr::V4)
        .collect();
    assert!(reference::supported(net), "the generator makes no virtual hubs");
    for i in net.subnets.ids() {
        let Some(t) = RouteTableView::compile(net, i) else { continue };
        let expected = reference::routes(net, i);
        assert_eq!(reference::rows(&t.routes().into_iter().map(std::borrow::Cow::into_owned).collect::<Vec<_>>()), expected, "routes at subnet {}\n{text}", i.index());
        for dst in &probes {
            let mut engine: Vec<_> = t.lookup(*dst).iter().map(|r| r.next_hop).collect();
            engine.sort();
            assert_eq!(engine, reference::next_hops(&expected, *dst), "{dst} at subnet {}\n{text}", i.index());
        }
    }

    // Reach agrees with trace on every pair.
    let request = ReachRequest {
        protocol: FlowProtocol::Tcp,
        port,
        source_port: 50000,
        destinations: Destinations::Everything,
        sites: false,
    };
    let answer = reach(net, dp, &request);
    if show {
        eprintln!("port {port}: {:?}", answer.summary);
    }
    for row in answer.rows() {
        let Some(NicRef::Workload(w)) = net.nic_by_name(row.source) else { panic!("no source {}", row.source) };
        let trace = Probe {
            protocol: FlowProtocol::Tcp,
            port,
            source_port: 50000,
            host: None,
        };
        let target = TraceTarget::parse(&row.destination_ip.to_string());
        let own = trace_to(net, dp, TraceSource::Workload(w), &target, trace).map(|a| a.verdict);
        assert_eq!(
            Some(&*row.verdict),
            own.as_ref(),
            "reach and trace disagree: {} -> {} port {port}\n{text}",
            row.source,
            row.destination
        );
    }

    // What-if of the file against itself changes nothing.
    let again = match load_str("network.ron", text) {
        Ok(l) => l,
        Err(e) => panic!("the same text loads once only: {e}"),
    };
    let mut flows: Vec<FlowSpec> = Vec::new();
    for w in net.workloads.iter().take(4) {
        for to in net
            .private_endpoints
            .iter()
            .map(|p| p.ip.to_string())
            .chain(net.services.iter().map(|s| s.fqdn.clone()))
            .take(6)
        {
            flows.push(FlowSpec { from: w.name.clone(), to, port, host: None });
        }
    }
    let same = what_if(&loaded, &again, &flows);
    assert!(same.is_empty(), "what-if of a file against itself: {same:?}\n{text}");
    let same = what_if(&loaded, &again, &[]);
    assert!(same.is_empty(), "what-if of a file against itself: {same:?}\n{text}");
});
