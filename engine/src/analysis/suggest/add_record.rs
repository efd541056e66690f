//! Add the A record a name needs to the private DNS zone linked to the client's VNet: a linked
//! zone answers for every name under it, so one without the record answers NXDOMAIN ("Azure
//! Private Endpoint DNS configuration",
//! <https://learn.microsoft.com/azure/private-link/private-endpoint-dns>). The advanced tools
//! (scm) site of a web app is the usual case: its record `<app>.scm` goes beside `<app>` ("Use
//! private endpoints for Azure App Service apps": "you must create two records pointing to the
//! private endpoint IP", <https://learn.microsoft.com/azure/app-service/overview-private-endpoint>).

use std::net::IpAddr;

use serde::Serialize;

use super::{Named, Scope};
use crate::model::{find_record, under, ZoneId};
use crate::scenario::{Document, RecordDoc};

/// Add an A record to a private DNS zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AddRecord {
    /// The zone.
    pub zone: Named<ZoneId>,
    /// The record set's name relative to the zone.
    pub name: String,
    /// Its address: the service's private endpoint.
    pub ip: IpAddr,
}

/// The record the flow's name needs in the zone linked to the client's VNet, when that zone
/// lacks it and the service has a private endpoint (the one in the client's VNet first).
pub fn candidates(s: &Scope<'_>) -> Vec<AddRecord> {
    let Some((vnet, _)) = s.client_vnet else {
        return Vec::new();
    };
    let net = s.net;
    let name = s.flow.to.trim().trim_end_matches('.').to_lowercase();
    let Some((service, svc)) = net.services.iter_ids().find(|(_, x)| x.answers_any(&name)) else {
        return Vec::new();
    };
    let Some(private) = svc.privatelink_name_for(&name) else {
        return Vec::new();
    };
    let zone = net
        .dns
        .zones
        .iter_ids()
        .filter(|(_, z)| under(&private, &z.name) && private != z.name)
        .filter(|(_, z)| z.links.iter().any(|(l, _)| *l == vnet))
        .max_by_key(|(_, z)| z.name.len());
    let Some((id, z)) = zone else {
        return Vec::new();
    };
    if find_record(&z.records, &private).is_some() {
        return Vec::new();
    }
    let mut pes = net
        .private_endpoints
        .iter()
        .filter(|p| p.service == Some(service));
    let first = pes.clone().next();
    let near = pes.find(|p| net.subnet(p.subnet).map(|x| x.vnet) == Some(vnet));
    let Some(pe) = near.or(first) else {
        return Vec::new();
    };
    let Some(label) = private
        .strip_suffix(z.name.as_str())
        .and_then(|h| h.strip_suffix('.'))
        .filter(|h| !h.is_empty())
    else {
        return Vec::new();
    };
    vec![AddRecord {
        zone: Named::new(id, z.label()),
        name: label.to_string(),
        ip: pe.ip,
    }]
}

impl AddRecord {
    /// Adds the record to the zone as the scenario writes it.
    pub fn apply(&self, doc: &mut Document) -> Option<()> {
        super::record::doc_zone(doc, &self.zone.name)?
            .records
            .push(RecordDoc {
                name: super::text(&self.name),
                a: vec![super::text(&self.ip.to_string())],
                cname: None,
            });
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

    const APP_RECORD_ONLY: &str = r#"Scenario(
        vnets: [(name: "spoke", region: "westeurope", address_space: ["10.1.0.0/16"], subnets: [
            (name: "build", prefix: "10.1.1.0/24"), (name: "pe", prefix: "10.1.2.0/24")])],
        services: [(name: "shop", kind: WebApp, fqdn: "contoso-shop.azurewebsites.net", public_ip: "20.50.1.3")],
        private_endpoints: [(name: "pe-shop", subnet: "spoke/pe", ip: "10.1.2.4", target: "shop")],
        dns: (zones: [(name: "privatelink.azurewebsites.net", links: ["spoke"], records: [(name: "contoso-shop", a: ["10.1.2.4"])])]),
        workloads: [(name: "vm-build", subnet: "spoke/build", ip: "10.1.1.4")],
    )"#;

    #[test]
    fn the_scm_sites_record_is_added_beside_the_apps_in_the_linked_zone() {
        let loaded = load(APP_RECORD_ONLY);
        let f = flow("vm-build", "contoso-shop.scm.azurewebsites.net");
        let d = diagnosis(&loaded, &f);
        let found = candidates(&Scope::of(&loaded, &f, &d));
        let [fix] = found.as_slice() else {
            panic!("{found:?}")
        };
        assert_eq!(fix.zone.name, "privatelink.azurewebsites.net");
        assert_eq!(fix.name, "contoso-shop.scm");
        assert_eq!(fix.ip.to_string(), "10.1.2.4");
        let (doc, f2) = apply(&loaded.document, &f, &Fix::AddRecord(fix.clone())).unwrap();
        let fixed = crate::load_document(loaded.source.clone(), doc).unwrap();
        let t = trace(&fixed.network, fixed.dataplane(), &f2).unwrap();
        assert_eq!(t.verdict, Verdict::Delivered);
    }

    #[test]
    fn a_zone_that_holds_the_record_is_not_proposed() {
        let loaded = load(APP_RECORD_ONLY);
        let f = flow("vm-build", "contoso-shop.azurewebsites.net");
        let d = diagnosis(&loaded, &f);
        assert!(candidates(&Scope::of(&loaded, &f, &d)).is_empty());
    }
}
