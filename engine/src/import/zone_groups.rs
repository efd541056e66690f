//! Private DNS zone groups: Azure creates, in each zone of the group, an A record for the
//! private endpoint's target, named after it, holding the endpoint's address
//! (<https://learn.microsoft.com/azure/private-link/private-endpoint-dns#private-dns-zone-group>).
//! A record set the input already has is kept; a missing one is added as an assumption.

use super::context::{text, Context, Ns};
use super::resource::{last_segment, segment_after};
use super::Section;
use crate::scenario::{RecordDoc, ServiceKind};

const GROUPS: &str = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups";

pub(super) fn import(cx: &mut Context<'_>) {
    for i in cx.of_kind(GROUPS) {
        let Some(r) = cx.res(i) else { continue };
        cx.take(i);
        let Some(endpoint_id) =
            r.id.to_lowercase()
                .find("/privatednszonegroups/")
                .and_then(|at| r.id.get(..at))
        else {
            continue;
        };
        let Some(endpoint) = cx.name_of(Ns::Nic, endpoint_id) else {
            cx.skip(
                r.id.clone(),
                "its private endpoint is not in the input or was left out",
            );
            continue;
        };
        let Some(pe) = cx
            .doc
            .private_endpoints
            .iter()
            .find(|p| p.name.value == endpoint)
        else {
            continue;
        };
        let ip = pe.ip.value.clone();
        let web_app = pe.target.as_ref().is_some_and(|t| {
            cx.doc
                .services
                .iter()
                .any(|s| s.name.value == t.value && s.kind == ServiceKind::WebApp)
        });
        let record = pe.target.as_ref().and_then(|t| {
            let t = &t.value;
            match cx.doc.services.iter().find(|s| s.name.value == *t) {
                Some(s) => s.fqdn.value.split('.').next().map(str::to_string),
                None => t.split('.').next().map(str::to_string),
            }
        });
        let Some(record) = record.filter(|n| !n.is_empty()) else {
            cx.skip(
                r.id.clone(),
                "its private endpoint has no target to name a record after",
            );
            continue;
        };
        let configs = r
            .props()
            .items("/privateDnsZoneConfigs")
            .unwrap_or_default();
        for c in configs {
            let Ok(Some(zone_id)) = c.opt_str("/privateDnsZoneId") else {
                continue;
            };
            let zone = segment_after(zone_id, "privateDnsZones")
                .unwrap_or_else(|| last_segment(zone_id))
                .trim_end_matches('.')
                .to_lowercase();
            // A zone is identified by resource group and name: a copy kept with its resource
            // group matches only an id in that group.
            let rg = segment_after(zone_id, "resourceGroups");
            let Some(z) = cx.doc.dns.zones.iter_mut().find(|z| {
                z.name.value == zone
                    && match (&z.resource_group, rg) {
                        (Some(have), Some(id_rg)) => have.value.eq_ignore_ascii_case(id_rg),
                        (Some(_), None) => false,
                        (None, _) => true,
                    }
            }) else {
                cx.skip(
                    format!("record `{record}` of zone group {}", r.id),
                    format!("its zone `{zone}` is not in the input"),
                );
                continue;
            };
            let mut names = vec![record.clone()];
            if web_app && zone == ServiceKind::WebApp.private_zone() {
                // The advanced tools (scm) site's record beside the app's: "Use private
                // endpoints for Azure App Service apps" lists `mywebapp.scm.privatelink.
                // azurewebsites.net` with the endpoint's address
                // (<https://learn.microsoft.com/azure/app-service/overview-private-endpoint>).
                names.push(format!("{record}.scm"));
            }
            let label = crate::scenario::zone_label(
                z.resource_group.as_ref().map(|t| t.value.as_str()),
                &zone,
            );
            let mut lines = Vec::new();
            for record in names {
                if z.records
                    .iter()
                    .any(|x| x.name.value.eq_ignore_ascii_case(&record))
                {
                    continue;
                }
                z.records.push(RecordDoc {
                    name: text(record.clone()),
                    a: vec![text(ip.clone())],
                    cname: None,
                });
                lines.push(format!(
                    "record `{record}.{zone}` → {ip} assumed: created by the zone group of private endpoint `{endpoint}`"
                ));
            }
            for line in lines {
                cx.comment(Section::Zone, &label, line.clone());
                cx.notes.assumptions.push(line);
            }
        }
    }
}
