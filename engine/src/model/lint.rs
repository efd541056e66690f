//! Validation that needs the compiled routes, reported as warnings: Azure accepts these
//! configurations, but traffic cannot work as written.
//!
//! The model stage runs before routes are compiled, so the checks take the best route of a
//! subnet as a function (`best`): the loader passes the compiled data plane's lookup, and the
//! model never imports a later stage.

use std::net::IpAddr;

use super::{Network, NextHop, NextHopType, SubnetId, VnetId};
use crate::diag::Diagnostic;

/// How many appliances a UDR's traffic is followed through before giving up.
const APPLIANCE_CHAIN: usize = 16;

/// Every user route whose traffic, followed from appliance to appliance by each appliance
/// subnet's effective routes, comes back to an appliance it already passed: a routing loop.
/// `best(subnet, dst)` is the next hop of `subnet`'s best effective route for `dst`.
pub fn appliance_loops(
    net: &Network,
    best: impl Fn(SubnetId, IpAddr) -> Option<NextHop>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let forwarders = Forwarders::of(net);
    for (i, subnet) in net.subnets.iter().enumerate() {
        let Some(table) = subnet.route_table.and_then(|t| net.route_table(t)) else {
            continue;
        };
        for route in &table.routes {
            if route.next_hop.next_hop_type != NextHopType::VirtualAppliance {
                continue;
            }
            let probe = route.prefix.network();
            if let Some(cycle) = follow(net, &forwarders, &best, SubnetId(i), probe) {
                let path = cycle.join("` -> `");
                out.push(
                    Diagnostic::warning(
                        route.span,
                        format!(
                            "traffic for `{}` from `{}` loops between appliances `{path}`",
                            route.prefix, subnet.name
                        ),
                        )
                    .with_hint("each appliance's subnet routes it to the next one and back; give one of them a route out of the loop"),
                );
            }
        }
    }
    out
}

/// Follows `dst` from `subnet` through appliances; the names of the cycle if one closes.
fn follow(
    net: &Network,
    forwarders: &Forwarders<'_>,
    best: &impl Fn(SubnetId, IpAddr) -> Option<NextHop>,
    mut subnet: SubnetId,
    dst: IpAddr,
) -> Option<Vec<String>> {
    let mut seen: Vec<(IpAddr, String)> = Vec::new();
    for _ in 0..APPLIANCE_CHAIN {
        let hop = best(subnet, dst)?;
        let ip = hop
            .ip
            .filter(|_| hop.next_hop_type == NextHopType::VirtualAppliance)?;
        if let Some(start) = seen.iter().position(|(a, _)| *a == ip) {
            let mut cycle: Vec<String> = seen.iter().skip(start).map(|(_, n)| n.clone()).collect();
            cycle.push(cycle.first().cloned().unwrap_or_default());
            return Some(cycle);
        }
        let vnet = net.subnet(subnet)?.vnet;
        let (name, next) = forwarders.at(net, vnet, ip)?;
        seen.push((ip, name));
        subnet = next;
    }
    None
}

/// The NICs that forward traffic (workloads with IP forwarding, then firewalls, each in the
/// order written) by address, so that finding an appliance costs a search, not a scan of every
/// workload.
struct Forwarders<'a> {
    /// `(address, order, name, subnet)`, sorted: workloads before firewalls at one address.
    by_address: Vec<(IpAddr, usize, &'a str, SubnetId)>,
}

impl<'a> Forwarders<'a> {
    fn of(net: &'a Network) -> Self {
        let workloads = net
            .workloads
            .iter()
            .filter(|w| w.forwarding.is_some())
            .map(|w| (w.ip, w.name.as_str(), w.subnet));
        let firewalls = net
            .firewalls
            .iter()
            .map(|f| (f.ip, f.name.as_str(), f.subnet));
        let mut by_address: Vec<_> = workloads
            .chain(firewalls)
            .enumerate()
            .map(|(order, (ip, name, subnet))| (ip, order, name, subnet))
            .collect();
        by_address.sort();
        Self { by_address }
    }

    /// The forwarding NIC holding `ip` in `vnet` or a VNet peered with it.
    fn at(&self, net: &Network, vnet: VnetId, ip: IpAddr) -> Option<(String, SubnetId)> {
        let reachable = |s: SubnetId| {
            net.subnet(s).is_some_and(|s| {
                s.vnet == vnet || net.connected_peers(vnet).any(|(_, r)| r == s.vnet)
            })
        };
        let from = self.by_address.partition_point(|(a, ..)| *a < ip);
        self.by_address
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|(a, ..)| *a == ip)
            .find(|(_, _, _, subnet)| reachable(*subnet))
            .map(|(_, _, name, subnet)| ((*name).to_string(), *subnet))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loops(ron: &str) -> Vec<String> {
        let loaded = crate::load_str("t.ron", ron).unwrap();
        let dp = loaded.dataplane();
        appliance_loops(&loaded.network, |s, d| {
            Some(dp.routes(s)?.best(d)?.next_hop)
        })
        .into_iter()
        .map(|d| d.message)
        .collect()
    }

    const TWO: &str = r#"Scenario(
        vnets: [(name: "v", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [
            (name: "a", prefix: "10.0.1.0/24", route_table: "rt-a"),
            (name: "b", prefix: "10.0.2.0/24", route_table: "rt-b"),
        ])],
        route_tables: [
            (name: "rt-a", routes: [(name: "r", prefix: "10.9.0.0/16", next_hop: VirtualAppliance("10.0.2.4"))]),
            (name: "rt-b", routes: [(name: "r", prefix: "10.9.0.0/16", next_hop: VirtualAppliance(TARGET))]),
        ],
        workloads: [(name: "nva-a", kind: Nva, subnet: "v/a", ip: "10.0.1.4"), (name: "nva-b", kind: Nva, subnet: "v/b", ip: "10.0.2.4")],
    )"#;

    #[test]
    fn two_appliances_whose_subnets_route_to_each_other_are_a_loop() {
        let found = loops(&TWO.replace("TARGET", r#""10.0.1.4""#));
        assert!(!found.is_empty(), "{found:?}");
        assert!(
            found.iter().all(|m| m.contains("loops between appliances")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|m| m.contains("`nva-b` -> `nva-a` -> `nva-b`")),
            "{found:?}"
        );
    }

    #[test]
    fn a_chain_that_leaves_the_appliances_is_not_a_loop() {
        // rt-b sends the range to the Internet instead of back.
        let ron = TWO.replace("VirtualAppliance(TARGET)", "Internet");
        assert!(loops(&ron).is_empty());
    }
}
