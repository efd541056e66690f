//! A subnet's effective route table, compiled for look-ups.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;

use super::lpm::{Lpm, TrieLpm};
use super::select::select;
use super::system;
use super::types::{EffectiveRoute, Origin, Removal, RemovedRoute};
use crate::model::{Network, RouteSource, RouteState, SubnetId};

/// The effective routes of one subnet, in the order Azure lists them (system routes, gateway
/// routes, then UDRs), with the reserved routes Azure removed, and LPM indexes over them.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct RouteTableView {
    /// Every route shown, `Active` or `Invalid`.
    pub routes: Vec<EffectiveRoute>,
    /// Routes Azure removes from the table, with the reason.
    pub removed: Vec<RemovedRoute>,
    /// Active routes by prefix: what forwarding uses. Several indexes under one prefix are
    /// equal-cost paths.
    #[serde(skip)]
    active: TrieLpm<Vec<usize>>,
    /// Every route by prefix, for explaining a look-up.
    #[serde(skip)]
    all: TrieLpm<Vec<usize>>,
}

impl RouteTableView {
    /// Computes the effective routes of `subnet`.
    pub fn compile(net: &Network, subnet: SubnetId) -> Option<Self> {
        let s = net.subnet(subnet)?;
        let vnet = net.vnet(s.vnet)?;
        let user = system::user(net, s);
        let mut gateway = system::gateway(net, s);
        gateway.extend(super::hub::spoke_routes(net, s));
        let removal = default_route_removal(
            &user,
            &gateway,
            net.assumptions.bgp_default_route_removes_reserved_routes,
        );
        let (reserved, removed) = system::reserved(net, s.vnet, removal);
        let mut candidates = system::vnet_local(vnet);
        candidates.extend(system::peering(net, s.vnet));
        candidates.extend(system::private_endpoints(net, s.vnet));
        candidates.extend(system::service_endpoints(net, s));
        candidates.extend(system::default_internet(vnet));
        candidates.extend(reserved);
        candidates.extend(gateway);
        candidates.extend(user);
        let routes = select(net, s, candidates);
        Some(Self::index(routes, removed))
    }

    fn index(routes: Vec<EffectiveRoute>, removed: Vec<RemovedRoute>) -> Self {
        let mut active: TrieLpm<Vec<usize>> = TrieLpm::default();
        let mut all: TrieLpm<Vec<usize>> = TrieLpm::default();
        let mut by_prefix: std::collections::BTreeMap<IpNet, (Vec<usize>, Vec<usize>)> =
            Default::default();
        for (i, r) in routes.iter().enumerate() {
            let entry = by_prefix.entry(r.prefix).or_default();
            entry.1.push(i);
            if r.state == RouteState::Active {
                entry.0.push(i);
            }
        }
        for (prefix, (act, every)) in by_prefix {
            if !act.is_empty() {
                active.insert(prefix, act);
            }
            all.insert(prefix, every);
        }
        Self {
            routes,
            removed,
            active,
            all,
        }
    }

    /// The Active routes that forward `dst`: the longest matching prefix, with all its
    /// equal-cost paths. Empty when nothing matches (the packet is dropped).
    pub fn lookup(&self, dst: IpAddr) -> Vec<&EffectiveRoute> {
        self.active
            .longest_match(dst)
            .map(|(_, idx)| idx.iter().filter_map(|i| self.routes.get(*i)).collect())
            .unwrap_or_default()
    }

    /// The Active route that forwards `dst` (the first of its equal-cost paths), without
    /// allocating: the hot path of forwarding.
    pub fn best(&self, dst: IpAddr) -> Option<&EffectiveRoute> {
        let (_, idx) = self.active.longest_match(dst)?;
        self.routes.get(*idx.first()?)
    }

    /// Every route whose prefix contains `dst`, longest prefix first, Active before Invalid.
    pub fn covering(&self, dst: IpAddr) -> Vec<&EffectiveRoute> {
        let mut out: Vec<&EffectiveRoute> = self
            .all
            .covering(dst)
            .into_iter()
            .rev()
            .flat_map(|(_, idx)| idx.iter().filter_map(|i| self.routes.get(*i)))
            .collect();
        out.sort_by_key(|r| (std::cmp::Reverse(r.prefix.prefix_len()), r.state));
        out
    }
}

/// A user 0.0.0.0/0 removes the reserved `None` routes (documented). A BGP 0.0.0.0/0 does so
/// only under the assumption `bgp_default_route_removes_reserved_routes`.
fn default_route_removal(
    user: &[super::types::Candidate],
    gateway: &[super::types::Candidate],
    bgp_removes: bool,
) -> Option<Removal> {
    let is_v4_default = |p: &IpNet| matches!(p, IpNet::V4(n) if n.prefix_len() == 0);
    let from_user = user
        .iter()
        .find(|c| is_v4_default(&c.prefix))
        .and_then(|c| match &c.origin {
            Origin::UserRoute { table, route } => Some(Removal::UserDefaultRoute {
                table: table.clone(),
                route: route.clone(),
            }),
            _ => None,
        });
    let from_bgp = || {
        gateway
            .iter()
            .filter(|_| bgp_removes)
            .find(|c| is_v4_default(&c.prefix) && c.source == RouteSource::VirtualNetworkGateway)
            .and_then(|c| match &c.origin {
                Origin::Gateway { gateway, .. } => Some(Removal::BgpDefaultRoute {
                    gateway: gateway.clone(),
                }),
                _ => None,
            })
    };
    from_user.or_else(from_bgp)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::table;

    #[test]
    fn best_is_the_first_of_the_longest_active_matches() {
        let t = table(
            r#"Scenario(
                vnets: [(name: "v", region: "r", address_space: ["10.0.0.0/16"], subnets: [(name: "GatewaySubnet", prefix: "10.0.255.0/27"), (name: "a", prefix: "10.0.1.0/24")])],
                gateways: [(name: "gw", vnet: "v", kind: Vpn, instance_ips: ["10.0.255.4", "10.0.255.5"], learned: [(prefix: "192.168.1.0/24")])])"#,
            "v/a",
        );
        for dst in ["192.168.1.9", "10.0.1.9", "8.8.8.8", "10.9.9.9"] {
            let dst = dst.parse().unwrap();
            assert_eq!(t.best(dst), t.lookup(dst).first().copied(), "{dst}");
        }
        assert_eq!(t.lookup("192.168.1.9".parse().unwrap()).len(), 2, "ECMP");
    }
}
