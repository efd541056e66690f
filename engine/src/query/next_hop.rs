//! "Where does traffic from here to that IP go next, and why?" — Network Watcher's next hop,
//! with every competing route and the reason it lost.

use std::net::IpAddr;
use std::sync::Arc;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::dataplane::DataPlane;
use crate::model::{Network, NextHop, NextHopType, SubnetId};
use crate::route::EffectiveRoute;

/// The next hop of a packet, with the evidence.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct NextHopAnswer {
    /// The source subnet, `vnet/subnet`.
    pub subnet: String,
    /// The destination IP.
    pub destination: IpAddr,
    /// The next hop: type and IP. `None` when no route matches (dropped).
    pub next_hop: NextHop,
    /// Every next hop IP when several equal-cost routes win.
    pub next_hop_ips: Vec<IpAddr>,
    /// The winning route's table, or `System Route`.
    pub route_table: String,
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
    let name = net
        .subnet(subnet)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let Some(view) = dp.routes(subnet) else {
        return NextHopAnswer {
            subnet: name,
            destination,
            next_hop: NextHop::of(NextHopType::None),
            next_hop_ips: Vec::new(),
            route_table: String::new(),
            route: None,
            candidates: Vec::new(),
        };
    };
    let winners = view.lookup(destination);
    let winning_prefix = winners.first().map(|r| r.prefix);
    let candidates = view
        .covering(destination)
        .into_iter()
        .map(|r| CandidateRoute {
            verdict: match (r.state, winning_prefix) {
                (crate::model::RouteState::Invalid, _) => Verdict::Invalid,
                (_, Some(w)) if w == r.prefix => Verdict::Selected,
                (_, Some(w)) => Verdict::ShorterPrefix { than: w },
                (_, None) => Verdict::Invalid,
            },
            route: r,
        })
        .collect::<Vec<CandidateRoute>>();
    let first = winners.first().copied();
    // The winner is among the covering routes: hold the same shared route.
    let route = first.map(|w| {
        candidates
            .iter()
            .find(|c| std::ptr::eq(c.route.as_ref(), w))
            .map_or_else(|| Arc::new(w.clone()), |c| Arc::clone(&c.route))
    });
    NextHopAnswer {
        subnet: name,
        destination,
        next_hop: first.map_or(NextHop::of(NextHopType::None), |r| r.next_hop),
        next_hop_ips: winners.iter().filter_map(|r| r.next_hop.ip).collect(),
        route_table: first.map_or_else(String::new, |r| r.table_name().to_string()),
        route,
        candidates,
    }
}
