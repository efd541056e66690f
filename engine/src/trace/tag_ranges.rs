//! Routes naming a service tag declared with no prefixes cover nothing in the model, though in
//! Azure they cover the tag's ranges ("Service tags for user-defined routes",
//! <https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#service-tags-for-user-defined-routes>):
//! a trace routed by such a table says so, since its answer may differ in Azure.

use super::walk::Tracer;
use super::{Assumption, Hop};

impl Tracer<'_> {
    /// States `ServiceTagRangesUnknown` for every such route in the tables of the subnets the
    /// request and its reply were routed from, once each. Assumptions are evidence: a walk
    /// for the verdict alone states none, and a scenario without such routes has none to state.
    pub(super) fn note_uncovered_tag_routes(&mut self, hops: &[Hop]) {
        if !self.explain || !self.dp.has_uncovered_tag_routes() {
            return;
        }
        for hop in hops {
            let Some(table) = hop
                .at
                .and_then(|id| self.nic(id))
                .and_then(|nic| self.net.subnet(nic.subnet))
                .and_then(|s| s.route_table)
                .and_then(|t| self.net.route_tables.get(t))
            else {
                continue;
            };
            for (route, tag) in &table.uncovered_tag_routes {
                let a = Assumption::ServiceTagRangesUnknown {
                    tag: tag.clone(),
                    route: route.clone(),
                };
                if !self.assumptions.contains(&a) {
                    self.assumptions.push(a);
                }
            }
        }
    }
}
