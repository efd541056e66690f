//! Private DNS zone links Azure refuses: a zone cannot be linked to a virtual WAN hub (its
//! managed VNet). Link the zones to a shared-services VNet holding a DNS forwarder or a DNS
//! Private Resolver (the virtual hub extension pattern), or to each spoke. Microsoft Learn,
//! "Guide to private link and DNS in Azure Virtual WAN"
//! (<https://learn.microsoft.com/azure/architecture/networking/guide/private-link-virtual-wan-dns-guide>).

use super::Resolver;
use crate::model::VnetId;
use crate::scenario::Text;

impl Resolver {
    /// Whether `vnet` (written `t`) is a virtual hub, which a zone `zone` cannot be linked to;
    /// if so, the link is refused with a hint.
    pub(super) fn refuse_hub_link(&mut self, t: &Text, vnet: VnetId, zone: &str) -> bool {
        let is_hub = self.net.vnet(vnet).is_some_and(|v| v.hub.is_some());
        if is_hub {
            self.error(
                t.span,
                format!("private DNS zone `{zone}` cannot be linked to virtual hub `{}`", t.value),
                Some("Azure does not link private DNS zones to virtual WAN hubs; link the zone to a spoke or shared-services vnet that holds a DNS forwarder or a DNS Private Resolver".into()),
            );
        }
        is_hub
    }
}
