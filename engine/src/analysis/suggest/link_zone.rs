//! Link a private DNS zone to the client's VNet: zone links do not follow peering, so a client
//! whose VNet has no link resolves the public answer ("Azure Private Endpoint DNS
//! configuration": link the zone to every VNet whose clients resolve with Azure DNS).

use serde::Serialize;

use super::{Named, Scope};
use crate::model::{VnetId, ZoneId};
use crate::scenario::Document;

/// Link a private DNS zone to a VNet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LinkZone {
    /// The zone.
    pub zone: Named<ZoneId>,
    /// The VNet.
    pub vnet: Named<VnetId>,
}

/// Every zone not linked to the client's VNet.
pub fn candidates(s: &Scope<'_>) -> Vec<LinkZone> {
    let Some((vnet, v)) = s.client_vnet else {
        return Vec::new();
    };
    s.net
        .dns
        .zones
        .iter_ids()
        .filter(|(_, z)| !z.links.iter().any(|(l, _)| *l == vnet))
        // A VNet links at most one zone of a name: linking a second copy is refused by Azure
        // (moving the link is [`super::relink_zone`]).
        .filter(|(_, z)| {
            !s.net
                .dns
                .zones
                .iter()
                .any(|o| o.name == z.name && o.links.iter().any(|(l, _)| *l == vnet))
        })
        .map(|(i, z)| LinkZone {
            zone: Named::new(i, z.label()),
            vnet: Named::new(vnet, v.name.clone()),
        })
        .collect()
}

impl LinkZone {
    /// Adds the link to the zone as the scenario writes it.
    pub fn apply(&self, doc: &mut Document) -> Option<()> {
        super::record::doc_zone(doc, &self.zone.name)?
            .links
            .push(super::text(&self.vnet.name));
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{diagnosis, flow, load};
    use super::super::{apply, Fix, Scope};
    use super::*;
    use crate::analysis::flow::trace;
    use crate::trace::Verdict;

    const HUB_ONLY: &str = r#"Scenario(
        vnets: [
            (name: "hub", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "pe", prefix: "10.0.2.0/24")]),
            (name: "spoke", region: "eastus", address_space: ["10.1.0.0/16"], subnets: [(name: "app", prefix: "10.1.1.0/24")]),
        ],
        peerings: [(between: ("hub", "spoke"))],
        services: [(name: "aoai", kind: OpenAI, fqdn: "contoso.openai.azure.com", public_ip: "20.42.0.10", public_network_access: Disabled)],
        private_endpoints: [(name: "pe-aoai", subnet: "hub/pe", ip: "10.0.2.4", target: "aoai")],
        dns: (zones: [(name: "Privatelink.OpenAI.azure.com.", links: ["hub"], records: [(name: "contoso", a: ["10.0.2.4"])])]),
        workloads: [(name: "vm-hub", subnet: "hub/pe", ip: "10.0.2.5"), (name: "vm", subnet: "spoke/app", ip: "10.1.1.4")],
    )"#;

    #[test]
    fn zone_links_do_not_follow_peering_so_the_spokes_vnet_is_linked() {
        let loaded = load(HUB_ONLY);
        let f = flow("vm", "contoso.openai.azure.com");
        let d = diagnosis(&loaded, &f);
        let found = candidates(&Scope::of(&loaded, &f, &d));
        let [fix] = found.as_slice() else {
            panic!("{found:?}")
        };
        assert_eq!(fix.zone.id, ZoneId::for_test(0));
        assert_eq!(fix.zone.name, "privatelink.openai.azure.com");
        assert_eq!(fix.vnet.name, "spoke");
        // Applied to the zone as written (other case, trailing dot), the spoke resolves the
        // endpoint and reaches it.
        let (doc, f2) = apply(&loaded.document, &f, &Fix::LinkZone(fix.clone())).unwrap();
        let fixed = crate::load_document(loaded.source.clone(), doc).unwrap();
        let t = trace(&fixed.network, fixed.dataplane(), &f2).unwrap();
        assert_eq!(t.verdict, Verdict::Delivered);
    }

    #[test]
    fn a_zone_already_linked_to_the_clients_vnet_is_not_proposed() {
        let loaded = load(HUB_ONLY);
        let f = flow("vm-hub", "contoso.openai.azure.com");
        let d = diagnosis(&loaded, &f);
        assert!(candidates(&Scope::of(&loaded, &f, &d)).is_empty());
    }
}
