//! Link the client's VNet to the right copy of a zone: where one zone name is kept in several
//! resource groups, a VNet links at most one of them ("Private Link FAQ",
//! <https://learn.microsoft.com/azure/private-link/private-link-faq>), so a VNet linked to a
//! copy without the name's record cannot simply add a link to the copy that has it; the fix
//! moves the link (delete it from the wrong copy, create it on the right one). Every other name
//! the VNet resolved through the old copy moves with it, which the blast radius shows.

use serde::Serialize;

use super::{Named, Scope};
use crate::model::{find_record, under, VnetId, ZoneId};
use crate::scenario::Document;

/// Move a VNet's link from one copy of a zone to another copy of the same name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RelinkZone {
    /// The copy the VNet is linked to now.
    pub from: Named<ZoneId>,
    /// The copy that holds the name's record.
    pub to: Named<ZoneId>,
    /// The VNet.
    pub vnet: Named<VnetId>,
}

/// The names the flow's name is asked as in private zones: itself, and the service's
/// privatelink name when it is a service's FQDN.
fn asked_names(s: &Scope<'_>) -> Vec<String> {
    let name = s.flow.to.trim().trim_end_matches('.').to_lowercase();
    let mut out: Vec<String> = s
        .net
        .services
        .iter()
        .filter(|x| x.fqdn == name)
        .map(|x| x.privatelink_name())
        .collect();
    out.push(name);
    out
}

/// For each copy linked to the client's VNet that lacks the name's record, every other copy of
/// that name that has it.
pub fn candidates(s: &Scope<'_>) -> Vec<RelinkZone> {
    let Some((vnet, v)) = s.client_vnet else {
        return Vec::new();
    };
    let zones = &s.net.dns.zones;
    let names = asked_names(s);
    let mut out = Vec::new();
    for (from_id, from) in zones.iter_ids() {
        if !from.links.iter().any(|(l, _)| *l == vnet) {
            continue;
        }
        let Some(name) = names.iter().find(|n| under(n, &from.name)) else {
            continue;
        };
        if find_record(&from.records, name).is_some() {
            continue;
        }
        for (to_id, to) in zones.iter_ids() {
            if to_id != from_id && to.name == from.name && find_record(&to.records, name).is_some()
            {
                out.push(RelinkZone {
                    from: Named::new(from_id, from.label()),
                    to: Named::new(to_id, to.label()),
                    vnet: Named::new(vnet, v.name.clone()),
                });
            }
        }
    }
    out
}

impl RelinkZone {
    /// Moves the link in the scenario as written.
    pub fn apply(&self, doc: &mut Document) -> Option<()> {
        let from = super::record::doc_zone(doc, &self.from.name)?;
        let before = from.links.len();
        from.links.retain(|l| l.value != self.vnet.name);
        from.nx_domain_redirect
            .retain(|l| l.value != self.vnet.name);
        if from.links.len() == before {
            return None;
        }
        super::record::doc_zone(doc, &self.to.name)?
            .links
            .push(super::text(&self.vnet.name));
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{diagnosis, flow, lesson};
    use super::super::{apply, Fix, Scope};
    use super::*;
    use crate::analysis::flow::trace;
    use crate::trace::Verdict;

    #[test]
    fn a_vnet_linked_to_the_copy_without_the_record_is_moved_to_the_copy_with_it() {
        let base = lesson("dns/zone-copy-per-region.ron");
        let mut doc = base.document.clone();
        // A third VNet's app, linked to the East copy, calls a second account whose endpoint
        // only the West copy has a record for.
        let west = doc
            .dns
            .zones
            .iter_mut()
            .find(|z| {
                z.resource_group
                    .as_ref()
                    .is_some_and(|r| r.value == "rg-dns-westus")
            })
            .unwrap();
        west.records.push(crate::scenario::RecordDoc {
            name: crate::scenario::Text::new("fabrikam-aoai".into()),
            a: vec![crate::scenario::Text::new("10.1.2.5".into())],
            cname: None,
        });
        let text = crate::scenario::to_ron(&doc).unwrap().replace(
            "services: [",
            r#"services: [(name: "aoai2", kind: OpenAI, fqdn: "fabrikam-aoai.openai.azure.com", public_ip: "20.42.0.11", public_network_access: Disabled),"#,
        ).replace(
            "private_endpoints: [",
            r#"private_endpoints: [(name: "pe-aoai2-west", subnet: "vnet-west/pe", ip: "10.1.2.5", target: "aoai2"),"#,
        );
        let loaded = crate::load_str("t.ron", &text).unwrap();
        let f = flow("vm-east", "fabrikam-aoai.openai.azure.com");
        let d = diagnosis(&loaded, &f);
        assert_ne!(d.trace.verdict, Verdict::Delivered);
        let found = candidates(&Scope::of(&loaded, &f, &d));
        let [fix] = found.as_slice() else {
            panic!("{found:?}")
        };
        assert_eq!(fix.from.name, "rg-dns-eastus/privatelink.openai.azure.com");
        assert_eq!(fix.to.name, "rg-dns-westus/privatelink.openai.azure.com");
        let (doc, f2) = apply(&loaded.document, &f, &Fix::RelinkZone(fix.clone())).unwrap();
        let fixed = crate::load_document(loaded.source.clone(), doc).unwrap();
        let t = trace(&fixed.network, fixed.dataplane(), &f2).unwrap();
        assert_eq!(t.verdict, Verdict::Delivered);
        // Moving the link moves the VNet's other names too: the first account now resolves to
        // the West endpoint from the East VNet, which a blast radius lists.
        let answer = crate::analysis::whatif::what_if(&loaded, &fixed, &[]);
        assert!(answer
            .resolutions
            .iter()
            .any(|r| r.name == "contoso-aoai.openai.azure.com" && r.from == "vm-east"));
    }
}
