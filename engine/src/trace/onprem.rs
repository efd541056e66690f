//! Traffic entering Azure from an on-premises site: on-premises routing sends it into the
//! site's connection only for prefixes the site has towards Azure (what the gateway advertised,
//! or static routes); the gateway then forwards it by its `GatewaySubnet`'s effective routes,
//! UDRs included, like a VM in that subnet (Microsoft Learn, "Virtual network traffic routing",
//! Border gateway protocol: a route table on GatewaySubnet steers traffic arriving from
//! on-premises). The reply comes home when it leaves Azure through a gateway to the client.

use super::walk::{stop, End, Entry, FlowRecords, Leg, Nic, Tracer};
use super::{Hop, Packet, Step, Verdict};
use crate::model::{NicRef, OnPremSiteId, Peering};
use crate::route::advertise;

impl Tracer<'_> {
    /// The request leaves the site: on-premises routing, then the gateway.
    pub(super) fn leave_site(
        &mut self,
        site: OnPremSiteId,
        packet: Packet,
        records: &mut FlowRecords,
    ) -> (Vec<Hop>, End) {
        let Some(s) = self.net.site(site) else {
            let verdict = Verdict::NoDestination {
                address: packet.dst,
            };
            return (Vec::new(), End::Stopped(verdict));
        };
        let mut hop = Hop {
            nic: crate::model::Name::from(s.name.as_str()),
            subnet: crate::model::Name::default(),
            vnet: crate::model::Name::default(),
            region: crate::model::Name::default(),
            packet,
            steps: Vec::new(),
            at: None,
        };
        let Some(route) = advertise::site_route_for(self.net, site, packet.dst) else {
            let verdict = Verdict::NotRoutedFromSite {
                site: s.name.clone(),
                destination: packet.dst,
            };
            return stop(Vec::new(), hop, verdict);
        };
        hop.steps.push(Step::SiteRoute(route));
        let gateway = NicRef::Gateway(s.gateway);
        let (entry, leg) = (Entry::Departs, Leg::Request);
        self.walk_from(vec![hop], gateway, packet, entry, leg, records)
    }

    /// Whether a reply that left through a gateway is home: the flow started at a site, and the
    /// reply is addressed to that client.
    pub(super) fn reply_home_on_premises(&self, reply: &[Hop]) -> bool {
        self.site_client.is_some() && reply.last().map(|h| h.packet.dst) == self.site_client
    }
}

/// Whether a peering carries a packet a VNet gateway forwards from on-premises as if it were
/// the gateway VNet's own: the peering offers that gateway to the peer (gateway transit), so
/// on-premises traffic through it needs no `allowForwardedTraffic`.
pub(super) fn gateway_transit_carries(at: &Nic, p: &Peering) -> bool {
    matches!(at.id, NicRef::Gateway(_)) && p.gateway_transit == Some(at.vnet)
}
