//! Stage 3: effective routes. Computes, per subnet, the routes Azure offers (`system`),
//! decides which are `Active` (`select`), and compiles them for longest-prefix match
//! ([`table`], over the [`Lpm`] trait).

pub mod advertise;
pub mod connected;
pub mod endpoints;
pub mod hub;
pub mod lpm;
pub(crate) mod select;
pub mod service_tag;
pub(crate) mod system;
pub mod table;
mod types;

pub use lpm::{LinearLpm, Lpm, TrieLpm};
pub use table::{Explained, RouteTableView};
pub use types::*;

#[cfg(test)]
pub(crate) mod testutil {
    //! Builds a network from a RON snippet and reads back effective routes, for rule tests.

    use super::{EffectiveRoute, RouteTableView};
    use crate::model::{NextHopType, RouteSource};

    /// Loads `ron` (which must be valid) and returns the compiled table of `subnet`.
    pub fn table(ron: &str, subnet: &str) -> RouteTableView {
        let loaded = crate::load_str("test.ron", ron).unwrap_or_else(|e| panic!("{e}"));
        let id = loaded
            .network
            .subnet_by_name(subnet)
            .unwrap_or_else(|| panic!("no subnet {subnet}"));
        RouteTableView::compile(&loaded.network, id).unwrap_or_else(|| panic!("no table"))
    }

    /// The routes of `subnet` with `prefix`.
    pub fn rows(t: &RouteTableView, prefix: &str) -> Vec<EffectiveRoute> {
        let p = prefix.parse().unwrap_or_else(|e| panic!("{e}"));
        t.routes()
            .into_iter()
            .filter(|r| r.prefix == p)
            .map(std::borrow::Cow::into_owned)
            .collect()
    }

    /// The single route with this prefix and source.
    pub fn row(t: &RouteTableView, prefix: &str, source: RouteSource) -> EffectiveRoute {
        let found: Vec<_> = rows(t, prefix)
            .into_iter()
            .filter(|r| r.source == source)
            .collect();
        assert_eq!(found.len(), 1, "{prefix} {source}: {found:#?}");
        found[0].clone()
    }

    /// The next hop type for `dst`, or `None` type when nothing matches.
    pub fn hop(t: &RouteTableView, dst: &str) -> NextHopType {
        t.lookup(dst.parse().unwrap_or_else(|e| panic!("{e}")))
            .first()
            .map_or(NextHopType::None, |r| r.next_hop.next_hop_type)
    }
}
