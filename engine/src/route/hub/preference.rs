//! Hub routing preference: how a virtual hub chooses among routes to the same on-premises
//! prefix, after longest prefix and static over learned (Microsoft Learn, "About virtual hub
//! routing preference",
//! <https://learn.microsoft.com/azure/virtual-wan/about-virtual-hub-routing-preference>):
//!
//! - `ExpressRoute` (the default): routes learned in the local hub over routes from remote
//!   hubs; among local routes ExpressRoute over VPN; when every route comes from remote hubs,
//!   VPN over ExpressRoute; then the shortest AS path.
//! - `VpnGateway`: local over remote, VPN over ExpressRoute, then the shortest AS path.
//! - `ASPath`: the shortest AS path first, then local over remote, then ExpressRoute over VPN
//!   for local routes and VPN over ExpressRoute for remote ones.
//!
//! What remains tied shares the traffic (ECMP). Routes from another hub carry that hub's
//! `65520-65520` in front of their AS path ("View virtual hub effective routes").

use super::{HubNextHop, HubRoute};
use crate::model::{GatewayKind, HubRoutingPreference, Network};
use crate::route::types::HubRouteOrigin;

/// A route to a branch prefix as hub routing preference compares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BranchCandidate {
    /// VPN site or ExpressRoute circuit.
    pub kind: GatewayKind,
    /// Learned in this hub (`false`: through another hub).
    pub local: bool,
    /// The AS path length as this hub sees it.
    pub as_path_length: usize,
}

/// The AS path another hub adds in front of the routes it passes on: `65520-65520`.
const INTER_HUB_AS_PATH: usize = 2;

/// Lower is preferred.
fn candidate_key(pref: HubRoutingPreference, c: BranchCandidate) -> (usize, usize, usize) {
    let remote = usize::from(!c.local);
    let vpn_first = usize::from(c.kind == GatewayKind::ExpressRoute);
    let er_first = usize::from(c.kind == GatewayKind::Vpn);
    // ExpressRoute over VPN among local routes, VPN over ExpressRoute among remote ones.
    let by_locality = if c.local { er_first } else { vpn_first };
    match pref {
        HubRoutingPreference::ExpressRoute => (remote, by_locality, c.as_path_length),
        HubRoutingPreference::VpnGateway => (remote, vpn_first, c.as_path_length),
        HubRoutingPreference::AsPath => (c.as_path_length, remote, by_locality),
    }
}

/// The candidates a hub with preference `pref` uses for one prefix: the indexes of the best
/// ones (several when tied, ECMP).
pub fn preferred_branch(pref: HubRoutingPreference, candidates: &[BranchCandidate]) -> Vec<usize> {
    let best = candidates.iter().map(|c| candidate_key(pref, *c)).min();
    candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| Some(candidate_key(pref, **c)) == best)
        .map(|(i, _)| i)
        .collect()
}

/// The candidate a hub route to a branch prefix is: a route propagated from a branch, local
/// (next hop the site) or from another hub.
fn candidate(net: &Network, r: &HubRoute) -> Option<BranchCandidate> {
    let HubRouteOrigin::Propagated { from, .. } = &r.origin else {
        return None;
    };
    let local = match r.next_hop {
        HubNextHop::Site { .. } => true,
        HubNextHop::RemoteHub { .. } => false,
        _ => return None,
    };
    let (_, site) = net.branch(net.branch_by_name(from)?)?;
    let extra = if local { 0 } else { INTER_HUB_AS_PATH };
    Some(BranchCandidate {
        kind: site.kind,
        local,
        as_path_length: site.as_path_length() + extra,
    })
}

/// The sort key of a hub route after prefix length and origin: the hub's own connections and
/// firewall first, then branch routes in the order of the hub's routing preference, then what
/// comes from other hubs.
pub(super) fn key(
    net: &Network,
    pref: HubRoutingPreference,
    r: &HubRoute,
) -> (u8, usize, usize, usize) {
    if let Some(c) = candidate(net, r) {
        let (a, b, c) = candidate_key(pref, c);
        return (1, a, b, c);
    }
    match r.next_hop {
        HubNextHop::Firewall { .. } | HubNextHop::Connection { .. } => (0, 0, 0, 0),
        HubNextHop::Site { .. } => (1, 0, 0, 0),
        HubNextHop::RemoteHub { .. } | HubNextHop::Internet => (2, 0, 0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(kind: GatewayKind, local: bool, as_path_length: usize) -> BranchCandidate {
        BranchCandidate {
            kind,
            local,
            as_path_length,
        }
    }

    const ER: GatewayKind = GatewayKind::ExpressRoute;
    const VPN: GatewayKind = GatewayKind::Vpn;

    #[test]
    fn expressroute_preference_prefers_local_routes_then_expressroute_over_vpn() {
        let pref = HubRoutingPreference::ExpressRoute;
        // A local VPN route beats a remote ExpressRoute route.
        assert_eq!(
            preferred_branch(pref, &[c(ER, false, 3), c(VPN, true, 1)]),
            [1]
        );
        // Among local routes ExpressRoute wins, even with a longer AS path.
        assert_eq!(
            preferred_branch(pref, &[c(VPN, true, 1), c(ER, true, 3)]),
            [1]
        );
    }

    #[test]
    fn expressroute_preference_prefers_vpn_when_every_route_comes_from_remote_hubs() {
        let pref = HubRoutingPreference::ExpressRoute;
        assert_eq!(
            preferred_branch(pref, &[c(ER, false, 4), c(VPN, false, 3)]),
            [1]
        );
    }

    #[test]
    fn vpn_preference_prefers_local_then_vpn_over_expressroute() {
        let pref = HubRoutingPreference::VpnGateway;
        assert_eq!(
            preferred_branch(pref, &[c(ER, true, 2), c(VPN, true, 5)]),
            [1]
        );
        assert_eq!(
            preferred_branch(pref, &[c(VPN, false, 3), c(ER, true, 2)]),
            [1]
        );
    }

    #[test]
    fn as_path_preference_prefers_the_shortest_as_path_even_from_a_remote_hub() {
        let pref = HubRoutingPreference::AsPath;
        assert_eq!(
            preferred_branch(pref, &[c(ER, true, 5), c(VPN, false, 3)]),
            [1]
        );
        // Equal paths: local over remote, then ExpressRoute over VPN among local routes.
        assert_eq!(
            preferred_branch(pref, &[c(VPN, false, 3), c(VPN, true, 3)]),
            [1]
        );
        assert_eq!(
            preferred_branch(pref, &[c(VPN, true, 3), c(ER, true, 3)]),
            [1]
        );
    }

    #[test]
    fn routes_left_tied_by_every_rule_share_the_traffic() {
        let pref = HubRoutingPreference::ExpressRoute;
        assert_eq!(
            preferred_branch(pref, &[c(VPN, true, 1), c(VPN, true, 1)]),
            [0, 1]
        );
    }
}
