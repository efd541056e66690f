//! Create the private DNS zone a name needs, with its records, linked to the client's VNet:
//! - a service with private endpoints but no zone of its family in the scenario resolves
//!   publicly; the zone is the family's privatelink zone ("Azure Private Endpoint private DNS
//!   zone values", <https://learn.microsoft.com/azure/private-link/private-endpoint-dns>), with
//!   an A record per endpoint of that family, named after the service
//!   (<https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration>);
//! - API Management in internal mode publishes no private answers: its host names need a zone
//!   `azure-api.net` with A records for the gateway, portal, developer portal, management and
//!   SCM endpoints at the private VIP ("Deploy API Management to an internal virtual network:
//!   DNS configuration",
//!   <https://learn.microsoft.com/azure/api-management/api-management-using-with-internal-vnet#dns-configuration>).
//!
//! Proposed only when no zone of that name exists (linking an existing one is
//! [`super::link_zone`]), so Azure never sees a second zone of a name linked to one VNet.

use std::net::IpAddr;

use serde::Serialize;

use super::{Named, Scope};
use crate::model::{ApimMode, VnetId};
use crate::scenario::{Document, RecordDoc, ZoneDoc};

/// A record of the new zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct NewRecord {
    /// Its name relative to the zone.
    pub name: String,
    /// Its address.
    pub ip: IpAddr,
}

/// Create a private DNS zone with its records, linked to the client's VNet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CreateZone {
    /// The zone's name.
    pub zone: String,
    /// The VNet it is linked to.
    pub vnet: Named<VnetId>,
    /// Its records.
    pub records: Vec<NewRecord>,
}

/// `full` relative to `zone`, when it is a name under it.
fn relative(full: &str, zone: &str) -> Option<String> {
    let head = full.strip_suffix(zone)?.strip_suffix('.')?;
    (!head.is_empty()).then(|| head.to_string())
}

/// The zone the flow's name needs, when the scenario has no zone of that name.
pub fn candidates(s: &Scope<'_>) -> Vec<CreateZone> {
    let Some((vnet, v)) = s.client_vnet else {
        return Vec::new();
    };
    let net = s.net;
    let name = s.flow.to.trim().trim_end_matches('.').to_lowercase();
    let exists = |zone: &str| net.dns.zones.iter().any(|z| z.name == zone);
    let mut out = Vec::new();
    if let Some(kind) = net.services.iter().find(|x| x.fqdn == name).map(|x| x.kind) {
        if let Some(kind) = Some(kind).filter(|k| !exists(k.private_zone())) {
            let zone = kind.private_zone();
            // One record per service of the family with an endpoint here: the endpoint in the
            // client's VNet when it has one, else the first.
            let mut records = Vec::new();
            for (i, svc) in net.services.iter_ids() {
                if svc.kind != kind {
                    continue;
                }
                let mut pes = net
                    .private_endpoints
                    .iter()
                    .filter(|p| p.service == Some(i));
                let first = pes.clone().next();
                let near = pes.find(|p| net.subnet(p.subnet).map(|x| x.vnet) == Some(vnet));
                let Some(pe) = near.or(first) else { continue };
                let Some(label) = relative(&svc.privatelink_name(), zone) else {
                    continue;
                };
                records.push(NewRecord {
                    name: label,
                    ip: pe.ip,
                });
            }
            if !records.is_empty() {
                out.push(CreateZone {
                    zone: zone.to_string(),
                    vnet: Named::new(vnet, v.name.clone()),
                    records,
                });
            }
        }
    }
    let zone = "azure-api.net";
    let internal_apim = net
        .api_managements
        .iter()
        .any(|a| a.mode == ApimMode::Internal && a.hostnames.contains(&name));
    if internal_apim && !exists(zone) {
        let mut records = Vec::new();
        for a in net
            .api_managements
            .iter()
            .filter(|a| a.mode == ApimMode::Internal)
        {
            let Some(w) = net.workloads.get(a.workload) else {
                continue;
            };
            for h in &a.hostnames {
                if let Some(label) = relative(h, zone) {
                    records.push(NewRecord {
                        name: label,
                        ip: w.ip,
                    });
                }
            }
        }
        if !records.is_empty() {
            out.push(CreateZone {
                zone: zone.to_string(),
                vnet: Named::new(vnet, v.name.clone()),
                records,
            });
        }
    }
    out
}

impl CreateZone {
    /// Adds the zone, linked to the VNet, with its records.
    pub fn apply(&self, doc: &mut Document) -> Option<()> {
        doc.dns.zones.push(ZoneDoc {
            name: super::text(&self.zone),
            resource_group: None,
            links: vec![super::text(&self.vnet.name)],
            nx_domain_redirect: Vec::new(),
            records: self
                .records
                .iter()
                .map(|r| RecordDoc {
                    name: super::text(&r.name),
                    a: vec![super::text(&r.ip.to_string())],
                    cname: None,
                })
                .collect(),
        });
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{diagnosis, flow, lesson, load};
    use super::super::{apply, Fix, Scope};
    use super::*;
    use crate::analysis::flow::trace;
    use crate::trace::Verdict;

    const NO_ZONE: &str = r#"Scenario(
        vnets: [(name: "v", region: "eastus", address_space: ["10.0.0.0/16"], subnets: [(name: "pe", prefix: "10.0.2.0/24"), (name: "app", prefix: "10.0.1.0/24")])],
        services: [(name: "aoai", kind: OpenAI, fqdn: "contoso.openai.azure.com", public_ip: "20.42.0.10", public_network_access: Disabled)],
        private_endpoints: [(name: "pe-aoai", subnet: "v/pe", ip: "10.0.2.4", target: "aoai")],
        workloads: [(name: "vm", subnet: "v/app", ip: "10.0.1.4")],
    )"#;

    #[test]
    fn a_service_family_without_its_privatelink_zone_gets_the_zone_with_its_endpoint_record() {
        let loaded = load(NO_ZONE);
        let f = flow("vm", "contoso.openai.azure.com");
        let d = diagnosis(&loaded, &f);
        let found = candidates(&Scope::of(&loaded, &f, &d));
        let [fix] = found.as_slice() else {
            panic!("{found:?}")
        };
        assert_eq!(fix.zone, "privatelink.openai.azure.com");
        assert_eq!(
            fix.records,
            [NewRecord {
                name: "contoso".into(),
                ip: "10.0.2.4".parse().unwrap()
            }]
        );
        let (doc, f2) = apply(&loaded.document, &f, &Fix::CreateZone(fix.clone())).unwrap();
        let fixed = crate::load_document(loaded.source.clone(), doc).unwrap();
        let t = trace(&fixed.network, fixed.dataplane(), &f2).unwrap();
        assert_eq!(t.verdict, Verdict::Delivered);
    }

    #[test]
    fn an_existing_zone_of_the_family_is_linked_not_created_again() {
        let with_zone = NO_ZONE.replace(
            "workloads:",
            r#"dns: (zones: [(name: "privatelink.openai.azure.com", records: [(name: "contoso", a: ["10.0.2.4"])])]), workloads:"#,
        );
        let loaded = load(&with_zone);
        let f = flow("vm", "contoso.openai.azure.com");
        let d = diagnosis(&loaded, &f);
        assert!(candidates(&Scope::of(&loaded, &f, &d)).is_empty());
    }

    #[test]
    fn internal_api_management_without_an_azure_api_net_zone_gets_one_for_its_host_names() {
        let base = lesson("apim/internal-mode-nsg-rules.ron");
        let mut doc = base.document.clone();
        doc.dns.zones.retain(|z| z.name.value != "azure-api.net");
        let loaded = crate::load_document(base.source.clone(), doc).unwrap();
        let f = flow("vm-app", "contoso-apim.azure-api.net");
        let d = diagnosis(&loaded, &f);
        assert_ne!(d.trace.verdict, Verdict::Delivered);
        let found = candidates(&Scope::of(&loaded, &f, &d));
        let [fix] = found.as_slice() else {
            panic!("{found:?}")
        };
        assert_eq!(fix.zone, "azure-api.net");
        assert!(fix.records.iter().any(|r| r.name == "contoso-apim"));
        assert!(fix.records.iter().any(|r| r.name == "contoso-apim.portal"));
        let (doc, f2) = apply(&loaded.document, &f, &Fix::CreateZone(fix.clone())).unwrap();
        let fixed = crate::load_document(loaded.source.clone(), doc).unwrap();
        let t = trace(&fixed.network, fixed.dataplane(), &f2).unwrap();
        assert_eq!(t.verdict, Verdict::Delivered);
    }
}
