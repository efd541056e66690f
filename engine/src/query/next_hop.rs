//! "Where does traffic from here to that IP go next, and why?" — Network Watcher's next hop,
//! with every competing route and the reason it lost.

use std::net::IpAddr;
use std::sync::Arc;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::dataplane::DataPlane;
use crate::model::{Name, Network, NextHop, NextHopType, RouteState, SubnetId};
use crate::route::{EffectiveRoute, Explained};

/// The next hop of a packet, with the evidence.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct NextHopAnswer {
    /// The source subnet, `vnet/subnet` (shared with the data plane's names).
    pub subnet: Name,
    /// The destination IP.
    pub destination: IpAddr,
    /// The next hop: type and IP. `None` when no route matches (dropped).
    pub next_hop: NextHop,
    /// Every next hop IP when several equal-cost routes win.
    pub next_hop_ips: Vec<IpAddr>,
    /// The winning route's table, or `System Route` (shared with the compiled table).
    pub route_table: Name,
    /// The winning route (the first of equal-cost paths), if any. Shared with the compiled
    /// table it was looked up in (it serialises as the route itself).
    pub route: Option<Arc<EffectiveRoute>>,
    /// Every route whose prefix contains the destination, longest first, with its verdict.
    pub candidates: Vec<CandidateRoute>,
}

/// A route that covered the destination, and what became of it.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct CandidateRoute {
    /// The route, shared with the compiled table (it serialises as the route itself).
    pub route: Arc<EffectiveRoute>,
    /// Whether it won, and if not, why.
    pub verdict: Verdict,
}

/// The fate of a covering route in one look-up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "verdict")]
#[non_exhaustive]
pub enum Verdict {
    /// The longest matching Active prefix: this route forwards the packet.
    Selected,
    /// Active, but a longer Active prefix also matches and wins.
    ShorterPrefix {
        /// The winning prefix.
        #[schemars(with = "String")]
        than: IpNet,
    },
    /// Invalid, so never used; the route's `why` says which rule.
    Invalid,
}

/// The next hop from `subnet` towards `destination`.
pub fn next_hop(
    net: &Network,
    dp: &DataPlane,
    subnet: SubnetId,
    destination: IpAddr,
) -> NextHopAnswer {
    next_hop_and_route(net, dp, subnet, destination).1
}

/// The route that forwards from `subnet` towards `destination`, borrowed from the compiled
/// table, and the explained answer: both from one look-up, for a trace that forwards by the
/// route and keeps the evidence.
pub fn next_hop_and_route<'a>(
    net: &Network,
    dp: &'a DataPlane,
    subnet: SubnetId,
    destination: IpAddr,
) -> (Option<&'a EffectiveRoute>, NextHopAnswer) {
    let name = dp
        .names()
        .subnet(subnet)
        .cloned()
        .or_else(|| net.subnet(subnet).map(|s| Name::from(s.name.as_str())))
        .unwrap_or_default();
    let Some(view) = dp.routes(subnet) else {
        let answer = NextHopAnswer {
            subnet: name,
            destination,
            next_hop: NextHop::of(NextHopType::None),
            next_hop_ips: Vec::new(),
            route_table: Name::default(),
            route: None,
            candidates: Vec::new(),
        };
        return (None, answer);
    };
    // Covering routes come longest first, Active before Invalid: the first Active one wins,
    // and every Active one of its prefix is an equal-cost path.
    let mut route: Option<Arc<EffectiveRoute>> = None;
    let mut next_hop_ips = Vec::new();
    let Explained {
        best,
        covering: candidates,
    } = view.explain(destination, |r| {
        if route.is_none() && r.state == RouteState::Active {
            route = Some(Arc::clone(&r));
        }
        let winning_prefix = route.as_ref().map(|w| w.prefix);
        let verdict = match (r.state, winning_prefix) {
            (RouteState::Invalid, _) => Verdict::Invalid,
            (_, Some(w)) if w == r.prefix => Verdict::Selected,
            (_, Some(w)) => Verdict::ShorterPrefix { than: w },
            (_, None) => Verdict::Invalid,
        };
        if verdict == Verdict::Selected {
            next_hop_ips.extend(r.next_hop.ip);
        }
        CandidateRoute { route: r, verdict }
    });
    let answer = NextHopAnswer {
        subnet: name,
        destination,
        next_hop: route
            .as_ref()
            .map_or(NextHop::of(NextHopType::None), |r| r.next_hop),
        next_hop_ips,
        route_table: route
            .as_ref()
            .map_or_else(Name::default, |r| view.table_name(r)),
        route,
        candidates,
    };
    (best, answer)
}
