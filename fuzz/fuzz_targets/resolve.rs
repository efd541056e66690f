//! The resolver on structurally valid but semantically wild documents: the fuzzer's bytes pick
//! names (often dangling), prefixes (overlapping, with host bits, of either family, huge or
//! tiny), addresses and flags, so the document always parses and validation has to cope with
//! anything. It must never panic; what it accepts must compile and answer next-hop look-ups.
#![no_main]

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};

use arbitrary::{Result, Unstructured};
use azpath_engine::{load_str, query};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 6] = ["a", "b", "hub", "spoke", "rt", "GatewaySubnet"];
const HOPS: [&str; 9] = [
    "VirtualAppliance(\"{ip}\")",
    "VirtualNetworkGateway",
    "VnetLocal",
    "Internet",
    "None",
    "VNetPeering",
    "InterfaceEndpoint",
    "VirtualAppliance(\"not-an-ip\")",
    "VirtualAppliance(\"fd00::4\")",
];

fn name(u: &mut Unstructured) -> Result<&'static str> {
    u.choose(&NAMES).copied()
}

fn ip(u: &mut Unstructured) -> Result<String> {
    Ok(if u.ratio(1, 8)? {
        format!("fd00::{:x}", u.int_in_range(0..=0xffffu32)?)
    } else {
        Ipv4Addr::new(10, u.int_in_range(0..=3)?, u.int_in_range(0..=3)?, u.arbitrary()?).to_string()
    })
}

fn prefix(u: &mut Unstructured) -> Result<String> {
    Ok(if u.ratio(1, 10)? {
        format!("fd00:{:x}::/{}", u.int_in_range(0..=3u32)?, u.int_in_range(0..=128u8)?)
    } else {
        format!("{}/{}", ip(u)?, u.int_in_range(0..=33u8)?)
    })
}

fn document(u: &mut Unstructured) -> Result<String> {
    let mut s = String::from("Scenario(vnets: [");
    for _ in 0..u.int_in_range(0..=3)? {
        let _ = write!(s, "(name: \"{}\", region: \"{}\", address_space: [", name(u)?, u.choose(&["eastus", "westus"])?);
        for _ in 0..u.int_in_range(0..=2)? {
            let _ = write!(s, "\"{}\",", prefix(u)?);
        }
        s.push_str("], subnets: [");
        for _ in 0..u.int_in_range(0..=3)? {
            let policy = u.choose(&["Disabled", "Enabled", "RouteTableEnabled", "NetworkSecurityGroupEnabled"])?;
            let table = if u.arbitrary()? { format!(", route_table: \"{}\"", name(u)?) } else { String::new() };
            let _ = write!(s, "(name: \"{}\", prefix: \"{}\", private_endpoint_network_policies: {policy}{table}),", name(u)?, prefix(u)?);
        }
        s.push_str("]),");
    }
    s.push_str("], peerings: [");
    for _ in 0..u.int_in_range(0..=3)? {
        let transit = if u.ratio(1, 3)? { format!(", gateway_transit: \"{}\"", name(u)?) } else { String::new() };
        let _ = write!(s, "(between: (\"{}\", \"{}\"), allow_forwarded_traffic: {}{transit}),", name(u)?, name(u)?, u.arbitrary::<bool>()?);
    }
    s.push_str("], route_tables: [");
    for _ in 0..u.int_in_range(0..=2)? {
        let _ = write!(s, "(name: \"{}\", propagate_gateway_routes: {}, routes: [", name(u)?, u.arbitrary::<bool>()?);
        for i in 0..u.int_in_range(0..=4)? {
            let hop = u.choose(&HOPS)?.replace("{ip}", &ip(u)?);
            let _ = write!(s, "(name: \"r{i}\", prefix: \"{}\", next_hop: {hop}),", prefix(u)?);
        }
        s.push_str("]),");
    }
    s.push_str("], gateways: [");
    for _ in 0..u.int_in_range(0..=1)? {
        let _ = write!(s, "(name: \"gw\", vnet: \"{}\", kind: {}, instance_ips: [\"{}\"], learned: [(prefix: \"{}\")]),",
            name(u)?, u.choose(&["Vpn", "ExpressRoute"])?, ip(u)?, prefix(u)?);
    }
    s.push_str("], private_endpoints: [");
    for i in 0..u.int_in_range(0..=2)? {
        let _ = write!(s, "(name: \"pe{i}\", subnet: \"{}/{}\", ip: \"{}\"),", name(u)?, name(u)?, ip(u)?);
    }
    s.push_str("], workloads: [");
    for i in 0..u.int_in_range(0..=2)? {
        let kind = u.choose(&["Vm", "Nva"])?;
        let _ = write!(s, "(name: \"w{i}\", kind: {kind}, subnet: \"{}/{}\", ip: \"{}\"),", name(u)?, name(u)?, ip(u)?);
    }
    s.push_str("])");
    Ok(s)
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(text) = document(&mut u) else { return };
    let Ok(loaded) = load_str("wild.ron", &text) else { return };
    let dp = loaded.dataplane();
    let dst = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 4));
    for i in loaded.network.subnets.ids() {
        let answer = query::next_hop(&loaded.network, &dp, i, dst);
        assert!(answer.route.as_ref().is_none_or(|r| r.prefix.contains(&dst)));
    }
});
