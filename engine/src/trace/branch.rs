//! Traffic entering Azure from a virtual WAN branch (a VPN site or ExpressRoute circuit
//! connected to a virtual hub): the branch sends into its connection only what the hub
//! advertised to it ([`crate::route::hub::branch_routes`]); the hub router then routes it by
//! `defaultRouteTable`, which every branch connection is associated with (Microsoft Learn,
//! "About virtual hub routing",
//! <https://learn.microsoft.com/azure/virtual-wan/about-virtual-hub-routing>), routing intent
//! included, and on as any packet in the hub. The reply is home when the hub sends it back to
//! the branch.

use super::walk::{stop, End, Entry, FlowRecords, Leg, Tracer};
use super::{Hop, Packet, Step, Verdict};
use crate::model::{BranchId, NicRef};
use crate::route::hub;

impl Tracer<'_> {
    /// The request leaves branch `branch`: its routes towards Azure, then its hub's router.
    pub(super) fn leave_branch(
        &mut self,
        branch: BranchId,
        packet: Packet,
        records: &mut FlowRecords,
    ) -> (Vec<Hop>, End) {
        let Some((h, site)) = self.net.branch(branch) else {
            let verdict = Verdict::NoDestination {
                address: packet.dst,
            };
            return (Vec::new(), End::Stopped(verdict));
        };
        let mut hop = Hop {
            nic: crate::model::Name::from(site.name.as_str()),
            subnet: crate::model::Name::default(),
            vnet: crate::model::Name::default(),
            region: crate::model::Name::from(h.region.as_str()),
            packet,
            steps: Vec::new(),
            at: None,
        };
        let Some(route) = hub::branch_route_for(self.net, branch, packet.dst) else {
            let verdict = Verdict::NotRoutedFromSite {
                site: site.name.clone(),
                destination: packet.dst,
            };
            return stop(Vec::new(), hop, verdict);
        };
        hop.steps.push(Step::BranchRoute(Box::new(route)));
        let router = NicRef::HubRouter(branch.hub);
        self.walk_from(
            vec![hop],
            router,
            packet,
            Entry::Departs,
            Leg::Request,
            records,
        )
    }

    /// The branch a packet at a hub router came from: the flow's source branch, when the hop
    /// before is that branch (it has no NIC).
    pub(super) fn branch_ingress(&self, prev: Option<&Hop>) -> Option<hub::Ingress> {
        let prev = prev?;
        if prev.at.is_some() {
            return None;
        }
        let (_, site) = self.net.branch(self.branch?)?;
        Some(hub::Ingress::Branch {
            site: site.name.clone(),
        })
    }
}
